// Tables the office downloads (follow-up of an invitation, register statistics) as CSV or Excel (.xlsx), with
// Vietnamese headers. Times are written as Vietnam wall-clock time: a spreadsheet cell has no time zone.
import type { Response } from 'express';
import writeXlsxFile from 'write-excel-file/node';
import type { SheetData } from 'write-excel-file/node';
import { formatDateTimeVi } from '../../db/time';
import { contentDisposition } from '../pages/send-file';

export type ExportCell = string | number | Date | null;

export interface ExportColumn {
  header: string;
  /** Width in characters (Excel); a sensible default when missing. */
  width?: number;
}

export interface ExportTable {
  /** Sheet name (Excel limits it to 31 characters, without []:*?/\). */
  sheet: string;
  columns: ExportColumn[];
  rows: ExportCell[][];
}

export type ExportFormat = 'csv' | 'xlsx';

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

export function exportFormatOf(value: unknown): ExportFormat | null {
  return value === 'csv' || value === 'xlsx' ? value : null;
}

const VIETNAM_OFFSET_MS = 7 * 3_600_000;

// A cell starting with = + - @ (or a tab/CR) is run as a formula by spreadsheet programs: a unit's answer
// like "=HYPERLINK(…)" must stay text (OWASP "CSV injection").
function defuseFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function csvField(cell: ExportCell): string {
  if (cell === null) return '';
  const text = cell instanceof Date ? formatDateTimeVi(cell) : typeof cell === 'number' ? String(cell) : defuseFormula(cell);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** RFC 4180 CSV in UTF-8 with a byte-order mark, so Excel opens the Vietnamese letters right. */
export function tableToCsv(table: ExportTable): Buffer {
  const lines = [table.columns.map((c) => csvField(c.header)), ...table.rows.map((row) => row.map(csvField))];
  return Buffer.from(`\uFEFF${lines.map((fields) => fields.join(',')).join('\r\n')}\r\n`, 'utf8');
}

function sheetName(name: string): string {
  return name.replace(/[[\]:*?/\\]/g, ' ').trim().slice(0, 31) || 'Sheet1';
}

function xlsxCell(cell: ExportCell) {
  if (cell === null) return null;
  if (cell instanceof Date) return { value: new Date(cell.getTime() + VIETNAM_OFFSET_MS), type: Date, format: 'dd/mm/yyyy hh:mm' };
  if (typeof cell === 'number') return { value: cell, type: Number };
  return { value: cell, type: String, wrap: cell.length > 60 };
}

/** One workbook, one sheet per table, the header row bold and kept in view when scrolling. */
export async function tablesToXlsx(tables: ExportTable[]): Promise<Buffer> {
  const sheets = tables.map((table) => {
    const header = table.columns.map((c) => ({ value: c.header, type: String, fontWeight: 'bold' as const, wrap: true }));
    const data = [header, ...table.rows.map((row) => row.map(xlsxCell))] as SheetData;
    return {
      data,
      sheet: sheetName(table.sheet),
      columns: table.columns.map((c) => ({ width: c.width ?? Math.min(Math.max(c.header.length + 2, 10), 40) })),
      stickyRowsCount: 1,
    };
  });
  return writeXlsxFile(sheets).toBuffer();
}

/** Sends the tables as a download; CSV holds one table (the first). */
export async function sendTables(res: Response, tables: ExportTable[], format: ExportFormat, filenameBase: string): Promise<void> {
  const body = format === 'csv' ? tableToCsv(tables[0]) : await tablesToXlsx(tables);
  res.setHeader('Content-Type', EXPORT_CONTENT_TYPES[format]);
  res.setHeader('Content-Disposition', contentDisposition('attachment', `${filenameBase}.${format}`));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'no-store');
  res.send(body);
}
