/**
 * RFM of a brand's consumers from their scans of its codes (the only purchase evidence the product has of a consumer),
 * computed by a job and kept as a snapshot (consumer-snapshot.ts reads it):
 * - who: the consumer the scanning device belongs to in the identity graph (following merges), or, for a device no
 *   consumer has claimed yet, the device itself as an anonymous consumer; scans without a device are left out;
 * - recency: whole days from the last scan to the snapshot;
 * - frequency: distinct days with a scan (Asia/Shanghai), since a repeat scan of one unit is not a new purchase;
 * - monetary: the distinct units scanned, valued at the brand's base list price (its active 'base' price list, the
 *   tier for one unit; else the product's catalogue list price when not zero) x units in the code's packaging level.
 *   When some scanned product has no price at all, the whole population is measured in units instead, so that no
 *   consumer's fen are compared with another's units (`monetaryUnit` says which).
 * Only codes the brand knows count (a scan with the verdict 'unknown' is not a purchase of its product).
 *
 * The whole computation reads one snapshot of the database (repeatable read) and writes the new snapshot in the same
 * transaction: the page shows the previous one until this one commits, and a refresh that fails or is cancelled
 * leaves it as it was. Nothing of the population is held in the server's memory but three columns of numbers.
 * What that snapshot of the database could not see is settled after the commit (`settle`): the snapshots before the
 * new one, and the consumers who deleted their data while it ran, are taken out.
 */
import type { Db } from '../../../context.ts';
import type { Sql, Tx } from '../../../db/connection.ts';
import type { ReportProgress } from '../../../platform/jobs/index.ts';
import { TimeSlice } from '../../../platform/time-slice.ts';
import { identifierHasher } from '../identity.ts';
import { scoreInThread } from './score-thread.ts';
import type { PopulationColumns, ScoredPopulation } from './segment-report.ts';
import { SEGMENTS } from './segments.ts';

/** Devices mapped to their consumers per statement; with the members per statement below, small enough that no step holds
 * the server's thread more than some tens of ms (50,000 and 100,000 held it 250 ms: hashing, and the arrays sent). */
const DEVICE_CHUNK = 20_000;
/** Members read and written per statement. */
const WRITE_CHUNK = 20_000;

export interface RefreshedSnapshot {
  snapshotId: number;
  population: number;
  devices: number;
}

/** Computes the brand's consumer segments and replaces its snapshot with them; reports progress by devices mapped. */
export async function refreshConsumerSegments(
  sql: Sql,
  tenantId: number,
  masterKey: Buffer,
  jobId: number | null,
  progress: ReportProgress,
): Promise<RefreshedSnapshot> {
  const refreshed = await sql.begin('isolation level repeatable read', async (tx) => {
    // one refresh of a brand at a time. The lock is the transaction's first statement, so its snapshot of the database
    // is taken before the wait: a second refresh does not see the first's rows (settle deals with them)
    await tx`select pg_advisory_xact_lock(hashtext('consumers.segments.refresh'), ${tenantId})`;
    // the members' sorts and hashes in memory: at 200,000 devices the default work_mem spilled them all to disk
    await tx`set local work_mem = '128MB'`;
    const [counted] = await tx<{ devices: number }[]>`
      select count(distinct device_id)::int as devices from consumer_scans
      where tenant_id = ${tenantId} and device_id is not null and verdict <> 'unknown'`;
    const devices = counted?.devices ?? 0;
    // the steps after the devices: members counted, scored, written
    const total = devices + 3;
    await progress(0, total);
    await mapDevices(tx, tenantId, identifierHasher(masterKey), (mapped) => progress(mapped, total));
    await countMembers(tx, tenantId);
    const [stats] = await tx<{ population: number; priced: boolean | null }[]>`
      select count(*)::int as population, bool_and(priced) as priced from segment_members`;
    const population = stats?.population ?? 0;
    const monetaryUnit = stats?.priced === false ? 'units' : 'fen';
    await progress(devices + 1, total);
    const scored = await scoreInThread(await memberColumns(tx, population, monetaryUnit));
    await progress(devices + 2, total);
    const snapshotId = await writeSnapshot(tx, tenantId, jobId, monetaryUnit, scored);
    await progress(total, total);
    return { snapshotId, population, devices };
  });
  await settle(sql, tenantId, refreshed.snapshotId);
  return refreshed;
}

/**
 * After a refresh's commit, what its snapshot of the database could not see: the brand's earlier snapshots (one a
 * refresh that ran at the same time wrote) are dropped, and consumers who deleted their data while the refresh ran
 * (deletePersonalData committed after its snapshot began) are taken out of the new one.
 */
async function settle(sql: Sql, tenantId: number, snapshotId: number): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`delete from consumer_segment_snapshots where tenant_id = ${tenantId} and id < ${snapshotId}`;
    const deleted = await tx<{ id: string }[]>`
      select c.id::text from consumers c
      where c.tenant_id = ${tenantId} and c.deleted_at is not null
        and exists (select 1 from consumer_segment_members m where m.tenant_id = c.tenant_id and m.consumer_id = c.id)`;
    await takeOutOfSegments(
      tx,
      tenantId,
      deleted.map((r) => Number(r.id)),
    );
  });
}

/**
 * Takes consumers out of the brand's snapshot (their data deleted), and their members out of its figures: the
 * population, their segments' sizes and values, and their R x F cells, so the page's counts match its rows.
 */
export async function takeOutOfSegments(db: Db, tenantId: number, consumerIds: readonly number[]): Promise<void> {
  if (!consumerIds.length) return;
  await db`
    with gone as (
      delete from consumer_segment_members
      where tenant_id = ${tenantId} and consumer_id = any(${consumerIds as number[]}::bigint[])
      returning snapshot_id, segment, monetary, r_score, f_score
    ), snapshots as (
      select snapshot_id, count(*)::int as n from gone group by snapshot_id
    ), segments as (
      select snapshot_id, segment, count(*)::int as n, sum(monetary) as monetary from gone group by snapshot_id, segment
    ), cells as (
      select snapshot_id, r_score, f_score, count(*)::int as n from gone where r_score is not null group by snapshot_id, r_score, f_score
    )
    update consumer_segment_snapshots s set
      population = s.population - g.n,
      segments = (
        select coalesce(jsonb_agg(case when c.n is null then e
          else e || jsonb_build_object('members', (e->>'members')::int - c.n, 'monetary', (e->>'monetary')::numeric - c.monetary) end
          order by k), '[]')
        from jsonb_array_elements(s.segments) with ordinality as x(e, k)
        left join segments c on c.snapshot_id = s.id and c.segment = e->>'segment'),
      grid = (
        select coalesce(jsonb_agg(case when c.n is null then e else e || jsonb_build_object('members', (e->>'members')::int - c.n) end
          order by k), '[]')
        from jsonb_array_elements(s.grid) with ordinality as x(e, k)
        left join cells c on c.snapshot_id = s.id and c.r_score = (e->>'r')::int and c.f_score = (e->>'f')::int)
    from snapshots g
    where s.tenant_id = ${tenantId} and s.id = g.snapshot_id`;
}

/** Every device that scanned the brand's codes, mapped to its consumer a chunk at a time, into segment_owners. */
async function mapDevices(
  tx: Tx,
  tenantId: number,
  hash: ReturnType<typeof identifierHasher>,
  progress: (mapped: number) => Promise<void>,
): Promise<void> {
  await tx`create temp table segment_owners (device_id uuid primary key, consumer_id bigint) on commit drop`;
  const slice = new TimeSlice();
  let after: string | null = null;
  let mapped = 0;
  for (;;) {
    const chunk: string[] = (
      await tx<{ device_id: string }[]>`
        select distinct device_id::text from consumer_scans
        where tenant_id = ${tenantId} and device_id is not null and verdict <> 'unknown'
          ${after === null ? tx`` : tx`and device_id > ${after}::uuid`}
        order by 1 limit ${DEVICE_CHUNK}`
    ).map((r) => r.device_id);
    if (!chunk.length) break;
    // hashed in slices: 50,000 keyed hashes in one go held the server's thread ~250 ms
    const hashes: string[] = [];
    for (const d of chunk) {
      hashes.push(hash('device', d).toString('hex'));
      if (slice.over) await slice.pause();
    }
    await mapOwners(tx, tenantId, chunk, hashes);
    mapped += chunk.length;
    after = chunk[chunk.length - 1] as string;
    await progress(mapped);
  }
  await tx`analyze segment_owners`;
}

/** The members' three figures as columns in their canonical order, read a chunk at a time. */
async function memberColumns(tx: Tx, population: number, monetaryUnit: 'fen' | 'units'): Promise<PopulationColumns> {
  const columns = {
    lastAtMs: new Float64Array(population),
    frequency: new Float64Array(population),
    monetary: new Float64Array(population),
  };
  let i = 0;
  for await (const rows of tx<{ last_ms: number; days: number; units: number; value: string | null }[]>`
    select floor(extract(epoch from last_at) * 1000)::float8 as last_ms, days, units, value::text from segment_members order by position`.cursor(
    WRITE_CHUNK,
  )) {
    for (const r of rows) {
      columns.lastAtMs[i] = r.last_ms;
      columns.frequency[i] = r.days;
      columns.monetary[i] = monetaryUnit === 'fen' ? Number(r.value) : r.units;
      i++;
    }
  }
  return columns;
}

/**
 * The scored members as the brand's snapshot, with its sizes and grid. Readers take the latest; the earlier ones are
 * dropped after the commit (settle), not here: a refresh that waited for another's lock would otherwise delete rows
 * that one had already deleted, which fails a repeatable-read transaction.
 */
async function writeSnapshot(
  tx: Tx,
  tenantId: number,
  jobId: number | null,
  monetaryUnit: 'fen' | 'units',
  scored: ScoredPopulation,
): Promise<number> {
  const population = scored.recency.length;
  const [snap] = await tx<{ id: string }[]>`
    insert into consumer_segment_snapshots (tenant_id, job_id, snapshot_at, population, monetary_unit, ranked_instead, segments, grid)
    values (${tenantId}, ${jobId}, ${scored.snapshot === null ? null : new Date(scored.snapshot)}, ${population}, ${monetaryUnit},
      ${scored.rankedInstead}::text[], '[]', '[]')
    returning id::text`;
  const snapshotId = Number(snap?.id);
  for (let lo = 0; lo < population; lo += WRITE_CHUNK) {
    const hi = Math.min(population, lo + WRITE_CHUNK);
    await tx`
      insert into consumer_segment_members (tenant_id, snapshot_id, position, consumer_id, device, last_at, recency, frequency,
        units, monetary, r_score, f_score, m_score, segment)
      select ${tenantId}, ${snapshotId}, m.position, m.consumer_id, m.device, m.last_at, s.recency, m.days, m.units,
        case when ${monetaryUnit} = 'fen' then coalesce(m.value, 0) else m.units end,
        nullif(s.r, 0), nullif(s.f, 0), nullif(s.m, 0), (${[...SEGMENTS]}::text[])[s.seg + 1]
      from unnest(${Array.from(scored.recency.subarray(lo, hi))}::int[], ${Array.from(scored.rScore.subarray(lo, hi))}::int[],
        ${Array.from(scored.fScore.subarray(lo, hi))}::int[], ${Array.from(scored.mScore.subarray(lo, hi))}::int[],
        ${Array.from(scored.segment.subarray(lo, hi))}::int[]) with ordinality as s(recency, r, f, m, seg, i)
      join segment_members m on m.position = ${lo} + s.i`;
  }
  // sizes, values and the grid once, for every reader of this snapshot
  await tx`
    update consumer_segment_snapshots set
      segments = (
        select coalesce(jsonb_agg(jsonb_build_object('segment', s.name, 'members', coalesce(c.members, 0),
          'monetary', coalesce(c.monetary, 0)) order by s.k), '[]')
        from unnest(${[...SEGMENTS]}::text[]) with ordinality as s(name, k)
        left join (select segment, count(*)::int as members, sum(monetary) as monetary from consumer_segment_members
          where tenant_id = ${tenantId} and snapshot_id = ${snapshotId} group by segment) c on c.segment = s.name),
      grid = (
        select jsonb_agg(jsonb_build_object('r', r, 'f', f, 'members', coalesce(c.members, 0)) order by r, f)
        from generate_series(1, 5) r cross join generate_series(1, 5) f
        left join (select r_score, f_score, count(*)::int as members from consumer_segment_members
          where tenant_id = ${tenantId} and snapshot_id = ${snapshotId} and r_score is not null group by r_score, f_score) c
          on c.r_score = r and c.f_score = f)
    where tenant_id = ${tenantId} and id = ${snapshotId}`;
  // the page's first reads plan on the new rows (unanalysed, its first page was a sort of them all: 110 ms at 200,000)
  await tx`analyze consumer_segment_members`;
  return snapshotId;
}

/**
 * Each device of the chunk and the consumer its identity chain ends at (null: no consumer has claimed it), into
 * segment_owners. Device identifiers are kept as keyed hashes (identity.ts), hence hashed here, a chunk at a time.
 */
async function mapOwners(tx: Tx, tenantId: number, devices: string[], hashes: string[]): Promise<void> {
  await tx`
    with recursive m as (
      select * from unnest(${devices}::uuid[], ${hashes}::text[]) as m(device_id, hash_hex)
    ), chain as (
      select m.device_id, c.id, c.merged_into, 0 as depth
      from m join consumer_identifiers i on i.tenant_id = ${tenantId} and i.kind = 'device' and i.value_hash = decode(m.hash_hex, 'hex')
      join consumers c on c.tenant_id = ${tenantId} and c.id = i.consumer_id
      union all
      select chain.device_id, c.id, c.merged_into, chain.depth + 1
      from chain join consumers c on c.tenant_id = ${tenantId} and c.id = chain.merged_into where chain.depth < 32
    )
    -- where each device's chain ends, as a set (a correlated lookup into the chain per device was quadratic)
    insert into segment_owners (device_id, consumer_id)
    select m.device_id, o.consumer_id
    from m left join (select distinct on (device_id) device_id, id as consumer_id from chain where merged_into is null) o
      on o.device_id = m.device_id`;
}

/** Every member's figures, in the canonical order (consumers by id, then anonymous devices), into segment_members. */
async function countMembers(tx: Tx, tenantId: number): Promise<void> {
  await tx`
    create temp table segment_members on commit drop as
    with scans as (
      -- one key per member (a consumer, or a device no consumer has claimed), so the joins below can hash on it
      select coalesce('C' || o.consumer_id, 'D' || o.device_id) as member, o.consumer_id,
        case when o.consumer_id is null then o.device_id end as device_id, s.epc, s.scanned_at
      from consumer_scans s join segment_owners o on o.device_id = s.device_id
      where s.tenant_id = ${tenantId} and s.verdict <> 'unknown'
    ), per as (
      select member, min(consumer_id) as consumer_id, min(device_id::text) as device_id, max(scanned_at) as last_at,
             count(distinct (scanned_at at time zone 'Asia/Shanghai')::date)::int as days
      from scans group by member
    ), units as (
      -- the GTIN is the 14 characters after the link's '/01/' (a regular expression here took 7 us a scan: 3.5 s of
      -- 4.9 at 500,000 scans)
      select distinct member, epc, substr(epc, strpos(epc, '/01/') + 4, 14) as gtin from scans
    ), gtin_price as (
      -- each GTIN's units and unit price once (a handful of products), not once per unit scanned
      select g.gtin, pl.units_per, coalesce(base.price_fen, nullif(pr.list_price_fen, 0)) as price_fen
      from (select distinct gtin from units) g
      left join packaging_levels pl on pl.tenant_id = ${tenantId} and pl.gtin = g.gtin
      left join products pr on pr.tenant_id = ${tenantId} and pr.id = pl.product_id
      left join lateral (
        select i.price_fen from price_list_items i
        join price_lists l on l.tenant_id = i.tenant_id and l.id = i.price_list_id
        where i.tenant_id = ${tenantId} and i.product_id = pl.product_id and l.scope = 'base' and l.seller_party_id is null and l.active
          and (l.valid_from is null or l.valid_from <= (now() at time zone 'Asia/Shanghai')::date)
          and (l.valid_to is null or l.valid_to >= (now() at time zone 'Asia/Shanghai')::date)
        order by l.priority desc, i.min_qty asc limit 1
      ) base on true
    ), valued as (
      select u.member, sum(coalesce(g.units_per, 1))::int as units, sum(g.units_per * g.price_fen) as value,
             bool_and(g.price_fen is not null) as priced
      from units u left join gtin_price g on g.gtin = u.gtin
      group by u.member
    )
    select (row_number() over (order by per.consumer_id nulls last, per.device_id))::int as position,
      per.consumer_id, left(per.device_id, 8) as device, per.last_at, per.days, v.units, v.value, v.priced
    from per join valued v on v.member = per.member`;
  await tx`create unique index on segment_members (position)`;
  await tx`analyze segment_members`;
}
