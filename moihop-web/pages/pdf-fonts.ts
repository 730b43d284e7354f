// The fonts of the PDFs the website makes (register book, attendance sheet): DejaVu, embedded, which has every
// Vietnamese glyph. Registered as 'regular', 'bold' and 'italic'.
import { dirname, join } from 'node:path';
import type PDFDocument from 'pdfkit';

const FONT_DIR = join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');

/** 'condensed' fits the nine columns of the register book on a landscape page. */
export function registerVietnameseFonts(doc: InstanceType<typeof PDFDocument>, family: 'regular' | 'condensed'): void {
  const base = family === 'condensed' ? 'DejaVuSansCondensed' : 'DejaVuSans';
  doc
    .registerFont('regular', join(FONT_DIR, `${base}.ttf`))
    .registerFont('bold', join(FONT_DIR, `${base}-Bold.ttf`))
    .registerFont('italic', join(FONT_DIR, `${base}-Oblique.ttf`));
}
