import type { TestServer } from './app.ts';
import { loginAs } from './app.ts';
import { captureOverHttp } from './epcis.ts';

export interface SellOutStores {
  /** the demo clerk's store (its province is the "campaign region") */
  S: { id: number; code: string; gln: string; province: string; parent: string };
  /** a store in another province, not under S's distributor */
  C: { code: string; gln: string };
  /** the unit GTIN sold */
  gtin: string;
}

const day = (d: number) => `2026-10-${String(d).padStart(2, '0')}T10:00:00+08:00`;

/**
 * Sales captured as the channel records them, for the campaign-results tests. Store S and store C sell one
 * product; the baseline is 2026-10-01..10-07, the campaign 2026-10-08..10-14 (China time):
 *
 *   S sells 10 units in the baseline and 30 during the campaign: T = (30/7) / (10/7) = 3
 *   C sells 20 units in the baseline and 25 during the campaign: C = (25/7) / (20/7) = 1.25
 *   lift = T / C - 1 = 1.4 (S sold 140 % more than the trend of comparable stores explains)
 *
 * `avoidGtin`: a GTIN the caller uses for something else (the product sold is another one).
 */
export async function captureSellOut(server: TestServer, avoidGtin: string): Promise<SellOutStores> {
  const sql = server.db.sql;
  const [t] = await sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
  const tenant = Number(t?.id);
  const [s] = await sql<{ id: string; code: string; gln: string; province_code: string; parent: string }[]>`
    select s.id, s.code, s.gln, s.province_code, d.code as parent from parties s
    join users u on u.party_id = s.id and u.tenant_id = s.tenant_id join parties d on d.tenant_id = s.tenant_id and d.id = s.parent_id
    where u.username = 'clerk' and u.tenant_id = ${tenant}`;
  const S = {
    id: Number(s?.id),
    code: s?.code as string,
    gln: s?.gln as string,
    province: s?.province_code as string,
    parent: s?.parent as string,
  };
  const [c] = await sql<{ code: string; gln: string }[]>`
    select p.code, p.gln from parties p where p.tenant_id = ${tenant} and p.kind = 'store' and p.province_code <> ${S.province}
      and p.gln is not null and not (${S.parent} = any(select a.code from parties a where a.tenant_id = p.tenant_id and a.id = any(p.ancestors)))
    order by p.code limit 1`;
  const C = { code: c?.code as string, gln: c?.gln as string };
  const [g] = await sql<{ gtin: string }[]>`
    select l.gtin from products p join packaging_levels l on l.tenant_id = p.tenant_id and l.product_id = p.id and l.level = 'unit'
    where p.tenant_id = ${tenant} and p.status = 'active' and l.gtin <> ${avoidGtin} order by p.sku limit 1`;
  const gtin = g?.gtin as string;

  const units = (prefix: string, from: number, n: number) =>
    Array.from({ length: n }, (_, i) => `https://id.gs1.org/01/${gtin}/21/${prefix}${from + i}`);
  const event = (time: string, epcs: string[], bizStep: string, gln: string) => ({
    type: 'ObjectEvent',
    eventTime: time,
    eventTimeZoneOffset: '+08:00',
    epcList: epcs,
    action: bizStep === 'commissioning' ? 'ADD' : 'OBSERVE',
    bizStep,
    bizLocation: { id: `https://id.gs1.org/414/${gln}` },
    ...(bizStep === 'commissioning' ? { ilmd: { 'cbvmda:lotNumber': 'LFT1' } } : {}),
  });
  await captureOverHttp(server.baseUrl, await loginAs(server.baseUrl, 'admin'), [
    event('2026-09-30T09:00:00+08:00', units('LS', 0, 60), 'commissioning', S.gln),
    event('2026-09-30T09:00:00+08:00', units('LC', 0, 60), 'commissioning', C.gln),
    // baseline: S 10 (4 + 6), C 20
    event(day(2), units('LS', 0, 4), 'retail_selling', S.gln),
    event(day(5), units('LS', 4, 6), 'retail_selling', S.gln),
    event(day(3), units('LC', 0, 20), 'retail_selling', C.gln),
    // campaign: S 30 (on 10-08 and 10-14, the last day counts), C 25; a sale at 23:30 on 10-14 China time is still
    // the campaign's (10-14 15:30 UTC), one at 00:30 on 10-15 is not
    event(day(8), units('LS', 10, 20), 'retail_selling', S.gln),
    event('2026-10-14T23:30:00+08:00', units('LS', 30, 10), 'retail_selling', S.gln),
    event('2026-10-15T00:30:00+08:00', units('LS', 40, 5), 'retail_selling', S.gln),
    event(day(10), units('LC', 20, 25), 'retail_selling', C.gln),
  ]);
  return { S, C, gtin };
}
