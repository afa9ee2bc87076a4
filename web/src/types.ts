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
}

export interface ProductDetail extends ProductRow {
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
