// The follow-up of one invitation for VP UBND staff (admin and clerk), besides its page: the JSON the live table
// polls, the CSV and Excel downloads, and the attendance sheet (danh sách đại biểu) as a printable page and a PDF.
import type { Request, Response } from 'express';
import PDFDocument from 'pdfkit';
import type { RouteContext } from '../routes';
import { renderPage } from '../render';
import {
  attendanceSheet, exportFilenameBase, FOLLOW_UP_FILTERS, FOLLOW_UP_SORTS, FollowUp, FollowUpFilter, followUpJson, FollowUpSort, followUpTable,
  isFollowUpFilter, isFollowUpSort, loadFollowUp, selectRows,
} from '../invitations/follow-up';
import { ExportFormat, sendTables } from '../exports/table-export';
import { badRequestPage, notFoundPage } from './error-pages';
import { invitationIdParam } from './request-params';
import { contentDisposition } from './send-file';
import { dateTimeVi, meetingSpanVi, weekdayVi } from './view-format';
import { registerVietnameseFonts } from './pdf-fonts';

/** How often the live table asks for news (milliseconds). */
export const FOLLOW_UP_POLL_MS = 15_000;

export interface FollowUpQuery {
  filter: FollowUpFilter;
  sort: FollowUpSort;
}

/** `?state=` and `?sort=` of the table; a Vietnamese message when one is not known. */
export function followUpQuery(req: Request): FollowUpQuery | { error: string } {
  const state = typeof req.query.state === 'string' ? req.query.state.trim() : '';
  const sort = typeof req.query.sort === 'string' ? req.query.sort.trim() : '';
  if (state && !isFollowUpFilter(state)) {
    return { error: `Bộ lọc "${state.slice(0, 40)}" không có. Các bộ lọc: ${Object.keys(FOLLOW_UP_FILTERS).join(', ')}.` };
  }
  if (sort && !isFollowUpSort(sort)) {
    return { error: `Cách sắp xếp "${sort.slice(0, 40)}" không có. Các cách: ${Object.keys(FOLLOW_UP_SORTS).join(', ')}.` };
  }
  return { filter: (state || 'tat-ca') as FollowUpFilter, sort: (sort || 'don-vi') as FollowUpSort };
}

/** The query string of a filter and order (defaults left out), with its leading `?` or empty. */
export function followUpSearch(query: FollowUpQuery): string {
  const params = new URLSearchParams();
  if (query.filter !== 'tat-ca') params.set('state', query.filter);
  if (query.sort !== 'don-vi') params.set('sort', query.sort);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The invitation's follow-up, or a 404 page already sent (unknown or malformed id). */
async function followUpOr404(ctx: RouteContext, req: Request, res: Response): Promise<FollowUp | null> {
  const id = invitationIdParam(req);
  const followUp = id ? await loadFollowUp(ctx.db, id) : null;
  if (!followUp) await notFoundPage(res, 'Giấy mời', 'Giấy mời này không có trên hệ thống.');
  return followUp;
}

export async function followUpJsonRoute(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  const query = followUpQuery(req);
  if ('error' in query) {
    res.status(400).json({ error: query.error });
    return;
  }
  const id = invitationIdParam(req);
  const followUp = id ? await loadFollowUp(ctx.db, id) : null;
  if (!followUp) {
    res.status(404).json({ error: 'Giấy mời này không có trên hệ thống.' });
    return;
  }
  res.setHeader('Cache-Control', 'no-store');
  res.json(followUpJson(followUp, query.filter, query.sort));
}

async function exportFollowUp(ctx: RouteContext, req: Request, res: Response, format: ExportFormat): Promise<void> {
  const query = followUpQuery(req);
  if ('error' in query) return badRequestPage(res, query.error);
  const followUp = await followUpOr404(ctx, req, res);
  if (!followUp) return;
  const table = followUpTable(followUp, selectRows(followUp.rows, query.filter, query.sort));
  await sendTables(res, [table], format, exportFilenameBase(followUp.invitation));
}

export function followUpCsv(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  return exportFollowUp(ctx, req, res, 'csv');
}

export function followUpXlsx(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  return exportFollowUp(ctx, req, res, 'xlsx');
}

export async function attendancePage(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  const followUp = await followUpOr404(ctx, req, res);
  if (!followUp) return;
  await renderPage(res, 'admin-attendance', {
    title: `Danh sách đại biểu — ${followUp.invitation.title}`,
    invitation: followUp.invitation,
    sheet: attendanceSheet(followUp),
    printedAt: followUp.generatedAt,
  });
}

// ── The attendance sheet as a PDF (A4 portrait, pdfkit with the embedded DejaVu Sans: every Vietnamese glyph) ──

const PDF_MARGIN = { top: 40, bottom: 46, left: 46, right: 40 };
const PAD = 4;
const SIZE = 10;

type Doc = InstanceType<typeof PDFDocument>;

interface PdfTable {
  headers: string[];
  /** Widths in points; 0 = what is left. */
  widths: number[];
  /** Rows at least this tall (room to sign). */
  minHeight: number;
}

function attendancePdf(followUp: FollowUp): Promise<Buffer> {
  const invitation = followUp.invitation;
  const sheet = attendanceSheet(followUp);
  const doc: Doc = new PDFDocument({
    size: 'A4', margins: PDF_MARGIN,
    info: { Title: `Danh sách đại biểu — ${invitation.title}`, Author: 'Văn phòng UBND tỉnh Bình Thuận', Subject: invitation.docNumber ?? invitation.title },
  });
  registerVietnameseFonts(doc, 'regular');
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const width = doc.page.width - PDF_MARGIN.left - PDF_MARGIN.right;
  const bottom = doc.page.height - PDF_MARGIN.bottom;
  let y = PDF_MARGIN.top;
  const text = (value: string, font: string, size: number, x: number, w: number, align: 'left' | 'center' = 'left') => {
    doc.font(font).fontSize(size).fillColor('#000').text(value, x, y, { width: w, align });
    y = doc.y;
  };

  // Heading: the office on the left, the national motto on the right.
  const half = width / 2;
  const top = y;
  text('UBND TỈNH BÌNH THUẬN', 'regular', 10, PDF_MARGIN.left, half - 20, 'center');
  text('VĂN PHÒNG', 'bold', 10, PDF_MARGIN.left, half - 20, 'center');
  const leftEnd = y;
  y = top;
  text('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 'bold', 10, PDF_MARGIN.left + half - 20, half + 20, 'center');
  text('Độc lập - Tự do - Hạnh phúc', 'bold', 10, PDF_MARGIN.left + half - 20, half + 20, 'center');
  y = Math.max(y, leftEnd) + 18;
  text('DANH SÁCH ĐẠI BIỂU DỰ HỌP', 'bold', 15, PDF_MARGIN.left, width, 'center');
  text(invitation.title, 'bold', 11, PDF_MARGIN.left, width, 'center');
  y += 8;
  const facts: Array<[string, string]> = [];
  if (invitation.docNumber) facts.push(['Giấy mời số', invitation.docNumber]);
  facts.push(['Thời gian', `${weekdayVi(invitation.startsAt)}, ${meetingSpanVi(invitation.startsAt, invitation.endsAt)}`]);
  facts.push(['Địa điểm', invitation.place]);
  if (invitation.host) facts.push(['Chủ trì', invitation.host]);
  if (invitation.status === 'đã hủy') facts.push(['Lưu ý', `Cuộc họp đã hủy${invitation.cancelReason ? `: ${invitation.cancelReason}` : ''}`]);
  for (const [label, value] of facts) {
    const rowTop = y;
    text(`${label}:`, 'bold', SIZE, PDF_MARGIN.left, 90);
    const labelEnd = y;
    y = rowTop;
    text(value, 'regular', SIZE, PDF_MARGIN.left + 90, width - 90);
    y = Math.max(y, labelEnd) + 2;
  }
  y += 8;

  function columnWidths(table: PdfTable): number[] {
    const rest = width - table.widths.reduce((a, b) => a + b, 0);
    return table.widths.map((w) => (w === 0 ? rest : w));
  }
  function rowHeight(cells: string[], widths: number[], font: string, minHeight: number): number {
    doc.font(font).fontSize(SIZE);
    return Math.max(minHeight, ...cells.map((c, i) => (c ? doc.heightOfString(c, { width: widths[i] - 2 * PAD }) + 2 * PAD : 0)));
  }
  function drawRow(cells: string[], widths: number[], font: string, height: number, fill: string | null): void {
    let x = PDF_MARGIN.left;
    doc.lineWidth(0.7).strokeColor('#000');
    cells.forEach((cell, i) => {
      if (fill) doc.rect(x, y, widths[i], height).fillAndStroke(fill, '#000');
      else doc.rect(x, y, widths[i], height).stroke();
      if (cell) doc.fillColor('#000').font(font).fontSize(SIZE).text(cell, x + PAD, y + PAD, { width: widths[i] - 2 * PAD, align: fill || i === 0 ? 'center' : 'left' });
      x += widths[i];
    });
    y += height;
  }
  function drawTable(table: PdfTable, rows: string[][]): void {
    const widths = columnWidths(table);
    const header = () => drawRow(table.headers, widths, 'bold', rowHeight(table.headers, widths, 'bold', 0), '#e6e6e6');
    if (y + 60 > bottom) { doc.addPage(); y = PDF_MARGIN.top; }
    header();
    for (const row of rows) {
      const height = rowHeight(row, widths, 'regular', table.minHeight);
      if (y + height > bottom) {
        doc.addPage();
        y = PDF_MARGIN.top;
        header();
      }
      drawRow(row, widths, 'regular', height, null);
    }
  }

  const blank = '…………………………';
  drawTable({ headers: ['STT', 'Đơn vị', 'Họ tên đại biểu', 'Chức vụ', 'Ký tên'], widths: [32, 150, 120, 0, 80], minHeight: 30 },
    sheet.present.map((line, i) => [
      String(i + 1), line.answer === 'cử người dự thay' ? `${line.unitName}\n(cử người dự thay)` : line.unitName, line.name ?? blank, line.position ?? blank, '',
    ]));
  y += 6;
  text(`Tổng số: ${sheet.present.length} đơn vị tham dự.`, 'italic', SIZE, PDF_MARGIN.left, width);
  y += 14;
  if (y + 60 > bottom) { doc.addPage(); y = PDF_MARGIN.top; }
  text('Đơn vị vắng mặt / chưa xác nhận', 'bold', 12, PDF_MARGIN.left, width);
  y += 6;
  if (sheet.absent.length) {
    drawTable({ headers: ['STT', 'Đơn vị', 'Tình trạng', 'Lý do'], widths: [32, 190, 100, 0], minHeight: 0 },
      sheet.absent.map((line, i) => [String(i + 1), line.unitName, line.state, line.reason ?? '']));
  } else {
    text('Không có.', 'italic', SIZE, PDF_MARGIN.left, width);
  }
  y += 10;
  text(`Lập lúc ${dateTimeVi(followUp.generatedAt)}.`, 'italic', 8, PDF_MARGIN.left, width);
  doc.end();
  return done;
}

export async function attendancePdfRoute(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  const followUp = await followUpOr404(ctx, req, res);
  if (!followUp) return;
  const pdf = await attendancePdf(followUp);
  res.setHeader('Content-Type', 'application/pdf');
  res.setHeader('Content-Disposition', contentDisposition('inline', `${exportFilenameBase(followUp.invitation, 'danh-sach-dai-bieu')}.pdf`));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Security-Policy', "default-src 'none'; object-src 'self'; frame-ancestors 'self'");
  res.send(pdf);
}
