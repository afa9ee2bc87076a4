/**
 * The analytics module: channel facts (sell-in, sell-through, sell-out, stock, diversion) kept incrementally by
 * triggers and a projector, and the dashboards that read them. What it offers the rest of the product.
 */

export { type OrderedLine, queueOrderedLines } from './changes.ts';
export { FactProjector, freshness, projectAll, projectPass } from './projector.ts';
export { analyticsRoutes } from './routes.ts';
export { checkFilters, type Filters, type View, viewOf } from './view.ts';
