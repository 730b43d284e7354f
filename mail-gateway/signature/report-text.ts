// The verification report as short Vietnamese text a clerk can read.
import type { VerificationReport } from './verify-pdf';
import { formatDateTimeVi } from '../../db/time';

const VERDICT_TEXT = {
  valid: 'HỢP LỆ — văn bản có đủ chữ ký số hợp lệ của người ký và của cơ quan',
  invalid: 'KHÔNG HỢP LỆ — không được đăng ký là văn bản chính thức',
  unsigned: 'KHÔNG CÓ CHỮ KÝ SỐ — chỉ dùng để tham khảo',
} as const;

const yesNo = (value: boolean) => (value ? 'có' : 'không');

export function formatReportText(report: VerificationReport): string {
  const lines: string[] = [];
  lines.push(`Tệp: ${report.file}`);
  lines.push(`Kết luận: ${VERDICT_TEXT[report.verdict]}`);
  const d = report.document;
  if (d.number || d.issueDate || d.type || d.subject) {
    lines.push('Văn bản:');
    if (d.type) lines.push(`  Loại: ${d.type}`);
    if (d.number) lines.push(`  Số, ký hiệu: ${d.number}`);
    if (d.issueDate) lines.push(`  Ngày ban hành: ${d.issueDate.split('-').reverse().join('/')}`);
    if (d.subject) lines.push(`  Trích yếu: ${d.subject}`);
  }
  for (const s of report.signatures) {
    lines.push(`Chữ ký ${s.index + 1} (${s.kind === 'organization' ? 'của cơ quan' : 'cá nhân'}) — trường "${s.fieldName}":`);
    lines.push(`  Người ký: ${s.signer.commonName ?? '(không đọc được)'}${s.signer.organization ? `, ${s.signer.organization}` : ''}`);
    if (s.details.issuer) lines.push(`  Tổ chức cấp chứng thư: ${s.details.issuer}`);
    if (s.details.certificateValidFrom && s.details.certificateValidTo) {
      lines.push(`  Chứng thư hiệu lực: ${formatDateTimeVi(new Date(s.details.certificateValidFrom))} – ${formatDateTimeVi(new Date(s.details.certificateValidTo))}`);
    }
    if (s.signingTime) lines.push(`  Thời điểm ký: ${formatDateTimeVi(new Date(s.signingTime))}${s.details.timestamped ? ' (có dấu thời gian)' : ' (người ký tự khai)'}`);
    lines.push(`  Nguyên vẹn: ${yesNo(s.intact)} · Tin cậy: ${yesNo(s.trusted)} · Chứng thư còn hiệu lực khi ký: ${yesNo(s.certValidAtSigningTime)} · Bao trọn tệp: ${yesNo(s.coversWholeFile)}`);
  }
  if (report.problems.length) {
    lines.push('Lỗi:');
    for (const p of report.problems) lines.push(`  - [${p.code}]${p.signature === null ? '' : ` (chữ ký ${p.signature + 1})`} ${p.message}`);
  }
  if (report.warnings.length) {
    lines.push('Lưu ý:');
    for (const w of report.warnings) lines.push(`  - [${w.code}] ${w.message}`);
  }
  return lines.join('\n') + '\n';
}
