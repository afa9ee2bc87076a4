import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { divisionName } from '../../src/modules/parties/index.ts';
import { startTestServer, type TestServer } from '../support/app.ts';
import { launchChromium, signedIn } from '../support/browser.ts';
import { captureSellOut, type SellOutStores } from '../support/sell-out.ts';

/**
 * Campaign results in the console, in a real Chromium: the brand admin picks the campaign's period and region and
 * reads the sell-out lift against comparable stores (the figures of test/support/sell-out.ts: +140 %) beside the
 * daily chart, and the store ranking. Needs the built console and Chromium (see console.e2e.spec.ts).
 */
const WAIT = 20_000;
let server: TestServer;
let browser: Browser;
let sales: SellOutStores;

beforeAll(async () => {
  if (!fs.existsSync(path.resolve('dist/web/index.html'))) throw new Error('dist/web is missing: run `npm run build` first');
  server = await startTestServer({ webhooks: { worker: false }, waitingOrders: { worker: false } });
  sales = await captureSellOut(server, '06901234001013');
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('campaign results in the console', () => {
  it('shows the lift of the campaign region against comparable stores, its chart, and the store ranking', async () => {
    const { page, errors, close } = await signedIn(browser, server.baseUrl, 'admin', 'Admin#2026', '/marketing/results', WAIT);
    try {
      await page.getByTestId('side-menu').getByTestId('menu-campaignResults').waitFor({ state: 'attached' });
      await page.getByTestId('campaign-results-start').fill('2026-10-08');
      await page.getByTestId('campaign-results-end').fill('2026-10-14');
      // before a region is picked there is nothing to compare
      await page.getByTestId('campaign-results-lift').getByRole('alert').waitFor();
      await page.getByTestId('filter-province').click();
      await page.keyboard.type(divisionName(sales.S.province) as string);
      await page.keyboard.press('Enter');
      await expect.poll(() => page.getByTestId('campaign-results-lift-value').textContent()).toContain('140.0');
      await page.getByTestId('campaign-results-chart').locator('canvas').waitFor();
      const rows = page.getByTestId('campaign-results-stores').locator('tbody tr');
      await expect.poll(() => rows.first().textContent()).toContain(sales.S.code);
      expect(await rows.first().textContent()).toContain('30');

      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it("opens on the last two weeks of China's days, whatever the browser's clock says the date is", async () => {
    const { page, errors, close } = await signedIn(browser, server.baseUrl, 'admin', 'Admin#2026', '/marketing/results', WAIT);
    try {
      // 20:00 UTC on 5 December is 04:00 on the 6th in Beijing: the day the rankings count (rankings.ts) is the 6th
      await page.clock.setFixedTime(new Date('2026-12-05T20:00:00Z'));
      await page.reload();
      await expect.poll(() => page.getByTestId('campaign-results-end').inputValue()).toBe('2026-12-06');
      expect(await page.getByTestId('campaign-results-start').inputValue()).toBe('2026-11-23');
      expect(await page.getByText('日期按北京时间').count()).toBe(1);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});
