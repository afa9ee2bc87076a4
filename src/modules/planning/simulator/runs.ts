/**
 * Simulation runs as rows, played by a job of the queue (job.ts): started (params stored, status running, the job
 * queued in the same transaction), the result or why it failed stored at the end. While it runs, its progress is its
 * job's (the queue writes it). A run whose job the queue gave up on (its process stopped and no attempt is left, or it
 * was cancelled) reads as failed, with the job's reason.
 */
import type { Db, RequestContext } from '../../../context.ts';
import type { Sql } from '../../../db/connection.ts';
import { message } from '../../../http/messages.ts';
import { AppError } from '../../../http/problem.ts';
import { JobStopped, type ReportProgress } from '../../../platform/jobs/index.ts';
import type { SimulationParams } from './params.ts';
import type { SimulationResult } from './result.ts';
import { simulateInThread } from './simulate-thread.ts';

export interface RunRow {
  id: number;
  status: 'running' | 'done' | 'failed';
  /** still waiting for the job queue (another job is running) */
  queued: boolean;
  params: SimulationParams;
  progress: { done: number; total: number };
  result?: SimulationResult | null;
  /** why it failed, in the reader's language, and as a stable code */
  error: string | null;
  errorCode: string | null;
  jobId: number | null;
  createdBy: string;
  createdAt: string;
  finishedAt: string | null;
}

interface DbRow {
  id: number;
  status: RunRow['status'];
  queued: boolean;
  params: SimulationParams;
  progress_done: number;
  progress_total: number;
  result?: SimulationResult | null;
  error: string | null;
  job_id: number | null;
  created_by: string;
  created_at: Date;
  finished_at: Date | null;
}

const toRun = (r: DbRow, locale: RequestContext['locale']): RunRow => ({
  id: r.id,
  status: r.status,
  queued: r.queued,
  params: r.params,
  progress: { done: r.progress_done, total: r.progress_total },
  ...(r.result !== undefined ? { result: r.result } : {}),
  error: r.error === null ? null : message(r.error, locale),
  errorCode: r.error,
  jobId: r.job_id,
  createdBy: r.created_by,
  createdAt: r.created_at.toISOString(),
  finishedAt: r.finished_at?.toISOString() ?? null,
});

/**
 * A run as its reader sees it: a run whose job ended without it (lost for good, or cancelled) has failed; a running
 * run has the progress its job reported.
 */
const VIEW = (db: Db, withResult: boolean) => db`
  select r.id::int,
    case when r.status = 'running' and j.status in ('failed', 'cancelled') then 'failed' else r.status end as status,
    coalesce(r.status = 'running' and j.status = 'queued', false) as queued,
    r.params, case when r.status = 'running' then coalesce(j.progress_done, 0) else r.progress_done end as progress_done,
    r.progress_total, ${withResult ? db`r.result,` : db``}
    case when r.status = 'running' and j.status = 'failed' then j.error
      when r.status = 'running' and j.status = 'cancelled' then 'simulation.cancelled' else r.error end as error,
    r.job_id::int, r.created_by, r.created_at,
    case when r.status = 'running' and j.status in ('failed', 'cancelled') then j.finished_at else r.finished_at end as finished_at
  from simulation_runs r left join jobs j on j.tenant_id = r.tenant_id and j.id = r.job_id`;

/** Runs of a tenant still going or waiting to (the API caps how many at once). */
export async function runningCount(sql: Sql, tenantId: number): Promise<number> {
  const [r] = await sql<{ n: number }[]>`
    select count(*)::int as n from (${VIEW(sql, false)} where r.tenant_id = ${tenantId} and r.status = 'running') v
    where v.status = 'running'`;
  return r?.n ?? 0;
}

/** Inserts the run (or finds the one the same idempotency key started): `created` says which. */
export async function insertRun(
  tx: Db,
  tenantId: number,
  x: { params: SimulationParams; createdBy: string; idempotencyKey?: string },
): Promise<{ id: number; created: boolean }> {
  const total = x.params.days * x.params.policies.length;
  const [row] = await tx<{ id: number }[]>`
    insert into simulation_runs (tenant_id, params, progress_total, idempotency_key, created_by)
    values (${tenantId}, ${tx.json(x.params as never)}, ${total}, ${x.idempotencyKey ?? null}, ${x.createdBy})
    on conflict (tenant_id, idempotency_key) where idempotency_key is not null do nothing
    returning id::int`;
  if (row) return { id: row.id, created: true };
  const first = await runIdOfKey(tx, tenantId, x.idempotencyKey ?? '');
  if (first === null) throw new Error('simulation run vanished after an idempotency conflict');
  return { id: first, created: false };
}

/** The run an earlier request with this idempotency key started, if any. */
export async function runIdOfKey(db: Db, tenantId: number, key: string): Promise<number | null> {
  const [r] = await db<{ id: number }[]>`select id::int from simulation_runs where tenant_id = ${tenantId} and idempotency_key = ${key}`;
  return r ? r.id : null;
}

/** The job that plays the run. */
export async function attachJob(tx: Db, tenantId: number, id: number, jobId: number): Promise<void> {
  await tx`update simulation_runs set job_id = ${jobId} where tenant_id = ${tenantId} and id = ${id}`;
}

export async function getRun(ctx: Pick<RequestContext, 'sql' | 'locale'>, tenantId: number, id: number): Promise<RunRow | null> {
  const [row] = await ctx.sql<DbRow[]>`${VIEW(ctx.sql, true)} where r.tenant_id = ${tenantId} and r.id = ${id}`;
  return row ? toRun(row, ctx.locale) : null;
}

export async function listRuns(ctx: Pick<RequestContext, 'sql' | 'locale'>, tenantId: number, limit = 50): Promise<RunRow[]> {
  const rows = await ctx.sql<DbRow[]>`${VIEW(ctx.sql, false)} where r.tenant_id = ${tenantId} order by r.id desc limit ${limit}`;
  return rows.map((r) => toRun(r, ctx.locale));
}

/**
 * Plays the run (the job's body) and stores its result, or why it failed; its progress goes to the job. A stop for a
 * shutdown leaves the run running: its job goes back to the queue and plays it again from the start (the same seed
 * gives the same result). Rethrows, so that the job ends as the run did.
 */
export async function playRun(sql: Sql, tenantId: number, id: number, params: SimulationParams, report: ReportProgress): Promise<void> {
  const mine = () => sql`tenant_id = ${tenantId} and id = ${id} and status = 'running'`;
  try {
    // from the start again after a restart
    await report(0, params.days * params.policies.length);
    // `report` throws JobStopped once the job is cancelled or its process is stopping
    const result = await simulateInThread(params, { onProgress: report });
    await sql`update simulation_runs set status = 'done', result = ${sql.json(result as never)}, progress_done = progress_total, finished_at = now()
      where ${mine()}`;
  } catch (e) {
    const stopped = e instanceof JobStopped ? e.reason : null;
    if (stopped !== 'shutdown') {
      const code = stopped === 'cancelled' ? 'simulation.cancelled' : e instanceof AppError ? e.code : 'internal';
      await sql`update simulation_runs set status = 'failed', error = ${code}, finished_at = now() where ${mine()}`.catch(() => undefined);
    }
    throw e;
  }
}
