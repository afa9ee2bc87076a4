/**
 * The kinds of job an app knows: each names its parameters (a TypeBox schema, validated like a request body: strict,
 * defaults filled in), the action a caller needs to start it, and its handler. A handler gets the starter's context
 * (so it sees what the starter sees), its parameters and a `progress(done, total, message)` to report with (the message as a key and parameters, JobMessage); it returns
 * the job's result (JSON). Progress also tells the handler to stop: it throws JobStopped once the job is cancelled or
 * its process is stopping, so a long run ends at its next report.
 */
import type { TSchema } from '@sinclair/typebox';
import Ajv, { type ValidateFunction } from 'ajv';
import type { RequestContext } from '../../context.ts';
import { AppError } from '../../http/problem.ts';
import { ajvToFieldErrors } from '../../http/validation.ts';
import type { Action } from '../../modules/auth/roles.ts';

/**
 * What a job says about where it is: a message key (src/http/messages.ts) and its parameters, kept as such and put
 * into words in the language of whoever reads the job; a plain string is shown as written to everyone (a name, a
 * number: text that has no language).
 */
export type JobMessage = { key: string; params?: Record<string, unknown> } | string;

export type ReportProgress = (done: number, total: number | null, message?: JobMessage) => Promise<void>;

export interface JobContext extends RequestContext {
  jobId: number;
  /** aborted when the job is cancelled or its process stops */
  signal: AbortSignal;
}

export interface JobKind<P = unknown, R = unknown> {
  kind: string;
  params: TSchema;
  /** the action (roles.ts) a caller needs to start one */
  access: Action;
  /** runs a job left running by a dead process gets (default 2: one retry) */
  maxAttempts?: number;
  /** checks against the database before the job is queued (unknown ids): throws an AppError naming the field */
  check?(ctx: RequestContext, params: P, pointer: string): Promise<void>;
  run(ctx: JobContext, params: P, progress: ReportProgress): Promise<R>;
}

/** Thrown by `progress` when the job must stop: `reason` says whether it was cancelled or its process is stopping. */
export class JobStopped extends Error {
  constructor(readonly reason: 'cancelled' | 'shutdown') {
    super(`job stopped: ${reason}`);
  }
}

const ajv = new Ajv.default({ allErrors: true, removeAdditional: false, useDefaults: true, strict: false, coerceTypes: false });
ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/);

export class JobRegistry {
  private readonly kinds = new Map<string, { kind: JobKind; validate: ValidateFunction }>();

  register<P, R>(kind: JobKind<P, R>): void {
    if (this.kinds.has(kind.kind)) throw new Error(`job kind ${kind.kind} is registered twice`);
    this.kinds.set(kind.kind, { kind: kind as JobKind, validate: ajv.compile(kind.params) });
  }

  get(kind: string): JobKind | undefined {
    return this.kinds.get(kind)?.kind;
  }

  names(): string[] {
    return [...this.kinds.keys()].sort();
  }

  /** The parameters with their defaults, or a 400 naming each bad field under `pointer`. */
  validate(kind: string, params: unknown, pointer = '/body/params'): Record<string, unknown> {
    const k = this.kinds.get(kind);
    if (!k) throw AppError.field('/body/kind', 'jobs.unknown_kind', { value: kind });
    const copy = structuredClone(params ?? {});
    if (!k.validate(copy)) {
      throw AppError.invalid(
        ajvToFieldErrors(k.validate.errors ?? [], 'body').map((e) => ({ ...e, pointer: e.pointer.replace(/^\/body/, pointer) })),
      );
    }
    return copy as Record<string, unknown>;
  }
}
