import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keystore } from '../../src/modules/codes/keystore.ts';
import { serialsFor } from '../../src/modules/codes/serials.ts';
import { verificationCodeFor } from '../../src/modules/codes/verification.ts';
import { apiClient } from '../support/api-client.ts';
import { startTestServer, type TestServer } from '../support/app.ts';
import { launchChromium, signedIn } from '../support/browser.ts';

/**
 * Campaigns in real Chromium: a consumer on a 360 px phone enters the hidden code on the resolver page and sees the
 * reward; a brand admin creates a lottery campaign in the console, activates it and watches its live budget.
 */
const UNIT = '06901234001013';
let server: TestServer;
let browser: Browser;
let serials: string[];
let codes: string[];
const call = apiClient(() => server.baseUrl);

beforeAll(async () => {
  server = await startTestServer({ webhooks: { worker: false }, waitingOrders: { worker: false } });
  const batch = await call('admin', 'POST', '/api/v1/code-batches', { gtin: UNIT, quantity: 4 });
  const [t] = await server.db.sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
  const keys = await new Keystore(Buffer.from(fs.readFileSync('.data/master.key', 'utf8'), 'base64')).keyring(server.db.sql, Number(t?.id));
  serials = serialsFor(keys, { gtin: UNIT, keyVersion: batch.body.keyVersion, batchNo: batch.body.batchNo }, 0, 4);
  codes = serials.map((s) => verificationCodeFor(keys, UNIT, s) as string);
  const [lot] = await server.db.sql<{ lot_code: string }[]>`
    select l.lot_code from lots l join packaging_levels pl on pl.tenant_id = l.tenant_id and pl.product_id = l.product_id
    where pl.gtin = ${UNIT} and l.tenant_id = ${Number(t?.id)} order by l.lot_code limit 1`;
  const c = await call('line', 'POST', '/api/v1/scans', {
    scanId: randomUUID(),
    kind: 'commission',
    lot: lot?.lot_code,
    codes: serials.map((s) => `https://id.gs1.org/01/${UNIT}/21/${s}`),
  });
  expect(c.status).toBe(200);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('a consumer claims a reward on the resolver page', () => {
  it('enters the hidden code at 360 px and sees the points won, then the same answer again in English', async () => {
    const campaign = await call('admin', 'POST', '/api/v1/campaigns', {
      name: '扫码赢积分',
      startsAt: new Date(Date.now() - 60_000).toISOString(),
      endsAt: new Date(Date.now() + 86400_000).toISOString(),
      reward: { type: 'points', points: 88 },
    });
    expect((await call('admin', 'POST', `/api/v1/campaigns/${campaign.body.id}/status`, { status: 'active' })).status).toBe(200);
    // the consumer lets the page know where the phone is (the fraud rules' distance check)
    const context = await browser.newContext({
      locale: 'zh-CN',
      viewport: { width: 360, height: 740 },
      isMobile: true,
      hasTouch: true,
      permissions: ['geolocation'],
      geolocation: { latitude: 31.230_416, longitude: 121.473_701 },
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    // (the browser logs the refused wrong code's 400 itself: an answer, not a page error)
    const response = await page.goto(`${server.baseUrl}/01/${UNIT}/21/${serials[0]}`);
    expect((await response?.body())?.length).toBeLessThan(50 * 1024);
    await page.locator('#code').fill('00000000');
    await page.getByRole('button', { name: '验证并领取奖励' }).click();
    await expect.poll(() => page.locator('output').textContent()).toBe('隐形码错误');
    expect(await page.getByRole('link', { name: '查看我的积分和奖品' }).count()).toBe(0);
    await page.locator('#code').fill(codes[0] as string);
    await page.getByRole('button', { name: '验证并领取奖励' }).click();
    await expect.poll(() => page.locator('output').textContent()).toBe('扫码赢积分：恭喜获得 88 积分');
    // what was won is kept on the consumer's own page: a link away, and it shows the points (the script runs under
    // the page's Content-Security-Policy, so a refused script would leave the link hidden)
    const account = page.getByRole('link', { name: '查看我的积分和奖品' });
    expect(await account.getAttribute('href')).toBe('/m/account?brand=demo&lang=zh-CN');
    expect(await server.db.sql`select lat, lng from fraud_observations where epc like ${`%/21/${serials[0]}`}`).toEqual([
      { lat: 31.2304, lng: 121.4737 },
    ]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);

    await page.getByRole('link', { name: 'English' }).click();
    await page.waitForURL(/lang=en/);
    await page.locator('#code').fill(codes[0] as string);
    await page.getByRole('button', { name: 'Check and claim rewards' }).click();
    await expect.poll(() => page.locator('output').textContent()).toBe('扫码赢积分: You won 88 points (claimed before)');
    await page.getByRole('link', { name: 'See my points and prizes' }).click();
    await page.waitForURL(/\/m\/account\?brand=demo&lang=en/);
    await expect.poll(() => page.locator('#balance').textContent()).toBe('88');
    expect(errors).toEqual([]);
    const [points] = await server.db.sql`select sum(delta)::int as n from points_entries`;
    expect(points?.n).toBe(88);
    await context.close();
  });
});

describe('a brand admin runs a campaign in the console', () => {
  it('creates a red-packet lottery with a prize tier, activates it and sees its live budget and chart', async () => {
    await server.db.sql`update campaigns set status = 'ended' where status = 'active'`;
    // the marketer's laptop is on California time: every time entered and shown is still China's (the brand's day)
    const s = await signedIn(browser, server.baseUrl, 'admin', 'Admin#2026', '/campaigns', undefined, 'America/Los_Angeles');
    const { page } = s;
    await expect.poll(() => page.getByTestId('menu-campaigns').textContent()).toBe('营销活动');
    await page.getByTestId('campaigns-new').click();
    await page.getByTestId('campaign-name').fill('春季红包');
    expect(await page.locator('label[for$="endsAt"]').textContent()).toBe('结束时间（北京时间）');
    expect(await page.getByTestId('campaign-limits-day').textContent()).toContain('北京时间的自然日');
    await page.getByTestId('campaign-ends').fill('2099-01-31T23:59');
    await page.getByTestId('campaign-type-lottery').click();
    await page.getByTestId('tier-name-0').fill('一等奖');
    await page.getByTestId('tier-amount-0').fill('5');
    await page.getByTestId('tier-probability-0').fill('1');
    await page.getByTestId('tier-count-0').fill('10');
    await page.getByTestId('campaign-budget-total').fill('100');
    await page.getByTestId('campaign-save').click();
    const row = page.getByTestId('campaigns-table').locator('tr', { hasText: '春季红包' });
    await expect.poll(() => row.count()).toBe(1);
    const [c] = await server.db.sql<
      { id: string; budget_total_fen: string }[]
    >`select id, budget_total_fen from campaigns where name = '春季红包'`;
    expect(Number(c?.budget_total_fen)).toBe(10_000);
    // 23:59 in Beijing is 15:59 UTC (not 23:59 in California, the next day's 07:59 UTC), and the list says it back
    const [ends] = await server.db.sql<
      { ends: string }[]
    >`select to_json(ends_at)#>>'{}' as ends from campaigns where id = ${c?.id as string}`;
    expect(new Date(ends?.ends as string).toISOString()).toBe('2099-01-31T15:59:00.000Z');
    expect(await row.textContent()).toContain('2099-01-31 23:59');
    const tiers = await server.db
      .sql`select name, amount_fen::int, probability_ppm, prize_count from campaign_tiers where campaign_id = ${c?.id as string}`;
    expect(tiers).toEqual([{ name: '一等奖', amount_fen: 500, probability_ppm: 1_000_000, prize_count: 10 }]);
    await page.getByTestId(`campaign-activate-${c?.id}`).click();
    await expect.poll(() => page.getByTestId(`campaign-status-${c?.id}`).textContent()).toBe('进行中');

    await row.click();
    await expect.poll(() => page.getByTestId('campaign-budget-prizes').textContent()).toContain('0');
    // a consumer wins while the page is open: the live budget follows without a reload
    const claim = await fetch(`${server.baseUrl}/01/${UNIT}/21/${serials[1]}/claim`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: codes[1] }),
    });
    expect(claim.status).toBe(200);
    await expect.poll(() => page.getByTestId('campaign-budget-prizes').textContent(), { timeout: 20_000 }).toContain('1');
    await expect.poll(() => page.getByTestId('campaign-chart').locator('canvas').count()).toBeGreaterThan(0);
    // the red packet was handed over (the export is the payout list): the marketer marks it paid in the ledger, audited
    const [won] = await server.db.sql<{ id: string }[]>`select id::text from campaign_rewards where campaign_id = ${c?.id as string}`;
    // the ledger follows the claim without a reload, as the budget does
    const ledgerRow = page.getByTestId('campaign-detail').locator(`tr[data-row-key="${won?.id}"]`);
    await ledgerRow.locator('input[type=checkbox]').check({ timeout: 20_000 });
    await page.getByTestId('campaign-mark-paid').click();
    await page.locator('.ant-popconfirm-buttons .ant-btn-primary').click();
    await expect.poll(() => ledgerRow.textContent()).toContain('已发放');
    const [paid] = await server.db.sql<{ status: string }[]>`select status from campaign_rewards where id = ${won?.id as string}`;
    expect(paid?.status).toBe('paid');
    expect(await server.db.sql`select 1 from audit_log where action = 'campaign.rewards_paid'`).toHaveLength(1);
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
    // the ledger's claim time is China's too
    expect(await ledgerRow.textContent()).toContain(today);
    // a consumer complains the ¥5 never came: the marketer opens their profile and reads the prize, paid, and when
    await page.getByTestId(`ledger-consumer-${won?.id}`).click();
    const prize = page.getByTestId('consumer-prizes').locator('tbody tr', { hasText: '春季红包' });
    await expect.poll(() => prize.textContent()).toContain('红包 · 一等奖 · ¥5.00');
    expect(await prize.textContent()).toContain(`GTIN ${UNIT} · 序列号 ${serials[1]}`);
    expect(await prize.textContent()).toMatch(
      new RegExp(`^${today} \\d\\d:\\d\\d春季红包 \\(#${c?.id}\\).*已发放 ${today} \\d\\d:\\d\\d$`),
    );
    // the rest of the profile is on the same clock (first seen at 08:40 in Beijing is not 16:40 the day before)
    const firstSeen = page
      .locator('th.ant-descriptions-item-label', { hasText: '首次出现（北京时间）' })
      .locator('xpath=following-sibling::td[1]');
    expect(await firstSeen.textContent()).toMatch(new RegExp(`^${today} \\d\\d:\\d\\d$`));
    // and in English
    await page.evaluate(() => localStorage.setItem('tl.lang', 'en'));
    await page.reload();
    await expect.poll(() => prize.textContent()).toContain('Red packet · 一等奖 · ¥5.00');
    expect(await prize.textContent()).toContain(`Paid ${today}`);
    expect(await page.getByTestId('consumer-prizes').locator('th').first().textContent()).toBe('Won (China time)');
    expect(s.errors).toEqual([]);
    await s.close();

    // the consumer's own page, on the phone that claimed, lists the red packet won (the claim's answer sends them
    // there: 'see my points and prizes'), dated in China's time
    const device = /tl_device=([^;]+)/.exec(claim.headers.get('set-cookie') ?? '')?.[1];
    expect(device).toBeTruthy();
    const phone = await browser.newContext({ locale: 'zh-CN', viewport: { width: 360, height: 740 }, isMobile: true });
    await phone.addCookies([{ name: 'tl_device', value: device as string, url: server.baseUrl }]);
    const account = await phone.newPage();
    await account.goto(`${server.baseUrl}/m/account?brand=demo`);
    await expect.poll(() => account.getByTestId('prizes').textContent()).toContain(`${today} 春季红包：一等奖 · 红包 ¥5.00 已发放`);
    await phone.close();
  });
});

describe("the rewards ledger of a campaign's page", () => {
  it('shows each unit by GTIN and serial and links each consumer to their profile', async () => {
    await server.db.sql`update campaigns set status = 'ended' where status = 'active'`;
    const campaign = await call('admin', 'POST', '/api/v1/campaigns', {
      name: '台账活动',
      startsAt: new Date(Date.now() - 60_000).toISOString(),
      endsAt: new Date(Date.now() + 86400_000).toISOString(),
      reward: { type: 'points', points: 6 },
    });
    expect((await call('admin', 'POST', `/api/v1/campaigns/${campaign.body.id}/status`, { status: 'active' })).status).toBe(200);
    const claim = await fetch(`${server.baseUrl}/01/${UNIT}/21/${serials[2]}/claim`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: codes[2] }),
    });
    expect(claim.status).toBe(200);
    const [reward] = await server.db.sql<{ id: string; consumer_id: string }[]>`
      select id::text, consumer_id::text from campaign_rewards where campaign_id = ${campaign.body.id}`;

    const s = await signedIn(browser, server.baseUrl, 'admin', 'Admin#2026', '/campaigns');
    const { page } = s;
    await page.getByTestId('campaigns-table').locator('tr', { hasText: '台账活动' }).click();
    const consumer = page.getByTestId(`ledger-consumer-${reward?.id}`);
    await expect.poll(() => consumer.textContent()).toBe(`#${reward?.consumer_id}`);
    // the code as printed on the pack, not the id.gs1.org URI (that stays on the tooltip and the copy button)
    const row = page.locator('tr', { has: consumer });
    expect(await row.textContent()).toContain(`GTIN ${UNIT} · 序列号 ${serials[2]}`);
    expect(await row.textContent()).not.toContain('id.gs1.org');
    expect(await row.locator(`[data-epc="https://id.gs1.org/01/${UNIT}/21/${serials[2]}"]`).count()).toBe(1);
    await consumer.click();
    await page.waitForURL(new RegExp(`/consumers/${reward?.consumer_id}$`));
    await expect.poll(() => page.getByTestId('consumer-balance').textContent()).toBe('6');
    expect(s.errors).toEqual([]);
    await s.close();
  });
});

describe("a one-more ticket on the consumer's own page", () => {
  it('says where to take it until a store redeems it, then that it was redeemed and when (China time)', async () => {
    await server.db.sql`update campaigns set status = 'ended' where status = 'active'`;
    const window = { startsAt: new Date(Date.now() - 60_000).toISOString(), endsAt: new Date(Date.now() + 86400_000).toISOString() };
    const campaign = await call('admin', 'POST', '/api/v1/campaigns', {
      name: '再来一瓶活动',
      ...window,
      reward: { type: 'lottery', tiers: [{ name: '再来一瓶', amountFen: 350, probability: 1, count: 5, oneMore: true }] },
      limits: { budgetTotalFen: 5000 },
    });
    expect((await call('admin', 'POST', `/api/v1/campaigns/${campaign.body.id}/status`, { status: 'active' })).status).toBe(200);
    const program = await call('admin', 'POST', '/api/v1/channel-programs', {
      name: '再来一瓶兑付',
      kind: 'one_more',
      amountFen: 350,
      totalBudgetFen: 100_000,
      startsAt: window.startsAt,
    });
    expect((await call('admin', 'POST', `/api/v1/channel-programs/${program.body.id}/status`, { status: 'active' })).status).toBe(200);
    const claim = await fetch(`${server.baseUrl}/01/${UNIT}/21/${serials[3]}/claim`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: codes[3] }),
    });
    expect(claim.status).toBe(200);
    const device = /tl_device=([^;]+)/.exec(claim.headers.get('set-cookie') ?? '')?.[1];
    const phone = await browser.newContext({ locale: 'zh-CN', viewport: { width: 360, height: 740 }, isMobile: true });
    await phone.addCookies([{ name: 'tl_device', value: device as string, url: server.baseUrl }]);
    const account = await phone.newPage();
    await account.goto(`${server.baseUrl}/m/account?brand=demo`);
    await expect.poll(() => account.getByTestId('prizes').textContent()).toContain(`序列号 ${serials[3]}）到参与活动的门店兑换`);
    const redeemed = await call('store', 'POST', '/api/v1/one-more/redeem', { code: `https://id.gs1.org/01/${UNIT}/21/${serials[3]}` });
    expect(redeemed.status, JSON.stringify(redeemed.body)).toBe(200);
    const at = new Date(redeemed.body.redeemedAt as string);
    const china = new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
    await account.reload();
    await expect.poll(() => account.getByTestId('prizes').textContent()).toContain(`再来一瓶：已于 ${china} 在门店兑换`);
    await phone.close();
  });
});
