/**
 * Changes a module hands to the fact projector itself, where a trigger would need a lookup whose plan it cannot
 * trust (migration 0038). They go into `analytics_changes` in the caller's transaction, like the triggers' rows, so
 * a rolled-back write queues nothing.
 */
import type { Tx } from '../../db/connection.ts';

/** A line of a placed order: what the buyer ordered from the seller. */
export interface OrderedLine {
  buyerPartyId: number;
  sellerPartyId: number;
  gtin: string;
  units: number;
  fen: number;
}

/** Queues placed order lines as ordered units and value of the buyer, on today's business day (the order's day). */
export function queueOrderedLines(tx: Tx, tenantId: number, lines: readonly OrderedLine[]) {
  return tx`
    insert into analytics_changes (tenant_id, day, party_id, counterparty_id, gtin, ordered_units, ordered_fen)
    select ${tenantId}, analytics_day(business_now()), x.buyer, x.seller, x.gtin, sum(x.units), sum(x.fen)
    from unnest(${lines.map((l) => l.buyerPartyId)}::bigint[], ${lines.map((l) => l.sellerPartyId)}::bigint[],
      ${lines.map((l) => l.gtin)}::text[], ${lines.map((l) => l.units)}::bigint[], ${lines.map((l) => l.fen)}::bigint[])
      as x(buyer, seller, gtin, units, fen)
    group by x.buyer, x.seller, x.gtin`;
}
