import type { Sql } from '../db/connection.ts';
import { copyInto } from '../db/copy.ts';
import { appendAudit } from '../modules/audit/index.ts';
import { insertUsers, type UserInput } from '../modules/auth/index.ts';
import { checkProduct, insertProducts, type ValidProduct } from '../modules/catalog/index.ts';
import { checkParty, insertParties, type ValidParty } from '../modules/parties/index.ts';
import { createTenant, findTenantByCode } from '../modules/tenancy/index.ts';
import { CATEGORIES, demoProducts } from './catalog-data.ts';
import { demoChannel } from './channel-data.ts';
import { seededRandom } from './random.ts';

export const DEMO_TENANT = 'demo';
export const DEMO_ADMIN_PASSWORD = 'Admin#2026';
export const DEMO_PASSWORD = 'Demo#2026';

export interface DemoOptions {
  seed?: number;
  stores?: number;
  tenant?: string;
  onStep?: (step: string, done: number, total: number) => void;
}

export interface DemoCredentials {
  tenant: string;
  users: { username: string; password: string; role: string; party: string | null }[];
}

/**
 * Loads the demo brand deterministically from a seed through the product's own bulk paths (the same
 * checks and COPY writes as the import), in one transaction: it is there completely or not at all.
 */
export async function loadDemo(sql: Sql, opts: DemoOptions = {}): Promise<DemoCredentials> {
  const seed = opts.seed ?? 20261123;
  const storeCount = opts.stores ?? 100_000;
  const tenantCode = opts.tenant ?? DEMO_TENANT;
  const step = opts.onStep ?? (() => {});
  const total = 6;
  const rnd = seededRandom(seed);

  step('catalog', 0, total);
  const products = demoProducts(rnd).map((p, i) => {
    const c = checkProduct(p, `/products/${i}`);
    if (!c.product) throw new Error(`demo product ${p.sku} is invalid: ${JSON.stringify(c.errors)}`);
    return c.product as ValidProduct;
  });
  step('channel', 1, total);
  const channel = demoChannel(rnd, storeCount);
  const parties = channel.parties.map((p, i) => {
    const c = checkParty(p, `/parties/${i}`);
    if (!c.party) throw new Error(`demo party ${p.code} is invalid: ${JSON.stringify(c.errors)}`);
    return c.party as ValidParty;
  });
  const users: UserInput[] = [
    { username: 'admin', displayName: '系统管理员', password: DEMO_ADMIN_PASSWORD, role: 'brand_admin', partyCode: 'BRAND' },
    {
      username: 'sales',
      displayName: '华北销售代表',
      password: DEMO_PASSWORD,
      role: 'brand_sales',
      partyCode: 'BRAND',
      territories: ['11', '13'],
    },
    { username: 'planner', displayName: '计划员', password: DEMO_PASSWORD, role: 'brand_planner', partyCode: 'BRAND' },
    { username: 'inspector', displayName: '市场稽查员', password: DEMO_PASSWORD, role: 'brand_inspector', partyCode: 'BRAND' },
    { username: 'quality', displayName: '质量经理', password: DEMO_PASSWORD, role: 'brand_quality', partyCode: 'BRAND' },
    { username: 'line', displayName: '1号产线', password: DEMO_PASSWORD, role: 'line_device', partyCode: 'F01' },
    { username: 'warehouse', displayName: '北京仓操作员', password: DEMO_PASSWORD, role: 'warehouse_operator', partyCode: 'W01' },
    {
      username: 'distributor',
      displayName: '一级经销商管理员',
      password: DEMO_PASSWORD,
      role: 'distributor_admin',
      partyCode: channel.firstTier1,
    },
    {
      username: 'dstaff',
      displayName: '二级经销商业务员',
      password: DEMO_PASSWORD,
      role: 'distributor_staff',
      partyCode: channel.firstTier2,
    },
    { username: 'store', displayName: '门店老板', password: DEMO_PASSWORD, role: 'store_owner', partyCode: channel.firstStore },
    { username: 'clerk', displayName: '门店店员', password: DEMO_PASSWORD, role: 'store_clerk', partyCode: channel.firstStore },
  ];

  await sql.begin(async (tx) => {
    if (await findTenantByCode(tx, tenantCode)) throw new Error(`tenant ${tenantCode} already exists`);
    const tenant = await createTenant(tx, tenantCode, tenantCode === DEMO_TENANT ? '示范乳业饮品集团' : `Tenant ${tenantCode}`);
    await copyInto(
      tx,
      'product_categories',
      ['tenant_id', 'code', 'name_zh', 'name_en'],
      CATEGORIES.map((c) => [tenant.id, c.code, c.zh, c.en]),
    );
    const p = await insertProducts(tx, tenant.id, products, (i, f) => `/products/${i}/${f}`);
    if (p.errors.length) throw new Error(`demo products rejected: ${JSON.stringify(p.errors.slice(0, 3))}`);
    step('parties', 2, total);
    const r = await insertParties(tx, tenant.id, parties, (i, f) => `/parties/${i}/${f}`);
    if (r.errors.length) throw new Error(`demo parties rejected: ${JSON.stringify(r.errors.slice(0, 3))}`);
    step('lots', 3, total);
    const factories = r.ids.slice(1, 4);
    const lotRows: (string | number)[][] = [];
    p.ids.forEach((productId, i) => {
      const shelf = products[i]?.shelfLifeDays ?? 180;
      for (let k = 0; k < 3; k++) {
        const day = new Date(Date.UTC(2026, 9, 1 + k * 14 + (i % 7)));
        const expiry = new Date(day.getTime() + shelf * 86_400_000);
        lotRows.push([
          tenant.id,
          productId,
          `L${day.toISOString().slice(2, 10).replace(/-/g, '')}${String.fromCharCode(65 + (i % 3))}`,
          day.toISOString().slice(0, 10),
          expiry.toISOString().slice(0, 10),
          factories[i % 3] as number,
        ]);
      }
    });
    await copyInto(tx, 'lots', ['tenant_id', 'product_id', 'lot_code', 'production_date', 'expiry_date', 'factory_id'], lotRows);
    step('users', 4, total);
    const u = await insertUsers(tx, tenant.id, users, (i, f) => `/users/${i}/${f}`);
    if (u.errors.length) throw new Error(`demo users rejected: ${JSON.stringify(u.errors)}`);
    await appendAudit(
      tx,
      { tenantId: tenant.id, actorKind: 'system', actorId: null, actorName: 'demo', ip: null },
      {
        action: 'demo.load',
        entityType: 'tenant',
        entityId: tenant.id,
        details: { seed, products: products.length, parties: parties.length, users: users.length },
      },
    );
  });
  step('analyze', 5, total);
  await sql`analyze parties`;
  await sql`analyze products`;
  step('done', total, total);
  return {
    tenant: tenantCode,
    users: users.map((x) => ({ username: x.username, password: x.password, role: x.role, party: x.partyCode ?? null })),
  };
}
