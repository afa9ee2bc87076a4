import fs from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { allDivisions, divisionName, regionName } from '../../src/modules/parties/divisions.ts';
import { placeName } from '../../src/modules/parties/places.ts';
import { PROVINCES } from '../../web/src/geo/provinces.ts';

describe('division names in the reader language', () => {
  it('names provinces as the console does', () => {
    expect(divisionName('44', 'en')).toBe('Guangdong');
    expect(divisionName('15', 'en')).toBe('Inner Mongolia');
    expect(divisionName('61', 'en')).toBe('Shaanxi');
    expect(divisionName('14', 'en')).toBe('Shanxi');
    expect(divisionName('54', 'en')).toBe('Tibet');
    for (const p of PROVINCES) {
      if (allDivisions().has(p.code)) expect(divisionName(p.code, 'en'), p.code).toBe(p.nameEn);
    }
  });

  it('spells cities, districts and counties in pinyin with their kind in English', () => {
    expect(divisionName('4403', 'en')).toBe('Shenzhen'); // 深圳市: a city drops 市
    expect(divisionName('440305', 'en')).toBe('Nanshan District'); // 南山区
    expect(divisionName('371722', 'en')).toBe('Shan County'); // 单县
    expect(divisionName('2224', 'en')).toBe('Yanbian Korean Autonomous Prefecture'); // 延边朝鲜族自治州
    expect(divisionName('130930', 'en')).toBe('Mengcun Hui Autonomous County'); // 孟村回族自治县
    expect(divisionName('150521', 'en')).toBe("Ke'erqin Left Middle Banner"); // 科尔沁左翼中旗
    expect(divisionName('150723', 'en')).toBe('Oroqen Autonomous Banner'); // 鄂伦春自治旗
    expect(divisionName('429021', 'en')).toBe('Shennongjia Forestry District'); // 神农架林区
    expect(divisionName('140109', 'en')).toBe('Wanbailin District'); // 万柏林区 is a district, not a forestry one
    expect(divisionName('1101', 'en')).toBe('City districts'); // 市辖区
  });

  it('reads a row that groups a province’s divisions as its province where it names a place', () => {
    expect(regionName('1101')).toBe('北京市'); // 市辖区: Beijing's districts
    expect(regionName('1101', 'en')).toBe('Beijing');
    expect(regionName('5002', 'en')).toBe('Chongqing'); // 县: Chongqing's counties
    expect(regionName('4290')).toBe('湖北省'); // 省直辖县级行政区划
    expect(regionName('4403', 'en')).toBe('Shenzhen'); // a city is itself
    expect(regionName('110105', 'en')).toBe('Chaoyang District');
    expect(regionName('99')).toBeNull();
    expect(regionName(null)).toBeNull();
  });

  it('reads characters of more than one reading as the place names do', () => {
    expect(divisionName('50', 'en')).toBe('Chongqing'); // 重庆
    expect(divisionName('4301', 'en')).toBe('Changsha'); // 长沙市
    expect(divisionName('3502', 'en')).toBe('Xiamen'); // 厦门市
    expect(divisionName('3403', 'en')).toBe('Bengbu'); // 蚌埠市
    expect(divisionName('3415', 'en')).toBe("Lu'an"); // 六安市
    expect(divisionName('341021', 'en')).toBe('She County'); // 歙县
  });

  it('keeps the Chinese names for zh-CN, and null for what is not a division', () => {
    expect(divisionName('440305')).toBe('南山区');
    expect(divisionName('440305', 'zh-CN')).toBe('南山区');
    expect(divisionName('44', 'zh-CN')).toBe('广东省');
    expect(divisionName('999999', 'en')).toBeNull();
    expect(divisionName(null, 'en')).toBeNull();
  });

  it('has an English name for every division', () => {
    for (const d of allDivisions().values()) {
      const en = divisionName(d.code, 'en');
      expect(en, `${d.code} ${d.name}`).toMatch(/^[A-Z][A-Za-zü' ,-]*$/);
    }
  });

  it('writes a place as a person reads it: the district first in English', () => {
    expect(placeName('440305', 'en')).toBe('Nanshan District, Shenzhen');
    expect(placeName('310104', 'en')).toBe('Xuhui District, Shanghai'); // a municipality's 市辖区 level is skipped
    expect(placeName('4403', 'en')).toBe('Shenzhen');
    expect(placeName('310104')).toBe('上海市徐汇区');
  });

  it('reads a county the province governs directly under its province', () => {
    // 4290 is the data's row 省直辖县级行政区划 (the counties Hubei governs itself), not a city
    expect(placeName('429004')).toBe('湖北省仙桃市');
    expect(placeName('429004', 'en')).toBe('Xiantao, Hubei');
    expect(placeName('4290')).toBe('湖北省');
    expect(placeName('110105')).toBe('北京市朝阳区');
  });
});

describe('a division with no English name', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.resetModules();
  });

  it('falls back to its Chinese name', async () => {
    const read = fs.readFileSync;
    vi.spyOn(fs, 'readFileSync').mockImplementation(((file: fs.PathOrFileDescriptor, options?: unknown) => {
      const text = read(file, options as BufferEncoding) as string;
      if (!String(file).endsWith('names-en.json')) return text;
      const names = JSON.parse(text) as Record<string, string>;
      delete names['440305'];
      return JSON.stringify(names);
    }) as typeof fs.readFileSync);
    vi.resetModules();
    const fresh = await import('../../src/modules/parties/divisions.ts');
    expect(fresh.divisionName('440305', 'en')).toBe('南山区');
    expect(fresh.divisionName('4403', 'en')).toBe('Shenzhen');
  });
});
