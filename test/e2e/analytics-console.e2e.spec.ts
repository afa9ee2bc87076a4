import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { businessToday } from '../../src/modules/inventory/index.ts';
import { divisionName } from '../../src/modules/parties/divisions.ts';
import { readTable } from '../../src/platform/tabular/index.ts';
import { startTestServer, type TestServer } from '../support/app.ts';
import { launchChromium, signedIn } from '../support/browser.ts';
import { captureSellOut, type SellOutStores } from '../support/sell-out.ts';

/**
 * The channel dashboards in a real Chromium: the brand admin opens the overview for a period (the sales of
 * test/support/sell-out.ts, projected into the facts by the server's own projector), drills down from the
 * store's province to its city to the store by clicking, with the filters kept in the URL and the breadcrumb
 * naming where the view stands, and exports the table to Excel; sell-in says which figure was ordered, which shipped.
 * Needs the built console and Chromium (see console.e2e.spec.ts).
 */
const WAIT = 20_000;
let server: TestServer;
let browser: Browser;
let sales: SellOutStores;

beforeAll(async () => {
  if (!fs.existsSync(path.resolve('dist/web/index.html'))) throw new Error('dist/web is missing: run `npm run build` first');
  server = await startTestServer({ webhooks: { worker: false }, waitingOrders: { worker: false }, analytics: { intervalMs: 200 } });
  sales = await captureSellOut(server, '06901234001013');
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the channel dashboards in the console', () => {
  it('shows the overview, drills down province -> city -> store by clicking, and exports the table', async () => {
    const { page, errors, close } = await signedIn(browser, server.baseUrl, 'admin', 'Admin#2026', '/analytics/overview', WAIT);
    try {
      // the default period is the last 30 whole days in China, ending yesterday: it ended on today (in UTC), whose few
      // hours drew every trend falling to near nothing on its last day
      const yesterday = new Date(Date.parse(`${businessToday(new Date())}T00:00:00Z`) - 86_400_000);
      const daysBefore = (n: number) => new Date(yesterday.getTime() - n * 86_400_000).toISOString().slice(0, 10);
      await expect.poll(() => page.getByTestId('analytics-to').inputValue(), { timeout: WAIT }).toBe(daysBefore(0));
      expect(await page.getByTestId('analytics-from').inputValue()).toBe(daysBefore(29));
      // a period without facts says so on the chart, rather than drawing a legend over a bare line
      await page.goto(`${server.baseUrl}/analytics/overview?from=2020-01-01&to=2020-01-15`);
      await page.getByTestId('analytics-series-empty').waitFor({ timeout: WAIT });
      expect(await page.getByTestId('analytics-series-empty').textContent()).toContain('这段时间还没有渠道数据');
      await page.goto(`${server.baseUrl}/analytics/overview?from=2026-10-01&to=2026-10-15`);
      await page.getByTestId('side-menu').getByTestId('menu-analytics').waitFor({ state: 'attached' });
      // S sold 45 units in the period and C 45: the brand's sell-out is 90
      await expect
        .poll(async () => (await page.getByTestId('analytics-total-sellOutUnits').textContent())?.replace(/\D/g, ''), { timeout: WAIT })
        .toContain('90');
      await page.getByTestId('analytics-series').locator('canvas').waitFor();
      expect(await page.getByTestId('analytics-series-empty').count()).toBe(0);
      // the SKU filter offers the brand's products
      await page.getByTestId('analytics-sku').click();
      await page.locator('.ant-select-item-option').first().waitFor();
      expect(await page.locator('.ant-select-item-option').count()).toBeGreaterThan(0);
      await page.keyboard.press('Escape');

      // drill into S's province: the table turns to its cities and the URL keeps the filter
      await page.getByTestId(`drill-${sales.S.province}`).click();
      await expect.poll(() => page.url()).toContain(`region=${sales.S.province}`);
      const city = (await server.db.sql<{ city: string }[]>`select city_code as city from parties where id = ${sales.S.id}`)[0]
        ?.city as string;
      await page.getByTestId(`drill-${city}`).click();
      await expect.poll(() => page.url()).toContain(`region=${city}`);
      // the city's parties: S with its 45 units
      const row = page.getByTestId('analytics-breakdown').locator('tbody tr', { hasText: sales.S.code });
      await expect.poll(() => row.textContent(), { timeout: WAIT }).toContain('45');
      const shown = await page.getByTestId('analytics-breakdown').locator('tbody tr').count();

      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('analytics-export').click()]);
      expect(download.suggestedFilename()).toBe('analytics-overview.xlsx');
      const file = await download.path();
      const rows = [];
      for await (const r of readTable(fs.readFileSync(file), 'xlsx')) rows.push(r);
      expect(rows.length).toBe(shown);
      expect(JSON.stringify(rows)).toContain(sales.S.code);

      // into the store: the breadcrumb names the province, the city and the store, as the filter boxes do, not their codes
      await page.getByTestId(`drill-${sales.S.code}`).click();
      await expect.poll(() => page.url()).toContain(`party=${sales.S.id}`);
      const [names] = await server.db.sql<{ province: string; city: string; store: string }[]>`
        select pv.name as province, ct.name as city, s.name as store from parties s
        join divisions pv on pv.code = s.province_code join divisions ct on ct.code = s.city_code where s.id = ${sales.S.id}`;
      const crumbs = async () =>
        (await page.getByTestId('analytics-drill-path').locator('[data-testid^="drill-path-"]').allTextContents()).map((x) => x.trim());
      await expect.poll(crumbs, { timeout: WAIT }).toEqual(['全国', names?.province, names?.city, names?.store]);
      expect(await page.getByTestId('filter-province').textContent()).toContain(names?.province);
      expect(await page.getByTestId('filter-city').textContent()).toContain(names?.city);
      // a crumb still goes back up: the province's cities again
      await page.getByTestId(`drill-path-${sales.S.province}`).click();
      await expect.poll(() => page.url()).not.toContain('party=');
      await page.getByTestId(`drill-${city}`).waitFor();
      expect(await crumbs()).toEqual(['全国', names?.province]);
      // in English the path is English: the root and the province's name (switched on the page, not reloaded)
      await page.getByTestId('lang-en').click();
      await expect.poll(crumbs, { timeout: WAIT }).toEqual(['National', divisionName(sales.S.province, 'en')]);
      await page.getByTestId('lang-zh').click();
      await expect.poll(crumbs, { timeout: WAIT }).toEqual(['全国', names?.province]);

      // sell-in money is what distributors ordered, sell-in units what was shipped to them: the labels say which
      expect(await page.getByTestId('analytics-label-sellInFen').textContent()).toBe('订货金额（元）');
      expect(await page.getByTestId('analytics-label-sellInUnits').textContent()).toBe('进货发运（件）');
      await page.getByTestId('analytics-label-sellInUnits').hover();
      await expect.poll(() => page.locator('.ant-tooltip').last().textContent()).toContain('已下单但未发货的不计');
      const header = await page.getByTestId('analytics-breakdown').locator('thead').textContent();
      expect(header).toContain('订货金额（元）');
      expect(header).toContain('进货发运（件）');

      // a launch's velocities with two decimals each (they came with up to four: 7.34 beside 4.2951)
      await page.goto(`${server.baseUrl}/analytics/launches?from=2026-10-01&to=2026-10-15&gtin=06901234001013&region=${sales.S.province}`);
      for (const id of ['launch-pilot-velocity', 'launch-comparable-velocity'])
        await expect.poll(() => page.getByTestId(id).textContent(), { timeout: WAIT }).toMatch(/\d+\.\d{2}$/);

      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('names the viewer’s scope at the root of the drill path: a sales rep’s territories, a distributor’s channel', async () => {
    const rep = await signedIn(browser, server.baseUrl, 'sales', 'Demo#2026', '/analytics/overview', WAIT);
    try {
      const root = () => rep.page.getByTestId('drill-path-scope').textContent();
      // the demo rep's territories are Beijing (11) and Hebei (13): not the whole country
      await expect.poll(root, { timeout: WAIT }).toBe(`负责区域：${divisionName('11')}、${divisionName('13')}`);
      expect(await rep.page.getByTestId('drill-path-national').count()).toBe(0);
      await rep.page.getByTestId('lang-en').click();
      await expect.poll(root, { timeout: WAIT }).toBe(`My territories: ${divisionName('11', 'en')}, ${divisionName('13', 'en')}`);
      expect(await root()).not.toMatch(/[\u4e00-\u9fff]/);
      // the stock page says what its days of supply divide: the stock now by the outflow of the 28 days up to today
      await rep.page.goto(`${server.baseUrl}/analytics/stock?from=2020-01-01&to=2020-01-31`);
      const today = businessToday(new Date());
      const from = new Date(Date.parse(`${today}T00:00:00Z`) - 27 * 86_400_000).toISOString().slice(0, 10);
      const basis = () => rep.page.getByTestId('analytics-stock-basis').textContent();
      await expect.poll(basis, { timeout: WAIT }).toContain(`over the 28 days from ${from} to ${today} (today), whatever period is chosen`);
      expect(await basis()).not.toMatch(/[\u4e00-\u9fff]/);
      expect(await rep.page.getByTestId('analytics-label-daysOfSupply').textContent()).toBe('Days of supply');
      await rep.page.getByTestId('lang-zh').click();
      await expect.poll(basis, { timeout: WAIT }).toContain(`日均出库按 ${from} 至 ${today}（今天）共 28 天计算`);
      expect(rep.errors).toEqual([]);
    } finally {
      await rep.close();
    }
    const d = await signedIn(browser, server.baseUrl, 'distributor', 'Demo#2026', '/analytics/overview', WAIT);
    try {
      const [name] = await server.db.sql<{ name: string }[]>`select name from parties where code = 'D0001'`;
      await expect.poll(() => d.page.getByTestId('drill-path-scope').textContent(), { timeout: WAIT }).toBe(`${name?.name}的渠道`);
      expect(d.errors).toEqual([]);
    } finally {
      await d.close();
    }
  });
});
