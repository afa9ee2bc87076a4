import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoHistory } from '../../src/demo/demo-history.ts';
import { startTestServer, type TestServer } from '../support/app.ts';
import { launchChromium, signedIn } from '../support/browser.ts';
import { testKeystore, testMasterKey } from '../support/codes.ts';

/**
 * The order desk and the funds page over a channel with a past (a few weeks of the demo history played), in a real
 * Chromium: every order and every ledger transaction can be reached a page at a time, and an order found by its
 * number. Needs the built console and Chromium (see console.e2e.spec.ts).
 */
const WAIT = 20_000;
let server: TestServer;
let browser: Browser;
let total = 0;
let oldest = '';

beforeAll(async () => {
  if (!fs.existsSync(path.resolve('dist/web/index.html'))) throw new Error('dist/web is missing: run `npm run build` first');
  server = await startTestServer({ webhooks: { worker: false } });
  await loadDemoHistory(server.db.url, {
    keystore: testKeystore(),
    masterKey: testMasterKey(),
    days: 28,
    distributors: 2,
    storesEach: 2,
    skus: 3,
    today: '2026-12-05',
  });
  const [o] = await server.db.sql<{ n: number; oldest: string }[]>`
    select count(*)::int as n, (array_agg(order_no order by created_at, id))[1] as oldest from orders`;
  total = o?.n ?? 0;
  oldest = o?.oldest ?? '';
  browser = await launchChromium();
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the order desk over a channel with a past', () => {
  it('pages through every order, the oldest on the last page, and finds one by its number', async () => {
    expect(total).toBeGreaterThan(20);
    const a = await signedIn(browser, server.baseUrl, 'admin', 'Admin#2026', '/orders', WAIT);
    try {
      const { page } = a;
      await expect.poll(() => page.locator('.ant-pagination-total-text').textContent(), { timeout: WAIT }).toContain(String(total));
      await page.locator('.ant-pagination-item').last().click();
      await expect.poll(() => page.getByTestId('orders-table').textContent(), { timeout: WAIT }).toContain(oldest);
      await page.getByTestId('orders-search').locator('input').fill(oldest);
      await expect.poll(() => page.locator('.ant-table-row').count(), { timeout: WAIT }).toBe(1);
      expect(await page.getByTestId('orders-table').textContent()).toContain(oldest);
      expect(a.errors).toEqual([]);
    } finally {
      await a.close();
    }
  });

  it("shows a distributor its whole ledger a page at a time, the history's moves by the system", async () => {
    const [l] = await server.db.sql<{ n: number }[]>`
      select count(distinct e.transaction_id)::int as n from funds_entries e
      join funds_accounts a on a.tenant_id = e.tenant_id and a.id = e.account_id
      join parties p on p.tenant_id = a.tenant_id and p.id = a.party_id
      where p.code = 'D0001' and a.kind <> 'external'`;
    const d = await signedIn(browser, server.baseUrl, 'distributor', 'Demo#2026', '/funds', WAIT);
    try {
      const { page } = d;
      const ledger = page.getByTestId('funds-ledger');
      await expect.poll(() => page.locator('.ant-pagination-total-text').textContent(), { timeout: WAIT }).toContain(String(l?.n));
      const text = (await ledger.textContent()) ?? '';
      expect(text).toContain('系统');
      expect(text).not.toContain('user:0');
      expect(d.errors).toEqual([]);
    } finally {
      await d.close();
    }
  });
});
