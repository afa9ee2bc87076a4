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
 * An instant in China time to the minute, as the server's refusals write it ("2026-12-05 10:54"): the brands' channel
 * is in China (UTC+8, no daylight saving), whatever the phone's own time zone.
 */
export function formatChinaMinute(value: string | null | undefined): string {
  if (!value) return '—';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  return new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
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
