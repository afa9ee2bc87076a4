/**
 * The Online Retail II transaction format (UCI: a UK online retailer's invoice lines, 2009-2011), as a CSV with the
 * header Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country; dates `YYYY-MM-DD HH:MM:SS`
 * (local time, no zone: the arithmetic below treats them as UTC, so a day is always 24 hours). Pure: one row in, a
 * purchase or a reason to drop it out; the aggregation into one RFM row per customer.
 */
import type { RfmValues } from './score.ts';

export const ONLINE_RETAIL_II_COLUMNS = ['Invoice', 'Quantity', 'InvoiceDate', 'Price', 'Customer ID'] as const;
type Column = (typeof ONLINE_RETAIL_II_COLUMNS)[number];
export type ColumnIndex = Record<Column, number>;

/** A file that is not what it claims, or a row that cannot be read: with the 1-based line number when there is one. */
export class TransactionsFormatError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(line ? `line ${line}: ${message}` : message);
    this.name = 'TransactionsFormatError';
  }
}

/** Where each needed column is, from the header row; refuses a header without them. */
export function onlineRetailColumns(header: readonly string[]): ColumnIndex {
  const names = header.map((h) => h.trim());
  const missing = ONLINE_RETAIL_II_COLUMNS.filter((c) => !names.includes(c));
  if (missing.length)
    throw new TransactionsFormatError(
      `not an online-retail-ii file: the header lacks ${missing.map((m) => `"${m}"`).join(', ')} (it has ${names.map((n) => `"${n}"`).join(', ')})`,
      1,
    );
  return Object.fromEntries(ONLINE_RETAIL_II_COLUMNS.map((c) => [c, names.indexOf(c)])) as ColumnIndex;
}

/** Prices are exact decimals: monetary is summed in ten-thousandths, as integers, so no float drift. */
export const MONEY_SCALE = 10_000;
const DECIMAL = /^(-?)(\d+)(?:\.(\d{1,4}))?$/;
const INTEGER = /^-?\d+$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})(?::(\d{2}))?$/;
export const DAY_MS = 86_400_000;

function decimalScaled(s: string): number | null {
  const m = DECIMAL.exec(s);
  if (!m) return null;
  const units = Number(m[2]) * MONEY_SCALE + Number((m[3] ?? '').padEnd(4, '0'));
  return m[1] ? -units : units;
}

function dateTimeMs(s: string): number | null {
  const m = DATE_TIME.exec(s);
  if (!m) return null;
  const [y, mo, d, h, mi, se] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as number[];
  const ms = Date.UTC(y!, mo! - 1, d!, h!, mi!, se!);
  const back = new Date(ms);
  // 2010-02-30 is not a date
  if (back.getUTCDate() !== d || back.getUTCMonth() !== mo! - 1 || h! > 23 || mi! > 59 || se! > 59) return null;
  return ms;
}

/** "13085.0" (a pandas float column written back) is customer 13085. */
function customerKey(s: string): string {
  const t = s.trim();
  return t.includes('.') && /^\d+\.0+$/.test(t) ? t.slice(0, t.indexOf('.')) : t;
}

export interface Purchase {
  invoice: string;
  customer: string;
  at: number;
  /** quantity x price, in 1/MONEY_SCALE of the currency */
  amount: number;
}
export type DropReason = 'cancellation' | 'no_customer' | 'non_positive';
export type ParsedRow = { kept: true; purchase: Purchase } | { kept: false; reason: DropReason };

/**
 * Reads one data row. Every row is checked whole (a malformed quantity, price or date is an error even on a row that
 * would be dropped), then dropped, in this order: cancellations (invoice starting with 'C'), rows without a customer,
 * rows with a quantity or a price that is not positive.
 */
export function parseOnlineRetailRow(fields: readonly string[], cols: ColumnIndex, line: number): ParsedRow {
  // no closures here: this runs half a million times per file
  const invoice = (fields[cols.Invoice] ?? '').trim();
  if (!invoice) throw new TransactionsFormatError('Invoice is empty', line);
  const q = (fields[cols.Quantity] ?? '').trim();
  if (!INTEGER.test(q)) throw new TransactionsFormatError(`Quantity "${q}" is not a whole number`, line);
  const quantity = Number(q);
  const p = (fields[cols.Price] ?? '').trim();
  const price = decimalScaled(p);
  if (price === null) throw new TransactionsFormatError(`Price "${p}" is not a decimal number (at most 4 decimals)`, line);
  const d = (fields[cols.InvoiceDate] ?? '').trim();
  let at = seenDates.get(d);
  if (at === undefined) {
    at = dateTimeMs(d);
    if (seenDates.size > 100_000) seenDates.clear();
    seenDates.set(d, at);
  }
  if (at === null) throw new TransactionsFormatError(`InvoiceDate "${d}" is not a date and time YYYY-MM-DD HH:MM:SS`, line);
  if (invoice.charCodeAt(0) === 67 /* C */) return { kept: false, reason: 'cancellation' };
  const customer = customerKey(fields[cols['Customer ID']] ?? '');
  if (!customer) return { kept: false, reason: 'no_customer' };
  if (quantity <= 0 || price <= 0) return { kept: false, reason: 'non_positive' };
  return { kept: true, purchase: { invoice, customer, at, amount: quantity * price } };
}

/** An invoice's lines share its date: each distinct date string is parsed once. */
const seenDates = new Map<string, number | null>();

export interface CustomerRfm extends RfmValues {
  customer: string;
}

/**
 * Midnight two days after the date of the last purchase; dates are taken at `utcOffsetMs` from UTC (0 for a file's
 * zone-less times, +8 h for the product's business days in China, which keeps no daylight saving).
 */
export function snapshotAfter(lastPurchaseMs: number, utcOffsetMs = 0): number {
  return (Math.floor((lastPurchaseMs + utcOffsetMs) / DAY_MS) + 2) * DAY_MS - utcOffsetMs;
}

/** Numbers in numeric order and before other keys, which sort as strings: the order of pandas' groupby on the id. */
export function compareCustomerKeys(a: string, b: string): number {
  const na = /^\d+$/.test(a);
  const nb = /^\d+$/.test(b);
  if (na && nb) return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  if (na !== nb) return na ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Folds purchases into one row per customer: last purchase, distinct invoices, amount. */
export class RfmAggregator {
  private readonly customers = new Map<string, { last: number; invoices: Set<string>; amount: number }>();
  private lastPurchase = Number.NEGATIVE_INFINITY;

  add(p: Purchase): void {
    let c = this.customers.get(p.customer);
    if (!c) {
      c = { last: p.at, invoices: new Set(), amount: 0 };
      this.customers.set(p.customer, c);
    }
    if (p.at > c.last) c.last = p.at;
    c.invoices.add(p.invoice);
    c.amount += p.amount;
    if (p.at > this.lastPurchase) this.lastPurchase = p.at;
  }

  get size(): number {
    return this.customers.size;
  }

  /** One row per customer in ascending customer order, with the snapshot used; none without purchases. */
  finish(): { snapshot: number | null; rows: CustomerRfm[] } {
    if (!this.customers.size) return { snapshot: null, rows: [] };
    const snapshot = snapshotAfter(this.lastPurchase);
    const keys = [...this.customers.keys()].sort(compareCustomerKeys);
    const rows = keys.map((customer) => {
      const c = this.customers.get(customer)!;
      return {
        customer,
        recency: Math.floor((snapshot - c.last) / DAY_MS),
        frequency: c.invoices.size,
        monetary: c.amount,
      };
    });
    return { snapshot, rows };
  }
}

/** An exact decimal from an amount in 1/MONEY_SCALE: at least two decimals, no trailing zeros past them. */
export function formatScaled(amount: number): string {
  const sign = amount < 0 ? '-' : '';
  const a = Math.abs(amount);
  const whole = Math.floor(a / MONEY_SCALE);
  const frac = String(a % MONEY_SCALE)
    .padStart(4, '0')
    .replace(/0{1,2}$/, '');
  return `${sign}${whole}.${frac}`;
}
