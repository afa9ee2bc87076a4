/**
 * The measures every fact grain carries (sums over its key), in one list so the projector and the queries
 * agree on them. What each means: migration 0027_analytics.sql.
 */
export const MEASURES = [
  'ordered_units',
  'ordered_fen',
  'shipped_in',
  'received_in',
  'units_out',
  'scans',
  'diversions',
  'receipts',
  'receipt_minutes',
  'rebates_fen',
] as const;
export type Measure = (typeof MEASURES)[number];

/** The levels of the channel, as party kinds, upstream first. */
export const LEVELS = ['factory', 'warehouse', 'brand', 'distributor', 'store'] as const;
export type Level = (typeof LEVELS)[number];
