import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tx } from '../../src/db/connection.ts';
import { issueOneMoreTicket } from '../../src/modules/incentives/channel/one-more.ts';
import { apiClient } from '../support/api-client.ts';
import { startTestServer, type TestServer } from '../support/app.ts';
import { launchChromium, partsApart, signedIn } from '../support/browser.ts';
import { captureSellOut, type SellOutStores } from '../support/sell-out.ts';

/**
 * The store's and the inspector's phone pages (/m/one-more, /m/inspect) in English, at phone size in a real Chromium:
 * switched with the page's language switch, each says its success and its refusals in English (the zh-CN runs are in
 * incentives-console.e2e.spec.ts and market-inspection.e2e.spec.ts). Needs the built console (`npm run build`).
 */
const WAIT = 20_000;
let server: TestServer;
let browser: Browser;
let tenantId: number;
let sales: SellOutStores;

beforeAll(async () => {
  if (!fs.existsSync(path.resolve('dist/web/index.html'))) throw new Error('dist/web is missing: run `npm run build` first');
  server = await startTestServer({ webhooks: { worker: false }, waitingOrders: { worker: false } });
  sales = await captureSellOut(server, '06901234001013');
  const [t] = await server.db.sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
  tenantId = Number(t?.id);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Chinese characters in a text: none may be left in an English page but the data's own names. */
const HAN = /\p{Script=Han}/u;

/** Where an element ends on the right, in CSS pixels from the viewport's left edge (within a 390 px phone: <= 390). */
async function rightEdge(element: Locator): Promise<number> {
  const box = await element.boundingBox();
  if (!box) throw new Error('the element is not shown');
  return box.x + box.width;
}

describe('/m/one-more in English', () => {
  it('a clerk redeems a winning code, and is told in English when another store redeemed a code or a code won nothing', async () => {
    const call = apiClient(() => server.baseUrl);
    const created = await call('admin', 'POST', '/api/v1/channel-programs', {
      name: 'One more',
      kind: 'one_more',
      amountFen: 350,
      totalBudgetFen: 100_000,
      startsAt: new Date(Date.now() - 3_600_000).toISOString(),
    });
    expect(created.status).toBe(201);
    expect((await call('admin', 'POST', `/api/v1/channel-programs/${created.body.id}/status`, { status: 'active' })).status).toBe(200);
    const code = (serial: string) => `https://id.gs1.org/01/${sales.gtin}/21/${serial}`;
    await server.db.sql.begin(async (tx) => {
      await issueOneMoreTicket(tx as unknown as Tx, tenantId, code('WINEN1'), 'campaign:e2e');
      await issueOneMoreTicket(tx as unknown as Tx, tenantId, code('WINEN2'), 'campaign:e2e');
    });
    // WINEN2 was redeemed at another store (store C) at 10:54 China time
    await server.db.sql`
      update one_more_tickets set redeemed_at = '2026-12-05T02:54:00Z',
        redeemed_by_party_id = (select id from parties where tenant_id = ${tenantId} and code = ${sales.C.code})
      where tenant_id = ${tenantId} and epc = ${code('WINEN2')}`;

    const { page, errors, close } = await signedIn(browser, server.baseUrl, 'clerk', 'Demo#2026', '/m/one-more', WAIT);
    try {
      await page.setViewportSize({ width: 390, height: 844 });
      await page.getByTestId('lang-en').click();
      await expect.poll(() => page.getByTestId('one-more-redeem').textContent()).toBe('Redeem');
      expect(await page.locator('h4').textContent()).toBe('Redeem "one more"');
      const box = page.getByLabel('Winning code');
      await box.fill(code('WINEN1'));
      await page.getByTestId('one-more-redeem').click();
      await expect
        .poll(() => page.getByTestId('one-more-done').textContent())
        .toBe("Redeemed: hand over one unit; the store's rebate balance +¥3.50");
      await box.fill(code('WINEN1'));
      await page.getByTestId('one-more-redeem').click();
      await expect
        .poll(() => page.getByTestId('one-more-done').textContent())
        .toBe('This store redeemed this code before (the ¥3.50 is credited once)');
      // the redeemed unit as the console shows a unit (GTIN and serial as printed under the QR), once, within the phone
      const unit = page.getByTestId('one-more-unit');
      await expect.poll(() => unit.count()).toBe(1);
      expect(await unit.textContent()).toBe(`GTIN ${sales.gtin} · serial WINEN1`);
      expect(await unit.getAttribute('data-epc')).toBe(code('WINEN1'));
      expect(await page.getByTestId('one-more-redeemed').textContent()).toContain('¥3.50');
      expect(await rightEdge(unit)).toBeLessThanOrEqual(390);

      // refusals: by another store (when, as a person reads it), and a code that won nothing
      await box.fill(code('WINEN2'));
      await page.getByTestId('one-more-redeem').click();
      await expect
        .poll(() => page.getByTestId('one-more-refused').textContent())
        .toMatch(/^This ticket was already redeemed at .+ on 2026-12-05 10:54$/);
      // said again in Chinese when the language is switched, without scanning again
      await page.getByTestId('lang-zh').click();
      await expect.poll(() => page.getByTestId('one-more-refused').textContent()).toMatch(/^该奖券已于 2026-12-05 10:54 在 .+ 兑付$/);
      await page.getByTestId('lang-en').click();
      await box.fill(code('NOPRIZE1'));
      await page.getByTestId('one-more-redeem').click();
      // the unit as printed under its QR, not the link as scanned (the full code on its tooltip and copy button)
      const refused = page.getByTestId('one-more-refused');
      await expect.poll(() => refused.textContent()).toBe(`This code did not win: GTIN ${sales.gtin} · serial NOPRIZE1`);
      expect(await page.getByTestId('one-more-refused-unit').getAttribute('data-epc')).toBe(code('NOPRIZE1'));
      expect(await rightEdge(refused)).toBeLessThanOrEqual(390);

      // nothing left in Chinese on the page but the data's names; nothing wider than the phone
      expect(((await page.locator('body').textContent()) ?? '').replace('中文', '')).not.toMatch(HAN);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

      // in Chinese, the same unit and the same refusal in Chinese words, without scanning again
      await page.getByTestId('lang-zh').click();
      await expect.poll(() => unit.textContent()).toBe(`GTIN ${sales.gtin} · 序列号 WINEN1`);
      await expect.poll(() => refused.textContent()).toBe(`该码没有中奖：GTIN ${sales.gtin} · 序列号 NOPRIZE1`);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});

describe('/m/inspect in English', () => {
  it('an inspector records a find, and is told in English to pick a place and that an unknown code may be counterfeit', async () => {
    const { page, errors, close } = await signedIn(browser, server.baseUrl, 'inspector', 'Demo#2026', '/m/inspect', WAIT);
    try {
      await page.setViewportSize({ width: 390, height: 844 });
      await page.getByTestId('lang-en').click();
      await expect.poll(() => page.getByTestId('inspection-submit').textContent()).toBe('Record the inspection');
      const box = page.getByLabel('Code on the unit');
      await box.fill(`https://id.gs1.org/01/${sales.gtin}/21/LS55`);
      await page.getByTestId('inspection-submit').click();
      await expect.poll(() => page.getByTestId('inspection-problem').textContent()).toBe('Pick where it was found (at least the province)');

      await page.getByLabel('Province').click();
      await page.keyboard.type('Guangdong');
      await page.locator('.ant-select-item-option', { hasText: 'Guangdong' }).click();
      await page.getByLabel('Note (store name, shelf, photo no.)').fill('Shelf 3');
      await page.getByTestId('inspection-submit').click();
      await page.getByTestId('inspection-result').waitFor();
      expect(await page.getByTestId('inspection-verdict').textContent()).toBe('This unit has not been shipped to a distributor');
      expect(await page.getByTestId('inspection-result').textContent()).toContain('Found inGuangdong');
      // the unit found as the console shows a unit: GTIN and serial, not the tail of its link
      const unit = page.getByTestId('inspection-unit');
      expect(await unit.textContent()).toBe(`GTIN ${sales.gtin} · serial LS55`);
      expect(await unit.getAttribute('data-epc')).toBe(`https://id.gs1.org/01/${sales.gtin}/21/LS55`);
      expect(await rightEdge(unit)).toBeLessThanOrEqual(390);

      // a code the brand has no record of: said as what it may be, not a bare "Not found"
      await box.fill(`https://id.gs1.org/01/${sales.gtin}/21/NEVERMADE1`);
      await page.getByTestId('inspection-submit').click();
      await expect
        .poll(() => page.getByTestId('inspection-problem').textContent())
        .toBe('The brand has no record of this code: it may be counterfeit or mistyped; check it and submit again');
      expect(((await page.locator('body').textContent()) ?? '').replace('中文', '')).not.toMatch(HAN);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

      // and in Chinese, the same refusal
      await page.getByTestId('lang-zh').click();
      await page.getByTestId('inspection-submit').click();
      await expect
        .poll(() => page.getByTestId('inspection-problem').textContent())
        .toBe('本品牌没有这个码的记录：可能是假码，或输错了，请核对后再提交');
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});

describe("the phone pages' header", () => {
  it.each([
    ['/m/inspect', 'inspector', { zh: ['市场稽查', '窜货预警'], en: ['Market inspection', 'Diversion alerts'] }],
    // opened by its address, it leads back to the console (from the scanning page, to /scan: scan-page e2e)
    ['/m/one-more', 'clerk', { zh: ['兑付再来一瓶', '控制台'], en: ['Redeem "one more"', 'Console'] }],
    ['/m/order', 'store', { zh: ['门店订货', '控制台'], en: ['Store ordering', 'Console'] }],
    // a distributor orders from its own supplier (the brand, or its tier-1): not "store ordering"
    ['/m/order', 'distributor', { zh: ['经销商订货', '控制台'], en: ['Distributor ordering', 'Console'] }],
  ] as const)(
    '%s (as %s) fits a 390 px phone in Chinese and English: the title on one line, nothing overlaps, thumb-sized',
    async (path, user, words) => {
      const { page, errors, close } = await signedIn(browser, server.baseUrl, user, 'Demo#2026', path, WAIT);
      try {
        await page.setViewportSize({ width: 390, height: 844 });
        for (const lang of ['zh', 'en'] as const) {
          const [title, back] = words[lang];
          await page.getByTestId(`lang-${lang}`).click();
          const heading = page.locator('h4').first();
          await expect.poll(() => heading.textContent()).toBe(title);
          const parts = {
            title: heading,
            'lang-switch': page.getByTestId('lang-switch'),
            back: page.getByRole('link', { name: back, exact: true }),
          };
          const boxes = await partsApart(parts, 390, lang);
          // the title is one line: no taller than one of its lines
          const lineHeight = await heading.evaluate((el) => Number.parseFloat(getComputedStyle(el).lineHeight));
          expect(boxes[0]?.height, `the title's height (${lang}), one line is ${lineHeight} px`).toBeLessThan(lineHeight * 1.5);
          // what is tapped is thumb-sized, its words whole
          for (const b of boxes.slice(1)) expect(b.height, `${b.id} (${lang})`).toBeGreaterThanOrEqual(40);
          for (const el of [parts['lang-switch'], parts.back]) expect(await el.evaluate((e) => e.scrollWidth > e.clientWidth)).toBe(false);
          expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
        }
        expect(errors).toEqual([]);
      } finally {
        await close();
      }
    },
  );
});
