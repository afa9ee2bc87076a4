import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/app.ts';
import { launchChromium, signedIn } from '../support/browser.ts';

/**
 * The console as the channel's people see it, in a real Chromium: a distributor's and a store's overview shows the
 * counts of what their menus lead to (not the brand's factories and warehouses), a store's page leads its distributor to
 * the store's orders and funds, and the console on a phone, where a
 * store's clerk lands from its phone pages, uses the phone's whole width with its menu folded behind a button. Needs
 * the built console (`npm run build`).
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

describe("a store's page, as its distributor sees it", () => {
  it("leads to the store's orders (searched by its code) and to its funds", async () => {
    const [store] = await server.db.sql<{ id: number; code: string; name: string }[]>`
      select s.id::int, s.code, s.name from parties s join parties d on d.id = s.parent_id and d.tenant_id = s.tenant_id
      join users u on u.party_id = d.id and u.tenant_id = d.tenant_id
      where u.username = 'distributor' and s.kind = 'store' order by s.code limit 1`;
    const { page, errors, close } = await signedIn(
      browser,
      server.baseUrl,
      'distributor',
      'Demo#2026',
      `/channel/parties/${store?.id}`,
      WAIT,
    );
    try {
      await page.getByTestId('party-trading').waitFor();
      const orders = page.waitForRequest((r) => r.url().includes('/api/v1/orders?') && r.url().includes(`q=${store?.code}`));
      await page.getByTestId('party-orders').click();
      await page.waitForURL(new RegExp(`/orders\\?q=${store?.code}$`));
      await orders;
      const typed = await page
        .getByTestId('orders-search')
        .evaluate((el) => (el instanceof HTMLInputElement ? el : el.querySelector('input'))?.value);
      expect(typed).toBe(store?.code);
      await page.goBack();
      await page.getByTestId('party-funds').click();
      await page.waitForURL(new RegExp(`/funds\\?party=${store?.code}$`));
      await expect.poll(() => page.getByTestId('funds-party-name').textContent()).toContain(`(${store?.code})`);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});

describe('the console on a phone', () => {
  it('a clerk back from its phone pages has the whole width, the menu behind a button that opens it over the page', async () => {
    const { page, errors, close } = await signedIn(browser, server.baseUrl, 'clerk', 'Demo#2026', '/orders', WAIT);
    try {
      await page.setViewportSize({ width: 390, height: 844 });
      const toggle = page.getByTestId('menu-toggle');
      await toggle.waitFor();
      await page.getByTestId('orders-new').waitFor();
      // the menu takes no width (its 1 px border); the page's title and its buttons are not squeezed into a strip beside it
      await expect.poll(async () => (await page.getByTestId('side-menu-sider').boundingBox())?.width ?? 0).toBeLessThanOrEqual(1);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      const title = await page.locator('h3').first().boundingBox();
      expect(title?.x).toBeLessThan(40);
      const heading = await page.locator('h3').first().textContent();
      expect(heading).toBe('订单');
      const header = await toggle.boundingBox();
      expect(header?.height).toBeGreaterThanOrEqual(40);
      // opened over the page, then an item: the page changes and the menu folds again
      await toggle.click();
      await page.getByTestId('menu-stock').click();
      await page.waitForURL(/\/stock$/);
      await expect.poll(async () => (await page.getByTestId('side-menu-sider').boundingBox())?.width ?? 0).toBeLessThanOrEqual(1);
      // a tap beside the open menu closes it
      await toggle.click();
      await expect.poll(async () => (await page.getByTestId('side-menu-sider').boundingBox())?.width ?? 0).toBeGreaterThan(150);
      await page.getByTestId('side-menu-backdrop').click({ position: { x: 370, y: 400 } });
      await expect.poll(async () => (await page.getByTestId('side-menu-sider').boundingBox())?.width ?? 0).toBeLessThanOrEqual(1);
      // and at a desktop's width the menu is there as before, with no button for it
      await page.setViewportSize({ width: 1280, height: 900 });
      await expect.poll(async () => (await page.getByTestId('side-menu-sider').boundingBox())?.width ?? 0).toBe(216);
      expect(await toggle.count()).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});
