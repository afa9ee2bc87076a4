/**
 * A division code as a person reads it: 上海市徐汇区 for 310104 in Chinese, "Xuhui District, Shanghai" in English (a
 * municipality's 市辖区 level is skipped in both).
 */
import type { Locale } from '../../http/messages.ts';
import { divisionName } from '../parties/index.ts';

export function placeName(code: string | null | undefined, locale: Locale = 'zh-CN'): string | null {
  if (!code) return null;
  const province = divisionName(code.slice(0, 2), locale);
  if (code.length === 2) return province;
  // the grouping rows are told by their Chinese names, whatever the reader's language
  const cityZh = divisionName(code.slice(0, 4));
  const city = !cityZh || cityZh === '市辖区' || cityZh === '县' ? province : divisionName(code.slice(0, 4), locale);
  if (code.length === 4) return city;
  const district = divisionName(code, locale);
  if (!district) return city;
  if (locale === 'en') return city ? `${district}, ${city}` : district;
  return `${city ?? ''}${district}`;
}
