/** Channel stock: views, adjustments with reasons, safety stock and alerts. */
export { ADJUSTMENT_REASONS, type AdjustmentReason, adjustStock, type StockAdjustment } from './adjustments.ts';
// the replenishment rule and its inputs, for planning (replenishment plans with distributors)
export {
  demandStats,
  inverseNormal,
  type OrderableRule,
  orderableRefusal,
  orderStep,
  orderUpToLevel,
  suggestedQuantity,
} from './order-up-to.ts';
// the defaults, and who a party orders from (buyerInScope: for drafts started by hand)
export { buyerInScope, DEFAULT_LEAD_TIME_DAYS, DEFAULT_REVIEW_DAYS, DEFAULT_SERVICE_LEVEL } from './replenishment.ts';
export { inventoryRoutes } from './routes.ts';
export { businessToday, type Window, windowOf } from './sell-through.ts';
