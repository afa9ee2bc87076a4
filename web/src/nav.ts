import { type Action, PERMISSIONS } from '../../src/modules/auth/roles.ts';
import { isBrandRole, isDistributorRole, isStoreRole } from './types.ts';

/** The server's action table itself (a module of plain constants), so the console cannot drift from it. */
export type WebAction = Action;

/** Whether a role may perform an action (to show or hide what it leads to); the server checks it again. */
export function may(action: WebAction, role: string | undefined): boolean {
  return !!role && (PERMISSIONS[action] as readonly string[]).includes(role);
}

export interface NavItem {
  key: string;
  path: string;
  label: string;
  /**
   * Who may see it: everyone, brand roles, the brand and its distributors (`upstream`: what a store's scope never
   * holds), the brand and its channel (`channel`: not the people of a factory line or a warehouse, whose scope holds no
   * store), brand admins only, or the roles that may perform an action.
   */
  access: 'all' | 'brand' | 'upstream' | 'channel' | 'brand_admin' | WebAction;
  /** Also only for brand roles (an action channel roles hold too, e.g. reading prices, but whose page is the brand's). */
  brandOnly?: boolean;
}

export const CHANNEL_ITEMS: NavItem[] = [
  // a store sees only itself, and the channel's people no factory or warehouse: lists that would always be empty
  { key: 'distributors', path: '/channel/distributors', label: 'menu.distributors', access: 'upstream' },
  { key: 'stores', path: '/channel/stores', label: 'menu.stores', access: 'channel' },
  { key: 'facilities', path: '/channel/facilities', label: 'menu.facilities', access: 'brand' },
];

export const MAIN_ITEMS: NavItem[] = [
  { key: 'overview', path: '/', label: 'menu.overview', access: 'all' },
  { key: 'products', path: '/products', label: 'menu.products', access: 'all' },
  { key: 'orders', path: '/orders', label: 'menu.orders', access: 'orders:read' },
  { key: 'stock', path: '/stock', label: 'menu.inventory', access: 'stock:read' },
  { key: 'segments', path: '/segments', label: 'menu.segments', access: 'segments:read' },
];

/** The commercial setup: prices, money, group buys and the rules orders follow. */
export const COMMERCE_ITEMS: NavItem[] = [
  { key: 'pricing', path: '/pricing', label: 'menu.pricing', access: 'pricing:read', brandOnly: true },
  { key: 'funds', path: '/funds', label: 'menu.funds', access: 'funds:read' },
  { key: 'groupBuys', path: '/group-buys', label: 'menu.groupBuys', access: 'group_buys:manage' },
  { key: 'orderRules', path: '/order-rules', label: 'menu.orderRules', access: 'pricing:read', brandOnly: true },
];

/** Marketing: campaigns, channel incentives and what they brought. */
export const MARKETING_ITEMS: NavItem[] = [
  { key: 'campaigns', path: '/campaigns', label: 'menu.campaigns', access: 'campaigns:read' },
  { key: 'channelIncentives', path: '/incentives/channel', label: 'menu.channelIncentives', access: 'channel_incentives:earnings' },
  { key: 'oneMore', path: '/m/one-more', label: 'menu.oneMore', access: 'channel_incentives:redeem' },
  { key: 'campaignResults', path: '/marketing/results', label: 'menu.campaignResults', access: 'reports:rankings' },
  { key: 'fraudReview', path: '/incentives/fraud', label: 'menu.fraudReview', access: 'fraud:read' },
];

export const TRACE_ITEMS: NavItem[] = [
  { key: 'journey', path: '/trace/journey', label: 'menu.journey', access: 'trace:read' },
  { key: 'recall', path: '/trace/recall', label: 'menu.recall', access: 'recall:read' },
  { key: 'diversion', path: '/trace/diversion', label: 'menu.diversion', access: 'diversion:read' },
  { key: 'inspect', path: '/m/inspect', label: 'menu.inspect', access: 'inspection:write' },
  { key: 'codeBatches', path: '/codes/batches', label: 'menu.codeBatches', access: 'codes:read' },
  { key: 'scan', path: '/scan', label: 'menu.scan', access: 'scan:write' },
];

/** Consumers and membership: profiles, the points mall. */
export const CONSUMER_ITEMS: NavItem[] = [
  { key: 'consumers', path: '/consumers', label: 'menu.consumerList', access: 'consumers:read' },
  { key: 'mall', path: '/mall', label: 'menu.mall', access: 'consumers:read' },
];

export const ADMIN_ITEMS: NavItem[] = [
  { key: 'users', path: '/users', label: 'menu.users', access: 'brand_admin' },
  { key: 'io', path: '/io', label: 'menu.io', access: 'brand' },
  { key: 'audit', path: '/audit', label: 'menu.audit', access: 'brand_admin' },
  { key: 'webhooks', path: '/webhooks', label: 'menu.webhooks', access: 'webhooks:manage' },
];

/** Planning: replenishment plans with distributors (CPFR), capacity against demand, the channel simulator, and the
 * long runs behind them. */
export const PLANNING_ITEMS: NavItem[] = [
  { key: 'forecasts', path: '/planning/forecasts', label: 'menu.forecasts', access: 'planning:forecast' },
  { key: 'plans', path: '/planning/plans', label: 'menu.plans', access: 'plans:read' },
  { key: 'capacity', path: '/planning/capacity', label: 'menu.capacity', access: 'capacity:read' },
  { key: 'simulation', path: '/planning/simulation', label: 'menu.simulation', access: 'simulations:read' },
  { key: 'jobs', path: '/jobs', label: 'menu.jobs', access: 'jobs:read' },
];

/** The channel dashboards (analytics module), each inside the viewer's data scope. */
export const ANALYTICS_ITEMS: NavItem[] = [
  { key: 'analyticsOverview', path: '/analytics/overview', label: 'menu.analyticsOverview', access: 'analytics:read' },
  { key: 'analyticsStock', path: '/analytics/stock', label: 'menu.analyticsStock', access: 'analytics:read' },
  { key: 'analyticsMap', path: '/analytics/map', label: 'menu.analyticsMap', access: 'analytics:read' },
  { key: 'analyticsFlows', path: '/analytics/flows', label: 'menu.analyticsFlows', access: 'analytics:read' },
  { key: 'analyticsScorecards', path: '/analytics/scorecards', label: 'menu.analyticsScorecards', access: 'analytics:read' },
  { key: 'analyticsRankings', path: '/analytics/rankings', label: 'menu.analyticsRankings', access: 'analytics:read' },
  { key: 'analyticsLaunches', path: '/analytics/launches', label: 'menu.analyticsLaunches', access: 'analytics:read' },
];

export function canSee(access: NavItem['access'], role: string | undefined, brandOnly = false): boolean {
  if (brandOnly && !isBrandRole(role)) return false;
  if (access === 'all') return true;
  if (access === 'brand') return isBrandRole(role);
  if (access === 'upstream') return isBrandRole(role) || isDistributorRole(role);
  if (access === 'channel') return isBrandRole(role) || isDistributorRole(role) || isStoreRole(role);
  if (access === 'brand_admin') return role === 'brand_admin';
  return may(access, role);
}

/** The menu key selected for a location path. */
export function selectedKey(pathname: string): string {
  if (pathname === '/' || pathname === '') return 'overview';
  if (pathname.startsWith('/products')) return 'products';
  if (pathname.startsWith('/channel/parties')) return '';
  for (const item of [
    ...MAIN_ITEMS.slice(2),
    ...COMMERCE_ITEMS,
    ...MARKETING_ITEMS,
    ...PLANNING_ITEMS,
    ...ANALYTICS_ITEMS,
    ...CHANNEL_ITEMS,
    ...TRACE_ITEMS,
    ...CONSUMER_ITEMS,
    ...ADMIN_ITEMS,
  ]) {
    if (pathname.startsWith(item.path)) return item.key;
  }
  const m = /^\/soon\/([a-z]+)/.exec(pathname);
  if (m?.[1]) return `soon:${m[1]}`;
  return '';
}
