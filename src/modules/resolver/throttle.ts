/**
 * Throttle for guessing hidden verification codes (8 digits): wrong tries are counted over a sliding hour under the
 * code, the device and the address; once any of them reaches its limit, further tries (right or wrong) are refused
 * with the time until the oldest counted failure leaves the window. Kept in PostgreSQL so every app node sees it.
 */
import type { Db } from '../../context.ts';
import { AppError } from '../../http/problem.ts';
import type { CodeFacts, Resolution } from './resolve.ts';

export interface ThrottleLimits {
  perCode: number;
  perDevice: number;
  perAddress: number;
  windowSeconds: number;
}

export const DEFAULT_THROTTLE: ThrottleLimits = { perCode: 5, perDevice: 20, perAddress: 50, windowSeconds: 3600 };

export interface Subjects {
  code: string;
  device: string | null;
  /** hex of the address hash */
  address: string;
}

export type ThrottleScope = 'code' | 'device' | 'address';

/** The scope that is over its limit and the seconds until a try is allowed again, or null. */
export async function throttled(
  sql: Db,
  s: Subjects,
  limits: ThrottleLimits,
): Promise<{ scope: ThrottleScope; retryAfter: number } | null> {
  const [stop] = await throttledMany(sql, [s], limits);
  return stop ?? null;
}

/** throttled for many tries at once (a batch of claims), in one statement; index-aligned. */
export async function throttledMany(
  sql: Db,
  tries: readonly Subjects[],
  limits: ThrottleLimits,
): Promise<({ scope: ThrottleScope; retryAfter: number } | null)[]> {
  // three index ranges per try (scope, subject, failed_at)
  const rows = await sql<{ i: string; scope: string; n: number; oldest: Date }[]>`
    select q.i::text, x.scope, x.n, x.oldest
    from unnest(${tries.map((s) => s.code)}::text[], ${tries.map((s) => s.device ?? '')}::text[], ${tries.map((s) => s.address)}::text[])
      with ordinality as q(code, device, address, i)
    cross join lateral (
      select 'c' as scope, count(*)::int as n, min(failed_at) as oldest from verification_failures
        where scope = 'c' and subject = q.code and failed_at > now() - make_interval(secs => ${limits.windowSeconds})
      union all
      select 'd', count(*)::int, min(failed_at) from verification_failures
        where scope = 'd' and subject = q.device and failed_at > now() - make_interval(secs => ${limits.windowSeconds})
      union all
      select 'a', count(*)::int, min(failed_at) from verification_failures
        where scope = 'a' and subject = q.address and failed_at > now() - make_interval(secs => ${limits.windowSeconds})
    ) x
    where x.n > 0`;
  const limitOf: Record<string, [ThrottleScope, number]> = {
    c: ['code', limits.perCode],
    d: ['device', limits.perDevice],
    a: ['address', limits.perAddress],
  };
  const stops: ({ scope: ThrottleScope; retryAfter: number } | null)[] = tries.map(() => null);
  for (const r of rows) {
    const k = Number(r.i) - 1;
    const [scope, limit] = limitOf[r.scope.trim()] ?? ['code', Number.POSITIVE_INFINITY];
    if (stops[k] === null && r.n >= limit) {
      const retryAfter = Math.max(1, Math.ceil((r.oldest.getTime() + limits.windowSeconds * 1000 - Date.now()) / 1000));
      stops[k] = { scope, retryAfter };
    }
  }
  return stops;
}

/** Counts one wrong try against the code, the device (if known) and the address. */
export async function recordFailure(sql: Db, s: Subjects): Promise<void> {
  const scopes = s.device ? ['c', 'd', 'a'] : ['c', 'a'];
  const subjects = s.device ? [s.code, s.device, s.address] : [s.code, s.address];
  await sql`insert into verification_failures (scope, subject) select * from unnest(${scopes}::text[], ${subjects}::text[])`;
}

/**
 * The gate every hidden-code check passes (POST .../verify and .../claim): refused with 429 and Retry-After while
 * the code, device or address is over its limit; an unknown code counts as a wrong try and is refused with 404.
 * Returns the code's facts and the subjects a wrong code is then counted against.
 */
export async function gateVerification(
  sql: Db,
  limits: ThrottleLimits,
  r: Resolution,
  path: { gtin: string; serial: string },
  device: string | null,
  ipHash: Buffer,
): Promise<{ facts: CodeFacts; subjects: Subjects }> {
  const subjects = {
    code: r.kind === 'known' ? r.facts.epc : r.kind === 'unknown' ? r.epc : `${path.gtin}/${path.serial}`,
    device,
    address: ipHash.toString('hex'),
  };
  const stop = await throttled(sql, subjects, limits);
  if (stop) {
    throw new AppError(429, 'consumer.verify_throttled', { scope: stop.scope }, [], {
      scope: stop.scope,
      retryAfter: stop.retryAfter,
    }).withHeader('retry-after', String(stop.retryAfter));
  }
  if (r.kind !== 'known') {
    await recordFailure(sql, subjects);
    throw new AppError(404, 'consumer.code_unknown');
  }
  return { facts: r.facts, subjects };
}
