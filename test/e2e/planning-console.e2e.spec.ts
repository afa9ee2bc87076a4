import fs from 'node:fs';
import path from 'node:path';
import dayjs from 'dayjs';
import isoWeek from 'dayjs/plugin/isoWeek.js';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseSizes } from '../../src/modules/catalog/index.ts';
import { businessToday } from '../../src/modules/inventory/index.ts';
import { readTable } from '../../src/platform/tabular/index.ts';
import { apiClient } from '../support/api-client.ts';
import { startTestServer, type TestServer } from '../support/app.ts';
import { launchChromium, signedIn } from '../support/browser.ts';

/**
 * A replenishment plan from creation to order drafts in the console, in a real Chromium, across the brand's planner
 * and the distributor: the planner computes a plan for D0001 (a job, its progress shown) and shares it; the
 * distributor lowers one line with a reason and accepts; the planner accepts, which makes the order drafts.
 * The sell-through history is written into its rollup for the 28 days before today (China time): D0001 sells 14 of
 * one SKU a day and 6 of another, with nothing on hand, so both lines suggest an order.
 */
dayjs.extend(isoWeek);

const WAIT = 20_000;
let server: TestServer;
let browser: Browser;
let tenant: number;
let skus: string[];
/** units per case of each SKU (the demo catalog's case level): suggestions are whole cases */
let caseOf: number[];

beforeAll(async () => {
  if (!fs.existsSync(path.resolve('dist/web/index.html'))) throw new Error('dist/web is missing: run `npm run build` first');
  server = await startTestServer({ webhooks: { worker: false }, jobs: { runner: { pollMs: 200 } } });
  const sql = server.db.sql;
  tenant = Number((await sql<{ id: number }[]>`select id from tenants where code = 'demo'`)[0]?.id);
  const products = await sql<{ id: number; sku: string; gtin: string }[]>`
    select p.id::int, p.sku, l.gtin from products p join packaging_levels l on l.tenant_id = p.tenant_id and l.product_id = p.id and l.level = 'unit'
    where p.tenant_id = ${tenant} and p.status = 'active' order by p.sku limit 2`;
  skus = products.map((p) => p.sku);
  const cases = await caseSizes(
    sql,
    tenant,
    products.map((p) => p.id),
  );
  caseOf = products.map((p) => cases.get(p.id) as number);
  const [d] = await sql<{ id: number }[]>`select id::int from parties where tenant_id = ${tenant} and code = 'D0001'`;
  await sql`delete from order_rules where tenant_id = ${tenant} and product_id = any(${products.map((p) => p.id)}::bigint[])`;
  const today = Date.parse(`${businessToday(new Date())}T00:00:00Z`);
  const rows = products.flatMap((p, k) =>
    Array.from(
      { length: 28 },
      (_, i) => [p.gtin, new Date(today - (i + 1) * 86_400_000).toISOString().slice(0, 10), k === 0 ? 14 : 6] as const,
    ),
  );
  await sql`
    insert into sell_through_daily (tenant_id, holder_party_id, gtin, day, units_out)
    select ${tenant}, ${d?.id as number}, * from unnest(${rows.map((r) => r[0])}::char(14)[], ${rows.map((r) => r[1])}::date[], ${rows.map((r) => r[2])}::bigint[])
    on conflict (tenant_id, holder_party_id, gtin, day) do update set units_out = excluded.units_out`;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** units rounded up to whole cases */
const up = (units: number, perCase: number) => Math.ceil(units / perCase) * perCase;

const loggedIn = (username: string, password: string, p: string) => signedIn(browser, server.baseUrl, username, password, p, WAIT);

describe('replenishment plans in the console', () => {
  it('goes from a computed plan through the distributor’s adjustment to order drafts', async () => {
    let planPath = '';
    const planner = await loggedIn('planner', 'Demo#2026', '/planning/plans');
    try {
      await planner.page.getByTestId('menu-planning').waitFor();
      await planner.page.getByTestId('plans-create').click();
      await planner.page.getByTestId('plans-distributors').click();
      await planner.page.keyboard.type('D0001');
      await planner.page.locator('.ant-select-item-option', { hasText: '(D0001)' }).first().click();
      // a multiple select stays open after a pick
      await planner.page.keyboard.press('Escape');
      await planner.page.getByTestId('plans-submit').click();
      // the job's progress, then its result
      await planner.page.getByTestId('job-progress').waitFor();
      await planner.page.getByTestId('plans-created').waitFor();
      await planner.page.getByTestId('created-plan-D0001').click();
      await planner.page.waitForURL(/\/planning\/plans\/\d+$/);
      planPath = new URL(planner.page.url()).pathname;
      await expect.poll(() => planner.page.getByTestId('plan-status').getAttribute('data-status')).toBe('draft');
      await planner.page.getByTestId('plan-chart').waitFor();
      // 28 days of sales are too few for a 28-day model forecast: each line says it fell back to the sell-through mean
      await planner.page.getByTestId('plan-forecasts').waitFor();
      expect(await planner.page.getByTestId('line-forecast-1').getAttribute('data-fallback')).toBe('too_little_history');
      // the suggestion in whole cases and in units
      const first = up(126, caseOf[0] as number);
      expect(await planner.page.getByTestId('line-suggested-1').textContent()).toBe(
        `${first / (caseOf[0] as number)} 箱（每箱 ${caseOf[0]}）· ${first} 件`,
      );
      await planner.page.getByTestId('plan-share').click();
      await expect.poll(() => planner.page.getByTestId('plan-status').getAttribute('data-status')).toBe('shared');
      expect(planner.errors).toEqual([]);
    } finally {
      await planner.close();
    }

    const distributor = await loggedIn('distributor', 'Demo#2026', '/planning/plans');
    try {
      await distributor.page.getByTestId('plan-link-D0001').click();
      await distributor.page.waitForURL(new RegExp(`${planPath}$`));
      const perCase = caseOf[1] as number;
      // a quantity that is not whole cases says why under the field, and nothing is saved until it is
      await distributor.page.getByTestId('line-qty-2').fill(String(perCase + 1));
      await distributor.page.getByTestId('line-reason-2').fill('促销结束');
      expect(await distributor.page.getByTestId('line-qty-error-2').textContent()).toBe(
        `须为整箱：每箱 ${perCase} 件，请填 ${perCase} 的倍数`,
      );
      expect(await distributor.page.getByTestId('plan-save-adjustments').isDisabled()).toBe(true);
      // one case, shown in cases beside the units
      await distributor.page.getByTestId('line-qty-2').fill(String(perCase));
      expect(await distributor.page.getByTestId('line-qty-cases-2').textContent()).toBe(`1 箱（每箱 ${perCase}）· ${perCase} 件`);
      await distributor.page.getByTestId('plan-save-adjustments').click();
      await expect.poll(() => distributor.page.getByTestId('plan-save-adjustments').isDisabled()).toBe(true);
      await distributor.page.getByTestId('plan-accept').click();
      await expect.poll(() => distributor.page.getByTestId('plan-status').getAttribute('data-status')).toBe('adjusted');
      expect(distributor.errors).toEqual([]);
    } finally {
      await distributor.close();
    }

    const brand = await loggedIn('planner', 'Demo#2026', planPath);
    try {
      await brand.page.getByTestId('plan-accept').click();
      await expect.poll(() => brand.page.getByTestId('plan-status').getAttribute('data-status')).toBe('ordered');
      await brand.page.getByTestId('plan-draft-D0001').waitFor();
      expect(brand.errors).toEqual([]);
    } finally {
      await brand.close();
    }

    const lines = await server.db.sql<{ sku: string; quantity: number; suggested_qty: number }[]>`
      select p.sku, l.quantity, l.suggested_qty from order_drafts d
      join order_draft_lines l on l.tenant_id = d.tenant_id and l.draft_id = d.id
      join products p on p.tenant_id = l.tenant_id and p.id = l.product_id
      join parties b on b.tenant_id = d.tenant_id and b.id = d.buyer_party_id
      where d.tenant_id = ${tenant} and b.code = 'D0001' order by l.line_no`;
    // L = 2 (the default lane), R = 7, no variation: S = 14·9 = 126 and 6·9 = 54, each rounded up to whole cases;
    // the second lowered to one case
    const first = up(126, caseOf[0] as number);
    expect(lines.map((l) => [l.sku, l.quantity, l.suggested_qty])).toEqual([
      [skus[0], first, first],
      [skus[1], caseOf[1], up(54, caseOf[1] as number)],
    ]);
  });

  it('names the capacity page’s weeks as ISO weeks: 2026年第49周 in Chinese, 2026-W49 in English', async () => {
    const from = dayjs().subtract((dayjs().day() + 6) % 7, 'day');
    const to = from.add(7 * 7, 'day');
    const s = await loggedIn('planner', 'Demo#2026', '/planning/capacity');
    try {
      // antd puts the test id on the field's input or on its wrapper
      const value = (id: string) => s.page.locator(`input[data-testid="${id}"], [data-testid="${id}"] input`).first().inputValue();
      await s.page.getByTestId('capacity-from').waitFor();
      expect(await value('capacity-from')).toBe(`${from.isoWeekYear()}年第${from.isoWeek()}周`);
      expect(await value('capacity-to')).toBe(`${to.isoWeekYear()}年第${to.isoWeek()}周`);
      await s.page.evaluate(() => localStorage.setItem('tl.lang', 'en'));
      await s.page.reload();
      await s.page.getByTestId('capacity-from').waitFor();
      const w = (d: dayjs.Dayjs) => `${d.isoWeekYear()}-W${String(d.isoWeek()).padStart(2, '0')}`;
      await expect.poll(() => value('capacity-from')).toBe(w(from));
      expect(await value('capacity-to')).toBe(w(to));
      // the panel counts weeks from Monday, as the page does
      await s.page.getByTestId('capacity-from').click();
      const heads = await s.page.locator('.ant-picker-dropdown .ant-picker-content thead th').allTextContents();
      // (a first column of week numbers, then the seven days)
      expect(heads.slice(-7)).toEqual(['Mo', 'Tu', 'We', 'Th', 'Fr', 'Sa', 'Su']);
      expect(s.errors).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it('names the weeks of the capacity table and chart as its pickers do, not by their Monday', async () => {
    const from = dayjs().subtract((dayjs().day() + 6) % 7, 'day');
    const [factory] = await server.db.sql<{ code: string }[]>`
      select code from parties where tenant_id = ${tenant} and kind = 'factory' and status = 'active' order by code limit 1`;
    const put = await apiClient(() => server.baseUrl)('planner', 'PUT', '/api/v1/planning/capacity', {
      rows: [{ factory: factory?.code, week: from.format('YYYY-MM-DD'), sku: skus[0], capacity: 1200 }],
    });
    expect(put.status).toBe(200);
    const s = await loggedIn('planner', 'Demo#2026', '/planning/capacity');
    try {
      // every row's week, the first column
      const weeks = () => s.page.locator('[data-testid="capacity-table"] .ant-table-row td:first-child').allTextContents();
      // the chart's axis is drawn on a canvas: its tooltip names the week under the pointer
      const tipOf = async () => {
        const chart = s.page.getByTestId('capacity-chart');
        const box = await chart.boundingBox();
        await s.page.mouse.move((box?.x ?? 0) + 70, (box?.y ?? 0) + 140);
        return (await chart.locator('div').allTextContents()).join(' ');
      };
      await expect.poll(weeks).toContain(`${from.isoWeekYear()}年第${from.isoWeek()}周`);
      for (const x of await weeks()) expect(x).toMatch(/^\d{4}年第\d{1,2}周$/);
      await expect.poll(tipOf).toContain(`${from.isoWeekYear()}年第${from.isoWeek()}周`);
      expect(await tipOf()).not.toContain(from.format('YYYY-MM-DD'));
      await s.page.evaluate(() => localStorage.setItem('tl.lang', 'en'));
      await s.page.reload();
      const w = `${from.isoWeekYear()}-W${String(from.isoWeek()).padStart(2, '0')}`;
      await expect.poll(weeks).toContain(w);
      for (const x of await weeks()) expect(x).toMatch(/^\d{4}-W\d{2}$/);
      await expect.poll(tipOf).toContain(w);
      // the Excel export names the weeks as the page does, in the page's language (not by Mondays, nor the browser's)
      const [download] = await Promise.all([s.page.waitForEvent('download'), s.page.getByTestId('capacity-export').click()]);
      const exported: string[] = [];
      for await (const r of readTable(fs.readFileSync(await download.path()), 'xlsx')) exported.push(r.values['周 week'] as string);
      expect(exported).toContain(w);
      expect(exported).toEqual(await weeks());
      expect(s.errors).toEqual([]);
    } finally {
      await s.close();
    }
  });
});
