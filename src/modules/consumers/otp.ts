/**
 * One-time codes proving a phone number: six random digits sent by SMS, kept only as a keyed hash, valid for a few
 * minutes, bound to the device that asked, and used once. Sending is limited per phone (a pause between codes and a
 * cap per hour), per device and per address; checking is limited per code (its wrong tries are counted on its row
 * before the comparison, so concurrent guesses cannot exceed the limit) and per phone per hour.
 */
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import type { Sql } from '../../db/connection.ts';
import type { Locale } from '../../http/messages.ts';
import { AppError } from '../../http/problem.ts';
import type { OtpLimits } from './settings.ts';
import type { SmsSender } from './sms.ts';

export interface OtpRequest {
  tenantId: number;
  phone: string;
  phoneHash: Buffer;
  deviceHash: Buffer;
  addressHash: Buffer;
  locale: Locale;
}

function codeHash(key: Buffer, otpPhoneHash: Buffer, code: string): Buffer {
  return createHmac('sha256', key).update(otpPhoneHash).update(':').update(code).digest();
}

function throttledError(retryAfter: number, scope: string): AppError {
  return new AppError(429, 'consumer.otp_throttled', { scope }).withHeader('retry-after', String(Math.max(1, Math.ceil(retryAfter))));
}

export class OtpService {
  constructor(
    private readonly sql: Sql,
    private readonly key: Buffer,
    private readonly sender: SmsSender,
    private readonly limits: OtpLimits,
  ) {}

  /** Sends a code to the phone for the device, unless a limit refuses it (429 with Retry-After). */
  async send(r: OtpRequest): Promise<{ expiresIn: number; resendAfter: number }> {
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    await this.sql.begin(async (tx) => {
      // one send at a time per phone (not per brand: a slow SMS gateway must not hold up other phones), so two
      // sends to one phone at once cannot both pass its limits
      await tx`select pg_advisory_xact_lock(${r.tenantId}, ${r.phoneHash.readInt32BE(0)})`;
      const [n] = await tx<{ phone: number; device: number; address: number; last: Date | null; oldest: Date | null }[]>`
        select
          count(*) filter (where phone_hash = ${r.phoneHash})::int as phone,
          count(*) filter (where device_hash = ${r.deviceHash})::int as device,
          count(*) filter (where address_hash = ${r.addressHash})::int as address,
          max(sent_at) filter (where phone_hash = ${r.phoneHash}) as last,
          min(sent_at) as oldest
        from consumer_otps
        where tenant_id = ${r.tenantId} and sent_at > now() - interval '1 hour'
          and (phone_hash = ${r.phoneHash} or device_hash = ${r.deviceHash} or address_hash = ${r.addressHash})`;
      const hourLeft = n?.oldest ? 3600 - (Date.now() - n.oldest.getTime()) / 1000 : 3600;
      if (n?.last && Date.now() - n.last.getTime() < this.limits.resendSeconds * 1000) {
        throw throttledError(this.limits.resendSeconds - (Date.now() - n.last.getTime()) / 1000, 'resend');
      }
      if ((n?.phone ?? 0) >= this.limits.perPhonePerHour) throw throttledError(hourLeft, 'phone');
      if ((n?.device ?? 0) >= this.limits.perDevicePerHour) throw throttledError(hourLeft, 'device');
      if ((n?.address ?? 0) >= this.limits.perAddressPerHour) throw throttledError(hourLeft, 'address');
      await tx`insert into consumer_otps (tenant_id, phone_hash, device_hash, address_hash, code_hash, expires_at)
        values (${r.tenantId}, ${r.phoneHash}, ${r.deviceHash}, ${r.addressHash}, ${codeHash(this.key, r.phoneHash, code)},
          now() + make_interval(secs => ${this.limits.ttlSeconds}))`;
      const text =
        r.locale === 'en'
          ? `Your verification code is ${code}, valid for ${Math.round(this.limits.ttlSeconds / 60)} minutes. Do not share it.`
          : `您的验证码是 ${code}，${Math.round(this.limits.ttlSeconds / 60)} 分钟内有效，请勿告诉他人。`;
      // the outbox writes in this transaction; a gateway is called before the commit, so a failed send records no code
      try {
        await this.sender.send(tx, { tenantId: r.tenantId, phone: r.phone, text });
      } catch {
        throw new AppError(502, 'consumer.sms_failed');
      }
    });
    return { expiresIn: this.limits.ttlSeconds, resendAfter: this.limits.resendSeconds };
  }

  /**
   * Checks a code for the phone and device: true once for the right code of the latest live code sent to this
   * device; a wrong code answers 400, too many wrong tries 429, no live code 400 (expired or used).
   */
  async check(tenantId: number, phoneHash: Buffer, deviceHash: Buffer, code: string): Promise<void> {
    const [wrong] = await this.sql<{ n: number; oldest: Date | null }[]>`
      select coalesce(sum(attempts), 0)::int as n, min(sent_at) as oldest from consumer_otps
      where tenant_id = ${tenantId} and phone_hash = ${phoneHash} and sent_at > now() - interval '1 hour' and used_at is null`;
    if ((wrong?.n ?? 0) >= this.limits.wrongPerPhonePerHour) {
      throw throttledError(wrong?.oldest ? 3600 - (Date.now() - wrong.oldest.getTime()) / 1000 : 3600, 'phone');
    }
    // count the try first (atomically, under the per-code limit), then compare
    const [otp] = await this.sql<{ id: string; code_hash: Buffer; attempts: number }[]>`
      update consumer_otps set attempts = attempts + 1
      where tenant_id = ${tenantId} and id = (
        select id from consumer_otps where tenant_id = ${tenantId} and phone_hash = ${phoneHash} and device_hash = ${deviceHash}
          and used_at is null and expires_at > now() order by id desc limit 1)
        and attempts < ${this.limits.triesPerCode}
      returning id::text, code_hash, attempts`;
    if (!otp) {
      const [dead] = await this.sql`
        select 1 from consumer_otps where tenant_id = ${tenantId} and phone_hash = ${phoneHash} and device_hash = ${deviceHash}
          and used_at is null and expires_at > now() and attempts >= ${this.limits.triesPerCode}`;
      if (dead) throw new AppError(429, 'consumer.otp_too_many_tries');
      throw AppError.field('/body/code', 'consumer.otp_expired');
    }
    const given = codeHash(this.key, phoneHash, code);
    if (!timingSafeEqual(given, otp.code_hash)) throw AppError.field('/body/code', 'consumer.otp_wrong');
    // right: used once (a concurrent check of the same right code loses here); its try does not count as wrong
    const [used] = await this.sql`
      update consumer_otps set used_at = now(), attempts = attempts - 1 where tenant_id = ${tenantId} and id = ${otp.id} and used_at is null returning 1`;
    if (!used) throw AppError.field('/body/code', 'consumer.otp_expired');
  }
}
