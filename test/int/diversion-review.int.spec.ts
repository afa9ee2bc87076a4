import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, startTestServer, type TestServer } from '../support/app.ts';
import { captureOverHttp } from '../support/epcis.ts';

/**
 * Sales ops review diversion alerts: three units shipped to the Beijing distributor D0001 turn up at a store in
 * Nanchang (outside D0001's territory), which raises one alert each; one is confirmed, one dismissed, and the
 * decisions are kept with the reviewer, the time and the note, audited once, and cannot be turned around.
 */
const UNIT_GTIN = '06901234001013';
const LOT = 'LREV0401';
const unit = (i: number) => `https://id.gs1.org/01/${UNIT_GTIN}/21/R${String(i).padStart(3, '0')}`;
const at = (gln: string) => ({ id: `https://id.gs1.org/414/${gln}` });
const time = (minute: number) => `2026-04-01T08:${String(minute).padStart(2, '0')}:00.000Z`;

let server: TestServer;
let token: string;
let alertIds: Record<string, number>;

interface AlertItem {
  id: number;
  code: string;
  status: string;
  review: { by: { id: number | null; name: string }; at: string; note: string | null } | null;
}

async function call(method: string, path: string, body?: unknown, as = token, lang = 'zh-CN') {
  const r = await fetch(`${server.baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${as}`,
      'accept-language': lang,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, type: r.headers.get('content-type') ?? '', body: (await r.json()) as Record<string, unknown> };
}

const review = (id: number, body: unknown, as = token, lang = 'zh-CN') =>
  call('POST', `/api/v1/diversion/alerts/${id}/review`, body, as, lang);

async function auditRows(id: number) {
  return server.db.sql<{ action: string; actor_name: string; details: Record<string, unknown> }[]>`
    select action, actor_name, details from audit_log where entity_type = 'diversion_alert' and entity_id = ${String(id)} order by seq`;
}

let gln: Record<string, string>;

/**
 * Commissions `units` of `lot` at F01, ships them to D0001 and on to store S000001 in Nanchang (outside D0001's
 * territory), each step in its own document as separate scans would be: one alert per unit on the store's receipt.
 */
async function divert(units: string[], lot: string, day: number) {
  const at2 = (minute: number) => time(minute).replace('2026-04-01', `2026-04-${String(day).padStart(2, '0')}`);
  const step = (minute: number, bizStep: string, where: string, to?: string) => ({
    type: 'ObjectEvent',
    eventTime: at2(minute),
    eventTimeZoneOffset: '+08:00',
    epcList: units,
    action: 'OBSERVE',
    bizStep,
    bizLocation: at(gln[where] as string),
    ...(to ? { destinationList: [{ type: 'owning_party', destination: `https://id.gs1.org/417/${gln[to]}` }] } : {}),
  });
  await captureOverHttp(server.baseUrl, token, [
    {
      type: 'ObjectEvent',
      eventTime: at2(0),
      eventTimeZoneOffset: '+08:00',
      epcList: units,
      action: 'ADD',
      bizStep: 'commissioning',
      disposition: 'active',
      bizLocation: at(gln.F01 as string),
      ilmd: { 'cbvmda:lotNumber': lot },
    },
  ]);
  await captureOverHttp(server.baseUrl, token, [step(10, 'shipping', 'F01', 'D0001')]);
  await captureOverHttp(server.baseUrl, token, [step(20, 'receiving', 'D0001')]);
  await captureOverHttp(server.baseUrl, token, [step(30, 'shipping', 'D0001', 'S000001')]);
  await captureOverHttp(server.baseUrl, token, [step(40, 'receiving', 'S000001')]);
}

beforeAll(async () => {
  server = await startTestServer();
  token = await loginAs(server.baseUrl, 'admin');
  const rows = await server.db.sql<{ code: string; gln: string }[]>`
    select p.code, p.gln from parties p join tenants t on t.id = p.tenant_id
    where t.code = 'demo' and p.code in ('F01', 'D0001', 'S000001')`;
  gln = Object.fromEntries(rows.map((r) => [r.code, r.gln])) as Record<string, string>;
  await divert([1, 2, 3].map(unit), LOT, 1);
  const list = await call('GET', '/api/v1/diversion/alerts?status=open');
  const items = list.body.items as AlertItem[];
  alertIds = Object.fromEntries(items.map((a) => [a.code, a.id]));
});
afterAll(async () => server?.close());

describe('reviewing diversion alerts', () => {
  it('has one open alert per unit that turned up outside the territory', () => {
    expect(Object.keys(alertIds).sort()).toEqual([unit(1), unit(2), unit(3)]);
  });

  it('confirms an alert with the reviewer, the time and the note, and audits it', async () => {
    const id = alertIds[unit(1)] as number;
    const before = Date.now();
    const r = await review(id, { decision: 'confirmed', note: '  经销商已承认串货 admitted by the distributor ' });
    expect(r.status).toBe(200);
    const a = r.body as unknown as AlertItem;
    expect(a).toMatchObject({ id, code: unit(1), status: 'confirmed', review: { by: { name: 'admin' } } });
    expect(a.review?.note).toBe('经销商已承认串货 admitted by the distributor');
    expect(a.review?.by.id).toBeTypeOf('number');
    expect(new Date(a.review?.at as string).getTime()).toBeGreaterThanOrEqual(before - 5_000);

    const [row] = await server.db.sql<{ status: string; reviewed_by: number; reviewed_at: Date; review_note: string }[]>`
      select status, reviewed_by, reviewed_at, review_note from diversion_alerts where id = ${id}`;
    expect(row).toMatchObject({ status: 'confirmed', review_note: '经销商已承认串货 admitted by the distributor' });
    expect(Number(row?.reviewed_by)).toBe(a.review?.by.id);

    const audit = await auditRows(id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: 'diversion.confirm',
      actor_name: 'admin',
      details: { decision: 'confirmed', code: unit(1), note: '经销商已承认串货 admitted by the distributor' },
    });
    const verify = await call('POST', '/api/v1/audit/verify');
    expect(verify.body).toMatchObject({ ok: true });
  });

  it('dismisses another alert, which then leaves the heat map', async () => {
    const heatBefore = await call('GET', '/api/v1/diversion/heatmap');
    const count = (h: Record<string, unknown>) =>
      (h.foundIn as { code: string; alerts: number }[]).find((p) => p.code === '36')?.alerts ?? 0;
    const id = alertIds[unit(2)] as number;
    const r = await review(id, { decision: 'dismissed', note: '门店为经销商授权的临时网点' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'dismissed', review: { note: '门店为经销商授权的临时网点' } });
    expect((await auditRows(id)).map((x) => x.action)).toEqual(['diversion.dismiss']);
    const heatAfter = await call('GET', '/api/v1/diversion/heatmap');
    expect(count(heatAfter.body)).toBe(count(heatBefore.body) - 1);
  });

  it('answers a repeat of the same decision with the decision already taken, and audits nothing more', async () => {
    const id = alertIds[unit(1)] as number;
    const first = (await call('GET', '/api/v1/diversion/alerts?status=confirmed')).body.items as AlertItem[];
    const again = await review(id, { decision: 'confirmed', note: 'a second click' });
    expect(again.status).toBe(200);
    const a = again.body as unknown as AlertItem;
    expect(a.status).toBe('confirmed');
    // the first decision stands: same time and note
    expect(a.review).toEqual(first.find((x) => x.id === id)?.review);
    expect(a.review?.note).toBe('经销商已承认串货 admitted by the distributor');
    expect(await auditRows(id)).toHaveLength(1);
  });

  it('refuses to turn a decision around, with a stable code and the field', async () => {
    const id = alertIds[unit(1)] as number;
    const r = await review(id, { decision: 'dismissed' }, token, 'en');
    expect(r.status).toBe(409);
    expect(r.type).toContain('application/problem+json');
    expect(r.body).toMatchObject({
      code: 'diversion.already_reviewed',
      currentStatus: 'confirmed',
      errors: [{ pointer: '/body/decision', code: 'diversion.already_reviewed' }],
    });
    expect(String(r.body.detail)).toContain('already reviewed');
    const zh = await review(alertIds[unit(2)] as number, { decision: 'confirmed' });
    expect(zh.status).toBe(409);
    expect(String(zh.body.detail)).toContain('不能更改');
    expect(await auditRows(id)).toHaveLength(1);
  });

  it('lists alerts by status with their review', async () => {
    const confirmed = (await call('GET', '/api/v1/diversion/alerts?status=confirmed')).body.items as AlertItem[];
    const dismissed = (await call('GET', '/api/v1/diversion/alerts?status=dismissed')).body.items as AlertItem[];
    const open = (await call('GET', '/api/v1/diversion/alerts?status=open')).body.items as AlertItem[];
    expect(confirmed.map((a) => a.code)).toEqual([unit(1)]);
    expect(dismissed.map((a) => a.code)).toEqual([unit(2)]);
    expect(open.map((a) => a.code)).toEqual([unit(3)]);
    expect(open[0]?.review).toBeNull();
  });

  it('names the divisions in Chinese by default and in English on request', async () => {
    type Named = { code: string; name: string };
    const heat = async (lang: string) => (await call('GET', '/api/v1/diversion/heatmap', undefined, token, lang)).body;
    const nameIn = (rows: unknown, code: string) => (rows as Named[]).find((p) => p.code === code)?.name;
    const [zh, en] = [await heat('zh-CN'), await heat('en')];
    expect(nameIn(zh.foundIn, '36')).toBe('江西省');
    expect(nameIn(en.foundIn, '36')).toBe('Jiangxi');
    expect(nameIn(zh.shippedFrom, '11')).toBe('北京市');
    expect(nameIn(en.shippedFrom, '11')).toBe('Beijing');

    type Place = Named & { place: string };
    const openAlert = async (lang: string) =>
      (
        (await call('GET', '/api/v1/diversion/alerts?status=open', undefined, token, lang)).body.items as {
          expected: Place[];
          actual: Place;
        }[]
      )[0];
    const [zhAlert, enAlert] = [await openAlert('zh-CN'), await openAlert('en')];
    // D0001's territory is Beijing's 市辖区 (its districts), read as the city it is; the unit turned up in Nanchang
    // ...and its place reads 北京市 once (a municipality is its own province), not 北京市北京市
    expect(zhAlert?.expected).toEqual([{ code: '1101', name: '北京市', place: '北京市' }]);
    expect(enAlert?.expected).toEqual([{ code: '1101', name: 'Beijing', place: 'Beijing' }]);
    expect(enAlert?.actual.code).toBe(zhAlert?.actual.code);
    expect(zhAlert?.actual.code.slice(0, 4)).toBe('3601');
    expect(zhAlert?.actual.name).toMatch(/[区县市]$/);
    expect(enAlert?.actual.name).toMatch(/^[A-Z][a-z']+( District| County)?$/);
    // the place as the rest of the product writes it: the city, then the district
    expect(zhAlert?.actual.place).toBe(`南昌市${zhAlert?.actual.name}`);
    expect(enAlert?.actual.place).toBe(`${enAlert?.actual.name}, Nanchang`);
  });

  it('answers 404 for an unknown alert and for one of another tenant', async () => {
    const unknown = await review(999_999_999, { decision: 'confirmed' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('not_found');
    const other = await loginAs(server.baseUrl, 'admin', 'other');
    const foreign = await review(alertIds[unit(3)] as number, { decision: 'confirmed' }, other);
    expect(foreign.status).toBe(404);
    const [row] = await server.db.sql<{ status: string }[]>`select status from diversion_alerts where id = ${alertIds[unit(3)] as number}`;
    expect(row?.status).toBe('open');
  });

  it('lets only the roles allowed to write diversion review, and checks the body', async () => {
    const id = alertIds[unit(3)] as number;
    for (const user of ['sales', 'distributor', 'inspector', 'store']) {
      const r = await review(id, { decision: 'confirmed' }, await loginAs(server.baseUrl, user));
      expect(r.status, user).toBe(403);
      expect(r.body.code, user).toBe('access.denied');
    }
    const bad = await review(id, { decision: 'maybe' });
    expect(bad.status).toBe(400);
    expect((bad.body.errors as { pointer: string }[])[0]?.pointer).toBe('/body/decision');
    const long = await review(id, { decision: 'dismissed', note: 'x'.repeat(501) });
    expect(long.status).toBe(400);
    expect((long.body.errors as { pointer: string }[])[0]?.pointer).toBe('/body/note');
    const [row] = await server.db.sql<{ status: string }[]>`select status from diversion_alerts where id = ${id}`;
    expect(row?.status).toBe('open');
    expect(await auditRows(id)).toHaveLength(0);
  });
});

/**
 * A diverted case raises one alert per unit: the reviewer sees them as one group (same distributor, product, lot,
 * scan and place) with its count, and confirms or dismisses the group at once, all or nothing, audited per alert.
 */
describe('reviewing a diverted case at once', () => {
  interface Group {
    key: string;
    gtin: string;
    product: { gtin: string; sku: string | null; name: string | null } | null;
    lot: string;
    distributor: { id: number; code: string };
    scanKind: string;
    scannedBy: { id: number; code: string } | null;
    actual: { code: string; place: string };
    expected: { code: string; place: string }[];
    alerts: number;
    byStatus: { open: number; confirmed: number; dismissed: number };
    openIds: number[];
  }
  const caseUnit = (lot: string, i: number) => `https://id.gs1.org/01/${UNIT_GTIN}/21/${lot}U${String(i).padStart(2, '0')}`;
  const caseOf = (lot: string, n: number) => Array.from({ length: n }, (_, i) => caseUnit(lot, i + 1));
  const bulk = (body: unknown, as = token, lang = 'zh-CN') => call('POST', '/api/v1/diversion/alerts/review', body, as, lang);
  const groupsOf = async (lang = 'zh-CN', as = token) =>
    (await call('GET', '/api/v1/diversion/alerts/groups?pageSize=200', undefined, as, lang)).body as unknown as {
      total: number;
      items: Group[];
    };
  const groupOfLot = async (lot: string, lang = 'zh-CN') => (await groupsOf(lang)).items.find((g) => g.lot === lot) as Group;
  const statusOf = async (ids: number[]) =>
    (await server.db.sql<{ status: string }[]>`select status from diversion_alerts where id = any(${ids}::bigint[]) order by id`).map(
      (r) => r.status,
    );
  const auditOf = async (ids: number[]) =>
    server.db.sql<{ entity_id: string; action: string; details: Record<string, unknown> }[]>`
      select entity_id, action, details from audit_log where entity_type = 'diversion_alert'
        and entity_id = any(${ids.map(String)}::text[]) order by seq`;

  beforeAll(async () => {
    await divert(caseOf('LBULKA', 6), 'LBULKA', 2);
    await divert(caseOf('LBULKB', 3), 'LBULKB', 3);
    await divert(caseOf('LBULKC', 4), 'LBULKC', 4);
  });

  it('groups the alerts of a case with their count, the product by name and the places read once', async () => {
    const zh = await groupOfLot('LBULKA');
    expect(zh).toMatchObject({
      gtin: UNIT_GTIN,
      distributor: { code: 'D0001' },
      scannedBy: { code: 'S000001' },
      alerts: 6,
      byStatus: { open: 6, confirmed: 0, dismissed: 0 },
    });
    expect(zh.openIds).toHaveLength(6);
    const [product] = await server.db.sql<{ name_zh: string; name_en: string; sku: string }[]>`
      select pr.name_zh, pr.name_en, pr.sku from packaging_levels pl join products pr on pr.tenant_id = pl.tenant_id and pr.id = pl.product_id
      join tenants t on t.id = pl.tenant_id where t.code = 'demo' and pl.gtin = ${UNIT_GTIN}`;
    expect(zh.product).toEqual({ gtin: UNIT_GTIN, sku: product?.sku, name: product?.name_zh });
    expect((await groupOfLot('LBULKA', 'en')).product?.name).toBe(product?.name_en);
    expect(zh.expected).toEqual([{ code: '1101', name: '北京市', place: '北京市' }]);
    expect(zh.actual.place).toMatch(/^南昌市.+[区县市]$/);
    // the list names the product the same way
    const list = (await call('GET', '/api/v1/diversion/alerts?pageSize=200')).body.items as { lot: string; product: unknown }[];
    expect(list.find((a) => a.lot === 'LBULKA')?.product).toEqual(zh.product);
    // each lot its own group; the first describe's three units are one group too
    const all = await groupsOf();
    expect(all.items.filter((g) => g.lot === 'LBULKB')[0]?.alerts).toBe(3);
    expect(all.items.find((g) => g.lot === LOT)?.alerts).toBe(3);
    expect(new Set(all.items.map((g) => g.key)).size).toBe(all.items.length);
    expect(all.total).toBe(all.items.length);
    // the status filter counts only the alerts it selects
    const confirmedOnly = (await call('GET', '/api/v1/diversion/alerts/groups?status=confirmed')).body.items as Group[];
    expect(confirmedOnly.find((g) => g.lot === LOT)).toMatchObject({ alerts: 1, openIds: [] });
  });

  it('confirms a whole group with one note, audits each alert, and a repeat with the same key changes nothing', async () => {
    const g = await groupOfLot('LBULKA');
    const send = () =>
      fetch(`${server.baseUrl}/api/v1/diversion/alerts/review`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': 'bulk-LBULKA-0001' },
        body: JSON.stringify({ ids: g.openIds, decision: 'confirmed', note: ' 整箱窜货，经销商已承认 ' }),
      });
    const first = await send();
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ decision: 'confirmed', reviewed: g.openIds, unchanged: [] });
    expect(await statusOf(g.openIds)).toEqual(Array(6).fill('confirmed'));
    const [row] = await server.db.sql<{ review_note: string; reviewed_by_name: string }[]>`
      select review_note, reviewed_by_name from diversion_alerts where id = ${g.openIds[0] as number}`;
    expect(row).toEqual({ review_note: '整箱窜货，经销商已承认', reviewed_by_name: 'admin' });
    const audit = await auditOf(g.openIds);
    expect(audit.map((a) => Number(a.entity_id))).toEqual(g.openIds);
    for (const a of audit) {
      expect(a).toMatchObject({ action: 'diversion.confirm', details: { decision: 'confirmed', note: '整箱窜货，经销商已承认' } });
    }

    const again = await send();
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ decision: 'confirmed', reviewed: [], unchanged: g.openIds });
    expect(await auditOf(g.openIds)).toHaveLength(6);
    expect((await call('POST', '/api/v1/audit/verify')).body).toMatchObject({ ok: true });
    expect(await groupOfLot('LBULKA')).toMatchObject({ alerts: 6, byStatus: { open: 0, confirmed: 6 }, openIds: [] });
  });

  it('refuses the whole request when one alert was decided the other way, naming it, and changes nothing', async () => {
    const g = await groupOfLot('LBULKB');
    const [first, ...rest] = g.openIds as [number, ...number[]];
    expect((await review(first, { decision: 'dismissed', note: '单独排除' })).status).toBe(200);
    const r = await bulk({ ids: [...rest, first], decision: 'confirmed', note: '整箱确认' }, token, 'en');
    expect(r.status).toBe(409);
    expect(r.type).toContain('application/problem+json');
    expect(r.body).toMatchObject({
      code: 'diversion.some_already_reviewed',
      errors: [{ pointer: `/body/ids/${rest.length}`, code: 'diversion.already_reviewed' }],
    });
    expect(String(r.body.detail)).toContain('nothing was reviewed');
    expect(await statusOf(g.openIds)).toEqual(['dismissed', 'open', 'open']);
    expect(await auditOf(rest)).toHaveLength(0);
    // the same decision as the one taken is a repeat, not a conflict
    const dismiss = await bulk({ ids: g.openIds, decision: 'dismissed' });
    expect(dismiss.body).toEqual({ decision: 'dismissed', reviewed: rest, unchanged: [first] });
    expect((await auditOf([first])).map((a) => a.details.note)).toEqual(['单独排除']);
  });

  it('refuses alerts it cannot see (another tenant, unknown ids) as not found, naming each, and changes nothing', async () => {
    const g = await groupOfLot('LBULKC');
    const unknown = await bulk({ ids: [...g.openIds, 999_999_999], decision: 'confirmed' });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({
      code: 'diversion.alerts_not_found',
      errors: [{ pointer: `/body/ids/${g.openIds.length}`, code: 'diversion.alert_not_found' }],
    });
    expect(String(unknown.body.detail)).toContain('本次处理未生效');
    const other = await loginAs(server.baseUrl, 'admin', 'other');
    const foreign = await bulk({ ids: g.openIds, decision: 'dismissed' }, other);
    expect(foreign.status).toBe(404);
    expect((foreign.body.errors as unknown[]).length).toBe(g.openIds.length);
    expect((await groupsOf('zh-CN', other)).items.find((x) => x.lot === 'LBULKC')).toBeUndefined();
    expect(await statusOf(g.openIds)).toEqual(Array(4).fill('open'));
    expect(await auditOf(g.openIds)).toHaveLength(0);
  });

  it("lists exactly a group's alerts by the filters of its key, an empty value selecting alerts without one", async () => {
    // the filters of a group's key, as the console's details of a group ask for them
    const keyQuery = (g: Group) =>
      new URLSearchParams({
        distributorId: String(g.distributor.id),
        gtin: g.gtin ?? '',
        lot: g.lot ?? '',
        scanKind: g.scanKind,
        actualDivision: g.actual?.code ?? '',
        scannedById: g.scannedBy ? String(g.scannedBy.id) : '',
        pageSize: '200',
      });
    // a month's cap exceeded in a city: an alert with no product, lot or scanning party, of the same distributor
    const [cap] = await server.db.sql<{ id: string }[]>`
      insert into diversion_alerts (tenant_id, epc, distributor_id, expected_divisions, actual_division, scan_kind, evidence)
      select p.tenant_id, 'monthly_cap:2026-04:3601', p.id, '{}', '3601', 'monthly_cap', '{}'::jsonb
      from parties p join tenants t on t.id = p.tenant_id where t.code = 'demo' and p.code = 'D0001'
      returning id::text`;
    const all = await groupsOf();
    expect(all.items.length).toBeGreaterThan(4);
    for (const g of all.items) {
      const r = await call('GET', `/api/v1/diversion/alerts?${keyQuery(g)}`);
      expect(r.status, g.key).toBe(200);
      const items = r.body.items as { id: number; lot: string | null; gtin: string | null; status: string }[];
      expect(r.body.total, g.key).toBe(g.alerts);
      expect(
        items
          .filter((a) => a.status === 'open')
          .map((a) => a.id)
          .sort((x, y) => x - y),
        g.key,
      ).toEqual(g.openIds);
      expect(new Set(items.map((a) => a.lot)), g.key).toEqual(new Set([g.lot]));
    }
    const capGroup = all.items.find((g) => g.scanKind === 'monthly_cap') as Group;
    expect(capGroup).toMatchObject({ gtin: null, lot: null, scannedBy: null, alerts: 1 });
    const capOnly = await call('GET', `/api/v1/diversion/alerts?${keyQuery(capGroup)}`);
    expect((capOnly.body.items as { id: number }[]).map((a) => a.id)).toEqual([Number(cap?.id)]);
    // one value of the key narrows by itself; an empty lot selects only the alerts without one
    const lotB = (await call('GET', '/api/v1/diversion/alerts?lot=LBULKB&pageSize=200')).body.items as { lot: string }[];
    expect(lotB.map((a) => a.lot)).toEqual(['LBULKB', 'LBULKB', 'LBULKB']);
    const noLot = (await call('GET', '/api/v1/diversion/alerts?lot=&pageSize=200')).body.items as { id: number }[];
    expect(noLot.map((a) => a.id)).toEqual([Number(cap?.id)]);
    // another tenant, asking for the same group, sees none of it
    const other = await loginAs(server.baseUrl, 'admin', 'other');
    const foreign = await call('GET', `/api/v1/diversion/alerts?${keyQuery(await groupOfLot('LBULKA'))}`, undefined, other);
    expect(foreign.body).toMatchObject({ total: 0, items: [] });
    // bad filters are refused with the field
    for (const [query, pointer] of [
      ['gtin=690123400101', '/query/gtin'],
      [`lot=${'L'.repeat(41)}`, '/query/lot'],
      ['scanKind=ship', '/query/scanKind'],
      ['actualDivision=360', '/query/actualDivision'],
      ['scannedById=0', '/query/scannedById'],
      ['scannedById=S000001', '/query/scannedById'],
    ]) {
      const r = await call('GET', `/api/v1/diversion/alerts?${query}`);
      expect(r.status, query).toBe(400);
      expect(r.type).toContain('application/problem+json');
      expect((r.body.errors as { pointer: string }[])[0]?.pointer, query).toBe(pointer);
    }
    await server.db.sql`delete from diversion_alerts where id = ${Number(cap?.id)}`;
  });

  it('lets only the roles that review, and refuses bad input with the field, changing nothing', async () => {
    const g = await groupOfLot('LBULKC');
    for (const user of ['sales', 'distributor', 'inspector']) {
      const r = await bulk({ ids: g.openIds, decision: 'confirmed' }, await loginAs(server.baseUrl, user));
      expect(r.status, user).toBe(403);
      expect(r.body.code, user).toBe('access.denied');
    }
    const pointerOf = (r: { body: Record<string, unknown> }) => (r.body.errors as { pointer: string }[])[0]?.pointer;
    const cases: [unknown, string][] = [
      [{ ids: [], decision: 'confirmed' }, '/body/ids'],
      [{ ids: [g.openIds[0], g.openIds[0]], decision: 'confirmed' }, '/body/ids'],
      [{ ids: Array.from({ length: 2001 }, (_, i) => i + 1), decision: 'confirmed' }, '/body/ids'],
      [{ ids: ['x'], decision: 'confirmed' }, '/body/ids/0'],
      [{ ids: g.openIds, decision: 'maybe' }, '/body/decision'],
      [{ ids: g.openIds, decision: 'dismissed', note: 'x'.repeat(501) }, '/body/note'],
      [{ decision: 'confirmed' }, '/body/ids'],
    ];
    for (const [body, pointer] of cases) {
      const r = await bulk(body);
      expect(r.status, pointer).toBe(400);
      expect(r.type).toContain('application/problem+json');
      expect(pointerOf(r), JSON.stringify(body).slice(0, 80)).toBe(pointer);
    }
    expect(await statusOf(g.openIds)).toEqual(Array(4).fill('open'));
    expect(await auditOf(g.openIds)).toHaveLength(0);
  });
});
