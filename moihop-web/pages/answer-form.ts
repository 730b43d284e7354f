// The answer form of an invitation page: what the unit typed, and the service's refusals attached to the
// field they concern, so the page can show them all at once beside the entered values.
import type { Request } from 'express';
import { AnswerInput, checkAnswer, InvitationError, UnitAnswer } from '../invitations';

export type AnswerField = 'answer' | 'attendeeName' | 'attendeePosition' | 'attendeePhone' | 'reason';

export interface AnswerFormValues {
  answer: string;
  attendeeName: string;
  attendeePosition: string;
  attendeePhone: string;
  reason: string;
}

export interface AnswerFormError {
  field: AnswerField;
  message: string;
}

const FIELD_LIMIT = 4000;

function bodyText(req: Request, name: string): string {
  const value = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value.slice(0, FIELD_LIMIT) : '';
}

export function answerFormFromRequest(req: Request): AnswerFormValues {
  return {
    answer: bodyText(req, 'answer'),
    attendeeName: bodyText(req, 'attendee_name'),
    attendeePosition: bodyText(req, 'attendee_position'),
    attendeePhone: bodyText(req, 'attendee_phone'),
    reason: bodyText(req, 'reason'),
  };
}

/** The form filled with the unit's current answer (or empty). */
export function answerFormFromAnswer(answer: UnitAnswer | null): AnswerFormValues {
  return {
    answer: answer?.answer ?? '',
    attendeeName: answer?.attendeeName ?? '',
    attendeePosition: answer?.attendeePosition ?? '',
    attendeePhone: answer?.attendeePhone ?? '',
    reason: answer?.reason ?? '',
  };
}

export function toAnswerInput(values: AnswerFormValues): AnswerInput {
  return { ...values };
}

/** Which field a refusal of checkAnswer is about, from its Vietnamese text. */
function fieldOf(message: string): AnswerField {
  if (/^Trả lời phải/.test(message)) return 'answer';
  if (/họ tên/i.test(message)) return 'attendeeName';
  if (/chức vụ/i.test(message)) return 'attendeePosition';
  if (/điện thoại/i.test(message)) return 'attendeePhone';
  if (/lý do/i.test(message)) return 'reason';
  return 'answer';
}

/** A value that passes, to look past one refused field for the next one. */
const ACCEPTED: Record<Exclude<AnswerField, 'answer'>, string> = {
  attendeeName: 'Nguyễn Văn A', attendeePosition: 'Chuyên viên', attendeePhone: '0900000000', reason: 'Lý do',
};

/**
 * Every problem of the form. checkAnswer stops at the first one, so each refused field is replaced by a value
 * that passes and the check runs again: the rules stay in the service, the unit sees all its mistakes at once.
 */
export function answerFormErrors(values: AnswerFormValues): AnswerFormError[] {
  const errors: AnswerFormError[] = [];
  const probe: AnswerFormValues = { ...values };
  for (let round = 0; round < 5; round++) {
    try {
      checkAnswer(toAnswerInput(probe));
      break;
    } catch (err) {
      if (!(err instanceof InvitationError)) throw err;
      const field = fieldOf(err.vi);
      if (errors.some((e) => e.field === field)) break;
      errors.push({ field, message: field === 'answer' ? 'Xin chọn một trong ba cách trả lời: tham dự, cử người dự thay hoặc không tham dự.' : err.vi });
      if (field === 'answer') break;
      probe[field] = ACCEPTED[field];
    }
  }
  return errors;
}
