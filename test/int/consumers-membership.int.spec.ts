import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookPoints, consumerOf, identifierHasher } from '../../src/modules/consumers/index.ts';
import { apiClient, problems } from '../support/api-client.ts';
import { startTestServer, type TestServer } from '../support/app.ts';
import { ConsumerDevice, signInWithPhone } from '../support/consumer-device.ts';

/** Membership: tiers by points earned in a period, expiry in the ledger, and the points mall's redemptions. */
const masterKey = randomBytes(32);
const hash = identifierHasher(masterKey);
let server: TestServer;
let tenant: number;
const call = apiClient(() => server.baseUrl);
let phoneSeq = 0;

/** A device signed in with a fresh phone, and its consumer id. */
async function member(points = 0) {
  const phone = `137${String(process.pid % 10_000).padStart(4, '0')}${String(phoneSeq++).padStart(4, '0')}`;
  const device = new ConsumerDevice(() => server.baseUrl);
  await signInWithPhone(device, server.db.sql, hash('phone', phone), phone);
  const id = (await consumerOf(server.db.sql, tenant, 'phone', hash('phone', phone))) as number;
  if (points) await earn(id, points);
  return { device, id };
}

const earn = (consumerId: number, delta: number, expiresAt: Date | null = null, at?: Date) =>
  server.db.sql.begin(async (tx) => {
    await bookPoints(tx, { tenantId: tenant, consumerId, delta, kind: 'earn', source: `test:${randomUUID()}`, expiresAt });
    if (at)
      await tx`update points_entries set at = ${at} where tenant_id = ${tenant} and consumer_id = ${consumerId} and id = (select max(id) from points_entries where tenant_id = ${tenant} and consumer_id = ${consumerId})`;
  });

async function item(pointsPrice: number, stock: number) {
  const r = await call('admin', 'POST', '/api/v1/mall/items', { nameZh: '满50减10券', nameEn: '10 off 50', pointsPrice, stock });
  expect(r.status).toBe(201);
  return r.body.id as number;
}

beforeAll(async () => {
  server = await startTestServer({ masterKey, consumers: { otp: { perAddressPerHour: 10_000, perDevicePerHour: 1000 } } });
  const [t] = await server.db.sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
  tenant = Number(t?.id);
});
afterAll(async () => server?.close());

describe('tiers', () => {
  it('ranks by points earned within the period (spending does not lower a tier), by thresholds the brand sets', async () => {
    const m = await member(1200);
    await earn(m.id, 5000, null, new Date(Date.now() - 400 * 86_400_000));
    await bookPoints(server.db.sql, { tenantId: tenant, consumerId: m.id, delta: -1000, kind: 'spend', source: `test:${randomUUID()}` });
    const mine = await m.device.call('GET', '/api/v1/me/membership?brand=demo');
    expect(mine.body).toMatchObject({
      balance: 5200,
      earnedInPeriod: 1200,
      tier: { code: 'silver', nameZh: '银卡会员' },
      next: { tier: { code: 'gold' }, pointsToGo: 3800 },
    });
    const set = await call('admin', 'PUT', '/api/v1/consumers/membership', {
      periodDays: 730,
      tiers: [
        { code: 'basic', nameZh: '普通', nameEn: 'Basic', minPoints: 0 },
        { code: 'gold', nameZh: '金卡', nameEn: 'Gold', minPoints: 6000 },
      ],
    });
    expect(set.status).toBe(200);
    expect((await m.device.call('GET', '/api/v1/me/membership?brand=demo')).body).toMatchObject({
      earnedInPeriod: 6200,
      tier: { code: 'gold' },
      next: null,
    });
    const byTier = await call('admin', 'GET', '/api/v1/consumers?tier=gold');
    expect(byTier.body.items.map((i: { id: number }) => i.id)).toContain(m.id);
    const [audit] = await server.db.sql`select 1 from audit_log where tenant_id = ${tenant} and action = 'consumers.membership_set'`;
    expect(audit).toBeTruthy();
  });

  it('refuses tiers that do not start at 0 or do not rise, and keeps the ones in force', async () => {
    const before = (await call('admin', 'GET', '/api/v1/consumers/membership')).body;
    const notRising = await call('admin', 'PUT', '/api/v1/consumers/membership', {
      periodDays: 365,
      tiers: [
        { code: 'a', nameZh: 'A', nameEn: 'A', minPoints: 0 },
        { code: 'b', nameZh: 'B', nameEn: 'B', minPoints: 0 },
      ],
    });
    expect([notRising.status, problems(notRising)]).toEqual([400, [['/body/tiers/1/minPoints', 'membership.tiers_not_rising']]]);
    const notZero = await call('admin', 'PUT', '/api/v1/consumers/membership', {
      periodDays: 365,
      tiers: [{ code: 'a', nameZh: 'A', nameEn: 'A', minPoints: 5 }],
    });
    expect(problems(notZero)).toEqual([['/body/tiers/0/minPoints', 'membership.first_tier_zero']]);
    const unknown = await call('admin', 'GET', '/api/v1/consumers?tier=platinum');
    expect(problems(unknown)).toEqual([['/query/tier', 'membership.tier_unknown']]);
    expect((await call('admin', 'GET', '/api/v1/consumers/membership')).body).toEqual(before);
  });
});

describe('expiry', () => {
  it('expires what is left of points past their date, oldest-expiring first, as ledger rows, once', async () => {
    const m = await member();
    await earn(m.id, 100, new Date(Date.now() - 86_400_000));
    await earn(m.id, 50);
    await bookPoints(server.db.sql, { tenantId: tenant, consumerId: m.id, delta: -30, kind: 'spend', source: `test:${randomUUID()}` });
    const reads = await Promise.all([1, 2, 3].map(() => m.device.call('GET', '/api/v1/me/membership?brand=demo')));
    for (const r of reads) expect(r.body.balance).toBe(50);
    const rows = await server.db.sql<{ delta: number }[]>`
      select delta from points_entries where tenant_id = ${tenant} and consumer_id = ${m.id} and kind = 'expire'`;
    expect(rows.map((r) => r.delta)).toEqual([-70]);
    const mine = await m.device.call('GET', '/api/v1/me?brand=demo');
    expect(mine.body.ledger[0]).toMatchObject({ kind: 'expire', delta: -70 });
  });

  it('does not let expired points be spent in the mall', async () => {
    const m = await member();
    await earn(m.id, 100, new Date(Date.now() - 1000));
    const r = await m.device.call('POST', '/api/v1/me/mall/redeem?brand=demo', { itemId: await item(10, 5), idempotencyKey: randomUUID() });
    expect([r.status, r.body.code]).toEqual([409, 'points.insufficient']);
  });
});

describe('the points mall', () => {
  it('sells exactly the stock when 50 redemptions of an item with 10 in stock arrive at once', async () => {
    const m = await member(1000);
    const id = await item(10, 10);
    const answers = await Promise.all(
      Array.from({ length: 50 }, () =>
        m.device.call('POST', '/api/v1/me/mall/redeem?brand=demo', { itemId: id, idempotencyKey: randomUUID() }),
      ),
    );
    const sold = answers.filter((a) => a.status === 201);
    expect(sold).toHaveLength(10);
    expect(answers.filter((a) => a.status === 409 && a.body.code === 'mall.out_of_stock')).toHaveLength(40);
    expect(new Set(sold.map((s) => s.body.couponCode)).size).toBe(10);
    const items = (await call('admin', 'GET', '/api/v1/mall/items')).body.items;
    expect(items.find((i: { id: number }) => i.id === id).stock).toBe(0);
    expect((await m.device.call('GET', '/api/v1/me/membership?brand=demo')).body.balance).toBe(900);
  });

  it('pays once for a retried redemption, and refuses the key for another item', async () => {
    const m = await member(100);
    const id = await item(30, 100);
    const key = randomUUID();
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => m.device.call('POST', '/api/v1/me/mall/redeem?brand=demo', { itemId: id, idempotencyKey: key })),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(4);
    expect(new Set(answers.map((a) => a.body.couponCode)).size).toBe(1);
    expect((await m.device.call('GET', '/api/v1/me/membership?brand=demo')).body.balance).toBe(70);
    const other = await m.device.call('POST', '/api/v1/me/mall/redeem?brand=demo', { itemId: await item(1, 1), idempotencyKey: key });
    expect([other.status, other.body.code]).toEqual([409, 'mall.idempotency_key_reused']);
    const mine = await m.device.call('GET', '/api/v1/me?brand=demo');
    expect(mine.body.redemptions).toHaveLength(1);
  });

  it("keeps a consumer's redemptions and their keys through a merge into another consumer", async () => {
    const m = await member(100);
    const id = await item(20, 10);
    const key = randomUUID();
    const first = await m.device.call('POST', '/api/v1/me/mall/redeem?brand=demo', { itemId: id, idempotencyKey: key });
    expect(first.status).toBe(201);
    // the same person proves, on this device, a phone that belongs to another consumer: this one is merged into it
    const other = await member();
    const otherPhone = `136${String(process.pid % 10_000).padStart(4, '0')}${String(phoneSeq++).padStart(4, '0')}`;
    await signInWithPhone(other.device, server.db.sql, hash('phone', otherPhone), otherPhone);
    const survivor = (await consumerOf(server.db.sql, tenant, 'phone', hash('phone', otherPhone))) as number;
    expect((await signInWithPhone(m.device, server.db.sql, hash('phone', otherPhone), otherPhone)).merged).toBe(true);
    const retry = await m.device.call('POST', '/api/v1/me/mall/redeem?brand=demo', { itemId: id, idempotencyKey: key });
    expect([retry.status, retry.body.couponCode]).toEqual([200, first.body.couponCode]);
    const mine = await m.device.call('GET', '/api/v1/me?brand=demo');
    expect(mine.body.redemptions.map((r: { couponCode: string }) => r.couponCode)).toEqual([first.body.couponCode]);
    expect(mine.body.membership.balance).toBe(80);
    expect((await call('admin', 'GET', `/api/v1/consumers/${survivor}`)).body.redemptions).toHaveLength(1);
  });

  it('takes nothing from stock when points fall short, and needs a signed-in consumer', async () => {
    const m = await member(5);
    const id = await item(10, 3);
    const r = await m.device.call('POST', '/api/v1/me/mall/redeem?brand=demo', { itemId: id, idempotencyKey: randomUUID() });
    expect([r.status, r.body.code]).toEqual([409, 'points.insufficient']);
    const anonymous = new ConsumerDevice(() => server.baseUrl);
    const a = await anonymous.call('POST', '/api/v1/me/mall/redeem?brand=demo', { itemId: id, idempotencyKey: randomUUID() });
    expect([a.status, a.body.code]).toEqual([401, 'consumer.session_required']);
    const items = (await call('admin', 'GET', '/api/v1/mall/items')).body.items;
    expect(items.find((i: { id: number }) => i.id === id).stock).toBe(3);
    const [spent] = await server.db.sql<
      { n: number }[]
    >`select count(*)::int as n from points_entries where tenant_id = ${tenant} and consumer_id = ${m.id} and kind = 'spend'`;
    expect(spent?.n).toBe(0);
  });

  it('refuses bad input with a pointer and changes nothing', async () => {
    const m = await member(100);
    const id = await item(10, 3);
    const [before] = await server.db.sql<{ n: number }[]>`select count(*)::int as n from mall_redemptions`;
    const cases: [unknown, string][] = [
      [{ itemId: 'one', idempotencyKey: randomUUID() }, '/body/itemId'],
      [{ itemId: id, idempotencyKey: 'short' }, '/body/idempotencyKey'],
      [{ itemId: id }, '/body/idempotencyKey'],
      [{ itemId: id, idempotencyKey: randomUUID(), points: 0 }, '/body/points'],
    ];
    for (const [body, pointer] of cases) {
      const r = await m.device.call('POST', '/api/v1/me/mall/redeem?brand=demo', body);
      expect([r.status, problems(r)[0]?.[0]], JSON.stringify(body)).toEqual([400, pointer]);
    }
    const missing = await m.device.call('POST', '/api/v1/me/mall/redeem?brand=demo', { itemId: 999_999, idempotencyKey: randomUUID() });
    expect(missing.status).toBe(404);
    const badItem = await call('admin', 'POST', '/api/v1/mall/items', { nameZh: 'x', nameEn: 'x', pointsPrice: 0, stock: -1 });
    expect(
      problems(badItem)
        .map((p) => p[0])
        .sort(),
    ).toEqual(['/body/pointsPrice', '/body/stock']);
    const [after] = await server.db.sql<{ n: number }[]>`select count(*)::int as n from mall_redemptions`;
    expect(after?.n).toBe(before?.n);
    expect((await call('planner', 'POST', '/api/v1/mall/items', { nameZh: 'x', nameEn: 'x', pointsPrice: 1, stock: 1 })).status).toBe(403);
  });
});
