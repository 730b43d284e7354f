// The short mail back to a unit that answered by mail: "đã ghi nhận" with the answer as recorded, or why it
// could not be recorded. Queued in the outbox in the transaction that records the answer mail. It is an
// auto-reply (RFC 3834): null envelope sender, Auto-Submitted, marked as our notice, so no robot answers it
// and the gateway never answers it if it comes back. Its Reply-To is the invitation's reply address: the unit
// can change its answer by replying again.
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { Config } from '../../config';
import { enqueueMail, findByDedupeKey } from '../../db/outbox/repository';
import { formatDateTimeVi, mailDateVietnam } from '../../db/time';
import type { AnswerDetails, Invitation } from '../../db/invitations/types';
import { NOTICE_HEADER } from '../notices/notices';
import { angleId, composeMessage, oneLine, renderMailTemplates } from '../notices/compose';
import { invitationPageUrl, ORGANIZER_NAME } from '../../moihop-web/invitations/calendar';
import { invitationReplyAddress } from './reply-address';

export const ANSWER_MAIL_KINDS = { applied: 'answer.applied', notApplied: 'answer.not-applied' } as const;

export type ConfirmationConfig = Pick<Config, 'gatewayAddresses' | 'invitationReplyAddress' | 'publicUrl' | 'sessionSecret' | 'dataDir'>;

export interface ConfirmationInput {
  answerMailId: string;
  to: string;
  unitId: string;
  unitName: string;
  /** Message-ID of the unit's reply: the confirmation answers it, and is queued once per reply. */
  replyMessageId: string | null;
  /** SHA-256 of the reply's bytes: the dedupe key when it has no Message-ID. */
  replySha256: string;
  receivedAt: Date;
  invitation: Invitation | null;
  result:
    | { applied: true; details: AnswerDetails }
    | { applied: false; explanation: string; retry: boolean; firstLine: string | null };
}

/** The answer as one Vietnamese line: "Tham dự: Nguyễn Văn A, Phó Giám đốc". */
export function describeAnswer(details: AnswerDetails): string {
  const person = [details.attendeeName, details.attendeePosition].filter(Boolean).join(', ');
  const phone = details.attendeePhone ? `, điện thoại ${details.attendeePhone}` : '';
  if (details.answer === 'tham dự') return `Tham dự${person ? `: ${person}` : ''}${phone}`;
  if (details.answer === 'cử người dự thay') return `Cử người dự thay: ${person}${phone}`;
  return `Không tham dự${details.reason ? `. Lý do: ${details.reason}` : ''}`;
}

/** What the website still needs for a complete answer (the form asks for it; a mail may leave it out). */
function missingDetails(details: AnswerDetails): string[] {
  if (details.answer === 'không tham dự') return [];
  const who = details.answer === 'tham dự' ? 'người tham dự' : 'người dự thay';
  return [
    details.attendeeName ? null : `họ tên ${who}`,
    details.attendeePosition ? null : `chức vụ ${who}`,
    details.answer === 'cử người dự thay' && !details.attendeePhone ? `số điện thoại ${who}` : null,
  ].filter((x): x is string => x !== null);
}

/** One confirmation per reply (its Message-ID, else its bytes) and recipient. */
export function confirmationDedupeKey(to: string, replyMessageId: string | null, replySha256: string): string {
  const basis = replyMessageId ? `id:${replyMessageId}` : `sha256:${replySha256}`;
  return `answer.reply:${crypto.createHash('sha256').update(`${to.toLowerCase()}\n${basis}`).digest('hex').slice(0, 40)}`;
}

/** Queues the confirmation (or explanation); returns its dedupe key. Nothing new when it was queued before. */
export async function queueAnswerConfirmation(db: Knex, config: ConfirmationConfig, input: ConfirmationInput, now = new Date()): Promise<string> {
  const dedupeKey = confirmationDedupeKey(input.to, input.replyMessageId, input.replySha256);
  if (await findByDedupeKey(db, dedupeKey)) return dedupeKey;
  const invitation = input.invitation;
  const replyTo = invitation ? invitationReplyAddress(config, invitation.id, input.unitId) : config.invitationReplyAddress;
  const domain = config.invitationReplyAddress.split('@')[1];
  const kind = input.result.applied ? ANSWER_MAIL_KINDS.applied : ANSWER_MAIL_KINDS.notApplied;
  const messageId = `<${kind}.${input.answerMailId}.${crypto.randomBytes(6).toString('hex')}@${domain}>`;
  const about = invitation ? `: ${oneLine(invitation.title, 150)}` : '';
  const subject = input.result.applied ? `Đã ghi nhận trả lời giấy mời${about}` : `Chưa ghi nhận được trả lời giấy mời${about}`;
  const common = {
    unitName: input.unitName, receivedAt: input.receivedAt, invitation, answerMailId: input.answerMailId,
    pageUrl: invitation ? invitationPageUrl(config, invitation.id) : null, gatewayAddress: config.gatewayAddresses[0], formatDateTimeVi,
  };
  const { text, html } = input.result.applied
    ? await renderMailTemplates('answer-applied', { ...common, answerLine: describeAnswer(input.result.details), missing: missingDetails(input.result.details) })
    : await renderMailTemplates('answer-not-applied', { ...common, explanation: input.result.explanation, retry: input.result.retry, firstLine: oneLine(input.result.firstLine, 300) || null });
  const original = angleId(input.replyMessageId);
  const rawMessage = await composeMessage({
    from: { name: ORGANIZER_NAME, address: config.invitationReplyAddress },
    replyTo,
    to: input.to,
    subject,
    date: mailDateVietnam(now),
    messageId,
    inReplyTo: original ?? undefined,
    references: original ?? undefined,
    headers: { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All', [NOTICE_HEADER]: kind },
    text,
    html,
  });
  await enqueueMail(db, {
    kind,
    reference: invitation?.id ?? input.answerMailId,
    dedupeKey,
    sender: '',
    recipient: input.to,
    subject,
    messageId,
    rawMessage,
    priority: 0,
  }, now);
  return dedupeKey;
}
