/**
 * The consumer segments page (`GET /api/v1/segments/consumers`: RFM of every consumer who scanned the brand's codes,
 * scored in the request) through the real app, over SEGMENT_DEVICES anonymous devices (default 20,000) that scanned 1-4
 * units each over the last year. Prints the answer's time (SEGMENT_RUNS runs, default 3) and the server thread's
 * event loop delay meanwhile (the page is computed in the server's process).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { consumerBench, UNIT } from './consumer-fixture.ts';
import { emit, isMain } from './support.ts';

export async function run(): Promise<void> {
  const devices = Number(process.env.SEGMENT_DEVICES ?? 20_000);
  const runs = Number(process.env.SEGMENT_RUNS ?? 3);
  const bench = await consumerBench({ stores: 200 });
  try {
    const [t] = await bench.db.sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
    await bench.db.sql`
      insert into consumer_scans (tenant_id, epc, scanned_at, verdict, ip_hash, device_id)
      select ${t?.id as number}, 'https://id.gs1.org/01/' || ${UNIT} || '/21/S' || d || '-' || k, now() - random() * interval '365 days',
        'genuine_first', '\\x00'::bytea, ('00000000-0000-4000-8000-' || lpad(to_hex(d), 12, '0'))::uuid
      from generate_series(1, ${devices}) d, generate_series(1, 1 + d % 4) k`;
    await bench.db.sql`analyze consumer_scans`;
    const admin = await bench.login('admin', 'Admin#2026');
    const times: number[] = [];
    let population = 0;
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    for (let k = 0; k < runs; k++) {
      const started = performance.now();
      const r = await fetch(`${bench.url}/api/v1/segments/consumers?limit=50`, { headers: { authorization: `Bearer ${admin}` } });
      const body = (await r.json()) as { population: number };
      if (r.status !== 200) throw new Error(`segments: ${r.status} ${JSON.stringify(body)}`);
      times.push(performance.now() - started);
      population = body.population;
    }
    delay.disable();
    times.sort((a, b) => a - b);
    emit('segments', 'devices', devices, 'devices');
    emit('segments', 'population', population, 'members');
    emit('segments', 'consumer_segments_ms_min', times[0] ?? 0, 'ms');
    emit('segments', 'consumer_segments_ms_max', times.at(-1) ?? 0, 'ms');
    emit('segments', 'event_loop_delay_max_ms', delay.max / 1e6, 'ms');
  } finally {
    await bench.close();
  }
}

if (isMain(import.meta.url)) await run();
