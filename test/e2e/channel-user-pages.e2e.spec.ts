import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/app.ts';
import { launchChromium, signedIn } from '../support/browser.ts';

/**
 * The console as the channel's people see it, in a real Chromium: a distributor's and a store's overview shows the
 * counts of what their menus lead to (not the brand's factories and warehouses). Needs the built console
 * (`npm run build`).
 */
const WAIT = 20_000;
let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  if (!fs.existsSync(path.resolve('dist/web/index.html'))) throw new Error('dist/web is missing: run `npm run build` first');
  server = await startTestServer({ webhooks: { worker: false }, waitingOrders: { worker: false } });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the overview of a channel member', () => {
  it.each([
    ['admin', 'Admin#2026', ['商品', '工厂', '仓库', '经销商', '门店', '用户']],
    // a distributor's scope holds no factory or warehouse, and their list is the brand's: no "工厂 0" leading there
    ['distributor', 'Demo#2026', ['商品', '经销商', '门店', '用户']],
    // a store sees itself, not its distributors
    ['store', 'Demo#2026', ['商品', '门店', '用户']],
  ] as const)('as %s counts what its menu leads to', async (user, password, titles) => {
    const { page, errors, close } = await signedIn(browser, server.baseUrl, user, password, '/', WAIT);
    try {
      const cards = page.getByTestId('overview').locator('.ant-statistic-title');
      await expect.poll(() => cards.allTextContents()).toEqual(titles);
      // each card's link is a page of the menu
      for (const link of await page.getByTestId('overview').locator('.ant-statistic-title a').all()) {
        const to = (await link.getAttribute('href'))?.split('?')[0] as string;
        expect(['/products', '/channel/facilities', '/channel/distributors', '/channel/stores']).toContain(to);
        if (to === '/channel/facilities') expect(user).toBe('admin');
      }
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});
