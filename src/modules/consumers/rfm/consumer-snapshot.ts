/**
 * The brand's consumer segments as the page and the export read them: the latest snapshot a refresh job wrote
 * (consumer-segments.ts), one row for its sizes and grid and one page of members, at any population; and the state of
 * the latest refresh, so that every reader of the page sees one running.
 */
import type { Db, RequestContext } from '../../../context.ts';
import { type JobView, latestJobOfKind } from '../../../platform/jobs/index.ts';
import type { SegmentReport } from './segment-report.ts';
import { SEGMENTS, type Segment } from './segments.ts';

export const CONSUMER_SEGMENTS_JOB = 'consumers.segments.refresh';

export interface ConsumerMemberRow {
  key: string;
  consumerId: number | null;
  /** the first 8 characters of an anonymous device's id */
  device: string | null;
  units: number;
  lastAt: string;
  recency: number;
  frequency: number;
  monetary: number;
  rScore: number | null;
  fScore: number | null;
  mScore: number | null;
  segment: Segment | null;
}

export interface ConsumerSegmentsView extends Omit<SegmentReport<unknown>, 'rows'> {
  monetaryUnit: 'fen' | 'units';
  /** when the snapshot shown was computed; null before the first refresh */
  computedAt: string | null;
  /** the brand's latest refresh job (running, or how it ended) */
  refresh: Pick<JobView, 'id' | 'status' | 'progress' | 'error' | 'message' | 'createdAt' | 'finishedAt'> | null;
  rows: ConsumerMemberRow[];
}

interface SnapshotRow {
  id: string;
  computed_at: Date;
  snapshot_at: Date | null;
  population: number;
  monetary_unit: 'fen' | 'units';
  ranked_instead: ('recency' | 'monetary')[];
  segments: { segment: Segment; members: number; monetary: number }[];
  grid: { r: number; f: number; members: number }[];
}

interface MemberRow {
  consumer_id: string | null;
  device: string | null;
  units: number;
  last_at: Date;
  recency: number;
  frequency: number;
  monetary: string;
  r_score: number | null;
  f_score: number | null;
  m_score: number | null;
  segment: Segment | null;
}

const memberOf = (r: MemberRow): ConsumerMemberRow => ({
  key: r.consumer_id ? `C${r.consumer_id}` : `D${r.device ?? ''}`,
  consumerId: r.consumer_id ? Number(r.consumer_id) : null,
  device: r.consumer_id ? null : r.device,
  units: r.units,
  lastAt: r.last_at.toISOString(),
  recency: r.recency,
  frequency: r.frequency,
  monetary: Number(r.monetary),
  rScore: r.r_score,
  fScore: r.f_score,
  mScore: r.m_score,
  segment: r.segment,
});

const MEMBER_COLUMNS = (db: Db) =>
  db`consumer_id::text, device, units, last_at, recency, frequency, monetary::text, r_score, f_score, m_score, segment`;

async function latestSnapshot(db: Db, tenantId: number): Promise<SnapshotRow | null> {
  const [s] = await db<SnapshotRow[]>`
    select id::text, computed_at, snapshot_at, population, monetary_unit, ranked_instead, segments, grid
    from consumer_segment_snapshots where tenant_id = ${tenantId} order by id desc limit 1`;
  return s ?? null;
}

/** The report of the latest snapshot (empty before the first refresh), with a page of members. */
export async function consumerSegmentsView(
  ctx: RequestContext,
  page: { segment?: Segment; limit: number; offset: number },
): Promise<ConsumerSegmentsView> {
  const t = ctx.actor.tenantId;
  const job = await latestJobOfKind(ctx.sql, ctx, CONSUMER_SEGMENTS_JOB);
  const refresh = job
    ? {
        id: job.id,
        status: job.status,
        progress: job.progress,
        error: job.error,
        message: job.message,
        createdAt: job.createdAt,
        finishedAt: job.finishedAt,
      }
    : null;
  // the snapshot's figures and its members as of one moment: a refresh may replace the snapshot between two reads
  return ctx.sql.begin('isolation level repeatable read read only', async (tx) => {
    const snap = await latestSnapshot(tx, t);
    if (!snap)
      return {
        monetaryUnit: 'fen',
        computedAt: null,
        refresh,
        snapshot: null,
        population: 0,
        rankedInstead: [],
        segments: SEGMENTS.map((segment) => ({ segment, members: 0, monetary: 0 })),
        grid: [1, 2, 3, 4, 5].flatMap((r) => [1, 2, 3, 4, 5].map((f) => ({ r, f, members: 0 }))),
        total: 0,
        rows: [],
      };
    const rows = await tx<MemberRow[]>`
    select ${MEMBER_COLUMNS(tx)} from consumer_segment_members
    where tenant_id = ${t} and snapshot_id = ${snap.id} ${page.segment ? tx`and segment = ${page.segment}` : tx``}
    order by position limit ${page.limit} offset ${page.offset}`;
    return {
      monetaryUnit: snap.monetary_unit,
      computedAt: snap.computed_at.toISOString(),
      refresh,
      snapshot: snap.snapshot_at?.toISOString() ?? null,
      population: snap.population,
      rankedInstead: snap.ranked_instead,
      segments: snap.segments,
      grid: snap.grid,
      total: page.segment ? (snap.segments.find((s) => s.segment === page.segment)?.members ?? 0) : snap.population,
      rows: rows.map(memberOf),
    };
  });
}

/**
 * Every member of the latest snapshot in its order, for the export, read from a cursor (a million members never sit
 * in the server's memory at once); null before the first refresh.
 */
export async function consumerSegmentMembers(
  ctx: RequestContext,
): Promise<{ monetaryUnit: 'fen' | 'units'; population: number; rows: AsyncIterable<ConsumerMemberRow> } | null> {
  const t = ctx.actor.tenantId;
  const snap = await latestSnapshot(ctx.sql, t);
  if (!snap) return null;
  // the latest snapshot chosen by the cursor's own statement, so that one a refresh replaced meanwhile is not read empty
  const query = ctx.sql<MemberRow[]>`
    select ${MEMBER_COLUMNS(ctx.sql)} from consumer_segment_members
    where tenant_id = ${t} and snapshot_id = (select max(id) from consumer_segment_snapshots where tenant_id = ${t})
    order by position`;
  async function* rows() {
    for await (const batch of query.cursor(2000)) for (const r of batch) yield memberOf(r);
  }
  return { monetaryUnit: snap.monetary_unit, population: snap.population, rows: rows() };
}
