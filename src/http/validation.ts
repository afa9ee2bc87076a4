import Ajv, { type ErrorObject } from 'ajv';
import type { FastifyInstance, FastifySchema } from 'fastify';
import type { FieldError } from './problem.ts';

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
