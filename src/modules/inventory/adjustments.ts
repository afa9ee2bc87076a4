/**
 * A stock adjustment with a reason: the holder's on-hand count of one unit GTIN and lot moves by `delta`, never
 * below zero (the change and the check are one conditional statement), the adjustment is kept, and crossing the
 * holder's safety level (down or back up) is a webhook. The caller audits it and owns the transaction.
 */
import type { Tx } from '../../db/connection.ts';
import { emitWebhookEvent } from '../webhooks/index.ts';

export const ADJUSTMENT_REASONS = ['count', 'damaged', 'expired', 'sample', 'lost', 'found', 'other'] as const;
export type AdjustmentReason = (typeof ADJUSTMENT_REASONS)[number];

export interface StockAdjustment {
  holder: { id: number; code: string };
  gtin: string;
  sku: string;
  lot: string;
  delta: number;
  reason: AdjustmentReason;
  note?: string | null;
  actor: string;
}

/** The adjustment's id and the new on-hand count, or `wouldGoNegative` with the count it found (nothing written). */
export async function adjustStock(
  tx: Tx,
  tenantId: number,
  a: StockAdjustment,
): Promise<{ id: number; onHand: number } | { wouldGoNegative: true; onHand: number }> {
  await tx`savepoint adjust_stock`;
  const [row] = await tx<{ on_hand: number }[]>`
    insert into stock (tenant_id, holder_party_id, gtin, lot, on_hand) values (${tenantId}, ${a.holder.id}, ${a.gtin}, ${a.lot}, ${a.delta})
    on conflict (tenant_id, holder_party_id, gtin, lot) do update set on_hand = stock.on_hand + excluded.on_hand
    returning on_hand::int`;
  if (!row || row.on_hand < 0) {
    await tx`rollback to savepoint adjust_stock`;
    return { wouldGoNegative: true, onHand: (row?.on_hand ?? 0) - a.delta };
  }
  await tx`release savepoint adjust_stock`;
  const [adj] = await tx<{ id: number }[]>`
    insert into stock_adjustments (tenant_id, holder_party_id, gtin, lot, delta, reason, note, actor)
    values (${tenantId}, ${a.holder.id}, ${a.gtin}, ${a.lot}, ${a.delta}, ${a.reason}, ${a.note ?? null}, ${a.actor})
    returning id::int`;
  // crossing the party's safety level (down or back up) is news for integrators
  const [level] = await tx<{ min_units: number; total: number }[]>`
    select ss.min_units::int, (select coalesce(sum(s.on_hand), 0)::int from stock s
      where s.tenant_id = ss.tenant_id and s.holder_party_id = ss.holder_party_id and s.gtin = ${a.gtin}) as total
    from safety_stock ss join products p on p.tenant_id = ss.tenant_id and p.id = ss.product_id
    where ss.tenant_id = ${tenantId} and ss.holder_party_id = ${a.holder.id} and p.sku = ${a.sku}`;
  if (level) {
    const before = level.total - a.delta;
    const crossed =
      before >= level.min_units && level.total < level.min_units
        ? 'stock.below_safety'
        : before < level.min_units && level.total >= level.min_units
          ? 'stock.recovered'
          : null;
    if (crossed)
      await emitWebhookEvent(tx, tenantId, crossed, {
        party: a.holder.code,
        sku: a.sku,
        onHand: level.total,
        safetyStock: level.min_units,
      });
  }
  return { id: Number(adj?.id), onHand: row.on_hand };
}
