import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CodeKeyring } from '../../src/modules/codes/keys.ts';
import { Keystore } from '../../src/modules/codes/keystore.ts';
import { serialsFor } from '../../src/modules/codes/serials.ts';
import { verificationCodeFor } from '../../src/modules/codes/verification.ts';
import { identifierHasher } from '../../src/modules/consumers/index.ts';
import { DEFAULT_THRESHOLDS } from '../../src/modules/incentives/fraud/rules.ts';
import { readTable } from '../../src/platform/tabular/index.ts';
import { type ApiAnswer, apiClient, problems } from '../support/api-client.ts';
import { startTestServer, type TestServer } from '../support/app.ts';
import { forgedSerial } from '../support/codes.ts';

/**
 * Consumer scan campaigns: a consumer who scanned a unit claims its rewards with the hidden verification code;
 * staff define campaigns with their rules, limits and budgets. Every claim applies each active campaign of the brand,
 * so each test starts with no other campaign active.
 */
const UNIT = '06901234001013';
const CODES = 1_900;
let server: TestServer;
let keys: CodeKeyring;
let serials: string[];
let tenantId: number;
let otherGtin: string;
const call = apiClient(() => server.baseUrl);
let nextCode = 0;
/** A fresh commissioned code (its serial index): each test uses codes no other test touched. */
const freshCode = () => nextCode++;
const SHIPPED_FROM = 1_800; // codes from here on were shipped to D0001
let nextShipped = SHIPPED_FROM;
const epcOf = (i: number) => `https://id.gs1.org/01/${UNIT}/21/${serials[i]}`;
const codeOf = (i: number) => verificationCodeFor(keys, UNIT, serials[i] as string) as string;
const wrongCodeOf = (i: number) => String((Number(codeOf(i)) + 1) % 100_000_000).padStart(8, '0');
let addressSeq = 0;

/** A consumer's phone: its own device cookie and address. */
function phone(device: string = randomUUID(), address = `198.51.${Math.floor(addressSeq / 250)}.${(addressSeq++ % 250) + 1}`) {
  const headers = (extra: Record<string, string> = {}) => ({ cookie: `tl_device=${device}`, 'x-forwarded-for': address, ...extra });
  return {
    device,
    scan: (i: number) =>
      fetch(`${server.baseUrl}/01/${UNIT}/21/${serials[i]}`, { headers: headers({ accept: 'text/html' }) }).then((r) => r.text()),
    claim: async (i: number, code: string = codeOf(i), lang = 'zh-CN', more: Record<string, unknown> = {}): Promise<ApiAnswer> => {
      const r = await fetch(`${server.baseUrl}/01/${UNIT}/21/${serials[i]}/claim`, {
        method: 'POST',
        headers: headers({ 'content-type': 'application/json', 'accept-language': lang }),
        body: JSON.stringify({ code, ...more }),
      });
      return { status: r.status, type: r.headers.get('content-type') ?? '', body: (await r.json()) as ApiAnswer['body'] };
    },
  };
}

const inAnHour = () => new Date(Date.now() + 3600_000).toISOString();
const anHourAgo = () => new Date(Date.now() - 3600_000).toISOString();
const base = (reward: Record<string, unknown>, more: Record<string, unknown> = {}) => ({
  name: `活动 ${randomUUID().slice(0, 8)}`,
  startsAt: anHourAgo(),
  endsAt: new Date(Date.now() + 30 * 86400_000).toISOString(),
  reward,
  ...more,
});

/** The line commissions the first `count` codes of a batch onto a lot of the unit's product. */
async function commission(batchId: number, count: number): Promise<void> {
  const [lot] = await server.db.sql<{ lot_code: string }[]>`select l.lot_code from lots l
    join packaging_levels pl on pl.tenant_id = l.tenant_id and pl.product_id = l.product_id where pl.gtin = ${UNIT} limit 1`;
  const c = await call('line', 'POST', '/api/v1/scans', {
    scanId: randomUUID(),
    kind: 'commission',
    lot: lot?.lot_code,
    range: { batchId, from: 0, count },
  });
  expect(c.status, JSON.stringify(c.body)).toBe(200);
}

/** Creates and activates a campaign, after ending every other active one. Returns its id. */
async function only(def: Record<string, unknown>): Promise<number> {
  await server.db.sql`update campaigns set status = 'ended' where status = 'active'`;
  const c = await call('admin', 'POST', '/api/v1/campaigns', def);
  expect(c.status, JSON.stringify(c.body)).toBe(201);
  const a = await call('admin', 'POST', `/api/v1/campaigns/${c.body.id}/status`, { status: 'active' });
  expect(a.status, JSON.stringify(a.body)).toBe(200);
  return c.body.id as number;
}

const resultOf = (r: ApiAnswer, campaignId: number) => {
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return (r.body.results as { campaignId: number }[]).find((x) => x.campaignId === campaignId) as Record<string, unknown>;
};
/** A counter of the server's /metrics (read from loopback, as an operator's scraper does). */
const metric = async (name: string) => {
  const text = await (await fetch(`${server.baseUrl}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
};
const waitFor = (condition: () => Promise<boolean>) =>
  vi.waitFor(
    async () => {
      if (!(await condition())) throw new Error('not yet');
    },
    { timeout: 10_000, interval: 20 },
  );
const count = async (table: string) =>
  (await server.db.sql<{ n: number }[]>`select count(*)::int as n from ${server.db.sql(table)}`)[0]?.n as number;
const pointsOf = async (device: string) => {
  const hash = identifierHasher(Buffer.from(fs.readFileSync('.data/master.key', 'utf8'), 'base64'))('device', device);
  const [r] = await server.db.sql<{ balance: number }[]>`
    select b.balance from consumer_identifiers i join points_balances b on b.tenant_id = i.tenant_id and b.consumer_id = i.consumer_id
    where i.kind = 'device' and i.value_hash = ${hash}`;
  return r?.balance ?? 0;
};

beforeAll(async () => {
  // claims decided on their own thread, as the server runs them (claim-thread.ts); channel-incentives.int keeps them on
  // the HTTP thread
  server = await startTestServer({
    consumer: { perMinute: 1_000_000 },
    webhooks: { worker: false },
    waitingOrders: { worker: false },
    claimThread: true,
  });
  const [t] = await server.db.sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
  tenantId = Number(t?.id);
  const keystore = new Keystore(Buffer.from(fs.readFileSync('.data/master.key', 'utf8'), 'base64'));
  keys = await keystore.keyring(server.db.sql, tenantId);
  const b = await call('admin', 'POST', '/api/v1/code-batches', { gtin: UNIT, quantity: CODES + 100 });
  expect(b.status).toBe(201);
  serials = serialsFor(keys, { gtin: UNIT, keyVersion: b.body.keyVersion, batchNo: b.body.batchNo }, 0, CODES + 100);
  await commission(b.body.id, CODES);
  const s = await call('line', 'POST', '/api/v1/scans', {
    scanId: randomUUID(),
    kind: 'ship',
    to: 'D0001',
    codes: Array.from({ length: CODES - SHIPPED_FROM }, (_, k) => epcOf(SHIPPED_FROM + k)),
  });
  expect(s.status, JSON.stringify(s.body)).toBe(200);
  const [g] = await server.db.sql<{ gtin: string }[]>`
    select gtin from packaging_levels where tenant_id = ${tenantId} and gtin <> ${UNIT} order by gtin limit 1`;
  otherGtin = g?.gtin as string;
});
afterAll(async () => server?.close());

describe('defining a campaign', () => {
  it('refuses a definition that breaks its rules, each with the pointer of its field, and writes nothing', async () => {
    const before = await count('campaigns');
    const bad = await call(
      'admin',
      'POST',
      '/api/v1/campaigns',
      base(
        {
          type: 'lottery',
          tiers: [
            { name: '一等奖', amountFen: 8800, probability: 0.6, count: 10 },
            { name: '二等奖', amountFen: 100, probability: 0.5, count: 10 },
          ],
        },
        {
          endsAt: anHourAgo(),
          startsAt: inAnHour(),
          eligibility: { gtins: ['06901234999992'], regions: ['999999'] },
          limits: { budgetTotalFen: 1000, budgetDailyFen: 2000 },
        },
      ),
    );
    expect(bad.status).toBe(400);
    expect(bad.type).toMatch(/^application\/problem\+json/);
    expect(problems(bad)).toEqual(
      expect.arrayContaining([
        ['/body/endsAt', 'campaign.ends_before_start'],
        ['/body/reward/tiers', 'campaign.probabilities_over_one'],
        ['/body/eligibility/gtins/0', 'campaign.unknown_gtin'],
        ['/body/eligibility/regions/0', 'division.unknown'],
        ['/body/limits/budgetDailyFen', 'campaign.daily_over_total'],
      ]),
    );
    const schema = await call(
      'admin',
      'POST',
      '/api/v1/campaigns',
      base({ type: 'lottery', tiers: [{ name: 'x', amountFen: 1, probability: 1.5, count: -1 }] }),
    );
    expect(schema.status).toBe(400);
    expect(problems(schema).map((p) => p[0])).toEqual(
      expect.arrayContaining(['/body/reward/tiers/0/probability', '/body/reward/tiers/0/count']),
    );
    // a budget below the smallest prize could never pay one (a ¥5 red packet against ¥1)
    const starved = await call(
      'admin',
      'POST',
      '/api/v1/campaigns',
      base(
        { type: 'lottery', tiers: [{ name: '红包', amountFen: 500, probability: 0.5, count: 10 }] },
        { limits: { budgetTotalFen: 100 } },
      ),
    );
    expect(problems(starved)).toEqual([['/body/limits/budgetTotalFen', 'campaign.budget_below_prize']]);
    const points = await call('admin', 'POST', '/api/v1/campaigns', base({ type: 'points' }, { limits: { budgetTotalFen: 100 } }));
    expect(problems(points)).toEqual([
      ['/body/reward/points', 'field.required'],
      ['/body/limits/budgetTotalFen', 'campaign.money_budget_needs_lottery'],
    ]);
    const coupon = await call(
      'admin',
      'POST',
      '/api/v1/campaigns',
      base({ type: 'coupon', couponTitle: '满减', couponCodes: ['A1', 'A1'] }),
    );
    expect(problems(coupon)).toEqual([['/body/reward/couponCodes/1', 'campaign.coupon_duplicate']]);
    expect(await count('campaigns')).toBe(before);
  });

  it('is for the brand admin to write; a sales rep may not read it, a planner may read but not write', async () => {
    const def = base({ type: 'points', points: 10 });
    expect((await call('sales', 'GET', '/api/v1/campaigns')).status).toBe(403);
    expect((await call('planner', 'GET', '/api/v1/campaigns')).status).toBe(200);
    expect((await call('planner', 'POST', '/api/v1/campaigns', def)).status).toBe(403);
    expect((await call('distributor', 'POST', '/api/v1/campaigns', def)).status).toBe(403);
  });

  it('creates, edits, activates, pauses and ends, each change audited; an ended campaign stays ended', async () => {
    const c = await call(
      'admin',
      'POST',
      '/api/v1/campaigns',
      base({ type: 'points', points: 10 }, { eligibility: { gtins: [UNIT], regions: ['31'] } }),
    );
    expect(c.status).toBe(201);
    expect(c.body).toMatchObject({
      status: 'draft',
      reward: { type: 'points', points: 10 },
      eligibility: { gtins: [UNIT], regions: ['31'] },
    });
    const id = c.body.id as number;
    const e = await call('admin', 'PUT', `/api/v1/campaigns/${id}`, base({ type: 'points', points: 20 }, { name: '春节扫码' }));
    expect(e.body).toMatchObject({ name: '春节扫码', reward: { points: 20 }, eligibility: { gtins: [], regions: [] } });
    for (const [to, status] of [
      ['active', 200],
      ['paused', 200],
      ['paused', 409],
      ['active', 200],
      ['ended', 200],
      ['active', 409],
    ] as const) {
      const r = await call('admin', 'POST', `/api/v1/campaigns/${id}/status`, { status: to });
      expect(r.status, `${to}: ${JSON.stringify(r.body)}`).toBe(status);
    }
    expect((await call('admin', 'PUT', `/api/v1/campaigns/${id}`, base({ type: 'points', points: 5 }))).body.code).toBe('campaign.ended');
    const audit = await server.db.sql<{ action: string }[]>`
      select action from audit_log where entity_type = 'campaign' and entity_id = ${String(id)} order by seq`;
    expect(audit.map((a) => a.action)).toEqual([
      'campaign.create',
      'campaign.update',
      'campaign.activate',
      'campaign.pause',
      'campaign.activate',
      'campaign.end',
    ]);
  });
});

describe('claiming a reward', () => {
  it('gives the points of a points campaign once per code: a retry returns the first answer, another consumer gets nothing', async () => {
    const id = await only(base({ type: 'points', points: 50 }));
    const i = freshCode();
    const p = phone();
    const first = resultOf(await p.claim(i), id);
    expect(first).toMatchObject({ outcome: 'won', reward: { kind: 'points', points: 50 }, repeated: false, message: '恭喜获得 50 积分' });
    expect(await pointsOf(p.device)).toBe(50);
    const again = resultOf(await p.claim(i, codeOf(i), 'en'), id);
    expect(again).toMatchObject({ outcome: 'won', reward: { kind: 'points', points: 50 }, repeated: true });
    expect(again.message).toBe('You won 50 points (claimed before)');
    expect(await pointsOf(p.device)).toBe(50);
    const other = phone();
    expect(resultOf(await other.claim(i), id)).toMatchObject({ outcome: 'claimed_by_other' });
    expect(await pointsOf(other.device)).toBe(0);
    const [row] = await server.db.sql`select kind, points, status from campaign_rewards where campaign_id = ${id} and epc = ${epcOf(i)}`;
    expect(row).toMatchObject({ kind: 'points', points: 50, status: 'paid' });
  });

  it('pays a code once even when the same claim arrives 20 times at once', async () => {
    const id = await only(base({ type: 'points', points: 7 }));
    const i = freshCode();
    const p = phone();
    const answers = await Promise.all(Array.from({ length: 20 }, () => p.claim(i)));
    const results = answers.map((a) => resultOf(a, id));
    expect(results.every((r) => r.outcome === 'won')).toBe(true);
    expect(results.filter((r) => !r.repeated)).toHaveLength(1);
    expect(await pointsOf(p.device)).toBe(7);
    expect(await server.db.sql`select 1 from campaign_rewards where campaign_id = ${id}`).toHaveLength(1);
  });

  it('refuses a wrong hidden code with a field pointer, counts it in the throttle, and after 5 refuses even the right one', async () => {
    await only(base({ type: 'points', points: 1 }));
    const i = freshCode();
    const before = await count('verification_failures');
    const wrong = await phone().claim(i, wrongCodeOf(i));
    expect(wrong.status).toBe(400);
    expect(problems(wrong)).toEqual([['/body/code', 'claim.wrong_code']]);
    expect(await count('verification_failures')).toBe(before + 3);
    for (let k = 0; k < 4; k++) expect((await phone().claim(i, wrongCodeOf(i))).status).toBe(400);
    const right = await phone().claim(i);
    expect(right.status).toBe(429);
    expect(right.body).toMatchObject({ code: 'consumer.verify_throttled', scope: 'code' });
    expect(await server.db.sql`select 1 from campaign_rewards where epc = ${epcOf(i)}`).toHaveLength(0);
  });

  it('refuses forged, malformed, unknown and oversized claims, and pays nothing for them', async () => {
    await only(base({ type: 'points', points: 1 }));
    const i = freshCode();
    const forged = forgedSerial(serials[i] as string);
    const post = (path: string, body: string, type = 'application/json') =>
      fetch(`${server.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': type, 'x-forwarded-for': '203.0.113.9' }, body });
    const cases: [string, string, number, string?][] = [
      [`/01/${UNIT}/21/${forged}/claim`, JSON.stringify({ code: codeOf(i) }), 404, 'consumer.code_unknown'],
      [`/01/${UNIT}/21/${serials[CODES + 5]}/claim`, JSON.stringify({ code: '12345678' }), 404, 'consumer.code_unknown'],
      [`/01/123/21/${serials[i]}/claim`, JSON.stringify({ code: codeOf(i) }), 404, 'consumer.code_unknown'],
      [`/01/${UNIT}/21/${serials[i]}/claim`, JSON.stringify({ code: 12345678 }), 400],
      [`/01/${UNIT}/21/${serials[i]}/claim`, JSON.stringify({ code: codeOf(i), extra: 1 }), 400],
      [`/01/${UNIT}/21/${serials[i]}/claim`, JSON.stringify({}), 400],
      [`/01/${UNIT}/21/${serials[i]}/claim`, '{"code":', 400, 'request.malformed_json'],
      [`/01/${UNIT}/21/${serials[i]}/claim`, JSON.stringify({ code: 'x'.repeat(2000) }), 413, 'request.too_large'],
      [`/01/${UNIT}/21/${serials[i]}/claim`, `code=${codeOf(i)}`, 400],
    ];
    for (const [path, body, status, code] of cases) {
      const r = await post(path, body, body.startsWith('code=') ? 'text/plain' : 'application/json');
      expect(r.status, `${path} ${body.slice(0, 40)}`).toBe(status);
      expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      if (code) expect(((await r.json()) as { code: string }).code).toBe(code);
    }
    expect(await server.db.sql`select 1 from campaign_rewards where epc = ${epcOf(i)}`).toHaveLength(0);
    const preflight = await fetch(`${server.baseUrl}/01/${UNIT}/21/${serials[i]}/claim`, { method: 'OPTIONS' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
  });

  it('answers a plain HTML form post (no JavaScript) with a page: the reward, or the refusal in words', async () => {
    const id = await only(base({ type: 'points', points: 3 }, { name: '表单活动' }));
    const i = freshCode();
    const device = randomUUID();
    const post = (code: string, lang = 'zh-CN') =>
      fetch(`${server.baseUrl}/01/${UNIT}/21/${serials[i]}/claim?lang=${lang}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'text/html,application/xhtml+xml',
          cookie: `tl_device=${device}`,
          'x-forwarded-for': '203.0.113.77',
        },
        body: new URLSearchParams({ code }).toString(),
      });
    const wrong = await post(wrongCodeOf(i));
    expect(wrong.status).toBe(400);
    expect(wrong.headers.get('content-type')).toMatch(/^text\/html/);
    const refusal = await wrong.text();
    expect(refusal).toContain('隐形码错误');
    expect(refusal).not.toContain('id="account"');
    const right = await post(codeOf(i), 'en');
    expect(right.status).toBe(200);
    const html = await right.text();
    expect(html).toContain('data-claim="ok"');
    expect(html).toContain('表单活动: You won 3 points');
    // the consumer's own page of the brand, where the points and prizes won are kept, is a link away
    expect(html).toContain('<a id="account" href="/m/account?brand=demo&#38;lang=en">See my points and prizes</a>');
    expect(await pointsOf(device)).toBe(3);
    expect(await server.db.sql`select 1 from campaign_rewards where campaign_id = ${id}`).toHaveLength(1);
    // the same form body to any other route is still refused
    const elsewhere = await fetch(`${server.baseUrl}/01/${UNIT}/21/${serials[i]}/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'code=1',
    });
    expect(elsewhere.status).toBe(415);
  });

  it('answers a brand without active campaigns with a genuine verdict and no rewards', async () => {
    await server.db.sql`update campaigns set status = 'ended' where status = 'active'`;
    const r = await phone().claim(freshCode());
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ valid: true, results: [], accountUrl: null });
    expect(r.body.message).toContain('正品');
  });

  it("names the consumer's own page of the brand when something was won, and only then", async () => {
    await only(base({ type: 'points', points: 2 }));
    const won = await phone().claim(freshCode(), undefined, 'en');
    expect(won.status, JSON.stringify(won.body)).toBe(200);
    expect(won.body.accountUrl).toBe('/m/account?brand=demo&lang=en');
    const page = await fetch(`${server.baseUrl}${won.body.accountUrl}`);
    expect(page.status).toBe(200);
    await only(base({ type: 'points', points: 2 }, { eligibility: { gtins: [otherGtin] } }));
    const notEligible = await phone().claim(freshCode());
    expect(notEligible.body.results).toMatchObject([{ outcome: 'not_eligible' }]);
    expect(notEligible.body.accountUrl).toBeNull();
  });
});

describe('who may take part', () => {
  it('only units of the campaign’s products (SKU by GTIN)', async () => {
    const theirs = await only(base({ type: 'points', points: 1 }, { eligibility: { gtins: [otherGtin] } }));
    expect(resultOf(await phone().claim(freshCode()), theirs)).toMatchObject({ outcome: 'not_eligible', reason: 'sku' });
    const ours = await only(base({ type: 'points', points: 1 }, { eligibility: { gtins: [UNIT, otherGtin] } }));
    expect(resultOf(await phone().claim(freshCode()), ours)).toMatchObject({ outcome: 'won' });
  });

  it('only units shipped into the campaign’s regions (the shipped-to party’s division, by prefix)', async () => {
    const [d] = await server.db.sql<{ region: string }[]>`
      select coalesce(district_code, city_code, province_code) as region from parties where tenant_id = ${tenantId} and code = 'D0001'`;
    const region = d?.region as string;
    const elsewhere = region.startsWith('11') ? '31' : '11';
    const id = await only(base({ type: 'points', points: 1 }, { eligibility: { regions: [elsewhere] } }));
    expect(resultOf(await phone().claim(nextShipped++), id)).toMatchObject({ outcome: 'not_eligible', reason: 'region' });
    const there = await only(base({ type: 'points', points: 1 }, { eligibility: { regions: [region.slice(0, 2)] } }));
    expect(resultOf(await phone().claim(nextShipped++), there)).toMatchObject({ outcome: 'won' });
    // a unit never shipped has no region: not in any
    expect(resultOf(await phone().claim(freshCode()), there)).toMatchObject({ outcome: 'not_eligible', reason: 'region' });
  });

  it('only within its dates', async () => {
    const id = await only(
      base({ type: 'points', points: 1 }, { startsAt: inAnHour(), endsAt: new Date(Date.now() + 7200_000).toISOString() }),
    );
    const r = resultOf(await phone().claim(freshCode()), id);
    expect(r).toMatchObject({ outcome: 'not_eligible', reason: 'time' });
    expect(r.message).toBe('不符合参与条件：不在活动时间内');
  });

  it('first scan only: the device that scanned the code first, not a later one', async () => {
    const id = await only(base({ type: 'points', points: 1 }, { eligibility: { firstScanOnly: true } }));
    const i = freshCode();
    const first = phone();
    const second = phone();
    await first.scan(i);
    await second.scan(i);
    expect(resultOf(await second.claim(i), id)).toMatchObject({ outcome: 'not_eligible', reason: 'first_scan' });
    expect(resultOf(await first.claim(i), id)).toMatchObject({ outcome: 'won' });
  });

  it('new members only: a consumer first seen before the campaign started is not one', async () => {
    await only(base({ type: 'points', points: 1 }));
    const old = phone();
    await old.claim(freshCode());
    await new Promise((r) => setTimeout(r, 20));
    const id = await only(
      base({ type: 'points', points: 1 }, { startsAt: new Date().toISOString(), eligibility: { newMembersOnly: true } }),
    );
    expect(resultOf(await old.claim(freshCode()), id)).toMatchObject({ outcome: 'not_eligible', reason: 'new_member' });
    expect(resultOf(await phone().claim(freshCode()), id)).toMatchObject({ outcome: 'won' });
  });
});

describe('limits', () => {
  it('per person per day and per campaign', async () => {
    const daily = await only(base({ type: 'points', points: 1 }, { limits: { perConsumerDaily: 2 } }));
    const p = phone();
    const outcomes = [];
    for (let k = 0; k < 3; k++) outcomes.push(resultOf(await p.claim(freshCode()), daily).outcome);
    expect(outcomes).toEqual(['won', 'won', 'cap_reached']);
    const total = await only(base({ type: 'points', points: 1 }, { limits: { perConsumerTotal: 1 } }));
    const q = phone();
    expect(resultOf(await q.claim(freshCode()), total).outcome).toBe('won');
    const capped = resultOf(await q.claim(freshCode()), total);
    expect(capped).toMatchObject({ outcome: 'cap_reached', cap: 'total' });
    // refused claims leave the code's chance: it pays another consumer
    expect(await pointsOf(q.device)).toBe(1);
  });

  it('a daily prize count and a daily budget in fen', async () => {
    const prizes = await only(base({ type: 'points', points: 1 }, { limits: { prizesDaily: 2 } }));
    const got = [];
    for (let k = 0; k < 3; k++) got.push(resultOf(await phone().claim(freshCode()), prizes).outcome);
    expect(got).toEqual(['won', 'won', 'budget_exhausted']);
    const money = await only(
      base({ type: 'lottery', tiers: [{ name: '红包', amountFen: 100, probability: 1, count: 100 }] }, { limits: { budgetDailyFen: 250 } }),
    );
    const paid = [];
    for (let k = 0; k < 3; k++) paid.push(resultOf(await phone().claim(freshCode()), money).outcome);
    expect(paid).toEqual(['won', 'won', 'budget_exhausted']);
    const budget = await call('admin', 'GET', `/api/v1/campaigns/${money}/budget`);
    expect(budget.body.today).toMatchObject({ spentFen: 200, budgetFen: 250, remainingFen: 50, prizes: 2 });
    expect(budget.body.total).toMatchObject({ spentFen: 200, budgetFen: null, remainingFen: null });
  });

  it('a lottery tier gives at most its count; after that a draw is "no prize" and uses the code’s chance', async () => {
    const id = await only(
      base(
        { type: 'lottery', tiers: [{ name: '一等奖', amountFen: 888, probability: 1, count: 2 }] },
        { limits: { budgetTotalFen: 5000 } },
      ),
    );
    // the live budget counts the tiers' prizes as what is left (no prize count was set), and today never has more
    // money left than the whole campaign
    const before = await call('admin', 'GET', `/api/v1/campaigns/${id}/budget`);
    expect(before.body.total).toMatchObject({ prizesLimit: null, prizesRemaining: 2, remainingFen: 5000 });
    expect(before.body.today).toMatchObject({ prizesRemaining: 2, remainingFen: 5000 });
    const outcomes = [];
    for (let k = 0; k < 3; k++) outcomes.push(resultOf(await phone().claim(freshCode()), id));
    expect(outcomes.map((o) => o.outcome)).toEqual(['won', 'won', 'no_prize']);
    expect(outcomes[0]).toMatchObject({
      reward: { kind: 'red_packet', amountFen: 888, tierName: '一等奖' },
      message: '恭喜抽中「一等奖」红包 ¥8.88',
    });
    const rows = await server.db.sql<{ status: string }[]>`select status from campaign_rewards where campaign_id = ${id} order by id`;
    expect(rows.map((r) => r.status)).toEqual(['awarded', 'awarded', 'no_prize']);
    const after = await call('admin', 'GET', `/api/v1/campaigns/${id}/budget`);
    expect(after.body.total).toMatchObject({ prizes: 2, prizesRemaining: 0, remainingFen: 5000 - 2 * 888 });
    expect(after.body.today).toMatchObject({ prizes: 2, prizesRemaining: 0 });
  });

  it("lists a device's prizes on the consumer's own page (where the claim's answer sends them), and no one else's", async () => {
    const id = await only(
      base({
        type: 'lottery',
        tiers: [
          { name: '一等奖', amountFen: 500, probability: 0.5, count: 2 },
          { name: '再来一瓶', amountFen: 300, probability: 0.5, count: 2, oneMore: true },
        ],
      }),
    );
    const me = phone();
    const [a, b] = [freshCode(), freshCode()];
    const won = [resultOf(await me.claim(a), id), resultOf(await me.claim(b), id)];
    expect(won.map((w) => w.outcome)).toEqual(['won', 'won']);
    const prizesOf = (device: string) =>
      fetch(`${server.baseUrl}/api/v1/me/prizes?brand=demo`, { headers: { cookie: `tl_device=${device}` } }).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as { items: Record<string, unknown>[] },
      }));
    const mine = await prizesOf(me.device);
    expect(mine.status).toBe(200);
    expect(mine.body.items).toHaveLength(2);
    // every draw wins one of the two tiers (their chances add up to 1, neither runs out)
    for (const x of mine.body.items) {
      expect(x).toMatchObject(
        x.kind === 'red_packet'
          ? { tierName: '一等奖', amountFen: 500, status: 'awarded', gtin: UNIT }
          : { kind: 'one_more', tierName: '再来一瓶', amountFen: 300, gtin: UNIT },
      );
      expect(x.campaignName).toMatch(/^活动 /);
    }
    expect(mine.body.items.map((x) => x.serial).sort()).toEqual([serials[a], serials[b]].sort());
    // another phone sees none of them
    expect((await prizesOf(randomUUID())).body.items).toEqual([]);
    // the marketer handling the consumer's complaint reads the same prizes on the consumer's profile
    const [owner] = await server.db.sql<{ consumer_id: string }[]>`
      select distinct consumer_id::text from campaign_rewards where campaign_id = ${id}`;
    const profile = await call('admin', 'GET', `/api/v1/consumers/${owner?.consumer_id}`);
    expect(profile.status).toBe(200);
    expect(profile.body.prizes).toEqual(mine.body.items);
    expect(profile.body.prizes[0]).toMatchObject({ campaignId: id, code: expect.stringContaining(`/01/${UNIT}/21/`), paidAt: null });
  });

  it('a lottery with no prize probability draws nothing', async () => {
    const id = await only(base({ type: 'lottery', tiers: [{ name: '一等奖', amountFen: 888, probability: 0, count: 5 }] }));
    for (let k = 0; k < 5; k++) expect(resultOf(await phone().claim(freshCode()), id).outcome).toBe('no_prize');
  });

  it('a coupon campaign gives each coupon of its pool once, then none', async () => {
    const id = await only(base({ type: 'coupon', couponTitle: '满 50 减 10', couponCodes: ['SPRING-1', 'SPRING-2'] }));
    const got = [];
    for (let k = 0; k < 3; k++) got.push(resultOf(await phone().claim(freshCode()), id));
    expect(got.map((g) => g.outcome)).toEqual(['won', 'won', 'budget_exhausted']);
    expect(
      got
        .slice(0, 2)
        .map((g) => (g.reward as { couponCode: string }).couponCode)
        .sort(),
    ).toEqual(['SPRING-1', 'SPRING-2']);
    const budget = await call('admin', 'GET', `/api/v1/campaigns/${id}/budget`);
    expect(budget.body.total).toMatchObject({ prizes: 2, prizesRemaining: 0 });
    const generated = await call('admin', 'POST', '/api/v1/campaigns', base({ type: 'coupon', couponTitle: '券', couponCount: 30 }));
    expect(generated.body.reward).toMatchObject({ couponPool: 30, couponsIssued: 0 });
  });

  it('never exceeds its budget: 1,000 claims at once against 100 prizes award exactly 100', async () => {
    const id = await only(base({ type: 'points', points: 5 }, { limits: { prizesTotal: 100 } }));
    const codes = Array.from({ length: 1000 }, () => freshCode());
    const answers = await Promise.all(codes.map((i) => phone().claim(i)));
    const outcomes = answers.map((a) => resultOf(a, id).outcome);
    expect(outcomes.filter((o) => o === 'won')).toHaveLength(100);
    expect(outcomes.filter((o) => o === 'budget_exhausted')).toHaveLength(900);
    const [c] = await server.db.sql`select prizes_awarded from campaigns where id = ${id}`;
    expect(c?.prizes_awarded).toBe(100);
    const [ledger] = await server.db
      .sql`select count(*)::int as n, sum(points)::int as points from campaign_rewards where campaign_id = ${id}`;
    expect(ledger).toMatchObject({ n: 100, points: 500 });
    const [booked] = await server.db.sql`select count(*)::int as n from points_entries where source like ${`campaign:${id}:%`}`;
    expect(booked?.n).toBe(100);
  }, 120_000);

  it('never passes a tier count or a daily budget either: 400 lottery claims at once, the figures and the ledger agree', async () => {
    const id = await only(
      base(
        {
          type: 'lottery',
          tiers: [
            { name: '大奖', amountFen: 100, probability: 0.5, count: 10 },
            { name: '小奖', amountFen: 50, probability: 0.5, count: 1000 },
          ],
        },
        { limits: { budgetDailyFen: 1500 } },
      ),
    );
    const answers = await Promise.all(Array.from({ length: 400 }, () => phone().claim(freshCode())));
    const outcomes = answers.map((a) => resultOf(a, id));
    const won = outcomes.filter((o) => o.outcome === 'won').map((o) => o.reward as { amountFen: number; tierName: string });
    // every claim that still fitted was paid: the budget is spent to the last fen (both amounts divide it)
    expect(won.reduce((sum, w) => sum + w.amountFen, 0)).toBe(1500);
    expect(won.filter((w) => w.tierName === '大奖').length).toBeLessThanOrEqual(10);
    const [c] = await server.db.sql`select spent_fen::int as spent, prizes_awarded from campaigns where id = ${id}`;
    expect(c).toEqual({ spent: 1500, prizes_awarded: won.length });
    const [day] = await server.db.sql`select spent_fen::int as spent, prizes from campaign_days where campaign_id = ${id}`;
    expect(day).toEqual({ spent: 1500, prizes: won.length });
    const tiers = await server.db.sql<{ name: string; awarded: number; given: number }[]>`
      select t.name, t.awarded, (select count(*)::int from campaign_rewards r where r.campaign_id = t.campaign_id and r.tier = t.tier) as given
      from campaign_tiers t where t.campaign_id = ${id} order by t.tier`;
    for (const t of tiers) expect(t.awarded, t.name).toBe(t.given);
    expect(tiers.reduce((n, t) => n + t.awarded, 0)).toBe(won.length);
  }, 120_000);

  it('decides a batch again, with the figures locked, when another transaction moved them past a limit before its commit', async () => {
    const id = await only(base({ type: 'points', points: 5 }, { limits: { prizesTotal: 1 } }));
    const redecided = () => metric('throughline_claim_batches_redecided_total');
    const before = await redecided();
    // another transaction gives the last prize and holds the row: the claim reads "0 of 1 given" and decides to pay,
    // its guarded write waits for the row, and finds 1 + 1 > 1 once the other commits
    const other = await server.db.sql.reserve();
    try {
      await other`begin`;
      await other`update campaigns set prizes_awarded = prizes_awarded + 1 where id = ${id}`;
      const code = freshCode();
      const answer = phone().claim(code);
      await waitFor(async () => (await server.db.sql`select 1 from pg_locks where not granted and locktype = 'transactionid'`).length > 0);
      await other`commit`;
      expect(resultOf(await answer, id).outcome).toBe('budget_exhausted');
      expect(await redecided()).toBe(before + 1);
      const [c] = await server.db.sql`select prizes_awarded from campaigns where id = ${id}`;
      expect(c?.prizes_awarded).toBe(1);
      expect(await server.db.sql`select 1 from campaign_rewards where campaign_id = ${id}`).toHaveLength(0);
      expect(await server.db.sql`select 1 from code_verifications where epc = ${epcOf(code)}`).toHaveLength(1);
    } finally {
      await other`rollback`.catch(() => undefined);
      other.release();
    }
  });
});

describe('the staff side', () => {
  let id: number;
  beforeEach(async () => {
    id = await only(
      base({ type: 'lottery', tiers: [{ name: '红包', amountFen: 200, probability: 1, count: 10 }] }, { limits: { budgetTotalFen: 2000 } }),
    );
  });

  it('edits limits but not below what was given, and not the reward type once rewards were given', async () => {
    for (let k = 0; k < 3; k++) expect(resultOf(await phone().claim(freshCode()), id).outcome).toBe('won');
    const def = (reward: Record<string, unknown>, limits: Record<string, unknown>) => base(reward, { limits });
    const low = await call(
      'admin',
      'PUT',
      `/api/v1/campaigns/${id}`,
      // ¥3: enough for one prize, below the ¥6 already given
      def({ type: 'lottery', tiers: [{ name: '红包', amountFen: 200, probability: 1, count: 2 }] }, { budgetTotalFen: 300 }),
    );
    expect(problems(low)).toEqual(
      expect.arrayContaining([
        ['/body/limits/budgetTotalFen', 'campaign.below_given'],
        ['/body/reward/tiers/0/count', 'campaign.below_given'],
      ]),
    );
    const type = await call('admin', 'PUT', `/api/v1/campaigns/${id}`, def({ type: 'points', points: 5 }, {}));
    expect(problems(type)).toEqual([
      ['/body/reward/tiers', 'campaign.tier_has_prizes'],
      ['/body/reward/type', 'campaign.reward_type_locked'],
    ]);
    const ok = await call(
      'admin',
      'PUT',
      `/api/v1/campaigns/${id}`,
      def({ type: 'lottery', tiers: [{ name: '红包', amountFen: 200, probability: 1, count: 20 }] }, { budgetTotalFen: 5000 }),
    );
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      spentFen: 600,
      prizesAwarded: 3,
      reward: { tiers: [{ count: 20, awarded: 3 }] },
      limits: { budgetTotalFen: 5000 },
    });
  });

  it('lists the ledger by campaign and status, marks payouts paid (audited) and exports it to Excel', async () => {
    for (let k = 0; k < 3; k++) await phone().claim(freshCode());
    const owed = await call('admin', 'GET', `/api/v1/campaign-rewards?campaignId=${id}&status=awarded`);
    expect(owed.body.total).toBe(3);
    expect(owed.body.items[0]).toMatchObject({ campaignId: id, kind: 'red_packet', amountFen: 200, status: 'awarded', tierName: '红包' });
    const paid = await call('admin', 'POST', `/api/v1/campaigns/${id}/rewards/paid`, { ids: [owed.body.items[0].id, 99_999_999] });
    expect(paid.body).toEqual({ paid: 1 });
    expect((await call('admin', 'GET', `/api/v1/campaign-rewards?campaignId=${id}&status=paid`)).body.total).toBe(1);
    const [audit] = await server.db
      .sql`select action from audit_log where entity_type = 'campaign' and entity_id = ${String(id)} order by seq desc limit 1`;
    expect(audit?.action).toBe('campaign.rewards_paid');
    const r = await fetch(`${server.baseUrl}/api/v1/campaign-rewards/export?campaignId=${id}&status=awarded`, {
      headers: { authorization: `Bearer ${await (await import('../support/app.ts')).loginAs(server.baseUrl, 'admin')}` },
    });
    expect(r.headers.get('content-type')).toMatch(/spreadsheetml/);
    const rows = [];
    for await (const row of readTable(Buffer.from(await r.arrayBuffer()), 'xlsx')) rows.push(row);
    expect(rows).toHaveLength(2);
    expect(JSON.stringify(rows[0])).toContain('2');
    // the payout sheet gives the claim's time on China's clock, as the console's ledger does (not UTC text)
    const exported = rows[0]?.values as Record<string, string>;
    const [claimed] = await server.db.sql<{ at: string }[]>`
      select to_char(claimed_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS') as at from campaign_rewards
      where id = ${Number(exported['编号 id'])}`;
    expect(exported['领取时间（北京时间） claimed at (China time)']).toBe(claimed?.at);
  });

  it('reports scans, claims, unique consumers, cost, redemptions and claims per day', async () => {
    const p = phone();
    const a = freshCode();
    await p.scan(a);
    await p.claim(a);
    await p.claim(freshCode());
    await phone().claim(freshCode());
    const r = await call('admin', 'GET', `/api/v1/campaigns/${id}/report`);
    expect(r.body).toMatchObject({ claims: 3, rewards: 3, uniqueConsumers: 2, costFen: 600, redemptions: 0 });
    expect(r.body.scans).toBeGreaterThanOrEqual(1);
    expect(r.body.perDay).toHaveLength(1);
    expect(r.body.perDay[0]).toMatchObject({ claims: 3, won: 3 });
  });
});

describe('one more (再来一瓶) as a prize', () => {
  it('makes the winning code a ticket that a participating store redeems and is reimbursed for', async () => {
    const id = await only(
      base(
        { type: 'lottery', tiers: [{ name: '再来一瓶', amountFen: 350, probability: 1, count: 5, oneMore: true }] },
        { limits: { budgetTotalFen: 5000 } },
      ),
    );
    const view = await call('admin', 'GET', `/api/v1/campaigns/${id}`);
    expect(view.body.reward.tiers[0]).toMatchObject({ oneMore: true, amountFen: 350 });
    const i = freshCode();
    const won = resultOf(await phone().claim(i), id);
    expect(won).toMatchObject({ outcome: 'won', reward: { kind: 'one_more', amountFen: 350 } });
    expect(won.message).toContain('再来一瓶');
    const [ticket] = await server.db.sql<{ campaign_ref: string }[]>`select campaign_ref from one_more_tickets where epc = ${epcOf(i)}`;
    expect(ticket?.campaign_ref).toBe(`campaign:${id}`);
    // the store that hands over the free unit scans the winning code under the brand's "one more" program
    const program = await call('admin', 'POST', '/api/v1/channel-programs', {
      name: '再来一瓶兑付',
      kind: 'one_more',
      amountFen: 350,
      startsAt: anHourAgo(),
      totalBudgetFen: 100_000,
    });
    expect(program.status, JSON.stringify(program.body)).toBe(201);
    expect((await call('admin', 'POST', `/api/v1/channel-programs/${program.body.id}/status`, { status: 'active' })).status).toBe(200);
    const prizeOf = async () => {
      const [owner] = await server.db.sql<
        { consumer_id: string }[]
      >`select consumer_id::text from campaign_rewards where epc = ${epcOf(i)}`;
      return (await call('admin', 'GET', `/api/v1/consumers/${owner?.consumer_id}`)).body.prizes[0];
    };
    expect(await prizeOf()).toMatchObject({ kind: 'one_more', serial: serials[i], redeemedAt: null });
    const redeemed = await call('store', 'POST', '/api/v1/one-more/redeem', { code: epcOf(i) });
    expect(redeemed.status, JSON.stringify(redeemed.body)).toBe(200);
    expect(redeemed.body).toMatchObject({ campaignRef: `campaign:${id}`, amountFen: 350 });
    // the consumer's profile says the ticket was redeemed, and when
    expect(await prizeOf()).toMatchObject({ kind: 'one_more', redeemedAt: new Date(redeemed.body.redeemedAt).toISOString() });
    // a code that did not win is no ticket
    const other = await call('store', 'POST', '/api/v1/one-more/redeem', { code: epcOf(freshCode()) });
    expect(other.status).toBe(422);
  });
});

describe('fraud rules on the claim', () => {
  it('refuses the claims of a device in a burst, flags it for review, and pays nothing for them', async () => {
    const thresholds = { ...DEFAULT_THRESHOLDS, burstCount: 3 };
    expect((await call('admin', 'PUT', '/api/v1/fraud/settings', thresholds)).status).toBe(200);
    try {
      const id = await only(base({ type: 'points', points: 2 }));
      const device = randomUUID();
      const statuses: number[] = [];
      for (let k = 0; k < 5; k++) {
        const a = await phone(device, '203.0.113.50').claim(freshCode());
        statuses.push(a.status);
        if (a.status === 403) expect(a.body).toMatchObject({ code: 'claim.fraud_refused', rules: ['device_burst'] });
      }
      // three verifications within the limit pass; the fourth and fifth of the device in ten minutes do not
      expect(statuses).toEqual([200, 200, 200, 403, 403]);
      expect(await pointsOf(device)).toBe(6);
      expect(await server.db.sql`select 1 from campaign_rewards where campaign_id = ${id}`).toHaveLength(3);
      const flags = await call('admin', 'GET', '/api/v1/fraud/flags?rule=device_burst');
      expect(flags.status).toBe(200);
      expect(flags.body.items).toEqual(
        expect.arrayContaining([expect.objectContaining({ rule: 'device_burst', subjectKind: 'device', action: 'refused' })]),
      );
    } finally {
      await call('admin', 'PUT', '/api/v1/fraud/settings', DEFAULT_THRESHOLDS);
    }
  });

  it('takes the phone’s location when the consumer allows it: the same code claimed 1,000 km away minutes later is refused', async () => {
    const id = await only(base({ type: 'points', points: 2 }));
    const i = freshCode();
    const beijing = { lat: 39.904_211, lng: 116.407_395 };
    const first = await phone().claim(i, codeOf(i), 'zh-CN', beijing);
    expect(resultOf(first, id)).toMatchObject({ outcome: 'won' });
    // kept at 4 decimals (about 11 m), no closer
    expect(await server.db.sql`select lat, lng from fraud_observations where tenant_id = ${tenantId} and epc = ${epcOf(i)}`).toEqual([
      { lat: 39.9042, lng: 116.4074 },
    ]);
    const shanghai = await phone().claim(i, codeOf(i), 'zh-CN', { lat: 31.2304, lng: 121.4737 });
    expect(shanghai.status).toBe(403);
    expect(shanghai.body).toMatchObject({ code: 'claim.fraud_refused', rules: ['far_apart'] });
    // the consumer reads why in words, not the rule's code
    expect(shanghai.body.detail).toBe('这次领取未通过安全检查：这个码在短时间内于相距很远的两地被扫。如有疑问请联系品牌方');
    const flags = await call('admin', 'GET', '/api/v1/fraud/flags?rule=far_apart');
    expect(flags.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ subject: epcOf(i), action: 'refused' })]));
  });

  it('refuses half a location or one off the globe with the field’s pointer, and records nothing', async () => {
    await only(base({ type: 'points', points: 2 }));
    const i = freshCode();
    const before = await count('code_verifications');
    const half = await phone().claim(i, codeOf(i), 'zh-CN', { lat: 39.9 });
    expect(half.status).toBe(400);
    expect(problems(half)).toEqual([['/body/lng', 'consumer.coordinates_pair']]);
    const off = await phone().claim(i, codeOf(i), 'zh-CN', { lat: 91, lng: 'east' });
    expect(off.status).toBe(400);
    expect(
      problems(off)
        .map(([p]) => p)
        .sort(),
    ).toEqual(['/body/lat', '/body/lng']);
    const verify = await fetch(`${server.baseUrl}/01/${UNIT}/21/${serials[i]}/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: codeOf(i), lng: 121.47 }),
    });
    expect(verify.status).toBe(400);
    expect(problems({ body: await verify.json() })).toEqual([['/body/lat', 'consumer.coordinates_pair']]);
    expect(await count('code_verifications')).toBe(before);
  });
});

describe('a new key version', () => {
  // last in the file: after the rotation, new batches are made under a key version the helpers above do not know
  it('pays a code of a batch made after the brand rotated its code keys: the claim thread learns the new version', async () => {
    const id = await only(base({ type: 'points', points: 3 }));
    // the claim thread has cached the brand's keys by now (the claims above)
    expect(resultOf(await phone().claim(freshCode()), id)).toMatchObject({ outcome: 'won' });
    const rotated = await call('admin', 'POST', '/api/v1/code-keys/rotate', {});
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(200);
    const b = await call('admin', 'POST', '/api/v1/code-batches', { gtin: UNIT, quantity: 3 });
    expect(b.status, JSON.stringify(b.body)).toBe(201);
    expect(b.body.keyVersion).toBe(rotated.body.currentVersion);
    await commission(b.body.id, 3);
    const fresh = await new Keystore(Buffer.from(fs.readFileSync('.data/master.key', 'utf8'), 'base64')).keyring(server.db.sql, tenantId);
    const [serial] = serialsFor(fresh, { gtin: UNIT, keyVersion: b.body.keyVersion, batchNo: b.body.batchNo }, 0, 1);
    const claim = (code: string) =>
      fetch(`${server.baseUrl}/01/${UNIT}/21/${serial}/claim`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: `tl_device=${randomUUID()}`, 'x-forwarded-for': '203.0.113.77' },
        body: JSON.stringify({ code }),
      });
    const wrong = await claim(String((Number(verificationCodeFor(fresh, UNIT, serial as string)) + 1) % 100_000_000).padStart(8, '0'));
    expect(wrong.status).toBe(400);
    const right = await claim(verificationCodeFor(fresh, UNIT, serial as string) as string);
    expect(right.status).toBe(200);
    expect((await right.json()).results).toEqual([expect.objectContaining({ campaignId: id, outcome: 'won' })]);
  });
});
