/**
 * What the OpenAPI document says about refusals. Every refusal is RFC 9457 problem+json (problem.ts) with a stable
 * `code` and, for a field, `errors` entries with a JSON pointer; an integrator needs that shape in the document, not
 * only in the README. The routes do not declare their 4xx bodies (a response schema would also make Fastify serialize
 * refusals through it, dropping the machine members an entry may carry), so the document is completed here, once,
 * when @fastify/swagger builds it.
 */

/** Members some error entries carry beside pointer, code and detail, for machines (FieldError.members). */
const ENTRY_MEMBERS: Record<string, { type: string; format?: string; description: string }> = {
  holder: {
    type: 'object',
    description:
      'who holds the unit a scan was refused for (code.not_held, receive.not_shipped, sell.not_delivered_here): {code, name}, or {outsideScope: true} when the caller may not see that party',
  },
  addressee: {
    type: 'object',
    description: 'whom the unit was shipped to (receive.not_for_you): {code, name}, or {outsideScope: true}',
  },
  epc: { type: 'string', description: 'the unit the entry is about, in canonical GS1 Digital Link form (channel.no_ticket)' },
  store: { type: 'string', description: 'the store that already redeemed a "one more" prize (channel.ticket_redeemed)' },
  redeemedAt: { type: 'string', format: 'date-time', description: 'when that store redeemed it' },
};

const PROBLEM_ERROR = {
  type: 'object',
  required: ['pointer', 'code', 'detail'],
  additionalProperties: true,
  properties: {
    pointer: { type: 'string', description: 'RFC 6901 JSON pointer into the request: /body/lines/2/qty, /query/page, /params/id' },
    code: { type: 'string', description: "stable code of this field's reason, e.g. field.required, gtin.check_digit" },
    detail: { type: 'string', description: "the reason in the caller's language (Accept-Language: zh-CN by default, en)" },
    ...ENTRY_MEMBERS,
  },
};

const PROBLEM = {
  type: 'object',
  required: ['type', 'title', 'status', 'code', 'detail'],
  additionalProperties: true,
  description:
    "A refusal (RFC 9457). `code` is the contract; `title` and `detail` are in the caller's language and may change. " +
    'Nothing was changed by a refused request.',
  properties: {
    type: { type: 'string', format: 'uri', description: 'https://throughline.dev/problems/{code}' },
    title: { type: 'string' },
    status: { type: 'integer' },
    code: { type: 'string', description: 'stable code, e.g. request.invalid, auth.required, access.denied, order.credit_exceeded' },
    detail: { type: 'string' },
    instance: { type: 'string', description: 'the request path' },
    errors: { type: 'array', items: { $ref: '#/components/schemas/ProblemError' } },
  },
};

const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

type OpenApiObject = { components?: { schemas?: object }; paths?: object };

const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options']);

/** The document with the Problem schema and, on every operation, its 4XX and 5XX answers (those it does not name). */
export function withProblems<T extends OpenApiObject>(doc: T): T {
  doc.components ??= {};
  doc.components.schemas = { ...doc.components.schemas, Problem: PROBLEM, ProblemError: PROBLEM_ERROR };
  for (const item of Object.values(doc.paths ?? {}) as Record<string, unknown>[]) {
    for (const [method, op] of Object.entries(item ?? {})) {
      if (!METHODS.has(method) || typeof op !== 'object' || op === null) continue;
      const operation = op as { responses?: Record<string, unknown> };
      operation.responses ??= {};
      operation.responses['4XX'] ??= problemResponse('Refused: problem+json with a stable code (and errors with pointers for fields)');
      operation.responses['5XX'] ??= problemResponse('Failed or unavailable: problem+json; a retry with the same Idempotency-Key is safe');
    }
  }
  return doc;
}
