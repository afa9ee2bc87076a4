import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, startTestServer, type TestServer } from '../support/app.ts';
import { launchChromium, pickUntil, signedIn } from '../support/browser.ts';
import { captureOverHttp } from '../support/epcis.ts';

/**
 * Ordering in the console, in a real Chromium: a distributor places an order with a line it types, sees it waiting
 * for approval, and the brand approves it from its order desk; the distributor's view of its stock shows what an
 * adjustment left. Needs the built console and Chromium (see console.e2e.spec.ts).
 */
const WAIT = 20_000;
let server: TestServer;
let browser: Browser;
let sku: string;
let distributor: string;
/** a case of 24 units of `sku` packed at the brand's warehouse W01, ready to ship, and one of its units */
let loadedCase: string;
let looseUnit: string;

beforeAll(async () => {
  if (!fs.existsSync(path.resolve('dist/web/index.html'))) throw new Error('dist/web is missing: run `npm run build` first');
  server = await startTestServer({ webhooks: { worker: false } });
  const [t] = await server.db.sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
  const [p] = await server.db.sql<
    { sku: string }[]
  >`select sku from products where tenant_id = ${Number(t?.id)} and status = 'active' order by sku limit 1`;
  sku = p?.sku as string;
  const [d] = await server.db.sql<{ code: string }[]>`
    select p.code from parties p join users u on u.party_id = p.id and u.tenant_id = p.tenant_id where u.username = 'distributor'`;
  distributor = d?.code as string;
  // the brand's base price and the distributor's money, through the API as sales ops would set them
  const admin = await loginAs(server.baseUrl, 'admin');
  const post = (p: string, body: unknown) =>
    fetch(`${server.baseUrl}${p}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  expect(
    (await post('/api/v1/price-lists', { code: 'BASE', name: '基础价', scope: 'base', items: [{ sku, priceFen: 1200 }] })).status,
  ).toBe(201);
  expect((await post('/api/v1/funds/deposits', { party: distributor, amountFen: 1_000_000 })).status).toBe(200);
  const endsAt = new Date(Date.now() + 86_400_000).toISOString();
  expect(
    (await post('/api/v1/group-buys', { code: 'GB-E2E', name: '端午团购', sku, unitPriceFen: 1000, minBuyers: 5, endsAt })).status,
  ).toBe(201);
  // a case of 24 units packed at W01, as the line and the warehouse would have scanned them
  const [g] = await server.db.sql<{ unit: string; pack: string; w01: string }[]>`
    select u.gtin as unit, c.gtin as pack, (select gln from parties where tenant_id = ${Number(t?.id)} and code = 'W01') as w01
    from products p join packaging_levels u on u.product_id = p.id and u.level = 'unit'
    join packaging_levels c on c.product_id = p.id and c.level = 'case' where p.tenant_id = ${Number(t?.id)} and p.sku = ${sku}`;
  const units = Array.from({ length: 24 }, (_, i) => `https://id.gs1.org/01/${g?.unit}/21/SHIP${i}`);
  loadedCase = `https://id.gs1.org/01/${g?.pack}/21/SHIPC1`;
  looseUnit = units[0] as string;
  const at = { id: `https://id.gs1.org/414/${g?.w01}` };
  const when = (m: number) => new Date(Date.now() - (10 - m) * 60_000).toISOString();
  await captureOverHttp(server.baseUrl, admin, [
    {
      type: 'ObjectEvent',
      eventTime: when(0),
      eventTimeZoneOffset: '+08:00',
      epcList: [...units, loadedCase],
      action: 'ADD',
      bizStep: 'commissioning',
      bizLocation: at,
      ilmd: { 'cbvmda:lotNumber': 'SHIP1' },
    },
    {
      type: 'AggregationEvent',
      eventTime: when(1),
      eventTimeZoneOffset: '+08:00',
      parentID: loadedCase,
      childEPCs: units,
      action: 'ADD',
      bizStep: 'packing',
      bizLocation: at,
    },
  ]);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const loggedIn = (username: string, password: string, path: string) => signedIn(browser, server.baseUrl, username, password, path, WAIT);

describe('ordering in the console', () => {
  it('a distributor places an order and the brand approves it', async () => {
    const d = await loggedIn('distributor', 'Demo#2026', '/orders');
    try {
      await d.page.getByTestId('orders-new').click();
      await d.page.getByTestId('order-line-sku-0').fill(sku);
      // a quantity that is not a whole number of at least 1 is refused at the line as typed, and nothing is placed
      // (the field once rounded 2.5 to 3 and raised -5 and 0 to 1, and placed the order)
      for (const wrong of ['-5', '0', '2.5']) {
        await d.page.getByTestId('order-line-qty-0').fill(wrong);
        await d.page.getByRole('button', { name: '提交订单' }).click();
        await expect.poll(() => d.page.getByTestId('order-line-error-0').textContent()).toBe('数量须为不小于 1 的整数');
        expect(await d.page.getByTestId('order-line-qty-0').inputValue()).toBe(wrong);
      }
      expect((await server.db.sql<{ n: number }[]>`select count(*)::int as n from orders`)[0]?.n).toBe(0);
      await d.page.getByTestId('order-line-qty-0').fill('24');
      await d.page.getByRole('button', { name: '提交订单' }).click();
      await d.page.getByTestId('order-detail').waitFor();
      await expect.poll(() => d.page.getByTestId('order-status').textContent()).toBe('待审批');
      expect(await d.page.getByTestId('order-detail').textContent()).toContain('首单');
      // the brand decides on it: its buyer is not offered the seller's buttons (the server would refuse them)
      expect(await d.page.getByTestId('order-approve').count()).toBe(0);
      expect(await d.page.getByTestId('order-reject').count()).toBe(0);
      // "order again" opens a new order with the same lines
      await d.page.getByTestId('order-reorder').click();
      await expect.poll(() => d.page.getByTestId('order-line-sku-0').inputValue()).toBe(sku);
      await d.page.keyboard.press('Escape');
      // the same again from a spreadsheet
      await d.page
        .getByTestId('orders-upload-input')
        .setInputFiles({ name: 'order.csv', mimeType: 'text/csv', buffer: Buffer.from(`sku,quantity\n${sku},12\n`) });
      await expect.poll(() => server.db.sql<{ n: number }[]>`select count(*)::int as n from orders`.then((r) => r[0]?.n)).toBe(2);
      // the upload carried an idempotency key, like the dialog
      const keys = await server.db.sql<{ n: number }[]>`select count(*)::int as n from orders where idempotency_key is not null`;
      expect(keys[0]?.n).toBe(2);
      expect(d.errors).toEqual([]);
    } finally {
      await d.close();
    }
    const a = await loggedIn('admin', 'Admin#2026', '/orders');
    try {
      await a.page.locator('[data-testid="orders-table"] .ant-table-row', { hasText: '待审批' }).first().click();
      await a.page.getByTestId('order-approve').click();
      await expect.poll(() => a.page.getByTestId('order-status').textContent()).toBe('已审批');
      // ordering it again for the distributor keeps the buyer, not only the lines
      await a.page.getByTestId('order-reorder').click();
      await expect.poll(() => a.page.getByTestId('order-buyer').inputValue()).toBe(distributor);
      await expect.poll(() => a.page.getByTestId('order-line-sku-0').inputValue()).toBe(sku);
      await a.page.keyboard.press('Escape');

      // and ships it by scanning what it loads: a unit still in its case is refused next to its code and nothing
      // ships; the case ships the order (Escape closed the drawer with the dialog: the order is opened again)
      await a.page.getByTestId('order-detail').waitFor({ state: 'hidden' });
      const [first] = await server.db.sql<{ no: string }[]>`select order_no as no from orders order by id limit 1`;
      await a.page.locator('[data-testid="orders-table"] .ant-table-row', { hasText: first?.no as string }).click();
      await a.page.getByTestId('order-ship').click();
      await a.page.getByTestId('order-ship-codes').fill(`${looseUnit}\n`);
      await expect.poll(() => a.page.getByTestId('order-ship-count').textContent()).toBe('已扫 1 个码');
      await a.page.getByTestId('order-ship-ok').click();
      await a.page.getByTestId('order-ship-refusal').waitFor();
      expect(await a.page.getByTestId('order-ship-error').first().textContent()).toContain(looseUnit);
      expect((await server.db.sql<{ n: number }[]>`select count(*)::int as n from order_shipments`)[0]?.n).toBe(0);
      await a.page.getByTestId('order-ship-codes').fill(`${loadedCase}\n`);
      await a.page.getByTestId('order-ship-ok').click();
      await expect
        .poll(() => a.page.getByTestId('order-status').textContent(), { timeout: WAIT })
        .toBe('已发货')
        .catch(async (e: Error) => {
          throw new Error(
            `${e.message}\nrefusal: ${await a.page
              .getByTestId('order-ship-refusal')
              .textContent({ timeout: 500 })
              .catch(() => 'none')}`,
          );
        });
      expect(await a.page.getByTestId('order-ship').count()).toBe(0);
      expect(a.errors).toEqual([]);
    } finally {
      await a.close();
    }
    const [order] = await server.db.sql<
      { status: string; total_fen: number }[]
    >`select status, total_fen::int as total_fen from orders order by id limit 1`;
    expect(order).toEqual({ status: 'shipped', total_fen: 24 * 1200 });
  });

  it('a distributor joins a group buy, and the order waits for the group', async () => {
    const d = await loggedIn('distributor', 'Demo#2026', '/orders');
    try {
      await d.page.getByTestId('orders-new').click();
      await pickUntil(d.page, 'order-type-select', '团购（成团后发货）', () => d.page.getByTestId('order-group-buy').isVisible());
      // choosing the group buy fills in its product
      await pickUntil(
        d.page,
        'order-group-buy',
        /端午团购/,
        async () => (await d.page.getByTestId('order-line-sku-0').inputValue()) === sku,
      );
      await d.page.getByTestId('order-line-qty-0').fill('12');
      await d.page.getByRole('button', { name: '提交订单' }).click();
      await d.page.getByTestId('order-detail').waitFor();
      await expect.poll(() => d.page.getByTestId('order-type').textContent()).toBe('团购（成团后发货）');
      expect(d.errors).toEqual([]);
    } finally {
      await d.close();
    }
    const [o] = await server.db.sql<{ type: string; total_fen: number }[]>`
      select type, total_fen::int as total_fen from orders where group_buy_id is not null`;
    expect(o).toEqual({ type: 'group_buy', total_fen: 12 * 1000 });
  });

  it("a distributor whose order's answer was lost, and who changes the lines, is told the key placed that order", async () => {
    const count = async () => (await server.db.sql<{ n: number }[]>`select count(*)::int as n from orders`)[0]?.n as number;
    const before = await count();
    const d = await loggedIn('distributor', 'Demo#2026', '/orders');
    try {
      // the first submission reaches the server and places the order, but its answer never reaches the console
      let lost = false;
      await d.page.route('**/api/v1/orders', async (route) => {
        if (route.request().method() !== 'POST' || lost) return route.continue();
        lost = true;
        await route.fetch();
        await route.abort('connectionreset');
      });
      await d.page.getByTestId('orders-new').click();
      await d.page.getByTestId('order-line-sku-0').fill(sku);
      await d.page.getByTestId('order-line-qty-0').fill('24');
      await d.page.getByRole('button', { name: '提交订单' }).click();
      await d.page.getByTestId('order-problem').waitFor();
      await expect.poll(count).toBe(before + 1);
      const [first] = await server.db.sql<{ order_no: string }[]>`select order_no from orders order by id desc limit 1`;
      // the user changes the quantity and submits again from the same dialog (the same key): refused, and said so
      await d.page.getByTestId('order-line-qty-0').fill('48');
      await d.page.getByRole('button', { name: '提交订单' }).click();
      await expect
        .poll(() => d.page.getByTestId('order-problem').textContent())
        .toBe(`此幂等键已用于订单 ${first?.order_no}，其内容与本次不同；新的订单请使用新的幂等键提交`);
      expect(await count()).toBe(before + 1);
      // submitting once more places the changed lines as a new order (the dialog took a new key)
      await d.page.getByRole('button', { name: '提交订单' }).click();
      await d.page.getByTestId('order-detail').waitFor();
      expect(d.errors).toEqual([]);
    } finally {
      await d.close();
    }
    const placed = await server.db.sql<{ quantity: number }[]>`
      select l.quantity from orders o join order_lines l on l.order_id = o.id order by o.id desc limit 2`;
    expect(placed.map((l) => l.quantity)).toEqual([48, 24]);
  });
});
