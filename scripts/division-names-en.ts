/**
 * Writes data/china-divisions/names-en.json: the English name of every division in pca-code.json (code -> name), which
 * the server shows to a reader who asked for English. Run after pca-code.json changes:
 *
 *   node --import tsx scripts/division-names-en.ts
 *
 * Provinces come from a hand table (the console's web/src/geo/provinces.ts uses the same names). Every other name is
 * Hanyu Pinyin without tones from pinyin-pro (a devDependency: the server only reads the JSON), the syllables of one
 * name joined and title-cased (深圳市 -> Shenzhen, 南山区 -> Nanshan District), with the kind of division in English
 * (区 District, 县 County, 旗 Banner, 自治州 Autonomous Prefecture ...); a city drops 市 (Shenzhen, not Shenzhen City).
 * Place names read some characters in a way pinyin-pro's general dictionary does not (六安 Lu'an, 歙县 She): those are
 * in READINGS below; names that are not a place word plus a kind (special zones, the data's grouping rows) are in
 * NAMES. Check a new version of the data with `--check`: it lists each character of more than one reading with the
 * readings used and the names using each.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { customPinyin, pinyin, polyphonic } from 'pinyin-pro';

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../data/china-divisions');

interface PcaNode {
  code: string;
  name: string;
  children?: PcaNode[];
}

/** The 34 province-level divisions as the console names them (web/src/geo/provinces.ts nameEn), full and short Chinese. */
const PROVINCES: Record<string, [full: string, short: string, en: string]> = {
  '11': ['北京市', '北京', 'Beijing'],
  '12': ['天津市', '天津', 'Tianjin'],
  '13': ['河北省', '河北', 'Hebei'],
  '14': ['山西省', '山西', 'Shanxi'],
  '15': ['内蒙古自治区', '内蒙古', 'Inner Mongolia'],
  '21': ['辽宁省', '辽宁', 'Liaoning'],
  '22': ['吉林省', '吉林', 'Jilin'],
  '23': ['黑龙江省', '黑龙江', 'Heilongjiang'],
  '31': ['上海市', '上海', 'Shanghai'],
  '32': ['江苏省', '江苏', 'Jiangsu'],
  '33': ['浙江省', '浙江', 'Zhejiang'],
  '34': ['安徽省', '安徽', 'Anhui'],
  '35': ['福建省', '福建', 'Fujian'],
  '36': ['江西省', '江西', 'Jiangxi'],
  '37': ['山东省', '山东', 'Shandong'],
  '41': ['河南省', '河南', 'Henan'],
  '42': ['湖北省', '湖北', 'Hubei'],
  '43': ['湖南省', '湖南', 'Hunan'],
  '44': ['广东省', '广东', 'Guangdong'],
  '45': ['广西壮族自治区', '广西', 'Guangxi'],
  '46': ['海南省', '海南', 'Hainan'],
  '50': ['重庆市', '重庆', 'Chongqing'],
  '51': ['四川省', '四川', 'Sichuan'],
  '52': ['贵州省', '贵州', 'Guizhou'],
  '53': ['云南省', '云南', 'Yunnan'],
  '54': ['西藏自治区', '西藏', 'Tibet'],
  '61': ['陕西省', '陕西', 'Shaanxi'],
  '62': ['甘肃省', '甘肃', 'Gansu'],
  '63': ['青海省', '青海', 'Qinghai'],
  '64': ['宁夏回族自治区', '宁夏', 'Ningxia'],
  '65': ['新疆维吾尔自治区', '新疆', 'Xinjiang'],
  '71': ['台湾省', '台湾', 'Taiwan'],
  '81': ['香港特别行政区', '香港', 'Hong Kong'],
  '82': ['澳门特别行政区', '澳门', 'Macao'],
};

/** Whole names (Chinese as in the data) that are not a place word plus a kind of division. */
const NAMES: Record<string, string> = {
  市辖区: 'City districts',
  县: 'Counties',
  省直辖县级行政区划: 'County-level divisions under the province',
  自治区直辖县级行政区划: 'County-level divisions under the autonomous region',
  中沙群岛的岛礁及其海域: 'Zhongsha Islands, their reefs and waters',
  华南热作学院: 'South China Tropical Crops College',
  松山湖: 'Songshan Lake',
  东莞港: 'Dongguan Port',
  东莞生态园: 'Dongguan Eco-Park',
  吉林中国新加坡食品区: 'Jilin China-Singapore Food Zone',
  郑州航空港经济综合实验区: 'Zhengzhou Airport Economy Zone',
  豫东综合物流产业聚集区: 'Yudong Comprehensive Logistics Industry Cluster',
};

/**
 * Readings of place words that pinyin-pro's general dictionary gets wrong (the standard reading of the place name, as
 * in the national gazetteer), found by reviewing `--check`'s list. Keys are whole place words, so a character keeps
 * its usual reading elsewhere.
 */
const READINGS: Record<string, string> = {
  六安: 'lu an',
  六合: 'lu he',
  吴堡: 'wu bu',
  宕昌: 'tan chang',
  乐亭: 'lao ting',
  乐陵: 'lao ling',
  乐清: 'yue qing',
  歙县: 'she xian',
  浚县: 'xun xian',
  大埔: 'da bu',
  尉犁: 'yu li',
  单县: 'shan xian',
  蔚县: 'yu xian',
  涡阳: 'guo yang',
  筠连: 'jun lian',
  什: 'shi',
  都: 'du',
  召陵: 'shao ling',
  民乐: 'min le',
  蚌山: 'beng shan',
  塘厦: 'tang xia',
  大城: 'da cheng',
  莞城: 'guan cheng',
  万柏林: 'wan bai lin',
  泌阳: 'bi yang',
  麻涌: 'ma chong',
  大涌: 'da chong',
  中牟: 'zhong mou',
  珲春: 'hun chun',
  大箐山: 'da qing shan',
  覃塘: 'tan tang',
  黄陂: 'huang pi',
  曾都: 'zeng du',
  繁峙: 'fan shi',
};

/**
 * Words spelled otherwise than in pinyin: the conventional English of a few cities (as the console names the provinces'
 * capitals), generic words inside the names of development zones, better translated than spelled, and place words in
 * zone names that are not a province or a city.
 */
const WORDS: Record<string, string> = {
  呼和浩特: 'Hohhot',
  哈尔滨: 'Harbin',
  乌鲁木齐: 'Urumqi',
  拉萨: 'Lhasa',
  汽车: 'Automotive',
  火炬: 'Torch',
  稀土: 'Rare Earth',
  中新: 'China-Singapore',
  东营港: 'Dongying Port',
  格尔木: "Ge'ermu",
  香格里拉: 'Shangri-La',
};

/** Peoples named in autonomous prefectures, counties and banners (the ethnic group's usual English name). */
const PEOPLES: Record<string, string> = {
  回: 'Hui',
  满: 'Manchu',
  蒙古: 'Mongol',
  壮: 'Zhuang',
  苗: 'Miao',
  土家: 'Tujia',
  彝: 'Yi',
  藏: 'Tibetan',
  维吾尔: 'Uyghur',
  哈萨克: 'Kazakh',
  朝鲜: 'Korean',
  侗: 'Dong',
  瑶: 'Yao',
  白: 'Bai',
  傣: 'Dai',
  黎: 'Li',
  傈僳: 'Lisu',
  佤: 'Va',
  畲: 'She',
  拉祜: 'Lahu',
  水: 'Shui',
  东乡: 'Dongxiang',
  纳西: 'Naxi',
  景颇: 'Jingpo',
  柯尔克孜: 'Kyrgyz',
  土: 'Tu',
  达斡尔: 'Daur',
  仫佬: 'Mulao',
  羌: 'Qiang',
  布朗: 'Blang',
  撒拉: 'Salar',
  毛南: 'Maonan',
  仡佬: 'Gelao',
  锡伯: 'Xibe',
  普米: 'Pumi',
  塔吉克: 'Tajik',
  怒: 'Nu',
  鄂温克: 'Evenki',
  鄂伦春: 'Oroqen',
  保安: 'Bonan',
  裕固: 'Yugur',
  京: 'Gin',
  独龙: 'Derung',
  哈尼: 'Hani',
  布依: 'Bouyei',
  各: 'Various Nationalities',
};

/**
 * Kinds of division by the end of the name, longest first. `zone`: the part before is read word by word (a zone's name
 * often strings a province, a city and a place together); `peoples`: the part before may end in the peoples of an
 * autonomous division. A kind of more than one character needs at least two characters before it (清新区 is the
 * district of 清新, not a new area of 清; 矿区 alone is the district of 矿).
 */
const KINDS: { zh: string; en: string; zone?: true; peoples?: true; only?: (code: string) => boolean }[] = [
  { zh: '高新技术产业开发区', en: 'High-tech Industrial Development Zone', zone: true },
  { zh: '高技术产业开发区', en: 'High-tech Industrial Development Zone', zone: true },
  { zh: '高新技术开发区', en: 'High-tech Development Zone', zone: true },
  { zh: '经济技术开发区', en: 'Economic and Technological Development Zone', zone: true },
  { zh: '经济开发区', en: 'Economic Development Zone', zone: true },
  { zh: '开发区', en: 'Development Zone', zone: true },
  { zh: '高新技术产业园区', en: 'High-tech Industrial Park', zone: true },
  { zh: '现代产业园区', en: 'Modern Industrial Park', zone: true },
  { zh: '文化旅游创意园区', en: 'Cultural Tourism and Creative Park', zone: true },
  { zh: '工业园区', en: 'Industrial Park', zone: true },
  { zh: '循环化工园区', en: 'Circular Chemical Park', zone: true },
  { zh: '城乡一体化示范区', en: 'Urban-Rural Integration Demonstration Zone', zone: true },
  { zh: '转型综合改革示范区', en: 'Transformation and Comprehensive Reform Demonstration Zone', zone: true },
  { zh: '示范区', en: 'Demonstration Zone', zone: true },
  { zh: '管理区管委会', en: 'Administrative Zone', zone: true },
  { zh: '管理区', en: 'Administrative Zone', zone: true },
  { zh: '行政委员会', en: 'Administrative Committee', zone: true },
  { zh: '新区', en: 'New Area', zone: true },
  { zh: '新城', en: 'New Town', zone: true },
  { zh: '风景名胜区', en: 'Scenic Area', zone: true },
  { zh: '群岛', en: 'Islands' },
  { zh: '自治州', en: 'Autonomous Prefecture', peoples: true },
  { zh: '自治县', en: 'Autonomous County', peoples: true },
  { zh: '自治旗', en: 'Autonomous Banner', peoples: true },
  // 神农架林区, directly under Hubei; 万柏林区 and 金林区 are districts
  { zh: '林区', en: 'Forestry District', only: (code) => code.slice(2, 4) === '90' },
  { zh: '矿区', en: 'Mining District' },
  { zh: '特区', en: 'Special District' },
  { zh: '地区', en: 'Prefecture' },
  { zh: '街道', en: 'Subdistrict' },
  { zh: '区', en: 'District' },
  { zh: '县', en: 'County' },
  { zh: '旗', en: 'Banner' },
  { zh: '盟', en: 'League' },
  { zh: '镇', en: 'Town' },
  { zh: '市', en: '' },
];

/** The position a banner's name ends with (科尔沁左翼中旗 Ke'erqin Left Middle Banner); an autonomous county's only by 左翼/右翼. */
const BANNER_PARTS: [string, string][] = [
  ['左翼', 'Left'],
  ['右翼', 'Right'],
  ['联合', 'United'],
  ['左', 'Left'],
  ['右', 'Right'],
  ['前', 'Front'],
  ['中', 'Middle'],
  ['后', 'Rear'],
];

customPinyin(READINGS);

const title = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** A place word in pinyin as one word: 深圳 -> Shenzhen, 西安 -> Xi'an (a syllable opening with a, o or e after another takes an apostrophe). */
function spell(zh: string, context = zh): string {
  if (WORDS[zh]) return WORDS[zh];
  const at = context.indexOf(zh);
  const syllables = pinyin(context, { toneType: 'none', type: 'array' }).slice(at, at + zh.length);
  return title(syllables.map((s, i) => (i > 0 && /^[aoe]/.test(s) ? `'${s}` : s)).join(''));
}

/** The peoples a name ends with (双江拉祜族佤族布朗族傣族); `bare`: also names without 族 (蒙古, 哈萨克), as in an autonomous division's. */
function peoplesOf(base: string, bare: boolean): { base: string; peoples: string[] } {
  const peoples: string[] = [];
  const names = Object.keys(PEOPLES).sort((a, b) => b.length - a.length);
  let rest = base;
  for (;;) {
    // with 族 any people; without it only names of two or more characters (蒙古, 哈萨克), never a single character of the place
    const hit = names.find((n) => rest.endsWith(`${n}族`)) ?? (bare ? names.find((n) => n.length > 1 && rest.endsWith(n)) : undefined);
    if (!hit) break;
    peoples.unshift(PEOPLES[hit]!);
    rest = rest.slice(0, rest.length - hit.length - (rest.endsWith(`${hit}族`) ? 1 : 0));
  }
  return { base: rest, peoples };
}

const list = (items: string[]) => (items.length < 3 ? items.join(' and ') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`);

function main() {
  const tree = JSON.parse(fs.readFileSync(path.join(DIR, 'pca-code.json'), 'utf8')) as PcaNode[];
  const all: PcaNode[] = [];
  const walk = (nodes: PcaNode[]) => {
    for (const n of nodes) {
      all.push(n);
      walk(n.children ?? []);
    }
  };
  walk(tree);

  if (process.argv.includes('--check')) return check(all);

  /**
   * Place words a zone's name may string together: provinces, cities (with and without 市) and WORDS. Counties and
   * districts are left out: their short names split longer place words (回龙圩 is not 回 + 龙圩).
   */
  const words = new Map<string, string>(Object.entries(WORDS));
  for (const [full, short, en] of Object.values(PROVINCES)) words.set(full, en).set(short, en);
  for (const n of all) {
    if (n.code.length !== 4 || NAMES[n.name] || !n.name.endsWith('市')) continue;
    const base = n.name.slice(0, -1);
    words.set(n.name, spell(base, n.name)).set(base, spell(base, n.name));
  }
  const byLength = [...words.keys()].sort((a, b) => b.length - a.length);

  /** A zone's place part word by word: 河北唐山芦台 -> Hebei Tangshan Lutai. */
  const phrase = (zh: string) => {
    const out: string[] = [];
    let unknown = '';
    for (let i = 0; i < zh.length; ) {
      const w = byLength.find((k) => zh.startsWith(k, i));
      if (!w) {
        unknown += zh[i];
        i++;
        continue;
      }
      if (unknown) out.push(spell(unknown));
      unknown = '';
      out.push(words.get(w)!);
      i += w.length;
    }
    if (unknown) out.push(spell(unknown));
    return out.join(' ');
  };

  const english = (n: PcaNode): string => {
    const province = PROVINCES[n.code];
    if (province) return province[2];
    const fixed = NAMES[n.name];
    if (fixed) return fixed;
    const kind = KINDS.find(
      (k) => n.name.endsWith(k.zh) && n.name.length - k.zh.length >= (k.zh.length > 1 ? 2 : 1) && (k.only?.(n.code) ?? true),
    );
    if (!kind) return phrase(n.name);
    let base = n.name.slice(0, -kind.zh.length);
    if (kind.zone) return `${phrase(base)} ${kind.en}`;
    const parts: string[] = [];
    // an autonomous division, or a district of a people (管城回族区 Guancheng Hui District)
    if (kind.peoples || base.endsWith('族')) {
      const p = peoplesOf(base, !!kind.peoples);
      base = p.base;
      if (p.peoples.length) parts.push(list(p.peoples));
    }
    if (kind.zh.endsWith('旗') || kind.peoples) {
      for (;;) {
        const part = BANNER_PARTS.find(
          ([zh]) => base.length - zh.length >= 2 && base.endsWith(zh) && (kind.zh.endsWith('旗') || zh.endsWith('翼')),
        );
        if (!part) break;
        parts.unshift(part[1]);
        base = base.slice(0, -part[0].length);
      }
    }
    if (base) parts.unshift(spell(base, n.name));
    if (kind.en) parts.push(kind.en);
    return parts.join(' ');
  };

  const out: Record<string, string> = {};
  for (const n of all) out[n.code] = english(n);
  const lines = Object.entries(out).map(([code, name]) => `  ${JSON.stringify(code)}: ${JSON.stringify(name)}`);
  fs.writeFileSync(path.join(DIR, 'names-en.json'), `{\n${lines.join(',\n')}\n}\n`);
  console.log(`${lines.length} names written to ${path.relative(process.cwd(), path.join(DIR, 'names-en.json'))}`);
}

/**
 * For review: each character of more than one reading found in the names, with the readings used and the names that
 * use each (a place name reading a character otherwise shows up as a reading used by few names).
 */
function check(all: PcaNode[]) {
  const byChar = new Map<string, Map<string, string[]>>();
  for (const n of all) {
    const readings = polyphonic(n.name, { toneType: 'none', type: 'array' });
    const used = pinyin(n.name, { toneType: 'none', type: 'array' });
    [...n.name].forEach((ch, i) => {
      if (new Set(readings[i]).size < 2 || '区县市省'.includes(ch)) return;
      const m = byChar.get(ch) ?? new Map<string, string[]>();
      byChar.set(ch, m);
      m.set(used[i]!, [...(m.get(used[i]!) ?? []), n.name]);
    });
  }
  for (const [ch, m] of byChar) {
    const uses = [...m].sort((a, b) => b[1].length - a[1].length).map(([r, names]) => `${r} (${names.length}): ${names.join(' ')}`);
    console.log(`${ch}  ${uses.join(' | ')}`);
  }
}

main();
