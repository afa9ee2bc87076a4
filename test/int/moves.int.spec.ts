import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureEvents, prepareEvents } from '../../src/modules/trace/capture.ts';
import { createTestDb, type TestDb } from '../support/db.ts';

/**
 * Packed codes follow their containers: a scan of a pallet changes the pallet's row, and the cases and
 * units on it take their state from it (the `code_now` view) while the stock counts every unit. These
 * tests pin down that inheritance: through two levels, after unpacking and repacking, with events out of
 * order, and under two scans of the same pallet at once.
 */
const CONTEXT = ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'];
let db: TestDb;
let tenantId: number;
let gln: Record<string, string>;
beforeAll(async () => {
  db = await createTestDb();
  const [t] = await db.sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
  tenantId = Number(t?.id);
  const rows = await db.sql<
    { code: string; gln: string }[]
  >`select code, gln from parties where tenant_id = ${tenantId} and code in ('F01', 'D0001', 'D0002', 'S000001')`;
  gln = Object.fromEntries(rows.map((r) => [r.code, r.gln]));
});
afterAll(async () => {
  await db?.drop();
});

const at = (code: string) => ({ id: `https://id.gs1.org/414/${gln[code]}` });
const base = (minute: number, day: number) => ({
  eventTime: `2026-05-${String(day).padStart(2, '0')}T08:${String(minute).padStart(2, '0')}:00.000Z`,
  eventTimeZoneOffset: '+08:00',
});

/** A pallet of two cases of 24 units each, commissioned and packed at the factory. */
function lot(tag: string, day: number) {
  const unit = (i: number) => `https://id.gs1.org/01/06901234001013/21/${tag}U${i}`;
  const box = (i: number) => `https://id.gs1.org/01/16901234001010/21/${tag}C${i}`;
  const pallet = `https://id.gs1.org/01/26901234001017/21/${tag}P`;
  const units = Array.from({ length: 48 }, (_, i) => unit(i));
  const t = (minute: number) => base(minute, day);
  const capture = (events: object[]) =>
    captureEvents(db.sql, tenantId, 'test', prepareEvents(events as never, CONTEXT), CONTEXT, {}).then((r) => r.newEvents);
  const packAll = () =>
    capture([
      {
        type: 'ObjectEvent',
        ...t(0),
        epcList: [...units, box(0), box(1), pallet],
        action: 'ADD',
        bizStep: 'commissioning',
        bizLocation: at('F01'),
        ilmd: { 'cbvmda:lotNumber': `L${tag}` },
      },
      {
        type: 'AggregationEvent',
        ...t(1),
        parentID: box(0),
        childEPCs: units.slice(0, 24),
        action: 'ADD',
        bizStep: 'packing',
        bizLocation: at('F01'),
      },
      {
        type: 'AggregationEvent',
        ...t(1),
        parentID: box(1),
        childEPCs: units.slice(24),
        action: 'ADD',
        bizStep: 'packing',
        bizLocation: at('F01'),
      },
      {
        type: 'AggregationEvent',
        ...t(2),
        parentID: pallet,
        childEPCs: [box(0), box(1)],
        action: 'ADD',
        bizStep: 'packing',
        bizLocation: at('F01'),
      },
    ]);
  const ship = (code: string, from: string, to: string, minute: number) =>
    capture([
      {
        type: 'ObjectEvent',
        ...t(minute),
        epcList: [code],
        action: 'OBSERVE',
        bizStep: 'shipping',
        bizLocation: at(from),
        destinationList: [{ type: 'owning_party', destination: `https://id.gs1.org/417/${gln[to]}` }],
      },
    ]);
  const receive = (code: string, by: string, minute: number) =>
    capture([{ type: 'ObjectEvent', ...t(minute), epcList: [code], action: 'OBSERVE', bizStep: 'receiving', bizLocation: at(by) }]);
  return { unit, box, pallet, units, t, capture, packAll, ship, receive, lot: `L${tag}` };
}

async function stateOf(epc: string) {
  const [s] = await db.sql<{ status: string; holder: string | null; parent: string | null }[]>`
    select n.status, p.code as holder, n.parent_epc as parent from code_now n left join parties p on p.id = n.holder_party_id
    where n.tenant_id = ${tenantId} and n.epc = ${epc}`;
  return s;
}

async function stock(lotName: string) {
  const rows = await db.sql<{ code: string; on_hand: number; in_transit_in: number; sold: number }[]>`
    select p.code, s.on_hand::int, s.in_transit_in::int, s.sold::int from stock s join parties p on p.id = s.holder_party_id
    where s.tenant_id = ${tenantId} and s.lot = ${lotName} and (s.on_hand <> 0 or s.in_transit_in <> 0 or s.sold <> 0) order by p.code`;
  return rows.map((r) => ({ ...r }));
}

describe('codes inside containers', () => {
  it('follow a pallet through shipping and receiving, two levels down, with every unit counted once', async () => {
    const l = lot('A', 1);
    await l.packAll();
    expect(await stateOf(l.unit(3))).toEqual({ status: 'commissioned', holder: 'F01', parent: l.box(0) });
    await l.ship(l.pallet, 'F01', 'D0001', 3);
    expect(await stateOf(l.unit(30))).toEqual({ status: 'in_transit', holder: 'F01', parent: l.box(1) });
    expect(await stock(l.lot)).toEqual([{ code: 'D0001', on_hand: 0, in_transit_in: 48, sold: 0 }]);
    await l.receive(l.pallet, 'D0001', 4);
    expect(await stateOf(l.unit(30))).toEqual({ status: 'received', holder: 'D0001', parent: l.box(1) });
    expect(await stateOf(l.box(0))).toEqual({ status: 'received', holder: 'D0001', parent: l.pallet });
    expect(await stock(l.lot)).toEqual([{ code: 'D0001', on_hand: 48, in_transit_in: 0, sold: 0 }]);
  });

  it('keep the state they had inside when unpacked, then move on their own', async () => {
    const l = lot('B', 2);
    await l.packAll();
    await l.ship(l.pallet, 'F01', 'D0001', 3);
    await l.receive(l.pallet, 'D0001', 4);
    // the distributor breaks the pallet and ships one case to a store
    await l.capture([
      { type: 'AggregationEvent', ...l.t(5), parentID: l.pallet, action: 'DELETE', bizStep: 'unpacking', bizLocation: at('D0001') },
    ]);
    const [own] = await db.sql<{ status: string; parent: string | null }[]>`
      select c.status, n.parent_epc as parent from code_state c join code_now n on n.tenant_id = c.tenant_id and n.epc = c.epc
      where c.tenant_id = ${tenantId} and c.epc = ${l.box(0)}`;
    expect(own).toEqual({ status: 'received', parent: null });
    await l.ship(l.box(0), 'D0001', 'S000001', 6);
    await l.receive(l.box(0), 'S000001', 7);
    expect(await stateOf(l.unit(1))).toEqual({ status: 'received', holder: 'S000001', parent: l.box(0) });
    expect(await stateOf(l.unit(25))).toEqual({ status: 'received', holder: 'D0001', parent: l.box(1) });
    expect(await stock(l.lot)).toEqual([
      { code: 'D0001', on_hand: 24, in_transit_in: 0, sold: 0 },
      { code: 'S000001', on_hand: 24, in_transit_in: 0, sold: 0 },
    ]);
    // the store opens the case and sells one unit: it counts as sold by the store
    await l.capture([
      {
        type: 'AggregationEvent',
        ...l.t(8),
        parentID: l.box(0),
        childEPCs: [l.unit(1)],
        action: 'DELETE',
        bizStep: 'unpacking',
        bizLocation: at('S000001'),
      },
    ]);
    await l.capture([
      { type: 'ObjectEvent', ...l.t(9), epcList: [l.unit(1)], action: 'OBSERVE', bizStep: 'retail_selling', bizLocation: at('S000001') },
    ]);
    expect(await stateOf(l.unit(1))).toEqual({ status: 'sold', holder: 'S000001', parent: null });
    expect(await stateOf(l.unit(2))).toEqual({ status: 'received', holder: 'S000001', parent: l.box(0) });
    expect(await stock(l.lot)).toEqual([
      { code: 'D0001', on_hand: 24, in_transit_in: 0, sold: 0 },
      { code: 'S000001', on_hand: 23, in_transit_in: 0, sold: 1 },
    ]);
  });

  it('leave their old case when packed straight into another, and an older packing does not change where they are', async () => {
    const l = lot('C', 3);
    await l.packAll();
    const other = 'https://id.gs1.org/01/16901234001010/21/CX9';
    await l.capture([
      { type: 'ObjectEvent', ...l.t(3), epcList: [other], action: 'ADD', bizStep: 'commissioning', bizLocation: at('F01') },
    ]);
    await l.capture([
      {
        type: 'AggregationEvent',
        ...l.t(4),
        parentID: other,
        childEPCs: [l.unit(0)],
        action: 'ADD',
        bizStep: 'packing',
        bizLocation: at('F01'),
      },
    ]);
    expect((await stateOf(l.unit(0)))?.parent).toBe(other);
    const [left] = await db.sql<{ n: number }[]>`
      select count(*)::int as n from containment where tenant_id = ${tenantId} and child_epc = ${l.unit(0)} and unpacked_at is null`;
    expect(left?.n).toBe(1);
    // a packing from before (a device's queue arriving late) is history, not the present
    const late = 'https://id.gs1.org/01/16901234001010/21/CX8';
    await l.capture([
      {
        type: 'AggregationEvent',
        ...l.t(0),
        parentID: late,
        childEPCs: [l.unit(0)],
        action: 'ADD',
        bizStep: 'packing',
        bizLocation: at('F01'),
      },
    ]);
    expect((await stateOf(l.unit(0)))?.parent).toBe(other);
  });

  it('count once when two scans of the same pallet arrive at the same time', async () => {
    const l = lot('D', 4);
    await l.packAll();
    await l.ship(l.pallet, 'F01', 'D0001', 3);
    const receiving = { type: 'ObjectEvent', epcList: [l.pallet], action: 'OBSERVE', bizStep: 'receiving', bizLocation: at('D0001') };
    await Promise.all([l.capture([{ ...receiving, ...l.t(4) }]), l.capture([{ ...receiving, ...l.t(5) }])]);
    expect(await stock(l.lot)).toEqual([{ code: 'D0001', on_hand: 48, in_transit_in: 0, sold: 0 }]);
  });
});
