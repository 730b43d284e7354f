// The Giấy mời PDF: verified like any incoming document. Only a validly signed one makes an official
// invitation; an unsigned or invalid one is accepted only when the admin asks, as "bản tham khảo".
import { cachedTrustStore, PROBLEM_TITLES, verifyPdf, VerificationReport } from '../../mail-gateway/signature';
import { docNumberKey } from '../../db/register/repository';
import { InvitationError, InvitationFinding } from '../../db/invitations/types';
import type { IncomingFile } from './files';

export interface CheckedPdf {
  verification: VerificationReport;
  /** Not validly signed: published only as "bản tham khảo". */
  referenceOnly: boolean;
}

// A file no one can open as a PDF is refused even as a reference copy.
const NEVER_ACCEPTED = new Set(['NOT_A_PDF', 'MALFORMED_PDF']);

function problemList(report: VerificationReport): string {
  return report.problems.map((p) => `${p.code} (${PROBLEM_TITLES[p.code] ?? p.message})`).join('; ');
}

/** Verifies the Giấy mời; throws PDF_NOT_VALID unless it is valid, or `allowUnsigned` makes it a reference copy. */
export function checkInvitationPdf(pdf: IncomingFile, options: { trustDir: string; at: Date; allowUnsigned: boolean }): CheckedPdf {
  const verification = verifyPdf(pdf.content, { trust: cachedTrustStore(options.trustDir), at: options.at, file: pdf.filename });
  const unreadable = verification.problems.some((p) => NEVER_ACCEPTED.has(p.code));
  if (unreadable || (verification.verdict !== 'valid' && !options.allowUnsigned)) {
    throw new InvitationError(
      'PDF_NOT_VALID',
      `Giấy mời "${pdf.filename}" không có chữ ký số hợp lệ: ${problemList(verification)}`
        + (unreadable ? '' : ' (dùng --allow-unsigned để phát hành như bản tham khảo)'),
      `the invitation PDF is not validly signed (${verification.problems.map((p) => p.code).join(', ')})`
        + (unreadable ? '' : '; --allow-unsigned publishes it as a reference copy'),
    );
  }
  return { verification, referenceOnly: verification.verdict !== 'valid' };
}

/** Warnings drawn from the PDF: a reference copy, a document that is not a Giấy mời, a number that differs. */
export function pdfFindings(verification: VerificationReport, docNumber: string | null): InvitationFinding[] {
  const findings: InvitationFinding[] = [];
  if (verification.verdict !== 'valid') {
    findings.push({ code: 'REFERENCE_ONLY', message: `Bản tham khảo: giấy mời chưa có chữ ký số hợp lệ (${problemList(verification)})` });
  }
  const { type, number } = verification.document;
  if (type !== null && type !== 'Giấy mời') {
    findings.push({ code: 'NOT_AN_INVITATION', message: `Văn bản đính kèm là ${type}, không phải Giấy mời` });
  }
  if (number !== null && docNumber !== null && docNumberKey(number) !== docNumberKey(docNumber)) {
    findings.push({ code: 'NUMBER_MISMATCH', message: `Số, ký hiệu nhập (${docNumber}) khác số in trên giấy mời (${number})` });
  }
  return findings;
}
