/**
 * The SIGKILL harness of issue 7: a real server process (`throughline start`) under heavy capture and ordering is
 * killed with SIGKILL at a random moment, again and again; after each restart every acknowledged event and order
 * must be there, none twice, no capture document half-written, the funds ledger balanced; then what was sent but
 * not answered is sent again with the same keys and must end up stored exactly once.
 *
 * Used by test/int/sigkill-harness.int.spec.ts (a few rounds in CI) and bench/sigkill.ts (a hundred rounds).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { Sql } from '../../src/db/connection.ts';

export interface HarnessOptions {
  sql: Sql;
  url: string;
  rounds: number;
  port: number;
  /** kill after a random delay in [minMs, maxMs] from the start of the load */
  minMs?: number;
  maxMs?: number;
  log?: (line: string) => void;
}

export interface HarnessCounts {
  rounds: number;
  capturesSent: number;
  capturesAcknowledged: number;
  capturesLost: number;
  capturesHalfWritten: number;
  eventsDuplicated: number;
  ordersSent: number;
  ordersAcknowledged: number;
  ordersLost: number;
  ordersDuplicated: number;
  ordersWithoutLines: number;
  ledgerUnbalanced: number;
  retriedAfterRestart: number;
  retriesNotStoredOnce: number;
}

interface Capture {
  ids: string[];
  body: string;
  acknowledged: boolean;
}
interface Order {
  key: string;
  body: string;
  acknowledged: boolean;
}

const CONTEXT = 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld';

/** A capture document: 1,200 units commissioned and packed 24 to a case (51 events). */
function captureDocument(tag: string): Capture {
  const units = Array.from({ length: 1200 }, (_, i) => `https://id.gs1.org/01/06901234001013/21/${tag}U${i}`);
  const events = [
    {
      type: 'ObjectEvent',
      eventID: `urn:uuid:${randomUUID()}`,
      eventTime: '2026-06-01T08:00:00.000Z',
      eventTimeZoneOffset: '+08:00',
      epcList: units,
      action: 'ADD',
      bizStep: 'commissioning',
    },
    ...Array.from({ length: 50 }, (_, c) => ({
      type: 'AggregationEvent',
      eventID: `urn:uuid:${randomUUID()}`,
      eventTime: '2026-06-01T08:01:00.000Z',
      eventTimeZoneOffset: '+08:00',
      parentID: `https://id.gs1.org/01/16901234001010/21/${tag}C${c}`,
      childEPCs: units.slice(c * 24, (c + 1) * 24),
      action: 'ADD',
      bizStep: 'packing',
    })),
  ];
  return {
    ids: events.map((e) => e.eventID),
    body: JSON.stringify({
      '@context': [CONTEXT],
      type: 'EPCISDocument',
      schemaVersion: '2.0',
      creationDate: '2026-06-01T08:02:00.000Z',
      epcisBody: { eventList: events },
    }),
    acknowledged: false,
  };
}

export async function runSigkillHarness(o: HarnessOptions): Promise<HarnessCounts> {
  const base = `http://127.0.0.1:${o.port}`;
  const log = o.log ?? (() => {});
  let server: ChildProcess | null = null;
  const start = async () => {
    server = spawn(process.execPath, ['bin/throughline.js', 'start', '--demo-stores', '300', '--no-demo-history'], {
      env: { ...process.env, DATABASE_URL: o.url, PORT: String(o.port) },
      stdio: 'ignore',
    });
    // up to three minutes: the first start loads the demo brand, and in CI the route fuzzer shares the two cores (it
    // once took over a minute)
    for (let i = 0; i < 3600; i++) {
      try {
        if ((await fetch(`${base}/healthz`)).status === 200) return;
      } catch {}
      await new Promise((r) => setTimeout(r, 50));
    }
    // not left running behind the failed test
    (server as ChildProcess | null)?.kill('SIGKILL');
    throw new Error('the server did not start');
  };
  const kill = async () => {
    const p = server;
    if (!p || p.exitCode !== null) return;
    const gone = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await gone;
    server = null;
  };
  const login = async () => {
    const r = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenant: 'demo', username: 'admin', password: 'Admin#2026' }),
    });
    return ((await r.json()) as { token: string }).token;
  };

  await start();
  let token = await login();
  const auth = () => ({ authorization: `Bearer ${token}` });
  // prices and money for the buyers, through the API
  const [t] = await o.sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
  const tenant = Number(t?.id);
  const skus = (
    await o.sql<{ sku: string }[]>`select sku from products where tenant_id = ${tenant} and status = 'active' order by sku limit 20`
  ).map((p) => p.sku);
  const buyers = (
    await o.sql<{ code: string }[]>`select code from parties where tenant_id = ${tenant} and kind = 'distributor' order by code limit 40`
  ).map((p) => p.code);
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  await post('/api/v1/price-lists', { code: 'SIGKILL', name: '基础价', scope: 'base', items: skus.map((sku) => ({ sku, priceFen: 100 })) });
  for (const b of buyers) await post('/api/v1/funds/deposits', { party: b, amountFen: 1_000_000_000 });

  const sendCapture = (c: Capture) =>
    fetch(`${base}/epcis/capture`, { method: 'POST', headers: { ...auth(), 'content-type': 'application/ld+json' }, body: c.body }).then(
      (r) => r.status === 202,
      () => false,
    );
  const sendOrder = (x: Order) =>
    fetch(`${base}/api/v1/orders`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json', 'idempotency-key': x.key },
      body: x.body,
    }).then(
      (r) => r.status === 201 || r.status === 200,
      () => false,
    );
  const counts: HarnessCounts = {
    rounds: 0,
    capturesSent: 0,
    capturesAcknowledged: 0,
    capturesLost: 0,
    capturesHalfWritten: 0,
    eventsDuplicated: 0,
    ordersSent: 0,
    ordersAcknowledged: 0,
    ordersLost: 0,
    ordersDuplicated: 0,
    ordersWithoutLines: 0,
    ledgerUnbalanced: 0,
    retriedAfterRestart: 0,
    retriesNotStoredOnce: 0,
  };

  const stored = async (c: Capture) => {
    const [r] = await o.sql<{ n: number; distinct_ids: number }[]>`
      select count(*)::int as n, count(distinct body->>'eventID')::int as distinct_ids
      from epcis_events where tenant_id = ${tenant} and body->>'eventID' = any(${c.ids}::text[])`;
    return { n: r?.n ?? 0, distinct: r?.distinct_ids ?? 0 };
  };
  const storedOrders = async (keys: string[]) =>
    o.sql<{ key: string; n: number; lines: number }[]>`
      select o.idempotency_key as key, count(*)::int as n,
        (select count(*)::int from order_lines l where l.tenant_id = ${tenant} and l.order_id = min(o.id)) as lines
      from orders o where o.tenant_id = ${tenant} and o.idempotency_key = any(${keys}::text[]) group by 1`;

  const minMs = o.minMs ?? 30;
  const maxMs = o.maxMs ?? 1500;
  for (let round = 0; round < o.rounds; round++) {
    // the load: 3 capture streams and 8 ordering streams, each sending one request after another
    let stop = false;
    const roundCaptures: Capture[] = [];
    const roundOrders: Order[] = [];
    const captureLoop = async (stream: number) => {
      for (let i = 0; !stop; i++) {
        const c = captureDocument(`R${round}S${stream}N${i}X${randomUUID().slice(0, 6)}`);
        roundCaptures.push(c);
        c.acknowledged = await sendCapture(c);
      }
    };
    const orderLoop = async () => {
      while (!stop) {
        const x: Order = {
          key: randomUUID(),
          body: JSON.stringify({
            buyer: buyers[Math.floor(Math.random() * buyers.length)],
            lines: [{ sku: skus[Math.floor(Math.random() * skus.length)], quantity: 24 }],
          }),
          acknowledged: false,
        };
        roundOrders.push(x);
        x.acknowledged = await sendOrder(x);
      }
    };
    const loops = [...[0, 1, 2].map(captureLoop), ...Array.from({ length: 8 }, orderLoop)];
    await new Promise((r) => setTimeout(r, minMs + Math.random() * (maxMs - minMs)));
    await kill();
    stop = true;
    await Promise.all(loops);
    await start();
    token = await login();

    // what must hold after the restart
    for (const c of roundCaptures) {
      const s = await stored(c);
      if (s.n > s.distinct) counts.eventsDuplicated += s.n - s.distinct;
      if (s.distinct !== 0 && s.distinct !== c.ids.length) counts.capturesHalfWritten++;
      if (c.acknowledged && s.distinct !== c.ids.length) counts.capturesLost++;
    }
    const found = new Map((await storedOrders(roundOrders.map((x) => x.key))).map((r) => [r.key, r]));
    for (const x of roundOrders) {
      const r = found.get(x.key);
      if (x.acknowledged && !r) counts.ordersLost++;
      if (r && r.n > 1) counts.ordersDuplicated += r.n - 1;
      if (r && r.lines === 0) counts.ordersWithoutLines++;
    }
    const [unbalanced] = await o.sql<{ n: number }[]>`
      select count(*)::int as n from (select transaction_id from funds_entries where tenant_id = ${tenant} group by 1 having sum(amount_fen) <> 0) x`;
    counts.ledgerUnbalanced = unbalanced?.n ?? 0;

    // the clients send again what was not answered, with the same keys: stored exactly once
    const unanswered = [...roundCaptures.filter((c) => !c.acknowledged), ...roundOrders.filter((x) => !x.acknowledged)];
    counts.retriedAfterRestart += unanswered.length;
    for (const c of roundCaptures.filter((x) => !x.acknowledged)) {
      if (!(await sendCapture(c))) counts.retriesNotStoredOnce++;
      else if ((await stored(c)).n !== c.ids.length) counts.retriesNotStoredOnce++;
    }
    const retriedOrders = roundOrders.filter((x) => !x.acknowledged);
    for (const x of retriedOrders) if (!(await sendOrder(x))) counts.retriesNotStoredOnce++;
    const again = new Map((await storedOrders(retriedOrders.map((x) => x.key))).map((r) => [r.key, r]));
    for (const x of retriedOrders) if (again.get(x.key)?.n !== 1) counts.retriesNotStoredOnce++;

    counts.rounds++;
    counts.capturesSent += roundCaptures.length;
    counts.capturesAcknowledged += roundCaptures.filter((c) => c.acknowledged).length;
    counts.ordersSent += roundOrders.length;
    counts.ordersAcknowledged += roundOrders.filter((x) => x.acknowledged).length;
    log(
      `round ${round + 1}/${o.rounds}: ${roundCaptures.filter((c) => c.acknowledged).length}/${roundCaptures.length} captures and ` +
        `${roundOrders.filter((x) => x.acknowledged).length}/${roundOrders.length} orders acknowledged before the kill`,
    );
  }
  await kill();
  return counts;
}
