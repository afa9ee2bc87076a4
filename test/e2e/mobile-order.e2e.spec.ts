import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, startTestServer, type TestServer } from '../support/app.ts';
import { launchChromium, phoneContext } from '../support/browser.ts';
import { captureOverHttp } from '../support/epcis.ts';

/**
 * Store ordering on a phone, in a real Chromium at 390x844: the store owner opens /m/order, sees what its recent
 * sales suggest, accepts the suggestions into a draft in one tap, changes a quantity with the steppers (which move
 * in whole cases from the minimum), adds a product found by SKU, and places the order. A clerk of a new store, with
 * no sales and so no suggestions, starts an order, finds a product and places it. Needs the built console and
 * Chromium (see console.e2e.spec.ts).
 */
const WAIT = 20_000;
let server: TestServer;
let browser: Browser;
let sku: string;
let extra: string;
let tenant: number;
// a store with no sales (so no suggestions), and its clerk
let newStore: string;

const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString();

beforeAll(async () => {
  if (!fs.existsSync(path.resolve('dist/web/index.html'))) throw new Error('dist/web is missing: run `npm run build` first');
  server = await startTestServer({ webhooks: { worker: false } });
  const sql = server.db.sql;
  const [t] = await sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
  tenant = Number(t?.id);
  const products = await sql<{ sku: string; gtin: string }[]>`
    select p.sku, l.gtin from products p join packaging_levels l on l.tenant_id = p.tenant_id and l.product_id = p.id and l.level = 'unit'
    where p.tenant_id = ${tenant} and p.status = 'active' order by p.sku limit 2`;
  sku = products[0]?.sku as string;
  extra = products[1]?.sku as string;
  const [store] = await sql<{ code: string; gln: string }[]>`
    select p.code, p.gln from parties p join users u on u.party_id = p.id and u.tenant_id = p.tenant_id where u.username = 'store'`;
  const admin = await loginAs(server.baseUrl, 'admin');
  const post = (p: string, body: unknown) =>
    fetch(`${server.baseUrl}${p}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const list = {
    code: 'BASE',
    name: '基础价',
    scope: 'base',
    items: [
      { sku, priceFen: 300 },
      { sku: extra, priceFen: 500 },
    ],
  };
  expect((await post('/api/v1/price-lists', list)).status).toBe(201);
  expect((await post('/api/v1/funds/deposits', { party: store?.code, amountFen: 1_000_000 })).status).toBe(200);
  const [other] = await sql<{ code: string }[]>`
    select s.code from parties s join parties d on d.tenant_id = s.tenant_id and d.id = s.parent_id
    where s.tenant_id = ${tenant} and s.kind = 'store' and s.code <> ${store?.code as string} order by s.id desc limit 1`;
  newStore = other?.code as string;
  const clerk = { username: 'newclerk', password: 'Demo#2026', role: 'store_clerk', partyCode: newStore };
  expect((await post('/api/v1/users', clerk)).status).toBe(201);
  expect((await post('/api/v1/funds/deposits', { party: newStore, amountFen: 100_000 })).status).toBe(200);
  // 30 units at the store 20 days ago; 10 sold 10 days ago and 8 five days ago: 12 left, 18 out in 28 days
  const code = (i: number) => `https://id.gs1.org/01/${products[0]?.gtin}/21/MO${i}`;
  const units = (from: number, n: number) => Array.from({ length: n }, (_, i) => code(from + i));
  const at = { id: `https://id.gs1.org/414/${store?.gln}` };
  const event = (time: string, epcs: string[], bizStep: string) => ({
    type: 'ObjectEvent',
    eventTime: time,
    eventTimeZoneOffset: '+08:00',
    epcList: epcs,
    action: bizStep === 'commissioning' ? 'ADD' : 'OBSERVE',
    bizStep,
    bizLocation: at,
  });
  await captureOverHttp(server.baseUrl, admin, [
    event(daysAgo(20), units(0, 30), 'commissioning'),
    event(daysAgo(10), units(0, 10), 'retail_selling'),
    event(daysAgo(5), units(10, 8), 'retail_selling'),
  ]);
  // the distributor's ordering rules for the product: at least 12, in whole cases (the catalog's: 15 units)
  await sql`insert into order_rules (tenant_id, product_id, min_qty, multiple_of)
    select ${tenant}, p.id, 12, c.units_per from products p
    join packaging_levels c on c.tenant_id = p.tenant_id and c.product_id = p.id and c.level = 'case'
    where p.tenant_id = ${tenant} and p.sku = ${sku}`;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** The phone ordering page of `user`, logged in on a phone-sized screen; page errors collected. */
async function phoneOrderPage(user: string) {
  const context = await phoneContext(browser);
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${server.baseUrl}/m/order`);
  await page.waitForURL(/\/login$/);
  await page.getByTestId('login-username').fill(user);
  await page.getByTestId('login-password').fill('Demo#2026');
  await page.getByTestId('login-submit').click();
  await page.waitForURL(/\/m\/order$/);
  return { context, page, errors };
}

describe('store ordering on a phone', () => {
  it('accepts the suggestions into a draft, steps quantities in whole cases, adds a product and places the order', async () => {
    const { context, page, errors } = await phoneOrderPage('store');
    try {
      // the suggestion: S ≈ 16.2 against 12 on hand -> 5 units -> the minimum of 12 -> one whole case of 15
      await expect.poll(() => page.getByTestId(`suggestion-${sku}`).textContent()).toContain('+15（1 箱）');
      await page.getByTestId('suggestions-accept').tap();
      await expect.poll(() => page.getByTestId(`draft-qty-${sku}`).textContent()).toBe('15');
      // a case up, then up and down again: 30
      await page.getByTestId(`draft-plus-${sku}`).tap();
      await expect.poll(() => page.getByTestId(`draft-qty-${sku}`).textContent()).toBe('30');
      await page.getByTestId(`draft-plus-${sku}`).tap();
      await page.getByTestId(`draft-minus-${sku}`).tap();
      await expect.poll(() => page.getByTestId(`draft-qty-${sku}`).textContent()).toBe('30');

      // a product found by its SKU joins the draft at the smallest quantity its seller accepts
      await page.getByTestId('draft-search').locator('input').fill(extra);
      await page.getByTestId('draft-search').locator('input').press('Enter');
      await page.getByTestId(`draft-add-${extra}`).tap();
      await expect.poll(() => page.getByTestId(`draft-qty-${extra}`).textContent()).toBe('1');
      await page.getByTestId(`draft-plus-${extra}`).tap();

      // nothing is wider than the phone
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await page.getByTestId('draft-place').tap();
      await page.getByTestId('mobile-placed').waitFor();
      expect(await page.getByTestId('mobile-placed').textContent()).toContain('已提交');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
    const lines = await server.db.sql<{ sku: string; quantity: number; status: string }[]>`
      select p.sku, l.quantity, d.status from order_drafts d
      join order_lines l on l.tenant_id = d.tenant_id and l.order_id = d.order_id
      join products p on p.tenant_id = l.tenant_id and p.id = l.product_id
      where d.tenant_id = ${tenant} order by l.line_no`;
    expect(lines).toEqual([
      { sku, quantity: 30, status: 'placed' },
      { sku: extra, quantity: 2, status: 'placed' },
    ]);
    const [orders] = await server.db.sql<{ n: number }[]>`select count(*)::int as n from orders where tenant_id = ${tenant}`;
    expect(orders?.n).toBe(1);
  });

  it('lets the clerk of a store with no suggestions start an order, find a product and place it', async () => {
    const { context, page, errors } = await phoneOrderPage('newclerk');
    try {
      // nothing to accept, but an order can always be started
      await page.getByTestId('order-start').waitFor();
      expect(await page.getByText('暂无补货建议').count()).toBe(1);
      expect(await page.getByTestId('suggestions-accept').count()).toBe(0);
      expect(await page.getByTestId('order-start').textContent()).toContain('选商品订货');
      await page.getByTestId('order-start').tap();

      // an empty draft to the store's distributor: search, add, step, place
      await page.getByTestId('draft-search').waitFor();
      expect(await page.getByText('还没有商品').count()).toBe(1);
      await page.getByTestId('draft-search').locator('input').fill(extra);
      await page.getByTestId('draft-search').locator('input').press('Enter');
      await page.getByTestId(`draft-add-${extra}`).tap();
      await expect.poll(() => page.getByTestId(`draft-qty-${extra}`).textContent()).toBe('1');
      await page.getByTestId(`draft-plus-${extra}`).tap();
      await page.getByTestId(`draft-plus-${extra}`).tap();
      await expect.poll(() => page.getByTestId(`draft-qty-${extra}`).textContent()).toBe('3');
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await page.getByTestId('draft-place').tap();
      await page.getByTestId('mobile-placed').waitFor();
      expect(await page.getByTestId('mobile-placed').textContent()).toContain('已提交');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
    const placed = await server.db.sql<{ buyer: string; seller: string; sku: string; quantity: number; source: string; status: string }[]>`
      select b.code as buyer, s.code as seller, p.sku, l.quantity, d.source, d.status from order_drafts d
      join orders o on o.tenant_id = d.tenant_id and o.id = d.order_id
      join parties b on b.tenant_id = o.tenant_id and b.id = o.buyer_party_id
      join parties s on s.tenant_id = o.tenant_id and s.id = o.seller_party_id
      join order_lines l on l.tenant_id = o.tenant_id and l.order_id = o.id
      join products p on p.tenant_id = l.tenant_id and p.id = l.product_id
      where d.tenant_id = ${tenant} and b.code = ${newStore}`;
    const [supplier] = await server.db.sql<{ code: string }[]>`
      select d.code from parties s join parties d on d.tenant_id = s.tenant_id and d.id = s.parent_id
      where s.tenant_id = ${tenant} and s.code = ${newStore}`;
    expect(placed).toEqual([{ buyer: newStore, seller: supplier?.code, sku: extra, quantity: 3, source: 'manual', status: 'placed' }]);
  });
});
