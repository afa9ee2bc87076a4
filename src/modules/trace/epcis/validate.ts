/**
 * Validation of an incoming EPCIS 2.0 document (EPCISDocument or EPCISQueryDocument, JSON or JSON-LD; or a single event
 * with its own @context) against the official GS1 JSON Schema shipped in ./official, plus the checks the schema cannot
 * word well: identifiers that are not URIs and CBV values that are neither a CBV 2.0 term nor a URI.
 *
 * Every event is validated on its own, so a document with one bad event reports the others as fine. Schema errors are
 * reduced to readable ones: the if/then and anyOf/oneOf bookkeeping of the schema is dropped, the branches of an anyOf
 * are merged into one message ("needs epcList, quantityList or sensorElementList"), and an error already explained by a
 * more specific check is not repeated. The reasons are sentences in the language asked for (validation-reasons.ts): the
 * capture route asks for the requester's, zh-CN unless Accept-Language prefers English.
 */

import { readFileSync } from 'node:fs';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import type { Locale } from '../../../http/messages.ts';
import { isCanonicalSgtinDl } from '../../../platform/epc-urn.ts';
import {
  BIZ_STEPS,
  BIZ_TRANSACTION_TYPES,
  COMPONENTS,
  DISPOSITIONS,
  ERROR_REASONS,
  MEASUREMENT_TYPES,
  SENSOR_ALERT_TYPES,
  SOURCE_DEST_TYPES,
} from './canonical.ts';
import {
  byRelevance,
  type EpcisIssue,
  type EpcisIssueCode,
  type FoundIssue,
  issue,
  isWithin,
  quote,
  reduceSchemaErrors,
} from './validation-issues.ts';
import { explain, type Reason } from './validation-reasons.ts';

export type { EpcisIssue, EpcisIssueCode } from './validation-issues.ts';
export { explain as explainEpcisReason } from './validation-reasons.ts';

export interface EpcisEventValidation {
  eventIndex: number;
  /** JSON pointer of the event in the document */
  pointer: string;
  ok: boolean;
  /** most relevant first */
  errors: EpcisIssue[];
}

export interface EpcisValidation {
  ok: boolean;
  kind: 'EPCISDocument' | 'EPCISQueryDocument' | 'event' | null;
  /** problems outside the events (header, body, @context...) */
  documentErrors: EpcisIssue[];
  /** one entry per event, in document order */
  events: EpcisEventValidation[];
  /** all problems, document ones first, then by event */
  errors: EpcisIssue[];
}

// ---------------------------------------------------------------------------------------------------------------------
// The official schema, compiled once

const schema = JSON.parse(readFileSync(new URL('./official/EPCIS-JSON-Schema.json', import.meta.url), 'utf8')) as {
  $id: string;
  definitions: Record<string, { items?: unknown }>;
};
// The same rule, written so Ajv can see its items are strings: epcList says `uniqueItems` over `$ref: uri`, and Ajv
// checks uniqueness of items it cannot type by comparing every pair (2,500 codes in a commissioning event: 3 million
// deep comparisons). With the string type inlined it uses a hash (the definition of `uri` is exactly this).
if (schema.definitions.epcList) schema.definitions.epcList.items = { type: 'string', format: 'uri' };
// verbose: errors carry their parentSchema, from which an anyOf's number of alternatives is read
const ajv = new Ajv.default({ allErrors: true, strict: false, verbose: true });
addFormats.default(ajv);
// the full RFC 3986 check, after a hand check that passes the canonical codes most documents are made of
ajv.addFormat('uri', (s: string) => isCanonicalSgtinDl(s) || (fullFormats.uri as (s: string) => boolean)(s));
ajv.addSchema(schema);
const validateRoot = ajv.getSchema(schema.$id) as ValidateFunction;
const validateEvent = ajv.getSchema(`${schema.$id}#/definitions/EPCIS-Document-Event`) as ValidateFunction;
const isUri = fullFormats.uri as (s: string) => boolean;

const EVENT_TYPES = new Set(['ObjectEvent', 'AggregationEvent', 'TransactionEvent', 'TransformationEvent', 'AssociationEvent']);

// ---------------------------------------------------------------------------------------------------------------------
// API

/**
 * Validates an EPCISDocument / EPCISQueryDocument (or one event carrying its @context) as received; the reasons read in
 * `locale` (the codes and pointers are the same in every language).
 */
export function validateEpcisDocument(input: unknown, locale: Locale = 'en'): EpcisValidation {
  return inWords(check(input), locale);
}

/** A validation whose issues' reasons are still key and parts. */
interface Found {
  kind: EpcisValidation['kind'];
  documentErrors: FoundIssue[];
  events: { eventIndex: number; pointer: string; errors: FoundIssue[] }[];
}

function check(input: unknown): Found {
  if (!isObject(input)) return rejected({ key: 'document_not_object', params: { actual: { label: describe(input) } } }, '');
  const type = input.type;
  if (type === 'EPCISDocument' || type === 'EPCISQueryDocument') {
    const located = locateEvents(input, type);
    const documentErrors = reduceSchemaErrors(runSchema(validateRoot, located.shell), '', null);
    if (input.id !== undefined && typeof input.id === 'string' && !isUri(input.id)) {
      replaceAt(
        documentErrors,
        issue(null, '/id', 'epcis.identifier_not_uri', { key: 'document_id_not_uri', params: { value: quote(input.id) } }),
      );
    }
    const events = located.events.map((event, i) => checkEvent(event, `${located.pointer}/${i}`, i));
    return { kind: type, documentErrors, events };
  }
  if (typeof type === 'string' && (EVENT_TYPES.has(type) || isUri(type))) {
    // a single event (EPCIS 2.0 capture of one event): it must carry its own @context
    const evaluation = checkEvent(input, '', 0);
    if (input['@context'] === undefined) {
      evaluation.errors.unshift(issue(0, '/@context', 'epcis.missing_field', { key: 'event_needs_context' }));
    }
    return { kind: 'event', documentErrors: [], events: [evaluation] };
  }
  if (type === undefined) return rejected({ key: 'document_needs_type' }, '/type', 'epcis.missing_field');
  return rejected({ key: 'not_a_document_type', params: { value: quote(type) } }, '/type');
}

// ---------------------------------------------------------------------------------------------------------------------
// Events

function checkEvent(event: unknown, pointer: string, index: number): Found['events'][number] {
  if (!isObject(event)) {
    const errors = [issue(index, pointer, 'epcis.wrong_type', { key: 'event_not_object', params: { actual: { label: describe(event) } } })];
    return { eventIndex: index, pointer, errors };
  }
  const specific = semanticChecks(event, pointer, index);
  const errors = reduceSchemaErrors(runSchema(validateEvent, event), pointer, index, specific);
  errors.sort(byRelevance);
  return { eventIndex: index, pointer, errors };
}

const IDENTIFIER_LISTS = ['epcList', 'childEPCs', 'inputEPCList', 'outputEPCList'];
const QUANTITY_LISTS = ['quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList'];
const TERMS = {
  bizStep: new Set<string>(BIZ_STEPS),
  disposition: new Set<string>(DISPOSITIONS),
  bizTransactionType: new Set<string>(BIZ_TRANSACTION_TYPES),
  sourceDestType: new Set<string>(SOURCE_DEST_TYPES),
  errorReason: new Set<string>(ERROR_REASONS),
  measurementType: new Set<string>(MEASUREMENT_TYPES),
  sensorAlertType: new Set<string>(SENSOR_ALERT_TYPES),
  component: new Set<string>(COMPONENTS),
};
/** The CBV 2.0 web-URI prefix of each vocabulary, where a full URI must still name a CBV term. */
const CBV_URI_PREFIX: Partial<Record<keyof typeof TERMS, string>> = {
  bizStep: 'https://ref.gs1.org/cbv/BizStep-',
  disposition: 'https://ref.gs1.org/cbv/Disp-',
  bizTransactionType: 'https://ref.gs1.org/cbv/BTT-',
  sourceDestType: 'https://ref.gs1.org/cbv/SDT-',
  errorReason: 'https://ref.gs1.org/cbv/ER-',
  component: 'https://ref.gs1.org/cbv/Comp-',
};

/** The checks the schema expresses poorly: identifiers that must be URIs, CBV values that must be terms or URIs. */
function semanticChecks(event: Record<string, unknown>, at: string, index: number): FoundIssue[] {
  const out: FoundIssue[] = [];
  // `what`: the field, named as its label in validation-reasons.ts (or as written when it needs no words)
  const id = (value: unknown, pointer: string, what: string) => {
    if (typeof value === 'string' && !isUri(value)) {
      out.push(
        issue(index, pointer, 'epcis.identifier_not_uri', {
          key: 'identifier_not_uri',
          params: { what: { label: what }, value: quote(value) },
        }),
      );
    }
  };
  const term = (value: unknown, pointer: string, what: string, vocabulary: keyof typeof TERMS) => {
    if (typeof value !== 'string') return;
    const terms = TERMS[vocabulary];
    if (terms.has(value)) return;
    const named = { what: { label: what }, value: quote(value) };
    if (value.startsWith('urn:epcglobal:cbv:') || /^https?:\/\/(ns\.gs1\.org\/cbv|(www\.)?gs1\.org\/voc)\//.test(value)) {
      const bare = value.slice(value.search(/[^:/-]+$/));
      const reason: Reason = terms.has(bare)
        ? { key: 'cbv_not_bare_use', params: { ...named, bare: quote(bare) } }
        : { key: 'cbv_not_bare', params: named };
      out.push(issue(index, pointer, 'epcis.schema', reason));
      return;
    }
    const prefix = CBV_URI_PREFIX[vocabulary];
    if (prefix && value.startsWith(prefix)) {
      if (!terms.has(value.slice(prefix.length))) {
        out.push(issue(index, pointer, 'epcis.unknown_cbv_term', { key: 'cbv_not_in_namespace', params: named }));
      }
      return;
    }
    if (value.includes(':') && isUri(value)) return;
    out.push(issue(index, pointer, 'epcis.unknown_cbv_term', { key: 'cbv_unknown', params: { ...named, terms: { sample: [...terms] } } }));
  };

  const type = event.type;
  if (typeof type === 'string' && !EVENT_TYPES.has(type) && !isUri(type)) {
    out.push(
      issue(index, `${at}/type`, 'epcis.unknown_event_type', {
        key: 'unknown_event_type',
        params: { value: quote(type), types: { sample: [...EVENT_TYPES] } },
      }),
    );
  }
  for (const list of IDENTIFIER_LISTS) {
    const values = event[list];
    if (Array.isArray(values)) values.forEach((v, i) => void id(v, `${at}/${list}/${i}`, 'EPC'));
  }
  id(event.parentID, `${at}/parentID`, 'parentID');
  id(event.transformationID, `${at}/transformationID`, 'transformationID');
  for (const list of QUANTITY_LISTS) {
    eachObject(event[list], (q, i) => id(q.epcClass, `${at}/${list}/${i}/epcClass`, 'epcClass'));
  }
  for (const where of ['readPoint', 'bizLocation'] as const) {
    const place = event[where];
    if (isObject(place)) id(place.id, `${at}/${where}/id`, `${where} id`);
  }
  term(event.bizStep, `${at}/bizStep`, 'bizStep', 'bizStep');
  term(event.disposition, `${at}/disposition`, 'disposition', 'disposition');
  const persistent = event.persistentDisposition;
  if (isObject(persistent)) {
    for (const key of ['set', 'unset'] as const) {
      const values = persistent[key];
      if (Array.isArray(values))
        values.forEach((v, i) => void term(v, `${at}/persistentDisposition/${key}/${i}`, `persistentDisposition ${key}`, 'disposition'));
    }
  }
  eachObject(event.bizTransactionList, (t, p) => {
    term(t.type, `${at}/bizTransactionList/${p}/type`, 'business transaction type', 'bizTransactionType');
    id(t.bizTransaction, `${at}/bizTransactionList/${p}/bizTransaction`, 'business transaction');
  });
  for (const [list, key] of [
    ['sourceList', 'source'],
    ['destinationList', 'destination'],
  ] as const) {
    eachObject(event[list], (s, p) => {
      term(s.type, `${at}/${list}/${p}/type`, `${key} type`, 'sourceDestType');
      id(s[key], `${at}/${list}/${p}/${key}`, key);
    });
  }
  eachObject(event.sensorElementList, (element, e) => {
    eachObject(element.sensorReport, (report, r) => {
      const p = `${at}/sensorElementList/${e}/sensorReport/${r}`;
      term(report.type, `${p}/type`, 'sensor report type', 'measurementType');
      term(report.exception, `${p}/exception`, 'sensor exception', 'sensorAlertType');
      term(report.component, `${p}/component`, 'sensor component', 'component');
    });
  });
  const declaration = event.errorDeclaration;
  if (isObject(declaration)) term(declaration.reason, `${at}/errorDeclaration/reason`, 'error reason', 'errorReason');
  return out;
}

// ---------------------------------------------------------------------------------------------------------------------
// Schema errors -> issues

function runSchema(validate: ValidateFunction, value: unknown): ErrorObject[] {
  return validate(value) ? [] : [...(validate.errors ?? [])];
}

// ---------------------------------------------------------------------------------------------------------------------
// Helpers

interface Located {
  /** the document with its event list emptied: validated once for the parts outside the events */
  shell: Record<string, unknown>;
  events: unknown[];
  /** JSON pointer of the event list */
  pointer: string;
}

function locateEvents(doc: Record<string, unknown>, type: 'EPCISDocument' | 'EPCISQueryDocument'): Located {
  const body = doc.epcisBody;
  if (type === 'EPCISDocument' && isObject(body) && Array.isArray(body.eventList)) {
    return { shell: { ...doc, epcisBody: { ...body, eventList: [] } }, events: body.eventList, pointer: '/epcisBody/eventList' };
  }
  const results = isObject(body) && isObject(body.queryResults) ? body.queryResults : undefined;
  const resultsBody = results && isObject(results.resultsBody) ? results.resultsBody : undefined;
  if (type === 'EPCISQueryDocument' && isObject(body) && results && resultsBody && Array.isArray(resultsBody.eventList)) {
    return {
      shell: { ...doc, epcisBody: { ...body, queryResults: { ...results, resultsBody: { ...resultsBody, eventList: [] } } } },
      events: resultsBody.eventList,
      pointer: '/epcisBody/queryResults/resultsBody/eventList',
    };
  }
  return { shell: doc, events: [], pointer: '' };
}

/** The found issues with their reasons in `locale`, document ones first (most relevant first), then by event. */
function inWords(found: Found, locale: Locale): EpcisValidation {
  const words = (i: FoundIssue): EpcisIssue => ({ ...i, reason: explain(i.reason, locale) });
  const documentErrors = [...found.documentErrors].sort(byRelevance).map(words);
  const events = found.events.map((e) => {
    const errors = e.errors.map(words);
    return { eventIndex: e.eventIndex, pointer: e.pointer, ok: errors.length === 0, errors };
  });
  const errors = [...documentErrors, ...events.flatMap((e) => e.errors)];
  return { ok: errors.length === 0, kind: found.kind, documentErrors, events, errors };
}

function rejected(reason: Reason, pointer: string, code: EpcisIssueCode = 'epcis.not_a_document'): Found {
  return { kind: null, documentErrors: [issue(null, pointer, code, reason)], events: [] };
}

function replaceAt(list: FoundIssue[], replacement: FoundIssue): void {
  for (let i = list.length - 1; i >= 0; i--) if (isWithin(list[i]!.pointer, replacement.pointer)) list.splice(i, 1);
  list.push(replacement);
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function eachObject(list: unknown, visit: (item: Record<string, unknown>, index: number) => void): void {
  if (!Array.isArray(list)) return;
  list.forEach((item, i) => {
    if (isObject(item)) visit(item, i);
  });
}

/** What a value is, as a label of validation-reasons.ts. */
function describe(x: unknown): string {
  return x === null ? 'null' : Array.isArray(x) ? 'an array' : typeof x;
}
