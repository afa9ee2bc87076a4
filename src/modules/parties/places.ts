/**
 * A division code as a person reads it: 上海市徐汇区 for 310104 in Chinese, "Xuhui District, Shanghai" in English. The
 * rows that group a province's divisions read as the province (regionName): a municipality's 市辖区 and 县, and
 * the counties a province governs directly, so 429004 is 湖北省仙桃市, not 省直辖县级行政区划仙桃市.
 */
import type { Locale } from '../../http/messages.ts';
import { divisionName, regionName } from './divisions.ts';

export function placeName(code: string | null | undefined, locale: Locale = 'zh-CN'): string | null {
  if (!code) return null;
  const province = divisionName(code.slice(0, 2), locale);
  if (code.length === 2) return province;
  const city = regionName(code.slice(0, 4), locale) ?? province;
  if (code.length === 4) return city;
  const district = divisionName(code, locale);
  if (!district) return city;
  if (locale === 'en') return city ? `${district}, ${city}` : district;
  return `${city ?? ''}${district}`;
}
