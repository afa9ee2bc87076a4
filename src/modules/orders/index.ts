export { createDraft, type DraftView, mayOrderFor } from './drafts.ts';
export {
  type FulfilmentOutcome,
  type ReceiveRequest,
  receiveBatch,
  receiveOrder,
  type ShipRequest,
  shipBatch,
  shipOrder,
} from './fulfilment.ts';
export { balancesOf, ensureAccounts, transfer } from './funds.ts';
export { weeklyPaymentNote } from './funds-notes.ts';
export { scanAgainstOrder } from './order-number-scans.ts';
export { decideOrder, placeOrder } from './placement.ts';
export { type PlacementRequest, placeBatch } from './placement-batch.ts';
export { resolvePrices } from './pricing.ts';
export { ordersRoutes } from './routes.ts';
