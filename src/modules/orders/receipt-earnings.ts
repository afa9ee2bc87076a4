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
  // only a scan earns; a store buying from its distributor is the only receipt a rebate is paid for; nothing is read
  // while no program runs
  const scanned = receipts.filter(
    (r) => r.req.codes?.length && r.codes.length && r.order.seller_kind === 'distributor' && r.order.buyer_kind === 'store',
  );
  if (!scanned.length || !(await activePrograms(tx, t, ['distributor_rebate'])).length) return [];
  const rows = await tx<ScannedCode[]>`
    select n.epc, n.gtin, n.parent_epc, n.status, n.holder_party_id::int, n.in_transit_to::int
    from code_now n where n.tenant_id = ${t} and n.epc = any(${scanned.flatMap((r) => r.codes)}::text[])`;
  // one map for all: each receipt's payment looks up only its own codes
  const before = new Map(rows.map((r) => [r.epc, r]));
  return scanned.map((receipt) => ({ receipt, before }));
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
