/**
 * The demo brand's history: the last months of a slice of its channel played through the product, so that a first
 * start opens on dashboards, forecasts and plans with something in them (before, every chart of a new demo was
 * empty until someone had ordered, shipped and sold for weeks).
 *
 * Nothing here writes a fact directly. The channel simulator's product mode (planning/simulator/product.ts) plays the
 * demand-driven policy day by day in the demo tenant: the brand's production commissioned and packed at warehouse
 * W01 under codes of the brand's own code batches, distributors' and stores' orders placed, shipped and received by
 * scan, stores' sales scanned, some of them scanned again by consumers on the resolver page, each as of its past day
 * through the business clock (migrations 0041, 0042), so the ledger, the orders, the funds and the analytics facts
 * all say when it happened. The slice: tier-1 distributors of provinces spread over the country (D0001 first, the
 * `distributor` user's), each with a few of the stores it supplies directly, and a dozen SKUs sold in cases of 24.
 *
 * It plays on a connection of its own (the business clock is a session setting) and takes a few minutes, so the server
 * starts it in the background after it listens, once, on the demo's first start (`demo.history` in the audit log
 * says it ran; a run that was cut short is not repeated, its days stay as played).
 */
import type { RequestContext } from '../context.ts';
import { createSql, type Sql, type Tx } from '../db/connection.ts';
import { appendAudit } from '../modules/audit/index.ts';
import { productCases } from '../modules/catalog/index.ts';
import { createBatch } from '../modules/codes/batches.ts';
import type { Keystore } from '../modules/codes/keystore.ts';
import { type BatchRef, serialsFor } from '../modules/codes/serials.ts';
import { ensureAccounts, transfer, weeklyPaymentNote } from '../modules/orders/index.ts';
import { CHANNEL_DEFAULTS, type SimulationParams, THROUGHLINE } from '../modules/planning/simulator/params.ts';
import { playThroughProduct, type Serials } from '../modules/planning/simulator/product.ts';
import { actor, type Channel } from '../modules/planning/simulator/product-tenant.ts';
import { demandPlanFor } from '../modules/planning/simulator/simulate.ts';
import { addressHasher, recordOne } from '../modules/resolver/scans.ts';
import { demoMarketing, type MarketingInfo, type Phone, seededPhone } from './demo-marketing.ts';
import { DEMO_TENANT } from './load-demo.ts';
import { seededRandom } from './random.ts';

export interface DemoHistoryOptions {
  /** the tenants' code keys: the history's codes are serials of code batches, as the brand's printed codes are */
  keystore: Keystore;
  /** the server's master key: consumers' devices and addresses are hashed under it, as the claim route hashes them */
  masterKey: Buffer;
  tenant?: string;
  /** days played, ending yesterday */
  days?: number;
  /** tier-1 distributors (one per province) */
  distributors?: number;
  /** stores of each distributor */
  storesEach?: number;
  skus?: number;
  /** the share of units sold that their consumer scans (the resolver page) */
  scanShare?: number;
  /** the share of those scans whose consumer then claims with the hidden code, while a campaign runs */
  claimShare?: number;
  /** the average units a day a store sells of each SKU */
  unitsPerDay?: number;
  /** units in the case the SKUs are sold in (stores order whole cases) */
  caseSize?: number;
  seed?: number;
  /** today in China (YYYY-MM-DD) when absent: the history ends the day before */
  today?: string;
  /** after each day played (awaited: a throw stops the history at the end of that day) */
  onProgress?: (done: number, total: number) => void | Promise<void>;
}

export interface DemoHistoryInfo {
  days: number;
  distributors: string[];
  stores: number;
  skus: string[];
  orders: number;
  shipments: number;
  receipts: number;
  events: number;
  stockMismatches: number;
  elapsedMs: number;
}

/** DemoHistoryInfo with the marketer's side (demo-marketing.ts). */
export type DemoHistoryPlayed = DemoHistoryInfo & MarketingInfo;

const CHINA_OFFSET_MS = 8 * 3600_000;
const chinaToday = () => new Date(Date.now() + CHINA_OFFSET_MS).toISOString().slice(0, 10);

/** The tenant's (first) brand admin, as whom the history issues its codes and the server queues it. */
export async function brandAdminContext(sql: Sql, tenantCode: string): Promise<RequestContext> {
  const [admin] = await sql<{ tenantId: number; id: number; name: string; partyId: number | null }[]>`
    select u.tenant_id::int as "tenantId", u.id::int, u.display_name as name, u.party_id::int as "partyId"
    from users u join tenants t on t.id = u.tenant_id
    where t.code = ${tenantCode} and u.role = 'brand_admin' order by u.id limit 1`;
  if (!admin) throw new Error(`demo history: tenant ${tenantCode} has no brand admin`);
  return {
    sql,
    actor: { kind: 'user', tenantCode, role: 'brand_admin', territories: [], ...admin },
    locale: 'zh-CN',
    ip: null,
    requestId: null,
  };
}

/**
 * The history's serials: a code batch per SKU for its units and one for its cases, issued as the brand issues the
 * codes it prints (codes/batches.ts), so the resolver page knows every unit the history sold as the brand's own.
 */
async function issueSerials(sql: Sql, keystore: Keystore, ch: Channel): Promise<Serials> {
  const ctx = await brandAdminContext(sql, ch.tenantCode);
  const ring = await keystore.keyring(sql, ch.tenantId);
  const batch = async (gtin: string, quantity: number): Promise<BatchRef> => {
    const b = await createBatch(ctx, keystore, { gtin, quantity, note: '演示历史 / demo history' }, 'id.throughline.example');
    return { gtin, keyVersion: b.keyVersion, batchNo: b.batchNo };
  };
  const units: BatchRef[] = [];
  const cases: BatchRef[] = [];
  for (const s of ch.skus) {
    units.push(await batch(s.unit, 2_000_000));
    cases.push(await batch(s.pack, 100_000));
  }
  return {
    pack: (k, n) => serialsFor(ring, cases[k] as BatchRef, n, 1)[0] as string,
    units: (k, first, count) => serialsFor(ring, units[k] as BatchRef, first, count),
  };
}

/** Whether the tenant's history was played already (or is being played). */
export async function demoHistoryPlayed(sql: Sql | Tx, tenantCode = DEMO_TENANT): Promise<boolean> {
  const [r] = await sql<{ n: number }[]>`
    select count(*)::int as n from audit_log a join tenants t on t.id = a.tenant_id
    where t.code = ${tenantCode} and a.action = 'demo.history'`;
  return (r?.n ?? 0) > 0;
}

/** Plays the demo brand's history on the database at `databaseUrl` (a connection of its own); null when it was played before. */
export async function loadDemoHistory(databaseUrl: string, opts: DemoHistoryOptions): Promise<DemoHistoryPlayed | null> {
  const started = performance.now();
  const sql = createSql(databaseUrl, { max: 1, application: 'throughline demo history' });
  try {
    const tenantCode = opts.tenant ?? DEMO_TENANT;
    const days = opts.days ?? 182;
    const caseSize = opts.caseSize ?? 24;
    const today = opts.today ?? chinaToday();
    const first = new Date(`${today}T00:00:00+08:00`).getTime() - days * 86_400_000;
    /** a day's n-th step: from 08:00 China time, every 40 minutes (the opening stock: day -1, the day before the first) */
    const clock = (day: number, step: number) => new Date(first + day * 86_400_000 + (8 * 60 + Math.min(step, 18) * 40) * 60_000);
    /** a week's production is one lot, named after the week's first day: H + yymmdd */
    const lotOf = (day: number) => {
      const weekStart = new Date(first + (day - (((day % 7) + 7) % 7)) * 86_400_000 + CHINA_OFFSET_MS);
      return `H${weekStart.toISOString().slice(2, 10).replace(/-/g, '')}`;
    };

    const { ch, cityOf } = await channelSlice(sql, tenantCode, opts.distributors ?? 8, opts.storesEach ?? 6, opts.skus ?? 12, caseSize);
    const policy = structuredClone(THROUGHLINE);
    const params: SimulationParams = {
      ...CHANNEL_DEFAULTS,
      days,
      distributors: ch.distributors.length,
      stores: ch.stores.length,
      skus: ch.skus.length,
      seed: opts.seed ?? 20261123,
      storePack: caseSize,
      distributorCase: caseSize,
      brandBatch: caseSize * 10,
      mode: 'product',
      policies: [policy],
    };
    // the mark that the history was played goes in first, under the tenant's lock: two servers starting together play
    // it once, and a run cut short is not played again on top of its own days
    let restoreApprovals: ((sql: Sql) => Promise<void>) | null = null;
    const fresh = await sql.begin(async (tx) => {
      await tx`select id from tenants where id = ${ch.tenantId} for update`;
      if (await demoHistoryPlayed(tx, tenantCode)) return false;
      await appendAudit(
        tx,
        { tenantId: ch.tenantId, actorKind: 'system', actorId: null, actorName: 'demo', ip: null },
        {
          action: 'demo.history',
          entityType: 'tenant',
          entityId: ch.tenantId,
          details: { days, distributors: ch.distributors.map((d) => d.code), stores: ch.stores.length, skus: ch.skus.map((k) => k.sku) },
        },
      );
      restoreApprovals = await prepareTrading(tx, ch, policy.store.lane, policy.distributor.lane);
      const lots = historyLots(days, lotOf);
      await tx`insert into lots (tenant_id, product_id, lot_code, production_date, expiry_date, factory_id)
        select ${ch.tenantId}, p.id, l.code, l.day, l.day + p.shelf_life_days, (select id from parties where tenant_id = ${ch.tenantId} and code = 'F01')
        from products p cross join unnest(${lots.codes}::text[], ${lots.days}::date[]) as l(code, day)
        where p.tenant_id = ${ch.tenantId} and p.gtin = any(${ch.skus.map((s) => s.unit)}::char(14)[])
        on conflict do nothing`;
      return true;
    });
    if (!fresh) return null;
    const plan = demandPlanFor(params);
    // M5's series are a supermarket's best sellers (a dozen units a day and more); a small store sells a brand's SKU a
    // few times a day: the series keep their patterns, scaled to that level
    const { values } = plan.table;
    let sum = 0;
    for (let i = 0; i < values.length; i++) sum += values[i] as number;
    const factor = (opts.unitsPerDay ?? 2) / (sum / values.length || 1);
    for (let i = 0; i < plan.scale.length; i++) plan.scale[i] = (plan.scale[i] as number) * factor;
    const seed = opts.seed ?? 20261123;
    const marketing = await demoMarketing(sql, ch, {
      keystore: opts.keystore,
      masterKey: opts.masterKey,
      admin: await brandAdminContext(sql, tenantCode),
      history: { days, start: (day) => new Date(first + day * 86_400_000) },
      seed,
      claimShare: opts.claimShare ?? 0.5,
    });
    const played = await playThroughProduct(sql, ch, params, policy, plan, {
      clock,
      lotOf,
      serials: await issueSerials(sql, opts.keystore, ch),
      actorLabel: '演示历史',
      onSold: consumersScan(ch, cityOf, seed, opts.scanShare ?? 0.06, {
        sql,
        marketing,
        dayOf: (at) => Math.floor((at.getTime() - first) / 86_400_000),
        hashAddress: addressHasher(opts.masterKey),
      }),
      onDay: async (d) => {
        if (d % 7 === 6) {
          await payWhatIsOwed(sql, ch);
          await marketing.weekEnd();
        }
        await opts.onProgress?.(d + 1, days);
      },
    }).finally(() => restoreApprovals?.(sql));
    const marketed = await marketing.finish();
    return {
      ...marketed,
      days,
      distributors: ch.distributors.map((d) => d.code),
      stores: ch.stores.length,
      skus: ch.skus.map((s) => s.sku),
      orders: played.info.orders,
      shipments: played.info.shipments,
      receipts: played.info.receipts,
      events: played.info.events,
      stockMismatches: played.info.stockMismatches,
      elapsedMs: Math.round(performance.now() - started),
    };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Each week's end: every buyer of the slice pays what it owes, as a deposit (dated by the business clock). */
async function payWhatIsOwed(sql: Sql, ch: Channel): Promise<void> {
  const buyers = [...ch.distributors.map((d) => d.id), ...ch.stores.map((s) => s.id)];
  await sql.begin(async (tx) => {
    const owing = await tx<{ party: number; owed: number }[]>`
      select party_id::int as party, (-balance_fen)::float8 as owed from funds_accounts
      where tenant_id = ${ch.tenantId} and kind = 'prepaid' and balance_fen < 0 and party_id = any(${buyers}::bigint[])
      order by party_id`;
    await ensureAccounts(
      tx,
      ch.tenantId,
      owing.map((o) => o.party),
      ['external'],
    );
    for (const o of owing)
      await transfer(tx, ch.tenantId, {
        kind: 'deposit',
        from: { partyId: o.party, kind: 'external' },
        to: { partyId: o.party, kind: 'prepaid' },
        amountFen: o.owed,
        // read in each reader's language (orders/funds-notes.ts)
        note: weeklyPaymentNote(),
        actor: '演示历史',
      });
  });
}

/**
 * The stores' consumers: a share of the units sold is scanned on the resolver page, through the resolver's own
 * recording (a first scan of a genuine unit), by one of the store's regulars (30 phones a store, some far more often
 * than others), in the minutes after the sale (five moments a day); while a campaign runs, some of them claim it
 * (demo-marketing.ts), a moment's claims together. On a few days a collector's phone scans and claims a pile of the
 * day's other units within a minute. Drawn from the seed: the same history on every machine.
 */
function consumersScan(
  ch: Channel,
  cityOf: string[],
  seed: number,
  share: number,
  d: {
    sql: Sql;
    marketing: Awaited<ReturnType<typeof demoMarketing>>;
    dayOf: (at: Date) => number;
    hashAddress: (ip: string) => Buffer;
  },
) {
  const rnd = seededRandom(seed ^ 0x5ca7);
  const phone = (store: number, k: number): Phone => seededPhone(`demo history phone ${seed} ${store} ${k}`);
  const scan = (epc: string, p: Phone, regionCode: string | null) =>
    recordOne(d.sql, {
      tenantId: ch.tenantId,
      epc,
      standing: 'genuine',
      who: { deviceId: p.deviceId, ipHash: d.hashAddress(p.ip), regionCode },
    });
  /** the business clock of the history's connection at `moment` (the product plays each step at its own, product.ts) */
  const clockAt = (moment: Date) => d.sql`select set_config('throughline.business_time', ${moment.toISOString()}, false)`;
  return async (sold: Map<number, string[]>, at: Date) => {
    const day = d.dayOf(at);
    await d.marketing.beforeSales(day);
    // consumers scan after the sales, at five moments (each moment's claims decided together) before the day's next
    // step 40 minutes later: what they bring (points, the stores' rebates in the funds ledger) keeps the ledger's order
    const moments = Array.from({ length: 5 }, (_, m) => new Date(at.getTime() + (3 + 7 * m + rnd.int(0, 4)) * 60_000));
    const scans: { epc: string; store: number; phone: Phone }[][] = moments.map(() => []);
    const unscanned: { epc: string; store: number }[] = [];
    for (const [store, epcs] of sold)
      for (const epc of epcs) {
        if (rnd.next() >= share) {
          unscanned.push({ epc, store });
          continue;
        }
        // regulars: the k-th phone scans about 1/(k+1) as often as the first
        const k = Math.min(29, Math.floor(Math.exp(rnd.next() * Math.log(31))) - 1);
        scans[rnd.int(0, moments.length - 1)]?.push({ epc, store, phone: phone(store, k) });
      }
    for (const [m, moment] of moments.entries()) {
      await clockAt(moment);
      for (const x of scans[m] ?? []) {
        await scan(x.epc, x.phone, cityOf[x.store] ?? null);
        d.marketing.scanned(x.epc, x.phone);
      }
      await d.marketing.afterSales();
    }
    // last, within a minute
    const collector = d.marketing.collects(day);
    if (collector) {
      await clockAt(new Date(at.getTime() + 37 * 60_000));
      for (const u of unscanned.slice(0, 30)) {
        await scan(u.epc, collector, cityOf[u.store] ?? null);
        d.marketing.claim(u.epc, collector);
      }
      await d.marketing.afterSales();
    }
    await clockAt(at);
  };
}

/** The lots the history's production carries, one a week (named after the week's first day), from a week before it starts. */
function historyLots(days: number, lotOf: (day: number) => string): { codes: string[]; days: string[] } {
  const codes = [...new Set(Array.from({ length: days + 8 }, (_, d) => lotOf(d - 7)))];
  return { codes, days: codes.map((c) => `20${c.slice(1, 3)}-${c.slice(3, 5)}-${c.slice(5, 7)}`) };
}

/**
 * The slice of the demo channel the history plays in, ordered as the simulator's engine expects: store s is supplied
 * by distributor s mod distributors.
 */
async function channelSlice(
  sql: Sql,
  tenantCode: string,
  distributors: number,
  storesEach: number,
  skus: number,
  caseSize: number,
): Promise<{ ch: Channel; cityOf: string[] }> {
  const [tenant] = await sql<{ id: number }[]>`select id::int from tenants where code = ${tenantCode}`;
  if (!tenant) throw new Error(`demo history: no tenant ${tenantCode}`);
  const t = tenant.id;
  const [brand] = await sql<{ id: number }[]>`select id::int from parties where tenant_id = ${t} and kind = 'brand' order by id limit 1`;
  const [warehouse] = await sql<{ id: number; gln: string }[]>`
    select id::int, gln from parties where tenant_id = ${t} and code = 'W01'`;
  if (!brand || !warehouse) throw new Error('demo history: the demo brand has no brand party or warehouse W01');
  // one tier-1 distributor per province with enough stores of its own, D0001 first
  const dists = await sql<{ id: number; code: string; gln: string }[]>`
    select distinct on (d.province_code) d.id::int, d.code, d.gln
    from parties d
    where d.tenant_id = ${t} and d.kind = 'distributor' and d.tier = 1 and d.status = 'active' and d.gln is not null
      and (select count(*) from parties s where s.tenant_id = ${t} and s.parent_id = d.id and s.kind = 'store' and s.gln is not null) >= ${storesEach}
    order by d.province_code, d.code`;
  // spread over the country (the provinces in code order run north to south-west): D0001 (Beijing), then evenly
  dists.sort((a, b) => a.code.localeCompare(b.code));
  const picked = [
    ...new Set(Array.from({ length: Math.min(distributors, dists.length) }, (_, i) => Math.floor((i * dists.length) / distributors))),
  ].map((i) => dists[i] as (typeof dists)[number]);
  if (!picked.length) throw new Error('demo history: no tier-1 distributor supplies enough stores');
  const storesOf = await Promise.all(
    picked.map(
      (d) => sql<{ id: number; code: string; gln: string; city: string }[]>`
        select id::int, code, gln, city_code as city from parties
        where tenant_id = ${t} and parent_id = ${d.id} and kind = 'store' and status = 'active' and gln is not null
        order by code limit ${storesEach}`,
    ),
  );
  const stores: Channel['stores'] = [];
  const cityOf: string[] = [];
  for (let m = 0; m < storesEach; m++)
    for (const list of storesOf) {
      const s = list[m] as (typeof list)[number];
      stores.push({ id: s.id, code: s.code, gln: s.gln });
      cityOf.push(s.city);
    }
  // a dozen SKUs of one case size, spread over the categories
  const cases = [...(await productCases(sql, t))].filter(([, c]) => c.unitsPer === caseSize);
  const packOf = new Map(cases.map(([id, c]) => [id, c.gtin]));
  const products = (
    await sql<{ id: number; sku: string; unit: string }[]>`
      select p.id::int, p.sku, p.gtin as unit from products p
      where p.tenant_id = ${t} and p.id = any(${[...packOf.keys()]}::bigint[])
      order by row_number() over (partition by p.category order by p.sku), p.category`
  ).map((p) => ({ sku: p.sku, unit: p.unit, pack: packOf.get(p.id) as string }));
  if (products.length < skus) throw new Error(`demo history: ${products.length} SKUs come in cases of ${caseSize}, ${skus} wanted`);
  const ch: Channel = {
    tenantId: t,
    tenantCode,
    warehouse,
    distributors: picked,
    stores,
    skus: products.slice(0, skus).map((p) => ({ sku: p.sku, unit: p.unit.trim(), pack: p.pack.trim() })),
    brandActor: actor(t, tenantCode, 'brand_admin', brand.id, '演示历史（品牌）'),
  };
  return { ch, cityOf };
}

/**
 * What trading needs in the slice: the brand's price list for distributors and each of the slice's distributors' for
 * its stores (every product, at 70% and 85% of its list price; a list the brand has already is kept), a credit line
 * for each buyer, each lane's lead time, and no approvals while the history plays (it returns what puts the brand's
 * own rule back).
 */
async function prepareTrading(
  tx: Tx,
  ch: Channel,
  storeLane: { processingDays: number; transitDays: number } | undefined,
  distLane: { processingDays: number; transitDays: number } | undefined,
): Promise<(sql: Sql) => Promise<void>> {
  const t = ch.tenantId;
  // each distributor's list is named after its code (BASE-D0001), the code people read on an order's price source
  const sellers: { id: number | null; code: string }[] = [
    { id: null, code: 'BASE' },
    ...ch.distributors.map((d) => ({ id: d.id, code: `BASE-${d.code}` })),
  ];
  for (const { id: seller, code } of sellers) {
    const [list] = await tx<{ id: number }[]>`
      insert into price_lists (tenant_id, code, name, seller_party_id, scope)
      values (${t}, ${code}, ${seller === null ? '经销商出厂价' : '门店供货价'}, ${seller}, 'base')
      on conflict do nothing returning id::int`;
    if (!list) continue;
    await tx`insert into price_list_items (tenant_id, price_list_id, product_id, price_fen)
      select ${t}, ${list.id}, p.id, round(p.list_price_fen * ${seller === null ? 70 : 85}::int / 100.0)
      from products p where p.tenant_id = ${t}`;
  }
  const buyers = [...ch.distributors.map((d) => d.id), ...ch.stores.map((s) => s.id)];
  await tx`insert into funds_accounts (tenant_id, party_id, kind, credit_limit_fen)
    select ${t}, x, 'prepaid', case when x = any(${ch.distributors.map((d) => d.id)}::bigint[]) then 500000000 else 5000000 end
    from unnest(${buyers}::bigint[]) x
    on conflict (tenant_id, party_id, kind) do nothing`;
  // the history's orders go through unapproved (its buyers order every day); the brand's own rule is back afterwards
  const [kept] = await tx<{ approval_amount_fen: string; approve_first_order: boolean; approve_on_credit: boolean }[]>`
    select approval_amount_fen::text, approve_first_order, approve_on_credit from order_settings where tenant_id = ${t}`;
  await tx`insert into order_settings (tenant_id, approval_amount_fen, approve_first_order, approve_on_credit)
    values (${t}, 50000000, false, false)
    on conflict (tenant_id) do update set approval_amount_fen = 50000000, approve_first_order = false, approve_on_credit = false`;
  const lead = (l: { processingDays: number; transitDays: number } | undefined) => (l ? l.processingDays + l.transitDays : 0);
  const [brand] = await tx<{ id: number }[]>`select id::int from parties where tenant_id = ${t} and kind = 'brand' order by id limit 1`;
  const d = ch.distributors.length;
  await tx`insert into replenishment_lanes (tenant_id, seller_party_id, buyer_party_id, lead_time_days)
    select ${t}, * from unnest(
      ${[...ch.distributors.map(() => brand?.id as number), ...ch.stores.map((_, s) => ch.distributors[s % d]?.id as number)]}::bigint[],
      ${buyers}::bigint[],
      ${[...ch.distributors.map(() => lead(distLane)), ...ch.stores.map(() => lead(storeLane))]}::int[])
    on conflict do nothing`;
  return async (sql) => {
    if (kept)
      await sql`update order_settings set approval_amount_fen = ${kept.approval_amount_fen}::bigint,
        approve_first_order = ${kept.approve_first_order}, approve_on_credit = ${kept.approve_on_credit} where tenant_id = ${t}`;
    else await sql`delete from order_settings where tenant_id = ${t}`;
  };
}
