import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, startTestServer, type TestServer } from '../support/app.ts';
import { CHROMIUM, launchChromium } from '../support/browser.ts';
import { captureOverHttp } from '../support/epcis.ts';
import { readPdf } from '../support/pdf.ts';

/**
 * The console's traceability pages in a real (headless) Chromium against the real server: a unit commissioned at
 * factory F01, packed into a case, the case shipped to distributor D0001 and received there (captured as EPCIS
 * events over HTTP); the code lookup shows the steps in order in Chinese and in English, the lot's recall page
 * shows D0001 holding it, and opening a recall makes the lookup warn.
 *
 * Needs the built console (`npm run build` → dist/web) and Chromium at /usr/bin/chromium (or CHROMIUM_PATH).
 */
const WEB_INDEX = path.resolve('dist/web/index.html');
const WAIT = 20_000;

const UNIT_GTIN = '06901234001013';
const CASE_GTIN = '16901234001010';
const LOT = 'LWEB0302';
const UNIT = `https://id.gs1.org/01/${UNIT_GTIN}/21/WEB001`;
/** shipped to D0001 (Beijing) and turning up at store S000001 in Nanchang: a diversion alert */
const DIVERTED = `https://id.gs1.org/01/${UNIT_GTIN}/21/WEBD01`;
const CASE = `https://id.gs1.org/01/${CASE_GTIN}/21/WEBC1`;
/** three units of one lot that turn up together at S000001: three alerts, reviewed as one group */
const GROUP_LOT = 'LWEBG0302';
const GROUPED = [1, 2, 3].map((i) => `https://id.gs1.org/01/${UNIT_GTIN}/21/WEBG0${i}`);

let server: TestServer;
let browser: Browser | undefined;
let token: string;

const at = (gln: string) => ({ id: `https://id.gs1.org/414/${gln}` });
const time = (minute: number) => `2026-03-02T08:${String(minute).padStart(2, '0')}:00.000Z`;

const capture = (events: object[]) => captureOverHttp(server.baseUrl, token, events);

beforeAll(async () => {
  if (!fs.existsSync(WEB_INDEX)) {
    throw new Error(`${WEB_INDEX} is missing: run \`npm run build\` before the console e2e test`);
  }
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  }
  server = await startTestServer();
  token = await loginAs(server.baseUrl, 'admin');
  const rows = await server.db.sql<{ code: string; gln: string }[]>`
    select p.code, p.gln from parties p join tenants t on t.id = p.tenant_id
    where t.code = 'demo' and p.code in ('F01', 'D0001', 'S000001')`;
  const gln = Object.fromEntries(rows.map((r) => [r.code, r.gln])) as Record<'F01' | 'D0001' | 'S000001', string>;

  await capture([
    {
      type: 'ObjectEvent',
      eventTime: time(0),
      eventTimeZoneOffset: '+08:00',
      epcList: [UNIT, CASE],
      action: 'ADD',
      bizStep: 'commissioning',
      disposition: 'active',
      bizLocation: at(gln.F01),
      ilmd: { 'cbvmda:lotNumber': LOT },
    },
    {
      type: 'AggregationEvent',
      eventTime: time(1),
      eventTimeZoneOffset: '+08:00',
      parentID: CASE,
      childEPCs: [UNIT],
      action: 'ADD',
      bizStep: 'packing',
      bizLocation: at(gln.F01),
    },
  ]);
  // shipped and received in separate documents, as separate scans would be
  await capture([
    {
      type: 'ObjectEvent',
      eventTime: time(10),
      eventTimeZoneOffset: '+08:00',
      epcList: [CASE],
      action: 'OBSERVE',
      bizStep: 'shipping',
      disposition: 'in_transit',
      bizLocation: at(gln.F01),
      bizTransactionList: [{ type: 'po', bizTransaction: 'urn:epcglobal:cbv:bt:6934560000016:SO-2002' }],
      destinationList: [{ type: 'owning_party', destination: `https://id.gs1.org/417/${gln.D0001}` }],
    },
  ]);
  await capture([
    {
      type: 'ObjectEvent',
      eventTime: time(30),
      eventTimeZoneOffset: '+08:00',
      epcList: [CASE],
      action: 'OBSERVE',
      bizStep: 'receiving',
      disposition: 'in_progress',
      bizLocation: at(gln.D0001),
    },
  ]);

  await capture([
    {
      type: 'ObjectEvent',
      eventTime: time(38),
      eventTimeZoneOffset: '+08:00',
      epcList: GROUPED,
      action: 'ADD',
      bizStep: 'commissioning',
      disposition: 'active',
      bizLocation: at(gln.F01),
      ilmd: { 'cbvmda:lotNumber': GROUP_LOT },
    },
  ]);
  await capture([
    {
      type: 'ObjectEvent',
      eventTime: time(39),
      eventTimeZoneOffset: '+08:00',
      epcList: [DIVERTED],
      action: 'ADD',
      bizStep: 'commissioning',
      disposition: 'active',
      bizLocation: at(gln.F01),
      ilmd: { 'cbvmda:lotNumber': 'LWEBD0302' },
    },
  ]);
  for (const [minute, step, where, to] of [
    [40, 'shipping', 'F01', 'D0001'],
    [41, 'receiving', 'D0001', null],
    [42, 'shipping', 'D0001', 'S000001'],
    [43, 'receiving', 'S000001', null],
  ] as const) {
    await capture([
      {
        type: 'ObjectEvent',
        eventTime: time(minute),
        eventTimeZoneOffset: '+08:00',
        epcList: [DIVERTED, ...GROUPED],
        action: 'OBSERVE',
        bizStep: step,
        bizLocation: at(gln[where]),
        ...(to ? { destinationList: [{ type: 'owning_party', destination: `https://id.gs1.org/417/${gln[to]}` }] } : {}),
      },
    ]);
  }

  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function newPage(): Promise<{ page: Page; errors: string[] }> {
  if (!browser) throw new Error('browser not started');
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, errors };
}

const stepNames = (page: Page) => page.locator('[data-testid="journey-timeline"] [data-testid="journey-step-name"]').allTextContents();

describe('traceability console', () => {
  it('looks up a code, shows its journey in Chinese and English, and recalls its lot', async () => {
    const { page, errors } = await newPage();
    try {
      await page.goto(`${server.baseUrl}/trace/journey`);
      await page.waitForURL(/\/login$/);
      await page.getByTestId('login-username').fill('admin');
      await page.getByTestId('login-password').fill('Admin#2026');
      await page.getByTestId('login-submit').click();
      await page.waitForURL(/\/trace\/journey$/);
      await expect.poll(() => page.getByTestId('menu-journey').textContent()).toBe('码查询');

      // a scanner types the GS1 element string and Enter
      const input = page.locator('[data-testid="journey-input"] input');
      await input.fill(`(01)${UNIT_GTIN}(21)WEB001`);
      await input.press('Enter');
      await page.waitForURL(/\/trace\/journey\?code=/);

      await expect.poll(() => stepNames(page)).toEqual(['赋码', '装箱', '发货', '收货']);
      // the code as printed on the pack, the full EPC on the element (its tooltip and copy button)
      expect(await page.getByTestId('journey-code').textContent()).toBe(`GTIN ${UNIT_GTIN} · 序列号 WEB001`);
      expect(await page.getByTestId('journey-code').getAttribute('data-epc')).toBe(UNIT);
      expect(await page.getByTestId('journey-lot').textContent()).toBe(LOT);
      expect(await page.getByTestId('journey-holder').textContent()).toContain('D0001');
      // the case's shipping and receiving reached the unit through the case
      const steps = page.locator('[data-testid="journey-timeline"] [data-testid="journey-step"]');
      await expect.poll(() => steps.nth(2).getByTestId('journey-step-via').textContent()).toBe('随箱 WEBC1');
      expect(await steps.nth(2).getByTestId('journey-step-order').textContent()).toContain('SO-2002');
      expect(await steps.nth(0).getByTestId('journey-step-via').count()).toBe(0);
      await page.getByTestId('journey-map').locator('canvas').first().waitFor();

      // English on request: the same steps, in order
      await page.getByTestId('lang-en').click();
      await expect.poll(() => stepNames(page)).toEqual(['Commissioning', 'Packing', 'Shipping', 'Receiving']);
      await expect.poll(() => steps.nth(3).getByTestId('journey-step-via').textContent()).toBe('via case WEBC1');
      expect(await page.getByTestId('journey-recall').count()).toBe(0);

      // the lot's recall scope: the distributor holds it
      await page.getByTestId('journey-recall-link').click();
      await page.waitForURL(/\/trace\/recall\?/);
      expect(new URL(page.url()).searchParams.get('gtin')).toBe(UNIT_GTIN);
      expect(new URL(page.url()).searchParams.get('lot')).toBe(LOT);
      const holderRows = page.locator('[data-testid="recall-holders"] .ant-table-row');
      await holderRows.first().waitFor();
      expect(await holderRows.count()).toBe(1);
      expect(await holderRows.first().textContent()).toContain('D0001');
      await page.getByTestId('recall-province-chart-map').locator('canvas').first().waitFor();
      // the same counts as a ranking of bars
      await page.getByTestId('recall-view').getByText('Ranking').click();
      await page.getByTestId('recall-province-chart').locator('canvas').first().waitFor();
      await expect.poll(() => page.getByTestId('recall-province-chart-map').count()).toBe(0);
      expect(await page.getByTestId('recall-export').getAttribute('href')).toBe(`/api/v1/recalls/lot/export?gtin=${UNIT_GTIN}&lot=${LOT}`);
      expect(await page.getByTestId('recall-export-codes').getAttribute('href')).toBe(
        `/api/v1/recalls/lot/codes?gtin=${UNIT_GTIN}&lot=${LOT}`,
      );

      // open the recall: confirmed in a dialog, then the lookup warns
      await page.getByTestId('recall-open').click();
      await page.getByTestId('recall-reason').fill('E2E: sample failed the protein test');
      await page.getByTestId('recall-confirm').click();
      await page.getByTestId('recall-active').waitFor();
      await page.goBack();
      await page.waitForURL(/\/trace\/journey\?code=/);
      await page.getByTestId('journey-recall').waitFor();
      expect(await page.getByTestId('journey-recall').textContent()).toContain(LOT);
      expect(errors).toEqual([]);

      // something that is not a code: the page says why, and offers no retry (the same text would fail the same way)
      await input.fill('hello');
      await input.press('Enter');
      await page.getByTestId('load-error').waitFor();
      const refused = page.getByTestId('load-error');
      expect(await refused.getAttribute('class')).toContain('ant-alert-warning');
      expect(await refused.textContent()).toContain('hello');
      expect(await refused.locator('button').count()).toBe(0);
    } finally {
      await page.context().close();
    }
  });

  it('confirms a diversion alert with a note, and filters alerts by status', async () => {
    const { page, errors } = await newPage();
    try {
      await page.goto(`${server.baseUrl}/trace/diversion`);
      await page.waitForURL(/\/login$/);
      await page.getByTestId('login-username').fill('admin');
      await page.getByTestId('login-password').fill('Admin#2026');
      await page.getByTestId('login-submit').click();
      await page.waitForURL(/\/trace\/diversion$/);
      // where diverted goods turn up, as a choropleth on the map of China (the map loads on demand)
      await page.getByTestId('diversion-found-chart-map').locator('canvas').first().waitFor();
      await page.getByTestId('diversion-from-chart-map').locator('canvas').first().waitFor();
      // the alerts come grouped by default; this one is reviewed on its own, in the list
      await page.getByTestId('diversion-alerts-view').getByText('逐条').click();
      await page.waitForURL(/alerts=list/);
      const rows = page.locator('[data-testid="diversion-table"] .ant-table-row');
      await rows.first().waitFor();
      const row = rows.filter({ hasText: 'WEBD01' });
      expect(await row.count()).toBe(1);
      expect(await row.getByTestId('diversion-status').textContent()).toBe('待处理');

      await row.getByTestId('diversion-confirm').click();
      await page.getByTestId('diversion-review-note').fill('E2E：经销商已承认');
      await page.getByTestId('diversion-review-ok').click();
      await expect.poll(() => row.getByTestId('diversion-status').textContent()).toBe('已确认');
      expect(await row.getByTestId('diversion-confirm').count()).toBe(0);
      const [stored] = await server.db.sql<{ status: string; review_note: string; reviewed_by_name: string }[]>`
        select status, review_note, reviewed_by_name from diversion_alerts where epc = ${DIVERTED}`;
      expect(stored).toMatchObject({ status: 'confirmed', review_note: 'E2E：经销商已承认', reviewed_by_name: 'admin' });

      // the status filter: the confirmed one is no longer open (the grouped units still are), and is listed as confirmed
      await page.goto(`${server.baseUrl}/trace/diversion?status=open&alerts=list`);
      await rows.filter({ hasText: 'WEBG01' }).first().waitFor();
      expect(await rows.filter({ hasText: 'WEBD01' }).count()).toBe(0);
      await page.goto(`${server.baseUrl}/trace/diversion?status=confirmed&alerts=list`);
      await rows.filter({ hasText: 'WEBD01' }).first().waitFor();

      expect(errors).toEqual([]);
    } finally {
      await page.context().close();
    }
  });

  it('reviews the alerts of units that turned up together as one group, named by product and place', async () => {
    const { page, errors } = await newPage();
    try {
      await page.goto(`${server.baseUrl}/trace/diversion`);
      await page.waitForURL(/\/login$/);
      await page.getByTestId('login-username').fill('admin');
      await page.getByTestId('login-password').fill('Admin#2026');
      await page.getByTestId('login-submit').click();
      await page.waitForURL(/\/trace\/diversion$/);
      const group = page.locator('[data-testid="diversion-groups"] .ant-table-row').filter({ hasText: GROUP_LOT });
      await group.first().waitFor();
      expect(await group.count()).toBe(1);
      expect(await group.getByTestId('diversion-group-open').textContent()).toBe('待处理 3');
      // the product by its name (the GTIN as secondary text), the places read once
      const [product] = await server.db.sql<{ name_zh: string }[]>`
        select pr.name_zh from packaging_levels pl join products pr on pr.tenant_id = pl.tenant_id and pr.id = pl.product_id
        join tenants t on t.id = pl.tenant_id where t.code = 'demo' and pl.gtin = ${UNIT_GTIN}`;
      expect(await group.getByTestId('diversion-product').textContent()).toBe(product?.name_zh);
      expect(await group.textContent()).toContain(UNIT_GTIN);
      expect(await group.getByTestId('diversion-group-place').textContent()).toMatch(/^南昌市.+[区县市]$/);
      expect(await group.textContent()).toContain('北京市');
      expect(await group.textContent()).not.toMatch(/北京市\s*北京市/);

      await group.getByTestId('diversion-group-confirm').click();
      await page.getByTestId('diversion-bulk-note').fill('E2E：整箱窜货');
      await page.getByTestId('diversion-bulk-ok').click();
      await expect.poll(() => group.getByTestId('diversion-group-confirmed').textContent()).toBe('已确认 3');
      expect(await group.getByTestId('diversion-group-confirm').count()).toBe(0);
      const stored = await server.db.sql<{ status: string; review_note: string; audits: number }[]>`
        select a.status, a.review_note, (select count(*)::int from audit_log l where l.entity_type = 'diversion_alert'
          and l.entity_id = a.id::text and l.action = 'diversion.confirm') as audits
        from diversion_alerts a where a.epc = any(${GROUPED}::text[])`;
      expect(stored).toEqual(Array(3).fill({ status: 'confirmed', review_note: 'E2E：整箱窜货', audits: 1 }));

      // the group's details: its three alerts only, not the other lot's alert of the same distributor (WEBD01)
      await group.getByTestId('diversion-group-show').click();
      await page.waitForURL(/alerts=list/);
      await page.getByTestId('diversion-group-filter').waitFor();
      const rows = page.locator('[data-testid="diversion-table"] .ant-table-row');
      await expect.poll(() => rows.count()).toBe(3);
      expect((await rows.allTextContents()).map((r) => /WEB[A-Z0-9]+/.exec(r)?.[0]).sort()).toEqual(['WEBG01', 'WEBG02', 'WEBG03']);
      // each unit reads as GTIN and serial, not the id.gs1.org URI, and opens its journey
      const code = rows.first().getByTestId('diversion-code');
      expect(await code.textContent()).toMatch(new RegExp(`^GTIN ${UNIT_GTIN} · 序列号 WEBG0\\d$`));
      expect(await rows.first().textContent()).not.toContain('id.gs1.org');
      expect(await code.locator('a').getAttribute('href')).toBe(
        `/trace/journey?${new URLSearchParams({ code: (await code.getAttribute('data-epc')) as string })}`,
      );
      // leaving the group shows the distributor's alerts again
      await page.getByTestId('diversion-group-filter').locator('.ant-tag-close-icon').click();
      await rows.filter({ hasText: 'WEBD01' }).first().waitFor();
      expect(errors).toEqual([]);
    } finally {
      await page.context().close();
    }
  });

  it("downloads a batch's sample labels as PDF and SVG", async () => {
    const created = await fetch(`${server.baseUrl}/api/v1/code-batches`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ gtin: UNIT_GTIN, quantity: 100, note: 'E2E labels' }),
    });
    const batch = (await created.json()) as { id: number; batchNo: number };
    const { page, errors } = await newPage();
    try {
      await page.goto(`${server.baseUrl}/codes/batches`);
      await page.waitForURL(/\/login$/);
      await page.getByTestId('login-username').fill('admin');
      await page.getByTestId('login-password').fill('Admin#2026');
      await page.getByTestId('login-submit').click();
      await page.waitForURL(/\/codes\/batches$/);
      const row = page.locator('[data-testid="batches-table"] .ant-table-row').filter({ hasText: 'E2E labels' });
      await row.getByTestId('batch-preview').click();
      await expect
        .poll(() => page.getByTestId('batch-label-sheet').evaluate((img: HTMLImageElement) => img.naturalWidth))
        .toBeGreaterThan(0);
      await page.getByTestId('batch-label-count').getByText('72').click();
      const pdfLink = page.getByTestId('batch-label-pdf');
      await expect.poll(() => pdfLink.textContent()).toBe('下载 PDF（2 页）');
      expect(await pdfLink.getAttribute('download')).toBe(`labels-${UNIT_GTIN}-${batch.batchNo}.pdf`);

      // the browser's download of the link: a real click, saved by Chromium
      const [download] = await Promise.all([page.waitForEvent('download'), pdfLink.click()]);
      expect(download.suggestedFilename()).toBe(`labels-${UNIT_GTIN}-${batch.batchNo}.pdf`);
      const saved = await download.path();
      const pdf = readPdf(fs.readFileSync(saved));
      expect(pdf.pages).toHaveLength(2);
      expect(pdf.texts.filter((t) => !t.includes('GTIN'))).toHaveLength(144);

      const svgHref = await page.getByTestId('batch-label-svg').getAttribute('href');
      const svg = await page.request.get(`${server.baseUrl}${svgHref}`);
      expect(svg.headers()['content-type']).toContain('image/svg+xml');
      expect((await svg.text()).match(/class="qr"/g)).toHaveLength(36);
      expect(errors).toEqual([]);
    } finally {
      await page.context().close();
    }
  });

  it("names where a shipment goes before it gets there: the store's name, not its GLN", async () => {
    const [s, d] = await server.db.sql<{ code: string; gln: string; name: string }[]>`
      select p.code, p.gln, p.name from parties p join tenants t on t.id = p.tenant_id
      where t.code = 'demo' and p.code in ('S000001', 'D0001') order by p.code desc`;
    if (!s || !d) throw new Error('demo parties S000001 and D0001 are missing');
    const code = `https://id.gs1.org/01/${UNIT_GTIN}/21/WEBT01`;
    await capture([
      {
        type: 'ObjectEvent',
        eventTime: time(50),
        eventTimeZoneOffset: '+08:00',
        epcList: [code],
        action: 'ADD',
        bizStep: 'commissioning',
        disposition: 'active',
        bizLocation: at(d.gln),
        ilmd: { 'cbvmda:lotNumber': 'LWEBT0302' },
      },
      {
        type: 'ObjectEvent',
        eventTime: time(51),
        eventTimeZoneOffset: '+08:00',
        epcList: [code],
        action: 'OBSERVE',
        bizStep: 'shipping',
        disposition: 'in_transit',
        bizLocation: at(d.gln),
        destinationList: [{ type: 'owning_party', destination: `https://id.gs1.org/417/${s.gln}` }],
      },
    ]);
    const { page, errors } = await newPage();
    try {
      await page.goto(`${server.baseUrl}/trace/journey?${new URLSearchParams({ code })}`);
      await page.waitForURL(/\/login$/);
      await page.getByTestId('login-username').fill('admin');
      await page.getByTestId('login-password').fill('Admin#2026');
      await page.getByTestId('login-submit').click();
      await expect.poll(() => stepNames(page)).toEqual(['赋码', '发货']);
      const to = page.locator('[data-testid="journey-timeline"] [data-testid="journey-step-to"]');
      await expect.poll(() => to.textContent()).toContain(s.name);
      expect(await to.textContent()).not.toContain(s.gln);
      expect(errors).toEqual([]);
    } finally {
      await page.context().close();
    }
  });
});
