import type { ImportSpec } from '../../platform/import-driver.ts';
import { checkParty, type ValidParty } from './party-rules.ts';
import { PartyStreamWriter } from './party-stream-writer.ts';
import { insertParties } from './party-writes.ts';

const num = (s: string | undefined) => (s === undefined || s === '' ? null : Number(s));

/** Parties as rows of a spreadsheet: codes, not ids; territories as `;`-separated division codes. */
export const partiesImport: ImportSpec<ValidParty> = {
  entity: 'parties',
  columns: [
    { key: 'code', header: 'code', aliases: ['编码'] },
    { key: 'name', header: 'name', aliases: ['名称'] },
    { key: 'kind', header: 'kind', aliases: ['类型'] },
    { key: 'gln', header: 'gln', aliases: ['GLN'] },
    { key: 'tier', header: 'tier', aliases: ['层级'] },
    { key: 'parent_code', header: 'parent_code', aliases: ['上级编码'] },
    { key: 'province_code', header: 'province_code', aliases: ['省代码'] },
    { key: 'city_code', header: 'city_code', aliases: ['市代码'] },
    { key: 'district_code', header: 'district_code', aliases: ['区县代码'] },
    { key: 'address', header: 'address', aliases: ['地址'] },
    { key: 'lat', header: 'lat', aliases: ['纬度'] },
    { key: 'lng', header: 'lng', aliases: ['经度'] },
    { key: 'contact_name', header: 'contact_name', aliases: ['联系人'] },
    { key: 'phone', header: 'phone', aliases: ['电话'] },
    { key: 'territories', header: 'territories', aliases: ['授权区域'] },
  ],
  parseRow(v, index) {
    const { party, errors } = checkParty(
      {
        code: v.code ?? '',
        name: v.name ?? '',
        kind: v.kind ?? '',
        gln: v.gln || null,
        tier: num(v.tier),
        parentCode: v.parent_code || null,
        provinceCode: v.province_code || null,
        cityCode: v.city_code || null,
        districtCode: v.district_code || null,
        address: v.address || null,
        lat: num(v.lat),
        lng: num(v.lng),
        contactName: v.contact_name || null,
        phone: v.phone || null,
        territories: v.territories ? v.territories.split(/[;；,\s]+/).filter(Boolean) : [],
      },
      `/rows/${index}`,
    );
    return { value: party, errors };
  },
  async write(tx, tenantId, items) {
    const r = await insertParties(tx, tenantId, items, (i, f) => `/rows/${i}/${f}`);
    return { errors: r.errors, count: r.ids.length };
  },
  openStream: (tx, sql, tenantId) => PartyStreamWriter.open(tx, sql, tenantId, (i, f) => `/rows/${i}/${f}`),
};
