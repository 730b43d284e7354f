// What the gateway found out about the sender of a document (SPF, DKIM, DMARC, directory unit), in plain words.
import type { Unit } from '../../db/units/repository';

export interface SenderCheckLine {
  name: string;
  result: string;
  ok: boolean | null;
}

export interface SenderChecks {
  lines: SenderCheckLine[];
  aligned: boolean;
  temporaryError: boolean;
  clientIp: string | null;
  helo: string | null;
  unit: { name: string; organId: string | null } | null;
}

const OUTCOMES: Record<string, { text: string; ok: boolean | null }> = {
  pass: { text: 'đạt', ok: true },
  fail: { text: 'không đạt', ok: false },
  softfail: { text: 'không đạt (mức nhẹ)', ok: false },
  neutral: { text: 'không kết luận', ok: null },
  none: { text: 'không có', ok: null },
  temperror: { text: 'lỗi tạm thời, không tra được DNS', ok: null },
  permerror: { text: 'cấu hình sai của bên gửi', ok: false },
  policy: { text: 'bị chính sách từ chối', ok: false },
};

function outcome(value: unknown): { text: string; ok: boolean | null } {
  return OUTCOMES[String(value)] ?? { text: 'không rõ', ok: null };
}

/** Null for a document that did not come by mail (registered by hand). */
export function senderChecksOf(authResults: unknown, unit: Unit | null): SenderChecks | null {
  if (!authResults || typeof authResults !== 'object') return null;
  const auth = authResults as Record<string, unknown>;
  return {
    lines: [
      { name: 'SPF (máy gửi được phép gửi cho tên miền)', ...resultOf(auth.spf) },
      { name: 'DKIM (chữ ký của máy chủ thư)', ...resultOf(auth.dkim) },
      { name: 'DMARC (chính sách của tên miền)', ...resultOf(auth.dmarc) },
    ],
    aligned: auth.aligned === true,
    temporaryError: auth.temporaryError === true,
    clientIp: typeof auth.clientIp === 'string' ? auth.clientIp : null,
    helo: typeof auth.helo === 'string' ? auth.helo : null,
    unit: unit ? { name: unit.name, organId: unit.organId } : null,
  };
}

function resultOf(value: unknown): { result: string; ok: boolean | null } {
  const { text, ok } = outcome(value);
  return { result: text, ok };
}
