/**
 * The `jobs` table as its users see it: start a job (validated, idempotent per caller and key), read one, list the
 * caller's own, cancel. A caller sees the jobs it started; the brand admin sees every job of its brand.
 */
import type { Db, RequestContext } from '../../context.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import { message } from '../../http/messages.ts';
import { AppError } from '../../http/problem.ts';
import { type Actor, actorLabel } from '../../modules/auth/index.ts';
import { roleMay } from '../../modules/auth/roles.ts';
import type { JobKind, JobRegistry } from './registry.ts';

export const JOBS_CHANNEL = 'tl_jobs';
export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface JobView {
  id: number;
  kind: string;
  params: Record<string, unknown>;
  status: JobStatus;
  progress: { done: number; total: number | null; percent: number | null };
  message: string | null;
  result: unknown;
  /** the stable code of why it failed */
  error: string | null;
  attempts: number;
  cancelRequested: boolean;
  createdBy: string;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** The actor and locale a job runs with, as kept in `jobs.actor`. */
export interface StoredActor extends Actor {
  locale: RequestContext['locale'];
}

interface Row {
  id: number;
  kind: string;
  params: Record<string, unknown>;
  status: JobStatus;
  progress_done: number;
  progress_total: number | null;
  message: string | null;
  /** set: `message` is a message key with these parameters (not null for every message written since 0040) */
  message_params: Record<string, unknown> | null;
  result: unknown;
  error: string | null;
  attempts: number;
  cancel_requested: boolean;
  created_by: string;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

/** Messages the runner writes as codes (it has no caller to speak to): rendered in the reader's language. */
const CODED = /^jobs\.[a-z_]+$/;

/**
 * A job's message in the reader's language: a key with its parameters (or one of the runner's codes) in words; text
 * written before migration 0040, in its starter's language, as written.
 */
function messageOf(r: Row, locale: RequestContext['locale']): string | null {
  // a job failed because its process was lost, before the runner wrote that reason as the message too: the reason,
  // not the last progress the lost process reported
  if (r.status === 'failed' && r.error === 'jobs.worker_lost') return message(r.error, locale);
  if (r.message && (r.message_params || CODED.test(r.message))) return message(r.message, locale, r.message_params ?? {});
  if (r.status === 'failed' && !r.message && r.error) return message(r.error, locale);
  return r.message;
}

export function viewOf(r: Row, locale: RequestContext['locale']): JobView {
  const total = r.progress_total;
  return {
    id: Number(r.id),
    kind: r.kind,
    params: r.params,
    status: r.status,
    progress: {
      done: r.progress_done,
      total,
      percent:
        r.status === 'succeeded' ? 100 : total ? Math.min(100, Math.floor((100 * r.progress_done) / total)) : total === 0 ? 100 : null,
    },
    message: messageOf(r, locale),
    result: r.result,
    error: r.error,
    attempts: r.attempts,
    cancelRequested: r.cancel_requested,
    createdBy: r.created_by,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

const COLUMNS = (
  db: Db,
) => db`id::int, kind, params, status, progress_done, progress_total, message, message_params, result, error, attempts,
  cancel_requested, created_by, created_at, started_at, finished_at`;

/**
 * Queues a job of a registered kind with validated parameters. With an idempotency key, the caller's first job under
 * that key is returned instead (`replayed`); the same key for another kind or other parameters is a 409.
 */
export async function startJob(
  ctx: RequestContext,
  registry: JobRegistry,
  input: { kind: string; params: unknown; idempotencyKey?: string /** where the parameters are in the request */; pointer?: string },
): Promise<{ job: JobView; replayed: boolean }> {
  const kind = registry.get(input.kind);
  if (!kind) throw AppError.field('/body/kind', 'jobs.unknown_kind', { value: input.kind });
  if (!roleMay(ctx.actor.role, kind.access) || (ctx.actor.kind === 'api_key' && !ctx.actor.keyActions?.includes(kind.access)))
    throw AppError.forbidden('access.denied');
  const pointer = input.pointer ?? '/body/params';
  const params = registry.validate(input.kind, input.params, pointer);
  const t = ctx.actor.tenantId;
  const by = actorLabel(ctx.actor);
  const existing = async () => {
    if (!input.idempotencyKey) return null;
    const [r] = await ctx.sql<Row[]>`
      select ${COLUMNS(ctx.sql)} from jobs where tenant_id = ${t} and created_by = ${by} and idempotency_key = ${input.idempotencyKey}`;
    if (!r) return null;
    if (r.kind !== input.kind || JSON.stringify(sortKeys(r.params)) !== JSON.stringify(sortKeys(params)))
      throw new AppError(409, 'jobs.idempotency_conflict', { id: Number(r.id) });
    return { job: viewOf(r, ctx.locale), replayed: true };
  };
  const first = await existing();
  if (first) return first;
  await kind.check?.(ctx, params, pointer);
  try {
    const row = await ctx.sql.begin((tx) => insertJob(tx, ctx, kind, params, input.idempotencyKey));
    return { job: viewOf(row, ctx.locale), replayed: false };
  } catch (e) {
    const again = isUniqueViolation(e) ? await existing() : null;
    if (again) return again;
    throw e;
  }
}

async function insertJob(tx: Db, ctx: RequestContext, kind: JobKind, params: unknown, idempotencyKey: string | undefined): Promise<Row> {
  const actor: StoredActor = { ...ctx.actor, locale: ctx.locale };
  const [r] = await tx<Row[]>`
    insert into jobs (tenant_id, kind, params, max_attempts, actor, created_by, idempotency_key)
    values (${ctx.actor.tenantId}, ${kind.kind}, ${tx.json(params as never)}, ${kind.maxAttempts ?? 2}, ${tx.json(actor as never)},
      ${actorLabel(ctx.actor)}, ${idempotencyKey ?? null})
    returning ${COLUMNS(tx)}`;
  // the runners hear of it once the transaction commits
  await tx`select pg_notify(${JOBS_CHANNEL}, '')`;
  return r as Row;
}

/**
 * Queues a job of a registered kind inside the caller's transaction, with the records the job works on (a module's
 * own row that the job then fills in): both are there, or neither. The caller has checked access and parameters.
 */
export async function queueJob(tx: Db, ctx: RequestContext, registry: JobRegistry, kindName: string, params: unknown): Promise<JobView> {
  const kind = registry.get(kindName);
  if (!kind) throw new Error(`job kind ${kindName} is not registered`);
  return viewOf(await insertJob(tx, ctx, kind, registry.validate(kindName, params), undefined), ctx.locale);
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, x]) => [k, sortKeys(x)]),
    );
  return v;
}

/** Whose jobs the caller sees: its own; the brand admin every job of the brand. */
function visible(db: Db, ctx: RequestContext) {
  return ctx.actor.role === 'brand_admin' ? db`true` : db`created_by = ${actorLabel(ctx.actor)}`;
}

export async function getJob(ctx: RequestContext, id: number): Promise<JobView | null> {
  const [r] = await ctx.sql<Row[]>`
    select ${COLUMNS(ctx.sql)} from jobs where tenant_id = ${ctx.actor.tenantId} and id = ${id} and ${visible(ctx.sql, ctx)}`;
  return r ? viewOf(r, ctx.locale) : null;
}

/**
 * The brand's latest job of a kind, whoever started it: for a job whose work belongs to the brand rather than to its
 * starter (the refresh of a snapshot every reader of a page shares), so that every reader sees it running.
 */
export async function latestJobOfKind(db: Db, ctx: RequestContext, kind: string): Promise<JobView | null> {
  const [r] = await db<Row[]>`
    select ${COLUMNS(db)} from jobs where tenant_id = ${ctx.actor.tenantId} and kind = ${kind} order by id desc limit 1`;
  return r ? viewOf(r, ctx.locale) : null;
}

/** The caller's own jobs, newest first. */
export async function listJobs(ctx: RequestContext, q: { status?: JobStatus; kind?: string; limit: number }): Promise<JobView[]> {
  const rows = await ctx.sql<Row[]>`
    select ${COLUMNS(ctx.sql)} from jobs
    where tenant_id = ${ctx.actor.tenantId} and created_by = ${actorLabel(ctx.actor)}
      ${q.status ? ctx.sql`and status = ${q.status}` : ctx.sql``} ${q.kind ? ctx.sql`and kind = ${q.kind}` : ctx.sql``}
    order by created_at desc, id desc limit ${q.limit}`;
  return rows.map((r) => viewOf(r, ctx.locale));
}

/**
 * Cancels a job: a queued one at once; a running one is asked to stop (its runner sees the request at its next
 * progress report or heartbeat, and the job ends `cancelled`). A finished job is a 409.
 */
export async function cancelJob(ctx: RequestContext, id: number): Promise<JobView> {
  const t = ctx.actor.tenantId;
  return ctx.sql.begin(async (tx) => {
    const [cur] = await tx<Row[]>`
      select ${COLUMNS(tx)} from jobs where tenant_id = ${t} and id = ${id} and ${visible(tx, ctx)} for update`;
    if (!cur) throw AppError.notFound();
    if (cur.status === 'queued') {
      const [r] = await tx<Row[]>`
        update jobs set status = 'cancelled', cancel_requested = true, finished_at = now(), updated_at = now()
        where tenant_id = ${t} and id = ${id} returning ${COLUMNS(tx)}`;
      return viewOf(r as Row, ctx.locale);
    }
    if (cur.status === 'running') {
      const [r] = await tx<Row[]>`
        update jobs set cancel_requested = true, updated_at = now() where tenant_id = ${t} and id = ${id} returning ${COLUMNS(tx)}`;
      return viewOf(r as Row, ctx.locale);
    }
    throw new AppError(409, 'jobs.not_cancellable', { id, status: cur.status });
  });
}
