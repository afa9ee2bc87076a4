/** A division code as a person reads it: 上海市徐汇区 for 310104 (a municipality's 市辖区 level is skipped). */
import { divisionName } from '../parties/index.ts';

export function placeName(code: string | null | undefined): string | null {
  if (!code) return null;
  const province = divisionName(code.slice(0, 2));
  if (code.length === 2) return province;
  const cityRaw = divisionName(code.slice(0, 4));
  const city = !cityRaw || cityRaw === '市辖区' || cityRaw === '县' ? province : cityRaw;
  if (code.length === 4) return city;
  const district = divisionName(code);
  return district ? `${city ?? ''}${district}` : city;
}
