/**
 * Simulation runs as rows: started (params stored, status running), progress written while the days go by (at most
 * every half second), the result or the error stored at the end. The run itself is the plain async function
 * simulateFast with an onProgress callback (the job queue takes it over at merge: `runSimulation` is the job body).
 */
import type { Sql } from '../../../db/connection.ts';
import type { SimulationParams } from './params.ts';
import type { SimulationResult } from './result.ts';
import { simulateFast } from './simulate.ts';

export interface RunRow {
  id: number;
  status: 'running' | 'done' | 'failed';
  params: SimulationParams;
  progress: { done: number; total: number };
  result?: SimulationResult | null;
  error: string | null;
  createdBy: string;
  createdAt: string;
  finishedAt: string | null;
}

interface DbRow {
  id: number;
  status: RunRow['status'];
  params: SimulationParams;
  progress_done: number;
  progress_total: number;
  result?: SimulationResult | null;
  error: string | null;
  created_by: string;
  created_at: Date;
  finished_at: Date | null;
}

const toRun = (r: DbRow): RunRow => ({
  id: r.id,
  status: r.status,
  params: r.params,
  progress: { done: r.progress_done, total: r.progress_total },
  ...(r.result !== undefined ? { result: r.result } : {}),
  error: r.error,
  createdBy: r.created_by,
  createdAt: r.created_at.toISOString(),
  finishedAt: r.finished_at?.toISOString() ?? null,
});

/** Runs of a tenant still going (the API caps how many run at once). */
export async function runningCount(sql: Sql, tenantId: number): Promise<number> {
  const [r] = await sql<
    { n: number }[]
  >`select count(*)::int as n from simulation_runs where tenant_id = ${tenantId} and status = 'running'`;
  return r?.n ?? 0;
}

/** Inserts the run (or finds the one the same idempotency key started): `created` says which. */
export async function insertRun(
  sql: Sql,
  tenantId: number,
  x: { params: SimulationParams; createdBy: string; idempotencyKey?: string },
): Promise<{ run: RunRow; created: boolean }> {
  const total = x.params.days * x.params.policies.length;
  const [row] = await sql<DbRow[]>`
    insert into simulation_runs (tenant_id, params, progress_total, idempotency_key, created_by)
    values (${tenantId}, ${sql.json(x.params as never)}, ${total}, ${x.idempotencyKey ?? null}, ${x.createdBy})
    on conflict (tenant_id, idempotency_key) where idempotency_key is not null do nothing
    returning id::int, status, params, progress_done, progress_total, error, created_by, created_at, finished_at`;
  if (row) return { run: toRun(row), created: true };
  const [first] = await sql<DbRow[]>`
    select id::int, status, params, progress_done, progress_total, error, created_by, created_at, finished_at
    from simulation_runs where tenant_id = ${tenantId} and idempotency_key = ${x.idempotencyKey ?? ''}`;
  if (!first) throw new Error('simulation run vanished after an idempotency conflict');
  return { run: toRun(first), created: false };
}

export async function getRun(sql: Sql, tenantId: number, id: number): Promise<RunRow | null> {
  const [row] = await sql<DbRow[]>`
    select id::int, status, params, progress_done, progress_total, result, error, created_by, created_at, finished_at
    from simulation_runs where tenant_id = ${tenantId} and id = ${id}`;
  return row ? toRun(row) : null;
}

export async function listRuns(sql: Sql, tenantId: number, limit = 50): Promise<RunRow[]> {
  const rows = await sql<DbRow[]>`
    select id::int, status, params, progress_done, progress_total, error, created_by, created_at, finished_at
    from simulation_runs where tenant_id = ${tenantId} order by id desc limit ${limit}`;
  return rows.map(toRun);
}

/** The job body: plays the run and stores its progress and result (or why it failed). Never throws. */
export async function runSimulation(sql: Sql, tenantId: number, id: number, params: SimulationParams): Promise<void> {
  let last = 0;
  let writing: Promise<unknown> = Promise.resolve();
  try {
    const result = await simulateFast(params, {
      onProgress: (done) => {
        const now = Date.now();
        if (now - last < 500) return;
        last = now;
        writing = writing.then(
          () => sql`update simulation_runs set progress_done = ${done} where tenant_id = ${tenantId} and id = ${id} and status = 'running'`,
        );
      },
    });
    await writing;
    await sql`update simulation_runs set status = 'done', result = ${sql.json(result as never)}, progress_done = progress_total, finished_at = now()
      where tenant_id = ${tenantId} and id = ${id}`;
  } catch (e) {
    await writing.catch(() => undefined);
    await sql`update simulation_runs set status = 'failed', error = ${(e as Error).message ?? String(e)}, finished_at = now()
      where tenant_id = ${tenantId} and id = ${id}`.catch(() => undefined);
  }
}
