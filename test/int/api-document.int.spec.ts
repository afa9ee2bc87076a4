import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, startTestServer, type TestServer } from '../support/app.ts';

/**
 * The OpenAPI document an integrator reads (/api/docs/json) says what a refusal looks like, and the server's
 * refusals look like that: problem+json with a stable code and, for fields, entries with pointers.
 */
let server: TestServer;
let doc: {
  components: { schemas: Record<string, unknown> };
  paths: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }> }>>;
};
let isProblem: ValidateFunction;

beforeAll(async () => {
  server = await startTestServer();
  doc = await (await fetch(`${server.baseUrl}/api/docs/json`)).json();
  const ajv = new Ajv.default({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema({ components: doc.components }, 'doc');
  isProblem = ajv.compile({ $ref: 'doc#/components/schemas/Problem' });
});
afterAll(async () => server?.close());

async function refusal(path: string, init: RequestInit = {}): Promise<{ status: number; type: string | null; body: unknown }> {
  const r = await fetch(`${server.baseUrl}${path}`, init);
  return { status: r.status, type: r.headers.get('content-type'), body: await r.json() };
}

describe('the API document', () => {
  it('names problem+json as the refusal of every operation it documents', () => {
    const operations = Object.values(doc.paths).flatMap((item) => Object.values(item));
    expect(operations.length).toBeGreaterThan(100);
    for (const op of operations) {
      for (const status of ['4XX', '5XX']) {
        expect(op.responses?.[status]?.content?.['application/problem+json']?.schema?.$ref).toBe('#/components/schemas/Problem');
      }
    }
    const entry = doc.components.schemas.ProblemError as { required: string[]; properties: Record<string, unknown> };
    expect(entry.required).toEqual(['pointer', 'code', 'detail']);
    // the machine members some entries carry are named
    expect(Object.keys(entry.properties)).toEqual(expect.arrayContaining(['holder', 'addressee', 'epc', 'store', 'redeemedAt']));
  });

  it('describes what the server sends: a field refusal, a missing login, an unknown record, in both languages', async () => {
    const token = await loginAs(server.baseUrl, 'admin');
    const field = await refusal('/api/v1/products', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'accept-language': 'en' },
      body: JSON.stringify({ sku: 'DOC-1', name: 'x', gtin: '06901234567891' }),
    });
    expect(field.status).toBe(400);
    expect(field.type).toContain('application/problem+json');
    expect((field.body as { errors?: { pointer: string }[] }).errors?.length).toBeGreaterThan(0);
    const unauthenticated = await refusal('/api/v1/orders');
    expect(unauthenticated.status).toBe(401);
    const missing = await refusal('/api/v1/orders/999999999', { headers: { authorization: `Bearer ${token}` } });
    expect(missing.status).toBe(404);
    for (const r of [field, unauthenticated, missing]) {
      expect(isProblem(r.body), JSON.stringify(isProblem.errors)).toBe(true);
    }
    // the document's shape is not vacuous: a body without a code is not a Problem
    expect(isProblem({ type: 'x', title: 'x', status: 400, detail: 'x' })).toBe(false);
    expect(isProblem({ ...(field.body as object), errors: [{ pointer: '/body/gtin' }] })).toBe(false);
  });
});
