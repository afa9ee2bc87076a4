import { describe, expect, it } from 'vitest';
import { generateTenantKeys, labelSheetCapacity, labelSheetPdf, layoutSheet, serialsFor } from '../../src/modules/codes/index.ts';
import { readPdf } from '../support/pdf.ts';

const GTIN = '06901234567892';
const HOST = 'id.example.cn';
const keys = generateTenantKeys();
const batch = { gtin: GTIN, keyVersion: 0, batchNo: 7 };
const A4 = { widthPt: 595.28, heightPt: 841.89 };

describe('label sheet as PDF', () => {
  it('is an A4 PDF with each serial in clear under both symbols, on one page when the codes fit one sheet', async () => {
    const codes = serialsFor(keys, batch, 0, 10);
    const pdf = await labelSheetPdf({ gtin: GTIN, resolverHost: HOST, codes, title: 'Pure milk · GTIN 06901234567892 · batch #7' });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const doc = readPdf(pdf);
    expect(doc.pages).toEqual([A4]);
    expect(doc.texts[0]).toBe('Pure milk · GTIN 06901234567892 · batch #7');
    // twice each (under the QR code and under the DataMatrix), in order
    expect(doc.texts.slice(1)).toEqual(codes.flatMap((s) => [s, s]));
  });

  it('starts a new page for each full sheet, with the same places as the SVG', async () => {
    const capacity = labelSheetCapacity({ title: 'x' });
    const codes = serialsFor(keys, batch, 0, capacity * 2 + 3);
    const doc = readPdf(await labelSheetPdf({ gtin: GTIN, resolverHost: HOST, codes, title: 'x' }));
    expect(doc.pages).toEqual([A4, A4, A4]);
    expect(doc.texts.filter((t) => t.startsWith('x  ('))).toEqual(['x  (1/3)', 'x  (2/3)', 'x  (3/3)']);
    expect(doc.texts.filter((t) => !t.startsWith('x  ('))).toEqual(codes.flatMap((s) => [s, s]));
    const sheet = layoutSheet({ gtin: GTIN, resolverHost: HOST, codes: codes.slice(0, 2), title: 'x' });
    expect(sheet.labels[0]?.uri).toBe(`https://${HOST}/01/${GTIN}/21/${codes[0]}`);
    expect(sheet.labels[1]?.elementString).toBe(`(01)${GTIN}(21)${codes[1]}`);
  });

  it('keeps the title to the Latin text its standard fonts can write', async () => {
    const doc = readPdf(await labelSheetPdf({ gtin: GTIN, resolverHost: HOST, codes: ['A1'], title: '纯牛奶 Pure milk 250 mL' }));
    expect(doc.texts[0]).toBe('Pure milk 250 mL');
  });

  it('refuses a bad GTIN or serial before writing anything', async () => {
    await expect(labelSheetPdf({ gtin: '06901234567891', resolverHost: HOST, codes: ['A1'] })).rejects.toThrow(/check digit/);
    await expect(labelSheetPdf({ gtin: GTIN, resolverHost: HOST, codes: ['A1', 'not ok'] })).rejects.toThrow(/not a GS1 serial/);
  });
});
