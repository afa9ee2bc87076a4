/**
 * The problems EPCIS validation reports, and the reduction of raw ajv errors of the official schema to readable ones: the
 * schema's if/then and anyOf/oneOf bookkeeping is dropped, the failed alternatives of an anyOf are merged into one message
 * ("needs epcList, quantityList or sensorElementList"), a problem already explained by a more specific check is not
 * repeated, and one problem is kept per place (the most relevant). Reasons are kept as a key and parts (by Ajv keyword
 * and params), put into words in the reader's language by validation-reasons.ts.
 */
import type { ErrorObject } from 'ajv';
import type { Part, Reason } from './validation-reasons.ts';

/** Stable codes of validation problems (the HTTP layer maps them to problem+json field errors). */
export type EpcisIssueCode =
  /** not an EPCIS document or event at all (not an object, unknown document type) */
  | 'epcis.not_a_document'
  /** a required field is missing (pointer: where it should be) */
  | 'epcis.missing_field'
  /** a field the schema does not allow there, and not a namespaced user extension */
  | 'epcis.unknown_field'
  /** a value of the wrong JSON type ("12" where a number is required) */
  | 'epcis.wrong_type'
  /** an event "type" that is neither an EPCIS 2.0 event type nor a URI */
  | 'epcis.unknown_event_type'
  /** a time that is not an RFC 3339 date-time with time zone */
  | 'epcis.invalid_time'
  /** an EPC, class, parentID, readPoint/bizLocation id, source/destination, transaction or document id that is not a URI */
  | 'epcis.identifier_not_uri'
  /** bizStep, disposition, business transaction / source-destination type, error reason, sensor type... that is neither a CBV 2.0 term nor a URI */
  | 'epcis.unknown_cbv_term'
  /** any other violation of the official schema */
  | 'epcis.schema';

export interface EpcisIssue {
  /** index of the event in the document's event list; null for problems outside events */
  eventIndex: number | null;
  /** RFC 6901 JSON pointer into the document */
  pointer: string;
  code: EpcisIssueCode;
  /** a readable sentence in the language validation was asked for (English unless told) */
  reason: string;
}

/** An issue as validation finds it: its reason a key and parts, put into words once the reader's language is known. */
export interface FoundIssue {
  eventIndex: number | null;
  pointer: string;
  code: EpcisIssueCode;
  reason: Reason;
}

/**
 * Turns raw ajv errors (paths relative to the validated value, which sits at `base` in the document) into issues,
 * merged with `specific` ones: bookkeeping dropped, anyOf branches merged, duplicates and explained errors removed.
 */
export function reduceSchemaErrors(raw: ErrorObject[], base: string, index: number | null, specific: FoundIssue[] = []): FoundIssue[] {
  const out: FoundIssue[] = [...specific];
  // a schema error at or below a specific issue, or at a field holding one (not the whole event), says nothing more
  const explained = (pointer: string) =>
    specific.some((i) => isWithin(pointer, i.pointer) || (pointer !== base && isWithin(i.pointer, pointer)));

  // anyOf / oneOf groups: errors raised in a branch carry the group's schemaPath + "/<branch>/..."
  const groups = raw.filter((e) => (e.keyword === 'anyOf' || e.keyword === 'oneOf') && e.propertyName === undefined);
  const grouped = new Set<ErrorObject>();
  const merged: FoundIssue[] = [];
  for (const group of groups) {
    const prefix = `${group.schemaPath}/`;
    const branches = new Map<string, ErrorObject[]>();
    for (const e of raw) {
      if (e === group || !e.schemaPath.startsWith(prefix) || !isWithin(e.instancePath, group.instancePath)) continue;
      const branch = e.schemaPath.slice(prefix.length).split('/')[0]!;
      if (!branches.has(branch)) branches.set(branch, []);
      branches.get(branch)!.push(e);
      grouped.add(e);
    }
    grouped.add(group);
    const alternatives = countAlternatives(group);
    // a branch without errors of its own failed inside a $ref: its errors are reported where they happened
    if (branches.size < alternatives) continue;
    // a problem reported directly where a branch failed (a wrong type, say) explains the failed alternatives
    const targets = [...branches.values()].flat().map((e) => target(e));
    if (
      raw.some(
        (d) =>
          d.keyword !== 'required' && !isBookkeeping(d) && !isBranchOfAny(d, groups) && targets.some((t) => isWithin(d.instancePath, t)),
      )
    )
      continue;
    const pointer = base + group.instancePath;
    const requiredOnly = [...branches.values()].every((errs) => errs.every((e) => e.keyword === 'required'));
    if (requiredOnly) {
      const missing = [...branches.values()].map((errs) =>
        errs.map((e) => String((e.params as { missingProperty: string }).missingProperty)),
      );
      const names: Part[] = missing.map((fields) => ({ together: fields.map(quote) }));
      merged.push(
        issue(index, `${pointer}/${escapePointer(missing[0]![0]!)}`, 'epcis.missing_field', {
          key: 'needs',
          params: { at: { at: pointer }, fields: { anyOf: names } },
        }),
      );
    } else {
      const names: Part[] = [...branches.values()].map((errs) => ({ allOf: errs.map(describeBranchError) }));
      merged.push(
        issue(index, pointer, 'epcis.schema', { key: 'satisfy_one_of', params: { at: { at: pointer }, alternatives: { anyOf: names } } }),
      );
    }
  }

  // errors raised while checking property names (they sit at the object's own path) belong to the propertyNames error
  const namesChecked = new Set(raw.filter((e) => e.keyword === 'propertyNames').map((e) => e.instancePath));
  for (const e of raw) {
    if (grouped.has(e) || isBookkeeping(e)) continue;
    if (e.propertyName !== undefined && e.keyword !== 'propertyNames') continue;
    if (namesChecked.has(e.instancePath) && NAME_CHECKS.has(e.keyword)) continue;
    const converted = convert(e, base, index);
    if (!explained(converted.pointer)) out.push(converted);
  }
  for (const m of merged) if (!explained(m.pointer)) out.push(m);
  // one issue per place: the most relevant
  out.sort((a, b) => RANK[a.code] - RANK[b.code]);
  return out.filter((issue, i) => out.findIndex((other) => other.pointer === issue.pointer) === i);
}

const NAME_CHECKS = new Set(['enum', 'format', 'anyOf', 'oneOf', 'pattern', 'const']);

function isBookkeeping(e: ErrorObject): boolean {
  return e.keyword === 'if' || e.keyword === 'allOf' || e.keyword === 'anyOf' || e.keyword === 'oneOf';
}

function isBranchOfAny(e: ErrorObject, groups: ErrorObject[]): boolean {
  return groups.some((g) => e.schemaPath.startsWith(`${g.schemaPath}/`) && isWithin(e.instancePath, g.instancePath));
}

/** The place an error is about: the missing property for `required`, else the value checked. */
function target(e: ErrorObject): string {
  return e.keyword === 'required'
    ? `${e.instancePath}/${escapePointer(String((e.params as { missingProperty: string }).missingProperty))}`
    : e.instancePath;
}

function convert(e: ErrorObject, base: string, index: number | null): FoundIssue {
  const pointer = base + e.instancePath;
  const at: Part = { at: pointer };
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required': {
      const name = String(params.missingProperty);
      return issue(index, `${pointer}/${escapePointer(name)}`, 'epcis.missing_field', {
        key: 'needs',
        params: { at, fields: quote(name) },
      });
    }
    case 'propertyNames':
    case 'additionalProperties': {
      const name = String(params.propertyName ?? params.additionalProperty);
      return issue(index, `${pointer}/${escapePointer(name)}`, 'epcis.unknown_field', {
        key: 'unknown_field',
        params: { name: quote(name), at, bare: name },
      });
    }
    case 'type':
      return issue(index, pointer, 'epcis.wrong_type', { key: 'type', params: { at, type: typeWords(params.type) } });
    case 'format':
      if (params.format === 'date-time') return issue(index, pointer, 'epcis.invalid_time', { key: 'date_time', params: { at } });
      if (params.format === 'uri') return issue(index, pointer, 'epcis.schema', { key: 'uri', params: { at } });
      return issue(index, pointer, 'epcis.schema', { key: 'format', params: { at, format: String(params.format) } });
    default:
      return issue(index, pointer, 'epcis.schema', ruleReason(e, at));
  }
}

/** A schema keyword's failure at `at`, by keyword and params (Ajv's English message only for a keyword not listed). */
function ruleReason(e: ErrorObject, at: Part): Reason {
  const params = e.params as Record<string, unknown>;
  const limit = Number(params.limit);
  switch (e.keyword) {
    case 'enum':
      return { key: 'enum', params: { at, allowed: { sample: params.allowedValues as unknown[] } } };
    case 'const':
      return { key: 'const', params: { at, value: quote(params.allowedValue) } };
    case 'pattern':
      return { key: 'pattern', params: { at, pattern: String(params.pattern) } };
    case 'minItems':
      return limit === 1 ? { key: 'not_empty', params: { at } } : { key: 'min_items', params: { at, limit } };
    case 'maxItems':
      return { key: 'max_items', params: { at, limit } };
    case 'minLength':
      return limit === 1 ? { key: 'not_empty', params: { at } } : { key: 'min_length', params: { at, limit } };
    case 'maxLength':
      return { key: 'max_length', params: { at, limit } };
    case 'minimum':
      return { key: 'minimum', params: { at, limit } };
    case 'maximum':
      return { key: 'maximum', params: { at, limit } };
    case 'uniqueItems':
      return { key: 'unique_items', params: { at, i: Number(params.i), j: Number(params.j) } };
    case 'not':
      return { key: 'not_allowed', params: { at } };
    default:
      return { key: 'other_rule', params: { at, keyword: e.keyword, message: e.message ?? `fails ${e.keyword}` } };
  }
}

function describeBranchError(e: ErrorObject): Part {
  const params = e.params as Record<string, unknown>;
  const name = e.instancePath.split('/').pop() || 'value';
  const field: Part = { field: name };
  if (e.keyword === 'required') return quote(String(params.missingProperty));
  if (e.keyword === 'pattern') {
    const literal = /^\^([\w-]+)\$$/.exec(String(params.pattern));
    return literal
      ? { key: 'branch_value', params: { field, value: quote(literal[1]) } }
      : { key: 'branch_pattern', params: { field, pattern: String(params.pattern) } };
  }
  if (e.keyword === 'not') return { key: 'branch_absent', params: { field: quote(name) } };
  if (e.keyword === 'enum') return { key: 'branch_enum', params: { field, allowed: { sample: params.allowedValues as unknown[] } } };
  if (e.keyword === 'type') return { key: 'branch_type', params: { field, type: String(params.type) } };
  if (e.keyword === 'format') return { key: 'branch_format', params: { field, format: String(params.format) } };
  return { key: 'branch_other', params: { field, keyword: e.keyword, message: e.message ?? e.keyword } };
}

/** The schema's type(s) in words: "a string", "an integer or a null". */
function typeWords(type: unknown): Part {
  const types = (Array.isArray(type) ? type.map(String) : String(type).split(',')).map((t) => ({ label: article(t) }));
  return types.length === 1 ? types[0]! : { anyOf: types };
}

/** The number of alternatives of an anyOf/oneOf error, read from the schema it came from. */
function countAlternatives(group: ErrorObject): number {
  const node = group.parentSchema as Record<string, unknown> | undefined;
  const list = node?.[group.keyword];
  return Array.isArray(list) ? list.length : 0;
}

/** Most relevant first: what breaks the event's shape, then its identifiers and vocabulary, then the rest; then by place. */
export function byRelevance(a: { code: EpcisIssueCode; pointer: string }, b: { code: EpcisIssueCode; pointer: string }): number {
  return RANK[a.code] - RANK[b.code] || comparePointers(a.pointer, b.pointer);
}

const RANK: Record<EpcisIssueCode, number> = {
  'epcis.not_a_document': 0,
  'epcis.unknown_event_type': 1,
  'epcis.missing_field': 2,
  'epcis.identifier_not_uri': 3,
  'epcis.unknown_cbv_term': 4,
  'epcis.invalid_time': 5,
  'epcis.wrong_type': 6,
  'epcis.unknown_field': 7,
  'epcis.schema': 8,
};

export function issue(eventIndex: number | null, pointer: string, code: EpcisIssueCode, reason: Reason): FoundIssue {
  return { eventIndex, pointer, code, reason };
}

/** `inner` is `outer` or below it. */
export function isWithin(inner: string, outer: string): boolean {
  return inner === outer || inner.startsWith(`${outer}/`);
}

function comparePointers(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function escapePointer(token: string): string {
  return token.replaceAll('~', '~0').replaceAll('/', '~1');
}

export function quote(value: unknown): string {
  const s = typeof value === 'string' ? value : JSON.stringify(value);
  return `"${s.length > 80 ? `${s.slice(0, 77)}...` : s}"`;
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
