// How the register screens show a document's verdict, status, sender and sizes (Vietnamese).
import type { DocumentStatus, DocumentSummary, Intake } from '../../db/register/repository';
import type { VerdictFilter } from '../../db/register/search';

export interface Badge {
  text: string;
  className: string;
  /** A longer explanation for the title attribute. */
  title?: string;
}

const VERDICT_BADGES: Record<VerdictFilter, Badge> = {
  valid: { text: 'Chữ ký hợp lệ', className: 'verdict-badge-valid', title: 'Có chữ ký số của người ký và của cơ quan, tin cậy, không bị sửa sau khi ký' },
  invalid: { text: 'Chữ ký không hợp lệ', className: 'verdict-badge-invalid', title: 'Chữ ký số không kiểm tra được là hợp lệ: chỉ có giá trị tham khảo' },
  unsigned: { text: 'Không có chữ ký số', className: 'verdict-badge-invalid', title: 'Tệp PDF không có chữ ký số: chỉ có giá trị tham khảo' },
  none: { text: 'Không có tệp PDF', className: 'verdict-badge-none', title: 'Không có tệp PDF nào được kiểm tra chữ ký' },
};

export const VERDICT_LABELS: Record<VerdictFilter, string> = {
  valid: 'Chữ ký hợp lệ', invalid: 'Chữ ký không hợp lệ', unsigned: 'Không có chữ ký số', none: 'Không có tệp PDF',
};

/** The signature verdict as a badge; a document typed in by a clerk says so instead. */
export function verdictBadge(doc: Pick<DocumentSummary, 'verdict' | 'intake'>): Badge {
  if (doc.verdict === null && doc.intake === 'manual') return { text: 'Nhập thủ công', className: 'verdict-badge-none', title: 'Văn thư đăng ký văn bản đến theo đường khác (giấy, fax…)' };
  return VERDICT_BADGES[doc.verdict ?? 'none'];
}

const STATUS_CLASSES: Record<DocumentStatus, string> = {
  'đã đến': 'doc-status-new',
  'đã tiếp nhận': 'doc-status-accepted',
  'đã chuyển xử lý': 'doc-status-forwarded',
  'đang xử lý': 'doc-status-working',
  'hoàn thành': 'doc-status-done',
  'từ chối': 'doc-status-refused',
  'thu hồi': 'doc-status-recalled',
};

export function statusBadge(status: DocumentStatus): Badge {
  return { text: status.charAt(0).toUpperCase() + status.slice(1), className: `doc-status ${STATUS_CLASSES[status]}` };
}

const INTAKE_LABELS: Record<Intake, string> = { smtp: 'Thư điện tử (SMTP)', imap: 'Thư điện tử (hộp thư IMAP)', manual: 'Văn thư nhập thủ công' };

export function intakeLabel(intake: Intake): string {
  return INTAKE_LABELS[intake] ?? intake;
}

/** `1,2 MB`, `34 KB`. */
export function sizeVi(bytes: number): string {
  if (bytes >= 1_048_576) return `${(bytes / 1_048_576).toFixed(1).replace('.', ',')} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/** `12/2026` for số đến 12 of 2026; a dash for a document kept unnumbered. */
export function soDenText(doc: Pick<DocumentSummary, 'soDen' | 'year'>): string {
  return doc.soDen === null ? '—' : `${doc.soDen}/${doc.year}`;
}

/** `2026-11-23` → `23/11/2026` for a form field; anything else (what a person typed) as it is. */
export function dayVi(value: string): string {
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  return iso ? `${iso[3]}/${iso[2]}/${iso[1]}` : value;
}

/** Helpers handed to the register templates. */
export const registerViewHelpers = { verdictBadge, docStatusBadge: statusBadge, intakeLabel, sizeVi, soDenText, dayVi };
