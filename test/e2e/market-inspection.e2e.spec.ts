import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/app.ts';
import { launchChromium, signedIn } from '../support/browser.ts';
import { captureSellOut, type SellOutStores } from '../support/sell-out.ts';

/**
 * 市场稽查 in a real Chromium, as the market inspector does it on a phone: the scanning page sends an inspector (who
 * does not scan the channel's steps) to the inspection page; a unit found on a shelf is recorded with where it was
 * found, and the answer names where it stands. Needs the built console and Chromium (see console.e2e.spec.ts).
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

describe('market inspection on a phone', () => {
  it('takes the inspector from the scanning page to the inspection page, refuses a find without a place, and records one', async () => {
    const { page, errors, close } = await signedIn(browser, server.baseUrl, 'inspector', 'Demo#2026', '/scan', WAIT);
    try {
      await page.setViewportSize({ width: 390, height: 844 });
      await page.getByTestId('scan-to-inspect').click();
      await page.waitForURL(/\/m\/inspect$/);
      const code = `https://id.gs1.org/01/${sales.gtin}/21/LS55`;
      await page.getByTestId('inspection-code').fill(code);
      await page.getByTestId('inspection-submit').click();
      await expect.poll(() => page.getByTestId('inspection-problem').textContent()).toContain('请选择发现地点');
      // found in Guangdong: the province is enough
      await page.getByTestId('filter-province').click();
      await page.keyboard.type('广东');
      await page.locator('.ant-select-item-option', { hasText: '广东省' }).click();
      await page.getByTestId('inspection-submit').click();
      await page.getByTestId('inspection-result').waitFor();
      expect(await page.getByTestId('inspection-result').textContent()).toContain('广东省');
      // commissioned at a store, never shipped by a distributor: nobody's territory to be out of
      expect(await page.getByTestId('inspection-verdict').textContent()).toContain('尚未发到任何经销商');
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});
