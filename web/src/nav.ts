import { isBrandRole } from './types.ts';

export interface NavItem {
  key: string;
  path: string;
  label: string;
  /** Who may see it: everyone, brand roles, or brand admins only. */
  access: 'all' | 'brand' | 'brand_admin';
}

export const CHANNEL_ITEMS: NavItem[] = [
  { key: 'distributors', path: '/channel/distributors', label: 'menu.distributors', access: 'all' },
  { key: 'stores', path: '/channel/stores', label: 'menu.stores', access: 'all' },
  { key: 'facilities', path: '/channel/facilities', label: 'menu.facilities', access: 'all' },
];

export const MAIN_ITEMS: NavItem[] = [
  { key: 'overview', path: '/', label: 'menu.overview', access: 'all' },
  { key: 'products', path: '/products', label: 'menu.products', access: 'all' },
];

export const ADMIN_ITEMS: NavItem[] = [
  { key: 'users', path: '/users', label: 'menu.users', access: 'brand_admin' },
  { key: 'io', path: '/io', label: 'menu.io', access: 'brand' },
  { key: 'audit', path: '/audit', label: 'menu.audit', access: 'brand_admin' },
];

export const COMING_SOON = ['codes', 'trace', 'orders', 'inventory', 'incentives', 'consumers', 'analytics', 'planning'] as const;
export type ComingSoonModule = (typeof COMING_SOON)[number];

export function canSee(access: NavItem['access'] | 'brand', role: string | undefined): boolean {
  if (access === 'all') return true;
  if (access === 'brand') return isBrandRole(role);
  return role === 'brand_admin';
}

/** The menu key selected for a location path. */
export function selectedKey(pathname: string): string {
  if (pathname === '/' || pathname === '') return 'overview';
  if (pathname.startsWith('/products')) return 'products';
  if (pathname.startsWith('/channel/parties')) return '';
  for (const item of [...CHANNEL_ITEMS, ...ADMIN_ITEMS]) {
    if (pathname.startsWith(item.path)) return item.key;
  }
  const m = /^\/soon\/([a-z]+)/.exec(pathname);
  if (m?.[1]) return `soon:${m[1]}`;
  return '';
}
