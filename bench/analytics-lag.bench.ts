/**
 * How far the analytics facts lag behind the events they come from: sell-scans captured through the real
 * capture path (POST /epcis/capture) while another client keeps capturing commissioning documents, and for each
 * sale the time from sending the capture until the store's row in the drill-down fact (an_party_day) shows it.
 * The projector runs as in production (every 2 s). Target: under 60 s.
 *
 * BENCH_LAG_ROUNDS (default 40) sales are measured, one after another.
 */
import { loadDemo } from '../src/demo/load-demo.ts';
import { buildApp } from '../src/http/app.ts';
import { businessToday } from '../src/modules/inventory/sell-through.ts';
import { emit, freshDatabase, isMain } from './support.ts';

export async function run(): Promise<void> {
  const rounds = Number(process.env.BENCH_LAG_ROUNDS ?? 40);
  const db = await freshDatabase(54374);
  const sql = db.sql;
  const { app } = await buildApp({ sql, loginRateLimit: 10_000, logger: false, webhooks: { worker: false } });
  try {
    await loadDemo(sql, { stores: 2_000 });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const login = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenant: 'demo', username: 'admin', password: 'Admin#2026' }),
    });
    const { token } = (await login.json()) as { token: string };
    const [t] = await sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
    const tenant = Number(t?.id);
    const stores = await sql<{ id: number; gln: string }[]>`
      select id, gln from parties where tenant_id = ${tenant} and kind = 'store' and gln is not null order by id limit 10`;
    const [factory] = await sql<
      { gln: string }[]
    >`select gln from parties where tenant_id = ${tenant} and kind = 'factory' and gln is not null limit 1`;
    const [p] = await sql<{ gtin: string }[]>`select gtin from products where tenant_id = ${tenant} order by sku limit 1`;
    const gtin = p?.gtin as string;
    const epc = (prefix: string, i: number) => `https://id.gs1.org/01/${gtin}/21/${prefix}${i}`;
    const capture = async (events: object[]) => {
      const r = await fetch(`${url}/epcis/capture`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/ld+json' },
        body: JSON.stringify({
          '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'],
          type: 'EPCISDocument',
          schemaVersion: '2.0',
          creationDate: new Date().toISOString(),
          epcisBody: { eventList: events },
        }),
      });
      if (r.status !== 202) throw new Error(`capture: ${r.status} ${await r.text()}`);
    };
    const event = (epcs: string[], bizStep: string, gln: string) => ({
      type: 'ObjectEvent',
      eventTime: new Date().toISOString(),
      eventTimeZoneOffset: '+08:00',
      epcList: epcs,
      action: bizStep === 'commissioning' ? 'ADD' : 'OBSERVE',
      bizStep,
      bizLocation: { id: `https://id.gs1.org/414/${gln}` },
      ...(bizStep === 'commissioning' ? { ilmd: { 'cbvmda:lotNumber': 'LAG1' } } : {}),
    });
    const perSale = 20;
    // every store holds the units it will sell
    for (const [s, store] of stores.entries()) {
      await capture([
        event(
          Array.from({ length: perSale * rounds }, (_, i) => epc(`L${s}-`, i)),
          'commissioning',
          store.gln,
        ),
      ]);
    }
    // background writes: commissioning documents of 500 units, one after another, the whole time
    let writing = true;
    let background = 0;
    const writer = (async () => {
      while (writing) {
        await capture([
          event(
            Array.from({ length: 500 }, (_, i) => epc(`W${background}-`, i)),
            'commissioning',
            factory?.gln as string,
          ),
        ]);
        background++;
      }
    })();
    const day = businessToday(new Date());
    const lags: number[] = [];
    let maxPending = 0;
    const sold = new Map<number, number>();
    for (let r = 0; r < rounds; r++) {
      const s = r % stores.length;
      const store = stores[s] as { id: number; gln: string };
      const done = sold.get(store.id) ?? 0;
      const started = performance.now();
      await capture([
        event(
          Array.from({ length: perSale }, (_, i) => epc(`L${s}-`, done + i)),
          'retail_selling',
          store.gln,
        ),
      ]);
      sold.set(store.id, done + perSale);
      for (;;) {
        const [row] = await sql<{ n: number }[]>`
          select coalesce(sum(units_out), 0)::int as n from an_party_day
          where tenant_id = ${tenant} and party_id = ${store.id} and gtin = ${gtin} and day = ${day}`;
        if (Number(row?.n) >= done + perSale) break;
        const [q] = await sql<{ n: number }[]>`select count(*)::int as n from analytics_changes`;
        maxPending = Math.max(maxPending, Number(q?.n));
        await new Promise((res) => setTimeout(res, 50));
      }
      lags.push(performance.now() - started);
    }
    writing = false;
    await writer;
    lags.sort((a, b) => a - b);
    const at = (q: number) => lags[Math.min(lags.length - 1, Math.floor(q * lags.length))] as number;
    emit('analytics-lag', 'sales_measured', lags.length, 'sales');
    emit('analytics-lag', 'background_documents', background, 'documents of 500 units');
    emit('analytics-lag', 'lag_p50_ms', at(0.5), 'ms');
    emit('analytics-lag', 'lag_p95_ms', at(0.95), 'ms');
    emit('analytics-lag', 'lag_max_ms', lags.at(-1) as number, 'ms');
    emit('analytics-lag', 'queue_max_pending', maxPending, 'changes');
  } finally {
    await app.close();
    await db.close();
  }
}

if (isMain(import.meta.url)) await run();
