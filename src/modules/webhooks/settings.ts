/** Delivery settings: THROUGHLINE_WEBHOOK_* in the environment, overridable per app (tests make them fast). */
export interface WebhookSettings {
  /** attempts per delivery before it is marked failed */
  maxAttempts: number;
  /** the delay after the first failed attempt; each further one doubles it (then ±20% jitter) */
  backoffBaseMs: number;
  /** no delay is longer than this */
  backoffMaxMs: number;
  /** a receiver that has not answered in this time fails the attempt */
  timeoutMs: number;
  /** deliveries in flight at once in this process */
  concurrency: number;
  /** the longest the idle worker sleeps before it looks for due deliveries (NOTIFY wakes it sooner) */
  pollMs: number;
  /**
   * Private, loopback and link-local targets are refused (SSRF). `true` allows them all (a closed network);
   * a list allows those addresses or CIDRs only (e.g. ['127.0.0.1'] for tests).
   */
  allowPrivateTargets: boolean | string[];
}

export const DEFAULT_WEBHOOK_SETTINGS: WebhookSettings = {
  maxAttempts: 10,
  backoffBaseMs: 15_000,
  backoffMaxMs: 3_600_000,
  timeoutMs: 10_000,
  concurrency: 8,
  pollMs: 5_000,
  allowPrivateTargets: false,
};

export function webhookSettings(overrides: Partial<WebhookSettings> = {}, env: NodeJS.ProcessEnv = process.env): WebhookSettings {
  const d = DEFAULT_WEBHOOK_SETTINGS;
  return {
    maxAttempts: positive(env.THROUGHLINE_WEBHOOK_MAX_ATTEMPTS, d.maxAttempts),
    backoffBaseMs: positive(env.THROUGHLINE_WEBHOOK_BACKOFF_MS, d.backoffBaseMs),
    backoffMaxMs: positive(env.THROUGHLINE_WEBHOOK_BACKOFF_MAX_MS, d.backoffMaxMs),
    timeoutMs: positive(env.THROUGHLINE_WEBHOOK_TIMEOUT_MS, d.timeoutMs),
    concurrency: positive(env.THROUGHLINE_WEBHOOK_CONCURRENCY, d.concurrency),
    pollMs: positive(env.THROUGHLINE_WEBHOOK_POLL_MS, d.pollMs),
    allowPrivateTargets: parseAllow(env.THROUGHLINE_WEBHOOK_ALLOW_PRIVATE),
    ...overrides,
  };
}

function positive(v: string | undefined, fallback: number): number {
  const n = Number(v);
  return v !== undefined && v.trim() !== '' && Number.isInteger(n) && n > 0 ? n : fallback;
}

function parseAllow(v: string | undefined): boolean | string[] {
  const s = v?.trim();
  if (!s || s === 'false' || s === '0') return false;
  if (s === 'true' || s === '1' || s === 'all') return true;
  return s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
}

/**
 * The delay before attempt `failed + 1` after `failed` failed attempts: base * 2^(failed-1), capped, times a
 * jitter factor in [0.8, 1.2) so that receivers coming back from an outage are not hit by every retry at once.
 * With the factor's range each delay is longer than the one before (until the cap).
 */
export function backoffDelayMs(failed: number, s: Pick<WebhookSettings, 'backoffBaseMs' | 'backoffMaxMs'>, random = Math.random): number {
  const raw = Math.min(s.backoffBaseMs * 2 ** Math.max(0, failed - 1), s.backoffMaxMs);
  return Math.round(raw * (0.8 + 0.4 * random()));
}
