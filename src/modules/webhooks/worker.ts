/**
 * The delivery worker, in the server process (started when the app is ready, stopped when it closes).
 *
 * A job is a pending `webhook_deliveries` row whose `next_attempt_at` has come. A claim takes due rows with
 * `FOR UPDATE SKIP LOCKED` (so any number of app nodes share the work without taking a row twice), counts the
 * attempt and moves `next_attempt_at` to the end of a lease; the POST happens outside any transaction; the
 * outcome is written with the attempt's log row in one transaction. A node that dies mid-attempt leaves the
 * row pending: it is due again when the lease ends (at-least-once delivery; receivers dedupe on the event id).
 * The worker sleeps until the next delivery is due (at most `pollMs`) or until a NOTIFY on `tl_webhooks`,
 * which `emitWebhookEvent` and replays send at commit.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Sql } from '../../db/connection.ts';
import { WEBHOOK_CHANNEL } from './events.ts';
import { openSecret } from './secret-box.ts';
import { backoffDelayMs, type WebhookSettings, webhookSettings } from './settings.ts';
import { signatureHeader } from './signature.ts';
import { hostOf, TargetGuard } from './targets.ts';

const USER_AGENT = 'Throughline-Webhooks/1.0';
const EXCERPT_BYTES = 512;

interface Claimed {
  tenant_id: number;
  id: number;
  event_id: string;
  event_type: string;
  attempts: number;
  body: string;
  url: string;
  active: boolean;
  secret_sealed: Buffer;
  previous_secret_sealed: Buffer | null;
  previous_valid: boolean;
}

export interface AttemptOutcome {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  excerpt: string | null;
  durationMs: number;
}

export class WebhookWorker {
  readonly settings: WebhookSettings;
  private readonly guard: TargetGuard;
  private running = false;
  private ticking = false;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private unlisten: (() => Promise<void>) | undefined;

  constructor(
    private readonly sql: Sql,
    private readonly masterKey: Buffer,
    settings: Partial<WebhookSettings> = {},
    private readonly log: (level: 'warn' | 'error', msg: string, err?: unknown) => void = () => {},
  ) {
    this.settings = webhookSettings(settings);
    this.guard = new TargetGuard(this.settings.allowPrivateTargets);
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const listener = await this.sql.listen(WEBHOOK_CHANNEL, () => this.wake());
    this.unlisten = listener.unlisten;
    this.wake();
  }

  /** Stops claiming and waits for the attempts in flight (each ends within the timeout). */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearTimeout(this.timer);
    await this.unlisten?.().catch(() => {});
    while (this.inFlight.size || this.ticking) {
      await Promise.allSettled([...this.inFlight]);
      if (this.ticking) await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Look for due deliveries now. */
  wake(): void {
    if (!this.running) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = undefined;
    this.ticking = true;
    this.tick()
      .catch((e) => this.log('error', 'webhook worker: claim failed', e))
      .finally(() => {
        this.ticking = false;
        if (this.again) {
          this.again = false;
          this.wake();
        } else this.sleep().catch((e) => this.log('error', 'webhook worker: schedule failed', e));
      });
  }

  private async tick(): Promise<void> {
    const free = this.settings.concurrency - this.inFlight.size;
    if (free <= 0 || !this.running) return;
    const leaseMs = this.settings.timeoutMs * 2 + 30_000;
    const rows = await this.sql<Claimed[]>`
      with c as (
        select tenant_id, id from webhook_deliveries
        where status = 'pending' and next_attempt_at <= now()
        order by next_attempt_at limit ${free} for update skip locked
      )
      update webhook_deliveries d set attempts = d.attempts + 1, next_attempt_at = now() + ${leaseMs} * interval '1 millisecond'
      from c, webhook_events e, webhook_subscriptions s
      where d.tenant_id = c.tenant_id and d.id = c.id
        and e.tenant_id = d.tenant_id and e.id = d.event_id
        and s.tenant_id = d.tenant_id and s.id = d.subscription_id
      returning d.tenant_id, d.id, d.event_id, d.event_type, d.attempts, e.body, s.url, s.active, s.secret_sealed,
        s.previous_secret_sealed, coalesce(s.previous_secret_expires_at > now(), false) as previous_valid`;
    for (const row of rows) {
      const p: Promise<void> = this.run(row)
        .catch((e) => this.log('error', `webhook worker: delivery ${row.id} failed to record`, e))
        .finally(() => {
          this.inFlight.delete(p);
          this.wake();
        });
      this.inFlight.add(p);
    }
    // a full batch: there may be more due
    if (rows.length === free && rows.length > 0) this.again = true;
  }

  /** Sleeps until the next pending delivery is due, at most pollMs. */
  private async sleep(): Promise<void> {
    if (!this.running || this.inFlight.size >= this.settings.concurrency) return;
    const [next] = await this.sql<{ ms: number | null }[]>`
      select extract(epoch from (min(next_attempt_at) - now())) * 1000 as ms
      from webhook_deliveries where status = 'pending'`;
    if (!this.running || this.ticking || this.timer) return;
    const due = next?.ms == null ? this.settings.pollMs : Math.max(0, Math.min(Number(next.ms), this.settings.pollMs));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.wake();
    }, due + 5);
    this.timer.unref?.();
  }

  private async run(row: Claimed): Promise<void> {
    const startedAt = new Date();
    if (!row.active) {
      // paused after the event was queued: not sent (a replay once it is active again sends it)
      await this.sql`update webhook_deliveries set status = 'cancelled', attempts = attempts - 1, next_attempt_at = null,
          last_error = 'subscription inactive', completed_at = now()
        where tenant_id = ${row.tenant_id} and id = ${row.id} and attempts = ${row.attempts}`;
      return;
    }
    const secrets = [openSecret(this.masterKey, row.tenant_id, row.secret_sealed)];
    if (row.previous_valid && row.previous_secret_sealed)
      secrets.push(openSecret(this.masterKey, row.tenant_id, row.previous_secret_sealed));
    const outcome = await this.post(row, secrets);
    const last = row.attempts >= this.settings.maxAttempts;
    const delay = outcome.ok || last ? null : backoffDelayMs(row.attempts, this.settings);
    const status = outcome.ok ? 'succeeded' : last ? 'failed' : 'pending';
    await this.sql.begin(async (t) => {
      const tx = t as unknown as Sql;
      const [d] = await tx<{ next: Date | null }[]>`
        update webhook_deliveries set status = ${status},
          next_attempt_at = ${delay == null ? null : tx`now() + ${delay} * interval '1 millisecond'`},
          last_attempt_at = ${startedAt}, last_status_code = ${outcome.statusCode}, last_error = ${outcome.error},
          completed_at = ${status === 'pending' ? null : tx`now()`}
        where tenant_id = ${row.tenant_id} and id = ${row.id} and attempts = ${row.attempts} and status = 'pending'
        returning next_attempt_at as next`;
      // logged while the delivery exists (it goes with its subscription); an attempt whose lease ran out and was
      // taken over is still logged, under its own number
      await tx`insert into webhook_attempts (tenant_id, delivery_id, attempt, started_at, duration_ms, status_code, error,
          response_excerpt, next_attempt_at)
        select ${row.tenant_id}, ${row.id}, ${row.attempts}, ${startedAt}, ${outcome.durationMs}, ${outcome.statusCode},
          ${outcome.error}, ${outcome.excerpt}, ${d?.next ?? null}
        where exists (select 1 from webhook_deliveries where tenant_id = ${row.tenant_id} and id = ${row.id})
        on conflict do nothing`;
    });
  }

  /** One POST of the event's body; 2xx is success, anything else (or no answer in time) a failed attempt. */
  private post(row: Claimed, secrets: string[]): Promise<AttemptOutcome> {
    const started = performance.now();
    const done = (o: Omit<AttemptOutcome, 'durationMs'>): AttemptOutcome => ({ ...o, durationMs: Math.round(performance.now() - started) });
    return new Promise((resolve) => {
      let url: URL;
      try {
        url = new URL(row.url);
      } catch {
        return resolve(done({ ok: false, statusCode: null, error: 'invalid URL', excerpt: null }));
      }
      const host = hostOf(url);
      if (net.isIP(host) && !this.guard.allows(host)) {
        return resolve(done({ ok: false, statusCode: null, error: `${host} is a private or loopback address (refused)`, excerpt: null }));
      }
      const t = Math.floor(Date.now() / 1000);
      const body = Buffer.from(row.body, 'utf8');
      const request = url.protocol === 'https:' ? https.request : http.request;
      let settled = false;
      const finish = (o: Omit<AttemptOutcome, 'durationMs'>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(done(o));
      };
      const req = request(url, {
        method: 'POST',
        agent: false,
        lookup: this.guard.lookup(),
        headers: {
          'content-type': 'application/json',
          'content-length': String(body.length),
          'user-agent': USER_AGENT,
          'x-throughline-event': row.event_type,
          'x-throughline-event-id': row.event_id,
          'x-throughline-delivery': String(row.id),
          'x-throughline-attempt': String(row.attempts),
          'x-throughline-timestamp': String(t),
          'x-throughline-signature': signatureHeader(secrets, t, row.body),
        },
      });
      const timer = setTimeout(() => {
        req.destroy();
        finish({ ok: false, statusCode: null, error: `no answer within ${this.settings.timeoutMs} ms`, excerpt: null });
      }, this.settings.timeoutMs);
      req.on('error', (e: NodeJS.ErrnoException) =>
        finish({ ok: false, statusCode: null, error: e.message || e.code || 'request failed', excerpt: null }),
      );
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const end = () => {
          const code = res.statusCode ?? 0;
          const excerpt = Buffer.concat(chunks).subarray(0, EXCERPT_BYTES).toString('utf8') || null;
          finish({ ok: code >= 200 && code < 300, statusCode: code, error: code >= 200 && code < 300 ? null : `HTTP ${code}`, excerpt });
          res.destroy();
        };
        res.on('data', (c: Buffer) => {
          if (size < EXCERPT_BYTES) chunks.push(c);
          size += c.length;
          if (size >= EXCERPT_BYTES) end();
        });
        res.on('end', end);
        res.on('error', end);
      });
      req.end(body);
    });
  }
}
