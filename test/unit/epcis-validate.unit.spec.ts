import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type EpcisValidation, validateEpcisDocument } from '../../src/modules/trace/epcis/validate.ts';

// The official examples live next to the repository in the development workspace (../shared); a clone has no ../shared.
const GS1_DIR = fileURLToPath(new URL('../../../shared/epcis/gs1/', import.meta.url));
const OFFICIAL_DIR = fileURLToPath(new URL('../../src/modules/trace/epcis/official/', import.meta.url));
const haveExamples = existsSync(join(GS1_DIR, 'JSON'));

const files = (dir: string): string[] =>
  readdirSync(dir)
    .flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]))
    .filter((f) => f.endsWith('.jsonld') || f.endsWith('.json'))
    .sort();
const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));

describe.skipIf(!haveExamples)('EPCIS validation: the official examples (../shared/epcis/gs1; skipped when that folder is missing)', () => {
  const examples = haveExamples ? files(join(GS1_DIR, 'JSON')) : [];
  const simple = haveExamples ? files(join(GS1_DIR, 'JSON-simple-context')) : [];

  it('ships the official schema and context unchanged', () => {
    for (const name of ['EPCIS-JSON-Schema.json', 'epcis-context.jsonld']) {
      expect(readJson(join(OFFICIAL_DIR, name)), name).toEqual(readJson(join(GS1_DIR, name)));
    }
  });

  it('finds the 47 example documents', () => {
    expect(examples).toHaveLength(47);
  });

  it.each(examples.map((f) => [f.slice(GS1_DIR.length), f]))('%s is valid', (_name, file) => {
    const result = validateEpcisDocument(readJson(file));
    expect(result.errors).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.events.length).toBeGreaterThan(0);
    expect(result.events.every((e) => e.ok)).toBe(true);
  });

  const blankNodeIds = simple.filter((f) => (readJson(f) as { id?: unknown }).id === '_:document1');
  it('finds the JSON-simple-context variants with "_:document1" ids', () => {
    expect(blankNodeIds.length).toBe(34);
  });

  it.each(blankNodeIds.map((f) => [f.slice(GS1_DIR.length), f]))('%s: the "_:document1" id is reported', (_name, file) => {
    const result = validateEpcisDocument(readJson(file));
    expect(result.ok).toBe(false);
    expect(result.documentErrors).toContainEqual({
      eventIndex: null,
      pointer: '/id',
      code: 'epcis.identifier_not_uri',
      reason: 'document id "_:document1" is not a URI',
    });
  });
});

const context = ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { example: 'https://ns.example.com/epcis/' }];
const shipping = {
  type: 'ObjectEvent',
  eventTime: '2024-05-01T08:00:00.000+08:00',
  eventTimeZoneOffset: '+08:00',
  epcList: ['urn:epc:id:sgtin:6901234.012345.A1', 'https://id.gs1.org/01/06901234123456/21/A2'],
  action: 'OBSERVE',
  bizStep: 'shipping',
  disposition: 'in_transit',
  readPoint: { id: 'urn:epc:id:sgln:6901234.00001.0' },
  bizTransactionList: [{ type: 'po', bizTransaction: 'urn:epcglobal:cbv:bt:6901234000016:PO-1' }],
  'example:line': 'L3',
};
const packing = {
  type: 'AggregationEvent',
  eventTime: '2024-05-01T07:00:00Z',
  eventTimeZoneOffset: '+08:00',
  parentID: 'urn:epc:id:sscc:6901234.0000000017',
  childEPCs: ['urn:epc:id:sgtin:6901234.012345.A1'],
  action: 'ADD',
  bizStep: 'packing',
};

function documentOf(...events: unknown[]): Record<string, unknown> {
  return {
    '@context': context,
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: '2024-05-01T08:00:00Z',
    epcisBody: { eventList: events },
  };
}

/** Validates a document whose second event is `bad` between two good ones; returns the errors of the bad one. */
function badMiddle(bad: Record<string, unknown>): EpcisValidation {
  const result = validateEpcisDocument(documentOf(shipping, bad, packing));
  expect(result.ok).toBe(false);
  expect(result.documentErrors).toEqual([]);
  expect(result.events.map((e) => e.ok)).toEqual([true, false, true]);
  expect(result.events[0]!.errors).toEqual([]);
  expect(result.events[2]!.errors).toEqual([]);
  expect(result.errors.every((e) => e.eventIndex === 1)).toBe(true);
  return result;
}

describe('EPCIS validation: hand-made documents', () => {
  it('accepts a good document and reports every event as fine', () => {
    const result = validateEpcisDocument(documentOf(shipping, packing));
    expect(result).toMatchObject({ ok: true, kind: 'EPCISDocument', errors: [] });
    expect(result.events.map((e) => [e.eventIndex, e.pointer, e.ok])).toEqual([
      [0, '/epcisBody/eventList/0', true],
      [1, '/epcisBody/eventList/1', true],
    ]);
  });

  it('reports a missing eventTime where it belongs', () => {
    const { eventTime: _, ...bad } = shipping;
    expect(badMiddle(bad).errors).toEqual([
      { eventIndex: 1, pointer: '/epcisBody/eventList/1/eventTime', code: 'epcis.missing_field', reason: 'the event needs "eventTime"' },
    ]);
  });

  it('reports an event type that does not exist', () => {
    const errors = badMiddle({ ...shipping, type: 'ObjectEvnt' }).errors;
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ pointer: '/epcisBody/eventList/1/type', code: 'epcis.unknown_event_type' });
  });

  it('reports a value of the wrong JSON type', () => {
    const bad = { ...shipping, quantityList: [{ epcClass: 'urn:epc:class:lgtin:6901234.012345.L1', quantity: '12', uom: 'KGM' }] };
    expect(badMiddle(bad).errors).toEqual([
      {
        eventIndex: 1,
        pointer: '/epcisBody/eventList/1/quantityList/0/quantity',
        code: 'epcis.wrong_type',
        reason: 'quantityList/0/quantity must be a number',
      },
    ]);
  });

  it('reports an EPC that is not a URI, once, without the anyOf noise', () => {
    const errors = badMiddle({ ...shipping, epcList: ['ABC123'] }).errors;
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ pointer: '/epcisBody/eventList/1/epcList/0', code: 'epcis.identifier_not_uri' });
    expect(errors[0]!.reason).toContain('"ABC123" is not a URI');
  });

  it('reports parentID, readPoint and bizLocation ids that are not URIs', () => {
    const bad = { ...packing, parentID: 'PALLET-7', readPoint: { id: 'line 3' }, bizLocation: { id: 'WH1' } };
    expect(
      badMiddle(bad)
        .errors.map((e) => [e.pointer, e.code])
        .sort(),
    ).toEqual([
      ['/epcisBody/eventList/1/bizLocation/id', 'epcis.identifier_not_uri'],
      ['/epcisBody/eventList/1/parentID', 'epcis.identifier_not_uri'],
      ['/epcisBody/eventList/1/readPoint/id', 'epcis.identifier_not_uri'],
    ]);
  });

  it('reports a bizStep that is neither a CBV term nor a URI', () => {
    const errors = badMiddle({ ...shipping, bizStep: 'teleporting' }).errors;
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ pointer: '/epcisBody/eventList/1/bizStep', code: 'epcis.unknown_cbv_term' });
    expect(errors[0]!.reason).toMatch(/^bizStep "teleporting" is neither a CBV 2\.0 term \(.*\) nor a URI with a namespace$/);
  });

  it('accepts user vocabulary given as URIs, and refuses unknown terms in the CBV namespace', () => {
    const own = { ...shipping, bizStep: 'https://brand.example/vocab/bizstep/scanning_at_counter', disposition: 'example:on_shelf' };
    expect(validateEpcisDocument(documentOf(own)).ok).toBe(true);
    const errors = badMiddle({ ...shipping, disposition: 'https://ref.gs1.org/cbv/Disp-teleported' }).errors;
    expect(errors).toMatchObject([{ pointer: '/epcisBody/eventList/1/disposition', code: 'epcis.unknown_cbv_term' }]);
  });

  it('reports unknown business transaction, source and destination types and error reasons', () => {
    const bad = {
      ...shipping,
      bizTransactionList: [{ type: 'purchase', bizTransaction: 'urn:epcglobal:cbv:bt:6901234000016:PO-1' }],
      sourceList: [{ type: 'owner', source: 'urn:epc:id:pgln:6901234.00001' }],
      destinationList: [{ type: 'possessing_party', destination: 'urn:epc:id:pgln:6901234.00002' }],
      errorDeclaration: { declarationTime: '2024-05-02T00:00:00Z', reason: 'oops' },
    };
    expect(
      badMiddle(bad)
        .errors.map((e) => [e.pointer, e.code])
        .sort(),
    ).toEqual([
      ['/epcisBody/eventList/1/bizTransactionList/0/type', 'epcis.unknown_cbv_term'],
      ['/epcisBody/eventList/1/errorDeclaration/reason', 'epcis.unknown_cbv_term'],
      ['/epcisBody/eventList/1/sourceList/0/type', 'epcis.unknown_cbv_term'],
    ]);
  });

  it('says how EPCIS 2.0 JSON writes a CBV URN value', () => {
    const errors = badMiddle({ ...shipping, bizStep: 'urn:epcglobal:cbv:bizstep:shipping' }).errors;
    expect(errors).toEqual([
      {
        eventIndex: 1,
        pointer: '/epcisBody/eventList/1/bizStep',
        code: 'epcis.schema',
        reason:
          'bizStep "urn:epcglobal:cbv:bizstep:shipping" is not how EPCIS 2.0 JSON writes standard vocabulary: it uses the bare term ("shipping")',
      },
    ]);
  });

  it('reports an unknown field at the top of an event, and accepts a namespaced extension', () => {
    expect(badMiddle({ ...shipping, line: 'L3' }).errors).toMatchObject([
      { pointer: '/epcisBody/eventList/1/line', code: 'epcis.unknown_field' },
    ]);
  });

  it('reports an unknown field at the top of the document', () => {
    const result = validateEpcisDocument({ ...documentOf(shipping), sendr: 'urn:epc:id:sgln:6901234.00001.0' });
    expect(result.ok).toBe(false);
    expect(result.events.map((e) => e.ok)).toEqual([true]);
    expect(result.errors).toEqual([
      {
        eventIndex: null,
        pointer: '/sendr',
        code: 'epcis.unknown_field',
        reason:
          '"sendr" is not a field of the document; a user extension needs a namespace prefix declared in @context (e.g. "example:sendr")',
      },
    ]);
  });

  it('merges the alternatives of an anyOf into one message', () => {
    const { epcList: _, ...noWhat } = shipping;
    expect(badMiddle(noWhat).errors).toEqual([
      {
        eventIndex: 1,
        pointer: '/epcisBody/eventList/1/epcList',
        code: 'epcis.missing_field',
        reason: 'the event needs "epcList", "quantityList" or "sensorElementList"',
      },
    ]);
    const { readPoint: ___, ...noWhatNoWhere } = noWhat;
    expect(badMiddle(noWhatNoWhere).errors[0]!.reason).toBe(
      'the event needs "epcList", "quantityList" or "sensorElementList" with "readPoint"',
    );
    const { childEPCs: __, ...noChildren } = packing;
    expect(badMiddle(noChildren).errors).toMatchObject([
      {
        pointer: '/epcisBody/eventList/1',
        code: 'epcis.schema',
        reason: 'the event must satisfy one of: "childEPCs", "childQuantityList" or action "DELETE"',
      },
    ]);
  });

  it('reports a bad time as a time problem', () => {
    expect(badMiddle({ ...shipping, eventTime: '2024-05-01 08:00' }).errors).toMatchObject([
      { pointer: '/epcisBody/eventList/1/eventTime', code: 'epcis.invalid_time' },
    ]);
  });

  it('validates the events of an EPCISQueryDocument', () => {
    const result = validateEpcisDocument({
      '@context': context,
      type: 'EPCISQueryDocument',
      schemaVersion: '2.0',
      creationDate: '2024-05-01T08:00:00Z',
      epcisBody: {
        queryResults: { queryName: 'SimpleEventQuery', resultsBody: { eventList: [shipping, { ...packing, bizStep: 'teleporting' }] } },
      },
    });
    expect(result.kind).toBe('EPCISQueryDocument');
    expect(result.events.map((e) => e.ok)).toEqual([true, false]);
    expect(result.errors).toMatchObject([
      { eventIndex: 1, pointer: '/epcisBody/queryResults/resultsBody/eventList/1/bizStep', code: 'epcis.unknown_cbv_term' },
    ]);
  });

  it('validates a single event that carries its own @context', () => {
    expect(validateEpcisDocument({ '@context': context, ...shipping })).toMatchObject({ ok: true, kind: 'event' });
    expect(validateEpcisDocument(shipping).errors).toMatchObject([{ eventIndex: 0, pointer: '/@context', code: 'epcis.missing_field' }]);
  });

  it('refuses what is not an EPCIS document at all', () => {
    expect(validateEpcisDocument([]).errors).toMatchObject([{ eventIndex: null, pointer: '', code: 'epcis.not_a_document' }]);
    expect(validateEpcisDocument({ type: 'Invoice' }).errors).toMatchObject([
      { eventIndex: null, pointer: '/type', code: 'epcis.not_a_document' },
    ]);
    expect(validateEpcisDocument({ ...documentOf(), epcisBody: { eventList: {} } }).errors).toMatchObject([
      { eventIndex: null, pointer: '/epcisBody/eventList', code: 'epcis.wrong_type' },
    ]);
  });
});

describe('EPCIS validation: reasons in the reader’s language', () => {
  const { eventTime: _, ...noTime } = shipping;
  const { epcList: __, ...noWhat } = shipping;
  /** one event per kind of problem: our own checks and the schema's keywords (required, type, enum, format, pattern...) */
  const document = {
    ...documentOf(
      noTime,
      { ...shipping, epcList: ['ABC123'], bizStep: 'teleporting' },
      { ...shipping, quantityList: [{ epcClass: 'urn:epc:class:lgtin:6901234.012345.L1', quantity: '12', uom: 'KGM' }], line: 'L3' },
      noWhat,
      { ...shipping, eventTime: '2024-05-01 08:00', eventTimeZoneOffset: '8', action: 'MOVE' },
      { ...packing, childEPCs: undefined },
      'not an event',
    ),
    sendr: 'urn:epc:id:sgln:6901234.00001.0',
  };
  const bad = (locale: 'en' | 'zh-CN') => validateEpcisDocument(document, locale);

  it('says every problem in zh-CN when asked, with the codes and pointers of the English answer', () => {
    const en = bad('en');
    const zh = bad('zh-CN');
    expect(zh.errors.map((e) => [e.eventIndex, e.pointer, e.code])).toEqual(en.errors.map((e) => [e.eventIndex, e.pointer, e.code]));
    expect(new Set(zh.errors.map((e) => e.code)).size).toBeGreaterThanOrEqual(7);
    for (const e of zh.errors) {
      expect(e.reason, e.pointer).toMatch(/[\u4e00-\u9fff]/);
      // none of the English sentence is left: only field names, values, URIs and identifiers stay as written
      expect(e.reason, e.pointer).not.toMatch(/\b(must|needs|is not|neither|the event|the document|one of)\b/);
    }
  });

  it('puts the schema keyword and its params into words, in both languages', () => {
    const reasons = (l: 'en' | 'zh-CN') =>
      Object.fromEntries(bad(l).errors.map((e) => [e.pointer.replace('/epcisBody/eventList', ''), e.reason]));
    expect(reasons('zh-CN')).toMatchObject({
      '/sendr': '"sendr" 不是该文档的字段；用户扩展字段须带有在 @context 中声明的命名空间前缀（如 "example:sendr"）',
      '/0/eventTime': '该事件需要 "eventTime"',
      '/1/epcList/0': 'EPC "ABC123" 不是 URI（请使用 EPC URI，如 urn:epc:id:sgtin:...，或 GS1 Digital Link URI）',
      '/1/bizStep':
        'bizStep "teleporting" 既不是 CBV 2.0 术语（accepting、arriving、assembling、collecting、commissioning 等 41 个），也不是带命名空间的 URI',
      '/2/quantityList/0/quantity': '“quantityList/0/quantity”应为数字',
      '/2/line': '"line" 不是该事件的字段；用户扩展字段须带有在 @context 中声明的命名空间前缀（如 "example:line"）',
      '/3/epcList': '该事件需要 "epcList"、"quantityList" 或 "sensorElementList"',
      '/4/eventTime': '“eventTime”应为带时区的日期时间，如 2024-05-01T08:00:00.000+08:00',
      '/4/eventTimeZoneOffset': '“eventTimeZoneOffset”应符合模式 ^([+]|[-])((0[0-9]|1[0-3]):([0-5][0-9])|14:00)$',
      '/4/action': '“action”应为以下之一：OBSERVE、ADD、DELETE',
      '/5': '该事件须满足以下之一："childEPCs"、"childQuantityList" 或 “action” 为 "DELETE"',
      '/6': '事件必须是 JSON 对象，而不是字符串',
    });
    expect(reasons('en')).toMatchObject({
      '/3/epcList': 'the event needs "epcList", "quantityList" or "sensorElementList"',
      '/4/eventTimeZoneOffset': 'eventTimeZoneOffset must match the pattern ^([+]|[-])((0[0-9]|1[0-3]):([0-5][0-9])|14:00)$',
      '/4/action': 'action must be one of OBSERVE, ADD, DELETE',
      '/6': 'an event must be a JSON object, not string',
    });
  });

  it('says what is not a document at all in zh-CN', () => {
    expect(validateEpcisDocument({ type: 'Foo' }, 'zh-CN').errors).toEqual([
      {
        eventIndex: null,
        pointer: '/type',
        code: 'epcis.not_a_document',
        reason: '"Foo" 既不是 EPCIS 文档类型（EPCISDocument、EPCISQueryDocument），也不是事件类型',
      },
    ]);
    expect(validateEpcisDocument([], 'zh-CN').errors[0]!.reason).toBe('EPCIS 文档必须是 JSON 对象，而不是数组');
  });
});
