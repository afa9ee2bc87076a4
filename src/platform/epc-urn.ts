/**
 * EPC URNs (GS1 EPC Tag Data Standard 2.x pure identity, class and pattern URIs) <-> GS1 Digital Link URIs, and the
 * canonical identifier form the EPCIS ledger stores and matches (`canonicalEpc`).
 *
 * URN -> Digital Link needs no GS1 Company Prefix length (the URN carries it); Digital Link -> URN does: it comes from a
 * `CompanyPrefixLength` function. The default returns 7 for every key: no GS1 prefix-length table is shipped with this
 * project (the openepcis snapshot in /work/shared lacks gcpprefixformatlist.json), so pass a real one, e.g.
 * `companyPrefixLengthFromList(tenantCompanyPrefixes)`.
 *
 * Serials and other alphanumeric components: in URNs the TDS escapes `"` `%` `&` `/` `<` `>` `?` as %22 %25 %26 %2F %3C
 * %3E %3F (other CSET 82 characters stay literal; any %XX of a CSET 82 character is accepted on input); CPI part
 * references escape `#` and `/`. In Digital Link URIs every character but A-Z a-z 0-9 - . _ ~ is percent-encoded.
 */
import {
  type AiElement,
  CANONICAL_DL_STEM,
  type DigitalLink,
  type DigitalLinkErrorCode,
  type DigitalLinkOptions,
  Gs1CodeError,
  type Gs1Failure,
  type Gs1Result,
  isCset82,
  isDigits,
  parseDigitalLink,
  uriEscape,
} from './digital-link.ts';
import { gs1CheckDigit } from './gs1.ts';

export type EpcErrorCode =
  | DigitalLinkErrorCode
  | 'epc.unrecognised'
  | 'epc.unsupported_scheme'
  | 'epc.syntax'
  | 'epc.company_prefix'
  | 'epc.not_numeric'
  | 'epc.length'
  | 'epc.charset'
  | 'epc.no_digital_link_equivalent'
  | 'epc.no_epc_equivalent'
  | 'epc.company_prefix_length';

export type EpcResult<T> = Gs1Result<T, EpcErrorCode>;
type EpcFailure = Gs1Failure<EpcErrorCode>;

export type EpcScheme =
  | 'sgtin'
  | 'lgtin'
  | 'sscc'
  | 'sgln'
  | 'grai'
  | 'giai'
  | 'gsrn'
  | 'gsrnp'
  | 'gdti'
  | 'sgcn'
  | 'ginc'
  | 'gsin'
  | 'itip'
  | 'upui'
  | 'pgln'
  | 'cpi';

export interface EpcUrn {
  scheme: EpcScheme;
  /** `id`: one object (urn:epc:id:...); `class`: a lot (urn:epc:class:lgtin:...); `idpat`: all serials of a key (urn:epc:idpat:...:*). */
  kind: 'id' | 'class' | 'idpat';
  companyPrefix: string;
  /** The equivalent Digital Link path: primary key, then key qualifiers in path order. */
  elements: AiElement[];
}

/**
 * GS1 Company Prefix length for a key: `key` is the primary key value (AI `ai`); for AIs 00, 01 and 8006 the company
 * prefix starts at the second digit (after the extension / indicator digit), otherwise at the first.
 */
export type CompanyPrefixLength = (key: string, ai: string) => number | undefined;

export const DEFAULT_COMPANY_PREFIX_LENGTH = 7;

/** The default: 7 for every key (no GS1 prefix-length table available). */
export const defaultCompanyPrefixLength: CompanyPrefixLength = () => DEFAULT_COMPANY_PREFIX_LENGTH;

function gcpOffset(ai: string): number {
  return ai === '01' || ai === '00' || ai === '8006' ? 1 : 0;
}

/** A CompanyPrefixLength that recognises the given GS1 Company Prefixes (6 to 12 digits); undefined for other keys. */
export function companyPrefixLengthFromList(prefixes: Iterable<string>): CompanyPrefixLength {
  const known = new Set<string>();
  for (const p of prefixes) if (p.length >= 6 && p.length <= 12 && isDigits(p)) known.add(p);
  return (key, ai) => {
    const at = gcpOffset(ai);
    for (let len = 6; len <= 12; len++) if (known.has(key.slice(at, at + len))) return len;
    return undefined;
  };
}

function fail(code: EpcErrorCode, message: string, ai?: string): EpcFailure {
  return ai === undefined ? { ok: false, code, message } : { ok: false, code, message, ai };
}

function withCd(body: string): string {
  return body + String(gs1CheckDigit(body));
}

// ---------------------------------------------------------------------------------------------------------------------
// Component escaping

/** Characters that must be escaped in TDS URN components (GS3A3): " % & / < > ? */
function urnEscapeChar(c: number): boolean {
  return c === 34 || c === 37 || c === 38 || c === 47 || c === 60 || c === 62 || c === 63;
}

const HEX = '0123456789ABCDEF';

/** Escapes a CSET 82 value for an EPC URN component (TDS GS3A3 rules). */
export function escapeUrnComponent(value: string): string {
  let i = 0;
  while (i < value.length && !urnEscapeChar(value.charCodeAt(i))) i++;
  if (i === value.length) return value;
  let out = value.slice(0, i);
  for (; i < value.length; i++) {
    const c = value.charCodeAt(i);
    out += urnEscapeChar(c) ? `%${HEX[c >> 4]}${HEX[c & 15]}` : value[i];
  }
  return out;
}

function hex(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 32;
  return l >= 97 && l <= 102 ? l - 87 : -1;
}

/**
 * Decodes a GS3A3 URN component: literal CSET 82 characters except " % & / < > ?, and %XX escapes of CSET 82
 * characters. Returns null when malformed or not CSET 82.
 */
export function unescapeUrnComponent(value: string): string | null {
  if (value.indexOf('%') < 0) {
    for (let i = 0; i < value.length; i++) if (urnEscapeChar(value.charCodeAt(i))) return null;
    return isCset82(value) ? value : null;
  }
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 37) {
      const h = i + 2 < value.length ? hex(value.charCodeAt(i + 1)) : -1;
      const l = h >= 0 ? hex(value.charCodeAt(i + 2)) : -1;
      if (l < 0) return null;
      out += String.fromCharCode(h * 16 + l);
      i += 2;
    } else if (urnEscapeChar(c)) return null;
    else out += value[i];
  }
  return isCset82(out) ? out : null;
}

/** CPI component reference: digits, upper-case letters, `-`; `#` and `/` escaped as %23 and %2F. */
function escapeCpiComponent(value: string): string {
  return value.replaceAll('#', '%23').replaceAll('/', '%2F');
}

function unescapeCpiComponent(value: string): string | null {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 37 && i + 2 < value.length) {
      const code = value.slice(i + 1, i + 3).toUpperCase();
      if (code === '23') out += '#';
      else if (code === '2F') out += '/';
      else return null;
      i += 2;
    } else if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || c === 45) out += value[i];
    else return null;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------------
// URN -> elements

const URN_SCHEMES: ReadonlySet<string> = new Set([
  'sgtin',
  'lgtin',
  'sscc',
  'sgln',
  'grai',
  'giai',
  'gsrn',
  'gsrnp',
  'gdti',
  'sgcn',
  'ginc',
  'gsin',
  'itip',
  'upui',
  'pgln',
  'cpi',
]);

/** Checks CP (6..12 digits) + numeric reference of `total` digits; the reference may be empty when allowEmpty. */
function checkNumericPair(cp: string, ref: string, total: number, what: string): EpcFailure | undefined {
  if (cp.length < 6 || cp.length > 12 || !isDigits(cp)) return fail('epc.company_prefix', 'the company prefix must be 6 to 12 digits');
  if (ref !== '' && !isDigits(ref)) return fail('epc.not_numeric', `the ${what} must be digits`);
  if (cp.length + ref.length !== total) return fail('epc.length', `company prefix and ${what} must have ${total} digits together`);
  return undefined;
}

function component(raw: string, max: number, what: string): string | EpcFailure {
  const v = unescapeUrnComponent(raw);
  if (v === null) return fail('epc.charset', `the ${what} has a character that is not allowed or not escaped`);
  if (v.length === 0 || v.length > max) return fail('epc.length', `the ${what} must have 1 to ${max} characters`);
  return v;
}

function gtinOf(cp: string, iir: string): string {
  return withCd(iir[0]! + cp + iir.slice(1));
}

function el(ai: string, value: string): AiElement {
  return { ai, value };
}

type Built = { elements: AiElement[] } | EpcFailure;

const ARITY: Readonly<Record<EpcScheme, number>> = {
  sgtin: 3,
  lgtin: 3,
  sscc: 2,
  sgln: 3,
  grai: 3,
  giai: 2,
  gsrn: 2,
  gsrnp: 2,
  gdti: 3,
  sgcn: 3,
  ginc: 2,
  gsin: 2,
  itip: 5,
  upui: 3,
  pgln: 2,
  cpi: 3,
};

/** Builds the AI elements of a URN body split on '.'; for idpat URNs the last field must be `*`. */
function buildElements(scheme: EpcScheme, kind: EpcUrn['kind'], f: string[]): Built {
  if (f.length !== ARITY[scheme]) return fail('epc.syntax', `urn:epc:${kind}:${scheme} takes ${ARITY[scheme]} dot-separated fields`);
  const cp = f[0]!;
  const star = kind === 'idpat';
  if (star && (f[f.length - 1] !== '*' || f.indexOf('*') < f.length - 1)) {
    return fail('epc.no_digital_link_equivalent', 'only patterns with just the last field `*` map to a Digital Link');
  }
  switch (scheme) {
    case 'sgtin':
    case 'lgtin':
    case 'upui':
    case 'itip': {
      const bad = checkNumericPair(cp, f[1]!, 13, 'indicator and item reference');
      if (bad) return bad;
      if (f[1] === '') return fail('epc.length', 'the indicator digit is missing');
      const gtin = gtinOf(cp, f[1]!);
      if (scheme === 'itip') {
        if (f[2]!.length !== 2 || f[3]!.length !== 2 || !isDigits(f[2]!) || !isDigits(f[3]!)) {
          return fail('epc.not_numeric', 'piece and total must be two digits each');
        }
        const p = Number(f[2]);
        const t = Number(f[3]);
        if (p < 1 || t < 1 || p > t) return fail('epc.syntax', 'piece must be between 1 and total');
        const key = el('8006', gtin + f[2] + f[3]);
        if (star) return { elements: [key] };
        const serial = component(f[4]!, 20, 'serial');
        return typeof serial === 'string' ? { elements: [key, el('21', serial)] } : serial;
      }
      if (star) return { elements: [el('01', gtin)] };
      const q = scheme === 'sgtin' ? ['21', 20, 'serial'] : scheme === 'lgtin' ? ['10', 20, 'lot'] : ['235', 28, 'third-party extension'];
      const v = component(f[2]!, q[1] as number, q[2] as string);
      return typeof v === 'string' ? { elements: [el('01', gtin), el(q[0] as string, v)] } : v;
    }
    case 'sscc': {
      const bad = checkNumericPair(cp, f[1]!, 17, 'serial reference');
      if (bad) return bad;
      if (f[1] === '') return fail('epc.length', 'the extension digit is missing');
      return { elements: [el('00', withCd(f[1]![0] + cp + f[1]!.slice(1)))] };
    }
    case 'sgln':
    case 'pgln': {
      const bad = checkNumericPair(cp, f[1]!, 12, scheme === 'sgln' ? 'location reference' : 'party reference');
      if (bad) return bad;
      const gln = withCd(cp + f[1]);
      if (scheme === 'pgln') return { elements: [el('417', gln)] };
      if (f[2] === '0') return { elements: [el('414', gln)] };
      const ext = component(f[2]!, 20, 'extension');
      return typeof ext === 'string' ? { elements: [el('414', gln), el('254', ext)] } : ext;
    }
    case 'grai':
    case 'gdti':
    case 'sgcn': {
      const bad = checkNumericPair(
        cp,
        f[1]!,
        12,
        scheme === 'grai' ? 'asset type' : scheme === 'gdti' ? 'document type' : 'coupon reference',
      );
      if (bad) return bad;
      const base = (scheme === 'grai' ? '0' : '') + withCd(cp + f[1]);
      const ai = scheme === 'grai' ? '8003' : scheme === 'gdti' ? '253' : '255';
      if (star) return { elements: [el(ai, base)] };
      if (scheme === 'sgcn') {
        const s = f[2]!;
        if (s.length < 1 || s.length > 12 || !isDigits(s)) return fail('epc.not_numeric', 'the coupon serial must be 1 to 12 digits');
        return { elements: [el(ai, base + s)] };
      }
      const serial = component(f[2]!, scheme === 'grai' ? 16 : 17, 'serial');
      return typeof serial === 'string' ? { elements: [el(ai, base + serial)] } : serial;
    }
    case 'giai':
    case 'ginc': {
      if (cp.length < 6 || cp.length > 12 || !isDigits(cp)) return fail('epc.company_prefix', 'the company prefix must be 6 to 12 digits');
      const ref = component(f[1]!, 30 - cp.length, scheme === 'giai' ? 'asset reference' : 'consignment reference');
      return typeof ref === 'string' ? { elements: [el(scheme === 'giai' ? '8004' : '401', cp + ref)] } : ref;
    }
    case 'gsrn':
    case 'gsrnp': {
      const bad = checkNumericPair(cp, f[1]!, 17, 'service reference');
      if (bad) return bad;
      return { elements: [el(scheme === 'gsrn' ? '8018' : '8017', withCd(cp + f[1]))] };
    }
    case 'gsin': {
      const bad = checkNumericPair(cp, f[1]!, 16, 'shipper reference');
      if (bad) return bad;
      return { elements: [el('402', withCd(cp + f[1]))] };
    }
    case 'cpi': {
      if (cp.length < 6 || cp.length > 12 || !isDigits(cp)) return fail('epc.company_prefix', 'the company prefix must be 6 to 12 digits');
      const ref = unescapeCpiComponent(f[1]!);
      if (ref === null || ref === '' || cp.length + ref.length > 30) return fail('epc.charset', 'invalid component/part reference');
      const key = el('8010', cp + ref);
      if (star) return { elements: [key] };
      const s = f[2]!;
      if (s.length < 1 || s.length > 12 || !isDigits(s) || (s.length > 1 && s[0] === '0')) {
        return fail('epc.not_numeric', 'the CPI serial must be 1 to 12 digits without leading zeros');
      }
      return { elements: [key, el('8011', s)] };
    }
  }
}

const KIND_SCHEMES: Record<EpcUrn['kind'], ReadonlySet<string>> = {
  id: new Set([...URN_SCHEMES].filter((s) => s !== 'lgtin')),
  class: new Set(['lgtin']),
  idpat: new Set(['sgtin', 'grai', 'gdti', 'sgcn', 'itip', 'cpi']),
};

/** Parses an EPC pure identity URN (urn:epc:id:...), an LGTIN class (urn:epc:class:lgtin:...) or a key pattern (urn:epc:idpat:...:*). */
export function parseEpcUrn(urn: string): EpcResult<EpcUrn> {
  let kind: EpcUrn['kind'];
  let at: number;
  let s = urn;
  if (!s.startsWith('urn:epc:')) {
    if (s.length < 8 || s.slice(0, 8).toLowerCase() !== 'urn:epc:') return fail('epc.unrecognised', 'not an EPC URN');
    const c = s.indexOf(':', s.indexOf(':', 8) + 1);
    s = c < 0 ? s.toLowerCase() : s.slice(0, c).toLowerCase() + s.slice(c);
  }
  if (s.startsWith('id:', 8)) {
    kind = 'id';
    at = 11;
  } else if (s.startsWith('class:', 8)) {
    kind = 'class';
    at = 14;
  } else if (s.startsWith('idpat:', 8)) {
    kind = 'idpat';
    at = 14;
  } else return fail('epc.unsupported_scheme', 'only urn:epc:id, urn:epc:class and urn:epc:idpat URNs are supported');
  const colon = s.indexOf(':', at);
  if (colon < 0) return fail('epc.syntax', 'missing scheme');
  const scheme = s.slice(at, colon);
  if (!KIND_SCHEMES[kind].has(scheme)) {
    if (!URN_SCHEMES.has(scheme) || (kind === 'id' && scheme === 'lgtin') || (kind === 'class' && scheme !== 'lgtin')) {
      return fail('epc.unsupported_scheme', `urn:epc:${kind}:${scheme} is not a supported EPC URN`);
    }
    return fail('epc.no_digital_link_equivalent', `urn:epc:${kind}:${scheme} has no Digital Link equivalent`);
  }
  // The last component takes the rest: `.` is a valid character of a serial, lot or asset reference.
  const fields: string[] = [];
  const arity = ARITY[scheme as EpcScheme];
  let from = colon + 1;
  for (let dot = s.indexOf('.', from); dot >= 0 && fields.length < arity - 1; dot = s.indexOf('.', from)) {
    fields.push(s.slice(from, dot));
    from = dot + 1;
  }
  fields.push(s.slice(from));
  const built = buildElements(scheme as EpcScheme, kind, fields);
  if ('ok' in built) return built;
  return { ok: true, value: { scheme: scheme as EpcScheme, kind, companyPrefix: fields[0]!, elements: built.elements } };
}

function elementsToDigitalLink(stem: string, elements: readonly AiElement[]): string {
  let out = stem;
  for (const e of elements) out += `/${e.ai}/${uriEscape(e.value, 'path')}`;
  return out;
}

/** EPC URN -> Digital Link URI (canonical `https://id.gs1.org` unless another stem is given). */
export function epcUrnToDigitalLink(urn: string, options: { stem?: string } = {}): EpcResult<string> {
  const parsed = parseEpcUrn(urn);
  if (!parsed.ok) return parsed;
  const stem = options.stem === undefined ? CANONICAL_DL_STEM : options.stem.replace(/\/$/, '');
  return { ok: true, value: elementsToDigitalLink(stem, parsed.value.elements) };
}

// ---------------------------------------------------------------------------------------------------------------------
// Digital Link -> EPC

interface EpcView {
  scheme: EpcScheme;
  kind: EpcUrn['kind'];
  elements: AiElement[];
}

/**
 * The EPC identity a Digital Link denotes: for a GTIN, serial (21) wins over lot (10), and CPV (22) is dropped when
 * either is present (an SGTIN is GTIN + serial); a bare GTIN is the `urn:epc:idpat:sgtin:...*` class.
 */
function epcView(pk: AiElement, qualifiers: readonly AiElement[]): EpcView | EpcFailure {
  const q = (ai: string): AiElement | undefined => qualifiers.find((e) => e.ai === ai);
  const none = qualifiers.length === 0;
  const noEquivalent = (): EpcFailure =>
    fail('epc.no_epc_equivalent', `(${[pk, ...qualifiers].map((e) => e.ai).join(')(')}) has no EPC URN equivalent`, pk.ai);
  switch (pk.ai) {
    case '01': {
      const ser = q('21');
      if (ser) return { scheme: 'sgtin', kind: 'id', elements: [pk, ser] };
      const tpx = q('235');
      if (tpx) return { scheme: 'upui', kind: 'id', elements: [pk, tpx] };
      const lot = q('10');
      if (lot) return { scheme: 'lgtin', kind: 'class', elements: [pk, lot] };
      return none ? { scheme: 'sgtin', kind: 'idpat', elements: [pk] } : noEquivalent();
    }
    case '8006': {
      const ser = q('21');
      if (ser) return { scheme: 'itip', kind: 'id', elements: [pk, ser] };
      return none ? { scheme: 'itip', kind: 'idpat', elements: [pk] } : noEquivalent();
    }
    case '8010': {
      const ser = q('8011');
      return ser ? { scheme: 'cpi', kind: 'id', elements: [pk, ser] } : { scheme: 'cpi', kind: 'idpat', elements: [pk] };
    }
    case '414': {
      const ext = q('254');
      if (ext) return { scheme: 'sgln', kind: 'id', elements: [pk, ext] };
      return none ? { scheme: 'sgln', kind: 'id', elements: [pk] } : noEquivalent();
    }
    case '8003':
      return { scheme: 'grai', kind: pk.value.length > 14 ? 'id' : 'idpat', elements: [pk] };
    case '253':
      return { scheme: 'gdti', kind: pk.value.length > 13 ? 'id' : 'idpat', elements: [pk] };
    case '255':
      return { scheme: 'sgcn', kind: pk.value.length > 13 ? 'id' : 'idpat', elements: [pk] };
  }
  const simple: Record<string, EpcScheme> = {
    '00': 'sscc',
    '417': 'pgln',
    '8004': 'giai',
    '8018': 'gsrn',
    '8017': 'gsrnp',
    '401': 'ginc',
    '402': 'gsin',
  };
  const scheme = simple[pk.ai];
  return scheme && none ? { scheme, kind: 'id', elements: [pk] } : noEquivalent();
}

export interface DigitalLinkToEpcOptions extends DigitalLinkOptions {
  companyPrefixLength?: CompanyPrefixLength;
}

/** Builds the URN of an EPC view given the company prefix length. */
function viewToUrn(view: EpcView, gcpLength: number): EpcResult<string> {
  const [pk, q] = view.elements as [AiElement, AiElement?];
  const v = pk.value;
  const L = gcpLength;
  const head = `urn:epc:${view.kind}:${view.scheme}:`;
  const tail = (rest: string): EpcResult<string> => ({ ok: true, value: head + rest });
  const star = view.kind === 'idpat';
  const tooLong = fail('epc.company_prefix_length', `company prefix length ${L} does not fit key (${pk.ai}) ${v}`, pk.ai);
  switch (view.scheme) {
    case 'sgtin':
    case 'lgtin':
    case 'upui':
    case 'itip': {
      if (L > 12) return tooLong;
      const cpIir = `${v.slice(1, 1 + L)}.${v[0]}${v.slice(1 + L, 13)}`;
      if (view.scheme === 'itip')
        return tail(`${cpIir}.${v.slice(14, 16)}.${v.slice(16, 18)}.${star ? '*' : escapeUrnComponent(q!.value)}`);
      return tail(`${cpIir}.${star ? '*' : escapeUrnComponent(q!.value)}`);
    }
    case 'sscc':
      return tail(`${v.slice(1, 1 + L)}.${v[0]}${v.slice(1 + L, 17)}`);
    case 'sgln':
      return tail(`${v.slice(0, L)}.${v.slice(L, 12)}.${q ? escapeUrnComponent(q.value) : '0'}`);
    case 'pgln':
      return tail(`${v.slice(0, L)}.${v.slice(L, 12)}`);
    case 'grai':
      return tail(`${v.slice(1, 1 + L)}.${v.slice(1 + L, 13)}.${star ? '*' : escapeUrnComponent(v.slice(14))}`);
    case 'gdti':
    case 'sgcn':
      return tail(`${v.slice(0, L)}.${v.slice(L, 12)}.${star ? '*' : escapeUrnComponent(v.slice(13))}`);
    case 'giai':
    case 'ginc':
      if (L >= v.length || !isDigits(v, 0, L)) return tooLong;
      return tail(`${v.slice(0, L)}.${escapeUrnComponent(v.slice(L))}`);
    case 'gsrn':
    case 'gsrnp':
      return tail(`${v.slice(0, L)}.${v.slice(L, 17)}`);
    case 'gsin':
      return tail(`${v.slice(0, L)}.${v.slice(L, 16)}`);
    case 'cpi':
      if (L >= v.length || !isDigits(v, 0, L)) return tooLong;
      return tail(`${v.slice(0, L)}.${escapeCpiComponent(v.slice(L))}.${star ? '*' : q!.value}`);
  }
}

/**
 * Digital Link URI (any host) -> EPC URN. Needs the GS1 Company Prefix length (default: 7 for every key, see the module
 * comment). Query attributes are ignored; see `epcView` for how qualifiers select the scheme.
 */
export function digitalLinkToEpcUrn(dl: string | DigitalLink, options: DigitalLinkToEpcOptions = {}): EpcResult<string> {
  let parsed: DigitalLink;
  if (typeof dl === 'string') {
    const r = parseDigitalLink(dl, options);
    if (!r.ok) return r;
    parsed = r.value;
  } else parsed = dl;
  const view = epcView(parsed.primaryKey, parsed.qualifiers);
  if ('ok' in view) return view;
  const pk = parsed.primaryKey;
  const L = (options.companyPrefixLength ?? defaultCompanyPrefixLength)(pk.value, pk.ai);
  if (L === undefined) return fail('epc.company_prefix_length', `no GS1 Company Prefix known for key (${pk.ai}) ${pk.value}`, pk.ai);
  if (!Number.isInteger(L) || L < 6 || L > 12) return fail('epc.company_prefix_length', `company prefix length ${L} is not 6 to 12`, pk.ai);
  return viewToUrn(view, L);
}

// ---------------------------------------------------------------------------------------------------------------------
// Canonical form

const CANONICAL_PARSE_OPTIONS: DigitalLinkOptions = { permitConvenienceAlphas: true, permitZeroSuppressedGtin: true };
const FAST_SGTIN_PREFIX = `${CANONICAL_DL_STEM}/01/`;

/** Fast path: `https://id.gs1.org/01/{gtin14}/21/{serial}` already canonical (serial only A-Z a-z 0-9 - . _). */
/** True for an SGTIN already in canonical Digital Link form with a plain serial: the common case, checked by hand. */
export function isCanonicalSgtinDl(v: string): boolean {
  const n = FAST_SGTIN_PREFIX.length;
  if (v.length < n + 19 || v.length > n + 38 || !v.startsWith(FAST_SGTIN_PREFIX)) return false;
  if (!isDigits(v, n, n + 14) || v.charCodeAt(n + 14) !== 47 || v.charCodeAt(n + 15) !== 50 || v.charCodeAt(n + 16) !== 49) return false;
  if (v.charCodeAt(n + 17) !== 47) return false;
  for (let i = n + 18; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 46 || c === 95)) return false;
  }
  return gs1CheckDigit(v.slice(n, n + 13)) === v.charCodeAt(n + 13) - 48;
}

/**
 * Any accepted identifier form -> canonical Digital Link (`https://id.gs1.org`, path only): EPC URNs (id, lgtin class,
 * idpat with a trailing `*`) and Digital Link URIs with any host, path prefix, http(s), short names or zero-suppressed
 * GTINs. Query string and fragment are dropped; qualifiers are reduced to the EPC identity (GTIN + serial for an SGTIN
 * even if lot or CPV are present; GTIN + lot for an LGTIN); Digital Links without an EPC equivalent keep their path.
 */
export function tryCanonicalEpc(value: string): EpcResult<string> {
  if (isCanonicalSgtinDl(value)) return { ok: true, value };
  const c0 = value.charCodeAt(0);
  if (c0 === 117 /* u */ || c0 === 85 /* U */) {
    const parsed = parseEpcUrn(value);
    if (!parsed.ok) return parsed;
    return { ok: true, value: elementsToDigitalLink(CANONICAL_DL_STEM, parsed.value.elements) };
  }
  if (c0 !== 104 /* h */ && c0 !== 72 /* H */) return fail('epc.unrecognised', 'not an EPC URN or a GS1 Digital Link URI');
  const dl = parseDigitalLink(value, CANONICAL_PARSE_OPTIONS);
  if (!dl.ok) return dl;
  const view = epcView(dl.value.primaryKey, dl.value.qualifiers);
  const elements = 'ok' in view ? [dl.value.primaryKey, ...dl.value.qualifiers] : view.elements;
  return { ok: true, value: elementsToDigitalLink(CANONICAL_DL_STEM, elements) };
}

/** As tryCanonicalEpc, throwing a Gs1CodeError (with `.code`) for input that is not a valid identifier. */
export function canonicalEpc(value: string): string {
  const r = tryCanonicalEpc(value);
  if (!r.ok) throw new Gs1CodeError(r.code, r.message, r.ai);
  return r.value;
}
