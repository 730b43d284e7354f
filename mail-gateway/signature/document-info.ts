// Reads the document's own particulars from the text of page 1: số/ký hiệu, issue date, type, trích yếu,
// and the urgency mark printed on it.
import { printedUrgency } from '../register/urgency';
import type { Urgency } from '../../db/register/repository';

export interface DocumentInfo {
  number: string | null;
  issueDate: string | null;
  type: string | null;
  subject: string | null;
  urgency: Urgency | null;
}

/** Document types of NĐ 30/2020 (appendix III), as printed in capitals, with their usual name. */
const DOCUMENT_TYPES: Array<[string, string]> = [
  ['NGHỊ QUYẾT', 'Nghị quyết'], ['QUYẾT ĐỊNH', 'Quyết định'], ['CHỈ THỊ', 'Chỉ thị'], ['QUY CHẾ', 'Quy chế'],
  ['QUY ĐỊNH', 'Quy định'], ['THÔNG CÁO', 'Thông cáo'], ['THÔNG BÁO', 'Thông báo'], ['HƯỚNG DẪN', 'Hướng dẫn'],
  ['CHƯƠNG TRÌNH', 'Chương trình'], ['KẾ HOẠCH', 'Kế hoạch'], ['PHƯƠNG ÁN', 'Phương án'], ['ĐỀ ÁN', 'Đề án'],
  ['DỰ ÁN', 'Dự án'], ['BÁO CÁO', 'Báo cáo'], ['BIÊN BẢN', 'Biên bản'], ['TỜ TRÌNH', 'Tờ trình'],
  ['HỢP ĐỒNG', 'Hợp đồng'], ['CÔNG ĐIỆN', 'Công điện'], ['BẢN GHI NHỚ', 'Bản ghi nhớ'], ['BẢN THỎA THUẬN', 'Bản thỏa thuận'],
  ['GIẤY ỦY QUYỀN', 'Giấy ủy quyền'], ['GIẤY MỜI', 'Giấy mời'], ['GIẤY GIỚI THIỆU', 'Giấy giới thiệu'],
  ['GIẤY NGHỈ PHÉP', 'Giấy nghỉ phép'], ['PHIẾU GỬI', 'Phiếu gửi'], ['PHIẾU CHUYỂN', 'Phiếu chuyển'],
  ['PHIẾU BÁO', 'Phiếu báo'], ['THƯ CÔNG', 'Thư công'], ['CÔNG VĂN', 'Công văn'],
];

const pad = (n: string) => n.padStart(2, '0');

function findNumber(text: string): string | null {
  const match = /Số\s*[:.]\s*([0-9]{1,6}\s*\/\s*[0-9A-ZĐa-zđ][0-9A-ZĐa-zđ.\-\/]*)/u.exec(text);
  return match ? match[1].replace(/\s+/g, '') : null;
}

function findIssueDate(text: string): string | null {
  const match = /ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})/iu.exec(text);
  if (!match) return null;
  const [, day, month, year] = match;
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (date.getUTCDate() !== Number(day) || date.getUTCMonth() !== Number(month) - 1) return null;
  return `${year}-${pad(month)}-${pad(day)}`;
}

function findTypeLine(lines: string[]): { type: string; index: number } | null {
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index].trim().toLocaleUpperCase('vi');
    const found = DOCUMENT_TYPES.find(([caps]) => line === caps || line.startsWith(caps + ' '));
    // Lines in capitals only: "QUYẾT ĐỊNH" as a title, not the phrase inside a sentence.
    if (found && lines[index].trim() === lines[index].trim().toLocaleUpperCase('vi')) return { type: found[1], index };
  }
  return null;
}

/** Collects the subject lines under a title: they end at an empty line or a heading like "Kính gửi". */
function subjectAfter(lines: string[], start: number): string | null {
  const parts: string[] = [];
  for (let i = start; i < lines.length && parts.length < 4; i++) {
    const line = lines[i].trim();
    if (!line) {
      if (parts.length) break;
      continue;
    }
    if (/^(Kính gửi|Căn cứ|CHỦ TỊCH|ỦY BAN|GIÁM ĐỐC|Thực hiện|Theo|-{3,}|_{3,})/u.test(line)) break;
    parts.push(line);
  }
  return parts.length ? parts.join(' ').replace(/\s+/g, ' ') : null;
}

export function readDocumentInfo(pageText: string): DocumentInfo {
  const text = pageText.normalize('NFC');
  const lines = text.split('\n');
  const number = findNumber(text);
  const issueDate = findIssueDate(text);
  const vvIndex = lines.findIndex((line) => /^\s*V\/v\b/u.test(line));
  const title = findTypeLine(lines);
  let type: string | null = title?.type ?? null;
  let subject: string | null = null;
  if (vvIndex !== -1) {
    subject = subjectAfter([lines[vvIndex].replace(/^\s*V\/v\s*[:.]?\s*/u, ''), ...lines.slice(vvIndex + 1)], 0);
    type ??= 'Công văn';
  } else if (title) {
    subject = subjectAfter(lines, title.index + 1);
  }
  return { number, issueDate, type, subject, urgency: printedUrgency(text) };
}
