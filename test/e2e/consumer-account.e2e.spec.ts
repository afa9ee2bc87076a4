import { randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookPoints, consumerOf, identifierHasher } from '../../src/modules/consumers/index.ts';
import { apiClient } from '../support/api-client.ts';
import { startTestServer, type TestServer } from '../support/app.ts';
import { launchChromium } from '../support/browser.ts';
import { lastSmsCode } from '../support/consumer-device.ts';

/**
 * The consumer's own page on a phone (360 px, real Chromium): signs in with a code sent to the phone, sees points
 * and tier, redeems a mall item, reads their data and deletes it. The SMS is read from the development outbox.
 */
const WAIT = 20_000;
const masterKey = randomBytes(32);
const hash = identifierHasher(masterKey);
const PHONE = '13912345678';
let server: TestServer;
let browser: Browser;
const tokens: Record<string, string> = {};
const call = apiClient(() => server.baseUrl, tokens);

beforeAll(async () => {
  server = await startTestServer({ masterKey, webhooks: { worker: false }, waitingOrders: { worker: false } });
  browser = await launchChromium();
  const item = await call('admin', 'POST', '/api/v1/mall/items', { nameZh: '满10减2券', nameEn: '¥2 off ¥10', pointsPrice: 30, stock: 5 });
  expect(item.status, JSON.stringify(item.body)).toBe(201);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** WCAG contrast of an element's text colour against its card's background (both opaque rgb). */
function contrastOnCard(el: Element): number {
  const rgb = (c: string) => (c.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map(Number);
  const lum = (c: string) => {
    const [r, g, b] = rgb(c).map((v) => {
      const x = v / 255;
      return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * (r as number) + 0.7152 * (g as number) + 0.0722 * (b as number);
  };
  const style = getComputedStyle(el);
  const card = el.closest('.card') as Element;
  // a translucent text colour is blended over the card's background
  const [fr, fg, fb, fa = 1] = (style.color.match(/\d+(\.\d+)?/g) ?? []).map(Number);
  const [br, bg, bb] = rgb(getComputedStyle(card).backgroundColor);
  const opacity = Number(style.opacity) * (fa as number);
  const mix = (f: number, b: number) => Math.round(f * opacity + b * (1 - opacity));
  const text = `rgb(${mix(fr as number, br as number)}, ${mix(fg as number, bg as number)}, ${mix(fb as number, bb as number)})`;
  const [hi, lo] = [lum(text), lum(getComputedStyle(card).backgroundColor)].sort((a, b) => b - a);
  return ((hi as number) + 0.05) / ((lo as number) + 0.05);
}

describe("the consumer's own page", () => {
  it('signs in with a phone code, shows points, redeems a coupon, shows my data and deletes it', async () => {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 360, height: 740 }, isMobile: true });
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // a visitor who is not signed in sees no failed request in the console (the page asks /me/session first)
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    try {
      const r = await page.goto(`${server.baseUrl}/m/account?brand=demo`);
      expect(r?.status()).toBe(200);
      await expect.poll(() => page.locator('#balance').textContent()).toBe('0');
      // the way to the next tier is readable on the green card (it was grey #666 on green: contrast 1.1:1)
      await expect.poll(() => page.locator('#next').textContent()).toContain('银卡');
      expect(await page.locator('#next').evaluate(contrastOnCard)).toBeGreaterThanOrEqual(4.5);
      await page.locator('#signin').waitFor();
      await page.locator('#phone').fill(PHONE);
      await page.locator('#send').click();
      await expect.poll(() => page.locator('#sent').textContent()).toContain('验证码已发送');
      const code = await lastSmsCode(server.db.sql, hash('phone', PHONE));
      expect(code).toMatch(/^\d{6}$/);
      await page.locator('#code').fill(code as string);
      await page.locator('#verify').click();
      await page.locator('#mine').waitFor();
      expect(await page.locator('#data').textContent()).toContain(PHONE);

      // points earned (as a campaign would book them), then a coupon redeemed for 30 of them
      const [t] = await server.db.sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
      const consumer = await consumerOf(server.db.sql, Number(t?.id), 'phone', hash('phone', PHONE));
      expect(consumer).not.toBeNull();
      await bookPoints(server.db.sql, {
        tenantId: Number(t?.id),
        consumerId: consumer as number,
        delta: 100,
        kind: 'earn',
        source: 'e2e:scan:1',
      });
      await page.reload();
      await expect.poll(() => page.locator('#balance').textContent()).toBe('100');
      await page.locator('#mine').waitFor();
      await page.getByTestId('mall-item').getByRole('button').click();
      await expect.poll(() => page.locator('#msg').textContent()).toContain('兑换成功');
      await expect.poll(() => page.locator('#balance').textContent()).toBe('70');
      await expect.poll(() => page.locator('#data').textContent()).toContain('-30');

      // delete my data: the phone is gone, the session with it
      page.once('dialog', (d) => void d.accept());
      await page.locator('#delete').click();
      await expect.poll(() => page.locator('#msg').textContent()).toContain('已删除');
      await page.locator('#signin').waitFor();
      expect(await consumerOf(server.db.sql, Number(t?.id), 'phone', hash('phone', PHONE))).toBeNull();

      // the page is small: no framework
      const weight = (await page.content()).length;
      expect(weight).toBeLessThan(10_000);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
