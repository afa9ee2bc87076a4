/**
 * The webhook signature (Stripe's scheme, docs/WEBHOOKS.md): `x-throughline-signature: t=<unix seconds>,v1=<hex>`
 * where hex = HMAC-SHA256(secret, `${t}.${body}`). During a secret rotation's grace period a second `v1=` signs
 * with the previous secret. Receivers recompute, compare in constant time and refuse old timestamps (replays).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SECRET_PREFIX = 'whsec_';

/** A new signing secret: 256 random bits, base64url, with a prefix that makes it recognisable in a leak scan. */
export function newWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64url');
}

export function signPayload(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** The header value for a body sent at `timestamp` (unix seconds), signed with each secret given. */
export function signatureHeader(secrets: string[], timestamp: number, body: string): string {
  return [`t=${timestamp}`, ...secrets.map((s) => `v1=${signPayload(s, timestamp, body)}`)].join(',');
}

/**
 * What a receiver does (exported for tests and as the reference for integrators): true when one of the header's
 * v1 signatures is the body's under `secret` and the timestamp is within `toleranceSeconds` of `now`.
 */
export function verifySignature(
  secret: string,
  header: string,
  body: string,
  opts: { toleranceSeconds?: number; now?: number } = {},
): boolean {
  const parts = header.split(',').map((p) => p.trim().split('=', 2) as [string, string | undefined]);
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  if (!Number.isInteger(t)) return false;
  const now = opts.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - t) > (opts.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signPayload(secret, t, body), 'hex');
  return parts.some(([k, v]) => {
    if (k !== 'v1' || !v || !/^[0-9a-f]{64}$/.test(v)) return false;
    return timingSafeEqual(expected, Buffer.from(v, 'hex'));
  });
}
