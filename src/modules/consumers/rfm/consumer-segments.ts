/**
 * RFM of a brand's consumers from their scans of its codes (the only purchase evidence the product has of a consumer):
 * - who: the consumer the scanning device belongs to in the identity graph (following merges), or, for a device no
 *   consumer has claimed yet, the device itself as an anonymous consumer; scans without a device are left out;
 * - recency: whole days from the last scan to the snapshot;
 * - frequency: distinct days with a scan (Asia/Shanghai), since a repeat scan of one unit is not a new purchase;
 * - monetary: the distinct units scanned, valued at the brand's base list price (its active 'base' price list, the
 *   tier for one unit; else the product's catalogue list price when not zero) x units in the code's packaging level.
 *   When some scanned product has no price at all, the whole population is measured in units instead, so that no
 *   consumer's fen are compared with another's units (`monetaryUnit` says which).
 * Only codes the brand knows count (a scan with the verdict 'unknown' is not a purchase of its product).
 */
import type { RequestContext } from '../../../context.ts';
import { identifierHasher } from '../identity.ts';
import { type Member, scoreMembers } from './segment-report.ts';

export interface ConsumerMember extends Member {
  consumerId: number | null;
  /** the first 8 characters of an anonymous device's id, for display */
  device: string | null;
  units: number;
}

export async function consumerMembers(
  ctx: RequestContext,
  masterKey: Buffer,
): Promise<{ members: ConsumerMember[]; monetaryUnit: 'fen' | 'units' }> {
  const { sql } = ctx;
  const t = ctx.actor.tenantId;
  const devices = (
    await sql<{ device_id: string }[]>`
      select distinct device_id::text from consumer_scans where tenant_id = ${t} and device_id is not null and verdict <> 'unknown'`
  ).map((r) => r.device_id);
  if (!devices.length) return { members: [], monetaryUnit: 'fen' };
  const hash = identifierHasher(masterKey);
  const hashes = devices.map((d) => hash('device', d).toString('hex'));
  const rows = await sql<
    {
      consumer_id: string | null;
      device_id: string | null;
      last_at: Date;
      days: number;
      units: number;
      value: string | null;
      priced: boolean;
    }[]
  >`
    with recursive m as (
      select * from unnest(${devices}::uuid[], ${hashes}::text[]) as m(device_id, hash_hex)
    ), chain as (
      select m.device_id, c.id, c.merged_into, 0 as depth
      from m join consumer_identifiers i on i.tenant_id = ${t} and i.kind = 'device' and i.value_hash = decode(m.hash_hex, 'hex')
      join consumers c on c.tenant_id = ${t} and c.id = i.consumer_id
      union all
      select chain.device_id, c.id, c.merged_into, chain.depth + 1
      from chain join consumers c on c.tenant_id = ${t} and c.id = chain.merged_into where chain.depth < 32
    ), owner as (
      -- where each device's chain ends (a set, hashed: a correlated lookup into the chain per device was quadratic,
      -- 32-43 s for 20,000 devices)
      select m.device_id, o.consumer_id
      from m left join (select distinct on (device_id) device_id, id as consumer_id from chain where merged_into is null) o
        on o.device_id = m.device_id
    ), scans as (
      -- one key per member (a consumer, or a device no consumer has claimed), so the joins below can hash on it
      select coalesce('C' || o.consumer_id, 'D' || o.device_id) as member, o.consumer_id,
        case when o.consumer_id is null then o.device_id end as device_id, s.epc, s.scanned_at
      from consumer_scans s join owner o on o.device_id = s.device_id
      where s.tenant_id = ${t} and s.verdict <> 'unknown'
    ), per as (
      select member, min(consumer_id) as consumer_id, min(device_id::text) as device_id, max(scanned_at) as last_at,
             count(distinct (scanned_at at time zone 'Asia/Shanghai')::date)::int as days
      from scans group by member
    ), units as (
      select distinct member, epc, substring(epc from '/01/([0-9]{14})/') as gtin from scans
    ), gtin_price as (
      -- each GTIN's units and unit price once (a handful of products), not once per unit scanned
      select g.gtin, pl.units_per, coalesce(base.price_fen, nullif(pr.list_price_fen, 0)) as price_fen
      from (select distinct gtin from units) g
      left join packaging_levels pl on pl.tenant_id = ${t} and pl.gtin = g.gtin
      left join products pr on pr.tenant_id = ${t} and pr.id = pl.product_id
      left join lateral (
        select i.price_fen from price_list_items i
        join price_lists l on l.tenant_id = i.tenant_id and l.id = i.price_list_id
        where i.tenant_id = ${t} and i.product_id = pl.product_id and l.scope = 'base' and l.seller_party_id is null and l.active
          and (l.valid_from is null or l.valid_from <= (now() at time zone 'Asia/Shanghai')::date)
          and (l.valid_to is null or l.valid_to >= (now() at time zone 'Asia/Shanghai')::date)
        order by l.priority desc, i.min_qty asc limit 1
      ) base on true
    ), valued as (
      select u.member, sum(coalesce(g.units_per, 1))::int as units, sum(g.units_per * g.price_fen)::text as value,
             bool_and(g.price_fen is not null) as priced
      from units u left join gtin_price g on g.gtin = u.gtin
      group by u.member
    )
    select per.consumer_id::text, per.device_id, per.last_at, per.days, v.units, v.value, v.priced
    from per join valued v on v.member = per.member
    order by per.consumer_id nulls last, per.device_id`;
  const priced = rows.every((r) => r.priced);
  return {
    monetaryUnit: priced ? 'fen' : 'units',
    members: rows.map((r) => ({
      // the full device id is a cookie value: it stays on the server, only its first characters are shown
      key: r.consumer_id ? `C${r.consumer_id}` : `D${(r.device_id ?? '').slice(0, 8)}`,
      consumerId: r.consumer_id ? Number(r.consumer_id) : null,
      device: r.device_id ? r.device_id.slice(0, 8) : null,
      lastAt: r.last_at,
      frequency: r.days,
      units: r.units,
      monetary: priced ? Number(r.value) : r.units,
    })),
  };
}

export async function consumerSegments(ctx: RequestContext, masterKey: Buffer) {
  const { members, monetaryUnit } = await consumerMembers(ctx, masterKey);
  return { ...scoreMembers(members), monetaryUnit };
}
