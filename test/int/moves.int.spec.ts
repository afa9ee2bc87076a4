import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureEvents, prepareEvents } from '../../src/modules/trace/capture.ts';
import { useLockingMoves } from '../../src/modules/trace/projections.ts';
import { createTestDb, type TestDb } from '../support/db.ts';

/**
 * Moving codes (ship, receive) has two implementations: one statement returning old and new values on
 * PostgreSQL 18, a lock-then-update pair on older servers. Both must leave the same state and stock.
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
  >`select code, gln from parties where tenant_id = ${tenantId} and code in ('F01', 'D0001')`;
  gln = Object.fromEntries(rows.map((r) => [r.code, r.gln]));
});
afterAll(async () => {
  useLockingMoves(null);
  await db?.drop();
});

async function run(tag: string) {
  const unit = (i: number) => `https://id.gs1.org/01/06901234001013/21/${tag}U${i}`;
  const box = `https://id.gs1.org/01/16901234001010/21/${tag}C`;
  const at = (code: string) => ({ id: `https://id.gs1.org/414/${gln[code]}` });
  const t = (m: number) => `2026-05-0${tag === 'A' ? 1 : 2}T08:0${m}:00.000Z`;
  const units = Array.from({ length: 24 }, (_, i) => unit(i));
  const events = [
    {
      type: 'ObjectEvent',
      eventTime: t(0),
      eventTimeZoneOffset: '+08:00',
      epcList: [...units, box],
      action: 'ADD',
      bizStep: 'commissioning',
      bizLocation: at('F01'),
      ilmd: { 'cbvmda:lotNumber': `L${tag}` },
    },
    {
      type: 'AggregationEvent',
      eventTime: t(1),
      eventTimeZoneOffset: '+08:00',
      parentID: box,
      childEPCs: units,
      action: 'ADD',
      bizStep: 'packing',
      bizLocation: at('F01'),
    },
    {
      type: 'ObjectEvent',
      eventTime: t(2),
      eventTimeZoneOffset: '+08:00',
      epcList: [box],
      action: 'OBSERVE',
      bizStep: 'shipping',
      bizLocation: at('F01'),
      destinationList: [{ type: 'owning_party', destination: `https://id.gs1.org/417/${gln.D0001}` }],
    },
  ];
  for (const e of events) await captureEvents(db.sql, tenantId, 'test', prepareEvents([e as never], CONTEXT), CONTEXT);
  const inTransit = await stock(`L${tag}`);
  await captureEvents(
    db.sql,
    tenantId,
    'test',
    prepareEvents(
      [
        {
          type: 'ObjectEvent',
          eventTime: t(3),
          eventTimeZoneOffset: '+08:00',
          epcList: [box],
          action: 'OBSERVE',
          bizStep: 'receiving',
          bizLocation: at('D0001'),
        } as never,
      ],
      CONTEXT,
    ),
    CONTEXT,
  );
  const [state] = await db.sql<{ status: string; code: string }[]>`
    select c.status, p.code from code_state c join parties p on p.id = c.holder_party_id where c.epc = ${unit(3)}`;
  return { inTransit, received: await stock(`L${tag}`), state };
}

async function stock(lot: string) {
  return db.sql<{ code: string; on_hand: number; in_transit_in: number }[]>`
    select p.code, s.on_hand::int, s.in_transit_in::int from stock s join parties p on p.id = s.holder_party_id
    where s.tenant_id = ${tenantId} and s.lot = ${lot} order by p.code`;
}

describe('moving codes', () => {
  it('leaves the same state and stock whether the server returns old values or the codes are locked first', async () => {
    useLockingMoves(false);
    const returning = await run('A');
    useLockingMoves(true);
    const locking = await run('B');
    expect(returning.inTransit).toEqual([
      { code: 'D0001', on_hand: 0, in_transit_in: 24 },
      { code: 'F01', on_hand: 0, in_transit_in: 0 },
    ]);
    expect(returning.received).toEqual([
      { code: 'D0001', on_hand: 24, in_transit_in: 0 },
      { code: 'F01', on_hand: 0, in_transit_in: 0 },
    ]);
    expect(returning.state).toEqual({ status: 'received', code: 'D0001' });
    expect(locking).toEqual(returning);
  });
});
