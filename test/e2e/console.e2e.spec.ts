import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVINCES } from '../../web/src/geo/provinces.ts';
import { startTestServer } from '../support/app.ts';
import { CHROMIUM, launchChromium } from '../support/browser.ts';

/**
 * The web console in a real (headless) Chromium against the real server and the demo brand:
 * log in, switch language, filter stores by province, open a store.
 *
 * Needs the built console (`npm run build` → dist/web) and Chromium at /usr/bin/chromium
 * (or CHROMIUM_PATH). THROUGHLINE_E2E_URL=http://host:port runs it against an already running server instead.
 */
const WEB_INDEX = path.resolve('dist/web/index.html');
const WAIT = 20_000;

let baseUrl: string;
let close: (() => Promise<void>) | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  if (!fs.existsSync(WEB_INDEX)) {
    throw new Error(`${WEB_INDEX} is missing: run \`npm run build\` before the console e2e test`);
  }
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  }
  const external = process.env.THROUGHLINE_E2E_URL;
  if (external) {
    baseUrl = external.replace(/\/$/, '');
  } else {
    const server = await startTestServer();
    baseUrl = server.baseUrl;
    close = () => server.close();
  }
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await close?.();
});

/** Text of every visible region cell of the stores table. */
async function regionTexts(page: Page): Promise<string[]> {
  return page.locator('[data-testid="stores-table"] .ant-table-row [data-testid="party-region"]').allTextContents();
}

async function newPage(): Promise<{ page: Page; errors: string[] }> {
  if (!browser) throw new Error('browser not started');
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, errors };
}

describe('web console', () => {
  it('logs in, switches language, filters stores by province and opens a store', async () => {
    const { page, errors } = await newPage();
    try {
      // Unauthenticated: the console sends us to the login page, in Chinese by default, and the browser logs no
      // failed request on the way (the session check answers 200 with no user)
      const logged: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') logged.push(m.text());
      });
      await page.goto(`${baseUrl}/channel/stores`);
      await page.waitForURL(/\/login$/);
      await expect.poll(() => page.locator('label[for="password"]').textContent()).toBe('密码');
      expect(logged).toEqual([]);

      // A wrong password shows the server's problem detail.
      await page.getByTestId('login-username').fill('admin');
      await page.getByTestId('login-password').fill('wrong-password');
      await page.getByTestId('login-submit').click();
      await page.getByTestId('login-error').waitFor();

      await page.getByTestId('login-password').fill('Admin#2026');
      await page.getByTestId('login-submit').click();

      // Back where we were going, with the Chinese menu.
      await page.waitForURL(/\/channel\/stores$/);
      await expect.poll(() => page.getByTestId('menu-overview').textContent()).toBe('概览');
      await expect.poll(() => page.getByTestId('menu-stores').textContent()).toBe('门店');
      await page.locator('[data-testid="stores-table"] .ant-table-row').first().waitFor();

      // English on request (and remembered).
      await page.getByTestId('lang-en').click();
      await expect.poll(() => page.getByTestId('menu-overview').textContent()).toBe('Overview');
      await expect.poll(() => page.getByTestId('menu-stores').textContent()).toBe('Stores');
      expect(await page.evaluate(() => localStorage.getItem('tl.lang'))).toBe('en');

      // Overview renders its counts and charts.
      await page.getByTestId('menu-overview').click();
      await page.getByTestId('chart-stores-by-province').locator('canvas').first().waitFor();

      // Stores, from the menu: server-side paginated.
      await page.getByTestId('menu-stores').click();
      await page.waitForURL(/\/channel\/stores/);
      await page.locator('[data-testid="stores-table"] .ant-table-row').first().waitFor();

      // Filter by the province of the first store listed (named in English now: Guangdong, Inner Mongolia).
      const [firstRegion] = await regionTexts(page);
      const province = PROVINCES.map((p) => p.nameEn).find((n) => firstRegion === n || firstRegion?.startsWith(`${n} `));
      expect(province, 'first store has a province').toBeTruthy();
      await page.getByTestId('filter-province').click();
      await page.keyboard.type(province as string);
      await page.locator(`.ant-select-item-option[title="${province}"]`).click();
      await page.waitForURL(/provinceCode=\d+/);
      await expect
        .poll(async () => {
          if (await page.locator('[data-testid="stores-table"] .ant-spin-spinning').count()) return false;
          const regions = await regionTexts(page);
          return regions.length > 0 && regions.every((r) => r.startsWith(province as string));
        })
        .toBe(true);

      // Open a store: its detail shows the same province.
      const firstStore = page.locator('[data-testid="stores-table"] [data-testid="party-link"]').first();
      const storeName = await firstStore.textContent();
      await firstStore.click();
      await page.waitForURL(/\/channel\/parties\/\d+$/);
      await expect.poll(() => page.getByTestId('party-name').textContent()).toBe(storeName);
      expect(await page.getByTestId('party-detail-region').textContent()).toContain(province as string);
      await page.getByTestId('party-parent').waitFor();

      expect(errors).toEqual([]);
    } finally {
      await page.context().close();
    }
  });
});
