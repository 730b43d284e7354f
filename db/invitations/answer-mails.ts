// Data access for answer_mails: every mail received at the invitation reply address, with what it was
// recognised as and its outcome (applied, or why not). Written in the transaction that applies the answer.
import type { Knex } from 'knex';
import { toDate } from '../time';
import { stamp } from './rows';
import type { Intake } from '../register/repository';

export interface NewAnswerMail {
  id: string;
  receivedAt: Date;
  intake: Intake;
  envelopeFrom: string | null;
  rcptTo: string[];
  headerFrom: string | null;
  messageId: string | null;
  subject: string | null;
  contentSha256: string;
  rawPath: string;
  rawSize: number;
  unitId: string | null;
  invitationId: string | null;
  invitationFoundBy: 'tag' | 'uid' | 'thread' | null;
  method: 'itip' | 'text' | null;
  answer: string | null;
  outcome: string;
  outcomeMessage: string;
  details: Record<string, unknown>;
  authResults: Record<string, unknown>;
  answerId: number | null;
  confirmationDedupeKey: string | null;
}

export type AnswerMailRecord = NewAnswerMail;

interface AnswerMailRow {
  id: string; received_at: string | Date; intake: string; envelope_from: string | null; rcpt_to: string; header_from: string | null;
  message_id: string | null; subject: string | null; content_sha256: string; raw_path: string; raw_size: number | string;
  unit_id: string | null; invitation_id: string | null; invitation_found_by: string | null; method: string | null; answer: string | null;
  outcome: string; outcome_message: string; details: string; auth_results: string; answer_id: number | string | null;
  confirmation_dedupe_key: string | null;
}

function toRecord(row: AnswerMailRow): AnswerMailRecord {
  return {
    id: row.id,
    receivedAt: toDate(row.received_at)!,
    intake: row.intake as NewAnswerMail['intake'],
    envelopeFrom: row.envelope_from,
    rcptTo: JSON.parse(row.rcpt_to) as string[],
    headerFrom: row.header_from,
    messageId: row.message_id,
    subject: row.subject,
    contentSha256: row.content_sha256,
    rawPath: row.raw_path,
    rawSize: Number(row.raw_size),
    unitId: row.unit_id,
    invitationId: row.invitation_id,
    invitationFoundBy: row.invitation_found_by as NewAnswerMail['invitationFoundBy'],
    method: row.method as NewAnswerMail['method'],
    answer: row.answer,
    outcome: row.outcome,
    outcomeMessage: row.outcome_message,
    details: JSON.parse(row.details) as Record<string, unknown>,
    authResults: JSON.parse(row.auth_results) as Record<string, unknown>,
    answerId: row.answer_id === null ? null : Number(row.answer_id),
    confirmationDedupeKey: row.confirmation_dedupe_key,
  };
}

export async function insertAnswerMail(db: Knex, mail: NewAnswerMail): Promise<void> {
  await db('answer_mails').insert({
    id: mail.id,
    received_at: stamp(mail.receivedAt),
    intake: mail.intake,
    envelope_from: mail.envelopeFrom,
    rcpt_to: JSON.stringify(mail.rcptTo),
    header_from: mail.headerFrom,
    message_id: mail.messageId,
    subject: mail.subject,
    content_sha256: mail.contentSha256,
    raw_path: mail.rawPath,
    raw_size: mail.rawSize,
    unit_id: mail.unitId,
    invitation_id: mail.invitationId,
    invitation_found_by: mail.invitationFoundBy,
    method: mail.method,
    answer: mail.answer,
    outcome: mail.outcome,
    outcome_message: mail.outcomeMessage,
    details: JSON.stringify(mail.details),
    auth_results: JSON.stringify(mail.authResults),
    answer_id: mail.answerId,
    confirmation_dedupe_key: mail.confirmationDedupeKey,
  });
}

/** The mail already received with these bytes (a sender's retry), if any. */
export async function findAnswerMailBySha256(db: Knex, contentSha256: string): Promise<AnswerMailRecord | null> {
  const row = (await db('answer_mails').where({ content_sha256: contentSha256 }).first()) as AnswerMailRow | undefined;
  return row ? toRecord(row) : null;
}

export async function getAnswerMail(db: Knex, id: string): Promise<AnswerMailRecord | null> {
  const row = (await db('answer_mails').where({ id }).first()) as AnswerMailRow | undefined;
  return row ? toRecord(row) : null;
}

/** The answer mails of an invitation (optionally of one unit), oldest first. */
export async function listAnswerMails(db: Knex, filter: { invitationId?: string; unitId?: string } = {}): Promise<AnswerMailRecord[]> {
  const query = db('answer_mails').orderBy([{ column: 'received_at' }, { column: 'id' }]);
  if (filter.invitationId !== undefined) query.where({ invitation_id: filter.invitationId });
  if (filter.unitId !== undefined) query.where({ unit_id: filter.unitId });
  return ((await query) as AnswerMailRow[]).map(toRecord);
}

/** Whether an invitation with this id exists (published or not: the caller decides what a draft means). */
export async function invitationExists(db: Knex, id: string): Promise<boolean> {
  return (await db('invitations').where({ id }).first('id')) !== undefined;
}
