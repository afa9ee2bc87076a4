import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentEvents, eventHashId, hashContext } from '../../src/modules/trace/epcis/event-hash.ts';
import { validateEpcisDocument } from '../../src/modules/trace/epcis/validate.ts';
import { loginAs, startTestServer, type TestServer } from '../support/app.ts';

const EXAMPLES = fileURLToPath(new URL('../../../shared/epcis/gs1/JSON/', import.meta.url));
const haveExamples = existsSync(EXAMPLES);
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => (statSync(path.join(dir, f)).isDirectory() ? files(path.join(dir, f)) : [path.join(dir, f)]));

let server: TestServer;
let token: string;
beforeAll(async () => {
  server = await startTestServer();
  token = await loginAs(server.baseUrl, 'admin');
});
afterAll(async () => server?.close());

async function capture(doc: unknown, contentType = 'application/ld+json', headers: Record<string, string> = {}) {
  const r = await fetch(`${server.baseUrl}/epcis/capture`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': contentType, ...headers },
    body: JSON.stringify(doc),
  });
  return { status: r.status, location: r.headers.get('location'), body: (await r.json()) as Record<string, unknown> };
}

async function query(params: string, headers: Record<string, string> = {}) {
  const r = await fetch(`${server.baseUrl}/epcis/events?${params}`, { headers: { authorization: `Bearer ${token}`, ...headers } });
  const body = (await r.json()) as Record<string, unknown>;
  return { status: r.status, link: r.headers.get('link'), body, events: r.status === 200 ? documentEvents(body) : [] };
}

describe.skipIf(!haveExamples)('the 47 GS1 example documents (needs ../shared/epcis)', () => {
  const all = haveExamples ? files(EXAMPLES).sort() : [];

  it('finds all 47', () => expect(all).toHaveLength(47));

  it.each(all.map((f) => [path.relative(EXAMPLES, f), f]))('%s is captured and comes back intact', async (_name, file) => {
    const doc = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const sent = documentEvents(doc);
    const c = await capture(doc);
    expect(c.status, JSON.stringify(c.body)).toBe(202);
    expect(c.location).toMatch(/^\/epcis\/capture\/\d+$/);
    const ids = c.body.eventIDs as string[];
    expect(ids).toHaveLength(sent.length);
    for (const id of ids) expect(id).toMatch(/^ni:\/\/\/sha-256;[0-9a-f]{64}\?ver=CBV2\.0$/);

    const q = await query(`eventID=${encodeURIComponent(ids.join('|'))}&perPage=1000`);
    expect(q.status).toBe(200);
    expect(validateEpcisDocument(q.body).errors).toEqual([]);
    // an event another example already stored (same hash: a comment or eventID does not make it another event)
    // comes back as first stored; every other comes back exactly as sent
    const context = hashContext(q.body['@context']);
    const backByHash = new Map(q.events.map((e) => [eventHashId(e, context), e]));
    for (let i = 0; i < sent.length; i++) {
      const original = sent[i] as Record<string, unknown>;
      const back = backByHash.get(ids[i] as string);
      expect(back, `event ${i}`).toBeDefined();
      if (back?.eventID === (original.eventID ?? ids[i])) expect({ ...back }).toEqual({ ...original, eventID: original.eventID ?? ids[i] });
      else expect(c.body.newEvents).toBeLessThan(sent.length);
    }
  });

  it('stores an event captured twice once', async () => {
    const doc = JSON.parse(readFileSync(path.join(EXAMPLES, 'Example_9.6.1-ObjectEvent.jsonld'), 'utf8'));
    const again = await capture(doc);
    expect(again.status).toBe(202);
    expect(again.body.newEvents).toBe(0);
    const job = await fetch(`${server.baseUrl}${again.location}`, { headers: { authorization: `Bearer ${token}` } });
    expect(await job.json()).toMatchObject({ running: false, success: true, newEvents: 0 });
  });
});

describe('capture refuses bad documents and writes nothing', () => {
  const base = (events: unknown[]) => ({
    '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'],
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: '2026-01-01T00:00:00Z',
    epcisBody: { eventList: events },
  });
  const good = {
    type: 'ObjectEvent',
    eventTime: '2026-01-01T08:00:00.000Z',
    eventTimeZoneOffset: '+08:00',
    epcList: ['https://id.gs1.org/01/06901234000016/21/GOOD1'],
    action: 'OBSERVE',
    bizStep: 'inspecting',
  };

  it.each([
    ['a non-URI identifier', { ...good, epcList: ['ABC123'] }, 'epcis.identifier_not_uri'],
    ['an unknown CBV term without namespace', { ...good, bizStep: 'teleporting' }, 'epcis.unknown_cbv_term'],
    ['a missing eventTime', { ...good, eventTime: undefined }, 'epcis.missing_field'],
  ])('%s', async (_name, bad, code) => {
    const before = await query('MATCH_epc=https://id.gs1.org/01/06901234000016/21/GOOD1');
    const r = await capture(base([good, JSON.parse(JSON.stringify(bad))]));
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('epcis.invalid_document');
    const errors = r.body.errors as { pointer: string; code: string }[];
    expect(errors.map((e) => e.code)).toContain(code);
    expect(errors.every((e) => e.pointer.startsWith('/epcisBody/eventList/1'))).toBe(true);
    const after = await query('MATCH_epc=https://id.gs1.org/01/06901234000016/21/GOOD1');
    expect(after.events.length).toBe(before.events.length);
  });

  it('says what is wrong with a document of another type, with nothing left unfilled', async () => {
    const r = await capture({ type: 'Foo' });
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual([
      {
        pointer: '/type',
        code: 'epcis.not_a_document',
        detail: '不是 EPCIS 文档："Foo" 既不是 EPCIS 文档类型（EPCISDocument、EPCISQueryDocument），也不是事件类型',
      },
    ]);
  });

  it('answers a malformed document in zh-CN by default and in English on request, with the same codes and pointers', async () => {
    const { eventTime: _, ...noTime } = good;
    const { epcList: __, ...noWhat } = good;
    const malformed = base([
      noTime,
      { ...good, epcList: ['ABC123'], bizStep: 'teleporting' },
      { ...good, quantityList: [{ epcClass: 'urn:epc:class:lgtin:6901234.012345.L1', quantity: '12', uom: 'KGM' }] },
      noWhat,
      { ...good, eventTime: '2026-01-01 08:00', action: 'MOVE' },
    ]);
    const zh = await capture(malformed);
    const en = await capture(malformed, 'application/ld+json', { 'accept-language': 'en-GB,en;q=0.9' });
    for (const r of [zh, en]) {
      expect(r.status).toBe(400);
      expect(r.body.code).toBe('epcis.invalid_document');
    }
    const entries = (r: { body: Record<string, unknown> }) => r.body.errors as { pointer: string; code: string; detail: string }[];
    const at = (r: { body: Record<string, unknown> }) => entries(r).map((e) => [e.pointer, e.code]);
    expect(at(zh)).toEqual(at(en));
    expect(at(zh)).toEqual([
      ['/epcisBody/eventList/0/eventTime', 'epcis.missing_field'],
      ['/epcisBody/eventList/1/epcList/0', 'epcis.identifier_not_uri'],
      ['/epcisBody/eventList/1/bizStep', 'epcis.unknown_cbv_term'],
      ['/epcisBody/eventList/2/quantityList/0/quantity', 'epcis.wrong_type'],
      ['/epcisBody/eventList/3/epcList', 'epcis.missing_field'],
      ['/epcisBody/eventList/4/eventTime', 'epcis.invalid_time'],
      ['/epcisBody/eventList/4/action', 'epcis.schema'],
    ]);
    expect(entries(zh).map((e) => e.detail)).toEqual([
      '缺少字段：该事件需要 "eventTime"',
      '标识不是 URI：EPC "ABC123" 不是 URI（请使用 EPC URI，如 urn:epc:id:sgtin:...，或 GS1 Digital Link URI）',
      expect.stringMatching(/^未知的 CBV 术语：bizStep "teleporting" 既不是 CBV 2\.0 术语（.* 等 \d+ 个），也不是带命名空间的 URI$/),
      '类型错误：“quantityList/0/quantity”应为数字',
      '缺少字段：该事件需要 "epcList"、"quantityList" 或 "sensorElementList" 及 "readPoint"',
      '时间格式无效：“eventTime”应为带时区的日期时间，如 2024-05-01T08:00:00.000+08:00',
      '不符合 EPCIS 2.0 JSON Schema：“action”应为以下之一：OBSERVE、ADD、DELETE',
    ]);
    expect(zh.body.title).toBe('EPCIS 文档无效：7 处错误，未写入任何事件');
    expect(entries(en).map((e) => e.detail)).toEqual([
      'Missing field: the event needs "eventTime"',
      'The identifier is not a URI: EPC "ABC123" is not a URI (use an EPC URI such as urn:epc:id:sgtin:... or a GS1 Digital Link URI)',
      expect.stringMatching(/^Unknown CBV term: bizStep "teleporting" is neither a CBV 2\.0 term \(.*\) nor a URI with a namespace$/),
      'Wrong type: quantityList/0/quantity must be a number',
      'Missing field: the event needs "epcList", "quantityList" or "sensorElementList" with "readPoint"',
      'Invalid time: eventTime must be a date-time with time zone, e.g. 2024-05-01T08:00:00.000+08:00',
      'Does not match the EPCIS 2.0 JSON Schema: action must be one of OBSERVE, ADD, DELETE',
    ]);
  });

  it('words an unknown term in the CBV namespace truly in both languages: it has a namespace, it is just not a CBV 2.0 term', async () => {
    const doc = base([good, { ...good, disposition: 'https://ref.gs1.org/cbv/Disp-teleported' }]);
    const zh = await capture(doc);
    const en = await capture(doc, 'application/ld+json', { 'accept-language': 'en' });
    expect([zh.status, en.status]).toEqual([400, 400]);
    const pointer = '/epcisBody/eventList/1/disposition';
    expect(zh.body.errors).toEqual([
      {
        pointer,
        code: 'epcis.unknown_cbv_term',
        detail: '未知的 CBV 术语：disposition "https://ref.gs1.org/cbv/Disp-teleported" 在 CBV 命名空间内，但不是 CBV 2.0 术语',
      },
    ]);
    expect(en.body.errors).toEqual([
      {
        pointer,
        code: 'epcis.unknown_cbv_term',
        detail: 'Unknown CBV term: disposition "https://ref.gs1.org/cbv/Disp-teleported" is in the CBV namespace but is not a CBV 2.0 term',
      },
    ]);
  });

  it('says in the requester’s language that capture takes a document, not a single event', async () => {
    const single = { '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'], ...good };
    const zh = await capture(single);
    const en = await capture(single, 'application/ld+json', { 'accept-language': 'en' });
    expect([zh.status, en.status]).toEqual([400, 400]);
    expect(zh.body.errors).toEqual([
      { pointer: '/type', code: 'epcis.schema', detail: expect.stringMatching(/：采集接口只接受 EPCIS 文档/) },
    ]);
    expect(en.body.errors).toEqual([
      { pointer: '/type', code: 'epcis.schema', detail: 'Does not match the EPCIS 2.0 JSON Schema: capture takes an EPCIS document' },
    ]);
  });

  it('answers malformed JSON with a problem', async () => {
    const r = await fetch(`${server.baseUrl}/epcis/capture`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{"type": "EPCISDocument",',
    });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { code: string }).code).toBe('request.malformed_json');
  });
});

describe('query', () => {
  const doc = (events: unknown[]) => ({
    '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'],
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: '2026-02-01T00:00:00Z',
    epcisBody: { eventList: events },
  });
  const unit = (n: number) => `https://id.gs1.org/01/06901234000016/21/Q${n}`;

  beforeAll(async () => {
    const events = Array.from({ length: 7 }, (_, i) => ({
      type: 'ObjectEvent',
      eventTime: `2026-02-01T0${i}:00:00.000Z`,
      eventTimeZoneOffset: '+08:00',
      epcList: [unit(i)],
      action: 'OBSERVE',
      bizStep: i % 2 ? 'shipping' : 'receiving',
      bizTransactionList: [{ type: 'po', bizTransaction: `urn:epcglobal:cbv:bt:0614141073467:PO-${i}` }],
    }));
    expect((await capture(doc(events))).status).toBe(202);
  });

  it('matches a code written as an EPC URN or as a Digital Link on any host', async () => {
    const urn = await query(`MATCH_epc=${encodeURIComponent('urn:epc:id:sgtin:6901234.000001.Q3')}`);
    const dl = await query(`MATCH_epc=${encodeURIComponent('https://example.com/01/06901234000016/21/Q3')}`);
    expect(urn.events).toHaveLength(1);
    expect(dl.events).toEqual(urn.events);
  });

  it('filters by business step in bare or URI form, time and business transaction', async () => {
    const pattern = encodeURIComponent('urn:epc:idpat:sgtin:6901234.000001.*');
    const bare = await query(`EQ_bizStep=shipping&MATCH_epc=${pattern}`);
    const uri = await query(`EQ_bizStep=${encodeURIComponent('https://ref.gs1.org/cbv/BizStep-shipping')}&MATCH_epc=${pattern}`);
    expect(bare.events.map((e) => e.epcList)).toEqual([[unit(1)], [unit(3)], [unit(5)]]);
    expect(uri.events).toEqual(bare.events);
    const timed = await query(`GE_eventTime=2026-02-01T02:00:00Z&LT_eventTime=2026-02-01T04:00:00Z&MATCH_epc=${pattern}`);
    expect(timed.events.map((e) => e.epcList)).toEqual([[unit(2)], [unit(3)]]);
    const po = await query(`EQ_bizTransaction_po=${encodeURIComponent('urn:epcglobal:cbv:bt:0614141073467:PO-4')}`);
    expect(po.events.map((e) => e.epcList)).toEqual([[unit(4)]]);
  });

  it('pages with perPage and a next link until the last page', async () => {
    const pattern = encodeURIComponent('urn:epc:idpat:sgtin:6901234.000001.*');
    const seen: unknown[] = [];
    let next: string | null = `/epcis/events?MATCH_epc=${pattern}&perPage=3`;
    let pages = 0;
    while (next) {
      const r: Response = await fetch(`${server.baseUrl}${next}`, { headers: { authorization: `Bearer ${token}` } });
      const body = (await r.json()) as Record<string, unknown>;
      seen.push(...documentEvents(body).map((e) => e.epcList));
      next = /<([^>]+)>; rel="next"/.exec(r.headers.get('link') ?? '')?.[1] ?? null;
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(Array.from({ length: 7 }, (_, i) => [unit(i)]));
  });

  it('answers in EPC URNs or Digital Links as GS1-EPC-Format asks', async () => {
    const asUrn = await query(`MATCH_epc=${encodeURIComponent(unit(6))}`, { 'GS1-EPC-Format': 'Always_EPC_URN' });
    expect(asUrn.events[0]?.epcList).toEqual(['urn:epc:id:sgtin:6901234.000001.Q6']);
    const asDl = await query(`MATCH_epc=${encodeURIComponent(unit(6))}`, { 'GS1-EPC-Format': 'Always_GS1_Digital_Link' });
    expect(asDl.events[0]?.epcList).toEqual([unit(6)]);
  });

  it('matches the children of a packing and of an unpacking by MATCH_epc and MATCH_anyEPC, not by MATCH_parentID', async () => {
    const box = 'https://id.gs1.org/01/16901234000013/21/QBOX';
    const children = [unit(20), unit(21)];
    const packing = {
      type: 'AggregationEvent',
      eventTime: '2026-02-02T01:00:00.000Z',
      eventTimeZoneOffset: '+08:00',
      parentID: box,
      childEPCs: children,
      action: 'ADD',
      bizStep: 'packing',
    };
    const unpacking = { ...packing, eventTime: '2026-02-02T02:00:00.000Z', action: 'DELETE', bizStep: 'unpacking' };
    expect((await capture(doc([packing, unpacking]))).status).toBe(202);
    for (const p of ['MATCH_epc', 'MATCH_anyEPC']) {
      const r = await query(`${p}=${encodeURIComponent(unit(21))}`);
      expect(r.events.map((e) => e.action)).toEqual(['ADD', 'DELETE']);
    }
    expect((await query(`MATCH_parentID=${encodeURIComponent(unit(21))}`)).events).toEqual([]);
    expect((await query(`MATCH_parentID=${encodeURIComponent(box)}`)).events).toHaveLength(2);
    const pattern = encodeURIComponent('urn:epc:idpat:sgtin:6901234.000001.*');
    expect((await query(`EQ_bizStep=packing&MATCH_epc=${pattern}`)).events).toHaveLength(1);
  });

  it('refuses a packing cycle (a container into itself or into what it contains) and stores nothing of the document', async () => {
    const box = 'https://id.gs1.org/01/16901234000013/21/CYC1';
    const pallet = 'https://id.gs1.org/01/26901234000010/21/CYC2';
    const at = (m: number) => `2026-02-03T01:0${m}:00.000Z`;
    const packing = (m: number, parentID: string, childEPCs: string[]) => ({
      type: 'AggregationEvent',
      eventTime: at(m),
      eventTimeZoneOffset: '+08:00',
      parentID,
      childEPCs,
      action: 'ADD',
      bizStep: 'packing',
    });
    const itself = await capture(doc([packing(0, box, [box])]));
    expect(itself.status).toBe(400);
    expect(itself.body.errors).toEqual([
      expect.objectContaining({ pointer: '/epcisBody/eventList/0/childEPCs', code: 'epcis.packing_cycle' }),
    ]);
    // the box onto the pallet, then the pallet into the box: in one document, and across two
    const inOne = await capture(doc([packing(1, pallet, [box]), packing(2, box, [pallet])]));
    expect(inOne.status).toBe(400);
    expect((await query(`MATCH_parentID=${encodeURIComponent(pallet)}`)).events).toEqual([]);
    expect((await capture(doc([packing(1, pallet, [box])]))).status).toBe(202);
    const later = await capture(doc([packing(3, unit(30) as string, [unit(31)]), packing(4, box, [pallet])]));
    expect(later.status).toBe(400);
    expect(later.body.errors).toEqual([expect.objectContaining({ pointer: '/epcisBody/eventList/1/childEPCs' })]);
    expect((await query(`MATCH_parentID=${encodeURIComponent(unit(30))}`)).events).toEqual([]);
  });

  it('refuses an unknown parameter and a bad time with a problem', async () => {
    expect((await query('EQ_colour=red')).body.code).toBe('request.invalid');
    expect((await query('GE_eventTime=yesterday')).status).toBe(400);
  });
});

describe('a party captures only what happens at its own place, to codes it holds', () => {
  async function captureAs(user: string, events: object[]) {
    const r = await fetch(`${server.baseUrl}/epcis/capture`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await loginAs(server.baseUrl, user)}`, 'content-type': 'application/ld+json' },
      body: JSON.stringify({
        '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'],
        type: 'EPCISDocument',
        schemaVersion: '2.0',
        creationDate: '2026-11-01T00:00:00Z',
        epcisBody: { eventList: events },
      }),
    });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  }
  const faults = (body: Record<string, unknown>) =>
    (body.errors as { pointer: string; code: string }[]).map((e) => [e.pointer, e.code]).sort((a, b) => String(a).localeCompare(String(b)));

  it('refuses a destruction, a shipment or a place that is not the actor’s, and stores nothing of the document', async () => {
    const sql = server.db.sql;
    const glnOf = async (code: string) =>
      (
        await sql<
          { gln: string }[]
        >`select gln from parties where code = ${code} and tenant_id = (select id from tenants where code = 'demo')`
      )[0]?.gln as string;
    const [f01, d0001] = [await glnOf('F01'), await glnOf('D0001')];
    // the clerk's own store
    const [clerkStore] = await sql<{ gln: string }[]>`
      select p.gln from parties p join users u on u.tenant_id = p.tenant_id and u.party_id = p.id
      where u.username = 'clerk' and p.tenant_id = (select id from tenants where code = 'demo')`;
    const s1 = clerkStore?.gln as string;
    const [unitGtin] = await sql<{ gtin: string }[]>`select gtin from packaging_levels where level = 'unit' order by gtin limit 1`;
    const unit = (serial: string) => `https://id.gs1.org/01/${unitGtin?.gtin}/21/${serial}`;
    const at = (gln: string) => ({ id: `https://id.gs1.org/414/${gln}` });
    const event = (minute: number, fields: object) => ({
      type: 'ObjectEvent',
      eventTime: `2026-11-01T00:${String(minute).padStart(2, '0')}:00Z`,
      eventTimeZoneOffset: '+08:00',
      ...fields,
    });
    const stateOf = async (serial: string) =>
      (
        await sql<{ status: string; holder: string | null }[]>`
        select n.status, p.code as holder from code_now n left join parties p on p.id = n.holder_party_id where n.epc = ${unit(serial)}`
      )[0];

    // the factory's line commissions at its own place
    const made = await captureAs('line', [
      event(1, {
        epcList: [unit('SCOPE1'), unit('SCOPE2')],
        action: 'ADD',
        bizStep: 'commissioning',
        disposition: 'active',
        readPoint: at(f01),
        bizLocation: at(f01),
      }),
    ]);
    expect(made.status, JSON.stringify(made.body)).toBe(202);
    expect(await stateOf('SCOPE1')).toEqual({ status: 'commissioned', holder: 'F01' });

    // a distributor cannot destroy the factory's unit (nor capture without saying where), nor ship from the factory
    const forged = await captureAs('distributor', [
      event(2, { epcList: [unit('SCOPE1')], action: 'DELETE', bizStep: 'destroying', disposition: 'destroyed' }),
      event(3, {
        epcList: [unit('SCOPE2')],
        action: 'OBSERVE',
        bizStep: 'shipping',
        disposition: 'in_transit',
        readPoint: at(f01),
        bizLocation: at(f01),
      }),
    ]);
    expect(forged.status).toBe(403);
    expect(forged.body.code).toBe('epcis.not_yours');
    expect(faults(forged.body)).toEqual([
      ['/epcisBody/eventList/0', 'epcis.code_not_held'],
      ['/epcisBody/eventList/0/bizLocation', 'epcis.location_required'],
      ['/epcisBody/eventList/1', 'epcis.code_not_held'],
      ['/epcisBody/eventList/1/bizLocation/id', 'epcis.not_your_location'],
      ['/epcisBody/eventList/1/readPoint/id', 'epcis.not_your_location'],
    ]);
    expect(await stateOf('SCOPE1')).toEqual({ status: 'commissioned', holder: 'F01' });

    // a store does not ship, even at its own place
    const clerk = await captureAs('clerk', [
      event(4, { epcList: [unit('SCOPE2')], action: 'OBSERVE', bizStep: 'shipping', readPoint: at(s1), bizLocation: at(s1) }),
    ]);
    expect(clerk.status).toBe(403);
    expect(faults(clerk.body)).toEqual([
      ['/epcisBody/eventList/0', 'epcis.code_not_held'],
      ['/epcisBody/eventList/0/bizStep', 'epcis.step_not_here'],
    ]);

    // what each may do: the factory ships its unit to the distributor, who receives it at its own place
    const shipped = await captureAs('line', [
      event(5, {
        epcList: [unit('SCOPE2')],
        action: 'OBSERVE',
        bizStep: 'shipping',
        disposition: 'in_transit',
        readPoint: at(f01),
        bizLocation: at(f01),
        destinationList: [{ type: 'owning_party', destination: `https://id.gs1.org/417/${d0001}` }],
      }),
    ]);
    expect(shipped.status, JSON.stringify(shipped.body)).toBe(202);
    const received = await captureAs('distributor', [
      event(6, { epcList: [unit('SCOPE2')], action: 'OBSERVE', bizStep: 'receiving', readPoint: at(d0001), bizLocation: at(d0001) }),
    ]);
    expect(received.status, JSON.stringify(received.body)).toBe(202);
    expect(await stateOf('SCOPE2')).toEqual({ status: 'received', holder: 'D0001' });
  });
});
