/**
 * The sample sheet of labels as a PDF: the same A4 layout as the SVG (label-sheet.ts), one page per sheet. The QR
 * code and the GS1 DataMatrix are bwip-js's own vector paths, drawn by pdfkit (no raster, no SVG interpreter); the
 * serials are in Courier and the title in Helvetica, PDF standard fonts that need no embedding (so the title must be
 * Latin text: pdfkit writes the standard fonts in WinAnsi).
 */
import PDFDocument from 'pdfkit';
import { type LabelSheetOptions, labelSheetCapacity, labelSymbols, layoutSheet } from './label-sheet.ts';

/** pdfkit works in points; the layout is in millimetres. */
const PT_PER_MM = 72 / 25.4;

export interface LabelSheetPdfOptions extends Omit<LabelSheetOptions, 'codes'> {
  /** The codes, in order; a new page starts whenever a sheet is full. */
  codes: readonly (string | { serial: string })[];
  /** Shown in the PDF's document properties. */
  subject?: string;
}

/** Draws the paths of a bwip-js SVG into the size x size box at (x, y) of the current (millimetre) space. */
function drawSymbol(doc: PDFKit.PDFDocument, svg: string, x: number, y: number, size: number): void {
  const box = /^<svg\b[^>]*\bviewBox="0 0 ([\d.]+) ([\d.]+)"/.exec(svg);
  if (!box) throw new Error('unexpected SVG from bwip-js');
  const paths = [...svg.matchAll(/<path\b([^>]*)\/?>/g)].map((m) => {
    const attrs = m[1] ?? '';
    const d = /\bd="([^"]*)"/.exec(attrs)?.[1];
    if (!d) throw new Error('unexpected SVG path from bwip-js');
    return { d, evenOdd: /\bfill-rule="evenodd"/.test(attrs) };
  });
  // bwip-js draws the dark modules as one path; anything else (text, images, fills) would be lost here
  if (!paths.length || /<(?!\/?(svg|path)\b)[a-z]/i.test(svg)) throw new Error('unexpected SVG elements from bwip-js');
  doc.save();
  doc.translate(x, y).scale(size / Number(box[1]), size / Number(box[2]));
  for (const p of paths) doc.path(p.d).fill('black', p.evenOdd ? 'even-odd' : 'non-zero');
  doc.restore();
}

/** The Latin-1 text pdfkit can write with a standard font (other characters are dropped). */
function latin(text: string): string {
  return text
    .replace(/[^\u0020-\u007e\u00a0-\u00ff]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The sheets as one PDF (A4, portrait), one page per sheet of {@link labelSheetCapacity} labels. */
export async function labelSheetPdf(o: LabelSheetPdfOptions): Promise<Buffer> {
  const title = o.title === undefined ? undefined : latin(o.title);
  const perSheet = labelSheetCapacity({ ...o, title });
  const sheets: (typeof o.codes)[] = [];
  for (let i = 0; i < o.codes.length; i += perSheet) sheets.push(o.codes.slice(i, i + perSheet));
  if (!sheets.length) sheets.push([]);
  // lay every sheet out first: a bad serial or GTIN throws before anything is written
  const layouts = sheets.map((codes) => layoutSheet({ ...o, title, codes }));

  const doc = new PDFDocument({
    size: 'A4',
    margin: 0,
    autoFirstPage: false,
    compress: true,
    info: { Title: title || 'Label sheet', Subject: o.subject ?? '', Creator: 'Throughline', Producer: 'Throughline (pdfkit)' },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  try {
    for (const [n, sheet] of layouts.entries()) {
      doc.addPage();
      doc.save();
      doc.scale(PT_PER_MM);
      if (sheet.title) {
        const page = layouts.length > 1 ? `  (${n + 1}/${layouts.length})` : '';
        doc
          .font('Helvetica')
          .fontSize(sheet.title.fontMm)
          .fillColor('black')
          .text(`${sheet.title.text}${page}`, sheet.title.x, sheet.title.y, { baseline: 'alphabetic', lineBreak: false });
      }
      for (const l of sheet.labels) {
        doc.roundedRect(l.x, l.y, l.width, l.height, 1).lineWidth(0.2).strokeColor('#bbbbbb').stroke();
        const { qr, dataMatrix } = labelSymbols(l);
        drawSymbol(doc, qr, l.qrX, l.symbolY, l.symbol);
        drawSymbol(doc, dataMatrix, l.dmX, l.symbolY, l.symbol);
        doc.font('Courier').fontSize(l.fontMm).fillColor('black');
        for (const left of [l.qrX, l.dmX]) {
          doc.text(l.serial, left, l.textY, { width: l.symbol, align: 'center', baseline: 'alphabetic', lineBreak: false });
        }
      }
      doc.restore();
    }
  } catch (e) {
    doc.end();
    throw e;
  }
  doc.end();
  return done;
}
