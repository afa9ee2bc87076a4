/**
 * An A4 sample sheet of labels (SVG, millimetre units; the PDF in label-sheet-pdf.ts has the same layout): per code, a QR code of the GS1 Digital Link URI and a GS1
 * DataMatrix of the element string (01){gtin}(21){serial}, each with the serial in clear under it. For checking a
 * printer set-up and scanners before a run, not for production printing (that is the print file's job).
 */
import { toSVG } from 'bwip-js';
import { hasValidCheckDigit } from '../../platform/gs1.ts';
import { assertGtin14 } from './keys.ts';
import { checkResolverHost } from './print-lines.ts';

export interface LabelSheetLayout {
  /** Labels per row. Default 4. */
  columns: number;
  /** Page margin in mm. Default 10. */
  marginMm: number;
  /** Space between labels in mm. Default 4. */
  gapMm: number;
}

export interface LabelSheetOptions extends Partial<LabelSheetLayout> {
  /** GTIN-14. */
  gtin: string;
  resolverHost: string;
  /** The codes, in order; at most {@link labelSheetCapacity} of them. */
  codes: readonly (string | { serial: string })[];
  /** A line of text at the top of the page (e.g. product and batch). */
  title?: string;
}

const PAGE_W = 210;
const PAGE_H = 297;
const TITLE_H = 8;
const TEXT_H = 4;
/** Largest font size of the serials in mm; smaller when needed to fit under a symbol (monospace, ~0.6 em a character). */
const FONT_MM = 2.4;

interface Geometry {
  columns: number;
  rows: number;
  margin: number;
  gap: number;
  cellW: number;
  cellH: number;
  symbol: number;
}

function geometry(o: Partial<LabelSheetLayout>, title: boolean): Geometry {
  const columns = o.columns ?? 4;
  const margin = o.marginMm ?? 10;
  const gap = o.gapMm ?? 4;
  if (!Number.isInteger(columns) || columns < 1 || columns > 12) throw new RangeError('columns: 1..12');
  if (!(margin >= 0 && margin <= 40) || !(gap >= 0 && gap <= 20)) throw new RangeError('margin 0..40 mm, gap 0..20 mm');
  const cellW = (PAGE_W - 2 * margin - (columns - 1) * gap) / columns;
  // two square symbols side by side, each with its serial underneath
  const symbol = (cellW - gap) / 2;
  if (symbol < 8) throw new RangeError('labels too small: fewer columns or a smaller margin');
  const cellH = symbol + TEXT_H;
  const usable = PAGE_H - 2 * margin - (title ? TITLE_H : 0);
  const rows = Math.max(0, Math.floor((usable + gap) / (cellH + gap)));
  return { columns, rows, margin, gap, cellW, cellH, symbol };
}

/** How many labels fit on one sheet with these settings. */
export function labelSheetCapacity(o: Partial<LabelSheetLayout> & { title?: string } = {}): number {
  const g = geometry(o, o.title !== undefined);
  return g.columns * g.rows;
}

function xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const mm = (v: number) => (Math.round(v * 100) / 100).toString();

/** bwip-js's SVG placed at (x, y) in a size x size box, tagged with a class. */
function place(svg: string, x: number, y: number, size: number, cls: string, serial: string): string {
  const open = /^<svg\b[^>]*\bviewBox="([^"]+)"[^>]*>/.exec(svg);
  if (!open) throw new Error('unexpected SVG from bwip-js');
  const attrs = `class="${cls}" data-serial="${xml(serial)}" x="${mm(x)}" y="${mm(y)}" width="${mm(size)}" height="${mm(size)}"`;
  return `<svg ${attrs} viewBox="${open[1]}">${svg.slice(open[0].length)}`;
}

/** One label on a sheet, in millimetres from the page's top left corner. */
export interface PlacedLabel {
  serial: string;
  /** the QR code's content: the GS1 Digital Link URI */
  uri: string;
  /** the GS1 DataMatrix's content, as a bracketed element string */
  elementString: string;
  /** the label's frame */
  x: number;
  y: number;
  width: number;
  height: number;
  /** the two square symbols, side by side, `symbol` mm wide */
  qrX: number;
  dmX: number;
  symbolY: number;
  symbol: number;
  /** the serial in clear under each symbol: baseline and font size (monospace) */
  textY: number;
  fontMm: number;
}

export interface SheetLayout {
  widthMm: number;
  heightMm: number;
  /** the title's left edge and baseline, when there is a title */
  title: { text: string; x: number; y: number; fontMm: number } | null;
  labels: PlacedLabel[];
}

/**
 * Where everything goes on one A4 sheet (shared by the SVG and the PDF, so both look the same): checks the GTIN,
 * the resolver host and each serial, and that the codes fit on one sheet.
 */
export function layoutSheet(o: LabelSheetOptions): SheetLayout {
  assertGtin14(o.gtin);
  if (!hasValidCheckDigit(o.gtin)) throw new RangeError(`GTIN ${o.gtin}: bad check digit`);
  checkResolverHost(o.resolverHost);
  const g = geometry(o, o.title !== undefined);
  const capacity = g.columns * g.rows;
  if (o.codes.length > capacity) throw new RangeError(`${o.codes.length} codes do not fit on one sheet (${capacity} do)`);
  const top = g.margin + (o.title !== undefined ? TITLE_H : 0);
  const labels = o.codes.map((code, k): PlacedLabel => {
    const serial = typeof code === 'string' ? code : code.serial;
    if (!/^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}$/.test(serial))
      throw new RangeError(`not a GS1 serial (AI 21): ${JSON.stringify(serial)}`);
    const x = g.margin + (k % g.columns) * (g.cellW + g.gap);
    const y = top + Math.floor(k / g.columns) * (g.cellH + g.gap);
    return {
      serial,
      uri: `https://${o.resolverHost}/01/${o.gtin}/21/${encodeURIComponent(serial)}`,
      elementString: `(01)${o.gtin}(21)${serial}`,
      x: x - 1,
      y: y - 1,
      width: g.cellW + 2,
      height: g.cellH + 2,
      qrX: x,
      dmX: x + g.symbol + g.gap,
      symbolY: y,
      symbol: g.symbol,
      textY: y + g.symbol + TEXT_H - 1,
      fontMm: Math.min(FONT_MM, g.symbol / (serial.length * 0.62)),
    };
  });
  return {
    widthMm: PAGE_W,
    heightMm: PAGE_H,
    title: o.title === undefined ? null : { text: o.title, x: g.margin, y: g.margin + 5, fontMm: 4 },
    labels,
  };
}

/** The symbols of a label as bwip-js draws them (SVG, 2 units a module, with the quiet zones). */
export function labelSymbols(label: PlacedLabel): { qr: string; dataMatrix: string } {
  // error correction M (the default); scale 1 = 2 units a module; padding = quiet zone (QR 4 modules, DataMatrix 2)
  return {
    qr: toSVG({ bcid: 'qrcode', text: label.uri, scale: 1, paddingwidth: 8, paddingheight: 8 }),
    dataMatrix: toSVG({ bcid: 'gs1datamatrix', text: label.elementString, scale: 1, paddingwidth: 4, paddingheight: 4 }),
  };
}

export function labelSheetSvg(o: LabelSheetOptions): string {
  const sheet = layoutSheet(o);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${PAGE_W}mm" height="${PAGE_H}mm" viewBox="0 0 ${PAGE_W} ${PAGE_H}">`,
    `<rect width="${PAGE_W}" height="${PAGE_H}" fill="#fff"/>`,
  ];
  if (sheet.title) {
    const t = sheet.title;
    parts.push(`<text x="${mm(t.x)}" y="${mm(t.y)}" font-family="sans-serif" font-size="${mm(t.fontMm)}">${xml(t.text)}</text>`);
  }
  for (const l of sheet.labels) {
    const { qr, dataMatrix } = labelSymbols(l);
    const label = (cx: number) =>
      `<text x="${mm(cx)}" y="${mm(l.textY)}" text-anchor="middle" font-family="monospace" font-size="${mm(l.fontMm)}">${xml(l.serial)}</text>`;
    parts.push(
      `<g class="label">`,
      `<rect x="${mm(l.x)}" y="${mm(l.y)}" width="${mm(l.width)}" height="${mm(l.height)}" rx="1" fill="none" stroke="#bbb" stroke-width="0.2"/>`,
      place(qr, l.qrX, l.symbolY, l.symbol, 'qr', l.serial),
      place(dataMatrix, l.dmX, l.symbolY, l.symbol, 'datamatrix', l.serial),
      label(l.qrX + l.symbol / 2),
      label(l.dmX + l.symbol / 2),
      '</g>',
    );
  }
  parts.push('</svg>');
  return parts.join('\n');
}
