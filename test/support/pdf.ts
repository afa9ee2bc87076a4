import zlib from 'node:zlib';

/**
 * Just enough of a PDF reader for tests of the PDFs we write with pdfkit: the pages with their sizes, and the text
 * each page shows (standard fonts, written as hex strings in TJ arrays inside Flate-compressed content streams).
 */
export interface PdfSummary {
  version: string;
  pages: { widthPt: number; heightPt: number }[];
  /** the strings shown, in content-stream order, one entry per TJ/Tj */
  texts: string[];
}

export function readPdf(bytes: Uint8Array): PdfSummary {
  const buf = Buffer.from(bytes);
  const s = buf.toString('latin1');
  const version = /^%PDF-(\d\.\d)/.exec(s)?.[1];
  if (!version) throw new Error('not a PDF: no %PDF- header');
  if (!/%%EOF\s*$/.test(s)) throw new Error('not a complete PDF: no %%EOF at the end');
  const pages = [...s.matchAll(/\/Type \/Page\b(?!s)[\s\S]*?\/MediaBox \[([\d.\s-]+)\]/g)].map((m) => {
    const [x0, y0, x1, y1] = (m[1] ?? '').trim().split(/\s+/).map(Number) as [number, number, number, number];
    return { widthPt: x1 - x0, heightPt: y1 - y0 };
  });
  const texts: string[] = [];
  for (const m of s.matchAll(/stream\r?\n/g)) {
    const start = m.index + m[0].length;
    const end = s.indexOf('endstream', start);
    let content: string;
    try {
      content = zlib.inflateSync(buf.subarray(start, end)).toString('latin1');
    } catch {
      continue; // not a Flate stream (a font, an image)
    }
    for (const t of content.matchAll(/\[((?:<[0-9a-fA-F]*>|[-\d.\s])*)\]\s*TJ|<([0-9a-fA-F]*)>\s*Tj/g)) {
      const hex = t[1] ? [...t[1].matchAll(/<([0-9a-fA-F]*)>/g)].map((h) => h[1]).join('') : (t[2] ?? '');
      texts.push(Buffer.from(hex, 'hex').toString('latin1'));
    }
  }
  return { version, pages, texts };
}
