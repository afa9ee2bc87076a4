/**
 * Every parameter of the channel simulator, in one place: the channel's size, the demand, and each ordering policy
 * (who reviews how often, with which rule, and how long an order takes from being placed to being received).
 *
 * Time is in whole days; quantities are whole units. An order placed on day t is shipped on day t + processingDays
 * (the supplier allocates from its stock on hand that day) and received on day t + processingDays + transitDays, so
 * its order cycle is processingDays + transitDays. The two policies share the physical facts (packs, cases,
 * production lead time) and differ in how and how often they order, which is what the brands want to compare.
 */
import type { FieldError } from '../../../http/problem.ts';

export type PolicyName = 'baseline' | 'throughline';
export const POLICIES: readonly PolicyName[] = ['baseline', 'throughline'];
export type SimulationMode = 'fast' | 'product';

export interface Lane {
  /** days from placing the order to shipping it (order entry, approval, picking) */
  processingDays: number;
  /** days from shipping to receipt */
  transitDays: number;
}

/** A store's or distributor's ordering rule. */
export interface OrderingRule {
  /** `cover`: order up to coverDays of the average over the window (rule of thumb); `order_up_to`: S = d(L+R) + zσ√(L+R) */
  rule: 'cover' | 'order_up_to';
  /** days between two reviews (1 = every day) */
  reviewDays: number;
  /** `cover` only: days of average sales (or outflow) to hold after ordering */
  coverDays: number;
  /** `order_up_to` only: the probability of not running out within a cycle (gives z) */
  serviceLevel: number;
  /** days of history the average (and its standard deviation) is taken over */
  windowDays: number;
  lane: Lane;
}

export interface PolicyParams {
  name: PolicyName;
  store: OrderingRule;
  distributor: OrderingRule;
  /** the brand's own production orders to its factory */
  brand: OrderingRule;
  /** the brand tops each distributor's purchases of the month up to (1 + uplift) x the month's sell-through, at month end; 0 = no push */
  monthEndPushUplift: number;
}

export interface ChannelParams {
  days: number;
  distributors: number;
  stores: number;
  skus: number;
  seed: number;
  /** units in the pack a store orders in (distributors break cases into packs) */
  storePack: number;
  /** units in the case a distributor orders in */
  distributorCase: number;
  /** units in a production batch multiple */
  brandBatch: number;
  /** a production run of a SKU makes at least this many days of its average demand (factories run SKUs in campaigns) */
  productionRunDays: number;
  /** a store keeps at least this many units of each SKU on the shelf (one facing), whatever the rule says */
  shelfMinimum: number;
  /** spread of store sizes: demand of a store x SKU = M5 series x exp(N(0, storeSizeSigma)) */
  storeSizeSigma: number;
}

export interface SimulationParams extends ChannelParams {
  policies: PolicyParams[];
  mode: SimulationMode;
}

/** A 30-day month, for the monthly reviews and the month-end push. */
export const MONTH_DAYS = 30;

/** How these brands run today: phone and fax orders (~5 days from order to receipt), weekly store orders by rule of thumb, monthly distributor orders, quota pushed at month end. */
export const BASELINE: PolicyParams = {
  name: 'baseline',
  store: {
    rule: 'cover',
    reviewDays: 7,
    coverDays: 14,
    serviceLevel: 0,
    windowDays: 28,
    lane: { processingDays: 4, transitDays: 1 },
  },
  distributor: {
    rule: 'cover',
    reviewDays: MONTH_DAYS,
    coverDays: 45,
    serviceLevel: 0,
    windowDays: MONTH_DAYS,
    lane: { processingDays: 3, transitDays: 2 },
  },
  brand: {
    rule: 'cover',
    reviewDays: MONTH_DAYS,
    coverDays: 60,
    serviceLevel: 0,
    windowDays: MONTH_DAYS,
    lane: { processingDays: 0, transitDays: 14 },
  },
  monthEndPushUplift: 0.1,
};

/** Demand-driven (pull): daily review, order-up-to levels from a forecast of recent sell-through, orders online shipped next day and received by scan. */
export const THROUGHLINE: PolicyParams = {
  name: 'throughline',
  store: {
    rule: 'order_up_to',
    reviewDays: 1,
    coverDays: 0,
    serviceLevel: 0.98,
    windowDays: 28,
    lane: { processingDays: 1, transitDays: 0 },
  },
  distributor: {
    rule: 'order_up_to',
    reviewDays: 1,
    coverDays: 0,
    serviceLevel: 0.98,
    windowDays: 28,
    lane: { processingDays: 0, transitDays: 1 },
  },
  brand: {
    rule: 'order_up_to',
    reviewDays: 7,
    coverDays: 0,
    serviceLevel: 0.98,
    windowDays: 28,
    lane: { processingDays: 0, transitDays: 14 },
  },
  monthEndPushUplift: 0,
};

export const POLICY_DEFAULTS: Record<PolicyName, PolicyParams> = { baseline: BASELINE, throughline: THROUGHLINE };

export const CHANNEL_DEFAULTS: ChannelParams = {
  days: 365,
  distributors: 50,
  stores: 5_000,
  skus: 20,
  seed: 1,
  storePack: 6,
  distributorCase: 24,
  brandBatch: 240,
  productionRunDays: 14,
  shelfMinimum: 2,
  storeSizeSigma: 0.5,
};

/** The bounds every request is held to (the API's schema says the same; the console allows only small runs). */
export const LIMITS = {
  days: { min: 1, max: 3650 },
  distributors: { min: 1, max: 500 },
  stores: { min: 1, max: 100_000 },
  skus: { min: 1, max: 200 },
  storeSkus: { max: 20_000_000 },
  /** a run in product mode writes a tenant's worth of orders and scans: kept to the benchmark's channel */
  productStores: 5_000,
  pack: { min: 1, max: 10_000 },
  leadDays: { min: 0, max: 120 },
  reviewDays: { min: 1, max: 365 },
  coverDays: { min: 0, max: 365 },
  windowDays: { min: 1, max: 365 },
} as const;

/** The brands' targets (DESIGN.md): stock turns from 4 to 6 a year, stock-outs from 15% to under 5%, order cycle under 2 days. */
export const TARGETS = { stockTurns: 6, stockOutRate: 0.05, orderCycleDays: 2 } as const;

export interface SimulationRequest {
  days?: number;
  distributors?: number;
  stores?: number;
  skus?: number;
  seed?: number;
  policy?: string;
  mode?: string;
  serviceLevel?: number;
  /** overrides of a lane's days, for both policies' store lanes (what-if runs) */
  storeLeadDays?: number;
  distributorLeadDays?: number;
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

/**
 * Checks a request and builds the parameters; every problem is reported with a pointer (prefix + field) and a stable
 * code, and nothing is run when there is one.
 */
export function buildParams(
  req: SimulationRequest,
  opts: { prefix?: string; maxStores?: number } = {},
): { ok: true; params: SimulationParams } | { ok: false; errors: FieldError[] } {
  const p = opts.prefix ?? '';
  const errors: FieldError[] = [];
  const int = (name: keyof SimulationRequest, min: number, max: number, fallback: number): number => {
    const v = req[name];
    if (v === undefined) return fallback;
    if (!isInt(v) || v < min || v > max) {
      errors.push({ pointer: `${p}/${name}`, code: `simulation.${name}_range`, params: { value: v, min, max } });
      return fallback;
    }
    return v;
  };
  const days = int('days', LIMITS.days.min, LIMITS.days.max, CHANNEL_DEFAULTS.days);
  const distributors = int('distributors', LIMITS.distributors.min, LIMITS.distributors.max, CHANNEL_DEFAULTS.distributors);
  const mode = req.mode ?? 'fast';
  if (mode !== 'fast' && mode !== 'product')
    errors.push({ pointer: `${p}/mode`, code: 'simulation.mode_unknown', params: { value: mode, allowed: 'fast, product' } });
  const storeMax = Math.min(opts.maxStores ?? LIMITS.stores.max, mode === 'product' ? LIMITS.productStores : LIMITS.stores.max);
  const stores = int('stores', LIMITS.stores.min, storeMax, Math.min(CHANNEL_DEFAULTS.stores, storeMax));
  const skus = int('skus', LIMITS.skus.min, LIMITS.skus.max, CHANNEL_DEFAULTS.skus);
  const seed = int('seed', 0, 2 ** 31 - 1, CHANNEL_DEFAULTS.seed);
  if (stores < distributors && req.stores !== undefined && req.distributors !== undefined)
    errors.push({ pointer: `${p}/stores`, code: 'simulation.fewer_stores_than_distributors', params: { stores, distributors } });
  if (stores * skus > LIMITS.storeSkus.max)
    errors.push({ pointer: `${p}/skus`, code: 'simulation.too_large', params: { value: stores * skus, max: LIMITS.storeSkus.max } });
  const policy = req.policy ?? 'both';
  let names: PolicyName[] = [];
  if (policy === 'both') names = [...POLICIES];
  else if ((POLICIES as readonly string[]).includes(policy)) names = [policy as PolicyName];
  else
    errors.push({
      pointer: `${p}/policy`,
      code: 'simulation.policy_unknown',
      params: { value: policy, allowed: 'baseline, throughline, both' },
    });
  const sl = req.serviceLevel;
  if (sl !== undefined && !(typeof sl === 'number' && sl > 0.5 && sl < 0.9999))
    errors.push({ pointer: `${p}/serviceLevel`, code: 'simulation.service_level_range', params: { value: sl, min: 0.5, max: 0.9999 } });
  const lead = (name: 'storeLeadDays' | 'distributorLeadDays'): number | undefined => {
    const v = req[name];
    if (v === undefined) return undefined;
    if (!isInt(v) || v < LIMITS.leadDays.min || v > LIMITS.leadDays.max) {
      errors.push({ pointer: `${p}/${name}`, code: 'simulation.lead_days_range', params: { value: v, min: 0, max: LIMITS.leadDays.max } });
      return undefined;
    }
    return v;
  };
  const storeLead = lead('storeLeadDays');
  const distributorLead = lead('distributorLeadDays');
  if (errors.length) return { ok: false, errors };
  const policies = names.map((n) => {
    const base = structuredClone(POLICY_DEFAULTS[n]);
    if (sl !== undefined && n === 'throughline') {
      base.store.serviceLevel = sl;
      base.distributor.serviceLevel = sl;
      base.brand.serviceLevel = sl;
    }
    if (storeLead !== undefined) base.store.lane = withLead(base.store.lane, storeLead);
    if (distributorLead !== undefined) base.distributor.lane = withLead(base.distributor.lane, distributorLead);
    return base;
  });
  return {
    ok: true,
    params: { ...CHANNEL_DEFAULTS, days, distributors, stores, skus, seed, policies, mode: mode as SimulationMode },
  };
}

/** A lane of `days` from order to receipt: the processing part first, the rest in transit. */
function withLead(lane: Lane, days: number): Lane {
  const processingDays = Math.min(lane.processingDays, days);
  return { processingDays, transitDays: days - processingDays };
}

/** Checks a fully built parameter set (for callers that build one by hand, such as the tests): the same rules as the request. */
export function checkParams(params: SimulationParams): FieldError[] {
  const errors: FieldError[] = [];
  const range = (pointer: string, v: number, min: number, max: number, code: string) => {
    if (!(Number.isFinite(v) && v >= min && v <= max)) errors.push({ pointer, code, params: { value: v, min, max } });
  };
  range('/days', params.days, LIMITS.days.min, LIMITS.days.max, 'simulation.days_range');
  range('/distributors', params.distributors, 1, LIMITS.distributors.max, 'simulation.distributors_range');
  range('/stores', params.stores, 1, LIMITS.stores.max, 'simulation.stores_range');
  range('/skus', params.skus, 1, LIMITS.skus.max, 'simulation.skus_range');
  range('/productionRunDays', params.productionRunDays, 0, LIMITS.coverDays.max, 'simulation.cover_days_range');
  for (const k of ['storePack', 'distributorCase', 'brandBatch'] as const)
    range(`/${k}`, params[k], LIMITS.pack.min, LIMITS.pack.max, 'simulation.pack_range');
  params.policies.forEach((pol, i) => {
    for (const level of ['store', 'distributor', 'brand'] as const) {
      const r = pol[level];
      const at = `/policies/${i}/${level}`;
      range(`${at}/lane/processingDays`, r.lane.processingDays, 0, LIMITS.leadDays.max, 'simulation.lead_days_range');
      range(`${at}/lane/transitDays`, r.lane.transitDays, 0, LIMITS.leadDays.max, 'simulation.lead_days_range');
      range(`${at}/reviewDays`, r.reviewDays, LIMITS.reviewDays.min, LIMITS.reviewDays.max, 'simulation.review_days_range');
      range(`${at}/windowDays`, r.windowDays, LIMITS.windowDays.min, LIMITS.windowDays.max, 'simulation.window_days_range');
      if (r.rule === 'cover') range(`${at}/coverDays`, r.coverDays, 0, LIMITS.coverDays.max, 'simulation.cover_days_range');
      else range(`${at}/serviceLevel`, r.serviceLevel, 0.5, 0.9999, 'simulation.service_level_range');
    }
  });
  return errors;
}
