import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '../../src/db/connection.ts';
import { buildApp } from '../../src/http/app.ts';
import { emitWebhookEvent } from '../../src/modules/webhooks/index.ts';
import { CHROMIUM, launchChromium } from '../support/browser.ts';
import { createTestDb, type TestDb } from '../support/db.ts';

/**
 * The console's webhooks page in headless Chromium: a brand admin subscribes a local receiver (the secret is shown
 * once), an event fails its only attempt, the deliveries tab shows it failed, and Replay sends the same event again.
 *
 * Needs the built console (`npm run build` → dist/web) and Chromium at /usr/bin/chromium (or CHROMIUM_PATH).
 */
const WEB_INDEX = path.resolve('dist/web/index.html');
const WAIT = 20_000;

let db: TestDb;
let baseUrl: string;
let close: () => Promise<void>;
let browser: Browser | undefined;
let receiver: http.Server;
let hookUrl: string;
let answer = 500;
const bodies: string[] = [];

beforeAll(async () => {
  if (!fs.existsSync(WEB_INDEX)) throw new Error(`${WEB_INDEX} is missing: run \`npm run build\` before the console e2e test`);
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString('utf8'));
      res.statusCode = answer;
      res.end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  db = await createTestDb();
  const { app } = await buildApp({
    sql: db.sql,
    loginRateLimit: 1000,
    webhooks: { allowPrivateTargets: ['127.0.0.1'], maxAttempts: 1, backoffBaseMs: 100, pollMs: 250 },
  });
  baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  close = async () => {
    await app.close();
    await db.drop();
  };
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await close?.();
  await new Promise((r) => receiver?.close(r));
});

describe('webhooks console', () => {
  it('subscribes a receiver, shows the secret once, lists a failed delivery and replays it', async () => {
    if (!browser) throw new Error('browser not started');
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await page.goto(`${baseUrl}/webhooks`);
      await page.waitForURL(/\/login$/);
      await page.getByTestId('login-username').fill('admin');
      await page.getByTestId('login-password').fill('Admin#2026');
      await page.getByTestId('login-submit').click();
      await expect.poll(() => page.getByTestId('menu-webhooks').textContent()).toBe('Webhook');
      await page.getByTestId('menu-webhooks').click();
      await page.waitForURL(/\/webhooks$/);

      await page.getByTestId('webhook-create').click();
      await page.getByTestId('webhook-url').fill(hookUrl);
      await page.getByTestId('webhook-save').click();
      const secret = page.getByTestId('webhook-secret');
      await expect.poll(() => secret.textContent()).toMatch(/^whsec_/);
      await page.getByTestId('webhook-secret-ok').click();
      await expect.poll(() => page.getByTestId('webhook-subscriptions').textContent()).toContain(hookUrl);

      const [tenant] = await db.sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
      const { eventId } = await db.sql.begin((tx) =>
        emitWebhookEvent(tx as unknown as Sql, tenant?.id as number, 'order.placed', { orderId: 'E2E-1' }),
      );
      await expect.poll(() => bodies.length, { timeout: WAIT }).toBe(1);

      await page.getByRole('tab', { name: '投递记录' }).click();
      const list = page.getByTestId('webhook-deliveries');
      await expect
        .poll(
          async () => {
            await page.getByTestId('webhook-refresh').click();
            return list.textContent();
          },
          { timeout: WAIT },
        )
        .toContain('失败');
      expect(await list.textContent()).toContain('order.placed');

      answer = 200;
      await list.locator('[data-testid^="webhook-replay-"]').first().click();
      await expect.poll(() => bodies.length, { timeout: WAIT }).toBe(2);
      expect(JSON.parse(bodies[1] as string).id).toBe(eventId);
      expect(bodies[1]).toBe(bodies[0]);
      await expect
        .poll(
          async () => {
            await page.getByTestId('webhook-refresh').click();
            return list.textContent();
          },
          { timeout: WAIT },
        )
        .toContain('成功');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
