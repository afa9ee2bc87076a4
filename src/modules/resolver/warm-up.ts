/**
 * The resolver page warmed up before the server listens (http/warm-up.ts): a rush of consumers' scans right after a
 * start, at 300 pages a second, had its slowest page of the first second at 830-990 ms and of the next at 220-480 ms,
 * against 84-262 ms and 25-75 ms after twenty waves of the page as HEAD (docs/BENCHMARKS.md, resolver page, twelfth
 * session). HEAD runs the whole page (the code decoded, its facts read, the page rendered) but records no scan.
 */
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../context.ts';
import { warmUp } from '../../http/warm-up.ts';
import { OUT_OF_CIRCULATION } from './resolve.ts';

/** Warms the page on a code in circulation, in both languages; null when there is no such code yet (nothing to scan). */
export async function warmUpResolver(
  app: FastifyInstance,
  sql: Db,
  opts: { connections: number; rounds?: number },
): Promise<{ requests: number; failed: number; ms: number } | null> {
  const [code] = await sql<{ epc: string }[]>`
    select epc from code_state
    where status <> all(${[...OUT_OF_CIRCULATION]}::text[]) and epc like 'https://id.gs1.org/01/%/21/%'
    limit 1`;
  if (!code) return null;
  const url = new URL(code.epc).pathname;
  return warmUp(app, (n) => ({ method: 'HEAD', url, headers: { accept: 'text/html', 'accept-language': n % 4 === 3 ? 'en' : 'zh-CN' } }), {
    rounds: opts.rounds ?? 20,
    concurrency: opts.connections,
  });
}
