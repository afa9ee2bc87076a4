/**
 * Runs queued jobs inside the app process (started when the app is ready, stopped when it closes).
 *
 * A claim takes the oldest queued job with `FOR UPDATE SKIP LOCKED` (any number of app nodes share the queue without
 * taking a job twice) and marks it running under this runner's id with a heartbeat. While the handler works, the
 * runner moves the heartbeat every `heartbeatMs` and reads whether the job was cancelled. Progress reports are
 * written at most every `progressMs` (the last one always). The outcome is written only while the job is still this
 * runner's (`worker = me`), so a runner that lost its job to the lease cannot overwrite what came after.
 *
 * Restarts: a job whose heartbeat is older than `leaseMs` lost its process (killed, crashed, cut off from the
 * database). Any runner's next tick queues it again while it has attempts left, else fails it with
 * `jobs.worker_lost`; a lost job that had been cancelled ends cancelled. A runner that is stopped on purpose asks
 * its handler to stop (progress throws JobStopped) and puts the job back in the queue at once, without using up an
 * attempt.
 */

import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Sql } from '../../db/connection.ts';
import { AppError } from '../../http/problem.ts';
import { type JobMessage, type JobRegistry, JobStopped } from './registry.ts';
import { JOBS_CHANNEL, type StoredActor } from './store.ts';

/** A progress report waiting to be written: the message as its key and parameters (params null: text as written). */
interface Pending {
  done: number;
  total: number | null;
  message: string | null;
  params: Record<string, unknown> | null;
}

function stored(msg: JobMessage | undefined): Pick<Pending, 'message' | 'params'> {
  if (msg === undefined) return { message: null, params: null };
  if (typeof msg === 'string') return { message: msg, params: null };
  return { message: msg.key, params: msg.params ?? {} };
}

export interface RunnerOptions {
  /** how often the queue is looked at without a NOTIFY (ms) */
  pollMs: number;
  /** a running job whose heartbeat is older than this lost its process (ms) */
  leaseMs: number;
  heartbeatMs: number;
  /** progress is written at most this often (ms) */
  progressMs: number;
  /** jobs run at once by this process */
  concurrency: number;
}

export const DEFAULT_RUNNER_OPTIONS: RunnerOptions = { pollMs: 2000, leaseMs: 30_000, heartbeatMs: 5000, progressMs: 250, concurrency: 1 };

interface Claimed {
  tenant_id: number;
  id: number;
  kind: string;
  params: Record<string, unknown>;
  actor: StoredActor;
}

type Log = (level: 'warn' | 'error', msg: string, err?: unknown) => void;

export class JobRunner {
  readonly id = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  readonly options: RunnerOptions;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private again = false;
  private readonly inFlight = new Map<string, { promise: Promise<void>; abort: AbortController }>();
  private unlisten: (() => Promise<void>) | undefined;

  constructor(
    private readonly sql: Sql,
    private readonly registry: JobRegistry,
    options: Partial<RunnerOptions> = {},
    private readonly log: Log = () => {},
  ) {
    this.options = { ...DEFAULT_RUNNER_OPTIONS, ...options };
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const listener = await this.sql.listen(JOBS_CHANNEL, () => this.wake());
    this.unlisten = listener.unlisten;
    this.wake();
  }

  /** Stops claiming; asks running handlers to stop and puts their jobs back in the queue. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearTimeout(this.timer);
    await this.unlisten?.().catch(() => {});
    for (const { abort } of this.inFlight.values()) abort.abort(new JobStopped('shutdown'));
    await Promise.allSettled([...this.inFlight.values()].map((j) => j.promise));
  }

  /** Looks at the queue now (after a NOTIFY, or from tests). */
  wake(): void {
    if (!this.running) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.ticking = true;
    this.tick()
      .catch((e) => this.log('error', 'job runner tick failed', e))
      .finally(() => {
        this.ticking = false;
        if (!this.running) return;
        if (this.again) {
          this.again = false;
          this.wake();
        } else this.timer = setTimeout(() => this.wake(), this.options.pollMs);
      });
  }

  private async tick(): Promise<void> {
    await this.recoverLost();
    while (this.running && this.inFlight.size < this.options.concurrency) {
      const job = await this.claim();
      if (!job) return;
      const key = `${job.tenant_id}:${job.id}`;
      const abort = new AbortController();
      const promise = this.run(job, abort).finally(() => {
        this.inFlight.delete(key);
        this.wake();
      });
      this.inFlight.set(key, { promise, abort });
    }
  }

  /** Jobs whose process died: queued again while attempts are left, else failed (or cancelled, if asked to be). */
  async recoverLost(): Promise<number> {
    const rows = await this.sql`
      update jobs set
        status = case when cancel_requested then 'cancelled' when attempts < max_attempts then 'queued' else 'failed' end,
        error = case when not cancel_requested and attempts >= max_attempts then 'jobs.worker_lost' else error end,
        -- what a reader sees is why the job stopped, not the last progress its lost process reported
        message = case when cancel_requested then message when attempts < max_attempts then 'jobs.requeued_worker_lost'
          else 'jobs.worker_lost' end,
        message_params = case when cancel_requested then message_params else '{}'::jsonb end,
        finished_at = case when cancel_requested or attempts >= max_attempts then now() end,
        worker = null, updated_at = now()
      where status = 'running' and heartbeat_at < now() - make_interval(secs => ${this.options.leaseMs / 1000})
      returning id`;
    return rows.length;
  }

  private async claim(): Promise<Claimed | null> {
    const [job] = await this.sql<Claimed[]>`
      update jobs j set status = 'running', worker = ${this.id}, attempts = j.attempts + 1, heartbeat_at = now(),
        started_at = coalesce(j.started_at, now()), updated_at = now()
      from (select tenant_id, id from jobs where status = 'queued' order by created_at, id limit 1 for update skip locked) next
      where j.tenant_id = next.tenant_id and j.id = next.id
      returning j.tenant_id, j.id::int, j.kind, j.params, j.actor`;
    return job ?? null;
  }

  private async run(job: Claimed, abort: AbortController): Promise<void> {
    const t = job.tenant_id;
    const mine = () => this.sql`tenant_id = ${t} and id = ${job.id} and worker = ${this.id} and status = 'running'`;
    const kind = this.registry.get(job.kind);
    const { locale, ...actor } = job.actor;
    let lastWrite = 0;
    let pending: Pending | null = null;
    const noteCancel = (rows: { cancel_requested: boolean }[]) => {
      // no row: the job is no longer ours (lost to the lease while this process stalled): stop working on it
      if (!rows[0]) abort.abort(new JobStopped('cancelled'));
      else if (rows[0].cancel_requested) abort.abort(new JobStopped('cancelled'));
    };
    const flush = async () => {
      const p = pending;
      pending = null;
      lastWrite = Date.now();
      const rows = p
        ? await this.sql<{ cancel_requested: boolean }[]>`
            update jobs set progress_done = ${p.done}, progress_total = ${p.total}, message = ${p.message},
              message_params = ${p.params === null ? null : this.sql.json(p.params as never)}, heartbeat_at = now(), updated_at = now()
            where ${mine()} returning cancel_requested`
        : await this.sql<{ cancel_requested: boolean }[]>`
            update jobs set heartbeat_at = now() where ${mine()} returning cancel_requested`;
      noteCancel(rows);
    };
    const heartbeat = setInterval(() => {
      flush().catch((e) => this.log('warn', 'job heartbeat failed', e));
    }, this.options.heartbeatMs);
    const progress = async (done: number, total: number | null, msg?: JobMessage) => {
      if (abort.signal.aborted) throw abort.signal.reason;
      pending = { done: Math.max(0, Math.floor(done)), total: total == null ? null : Math.max(0, Math.floor(total)), ...stored(msg) };
      if (Date.now() - lastWrite >= this.options.progressMs || (total != null && done >= total)) await flush();
      if (abort.signal.aborted) throw abort.signal.reason;
    };
    try {
      if (!kind) throw new AppError(500, 'jobs.unknown_kind', { value: job.kind });
      const result = await kind.run(
        { sql: this.sql, actor, locale, ip: null, requestId: `job:${job.id}`, jobId: job.id, signal: abort.signal },
        job.params,
        progress,
      );
      if (abort.signal.aborted) throw abort.signal.reason;
      clearInterval(heartbeat);
      const p = pending as Pending | null;
      // the last message reported, unless none was: then the one written before stays, with its parameters
      const said = p?.message
        ? this.sql`message = ${p.message}, message_params = ${p.params === null ? null : this.sql.json(p.params as never)},`
        : this.sql``;
      await this.sql`
        update jobs set status = 'succeeded', result = ${this.sql.json((result ?? null) as never)},
          progress_done = coalesce(${p?.done ?? null}::int, progress_total, progress_done),
          progress_total = coalesce(${p?.total ?? null}::int, progress_total), ${said}
          finished_at = now(), updated_at = now(), worker = null
        where ${mine()}`;
    } catch (e) {
      clearInterval(heartbeat);
      const stopped = e instanceof JobStopped ? e : abort.signal.aborted ? (abort.signal.reason as JobStopped) : null;
      if (stopped?.reason === 'shutdown') {
        // stopped on purpose: back to the queue without using up an attempt
        await this.sql`
          update jobs set status = 'queued', worker = null, attempts = greatest(attempts - 1, 0), message = 'jobs.requeued_shutdown',
            message_params = '{}'::jsonb, updated_at = now()
          where ${mine()}`;
      } else if (stopped) {
        await this.sql`
          update jobs set status = 'cancelled', worker = null, finished_at = now(), updated_at = now() where ${mine()}`;
      } else {
        // the code, and the reason as a message key and its parameters, put into words in each reader's language
        const code = e instanceof AppError ? (e.fieldErrors[0]?.code ?? e.code) : 'internal';
        const params = e instanceof AppError ? { ...e.params, ...(e.fieldErrors[0]?.params ?? {}) } : {};
        if (!(e instanceof AppError)) this.log('error', `job ${job.id} (${job.kind}) failed`, e);
        await this.sql`
          update jobs set status = 'failed', error = ${code}, message = ${code}, message_params = ${this.sql.json(params as never)},
            worker = null, finished_at = now(), updated_at = now()
          where ${mine()}`;
      }
    }
  }
}
