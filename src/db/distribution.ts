/**
 * How each table is laid out when PostgreSQL scales out on Citus (docs/DEPLOYMENT.md). The schema test
 * (test/int/schema-distribution.int.spec.ts) fails when a table is missing here or breaks its layout's rules, so a
 * new table says where it goes when it is created.
 *
 * - `tenant`: distributed by `tenant_id`, co-located with every other tenant table (master data, orders, funds,
 *   webhooks, audit, the event bodies): joins and foreign keys among them stay on one node.
 * - `code`: distributed by the code column named, so one brand's billions of codes spread over the nodes and a code's
 *   state, containment and index of events are each on one shard.
 * - `reference`: copied to every node (small, shared by all tenants).
 * - `local`: kept on the coordinator only (bookkeeping of the installation itself).
 */
export type Layout = { by: 'tenant'; column: 'tenant_id' } | { by: 'code'; column: string } | { by: 'reference' } | { by: 'local' };

const tenant: Layout = { by: 'tenant', column: 'tenant_id' };

export const DISTRIBUTION: Record<string, Layout> = {
  // reference and local
  tenants: { by: 'reference' },
  divisions: { by: 'reference' },
  schema_migrations: { by: 'local' },
  // looked up by the hash of a bearer token, before the tenant is known: on the coordinator (one row per session)
  sessions: { by: 'local' },
  // found by the key's prefix, before the tenant is known: on the coordinator too
  api_keys: { by: 'local' },
  // throttle state of the public verification endpoint, across brands (a guessing device counts once)
  verification_failures: { by: 'local' },
  // the analytics projector's scratch rows for one pass (filled and emptied in one transaction)
  an_batch_rows: { by: 'local' },
  // the code tables
  code_state: { by: 'code', column: 'epc' },
  containment: { by: 'code', column: 'child_epc' },
  event_epcs: { by: 'code', column: 'epc' },
  // everything else is a brand's own data
  analytics_changes: tenant,
  an_city_day: tenant,
  an_dist_day: tenant,
  an_diversion_day: tenant,
  an_flow_month: tenant,
  an_flow_sku_month: tenant,
  an_party_day: tenant,
  an_party_month: tenant,
  an_province_cat_day: tenant,
  an_province_day: tenant,
  an_province_sku_day: tenant,
  an_stock_city: tenant,
  audit_heads: tenant,
  audit_log: tenant,
  campaigns: tenant,
  campaign_coupons: tenant,
  campaign_days: tenant,
  campaign_participants: tenant,
  campaign_rewards: tenant,
  campaign_tiers: tenant,
  capture_jobs: tenant,
  channel_payouts: tenant,
  channel_program_days: tenant,
  channel_programs: tenant,
  code_batches: tenant,
  code_verifications: tenant,
  consumer_scans: tenant,
  consumers: tenant,
  consumer_identifiers: tenant,
  points_entries: tenant,
  points_balances: tenant,
  consumer_merges: tenant,
  consumer_tags: tenant,
  consumer_otps: tenant,
  consumer_sessions: tenant,
  sms_outbox: tenant,
  membership_settings: tenant,
  mall_items: tenant,
  mall_redemptions: tenant,
  // the consumer segments' snapshot (consumers/rfm, written by its refresh job)
  consumer_segment_snapshots: tenant,
  consumer_segment_members: tenant,
  // the channel simulator's runs (planning/simulator)
  simulation_runs: tenant,
  code_keyrings: tenant,
  customer_group_members: tenant,
  customer_groups: tenant,
  diversion_alerts: tenant,
  diversion_rules: tenant,
  epcis_events: tenant,
  fraud_flags: tenant,
  fraud_observations: tenant,
  fraud_settings: tenant,
  funds_accounts: tenant,
  funds_entries: tenant,
  funds_transactions: tenant,
  group_buys: tenant,
  import_reports: tenant,
  lots: tenant,
  one_more_tickets: tenant,
  monthly_city_shipments: tenant,
  order_difference_scans: tenant,
  order_draft_lines: tenant,
  order_drafts: tenant,
  order_events: tenant,
  order_lines: tenant,
  order_receipt_differences: tenant,
  order_return_receipts: tenant,
  order_returned_codes: tenant,
  order_returns: tenant,
  order_rules: tenant,
  order_settings: tenant,
  order_shipments: tenant,
  order_shipped_codes: tenant,
  orders: tenant,
  packaging_levels: tenant,
  parties: tenant,
  party_territories: tenant,
  price_list_items: tenant,
  price_lists: tenant,
  product_categories: tenant,
  products: tenant,
  recalls: tenant,
  replenishment_lanes: tenant,
  safety_stock: tenant,
  scans: tenant,
  sell_through_daily: tenant,
  stock: tenant,
  stock_adjustments: tenant,
  user_territories: tenant,
  users: tenant,
  webhook_attempts: tenant,
  webhook_deliveries: tenant,
  webhook_events: tenant,
  webhook_subscriptions: tenant,
  // jobs and planning (replenishment plans with distributors, production capacity)
  jobs: tenant,
  production_capacity: tenant,
  replenishment_plan_lines: tenant,
  replenishment_plans: tenant,
};
