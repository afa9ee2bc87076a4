import { describe, expect, it } from 'vitest';
import { loadChinaMap } from '../../web/src/geo/chinaMap.ts';
import { PROVINCES } from '../../web/src/geo/provinces.ts';

describe('the China map of the console', () => {
  it('has a region for each of the 34 province-level divisions, found by its GB/T 2260 code', async () => {
    const map = await loadChinaMap();
    for (const p of PROVINCES) {
      // the map's short names are the console's (内蒙古, not 内蒙古自治区)
      expect(map.regionOf(p.code), p.code).toBe(p.nameZh);
    }
    // any division code finds its province: a district of Guangzhou, a city of Xinjiang
    expect(map.regionOf('440103')).toBe('广东');
    expect(map.regionOf('6501')).toBe('新疆');
    expect(map.regionOf('99')).toBeUndefined();
  });

  it('names provinces in the console language, the map keeping its own names underneath', async () => {
    const map = await loadChinaMap();
    expect(map.label('44', false)).toBe('广东');
    expect(map.label('44', true)).toBe('Guangdong');
    expect(map.nameMap(true)).toMatchObject({
      广东: 'Guangdong',
      内蒙古: 'Inner Mongolia',
      台湾: 'Taiwan',
      南海诸岛: 'South China Sea Islands',
    });
    expect(map.nameMap(false).广东).toBe('广东');
    expect(Object.keys(map.nameMap(false))).toHaveLength(34);
  });
});
