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

export function ajvToFieldErrors(errors: ErrorObject[], context: string): FieldError[] {
  const base = `/${PART[context] ?? context}`;
  return errors.map((e) => {
    if (e.keyword === 'required') {
      const field = (e.params as { missingProperty: string }).missingProperty;
      return { pointer: `${base}${e.instancePath}/${field}`, code: 'field.required', params: { field } };
    }
    if (e.keyword === 'additionalProperties') {
      const field = (e.params as { additionalProperty: string }).additionalProperty;
      return { pointer: `${base}${e.instancePath}/${field}`, code: 'field.unknown', params: { field } };
    }
    const field = e.instancePath.split('/').pop() || context;
    return { pointer: `${base}${e.instancePath}`, code: 'field.invalid', params: { field, reason: e.message ?? e.keyword } };
  });
}
