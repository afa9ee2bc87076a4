import { randomUUID } from 'node:crypto';
import type { Sql } from '../../src/db/connection.ts';

/** A consumer's phone browser: its own cookies (device, consumer session) and address, JSON in and out. */
export class ConsumerDevice {
  readonly cookies = new Map<string, string>();

  constructor(
    private readonly baseUrl: () => string,
    readonly address = `198.51.100.${1 + Math.floor(Math.random() * 250)}`,
    deviceId: string | null = randomUUID(),
  ) {
    if (deviceId) this.cookies.set('tl_device', deviceId);
  }

  get deviceId(): string | undefined {
    return this.cookies.get('tl_device');
  }

  /** `csrf`: send the CSRF header (writes do, unless a test checks its absence) */
  async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, csrf = method !== 'GET') {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const r = await fetch(`${this.baseUrl()}${path}`, {
      method,
      headers: {
        'x-forwarded-for': this.address,
        ...(cookie ? { cookie } : {}),
        ...(csrf ? { 'x-throughline-csrf': '1' } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    for (const c of r.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [k, v] = (pair ?? '').split('=');
      if (!k) continue;
      if (v === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(c)) this.cookies.delete(k);
      else this.cookies.set(k, v ?? '');
    }
    const text = await r.text();
    // biome-ignore lint/suspicious/noExplicitAny: tests read answers field by field
    const json: Record<string, any> = text && (r.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : {};
    return { status: r.status, headers: r.headers, body: json, text };
  }
}

/** The code in the latest message the SMS outbox holds for a phone (found by its keyed hash). */
export async function lastSmsCode(sql: Sql, toHash: Buffer): Promise<string | null> {
  const [m] = await sql<{ body: string }[]>`select body from sms_outbox where to_hash = ${toHash} order by id desc limit 1`;
  return m ? (/\d{6}/.exec(m.body)?.[0] ?? null) : null;
}

/**
 * Signs a device in with a phone: asks for a code, reads it from the outbox, sends it back. Codes sent to the phone
 * before are aged past the pause between two codes, as if a minute had passed.
 */
export async function signInWithPhone(device: ConsumerDevice, sql: Sql, phoneHash: Buffer, phone: string, brand = 'demo') {
  await sql`update consumer_otps set sent_at = sent_at - interval '61 seconds' where phone_hash = ${phoneHash}`;
  const sent = await device.call('POST', `/api/v1/me/otp?brand=${brand}`, { phone });
  if (sent.status !== 202) throw new Error(`otp send: ${sent.status} ${sent.text}`);
  const code = await lastSmsCode(sql, phoneHash);
  const r = await device.call('POST', `/api/v1/me/otp/verify?brand=${brand}`, { phone, code });
  if (r.status !== 200) throw new Error(`otp verify: ${r.status} ${r.text}`);
  return r.body as { signedIn: boolean; merged: boolean };
}
