import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';

/**
 * Security headers on every response (helmet, the middleware, run from an onRequest hook), with a Content-Security-Policy the console works under:
 * - scripts and workers only from this origin; `'wasm-unsafe-eval'` lets the scanning page compile ZXing's
 *   WebAssembly (it allows WebAssembly compilation only, not `eval`), and the service worker is `/sw.js`;
 * - styles from this origin and inline: Ant Design writes its CSS-in-JS into <style> elements at run time;
 * - images from this origin, `data:` (the favicon, Ant Design's inline icons) and `blob:` (label previews, downloads);
 * - no plugins, no framing by anyone (clickjacking), forms and <base> only to this origin.
 * `upgrade-insecure-requests` is left out: factories run the server on plain HTTP inside their LAN, where it
 * would break every asset; HSTS is sent but browsers honour it only over HTTPS.
 * The camera is allowed to this origin only (the scanning page), microphone and location to no one.
 * Answers to signed-in callers are `Cache-Control: no-store` unless the route set its own.
 */
export async function installSecurityHeaders(app: FastifyInstance): Promise<void> {
  // one middleware built once (@fastify/helmet rebuilt it, CSP parsing included, on every request)
  const headers = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", "'wasm-unsafe-eval'"],
        workerSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        mediaSrc: ["'self'", 'blob:'],
        manifestSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: { maxAge: 180 * 24 * 3600, includeSubDomains: false },
  });
  app.addHook('onRequest', (req, reply, done) => {
    reply.header('permissions-policy', 'camera=(self), microphone=(), geolocation=(), payment=()');
    headers(req.raw, reply.raw, (err) => done(err as Error | undefined));
  });
  // what a signed-in caller is shown is theirs: no browser or shared cache keeps it (a route may say otherwise;
  // the login, which is public, says no-store itself)
  app.addHook('onSend', async (req, reply, payload) => {
    if (req.actor && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });
}
