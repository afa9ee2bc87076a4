/**
 * Requests the server sends itself after it is ready and before it listens, so that the first people after a start
 * or a deploy do not pay for code not yet compiled and statements not yet prepared on the pool's connections.
 *
 * They carry a token only this process knows, so they stay out of the access log and the metrics (a client cannot
 * send the token to keep its own requests out: it never sees it), and they come from TEST-NET-1 addresses (RFC 5737,
 * never a real client's), so they take nothing from a real address's rate limit.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';

const HEADER = 'x-throughline-warm-up';
const token = randomBytes(16).toString('hex');

/** true for a request `warmUp` sent */
export function isWarmUpRequest(req: FastifyRequest): boolean {
  return req.headers[HEADER] === token;
}

export interface WarmUpRequest {
  method: 'GET' | 'HEAD';
  url: string;
  headers?: Record<string, string>;
}

/**
 * Sends `rounds` waves of `concurrency` requests, each wave all at once (one per pool connection, so that every
 * connection prepares the statements); the n-th request is `request(n)`. Read-only requests only: a warm-up must
 * leave no trace. A request answered with anything but a success is counted in `failed`, for the caller to log: a
 * warm-up is worth a faster first minute, not a server that does not start.
 */
export async function warmUp(
  app: FastifyInstance,
  request: (n: number) => WarmUpRequest,
  opts: { rounds: number; concurrency: number },
): Promise<{ requests: number; failed: number; ms: number }> {
  const started = performance.now();
  let failed = 0;
  for (let round = 0; round < opts.rounds; round++) {
    await Promise.all(
      Array.from({ length: opts.concurrency }, async (_, k) => {
        const r = request(round * opts.concurrency + k);
        const res = await app.inject({
          method: r.method,
          url: r.url,
          headers: { ...r.headers, [HEADER]: token },
          remoteAddress: `192.0.2.${1 + (k % 254)}`,
        });
        if (res.statusCode >= 300) failed++;
      }),
    );
  }
  return { requests: opts.rounds * opts.concurrency, failed, ms: performance.now() - started };
}
