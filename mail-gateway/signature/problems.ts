// Stable problem and warning codes of the signature verifier, with the Vietnamese text a clerk reads.

export const PROBLEM_CODES = [
  'NOT_A_PDF', 'MALFORMED_PDF', 'NO_SIGNATURE', 'MALFORMED_SIGNATURE', 'BAD_BYTE_RANGE', 'DIGEST_MISMATCH',
  'BAD_SIGNATURE', 'UNSUPPORTED_ALGORITHM', 'UNTRUSTED_CHAIN', 'CERT_EXPIRED', 'CERT_NOT_YET_VALID',
  'CERT_REVOKED', 'WRONG_KEY_USAGE', 'MODIFIED_AFTER_SIGNING', 'MISSING_ORGANIZATION_SIGNATURE',
] as const;
export type ProblemCode = (typeof PROBLEM_CODES)[number];

export const WARNING_CODES = [
  'SIGNING_DATE_MISMATCH', 'SIGNING_TIME_IN_FUTURE', 'NO_TIMESTAMP',
  'WEAK_ALGORITHM', 'NO_PERSONAL_SIGNATURE', 'ORGANIZATION_SIGNATURE_NOT_LAST', 'TIMESTAMP_INVALID', 'PDF_STRUCTURE',
] as const;
export type WarningCode = (typeof WARNING_CODES)[number];

export interface Problem {
  code: ProblemCode;
  message: string;
  signature: number | null;
}

export interface Warning {
  code: WarningCode;
  message: string;
}

/** What each problem means for the person reading the report (the detail follows in the message). */
export const PROBLEM_TITLES: Record<ProblemCode, string> = {
  NOT_A_PDF: 'Tệp không phải là PDF',
  MALFORMED_PDF: 'Tệp PDF bị hỏng hoặc có cấu trúc bất thường',
  NO_SIGNATURE: 'Văn bản không có chữ ký số',
  MALFORMED_SIGNATURE: 'Chữ ký số bị hỏng, không đọc được',
  BAD_BYTE_RANGE: 'Phạm vi ký (ByteRange) không hợp lệ: chữ ký không bao trọn văn bản',
  DIGEST_MISMATCH: 'Nội dung văn bản không khớp với chữ ký (đã bị sửa hoặc chữ ký lấy từ văn bản khác)',
  BAD_SIGNATURE: 'Giá trị chữ ký số không đúng',
  UNSUPPORTED_ALGORITHM: 'Thuật toán ký không được hỗ trợ',
  UNTRUSTED_CHAIN: 'Chứng thư số không do tổ chức chứng thực tin cậy cấp',
  CERT_EXPIRED: 'Chứng thư số đã hết hạn khi ký',
  CERT_NOT_YET_VALID: 'Chứng thư số chưa có hiệu lực khi ký',
  CERT_REVOKED: 'Chứng thư số đã bị thu hồi',
  WRONG_KEY_USAGE: 'Chứng thư số không được phép dùng để ký',
  MODIFIED_AFTER_SIGNING: 'Văn bản đã bị thay đổi sau khi ký',
  MISSING_ORGANIZATION_SIGNATURE: 'Thiếu chữ ký số của cơ quan, tổ chức',
};

export const WARNING_TITLES: Record<WarningCode, string> = {
  SIGNING_DATE_MISMATCH: 'Ngày ký số khác ngày ban hành ghi trên văn bản',
  SIGNING_TIME_IN_FUTURE: 'Thời điểm ký ở tương lai',
  NO_TIMESTAMP: 'Chữ ký không có dấu thời gian',
  WEAK_ALGORITHM: 'Thuật toán băm yếu (SHA-1)',
  NO_PERSONAL_SIGNATURE: 'Không có chữ ký số của người ký',
  ORGANIZATION_SIGNATURE_NOT_LAST: 'Chữ ký của cơ quan không phải là chữ ký sau cùng',
  TIMESTAMP_INVALID: 'Dấu thời gian không hợp lệ, không được dùng',
  PDF_STRUCTURE: 'Cấu trúc PDF có điểm bất thường',
};

export class ProblemList {
  readonly problems: Problem[] = [];
  readonly warnings: Warning[] = [];

  add(code: ProblemCode, detail: string, signature: number | null = null): void {
    const duplicate = this.problems.some((p) => p.code === code && p.signature === signature && p.message.endsWith(detail));
    if (!duplicate) this.problems.push({ code, message: `${PROBLEM_TITLES[code]}: ${detail}`, signature });
  }

  warn(code: WarningCode, detail: string): void {
    const message = `${WARNING_TITLES[code]}: ${detail}`;
    if (!this.warnings.some((w) => w.code === code && w.message === message)) this.warnings.push({ code, message });
  }

  has(code: ProblemCode, signature?: number): boolean {
    return this.problems.some((p) => p.code === code && (signature === undefined || p.signature === signature));
  }

  forSignature(signature: number): Problem[] {
    return this.problems.filter((p) => p.signature === signature);
  }
}
