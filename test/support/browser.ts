import fs from 'node:fs';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';

/** Debian's Chromium, or CHROMIUM_PATH. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Launches the real Chromium the browser tests run in, headless, with the flags this environment needs. */
export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', ...extraArgs],
  });
}

/** A fresh context as a phone shows a page (zh-CN, 390 x 844 at 3x, touch): the consumer's and the store's phones. */
export function phoneContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({
    locale: 'zh-CN',
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 3,
    isMobile: true,
    hasTouch: true,
  });
}

/**
 * A fresh desktop browser context (zh-CN) signed in as `username`: opens `path`, is sent to the login page, signs in
 * and lands back on `path`. Page errors are collected so a test can assert there were none. `timezoneId`: the
 * browser's own time zone (a marketer travelling abroad), the machine's by default.
 */
export async function signedIn(
  browser: Browser,
  baseUrl: string,
  username: string,
  password: string,
  path: string,
  waitMs = 20_000,
  timezoneId?: string,
) {
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 }, timezoneId });
  const page = await context.newPage();
  page.setDefaultTimeout(waitMs);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${baseUrl}${path}`);
  await page.waitForURL(/\/login$/);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.waitForURL(new RegExp(`${path}$`));
  return { page, errors, close: () => context.close() };
}

/**
 * Picks `option` in the Ant Design select `selectTestId` until `done` says the page took it. On a busy machine a
 * click on a dropdown that is still opening can be lost (seen in CI on the order type, the group buy and the segment
 * filter), so the pick is tried again every two seconds for up to a minute rather than once.
 */
export async function pickUntil(page: Page, selectTestId: string, option: string | RegExp, done: () => Promise<boolean>) {
  await expect
    .poll(
      async () => {
        if (await done()) return true;
        await page.getByTestId(selectTestId).click();
        await page
          .locator('.ant-select-item-option', { hasText: option })
          .first()
          .click({ timeout: 5_000 })
          .catch(() => undefined);
        return done();
      },
      { timeout: 60_000, interval: 2_000 },
    )
    .toBe(true);
}

/**
 * The boxes of a screen's parts (in the order given), each shown, within the screen's `width` and sharing no pixel
 * with another: a phone's header that must fit without overlapping. `label` names the case in failures.
 */
export async function partsApart(
  parts: Record<string, Locator>,
  width: number,
  label: string,
): Promise<{ id: string; x: number; y: number; width: number; height: number }[]> {
  const boxes = await Promise.all(
    Object.entries(parts).map(async ([id, el]) => {
      const box = await el.boundingBox();
      if (!box) throw new Error(`${id} is not shown (${label})`);
      return { id, ...box };
    }),
  );
  for (const b of boxes) {
    expect(b.x, `${b.id} (${label})`).toBeGreaterThanOrEqual(0);
    expect(b.x + b.width, `${b.id} (${label})`).toBeLessThanOrEqual(width);
  }
  for (const [i, a] of boxes.entries()) {
    for (const b of boxes.slice(i + 1)) {
      const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
      expect(apart, `${a.id} overlaps ${b.id} (${label}): ${JSON.stringify([a, b])}`).toBe(true);
    }
  }
  return boxes;
}
