import type { IncomingMessage, ServerResponse } from 'node:http';
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
 *
 * The headers do not depend on the request (no nonces), so helmet runs once, at start, and every answer gets the
 * headers it wrote: run on every request, its dozen middlewares and the checks of `setHeader` were ~5 % of the HTTP
 * thread's time under a rush of consumer claims.
 */
export async function installSecurityHeaders(app: FastifyInstance): Promise<void> {
  const headers = staticHeadersOf(
    helmet({
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
    }),
  );
  headers['permissions-policy'] = 'camera=(self), microphone=(), geolocation=(), payment=()';
  app.addHook('onRequest', (_req, reply, done) => {
    reply.headers(headers);
    done();
  });
  // what a signed-in caller is shown is theirs: no browser or shared cache keeps it (a route may say otherwise;
  // the login, which is public, says no-store itself)
  app.addHook('onSend', async (req, reply, payload) => {
    if (req.actor && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });
}

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/** The headers a request-independent middleware sets, found by running it once against a recording response. */
function staticHeadersOf(middleware: Middleware): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = String(value);
      return recorder;
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let failure: unknown;
  middleware({ headers: {} } as IncomingMessage, recorder as unknown as ServerResponse, (err) => {
    failure = err;
  });
  if (failure) throw failure;
  return headers;
}
