import type { ProductInput } from '../modules/catalog/index.ts';
import { withCheckDigit } from '../platform/gs1.ts';
import type { Random } from './random.ts';

export const CATEGORIES = [
  { code: 'milk', zh: '液态奶', en: 'Milk' },
  { code: 'yogurt', zh: '酸奶', en: 'Yogurt' },
  { code: 'milk_powder', zh: '奶粉', en: 'Milk powder' },
  { code: 'juice', zh: '果汁饮料', en: 'Juice drinks' },
  { code: 'tea', zh: '茶饮料', en: 'Tea drinks' },
  { code: 'water', zh: '包装饮用水', en: 'Bottled water' },
  { code: 'coffee', zh: '即饮咖啡', en: 'Ready-to-drink coffee' },
  { code: 'energy', zh: '功能饮料', en: 'Energy drinks' },
  { code: 'snacks', zh: '休闲零食', en: 'Snacks' },
  { code: 'health', zh: '营养保健', en: 'Health supplements' },
] as const;

/** Product lines per category: base names and the packs each comes in (spec, units per case, price in fen). */
const LINES: Record<string, { zh: string; en: string; variants: [string, string][]; packs: [string, number, number][]; shelf: number }> = {
  milk: {
    zh: '纯牛奶',
    en: 'Pure Milk',
    variants: [
      ['全脂', 'Whole'],
      ['低脂', 'Low-fat'],
      ['高钙', 'High-calcium'],
      ['有机', 'Organic'],
      ['A2β-酪蛋白', 'A2 Beta-casein'],
    ],
    packs: [
      ['250ml', 24, 450],
      ['200ml', 24, 350],
      ['1L', 12, 1590],
      ['950ml', 12, 1890],
    ],
    shelf: 180,
  },
  yogurt: {
    zh: '风味酸奶',
    en: 'Flavoured Yogurt',
    variants: [
      ['原味', 'Plain'],
      ['草莓', 'Strawberry'],
      ['黄桃', 'Yellow Peach'],
      ['蓝莓', 'Blueberry'],
      ['希腊式', 'Greek-style'],
    ],
    packs: [
      ['200g', 24, 590],
      ['100g×8', 6, 2390],
      ['1kg', 6, 2890],
      ['135g', 24, 490],
    ],
    shelf: 21,
  },
  milk_powder: {
    zh: '奶粉',
    en: 'Milk Powder',
    variants: [
      ['婴儿配方1段', 'Infant formula stage 1'],
      ['较大婴儿2段', 'Follow-on stage 2'],
      ['幼儿3段', 'Growing-up stage 3'],
      ['中老年高钙', 'Senior high-calcium'],
      ['学生成长', 'Student growth'],
    ],
    packs: [
      ['800g', 6, 26800],
      ['400g', 12, 14800],
      ['1.2kg', 4, 38800],
      ['25g×12', 12, 8900],
    ],
    shelf: 730,
  },
  juice: {
    zh: '果汁',
    en: 'Juice',
    variants: [
      ['橙汁', 'Orange'],
      ['苹果汁', 'Apple'],
      ['葡萄汁', 'Grape'],
      ['芒果汁', 'Mango'],
      ['桃汁', 'Peach'],
    ],
    packs: [
      ['330ml', 24, 490],
      ['1L', 12, 1290],
      ['450ml', 15, 590],
      ['2L', 6, 1990],
    ],
    shelf: 365,
  },
  tea: {
    zh: '茶饮料',
    en: 'Tea',
    variants: [
      ['冰红茶', 'Iced Black Tea'],
      ['茉莉花茶', 'Jasmine Tea'],
      ['乌龙茶', 'Oolong Tea'],
      ['绿茶', 'Green Tea'],
      ['蜂蜜柚子茶', 'Honey Citron Tea'],
    ],
    packs: [
      ['500ml', 15, 350],
      ['1L', 12, 590],
      ['250ml', 24, 250],
      ['1.5L', 6, 790],
    ],
    shelf: 365,
  },
  water: {
    zh: '饮用天然水',
    en: 'Natural Water',
    variants: [
      ['天然水', 'Natural'],
      ['矿泉水', 'Mineral'],
      ['苏打水', 'Soda'],
      ['弱碱水', 'Alkaline'],
      ['婴儿水', 'Baby'],
    ],
    packs: [
      ['550ml', 24, 200],
      ['1.5L', 12, 450],
      ['380ml', 24, 180],
      ['5L', 4, 990],
    ],
    shelf: 540,
  },
  coffee: {
    zh: '即饮咖啡',
    en: 'RTD Coffee',
    variants: [
      ['拿铁', 'Latte'],
      ['美式', 'Americano'],
      ['摩卡', 'Mocha'],
      ['生椰拿铁', 'Coconut Latte'],
      ['燕麦拿铁', 'Oat Latte'],
    ],
    packs: [
      ['268ml', 15, 690],
      ['330ml', 24, 790],
      ['180ml', 24, 550],
      ['1L', 12, 1990],
    ],
    shelf: 270,
  },
  energy: {
    zh: '功能饮料',
    en: 'Energy Drink',
    variants: [
      ['牛磺酸', 'Taurine'],
      ['电解质', 'Electrolyte'],
      ['维生素', 'Vitamin'],
      ['无糖能量', 'Sugar-free Energy'],
      ['运动', 'Sports'],
    ],
    packs: [
      ['250ml', 24, 600],
      ['500ml', 15, 590],
      ['600ml', 15, 650],
      ['330ml', 24, 550],
    ],
    shelf: 540,
  },
  snacks: {
    zh: '休闲零食',
    en: 'Snack',
    variants: [
      ['奶片', 'Milk Tablets'],
      ['坚果', 'Mixed Nuts'],
      ['饼干', 'Biscuits'],
      ['奶酪棒', 'Cheese Sticks'],
      ['果干', 'Dried Fruit'],
    ],
    packs: [
      ['80g', 40, 990],
      ['150g', 24, 1690],
      ['26g×10', 12, 2990],
      ['500g', 10, 4590],
    ],
    shelf: 270,
  },
  health: {
    zh: '营养品',
    en: 'Supplement',
    variants: [
      ['蛋白粉', 'Protein Powder'],
      ['益生菌', 'Probiotics'],
      ['钙片', 'Calcium Tablets'],
      ['维生素C', 'Vitamin C'],
      ['鱼油', 'Fish Oil'],
    ],
    packs: [
      ['60粒', 24, 9800],
      ['30袋', 12, 12800],
      ['400g', 12, 19800],
      ['120粒', 12, 16800],
    ],
    shelf: 730,
  },
};

/** GS1 company prefix of the demo brand (690-699 is GS1 China). */
export const COMPANY_PREFIX = '6901234';

function gtin14(indicator: number, itemRef: number): string {
  return withCheckDigit(`${indicator}${COMPANY_PREFIX}${String(itemRef).padStart(5, '0')}`);
}

/** Chinese counting words in a pack's spec, in English ("60粒" is 60 capsules): the English name holds no Chinese. */
const SPEC_WORDS_EN: Record<string, string> = { 粒: 'capsules', 袋: 'sachets' };

/** A pack's spec as said in an English name: "60粒" → "60 capsules"; a spec in metric units or counts stays as it is. */
export function specEn(spec: string): string {
  return spec.replace(/(\d+)(\p{Script=Han})/gu, (all, n: string, word: string) =>
    SPEC_WORDS_EN[word] ? `${n} ${SPEC_WORDS_EN[word]}` : all,
  );
}

/** 10 categories x 5 variants x 4 packs = 200 SKUs, each with unit, case and pallet GTINs. */
export function demoProducts(rnd: Random): ProductInput[] {
  const out: ProductInput[] = [];
  let item = 100;
  for (const cat of CATEGORIES) {
    const line = LINES[cat.code];
    if (!line) continue;
    for (const [vzh, ven] of line.variants) {
      for (const [spec, perCase, price] of line.packs) {
        item++;
        out.push({
          sku: `${cat.code.toUpperCase().replace('_', '')}-${String(item).padStart(4, '0')}`,
          gtin: gtin14(0, item),
          nameZh: `${vzh}${line.zh} ${spec}`,
          nameEn: `${line.en} ${ven} ${specEn(spec)}`,
          category: cat.code,
          spec,
          shelfLifeDays: line.shelf,
          listPriceFen: price + rnd.int(0, 4) * 10,
          caseGtin: gtin14(1, item),
          caseQuantity: perCase,
          palletGtin: gtin14(2, item),
          palletQuantity: rnd.pick([40, 48, 60, 80]),
        });
      }
    }
  }
  return out;
}
