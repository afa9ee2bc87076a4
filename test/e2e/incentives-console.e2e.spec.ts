import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tx } from '../../src/db/connection.ts';
import { issueOneMoreTicket } from '../../src/modules/incentives/channel/one-more.ts';
import { payClaims } from '../../src/modules/incentives/channel/payouts.ts';
import { recordFlags } from '../../src/modules/incentives/fraud/flags.ts';
import { apiClient } from '../support/api-client.ts';
import { startTestServer, type TestServer } from '../support/app.ts';
import { launchChromium, signedIn } from '../support/browser.ts';

/**
 * The console's 渠道激励 page and 风控审核 list in headless Chromium: marketing defines a program, activates it and
 * reads its live budget and payout ledger; a store owner sees only its own earnings; a reviewer confirms a flag.
 * Needs the built console (`npm run build`).
 */
let server: TestServer;
let browser: Browser;
let tenantId: number;

beforeAll(async () => {
  if (!fs.existsSync(path.resolve('dist/web/index.html'))) throw new Error('dist/web is missing: run `npm run build` first');
  server = await startTestServer();
  const [t] = await server.db.sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
  tenantId = Number(t?.id);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('渠道激励 / Channel incentives', () => {
  it('creates a program, activates it, and shows its live budget and payout ledger; a clerk sees only the bonuses of the clerk', async () => {
    const { page, errors, close } = await signedIn(browser, server.baseUrl, 'admin', 'Admin#2026', '/incentives/channel');
    await page.getByTestId('channel-program-new').click();
    await page.getByTestId('channel-program-name').fill('开箱有礼·华北');
    await page.getByTestId('channel-program-amount').fill('3');
    await page.getByTestId('channel-program-total').fill('100');
    await page.getByTestId('channel-program-save').click();
    const row = page.getByTestId('channel-programs-table').locator('tr', { hasText: '开箱有礼·华北' });
    await row.waitFor();
    const [p] = await server.db.sql<{ id: string; status: string; amount_fen: string; total_budget_fen: string }[]>`
      select id::text, status, amount_fen::text, total_budget_fen::text from channel_programs where name = '开箱有礼·华北'`;
    expect(p).toMatchObject({ status: 'draft', amount_fen: '300', total_budget_fen: '10000' });
    await page.getByTestId(`channel-program-activate-${p?.id}`).click();
    await expect.poll(() => page.getByTestId(`channel-program-status-${p?.id}`).textContent()).toBe('进行中');

    // two payouts to the demo clerk's store (by the clerk), as scans would make them
    const [clerk] = await server.db.sql<{ id: string; party_id: string }[]>`
      select id::text, party_id::text from users where tenant_id = ${tenantId} and username = 'clerk'`;
    await server.db.sql.begin((tx) =>
      payClaims(
        tx as unknown as Tx,
        tenantId,
        ['A', 'B'].map((k) => ({
          programId: Number(p?.id),
          kind: 'clerk_sell',
          epc: `https://id.gs1.org/01/06901234001013/21/E2EPAY${k}`,
          day: '2026-06-01',
          source: 'e2e',
          payees: [{ role: 'clerk' as const, partyId: Number(clerk?.party_id), userId: Number(clerk?.id), units: 1, amountFen: 300 }],
        })),
        'e2e',
      ),
    );
    await page.reload();
    await expect.poll(() => page.getByTestId(`channel-program-budget-${p?.id}`).textContent()).toContain('¥6.00');
    await page.getByTestId(`channel-program-payouts-${p?.id}`).click();
    await expect.poll(() => page.getByTestId('channel-payouts-total').textContent()).toContain('2');
    // each unit as printed on the pack (GTIN and serial), the full EPC on the element
    const payouts = page.getByTestId('channel-payouts-table');
    expect(await payouts.textContent()).toContain('GTIN 06901234001013 · 序列号 E2EPAYA');
    expect(await payouts.textContent()).not.toContain('id.gs1.org');
    expect(await payouts.locator('[data-epc="https://id.gs1.org/01/06901234001013/21/E2EPAYB"]').count()).toBe(1);
    const download = page.waitForEvent('download');
    await page.getByTestId('channel-payouts-export').click();
    expect((await download).suggestedFilename()).toBe('channel-payouts.xlsx');
    expect(errors).toEqual([]);
    await close();

    const mine = await signedIn(browser, server.baseUrl, 'clerk', 'Demo#2026', '/incentives/channel');
    await expect.poll(() => mine.page.getByTestId('channel-payouts-total').textContent()).toContain('2');
    expect(await mine.page.getByTestId('channel-program-new').count()).toBe(0);
    expect(await mine.page.getByTestId('channel-programs-table').count()).toBe(0);
    await mine.close();
  });
});

describe('风控审核 / Fraud review', () => {
  it('lists open flags and lets a reviewer confirm one with a note, audited', async () => {
    await server.db.sql.begin((tx) =>
      recordFlags(tx as unknown as Tx, tenantId, [
        {
          rule: 'repeat_scans',
          subjectKind: 'code',
          subject: 'https://id.gs1.org/01/06901234001013/21/E2EFLAG',
          epc: 'https://id.gs1.org/01/06901234001013/21/E2EFLAG',
          action: 'refused',
          evidence: { distinctDevices: 9, limit: 5 },
        },
      ]),
    );
    const [flag] = await server.db.sql<
      { id: string }[]
    >`select id::text from fraud_flags where tenant_id = ${tenantId} and epc like '%E2EFLAG'`;
    const { page, errors, close } = await signedIn(
      browser,
      server.baseUrl,
      'quality',
      'Demo#2026',
      '/incentives/fraud',
      undefined,
      'Europe/London',
    );
    // the evidence reads in words ({"distinctDevices":9,"limit":5} once read 'distinctDevices: 9 · limit: 5')
    await expect.poll(() => page.getByTestId('fraud-flags-table').textContent()).toContain('设备数：9');
    expect(await page.getByTestId('fraud-flags-table').textContent()).toContain('上限：5');
    // the flagged code as printed on the pack, in the subject and the code column; the full EPC on the element
    const flagged = page.getByTestId('fraud-flags-table').locator('tr', { has: page.getByTestId(`fraud-code-${flag?.id}`) });
    expect(await flagged.textContent()).toContain('GTIN 06901234001013 · 序列号 E2EFLAG');
    expect(await flagged.textContent()).not.toContain('id.gs1.org');
    expect(await flagged.locator('[data-epc="https://id.gs1.org/01/06901234001013/21/E2EFLAG"]').count()).toBe(2);
    // when it was last seen, on China's clock as the campaign's ledger beside it (whatever the reviewer's laptop says)
    const [seen] = await server.db.sql<{ at: string }[]>`
      select to_char(last_seen_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') as at from fraud_flags where id = ${flag?.id as string}`;
    expect(await flagged.locator('td').first().textContent()).toBe(seen?.at);
    await page.getByTestId(`fraud-confirm-${flag?.id}`).click();
    // the note checked to be in the field before OK: a dialog still opening can swallow a fill on a busy machine
    const note = page.getByTestId('fraud-note');
    await expect
      .poll(async () => {
        await note.fill('同一码被 9 台设备扫描');
        return note.inputValue();
      })
      .toBe('同一码被 9 台设备扫描');
    await page.getByTestId('fraud-decide-ok').click();
    await expect
      .poll(
        async () => (await server.db.sql<{ status: string }[]>`select status from fraud_flags where id = ${flag?.id as string}`)[0]?.status,
      )
      .toBe('confirmed');
    const [audit] = await server.db.sql<{ actor_name: string; details: { note: string } }[]>`
      select actor_name, details from audit_log where tenant_id = ${tenantId} and action = 'fraud.review' and entity_id = ${flag?.id as string}`;
    expect(audit).toMatchObject({ details: { note: '同一码被 9 台设备扫描' } });
    expect(errors).toEqual([]);
    await close();
  });
});

describe('再来一瓶 / One more, redeemed at a store', () => {
  it('a clerk redeems a winning code on the phone page: credited once, the same code again says so, a code without a prize is refused', async () => {
    // an active "one more" programme, and a consumer's winning code (the lottery's ticket, issued as a claim issues it)
    const call = apiClient(() => server.baseUrl);
    const post = (p: string, body: unknown) => call('admin', 'POST', p, body);
    const created = await post('/api/v1/channel-programs', {
      name: '再来一瓶',
      kind: 'one_more',
      amountFen: 350,
      totalBudgetFen: 100_000,
      startsAt: new Date(Date.now() - 3_600_000).toISOString(),
    });
    expect(created.status).toBe(201);
    expect((await post(`/api/v1/channel-programs/${created.body.id}/status`, { status: 'active' })).status).toBe(200);
    const [unit] = await server.db.sql<{ gtin: string }[]>`
      select l.gtin from packaging_levels l where l.tenant_id = ${tenantId} and l.level = 'unit' order by l.gtin limit 1`;
    const winning = `https://id.gs1.org/01/${unit?.gtin}/21/WIN0001`;
    await server.db.sql.begin((tx) => issueOneMoreTicket(tx as unknown as Tx, tenantId, winning, 'campaign:e2e'));

    const { page, errors, close } = await signedIn(browser, server.baseUrl, 'clerk', 'Demo#2026', '/m/one-more');
    try {
      await page.setViewportSize({ width: 390, height: 844 });
      await page.getByTestId('one-more-code').fill(winning);
      await page.getByTestId('one-more-redeem').click();
      await expect.poll(() => page.getByTestId('one-more-done').textContent()).toContain('门店返利余额 +¥3.50');
      // the same code again (a second press, another clerk): the first redemption, credited once
      await page.getByTestId('one-more-code').fill(winning);
      await page.getByTestId('one-more-redeem').click();
      await expect.poll(() => page.getByTestId('one-more-done').textContent()).toContain('本店已兑付过');
      const [paid] = await server.db.sql<{ n: number }[]>`
        select count(*)::int as n from channel_payouts where tenant_id = ${tenantId} and epc = ${winning} and kind = 'one_more'`;
      expect(paid?.n).toBe(1);
      // a code that won nothing is refused with the reason, nothing credited
      await page.getByTestId('one-more-code').fill(`https://id.gs1.org/01/${unit?.gtin}/21/NOPRIZE1`);
      await page.getByTestId('one-more-redeem').click();
      await page.getByTestId('one-more-refused').waitFor();
      // opened by its address, not from the scanning page: the way back is the console, not /scan
      expect(await page.getByTestId('phone-back').textContent()).toBe('控制台');
      expect(await page.getByTestId('phone-back').getAttribute('href')).toBe('/');
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it("leads a store owner who opened it from the console's menu back to the page they were on, in either language", async () => {
    const { page, errors, close } = await signedIn(browser, server.baseUrl, 'store', 'Demo#2026', '/orders');
    try {
      await page.getByTestId('side-menu').getByTestId('menu-oneMore').click();
      await page.waitForURL(/\/m\/one-more$/);
      await expect.poll(() => page.getByTestId('phone-back').textContent()).toBe('返回');
      await page.getByTestId('lang-en').click();
      await expect.poll(() => page.getByTestId('phone-back').textContent()).toBe('Back');
      await page.getByTestId('phone-back').click();
      await page.waitForURL(/\/orders$/);
      await page.getByTestId('side-menu').waitFor();
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});
