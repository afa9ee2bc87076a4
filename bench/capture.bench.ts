/**
 * EPCIS capture over HTTP, end to end (JSON parsed, validated against the official schema, hashed, stored,
 * projections updated, committed):
 * - packing documents (cases of 24 units) arriving in batches: unit codes per second (target >= 50,000/s);
 * - a single small event from a device: latency p50/p99 (target p99 < 20 ms);
 * - shipping and receiving one truck by its pallets (26 x 40 x 24 = 24,960 units; target < 1 s each).
 * Sizes: CAPTURE_UNITS (default 480,000 units); CAPTURE_SENDERS concurrent senders (default 2).
 */

import { readFileSync } from 'node:fs';
import { loadDemo } from '../src/demo/load-demo.ts';
import { buildApp } from '../src/http/app.ts';
import { emit, freshDatabase, isMain } from './support.ts';

const UNIT_GTIN = '06901234001013';
const CASE_GTIN = '16901234001010';
const PALLET_GTIN = '26901234001017';
const unit = (i: number) => `https://id.gs1.org/01/${UNIT_GTIN}/21/B${i.toString(36).toUpperCase().padStart(8, '0')}`;
const caseCode = (i: number) => `https://id.gs1.org/01/${CASE_GTIN}/21/K${i.toString(36).toUpperCase().padStart(7, '0')}`;
const palletCode = (i: number) => `https://id.gs1.org/01/${PALLET_GTIN}/21/T${i}`;

function doc(events: object[]) {
  return JSON.stringify({
    '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'],
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: new Date().toISOString(),
    epcisBody: { eventList: events },
  });
}

/** Jiffies the machine spent busy and in all, from /proc/stat. */
function machineCpu(): { busy: number; total: number } {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: total - idle, total };
}

let clock = Date.parse('2026-04-01T00:00:00Z');
const tick = () => {
  clock += 1000;
  return new Date(clock).toISOString();
};

export async function run(): Promise<void> {
  const totalUnits = Number(process.env.CAPTURE_UNITS ?? 480_000);
  const db = await freshDatabase(54355);
  const { app } = await buildApp({ sql: db.sql, loginRateLimit: 1000 });
  try {
    await loadDemo(db.sql, { stores: 1000 });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const login = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenant: 'demo', username: 'admin', password: 'Admin#2026' }),
    });
    const { token } = (await login.json()) as { token: string };
    const [factory] = await db.sql<{ gln: string }[]>`select gln from parties where code = 'F01'`;
    const [distributor] = await db.sql<{ gln: string }[]>`select gln from parties where code = 'D0001'`;
    const at = (gln: string) => ({ id: `https://id.gs1.org/414/${gln}` });
    const post = async (body: string) => {
      const r = await fetch(`${url}/epcis/capture`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/ld+json' },
        body,
      });
      const text = await r.text();
      if (r.status !== 202) throw new Error(`capture ${r.status}: ${text.slice(0, 500)}`);
    };

    // units are commissioned first (a line camera's documents), then packed 24 to a case, 100 cases per document
    const casesPerDoc = 100;
    const cases = Math.floor(totalUnits / 24);
    const commissionDocs: string[] = [];
    const packDocs: string[] = [];
    for (let c0 = 0; c0 < cases; c0 += casesPerDoc) {
      const n = Math.min(casesPerDoc, cases - c0);
      const units = Array.from({ length: n * 24 }, (_, i) => unit(c0 * 24 + i));
      commissionDocs.push(
        doc([
          {
            type: 'ObjectEvent',
            eventTime: tick(),
            eventTimeZoneOffset: '+08:00',
            epcList: [...units, ...Array.from({ length: n }, (_, i) => caseCode(c0 + i))],
            action: 'ADD',
            bizStep: 'commissioning',
            bizLocation: at(factory?.gln as string),
            ilmd: { 'cbvmda:lotNumber': 'LB1' },
          },
        ]),
      );
      packDocs.push(
        doc(
          Array.from({ length: n }, (_, i) => ({
            type: 'AggregationEvent',
            eventTime: tick(),
            eventTimeZoneOffset: '+08:00',
            parentID: caseCode(c0 + i),
            childEPCs: units.slice(i * 24, (i + 1) * 24),
            action: 'ADD',
            bizStep: 'packing',
            bizLocation: at(factory?.gln as string),
          })),
        ),
      );
    }
    // CAPTURE_SENDERS lines send at once (default 2), each document after the previous one was acknowledged
    const senders = Number(process.env.CAPTURE_SENDERS ?? 2);
    emit('capture', 'senders', senders, 'senders');
    const sendAll = async (docs: string[]) => {
      let next = 0;
      const worker = async () => {
        while (next < docs.length) await post(docs[next++] as string);
      };
      const started = performance.now();
      await Promise.all(Array.from({ length: senders }, worker));
      return (performance.now() - started) / 1000;
    };
    const commissionSeconds = await sendAll(commissionDocs);
    emit('capture', 'commission_unit_codes_per_s', (cases * 24) / commissionSeconds, 'codes/s');
    const cpuBefore = machineCpu();
    const nodeBefore = process.cpuUsage();
    const packSeconds = await sendAll(packDocs);
    const cpu = machineCpu();
    const node = process.cpuUsage(nodeBefore);
    // how busy the two cores were while packing, and how much of it was this process (server and senders)
    emit('capture', 'pack_machine_cpu_busy_pct', (100 * (cpu.busy - cpuBefore.busy)) / (cpu.total - cpuBefore.total), '%');
    emit('capture', 'pack_node_cpu_s', (node.user + node.system) / 1e6, 's');
    emit('capture', 'pack_seconds', packSeconds, 's');
    emit('capture', 'pack_unit_codes_per_s', (cases * 24) / packSeconds, 'codes/s');
    emit('capture', 'pack_units', cases * 24, 'units');

    // after a load this size autovacuum would have analysed the tables; do it now so plans are the steady-state
    // ones, and flush the bulk load's dirty pages so the latency below is not a checkpoint's
    await db.sql`analyze code_state`;
    await db.sql`analyze containment`;
    await db.sql`analyze event_epcs`;
    await db.sql`analyze epcis_events`;
    await db.sql`checkpoint`;
    // a device's single scan of one unit, one after another
    const latencies: number[] = [];
    for (let i = 0; i < 400; i++) {
      const body = doc([
        {
          type: 'ObjectEvent',
          eventTime: tick(),
          eventTimeZoneOffset: '+08:00',
          epcList: [unit(i * 24 + 3)],
          action: 'OBSERVE',
          bizStep: 'inspecting',
          bizLocation: at(factory?.gln as string),
        },
      ]);
      const t0 = performance.now();
      await post(body);
      latencies.push(performance.now() - t0);
    }
    latencies.sort((a, b) => a - b);
    emit('capture', 'single_event_p50_ms', latencies[Math.floor(latencies.length * 0.5)] as number, 'ms');
    emit('capture', 'single_event_p99_ms', latencies[Math.floor(latencies.length * 0.99)] as number, 'ms');

    // a truck: 26 pallets of 40 cases, packed, then shipped and received by scanning the pallets
    const truckCases = 26 * 40;
    if (cases >= truckCases) {
      const palletDocs = Array.from({ length: 26 }, (_, p) =>
        doc([
          {
            type: 'ObjectEvent',
            eventTime: tick(),
            eventTimeZoneOffset: '+08:00',
            epcList: [palletCode(p)],
            action: 'ADD',
            bizStep: 'commissioning',
            bizLocation: at(factory?.gln as string),
          },
          {
            type: 'AggregationEvent',
            eventTime: tick(),
            eventTimeZoneOffset: '+08:00',
            parentID: palletCode(p),
            childEPCs: Array.from({ length: 40 }, (_, i) => caseCode(p * 40 + i)),
            action: 'ADD',
            bizStep: 'packing',
            bizLocation: at(factory?.gln as string),
          },
        ]),
      );
      await sendAll(palletDocs);
      const pallets = Array.from({ length: 26 }, (_, p) => palletCode(p));
      const ship = doc([
        {
          type: 'ObjectEvent',
          eventTime: tick(),
          eventTimeZoneOffset: '+08:00',
          epcList: pallets,
          action: 'OBSERVE',
          bizStep: 'shipping',
          bizLocation: at(factory?.gln as string),
          destinationList: [{ type: 'owning_party', destination: `https://id.gs1.org/417/${distributor?.gln}` }],
        },
      ]);
      let t0 = performance.now();
      await post(ship);
      emit('capture', 'truck_ship_24960_units_ms', performance.now() - t0, 'ms');
      const receive = doc([
        {
          type: 'ObjectEvent',
          eventTime: tick(),
          eventTimeZoneOffset: '+08:00',
          epcList: pallets,
          action: 'OBSERVE',
          bizStep: 'receiving',
          bizLocation: at(distributor?.gln as string),
        },
      ]);
      t0 = performance.now();
      await post(receive);
      emit('capture', 'truck_receive_24960_units_ms', performance.now() - t0, 'ms');
      // the units follow their pallets: each one's effective state, and the stock that counted them
      const [moved] = await db.sql<{ n: number }[]>`
        select count(*)::int as n from code_now c join parties p on p.id = c.holder_party_id
        where p.code = 'D0001' and c.level = 'unit' and c.status = 'received'`;
      const [stocked] = await db.sql<{ n: number }[]>`
        select coalesce(sum(s.on_hand), 0)::int as n from stock s join parties p on p.id = s.holder_party_id where p.code = 'D0001'`;
      if (stocked?.n !== moved?.n) throw new Error(`stock says ${stocked?.n} units at D0001, the codes say ${moved?.n}`);
      emit('capture', 'truck_units_received', moved?.n ?? 0, 'units');
    }
    emit('capture', 'server_rss_mib', process.memoryUsage().rss / 1024 / 1024, 'MiB');
  } finally {
    await app.close();
    await db.close();
  }
}

if (isMain(import.meta.url)) await run();
