/**
 * Consumer segments (RFM of every consumer who scanned the brand's codes) through the real app, over SEGMENT_DEVICES
 * anonymous devices (default 20,000) that scanned 1-4 units each over the last year:
 * - the refresh job (`POST /api/v1/segments/consumers/refresh`, then its progress until it ends): its time, and the
 *   server thread's event loop delay meanwhile (the job runs in the server's process, its scoring on a thread);
 * - the page read from the snapshot (`GET /api/v1/segments/consumers`), SEGMENT_RUNS times (default 20) each for the
 *   first page, one segment's page and a page deep into the population.
 * Then store segments, computed in the request from the orders: SEGMENT_STORE_ORDERS orders (default 10) for each of
 * SEGMENT_STORES stores (default 200; 0 skips), placed with their distributors over the last year; `GET
 * /api/v1/segments/stores` as the brand and as a distributor, SEGMENT_STORE_RUNS times (default 3), and the server
 * thread's event loop delay meanwhile.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { consumerBench, UNIT } from './consumer-fixture.ts';
import { emit, isMain } from './support.ts';

const B = 'segments';

export async function run(): Promise<void> {
  const devices = Number(process.env.SEGMENT_DEVICES ?? 20_000);
  const runs = Number(process.env.SEGMENT_RUNS ?? 20);
  const stores = Number(process.env.SEGMENT_STORES ?? 200);
  const bench = await consumerBench({ stores: Math.max(200, stores) });
  try {
    const [t] = await bench.db.sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
    await bench.db.sql`
      insert into consumer_scans (tenant_id, epc, scanned_at, verdict, ip_hash, device_id)
      select ${t?.id as number}, 'https://id.gs1.org/01/' || ${UNIT} || '/21/S' || d || '-' || k, now() - random() * interval '365 days',
        'genuine_first', '\\x00'::bytea, ('00000000-0000-4000-8000-' || lpad(to_hex(d), 12, '0'))::uuid
      from generate_series(1, ${devices}) d, generate_series(1, 1 + d % 4) k`;
    await bench.db.sql`analyze consumer_scans`;
    const admin = await bench.login('admin', 'Admin#2026');
    const get = async (path: string) => {
      const r = await fetch(`${bench.url}/api/v1${path}`, { headers: { authorization: `Bearer ${admin}` } });
      const body = (await r.json()) as Record<string, unknown>;
      if (r.status >= 300) throw new Error(`${path}: ${r.status} ${JSON.stringify(body)}`);
      return body;
    };

    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    const started = performance.now();
    const r = await fetch(`${bench.url}/api/v1/segments/consumers/refresh`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'x-throughline-csrf': '1' },
    });
    if (r.status !== 202) throw new Error(`refresh: ${r.status} ${await r.text()}`);
    let refresh: { status: string; error: string | null } = { status: 'queued', error: null };
    while (refresh.status === 'queued' || refresh.status === 'running') {
      await new Promise((resolve) => setTimeout(resolve, 100));
      refresh = (await get('/segments/consumers?limit=1')).refresh as typeof refresh;
    }
    const refreshMs = performance.now() - started;
    delay.disable();
    if (refresh.status !== 'succeeded') throw new Error(`refresh ${refresh.status}: ${refresh.error}`);

    const timed = async (path: string) => {
      const times: number[] = [];
      let body: Record<string, unknown> = {};
      for (let k = 0; k < runs; k++) {
        const s = performance.now();
        body = await get(path);
        times.push(performance.now() - s);
      }
      times.sort((a, b) => a - b);
      return { body, p50: times[Math.floor(times.length / 2)] ?? 0, max: times.at(-1) ?? 0 };
    };
    const first = await timed('/segments/consumers?limit=50');
    const population = Number(first.body.population);
    const segment = await timed('/segments/consumers?segment=hibernating&limit=50');
    const deep = await timed(`/segments/consumers?limit=50&offset=${Math.max(0, population - 50)}`);

    emit(B, 'devices', devices, 'devices');
    emit(B, 'population', population, 'members');
    emit(B, 'refresh_ms', refreshMs, 'ms');
    emit(B, 'refresh_event_loop_delay_p99_ms', delay.percentile(99) / 1e6, 'ms');
    emit(B, 'refresh_event_loop_delay_max_ms', delay.max / 1e6, 'ms');
    emit(B, 'page_ms_p50', first.p50, 'ms');
    emit(B, 'page_ms_max', first.max, 'ms');
    emit(B, 'segment_page_ms_p50', segment.p50, 'ms');
    emit(B, 'last_page_ms_p50', deep.p50, 'ms');
    emit(B, 'last_page_ms_max', deep.max, 'ms');

    if (stores > 0) {
      const perStore = Number(process.env.SEGMENT_STORE_ORDERS ?? 10);
      const storeRuns = Number(process.env.SEGMENT_STORE_RUNS ?? 3);
      await bench.db.sql`
        insert into orders (tenant_id, order_no, buyer_party_id, seller_party_id, status, total_fen, created_by, created_at)
        select s.tenant_id, 'B' || s.id || '-' || k, s.id, s.parent_id, 'approved', (1 + (s.id * 7 + k) % 50) * 1000, 'bench',
          now() - random() * interval '365 days'
        from parties s, generate_series(1, ${perStore}) k
        where s.tenant_id = ${t?.id as number} and s.kind = 'store' and s.parent_id is not null`;
      await bench.db.sql`analyze orders`;
      const distributor = await bench.login('distributor', 'Demo#2026');
      for (const [who, token] of [
        ['brand', admin],
        ['distributor', distributor],
      ] as const) {
        const times: number[] = [];
        let population = 0;
        const storeDelay = monitorEventLoopDelay({ resolution: 1 });
        storeDelay.enable();
        for (let k = 0; k < storeRuns; k++) {
          const s = performance.now();
          const r = await fetch(`${bench.url}/api/v1/segments/stores?limit=50`, { headers: { authorization: `Bearer ${token}` } });
          const body = (await r.json()) as { population: number };
          if (r.status !== 200) throw new Error(`store segments: ${r.status} ${JSON.stringify(body)}`);
          times.push(performance.now() - s);
          population = body.population;
        }
        storeDelay.disable();
        times.sort((a, b) => a - b);
        emit(B, `stores_${who}_population`, population, 'stores');
        emit(B, `stores_${who}_ms_min`, times[0] ?? 0, 'ms');
        emit(B, `stores_${who}_ms_max`, times.at(-1) ?? 0, 'ms');
        emit(B, `stores_${who}_event_loop_delay_max_ms`, storeDelay.max / 1e6, 'ms');
      }
    }
  } finally {
    await bench.close();
  }
}

if (isMain(import.meta.url)) await run();
