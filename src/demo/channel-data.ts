import type { PartyInput } from '../modules/parties/index.ts';
import { allDivisions, type Division } from '../modules/parties/index.ts';
import { withCheckDigit } from '../platform/gs1.ts';
import type { Random } from './random.ts';

/** GS1 prefix for the demo brand's locations: 6 digits + 6-digit location reference + check = GLN-13. */
const GLN_PREFIX = '693456';
const gln = (n: number) => withCheckDigit(`${GLN_PREFIX}${String(n).padStart(6, '0')}`);

const FACTORIES: [string, string, string][] = [
  ['F01', '呼和浩特乳品工厂', '150105'],
  ['F02', '石家庄饮料工厂', '130104'],
  ['F03', '成都食品工厂', '510116'],
];
const WAREHOUSES: [string, string, string][] = [
  ['W01', '北京中心仓', '110112'],
  ['W02', '上海中心仓', '310115'],
  ['W03', '广州中心仓', '440113'],
  ['W04', '武汉中心仓', '420114'],
  ['W05', '西安中心仓', '610116'],
  ['W06', '沈阳中心仓', '210114'],
];
const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤'.split(
    '',
  );
const STORE_TYPES = ['便利店', '超市', '商店', '副食店', '小卖部', '母婴店', '生活超市', '百货', '批发部', '烟酒店'];
const TRADE_WORDS = [
  '盛',
  '鑫',
  '福',
  '兴',
  '旺',
  '隆',
  '源',
  '达',
  '丰',
  '泰',
  '和',
  '佳',
  '惠',
  '万家',
  '好又多',
  '快客',
  '家家乐',
  '邻里',
];
const STREETS = ['人民路', '解放路', '建设路', '中山路', '和平路', '新华路', '胜利路', '文化路', '光明路', '长江路', '黄河路', '朝阳路'];

export interface DemoChannel {
  parties: PartyInput[];
  firstTier1: string;
  firstTier2: string;
  firstStore: string;
}

/**
 * The demo brand's channel on China's real divisions: the brand, 3 factories, 6 warehouses, 500
 * distributors (tier 1 holding cities, tier 2 holding districts inside them) whose territories cover
 * every district, and `storeCount` stores spread over the districts, each supplied by the distributor
 * whose territory holds it.
 */
export function demoChannel(rnd: Random, storeCount: number, distributorCount = 500): DemoChannel {
  const divisions = [...allDivisions().values()];
  const provinces = divisions.filter((d) => d.level === 1);
  const citiesOf = (p: string) => divisions.filter((d) => d.level === 2 && d.parentCode === p);
  const districtsOf = (c: string) => divisions.filter((d) => d.level === 3 && d.parentCode === c);
  const parties: PartyInput[] = [];
  let glnSeq = 1;
  const place = (districtCode: string) => {
    const d = allDivisions().get(districtCode) as Division;
    return { provinceCode: d.provinceCode, cityCode: d.cityCode, districtCode };
  };
  parties.push({
    code: 'BRAND',
    name: '示范乳业饮品集团',
    kind: 'brand',
    gln: gln(glnSeq++),
    ...place('110105'),
    address: '朝阳区建国路88号',
  });
  for (const [code, name, district] of FACTORIES) {
    parties.push({
      code,
      name,
      kind: 'factory',
      gln: gln(glnSeq++),
      parentCode: 'BRAND',
      ...place(district),
      address: `${rnd.pick(STREETS)}${rnd.int(1, 300)}号`,
    });
  }
  for (const [code, name, district] of WAREHOUSES) {
    parties.push({
      code,
      name,
      kind: 'warehouse',
      gln: gln(glnSeq++),
      parentCode: 'BRAND',
      ...place(district),
      address: `${rnd.pick(STREETS)}${rnd.int(1, 300)}号`,
    });
  }

  // tier 1: about 30% of distributors, at least one per province, proportional to its cities; each holds a disjoint set of cities
  const tier1Total = Math.round(distributorCount * 0.3);
  const allCities = divisions.filter((d) => d.level === 2).length;
  const tier1: { code: string; cities: Division[] }[] = [];
  for (const p of provinces) {
    const cities = citiesOf(p.code);
    const n = Math.max(1, Math.min(cities.length, Math.round((tier1Total * cities.length) / allCities)));
    for (let i = 0; i < n; i++) {
      tier1.push({ code: `D${String(tier1.length + 1).padStart(4, '0')}`, cities: cities.filter((_, j) => j % n === i) });
    }
  }
  const cityOwner = new Map<string, string>();
  for (const t of tier1) {
    const p = allDivisions().get(t.cities[0]?.provinceCode ?? '') as Division;
    const hq = t.cities[0] as Division;
    const hqDistrict = districtsOf(hq.code)[0]?.code;
    parties.push({
      code: t.code,
      name: `${hq.name === '市辖区' ? p.name.replace(/市$/, '') : hq.name.replace(/市$|地区$|自治州$|盟$/, '')}${rnd.pick(TRADE_WORDS)}${rnd.pick(['商贸', '食品', '贸易', '供应链'])}有限公司`,
      kind: 'distributor',
      tier: 1,
      gln: gln(glnSeq++),
      parentCode: 'BRAND',
      ...(hqDistrict ? place(hqDistrict) : { provinceCode: p.code, cityCode: hq.code }),
      address: `${rnd.pick(STREETS)}${rnd.int(1, 500)}号`,
      contactName: `${rnd.pick(SURNAMES)}经理`,
      phone: `1${rnd.pick(['3', '5', '8'])}${String(rnd.int(0, 999999999)).padStart(9, '0')}`,
      territories: t.cities.map((c) => c.code),
    });
    for (const c of t.cities) cityOwner.set(c.code, t.code);
  }

  // tier 2: the rest, each under a tier-1 distributor, holding some districts of one of its cities
  const tier2Total = distributorCount - tier1.length;
  const districtOwner = new Map<string, string>();
  const cityPool = tier1
    .flatMap((t) => t.cities.map((c) => ({ t1: t.code, city: c, districts: districtsOf(c.code) })))
    .filter((x) => x.districts.length >= 2);
  for (let i = 0; i < tier2Total; i++) {
    const slot = cityPool[Math.floor((i * cityPool.length) / tier2Total)] ?? cityPool[i % cityPool.length];
    if (!slot) break;
    const taken = slot.districts.filter((d) => !districtOwner.has(d.code));
    const share = taken.slice(0, Math.max(1, Math.ceil(taken.length / 2)));
    if (!share.length) continue;
    const code = `D${String(tier1.length + i + 1).padStart(4, '0')}`;
    const first = share[0] as Division;
    parties.push({
      code,
      name: `${first.name.replace(/区$|县$|市$/, '')}${rnd.pick(TRADE_WORDS)}${rnd.pick(['商行', '食品经营部', '批发部', '配送中心'])}`,
      kind: 'distributor',
      tier: 2,
      gln: gln(glnSeq++),
      parentCode: slot.t1,
      ...place(first.code),
      address: `${rnd.pick(STREETS)}${rnd.int(1, 500)}号`,
      contactName: `${rnd.pick(SURNAMES)}总`,
      phone: `1${rnd.pick(['3', '5', '8'])}${String(rnd.int(0, 999999999)).padStart(9, '0')}`,
      territories: share.map((d) => d.code),
    });
    for (const d of share) districtOwner.set(d.code, code);
  }

  const allDistricts = divisions.filter((d) => d.level === 3 && cityOwner.has(d.cityCode ?? ''));
  for (let i = 0; i < storeCount; i++) {
    const d = allDistricts[Math.floor(rnd.next() * allDistricts.length)] as Division;
    const supplier = districtOwner.get(d.code) ?? (cityOwner.get(d.cityCode ?? '') as string);
    const code = `S${String(i + 1).padStart(6, '0')}`;
    parties.push({
      code,
      name: `${rnd.pick(SURNAMES)}记${rnd.pick(TRADE_WORDS)}${rnd.pick(STORE_TYPES)}(${d.name}${rnd.int(1, 99)}号店)`,
      kind: 'store',
      gln: gln(glnSeq++),
      parentCode: supplier,
      ...place(d.code),
      address: `${d.name}${rnd.pick(STREETS)}${rnd.int(1, 999)}号`,
      contactName: `${rnd.pick(SURNAMES)}${rnd.pick(['老板', '女士', '先生'])}`,
      phone: `1${rnd.pick(['3', '5', '7', '8'])}${String(rnd.int(0, 999999999)).padStart(9, '0')}`,
    });
  }
  const firstTier2 = parties.find((p) => p.kind === 'distributor' && p.tier === 2)?.code ?? '';
  // The store users' store: the first store (by code) the first tier-1 distributor supplies directly, so
  // the demo's `store` orders from the `distributor` user and sits in the history the demo plays. Chosen
  // after generation so the random sequence — and with it every other party — stays the same.
  const stores = parties.filter((p) => p.kind === 'store');
  const firstStore = (stores.find((p) => p.parentCode === 'D0001') ?? stores[0])?.code ?? '';
  return { parties, firstTier1: 'D0001', firstTier2, firstStore };
}
