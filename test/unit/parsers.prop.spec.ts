import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { IMPORT_SPECS } from '../../src/http/io-routes.ts';
import { inverseNormal, orderUpToLevel, suggestedQuantity } from '../../src/modules/inventory/order-up-to.ts';
import { validateEpcisDocument } from '../../src/modules/trace/epcis/validate.ts';
import { formatDigitalLink, parseDigitalLink } from '../../src/platform/digital-link.ts';
import { digitalLinkToEpcUrn, epcUrnToDigitalLink, parseEpcUrn, tryCanonicalEpc } from '../../src/platform/epc-urn.ts';
import { gs1CheckDigit, hasValidCheckDigit, parseGln, parseGtin, withCheckDigit } from '../../src/platform/gs1.ts';
import { readCsv } from '../../src/platform/tabular/csv-read.ts';
import { TabularError } from '../../src/platform/tabular/index.ts';

/**
 * Property-based tests (issue 7): every parser and validator answers arbitrary input with its own result or error
 * type, never an exception, and the round trips hold. numRuns is kept modest so the unit suite stays fast.
 */
const RUNS = { numRuns: 300 };
const digits = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: n, maxLength: n });
/** CSET 82 serials (the GS1 character set of AI 21), 1..20 characters */
const serial = fc.string({ unit: fc.constantFrom(...'ABCXYZabcxyz0123456789!"%&\'()*+,-./:;<=>?_'), minLength: 1, maxLength: 20 });
const hostile = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.webUrl(),
  fc.constantFrom('https://id.gs1.org/01/', 'urn:epc:id:sgtin:', '%', '%E0%A4%A'),
);

describe('GS1 check digits', () => {
  test.prop([digits(13), digits(12)], RUNS)(
    'a body completed with its check digit validates, and any other last digit does not',
    (body, glnBody) => {
      const gtin = withCheckDigit(body);
      expect(hasValidCheckDigit(gtin)).toBe(true);
      expect(hasValidCheckDigit(body + String((gs1CheckDigit(body) + 1) % 10))).toBe(false);
      expect(parseGtin(gtin)).toEqual({ ok: true, value: gtin });
      const gln = withCheckDigit(glnBody);
      expect(parseGln(gln)).toEqual({ ok: true, value: gln });
      expect(parseGln(glnBody + String((gs1CheckDigit(glnBody) + 1) % 10))).toEqual({ ok: false, code: 'gln.check_digit' });
    },
  );

  test.prop([fc.string()], RUNS)('parseGtin and parseGln answer any text with a result, never an exception', (s) => {
    for (const r of [parseGtin(s), parseGln(s)]) if (!r.ok) expect(r.code).toMatch(/^(gtin|gln)\.(format|check_digit)$/);
  });
});

describe('GS1 Digital Link and EPC URNs', () => {
  test.prop([hostile], RUNS)('parsers answer arbitrary strings with a coded failure, never an exception', (s) => {
    for (const r of [parseDigitalLink(s), parseEpcUrn(s), digitalLinkToEpcUrn(s), epcUrnToDigitalLink(s), tryCanonicalEpc(s)]) {
      if (!r.ok) expect(r.code).toMatch(/^[a-z_]+\.[a-z_]+$/);
    }
  });

  test.prop([digits(13), serial], RUNS)(
    'a GTIN + serial Digital Link parses back to its elements and round-trips through the SGTIN URN',
    (body, ser) => {
      const gtin = withCheckDigit(body);
      const dl = formatDigitalLink({ primaryKey: { ai: '01', value: gtin }, qualifiers: [{ ai: '21', value: ser }] });
      expect(dl.ok).toBe(true);
      if (!dl.ok) return;
      const parsed = parseDigitalLink(dl.value);
      expect(parsed.ok && parsed.value.primaryKey).toEqual({ ai: '01', value: gtin });
      expect(parsed.ok && parsed.value.qualifiers).toEqual([{ ai: '21', value: ser }]);
      const urn = digitalLinkToEpcUrn(dl.value);
      expect(urn.ok).toBe(true);
      if (!urn.ok) return;
      expect(parseEpcUrn(urn.value).ok).toBe(true);
      expect(epcUrnToDigitalLink(urn.value)).toEqual({ ok: true, value: dl.value });
    },
  );

  test.prop([digits(13), serial, fc.integer({ min: 0, max: 12 })], RUNS)(
    'a wrong check digit is refused, not mistaken for another GTIN',
    (body, ser, _) => {
      const wrong = body + String((gs1CheckDigit(body) + 1) % 10);
      const r = parseDigitalLink(`https://id.gs1.org/01/${wrong}/21/${encodeURIComponent(ser)}`);
      expect(r.ok).toBe(false);
    },
  );
});

const objectEvent = {
  type: 'ObjectEvent',
  eventTime: '2024-05-01T08:00:00.000+08:00',
  eventTimeZoneOffset: '+08:00',
  epcList: ['https://id.gs1.org/01/06901234123456/21/A2'],
  action: 'OBSERVE',
  bizStep: 'shipping',
  disposition: 'in_transit',
  readPoint: { id: 'urn:epc:id:sgln:6901234.00001.0' },
};
const documentOf = (events: object[]) => ({
  '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'],
  type: 'EPCISDocument',
  schemaVersion: '2.0',
  creationDate: '2026-03-01T00:00:00Z',
  epcisBody: { eventList: events },
});
const validEvent = fc.record({
  action: fc.constantFrom('ADD', 'OBSERVE', 'DELETE'),
  bizStep: fc.constantFrom('shipping', 'receiving', 'commissioning', 'retail_selling'),
  serials: fc.array(serial, { minLength: 1, maxLength: 5 }),
  body: digits(13),
  hour: fc.integer({ min: 0, max: 23 }),
});

describe('EPCIS document validation', () => {
  test.prop([fc.jsonValue()], { numRuns: 200 })('arbitrary JSON is answered with a validation result, never an exception', (v) => {
    const r = validateEpcisDocument(v);
    expect(typeof r.ok).toBe('boolean');
    if (!r.ok) for (const e of r.errors) expect(typeof e.pointer).toBe('string');
  });

  test.prop([fc.array(validEvent, { minLength: 1, maxLength: 4 })], { numRuns: 100 })('generated valid events are accepted', (events) => {
    const doc = documentOf(
      events.map((e) => ({
        ...objectEvent,
        action: e.action,
        bizStep: e.bizStep,
        eventTime: `2024-05-01T${String(e.hour).padStart(2, '0')}:00:00.000+08:00`,
        epcList: [...new Set(e.serials)].map((s) => `https://id.gs1.org/01/${withCheckDigit(e.body)}/21/${encodeURIComponent(s)}`),
      })),
    );
    const r = validateEpcisDocument(doc);
    expect(r.errors).toEqual([]);
    expect(r.ok).toBe(true);
  });

  test.prop(
    [fc.constantFrom('eventTime', 'eventTimeZoneOffset', 'action', 'type'), fc.constantFrom<unknown>(undefined, 12, null, 'x', [], {})],
    {
      numRuns: 100,
    },
  )('a mutated event is refused with a pointer into that event', (field, value) => {
    const event: Record<string, unknown> = { ...objectEvent };
    if (value === undefined) delete event[field];
    else event[field] = value;
    const r = validateEpcisDocument(documentOf([objectEvent, event]));
    expect(r.ok).toBe(false);
    expect(r.errors.some((e) => e.pointer.startsWith('/epcisBody/eventList/1'))).toBe(true);
  });
});

/** Spreadsheet cells as the tabular reader hands them over: text, often hostile. */
const cell = fc.oneof(fc.string(), fc.constantFrom('', ' ', '-1', '1e309', '0.5', 'NaN', '店', '\u0000', '6901234567892', '110101'));

describe('import rules', () => {
  for (const [entity, spec] of Object.entries(IMPORT_SPECS)) {
    const keys = spec.columns.map((c) => c.key);
    test.prop([fc.dictionary(fc.constantFrom(...keys), cell), fc.nat(10_000)], RUNS)(
      `a ${entity} row of any content gives field errors under its row or a checked value, never an exception`,
      (values, index) => {
        const r = spec.parseRow(values as Record<string, string>, index);
        expect(r.value !== undefined || r.errors.length > 0).toBe(true);
        for (const e of r.errors) expect(e.pointer.startsWith(`/rows/${index}/`), e.pointer).toBe(true);
      },
    );
  }

  test.prop([fc.string({ unit: fc.constantFrom('a', 'b', ',', '"', '\n', '\r', ' ', '店', '\u0000', '\ufeff'), maxLength: 200 })], RUNS)(
    'the CSV reader yields rows or a TabularError for any text',
    async (text) => {
      try {
        for await (const row of readCsv(Buffer.from(text))) expect(row.row).toBeGreaterThan(1);
      } catch (e) {
        expect(e).toBeInstanceOf(TabularError);
      }
    },
  );
});

describe('the replenishment formula', () => {
  const inputs = fc.record({
    mean: fc.double({ min: 0, max: 1000, noNaN: true }),
    sigma: fc.double({ min: 0, max: 500, noNaN: true }),
    leadTimeDays: fc.integer({ min: 0, max: 60 }),
    reviewDays: fc.integer({ min: 1, max: 30 }),
  });

  test.prop([inputs, fc.double({ min: 0.5, max: 0.999, noNaN: true }), fc.double({ min: 0.5, max: 0.999, noNaN: true })], RUNS)(
    'the order-up-to level never falls as the service level rises',
    (x, a, b) => {
      const [lo, hi] = a <= b ? [a, b] : [b, a];
      expect(orderUpToLevel({ ...x, z: inverseNormal(hi) })).toBeGreaterThanOrEqual(orderUpToLevel({ ...x, z: inverseNormal(lo) }) - 1e-9);
    },
  );

  test.prop(
    [
      fc.double({ min: -1000, max: 100_000, noNaN: true }),
      fc.nat(50_000),
      fc.nat(5_000),
      fc.nat(5_000),
      fc.option(fc.integer({ min: 1, max: 500 })),
      fc.option(fc.integer({ min: 1, max: 48 })),
    ],
    RUNS,
  )(
    'a suggestion is never negative, covers the shortfall, meets the minimum and is a whole number of cases',
    (level, onHand, inTransit, onOrder, minQty, multipleOf) => {
      const q = suggestedQuantity({ level, onHand, inTransit, onOrder, minQty, multipleOf });
      expect(q).toBeGreaterThanOrEqual(0);
      expect(Number.isInteger(q)).toBe(true);
      const short = level - onHand - inTransit - onOrder;
      if (short <= 1e-9) expect(q).toBe(0);
      else {
        expect(q).toBeGreaterThanOrEqual(Math.ceil(short - 1e-9));
        expect(q).toBeGreaterThanOrEqual(minQty ?? 1);
        expect(q % (multipleOf ?? 1)).toBe(0);
        // and no more than one case above what the shortfall and minimum need
        expect(q - Math.max(Math.ceil(short - 1e-9), minQty ?? 1)).toBeLessThan(multipleOf ?? 1);
      }
    },
  );
});
