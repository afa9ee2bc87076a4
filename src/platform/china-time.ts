/**
 * China's clock: Asia/Shanghai, UTC+8 all year (no daylight saving). The brands' channel is in China and their
 * business day is China's day, so what a person reads (an exported sheet, a page) gives times on this clock; the
 * database and the API keep instants in UTC.
 */
const CHINA_UTC_OFFSET_MS = 8 * 3_600_000;

/** An instant as China's wall-clock time to the second, "2026-12-06 04:59:26". */
export function chinaDateTimeText(at: Date | string): string {
  return new Date(new Date(at).getTime() + CHINA_UTC_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}
