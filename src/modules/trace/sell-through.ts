/**
 * The daily sell-through rollup (`sell_through_daily`): units that left each holder's stock per business day and
 * unit GTIN, by a shipment (a distributor's to its stores, a warehouse's to distributors) or a sale (a store's
 * sell-scans). Days of supply and replenishment read a few rows per party and product from it instead of events.
 *
 * Why here: the stock projection already counts, in the capture transaction, the units each event run moved per
 * holder and product (moves.ts groups them, adding the event's day to that GROUP BY costs nothing measurable), so
 * the rollup is one more upsert pipelined with the stock upsert: no extra round trip, no re-reading of events, and
 * a read after a capture sees it. Aggregating later from the ledger would have to walk the containment history of
 * every shipped pallet again, and a periodic job would leave the figures stale.
 */
import type { Tx } from '../../db/connection.ts';

/** Where a business day starts and ends: the brands are in China (one time zone). */
export const BUSINESS_TIME_ZONE = 'Asia/Shanghai';

/** Units out per (holder, unit GTIN, day), summed before they are written. */
export class Outflows {
  private readonly byKey = new Map<string, { holder: number; gtin: string; day: string; n: number }>();

  add(party: number | bigint | null, gtin: string, day: string, n: number): void {
    if (party == null || !gtin || n <= 0) return;
    const holder = Number(party);
    const k = `${holder}|${gtin}|${day}`;
    const o = this.byKey.get(k) ?? { holder, gtin, day, n: 0 };
    o.n += n;
    this.byKey.set(k, o);
  }

  async write(tx: Tx, tenantId: number): Promise<void> {
    // in key order, so two captures upserting the same rows lock them in the same order
    const list = [...this.byKey.values()].sort((a, b) => a.holder - b.holder || a.gtin.localeCompare(b.gtin) || a.day.localeCompare(b.day));
    if (!list.length) return;
    await tx`
      insert into sell_through_daily (tenant_id, holder_party_id, gtin, day, units_out)
      select ${tenantId}, * from unnest(${list.map((o) => o.holder)}::bigint[], ${list.map((o) => o.gtin)}::text[],
        ${list.map((o) => o.day)}::date[], ${list.map((o) => o.n)}::bigint[])
      on conflict (tenant_id, holder_party_id, gtin, day) do update set units_out = sell_through_daily.units_out + excluded.units_out`;
  }
}
