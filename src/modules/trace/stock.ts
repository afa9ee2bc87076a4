/**
 * The stock projection: units (not cases: a case of 24 counts 24) by holder, product and lot — on hand, in
 * transit towards the holder, sold and destroyed by it. Kept in the capture transaction from the groups of
 * units an event moved, so the console and the recall count from a few rows instead of a million codes.
 */
import type { Tx } from '../../db/connection.ts';
import { Outflows } from './sell-through.ts';

export type StockStep = 'ship' | 'receive' | 'sell' | 'destroy' | 'observe';

/** Units of one product and lot that an event moved from one state to another. */
export interface MovedGroup {
  holder: number | null;
  new_holder: number | null;
  /** ship: where it is going now */
  new_to?: number | null;
  gtin: string;
  lot: string;
  was: string;
  /** where it was going before this event */
  to: number | null;
  n: number;
  /** the event's business day (YYYY-MM-DD, Asia/Shanghai) */
  day: string;
}

interface Delta {
  holder: number;
  gtin: string;
  lot: string;
  onHand: number;
  inTransit: number;
  sold: number;
  destroyed: number;
}

class StockDeltas {
  private readonly byKey = new Map<string, Delta>();

  add(party: number | bigint | null, gtin: string, lot: string, change: Partial<Omit<Delta, 'holder' | 'gtin' | 'lot'>>): void {
    if (party == null || !gtin) return;
    // bigint columns arrive as BigInt: the arrays sent back must be plain numbers
    const holder = Number(party);
    const k = `${holder}|${gtin}|${lot}`;
    const d = this.byKey.get(k) ?? { holder, gtin, lot, onHand: 0, inTransit: 0, sold: 0, destroyed: 0 };
    d.onHand += change.onHand ?? 0;
    d.inTransit += change.inTransit ?? 0;
    d.sold += change.sold ?? 0;
    d.destroyed += change.destroyed ?? 0;
    this.byKey.set(k, d);
  }

  async write(tx: Tx, tenantId: number): Promise<void> {
    const list = [...this.byKey.values()].filter((d) => d.onHand || d.inTransit || d.sold || d.destroyed);
    if (!list.length) return;
    await tx`
      insert into stock (tenant_id, holder_party_id, gtin, lot, on_hand, in_transit_in, sold, destroyed)
      select ${tenantId}, * from unnest(${list.map((d) => d.holder)}::bigint[], ${list.map((d) => d.gtin)}::text[],
        ${list.map((d) => d.lot)}::text[], ${list.map((d) => d.onHand)}::bigint[], ${list.map((d) => d.inTransit)}::bigint[],
        ${list.map((d) => d.sold)}::bigint[], ${list.map((d) => d.destroyed)}::bigint[])
      on conflict (tenant_id, holder_party_id, gtin, lot) do update
        set on_hand = stock.on_hand + excluded.on_hand, in_transit_in = stock.in_transit_in + excluded.in_transit_in,
          sold = stock.sold + excluded.sold, destroyed = stock.destroyed + excluded.destroyed`;
  }
}

/** Newly commissioned units count as on hand at the place that commissioned them. */
export async function addCommissioned(
  tx: Tx,
  tenantId: number,
  created: { holder: number | null; gtin: string | null; lot: string | null; level: string | null }[],
): Promise<void> {
  const deltas = new StockDeltas();
  for (const c of created) if (c.level === 'unit' && c.gtin) deltas.add(c.holder, c.gtin, c.lot ?? '', { onHand: 1 });
  await deltas.write(tx, tenantId);
}

const GONE = new Set(['sold', 'destroyed', 'consumed', 'decommissioned']);

/** Moves the counts of the units an event moved (ship, receive, sell, destroy). */
export async function applyMoves(tx: Tx, tenantId: number, step: StockStep, groups: MovedGroup[]): Promise<void> {
  const deltas = new StockDeltas();
  // units that left a holder's stock by a shipment or a sale: the demand days of supply and replenishment read
  const outflows = new Outflows();
  for (const g of groups) {
    if (GONE.has(g.was)) continue;
    const wasInTransit = g.was === 'in_transit';
    // where the units count now: with the holder, or with the party they were on their way to
    const from = (party: number | null): { party: number | null; field: 'inTransit' | 'onHand' } =>
      wasInTransit ? { party: g.to, field: 'inTransit' } : { party, field: 'onHand' };
    if (step === 'ship' && !wasInTransit) {
      deltas.add(g.holder, g.gtin, g.lot, { onHand: -g.n });
      deltas.add(g.new_to ?? null, g.gtin, g.lot, { inTransit: g.n });
      outflows.add(g.holder, g.gtin, g.day, g.n);
    } else if (step === 'receive') {
      const f = from(g.holder);
      deltas.add(f.party, g.gtin, g.lot, { [f.field]: -g.n });
      deltas.add(g.new_holder, g.gtin, g.lot, { onHand: g.n });
    } else if (step === 'sell' || step === 'destroy') {
      const f = from(g.holder);
      deltas.add(f.party, g.gtin, g.lot, { [f.field]: -g.n, [step === 'sell' ? 'sold' : 'destroyed']: g.n });
      if (step === 'sell') outflows.add(f.party, g.gtin, g.day, g.n);
    }
  }
  // pipelined on the transaction's connection: one round trip for both
  await Promise.all([deltas.write(tx, tenantId), outflows.write(tx, tenantId)]);
}
