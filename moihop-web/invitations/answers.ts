// A unit's side of an invitation: its first view is recorded, and it answers (tham dự, cử người dự thay,
// không tham dự) and may change its answer until the deadline.
import type { Knex } from 'knex';
import { recordAnswer, recordRead } from '../../db/invitations/repository';
import { ANSWER_KINDS, AnswerDetails, AnswerKind, InvitationError, UnitAnswer } from '../../db/invitations/types';
import { cleanText } from './rules';

/** What the answer form sends; texts are cleaned and checked here. */
export interface AnswerInput {
  answer: AnswerKind | string;
  attendeeName?: string | null;
  attendeePosition?: string | null;
  attendeePhone?: string | null;
  reason?: string | null;
}

export interface UnitActor {
  unitId: string;
  /** The account that acts (kept with the read and the answer). */
  username: string;
}

const NAME_MAX = 200;
const REASON_MAX = 2000;
const PHONE = /^\+?[0-9 ().-]{8,20}$/;

const invalid = (vi: string, en: string) => new InvitationError('INVALID_INPUT', vi, en);

function required(value: string | null, vi: string, en: string): string {
  if (value === null) throw invalid(`Cần nhập ${vi}`, `${en} is required`);
  if (value.length > NAME_MAX) throw invalid(`${vi} dài quá ${NAME_MAX} ký tự`, `${en} is longer than ${NAME_MAX} characters`);
  return value;
}

function phone(value: string | null, isRequired: boolean): string | null {
  if (value === null) {
    if (isRequired) throw invalid('Cần nhập số điện thoại của người dự thay', "the delegate's phone number is required");
    return null;
  }
  if (!PHONE.test(value) || value.replace(/\D/g, '').length < 8) {
    throw invalid(`Số điện thoại không hợp lệ: "${value}"`, `invalid phone number "${value}"`);
  }
  return value;
}

/** Checks an answer: tham dự needs the attendee's name and position; a delegate also a phone; a refusal a reason. */
export function checkAnswer(input: AnswerInput): AnswerDetails {
  const answer = String(input.answer ?? '').normalize('NFC').trim() as AnswerKind;
  if (!ANSWER_KINDS.includes(answer)) {
    throw invalid(`Trả lời phải là một trong: ${ANSWER_KINDS.join(', ')}`, `the answer must be one of: ${ANSWER_KINDS.join(', ')}`);
  }
  if (answer === 'không tham dự') {
    const reason = cleanText(input.reason, true);
    if (reason === null) throw invalid('Cần nêu lý do không tham dự', 'a reason is required to decline');
    if (reason.length > REASON_MAX) throw invalid(`Lý do dài quá ${REASON_MAX} ký tự`, `the reason is longer than ${REASON_MAX} characters`);
    return { answer, attendeeName: null, attendeePosition: null, attendeePhone: null, reason };
  }
  const delegate = answer === 'cử người dự thay';
  const who = delegate ? 'người dự thay' : 'người tham dự';
  return {
    answer,
    attendeeName: required(cleanText(input.attendeeName), `họ tên ${who}`, delegate ? "the delegate's name" : "the attendee's name"),
    attendeePosition: required(cleanText(input.attendeePosition), `chức vụ ${who}`, delegate ? "the delegate's position" : "the attendee's position"),
    attendeePhone: phone(cleanText(input.attendeePhone), delegate),
    reason: null,
  };
}

function checkActor(actor: UnitActor): void {
  if (!actor.unitId || !actor.username || actor.username.length > 40) throw invalid('Thiếu tài khoản đơn vị', 'missing unit account');
}

/**
 * Records the unit's answer. Refused with InvitationError: NOT_FOUND (not this unit's invitation), CANCELLED,
 * ANSWERS_CLOSED (after the deadline), INVALID_INPUT (missing name, position, phone or reason).
 */
export async function answerInvitation(
  db: Knex, actor: UnitActor, invitationId: string, input: AnswerInput, options: { at?: Date } = {},
): Promise<UnitAnswer> {
  checkActor(actor);
  const details = checkAnswer(input);
  return recordAnswer(db, { invitationId, unitId: actor.unitId, username: actor.username, at: options.at ?? new Date(), details });
}

/**
 * Records that the unit opened the invitation: only its first view is kept (time and account). Returns null
 * when the invitation is not one the unit may see (the page answers 404).
 */
export async function recordInvitationRead(
  db: Knex, actor: UnitActor, invitationId: string, options: { at?: Date } = {},
): Promise<{ first: boolean } | null> {
  checkActor(actor);
  return recordRead(db, { invitationId, unitId: actor.unitId, username: actor.username, at: options.at ?? new Date() });
}
