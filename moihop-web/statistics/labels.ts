// The Vietnamese names of what the statistics count: verdicts, refusal reasons, durations.
import type { Verdict } from '../../mail-gateway/signature/verify-pdf';
import { PROBLEM_TITLES, ProblemCode } from '../../mail-gateway/signature/problems';
import { CLERK_REFUSAL_CODE, ReasonCount } from '../../db/register/statistics';

export const UNKNOWN_UNIT_LABEL = 'Ngoài danh bạ (không xác định được đơn vị)';
export const UNKNOWN_TYPE_LABEL = 'Không xác định được loại';

const VERDICT_NAMES: Record<Verdict | 'none', string> = {
  valid: 'Chữ ký số hợp lệ',
  invalid: 'Chữ ký số không hợp lệ',
  unsigned: 'Không có chữ ký số',
  none: 'Không có tệp PDF để kiểm tra',
};

export const verdictLabel = (verdict: Verdict | null) => VERDICT_NAMES[verdict ?? 'none'];

// Reasons the gateway itself gives besides the verifier's (mail-gateway/intake/pipeline.ts).
const GATEWAY_REASONS: Record<string, string> = {
  NO_PDF: 'Thư không có tệp PDF văn bản',
  NOT_VERIFIED: 'Thư có quá nhiều tệp PDF, không kiểm tra hết',
  [CLERK_REFUSAL_CODE]: 'Văn thư từ chối sau khi xem xét',
};

export function reasonLabel(reason: Pick<ReasonCount, 'code' | 'example'>): string {
  return PROBLEM_TITLES[reason.code as ProblemCode] ?? GATEWAY_REASONS[reason.code] ?? reason.example ?? reason.code;
}

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
export const statusLabel = capitalized;

/** `1 ngày 3 giờ`, `2 giờ 15 phút`, `40 phút`; a dash for nothing measured. */
export function durationVi(ms: number | null): string {
  if (ms === null) return '—';
  const minutes = Math.round(ms / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  if (days) return hours ? `${days} ngày ${hours} giờ` : `${days} ngày`;
  if (hours) return rest ? `${hours} giờ ${rest} phút` : `${hours} giờ`;
  return `${rest} phút`;
}

/** Hours with two decimals, for a spreadsheet cell. */
export const hoursOf = (ms: number | null) => (ms === null ? null : Math.round(ms / 36_000) / 100);
