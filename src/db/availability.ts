import type { Sql } from './connection.ts';

/**
 * Errors that mean "the database cannot be reached now" rather than "this statement is wrong": the socket's
 * (refused, reset, timed out, no route), postgres.js's (connection closed, ended or timed out) and PostgreSQL's
 * (connection exceptions, class 08; shutting down, 57P01-57P03; too many connections, 53300).
 */
const OUTAGE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'CONNECTION_CLOSED',
  'CONNECTION_DESTROYED',
  'CONNECTION_ENDED',
  'CONNECT_TIMEOUT',
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);

export function outageCode(e: unknown, depth = 0): string | undefined {
  if (!e || typeof e !== 'object' || depth > 3) return undefined;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && (OUTAGE_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return code;
  // a server reached by its Unix socket (the embedded one) that is down has no socket file: ENOENT, but only on
  // PostgreSQL's socket path (any other missing file is a fault, not an outage)
  const address = (e as { address?: unknown }).address;
  if (code === 'ENOENT' && typeof address === 'string' && /\/\.s\.PGSQL\.\d+$/.test(address)) return code;
  const errors = (e as { errors?: unknown }).errors;
  if (Array.isArray(errors)) {
    for (const inner of errors) {
      const c = outageCode(inner, depth + 1);
      if (c) return c;
    }
  }
  return outageCode((e as { cause?: unknown }).cause, depth + 1);
}

export function isDatabaseUnavailable(e: unknown): boolean {
  return outageCode(e) !== undefined;
}

/**
 * Whether the database is reachable, as the last statements found it. The first error that says it is not
 * marks it down; from then on requests that need it are answered 503 at once (no request waits for a
 * connection attempt, however the network fails), while one probe at a time checks it again every
 * `probeMs`. The first probe that succeeds marks it up: the service recovers without a restart.
 */
export class DatabaseAvailability {
  private downSince: number | null = null;
  private lastReason = '';
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly sql: Sql,
    private readonly opts: { probeMs?: number; onChange?: (up: boolean, reason: string) => void } = {},
  ) {}

  /** Seconds a client should wait before it tries again (the Retry-After of a 503). */
  readonly retryAfterSeconds = 2;

  get down(): boolean {
    return this.downSince !== null;
  }

  get reason(): string {
    return this.lastReason;
  }

  /** Looks at an error from a statement: true when it means the database is unreachable (and marks it down). */
  observe(err: unknown): boolean {
    const code = outageCode(err);
    if (code === undefined) return false;
    this.lastReason = code;
    if (this.downSince === null && !this.closed) {
      this.downSince = Date.now();
      this.opts.onChange?.(false, code);
      this.schedule();
    }
    return true;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => void this.probe(), this.opts.probeMs ?? 500);
    this.timer.unref();
  }

  private async probe(): Promise<void> {
    try {
      // waits for the connection attempt (at most the pool's connect timeout); no second probe meanwhile
      await this.sql`select 1`;
      this.timer = null;
      if (this.downSince !== null) {
        const downMs = Date.now() - this.downSince;
        this.downSince = null;
        this.opts.onChange?.(true, `${this.lastReason}, down ${downMs} ms`);
      }
    } catch (e) {
      this.lastReason = outageCode(e) ?? (e as Error).message;
      this.timer = null;
      this.schedule();
    }
  }
}
