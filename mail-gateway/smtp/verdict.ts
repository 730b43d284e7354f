// A typed verdict for every SMTP-phase check, and the one place that turns verdicts into SMTP replies.
export interface SmtpRefusal {
  kind: 'temporary' | 'permanent';
  code: number;
  enhanced: string;
  reason: string;
}

export type SmtpVerdict = { kind: 'ok' } | SmtpRefusal;

export const OK: SmtpVerdict = { kind: 'ok' };

export function temporary(code: number, enhanced: string, reason: string): SmtpRefusal {
  return { kind: 'temporary', code, enhanced, reason };
}

export function permanent(code: number, enhanced: string, reason: string): SmtpRefusal {
  return { kind: 'permanent', code, enhanced, reason };
}

/**
 * SMTP reply text must be ASCII (clients read it as such): Vietnamese goes out without its diacritics.
 */
export function asciiReply(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').replace(/[^\x20-\x7e]/g, '?');
}

/** smtp-server reads `responseCode` from the error passed to a phase callback. */
export function verdictToError(verdict: SmtpRefusal): Error & { responseCode: number } {
  const error = new Error(asciiReply(`${verdict.enhanced} ${verdict.reason}`)) as Error & { responseCode: number };
  error.responseCode = verdict.code;
  return error;
}
