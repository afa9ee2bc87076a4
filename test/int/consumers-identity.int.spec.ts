import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keystore } from '../../src/modules/codes/keystore.ts';
import { serialsFor } from '../../src/modules/codes/serials.ts';
import { bookPoints, consumerFor, consumerOf, identifierHasher } from '../../src/modules/consumers/index.ts';
import { apiClient, problems } from '../support/api-client.ts';
import { loginAs, startTestServer, type TestServer } from '../support/app.ts';
import { ConsumerDevice, lastSmsCode, signInWithPhone } from '../support/consumer-device.ts';

/**
 * The identity graph: identities merge only on evidence the server obtained itself (a phone code it sent, an openid
 * from its own WeChat code exchange), with a history row and an undo; a client cannot ask for a merge. Phone numbers
 * are stored encrypted and shown masked; a consumer sees and deletes their own data.
 */
const masterKey = randomBytes(32);
const hash = identifierHasher(masterKey);
const UNIT = '06901234001013';
let server: TestServer;
let tenant: number;
let wechat: http.Server;
const wechatCalls: URLSearchParams[] = [];
/** WeChat's answers by authorization code: the stand-in for api.weixin.qq.com */
const wechatCodes = new Map<string, Record<string, unknown>>();
const logLines: string[] = [];
const call = apiClient(() => server.baseUrl);
const device = (address?: string) => new ConsumerDevice(() => server.baseUrl, address);
let phoneSeq = 0;
/** a fresh phone number per test, so tests do not share throttles */
const newPhone = () => `139${String(Date.now() % 100_000).padStart(5, '0')}${String(phoneSeq++).padStart(3, '0')}`;
const count = async (table: string) => (await server.db.sql<{ n: number }[]>`select count(*)::int as n from ${server.db.sql(table)}`)[0]?.n;

beforeAll(async () => {
  wechat = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    wechatCalls.push(url.searchParams);
    const answer =
      url.pathname === '/sns/oauth2/access_token' &&
      url.searchParams.get('appid') === 'wx-test-app' &&
      url.searchParams.get('secret') === 'wx-secret'
        ? (wechatCodes.get(url.searchParams.get('code') ?? '') ?? { errcode: 40029, errmsg: 'invalid code' })
        : { errcode: 40013, errmsg: 'invalid appid' };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
  });
  await new Promise<void>((ok) => wechat.listen(0, '127.0.0.1', ok));
  server = await startTestServer({
    masterKey,
    logger: { level: 'info', stream: { write: (s: string) => void logLines.push(s) } },
    consumers: {
      wechat: { baseUrl: `http://127.0.0.1:${(wechat.address() as AddressInfo).port}`, appId: 'wx-test-app', secret: 'wx-secret' },
      otp: { perAddressPerHour: 1000, perDevicePerHour: 1000 },
    },
  });
  const [t] = await server.db.sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
  tenant = Number(t?.id);
});
afterAll(async () => {
  await server?.close();
  await new Promise((ok) => wechat?.close(ok));
});

describe('merging on a phone code', () => {
  it("merges the device's consumer into the phone's, with a history row, and undo restores identifiers and points", async () => {
    const phone = newPhone();
    const home = device();
    const shop = device();
    // the shop device's consumer earned points by a campaign (the incentives module books them so)
    const shopConsumer = await consumerFor(server.db.sql, tenant, 'device', hash('device', shop.deviceId as string), 'cookie');
    await bookPoints(server.db.sql, {
      tenantId: tenant,
      consumerId: shopConsumer,
      delta: 120,
      kind: 'earn',
      source: `test:${randomUUID()}`,
    });
    // the phone is first proven on the home device: bound to its consumer, nothing merged
    expect(await signInWithPhone(home, server.db.sql, hash('phone', phone), phone)).toEqual({ signedIn: true, merged: false });
    const phoneConsumer = (await consumerOf(server.db.sql, tenant, 'phone', hash('phone', phone))) as number;
    expect(phoneConsumer).not.toBe(shopConsumer);
    // proven again on the shop device: the shop's consumer goes into the phone's
    expect(await signInWithPhone(shop, server.db.sql, hash('phone', phone), phone)).toEqual({ signedIn: true, merged: true });
    expect(await consumerOf(server.db.sql, tenant, 'device', hash('device', shop.deviceId as string))).toBe(phoneConsumer);
    const mine = await shop.call('GET', '/api/v1/me?brand=demo');
    expect(mine.status).toBe(200);
    expect(mine.body.membership.balance).toBe(120);
    // the account page asks first whether the device is signed in: 200 either way
    expect((await shop.call('GET', '/api/v1/me/session?brand=demo')).body).toEqual({ signedIn: true });
    expect(mine.body.identifiers.map((i: { kind: string }) => i.kind).sort()).toEqual(['device', 'device', 'phone']);

    const profile = await call('admin', 'GET', `/api/v1/consumers/${phoneConsumer}`);
    const merge = profile.body.merges[0];
    expect(merge).toMatchObject({
      fromConsumer: shopConsumer,
      intoConsumer: phoneConsumer,
      evidence: 'otp',
      triggerKind: 'phone',
      movedIdentifiers: 1,
      movedEntries: 1,
      undoneAt: null,
    });

    const undone = await call('admin', 'POST', `/api/v1/consumers/merges/${merge.id}/undo`);
    expect(undone.status).toBe(200);
    expect(await consumerOf(server.db.sql, tenant, 'device', hash('device', shop.deviceId as string))).toBe(shopConsumer);
    expect((await call('admin', 'GET', `/api/v1/consumers/${shopConsumer}`)).body.membership.balance).toBe(120);
    expect((await call('admin', 'GET', `/api/v1/consumers/${phoneConsumer}`)).body.membership.balance).toBe(0);
    // the shop device's session belonged to the merged consumer: it no longer opens personal data
    expect((await shop.call('GET', '/api/v1/me?brand=demo')).status).toBe(401);
    const session = await shop.call('GET', '/api/v1/me/session?brand=demo');
    expect([session.status, session.body]).toEqual([200, { signedIn: false }]);
    const again = await call('admin', 'POST', `/api/v1/consumers/merges/${merge.id}/undo`);
    expect([again.status, again.body.code]).toEqual([409, 'consumer.merge_already_undone']);
    const [audit] = await server.db
      .sql`select actor_name from audit_log where tenant_id = ${tenant} and action = 'consumers.merge_undone' and entity_id = ${String(merge.id)}`;
    expect(audit).toBeTruthy();
  });

  it('refuses to undo a merge whose points were spent since, and changes nothing', async () => {
    const phone = newPhone();
    const a = device();
    const b = device();
    const ca = await consumerFor(server.db.sql, tenant, 'device', hash('device', a.deviceId as string), 'cookie');
    await bookPoints(server.db.sql, { tenantId: tenant, consumerId: ca, delta: 50, kind: 'earn', source: `test:${randomUUID()}` });
    await signInWithPhone(b, server.db.sql, hash('phone', phone), phone);
    await signInWithPhone(a, server.db.sql, hash('phone', phone), phone);
    const into = (await consumerOf(server.db.sql, tenant, 'phone', hash('phone', phone))) as number;
    await bookPoints(server.db.sql, { tenantId: tenant, consumerId: into, delta: -40, kind: 'spend', source: `test:${randomUUID()}` });
    const [m] = await server.db.sql<
      { id: string }[]
    >`select id::text from consumer_merges where tenant_id = ${tenant} and into_consumer = ${into}`;
    const r = await call('admin', 'POST', `/api/v1/consumers/merges/${m?.id}/undo`);
    expect([r.status, r.body.code]).toEqual([409, 'consumer.merge_undo_points_spent']);
    expect(await consumerOf(server.db.sql, tenant, 'device', hash('device', a.deviceId as string))).toBe(into);
    expect((await call('admin', 'GET', `/api/v1/consumers/${into}`)).body.membership.balance).toBe(10);
  });
});

describe('merging on WeChat sign-in', () => {
  it("exchanges the code with WeChat itself and merges the device's consumer into the unionid's", async () => {
    const unionid = `U${randomUUID().replaceAll('-', '')}`;
    wechatCodes.set('code-first', { access_token: 'x', openid: `O${randomUUID().replaceAll('-', '')}`, unionid });
    wechatCodes.set('code-second', { access_token: 'x', openid: `O${randomUUID().replaceAll('-', '')}`, unionid });
    const first = device();
    const second = device();
    expect((await first.call('POST', '/api/v1/me/wechat?brand=demo', { code: 'code-first' })).body).toEqual({ merged: false });
    const owner = await consumerOf(server.db.sql, tenant, 'unionid', hash('unionid', unionid));
    expect(owner).toBe(await consumerOf(server.db.sql, tenant, 'device', hash('device', first.deviceId as string)));
    expect((await second.call('POST', '/api/v1/me/wechat?brand=demo', { code: 'code-second' })).body).toEqual({ merged: true });
    expect(await consumerOf(server.db.sql, tenant, 'device', hash('device', second.deviceId as string))).toBe(owner);
    const last = wechatCalls.at(-1);
    expect([last?.get('code'), last?.get('grant_type')]).toEqual(['code-second', 'authorization_code']);
    const [m] = await server.db
      .sql`select evidence, trigger_kind from consumer_merges where tenant_id = ${tenant} and into_consumer = ${owner as number}`;
    expect(m).toEqual({ evidence: 'wechat', trigger_kind: 'unionid' });
  });

  it('refuses a code WeChat does not accept, binding nothing', async () => {
    const before = await count('consumer_identifiers');
    const r = await device().call('POST', '/api/v1/me/wechat?brand=demo', { code: 'forged-code' });
    expect([r.status, problems(r)]).toEqual([400, [['/body/code', 'consumer.wechat_code_invalid']]]);
    // the device got its consumer only when evidence arrived; a refused exchange adds no identifier
    expect(await count('consumer_identifiers')).toBe(before);
  });
});

describe("a client's merge request", () => {
  it('is refused however it is phrased, and merges nothing', async () => {
    const a = device();
    const b = device();
    const ca = await consumerFor(server.db.sql, tenant, 'device', hash('device', a.deviceId as string), 'cookie');
    const cb = await consumerFor(server.db.sql, tenant, 'device', hash('device', b.deviceId as string), 'cookie');
    const merges = await count('consumer_merges');
    const asked = await a.call('POST', '/api/v1/me/merge?brand=demo', { from: ca, into: cb });
    expect([asked.status, asked.body.code]).toEqual([403, 'consumer.merge_client_refused']);
    const claimed = await a.call('POST', '/api/v1/me/otp/verify?brand=demo', { phone: newPhone(), code: '123456', consumerId: cb });
    expect([claimed.status, problems(claimed)]).toEqual([400, [['/body/consumerId', 'field.unknown']]]);
    const openid = await a.call('POST', '/api/v1/me/wechat?brand=demo', { code: 'x', openid: 'oSomeoneElse123' });
    expect([openid.status, problems(openid)[0]?.[1]]).toEqual([400, 'field.unknown']);
    expect(await count('consumer_merges')).toBe(merges);
    expect(await consumerOf(server.db.sql, tenant, 'device', hash('device', a.deviceId as string))).toBe(ca);
  });
});

describe('one-time codes', () => {
  it('pauses between codes to one phone and caps them per hour (429 with Retry-After)', async () => {
    const phone = newPhone();
    const d = device();
    expect((await d.call('POST', '/api/v1/me/otp?brand=demo', { phone })).status).toBe(202);
    const again = await d.call('POST', '/api/v1/me/otp?brand=demo', { phone });
    expect([again.status, again.body.code]).toEqual([429, 'consumer.otp_throttled']);
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(0);
    // the pause over (as if a minute passed), the hourly cap of 5 still holds
    for (let i = 0; i < 4; i++) {
      await server.db.sql`update consumer_otps set sent_at = sent_at - interval '61 seconds' where phone_hash = ${hash('phone', phone)}`;
      expect((await d.call('POST', '/api/v1/me/otp?brand=demo', { phone })).status).toBe(202);
    }
    await server.db.sql`update consumer_otps set sent_at = sent_at - interval '61 seconds' where phone_hash = ${hash('phone', phone)}`;
    const capped = await d.call('POST', '/api/v1/me/otp?brand=demo', { phone });
    expect([capped.status, capped.body.code]).toEqual([429, 'consumer.otp_throttled']);
    const [n] = await server.db.sql<{ n: number }[]>`select count(*)::int as n from sms_outbox where to_hash = ${hash('phone', phone)}`;
    expect(n?.n).toBe(5);
  });

  it('refuses wrong codes, kills a code after five wrong tries even when guessed at once, and binds codes to their device', async () => {
    const phone = newPhone();
    const d = device();
    await d.call('POST', '/api/v1/me/otp?brand=demo', { phone });
    const code = (await lastSmsCode(server.db.sql, hash('phone', phone))) as string;
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    // another device cannot use the code sent to this one
    const elsewhere = await device().call('POST', '/api/v1/me/otp/verify?brand=demo', { phone, code });
    expect([elsewhere.status, problems(elsewhere)]).toEqual([400, [['/body/code', 'consumer.otp_expired']]]);
    const guesses = await Promise.all(
      Array.from({ length: 12 }, () => d.call('POST', '/api/v1/me/otp/verify?brand=demo', { phone, code: wrong })),
    );
    const wrongs = guesses.filter((g) => g.status === 400 && problems(g)[0]?.[1] === 'consumer.otp_wrong');
    expect(wrongs).toHaveLength(5);
    expect(guesses.filter((g) => g.status === 429)).toHaveLength(7);
    const right = await d.call('POST', '/api/v1/me/otp/verify?brand=demo', { phone, code });
    expect([right.status, right.body.code]).toEqual([429, 'consumer.otp_too_many_tries']);
    expect(await consumerOf(server.db.sql, tenant, 'phone', hash('phone', phone))).toBeNull();
  });

  it('sends one code when ten requests for one phone arrive at once', async () => {
    const phone = newPhone();
    const d = device();
    const sends = await Promise.all(Array.from({ length: 10 }, () => d.call('POST', '/api/v1/me/otp?brand=demo', { phone })));
    expect(sends.filter((s) => s.status === 202)).toHaveLength(1);
    expect(sends.filter((s) => s.status === 429)).toHaveLength(9);
    const [n] = await server.db.sql<{ n: number }[]>`select count(*)::int as n from sms_outbox where to_hash = ${hash('phone', phone)}`;
    expect(n?.n).toBe(1);
  });

  it('accepts a right code once, even when it is sent twice at once', async () => {
    const phone = newPhone();
    const d = device();
    await d.call('POST', '/api/v1/me/otp?brand=demo', { phone });
    const code = await lastSmsCode(server.db.sql, hash('phone', phone));
    const both = await Promise.all([1, 2].map(() => d.call('POST', '/api/v1/me/otp/verify?brand=demo', { phone, code })));
    expect(both.map((b) => b.status).sort()).toEqual([200, 400]);
    const replay = await d.call('POST', '/api/v1/me/otp/verify?brand=demo', { phone, code });
    expect([replay.status, problems(replay)]).toEqual([400, [['/body/code', 'consumer.otp_expired']]]);
  });

  it('refuses bad input with a pointer and sends nothing', async () => {
    const before = await count('sms_outbox');
    const d = device();
    const bad = await d.call('POST', '/api/v1/me/otp?brand=demo', { phone: '12345' });
    expect([bad.status, problems(bad)[0]?.[0]]).toEqual([400, '/body/phone']);
    const brand = await d.call('POST', '/api/v1/me/otp?brand=nobody', { phone: newPhone() });
    expect([brand.status, problems(brand)]).toEqual([400, [['/query/brand', 'consumer.brand_unknown']]]);
    const noCsrf = await d.call('POST', '/api/v1/me/otp?brand=demo', { phone: newPhone() }, {}, false);
    expect([noCsrf.status, noCsrf.body.code]).toEqual([403, 'auth.csrf']);
    expect(await count('sms_outbox')).toBe(before);
  });
});

describe('privacy', () => {
  it('stores no phone number or WeChat id in clear in any table, and logs neither a number nor a code', async () => {
    const phone = newPhone();
    const openid = `oClear${randomUUID().replaceAll('-', '')}`;
    wechatCodes.set('code-clear', { access_token: 'x', openid });
    const d = device();
    await signInWithPhone(d, server.db.sql, hash('phone', phone), phone);
    await d.call('POST', '/api/v1/me/wechat?brand=demo', { code: 'code-clear' });
    const code = (await lastSmsCode(server.db.sql, hash('phone', phone))) as string;
    // the dump: every row of every table as text (bytea as hex)
    const tables = await server.db.sql<{ name: string }[]>`select tablename as name from pg_tables where schemaname = 'public'`;
    let dump = '';
    for (const t of tables) {
      const rows = await server.db.sql<{ r: string }[]>`select row_to_json(x)::text as r from ${server.db.sql(t.name)} x`;
      dump += rows.map((r) => r.r).join('\n');
    }
    expect(dump.length).toBeGreaterThan(10_000);
    for (const secret of [phone, openid]) {
      expect(dump).not.toContain(secret);
      expect(dump).not.toContain(Buffer.from(secret).toString('hex'));
    }
    const logs = logLines.join('');
    expect(logs).toContain('/api/v1/me/otp');
    for (const secret of [phone, code, openid]) expect(logs).not.toContain(secret);
  });

  it('shows staff the phone masked, lets them find a consumer by the number, and keeps consumers from other roles', async () => {
    const phone = '13800000000';
    await signInWithPhone(device(), server.db.sql, hash('phone', phone), phone);
    const list = await call('admin', 'GET', `/api/v1/consumers?phone=${phone}`);
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0].phone).toBe('138****0000');
    const profile = await call('planner', 'GET', `/api/v1/consumers/${list.body.items[0].id}`);
    expect(profile.body.identifiers.find((i: { kind: string }) => i.kind === 'phone').phone).toBe('138****0000');
    expect(JSON.stringify(profile.body)).not.toContain(phone);
    for (const user of ['sales', 'distributor', 'clerk']) expect((await call(user, 'GET', '/api/v1/consumers')).status).toBe(403);
    expect((await call('planner', 'PUT', `/api/v1/consumers/${list.body.items[0].id}/tags`, { tags: ['vip'] })).status).toBe(403);
  });

  it('shows a consumer their own data in full (with their scans), and deletes it on request, keeping the ledger anonymous', async () => {
    const phone = newPhone();
    const d = device();
    // a real scan of a unit by this device, through the resolver
    const keys = await new Keystore(masterKey).keyring(server.db.sql, tenant);
    const admin = await loginAs(server.baseUrl, 'admin');
    const batch = await fetch(`${server.baseUrl}/api/v1/code-batches`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ gtin: UNIT, quantity: 5 }),
    }).then((r) => r.json() as Promise<{ keyVersion: number; batchNo: number }>);
    const [serial] = serialsFor(keys, { gtin: UNIT, keyVersion: batch.keyVersion, batchNo: batch.batchNo }, 0, 1);
    const scan = await d.call('GET', `/01/${UNIT}/21/${serial}?region=110101`, undefined, { accept: 'text/html' });
    expect(scan.status).toBeLessThan(500);

    expect((await d.call('GET', '/api/v1/me?brand=demo')).body.code).toBe('consumer.session_required');
    await signInWithPhone(d, server.db.sql, hash('phone', phone), phone);
    const consumer = (await consumerOf(server.db.sql, tenant, 'phone', hash('phone', phone))) as number;
    await bookPoints(server.db.sql, { tenantId: tenant, consumerId: consumer, delta: 30, kind: 'earn', source: `test:${randomUUID()}` });
    const mine = await d.call('GET', '/api/v1/me?brand=demo');
    expect(mine.status).toBe(200);
    expect(mine.body.identifiers.find((i: { kind: string }) => i.kind === 'phone').phone).toBe(phone);
    expect(mine.body.scans).toHaveLength(1);
    expect(mine.body.scans[0]).toMatchObject({ gtin: UNIT, regionCode: '110101' });
    expect(mine.body.scans[0].productZh).toBeTruthy();
    expect(mine.body.membership.balance).toBe(30);
    // the same data, masked, for staff
    const staff = await call('admin', 'GET', `/api/v1/consumers/${consumer}`);
    expect(staff.body.scans).toHaveLength(1);

    // another device with the cookie of this one but no session sees nothing personal
    const stranger = new ConsumerDevice(() => server.baseUrl, undefined, d.deviceId);
    expect((await stranger.call('GET', '/api/v1/me?brand=demo')).status).toBe(401);
    expect((await d.call('DELETE', '/api/v1/me?brand=demo', undefined, {}, false)).body.code).toBe('auth.csrf');
    const del = await d.call('DELETE', '/api/v1/me?brand=demo');
    expect(del.status).toBe(200);
    expect(await consumerOf(server.db.sql, tenant, 'phone', hash('phone', phone))).toBeNull();
    const [left] = await server.db.sql<{ ids: number; points: number; deleted: boolean }[]>`
      select (select count(*)::int from consumer_identifiers where tenant_id = ${tenant} and consumer_id = ${consumer}) as ids,
        (select coalesce(sum(delta), 0)::int from points_entries where tenant_id = ${tenant} and consumer_id = ${consumer}) as points,
        (select deleted_at is not null from consumers where tenant_id = ${tenant} and id = ${consumer}) as deleted`;
    expect(left).toEqual({ ids: 0, points: 30, deleted: true });
    const [audit] = await server.db
      .sql`select actor_id from audit_log where tenant_id = ${tenant} and action = 'consumer.personal_data_deleted' and entity_id = ${String(consumer)}`;
    expect(audit).toEqual({ actor_id: `consumer:${consumer}` });
    expect((await d.call('GET', '/api/v1/me?brand=demo')).status).toBe(401);
    expect((await call('admin', 'GET', `/api/v1/consumers/${consumer}`)).body).toMatchObject({ identifiers: [], scans: [] });
  });
});
