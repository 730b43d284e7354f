// The verification report of a Giấy mời in plain words for a unit: the verdict, who signed, the seal,
// when, and what is wrong, in Vietnamese.
import type { Problem, VerificationReport, SignatureReport } from '../../mail-gateway/signature';
import { dateTimeVi } from './view-format';

export interface SignerLine {
  /** "Chữ ký của người ký" or "Chữ ký của cơ quan (con dấu)". */
  role: string;
  who: string;
  organization: string | null;
  signedAt: string | null;
  /** Where the time comes from: a timestamp authority, or the signer's own computer. */
  timeSource: string | null;
  issuer: string | null;
  ok: boolean;
  /** What is wrong with this signature, in plain words. */
  faults: string[];
}

export interface SignatureSummary {
  verdict: 'valid' | 'invalid' | 'unsigned';
  headline: string;
  explanation: string;
  hasSeal: boolean;
  signers: SignerLine[];
  problems: string[];
  warnings: string[];
}

const HEADLINES = {
  valid: { headline: 'Chữ ký số hợp lệ', explanation: 'Giấy mời có chữ ký số của người ký và của cơ quan ban hành, được chứng thực bởi tổ chức tin cậy và không bị sửa đổi sau khi ký.' },
  invalid: { headline: 'Chữ ký số KHÔNG hợp lệ', explanation: 'Chữ ký số của giấy mời không kiểm tra được là hợp lệ: giấy mời chỉ có giá trị tham khảo. Xin liên hệ Văn phòng UBND tỉnh nếu cần xác minh.' },
  unsigned: { headline: 'Không có chữ ký số', explanation: 'Tệp giấy mời không có chữ ký số: chỉ có giá trị tham khảo.' },
} as const;

/**
 * What is wrong with one signature: the verifier's own problems for it, else its failed checks. A signature
 * not covering the whole file is no fault by itself: the seal is added after the signer's signature.
 */
function faultsOf(signature: SignatureReport, problems: Problem[]): string[] {
  const own = problems.filter((p) => p.signature === signature.index).map((p) => p.message);
  if (own.length > 0) return own;
  const faults: string[] = [];
  if (!signature.intact) faults.push('nội dung không khớp với chữ ký');
  if (!signature.trusted) faults.push('chứng thư số không do tổ chức tin cậy cấp');
  if (!signature.certValidAtSigningTime) faults.push('chứng thư số không còn hiệu lực khi ký');
  return faults;
}

/** `C=VN, O=Ban Cơ yếu Chính phủ, CN=…` → the common name, which is what a person recognises. */
function issuerName(distinguishedName: string | null): string | null {
  if (!distinguishedName) return null;
  return /(?:^|,\s*)CN=([^,]+)/.exec(distinguishedName)?.[1]?.trim() ?? distinguishedName;
}

function signerLine(signature: SignatureReport, problems: Problem[]): SignerLine {
  const faults = faultsOf(signature, problems);
  return {
    role: signature.kind === 'organization' ? 'Chữ ký của cơ quan (con dấu)' : 'Chữ ký của người ký',
    who: signature.signer.commonName ?? '(không đọc được tên)',
    organization: signature.signer.organization && signature.signer.organization !== signature.signer.commonName ? signature.signer.organization : null,
    signedAt: signature.signingTime ? dateTimeVi(new Date(signature.signingTime)) : null,
    timeSource: signature.signingTime ? (signature.details.timestamped ? 'theo dấu thời gian' : 'theo máy của người ký') : null,
    issuer: issuerName(signature.details.issuer),
    ok: faults.length === 0,
    faults,
  };
}

/** The report for a unit's eyes; the codes stay in the clerk's screens. */
export function summarizeSignatures(report: VerificationReport): SignatureSummary {
  return {
    verdict: report.verdict,
    ...HEADLINES[report.verdict],
    hasSeal: report.signatures.some((s) => s.kind === 'organization'),
    signers: report.signatures.map((s) => signerLine(s, report.problems)),
    problems: report.problems.filter((p) => p.signature === null).map((p) => p.message),
    warnings: report.warnings.map((w) => w.message),
  };
}
