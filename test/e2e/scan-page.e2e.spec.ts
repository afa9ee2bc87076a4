import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareZXingModule, writeBarcode } from 'zxing-wasm/writer';
import { Keystore } from '../../src/modules/codes/keystore.ts';
import { serialsFor } from '../../src/modules/codes/serials.ts';
import { loginAs, startTestServer, type TestServer } from '../support/app.ts';
import { partsApart } from '../support/browser.ts';

/**
 * The mobile scanning page (/scan) in a real headless Chromium at phone size, against the real server and the demo
 * brand, as the line device of factory F01: log in, commission codes typed by a keyboard-wedge scanner, see a
 * duplicate flagged and the server's reason for a refused code, scan offline (queue, reload from the service worker,
 * sent once when back online), a lost answer replayed with the same scanId, and the camera (zxing-wasm fallback on
 * a fake camera showing a QR code) without any request leaving the server.
 *
 * Needs the built console (`npm run build` → dist/web) and Chromium at /usr/bin/chromium (or CHROMIUM_PATH).
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const WEB_INDEX = path.resolve('dist/web/index.html');
const WAIT = 20_000;
const UNIT = '06901234001013';
const CASE = '16901234001010';

let server: TestServer;
let browser: Browser | undefined;
let units: string[] = [];
let cases: string[] = [];
let videoFile: string;

async function apiAs(token: string, method: string, url: string, body?: unknown) {
  const r = await fetch(`${server.baseUrl}${url}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

/** A Y4M video (what Chromium's fake camera plays) of a QR code carrying `text`, on white. */
async function qrVideo(text: string, file: string): Promise<void> {
  prepareZXingModule({
    overrides: {
      wasmBinary: new Uint8Array(fs.readFileSync(path.resolve('node_modules/zxing-wasm/dist/writer/zxing_writer.wasm'))).buffer,
    },
  });
  const { symbol, error } = await writeBarcode(text, { format: 'QRCode' });
  if (error) throw new Error(error);
  const W = 640;
  const H = 480;
  const scale = Math.floor(Math.min(W, H) / (symbol.width + 8));
  const x0 = Math.floor((W - symbol.width * scale) / 2);
  const y0 = Math.floor((H - symbol.height * scale) / 2);
  const y = Buffer.alloc(W * H, 255);
  for (let j = 0; j < symbol.height * scale; j++) {
    for (let i = 0; i < symbol.width * scale; i++) {
      y[(y0 + j) * W + x0 + i] = symbol.data[Math.floor(j / scale) * symbol.width + Math.floor(i / scale)] as number;
    }
  }
  const chroma = Buffer.alloc((W / 2) * (H / 2) * 2, 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), y, chroma]);
  fs.writeFileSync(file, Buffer.concat([Buffer.from(`YUV4MPEG2 W${W} H${H} F10:1 Ip A1:1 C420jpeg\n`), frame, frame, frame]));
}

beforeAll(async () => {
  if (!fs.existsSync(WEB_INDEX)) throw new Error(`${WEB_INDEX} is missing: run \`npm run build\` before the e2e tests`);
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  server = await startTestServer();
  const admin = await loginAs(server.baseUrl, 'admin');
  const [t] = await server.db.sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
  const keystore = new Keystore(Buffer.from(fs.readFileSync('.data/master.key', 'utf8'), 'base64'));
  const keys = await keystore.keyring(server.db.sql, Number(t?.id));
  const u = await apiAs(admin, 'POST', '/api/v1/code-batches', { gtin: UNIT, quantity: 50 });
  const c = await apiAs(admin, 'POST', '/api/v1/code-batches', { gtin: CASE, quantity: 50 });
  expect(u.status, JSON.stringify(u.body)).toBe(201);
  expect(c.status, JSON.stringify(c.body)).toBe(201);
  units = serialsFor(keys, { gtin: UNIT, keyVersion: u.body.keyVersion as number, batchNo: u.body.batchNo as number }, 0, 50).map(
    (s) => `https://id.gs1.org/01/${UNIT}/21/${s}`,
  );
  cases = serialsFor(keys, { gtin: CASE, keyVersion: c.body.keyVersion as number, batchNo: c.body.batchNo as number }, 0, 50).map(
    (s) => `https://id.gs1.org/01/${CASE}/21/${s}`,
  );
  videoFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tl-scan-')), 'qr.y4m');
  await qrVideo(units[40] as string, videoFile);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${videoFile}`,
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (videoFile) fs.rmSync(path.dirname(videoFile), { recursive: true, force: true });
});

async function phone(
  serviceWorkers: 'allow' | 'block' = 'allow',
): Promise<{ context: BrowserContext; page: Page; errors: string[]; foreign: string[] }> {
  if (!browser) throw new Error('browser not started');
  const context = await browser.newContext({
    locale: 'zh-CN',
    viewport: { width: 360, height: 740 },
    permissions: ['camera'],
    serviceWorkers,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT);
  const errors: string[] = [];
  const foreign: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  context.on('request', (r) => {
    if (!r.url().startsWith(server.baseUrl) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) foreign.push(r.url());
  });
  return { context, page, errors, foreign };
}

async function login(page: Page, username: string, password = 'Demo#2026') {
  await page.goto(`${server.baseUrl}/scan`);
  await page.waitForURL(/\/login$/);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.waitForURL(/\/scan$/);
  await page.getByTestId('scan-page').waitFor();
}

/** A code as a fast scanner delivers it (all characters at once, then Enter) into whatever has focus. */
async function quickWedge(page: Page, code: string) {
  await page.keyboard.insertText(code);
  await page.keyboard.press('Enter');
}

/** Types a code as a keyboard-wedge scanner does (characters, then Enter) into whatever has focus. */
async function wedge(page: Page, code: string) {
  await page.keyboard.type(code);
  await page.keyboard.press('Enter');
}

const entry = (page: Page, code: string) => page.locator(`[data-testid="scan-entry"][data-code="${code}"]`);
const pending = (page: Page) => page.getByTestId('queue-open').getAttribute('data-pending');
const failedCount = (page: Page) => page.getByTestId('queue-open').getAttribute('data-failed');

/** The offline queue as stored on the device (IndexedDB), each item's id, status and attempts. */
function storedQueue(page: Page): Promise<string> {
  return page.evaluate(
    () =>
      new Promise<string>((resolve) => {
        const open = indexedDB.open('throughline-scan', 1);
        open.onsuccess = () => {
          const all = open.result.transaction('queue', 'readonly').objectStore('queue').getAll();
          all.onsuccess = () =>
            resolve(
              JSON.stringify(
                all.result.map((i: { scanId: string; status: string; attempts: number; httpStatus?: number; problem?: unknown }) => [
                  i.scanId,
                  i.status,
                  i.attempts,
                  i.httpStatus ?? null,
                  i.problem ?? null,
                ]),
              ),
            );
          all.onerror = () => resolve(`unreadable: ${String(all.error)}`);
        };
        open.onerror = () => resolve(`unopened: ${String(open.error)}`);
      }),
  );
}

/** Closes the queue drawer as a clerk does (its close button) and waits until it no longer covers the page. */
async function closeQueue(page: Page): Promise<void> {
  const drawer = page.getByTestId('queue-drawer');
  await drawer.waitFor();
  await page.locator('.ant-drawer-close').click();
  await drawer.waitFor({ state: 'hidden' });
}

async function committed(codes: string[]): Promise<number> {
  const [r] = await server.db.sql<{ n: number }[]>`select count(*)::int as n from code_state where epc = any(${codes}::text[])`;
  return r?.n ?? -1;
}

async function eventsOf(code: string, bizStep: string): Promise<number> {
  const [r] = await server.db.sql<{ n: number }[]>`
    select count(*)::int as n from event_epcs x join epcis_events e on e.tenant_id = x.tenant_id and e.id = x.event_id
      and e.event_time = x.event_time
    where x.epc = ${code} and e.biz_step = ${bizStep}`;
  return r?.n ?? -1;
}

describe('scanning page', () => {
  it('commissions wedge-scanned codes at 360 px, flags duplicates, shows refusals and queues scans offline', async () => {
    const { context, page, errors, foreign } = await phone();
    try {
      await login(page, 'line');
      // a line device at a factory: no "sell" step; nothing wider than the phone
      await page.getByTestId('scan-kind-commission').waitFor();
      expect(await page.getByTestId('scan-kind-sell').count()).toBe(0);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
      expect(await page.evaluate(() => document.querySelector('link[rel="manifest"]')?.getAttribute('href'))).toBe('/manifest.webmanifest');

      // Commission three codes: a Digital Link, a bracketed GS1 string and a GS1 element string as scanners send them
      // (sent as (01)…(21)…: the identifying AIs only)
      await page.getByTestId('scan-lot').fill('LE2E01');
      await page.getByTestId('scan-lot').press('Enter'); // back to the wedge input
      const serial = (c: string) => c.split('/21/')[1] as string;
      await wedge(page, units[0] as string);
      await wedge(page, `(01)${UNIT}(21)${serial(units[1] as string)}`);
      // a GS1 DataMatrix with expiry and lot: the scanner sends FNC1 as GS (Ctrl+] in keyboard mode)
      await page.keyboard.type(`01${UNIT}1727123110LE2E01`); // (01)…(17)271231(10)LE2E01
      await page.keyboard.press('Control+BracketRight');
      await wedge(page, `21${serial(units[2] as string)}`);
      await expect.poll(() => page.getByTestId('scan-entry').count()).toBe(3);
      await entry(page, `(01)${UNIT}(21)${serial(units[2] as string)}`).waitFor();
      expect(await page.getByTestId('scan-count').textContent()).toContain('已扫 3 个');
      await page.getByTestId('scan-submit').click();
      await page.locator('[data-testid="scan-result"][data-status="ok"]').waitFor();
      expect(await page.getByTestId('scan-result').textContent()).toContain('提交成功');
      expect(await committed(units.slice(0, 3))).toBe(3);
      expect(await page.getByTestId('scan-entry').count()).toBe(0);

      // The same code twice: flagged on the device at once, and not sent
      await wedge(page, units[3] as string);
      await wedge(page, units[3] as string);
      await page.getByTestId('scan-entry-duplicate').waitFor();
      expect(await page.getByTestId('scan-duplicates').textContent()).toContain('1 个重复');
      expect(await page.getByTestId('scan-count').textContent()).toContain('已扫 1 个');

      // An already commissioned code: the server refuses the scan and says why next to that code
      await wedge(page, units[0] as string);
      await page.getByTestId('scan-submit').click();
      await page.locator('[data-testid="scan-result"][data-status="rejected"]').waitFor();
      const refused = entry(page, units[0] as string);
      await expect.poll(() => refused.getByTestId('scan-entry-error').textContent()).toContain('该码已赋码');
      expect(
        await entry(page, units[3] as string)
          .getByTestId('scan-entry-error')
          .count(),
      ).toBe(0);
      expect(await committed([units[3] as string])).toBe(0);
      await refused.getByTestId('scan-entry-remove').click();
      await page.getByTestId('scan-submit').click();
      await page.locator('[data-testid="scan-result"][data-status="ok"]').waitFor();
      expect(await committed([units[3] as string])).toBe(1);

      // The service worker controls the page and has kept the app shell (the lazily loaded scan page too)
      await page.waitForFunction(() => navigator.serviceWorker?.controller !== null && navigator.serviceWorker?.controller !== undefined);
      await expect
        .poll(
          () =>
            page.evaluate(async () => {
              const urls: string[] = [];
              for (const name of await caches.keys()) for (const r of await (await caches.open(name)).keys()) urls.push(r.url);
              return urls.some((u) => u.endsWith('/scan')) && urls.some((u) => /\/assets\/ScanPage-[^/]+\.js$/.test(u));
            }),
          { timeout: WAIT },
        )
        .toBe(true);

      // Offline: the scan is queued on the device (badge), survives a reload served by the service worker
      await context.setOffline(true);
      await page.getByTestId('scan-offline').waitFor();
      await wedge(page, units[4] as string);
      await wedge(page, units[5] as string);
      await page.getByTestId('scan-submit').click();
      await page.locator('[data-testid="scan-result"][data-status="queued"]').waitFor();
      await expect.poll(() => pending(page)).toBe('1');
      expect(await committed(units.slice(4, 6))).toBe(0);
      const reloaded = await page.reload();
      expect(reloaded?.fromServiceWorker()).toBe(true);
      await page.getByTestId('scan-page').waitFor();
      await expect.poll(() => pending(page)).toBe('1');

      // A refused scan queued offline (already commissioned): kept as failed, readable, discarded by the user
      await page.getByTestId('scan-lot').fill('LE2E01');
      await page.getByTestId('scan-lot').press('Enter');
      await wedge(page, units[1] as string);
      await page.getByTestId('scan-submit').click();
      await expect.poll(() => pending(page)).toBe('2');

      // Back online: the queue is sent in order and empties; the codes exist once. (The page's retry after a failed
      // try sends it when no 'online' event comes: Chromium 150 keeps navigator.onLine true in a page reloaded from its
      // service worker while the context is offline, so going online fires nothing there.)
      await context.setOffline(false);
      await expect.poll(() => pending(page), { timeout: WAIT }).toBe('0');
      expect(await committed(units.slice(4, 6))).toBe(2);
      expect(await eventsOf(units[4] as string, 'commissioning')).toBe(1);
      expect(await eventsOf(units[5] as string, 'commissioning')).toBe(1);
      await expect.poll(() => failedCount(page)).toBe('1');
      await page.getByTestId('queue-open').click();
      await page.getByTestId('queue-drawer').waitFor();
      const failedItem = page.locator('[data-testid="queue-item"][data-status="failed"]');
      await expect
        .poll(() => failedItem.getByTestId('queue-item-error').first().textContent())
        .toContain('该码已赋码')
        .catch(async (e: Error) => {
          // what the server answered, what the page holds and what the drawer shows (a CI run saw no reason under the
          // failed item): a card gone back to pending was a refused scan sent again
          throw new Error(
            `${e.message}\nstored queue: ${await storedQueue(page)}\npage: pending ${await pending(page)}, failed ${await failedCount(page)}, cards ${JSON.stringify(
              await page.getByTestId('queue-item').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-status'))),
            )}\ndrawer: ${await page
              .getByTestId('queue-drawer')
              .textContent({ timeout: 1000 })
              .catch(() => 'not open')}`,
          );
        });
      await failedItem.getByTestId('queue-discard').click();
      await page.locator('.ant-popconfirm .ant-btn-primary').click();
      await expect
        .poll(() => failedCount(page))
        .toBe('0')
        .catch(async (e: Error) => {
          // what the device holds and shows, to tell a discard never made from one undone (a CI run saw this fail)
          throw new Error(
            `${e.message}\nstored queue: ${await storedQueue(page)}\ndrawer: ${await page.getByTestId('queue-drawer').textContent()}`,
          );
        });
      await closeQueue(page);

      // English on request
      await page.getByTestId('lang-en').click();
      await expect.poll(() => page.getByTestId('scan-kind-commission').textContent()).toBe('Commission');

      expect(errors).toEqual([]);
      expect(foreign).toEqual([]);
    } finally {
      await context.close();
    }
    // a whole shift in one test: scans, an offline queue that survives a reload, going back online and waiting for
    // the queue's retries; 27 s on a quiet machine, past the default 60 s on a CI machine busy with the other suites
  }, 150_000);

  it('replays a scan whose answer was lost with the same scanId: stored once, not shown as failed', async () => {
    // no service worker here: page.route must see the API calls
    const { context, page, errors } = await phone('block');
    try {
      await login(page, 'line');
      expect(
        (
          await apiAs(await loginAs(server.baseUrl, 'line'), 'POST', '/api/v1/scans', {
            scanId: crypto.randomUUID(),
            kind: 'commission',
            lot: 'LE2E02',
            codes: [units[10]],
          })
        ).status,
      ).toBe(200);
      await page.getByTestId('scan-kind-receive').click();
      // the first attempt reaches the server, but its answer is lost on the way back
      let sent: Record<string, unknown> | undefined;
      await page.route('**/api/v1/scans', async (route) => {
        sent = route.request().postDataJSON() as Record<string, unknown>;
        await route.fetch();
        await route.abort('connectionreset');
      });
      await wedge(page, units[10] as string);
      await page.getByTestId('scan-submit').click();
      await page.locator('[data-testid="scan-result"][data-status="queued"]').waitFor();
      await expect.poll(() => pending(page)).toBe('1');
      expect(await eventsOf(units[10] as string, 'receiving')).toBe(1);
      await page.unroute('**/api/v1/scans');

      // sent again from the queue, same scanId and time: the server answers 200 with nothing new
      const replay = page.waitForResponse((r) => r.url().endsWith('/api/v1/scans'));
      await page.getByTestId('queue-open').click();
      await page.getByTestId('queue-send-now').click();
      const r = await replay;
      expect(r.status()).toBe(200);
      expect(r.request().postDataJSON()).toEqual(sent);
      expect(((await r.json()) as { newEvents: number }).newEvents).toBe(0);
      await expect.poll(() => pending(page)).toBe('0');
      expect(await eventsOf(units[10] as string, 'receiving')).toBe(1);
      await closeQueue(page);

      // The same for a commission, whose checks the first attempt made false ("already commissioned"): the server
      // knows the scan id and repeats its first answer
      await page.getByTestId('scan-kind-commission').click();
      await page.getByTestId('scan-lot').fill('LE2E02');
      await page.getByTestId('scan-lot').press('Enter');
      let answered: (status: number) => void = () => {};
      const firstAnswer = new Promise<number>((resolve) => {
        answered = resolve;
      });
      await page.route('**/api/v1/scans', async (route) => {
        const response = await route.fetch();
        const status = response.status();
        await route.abort('connectionreset');
        answered(status);
      });
      await wedge(page, units[11] as string);
      await page.getByTestId('scan-submit').click();
      // the server stored it and answered; only the answer was lost on its way back
      expect(await firstAnswer).toBe(200);
      await expect.poll(() => pending(page)).toBe('1');
      await expect.poll(() => committed([units[11] as string])).toBe(1);
      await page.unroute('**/api/v1/scans');
      const refusedReplay = page.waitForResponse((r) => r.url().endsWith('/api/v1/scans'));
      await page.getByTestId('queue-open').click();
      await page.getByTestId('queue-send-now').click();
      const replayed = await refusedReplay;
      expect(replayed.status()).toBe(200);
      expect(await replayed.json()).toMatchObject({ newEvents: 0, replayed: true });
      await expect.poll(() => pending(page)).toBe('0');
      expect(await failedCount(page)).toBe('0');
      expect(await eventsOf(units[11] as string, 'commissioning')).toBe(1);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('says who holds a unit it refuses to ship, as far as the scanner may see', async () => {
    const { context, page, errors } = await phone('block');
    try {
      const line = await loginAs(server.baseUrl, 'line');
      const made = await apiAs(line, 'POST', '/api/v1/scans', {
        scanId: crypto.randomUUID(),
        kind: 'commission',
        lot: 'LE2E03',
        codes: [units[15]],
      });
      expect(made.status).toBe(200);
      // the brand sees every party: the factory that holds the unit is named, with its code
      await login(page, 'admin', 'Admin#2026');
      await page.getByTestId('scan-kind-ship').click();
      await page.getByTestId('scan-to').fill('D0001');
      await page.getByTestId('scan-to').press('Enter');
      await wedge(page, units[15] as string);
      await page.getByTestId('scan-submit').click();
      await page.locator('[data-testid="scan-result"][data-status="rejected"]').waitFor();
      const refused = entry(page, units[15] as string).getByTestId('scan-entry-error');
      await expect.poll(() => refused.textContent()).toContain('由 呼和浩特乳品工厂（F01）持有');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
    // a distributor may not see the brand's factory: the same refusal says only that another party holds it (shipped
    // to one of the distributor's own stores, the one receiver there is no refusing), and another distributor's store
    // is refused as a receiver, at the receiver field
    const stores = await server.db.sql<{ code: string; own: boolean }[]>`
      (select s.code, true as own from parties s join users u on u.tenant_id = s.tenant_id and s.parent_id = u.party_id
        join tenants t on t.id = u.tenant_id
        where t.code = 'demo' and u.username = 'distributor' and s.kind = 'store' and s.gln is not null order by s.code limit 1)
      union all
      (select s.code, false from parties s join users u on u.tenant_id = s.tenant_id and s.parent_id <> u.party_id
        join tenants t on t.id = u.tenant_id
        where t.code = 'demo' and u.username = 'distributor' and s.kind = 'store' and s.gln is not null order by s.code limit 1)`;
    const [own, foreign] = [stores.find((r) => r.own)?.code, stores.find((r) => !r.own)?.code];
    const other = await phone('block');
    try {
      await login(other.page, 'distributor');
      await other.page.getByTestId('scan-kind-ship').click();
      await other.page.getByTestId('scan-to').fill(own as string);
      await other.page.getByTestId('scan-to').press('Enter');
      await wedge(other.page, units[15] as string);
      await other.page.getByTestId('scan-submit').click();
      await other.page.locator('[data-testid="scan-result"][data-status="rejected"]').waitFor();
      const refused = entry(other.page, units[15] as string).getByTestId('scan-entry-error');
      await expect.poll(() => refused.textContent()).toContain('由其他主体持有');
      expect(await other.page.getByTestId('scan-page').textContent()).not.toMatch(/F01|呼和浩特/);
      expect(await other.page.getByTestId('scan-to-error').count()).toBe(0);

      await other.page.getByTestId('scan-to').fill(foreign as string);
      await other.page.getByTestId('scan-to').press('Enter');
      await other.page.getByTestId('scan-submit').click();
      await expect
        .poll(() => other.page.getByTestId('scan-to-error').textContent())
        .toBe(`不能发货给 ${foreign}：它不是本经销商的下级客户（经销商只发货给自己供货的门店和二级经销商）`);
      expect(other.errors).toEqual([]);
    } finally {
      await other.context.close();
    }
  });

  it('offers a factory line and a warehouse the receivers they ship to, so neither types a code from memory', async () => {
    const shipped = [units[16] as string, units[17] as string];
    const made = await apiAs(await loginAs(server.baseUrl, 'line'), 'POST', '/api/v1/scans', {
      scanId: crypto.randomUUID(),
      kind: 'commission',
      lot: 'LE2E05',
      codes: shipped,
    });
    expect(made.status).toBe(200);
    const option = (page: Page, code: string) => page.locator(`[data-testid="scan-to-option"][data-code="${code}"]`);
    const optionCodes = (page: Page) =>
      page.getByTestId('scan-to-option').evaluateAll((els) => els.map((e) => e.getAttribute('data-code')));
    const heldBy = async (code: string) =>
      (
        await server.db.sql<{ to: string | null }[]>`
          select p.code as to from code_now n join parties p on p.tenant_id = n.tenant_id and p.id = n.in_transit_to
          where n.epc = ${code}`
      )[0]?.to;

    // the line at factory F01: the list opens on the field, the brand's warehouses first; a name narrows it
    const line = await phone('block');
    try {
      await login(line.page, 'line');
      await line.page.getByTestId('scan-kind-ship').click();
      await line.page.getByTestId('scan-to').click();
      await expect.poll(() => optionCodes(line.page)).toEqual(expect.arrayContaining(['W01', 'W02', 'W06']));
      expect((await optionCodes(line.page))[0]).toBe('W01');
      expect(await option(line.page, 'W02').textContent()).toContain('上海中心仓');
      expect(await line.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
      await line.page.getByTestId('scan-to').fill('北京中心');
      await expect.poll(() => optionCodes(line.page)).toEqual(['W01']);
      await option(line.page, 'W01').click();
      expect(await line.page.getByTestId('scan-to').inputValue()).toBe('W01');
      for (const u of shipped) await wedge(line.page, u); // the pick handed the focus back to the scanner's input
      await line.page.getByTestId('scan-submit').click();
      await line.page.locator('[data-testid="scan-result"][data-status="ok"]').waitFor();
      expect(await heldBy(shipped[0] as string)).toBe('W01');
      expect(line.errors).toEqual([]);
    } finally {
      await line.context.close();
    }

    // the Beijing warehouse receives them, then ships them on to a distributor it picks from the list, in English
    const received = await apiAs(await loginAs(server.baseUrl, 'warehouse'), 'POST', '/api/v1/scans', {
      scanId: crypto.randomUUID(),
      kind: 'receive',
      codes: shipped,
    });
    expect(received.status, JSON.stringify(received.body)).toBe(200);
    const warehouse = await phone('block');
    try {
      await login(warehouse.page, 'warehouse');
      await warehouse.page.getByTestId('lang-en').click();
      await warehouse.page.getByTestId('scan-kind-ship').click();
      await warehouse.page.getByTestId('scan-to').click();
      await expect.poll(() => optionCodes(warehouse.page)).toContain('D0001');
      expect(await optionCodes(warehouse.page)).not.toContain('W01'); // not itself
      await warehouse.page.getByTestId('scan-to').fill('W0');
      await expect.poll(() => optionCodes(warehouse.page)).toEqual(['W02', 'W03', 'W04', 'W05', 'W06']);
      expect(await option(warehouse.page, 'W02').textContent()).toBe('W02 Warehouse上海中心仓 · Shanghai');
      await warehouse.page.getByTestId('scan-to').fill('D0001');
      await option(warehouse.page, 'D0001').waitFor();
      expect(await option(warehouse.page, 'D0001').textContent()).toContain('Distributor');
      await option(warehouse.page, 'D0001').click();
      for (const u of shipped) await wedge(warehouse.page, u);
      await warehouse.page.getByTestId('scan-submit').click();
      await warehouse.page.locator('[data-testid="scan-result"][data-status="ok"]').waitFor();
      expect(await heldBy(shipped[1] as string)).toBe('D0001');
      expect(warehouse.errors).toEqual([]);
    } finally {
      await warehouse.context.close();
    }
  });

  it("ships an order by its number and the buyer receives it by scan, the answer naming the order's new status", async () => {
    const as = async (user: string) => loginAs(server.baseUrl, user);
    const scan = async (user: string, body: Record<string, unknown>) => {
      const r = await apiAs(await as(user), 'POST', '/api/v1/scans', { scanId: crypto.randomUUID(), ...body });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    };
    // two units at the Beijing warehouse W01, and the demo distributor's approved order for them
    const goods = units.slice(12, 14);
    await scan('line', { kind: 'commission', lot: 'LE2E06', codes: goods });
    await scan('line', { kind: 'ship', codes: goods, to: 'W01' });
    await scan('warehouse', { kind: 'receive', codes: goods });
    const [product] = await server.db.sql<{ sku: string }[]>`
      select p.sku from products p join packaging_levels l on l.tenant_id = p.tenant_id and l.product_id = p.id where l.gtin = ${UNIT}`;
    const [buyer] = await server.db.sql<{ code: string }[]>`
      select p.code from parties p join users u on u.tenant_id = p.tenant_id and u.party_id = p.id where u.username = 'distributor'`;
    const admin = await as('admin');
    const list = { code: 'E2E-ORDER', name: '扫码发货价', scope: 'base', items: [{ sku: product?.sku, priceFen: 800 }] };
    expect((await apiAs(admin, 'POST', '/api/v1/price-lists', list)).status).toBe(201);
    expect((await apiAs(admin, 'POST', '/api/v1/funds/deposits', { party: buyer?.code, amountFen: 100_000 })).status).toBe(200);
    const placed = await apiAs(await as('distributor'), 'POST', '/api/v1/orders', { lines: [{ sku: product?.sku, quantity: 2 }] });
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    const orderNo = placed.body.orderNo as string;
    if (placed.body.status === 'pending_approval')
      expect((await apiAs(admin, 'POST', `/api/v1/orders/${placed.body.id}/approve`, {})).status).toBeLessThan(300);
    const status = async () =>
      (await server.db.sql<{ status: string }[]>`select status from orders where order_no = ${orderNo}`)[0]?.status;

    // the warehouse ships it by its number, no receiver typed (the order's buyer is): the answer says it is shipped
    const warehouse = await phone('block');
    try {
      await login(warehouse.page, 'warehouse');
      await warehouse.page.getByTestId('scan-kind-ship').click();
      await warehouse.page.getByTestId('scan-order').fill(orderNo);
      await warehouse.page.getByTestId('scan-order').press('Enter'); // back to the scanner's input
      for (const u of goods) await quickWedge(warehouse.page, u);
      await expect.poll(() => warehouse.page.getByTestId('scan-count').textContent()).toContain('已扫 2');
      await warehouse.page.getByTestId('scan-submit').click();
      await warehouse.page.locator('[data-testid="scan-result"][data-status="ok"]').waitFor();
      expect(await warehouse.page.getByTestId('scan-result-order').textContent()).toBe(`订单 ${orderNo}：已发货，本次 2 件`);
      expect(await status()).toBe('shipped');
      expect(warehouse.errors).toEqual([]);
    } finally {
      await warehouse.context.close();
    }

    // the distributor receives it by its number, in English
    const distributor = await phone('block');
    try {
      await login(distributor.page, 'distributor');
      await distributor.page.getByTestId('lang-en').click();
      await distributor.page.getByTestId('scan-kind-receive').click();
      await distributor.page.getByTestId('scan-order').fill(orderNo);
      await distributor.page.getByTestId('scan-order').press('Enter');
      for (const u of goods) await quickWedge(distributor.page, u);
      await distributor.page.getByTestId('scan-submit').click();
      await distributor.page.locator('[data-testid="scan-result"][data-status="ok"]').waitFor();
      expect(await distributor.page.getByTestId('scan-result-order').textContent()).toBe(
        `Order ${orderNo}: Received, 2 units in this scan`,
      );
      expect(await status()).toBe('received');
      expect(distributor.errors).toEqual([]);
    } finally {
      await distributor.context.close();
    }
  });

  it('reads a QR code with the camera (zxing-wasm served by the app, no CDN) and packs a case', async () => {
    const { context, page, errors, foreign } = await phone('block');
    try {
      await login(page, 'line');
      const line = await loginAs(server.baseUrl, 'line');
      const r = await apiAs(line, 'POST', '/api/v1/scans', {
        scanId: crypto.randomUUID(),
        kind: 'commission',
        lot: 'LE2E03',
        codes: [cases[0], ...units.slice(20, 40), ...units.slice(41, 45)],
      });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      await page.getByTestId('scan-kind-pack').click();
      await wedge(page, cases[0] as string);
      await page.getByTestId('scan-parent-code').waitFor();
      // the case holds 24: the page says how many are still missing
      await expect.poll(() => page.getByTestId('scan-count').textContent()).toContain('应装 24');
      for (const u of units.slice(20, 39)) await quickWedge(page, u);
      await page.getByTestId('camera-open').click();
      await page.getByTestId('camera-overlay').waitFor();
      await expect.poll(() => page.getByTestId('camera-last').textContent(), { timeout: 30_000 }).toContain(units[40] as string);
      // Chromium on Linux has no BarcodeDetector: this was the zxing-wasm fallback
      if (!(await page.evaluate(() => 'BarcodeDetector' in window))) {
        expect(await page.getByTestId('camera-overlay').textContent()).toContain('ZXing');
      }
      await page.getByTestId('camera-done').click();
      await entry(page, units[40] as string).waitFor();
      // 19 typed + 1 read by the camera (a unit never commissioned: the server will say so) + 4 typed
      for (const u of [39, 41, 42, 43]) await quickWedge(page, units[u] as string);
      await expect.poll(() => page.getByTestId('scan-count').textContent()).toContain('已扫 24');
      await page.getByTestId('scan-submit').click();
      await page.locator('[data-testid="scan-result"][data-status="rejected"]').waitFor();
      await expect
        .poll(() =>
          entry(page, units[40] as string)
            .getByTestId('scan-entry-error')
            .textContent(),
        )
        .toContain('尚未赋码');
      await entry(page, units[40] as string)
        .getByTestId('scan-entry-remove')
        .click();
      await wedge(page, units[44] as string);
      await page.getByTestId('scan-submit').click();
      await page.locator('[data-testid="scan-result"][data-status="ok"]').waitFor();
      const [inCase] = await server.db.sql<
        { n: number }[]
      >`select count(*)::int as n from code_now where parent_epc = ${cases[0] as string}`;
      expect(inCase?.n).toBe(24);
      expect(errors).toEqual([]);
      expect(foreign).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("fits a store clerk's header on a 390 px phone in Chinese and English: nothing overlaps or is cut off, thumb-sized", async () => {
    const { context, page, errors } = await phone('block');
    try {
      await page.setViewportSize({ width: 390, height: 844 });
      await login(page, 'clerk');
      const parts = ['scan-user', 'queue-open', 'lang-switch', 'scan-one-more', 'scan-logout'];
      for (const lang of ['zh', 'en'] as const) {
        await page.getByTestId(`lang-${lang}`).click();
        await expect.poll(() => page.getByTestId('scan-logout').textContent()).toBe(lang === 'zh' ? '退出登录' : 'Log out');
        // within the phone, no two of them sharing a pixel
        const boxes = await partsApart(Object.fromEntries(parts.map((id) => [id, page.getByTestId(id)])), 390, lang);
        // what is tapped is thumb-sized; the words on it are whole (not clipped or ellipsed)
        for (const b of boxes.filter((x) => x.id !== 'scan-user')) expect(b.height, `${b.id} (${lang})`).toBeGreaterThanOrEqual(40);
        for (const id of ['queue-open', 'scan-one-more', 'scan-logout', 'lang-switch']) {
          const clipped = await page.getByTestId(id).evaluate((el) => el.scrollWidth > el.clientWidth);
          expect(clipped, `${id} (${lang})`).toBe(false);
        }
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      }
      expect(await page.getByTestId('scan-one-more').getAttribute('href')).toBe('/m/one-more?from=scan');
      // opened from the scanning page, the redemption page leads back to it
      await page.getByTestId('scan-one-more').click();
      await page.waitForURL(/\/m\/one-more\?from=scan$/);
      await expect.poll(() => page.getByTestId('phone-back').textContent()).toBe('Scan');
      expect(await page.getByTestId('phone-back').getAttribute('href')).toBe('/scan');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("shows a store clerk the bonus a sell scan earned, in the scan's answer", async () => {
    const as = async (user: string) => loginAs(server.baseUrl, user);
    const scan = async (user: string, body: Record<string, unknown>) => {
      const r = await apiAs(await as(user), 'POST', '/api/v1/scans', { scanId: crypto.randomUUID(), ...body });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    };
    // two units down the channel: factory -> the distributor that supplies the clerk's store -> the store, received
    // there (a distributor ships only to its own customers, and the demo's distributor user is not this store's)
    const [where] = await server.db.sql<{ store: string; distributor: string }[]>`
      select s.code as store, d.code as distributor from users u
      join parties s on s.tenant_id = u.tenant_id and s.id = u.party_id
      join parties d on d.tenant_id = s.tenant_id and d.id = s.parent_id
      join tenants t on t.id = u.tenant_id
      where t.code = 'demo' and u.username = 'clerk'`;
    const supplier = await apiAs(await as('admin'), 'POST', '/api/v1/users', {
      username: 'e2e-supplier',
      displayName: '门店供货经销商',
      password: 'Demo#2026',
      role: 'distributor_admin',
      partyCode: where?.distributor,
    });
    expect(supplier.status, JSON.stringify(supplier.body)).toBe(201);
    const sold = units.slice(46, 48);
    await scan('line', { kind: 'commission', lot: 'LE2E04', codes: sold });
    await scan('line', { kind: 'ship', codes: sold, to: where?.distributor });
    await scan('e2e-supplier', { kind: 'receive', codes: sold });
    await scan('e2e-supplier', { kind: 'ship', codes: sold, to: where?.store });
    await scan('store', { kind: 'receive', codes: sold });
    const program = await apiAs(await as('admin'), 'POST', '/api/v1/channel-programs', {
      name: '店员动销奖励',
      kind: 'clerk_sell',
      amountFen: 50,
      startsAt: new Date(Date.now() - 3_600_000).toISOString(),
      totalBudgetFen: 100_000,
    });
    expect(program.status, JSON.stringify(program.body)).toBe(201);
    expect(
      (await apiAs(await as('admin'), 'POST', `/api/v1/channel-programs/${program.body.id}/status`, { status: 'active' })).status,
    ).toBe(200);

    const { context, page, errors } = await phone('block');
    try {
      await login(page, 'clerk');
      await page.getByTestId('scan-kind-sell').click();
      for (const u of sold) await quickWedge(page, u);
      await expect.poll(() => page.getByTestId('scan-count').textContent()).toContain('已扫 2');
      await page.getByTestId('scan-submit').click();
      await page.locator('[data-testid="scan-result"][data-status="ok"]').waitFor();
      expect(await page.getByTestId('scan-result-earned').textContent()).toBe('本次扫码奖励 ¥1.00');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
