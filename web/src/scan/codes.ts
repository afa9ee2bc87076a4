/**
 * What a scanner or a camera reads, made ready to send. GS1 element strings (FNC1/GS-separated as scanners transmit
 * GS1 DataMatrix / GS1-128, or bracketed `(01)…(17)…(10)…(21)…`) are sent as `(01)<GTIN>(21)<serial>` or `(00)<SSCC>`:
 * the identifying AIs only, because the server reads a bracketed string as a Digital Link path and refuses attributes
 * (17 expiry, 10 lot…) in most of the orders labels print them. Digital Link URIs, EPC URNs and bare SSCCs pass
 * unchanged. Every code also gets a key that is the same however it was written, to flag a code read twice.
 */

/** ASCII GS (group separator): how scanners transmit FNC1 inside a GS1 element string. */
export const GS = '\u001d';
/** Symbols some scanners and keyboards put in place of GS. */
const GS_LIKE = new RegExp(`[${GS}\u241d]`, 'g');
const HAS_GS = new RegExp(`[${GS}\u241d]`);
/** AIM symbology identifiers a scanner may prefix (]d2 GS1 DataMatrix, ]Q3 GS1 QR, ]C1 GS1-128, ]e0 DataBar…). */
const SYMBOLOGY_ID = /^\][A-Za-z][0-9A-Za-z]/;

/** Predefined-length AIs (GS1 General Specifications, figure 7.8.5-1): AI digits and value length, by the first two digits. */
const FIXED: Record<string, [aiLength: number, valueLength: number]> = {
  '00': [2, 18],
  '01': [2, 14],
  '02': [2, 14],
  '03': [2, 14],
  '04': [2, 16],
  '11': [2, 6],
  '12': [2, 6],
  '13': [2, 6],
  '14': [2, 6],
  '15': [2, 6],
  '16': [2, 6],
  '17': [2, 6],
  '18': [2, 6],
  '19': [2, 6],
  '20': [2, 2],
  '31': [4, 6],
  '32': [4, 6],
  '33': [4, 6],
  '34': [4, 6],
  '35': [4, 6],
  '36': [4, 6],
  '41': [3, 13],
};

/** Length of a variable-length AI, from its first two digits (null: not an AI we know). */
function variableAiLength(p2: string): number | null {
  if (['10', '21', '22', '30', '37'].includes(p2) || p2 >= '90') return 2;
  if (['23', '24', '25', '40', '42', '71'].includes(p2)) return 3;
  if (['39', '43'].includes(p2) || p2.startsWith('7') || p2.startsWith('8')) return 4;
  return null;
}

/** `0106901234001013` `21ABC` GS `10L1` -> `(01)06901234001013(21)ABC(10)L1`; null when it is not an element string. */
export function elementStringToBracketed(raw: string): string | null {
  const s = raw.replace(SYMBOLOGY_ID, '').replace(GS_LIKE, GS);
  let i = s.startsWith(GS) ? 1 : 0;
  let out = '';
  while (i < s.length) {
    const p2 = s.slice(i, i + 2);
    if (!/^\d\d$/.test(p2)) return null;
    const fixed = FIXED[p2];
    const aiLength = fixed ? fixed[0] : variableAiLength(p2);
    if (aiLength === null) return null;
    const ai = s.slice(i, i + aiLength);
    if (!/^\d+$/.test(ai) || ai.length !== aiLength) return null;
    i += aiLength;
    let value: string;
    if (fixed) {
      value = s.slice(i, i + fixed[1]);
      if (value.length !== fixed[1]) return null;
      i += fixed[1];
    } else {
      const end = s.indexOf(GS, i);
      value = s.slice(i, end < 0 ? s.length : end);
      i = end < 0 ? s.length : end;
    }
    if (!value || value.includes('(') || value.includes(')')) return null;
    out += `(${ai})${value}`;
    if (s[i] === GS) i += 1;
  }
  return out || null;
}

/** The AIs of a bracketed element string, in order (null when it is not one). */
function bracketedAis(s: string): Map<string, string> | null {
  if (!/^(\(\d{2,4}\)[^()]+)+$/.test(s)) return null;
  const ais = new Map<string, string>();
  for (const m of s.matchAll(/\((\d{2,4})\)([^()]+)/g)) ais.set(m[1] as string, m[2] as string);
  return ais;
}

/** `(01)…(21)…` or `(00)…` from an element string's AIs; the whole string when it identifies neither. */
function identifying(bracketed: string): string {
  const ais = bracketedAis(bracketed);
  const gtin = ais?.get('01');
  const serial = ais?.get('21');
  if (gtin && serial) return `(01)${gtin}(21)${serial}`;
  const sscc = ais?.get('00');
  if (sscc) return `(00)${sscc}`;
  return bracketed;
}

/** A read as it will be sent to the server (trimmed; element strings reduced to their identifying AIs). */
export function normaliseRead(raw: string): string {
  const s = raw.replace(/[\r\n]+/g, '').trim();
  if (!s) return s;
  const bare = s.replace(SYMBOLOGY_ID, '');
  if (bare.startsWith('(')) return identifying(bare);
  if (HAS_GS.test(bare) || /^01\d{14}\d\d/.test(bare) || /^00\d{18}$/.test(bare)) {
    const bracketed = elementStringToBracketed(bare);
    if (bracketed) return identifying(bracketed);
  }
  return bare.replace(GS_LIKE, '');
}

export function gs1CheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const d = body.charCodeAt(body.length - 1 - i) - 48;
    sum += i % 2 === 0 ? d * 3 : d;
  }
  return (10 - (sum % 10)) % 10;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** `01/<GTIN-14>/21/<serial>`, `00/<SSCC>` or, for what we cannot read, the text itself: equal keys are the same code. */
export function codeKey(code: string): string {
  const s = normaliseRead(code);
  if (/^\d{18}$/.test(s)) return `00/${s}`;
  if (s.startsWith('(')) {
    const ais = bracketedAis(s) ?? new Map<string, string>();
    const gtin = ais.get('01');
    const serial = ais.get('21');
    if (gtin && serial) return `01/${gtin.padStart(14, '0')}/21/${serial}`;
    const sscc = ais.get('00');
    if (sscc) return `00/${sscc}`;
    return s;
  }
  if (/^https?:\/\//i.test(s)) {
    const path = s.replace(/^https?:\/\/[^/]+/i, '').split(/[?#]/)[0] ?? '';
    const sgtin = /\/01\/(\d{8,14})(?:\/.*)?\/21\/([^/]+)/.exec(path);
    if (sgtin) return `01/${(sgtin[1] as string).padStart(14, '0')}/21/${safeDecode(sgtin[2] as string)}`;
    const sscc = /\/00\/(\d{18})(?:\/|$)/.exec(path);
    if (sscc) return `00/${sscc[1]}`;
    return s;
  }
  const urn = /^urn:epc:id:(sgtin|sscc):(\d+)\.(\d+)(?:\.(.+))?$/i.exec(s);
  if (urn) {
    const [, scheme, cp, ref, serial] = urn as unknown as [string, string, string, string, string | undefined];
    if (scheme.toLowerCase() === 'sgtin' && serial !== undefined && cp.length + ref.length === 13) {
      const body = `${ref[0]}${cp}${ref.slice(1)}`;
      return `01/${body}${gs1CheckDigit(body)}/21/${safeDecode(serial)}`;
    }
    if (scheme.toLowerCase() === 'sscc' && cp.length + ref.length === 17) {
      const body = `${ref[0]}${cp}${ref.slice(1)}`;
      return `00/${body}${gs1CheckDigit(body)}`;
    }
  }
  return s;
}

/** The GTIN of a serialised trade item code (null for an SSCC or what we cannot read). */
export function gtinOf(code: string): string | null {
  const m = /^01\/(\d{14})\//.exec(codeKey(code));
  return m ? (m[1] as string) : null;
}

/** A random RFC 4122 v4 UUID, also where `crypto.randomUUID` is missing (pages served over plain http). */
export function newScanId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = ((b[6] as number) & 0x0f) | 0x40;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
