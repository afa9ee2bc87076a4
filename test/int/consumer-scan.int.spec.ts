import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.ts';
import type { CodeKeyring } from '../../src/modules/codes/keys.ts';
import { Keystore } from '../../src/modules/codes/keystore.ts';
import { serialsFor } from '../../src/modules/codes/serials.ts';
import { verificationCodeFor } from '../../src/modules/codes/verification.ts';
import { ScanRecorder } from '../../src/modules/resolver/scans.ts';
import { loginAs, startTestServer, type TestServer } from '../support/app.ts';
import { forgedSerial } from '../support/codes.ts';

const UNIT = '06901234001013';
let server: TestServer;
let admin: string;
let line: string;
let keys: CodeKeyring;
let serials: string[];
let lots: { lot_code: string; production_date: string; factory: string }[];
let product: { name_zh: string; name_en: string };

async function api(token: string, method: string, path: string, body?: unknown) {
  const r = await fetch(`${server.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

const commission = async (lot: string, indexes: number[]) => {
  const r = await api(line, 'POST', '/api/v1/scans', {
    scanId: randomUUID(),
    kind: 'commission',
    lot,
    codes: indexes.map((i) => `https://id.gs1.org/01/${UNIT}/21/${serials[i]}`),
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
};

/** A consumer's phone: its own device cookie and address. */
function phone(address = '198.51.100.1', device: string = randomUUID()) {
  const headers = (extra: Record<string, string> = {}) => ({ cookie: `tl_device=${device}`, 'x-forwarded-for': address, ...extra });
  return {
    device,
    open: async (path: string, extra: Record<string, string> = {}) => {
      const r = await fetch(`${server.baseUrl}${path}`, { headers: headers({ accept: 'text/html', ...extra }) });
      const html = await r.text();
      return { status: r.status, html, headers: r.headers, verdict: /data-verdict="([a-z_]+)"/.exec(html)?.[1] };
    },
    verify: async (serial: string, code: string, lang = 'zh-CN') => {
      const r = await fetch(`${server.baseUrl}/01/${UNIT}/21/${serial}/verify`, {
        method: 'POST',
        headers: headers({ 'content-type': 'application/json', 'accept-language': lang }),
        body: JSON.stringify({ code }),
      });
      return { status: r.status, headers: r.headers, body: (await r.json()) as Record<string, unknown> };
    },
  };
}

const codeOf = (i: number) => verificationCodeFor(keys, UNIT, serials[i] as string) as string;
const wrongCodeOf = (i: number) => String((Number(codeOf(i)) + 1) % 100_000_000).padStart(8, '0');
const scansOf = async (i: number) =>
  (
    await server.db.sql<
      { n: number }[]
    >`select count(*)::int as n from consumer_scans where epc = ${`https://id.gs1.org/01/${UNIT}/21/${serials[i]}`}`
  )[0]?.n;

beforeAll(async () => {
  server = await startTestServer();
  admin = await loginAs(server.baseUrl, 'admin');
  line = await loginAs(server.baseUrl, 'line');
  const [t] = await server.db.sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
  const keystore = new Keystore(Buffer.from(fs.readFileSync('.data/master.key', 'utf8'), 'base64'));
  keys = await keystore.keyring(server.db.sql, Number(t?.id));
  const b = await api(admin, 'POST', '/api/v1/code-batches', { gtin: UNIT, quantity: 200 });
  expect(b.status).toBe(201);
  serials = serialsFor(keys, { gtin: UNIT, keyVersion: b.body.keyVersion as number, batchNo: b.body.batchNo as number }, 0, 200);
  lots = await server.db.sql<typeof lots>`
    select l.lot_code, l.production_date::text as production_date, f.name as factory
    from lots l join packaging_levels pl on pl.tenant_id = l.tenant_id and pl.product_id = l.product_id and pl.gtin = ${UNIT}
    join parties f on f.tenant_id = l.tenant_id and f.id = l.factory_id where l.tenant_id = ${Number(t?.id)} order by l.lot_code`;
  product = (
    await server.db.sql<(typeof product)[]>`select p.name_zh, p.name_en from products p join packaging_levels pl
    on pl.tenant_id = p.tenant_id and pl.product_id = p.id and pl.gtin = ${UNIT} where p.tenant_id = ${Number(t?.id)}`
  )[0] as typeof product;
  await commission(lots[0]?.lot_code as string, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, ...Array.from({ length: 80 }, (_, k) => 100 + k)]);
  await commission(lots[1]?.lot_code as string, [20, 21]);
});
afterAll(async () => server?.close());

describe('the consumer page of a scanned code', () => {
  it('says genuine, first check, with product, lot, production date and factory, in zh-CN by default', async () => {
    const r = await phone().open(`/01/${UNIT}/21/${serials[0]}`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    expect(r.verdict).toBe('genuine_first');
    expect(r.html).toContain('<html lang="zh-CN">');
    expect(r.html).toContain('正品 · 首次查询');
    for (const s of [product.name_zh, lots[0]?.lot_code, lots[0]?.production_date, lots[0]?.factory]) expect(r.html).toContain(s);
    expect(r.headers.get('link')).toContain('rel="linkset"');
    expect(Buffer.byteLength(r.html)).toBeLessThan(50 * 1024);
  });

  it('issues a device cookie to a phone that has none', async () => {
    const r = await fetch(`${server.baseUrl}/01/${UNIT}/21/${serials[5]}`, { headers: { accept: 'text/html' } });
    expect(r.headers.get('set-cookie')).toMatch(/^tl_device=[0-9a-f-]{36};.*HttpOnly/);
  });

  it('says genuine but already checked N times, first when and where', async () => {
    const first = await phone('198.51.100.2').open(`/01/${UNIT}/21/${serials[1]}?region=310104`);
    expect(first.verdict).toBe('genuine_first');
    const second = await phone('198.51.100.3').open(`/01/${UNIT}/21/${serials[1]}`);
    expect(second.verdict).toBe('genuine_repeat');
    expect(second.html).toContain('已被查询 1 次');
    expect(second.html).toContain('上海市徐汇区');
    const third = await phone('198.51.100.4').open(`/01/${UNIT}/21/${serials[1]}?lang=en`);
    expect(third.html).toContain('checked 2 times before');
    expect(await scansOf(1)).toBe(3);
  });

  it("counts only other devices' checks: a reload or the page's own language link is still the first check", async () => {
    const path = `/01/${UNIT}/21/${serials[170]}`;
    const a = phone('198.51.100.5');
    const b = phone('198.51.100.6');
    const opened = await a.open(`${path}?region=310104`);
    expect(opened.verdict).toBe('genuine_first');
    const reload = await a.open(`${path}?region=310104`);
    expect(reload.verdict).toBe('genuine_first');
    expect(reload.html).toContain('正品 · 首次查询');
    expect(reload.html).not.toContain('请谨慎');
    // the page's "English" link, followed as the phone's browser does: a plain GET of the same unit
    const english = /<a href="([^"]+)" hreflang="en">/.exec(reload.html)?.[1]?.replaceAll('&#38;', '&') as string;
    expect(english).toContain('lang=en');
    const inEnglish = await a.open(english);
    expect(inEnglish.verdict).toBe('genuine_first');
    expect(inEnglish.html).toContain('Genuine · first check');

    // another phone is told of the first device's checks, once however often it reloaded: first when and where A was
    const [aFirst] = await server.db.sql<{ at: Date }[]>`
      select min(scanned_at) as at from consumer_scans where epc = ${`https://id.gs1.org/01/${UNIT}/21/${serials[170]}`}`;
    const at = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', dateStyle: 'medium', timeStyle: 'short' });
    const byB = await b.open(`${path}?region=110101`);
    expect(byB.verdict).toBe('genuine_repeat');
    expect(byB.html).toContain('已被查询 1 次');
    expect(byB.html).toContain(`首次查询于 ${at.format(aFirst?.at as Date)}，地点：上海市徐汇区`);
    expect(byB.html).toContain('如非您本人查询，请谨慎');
    expect((await b.open(path)).html).toContain('已被查询 1 次');

    // and the first phone, reloading now, is told of B's check, once (its own still not counted)
    const again = await a.open(path);
    expect(again.verdict).toBe('genuine_repeat');
    expect(again.html).toContain('已被查询 1 次');
    expect(again.html).toContain('地点：北京市东城区');
    expect(again.html).not.toContain('上海市徐汇区');
    // every page view is still recorded
    expect(await scansOf(170)).toBe(6);
  });

  it("counts a scan recorded without a device as another's, and every earlier scan for a request without one", async () => {
    const epc = `https://id.gs1.org/01/${UNIT}/21/${serials[171]}`;
    const [t] = await server.db.sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
    const scans = new ScanRecorder(server.db.sql);
    const anonymous = { ipHash: Buffer.alloc(16, 7), deviceId: null, regionCode: null };
    expect((await scans.record(Number(t?.id), epc, anonymous, 'genuine')).verdict).toBe('genuine_first');
    const a = phone('198.51.100.7');
    const byA = await a.open(`/01/${UNIT}/21/${serials[171]}`);
    expect(byA.verdict).toBe('genuine_repeat');
    expect(byA.html).toContain('已被查询 1 次');
    expect((await a.open(`/01/${UNIT}/21/${serials[171]}`)).html).toContain('已被查询 1 次');
    const none = await scans.record(Number(t?.id), epc, anonymous, 'genuine');
    expect(none).toMatchObject({ verdict: 'genuine_repeat', prior: { count: 3 } });
  });

  it('counts the same way for scans that arrive together and are recorded in one group commit', async () => {
    const epc = `https://id.gs1.org/01/${UNIT}/21/${serials[172]}`;
    const [t] = await server.db.sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
    const scans = new ScanRecorder(server.db.sql);
    const device = (d: string) => ({ ipHash: Buffer.alloc(16, 8), deviceId: d, regionCode: null });
    const [a, b] = [randomUUID(), randomUUID()];
    // submitted in one tick: one batch, its statements in this order in one transaction
    const answers = await Promise.all([a, a, b, a, b].map((d) => scans.record(Number(t?.id), epc, device(d), 'genuine')));
    expect(answers.map((x) => [x.verdict, x.prior.count])).toEqual([
      ['genuine_first', 0],
      ['genuine_first', 0],
      ['genuine_repeat', 1],
      ['genuine_repeat', 1],
      ['genuine_repeat', 1],
    ]);
  });

  it('shows where it came from: the factory, then the distributor that received it', async () => {
    const scanAs = async (token: string, body: Record<string, unknown>) =>
      expect((await api(token, 'POST', '/api/v1/scans', { scanId: randomUUID(), ...body })).status).toBe(200);
    const code = `https://id.gs1.org/01/${UNIT}/21/${serials[9]}`;
    await scanAs(line, { kind: 'ship', codes: [code], to: 'D0001' });
    await scanAs(await loginAs(server.baseUrl, 'distributor'), { kind: 'receive', codes: [code] });
    const [d] = await server.db.sql<
      { name: string }[]
    >`select name from parties where code = 'D0001' and tenant_id = (select id from tenants where code = 'demo')`;
    const r = await phone().open(`/01/${UNIT}/21/${serials[9]}`);
    const origin = /<ol>(.*)<\/ol>/.exec(r.html)?.[1] ?? '';
    expect(origin.indexOf(lots[0]?.factory as string)).toBeGreaterThanOrEqual(0);
    expect(origin.indexOf(d?.name as string)).toBeGreaterThan(origin.indexOf(lots[0]?.factory as string));
    expect(origin).toContain('经销商');
  });

  it('limits resolver requests per address', async () => {
    const { app } = await buildApp({
      sql: server.db.sql,
      consumer: { perMinute: 2 },
      webhooks: { worker: false },
      waitingOrders: { worker: false },
    });
    const get = (address: string) =>
      app.inject({
        method: 'GET',
        url: `/01/${UNIT}/21/${serials[2]}`,
        remoteAddress: address,
        headers: { accept: 'application/linkset+json' },
      });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await get('203.0.113.70')).statusCode);
    expect(statuses).toEqual([200, 200, 429]);
    expect((await get('203.0.113.71')).statusCode).toBe(200);
    await app.close();
  });

  it('answers in English on ?lang=en or Accept-Language en', async () => {
    const a = await phone().open(`/01/${UNIT}/21/${serials[2]}?lang=en`);
    expect(a.html).toContain('<html lang="en">');
    expect(a.html).toContain('Genuine · first check');
    expect(a.html).toContain(product.name_en);
    const b = await phone().open(`/01/${UNIT}/21/${serials[2]}`, { 'accept-language': 'en-US,en;q=0.9' });
    expect(b.html).toContain('Genuine · checked once before');
  });

  it('says recalled for a code of a lot under an active recall', async () => {
    const lot = lots[1]?.lot_code as string;
    expect((await phone().open(`/01/${UNIT}/21/${serials[20]}`)).verdict).toBe('genuine_first');
    const rc = await api(admin, 'POST', '/api/v1/recalls', { gtin: UNIT, lot, reason: '包装密封不良' });
    expect(rc.status).toBe(201);
    const r = await phone().open(`/01/${UNIT}/21/${serials[21]}`);
    expect(r.status).toBe(200);
    expect(r.verdict).toBe('recalled');
    expect(r.html).toContain('包装密封不良');
  });

  it('says unknown code with a counterfeit warning for a forged serial, an uncommissioned code or a wrong lot, and records it as unknown', async () => {
    const forged = forgedSerial(serials[3] as string);
    // the scan is recorded under the brand the code names (the demo has two brands holding this GTIN, so a serial
    // that decodes under neither names none, and there is no brand to record it for)
    for (const [path, recordedAs] of [
      [`/01/${UNIT}/21/${forged}`, null],
      [`/01/${UNIT}/21/${serials[50]}`, serials[50]],
      [`/01/${UNIT}/10/NOT-ITS-LOT/21/${serials[3]}`, serials[3]],
    ] as [string, string | null][]) {
      const r = await phone().open(path);
      expect(r.status, path).toBe(404);
      expect(r.verdict, path).toBe('unknown');
      expect(r.html).toContain('未知编码');
      expect(r.html).toContain('该商品可能是假冒产品');
      if (recordedAs === null) continue;
      const recorded = await server.db.sql<{ verdict: string }[]>`
        select verdict from consumer_scans where epc = ${`https://id.gs1.org/01/${UNIT}/21/${recordedAs}`} order by id desc limit 1`;
      expect(recorded[0]?.verdict, path).toBe('unknown');
    }
    const right = await phone().open(`/01/${UNIT}/10/${lots[0]?.lot_code}/21/${serials[3]}`);
    expect(right.verdict).toBe('genuine_first');
  });

  it('says a malformed link is not a valid product code, not a counterfeit: 400, scan again, nothing recorded', async () => {
    const allScans = async () => (await server.db.sql<{ n: number }[]>`select count(*)::int as n from consumer_scans`)[0]?.n;
    const before = await allScans();
    for (const path of [
      '/01/06901234001190/21/X', // wrong check digit
      `/01/06901234001014/21/${serials[0]}`, // a real serial under the unit's GTIN with its last digit mistyped
      '/01/123/21/X', // too short
      '/01/0690123400101A/21/X', // a letter in the GTIN
    ]) {
      const zh = await phone().open(path);
      expect(zh.status, path).toBe(400);
      expect(zh.verdict, path).toBe('invalid');
      expect(zh.html).toContain('链接不是有效的商品码');
      expect(zh.html).toContain('请重新扫描商品上的二维码，或仔细核对后重新输入');
      expect(zh.html, path).toContain('并不表示商品是假冒产品');
      expect(zh.html, path).not.toContain('可能是假冒');
      expect(zh.html).not.toContain('未知编码');
      const en = await phone().open(`${path}?lang=en`);
      expect(en.status, path).toBe(400);
      expect(en.verdict, path).toBe('invalid');
      expect(en.html).toContain('Not a valid product code');
      expect(en.html).toContain('Scan the code on the product again, or type it carefully');
      expect(en.html).toContain('does not mean the product is counterfeit');
      expect(en.html).not.toContain('may be counterfeit');
    }
    expect(await allScans()).toBe(before);
  });

  it('says unknown for a code taken out of circulation (a destroyed label), to a person and a machine alike', async () => {
    const epc = `https://id.gs1.org/01/${UNIT}/21/${serials[175]}`;
    expect((await phone().open(`/01/${UNIT}/21/${serials[175]}`)).verdict).toBe('genuine_first');
    // as the ledger leaves a label that was replaced (scans.int: 'replaces a damaged label')
    await server.db.sql`update code_state set status = 'destroyed' where epc = ${epc}`;
    const r = await phone().open(`/01/${UNIT}/21/${serials[175]}`);
    expect(r.status).toBe(404);
    expect(r.verdict).toBe('unknown');
    expect(r.html).not.toContain(product.name_zh);
    const machine = await fetch(`${server.baseUrl}/01/${UNIT}/21/${serials[175]}`, { headers: { accept: 'application/linkset+json' } });
    expect(machine.status).toBe(404);
    const recorded = await server.db.sql<{ verdict: string }[]>`select verdict from consumer_scans where epc = ${epc} order by id`;
    expect(recorded.map((x) => x.verdict)).toEqual(['genuine_first', 'unknown']);
  });
});

describe('the linkset for machines', () => {
  it('answers application/linkset+json with anchors per level and typed, titled links; neither it nor HEAD records a scan', async () => {
    const before = await scansOf(4);
    for (const req of [
      { path: `/01/${UNIT}/21/${serials[4]}`, accept: 'application/linkset+json' },
      { path: `/01/${UNIT}/21/${serials[4]}?linkType=all`, accept: '*/*' },
    ]) {
      const r = await fetch(`${server.baseUrl}${req.path}`, { headers: { accept: req.accept } });
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^application\/linkset\+json/);
      expect(r.headers.get('access-control-allow-origin')).toBe('*');
      const body = (await r.json()) as { linkset: Record<string, unknown>[] };
      expect(body.linkset.map((e) => e.anchor)).toEqual([`${server.baseUrl}/01/${UNIT}`, `${server.baseUrl}/01/${UNIT}/21/${serials[4]}`]);
      const unit = body.linkset[1] as Record<string, unknown>;
      const pip = unit['https://ref.gs1.org/voc/pip'] as { href: string; title: string; type: string; hreflang: string[] }[];
      expect(pip.map((l) => l.hreflang[0])).toEqual(['zh-CN', 'en']);
      for (const l of [...pip, ...(unit['https://ref.gs1.org/voc/verificationService'] as typeof pip)]) {
        expect(l.href).toMatch(/^http/);
        expect(l.title.length).toBeGreaterThan(0);
        expect(l.type).toMatch(/\//);
      }
      expect(unit['https://ref.gs1.org/voc/defaultLink']).toHaveLength(1);
    }
    const head = await fetch(`${server.baseUrl}/01/${UNIT}/21/${serials[4]}`, { method: 'HEAD', headers: { accept: 'text/html' } });
    expect(head.status).toBe(200);
    expect(head.headers.get('link')).toContain('linkType=all');
    expect(await scansOf(4)).toBe(before);
    const preflight = await fetch(`${server.baseUrl}/01/${UNIT}/21/${serials[4]}`, { method: 'OPTIONS' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('GET');
  });

  it('answers 404 problem+json for an unknown code and 400 for a malformed GTIN', async () => {
    const unknown = await fetch(`${server.baseUrl}/01/${UNIT}/21/${serials[60]}`, { headers: { accept: 'application/linkset+json' } });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await unknown.json()) as { code: string }).code).toBe('consumer.code_unknown');
    const bad = await fetch(`${server.baseUrl}/01/123/21/${serials[0]}`, { headers: { accept: 'application/json' } });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await bad.json()) as { errors: { code: string }[] }).errors[0]?.code).toBe('consumer.code_invalid');
  });
});

describe('the hidden verification code', () => {
  it('is valid when right, and each correct check is recorded with device and time', async () => {
    const p = phone('198.51.100.20');
    expect((await p.verify(serials[6] as string, codeOf(6))).body).toEqual({ valid: true });
    const [v] = await server.db.sql<{ device_id: string; verified_at: Date }[]>`
      select device_id, verified_at from code_verifications where epc = ${`https://id.gs1.org/01/${UNIT}/21/${serials[6]}`}`;
    expect(v?.device_id).toBe(p.device);
    expect((await p.verify(serials[6] as string, wrongCodeOf(6))).body).toEqual({ valid: false });
  });

  it('refuses guesses after 5 wrong tries on a code: the right code works from another device before, not after', async () => {
    const guesser = phone('198.51.100.30');
    for (let i = 0; i < 4; i++) expect((await guesser.verify(serials[7] as string, wrongCodeOf(7))).body).toEqual({ valid: false });
    expect((await phone('198.51.100.31').verify(serials[7] as string, codeOf(7))).body).toEqual({ valid: true });
    expect((await guesser.verify(serials[7] as string, wrongCodeOf(7))).body).toEqual({ valid: false });
    const after = await phone('198.51.100.32').verify(serials[7] as string, codeOf(7));
    expect(after.status).toBe(429);
    expect(after.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(Number(after.headers.get('retry-after'))).toBeGreaterThan(3000);
    expect(after.body).toMatchObject({ code: 'consumer.verify_throttled', scope: 'code' });
    expect(after.body.title).toBe('隐形码错误次数过多，请稍后再试');
    const en = await phone('198.51.100.33').verify(serials[7] as string, codeOf(7), 'en');
    expect(en.body.title).toBe('Too many wrong verification codes; try again later');
  });

  it('refuses a device after 20 wrong tries over any codes, and an address after 50', async () => {
    const device = phone('198.51.100.40');
    for (let i = 0; i < 20; i++) expect((await device.verify(serials[100 + i] as string, wrongCodeOf(100 + i))).status).toBe(200);
    const d = await device.verify(serials[8] as string, codeOf(8));
    expect(d.status).toBe(429);
    expect(d.body.scope).toBe('device');
    expect((await phone('198.51.100.41').verify(serials[8] as string, codeOf(8))).body).toEqual({ valid: true });

    for (let i = 0; i < 50; i++) {
      expect((await phone('198.51.100.50').verify(serials[120 + (i % 50)] as string, '00000000')).status).toBeLessThan(300);
    }
    const a = await phone('198.51.100.50').verify(serials[9] as string, codeOf(9));
    expect(a.status).toBe(429);
    expect(a.body.scope).toBe('address');
  });

  it('refuses a malformed body with a field pointer and counts nothing', async () => {
    const failures = async () => (await server.db.sql<{ n: number }[]>`select count(*)::int as n from verification_failures`)[0]?.n;
    const before = await failures();
    const r = await fetch(`${server.baseUrl}/01/${UNIT}/21/${serials[0]}/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: 12345678 }),
    });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { errors: { pointer: string }[] }).errors[0]?.pointer).toBe('/body/code');
    expect(await failures()).toBe(before);
  });
});

describe('personal data', () => {
  it('stores a salted hash of the address, never the address itself', async () => {
    const rows = await server.db.sql<
      { ip_hash: Buffer }[]
    >`select ip_hash from consumer_scans union all select ip_hash from code_verifications`;
    expect(rows.length).toBeGreaterThan(5);
    const dump = JSON.stringify(
      await server.db.sql`select s.epc, s.device_id, s.region_code, s.verdict, encode(ip_hash, 'escape') as raw from consumer_scans s`,
    );
    for (const address of ['198.51.100', '127.0.0.1']) expect(dump).not.toContain(address);
    for (const r of rows) expect(r.ip_hash.length).toBe(16);
  });
});
