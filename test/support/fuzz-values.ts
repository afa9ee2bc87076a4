import { gs1CheckDigit } from '../../src/platform/gs1.ts';

/**
 * Value generation for the route fuzzer: valid-looking values from a JSON schema (as the OpenAPI document states it),
 * and the hostile variants a client can send instead. Deterministic for a seed, so a failing run can be replayed.
 */

/** A small fast seeded PRNG (mulberry32). */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    if (xs.length === 0) throw new Error('pick from an empty list');
    return xs[Math.floor(this.next() * xs.length)] as T;
  }
}

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
  nullable?: boolean;
  default?: unknown;
}

/** Real values of the demo tenant, so generated requests reach the business rules and not only the schema. */
export interface Pools {
  skus: string[];
  gtins: string[];
  lots: string[];
  parties: string[];
  divisions: string[];
  usernames: string[];
  codes: string[];
}

/** Strings that have broken parsers, databases and renderers before. */
export const NASTY_STRINGS: readonly string[] = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff\ud800',
  '\u202etxt.exe',
  '\u200b\u200d\ufeff',
  'Z\u0351\u0362\u0334\u033a\u0318a\u0337\u0359l\u0335g\u0338o',
  '𝕏🧪👩‍👩‍👧‍👦🇨🇳',
  '零售店\t\n\r',
  "' or 1=1 --",
  '"; drop table parties; --',
  '%s%n%x%d',
  '../../../../etc/passwd',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a log4j-style lookup string, sent as data
  '${jndi:ldap://x}',
  '<script>alert(1)</script>',
  '{{7*7}}',
  '\\',
  '%',
  '%00',
  '%E0%A4%A',
  'NaN',
  'Infinity',
  '-1',
  '1e309',
  '0x10',
  'true',
  'null',
  '__proto__',
  'constructor',
  '[]',
  '{}',
  'https://id.gs1.org/01/00000000000000/21/x',
  'urn:epc:id:sgtin:0000000.000000.x',
  '2026-02-30',
  '9999-12-31T23:59:59Z',
  '0000-00-00T00:00:00Z',
];

export const NASTY_NUMBERS: readonly number[] = [
  -1,
  0,
  -0,
  0.5,
  -0.5,
  1.5,
  2147483647,
  2147483648,
  -2147483649,
  2 ** 53 + 2,
  1e21,
  1e308,
  -1e308,
  5e-324,
  Math.PI,
];

const WORD_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.';
const CJK = '店铺北京上海广州深圳杭州成都测试商品经销商门店仓库批次码';

export function randomString(rng: Rng, min: number, max: number, cjk = rng.chance(0.2)): string {
  const len = rng.int(min, Math.max(min, max));
  const alphabet = cjk ? CJK : WORD_CHARS;
  let s = '';
  for (let i = 0; i < len; i++) s += alphabet[rng.int(0, alphabet.length - 1)];
  return s;
}

function digits(rng: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(rng.int(0, 9));
  return s;
}

export function gtinWithCheckDigit(rng: Rng): string {
  const body = `0690123${digits(rng, 6)}`;
  return body + gs1CheckDigit(body);
}

function uuid(rng: Rng): string {
  const h = () => rng.int(0, 15).toString(16);
  const part = (n: number) => Array.from({ length: n }, h).join('');
  return `${part(8)}-${part(4)}-4${part(3)}-${rng.pick(['8', '9', 'a', 'b'])}${part(3)}-${part(12)}`;
}

function isoDate(rng: Rng): string {
  return `20${rng.int(24, 27)}-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}`;
}

/** A value for a string property, chosen by its name first (a sku, a party code, a GTIN), then by its schema. */
function hintedString(name: string, schema: JsonSchema, rng: Rng, pools: Pools): string | undefined {
  const n = name.toLowerCase();
  if (schema.format === 'uuid' || n === 'scanid' || n === 'idempotency-key') return uuid(rng);
  if (schema.format === 'date' || n === 'asof' || n === 'validfrom' || n === 'validto') return isoDate(rng);
  if (schema.format === 'date-time' || n.endsWith('time') || n === 'endsat' || n === 'at') {
    return `${isoDate(rng)}T${String(rng.int(0, 23)).padStart(2, '0')}:00:00${rng.pick(['Z', '+08:00'])}`;
  }
  if (n === 'sku' || n === 'skus') return rng.pick(pools.skus);
  if (n.includes('gtin')) return rng.chance(0.8) ? rng.pick(pools.gtins) : gtinWithCheckDigit(rng);
  if (n === 'lot') return rng.pick(pools.lots);
  if (['party', 'buyer', 'seller', 'partycode', 'parent', 'to', 'members', 'groupcode'].includes(n)) return rng.pick(pools.parties);
  if (n.includes('code') && n !== 'code' && n !== 'codes') return rng.pick(pools.divisions);
  if (n === 'territories') return rng.pick(pools.divisions);
  if (n === 'code' || n === 'codes' || n.startsWith('match_') || n === 'new' || n === 'old') {
    return pools.codes.length && rng.chance(0.5)
      ? rng.pick(pools.codes)
      : `https://id.gs1.org/01/${rng.pick(pools.gtins)}/21/${randomString(rng, 6, 12, false)}`;
  }
  if (n === 'username') return rng.chance(0.3) ? rng.pick(pools.usernames) : `fz_${randomString(rng, 4, 10, false)}`;
  if (n === 'tenant') return rng.chance(0.9) ? 'demo' : randomString(rng, 1, 12, false);
  if (n === 'password') return `Fz#${randomString(rng, 8, 16, false)}`;
  if (n === 'url' || n === 'resolver') return rng.pick(['https://example.com/hook', 'http://127.0.0.1:1/x', 'https://hooks.example.cn/tl']);
  if (n === 'gln') {
    const body = `690123${digits(rng, 6)}`;
    return body + gs1CheckDigit(body);
  }
  if (n === 'phone') return `13${digits(rng, 9)}`;
  if (n === 'eventid' || n === 'eventID'.toLowerCase()) return `urn:uuid:${uuid(rng)}`;
  return undefined;
}

function fitsPattern(s: string, pattern: string | undefined): boolean {
  if (!pattern) return true;
  try {
    return new RegExp(pattern, 'u').test(s);
  } catch {
    return true;
  }
}

/** A value the schema accepts (mostly: patterns are met by name hints or digit strings, not by a regex generator). */
export function validValue(schema: JsonSchema | undefined, rng: Rng, pools: Pools, name = '', depth = 0): unknown {
  if (!schema) return randomString(rng, 1, 8);
  if (schema.enum?.length) return rng.pick(schema.enum);
  const union = schema.anyOf ?? schema.oneOf;
  if (union?.length) return validValue(rng.pick(union), rng, pools, name, depth);
  if (schema.nullable && rng.chance(0.1)) return null;
  const type = Array.isArray(schema.type) ? rng.pick(schema.type) : schema.type;
  switch (type) {
    case 'string': {
      const min = schema.minLength ?? 0;
      const max = Math.min(schema.maxLength ?? 24, 24);
      const hinted = hintedString(name, schema, rng, pools);
      if (hinted !== undefined && fitsPattern(hinted, schema.pattern)) return hinted;
      let s = randomString(rng, Math.max(min, 1), Math.max(min, max));
      if (!fitsPattern(s, schema.pattern)) {
        for (const len of [2, 4, 6, 1, 8, 13, 14, 18]) {
          const d = digits(rng, len);
          if (fitsPattern(d, schema.pattern)) {
            s = d;
            break;
          }
        }
      }
      return s;
    }
    case 'integer':
    case 'number': {
      const lo = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : rng.chance(0.9) ? 1 : -5);
      const hi = schema.maximum ?? Math.max(lo + 50, lo);
      const v = rng.int(Math.ceil(lo), Math.floor(Math.min(hi, lo + 1000)));
      return type === 'number' && rng.chance(0.1) ? v + 0.5 : v;
    }
    case 'boolean':
      return rng.chance(0.5);
    case 'null':
      return null;
    case 'array': {
      const min = schema.minItems ?? 0;
      const max = Math.min(schema.maxItems ?? 4, Math.max(min, 4));
      const n = rng.int(min, Math.max(min, max));
      return Array.from({ length: n }, () => validValue(schema.items, rng, pools, name, depth + 1));
    }
    case 'object':
    case undefined: {
      if (!schema.properties && type === undefined) return randomString(rng, 1, 8);
      const out: Record<string, unknown> = {};
      const required = new Set(schema.required ?? []);
      for (const [key, sub] of Object.entries(schema.properties ?? {})) {
        if (required.has(key) || (depth < 4 && rng.chance(0.5))) out[key] = validValue(sub, rng, pools, key, depth + 1);
      }
      return out;
    }
    default:
      return randomString(rng, 1, 8);
  }
}

/** A value of another JSON type than `v`. */
export function wrongType(v: unknown, rng: Rng): unknown {
  const candidates: unknown[] = ['12', 12, 1.5, true, null, [], {}, [v], { value: v }, rng.pick(NASTY_STRINGS)];
  const kind = (x: unknown) => (x === null ? 'null' : Array.isArray(x) ? 'array' : typeof x);
  return rng.pick(candidates.filter((c) => kind(c) !== kind(v)));
}

type Container = Record<string, unknown> | unknown[];

/** Every container (object or array) in a JSON value, so a mutation can land at any depth. */
function containers(v: unknown, out: Container[] = []): Container[] {
  if (v && typeof v === 'object') {
    out.push(v as Container);
    for (const child of Object.values(v as Record<string, unknown>)) containers(child, out);
  }
  return out;
}

/** Mutations no body schema of the API can accept (the others may happen to produce an acceptable body). */
export const ALWAYS_REFUSED = new Set([
  'root_type',
  'unknown_field',
  'malformed_json',
  'wrong_content_type',
  'no_content_type',
  'empty_body',
  'oversized_body',
]);

export const JSON_MUTATIONS = [
  'wrong_type',
  'drop_field',
  'unknown_field',
  'huge_string',
  'nasty_string',
  'nasty_number',
  'null_field',
  'root_type',
  'deep_nesting',
  'big_array',
  'duplicate_key',
] as const;
export type JsonMutation = (typeof JSON_MUTATIONS)[number];

/**
 * Mutates a valid-looking body in place (or returns a replacement): one hostile change at a random depth.
 * Returns the JSON text to send, as some mutations (duplicate keys) cannot be expressed as a value.
 */
export function mutateJson(body: unknown, kind: JsonMutation, rng: Rng): string {
  const spots = containers(body);
  const spot = spots.length ? rng.pick(spots) : undefined;
  const keys = spot ? Object.keys(spot) : [];
  const setAt = (f: (old: unknown) => unknown): boolean => {
    if (!spot || keys.length === 0) return false;
    const k = rng.pick(keys);
    if (Array.isArray(spot)) spot[Number(k)] = f(spot[Number(k)]);
    else spot[k] = f(spot[k]);
    return true;
  };
  switch (kind) {
    case 'wrong_type':
      if (!setAt((old) => wrongType(old, rng))) return JSON.stringify(wrongType(body, rng));
      break;
    case 'drop_field':
      if (spot && keys.length) {
        const k = rng.pick(keys);
        if (Array.isArray(spot)) spot.splice(Number(k), 1);
        else delete spot[k];
      }
      break;
    case 'unknown_field':
      // at the root: every body schema refuses unknown properties there
      if (body && typeof body === 'object' && !Array.isArray(body)) {
        // defined, not assigned: `o.__proto__ = v` would set the prototype and send nothing
        Object.defineProperty(body, rng.pick(['__proto__', 'constructor', 'tenantId', 'id', 'role', 'zz_unknown']), {
          value: rng.pick([1, 'x', { admin: true }]),
          enumerable: true,
        });
      } else return JSON.stringify({ zz_unknown: body });
      break;
    case 'huge_string': {
      const huge = rng.chance(0.5) ? 'x'.repeat(rng.int(1_000, 200_000)) : '店'.repeat(rng.int(1_000, 100_000));
      if (!setAt(() => huge)) return JSON.stringify(huge);
      break;
    }
    case 'nasty_string':
      if (!setAt(() => rng.pick(NASTY_STRINGS))) return JSON.stringify(rng.pick(NASTY_STRINGS));
      break;
    case 'nasty_number':
      if (!setAt(() => rng.pick(NASTY_NUMBERS))) return JSON.stringify(rng.pick(NASTY_NUMBERS));
      break;
    case 'null_field':
      if (!setAt(() => null)) return 'null';
      break;
    case 'root_type':
      return JSON.stringify(rng.pick<unknown>([null, 0, -1, 'text', [], [body], true]));
    case 'deep_nesting': {
      const depth = rng.int(100, 5_000);
      const nested = `${'['.repeat(depth)}${']'.repeat(depth)}`;
      if (spot && !Array.isArray(spot) && keys.length) {
        spot[rng.pick(keys)] = '__NEST__';
        return JSON.stringify(body).replace('"__NEST__"', nested);
      }
      return nested;
    }
    case 'big_array':
      if (!setAt((old) => Array.from({ length: rng.int(1_000, 20_000) }, () => (old && JSON.stringify(old).length < 100 ? old : 1)))) {
        return JSON.stringify(Array.from({ length: 5_000 }, () => (JSON.stringify(body ?? 1).length < 100 ? body : 1)));
      }
      break;
    case 'duplicate_key': {
      const text = JSON.stringify(body);
      if (text.startsWith('{') && text.length > 2)
        return `{"${rng.pick(keys.length ? keys : ['x'])}":${JSON.stringify(wrongType(1, rng))},${text.slice(1)}`;
      return text;
    }
  }
  return JSON.stringify(body);
}

/** Bodies that are not JSON at all, or broken JSON. */
export function malformedJson(validText: string, rng: Rng): string {
  switch (rng.int(0, 7)) {
    case 0:
      return validText.slice(0, rng.int(0, Math.max(0, validText.length - 1)));
    case 1:
      return `${validText},`;
    case 2:
      return `${validText}}`;
    case 3:
      return '{"a":}';
    case 4:
      return "{'single': 'quotes'}";
    case 5:
      return '\u0000\u0001\u0002';
    case 6:
      return `${validText}${validText}`;
    default:
      return 'NaN';
  }
}

/** A CSV with the given headers (shuffled, some missing, some unknown) and hostile or plausible cells. */
export function fuzzCsv(headers: string[], rng: Rng, pools: Pools): string {
  const cols = headers.filter(() => rng.chance(0.8));
  if (rng.chance(0.2)) cols.push(rng.pick(['unknown', '名称', '', '"', 'code']));
  const rows: string[] = [cols.join(',')];
  const n = rng.int(0, rng.chance(0.05) ? 3_000 : 8);
  for (let i = 0; i < n; i++) {
    rows.push(
      cols
        .map((c) => {
          const r = rng.next();
          let v: string;
          if (r < 0.4)
            v =
              hintedString(
                c.replace(/_(\w)/g, (_m, x: string) => x.toUpperCase()),
                {},
                rng,
                pools,
              ) ?? randomString(rng, 1, 10);
          else if (r < 0.7) v = randomString(rng, 0, 12);
          else if (r < 0.9) v = rng.pick(NASTY_STRINGS);
          else v = String(rng.pick(NASTY_NUMBERS));
          return /[",\n\r]/.test(v) && rng.chance(0.7) ? `"${v.replaceAll('"', '""')}"` : v;
        })
        .join(','),
    );
  }
  return rows.join(rng.chance(0.8) ? '\n' : '\r\n');
}

/** Bytes that pretend to be an xlsx (zip) file: truncated zip headers, garbage, an empty body. */
export function fakeXlsx(rng: Rng): Buffer {
  const header = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
  switch (rng.int(0, 3)) {
    case 0:
      return Buffer.concat([header, Buffer.from(randomString(rng, 0, 200, false))]);
    case 1:
      return Buffer.alloc(0);
    case 2:
      return Buffer.from(Array.from({ length: rng.int(1, 2000) }, () => rng.int(0, 255)));
    default:
      return Buffer.concat([header, Buffer.alloc(26), Buffer.from([0x50, 0x4b, 0x05, 0x06]), Buffer.alloc(18, 0xff)]);
  }
}
