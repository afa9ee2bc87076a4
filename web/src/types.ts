export type PartyKind = 'brand' | 'factory' | 'warehouse' | 'distributor' | 'store';

export interface Me {
  user: {
    id: number | string;
    username: string;
    displayName: string;
    role: string;
    locale?: string | null;
    partyId?: number | string | null;
    partyName?: string | null;
    partyCode?: string | null;
    /** a sales rep's territories (division codes); empty for everyone else */
    territories?: string[];
  };
  tenant: { code: string; name: string };
}

export interface Overview {
  counts: Record<'products' | 'factories' | 'warehouses' | 'distributors' | 'stores' | 'users', number>;
  storesByProvince: { code: string; name: string; count: number }[];
  productsByCategory: { category: string; count: number; name?: string }[];
}

export interface ProductRow {
  id: number | string;
  sku: string;
  gtin: string;
  nameZh: string;
  nameEn: string;
  category: string;
  spec?: string | null;
  shelfLifeDays: number | null;
  listPriceFen: number | null;
  currency: string | null;
  status: string;
  /** its GTINs by packaging level, in the catalogue's list */
  packaging?: { level: string; gtin: string }[];
}

export interface ProductDetail extends Omit<ProductRow, 'packaging'> {
  packaging: { level: string; gtin: string | null; quantity: number; unitsPer?: number | null }[];
  lots: { id: number | string; lotCode: string; productionDate: string | null; expiryDate: string | null; factoryName: string | null }[];
}

export interface Category {
  code: string;
  nameZh?: string;
  nameEn?: string;
  count?: number;
}

export interface PartyRow {
  id: number | string;
  kind: PartyKind;
  code: string;
  name: string;
  gln: string | null;
  tier: number | null;
  parentId: number | string | null;
  parentName: string | null;
  provinceCode: string | null;
  provinceName: string | null;
  cityCode: string | null;
  cityName: string | null;
  districtCode: string | null;
  districtName: string | null;
  status: string;
}

export interface PartyDetail extends PartyRow {
  address: string | null;
  lat: number | null;
  lng: number | null;
  contactName: string | null;
  phone: string | null;
  territories?: { code: string; name: string; level: number | string }[];
  childCounts?: Partial<Record<PartyKind, number>>;
}

export interface Division {
  code: string;
  name: string;
  level: number | string;
}

export interface UserRow {
  id: number | string;
  username: string;
  displayName: string;
  role: string;
  partyId: number | string | null;
  partyName: string | null;
  status: string;
  createdAt: string;
}

export interface AuditRow {
  seq: number | string;
  at: string;
  actor: string | null;
  action: string;
  entityType: string | null;
  entityId: string | number | null;
  ip: string | null;
  details: unknown;
}

export const isBrandRole = (role: string | undefined): boolean => !!role && role.startsWith('brand_');
export const isDistributorRole = (role: string | undefined): boolean => role === 'distributor_admin' || role === 'distributor_staff';
export const isStoreRole = (role: string | undefined): boolean => role === 'store_owner' || role === 'store_clerk';

/** Where an event happened: a party of the tenant (by GLN), or just the identifier the event named. */
export interface EventPlace {
  id: string | null;
  partyId?: number;
  partyCode?: string;
  partyName?: string;
  kind?: PartyKind;
  provinceCode?: string | null;
  provinceName?: string | null;
  cityName?: string | null;
  districtName?: string | null;
  lat?: number | null;
  lng?: number | null;
}

export interface JourneyEvent {
  eventId: string;
  eventHash: string;
  type: string;
  action: string | null;
  bizStep: string | null;
  disposition: string | null;
  eventTime: string;
  /** the code whose event this is: the looked-up code itself or a container it travelled in */
  via: string;
  readPoint: EventPlace | null;
  bizLocation: EventPlace | null;
  bizTransactions: { type?: string; bizTransaction?: string }[];
  sources: { type?: string; source?: string }[];
  destinations: { type?: string; destination?: string }[];
}

export interface CodeState {
  gtin: string | null;
  sku: string | null;
  productName: string | null;
  level: string | null;
  lot: string | null;
  status: string;
  recalled?: boolean | null;
  parent: string | null;
  top: string | null;
  holder: { id: number; code: string; name: string } | null;
  location: string | null;
  lastEventTime: string | null;
}

export interface Journey {
  code: string;
  state: CodeState | null;
  containers: { epc: string; parent: string; from: string; to: string | null }[];
  events: JourneyEvent[];
}

export interface RecallHolder {
  partyId: number | null;
  partyCode: string | null;
  partyName: string | null;
  kind: PartyKind | null;
  provinceCode: string | null;
  provinceName: string | null;
  cityName: string | null;
  status: string;
  units: number;
}

export interface RecallReport {
  gtin: string;
  lot: string;
  units: number;
  containers: number;
  byHolder: RecallHolder[];
  byProvince: { provinceCode: string | null; provinceName: string | null; units: number }[];
  byStatus: Record<string, number>;
  recall: { id: number; reason: string; createdAt: string; active: boolean } | null;
}

/** A division as the diversion API names it: its own name, and the place as people say it (北京市朝阳区, never 北京市北京市). */
export interface DiversionPlace {
  code: string;
  name: string | null;
  place: string | null;
}

/** The product of a GTIN by name (null name: a GTIN the catalogue does not know). */
export interface DiversionProduct {
  gtin: string;
  sku: string | null;
  name: string | null;
}

export interface DiversionAlert {
  id: number;
  code: string;
  gtin: string | null;
  product: DiversionProduct | null;
  lot: string | null;
  distributor: { id: number; code: string; name: string };
  expected: DiversionPlace[];
  actual: DiversionPlace | null;
  scanKind: string;
  evidence: {
    level?: number;
    units?: number | null;
    scannedBy?: { id: number; code: string; name: string; kind: PartyKind } | null;
    distributor?: { id: number; code?: string; name?: string };
  } | null;
  status: 'open' | 'confirmed' | 'dismissed';
  createdAt: string;
  /** who confirmed or dismissed it, when, and why (null while open) */
  review: { by: { id: number | null; name: string | null }; at: string; note: string | null } | null;
}

/** Alerts with the same distributor, product, lot, scan and place (a diverted case): counted and reviewed together. */
export interface DiversionGroup {
  key: string;
  distributor: { id: number; code: string; name: string };
  gtin: string | null;
  product: DiversionProduct | null;
  lot: string | null;
  scanKind: string;
  scannedBy: { id: number; code: string; name: string; kind: PartyKind } | null;
  expected: DiversionPlace[];
  actual: DiversionPlace | null;
  alerts: number;
  byStatus: { open: number; confirmed: number; dismissed: number };
  /** the open alerts of the group, for a bulk review */
  openIds: number[];
  firstAt: string;
  lastAt: string;
}

export interface DiversionBulkReview {
  decision: 'confirmed' | 'dismissed';
  reviewed: number[];
  unchanged: number[];
}

export interface DiversionHeatmap {
  foundIn: { code: string; name: string | null; alerts: number }[];
  shippedFrom: { code: string; name: string | null; alerts: number }[];
}

export interface DiversionRules {
  level: 2 | 4;
  exemptPartyIds: number[];
  monthlyCityCapUnits: number | null;
}

export interface CodeBatch {
  id: number;
  gtin: string;
  productId: number | null;
  productName: string | null;
  batchNo: number;
  keyVersion: number;
  quantity: number;
  resolver: string;
  note: string | null;
  createdAt: string;
}
