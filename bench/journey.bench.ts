/**
 * Journey and recall on a big ledger. The ledger is generated inside PostgreSQL (INSERT ... SELECT over
 * generate_series) in the shape capture writes it: per pallet of 40 cases x 24 units, a commissioning event,
 * 40 case packings, a pallet packing, a shipping and a receiving event, their event_epcs and containment rows,
 * the code_state of every code and the stock. The first JOURNEY_RECALL_UNITS units (default 1,000,000) are one lot.
 * - journey of a random unit over HTTP, one request after another: p50/p99 (target p99 < 10 ms at 20M codes);
 * - recall of the lot with current holders and counts per party (target < 2 s).
 * Size: JOURNEY_UNITS (default 2,016,000; the figure in BENCHMARKS.md was taken with 20,160,000).
 */

import http from 'node:http';
import { loadDemo } from '../src/demo/load-demo.ts';
import { buildApp } from '../src/http/app.ts';
import { emit, freshDatabase, isMain } from './support.ts';

const PER_PALLET = 960;

export async function run(): Promise<void> {
  const units = Math.ceil(Number(process.env.JOURNEY_UNITS ?? 2_016_000) / PER_PALLET) * PER_PALLET;
  const recallUnits = Math.min(units, Number(process.env.JOURNEY_RECALL_UNITS ?? 1_000_000));
  const pallets = units / PER_PALLET;
  const cases = pallets * 40;
  const db = await freshDatabase(54357);
  const { app } = await buildApp({ sql: db.sql, loginRateLimit: 1000 });
  try {
    await loadDemo(db.sql, { stores: 1000 });
    const sql = db.sql;
    const [t] = await sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
    const tenant = Number(t?.id);
    const [f] = await sql<{ gln: string }[]>`select gln from parties where tenant_id = ${tenant} and code = 'F01'`;
    const base = new Date(Date.now() - 86_400_000);
    await sql`create temporary table if not exists _x (i int)`.catch(() => {});
    const started = performance.now();
    // ids: commission p, case pack P + c, pallet pack P + C + p, ship 2P + C + p, receive 3P + C + p
    const exec = (statement: string) => sql.unsafe(statement);
    const unitUri = `'https://id.gs1.org/01/06901234001013/21/U' || lpad(u::text, 9, '0')`;
    const caseUri = `'https://id.gs1.org/01/16901234001010/21/C' || lpad(c::text, 8, '0')`;
    const palletUri = `'https://id.gs1.org/01/26901234001017/21/P' || lpad(p::text, 7, '0')`;
    const at = (p: string, step: number) =>
      `(timestamptz '${base.toISOString()}' + (${p}) * interval '10 seconds' + interval '${step} seconds')`;
    const loc = `jsonb_build_object('id', 'https://id.gs1.org/414/${f?.gln}')`;
    const ev = (id: string, time: string, type: string, action: string, step: string, body: string) =>
      `select ${tenant}, ${id}, ${time}, 'ni:///sha-256;' || md5((${id})::text) || md5('x' || (${id})::text) || '?ver=CBV2.0', '${type}', '${action}', '${step}',
        null, null, 'https://id.gs1.org/414/${f?.gln}', now(), 0, ${body}, null`;
    const cols =
      '(tenant_id, id, event_time, event_hash, event_type, action, biz_step, disposition, read_point, biz_location, record_time, capture_id, body, context)';
    const P = pallets;
    const C = cases;
    await exec(
      `insert into epcis_events ${cols} ${ev('p', at('p', 0), 'ObjectEvent', 'ADD', 'commissioning', `jsonb_build_object('type','ObjectEvent','action','ADD','bizStep','commissioning','bizLocation',${loc})`)} from generate_series(1, ${P}) p`,
    );
    await exec(
      `insert into epcis_events ${cols} ${ev(`${P} + c`, at('(c - 1) / 40 + 1', 1), 'AggregationEvent', 'ADD', 'packing', `jsonb_build_object('type','AggregationEvent','action','ADD','bizStep','packing','parentID', ${caseUri}, 'childEPCs', (select jsonb_agg(${unitUri}) from generate_series((c - 1) * 24 + 1, c * 24) u))`)} from generate_series(1, ${C}) c`,
    );
    await exec(
      `insert into epcis_events ${cols} ${ev(`${P + C} + p`, at('p', 2), 'AggregationEvent', 'ADD', 'packing', `jsonb_build_object('type','AggregationEvent','action','ADD','bizStep','packing','parentID', ${palletUri})`)} from generate_series(1, ${P}) p`,
    );
    await exec(
      `insert into epcis_events ${cols} ${ev(`${2 * P + C} + p`, at('p', 3), 'ObjectEvent', 'OBSERVE', 'shipping', `jsonb_build_object('type','ObjectEvent','action','OBSERVE','bizStep','shipping','epcList', jsonb_build_array(${palletUri}))`)} from generate_series(1, ${P}) p`,
    );
    await exec(
      `insert into epcis_events ${cols} ${ev(`${3 * P + C} + p`, at('p', 4), 'ObjectEvent', 'OBSERVE', 'receiving', `jsonb_build_object('type','ObjectEvent','action','OBSERVE','bizStep','receiving','epcList', jsonb_build_array(${palletUri}))`)} from generate_series(1, ${P}) p`,
    );
    const epcCols = '(tenant_id, epc, event_time, event_id, role)';
    await exec(
      `insert into event_epcs ${epcCols} select ${tenant}, ${unitUri}, ${at('(u - 1) / 960 + 1', 0)}, (u - 1) / 960 + 1, 1 from generate_series(1, ${units}) u`,
    );
    await exec(
      `insert into event_epcs ${epcCols} select ${tenant}, ${caseUri}, ${at('(c - 1) / 40 + 1', 1)}, ${P} + c, 2 from generate_series(1, ${C}) c`,
    );
    // the children of packings are indexed by the containment history, as capture writes them
    const kCols = '(tenant_id, child_epc, parent_epc, packed_at, pack_event_id)';
    await exec(
      `insert into containment ${kCols} select ${tenant}, ${unitUri}, 'https://id.gs1.org/01/16901234001010/21/C' || lpad(((u - 1) / 24 + 1)::text, 8, '0'),
        ${at('(u - 1) / 960 + 1', 1)}, ${P} + (u - 1) / 24 + 1 from generate_series(1, ${units}) u`,
    );
    await exec(
      `insert into containment ${kCols} select ${tenant}, ${caseUri}, 'https://id.gs1.org/01/26901234001017/21/P' || lpad(((c - 1) / 40 + 1)::text, 7, '0'),
        ${at('(c - 1) / 40 + 1', 2)}, ${P + C} + (c - 1) / 40 + 1 from generate_series(1, ${C}) c`,
    );
    for (const [step, id, role] of [
      [2, `${P + C} + p`, 2],
      [3, `${2 * P + C} + p`, 1],
      [4, `${3 * P + C} + p`, 1],
    ] as const) {
      await exec(
        `insert into event_epcs ${epcCols} select ${tenant}, ${palletUri}, ${at('p', step)}, ${id}, ${role} from generate_series(1, ${P}) p`,
      );
    }
    // current state: every unit in its case on its pallet, received by one of the distributors
    await exec(
      `create unlogged table holders as select row_number() over (order by id) - 1 as k, id from parties where tenant_id = ${tenant} and kind = 'distributor'`,
    );
    await exec('create index on holders (k)');
    const holderOf = (p: string) => `(select id from holders where k = (${p}) % 500)`;
    // units keep the state of their commissioning; their cases the packing; the pallets were received
    const state = '(tenant_id, epc, gtin, level, lot, holder_party_id, location, status, last_event_time, commissioned_at)';
    const lotOf = (u: string) => `case when ${u} <= ${recallUnits} then 'RECALL1' else 'LOT' || ((${u} - 1) / 96000) end`;
    const factory = `(select id from parties where tenant_id = ${tenant} and code = 'F01')`;
    await exec(`insert into code_state ${state} select ${tenant}, ${unitUri}, '06901234001013', 'unit', ${lotOf('u')},
        ${factory}, null, 'commissioned', ${at('(u - 1) / 960 + 1', 0)}, ${at('(u - 1) / 960 + 1', 0)}
      from generate_series(1, ${units}) u`);
    await exec(`insert into code_state ${state} select ${tenant}, ${caseUri}, '16901234001010', 'case', ${lotOf('(c - 1) * 24 + 1')},
        ${factory}, null, 'commissioned', ${at('(c - 1) / 40 + 1', 1)}, ${at('(c - 1) / 40 + 1', 0)} from generate_series(1, ${C}) c`);
    await exec(`insert into code_state ${state} select ${tenant}, ${palletUri}, '26901234001017', 'pallet', ${lotOf('(p - 1) * 960 + 1')},
        ${holderOf('p')}, null, 'received', ${at('p', 4)}, ${at('p', 0)} from generate_series(1, ${P}) p`);
    // the stock those receipts left: every unit on hand at its pallet's distributor
    await exec(`insert into stock (tenant_id, holder_party_id, gtin, lot, on_hand)
      select ${tenant}, h.id, '06901234001013', l.lot, count(*) from generate_series(1, ${units}) u
      cross join lateral (select ${lotOf('u')} as lot) l
      join holders h on h.k = ((u - 1) / 960 + 1) % 500
      group by 2, 3, 4`);
    // steady state: autovacuum would by now have analysed the tables and set the visibility map (index-only counts),
    // and is not still working through the load while the journeys are timed
    for (const table of ['code_state', 'containment', 'event_epcs', 'epcis_events']) await exec(`vacuum analyze ${table}`);
    emit('journey', 'ledger_units', units, 'codes');
    emit('journey', 'ledger_load_seconds', (performance.now() - started) / 1000, 's');
    const [size] = await sql<{ mb: number }[]>`select (pg_database_size(current_database()) / 1048576)::int as mb`;
    emit('journey', 'database_mib', size?.mb ?? 0, 'MiB');

    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const login = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenant: 'demo', username: 'admin', password: 'Admin#2026' }),
    });
    const { token } = (await login.json()) as { token: string };
    // node:http on a kept-alive socket: fetch's own overhead (~1 ms a call here) would be most of what is measured
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const get = (path: string) =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        const req = http.get(`${url}${path}`, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const body = Buffer.concat(chunks).toString('utf8');
            if (res.statusCode !== 200) reject(new Error(`${path}: ${res.statusCode} ${body.slice(0, 300)}`));
            else resolve(JSON.parse(body) as Record<string, unknown>);
          });
        });
        req.on('error', reject);
      });
    const latencies: number[] = [];
    let events = 0;
    for (let i = 0; i < 1200; i++) {
      const u = 1 + Math.floor(Math.random() * units);
      const code = encodeURIComponent(`https://id.gs1.org/01/06901234001013/21/U${String(u).padStart(9, '0')}`);
      const t0 = performance.now();
      const j = await get(`/api/v1/codes/${code}/journey`);
      if (i >= 200) latencies.push(performance.now() - t0);
      events += (j.events as unknown[]).length;
    }
    latencies.sort((a, b) => a - b);
    emit('journey', 'journey_events_per_unit', events / 1200, 'events');
    emit('journey', 'journey_p50_ms', latencies[Math.floor(latencies.length * 0.5)] as number, 'ms');
    emit('journey', 'journey_p99_ms', latencies[Math.floor(latencies.length * 0.99)] as number, 'ms');

    const recallTimes: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const r = await get('/api/v1/recalls/lot?gtin=06901234001013&lot=RECALL1');
      recallTimes.push(performance.now() - t0);
      if (r.units !== recallUnits) throw new Error(`recall counted ${r.units} units, expected ${recallUnits}`);
    }
    emit('journey', 'recall_units', recallUnits, 'units');
    emit('journey', 'recall_first_ms', recallTimes[0] as number, 'ms');
    emit('journey', 'recall_best_ms', Math.min(...recallTimes), 'ms');
    emit('journey', 'server_rss_mib', process.memoryUsage().rss / 1024 / 1024, 'MiB');
  } finally {
    await app.close();
    await db.close();
  }
}

if (isMain(import.meta.url)) await run();
