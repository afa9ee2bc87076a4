/**
 * The problems EPCIS validation reports, and the reduction of raw ajv errors of the official schema to readable ones: the
 * schema's if/then and anyOf/oneOf bookkeeping is dropped, the failed alternatives of an anyOf are merged into one message
 * ("needs epcList, quantityList or sensorElementList"), a problem already explained by a more specific check is not
 * repeated, and one problem is kept per place (the most relevant).
 */
import type { ErrorObject } from 'ajv';

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
  /** a readable English sentence */
  reason: string;
}

/**
 * Turns raw ajv errors (paths relative to the validated value, which sits at `base` in the document) into issues,
 * merged with `specific` ones: bookkeeping dropped, anyOf branches merged, duplicates and explained errors removed.
 */
export function reduceSchemaErrors(raw: ErrorObject[], base: string, index: number | null, specific: EpcisIssue[] = []): EpcisIssue[] {
  const out: EpcisIssue[] = [...specific];
  // a schema error at or below a specific issue, or at a field holding one (not the whole event), says nothing more
  const explained = (pointer: string) =>
    specific.some((i) => isWithin(pointer, i.pointer) || (pointer !== base && isWithin(i.pointer, pointer)));

  // anyOf / oneOf groups: errors raised in a branch carry the group's schemaPath + "/<branch>/..."
  const groups = raw.filter((e) => (e.keyword === 'anyOf' || e.keyword === 'oneOf') && e.propertyName === undefined);
  const grouped = new Set<ErrorObject>();
  const merged: EpcisIssue[] = [];
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
      const names = missing.map((fields) => fields.map(quote).join(' with '));
      merged.push(
        issue(
          index,
          `${pointer}/${escapePointer(missing[0]![0]!)}`,
          'epcis.missing_field',
          `${where(pointer)} needs ${alternativesText(names)}`,
        ),
      );
    } else {
      const names = [...branches.values()].map((errs) => errs.map(describeBranchError).join(' and '));
      merged.push(issue(index, pointer, 'epcis.schema', `${where(pointer)} must satisfy one of: ${alternativesText(names)}`));
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

function convert(e: ErrorObject, base: string, index: number | null): EpcisIssue {
  const pointer = base + e.instancePath;
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required': {
      const name = String(params.missingProperty);
      return issue(index, `${pointer}/${escapePointer(name)}`, 'epcis.missing_field', `${where(pointer)} needs ${quote(name)}`);
    }
    case 'propertyNames':
    case 'additionalProperties': {
      const name = String(params.propertyName ?? params.additionalProperty);
      return issue(
        index,
        `${pointer}/${escapePointer(name)}`,
        'epcis.unknown_field',
        `${quote(name)} is not a field of ${where(pointer)}; a user extension needs a namespace prefix declared in @context (e.g. "example:${name}")`,
      );
    }
    case 'type':
      return issue(index, pointer, 'epcis.wrong_type', `${where(pointer)} must be ${article(String(params.type))}`);
    case 'format':
      if (params.format === 'date-time') {
        return issue(
          index,
          pointer,
          'epcis.invalid_time',
          `${where(pointer)} must be a date-time with time zone, e.g. 2024-05-01T08:00:00.000+08:00`,
        );
      }
      if (params.format === 'uri') return issue(index, pointer, 'epcis.schema', `${where(pointer)} must be a URI`);
      return issue(index, pointer, 'epcis.schema', `${where(pointer)} must be a ${String(params.format)}`);
    case 'enum':
      return issue(index, pointer, 'epcis.schema', `${where(pointer)} must be one of ${sample(params.allowedValues as unknown[])}`);
    default:
      return issue(index, pointer, 'epcis.schema', `${where(pointer)} ${e.message ?? `fails ${e.keyword}`}`);
  }
}

function describeBranchError(e: ErrorObject): string {
  const params = e.params as Record<string, unknown>;
  const field = e.instancePath.split('/').pop() || 'value';
  if (e.keyword === 'required') return quote(String(params.missingProperty));
  if (e.keyword === 'pattern') {
    const literal = /^\^([\w-]+)\$$/.exec(String(params.pattern));
    return literal ? `${field} ${quote(literal[1])}` : `${field} matching ${String(params.pattern)}`;
  }
  if (e.keyword === 'not') return `no ${quote(field)}`;
  if (e.keyword === 'enum') return `${field} in ${sample(params.allowedValues as unknown[])}`;
  if (e.keyword === 'type') return `${field} of type ${String(params.type)}`;
  if (e.keyword === 'format') return `${field} in format ${String(params.format)}`;
  return `${field} ${e.message ?? e.keyword}`;
}

/** The number of alternatives of an anyOf/oneOf error, read from the schema it came from. */
function countAlternatives(group: ErrorObject): number {
  const node = group.parentSchema as Record<string, unknown> | undefined;
  const list = node?.[group.keyword];
  return Array.isArray(list) ? list.length : 0;
}

/** Most relevant first: what breaks the event's shape, then its identifiers and vocabulary, then the rest; then by place. */
export function byRelevance(a: EpcisIssue, b: EpcisIssue): number {
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

export function issue(eventIndex: number | null, pointer: string, code: EpcisIssueCode, reason: string): EpcisIssue {
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

/** "the event" / "epcList/0" / "the document": the place a pointer names, for messages. */
function where(pointer: string): string {
  const tokens = pointer.split('/').slice(1);
  const events = tokens.lastIndexOf('eventList');
  const inEvent = events >= 0 ? tokens.slice(events + 2) : tokens;
  if (events >= 0 && inEvent.length === 0) return 'the event';
  if (tokens.length === 0) return 'the document';
  return inEvent.join('/').replaceAll('~1', '/').replaceAll('~0', '~');
}

export function quote(value: unknown): string {
  const s = typeof value === 'string' ? value : JSON.stringify(value);
  return `"${s.length > 80 ? `${s.slice(0, 77)}...` : s}"`;
}

export function sample(values: Iterable<unknown>): string {
  const list = [...values].map(String);
  return list.length <= 6 ? list.join(', ') : `${list.slice(0, 5).join(', ')}, ... (${list.length} in all)`;
}

function alternativesText(names: string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
