/** Channel stock: views, adjustments with reasons, safety stock and alerts. */
export { ADJUSTMENT_REASONS, type AdjustmentReason, adjustStock, type StockAdjustment } from './adjustments.ts';
export { inventoryRoutes } from './routes.ts';
