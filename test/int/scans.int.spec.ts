import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keystore } from '../../src/modules/codes/keystore.ts';
import { serialsFor } from '../../src/modules/codes/serials.ts';
import { loginAs, startTestServer, type TestServer } from '../support/app.ts';
import { forgedSerial } from '../support/codes.ts';

const UNIT = '06901234001013';
const CASE = '16901234001010';
let server: TestServer;
const tokens: Record<string, string> = {};
let units: string[];
let cases: string[];
let unitBatch: number;

async function api(user: string, method: string, path: string, body?: unknown) {
  const r = await fetch(`${server.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${tokens[user]}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

const scan = (user: string, body: Record<string, unknown>) => api(user, 'POST', '/api/v1/scans', { scanId: randomUUID(), ...body });
const codes = async () => (await server.db.sql<{ n: number }[]>`select count(*)::int as n from code_state`)[0]?.n;
const problems = (r: { body: Record<string, unknown> }) =>
  (r.body.errors as { pointer: string; code: string }[]).map((e) => [e.pointer, e.code]);

beforeAll(async () => {
  server = await startTestServer();
  for (const u of ['admin', 'line', 'warehouse', 'distributor', 'store', 'planner']) tokens[u] = await loginAs(server.baseUrl, u);
  const [t] = await server.db.sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
  const keystore = new Keystore(Buffer.from(fs.readFileSync('.data/master.key', 'utf8'), 'base64'));
  const keys = await keystore.keyring(server.db.sql, Number(t?.id));
  const u = await api('admin', 'POST', '/api/v1/code-batches', { gtin: UNIT, quantity: 100 });
  const c = await api('admin', 'POST', '/api/v1/code-batches', { gtin: CASE, quantity: 10 });
  unitBatch = u.body.id as number;
  units = serialsFor(keys, { gtin: UNIT, keyVersion: u.body.keyVersion as number, batchNo: u.body.batchNo as number }, 0, 100).map(
    (s) => `https://id.gs1.org/01/${UNIT}/21/${s}`,
  );
  cases = serialsFor(keys, { gtin: CASE, keyVersion: c.body.keyVersion as number, batchNo: c.body.batchNo as number }, 0, 10).map(
    (s) => `https://id.gs1.org/01/${CASE}/21/${s}`,
  );
});
afterAll(async () => server?.close());

describe('scans at the line', () => {
  it('reads a GS1 element string with data attributes as a DataMatrix carries it', async () => {
    const serial = (units[97] as string).split('/21/')[1];
    const r = await scan('line', { kind: 'commission', lot: 'L3', codes: [`(01)${UNIT}(17)271231(10)L3(21)${serial}`] });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  });

  it('commissions a label range of a batch for a lot, and single codes as a camera reads them', async () => {
    const r = await scan('line', { kind: 'commission', lot: 'L1', range: { batchId: unitBatch, from: 0, count: 72 } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ codes: 72, newEvents: 1 });
    expect((await scan('line', { kind: 'commission', lot: 'L1', codes: [cases[0], cases[1], cases[2]] })).status).toBe(200);
  });

  it('refuses a commission with any bad code and writes none of it, naming each problem', async () => {
    const before = await codes();
    const forged = `https://id.gs1.org/01/${UNIT}/21/${forgedSerial((units[90] as string).split('/21/')[1] as string)}`;
    const r = await scan('line', {
      kind: 'commission',
      lot: 'L1',
      codes: [units[80], units[0], units[81], units[81], forged, 'https://id.gs1.org/01/09506000134352/21/ABC', 'hello'],
    });
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('scan.rejected');
    expect(problems(r)).toEqual(
      expect.arrayContaining([
        ['/body/codes/1', 'code.already_commissioned'],
        ['/body/codes/3', 'code.read_twice'],
        ['/body/codes/4', 'code.unknown'],
        ['/body/codes/5', 'code.unknown_product'],
        ['/body/codes/6', 'code.unrecognised'],
      ]),
    );
    expect(await codes()).toBe(before);
  });

  it('packs 24 units into a case, and refuses a wrong count or a unit already in another case', async () => {
    const ok = await scan('line', { kind: 'pack', parent: cases[0], codes: units.slice(0, 24) });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    const short = await scan('line', { kind: 'pack', parent: cases[1], codes: units.slice(24, 47) });
    expect(problems(short)).toEqual([['/body/codes', 'pack.wrong_count']]);
    const stolen = await scan('line', { kind: 'pack', parent: cases[1], codes: [units[0], ...units.slice(25, 48)] });
    expect(problems(stolen)).toEqual([['/body/codes/0', 'code.already_packed']]);
    const [inCase] = await server.db.sql<{ n: number }[]>`select count(*)::int as n from code_now where parent_epc = ${cases[1] as string}`;
    expect(inCase?.n).toBe(0);
  });

  it('stores a scan sent twice (an offline queue replaying) once', async () => {
    const body = { scanId: randomUUID(), kind: 'pack', parent: cases[1], codes: units.slice(24, 48), at: new Date().toISOString() };
    const first = await api('line', 'POST', '/api/v1/scans', body);
    const again = await api('line', 'POST', '/api/v1/scans', body);
    expect(first.body.newEvents).toBe(1);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ newEvents: 0, replayed: true });
    // also for a step whose checks the first attempt has made false (the codes are now commissioned)
    const commission = { scanId: randomUUID(), kind: 'commission', lot: 'L2', codes: [units[95], units[96]], at: new Date().toISOString() };
    expect((await api('line', 'POST', '/api/v1/scans', commission)).status).toBe(200);
    const replay = await api('line', 'POST', '/api/v1/scans', commission);
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({ codes: 2, newEvents: 0, replayed: true });
  });

  it('replaces a damaged label: the new code takes the old one place in its case', async () => {
    const r = await scan('line', { kind: 'replace', replace: { old: units[5], new: units[99] } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const [fresh] = await server.db.sql<
      { parent_epc: string; lot: string }[]
    >`select parent_epc, lot from code_now where epc = ${units[99] as string}`;
    const [old] = await server.db.sql<
      { status: string; parent_epc: string | null }[]
    >`select status, parent_epc from code_now where epc = ${units[5] as string}`;
    expect(fresh).toMatchObject({ parent_epc: cases[0], lot: 'L1' });
    expect(old).toMatchObject({ status: 'destroyed', parent_epc: null });
  });

  it('ships a case to a distributor, who receives it; a store may not commission', async () => {
    // an order number names an order to ship (scans-order.int.spec.ts): one that names none is refused, nothing moves
    const unknownOrder = await scan('line', { kind: 'ship', codes: [cases[0]], to: 'D0001', order: 'SO-9' });
    expect(problems(unknownOrder)).toEqual([['/body/order', 'scan.order_unknown']]);
    const ship = await scan('line', { kind: 'ship', codes: [cases[0]], to: 'D0001' });
    expect(ship.status, JSON.stringify(ship.body)).toBe(200);
    const again = await scan('line', { kind: 'ship', codes: [cases[0]], to: 'D0001' });
    expect(problems(again)).toEqual([['/body/codes/0', 'code.in_transit']]);
    const receive = await scan('distributor', { kind: 'receive', codes: [cases[0]] });
    expect(receive.status).toBe(200);
    const [unit] = await server.db.sql<{ code: string }[]>`
      select p.code from code_now c join parties p on p.id = c.holder_party_id where c.epc = ${units[1] as string}`;
    expect(unit?.code).toBe('D0001');
    const storeCommission = await scan('store', { kind: 'commission', lot: 'L1', codes: [units[90]] });
    expect(storeCommission.status).toBe(403);
  });

  it('refuses a scan of nothing, a label range outside commissioning, and goods received that were never shipped here', async () => {
    expect(problems(await scan('line', { kind: 'ship', to: 'D0001' }))).toEqual([['/body/codes', 'field.required']]);
    const ranged = await scan('line', { kind: 'ship', to: 'D0001', range: { batchId: unitBatch, from: 0, count: 1 } });
    expect(problems(ranged)).toEqual([['/body/range', 'scan.range_commission_only']]);
    // only shipping and receiving fulfil an order: another step naming one is refused, not recorded without it
    const commissionForOrder = await scan('line', { kind: 'commission', lot: 'L9', codes: [units[91]], order: 'SO1' });
    expect(problems(commissionForOrder)).toEqual([['/body/order', 'scan.order_not_this_step']]);
    // a case still in the factory's stock: received at a store, a clerk's sale of it would count as delivered
    const unshipped = await scan('store', { kind: 'receive', codes: [cases[2]] });
    expect(unshipped.status).toBe(422);
    expect(problems(unshipped)).toEqual([['/body/codes/0', 'receive.not_shipped']]);
    const [held] = await server.db.sql<{ code: string }[]>`
      select p.code from code_now c join parties p on p.id = c.holder_party_id where c.epc = ${cases[2] as string}`;
    expect(held?.code).toBe('F01');
  });

  it('refuses another scan under a used scan id, instead of answering it as a replay of the first', async () => {
    const scanId = randomUUID();
    const first = await api('line', 'POST', '/api/v1/scans', { scanId, kind: 'commission', lot: 'L4', codes: [units[80]] });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const other = await api('line', 'POST', '/api/v1/scans', { scanId, kind: 'inspect', codes: [units[80]] });
    expect(other.status).toBe(409);
    expect(problems(other)).toEqual([['/body/scanId', 'scan.id_reused']]);
    // the same kind and as many codes, but another code: refused too, and that code stays as it was
    const otherCode = await api('line', 'POST', '/api/v1/scans', { scanId, kind: 'commission', lot: 'L4', codes: [units[81]] });
    expect(problems(otherCode)).toEqual([['/body/scanId', 'scan.id_reused']]);
    const [state] = await server.db.sql<{ n: number }[]>`select count(*)::int as n from code_state where epc = ${units[81] as string}`;
    expect(state?.n).toBe(0);
  });

  it('answers the same scan sent again, its codes in another order, as a replay of the first', async () => {
    const scanId = randomUUID();
    const body = { scanId, kind: 'commission', lot: 'L5', codes: [units[82], units[83]] };
    const first = await api('line', 'POST', '/api/v1/scans', body);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const again = await api('line', 'POST', '/api/v1/scans', { ...body, codes: [units[83], units[82]] });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ replayed: true, newEvents: 0, codes: 2 });
  });

  it('refuses to sell a unit of a recalled lot, and records nothing; other steps still move it, with the warning', async () => {
    const lot = 'LREC1';
    const made = await scan('line', { kind: 'commission', lot, codes: [units[84], units[85]] });
    expect(made.status, JSON.stringify(made.body)).toBe(200);
    const recall = await api('admin', 'POST', '/api/v1/recalls', { gtin: UNIT, lot, reason: '包装密封不良' });
    expect(recall.status, JSON.stringify(recall.body)).toBe(201);
    const events = async () =>
      (await server.db.sql<{ n: number }[]>`select count(*)::int as n from event_epcs where epc = ${units[84] as string}`)[0]?.n;
    const status = async () =>
      (await server.db.sql<{ status: string }[]>`select status from code_state where epc = ${units[84] as string}`)[0]?.status;
    const statusBefore = await status();
    const before = await events();
    const sold = await scan('store', { kind: 'sell', codes: [units[84]] });
    expect(sold.status).toBe(422);
    expect(problems(sold)).toEqual([['/body/codes/0', 'sell.recalled']]);
    expect((sold.body.errors as { detail: string }[])[0]?.detail).toContain('包装密封不良');
    expect(await events()).toBe(before);
    expect(await status()).toBe(statusBefore);
    // looked at in the market (an inspection): recorded, and it says the lot is recalled
    const looked = await scan('line', { kind: 'inspect', codes: [units[85]] });
    expect(looked.status, JSON.stringify(looked.body)).toBe(200);
    expect((looked.body.warnings as { code: string }[]).map((w) => w.code)).toEqual(['code.recalled']);
  });

  it('says its warnings in the reader’s language, as its refusals', async () => {
    // a unit the store never received, sold there: recorded, with a warning
    const sold = await scan('store', { kind: 'sell', codes: [units[80]] });
    expect(sold.status, JSON.stringify(sold.body)).toBe(200);
    expect(sold.body.warnings).toEqual([
      {
        pointer: '/body/codes/0',
        code: 'sell.not_delivered_here',
        params: { value: units[80] },
        holder: { outsideScope: true },
        detail: `该码未发到本店，由其他主体持有：${units[80]}`,
      },
    ]);
  });

  it('says in a sale’s warning that another party holds the unit, naming none the store may not see', async () => {
    // held by the brand's factory, which a store's data scope does not include
    const unit = units[94] as string;
    expect((await scan('line', { kind: 'commission', lot: 'L7', codes: [unit] })).status).toBe(200);
    const body = { scanId: randomUUID(), kind: 'sell', codes: [unit] };
    const send = (lang: string) =>
      fetch(`${server.baseUrl}/api/v1/scans`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.store}`, 'content-type': 'application/json', 'accept-language': lang },
        body: JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as { warnings: Record<string, unknown>[] } }));
    const sold = await send('en');
    expect(sold.status, JSON.stringify(sold.body)).toBe(200);
    expect(sold.body.warnings).toEqual([
      {
        pointer: '/body/codes/0',
        code: 'sell.not_delivered_here',
        params: { value: unit },
        holder: { outsideScope: true },
        detail: `${unit} was never delivered to this store: another party holds it`,
      },
    ]);
    expect(JSON.stringify(sold.body)).not.toMatch(/F01|呼和浩特|sell\.not_delivered_here\.by/);
    // the same scan sent again is answered as it was, in the reader's language
    const again = await send('zh-CN');
    expect(again.body.warnings[0]).toMatchObject({ holder: { outsideScope: true }, detail: `该码未发到本店，由其他主体持有：${unit}` });
  });
});

describe('a refusal of a unit someone else holds', () => {
  it('names the holder when the scanner may see that party, and only says "another party" when it may not', async () => {
    const unit = units[93] as string;
    expect((await scan('line', { kind: 'commission', lot: 'L6', codes: [unit] })).status).toBe(200);
    const entry = (r: { body: Record<string, unknown> }) => (r.body.errors as Record<string, unknown>[])[0];

    // the brand sees every party: the factory that holds the unit, by name and code
    const byBrand = await scan('admin', { kind: 'ship', to: 'D0001', codes: [unit] });
    expect(byBrand.status).toBe(422);
    expect(entry(byBrand)).toEqual({
      pointer: '/body/codes/0',
      code: 'code.not_held',
      holder: { code: 'F01', name: '呼和浩特乳品工厂' },
      detail: `该码不在本处，由 呼和浩特乳品工厂（F01）持有：${unit}`,
    });
    const inEnglish = await fetch(`${server.baseUrl}/api/v1/scans`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.admin}`, 'content-type': 'application/json', 'accept-language': 'en' },
      body: JSON.stringify({ scanId: randomUUID(), kind: 'ship', to: 'D0001', codes: [unit] }),
    });
    expect(((await inEnglish.json()) as { errors: { detail: string }[] }).errors[0]?.detail).toBe(
      `${unit} is not held here: 呼和浩特乳品工厂 (F01) holds it`,
    );

    // a distributor's scope holds itself and what it serves, not the brand's factory: the refusal does not name it
    const [customer] = await server.db.sql<{ code: string }[]>`
      select s.code from parties s join users u on u.tenant_id = s.tenant_id and s.parent_id = u.party_id
      join tenants t on t.id = u.tenant_id where t.code = 'demo' and u.username = 'distributor' and s.gln is not null
      order by s.code limit 1`;
    const byDistributor = await scan('distributor', { kind: 'ship', to: customer?.code, codes: [unit] });
    expect(entry(byDistributor)).toEqual({
      pointer: '/body/codes/0',
      code: 'code.not_held',
      holder: { outsideScope: true },
      detail: `该码不在本处，由其他主体持有：${unit}`,
    });
    const byStore = await scan('store', { kind: 'receive', codes: [unit] });
    expect(entry(byStore)).toMatchObject({ code: 'receive.not_shipped', holder: { outsideScope: true } });
    expect(JSON.stringify(byStore.body)).not.toMatch(/F01|呼和浩特/);
  });
});

describe('a receipt of a unit shipped to someone else', () => {
  it('names whom it was shipped to when the receiver may see that party, else says only that it went elsewhere', async () => {
    const [forBrand, forStore] = [units[91] as string, units[92] as string];
    expect((await scan('line', { kind: 'commission', lot: 'L7', codes: [forBrand, forStore] })).status).toBe(200);
    expect((await scan('line', { kind: 'ship', to: 'D0001', codes: [forBrand, forStore] })).status).toBe(200);
    const [d] = await server.db.sql<{ name: string }[]>`select name from parties where code = 'D0001'`;
    const warning = (r: { body: Record<string, unknown> }) => (r.body.warnings as Record<string, unknown>[])[0];

    // the brand sees every party: the warning says whom to hand it on to
    const byBrand = await scan('admin', { kind: 'receive', codes: [forBrand] });
    expect(byBrand.status, JSON.stringify(byBrand.body)).toBe(200);
    expect(warning(byBrand)).toMatchObject({
      code: 'receive.not_for_you',
      addressee: { code: 'D0001', name: d?.name },
      detail: `该货物发往 ${d?.name}（D0001），不是本处：${forBrand}`,
    });
    // a store's scope is itself: it hears only that the goods went elsewhere
    const byStore = await scan('store', { kind: 'receive', codes: [forStore] });
    expect(warning(byStore)).toMatchObject({
      code: 'receive.not_for_you',
      addressee: { outsideScope: true },
      detail: `该货物发往别处：${forStore}`,
    });
    expect(JSON.stringify(byStore.body)).not.toMatch(/D0001/);
  });
});

describe('receivers a scanner is offered to ship to', () => {
  type Receiver = { code: string; name: string; kind: string; cityName: string | null };
  const receivers = async (user: string, query = '', lang = 'zh-CN') => {
    const r = await fetch(`${server.baseUrl}/api/v1/scans/receivers${query}`, {
      headers: { authorization: `Bearer ${tokens[user]}`, 'accept-language': lang },
    });
    return { status: r.status, items: ((await r.json()) as { items?: Receiver[] }).items ?? [] };
  };

  it("offers a factory line the brand's warehouses first, then distributors, never the brand, factories or stores", async () => {
    const all = await receivers('line', '?limit=50');
    expect(all.status).toBe(200);
    expect(all.items.slice(0, 6).map((r) => r.code)).toEqual(['W01', 'W02', 'W03', 'W04', 'W05', 'W06']);
    expect(new Set(all.items.map((r) => r.kind))).toEqual(new Set(['warehouse', 'distributor']));
    expect(all.items[1]).toEqual({ code: 'W02', name: '上海中心仓', kind: 'warehouse', cityName: '上海市' });
    // searchable by the start of a code, part of a name, in the reader's language
    expect((await receivers('line', '?q=w0')).items.map((r) => r.code)).toEqual(['W01', 'W02', 'W03', 'W04', 'W05', 'W06']);
    expect((await receivers('line', `?q=${encodeURIComponent('上海中心')}`)).items.map((r) => r.code)).toEqual(['W02']);
    expect((await receivers('line', '?q=W02', 'en')).items).toEqual([
      { code: 'W02', name: '上海中心仓', kind: 'warehouse', cityName: 'Shanghai' },
    ]);
  });

  it('offers a warehouse distributors first and the other warehouses, not itself', async () => {
    const all = await receivers('warehouse', '?limit=50');
    expect(all.items[0]?.kind).toBe('distributor');
    expect(all.items.map((r) => r.code)).not.toContain('W01');
    expect((await receivers('warehouse', '?q=W')).items.map((r) => r.code)).toEqual(['W02', 'W03', 'W04', 'W05', 'W06']);
    expect((await receivers('warehouse', '?q=D0001')).items.map((r) => r.code)).toEqual(['D0001']);
  });

  it('offers a distributor only the parties it supplies, and a store nobody; other roles may not ask', async () => {
    const mine = await receivers('distributor', '?limit=50');
    expect(mine.items.length).toBeGreaterThan(0);
    const [own] = await server.db.sql<{ id: string }[]>`
      select p.id::text from parties p join users u on u.tenant_id = p.tenant_id and u.party_id = p.id
      join tenants t on t.id = p.tenant_id where t.code = 'demo' and u.username = 'distributor'`;
    const parents = await server.db.sql<{ parent: string | null }[]>`
      select distinct p.parent_id::text as parent from parties p join tenants t on t.id = p.tenant_id
      where t.code = 'demo' and p.code = any(${mine.items.map((r) => r.code)}::text[])`;
    expect(parents).toEqual([{ parent: own?.id }]);
    expect((await receivers('store')).items).toEqual([]);
    expect((await receivers('planner')).status).toBe(403);
  });

  it('leaves out a party the ship scan would refuse: one without a GLN', async () => {
    const created = await api('admin', 'POST', '/api/v1/parties', {
      code: 'W90',
      name: '无码临时仓',
      kind: 'warehouse',
      parentCode: 'BRAND',
      districtCode: '110105',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect((await receivers('line', '?q=W9')).items).toEqual([]);
    expect(problems(await scan('line', { kind: 'ship', to: 'W90', codes: [units[94]] }))).toContainEqual(['/body/to', 'import.reference']);
  });
});

describe('whom a ship scan may ship to', () => {
  type Entry = { pointer: string; code: string; reason?: string; detail: string };
  const entries = (r: { body: Record<string, unknown> }) => r.body.errors as Entry[];
  const toEntry = (r: { body: Record<string, unknown> }) => entries(r).find((e) => e.pointer === '/body/to');
  const stateOf = async (epc: string) =>
    (
      await server.db.sql<{ holder: string; status: string; events: number }[]>`
        select p.code as holder, c.status, (select count(*)::int from event_epcs e where e.epc = c.epc) as events
        from code_now c join parties p on p.id = c.holder_party_id where c.epc = ${epc}`
    )[0];
  const party = async (where: 'own store' | 'foreign store') => {
    const [row] = await server.db.sql<{ code: string; name: string }[]>`
      select s.code, s.name from parties s join users u on u.tenant_id = s.tenant_id and u.username = 'distributor'
      join tenants t on t.id = u.tenant_id and t.code = 'demo'
      where s.tenant_id = u.tenant_id and s.kind = 'store' and s.gln is not null and s.status = 'active'
        and (s.parent_id = u.party_id) = ${where === 'own store'}
      order by s.code limit 1`;
    return row as { code: string; name: string };
  };

  it('refuses a receiver of a kind the place does not ship to (a factory to a store), recording nothing', async () => {
    const unit = units[86] as string;
    expect((await scan('line', { kind: 'commission', lot: 'L8', codes: [unit] })).status).toBe(200);
    const before = await stateOf(unit);
    const store = await party('own store');

    const r = await scan('line', { kind: 'ship', to: store.code, codes: [unit] });
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('scan.rejected');
    // a factory line's data scope is its own party: the store is named by the code typed, not by its name
    expect(entries(r)).toEqual([
      {
        pointer: '/body/to',
        code: 'scan.receiver_not_allowed',
        reason: 'kind',
        detail: `不能发货给 ${store.code}：它是门店，工厂只发货给仓库、经销商`,
      },
    ]);
    expect(await stateOf(unit)).toEqual(before);
    expect(before).toMatchObject({ holder: 'F01', status: 'commissioned' });

    const inEnglish = await fetch(`${server.baseUrl}/api/v1/scans`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.line}`, 'content-type': 'application/json', 'accept-language': 'en' },
      body: JSON.stringify({ scanId: randomUUID(), kind: 'ship', to: store.code, codes: [unit] }),
    });
    expect(((await inEnglish.json()) as { errors: Entry[] }).errors[0]?.detail).toBe(
      `Cannot ship to ${store.code}: it is a store, and a factory ships only to warehouses and distributors`,
    );

    // the brand's own place ships to its sites and customers, not to a store; it sees the store, so names it
    const byBrand = await scan('admin', { kind: 'ship', to: store.code, codes: [unit] });
    expect(toEntry(byBrand)).toEqual({
      pointer: '/body/to',
      code: 'scan.receiver_not_allowed',
      reason: 'kind',
      detail: `不能发货给 ${store.name}（${store.code}）：它是门店，品牌方只发货给仓库、经销商、工厂`,
    });

    // to one of the brand's warehouses: shipped
    const shipped = await scan('line', { kind: 'ship', to: 'W01', codes: [unit] });
    expect(shipped.status, JSON.stringify(shipped.body)).toBe(200);
    expect(await stateOf(unit)).toMatchObject({ status: 'in_transit' });
  });

  it("lets a distributor ship only to its own customers, refusing another distributor's store", async () => {
    const [mine, other] = [units[88] as string, units[89] as string];
    const [d] = await server.db.sql<{ code: string }[]>`
      select p.code from parties p join users u on u.tenant_id = p.tenant_id and u.party_id = p.id
      join tenants t on t.id = u.tenant_id where t.code = 'demo' and u.username = 'distributor'`;
    expect((await scan('line', { kind: 'commission', lot: 'L8', codes: [mine, other] })).status).toBe(200);
    expect((await scan('line', { kind: 'ship', to: d?.code, codes: [mine, other] })).status).toBe(200);
    expect((await scan('distributor', { kind: 'receive', codes: [mine, other] })).status).toBe(200);
    const [own, foreign] = [await party('own store'), await party('foreign store')];
    const before = await stateOf(other);

    const refused = await scan('distributor', { kind: 'ship', to: foreign.code, codes: [other] });
    expect(refused.status).toBe(422);
    // another distributor's store is outside this distributor's data scope: named by its code only
    expect(entries(refused)).toEqual([
      {
        pointer: '/body/to',
        code: 'scan.receiver_not_allowed',
        reason: 'not_own_customer',
        detail: `不能发货给 ${foreign.code}：它不是本经销商的下级客户（经销商只发货给自己供货的门店和二级经销商）`,
      },
    ]);
    expect(await stateOf(other)).toEqual(before);
    expect(before).toMatchObject({ holder: d?.code, status: 'received' });
    // nor back up the channel, to a warehouse
    expect(toEntry(await scan('distributor', { kind: 'ship', to: 'W01', codes: [other] }))).toMatchObject({ reason: 'kind' });

    const shipped = await scan('distributor', { kind: 'ship', to: own.code, codes: [mine] });
    expect(shipped.status, JSON.stringify(shipped.body)).toBe(200);
    expect(await stateOf(mine)).toMatchObject({ status: 'in_transit' });
  });

  it('refuses shipping to the place itself and to an inactive party', async () => {
    const self = await scan('warehouse', { kind: 'ship', to: 'W01', codes: [units[87]] });
    expect(toEntry(self)).toEqual({
      pointer: '/body/to',
      code: 'scan.receiver_not_allowed',
      reason: 'self',
      detail: '不能发货给本处自己：北京中心仓（W01）',
    });

    const created = await api('admin', 'POST', '/api/v1/parties', {
      code: 'W91',
      name: '停用仓',
      kind: 'warehouse',
      gln: '6999990000913',
      parentCode: 'BRAND',
      districtCode: '110105',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await server.db.sql`update parties set status = 'inactive' where code = 'W91'`;
    const inactive = await scan('line', { kind: 'ship', to: 'W91', codes: [units[87]] });
    expect(toEntry(inactive)).toEqual({
      pointer: '/body/to',
      code: 'scan.receiver_not_allowed',
      reason: 'inactive',
      detail: '不能发货给 W91：该渠道成员已停用',
    });
  });
});
