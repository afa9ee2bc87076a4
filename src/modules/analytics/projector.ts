/**
 * The fact projector: drains `analytics_changes` (appended by triggers in the transactions that write stock,
 * sell-through, orders, consumer scans, diversion alerts and payouts: migration 0027) and adds the changes to
 * every fact grain, in one transaction per pass. A change is deleted in the pass that adds it, so a pass that
 * fails adds nothing and the next one takes the same changes again; a change still in an open transaction is
 * invisible and waits for the next pass. One projector works at a time across app nodes (an advisory lock).
 *
 * The statements below are built from the constant lists of grains and measures only (no input reaches them).
 */
import type { Sql, Tx } from '../../db/connection.ts';
import { IntervalWorker } from '../../platform/interval-worker.ts';
import { MEASURES } from './measures.ts';

/** Advisory lock key of the projector (one pass at a time across nodes). */
const LOCK_KEY = 2_702_700_027;
export const DEFAULT_BATCH = 50_000;

const sums = (prefix = '') => MEASURES.map((m) => `sum(${prefix}${m})::bigint as ${m}`).join(', ');
const addUp = (table: string) => MEASURES.map((m) => `${m} = ${table}.${m} + excluded.${m}`).join(', ');
const anyMeasure = MEASURES.map((m) => `${m} <> 0`).join(' or ');
const cols = MEASURES.join(', ');

/** One statement per grain: group the batch by the grain's key and add to it (in key order, so passes never deadlock). */
const GRAIN_UPSERTS: string[] = [
  `insert into an_party_day (tenant_id, party_id, gtin, day, kind, province_code, city_code, category, ${cols})
   select tenant_id, party_id, gtin, day, max(kind), max(province_code), max(city_code), max(category), ${sums()}
   from an_batch where gtin is not null and (${anyMeasure})
   group by tenant_id, party_id, gtin, day order by 1, 2, 3, 4
   on conflict (tenant_id, party_id, gtin, day) do update set ${addUp('an_party_day')}`,
  `insert into an_city_day (tenant_id, city_code, kind, gtin, day, province_code, category, ${cols})
   select tenant_id, city_code, kind, gtin, day, max(province_code), max(category), ${sums()}
   from an_batch where gtin is not null and (${anyMeasure})
   group by tenant_id, city_code, kind, gtin, day order by 1, 2, 3, 4, 5
   on conflict (tenant_id, city_code, kind, gtin, day) do update set ${addUp('an_city_day')}`,
  `insert into an_province_day (tenant_id, province_code, kind, day, ${cols})
   select tenant_id, province_code, kind, day, ${sums()}
   from an_batch where gtin is not null and (${anyMeasure})
   group by tenant_id, province_code, kind, day order by 1, 2, 3, 4
   on conflict (tenant_id, province_code, kind, day) do update set ${addUp('an_province_day')}`,
  `insert into an_province_cat_day (tenant_id, category, province_code, kind, day, ${cols})
   select tenant_id, category, province_code, kind, day, ${sums()}
   from an_batch where gtin is not null and (${anyMeasure})
   group by tenant_id, category, province_code, kind, day order by 1, 2, 3, 4, 5
   on conflict (tenant_id, category, province_code, kind, day) do update set ${addUp('an_province_cat_day')}`,
  `insert into an_province_sku_day (tenant_id, gtin, province_code, kind, day, category, ${cols})
   select tenant_id, gtin, province_code, kind, day, max(category), ${sums()}
   from an_batch where gtin is not null and (${anyMeasure})
   group by tenant_id, gtin, province_code, kind, day order by 1, 2, 3, 4, 5
   on conflict (tenant_id, gtin, province_code, kind, day) do update set ${addUp('an_province_sku_day')}`,
  // every distributor a change counts for: the party itself when it is one, and the distributors above it. Each of
  // those parties is looked up by its key; joined on "id = any(ancestors)", the parties were hashed by tenant and
  // every change compared with every distributor (600 scans x 500 distributors: 107 ms a pass)
  `insert into an_dist_day (tenant_id, distributor_id, relation, kind, category, day, ${cols})
   select b.tenant_id, d.id, case when d.id = b.party_id then 'self' when d.id = b.parent_id then 'child' else 'below' end,
     b.kind, b.category, b.day, ${sums('b.')}
   from an_batch b
   cross join lateral (select distinct x from unnest(b.ancestors || b.party_id) as x) as up(id)
   join parties d on d.tenant_id = b.tenant_id and d.id = up.id and d.kind = 'distributor'
   where (${MEASURES.map((m) => `b.${m} <> 0`).join(' or ')})
   group by 1, 2, 3, 4, 5, 6 order by 1, 2, 3, 4, 5, 6
   on conflict (tenant_id, distributor_id, relation, kind, category, day) do update set ${addUp('an_dist_day')}`,
  `insert into an_party_month (tenant_id, party_id, month, kind, province_code, city_code, parent_id, ${cols})
   select tenant_id, party_id, date_trunc('month', day)::date, max(kind), max(province_code), max(city_code), max(parent_id), ${sums()}
   from an_batch where (${anyMeasure})
   group by tenant_id, party_id, date_trunc('month', day)::date order by 1, 2, 3
   on conflict (tenant_id, party_id, month) do update set ${addUp('an_party_month')}`,
  // what each party's direct downstream received, on the party's own month row
  `insert into an_party_month (tenant_id, party_id, month, kind, province_code, city_code, parent_id, child_received)
   select b.tenant_id, b.parent_id, date_trunc('month', b.day)::date, max(u.kind), coalesce(max(u.province_code), ''),
     coalesce(max(u.city_code), ''), max(u.parent_id), sum(b.received_in)
   from an_batch b join parties u on u.tenant_id = b.tenant_id and u.id = b.parent_id
   where b.received_in <> 0
   group by 1, 2, 3 order by 1, 2, 3
   on conflict (tenant_id, party_id, month) do update set child_received = an_party_month.child_received + excluded.child_received`,
  `insert into an_stock_city (tenant_id, city_code, kind, gtin, province_code, category, on_hand, in_transit)
   select tenant_id, city_code, kind, gtin, max(province_code), max(category), sum(on_hand), sum(in_transit)
   from an_batch where gtin is not null and (on_hand <> 0 or in_transit <> 0)
   group by tenant_id, city_code, kind, gtin order by 1, 2, 3, 4
   on conflict (tenant_id, city_code, kind, gtin) do update
     set on_hand = an_stock_city.on_hand + excluded.on_hand, in_transit = an_stock_city.in_transit + excluded.in_transit`,
  `insert into an_flow_month (tenant_id, month, seller_party_id, buyer_key, buyer_province, category, ordered_units, ordered_fen, shipped, received)
   select tenant_id, date_trunc('month', day)::date, counterparty_id, case when kind = 'distributor' then party_id else 0 end,
     province_code, category, sum(ordered_units), sum(ordered_fen), sum(flow_shipped), sum(flow_received)
   from an_batch where counterparty_id is not null and diversions = 0
     and (ordered_units <> 0 or ordered_fen <> 0 or flow_shipped <> 0 or flow_received <> 0)
   group by 1, 2, 3, 4, 5, 6 order by 1, 2, 3, 4, 5, 6
   on conflict (tenant_id, month, seller_party_id, buyer_key, buyer_province, category) do update
     set ordered_units = an_flow_month.ordered_units + excluded.ordered_units, ordered_fen = an_flow_month.ordered_fen + excluded.ordered_fen,
       shipped = an_flow_month.shipped + excluded.shipped, received = an_flow_month.received + excluded.received`,
  `insert into an_flow_sku_month (tenant_id, month, seller_party_id, buyer_key, buyer_province, gtin, ordered_units, ordered_fen, shipped, received)
   select tenant_id, date_trunc('month', day)::date, counterparty_id, case when kind = 'distributor' then party_id else 0 end,
     province_code, gtin, sum(ordered_units), sum(ordered_fen), sum(flow_shipped), sum(flow_received)
   from an_batch where counterparty_id is not null and gtin is not null and diversions = 0
     and (ordered_units <> 0 or ordered_fen <> 0 or flow_shipped <> 0 or flow_received <> 0)
   group by 1, 2, 3, 4, 5, 6 order by 1, 2, 3, 4, 5, 6
   on conflict (tenant_id, month, seller_party_id, buyer_key, buyer_province, gtin) do update
     set ordered_units = an_flow_sku_month.ordered_units + excluded.ordered_units, ordered_fen = an_flow_sku_month.ordered_fen + excluded.ordered_fen,
       shipped = an_flow_sku_month.shipped + excluded.shipped, received = an_flow_sku_month.received + excluded.received`,
  // where the code turned up: the alert's division, else the scanning party's place
  `insert into an_diversion_day (tenant_id, day, province_code, city_code, distributor_id, alerts)
   select b.tenant_id, b.day, coalesce(left(coalesce(b.division, s.city_code, s.province_code), 2), ''),
     coalesce(case when length(coalesce(b.division, s.city_code, '')) >= 4 then left(coalesce(b.division, s.city_code), 4) end, ''),
     b.party_id, sum(b.diversions)
   from an_batch b left join parties s on s.tenant_id = b.tenant_id and s.id = b.counterparty_id
   where b.diversions <> 0
   group by 1, 2, 3, 4, 5 order by 1, 2, 3, 4, 5
   on conflict (tenant_id, day, province_code, city_code, distributor_id) do update set alerts = an_diversion_day.alerts + excluded.alerts`,
];

export interface PassResult {
  /** changes taken from the queue */
  changes: number;
  /** age of the oldest change taken (ms between its write and this pass), null when none */
  maxLagMs: number | null;
  /** false when another node's pass held the lock */
  ran: boolean;
}

/** One pass: up to `batch` changes, in the order they were written, added to every grain. */
export async function projectPass(sql: Sql, batch = DEFAULT_BATCH): Promise<PassResult> {
  return sql.begin(async (tx: Tx) => {
    const [lock] = await tx<{ ok: boolean }[]>`select pg_try_advisory_xact_lock(${LOCK_KEY}) as ok`;
    if (!lock?.ok) return { changes: 0, maxLagMs: null, ran: false };
    const [taken] = await tx<{ n: number; lag: number | null }[]>`
      with gone as (
        delete from analytics_changes where id in (select id from analytics_changes order by id limit ${batch})
        returning *
      ), batch as (
        select g.*, coalesce(p.kind, 'unknown') as kind, coalesce(p.province_code, '') as province_code,
          coalesce(p.city_code, '') as city_code, p.parent_id, coalesce(p.ancestors, '{}') as ancestors,
          coalesce(pr.category, '') as category
        from gone g
        left join parties p on p.tenant_id = g.tenant_id and p.id = g.party_id
        left join products pr on pr.tenant_id = g.tenant_id and pr.gtin = g.gtin
      ), saved as (
        insert into an_batch_rows select * from batch returning at
      )
      select count(*)::int as n, (extract(epoch from clock_timestamp() - min(at)) * 1000)::float8 as lag from saved`;
    const n = Number(taken?.n ?? 0);
    if (!n) return { changes: 0, maxLagMs: null, ran: true };
    for (const statement of GRAIN_UPSERTS) await tx.unsafe(statement.replaceAll('an_batch', 'an_batch_rows'));
    await tx`truncate an_batch_rows`;
    return { changes: n, maxLagMs: taken?.lag == null ? null : Number(taken.lag), ran: true };
  });
}

/** Passes until the queue is empty (tests, the lag benchmark, a catch-up after downtime). */
export async function projectAll(sql: Sql, batch = DEFAULT_BATCH): Promise<number> {
  let total = 0;
  for (;;) {
    const r = await projectPass(sql, batch);
    total += r.changes;
    if (!r.ran) await new Promise((res) => setTimeout(res, 50));
    else if (r.changes < batch) return total;
  }
}

/** How far the facts are behind: changes waiting and the age of the oldest. */
export async function freshness(sql: Sql): Promise<{ pending: number; oldestMs: number | null }> {
  const [r] = await sql<{ pending: number; oldest: number | null }[]>`
    select count(*)::int as pending, (extract(epoch from clock_timestamp() - min(at)) * 1000)::float8 as oldest from analytics_changes`;
  return { pending: Number(r?.pending ?? 0), oldestMs: r?.oldest == null ? null : Number(r.oldest) };
}

/** Runs passes every `intervalMs` while the app serves. */
export class FactProjector extends IntervalWorker {
  lastPass: (PassResult & { at: Date }) | null = null;

  constructor(
    private readonly sql: Sql,
    private readonly log: (level: 'warn' | 'info', msg: string, err?: unknown) => void,
    intervalMs = 2_000,
  ) {
    super(intervalMs);
  }

  async tick(): Promise<void> {
    try {
      for (;;) {
        const r = await projectPass(this.sql);
        this.lastPass = { ...r, at: new Date() };
        if (!r.ran || r.changes < DEFAULT_BATCH) return;
      }
    } catch (err) {
      this.log('warn', 'analytics projector pass failed; the changes stay queued for the next pass', err);
    }
  }
}
