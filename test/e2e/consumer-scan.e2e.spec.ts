import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keystore } from '../../src/modules/codes/keystore.ts';
import { serialsFor } from '../../src/modules/codes/serials.ts';
import { loginAs, startTestServer, type TestServer } from '../support/app.ts';
import { launchChromium, phoneContext } from '../support/browser.ts';

/**
 * A consumer scans the QR on a unit: the resolver page in a real headless Chromium at phone size (390x844), against
 * the real server and the demo brand. One request, no script, fits the screen, switches to English.
 */
const UNIT = '06901234001013';

let server: TestServer;
let browser: Browser;
let serial: string;

beforeAll(async () => {
  server = await startTestServer();
  const admin = await loginAs(server.baseUrl, 'admin');
  const line = await loginAs(server.baseUrl, 'line');
  const post = async (token: string, url: string, body: unknown) => {
    const r = await fetch(`${server.baseUrl}${url}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return (await r.json()) as Record<string, unknown>;
  };
  const batch = await post(admin, '/api/v1/code-batches', { gtin: UNIT, quantity: 5 });
  const [t] = await server.db.sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
  const keys = await new Keystore(Buffer.from(fs.readFileSync('.data/master.key', 'utf8'), 'base64')).keyring(server.db.sql, Number(t?.id));
  serial = serialsFor(keys, { gtin: UNIT, keyVersion: batch.keyVersion as number, batchNo: batch.batchNo as number }, 0, 1)[0] as string;
  const [lot] = await server.db.sql<{ lot_code: string }[]>`
    select l.lot_code from lots l join packaging_levels pl on pl.tenant_id = l.tenant_id and pl.product_id = l.product_id
    where pl.gtin = ${UNIT} and l.tenant_id = ${Number(t?.id)} order by l.lot_code limit 1`;
  await post(line, '/api/v1/scans', {
    scanId: randomUUID(),
    kind: 'commission',
    lot: lot?.lot_code,
    codes: [`https://id.gs1.org/01/${UNIT}/21/${serial}`],
  });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the consumer scan page on a phone', () => {
  it('shows the verdict and the product in one small request, fits the screen, and switches to English', async () => {
    const context = await phoneContext(browser);
    const page = await context.newPage();
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    const url = `${server.baseUrl}/01/${UNIT}/21/${serial}`;
    const response = await page.goto(url);
    expect(response?.status()).toBe(200);
    expect(await page.locator('[data-verdict]').getAttribute('data-verdict')).toBe('genuine_first');
    await expect(page.locator('h1').textContent()).resolves.toBe('正品 · 首次查询');
    expect(await page.locator('dl').textContent()).toContain('全脂纯牛奶');
    // the page is its own single request: no script, stylesheet, font or image to fetch
    expect(requests).toEqual([url]);
    expect((await response?.body())?.length).toBeLessThan(50 * 1024);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    // one inline script, the claim form's (allowed by its hash in the page's Content-Security-Policy)
    expect(await page.evaluate(() => document.scripts.length)).toBe(1);

    // the same phone's own second view (the page in English) is not a second check: still the first
    await page.getByRole('link', { name: 'English' }).click();
    await page.waitForURL(/lang=en/);
    expect(await page.locator('h1').textContent()).toBe('Genuine · first check');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(errors).toEqual([]);
    await context.close();
  });
});
