import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookPoints, consumerFor, consumerOf, identifierHasher } from '../../src/modules/consumers/index.ts';
import { startTestServer, type TestServer } from '../support/app.ts';
import { launchChromium, signedIn } from '../support/browser.ts';
import { ConsumerDevice, signInWithPhone } from '../support/consumer-device.ts';

/**
 * The console's consumers pages in headless Chromium: a brand admin finds a consumer by phone (shown masked), opens
 * the profile (tier, points, identifiers), tags the consumer, undoes a merge, and adds an item to the points mall.
 * Needs the built console (`npm run build` → dist/web) and Chromium.
 */
const WEB_INDEX = path.resolve('dist/web/index.html');
const masterKey = randomBytes(32);
const hash = identifierHasher(masterKey);
const PHONE = '13912341234';
const EPC = 'https://id.gs1.org/01/06901234001013/21/K7Q2M9XW4T';
let server: TestServer;
let browser: Browser | undefined;
let tenant: number;
let phoneConsumer: number;
let shopConsumer: number;

beforeAll(async () => {
  if (!fs.existsSync(WEB_INDEX)) throw new Error(`${WEB_INDEX} is missing: run \`npm run build\` before the console e2e test`);
  server = await startTestServer({ masterKey });
  const [t] = await server.db.sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
  tenant = Number(t?.id);
  // a consumer known by a phone, and a shop device whose consumer earned 1,200 points and then proved the same phone
  const home = new ConsumerDevice(() => server.baseUrl);
  const shop = new ConsumerDevice(() => server.baseUrl);
  shopConsumer = await consumerFor(server.db.sql, tenant, 'device', hash('device', shop.deviceId as string), 'cookie');
  await bookPoints(server.db.sql, {
    tenantId: tenant,
    consumerId: shopConsumer,
    delta: 1200,
    kind: 'earn',
    source: `test:${randomUUID()}`,
  });
  // a scan campaign's reward and a mall redemption, as their modules book them (the balance stays 1,200)
  await bookPoints(server.db.sql, { tenantId: tenant, consumerId: shopConsumer, delta: 5, kind: 'earn', source: `campaign:7:code:${EPC}` });
  await bookPoints(server.db.sql, { tenantId: tenant, consumerId: shopConsumer, delta: -5, kind: 'spend', source: `mall:${randomUUID()}` });
  await signInWithPhone(home, server.db.sql, hash('phone', PHONE), PHONE);
  await signInWithPhone(shop, server.db.sql, hash('phone', PHONE), PHONE);
  phoneConsumer = (await consumerOf(server.db.sql, tenant, 'phone', hash('phone', PHONE))) as number;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the consumers console', () => {
  it('finds a consumer by phone (masked), tags them, undoes their merge, and adds a mall item', async () => {
    const { page, errors, close } = await signedIn(browser as Browser, server.baseUrl, 'admin', 'Admin#2026', '/consumers');
    try {
      await page.getByTestId('menu-consumers').waitFor();
      const table = page.getByTestId('consumers-table');
      await page.getByTestId('consumers-phone').locator('input').fill(PHONE);
      await page.getByTestId('consumers-phone').locator('input').press('Enter');
      await expect.poll(() => table.locator('tbody tr').count()).toBe(1);
      const row = table.locator('tbody tr').first();
      await expect.poll(() => row.textContent()).toContain('139****1234');
      expect(await row.textContent()).toContain('银卡会员');
      expect(await table.textContent()).not.toContain(PHONE);

      await row.getByRole('link').click();
      await page.getByTestId('consumer-profile').waitFor();
      expect(await page.getByTestId('consumer-balance').textContent()).toBe('1200');
      expect(await page.getByTestId('consumer-identifiers').textContent()).toContain('139****1234');
      // the points ledger says in words what booked each entry, the unit by its GTIN and serial (the full EPC on hover
      // and copy); a key it does not know stays readable as written
      const ledger = page.getByTestId('consumer-ledger');
      await expect.poll(() => ledger.textContent()).toContain('活动 #7 扫码奖励');
      expect(await ledger.textContent()).toContain('GTIN 06901234001013 · 序列号 K7Q2M9XW4T');
      expect(await ledger.textContent()).toContain('积分商城兑换');
      expect(await ledger.textContent()).toMatch(/test:[0-9a-f-]{36}/);
      expect(await ledger.textContent()).not.toContain('id.gs1.org');
      expect(await ledger.textContent()).not.toMatch(/campaign:|mall:/);
      expect(await ledger.locator(`[data-epc="${EPC}"]`).count()).toBe(1);

      await page.getByTestId('consumer-tags').click();
      await page.keyboard.type('高价值');
      await page.keyboard.press('Enter');
      await page.getByTestId('consumer-tags-save').click();
      await expect
        .poll(async () =>
          (await server.db.sql`select tag from consumer_tags where tenant_id = ${tenant} and consumer_id = ${phoneConsumer}`).map(
            (r) => r.tag,
          ),
        )
        .toEqual(['高价值']);

      const [merge] = await server.db.sql<
        { id: string }[]
      >`select id::text from consumer_merges where tenant_id = ${tenant} and into_consumer = ${phoneConsumer}`;
      await page.getByTestId(`merge-undo-${merge?.id}`).click();
      await page.locator('.ant-popconfirm .ant-btn-primary').click();
      await expect.poll(() => page.getByTestId('consumer-merges').textContent()).toContain('已于');
      expect(await page.getByTestId('consumer-balance').textContent()).toBe('0');
      const [back] = await server.db.sql<
        { merged_into: string | null }[]
      >`select merged_into from consumers where tenant_id = ${tenant} and id = ${shopConsumer}`;
      expect(back?.merged_into).toBeNull();

      await page.getByTestId('menu-mall').click();
      await page.getByTestId('mall-create').click();
      await page.getByTestId('mall-name-zh').fill('满100减20券');
      await page.getByTestId('mall-name-en').fill('20 off 100');
      await page.getByTestId('mall-price').fill('500');
      await page.getByTestId('mall-stock').fill('30');
      await page.getByTestId('mall-save').click();
      await expect.poll(() => page.getByTestId('mall-items').textContent()).toContain('满100减20券');
      const [item] = await server.db
        .sql`select points_price, stock, active from mall_items where tenant_id = ${tenant} and name_en = '20 off 100'`;
      expect(item).toEqual({ points_price: 500, stock: 30, active: true });
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('is not in the menu of a sales rep, and the page refuses them', async () => {
    const { page, close } = await signedIn(browser as Browser, server.baseUrl, 'sales', 'Demo#2026', '/consumers');
    try {
      await page.getByText('403').first().waitFor();
      expect(await page.getByTestId('menu-consumers').count()).toBe(0);
    } finally {
      await close();
    }
  });
});
