/** The roles of the security model (DESIGN.md), and which actions each may perform. */
export const ROLES = [
  'brand_admin',
  'brand_sales',
  'brand_planner',
  'brand_quality',
  'brand_inspector',
  'line_device',
  'warehouse_operator',
  'distributor_admin',
  'distributor_staff',
  'store_owner',
  'store_clerk',
] as const;
export type Role = (typeof ROLES)[number];

export const BRAND_ROLES: readonly Role[] = ['brand_admin', 'brand_sales', 'brand_planner', 'brand_quality', 'brand_inspector'];
const ALL: readonly Role[] = ROLES;

/** Which party kind a user of each role belongs to (brand roles belong to the brand party or none). */
export const ROLE_PARTY_KIND: Record<Role, 'brand' | 'factory' | 'warehouse' | 'distributor' | 'store'> = {
  brand_admin: 'brand',
  brand_sales: 'brand',
  brand_planner: 'brand',
  brand_quality: 'brand',
  brand_inspector: 'brand',
  line_device: 'factory',
  warehouse_operator: 'warehouse',
  distributor_admin: 'distributor',
  distributor_staff: 'distributor',
  store_owner: 'store',
  store_clerk: 'store',
};

/** The role an API key acts with: that of the device staff at its party. */
export const DEVICE_ROLE_BY_PARTY_KIND: Record<string, Role> = {
  factory: 'line_device',
  warehouse: 'warehouse_operator',
  distributor: 'distributor_staff',
  store: 'store_clerk',
  brand: 'brand_planner',
};

/** The roles of people and devices that scan at a place (the brand admin for its own sites). */
const SCANNING_ROLES: readonly Role[] = [
  'brand_admin',
  'line_device',
  'warehouse_operator',
  'distributor_admin',
  'distributor_staff',
  'store_owner',
  'store_clerk',
];

/**
 * Action -> roles allowed. Every API route declares one action (or `public`); what rows it then
 * sees is narrowed by the data scope (scope.ts).
 */
export const PERMISSIONS = {
  'session:read': ALL,
  'overview:read': ALL,
  'divisions:read': ALL,
  'catalog:read': ALL,
  'catalog:write': ['brand_admin'],
  'parties:read': ALL,
  'parties:write': ['brand_admin'],
  'parties:export': ['brand_admin', 'brand_sales', 'brand_planner', 'brand_quality', 'distributor_admin'],
  'users:read': ['brand_admin'],
  'users:write': ['brand_admin'],
  'apikeys:read': ['brand_admin'],
  'apikeys:write': ['brand_admin'],
  'audit:read': ['brand_admin'],
  // the channel simulator: a synthetic channel, no party's data in it, so the brand's people only
  'simulations:read': BRAND_ROLES,
  'simulations:run': ['brand_admin', 'brand_planner', 'brand_sales'],
  'import:write': ['brand_admin'],
  // EPCIS capture: every party that scans, each only at its own place and for codes it holds (trace/capture-scope.ts)
  'epcis:capture': SCANNING_ROLES,
  // the raw ledger: brand roles that see the whole tenant (reps and channel partners use the journey, which is scoped)
  'epcis:query': ['brand_admin', 'brand_planner', 'brand_quality'],
  'trace:read': ALL,
  // scans by devices and staff; which step a place may do is checked by the scan itself (scans.ts)
  'scan:write': SCANNING_ROLES,
  // campaign results (sell-out lift) are the brand's; rankings also for a distributor, of its own stores
  'reports:campaigns': BRAND_ROLES,
  'reports:rankings': [...BRAND_ROLES, 'distributor_admin', 'distributor_staff'],
  // channel dashboards: everyone in the channel, each inside its data scope (analytics/view.ts)
  'analytics:read': [...BRAND_ROLES, 'distributor_admin', 'distributor_staff', 'store_owner', 'store_clerk'],
  'codes:read': ['brand_admin', 'brand_quality', 'brand_planner'],
  'codes:write': ['brand_admin'],
  'recall:read': ['brand_admin', 'brand_quality'],
  // market inspectors scan units found in the market and get the evidence at once
  'inspection:write': ['brand_admin', 'brand_inspector', 'brand_quality'],
  'recall:write': ['brand_admin', 'brand_quality'],
  'diversion:read': ['brand_admin', 'brand_sales', 'brand_quality', 'brand_inspector', 'distributor_admin'],
  'diversion:write': ['brand_admin'],
  // B2B ordering: channel members order for themselves; brand sales may order on a customer's behalf
  'orders:read': ['brand_admin', 'brand_sales', 'brand_planner', 'distributor_admin', 'distributor_staff', 'store_owner', 'store_clerk'],
  'orders:place': ['brand_admin', 'brand_sales', 'distributor_admin', 'distributor_staff', 'store_owner', 'store_clerk'],
  // approve or reject: the seller's side (the brand for distributors' orders, a distributor for its stores'); cancel also the buyer
  'orders:decide': ['brand_admin', 'brand_sales', 'distributor_admin', 'store_owner'],
  'pricing:read': ['brand_admin', 'brand_sales', 'brand_planner', 'distributor_admin', 'distributor_staff', 'store_owner', 'store_clerk'],
  'pricing:write': ['brand_admin', 'brand_sales'],
  'group_buys:manage': ['brand_admin', 'brand_sales', 'distributor_admin'],
  'funds:read': ['brand_admin', 'brand_sales', 'distributor_admin', 'store_owner'],
  // the brand for everyone; a distributor for the stores and distributors it supplies (orders/funds-routes.ts)
  'funds:write': ['brand_admin', 'distributor_admin'],
  // fulfilment by scan: the seller's sites and staff ship, the buyer receives
  'orders:ship': ['brand_admin', 'line_device', 'warehouse_operator', 'distributor_admin', 'distributor_staff'],
  // channel stock: everyone in scope reads; the brand and distributors adjust counts and set safety levels
  'stock:read': ['brand_admin', 'brand_sales', 'brand_planner', 'distributor_admin', 'distributor_staff', 'store_owner', 'store_clerk'],
  'stock:write': ['brand_admin', 'distributor_admin', 'store_owner'],
  // replenishment: suggestions for the parties in scope; lead times of lanes by the brand, and by a distributor for its stores
  'replenishment:read': [
    'brand_admin',
    'brand_sales',
    'brand_planner',
    'distributor_admin',
    'distributor_staff',
    'store_owner',
    'store_clerk',
  ],
  'replenishment:configure': ['brand_admin', 'brand_planner', 'distributor_admin'],
  'orders:receive': ['brand_admin', 'distributor_admin', 'distributor_staff', 'store_owner', 'store_clerk'],
  // RFM segments (客户分层): of the stores in scope (a distributor its own stores), and of the brand's consumers
  'segments:read': ['brand_admin', 'brand_sales', 'brand_planner', 'distributor_admin'],
  'consumer_segments:read': ['brand_admin', 'brand_planner'],
  // channel incentive programs (渠道激励): marketing keeps them; every payee reads its own earnings; stores redeem "one more"
  'channel_incentives:read': ['brand_admin', 'brand_sales', 'brand_planner'],
  'channel_incentives:write': ['brand_admin', 'brand_sales'],
  'channel_incentives:earnings': [
    'brand_admin',
    'brand_sales',
    'brand_planner',
    'distributor_admin',
    'distributor_staff',
    'store_owner',
    'store_clerk',
  ],
  'channel_incentives:redeem': ['store_owner', 'store_clerk'],
  // fraud review (风控审核): flags of the whole tenant
  'fraud:read': ['brand_admin', 'brand_quality', 'brand_inspector'],
  'fraud:review': ['brand_admin', 'brand_quality'],
  // consumer scan campaigns (no marketing role yet: the brand admin; planners read the figures)
  'campaigns:read': ['brand_admin', 'brand_planner'],
  'campaigns:write': ['brand_admin'],
  // webhook subscriptions (their secrets), the delivery log and replays
  'webhooks:manage': ['brand_admin'],
  // consumer profiles (phones masked), tags, merge undo, membership tiers and the points mall: brand staff who see
  // the whole brand (not sales reps, whose scope is territories; not channel partners)
  'consumers:read': ['brand_admin', 'brand_planner'],
  'consumers:write': ['brand_admin'],
  // long runs: anyone may start a job whose kind its role may run (each kind names its action), and follow its own
  'jobs:start': ALL,
  'jobs:read': ALL,
  // replenishment plans (CPFR): the brand's planners compute, share and accept; a distributor reads, adjusts and accepts its own
  'plans:read': ['brand_admin', 'brand_sales', 'brand_planner', 'distributor_admin', 'distributor_staff'],
  'plans:write': ['brand_admin', 'brand_planner'],
  'plans:respond': ['distributor_admin', 'distributor_staff'],
  // accept and reject: either side (the plan's state says which step it is)
  'plans:decide': ['brand_admin', 'brand_planner', 'distributor_admin', 'distributor_staff'],
  // production capacity and the demand plan against it: the brand's
  'capacity:read': ['brand_admin', 'brand_planner'],
  'capacity:write': ['brand_admin', 'brand_planner'],
  // demand forecasts of the brand's stores and regions: planners and the admin (the whole tenant's facts)
  'planning:forecast': ['brand_admin', 'brand_planner'],
} as const satisfies Record<string, readonly Role[]>;
export type Action = keyof typeof PERMISSIONS;

export function isAction(s: string): s is Action {
  return s in PERMISSIONS;
}

export function roleMay(role: Role, action: Action): boolean {
  return (PERMISSIONS[action] as readonly Role[]).includes(role);
}
