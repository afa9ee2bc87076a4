/**
 * An A4 sample sheet of labels (SVG, millimetre units): per code, a QR code of the GS1 Digital Link URI and a GS1
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

export function labelSheetSvg(o: LabelSheetOptions): string {
  assertGtin14(o.gtin);
  if (!hasValidCheckDigit(o.gtin)) throw new RangeError(`GTIN ${o.gtin}: bad check digit`);
  checkResolverHost(o.resolverHost);
  const g = geometry(o, o.title !== undefined);
  const capacity = g.columns * g.rows;
  if (o.codes.length > capacity) throw new RangeError(`${o.codes.length} codes do not fit on one sheet (${capacity} do)`);
  const top = g.margin + (o.title !== undefined ? TITLE_H : 0);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${PAGE_W}mm" height="${PAGE_H}mm" viewBox="0 0 ${PAGE_W} ${PAGE_H}">`,
    `<rect width="${PAGE_W}" height="${PAGE_H}" fill="#fff"/>`,
  ];
  if (o.title !== undefined) {
    parts.push(`<text x="${mm(g.margin)}" y="${mm(g.margin + 5)}" font-family="sans-serif" font-size="4">${xml(o.title)}</text>`);
  }
  o.codes.forEach((code, k) => {
    const serial = typeof code === 'string' ? code : code.serial;
    if (!/^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}$/.test(serial))
      throw new RangeError(`not a GS1 serial (AI 21): ${JSON.stringify(serial)}`);
    const x = g.margin + (k % g.columns) * (g.cellW + g.gap);
    const y = top + Math.floor(k / g.columns) * (g.cellH + g.gap);
    const uri = `https://${o.resolverHost}/01/${o.gtin}/21/${encodeURIComponent(serial)}`;
    // error correction M (the default); scale 1 = 2 units a module; padding = quiet zone (QR 4 modules, DataMatrix 2)
    const qr = toSVG({ bcid: 'qrcode', text: uri, scale: 1, paddingwidth: 8, paddingheight: 8 });
    const dm = toSVG({ bcid: 'gs1datamatrix', text: `(01)${o.gtin}(21)${serial}`, scale: 1, paddingwidth: 4, paddingheight: 4 });
    const dmX = x + g.symbol + g.gap;
    const textY = y + g.symbol + TEXT_H - 1;
    const font = Math.min(FONT_MM, g.symbol / (serial.length * 0.62));
    const label = (cx: number) =>
      `<text x="${mm(cx)}" y="${mm(textY)}" text-anchor="middle" font-family="monospace" font-size="${mm(font)}">${xml(serial)}</text>`;
    parts.push(
      `<g class="label">`,
      `<rect x="${mm(x - 1)}" y="${mm(y - 1)}" width="${mm(g.cellW + 2)}" height="${mm(g.cellH + 2)}" rx="1" fill="none" stroke="#bbb" stroke-width="0.2"/>`,
      place(qr, x, y, g.symbol, 'qr', serial),
      place(dm, dmX, y, g.symbol, 'datamatrix', serial),
      label(x + g.symbol / 2),
      label(dmX + g.symbol / 2),
      '</g>',
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}
