/**
 * What a store's receipt of an order by scan earns under the channel programs: the distributor's rebate for the cases
 * it shipped into its own territory, exactly as the ledger's plain receive scan pays it (incentives/channel/scan-hook.ts
 * payForScan, in the receipt's own transaction). Before, only that plain scan paid it: a store receiving its order in
 * the console, on the phone or by a scan naming the order (the usual way) earned its distributor nothing, so the rebate
 * on scan-verified sales missed most of them. The console's one-click receipt of everything shipped is not a scan and
 * earns nothing, as before.
 */
import type { Tx } from '../../db/connection.ts';
import { activePrograms } from '../incentives/channel/programs.ts';
import { payForScan, type ScanEarnings, type ScannedCode } from '../incentives/channel/scan-hook.ts';
import type { ReceiveRequest } from './fulfilment.ts';
import type { OrderRow } from './order-scan.ts';

/** A receipt of the batch: the request, its order and the shipped codes it takes in. */
export interface ScannedReceipt {
  req: ReceiveRequest;
  order: OrderRow;
  codes: string[];
}

/** The receipts that may earn, with their codes as the ledger held them before this receipt; empty when none may. */
export async function earningReceipts(tx: Tx, t: number, receipts: readonly ScannedReceipt[]) {
  // only a scan earns; a store is the only buyer a rebate is paid for; nothing is read while no program runs
  const scanned = receipts.filter((r) => r.req.codes?.length && r.codes.length && r.order.seller_kind === 'distributor');
  if (!scanned.length || !(await activePrograms(tx, t, ['distributor_rebate'])).length) return [];
  const rows = await tx<(ScannedCode & { holder_party_id: string | null; in_transit_to: string | null })[]>`
    select n.epc, n.gtin, n.parent_epc, n.status, n.holder_party_id::text, n.in_transit_to::text
    from code_now n where n.tenant_id = ${t} and n.epc = any(${scanned.flatMap((r) => r.codes)}::text[])`;
  const before = new Map<string, ScannedCode>(
    rows.map((r) => [
      r.epc,
      {
        ...r,
        holder_party_id: r.holder_party_id == null ? null : Number(r.holder_party_id),
        in_transit_to: r.in_transit_to == null ? null : Number(r.in_transit_to),
      },
    ]),
  );
  const buyers = await tx<{ id: number; kind: string }[]>`
    select id::int, kind from parties where tenant_id = ${t} and id = any(${scanned.map((r) => r.order.buyer_party_id)}::bigint[])`;
  const kindOf = new Map(buyers.map((b) => [b.id, b.kind]));
  return scanned
    .filter((r) => kindOf.get(r.order.buyer_party_id) === 'store')
    .map((r) => ({ receipt: r, before: new Map(r.codes.flatMap((c) => (before.has(c) ? [[c, before.get(c) as ScannedCode]] : []))) }));
}

/** Pays what each receipt earns, after its events were captured; the earnings of those that earned, by scan id. */
export async function payReceipts(
  tx: Tx,
  t: number,
  earning: Awaited<ReturnType<typeof earningReceipts>>,
): Promise<Map<string, ScanEarnings>> {
  const paid = new Map<string, ScanEarnings>();
  for (const { receipt, before } of earning) {
    const earned = await payForScan(tx, {
      tenantId: t,
      actor: receipt.req.ctx.actor,
      place: { id: receipt.order.buyer_party_id, kind: 'store' },
      kind: 'receive',
      scanId: receipt.req.scanId,
      at: receipt.req.at ?? new Date(),
      codes: receipt.codes,
      parent: null,
      before,
    });
    if (earned.payee) paid.set(receipt.req.scanId, earned);
  }
  return paid;
}
