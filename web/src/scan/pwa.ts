/**
 * The scanning page as an installable app: its web manifest, theme colour and icons are linked while /scan is shown
 * (the console itself is not an app), and a service worker (public/sw.js, scope /scan) keeps the app shell so the page
 * opens without a network. The worker is registered from this page only.
 */

export const THEME_COLOR = '#0f766e';
const SW_URL = '/sw.js';
const SW_SCOPE = '/scan';

/** Adds the manifest, theme colour and touch icon to <head>; returns a function that removes them again. */
export function linkManifest(): () => void {
  const added: HTMLElement[] = [];
  const add = (tag: 'link' | 'meta', attrs: Record<string, string>) => {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    el.dataset.scanPwa = '1';
    document.head.appendChild(el);
    added.push(el);
  };
  add('link', { rel: 'manifest', href: '/manifest.webmanifest' });
  add('meta', { name: 'theme-color', content: THEME_COLOR });
  add('meta', { name: 'mobile-web-app-capable', content: 'yes' });
  add('meta', { name: 'apple-mobile-web-app-capable', content: 'yes' });
  add('meta', { name: 'apple-mobile-web-app-title', content: '一物一码扫码' });
  add('link', { rel: 'apple-touch-icon', href: '/scan-icon-192.png' });
  add('link', { rel: 'icon', type: 'image/svg+xml', href: '/scan-icon.svg' });
  return () => {
    for (const el of added) el.remove();
  };
}

/** The same-origin build files this page has loaded (entry, lazy chunks, CSS, wasm), for the worker to keep. */
function loadedAssets(extra: string[]): string[] {
  const urls = new Set<string>(extra);
  for (const e of performance.getEntriesByType('resource')) {
    try {
      const u = new URL(e.name);
      if (u.origin === location.origin && u.pathname.startsWith('/assets/')) urls.add(u.href);
    } catch {
      // not a URL
    }
  }
  for (const el of document.querySelectorAll<HTMLScriptElement | HTMLLinkElement>(
    'script[src], link[rel="stylesheet"], link[rel="modulepreload"]',
  )) {
    const href = el instanceof HTMLScriptElement ? el.src : el.href;
    if (href.startsWith(`${location.origin}/assets/`)) urls.add(href);
  }
  return [...urls];
}

/** Registers the worker (https or localhost only) and hands it the files to keep for offline use. */
export async function registerScanWorker(extraUrls: string[] = []): Promise<ServiceWorkerRegistration | null> {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return null;
  try {
    const reg = await navigator.serviceWorker.register(SW_URL, { scope: SW_SCOPE });
    const worker = reg.active ?? reg.waiting ?? reg.installing;
    const send = (w: ServiceWorker | null) => w?.postMessage({ type: 'cache-urls', urls: loadedAssets(extraUrls) });
    if (reg.active) send(reg.active);
    else if (worker) {
      worker.addEventListener('statechange', () => {
        if (worker.state === 'activated') send(worker);
      });
    }
    return reg;
  } catch {
    return null;
  }
}

/** Asks the active worker to keep more files (e.g. the zxing .wasm once it is known to be needed). */
export function cacheForOffline(urls: string[]): void {
  navigator.serviceWorker?.controller?.postMessage({ type: 'cache-urls', urls: loadedAssets(urls) });
}
