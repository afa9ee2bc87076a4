import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumerFor, identifierHasher } from '../../src/modules/consumers/index.ts';
import { startTestServer, type TestServer } from '../support/app.ts';
import { launchChromium, pickUntil, signedIn } from '../support/browser.ts';

/**
 * The segments page (客户分层) in a real Chromium: the brand sees its stores' segment sizes, the R x F grid and the
 * stores, filters by segment, exports to Excel, and switches to English; a distributor sees only its own stores and
 * no consumer tab. Needs the built console and Chromium (see console.e2e.spec.ts).
 */
const WAIT = 20_000;
let server: TestServer;
let browser: Browser;
const own: string[] = [];
let otherStore: string;
/** the consumer who claimed the phone that scanned on three days (the other two phones stay anonymous) */
let consumerId: number;
const masterKey = randomBytes(32);

beforeAll(async () => {
  if (!fs.existsSync(path.resolve('dist/web/index.html'))) throw new Error('dist/web is missing: run `npm run build` first');
  server = await startTestServer({ webhooks: { worker: false }, masterKey });
  const sql = server.db.sql;
  const [t] = await sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
  const tenant = Number(t?.id);
  const [d] = await sql<{ id: string }[]>`
    select p.id::text from parties p join users u on u.party_id = p.id and u.tenant_id = p.tenant_id where u.username = 'distributor'`;
  const distributor = Number(d?.id);
  for (const r of await sql<{ code: string }[]>`
    select code from parties where tenant_id = ${tenant} and kind = 'store' and parent_id = ${distributor} order by code limit 6`)
    own.push(r.code);
  const [o] = await sql<{ code: string; parent_id: string }[]>`
    select code, parent_id::text from parties where tenant_id = ${tenant} and kind = 'store' and not (${distributor} = any(ancestors))
    order by code limit 1`;
  otherStore = o?.code as string;
  const order = (buyer: string, seller: number, at: string, fen: number) => sql`
    insert into orders (tenant_id, order_no, buyer_party_id, seller_party_id, status, total_fen, created_by, created_at)
    select ${tenant}, ${`E${randomUUID()}`}, p.id, ${seller}, 'approved', ${fen}, 'test', ${at}::timestamptz
    from parties p where p.tenant_id = ${tenant} and p.code = ${buyer}`;
  // six stores of the distributor: store i orders i times, the last order i days apart, i x 1,000 fen each
  for (const [i, code] of own.entries())
    for (let k = 0; k <= i; k++)
      await order(code, distributor, `2026-11-${String(28 - i * 3 - k).padStart(2, '0')}T10:00:00+08:00`, (i + 1) * 1000);
  await order(otherStore, Number(o?.parent_id), '2026-11-29T10:00:00+08:00', 70_000);
  // three phones that scanned the brand's units: 1, 2 and 3 days with a scan
  const [unit] = await sql<{ gtin: string }[]>`
    select pl.gtin from packaging_levels pl where pl.tenant_id = ${tenant} and pl.level = 'unit' order by pl.gtin limit 1`;
  for (const n of [1, 2, 3]) {
    const device = randomUUID();
    for (let k = 0; k < n; k++)
      await sql`insert into consumer_scans (tenant_id, epc, scanned_at, verdict, ip_hash, device_id)
        values (${tenant}, ${`https://id.gs1.org/01/${unit?.gtin}/21/E2E${n}-${k}`}, ${`2026-11-${20 + k}T12:00:00+08:00`}::timestamptz,
          'genuine_first', ${Buffer.alloc(32)}, ${device}::uuid)`;
    if (n === 3) consumerId = await consumerFor(sql, tenant, 'device', identifierHasher(masterKey)('device', device), 'cookie');
  }
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const loggedIn = (username: string, password: string, p: string) => signedIn(browser, server.baseUrl, username, password, p, WAIT);
const rows = (page: import('playwright-core').Page) => page.locator('[data-testid="segments-stores-table"] .ant-table-row');

describe('the segments page', () => {
  it('shows the brand its stores by segment, with the charts, a filter, the export and English', async () => {
    const a = await loggedIn('admin', 'Admin#2026', '/segments');
    try {
      await expect.poll(() => a.page.getByTestId('segments-stores-population').textContent()).toContain('7');
      await a.page.getByTestId('segments-stores-sizes').locator('canvas').first().waitFor();
      await a.page.getByTestId('segments-stores-grid').locator('canvas').first().waitFor();
      await expect.poll(() => rows(a.page).count()).toBe(7);
      // worked out by hand: recency 2, 5, 8, 11, 14, 17 days for the six stores and 1 for the other distributor's;
      // the two that ordered most but longest ago (R 1, F 5) are "can't lose", the one that ordered once lately "new"
      expect(
        await rows(a.page)
          .filter({ hasText: own[5] as string })
          .textContent(),
      ).toContain('不能失去');
      expect(
        await rows(a.page)
          .filter({ hasText: own[0] as string })
          .textContent(),
      ).toContain('新客户');
      await pickUntil(a.page, 'segments-stores-filter', '不能失去', async () => (await rows(a.page).count()) === 2);
      expect((await rows(a.page).allTextContents()).join(' ')).toContain(own[4] as string);
      // export
      const [download] = await Promise.all([a.page.waitForEvent('download'), a.page.getByTestId('segments-stores-export').click()]);
      expect(download.suggestedFilename()).toBe('store-segments.xlsx');
      // the consumer tab is there for the brand
      expect(await a.page.getByRole('tab', { name: '消费者' }).count()).toBe(1);
      await a.page.getByTestId('lang-en').click();
      await a.page.getByRole('heading', { name: 'Segments (RFM)' }).waitFor();
      expect(a.errors).toEqual([]);
    } finally {
      await a.close();
    }
  });

  it('computes the consumer segments in the background the first time, and again on request', async () => {
    const p = await loggedIn('planner', 'Demo#2026', '/segments');
    try {
      await p.page.getByRole('tab', { name: '消费者' }).click();
      // nobody has computed them yet: the page starts the first computation by itself and shows it when it ends
      await expect.poll(() => p.page.getByTestId('segments-consumers-population').textContent(), { timeout: WAIT }).toContain('3');
      const computed = await p.page.getByTestId('segments-consumers-computed-at').textContent();
      expect(computed).toMatch(/\d{4}/);
      // the snapshot is midnight in Beijing (recency counts China's days), and the page says so on China's clock
      // (it read 16:00 the day before in a UTC browser)
      expect(await p.page.getByTestId('segments-consumers-snapshot').textContent()).toMatch(
        /^快照时间（北京时间）\d{4}-\d\d-\d\d 00:00:00$/,
      );
      await p.page.getByTestId('segments-consumers-sizes').locator('canvas').first().waitFor();
      expect(await p.page.locator('[data-testid="segments-consumers-table"] .ant-table-row').count()).toBe(3);
      // a consumer who is known opens their profile; an anonymous phone is plain text
      const consumer = p.page.getByTestId(`segments-consumer-${consumerId}`);
      expect(await consumer.textContent()).toBe(`#${consumerId}`);
      expect(await p.page.locator('[data-testid="segments-consumers-table"] a[href^="/consumers/"]').count()).toBe(1);
      await consumer.click();
      await p.page.waitForURL(new RegExp(`/consumers/${consumerId}$`));
      await p.page.goBack();
      await p.page.getByRole('tab', { name: '消费者' }).click();
      await new Promise((r) => setTimeout(r, 1100));
      await p.page.getByTestId('segments-consumers-refresh').click();
      await expect.poll(() => p.page.getByTestId('segments-consumers-computed-at').textContent(), { timeout: WAIT }).not.toBe(computed);
      expect(p.errors).toEqual([]);
    } finally {
      await p.close();
    }
  });

  it('shows a distributor its own stores only, and no consumers', async () => {
    const d = await loggedIn('distributor', 'Demo#2026', '/segments');
    try {
      await expect.poll(() => d.page.getByTestId('segments-stores-population').textContent()).toContain('6');
      await expect.poll(() => rows(d.page).count()).toBe(6);
      expect((await rows(d.page).allTextContents()).some((t) => t.includes(otherStore))).toBe(false);
      expect(await d.page.getByRole('tab', { name: '消费者' }).count()).toBe(0);
      expect(d.errors).toEqual([]);
    } finally {
      await d.close();
    }
  });
});
