// The register book as a PDF file (A4 landscape, NĐ 30/2020 layout): the heading of the office on page 1,
// the table header again on every page, long cells wrapped, "Trang N" at the foot. Written with pdfkit and
// the embedded DejaVu Sans Condensed font (every Vietnamese glyph), page after page as the rows arrive, so a
// year of entries never sits in memory: pdfkit flushes each finished page to the output.
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import PDFDocument from 'pdfkit';
import { BOOK_COLUMNS, BookColumnKey, BookHeading, BookLine } from './register-book-rows';
import { readerKeepsUp } from './register-book-stream';
import { registerVietnameseFonts } from './pdf-fonts';

const MARGIN = { top: 28, bottom: 36, left: 28, right: 28 };
const CELL_PAD = 3;
const CELL_SIZE = 8;
const RULE_WIDTH = 0.7;
/** Column widths in points; the last takes what is left of the A4 landscape width. */
const WIDTHS: Partial<Record<BookColumnKey, number>> = {
  soDen: 44, receivedAt: 58, author: 100, number: 82, issueDate: 54, trichYeu: 214, recipient: 96, signature: 52,
};
/** Numbers and dates centred, as in the printed register; text to the left. */
const CENTRED: ReadonlySet<BookColumnKey> = new Set<BookColumnKey>(['soDen', 'receivedAt', 'issueDate']);
/** A row is never taller than this: a longer text ends with "…" (the page shows the rest). */
const MAX_ROW_HEIGHT = 260;

type Doc = InstanceType<typeof PDFDocument>;

class BookPdf {
  private readonly doc: Doc;
  private readonly widths: number[];
  private y = MARGIN.top;
  private pageNumber = 1;

  constructor(private readonly heading: BookHeading) {
    this.doc = new PDFDocument({
      size: 'A4', layout: 'landscape', margins: MARGIN, bufferPages: false,
      info: { Title: `${heading.title} — ${heading.periodText}`, Author: 'Văn phòng UBND tỉnh Bình Thuận', Subject: heading.periodText },
    });
    registerVietnameseFonts(this.doc, 'condensed');
    const tableWidth = this.doc.page.width - MARGIN.left - MARGIN.right;
    const fixed = BOOK_COLUMNS.map((c) => WIDTHS[c.key] ?? 0);
    const rest = tableWidth - fixed.reduce((a, b) => a + b, 0);
    this.widths = fixed.map((w) => (w === 0 ? rest : w));
  }

  get stream(): Doc {
    return this.doc;
  }

  private get bottom(): number {
    return this.doc.page.height - MARGIN.bottom;
  }

  private centered(text: string, font: string, size: number, x: number, width: number): void {
    this.doc.font(font).fontSize(size).text(text, x, this.y, { width, align: 'center' });
    this.y = this.doc.y;
  }

  /** The office (top left, underlined), the title, year, period and numbers, centred. */
  drawHeading(): void {
    const { doc, heading } = this;
    const blockWidth = 230;
    this.centered(heading.organisation[0], 'regular', 10, MARGIN.left, blockWidth);
    this.centered(heading.organisation[1], 'bold', 10, MARGIN.left, blockWidth);
    const middle = MARGIN.left + blockWidth / 2;
    doc.moveTo(middle - 30, this.y + 2).lineTo(middle + 30, this.y + 2).lineWidth(0.6).stroke('#000');
    this.y += 12;
    const width = doc.page.width - MARGIN.left - MARGIN.right;
    this.centered(heading.title, 'bold', 15, MARGIN.left, width);
    this.centered(heading.yearText, 'bold', 11, MARGIN.left, width);
    this.centered(heading.periodText, 'regular', 10, MARGIN.left, width);
    const count = `${heading.entries} văn bản`;
    this.centered(heading.numbersText ? `${heading.numbersText} (${count})` : count, 'italic', 9, MARGIN.left, width);
    this.y += 8;
  }

  private rowHeight(texts: string[], font: 'regular' | 'bold'): number {
    this.doc.font(font).fontSize(CELL_SIZE);
    const heights = texts.map((text, i) => (text ? this.doc.heightOfString(text, { width: this.widths[i] - 2 * CELL_PAD }) : 0));
    return Math.min(Math.max(CELL_SIZE + 2, ...heights) + 2 * CELL_PAD, MAX_ROW_HEIGHT);
  }

  /** One row of bordered cells at the current height; `fill` marks the header row. */
  private drawRow(texts: string[], font: 'regular' | 'bold', fill: string | null, height = this.rowHeight(texts, font)): void {
    const { doc } = this;
    let x = MARGIN.left;
    doc.lineWidth(RULE_WIDTH).strokeColor('#000');
    texts.forEach((text, i) => {
      const width = this.widths[i];
      if (fill) doc.rect(x, this.y, width, height).fillAndStroke(fill, '#000');
      else doc.rect(x, this.y, width, height).stroke();
      if (text) {
        doc.fillColor('#000').font(font).fontSize(CELL_SIZE).text(text, x + CELL_PAD, this.y + CELL_PAD, {
          width: width - 2 * CELL_PAD, height: height - 2 * CELL_PAD, ellipsis: true, align: fill || CENTRED.has(BOOK_COLUMNS[i].key) ? 'center' : 'left',
        });
      }
      x += width;
    });
    this.y += height;
  }

  drawTableHeader(): void {
    this.drawRow(BOOK_COLUMNS.map((c) => c.label), 'bold', '#e6e6e6');
  }

  /** "Trang N" under the bottom margin: the margin is lifted for it, or pdfkit would start a page. */
  private drawPageNumber(): void {
    const { doc } = this;
    doc.page.margins.bottom = 0;
    doc.font('regular').fontSize(8).fillColor('#000')
      .text(`Trang ${this.pageNumber}`, MARGIN.left, doc.page.height - MARGIN.bottom + 12, { width: doc.page.width - MARGIN.left - MARGIN.right, align: 'center', lineBreak: false });
    doc.page.margins.bottom = MARGIN.bottom;
  }

  private newPage(): void {
    this.drawPageNumber();
    this.doc.addPage();
    this.pageNumber += 1;
    this.y = MARGIN.top;
    this.drawTableHeader();
  }

  addLine(line: BookLine): void {
    const texts = BOOK_COLUMNS.map((c) => line[c.key]);
    const height = this.rowHeight(texts, 'regular');
    if (this.y + height > this.bottom) this.newPage();
    this.drawRow(texts, 'regular', null, height);
  }

  addEmptyNote(): void {
    this.doc.font('italic').fontSize(9).fillColor('#000')
      .text('Không có văn bản nào được vào sổ trong khoảng thời gian này.', MARGIN.left, this.y + 8, { width: this.doc.page.width - MARGIN.left - MARGIN.right, align: 'center' });
  }

  end(): void {
    this.drawPageNumber();
    this.doc.end();
  }
}

/** Writes the book to `out` as the chunks of lines arrive; resolves once `out` has everything. */
export async function writeRegisterBookPdf(out: Writable, heading: BookHeading, chunks: AsyncIterable<BookLine[]>): Promise<void> {
  const book = new BookPdf(heading);
  book.stream.pipe(out);
  book.drawHeading();
  book.drawTableHeader();
  let lines = 0;
  for await (const chunk of chunks) {
    for (const line of chunk) book.addLine(line);
    lines += chunk.length;
    if (!(await readerKeepsUp(out))) break;
  }
  if (lines === 0) book.addEmptyNote();
  book.end();
  await finished(out);
}
