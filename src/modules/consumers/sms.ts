/**
 * Sending text messages to phones. A provider is an interface (SmsSender); the one configured is chosen by
 * settings: the outbox (development and tests: the message is written to sms_outbox, recipient hashed and
 * encrypted) or an HTTP gateway (POST {to, text} with a bearer token). Nothing here logs a number or a message.
 */
import type { Db } from '../../context.ts';
import type { IdentifierKind } from './identity.ts';
import { sealPhone } from './privacy.ts';
import type { SmsSettings } from './settings.ts';

export interface SmsMessage {
  tenantId: number;
  phone: string;
  text: string;
}

export interface SmsSender {
  /** Sends one message; throws when the provider refuses or cannot be reached. */
  send(db: Db, m: SmsMessage): Promise<void>;
}

export class OutboxSmsSender implements SmsSender {
  constructor(
    private readonly masterKey: Buffer,
    private readonly hash: (kind: IdentifierKind, value: string) => Buffer,
  ) {}

  async send(db: Db, m: SmsMessage): Promise<void> {
    await db`insert into sms_outbox (tenant_id, to_hash, to_enc, body)
      values (${m.tenantId}, ${this.hash('phone', m.phone)}, ${sealPhone(this.masterKey, m.tenantId, m.phone)}, ${m.text})`;
  }
}

export class HttpSmsSender implements SmsSender {
  constructor(
    private readonly url: string,
    private readonly token: string | undefined,
  ) {}

  async send(_db: Db, m: SmsMessage): Promise<void> {
    const r = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
      body: JSON.stringify({ to: m.phone, text: m.text }),
      signal: AbortSignal.timeout(5000),
    });
    await r.arrayBuffer();
    if (!r.ok) throw new Error(`SMS gateway answered ${r.status}`);
  }
}

export function smsSender(settings: SmsSettings, masterKey: Buffer, hash: (kind: IdentifierKind, value: string) => Buffer): SmsSender {
  if (settings.provider === 'http') {
    if (!settings.url) throw new Error('THROUGHLINE_SMS_PROVIDER=http needs THROUGHLINE_SMS_URL');
    return new HttpSmsSender(settings.url, settings.token);
  }
  return new OutboxSmsSender(masterKey, hash);
}
