/**
 * The product mode's simulation tenant: a brand with one warehouse, the distributors and the stores (store s buys
 * from distributor s mod distributors), one product per SKU whose "case" is the store pack, price lists at 1 yuan a
 * unit (the brand's, and each distributor's own for its stores), no approvals, a credit line for every buyer, lanes
 * with the policy's lead times. Created in one transaction through the product's own bulk paths.
 */
import { randomUUID } from 'node:crypto';
import type { Sql } from '../../../db/connection.ts';
import { withCheckDigit } from '../../../platform/gs1.ts';
import type { Actor } from '../../auth/index.ts';
import { checkProduct, insertProducts, type ValidProduct } from '../../catalog/index.ts';
import { checkParty, insertParties, type ValidParty } from '../../parties/index.ts';
import { createTenant } from '../../tenancy/index.ts';
import type { SimulationParams } from './params.ts';

const PREFIX = '6929999'; // GS1 China range, the simulation brand's own
const gtin = (indicator: number, item: number) => withCheckDigit(`${indicator}${PREFIX}${String(item).padStart(5, '0')}`);
const glnOf = (n: number) => withCheckDigit(`${PREFIX}${String(n).padStart(5, '0')}`);
const DISTRICT = '110105';

export interface Channel {
  tenantId: number;
  tenantCode: string;
  warehouse: { id: number; gln: string };
  distributors: { id: number; code: string; gln: string }[];
  stores: { id: number; code: string; gln: string }[];
  skus: { sku: string; unit: string; pack: string }[];
  brandActor: Actor;
}

/** Creates the simulation tenant and its channel, in one transaction. */
export async function createSimulationTenant(sql: Sql, params: SimulationParams): Promise<Channel> {
  const code = `sim-${Date.now().toString(36)}-${randomUUID().slice(0, 4)}`;
  return sql.begin(async (tx) => {
    const tenant = await createTenant(tx, code, `Simulation ${code}`);
    const t = tenant.id;
    await tx`insert into product_categories (tenant_id, code, name_zh, name_en) values (${t}, 'sim', '模拟', 'Simulation')`;
    const products = Array.from({ length: params.skus }, (_, k) => {
      const c = checkProduct(
        {
          sku: `SIM-${String(k + 1).padStart(3, '0')}`,
          gtin: gtin(0, k + 1),
          nameZh: `模拟商品 ${k + 1}`,
          nameEn: `Simulated product ${k + 1}`,
          category: 'sim',
          shelfLifeDays: 365,
          listPriceFen: 100,
          caseGtin: gtin(1, k + 1),
          caseQuantity: params.storePack,
        },
        `/products/${k}`,
      );
      if (!c.product) throw new Error(`simulation product: ${JSON.stringify(c.errors)}`);
      return c.product as ValidProduct;
    });
    const p = await insertProducts(tx, t, products, (i, f) => `/products/${i}/${f}`);
    if (p.errors.length) throw new Error(`simulation products: ${JSON.stringify(p.errors.slice(0, 3))}`);
    let n = 1;
    const party = (x: Parameters<typeof checkParty>[0]) => {
      const c = checkParty({ ...x, gln: glnOf(n++), districtCode: DISTRICT }, '/parties');
      if (!c.party) throw new Error(`simulation party: ${JSON.stringify(c.errors)}`);
      return c.party as ValidParty;
    };
    const dCode = (d: number) => `D${String(d + 1).padStart(4, '0')}`;
    const sCode = (s: number) => `S${String(s + 1).padStart(6, '0')}`;
    const parties = [
      party({ code: 'BRAND', name: 'Simulation brand', kind: 'brand' }),
      party({ code: 'W01', name: 'Brand warehouse', kind: 'warehouse', parentCode: 'BRAND' }),
      ...Array.from({ length: params.distributors }, (_, d) =>
        party({ code: dCode(d), name: `Distributor ${d + 1}`, kind: 'distributor', tier: 1, parentCode: 'BRAND' }),
      ),
      ...Array.from({ length: params.stores }, (_, s) =>
        party({ code: sCode(s), name: `Store ${s + 1}`, kind: 'store', parentCode: dCode(s % params.distributors) }),
      ),
    ];
    const r = await insertParties(tx, t, parties, (i, f) => `/parties/${i}/${f}`);
    if (r.errors.length) throw new Error(`simulation parties: ${JSON.stringify(r.errors.slice(0, 3))}`);
    const id = (i: number) => r.ids[i] as number;
    const buyers = r.ids.slice(2);
    // no approvals: the simulated buyers order every day; a credit line large enough for a year of orders
    await tx`insert into order_settings (tenant_id, approval_amount_fen, approve_first_order, approve_on_credit)
      values (${t}, ${Number.MAX_SAFE_INTEGER}, false, false)`;
    await tx`insert into funds_accounts (tenant_id, party_id, kind, credit_limit_fen)
      select ${t}, x, 'prepaid', 1000000000000000 from unnest(${buyers}::bigint[]) x`;
    // price lists: the brand's for distributors, each distributor's own for its stores (1 yuan a unit)
    const sellers = [null, ...r.ids.slice(2, 2 + params.distributors)];
    const lists = await tx<{ id: number }[]>`
      insert into price_lists (tenant_id, code, name, seller_party_id, scope)
      select ${t}, 'SIM-' || coalesce(s::text, 'BRAND'), 'Simulation', s, 'base' from unnest(${sellers}::bigint[]) s
      returning id::int`;
    await tx`insert into price_list_items (tenant_id, price_list_id, product_id, price_fen)
      select ${t}, l, p, 100 from unnest(${lists.map((l) => l.id)}::bigint[]) l cross join unnest(${p.ids}::bigint[]) p`;
    const storeLead = params.policies[0]?.store.lane;
    const distLead = params.policies[0]?.distributor.lane;
    await tx`insert into replenishment_lanes (tenant_id, seller_party_id, buyer_party_id, lead_time_days)
      select ${t}, * from unnest(${[...Array.from({ length: params.distributors }, () => id(0)), ...Array.from({ length: params.stores }, (_, s) => id(2 + (s % params.distributors)))]}::bigint[],
        ${buyers}::bigint[],
        ${[...Array.from({ length: params.distributors }, () => (distLead ? distLead.processingDays + distLead.transitDays : 0)), ...Array.from({ length: params.stores }, () => (storeLead ? storeLead.processingDays + storeLead.transitDays : 0))]}::int[])`;
    return {
      tenantId: t,
      tenantCode: code,
      warehouse: { id: id(1), gln: parties[1]?.gln as string },
      distributors: Array.from({ length: params.distributors }, (_, d) => ({
        id: id(2 + d),
        code: dCode(d),
        gln: parties[2 + d]?.gln as string,
      })),
      stores: Array.from({ length: params.stores }, (_, s) => ({
        id: id(2 + params.distributors + s),
        code: sCode(s),
        gln: parties[2 + params.distributors + s]?.gln as string,
      })),
      skus: products.map((x, k) => ({ sku: x.sku, unit: gtin(0, k + 1), pack: gtin(1, k + 1) })),
      brandActor: actor(t, code, 'brand_admin', id(0), 'simulator (brand)'),
    };
  });
}

export function actor(tenantId: number, tenantCode: string, role: Actor['role'], partyId: number, name: string): Actor {
  return { kind: 'user', tenantId, tenantCode, id: 0, name, role, partyId, territories: [] };
}
