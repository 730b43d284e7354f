// What the register book prints (NĐ 30/2020, appendix IV): its heading and, for each entry, the nine columns
// as text — one source for the web page and the PDF, so both always say the same.
import type { BookEntry, BookPeriod, BookSummary } from '../../db/register/book';
import { formatDateVi, vietnamParts } from '../../db/time';
import { forwardRecipientOf } from './register-actions';
import { dayVi } from './register-format';

export const BOOK_ORGANISATION = ['UBND TỈNH BÌNH THUẬN', 'VĂN PHÒNG'] as const;
export const BOOK_TITLE = 'SỔ ĐĂNG KÝ VĂN BẢN ĐẾN';

/** The columns in print order; `key` names the field of a BookLine. */
export const BOOK_COLUMNS = [
  { key: 'soDen', label: 'Số đến' },
  { key: 'receivedAt', label: 'Ngày đến' },
  { key: 'author', label: 'Tác giả' },
  { key: 'number', label: 'Số, ký hiệu' },
  { key: 'issueDate', label: 'Ngày tháng' },
  { key: 'trichYeu', label: 'Tên loại và trích yếu nội dung' },
  { key: 'recipient', label: 'Đơn vị hoặc người nhận' },
  { key: 'signature', label: 'Ký nhận' },
  { key: 'remarks', label: 'Ghi chú' },
] as const;

export type BookColumnKey = (typeof BOOK_COLUMNS)[number]['key'];
export type BookLine = Record<BookColumnKey, string> & { id: string };

export interface BookHeading {
  organisation: readonly string[];
  title: string;
  /** `Năm 2026` (or `Năm 2025 – 2026` for a period across the new year). */
  yearText: string;
  /** `Từ ngày 01/11/2026 đến ngày 30/11/2026`. */
  periodText: string;
  /** `Từ số 1 đến số 45`, per yearly series; null for an empty period. */
  numbersText: string | null;
  entries: number;
  /** Entries across two yearly series print their year with the số đến, as numbers restart each year. */
  showYear: boolean;
}

const REMARK_MAX = 160;

function shortened(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

export function bookHeading(period: BookPeriod, summary: BookSummary): BookHeading {
  const firstYear = Number(period.from.slice(0, 4));
  const lastYear = Number(period.to.slice(0, 4));
  const series = summary.series;
  const numbers = series.map((s) => `${series.length > 1 ? `năm ${s.year}: ` : ''}từ số ${s.first} đến số ${s.last}`).join('; ');
  return {
    organisation: BOOK_ORGANISATION,
    title: BOOK_TITLE,
    yearText: firstYear === lastYear ? `Năm ${firstYear}` : `Năm ${firstYear} – ${lastYear}`,
    periodText: `Từ ngày ${dayVi(period.from)} đến ngày ${dayVi(period.to)}`,
    numbersText: numbers ? numbers.charAt(0).toUpperCase() + numbers.slice(1) : null,
    entries: summary.entries,
    showYear: series.length > 1,
  };
}

/** Why the entry left the normal course, and what else the clerk must see at a glance. */
function remarksOf(entry: BookEntry): string {
  const remarks: string[] = [];
  if (entry.urgency !== 'Bình thường') remarks.push(entry.urgency);
  if (entry.status === 'từ chối') {
    const refusal = entry.statusNotes.filter((n) => n.status === 'từ chối').pop();
    remarks.push(refusal?.note ? `Từ chối: ${shortened(refusal.note, REMARK_MAX)}` : 'Từ chối');
  }
  if (entry.status === 'thu hồi') remarks.push(`Thu hồi ngày ${formatDateVi(entry.recalledAt ?? entry.statusNotes.filter((n) => n.status === 'thu hồi').pop()?.at ?? entry.receivedAt)}`);
  if (entry.referenceOnly) remarks.push('Chỉ để tham khảo');
  if (entry.warnings.some((w) => w.code === 'DUPLICATE_NUMBER')) remarks.push('Trùng số, ký hiệu đã vào sổ');
  return remarks.join('; ');
}

export function bookLineOf(entry: BookEntry, heading: Pick<BookHeading, 'showYear'>): BookLine {
  const time = vietnamParts(entry.receivedAt);
  const content = entry.trichYeu ?? entry.subject ?? '';
  return {
    id: entry.id,
    soDen: heading.showYear ? `${entry.soDen}/${entry.year}` : String(entry.soDen),
    receivedAt: `${formatDateVi(entry.receivedAt)} ${String(time.hour).padStart(2, '0')}:${String(time.minute).padStart(2, '0')}`,
    author: entry.author ?? '',
    number: entry.docNumber ?? '',
    issueDate: entry.issueDate ? dayVi(entry.issueDate) : '',
    trichYeu: entry.docType ? `${entry.docType}: ${content}` : content,
    recipient: entry.statusNotes.filter((n) => n.status === 'đã chuyển xử lý' && n.note).map((n) => forwardRecipientOf(n.note!)).join('; '),
    signature: '',
    remarks: remarksOf(entry),
  };
}
