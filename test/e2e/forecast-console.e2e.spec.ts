import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { businessToday } from '../../src/modules/inventory/index.ts';
import { startTestServer, type TestServer } from '../support/app.ts';
import { launchChromium, signedIn } from '../support/browser.ts';

/**
 * The demand forecasts page in a real Chromium: a planner picks a SKU and a store, and sees the history, the forecast
 * and its interval band drawn, the model the backtest chose with its MASE/RMSSE against seasonal naive, and the
 * numbers; bad input (too little history, an unknown SKU) shows the server's reason on the page. The store's daily
 * units out are written into their rollup for the 140 days before today (China time): a weekly pattern with busy
 * weekends; a second store sold for 20 days only.
 */
const WAIT = 20_000;
const WEEK = [3, 5, 4, 6, 9, 14, 11]; // Monday .. Sunday
let server: TestServer;
let browser: Browser;
let sku: string;
let store: string;
let shortStore: string;

beforeAll(async () => {
  if (!fs.existsSync(path.resolve('dist/web/index.html'))) throw new Error('dist/web is missing: run `npm run build` first');
  server = await startTestServer({ webhooks: { worker: false } });
  const sql = server.db.sql;
  const tenant = Number((await sql<{ id: number }[]>`select id from tenants where code = 'demo'`)[0]?.id);
  const [p] = await sql<{ sku: string; gtin: string }[]>`
    select p.sku, l.gtin from products p join packaging_levels l on l.tenant_id = p.tenant_id and l.product_id = p.id and l.level = 'unit'
    where p.tenant_id = ${tenant} and p.status = 'active' order by p.sku limit 1`;
  sku = p!.sku;
  const stores = await sql<{ id: number; code: string }[]>`
    select id::int, code from parties where tenant_id = ${tenant} and kind = 'store' and status = 'active' order by code limit 2`;
  store = stores[0]!.code;
  shortStore = stores[1]!.code;
  const today = Date.parse(`${businessToday(new Date())}T00:00:00Z`);
  const day = (n: number) => new Date(today - n * 86_400_000).toISOString().slice(0, 10);
  const weekday = (d: string) => (new Date(`${d}T00:00:00Z`).getUTCDay() + 6) % 7;
  const rows: [number, string, number][] = [];
  for (let n = 1; n <= 140; n++) rows.push([stores[0]!.id, day(n), WEEK[weekday(day(n))]! + (n % 3)]);
  for (let n = 1; n <= 20; n++) rows.push([stores[1]!.id, day(n), 2]);
  await sql`delete from sell_through_daily where tenant_id = ${tenant} and gtin = ${p!.gtin}`;
  await sql`
    insert into sell_through_daily (tenant_id, holder_party_id, gtin, day, units_out)
    select ${tenant}, h, ${p!.gtin}, d::date, u from unnest(${rows.map((r) => r[0])}::bigint[], ${rows.map((r) => r[1])}::text[],
      ${rows.map((r) => r[2])}::bigint[]) as x(h, d, u)`;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Pixels of the chart's canvas within 12 of a colour on every channel. */
async function pixelsOf(page: Page, testId: string, hex: string): Promise<number> {
  return page.getByTestId(testId).evaluate((el, color) => {
    const canvas = el.querySelector('canvas') as HTMLCanvasElement;
    const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    const [r, g, b] = [1, 3, 5].map((i) => Number.parseInt(color.slice(i, i + 2), 16)) as [number, number, number];
    let n = 0;
    for (let i = 0; i < data.length; i += 4)
      if (Math.abs(data[i]! - r) <= 12 && Math.abs(data[i + 1]! - g) <= 12 && Math.abs(data[i + 2]! - b) <= 12) n++;
    return n;
  }, hex);
}

describe('demand forecasts in the console', () => {
  it('draws the history, the forecast and its interval, names the chosen model and its accuracy against seasonal naive', async () => {
    const planner = await signedIn(browser, server.baseUrl, 'planner', 'Demo#2026', '/planning/forecasts', WAIT);
    const { page } = planner;
    try {
      await page.getByTestId('menu-forecasts').waitFor();
      await page.getByTestId('forecast-hint').waitFor();
      await page.getByTestId('forecast-sku').click();
      await page.keyboard.type(sku);
      await page.locator('.ant-select-item-option', { hasText: sku }).first().click();
      await page.getByTestId('forecast-store').click();
      await page.keyboard.type(store);
      await page
        .locator('.ant-select-item-option', { hasText: `(${store})` })
        .first()
        .click();
      await page.getByTestId('forecast-submit').click();
      await page.getByTestId('forecast-chart').locator('canvas').waitFor();
      expect(page.url()).toContain(`store=${store}`);

      // the model the backtest chose, one of the forecasting module's, and its accuracy against the benchmark
      const model = await page.getByTestId('forecast-model').getAttribute('data-model');
      expect([
        'ses',
        'ets_damped',
        'ets_additive',
        'ets_damped_additive',
        'ets_multiplicative',
        'ets_damped_multiplicative',
        'croston',
        'sba',
        'tsb',
        'theta',
      ]).toContain(model);
      const mase = (await page.getByTestId('forecast-mase').textContent()) ?? '';
      const rmsse = (await page.getByTestId('forecast-rmsse').textContent()) ?? '';
      expect(mase).toMatch(/^\d+\.\d{3} \/ 季节朴素法 \d+\.\d{3}$/);
      expect(rmsse).toMatch(/^\d+\.\d{3} \/ 季节朴素法 \d+\.\d{3}$/);
      await page.getByTestId('forecast-verdict').waitFor();

      // what went into the chart: 140 days of history, 28 days of forecast, the band over the same 28 days
      const series = (await page.getByTestId('forecast-chart-series').getAttribute('data-series')) ?? '';
      expect(series.split('|')).toEqual(['销量:140', 'lower:28', '95% 区间:28', '预测:29']);
      // and what was drawn: the history line, the forecast line and the band's fill are on the canvas
      await expect.poll(() => pixelsOf(page, 'forecast-chart', '#ffe7ba')).toBeGreaterThan(500);
      expect(await pixelsOf(page, 'forecast-chart', '#fa541c')).toBeGreaterThan(20);
      expect(await pixelsOf(page, 'forecast-chart', '#1677ff')).toBeGreaterThan(50);

      // the numbers: 28 days, each with its interval around the mean
      const rows = page.getByTestId('forecast-table').locator('tbody tr.ant-table-row');
      expect(await rows.count()).toBe(28);
      const first = (await rows.first().locator('td').allTextContents()).map(Number);
      expect(first[2]!).toBeLessThanOrEqual(first[1]!);
      expect(first[3]!).toBeGreaterThan(first[1]!);
      expect(await page.getByTestId('forecast-scores').locator('tbody tr.ant-table-row').count()).toBeGreaterThan(5);
      expect(planner.errors).toEqual([]);
    } finally {
      await planner.close();
    }
  });

  // the pickers offered the first SKUs and stores by code (of 200 and 100,000 on the demo brand) and nothing said which
  // had sales: a planner had to guess a series with history. Before anything is typed they now offer those with sales.
  it('offers the SKUs and stores with sales before anything is typed, with their units, and says what the history held', async () => {
    const planner = await signedIn(browser, server.baseUrl, 'planner', 'Demo#2026', '/planning/forecasts', WAIT);
    const { page } = planner;
    try {
      await page.getByTestId('forecast-hint').waitFor();
      await page.getByTestId('forecast-sku').click();
      const group = page.locator('.ant-select-item-group', { hasText: '近 91 天有销量' });
      await group.first().waitFor();
      const skus = page.locator('.ant-select-dropdown:visible .ant-select-item-option');
      await expect.poll(() => skus.count()).toBeGreaterThan(0);
      // the store sold 91 days of its pattern in the window (plus n % 3), the short store 20 days of 2
      const mine = skus.filter({ hasText: `${sku} ` });
      expect(await mine.count()).toBe(1);
      expect(await mine.textContent()).toMatch(/· [\d,]+ 件$/);
      await mine.click();
      await page.getByTestId('forecast-store').click();
      const stores = page.locator('.ant-select-dropdown:visible .ant-select-item-option');
      await expect.poll(() => stores.count()).toBe(2);
      expect(await stores.nth(0).textContent()).toContain(`(${store})`);
      expect(await stores.nth(1).textContent()).toMatch(new RegExp(`\\(${shortStore}\\) · 40 件$`));
      await stores.nth(0).click();
      await page.getByTestId('forecast-submit').click();
      await page.getByTestId('forecast-chart').locator('canvas').waitFor();
      expect(page.url()).toContain(`store=${store}`);
      // the history's units say they are units
      expect(await page.getByTestId('forecast-history-seen').textContent()).toMatch(/\(140 天, [\d,]+ 件\)$/);
      expect(planner.errors).toEqual([]);
    } finally {
      await planner.close();
    }
  });

  it('shows the server’s reason for too little history and for an unknown SKU, and draws nothing', async () => {
    const planner = await signedIn(browser, server.baseUrl, 'planner', 'Demo#2026', '/planning/forecasts', WAIT);
    const { page } = planner;
    try {
      await page.goto(`${server.baseUrl}/planning/forecasts?sku=${encodeURIComponent(sku)}&store=${shortStore}`);
      const problem = page.getByTestId('forecast-problem');
      await problem.waitFor();
      expect(await problem.textContent()).toContain('历史数据不足：预测 28 期需要自首次销售起至少 56 期的数据，现有 20 期');
      expect(await page.getByTestId('forecast-chart').count()).toBe(0);

      await page.goto(`${server.baseUrl}/planning/forecasts?sku=NO-SUCH-SKU&store=${store}`);
      await page.getByTestId('forecast-problem').waitFor();
      expect(await page.getByTestId('forecast-problem').textContent()).toContain('没有 SKU NO-SUCH-SKU');
      expect(await page.getByTestId('forecast-chart').count()).toBe(0);
      expect(planner.errors).toEqual([]);
    } finally {
      await planner.close();
    }
  });
});
