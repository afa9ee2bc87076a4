import i18n from './i18n/index.ts';

/** The locale numbers and dates are written in: the console's language. */
export const locale = (): string => (i18n.language === 'en' ? 'en-US' : 'zh-CN');

/**
 * An amount in fen as money: "¥1,234.50"; below zero the sign goes before the currency, as the ledger's signed amounts
 * have it ("−¥9,134.16", a balance in debt: not "¥-9,134.16").
 */
export function formatFen(fen: number | null | undefined, currency?: string | null): string {
  if (fen === null || fen === undefined) return '—';
  const amount = new Intl.NumberFormat(locale(), { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(Math.abs(fen) / 100);
  const sign = fen < 0 ? '−' : '';
  if (!currency || currency === 'CNY') return `${sign}¥${amount}`;
  return `${sign}${currency} ${amount}`;
}

export function formatDateTime(value: string | null | undefined): string {
  if (!value) return '—';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'medium' }).format(d);
}

/**
 * China's clock (UTC+8, no daylight saving): the brands' channel is in China, and their business day is China's day
 * (a campaign's daily budget, the reports' days), whatever the browser's own time zone.
 */
const CHINA_OFFSET_MS = 8 * 3_600_000;

/** An instant as China's wall-clock text, "2026-12-05T10:54:12.000" (ISO without a zone); null for no instant. */
function chinaClock(value: string | number): string | null {
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : new Date(d.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 23);
}

/**
 * An instant in China time to the minute, as the server's refusals write it ("2026-12-05 10:54"): the brands' channel
 * is in China (UTC+8, no daylight saving), whatever the phone's own time zone.
 */
export function formatChinaMinute(value: string | null | undefined): string {
  if (!value) return '—';
  return chinaClock(value)?.slice(0, 16).replace('T', ' ') ?? value;
}

/** An instant in China time to the second ("2026-12-05 10:54:12"), where two times a second apart must read apart. */
export function formatChinaSecond(value: string | null | undefined): string {
  if (!value) return '—';
  return chinaClock(value)?.slice(0, 19).replace('T', ' ') ?? value;
}

/** China's calendar day `daysBefore` days before today ("2026-12-05"), as date inputs and the reports' API write it. */
export function chinaDay(daysBefore = 0): string {
  return (chinaClock(Date.now() - daysBefore * 86_400_000) as string).slice(0, 10);
}

/** A `datetime-local` input's text for an instant, in China time ("2026-12-05T10:54"). */
export function toChinaInput(value: string): string {
  return chinaClock(value)?.slice(0, 16) ?? '';
}

/** The instant a `datetime-local` input's text names in China time (ISO, UTC); text that is no time as given. */
export function fromChinaInput(text: string): string {
  const d = new Date(`${text}:00+08:00`);
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(text) && !Number.isNaN(d.getTime()) ? d.toISOString() : text;
}

export function formatDate(value: string | null | undefined): string {
  if (!value) return '—';
  return value.slice(0, 10);
}

export function formatNumber(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  return new Intl.NumberFormat(locale()).format(n);
}

export const dash = (v: unknown): string => (v === null || v === undefined || v === '' ? '—' : String(v));

/** A byte count in binary units (1.5 MB), to one decimal from KB up. */
export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${new Intl.NumberFormat(locale(), { maximumFractionDigits: u === 0 ? 0 : 1 }).format(v)} ${units[u]}`;
}
