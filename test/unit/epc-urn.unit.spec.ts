import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Gs1CodeError } from '../../src/platform/digital-link.ts';
import {
  canonicalEpc,
  companyPrefixLengthFromList,
  digitalLinkToEpcUrn,
  epcUrnToDigitalLink,
  escapeUrnComponent,
  parseEpcUrn,
  tryCanonicalEpc,
  unescapeUrnComponent,
} from '../../src/platform/epc-urn.ts';

const DL = 'https://id.gs1.org';

/** [EPC URN, canonical Digital Link]: both directions, canonicalEpc of both. */
const ROUND_TRIPS: [string, string][] = [
  // GS1 EPC Tag Data Standard examples
  ['urn:epc:id:sgtin:0614141.812345.6789', `${DL}/01/80614141123458/21/6789`],
  ['urn:epc:id:sscc:0614141.1234567890', `${DL}/00/106141412345678908`],
  ['urn:epc:id:sgln:0614141.12345.5678', `${DL}/414/0614141123452/254/5678`],
  ['urn:epc:id:sgln:0614141.12345.0', `${DL}/414/0614141123452`],
  ['urn:epc:id:grai:0614141.12345.5678', `${DL}/8003/006141411234525678`],
  ['urn:epc:id:giai:0614141.12345400', `${DL}/8004/061414112345400`],
  ['urn:epc:id:gsrn:0614141.1234567890', `${DL}/8018/061414112345678902`],
  ['urn:epc:id:gsrnp:0614141.1234567890', `${DL}/8017/061414112345678902`],
  ['urn:epc:id:gdti:0614141.12345.006847', `${DL}/253/0614141123452006847`],
  ['urn:epc:id:pgln:0614141.12345', `${DL}/417/0614141123452`],
  ['urn:epc:id:sgcn:4012345.67890.04711', `${DL}/255/401234567890104711`],
  ['urn:epc:id:ginc:0614141.xyz47%2F11', `${DL}/401/0614141xyz47%2F11`],
  ['urn:epc:id:gsin:0614141.123456789', `${DL}/402/06141411234567890`],
  ['urn:epc:id:itip:4012345.012345.01.02.987', `${DL}/8006/040123451234560102/21/987`],
  ["urn:epc:id:upui:1234567.089456.51qIgY)%3C%26Jp3*j7'SDB", `${DL}/01/01234567894560/235/51qIgY%29%3C%26Jp3%2Aj7%27SDB`],
  ['urn:epc:id:cpi:0614141.5PQ7%2FZ43.12345', `${DL}/8010/06141415PQ7%2FZ43/8011/12345`],
  ['urn:epc:class:lgtin:4012345.012345.998877', `${DL}/01/04012345123456/10/998877`],
  ['urn:epc:idpat:sgtin:4012345.012345.*', `${DL}/01/04012345123456`],
  ['urn:epc:idpat:grai:0614141.12345.*', `${DL}/8003/00614141123452`],
  ['urn:epc:idpat:gdti:0614141.12345.*', `${DL}/253/0614141123452`],
  ['urn:epc:idpat:itip:4012345.012345.01.02.*', `${DL}/8006/040123451234560102`],
  ['urn:epc:idpat:cpi:0614141.123ABC.*', `${DL}/8010/0614141123ABC`],
  // adapted from openepcis-epc-digitallink-translator's tests (the cases that are valid under TDS 2.x)
  ['urn:epc:id:sgtin:234567890.1123.9999', `${DL}/01/12345678901231/21/9999`],
  ['urn:epc:id:sgtin:387583784374.7.9302932', `${DL}/01/73875837843740/21/9302932`],
  ['urn:epc:id:sscc:743847384738.47483', `${DL}/00/474384738473874832`],
  ['urn:epc:id:sscc:123456.06663868985', `${DL}/00/012345666638689852`],
  ['urn:epc:id:sgln:437473647364..0', `${DL}/414/4374736473640`],
  ['urn:epc:id:sgln:785783.438478.0394903', `${DL}/414/7857834384782/254/0394903`],
  ['urn:epc:id:gdti:1234567890.12.ABC', `${DL}/253/1234567890128ABC`],
  ['urn:epc:class:lgtin:4023333.002000.2019-10-07', `${DL}/01/04023333020008/10/2019-10-07`],
  ['urn:epc:idpat:sgtin:8853849.838493.*', `${DL}/01/88853849384934`],
  ['urn:epc:idpat:gdti:474834.384738.*', `${DL}/253/4748343847383`],
  // escaping: TDS URN escapes " % & / < > ?; Digital Link escapes all but A-Z a-z 0-9 - . _ ~
  ['urn:epc:id:sgtin:0614141.812345.A%2FB%25%3F%22%26%3C%3E', `${DL}/01/80614141123458/21/A%2FB%25%3F%22%26%3C%3E`],
  ["urn:epc:id:sgtin:0614141.812345.!'()*+,-.:;=_", `${DL}/01/80614141123458/21/%21%27%28%29%2A%2B%2C-.%3A%3B%3D_`],
  ['urn:epc:id:sgtin:0614141.812345.a.b', `${DL}/01/80614141123458/21/a.b`],
  ['urn:epc:id:giai:0614141.A%26B.C', `${DL}/8004/0614141A%26B.C`],
  ['urn:epc:class:lgtin:4012345.012345.L%2F1', `${DL}/01/04012345123456/10/L%2F1`],
  ['urn:epc:id:sgln:0614141.12345.EXT%2F1', `${DL}/414/0614141123452/254/EXT%2F1`],
];

const companyPrefixOf = (urn: string) => urn.split(':')[4]!.split('.')[0]!.length;

describe('EPC URN <-> Digital Link round trips', () => {
  it.each(ROUND_TRIPS)('%s <-> %s', (urn, dl) => {
    expect(epcUrnToDigitalLink(urn)).toEqual({ ok: true, value: dl });
    const cp = companyPrefixOf(urn);
    expect(digitalLinkToEpcUrn(dl, { companyPrefixLength: () => cp })).toEqual({ ok: true, value: urn });
    expect(canonicalEpc(urn)).toBe(dl);
    expect(canonicalEpc(dl)).toBe(dl);
  });

  it('parses URNs into scheme, kind, company prefix and Digital Link elements', () => {
    expect(parseEpcUrn('urn:epc:id:sgtin:0614141.812345.6789')).toEqual({
      ok: true,
      value: {
        scheme: 'sgtin',
        kind: 'id',
        companyPrefix: '0614141',
        elements: [
          { ai: '01', value: '80614141123458' },
          { ai: '21', value: '6789' },
        ],
      },
    });
  });

  it('accepts upper-case URN prefixes, lower-case hex and escapes of other CSET 82 characters', () => {
    const dl = `${DL}/01/80614141123458/21/A%2FB%21`;
    expect(epcUrnToDigitalLink('URN:EPC:ID:SGTIN:0614141.812345.A%2fB%21')).toEqual({ ok: true, value: dl });
    expect(digitalLinkToEpcUrn(dl)).toEqual({ ok: true, value: 'urn:epc:id:sgtin:0614141.812345.A%2FB!' });
  });

  it('writes a Digital Link on another stem', () => {
    expect(epcUrnToDigitalLink('urn:epc:id:sscc:0614141.1234567890', { stem: 'https://brand.example.com/' })).toEqual({
      ok: true,
      value: 'https://brand.example.com/00/106141412345678908',
    });
  });

  it('rejects invalid URNs with stable codes', () => {
    const code = (urn: string) => {
      const r = parseEpcUrn(urn);
      return r.ok ? 'ok' : r.code;
    };
    expect(code('urn:epc:id:sgtin:0614141.812345')).toBe('epc.syntax');
    expect(code('urn:epc:id:sgtin:06141.8123456.1')).toBe('epc.company_prefix');
    expect(code('urn:epc:id:sgtin:0614141.8123456.1')).toBe('epc.length');
    expect(code('urn:epc:id:sgtin:0614141.81234A.1')).toBe('epc.not_numeric');
    expect(code('urn:epc:id:sgtin:0614141.812345.A/B')).toBe('epc.charset');
    expect(code('urn:epc:id:sgtin:0614141.812345.A%2')).toBe('epc.charset');
    expect(code('urn:epc:id:sgtin:0614141.812345.A~B')).toBe('epc.charset');
    expect(code('urn:epc:id:sgtin:0614141.812345.123456789012345678901')).toBe('epc.length');
    expect(code('urn:epc:id:sgtin:0614141.812345.')).toBe('epc.length');
    expect(code('urn:epc:id:sgcn:4012345.67890.ABC')).toBe('epc.not_numeric');
    expect(code('urn:epc:id:itip:4012345.012345.03.02.987')).toBe('epc.syntax');
    expect(code('urn:epc:id:cpi:0614141.123ABC.0123')).toBe('epc.not_numeric');
    expect(code('urn:epc:id:gid:95100000.12345.400')).toBe('epc.unsupported_scheme');
    expect(code('urn:epc:id:lgtin:4012345.012345.998877')).toBe('epc.unsupported_scheme');
    expect(code('urn:epc:idpat:sgtin:0614141.*.*')).toBe('epc.no_digital_link_equivalent');
    expect(code('urn:epc:idpat:sgln:0614141.12345.*')).toBe('epc.no_digital_link_equivalent');
    expect(code('urn:epc:idpat:sgtin:0614141.812345.6789')).toBe('epc.no_digital_link_equivalent');
    expect(code('urn:epcglobal:cbv:bizstep:shipping')).toBe('epc.unrecognised');
  });
});

describe('Digital Link -> EPC URN', () => {
  const toUrn = (dl: string, options?: Parameters<typeof digitalLinkToEpcUrn>[1]) => {
    const r = digitalLinkToEpcUrn(dl, options);
    return r.ok ? r.value : r.code;
  };

  it('chooses the scheme from the qualifiers and ignores attributes, stem and fragment', () => {
    expect(toUrn('https://example.com/a/b/01/80614141123458/22/V/10/L/21/S?17=251231#x')).toBe('urn:epc:id:sgtin:0614141.812345.S');
    expect(toUrn('https://example.com/01/80614141123458/22/V/10/L')).toBe('urn:epc:class:lgtin:0614141.812345.L');
    expect(toUrn('https://example.com/01/80614141123458/235/TPX')).toBe('urn:epc:id:upui:0614141.812345.TPX');
    expect(toUrn('https://example.com/01/80614141123458/22/V')).toBe('epc.no_epc_equivalent');
    expect(toUrn('https://example.com/414/0614141123452/7040/1ABC')).toBe('epc.no_epc_equivalent');
    expect(toUrn('https://example.com/8018/061414112345678902/8019/1')).toBe('epc.no_epc_equivalent');
    expect(toUrn('https://example.com/8013/1987654Ad4X4bL5ttr2310c2K')).toBe('epc.no_epc_equivalent');
    expect(toUrn('https://example.com/01/80614141123459/21/S')).toBe('ai.check_digit');
  });

  it('uses 7 as the default company prefix length, or the given function', () => {
    expect(toUrn(`${DL}/01/04012345123456/21/1`)).toBe('urn:epc:id:sgtin:4012345.012345.1');
    const fromList = companyPrefixLengthFromList(['061414112', '4012345']);
    expect(toUrn(`${DL}/01/80614141123458/21/1`, { companyPrefixLength: fromList })).toBe('urn:epc:id:sgtin:061414112.8345.1');
    expect(toUrn(`${DL}/414/0614141123452`, { companyPrefixLength: fromList })).toBe('urn:epc:id:sgln:061414112.345.0');
    expect(toUrn(`${DL}/01/04012345123456/21/1`, { companyPrefixLength: fromList })).toBe('urn:epc:id:sgtin:4012345.012345.1');
    expect(toUrn(`${DL}/01/09520123456788/21/1`, { companyPrefixLength: fromList })).toBe('epc.company_prefix_length');
    expect(toUrn(`${DL}/01/09520123456788/21/1`, { companyPrefixLength: () => 13 })).toBe('epc.company_prefix_length');
    expect(toUrn(`${DL}/01/09520123456788/21/1`, { companyPrefixLength: () => 12 })).toBe('urn:epc:id:sgtin:952012345678.0.1');
    expect(toUrn(`${DL}/8004/0614141`, { companyPrefixLength: () => 7 })).toBe('epc.company_prefix_length');
  });

  it('accepts a parsed Digital Link', () => {
    const r = digitalLinkToEpcUrn({
      stem: DL,
      host: 'id.gs1.org',
      primaryKey: { ai: '00', value: '106141412345678908' },
      qualifiers: [],
      attributes: [],
      otherQueryParams: [],
      fragment: undefined,
    });
    expect(r).toEqual({ ok: true, value: 'urn:epc:id:sscc:0614141.1234567890' });
  });
});

describe('canonicalEpc', () => {
  const sgtin = `${DL}/01/80614141123458/21/6789`;

  it('maps every form of one identifier to one canonical Digital Link', () => {
    for (const form of [
      'urn:epc:id:sgtin:0614141.812345.6789',
      'URN:EPC:ID:SGTIN:0614141.812345.6789',
      sgtin,
      'http://id.gs1.org/01/80614141123458/21/6789',
      'HTTPS://example.com/01/80614141123458/21/6789',
      'https://brand.example.com/qr/01/80614141123458/10/LOT1/21/6789?17=261231&linkType=all#top',
      'https://brand.example.com/gtin/80614141123458/ser/6789',
      'https://brand.example.com/01/80614141123458/21/%36%37%38%39',
    ]) {
      expect(canonicalEpc(form), form).toBe(sgtin);
    }
  });

  it('normalises zero-suppressed GTINs, escapes and class-level identifiers', () => {
    expect(canonicalEpc('https://example.com/01/9520123456788')).toBe(`${DL}/01/09520123456788`);
    expect(canonicalEpc('https://example.com/01/9520123456788/21/a%2fb')).toBe(`${DL}/01/09520123456788/21/a%2Fb`);
    expect(canonicalEpc('https://example.com/01/09520123456788/22/V/10/L')).toBe(`${DL}/01/09520123456788/10/L`);
    expect(canonicalEpc('https://example.com/01/09520123456788/22/V')).toBe(`${DL}/01/09520123456788/22/V`);
    expect(canonicalEpc('urn:epc:idpat:sgtin:9520123.045678.*')).toBe(`${DL}/01/09520123456788`);
  });

  it('reports invalid identifiers with a code', () => {
    expect(tryCanonicalEpc('urn:example:thing:1')).toMatchObject({ ok: false, code: 'epc.unrecognised' });
    expect(tryCanonicalEpc('https://example.com/products/1')).toMatchObject({ ok: false, code: 'dl.no_primary_key' });
    expect(tryCanonicalEpc(`${DL}/01/80614141123459/21/6789`)).toMatchObject({ ok: false, code: 'ai.check_digit' });
    expect(tryCanonicalEpc('')).toMatchObject({ ok: false, code: 'epc.unrecognised' });
    expect(() => canonicalEpc('urn:epc:id:sgtin:0614141.812345')).toThrow(Gs1CodeError);
    try {
      canonicalEpc('urn:epc:id:sgtin:0614141.812345');
    } catch (err) {
      expect((err as Gs1CodeError).code).toBe('epc.syntax');
    }
  });

  it('keeps the fast path consistent with the general parser', () => {
    for (const serial of ['A', 'a-b.c_d', '12345678901234567890']) {
      const dl = `${DL}/01/80614141123458/21/${serial}`;
      expect(canonicalEpc(dl)).toBe(dl);
      expect(canonicalEpc(dl.replace('https', 'http'))).toBe(dl);
    }
    expect(tryCanonicalEpc(`${DL}/01/80614141123458/21/123456789012345678901`)).toMatchObject({ ok: false, code: 'ai.too_long' });
  });
});

describe('URN component escaping', () => {
  it('escapes exactly " % & / < > ? and round-trips every CSET 82 character', () => {
    const cset82 = `!"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz`;
    const escaped = escapeUrnComponent(cset82);
    expect(escaped).toBe("!%22%25%26'()*+,-.%2F0123456789:;%3C=%3E%3FABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz");
    expect(unescapeUrnComponent(escaped)).toBe(cset82);
    expect(unescapeUrnComponent('a%7Eb')).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------------------------------
// openepcis-epc-digitallink-translator's JUnit cases, when the snapshot in ../shared has them (it has not so far: only
// utils/src/main/resources/aitable.json was vendored). Known, documented divergences are counted, not failed:
// openepcis writes reserved characters unescaped, accepts Digital Links with wrong check digits, writes AI (8003)
// without its leading 0, and takes company prefix lengths from gcpprefixformatlist.json (absent) when none is given.

const OPENEPCIS_TESTS =
  process.env.OPENEPCIS_TESTS_DIR ??
  resolve(
    dirname(fileURLToPath(import.meta.url)),
    '../../../shared/epcis/digitallink/openepcis-epc-digitallink-translator/converter/core/src/test/java/io/openepcis/identifiers/converter/core/tests',
  );
const haveOpenepcis = existsSync(OPENEPCIS_TESTS);

interface JavaCase {
  where: string;
  fn: string;
  input: string;
  gcp: number | undefined;
  /** undefined: openepcis expects a ValidationException */
  expected: string | undefined;
}

function javaString(literal: string): string {
  return JSON.parse(literal.replaceAll("\\'", "'")) as string;
}

function javaCases(): JavaCase[] {
  const out: JavaCase[] = [];
  const lit = String.raw`"(?:[^"\\]|\\.)*"`;
  const re = new RegExp(
    String.raw`assertEquals\(\s*(${lit})\s*,\s*converter\s*\.\s*(\w+)\(\s*(${lit})\s*(?:,\s*(\d+))?\s*\)` +
      String.raw`|(\w+)\s*=\s*(${lit})\s*;` +
      String.raw`|TestIdentifiers\s*\.\s*(\w+)\(\s*(\w+)\s*(?:,\s*(\d+))?\s*\)`,
    'g',
  );
  for (const file of readdirSync(OPENEPCIS_TESTS).filter((f) => f.endsWith('Test.java'))) {
    const vars = new Map<string, string>();
    const text = readFileSync(join(OPENEPCIS_TESTS, file), 'utf8');
    for (const m of text.matchAll(re)) {
      const where = `${file}:${text.slice(0, m.index).split('\n').length}`;
      if (m[1] !== undefined) {
        out.push({ where, fn: m[2]!, input: javaString(m[3]!), gcp: m[4] ? Number(m[4]) : undefined, expected: javaString(m[1]) });
      } else if (m[5] !== undefined) {
        vars.set(m[5], javaString(m[6]!));
      } else if (vars.has(m[8]!)) {
        out.push({ where, fn: m[7]!, input: vars.get(m[8]!)!, gcp: m[9] ? Number(m[9]) : undefined, expected: undefined });
      }
    }
  }
  return out.filter((c) =>
    ['toURI', 'toURIForClassLevelIdentifier', 'toURN', 'toURNForClassLevelIdentifier', 'toDigitalLink'].includes(c.fn),
  );
}

function lenientDecode(s: string): string {
  return s.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
}

type Verdict = 'pass' | 'fail' | `divergence: ${string}` | `skipped: ${string}`;

function judge(c: JavaCase): Verdict {
  const toDl = c.fn === 'toURI' || c.fn === 'toURIForClassLevelIdentifier' || c.fn === 'toDigitalLink';
  let gcp = c.gcp;
  if (!toDl && gcp === undefined) {
    if (c.expected === undefined) return 'skipped: outcome depends on the openepcis GCP length table';
    gcp = companyPrefixOf(c.expected);
  }
  const r = toDl ? epcUrnToDigitalLink(c.input) : digitalLinkToEpcUrn(c.input, { companyPrefixLength: () => gcp });
  if (c.expected === undefined) {
    if (!r.ok) return 'pass';
    if (c.fn === 'toURN' && !r.value.startsWith('urn:epc:id:')) return 'pass';
    if (c.fn === 'toURNForClassLevelIdentifier' && r.value.startsWith('urn:epc:id:')) return 'pass';
    return 'fail';
  }
  if (r.ok) {
    if (lenientDecode(r.value) === lenientDecode(c.expected)) return 'pass';
    if (r.value.includes('/8003/') || r.value.includes(':grai:')) return 'divergence: AI (8003) leading 0';
    return 'fail';
  }
  if (r.code === 'ai.check_digit') return 'divergence: wrong check digit accepted by openepcis';
  if (r.code === 'epc.charset' || r.code === 'dl.illegal_character') return 'divergence: unescaped reserved characters';
  if (r.code === 'ai.invalid_value' && c.input.includes('/8003/')) return 'divergence: AI (8003) leading 0';
  return 'fail';
}

describe.skipIf(!haveOpenepcis)('openepcis translator test cases (../shared snapshot, skipped when absent)', () => {
  const cases = haveOpenepcis ? javaCases() : [];

  it('finds cases', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  const verdicts = new Map<string, number>();
  afterAll(() => {
    if (cases.length > 0) console.info('openepcis cases:', Object.fromEntries(verdicts));
  });

  it.each(cases)('$where $fn($input)', (c) => {
    const verdict = judge(c);
    verdicts.set(verdict, (verdicts.get(verdict) ?? 0) + 1);
    expect(verdict, `expected ${c.expected ?? 'an error'}`).not.toBe('fail');
  });
});
