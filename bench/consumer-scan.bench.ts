/**
 * The consumer's scan of a unit's QR code: the resolver page (text/html: code lookup, verdict, the scan recorded) and
 * the linkset (application/linkset+json: read only) at 100 concurrent connections on loopback, with autocannon in its
 * own process, each request a different commissioned code. Reference in the same run: Fastify plus one point query on
 * code_state (the ceiling the issue measures against). Targets (issue 5): page p99 under 20 ms, page under 50 KB.
 * BENCH_SECONDS (default 10) per phase, BENCH_CODES (default 20,000) codes, BENCH_CONNECTIONS (default 100).
 * Closed loop first (throughput: each connection asks again as soon as it is answered, so latency there is the queue
 * the connections form), then the page paced at BENCH_RATE requests/s (default 1,000) by an open-loop client that
 * sends on schedule (bench/clients/consumer-scan-paced.ts; autocannon's own rate limit sends in bursts) for its latency.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { warmUpResolver } from '../src/modules/resolver/warm-up.ts';
import { commissionedUnits, consumerBench, loadFrom, UNIT } from './consumer-fixture.ts';
import { BENCH_POOL, emit, isMain } from './support.ts';

export async function run(): Promise<void> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  const codes = Number(process.env.BENCH_CODES ?? 20_000);
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 100);
  const bench = await consumerBench({ stores: 1000 });
  const { db, url } = bench;
  const pathsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tl-consumer-')), 'paths.txt');
  try {
    await commissionedUnits(bench, codes);
    const epcs = await db.sql<{ epc: string }[]>`select epc from code_state where gtin = ${UNIT} order by random()`;
    fs.writeFileSync(pathsFile, epcs.map((e) => e.epc.replace('https://id.gs1.org', '')).join('\n'));
    await db.sql`analyze`;
    // as the server does before it listens (server.ts): the page loaded as HEAD on every connection; BENCH_WARM_UP=0
    // leaves it cold, to see what a start costs the first consumers (the paced phase's timeline, PACED_TIMELINE=1)
    if (process.env.BENCH_WARM_UP !== '0') {
      const warmed = await warmUpResolver(bench.app, db.sql, { connections: BENCH_POOL });
      if (warmed) emit('consumer-scan', 'warm_up_ms', Math.round(warmed.ms), 'ms');
    }

    const client = path.join(path.dirname(fileURLToPath(import.meta.url)), 'clients', 'consumer-scan-load.ts');
    const rate = Number(process.env.BENCH_RATE ?? 1000);
    const load = (mode: string) =>
      loadFrom<{ rps: number; p50: number; p99: number; non2xx: number; bytesPerRequest: number }>(client, [
        url,
        mode,
        String(seconds),
        String(connections),
        pathsFile,
      ]);
    emit('consumer-scan', 'codes', epcs.length, 'codes');
    emit('consumer-scan', 'connections', connections, 'connections');
    // BENCH_PHASES (default: all) picks phases, e.g. `paced` alone for the page's latency on first scans
    const phases = (process.env.BENCH_PHASES ?? 'point,html,linkset,html,paced').split(',');
    for (const mode of phases.filter((p) => p !== 'paced')) {
      const r = await load(mode);
      emit('consumer-scan', `${mode}_requests_per_s`, r.rps, 'req/s');
      emit('consumer-scan', `${mode}_latency_p50_ms`, r.p50, 'ms');
      emit('consumer-scan', `${mode}_latency_p99_ms`, r.p99, 'ms');
      emit('consumer-scan', `${mode}_non_2xx`, r.non2xx, 'responses');
      if (mode !== 'point') emit('consumer-scan', `${mode}_bytes_per_response`, r.bytesPerRequest, 'bytes');
    }
    const pacedClient = path.join(path.dirname(fileURLToPath(import.meta.url)), 'clients', 'consumer-scan-paced.ts');
    if (phases.includes('paced')) {
      const paced = await loadFrom<{ rps: number; p50: number; p90: number; p99: number; max: number; non2xx: number }>(pacedClient, [
        url,
        String(seconds),
        String(connections),
        pathsFile,
        String(rate),
      ]);
      emit('consumer-scan', 'html_paced_rate', rate, 'req/s');
      emit('consumer-scan', 'html_paced_requests_per_s', paced.rps, 'req/s');
      emit('consumer-scan', 'html_paced_latency_p50_ms', paced.p50, 'ms');
      emit('consumer-scan', 'html_paced_latency_p90_ms', paced.p90, 'ms');
      emit('consumer-scan', 'html_paced_latency_p99_ms', paced.p99, 'ms');
      emit('consumer-scan', 'html_paced_latency_max_ms', paced.max, 'ms');
      emit('consumer-scan', 'html_paced_non_2xx', paced.non2xx, 'responses');
    }
    const [scans] = await db.sql<{ n: number; repeat: number }[]>`
      select count(*)::int as n, count(*) filter (where verdict = 'genuine_repeat')::int as repeat from consumer_scans`;
    emit('consumer-scan', 'scans_recorded', scans?.n ?? 0, 'scans');
    emit('consumer-scan', 'repeat_verdicts', scans?.repeat ?? 0, 'scans');
  } finally {
    await bench.close();
    fs.rmSync(path.dirname(pathsFile), { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) await run();
