/*
 * Throughline Scan service worker (registered by the /scan page only, scope /scan).
 *
 * Keeps the app shell so the scanning page opens without a network:
 * - navigations: network first (a fresh index.html after a deploy), falling back to the cached shell after 4 s or
 *   when offline;
 * - /assets/* (content-hashed build files, incl. the zxing .wasm): cache first, kept as they are fetched; the page also
 *   posts the files it already loaded (`cache-urls`) because they were fetched before this worker was in control;
 * - the manifest and icons: stale while revalidate.
 * API calls (/api/*) are never touched: the page's offline queue deals with them.
 */
const VERSION = 'v1';
const SHELL_CACHE = `tl-scan-shell-${VERSION}`;
const ASSET_CACHE = `tl-scan-assets-${VERSION}`;
const SHELL_URL = '/scan';
const STATIC = ['/manifest.webmanifest', '/scan-icon.svg', '/scan-icon-192.png', '/scan-icon-512.png'];
const NETWORK_TIMEOUT_MS = 4000;

/** The /assets/ files an index.html refers to (entry script, its preloads and CSS). */
function assetUrlsIn(html) {
  const urls = new Set();
  for (const m of html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)) urls.add(new URL(m[1], self.location.origin).href);
  return [...urls];
}

async function cacheAssets(urls) {
  const cache = await caches.open(ASSET_CACHE);
  await Promise.all(
    urls
      .filter((u) => {
        try {
          const url = new URL(u, self.location.origin);
          return url.origin === self.location.origin && url.pathname.startsWith('/assets/');
        } catch {
          return false;
        }
      })
      .map(async (u) => {
        if (await cache.match(u)) return;
        try {
          const res = await fetch(u, { credentials: 'same-origin' });
          if (res.ok) await cache.put(u, res);
        } catch {
          // offline or gone: kept the next time it is fetched
        }
      }),
  );
}

async function storeShell(res) {
  const html = await res.clone().text();
  const cache = await caches.open(SHELL_CACHE);
  await cache.put(SHELL_URL, res);
  await cacheAssets(assetUrlsIn(html));
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      try {
        const res = await fetch(SHELL_URL, { cache: 'no-store', credentials: 'same-origin', headers: { Accept: 'text/html' } });
        if (res.ok) await storeShell(res);
      } catch {
        // installed while offline: the shell is kept on the next visit
      }
      const cache = await caches.open(ASSET_CACHE);
      await Promise.all(STATIC.map((u) => cache.add(u).catch(() => undefined)));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if (key.startsWith('tl-scan-') && key !== SHELL_CACHE && key !== ASSET_CACHE) await caches.delete(key);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('message', (event) => {
  const data = event.data;
  if (data && data.type === 'cache-urls' && Array.isArray(data.urls)) event.waitUntil(cacheAssets(data.urls));
});

async function shell(event) {
  const cached = () => caches.open(SHELL_CACHE).then((c) => c.match(SHELL_URL));
  const network = fetch(event.request).then((res) => {
    const type = res.headers.get('content-type') || '';
    if (res.ok && type.includes('text/html')) {
      const stored = storeShell(res.clone()).catch(() => undefined);
      try {
        event.waitUntil(stored);
      } catch {
        // the answer already went out (slow network): the cache is updated anyway
      }
    }
    return res;
  });
  network.catch(() => undefined);
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(resolve, NETWORK_TIMEOUT_MS, null);
  });
  try {
    const first = await Promise.race([network, timeout]);
    if (first) return first;
    // slow network: the cached shell now, the network answer refreshes the cache in the background
    return (await cached()) || (await network);
  } catch {
    const fallback = await cached();
    if (fallback) return fallback;
    throw new Error('offline and no cached shell');
  } finally {
    clearTimeout(timer);
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(ASSET_CACHE);
  const hit = await cache.match(request);
  if (hit) return hit;
  const res = await fetch(request);
  if (res.ok && res.type === 'basic') await cache.put(request, res.clone());
  return res;
}

async function staleWhileRevalidate(event) {
  const cache = await caches.open(ASSET_CACHE);
  const hit = await cache.match(event.request);
  const refresh = fetch(event.request)
    .then(async (res) => {
      if (res.ok) await cache.put(event.request, res.clone());
      return res;
    })
    .catch(() => null);
  if (hit) {
    event.waitUntil(refresh);
    return hit;
  }
  return (await refresh) || Response.error();
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return;
  if (request.mode === 'navigate') {
    event.respondWith(shell(event));
    return;
  }
  if (url.pathname.startsWith('/assets/')) {
    event.respondWith(cacheFirst(request));
    return;
  }
  if (STATIC.includes(url.pathname)) event.respondWith(staleWhileRevalidate(event));
});
