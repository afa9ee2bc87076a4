import Ajv, { type ErrorObject } from 'ajv';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { AppError, type FieldError } from './problem.ts';

/**
 * Bodies are validated strictly (no coercion: "12" is not 12; unknown fields refused); query strings and
 * path parameters are coerced from text, as they can only be text.
 */
export function installValidators(app: FastifyInstance): void {
  const common = { allErrors: true, removeAdditional: false, useDefaults: true, strict: false } as const;
  const strict = new Ajv.default({ ...common, coerceTypes: false });
  const coercing = new Ajv.default({ ...common, coerceTypes: 'array' });
  for (const ajv of [strict, coercing]) {
    ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/);
    // RFC 3339 date-time with a zone, checked for a real instant
    ajv.addFormat('date-time', {
      type: 'string',
      validate: (s: string) =>
        /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(s) && !Number.isNaN(Date.parse(s)),
    });
    ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
  }
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema as FastifySchema & object));
  // PostgreSQL text cannot hold U+0000: a NUL in any path parameter, query value or JSON string (or key) is refused here,
  // with its pointer, instead of failing the statement that stores or looks it up (found by the route fuzzer)
  app.addHook('preValidation', async (req) => {
    const at =
      firstNul(req.params, '/path') ??
      firstNul(req.query, '/query') ??
      (Buffer.isBuffer(req.body) ? undefined : firstNul(req.body, '/body'));
    if (at) throw AppError.field(at, 'field.invalid', { field: at.split('/').pop(), reason: 'contains a NUL (U+0000) character' });
  });
}

/** The JSON pointer of the first string (value or key) holding U+0000 in a parsed request part, if any. */
export function firstNul(value: unknown, pointer: string): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? pointer : undefined;
  if (!value || typeof value !== 'object') return undefined;
  // an explicit stack, not recursion: a body may nest thousands of levels deep
  const stack: [unknown, string][] = [[value, pointer]];
  while (stack.length) {
    const [v, at] = stack.pop() as [unknown, string];
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return at;
    } else if (v && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        const here = `${at}/${k.replaceAll('~', '~0').replaceAll('/', '~1')}`;
        if (k.includes('\u0000')) return here;
        stack.push([child, here]);
      }
    }
  }
  return undefined;
}

const PART: Record<string, string> = { body: 'body', querystring: 'query', params: 'path', headers: 'header' };

/**
 * Ajv's errors as field errors. A union of literals (`kind` is one of some words) fails with one error per word and
 * one for the union: they become one error naming the words allowed. Each rule goes with its limit (`rule`,
 * `limit`, `expected`, `allowed`), so the message says why in the reader's language (rule-reasons.ts).
 */
export function ajvToFieldErrors(errors: ErrorObject[], context: string): FieldError[] {
  const base = `/${PART[context] ?? context}`;
  const unions = new Map<string, unknown[]>();
  for (const e of errors) {
    if (e.keyword !== 'anyOf' && e.keyword !== 'oneOf') continue;
    const here = errors.filter((x) => x.instancePath === e.instancePath && x !== e);
    const allowed = here.flatMap(allowedValues);
    if (allowed.length && here.every((x) => ['const', 'enum', 'type', 'anyOf', 'oneOf'].includes(x.keyword)))
      unions.set(e.instancePath, allowed);
  }
  const out: FieldError[] = [];
  const done = new Set<string>();
  for (const e of errors) {
    if (e.keyword === 'required') {
      const field = (e.params as { missingProperty: string }).missingProperty;
      out.push({ pointer: `${base}${e.instancePath}/${field}`, code: 'field.required', params: { field } });
      continue;
    }
    if (e.keyword === 'additionalProperties') {
      const field = (e.params as { additionalProperty: string }).additionalProperty;
      out.push({ pointer: `${base}${e.instancePath}/${field}`, code: 'field.unknown', params: { field } });
      continue;
    }
    const field = e.instancePath.split('/').pop() || context;
    const union = unions.get(e.instancePath);
    if (union) {
      if (done.has(e.instancePath)) continue;
      done.add(e.instancePath);
      const allowed = listed(union);
      out.push({
        pointer: `${base}${e.instancePath}`,
        code: 'field.invalid',
        params: { field, reason: `must be one of ${allowed}`, rule: 'oneOf', allowed },
      });
      continue;
    }
    out.push({
      pointer: `${base}${e.instancePath}`,
      code: 'field.invalid',
      params: { field, reason: e.message ?? e.keyword, ...ruleOf(e) },
    });
  }
  return out;
}

/** The values a `const` or `enum` error allows (none for any other error). */
function allowedValues(e: ErrorObject): unknown[] {
  if (e.keyword === 'const') return [(e.params as { allowedValue: unknown }).allowedValue];
  if (e.keyword === 'enum') return (e.params as { allowedValues: unknown[] }).allowedValues;
  return [];
}

/** Allowed values as a message shows them: each as JSON, once, in order. */
const listed = (values: unknown[]) => [...new Set(values.map((v) => JSON.stringify(v)))].join(', ');

/** The rule an error broke and its limit, for rule-reasons.ts. */
function ruleOf(e: ErrorObject): Record<string, unknown> {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'type':
      return { rule: 'type', expected: Array.isArray(p.type) ? p.type.join(',') : p.type };
    case 'format':
      return { rule: 'format', expected: p.format };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
    case 'minLength':
    case 'maxLength':
    case 'minItems':
    case 'maxItems':
      return { rule: e.keyword, limit: p.limit };
    case 'multipleOf':
      return { rule: 'multipleOf', limit: p.multipleOf };
    case 'uniqueItems':
    case 'pattern':
      return { rule: e.keyword };
    case 'const':
    case 'enum':
      return { rule: 'oneOf', allowed: listed(allowedValues(e)) };
    default:
      return {};
  }
}
