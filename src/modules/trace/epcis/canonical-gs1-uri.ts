/**
 * GS1 identifiers in the event hash: EPC URIs, EPC class and pattern URIs, and GS1 Digital Link URIs (any host, short
 * names, query string, key qualifiers) -> the constrained canonical GS1 Digital Link URI (https://id.gs1.org, numeric AIs,
 * finest identity level only, no CPV, no query), as CBV 2.0 rules 17/18 and the reference's dl_normaliser.py write them.
 * Anything else -> null (the value is then hashed as it is). Checked against the reference's 71 normaliser vectors.
 *
 * The EPC grammars are those of the reference (company prefix of 6..12 digits, GS3A3 serials of bounded length), written
 * per scheme; where the reference's regex has a slip (a 12-digit company prefix in GRAI and in the GRAI/GDTI/SGCN
 * patterns needs one dot too many there) the EPC Tag Data Standard grammar is used.
 */
import { isCanonicalSgtinDl } from '../../../platform/epc-urn.ts';
import { gs1CheckDigit } from '../../../platform/gs1.ts';

const ID = 'https://id.gs1.org/';

/**
 * The constrained canonical GS1 Digital Link URI of an EPC URI / EPC class or pattern URI / GS1 Digital Link URI, or null
 * when the value carries no GS1 key in a form the event hash recognises.
 */
export function canonicalGs1Uri(uri: string): string | null {
  if (typeof uri !== 'string' || !uri.includes('.')) return null;
  if (uri.startsWith('urn:epc:id:sgtin:')) return sgtin(uri); // the hot path, parsed by hand
  if (isCanonicalSgtinDl(uri)) return uri; // the other hot path: already canonical (a plain serial needs no escaping)
  if (uri.startsWith('urn:epc:')) return epcToDigitalLink(uri);
  if (uri.startsWith('http')) return digitalLinkToCanonical(uri);
  return null;
}

// ---------------------------------------------------------------------------------------------------------------------
// EPC URIs

/** One GS3A3 character of an EPC serial: literal, or a %-escape of one (EPC TDS table A-1). */
const PCT = "(?:%2[125-9A-Fa-f]|%3[0-9A-Fa-f]|%4[1-9A-Fa-f]|%5[0-9AaFf]|%6[1-9A-Fa-f]|%7[0-9Aa]|[!')(*+,.0-9:;=A-Za-z_-])";
/** One character of a CPI component reference. */
const CPI = '(?:%2[3dfDF]|%3[0-9]|%4[1-9A-Fa-f]|%5[0-9Aa]|[0-9A-Z-])';
const CP = '(\\d{6,12})';

type Groups = readonly string[];
interface Rule {
  re: RegExp;
  /** the canonical DL URI, or null when the lengths do not add up */
  build: (g: Groups) => string | null;
}

const rule = (pattern: string, build: Rule['build']): Rule => ({ re: new RegExp(`^${pattern}$`), build });
const check = (body: string) => body + String(gs1CheckDigit(body));
/** GTIN-14 (or SSCC) from company prefix and a reference whose first digit is the indicator / extension digit. */
const indicatorFirst = (cp: string, ref: string) => check(ref.slice(0, 1) + cp + ref.slice(1));
/** Length of an EPC component, a %XX escape counting as one character. */
const units = (s: string) => s.length - 2 * (s.split('%').length - 1);
const total = (g: Groups, n: number) => (g[1]?.length ?? 0) + (g[2]?.length ?? 0) === n;

/** Keyed by the URI up to and including the scheme name: "urn:epc:id:sscc:". */
const EPC_RULES = new Map<string, Rule>([
  [
    'urn:epc:id:sscc:',
    rule(`urn:epc:id:sscc:${CP}\\.(\\d{5,11})`, (g) => (total(g, 17) ? `${ID}00/${indicatorFirst(g[1]!, g[2]!)}` : null)),
  ],
  [
    'urn:epc:id:sgln:',
    rule(`urn:epc:id:sgln:${CP}\\.(\\d{0,6})\\.(${PCT}{1,20})`, (g) =>
      total(g, 12) ? `${ID}414/${check(g[1]! + g[2]!)}${g[3] === '0' ? '' : `/254/${dlEncode(g[3]!)}`}` : null,
    ),
  ],
  [
    'urn:epc:id:grai:',
    rule(`urn:epc:id:grai:${CP}\\.(\\d{0,6})\\.(${PCT}{1,16})`, (g) =>
      total(g, 12) ? `${ID}8003/${check(`0${g[1]}${g[2]}`)}${dlEncode(g[3]!)}` : null,
    ),
  ],
  [
    'urn:epc:id:giai:',
    rule(`urn:epc:id:giai:${CP}\\.(${PCT}{1,24})`, (g) =>
      g[1]!.length + units(g[2]!) <= 30 ? `${ID}8004/${g[1]}${dlEncode(g[2]!)}` : null,
    ),
  ],
  ['urn:epc:id:gsrn:', rule(`urn:epc:id:gsrn:${CP}\\.(\\d{5,11})`, (g) => (total(g, 17) ? `${ID}8018/${check(g[1]! + g[2]!)}` : null))],
  ['urn:epc:id:gsrnp:', rule(`urn:epc:id:gsrnp:${CP}\\.(\\d{5,11})`, (g) => (total(g, 17) ? `${ID}8017/${check(g[1]! + g[2]!)}` : null))],
  [
    'urn:epc:id:gdti:',
    // as the reference: the serial may be empty except after a 12-digit company prefix, and is at most 19 (20) long
    rule(`urn:epc:id:gdti:${CP}\\.(\\d{0,6})\\.(${PCT}{0,20})`, (g) => {
      const long = g[1]!.length === 12;
      const n = units(g[3]!);
      return total(g, 12) && n <= (long ? 20 : 19) && (n > 0 || !long) ? `${ID}253/${check(g[1]! + g[2]!)}${dlEncode(g[3]!)}` : null;
    }),
  ],
  [
    'urn:epc:id:cpi:',
    rule(`urn:epc:id:cpi:${CP}\\.(${CPI}{1,24})\\.(\\d{1,12})`, (g) =>
      g[1]!.length + units(g[2]!) <= 30 ? `${ID}8010/${dlEncode(g[1]! + g[2]!)}/8011/${g[3]}` : null,
    ),
  ],
  [
    'urn:epc:id:sgcn:',
    rule(`urn:epc:id:sgcn:${CP}\\.(\\d{0,6})\\.(\\d{1,12})`, (g) => (total(g, 12) ? `${ID}255/${check(g[1]! + g[2]!)}${g[3]}` : null)),
  ],
  [
    'urn:epc:id:ginc:',
    rule(`urn:epc:id:ginc:${CP}\\.(${PCT}{1,24})`, (g) =>
      g[1]!.length + units(g[2]!) <= 30 ? `${ID}401/${g[1]}${dlEncode(g[2]!)}` : null,
    ),
  ],
  ['urn:epc:id:gsin:', rule(`urn:epc:id:gsin:${CP}\\.(\\d{4,10})`, (g) => (total(g, 16) ? `${ID}402/${check(g[1]! + g[2]!)}` : null))],
  [
    'urn:epc:id:itip:',
    rule(`urn:epc:id:itip:${CP}\\.(\\d{1,7})\\.(\\d{2})\\.(\\d{2})\\.(${PCT}{1,20})`, (g) =>
      total(g, 13) ? `${ID}8006/${indicatorFirst(g[1]!, g[2]!)}${g[3]}${g[4]}/21/${dlEncode(g[5]!)}` : null,
    ),
  ],
  [
    'urn:epc:id:upui:',
    rule(`urn:epc:id:upui:${CP}\\.(\\d{1,7})\\.(${PCT}{1,28})`, (g) =>
      total(g, 13) ? `${ID}01/${indicatorFirst(g[1]!, g[2]!)}/235/${dlEncode(g[3]!)}` : null,
    ),
  ],
  ['urn:epc:id:pgln:', rule(`urn:epc:id:pgln:${CP}\\.(\\d{0,6})`, (g) => (total(g, 12) ? `${ID}417/${check(g[1]! + g[2]!)}` : null))],
  [
    'urn:epc:class:lgtin:',
    rule(`urn:epc:class:lgtin:${CP}\\.(\\d{1,7})\\.(${PCT}{1,20})`, (g) =>
      total(g, 13) ? `${ID}01/${indicatorFirst(g[1]!, g[2]!)}/10/${dlEncode(g[3]!)}` : null,
    ),
  ],
  [
    'urn:epc:idpat:sgtin:',
    rule(`urn:epc:idpat:sgtin:${CP}\\.(\\d{1,7})\\.\\*`, (g) => (total(g, 13) ? `${ID}01/${indicatorFirst(g[1]!, g[2]!)}` : null)),
  ],
  [
    'urn:epc:idpat:upui:',
    rule(`urn:epc:idpat:upui:${CP}\\.(\\d{1,7})\\.\\*`, (g) => (total(g, 13) ? `${ID}01/${indicatorFirst(g[1]!, g[2]!)}` : null)),
  ],
  [
    'urn:epc:idpat:grai:',
    rule(`urn:epc:idpat:grai:${CP}\\.(\\d{0,6})\\.\\*`, (g) => (total(g, 12) ? `${ID}8003/${check(`0${g[1]}${g[2]}`)}` : null)),
  ],
  [
    'urn:epc:idpat:gdti:',
    rule(`urn:epc:idpat:gdti:${CP}\\.(\\d{0,6})\\.\\*`, (g) => (total(g, 12) ? `${ID}253/${check(g[1]! + g[2]!)}` : null)),
  ],
  [
    'urn:epc:idpat:sgcn:',
    rule(`urn:epc:idpat:sgcn:${CP}\\.(\\d{0,6})\\.\\*`, (g) => (total(g, 12) ? `${ID}255/${check(g[1]! + g[2]!)}` : null)),
  ],
  [
    'urn:epc:idpat:cpi:',
    rule(`urn:epc:idpat:cpi:${CP}\\.(${CPI}{1,24})\\.\\*`, (g) =>
      g[1]!.length + units(g[2]!) <= 30 ? `${ID}8010/${dlEncode(g[1]! + g[2]!)}` : null,
    ),
  ],
  [
    'urn:epc:idpat:itip:',
    rule(`urn:epc:idpat:itip:${CP}\\.(\\d{1,7})\\.(\\d{2})\\.(\\d{2})\\.\\*`, (g) =>
      total(g, 13) ? `${ID}8006/${indicatorFirst(g[1]!, g[2]!)}${g[3]}${g[4]}` : null,
    ),
  ],
]);

function epcToDigitalLink(uri: string): string | null {
  const schemeStart = uri.indexOf(':', 8) + 1;
  const schemeEnd = uri.indexOf(':', schemeStart);
  const found = schemeEnd > 0 ? EPC_RULES.get(uri.slice(0, schemeEnd + 1)) : undefined;
  const groups = found?.re.exec(uri);
  return found && groups ? found.build(groups as Groups) : null;
}

/** urn:epc:id:sgtin:CompanyPrefix.IndicatorItemRef.Serial -> https://id.gs1.org/01/{GTIN-14}/21/{serial}. */
function sgtin(uri: string): string | null {
  const dot1 = uri.indexOf('.', 17);
  const dot2 = dot1 < 0 ? -1 : uri.indexOf('.', dot1 + 1);
  if (dot2 < 0) return null;
  const cpLength = dot1 - 17;
  if (cpLength < 6 || cpLength > 12 || dot2 - 17 !== 14) return null;
  // check digit over indicator + company prefix + item reference, weights 3,1,3... from the right
  let sum = 0;
  let weight = 3;
  for (let i = dot2 - 1; i >= 17; i--) {
    if (i === dot1) continue;
    const d = uri.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return null;
    if (i !== dot1 + 1) {
      sum += d * weight;
      weight = 4 - weight;
    }
  }
  sum += (uri.charCodeAt(dot1 + 1) - 48) * weight;
  const serial = serialOf(uri, dot2 + 1, 20);
  if (serial === null) return null;
  return `${ID}01/${uri[dot1 + 1]}${uri.slice(17, dot1)}${uri.slice(dot1 + 2, dot2)}${(10 - (sum % 10)) % 10}/21/${serial}`;
}

/** Characters an EPC serial may hold literally (1), those of them Digital Link percent-encodes (2). */
const LITERAL = new Uint8Array(128);
for (const c of "!')(*+,.0123456789:;=ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz-") LITERAL[c.charCodeAt(0)] = 1;
for (const c of '!()*+,:') LITERAL[c.charCodeAt(0)] = 2;
/** The second hex digit allowed after %2 .. %7 (escapes of GS3A3 characters only). */
const ESCAPE_SECOND: Readonly<Record<string, RegExp>> = {
  '2': /[125-9A-Fa-f]/,
  '3': /[0-9A-Fa-f]/,
  '4': /[1-9A-Fa-f]/,
  '5': /[0-9AaFf]/,
  '6': /[1-9A-Fa-f]/,
  '7': /[0-9Aa]/,
};

/** The serial from `start` to the end, checked against PCT{1,max} and Digital-Link encoded; null when invalid. */
function serialOf(uri: string, start: number, max: number): string | null {
  let units = 0;
  let encode = false;
  for (let i = start; i < uri.length; i++, units++) {
    const c = uri.charCodeAt(i);
    if (c === 37) {
      const second = ESCAPE_SECOND[uri[i + 1] ?? ''];
      if (!second?.test(uri[i + 2] ?? '')) return null;
      i += 2;
    } else {
      const kind = c < 128 ? LITERAL[c] : 0;
      if (!kind) return null;
      if (kind === 2) encode = true;
    }
  }
  if (units < 1 || units > max) return null;
  const serial = uri.slice(start);
  return encode ? dlEncode(serial) : serial;
}

/** Digital Link percent-encoding of the characters an EPC URI may carry literally (GS1 DL 1.1 table 7-1). */
function dlEncode(s: string): string {
  if (!/[!()*+,:]/.test(s)) return s;
  return s
    .replaceAll('!', '%21')
    .replaceAll('(', '%28')
    .replaceAll(')', '%29')
    .replaceAll('*', '%2A')
    .replaceAll('+', '%2B')
    .replaceAll(',', '%2C')
    .replaceAll(':', '%3A');
}

// ---------------------------------------------------------------------------------------------------------------------
// GS1 Digital Link URIs (the reference's regular expressions, kept as they are)

const KEYS =
  '01|gtin|8006|itip|8010|cpid|414|gln|417|party|8017|gsrnp|8018|gsrn|255|gcn|00|sscc|253|gdti|401|ginc|402|gsin|8003|grai|8004|giai';
/** Cheap necessary condition for DL_ANY: a key segment followed by four digits (a search without backtracking). */
const DL_KEY_SEGMENT = new RegExp(`/(?:${KEYS})/\\d{4}`);
const DL_ANY = new RegExp(
  `^https?:(//((([^/?#]*)@)?([^/?#:]*)(:([^/?#]*))?))?((([^?#]*)(/(${KEYS})/)(\\d{4}[^/]+)(/[^/]+/[^/]+)?[/]?(\\?([^?\\n]*))?(#([^\\n]*))?)|(/[A-Za-z_-]{10}$))`,
);
const DL_CANONICAL_HOST =
  /^https:\/\/id.gs1.org\/(01|8006|8010|414|417|8017|8018|255|00|253|401|402|8003|8004)\/(\d{4}[^/]+)(\/[^/]+\/[^/]+)?[/]?(\?([^?\n]*))?(#([^\n]*))?|^\/[A-Za-z_-]{10}$/;
const SHORT_NAMES =
  'gtin:01 itip:8006 cpid:8010 gln:414 party:417 gsrnp:8017 gsrn:8018 gcn:255 sscc:00 gdti:253 ginc:401 gsin:402 grai:8003 giai:8004 cpv:22 lot:10 ser:21'
    .split(' ')
    .map((pair) => pair.split(':').map((s) => `/${s}/`) as [string, string]);
const KEY_AIS = '00 01 253 255 401 402 414 417 8003 8004 8006 8010 8017 8018'.split(' ').map((ai) => `/${ai}/`);
/** A character of a DL path value as the reference's final check admits it. */
const DLX = '[\\x22\\x27\\x2D\\x2E\\x30-\\x39\\x3B-\\x3F\\x41-\\x5A\\x5F\\x61-\\x7A]';
const ITEM = '^https://id.gs1.org/(?:8006/\\d{18}|01/\\d{14})';
const CPV_LAST = new RegExp(`${ITEM}/22/${DLX}{0,20}$`);
const CPV_MIDDLE = new RegExp(`${ITEM}/22/[\\x2F\\x22\\x27\\x2D\\x2E\\x30-\\x39\\x3B-\\x3F\\x41-\\x5A\\x5F\\x61-\\x7A]{0,20}$`);
const LOT_AND_SERIAL = new RegExp(`${ITEM}/10/${DLX}{0,20}/21/${DLX}{0,20}$`);
const DL_VALID = new RegExp(
  `^https://id.gs1.org/(?:00/\\d{18}|01/\\d{14}(?:/21/${DLX}{0,20}|/10/${DLX}{0,20}|/235/${DLX}{0,28})?|253/\\d{13}${DLX}{0,17}|255/\\d{13}\\d{0,12}|401/${DLX}{0,30}|402/\\d{17}|414/\\d{13}(?:/254/${DLX}{0,20})?|417/\\d{13}|8003/\\d{14}${DLX}{0,16}|8004/${DLX}{0,30}|8006/\\d{18}(?:/21/${DLX}{0,20}|/10/${DLX}{0,20})?|8010/[\\x23\\x2D\\x2F\\x30-\\x39\\x41-\\x5A]{0,30}(?:/8011/\\d{0,12})?|8017/\\d{18}|8018/\\d{18})$`,
);

function digitalLinkToCanonical(input: string): string | null {
  if (!DL_KEY_SEGMENT.test(input) || !DL_ANY.test(input)) return null;
  let uri = input;
  const query = uri.indexOf('?');
  if (query >= 0) uri = uri.slice(0, query);
  for (const [from, to] of SHORT_NAMES) if (uri.includes(from)) uri = uri.replaceAll(from, to);
  // any host -> id.gs1.org, from the first primary key found (in this order of keys)
  if (!DL_CANONICAL_HOST.test(uri)) {
    for (const ai of KEY_AIS) {
      const at = uri.indexOf(ai);
      if (at !== -1) {
        uri = `https://id.gs1.org${uri.slice(at)}`;
        break;
      }
    }
  }
  // GTIN-8/12/13 -> GTIN-14
  if (!/^https:\/\/id.gs1.org\/01\/\d{14}/.test(uri)) {
    if (/^https:\/\/id.gs1.org\/01\/\d{13}/.test(uri)) uri = uri.replaceAll('/01/', '/01/0');
    else if (/^https:\/\/id.gs1.org\/01\/\d{12}/.test(uri)) uri = uri.replaceAll('/01/', '/01/00');
    else if (/^https:\/\/id.gs1.org\/01\/\d{8}/.test(uri)) uri = uri.replaceAll('/01/', '/01/000000');
  }
  // no CPV (AI 22) key qualifier
  const cpv = uri.indexOf('/22/');
  if (cpv !== -1) {
    const rest = uri.slice(cpv + 4);
    if (CPV_LAST.test(uri)) uri = uri.slice(0, cpv);
    else if (CPV_MIDDLE.test(uri)) uri = uri.slice(0, cpv) + rest.slice(rest.indexOf('/'));
  }
  // the finest identity level only: a serial makes the lot redundant
  if (LOT_AND_SERIAL.test(uri)) {
    const lot = uri.indexOf('/10/');
    const rest = uri.slice(lot + 4);
    uri = uri.slice(0, lot) + rest.slice(rest.indexOf('/'));
  }
  return DL_VALID.test(uri) ? uri : null;
}
