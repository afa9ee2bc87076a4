import { BlobReader, TextWriter, ZipReader } from '@zip.js/zip.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issuedCodes } from '../../src/modules/codes/batches.ts';
import { Keystore } from '../../src/modules/codes/keystore.ts';
import { loginAs, startTestServer, type TestServer } from '../support/app.ts';
import { forgedSerial } from '../support/codes.ts';
import { readPdf } from '../support/pdf.ts';

const GTIN = '06901234001013';
let server: TestServer;
let token: string;
let tenantId: number;

beforeAll(async () => {
  server = await startTestServer();
  token = await loginAs(server.baseUrl, 'admin');
  const [t] = await server.db.sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
  tenantId = Number(t?.id);
});
afterAll(async () => server?.close());

async function api(method: string, path: string, body?: unknown) {
  return fetch(`${server.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function lines(zip: Blob, password?: string): Promise<string[]> {
  const reader = new ZipReader(new BlobReader(zip), password ? { password } : {});
  const [entry] = await reader.getEntries();
  const text = await (entry as unknown as { getData(w: TextWriter): Promise<string> }).getData(new TextWriter());
  await reader.close();
  return text.trim().split('\n');
}

describe('code batches', () => {
  let batch: { id: number; gtin: string; batchNo: number; quantity: number; resolver: string };

  it('creates a batch of codes for a GTIN as one row, numbered per GTIN', async () => {
    const r = await api('POST', '/api/v1/code-batches', { gtin: GTIN, quantity: 1000, note: 'line 3' });
    expect(r.status).toBe(201);
    batch = await r.json();
    expect(batch).toMatchObject({ gtin: GTIN, quantity: 1000 });
    const second = await (await api('POST', '/api/v1/code-batches', { gtin: GTIN, quantity: 10 })).json();
    expect(second.batchNo).toBe(batch.batchNo + 1);
    const [rows] = await server.db.sql<{ n: number }[]>`select count(*)::int as n from code_batches where tenant_id = ${tenantId}`;
    expect(rows?.n).toBe(2);
  });

  it('refuses a GTIN with a wrong check digit, an unknown GTIN and a zero quantity, writing nothing', async () => {
    for (const [body, pointer] of [
      [{ gtin: '06901234001014', quantity: 5 }, '/body/gtin'],
      [{ gtin: '00000000000000', quantity: 5 }, '/body/gtin'],
      [{ gtin: GTIN, quantity: 0 }, '/body/quantity'],
    ] as const) {
      const r = await api('POST', '/api/v1/code-batches', body);
      expect(r.status).toBe(400);
      expect(((await r.json()) as { errors: { pointer: string }[] }).errors[0]?.pointer).toBe(pointer);
    }
    const [rows] = await server.db.sql<{ n: number }[]>`select count(*)::int as n from code_batches where tenant_id = ${tenantId}`;
    expect(rows?.n).toBe(2);
  });

  it('streams the print file: a line per code with the Digital Link URI, the serial and the verification code', async () => {
    const r = await api('POST', `/api/v1/code-batches/${batch.id}/print-file`, {});
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/zip');
    const all = await lines(await r.blob());
    expect(all[0]).toBe('uri,serial,verification_code');
    expect(all).toHaveLength(1001);
    const [uri, serial, code] = (all[1] as string).split(',');
    expect(uri).toBe(`https://${batch.resolver}/01/${GTIN}/21/${serial}`);
    expect(code).toMatch(/^\d{8}$/);
    expect(new Set(all.slice(1).map((l) => l.split(',')[1])).size).toBe(1000);
  });

  it('encrypts the print file with a password', async () => {
    const r = await api('POST', `/api/v1/code-batches/${batch.id}/print-file`, { password: 'correct horse battery' });
    const zip = await r.blob();
    expect(await lines(zip, 'correct horse battery')).toHaveLength(1001);
    await expect(lines(zip, 'wrong password!')).rejects.toThrow();
  });

  it('traces a printed serial back to its batch and index, and rejects forged ones', async () => {
    const r = await api('POST', `/api/v1/code-batches/${batch.id}/print-file`, {});
    const serials = (await lines(await r.blob())).slice(1, 6).map((l) => l.split(',')[1] as string);
    const forged = forgedSerial(serials[0] as string);
    const keystore = new Keystore(Buffer.from((await import('node:fs')).readFileSync('.data/master.key', 'utf8'), 'base64'));
    const found = await issuedCodes(server.db.sql, keystore, tenantId, GTIN, [...serials, forged, 'NOT-A-SERIAL']);
    expect(found.slice(0, 5).map((f) => [f.batchId, f.decoded?.index])).toEqual(serials.map((_, i) => [batch.id, i]));
    expect(found[5]?.decoded).toBeNull();
    expect(found[6]?.decoded).toBeNull();
  });

  it('draws a sample sheet with a QR code and a GS1 DataMatrix per label', async () => {
    const r = await api('GET', `/api/v1/code-batches/${batch.id}/label-sheet.svg?count=8`);
    expect(r.headers.get('content-type')).toContain('image/svg+xml');
    const svg = await r.text();
    expect(svg.startsWith('<svg') || svg.startsWith('<?xml')).toBe(true);
  });

  it('gives the sample sheet as a PDF too: the same first serials, one A4 page per sheet of 36', async () => {
    const svg = await (await api('GET', `/api/v1/code-batches/${batch.id}/label-sheet?count=8&format=svg`)).text();
    const serials = [...svg.matchAll(/class="qr" data-serial="([^"]+)"/g)].map((m) => m[1]);
    expect(serials).toHaveLength(8);

    const r = await api('GET', `/api/v1/code-batches/${batch.id}/label-sheet?count=8&format=pdf`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/pdf');
    expect(r.headers.get('content-disposition')).toBe(`inline; filename="labels-${GTIN}-${batch.batchNo}.pdf"`);
    const bytes = new Uint8Array(await r.arrayBuffer());
    expect(Buffer.from(bytes.subarray(0, 5)).toString()).toBe('%PDF-');
    expect(bytes.byteLength).toBeGreaterThan(5_000);
    expect(bytes.byteLength).toBeLessThan(500_000);
    const doc = readPdf(bytes);
    expect(doc.pages).toEqual([{ widthPt: 595.28, heightPt: 841.89 }]);
    expect(doc.texts[0]).toContain(`GTIN ${GTIN}`);
    expect(doc.texts.slice(1)).toEqual(serials.flatMap((s) => [s, s]));

    // 80 labels: three sheets; the Accept header chooses PDF when there is no format
    const many = await fetch(`${server.baseUrl}/api/v1/code-batches/${batch.id}/label-sheet?count=80`, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/pdf' },
    });
    expect(many.headers.get('content-type')).toBe('application/pdf');
    const big = readPdf(new Uint8Array(await many.arrayBuffer()));
    expect(big.pages).toHaveLength(3);
    expect(big.texts.filter((t) => !t.includes('GTIN'))).toHaveLength(160);

    // without format or Accept: the SVG, as before
    const plain = await api('GET', `/api/v1/code-batches/${batch.id}/label-sheet?count=2`);
    expect(plain.headers.get('content-type')).toContain('image/svg+xml');
    const bad = await api('GET', `/api/v1/code-batches/${batch.id}/label-sheet?format=png`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: { pointer: string }[] }).errors[0]?.pointer).toBe('/query/format');
    expect((await api('GET', '/api/v1/code-batches/999999/label-sheet?format=pdf')).status).toBe(404);
  });
});
