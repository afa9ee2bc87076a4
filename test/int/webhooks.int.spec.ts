import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '../../src/db/connection.ts';
import { buildApp } from '../../src/http/app.ts';
import { emitWebhookEvent, verifySignature, type WebhookEventType } from '../../src/modules/webhooks/index.ts';
import { TargetGuard } from '../../src/modules/webhooks/targets.ts';
import { loginAs } from '../support/app.ts';
import { createTestDb, type TestDb } from '../support/db.ts';

/**
 * Webhooks end to end: a real local receiver (node:http) behind subscriptions made through the API, events
 * emitted in real transactions, the in-process worker delivering with a fast backoff (base 200 ms, 3 attempts).
 */
const BASE_MS = 200;

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

let server: { baseUrl: string; db: TestDb; close(): Promise<void> };
let receiver: http.Server;
let hookBase: string;
const received: Received[] = [];
/** status codes a path answers with, in turn (the last one repeats) */
const script: Record<string, number[]> = { '/ok': [200], '/flaky': [500, 500, 200], '/down': [500], '/other': [204], '/rotated': [200] };
const served: Record<string, number> = {};
let admin: string;
let otherAdmin: string;
let store: string;
let demoId: number;
let otherId: number;

async function call(method: string, path: string, body?: unknown, as = admin, lang = 'en') {
  const r = await fetch(`${server.baseUrl}${path}`, {
    method,
    headers: {
      ...(as ? { authorization: `Bearer ${as}` } : {}),
      'accept-language': lang,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  // biome-ignore lint/suspicious/noExplicitAny: answers are read field by field and checked by the assertions
  return { status: r.status, type: r.headers.get('content-type') ?? '', body: (text ? JSON.parse(text) : null) as Record<string, any> };
}

async function emit(tenantId: number, type: WebhookEventType, data: Record<string, unknown>) {
  return server.db.sql.begin((tx) => emitWebhookEvent(tx as unknown as Sql, tenantId, type, data));
}

async function until<T>(what: string, f: () => T | undefined | Promise<T | undefined>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const at = (path: string) => received.filter((r) => r.path === path);
const eventIdOf = (r: Received) => (JSON.parse(r.body) as { id: string }).id;

async function subscribe(path: string, events: string[], as = admin) {
  const r = await call('POST', '/api/v1/webhooks', { url: `${hookBase}${path}`, events, description: `test ${path}` }, as);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as { id: number; secret: string; url: string; events: string[] };
}

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      const list = script[path] ?? [404];
      const n = served[path] ?? 0;
      served[path] = n + 1;
      res.statusCode = list[Math.min(n, list.length - 1)] ?? 404;
      res.end(res.statusCode < 300 ? 'ok' : 'nope');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  hookBase = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  const db = await createTestDb();
  const { app } = await buildApp({
    sql: db.sql,
    loginRateLimit: 1000,
    // the receiver is on loopback: allowed here by address, every other private target stays refused
    webhooks: {
      allowPrivateTargets: ['127.0.0.1'],
      backoffBaseMs: BASE_MS,
      backoffMaxMs: 10_000,
      maxAttempts: 3,
      timeoutMs: 3000,
      pollMs: 250,
    },
  });
  server = {
    baseUrl: await app.listen({ port: 0, host: '127.0.0.1' }),
    db,
    close: async () => {
      await app.close();
      await db.drop();
    },
  };
  [admin, otherAdmin, store] = await Promise.all([
    loginAs(server.baseUrl, 'admin'),
    loginAs(server.baseUrl, 'admin', 'other'),
    loginAs(server.baseUrl, 'store'),
  ]);
  const tenants = await server.db.sql<{ id: number; code: string }[]>`select id, code from tenants where code in ('demo', 'other')`;
  demoId = tenants.find((t) => t.code === 'demo')?.id as number;
  otherId = tenants.find((t) => t.code === 'other')?.id as number;
});

afterAll(async () => {
  await server?.close();
  await new Promise((r) => receiver?.close(r));
});

describe('subscriptions', () => {
  it('are created with a secret shown once, listed without it, and audited without it', async () => {
    const sub = await subscribe('/ok', ['order.placed', 'order.approved', 'webhook.ping']);
    expect(sub.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(sub.events).toEqual(['order.approved', 'order.placed', 'webhook.ping']);
    const list = await call('GET', '/api/v1/webhooks');
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.body)).not.toContain(sub.secret);
    expect(list.body.items.map((s: { id: number }) => s.id)).toContain(sub.id);
    const one = await call('GET', `/api/v1/webhooks/${sub.id}`);
    expect(one.body).not.toHaveProperty('secret');
    const audit = await server.db.sql<{ action: string; details: object }[]>`
      select action, details from audit_log where entity_type = 'webhook_subscription' and entity_id = ${String(sub.id)}`;
    expect(audit.map((a) => a.action)).toEqual(['webhook.create']);
    expect(JSON.stringify(audit)).not.toContain(sub.secret);
    // the secret is sealed at rest, not stored as such
    const [row] = await server.db.sql<{ s: Buffer }[]>`select secret_sealed as s from webhook_subscriptions where id = ${sub.id}`;
    expect(row?.s.toString('latin1')).not.toContain(sub.secret);
  });

  it('refuse bad input with problem+json, a pointer per field and stable codes, and store nothing', async () => {
    const before = (await call('GET', '/api/v1/webhooks')).body.items.length;
    const cases: [unknown, { pointer: string; code: string }[]][] = [
      [{ url: 'not a url', events: ['order.placed'] }, [{ pointer: '/body/url', code: 'webhooks.url_invalid' }]],
      [{ url: 'ftp://hooks.example.com/x', events: ['order.placed'] }, [{ pointer: '/body/url', code: 'webhooks.url_scheme' }]],
      [
        { url: 'https://user:pw@hooks.example.com/x', events: ['order.placed'] },
        [{ pointer: '/body/url', code: 'webhooks.url_credentials' }],
      ],
      [{ url: 'http://10.1.2.3/hook', events: ['order.placed'] }, [{ pointer: '/body/url', code: 'webhooks.url_private' }]],
      [{ url: 'http://169.254.169.254/latest/meta-data', events: ['*'] }, [{ pointer: '/body/url', code: 'webhooks.url_private' }]],
      [{ url: 'http://127.0.0.2:8080/hook', events: ['*'] }, [{ pointer: '/body/url', code: 'webhooks.url_private' }]],
      [{ url: 'http://0.0.0.0/hook', events: ['*'] }, [{ pointer: '/body/url', code: 'webhooks.url_private' }]],
      [{ url: 'http://[::1]:8080/hook', events: ['*'] }, [{ pointer: '/body/url', code: 'webhooks.url_private' }]],
      [{ url: 'http://[::ffff:192.168.0.1]/hook', events: ['*'] }, [{ pointer: '/body/url', code: 'webhooks.url_private' }]],
      [{ url: 'http://2130706434/hook', events: ['*'] }, [{ pointer: '/body/url', code: 'webhooks.url_private' }]],
      [
        { url: 'http://192.168.1.10/hook', events: ['order.placed', 'order.exploded'] },
        [
          { pointer: '/body/url', code: 'webhooks.url_private' },
          { pointer: '/body/events/1', code: 'webhooks.event_type_unknown' },
        ],
      ],
      [{ url: 'https://hooks.example.com/x' }, [{ pointer: '/body/events', code: 'field.required' }]],
      [{ url: 'https://hooks.example.com/x', events: [] }, [{ pointer: '/body/events', code: 'field.invalid' }]],
    ];
    for (const [body, errors] of cases) {
      const r = await call('POST', '/api/v1/webhooks', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.type).toContain('application/problem+json');
      expect(r.body.code).toBe('request.invalid');
      expect(r.body.errors.map((e: { pointer: string; code: string }) => ({ pointer: e.pointer, code: e.code }))).toEqual(errors);
      expect(typeof r.body.detail).toBe('string');
    }
    // with nothing allowed (the default), loopback by name is refused too
    const strict = new TargetGuard(false);
    for (const url of ['http://localhost/x', 'http://api.localhost./x', 'http://127.0.0.1:3000/', 'https://[fe80::1]/']) {
      expect(strict.checkUrl(url, '/body/url').map((e) => e.code)).toEqual(['webhooks.url_private']);
    }
    expect(strict.checkUrl('https://hooks.example.com/x', '/body/url')).toEqual([]);
    expect(strict.allows('8.8.8.8')).toBe(true);
    expect(strict.allows('::ffff:10.0.0.1')).toBe(false);
    const zh = await call('POST', '/api/v1/webhooks', { url: 'http://10.0.0.1/', events: ['*'] }, admin, 'zh-CN');
    expect(zh.body.detail).toContain('内网');
    expect((await call('GET', '/api/v1/webhooks')).body.items.length).toBe(before);
    // an update is checked the same way
    const sub = (await call('GET', '/api/v1/webhooks')).body.items[0] as { id: number };
    const patch = await call('PATCH', `/api/v1/webhooks/${sub.id}`, { url: 'http://127.0.0.2/x', events: ['nope'] });
    expect(patch.status).toBe(400);
    expect(patch.body.errors.map((e: { code: string }) => e.code)).toEqual(['webhooks.url_private', 'webhooks.event_type_unknown']);
  });

  it('are for brand admins only', async () => {
    for (const [method, path, body] of [
      ['GET', '/api/v1/webhooks', undefined],
      ['POST', '/api/v1/webhooks', { url: `${hookBase}/ok`, events: ['*'] }],
      ['GET', '/api/v1/webhooks/deliveries', undefined],
      ['POST', '/api/v1/webhooks/deliveries/1/replay', undefined],
    ] as const) {
      const r = await call(method, path, body, store);
      expect(r.status, `${method} ${path}`).toBe(403);
      expect(r.body.code).toBe('access.denied');
      expect((await call(method, path, body, '')).status).toBe(401);
    }
  });
});

describe('delivery', () => {
  it('signs the body with the secret (t=<unix>,v1=HMAC-SHA256 of "<t>.<body>")', async () => {
    const sub = (await call('GET', '/api/v1/webhooks')).body.items.find((s: { url: string }) => s.url.endsWith('/ok')) as { id: number };
    const secret = (await call('POST', `/api/v1/webhooks/${sub.id}/rotate-secret`, { graceSeconds: 0 })).body.secret as string;
    const { eventId, deliveries } = await emit(demoId, 'order.placed', { orderId: 'SO-1', amountFen: 123_400, currency: 'CNY' });
    expect(deliveries).toBe(1);
    const r = await until('the signed delivery', () => at('/ok').find((x) => eventIdOf(x) === eventId));
    const h = r.headers;
    expect(h['content-type']).toBe('application/json');
    expect(h['x-throughline-event']).toBe('order.placed');
    expect(h['x-throughline-event-id']).toBe(eventId);
    expect(h['x-throughline-delivery']).toMatch(/^\d+$/);
    const t = Number(h['x-throughline-timestamp']);
    expect(Math.abs(t - Date.now() / 1000)).toBeLessThan(60);
    const sig = String(h['x-throughline-signature']);
    const expected = createHmac('sha256', secret).update(`${t}.${r.body}`).digest('hex');
    expect(sig).toBe(`t=${t},v1=${expected}`);
    expect(verifySignature(secret, sig, r.body)).toBe(true);
    expect(verifySignature(secret, sig, `${r.body} `)).toBe(false);
    expect(verifySignature('whsec_wrong', sig, r.body)).toBe(false);
    expect(verifySignature(secret, sig, r.body, { now: t + 3600 })).toBe(false);
    expect(JSON.parse(r.body)).toMatchObject({ id: eventId, type: 'order.placed', data: { orderId: 'SO-1', amountFen: 123_400 } });
    const log = await until('the delivery to succeed', async () => {
      const l = await call('GET', `/api/v1/webhooks/deliveries?eventId=${eventId}`);
      return l.body.items[0]?.status === 'succeeded' ? l.body.items : undefined;
    });
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ eventType: 'order.placed', attempts: 1, lastStatusCode: 200, subscriptionId: sub.id });
  });

  it('never sends an event emitted in a transaction that rolled back', async () => {
    await expect(
      server.db.sql.begin(async (tx) => {
        await emitWebhookEvent(tx as unknown as Sql, demoId, 'order.approved', { orderId: 'ROLLED-BACK' });
        throw new Error('the order change failed');
      }),
    ).rejects.toThrow('the order change failed');
    // a committed event after it arrives; the rolled-back one never does and left no row
    const { eventId } = await emit(demoId, 'order.approved', { orderId: 'COMMITTED' });
    await until('the committed event', () => at('/ok').find((x) => eventIdOf(x) === eventId));
    await new Promise((r) => setTimeout(r, 300));
    expect(received.some((x) => x.body.includes('ROLLED-BACK'))).toBe(false);
    const [n] = await server.db.sql<{ n: number }[]>`select count(*)::int as n from webhook_events where body like '%ROLLED-BACK%'`;
    expect(n?.n).toBe(0);
  });

  it('retries a receiver answering 500 twice with growing delays, then succeeds on the third attempt', async () => {
    await subscribe('/flaky', ['order.shipped']);
    const { eventId } = await emit(demoId, 'order.shipped', { orderId: 'SO-2' });
    const hits = await until('three attempts', () => (at('/flaky').length >= 3 ? at('/flaky') : undefined));
    expect(hits.map(eventIdOf)).toEqual([eventId, eventId, eventId]);
    expect(new Set(hits.map((h) => h.headers['x-throughline-delivery'])).size).toBe(1);
    expect(hits.map((h) => h.headers['x-throughline-attempt'])).toEqual(['1', '2', '3']);
    expect(new Set(hits.map((h) => h.body)).size).toBe(1);
    const deliveryId = Number(hits[0]?.headers['x-throughline-delivery']);
    const d = await until('success', async () => {
      const r = await call('GET', `/api/v1/webhooks/deliveries/${deliveryId}`);
      return r.body.status === 'succeeded' ? r.body : undefined;
    });
    expect(d.attempts).toBe(3);
    expect(d.log.map((a: { statusCode: number }) => a.statusCode)).toEqual([500, 500, 200]);
    expect(d.log[2].nextAttemptAt).toBeNull();
    // the scheduled delays: base * 2^(n-1) with jitter in [0.8, 1.2), so each is longer than the one before
    const delay = (i: number) => new Date(d.log[i].nextAttemptAt).getTime() - new Date(d.log[i].startedAt).getTime() - d.log[i].durationMs;
    const [d1, d2] = [delay(0), delay(1)];
    expect(d1).toBeGreaterThanOrEqual(BASE_MS * 0.8 - 5);
    expect(d2).toBeGreaterThanOrEqual(BASE_MS * 2 * 0.8 - 5);
    expect(d2).toBeGreaterThan(d1);
    // and no attempt came before its time
    const [h1, h2, h3] = hits as [Received, Received, Received];
    expect(h2.at - h1.at).toBeGreaterThanOrEqual(BASE_MS * 0.8 - 5);
    expect(h3.at - h2.at).toBeGreaterThanOrEqual(BASE_MS * 2 * 0.8 - 5);
    const failed = await call('GET', '/api/v1/webhooks/deliveries?eventType=order.shipped&status=succeeded');
    expect(failed.body.items.map((x: { id: number }) => x.id)).toContain(deliveryId);
  });

  it('marks a delivery failed after the last attempt, and a replay sends the same event id and body again', async () => {
    const down = await subscribe('/down', ['order.cancelled']);
    const { eventId } = await emit(demoId, 'order.cancelled', { orderId: 'SO-3', reason: 'customer' });
    const failed = await until('failure', async () => {
      const r = await call('GET', `/api/v1/webhooks/deliveries?status=failed&eventType=order.cancelled`);
      return r.body.items.find((x: { eventId: string }) => x.eventId === eventId);
    });
    expect(failed).toMatchObject({ attempts: 3, lastStatusCode: 500, status: 'failed', nextAttemptAt: null });
    expect(at('/down')).toHaveLength(3);
    const detail = await call('GET', `/api/v1/webhooks/deliveries/${failed.id}`);
    expect(detail.body.log).toHaveLength(3);
    expect(detail.body.log.map((a: { error: string }) => a.error)).toEqual(['HTTP 500', 'HTTP 500', 'HTTP 500']);
    expect(detail.body.log[2].nextAttemptAt).toBeNull();
    expect(detail.body.body).toMatchObject({ id: eventId, data: { orderId: 'SO-3' } });
    await new Promise((r) => setTimeout(r, BASE_MS * 3));
    expect(at('/down')).toHaveLength(3);

    // the receiver is fixed; the delivery is replayed
    script['/down'] = [200];
    const replay = await call('POST', `/api/v1/webhooks/deliveries/${failed.id}/replay`);
    expect(replay.status).toBe(202);
    expect(replay.body).toMatchObject({ eventId, replayOf: failed.id, subscriptionId: down.id, status: 'pending' });
    const again = await until('the replay', () => (at('/down').length >= 4 ? at('/down')[3] : undefined));
    expect(eventIdOf(again)).toBe(eventId);
    expect(again.body).toBe(at('/down')[0]?.body);
    expect(again.headers['x-throughline-delivery']).toBe(String(replay.body.id));
    expect(verifySignature(down.secret, String(again.headers['x-throughline-signature']), again.body)).toBe(true);
    await until('the replay to succeed', async () =>
      (await call('GET', `/api/v1/webhooks/deliveries/${replay.body.id}`)).body.status === 'succeeded' ? 1 : undefined,
    );
    const audit = await server.db.sql<
      { action: string }[]
    >`select action from audit_log where entity_type = 'webhook_delivery' and entity_id = ${String(replay.body.id)}`;
    expect(audit.map((a) => a.action)).toEqual(['webhook.replay']);
    expect((await call('POST', '/api/v1/webhooks/deliveries/99999999/replay')).status).toBe(404);
  });

  it("keeps tenants apart: another tenant's subscription never receives, nor sees or touches ours", async () => {
    const other = await subscribe('/other', ['*'], otherAdmin);
    const { eventId: ours } = await emit(demoId, 'order.placed', { orderId: 'DEMO-ONLY' });
    const { eventId: theirs, deliveries } = await emit(otherId, 'order.placed', { orderId: 'OTHER-ONLY' });
    expect(deliveries).toBe(1);
    await until('their event at their receiver', () => at('/other').find((x) => eventIdOf(x) === theirs));
    await until('our event at ours', () => at('/ok').find((x) => eventIdOf(x) === ours));
    await new Promise((r) => setTimeout(r, 300));
    expect(at('/other').map(eventIdOf)).toEqual([theirs]);
    expect(at('/ok').some((x) => eventIdOf(x) === theirs)).toBe(false);
    const theirList = await call('GET', '/api/v1/webhooks', undefined, otherAdmin);
    expect(theirList.body.items.map((s: { id: number }) => s.id)).toEqual([other.id]);
    const theirDeliveries = await call('GET', '/api/v1/webhooks/deliveries', undefined, otherAdmin);
    expect(theirDeliveries.body.items.every((d: { eventId: string }) => d.eventId === theirs)).toBe(true);
    const ourSub = (await call('GET', '/api/v1/webhooks')).body.items[0] as { id: number };
    const ourDelivery = (await call('GET', '/api/v1/webhooks/deliveries')).body.items[0] as { id: number };
    expect((await call('GET', `/api/v1/webhooks/${ourSub.id}`, undefined, otherAdmin)).status).toBe(404);
    expect((await call('PATCH', `/api/v1/webhooks/${ourSub.id}`, { active: false }, otherAdmin)).status).toBe(404);
    expect((await call('DELETE', `/api/v1/webhooks/${ourSub.id}`, undefined, otherAdmin)).status).toBe(404);
    expect((await call('GET', `/api/v1/webhooks/deliveries/${ourDelivery.id}`, undefined, otherAdmin)).status).toBe(404);
    expect((await call('POST', `/api/v1/webhooks/deliveries/${ourDelivery.id}/replay`, undefined, otherAdmin)).status).toBe(404);
  });

  it('signs with both secrets during a rotation grace period; a paused or deleted subscription gets nothing', async () => {
    const sub = await subscribe('/rotated', ['stock.below_safety']);
    const rotated = await call('POST', `/api/v1/webhooks/${sub.id}/rotate-secret`, {});
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(sub.secret);
    expect(new Date(rotated.body.previousSecretExpiresAt).getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000);
    const { eventId } = await emit(demoId, 'stock.below_safety', { partyCode: 'D0001', gtin: '06901234001013', onHand: 3, safety: 10 });
    const r = await until('the rotated delivery', () => at('/rotated').find((x) => eventIdOf(x) === eventId));
    const sig = String(r.headers['x-throughline-signature']);
    expect(sig.split(',').filter((p) => p.startsWith('v1='))).toHaveLength(2);
    expect(verifySignature(rotated.body.secret, sig, r.body)).toBe(true);
    expect(verifySignature(sub.secret, sig, r.body)).toBe(true);

    const paused = await call('PATCH', `/api/v1/webhooks/${sub.id}`, { active: false });
    expect(paused.body.active).toBe(false);
    const quiet = await emit(demoId, 'stock.below_safety', { partyCode: 'D0001' });
    expect(quiet.deliveries).toBe(0);
    // nobody wants it: nothing is stored
    const [stored] = await server.db.sql<{ n: number }[]>`select count(*)::int as n from webhook_events where id = ${quiet.eventId}`;
    expect(stored?.n).toBe(0);
    expect((await call('DELETE', `/api/v1/webhooks/${sub.id}`)).status).toBe(204);
    expect((await call('GET', `/api/v1/webhooks/${sub.id}`)).status).toBe(404);
    const audit = await server.db.sql<{ action: string }[]>`
      select action from audit_log where entity_type = 'webhook_subscription' and entity_id = ${String(sub.id)} order by seq`;
    expect(audit.map((a) => a.action)).toEqual(['webhook.create', 'webhook.rotate_secret', 'webhook.update', 'webhook.delete']);
    await new Promise((r) => setTimeout(r, 300));
    expect(at('/rotated')).toHaveLength(1);
  });

  it('stops retrying a delivery whose subscription is deleted', async () => {
    script['/gone'] = [500];
    const sub = await subscribe('/gone', ['order.returned']);
    await emit(demoId, 'order.returned', { orderId: 'SO-9' });
    await until('the first attempt', () => (at('/gone').length >= 1 ? 1 : undefined));
    expect((await call('DELETE', `/api/v1/webhooks/${sub.id}`)).status).toBe(204);
    await new Promise((r) => setTimeout(r, BASE_MS * 4));
    expect(at('/gone')).toHaveLength(1);
    const [left] = await server.db.sql<
      { n: number }[]
    >`select count(*)::int as n from webhook_deliveries where subscription_id = ${sub.id}`;
    expect(left?.n).toBe(0);
  });
});
