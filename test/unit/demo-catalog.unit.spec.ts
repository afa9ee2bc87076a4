import { describe, expect, it } from 'vitest';
import { demoProducts, specEn } from '../../src/demo/catalog-data.ts';
import { seededRandom } from '../../src/demo/random.ts';

/** The demo catalog's English names, which the English console shows (stock, orders, prices): no Chinese in them. */
describe('the demo catalog in English', () => {
  it('says every product in English, the packs counted in capsules and sachets too', () => {
    const products = demoProducts(seededRandom(1));
    expect(products).toHaveLength(200);
    const chinese = products.filter((p) => /\p{Script=Han}/u.test(p.nameEn)).map((p) => p.nameEn);
    expect(chinese).toEqual([]);
    const probiotics = products.find((p) => p.nameZh === '益生菌营养品 60粒');
    expect(probiotics?.nameEn).toBe('Supplement Probiotics 60 capsules');
    expect(products.find((p) => p.nameZh === '钙片营养品 30袋')?.nameEn).toBe('Supplement Calcium Tablets 30 sachets');
  });

  it('leaves a spec in metric units or counts as it is', () => {
    expect(specEn('250ml')).toBe('250ml');
    expect(specEn('26g×10')).toBe('26g×10');
    expect(specEn('120粒')).toBe('120 capsules');
  });
});
