import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, startTestServer, type TestServer } from '../support/app.ts';
import { captureOverHttp } from '../support/epcis.ts';

/**
 * The life of 48 units of one lot through the demo channel, captured as EPCIS events over HTTP:
 * commissioned at the factory, packed 24 to a case and two cases onto a pallet, the pallet shipped to a
 * Beijing distributor, unpacked there, one case shipped on to a store in Nanchang (outside the
 * distributor's territory). The projections, the journey, the recall and the diversion alert must agree.
 */
const UNIT_GTIN = '06901234001013';
const CASE_GTIN = '16901234001010';
const PALLET_GTIN = '26901234001017';
const LOT = 'L20260301';
const unit = (i: number) => `https://id.gs1.org/01/${UNIT_GTIN}/21/U${String(i).padStart(3, '0')}`;
const caseCode = (i: number) => `https://id.gs1.org/01/${CASE_GTIN}/21/C${i}`;
const pallet = `https://id.gs1.org/01/${PALLET_GTIN}/21/P1`;
const at = (gln: string) => ({ id: `https://id.gs1.org/414/${gln}` });

let server: TestServer;
let token: string;
let gln: Record<string, string>;
let partyId: Record<string, number>;

const capture = (events: object[]) => captureOverHttp(server.baseUrl, token, events);

const time = (minute: number) => `2026-03-01T08:${String(minute).padStart(2, '0')}:00.000Z`;

beforeAll(async () => {
  server = await startTestServer();
  token = await loginAs(server.baseUrl, 'admin');
  const rows = await server.db.sql<{ code: string; gln: string; id: number }[]>`
    select p.code, p.gln, p.id from parties p join tenants t on t.id = p.tenant_id
    where t.code = 'demo' and p.code in ('F01', 'D0001', 'S000001', 'S001681')`;
  gln = Object.fromEntries(rows.map((r) => [r.code, r.gln]));
  partyId = Object.fromEntries(rows.map((r) => [r.code, Number(r.id)]));

  const units = Array.from({ length: 48 }, (_, i) => unit(i));
  await capture([
    {
      type: 'ObjectEvent',
      eventTime: time(0),
      eventTimeZoneOffset: '+08:00',
      epcList: [...units, caseCode(1), caseCode(2), pallet],
      action: 'ADD',
      bizStep: 'commissioning',
      disposition: 'active',
      bizLocation: at(gln.F01 as string),
      ilmd: { 'cbvmda:lotNumber': LOT },
    },
    ...[1, 2].map((c) => ({
      type: 'AggregationEvent',
      eventTime: time(c),
      eventTimeZoneOffset: '+08:00',
      parentID: caseCode(c),
      childEPCs: units.slice((c - 1) * 24, c * 24),
      action: 'ADD',
      bizStep: 'packing',
      bizLocation: at(gln.F01 as string),
    })),
    {
      type: 'AggregationEvent',
      eventTime: time(3),
      eventTimeZoneOffset: '+08:00',
      parentID: pallet,
      childEPCs: [caseCode(1), caseCode(2)],
      action: 'ADD',
      bizStep: 'packing',
      bizLocation: at(gln.F01 as string),
    },
  ]);
  // shipped and received in separate documents, as separate scans would be
  await capture([
    {
      type: 'ObjectEvent',
      eventTime: time(10),
      eventTimeZoneOffset: '+08:00',
      epcList: [pallet],
      action: 'OBSERVE',
      bizStep: 'shipping',
      disposition: 'in_transit',
      bizLocation: at(gln.F01 as string),
      bizTransactionList: [{ type: 'po', bizTransaction: 'urn:epcglobal:cbv:bt:6934560000016:SO-1001' }],
      destinationList: [{ type: 'owning_party', destination: `https://id.gs1.org/417/${gln.D0001}` }],
    },
  ]);
  await capture([
    {
      type: 'ObjectEvent',
      eventTime: time(20),
      eventTimeZoneOffset: '+08:00',
      epcList: [pallet],
      action: 'OBSERVE',
      bizStep: 'receiving',
      disposition: 'in_progress',
      bizLocation: at(gln.D0001 as string),
    },
    {
      type: 'AggregationEvent',
      eventTime: time(21),
      eventTimeZoneOffset: '+08:00',
      parentID: pallet,
      childEPCs: [],
      action: 'DELETE',
      bizStep: 'unpacking',
      bizLocation: at(gln.D0001 as string),
    },
  ]);
  for (const [minute, step, where, c] of [
    [30, 'shipping', 'D0001', 1],
    [40, 'receiving', 'S000001', 1],
    [31, 'shipping', 'D0001', 2],
    [41, 'receiving', 'S001681', 2],
  ] as const) {
    await capture([
      {
        type: 'ObjectEvent',
        eventTime: time(minute),
        eventTimeZoneOffset: '+08:00',
        epcList: [caseCode(c)],
        action: 'OBSERVE',
        bizStep: step,
        bizLocation: at(gln[where] as string),
        ...(step === 'shipping'
          ? { destinationList: [{ type: 'owning_party', destination: `https://id.gs1.org/417/${gln[c === 1 ? 'S000001' : 'S001681']}` }] }
          : {}),
      },
    ]);
  }
});
afterAll(async () => server?.close());

async function get<T>(path: string): Promise<T> {
  const r = await fetch(`${server.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  expect(r.status, path).toBe(200);
  return (await r.json()) as T;
}

describe('a lot travels the channel', () => {
  it('knows where each unit is now, in what, and who holds it', async () => {
    const j = await get<{ state: Record<string, unknown> }>(`/api/v1/codes/${encodeURIComponent(unit(5))}/journey`);
    expect(j.state).toMatchObject({ gtin: UNIT_GTIN, level: 'unit', lot: LOT, status: 'received', parent: caseCode(1), top: caseCode(1) });
    expect((j.state.holder as { code: string }).code).toBe('S000001');
  });

  it('keeps stock per holder, product and lot in units', async () => {
    const rows = await server.db.sql<{ holder: number; on_hand: number; in_transit_in: number }[]>`
      select holder_party_id as holder, on_hand::int, in_transit_in::int from stock where gtin = ${UNIT_GTIN} and lot = ${LOT}`;
    const of = (code: string) => rows.find((r) => Number(r.holder) === partyId[code]);
    expect(of('F01')).toMatchObject({ on_hand: 0, in_transit_in: 0 });
    expect(of('D0001')).toMatchObject({ on_hand: 0, in_transit_in: 0 });
    expect(of('S000001')).toMatchObject({ on_hand: 24, in_transit_in: 0 });
    expect(of('S001681')).toMatchObject({ on_hand: 24, in_transit_in: 0 });
  });

  it("shows a unit's journey through its case and pallet, only while it was inside them", async () => {
    const j = await get<{ events: { bizStep: string; via: string; bizLocation: { partyCode?: string } | null; eventTime: string }[] }>(
      `/api/v1/codes/${encodeURIComponent(unit(5))}/journey`,
    );
    expect(j.events.map((e) => [e.bizStep, e.via, e.bizLocation?.partyCode])).toEqual([
      ['commissioning', unit(5), 'F01'],
      ['packing', unit(5), 'F01'],
      ['packing', caseCode(1), 'F01'],
      ['shipping', pallet, 'F01'],
      ['receiving', pallet, 'D0001'],
      ['unpacking', pallet, 'D0001'],
      ['shipping', caseCode(1), 'D0001'],
      ['receiving', caseCode(1), 'S000001'],
    ]);
  });

  it('finds the same journey from the serial alone or the EPC URN', async () => {
    const bySerial = await get<{ code: string }>('/api/v1/codes/U005/journey');
    const byUrn = await get<{ code: string }>(`/api/v1/codes/${encodeURIComponent('urn:epc:id:sgtin:6901234.000101.U005')}/journey`);
    expect(bySerial.code).toBe(unit(5));
    expect(byUrn.code).toBe(unit(5));
  });

  it('recalls the lot: every unit, who holds it, per province, and marks it', async () => {
    const report = await get<{ units: number; containers: number; byHolder: { partyCode: string; units: number }[] }>(
      `/api/v1/recalls/lot?gtin=${UNIT_GTIN}&lot=${LOT}`,
    );
    expect(report.units).toBe(48);
    expect(report.containers).toBe(2);
    expect(report.byHolder.map((h) => [h.partyCode, h.units]).sort()).toEqual([
      ['S000001', 24],
      ['S001681', 24],
    ]);
    const open = await fetch(`${server.baseUrl}/api/v1/recalls`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ gtin: UNIT_GTIN, lot: LOT, reason: '抽检不合格 failed inspection' }),
    });
    expect(open.status).toBe(201);
    const again = await fetch(`${server.baseUrl}/api/v1/recalls`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ gtin: UNIT_GTIN, lot: LOT, reason: 'again' }),
    });
    expect(again.status).toBe(200);
    const xlsx = await fetch(`${server.baseUrl}/api/v1/recalls/lot/export?gtin=${UNIT_GTIN}&lot=${LOT}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(xlsx.headers.get('content-type')).toContain('spreadsheetml');
    expect((await xlsx.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    // every unit, case and pallet of the lot, one line each, with where it is now
    const csv = await fetch(`${server.baseUrl}/api/v1/recalls/lot/codes?gtin=${UNIT_GTIN}&lot=${LOT}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = (await csv.text())
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/);
    expect(lines).toHaveLength(1 + 48 + 2 + 1);
    const line = (code: string) => lines.find((l) => l.startsWith(code));
    expect(line(unit(5))).toMatch(/,unit,received,/);
    expect(line(unit(5))).toContain('S000001');
    const bad = await fetch(`${server.baseUrl}/api/v1/recalls/lot/codes?gtin=123&lot=${LOT}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(bad.status).toBe(400);
  });

  it('raises a diversion alert for the case received outside the distributor territory, not for the one inside', async () => {
    const alerts = await get<{ items: { code: string; distributor: { code: string }; actual: { code: string }; scanKind: string }[] }>(
      '/api/v1/diversion/alerts',
    );
    expect(alerts.items.map((a) => [a.code, a.distributor.code, a.actual.code.slice(0, 4), a.scanKind])).toEqual([
      [caseCode(1), 'D0001', '3601', 'receive'],
    ]);
  });

  it('gives a market inspector the evidence at once and records the diversion where the unit was found', async () => {
    const inspector = await loginAs(server.baseUrl, 'inspector');
    const r = await fetch(`${server.baseUrl}/api/v1/inspections`, {
      method: 'POST',
      headers: { authorization: `Bearer ${inspector}`, 'content-type': 'application/json' },
      body: JSON.stringify({ code: unit(30), divisionCode: '440305' }),
    });
    expect(r.status).toBe(200);
    const evidence = (await r.json()) as Record<string, unknown>;
    expect(evidence).toMatchObject({
      diverted: true,
      distributor: { code: 'D0001', territories: [{ code: '1101' }] },
      orders: ['urn:epcglobal:cbv:bt:6934560000016:SO-1001'],
    });
    expect((evidence.path as unknown[]).length).toBeGreaterThanOrEqual(6);
    expect(evidence.alertId).toBeTypeOf('number');
    const inBeijing = await fetch(`${server.baseUrl}/api/v1/inspections`, {
      method: 'POST',
      headers: { authorization: `Bearer ${inspector}`, 'content-type': 'application/json' },
      body: JSON.stringify({ code: unit(31), divisionCode: '110105' }),
    });
    expect(((await inBeijing.json()) as { diverted: boolean }).diverted).toBe(false);
  });

  it("flags a distributor's shipments into one city beyond the brand's monthly cap", async () => {
    const rules = await fetch(`${server.baseUrl}/api/v1/diversion/rules`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ level: 4, exemptPartyIds: [], monthlyCityCapUnits: 30 }),
    });
    expect(rules.status).toBe(200);
    expect(await get('/api/v1/diversion/rules')).toMatchObject({ level: 4, monthlyCityCapUnits: 30 });
    const more = Array.from({ length: 24 }, (_, i) => unit(100 + i));
    await capture([
      {
        type: 'ObjectEvent',
        eventTime: time(50),
        eventTimeZoneOffset: '+08:00',
        epcList: [...more, caseCode(3), unit(124)],
        action: 'ADD',
        bizStep: 'commissioning',
        bizLocation: at(gln.D0001 as string),
      },
      {
        type: 'AggregationEvent',
        eventTime: time(51),
        eventTimeZoneOffset: '+08:00',
        parentID: caseCode(3),
        childEPCs: more,
        action: 'ADD',
        bizStep: 'packing',
        bizLocation: at(gln.D0001 as string),
      },
      ...[52, 53].map((m) => ({
        type: 'ObjectEvent',
        eventTime: time(m),
        eventTimeZoneOffset: '+08:00',
        epcList: [m === 52 ? caseCode(3) : unit(124)],
        action: 'OBSERVE',
        bizStep: 'shipping',
        bizLocation: at(gln.D0001 as string),
        destinationList: [{ type: 'owning_party', destination: `https://id.gs1.org/417/${gln.S001681}` }],
      })),
    ]);
    const alerts = await get<{ items: { scanKind: string; evidence: { units: number; cap: number } }[] }>('/api/v1/diversion/alerts');
    const caps = alerts.items.filter((a) => a.scanKind === 'monthly_cap');
    expect(caps.length).toBeGreaterThanOrEqual(1);
    expect(caps[0]?.evidence.cap).toBe(30);
  });

  it("names a shipment's destination that no event of the journey has happened at yet, to those who may see that party", async () => {
    type Answer = {
      parties: { gln: string; code: string; name: string }[];
      events: { bizStep: string; destinations: { destination: string }[] }[];
    };
    const journeyOf = async (code: string, as = token) => {
      const r = await fetch(`${server.baseUrl}/api/v1/codes/${encodeURIComponent(code)}/journey`, {
        headers: { authorization: `Bearer ${as}` },
      });
      expect(r.status).toBe(200);
      return (await r.json()) as Answer;
    };
    const stores = await server.db.sql<{ code: string; gln: string; name: string; below: boolean }[]>`
      select p.code, p.gln, p.name, (p.parent_id = d.id or p.parent_id in (select c.id from parties c where c.parent_id = d.id)) as below
      from parties p join parties d on d.tenant_id = p.tenant_id and d.id = ${partyId.D0001 as number}
      where p.kind = 'store' and p.gln is not null and p.code in ('S001681', 'S000001')`;
    const inside = stores.find((x) => x.code === 'S001681');
    const outside = stores.find((x) => x.code === 'S000001');
    if (!inside?.below || !outside || outside.below) throw new Error(`the demo channel changed: ${JSON.stringify(stores)}`);
    // unit 124 was shipped from D0001 to its store S001681 (previous test) and not received: only its destination names it
    const shipped = await journeyOf(unit(124));
    expect(shipped.events.map((e) => [e.bizStep, e.destinations.map((d) => d.destination)])).toEqual([
      ['commissioning', []],
      ['shipping', [`https://id.gs1.org/417/${inside.gln}`]],
    ]);
    expect(shipped.parties).toEqual([{ gln: inside.gln, id: expect.any(Number), code: inside.code, name: inside.name, kind: 'store' }]);
    // D0001's admin sees its own store by name too
    const distributor = await loginAs(server.baseUrl, 'distributor');
    expect((await journeyOf(unit(124), distributor)).parties.map((p) => p.name)).toEqual([inside.name]);

    // unit 125 is shipped from D0001 to S000001, a store of another distributor, with D0001 named as the source
    await capture([
      {
        type: 'ObjectEvent',
        eventTime: time(54),
        eventTimeZoneOffset: '+08:00',
        epcList: [unit(125)],
        action: 'ADD',
        bizStep: 'commissioning',
        bizLocation: at(gln.D0001 as string),
      },
      {
        type: 'ObjectEvent',
        eventTime: time(55),
        eventTimeZoneOffset: '+08:00',
        epcList: [unit(125)],
        action: 'OBSERVE',
        bizStep: 'shipping',
        bizLocation: at(gln.D0001 as string),
        sourceList: [{ type: 'owning_party', source: `https://id.gs1.org/417/${gln.D0001}` }],
        destinationList: [{ type: 'owning_party', destination: `https://id.gs1.org/417/${outside.gln}` }],
      },
    ]);
    const [d0001] = await server.db.sql<{ name: string }[]>`select name from parties where id = ${partyId.D0001 as number}`;
    // the brand admin sees who both are
    expect((await journeyOf(unit(125))).parties.map((p) => [p.gln, p.name]).sort()).toEqual(
      [
        [gln.D0001, d0001?.name],
        [outside.gln, outside.name],
      ].sort(),
    );
    // D0001's admin sees the journey (it happened at D0001) but not who S000001 is: it stays a bare GLN
    const theirs = await journeyOf(unit(125), distributor);
    expect(theirs.parties.map((p) => [p.gln, p.name])).toEqual([[gln.D0001, d0001?.name]]);
    expect(JSON.stringify(theirs)).not.toContain(outside.name);
  });

  it('stores nothing twice when a device sends the same scan again', async () => {
    const again = await capture([
      {
        type: 'ObjectEvent',
        eventTime: time(40),
        eventTimeZoneOffset: '+08:00',
        epcList: [caseCode(1)],
        action: 'OBSERVE',
        bizStep: 'receiving',
        bizLocation: at(gln.S000001 as string),
      },
    ]);
    expect(again.newEvents).toBe(0);
    const [stock] = await server.db.sql<{ on_hand: number }[]>`
      select on_hand::int from stock where gtin = ${UNIT_GTIN} and lot = ${LOT} and holder_party_id = ${partyId.S000001 as number}`;
    expect(stock?.on_hand).toBe(24);
  });
});

describe('a unit sold out of its case', () => {
  // three units of another lot in case C9: the store sells V001 out of the open case, then inspects and unpacks the case
  const v = (i: number) => `https://id.gs1.org/01/${UNIT_GTIN}/21/V${String(i).padStart(3, '0')}`;
  const c9 = caseCode(9);
  const day2 = (minute: number) => `2026-03-02T08:${String(minute).padStart(2, '0')}:00.000Z`;
  const event = (minute: number, epcs: string[], bizStep: string, where: string, more: object = {}) => ({
    type: 'ObjectEvent',
    eventTime: day2(minute),
    eventTimeZoneOffset: '+08:00',
    epcList: epcs,
    action: 'OBSERVE',
    bizStep,
    bizLocation: at(gln[where] as string),
    ...more,
  });
  type Journey = {
    state: { parent: string | null; top: string; status: string };
    containers: { epc: string; parent: string; from: string; to: string | null }[];
    events: { bizStep: string; via: string; bizLocation: { partyCode?: string } | null; eventTime: string }[];
  };

  beforeAll(async () => {
    const to = (code: string) => ({ destinationList: [{ type: 'owning_party', destination: `https://id.gs1.org/417/${gln[code]}` }] });
    await capture([
      {
        ...event(0, [v(1), v(2), v(3), c9], 'commissioning', 'F01'),
        action: 'ADD',
        disposition: 'active',
        ilmd: { 'cbvmda:lotNumber': 'L20260302' },
      },
      {
        type: 'AggregationEvent',
        eventTime: day2(1),
        eventTimeZoneOffset: '+08:00',
        parentID: c9,
        childEPCs: [v(1), v(2), v(3)],
        action: 'ADD',
        bizStep: 'packing',
        bizLocation: at(gln.F01 as string),
      },
    ]);
    await capture([event(10, [c9], 'shipping', 'F01', to('D0001'))]);
    await capture([event(20, [c9], 'receiving', 'D0001')]);
    await capture([event(30, [c9], 'shipping', 'D0001', to('S000001'))]);
    await capture([event(40, [c9], 'receiving', 'S000001')]);
    await capture([event(50, [v(1)], 'retail_selling', 'S000001', { disposition: 'retail_sold' })]);
    // after the sale: the case looked at in the store, then unpacked there
    await capture([event(55, [c9], 'inspecting', 'S000001')]);
    await capture([
      {
        type: 'AggregationEvent',
        eventTime: day2(56),
        eventTimeZoneOffset: '+08:00',
        parentID: c9,
        childEPCs: [],
        action: 'DELETE',
        bizStep: 'unpacking',
        bizLocation: at(gln.S000001 as string),
      },
    ]);
  });

  it('was inside its case until the sale: the case’s later events are not its journey', async () => {
    const j = await get<Journey>(`/api/v1/codes/${encodeURIComponent(v(1))}/journey`);
    expect(j.events.map((e) => [e.bizStep, e.via, e.bizLocation?.partyCode])).toEqual([
      ['commissioning', v(1), 'F01'],
      ['packing', v(1), 'F01'],
      ['shipping', c9, 'F01'],
      ['receiving', c9, 'D0001'],
      ['shipping', c9, 'D0001'],
      ['receiving', c9, 'S000001'],
      ['retail_selling', v(1), 'S000001'],
    ]);
    expect(j.containers).toEqual([{ epc: c9, parent: v(1), from: day2(1), to: day2(50) }]);
    expect(j.state).toMatchObject({ parent: null, top: v(1) });
  });

  it('and a unit of the same case not sold was inside it until the case was unpacked', async () => {
    const j = await get<Journey>(`/api/v1/codes/${encodeURIComponent(v(2))}/journey`);
    expect(j.events.slice(-3).map((e) => [e.bizStep, e.via])).toEqual([
      ['receiving', c9],
      ['inspecting', c9],
      ['unpacking', c9],
    ]);
    expect(j.containers).toEqual([{ epc: c9, parent: v(2), from: day2(1), to: day2(56) }]);
  });

  it('stays sold when its case is looked at and opened afterwards, and is no longer among the case’s contents', async () => {
    // where each unit is now, as the resolver page and every scan read it
    const now = await server.db.sql<{ epc: string; status: string; holder: string; step: string }[]>`
      select n.epc, n.status, p.code as holder, n.last_biz_step as step from code_now n
      join parties p on p.id = n.holder_party_id
      where n.epc = any(${[v(1), v(2)]}::text[]) order by n.epc`;
    expect(now).toEqual([
      { epc: v(1), status: 'sold', holder: 'S000001', step: 'retail_selling' },
      { epc: v(2), status: 'received', holder: 'S000001', step: 'unpacking' },
    ]);
    // the sale let it out of the case (the link names the sale); the others left at the unpacking
    const links = await server.db.sql<{ child: string; out: Date | null; by: string | null }[]>`
      select k.child_epc as child, k.unpacked_at as out, e.biz_step as by from containment k
      left join epcis_events e on e.id = k.unpack_event_id
      where k.parent_epc = ${c9} order by k.child_epc`;
    expect(links.map((l) => [l.child, l.out?.toISOString(), l.by])).toEqual([
      [v(1), day2(50), 'retail_selling'],
      [v(2), day2(56), 'unpacking'],
      [v(3), day2(56), 'unpacking'],
    ]);
  });

  it('has its link closed by migration 0043 where a database left it open', async () => {
    // as a database migrated before 0043 holds it: the sold unit still linked to its case
    await server.db.sql`update containment set unpacked_at = null, unpack_event_id = null where child_epc = ${v(1)}`;
    await server.db.sql.unsafe(fs.readFileSync(path.resolve('src/db/migrations/0043_sold_units_leave_their_case.sql'), 'utf8'));
    const [link] = await server.db.sql<{ out: Date; by: string }[]>`
      select k.unpacked_at as out, e.biz_step as by from containment k join epcis_events e on e.id = k.unpack_event_id
      where k.child_epc = ${v(1)}`;
    expect([link?.out.toISOString(), link?.by]).toEqual([day2(50), 'retail_selling']);
  });
});
