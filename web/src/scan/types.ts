import type { Problem, ProblemError } from '../api.ts';

/** The steps the scanning page offers (the server also knows `replace` and `inspect`). */
export const SCAN_KINDS = ['commission', 'pack', 'ship', 'receive', 'sell', 'unpack'] as const;
export type ScanKind = (typeof SCAN_KINDS)[number];

/** The body of POST /api/v1/scans (src/modules/trace/routes.ts). */
export interface ScanBody {
  scanId: string;
  kind: ScanKind;
  at: string;
  codes: string[];
  parent?: string;
  lot?: string;
  to?: string;
  order?: string;
}

export interface ScanOutcome {
  scanId: string;
  kind: ScanKind;
  events: number;
  newEvents: number;
  codes: number;
  warnings: ProblemError[];
  /** what the scan earned under channel incentive programs (src/modules/incentives/channel/scan-hook.ts) */
  earnings?: { payee: 'clerk' | 'store' | 'distributor'; paidFen: number; refused: { epc: string; reason: string }[] };
  /** a ship or receive scan that named an order: the order it shipped or received (src/modules/orders/order-number-scans.ts) */
  order?: { id: number; orderNo: string; status: string; units: Record<string, number>; over?: number };
}

/** A scan waiting in the offline queue (or refused by the server while it was queued). */
export interface QueueItem {
  scanId: string;
  /** sending order */
  seq: number;
  /** `tenant/username` of who scanned it: only that user's session sends it */
  owner: string;
  body: ScanBody;
  queuedAt: string;
  status: 'pending' | 'failed';
  attempts: number;
  lastTriedAt?: string;
  /** why the last attempt did not get through (pending items) */
  lastError?: string;
  /** an earlier attempt may have reached the server (its answer was lost) */
  maybeStored?: boolean;
  /** the server's refusal (failed items) */
  httpStatus?: number;
  problem?: Problem;
}

/** Which kind of place each role scans at, and so which steps it may do (src/modules/auth/roles.ts, scans.ts ALLOWED_AT). */
const ROLE_PLACE: Record<string, string> = {
  brand_admin: 'brand',
  line_device: 'factory',
  warehouse_operator: 'warehouse',
  distributor_admin: 'distributor',
  distributor_staff: 'distributor',
  store_owner: 'store',
  store_clerk: 'store',
};
const ALLOWED_AT: Record<ScanKind, string[]> = {
  commission: ['brand', 'factory', 'warehouse'],
  pack: ['brand', 'factory', 'warehouse', 'distributor'],
  unpack: ['brand', 'factory', 'warehouse', 'distributor', 'store'],
  ship: ['brand', 'factory', 'warehouse', 'distributor'],
  receive: ['brand', 'factory', 'warehouse', 'distributor', 'store'],
  sell: ['store'],
};

/** Whether the role may scan at all (the server's `scan:write`). */
export function roleScans(role: string | undefined): boolean {
  return !!role && role in ROLE_PLACE;
}

/** The steps a role's place may do, in the page's order (all of them for a role we do not know: the server decides). */
export function kindsFor(role: string | undefined): ScanKind[] {
  const place = role ? ROLE_PLACE[role] : undefined;
  if (!place) return [...SCAN_KINDS];
  return SCAN_KINDS.filter((k) => ALLOWED_AT[k].includes(place));
}
