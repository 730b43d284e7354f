// The signature report of a registered document for the clerk: the plain-words summary the invitation pages
// use (signature-summary.ts), plus what the clerk also needs per signature — the certificate's validity, and
// whether the file changed after it — and the problem codes.
import type { VerificationReport, SignatureReport } from '../../mail-gateway/signature';
import { summarizeSignatures, SignatureSummary, SignerLine } from './signature-summary';
import { dateTimeVi } from './view-format';

export interface DocumentSignerLine extends SignerLine {
  isSeal: boolean;
  /** "Chứng thư số hiệu lực từ … đến …", when the certificate says. */
  validity: string | null;
  validAtSigning: boolean;
  /** Whether the file changed after this signature, in plain words. */
  afterSigning: string;
  afterSigningOk: boolean;
}

export interface DocumentSignatureReport extends Omit<SignatureSummary, 'signers'> {
  signers: DocumentSignerLine[];
  problemCodes: string[];
}

const EXPLANATIONS = {
  valid: 'Văn bản có chữ ký số của người ký và của cơ quan ban hành (con dấu), chứng thư số do tổ chức tin cậy cấp, còn hiệu lực khi ký, và tệp không bị sửa sau khi ký.',
  invalid: 'Chữ ký số của văn bản không kiểm tra được là hợp lệ: văn bản chỉ có giá trị tham khảo, không có giá trị như văn bản giấy.',
  unsigned: 'Tệp PDF không có chữ ký số: văn bản chỉ có giá trị tham khảo.',
} as const;

function day(iso: string | null): string | null {
  return iso ? dateTimeVi(new Date(iso)).slice(0, 10) : null;
}

function validityOf(signature: SignatureReport): string | null {
  const from = day(signature.details.certificateValidFrom);
  const to = day(signature.details.certificateValidTo);
  if (!from && !to) return null;
  return `Chứng thư số hiệu lực từ ${from ?? '?'} đến ${to ?? '?'}`;
}

function afterSigningOf(signature: SignatureReport, isLast: boolean): { text: string; ok: boolean } {
  if (signature.coversWholeFile) return { text: 'Tệp không bị thay đổi sau chữ ký này', ok: true };
  const changes = signature.details.changesAfterSigning;
  if (changes.length) return { text: `Tệp bị thay đổi sau chữ ký này: ${changes.slice(0, 5).join('; ')}${changes.length > 5 ? '…' : ''}`, ok: false };
  if (signature.details.signedRevision === null) return { text: 'Phần được ký không trọn một phiên bản của tệp: phần sau chưa được ký', ok: false };
  return { text: isLast ? 'Sau chữ ký này tệp không có thay đổi nội dung' : 'Sau chữ ký này chỉ có thêm chữ ký khác (không sửa nội dung)', ok: true };
}

export function documentSignatureReport(report: VerificationReport): DocumentSignatureReport {
  const summary = summarizeSignatures(report);
  return {
    ...summary,
    explanation: EXPLANATIONS[report.verdict],
    problemCodes: [...new Set(report.problems.map((p) => p.code))],
    signers: summary.signers.map((line, i) => {
      const signature = report.signatures[i];
      const after = afterSigningOf(signature, i === report.signatures.length - 1);
      return {
        ...line,
        isSeal: signature.kind === 'organization',
        validity: validityOf(signature),
        validAtSigning: signature.certValidAtSigningTime,
        afterSigning: after.text,
        afterSigningOk: after.ok,
      };
    }),
  };
}
