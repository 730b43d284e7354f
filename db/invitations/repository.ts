// Data access that changes invitations: create, publish, amend, cancel, record a read, record an answer.
// Each change is one transaction and leaves a history row; reads are in ./queries.
import type { Knex } from 'knex';
import { formatDateTimeVi } from '../time';
import type { VerificationReport, Verdict } from '../../mail-gateway/signature/verify-pdf';
import { AnswerRow, answerDetails, INVITATION_COLUMNS, InvitationRow, searchTextOf, stamp, toAnswer } from './rows';
import { recordAudit } from '../audit/repository';
import {
  ANSWERABLE_STATUSES, AnswerDetails, AnswerSource, InvitationError, InvitationFile, InvitationFields, InvitationFinding, InvitationStatus, UnitAnswer,
} from './types';

/** A stored file about to be recorded: the database gives its position and times. */
export type NewFileRecord = Omit<InvitationFile, 'position' | 'addedAt' | 'supersededAt'>;

/** The verified Giấy mời PDF with what its verification decided. */
export interface MainPdfRecord {
  file: NewFileRecord;
  verdict: Verdict;
  verification: VerificationReport;
  referenceOnly: boolean;
}

export interface InsertInvitationInput extends InvitationFields {
  id: string;
  publish: boolean;
  mainPdf: MainPdfRecord;
  papers: NewFileRecord[];
  unitIds: string[];
  warnings: InvitationFinding[];
  actor: string;
  at: Date;
}

function fieldColumns(fields: InvitationFields) {
  return {
    title: fields.title,
    doc_number: fields.docNumber,
    host: fields.host,
    starts_at: stamp(fields.startsAt),
    ends_at: stamp(fields.endsAt),
    starts_on: stamp(fields.startsAt).slice(0, 10),
    place: fields.place,
    content: fields.content,
    urgency: fields.urgency,
    answer_deadline: stamp(fields.answerDeadline),
    search_text: searchTextOf(fields),
  };
}

async function insertFiles(trx: Knex.Transaction, invitationId: string, files: NewFileRecord[], at: Date): Promise<void> {
  if (files.length === 0) return;
  const [{ last }] = (await trx('invitation_files').where({ invitation_id: invitationId }).max({ last: 'position' })) as Array<{ last: number | string | null }>;
  const first = last === null ? 0 : Number(last) + 1;
  await trx('invitation_files').insert(files.map((f, i) => ({
    invitation_id: invitationId,
    position: first + i,
    kind: f.kind,
    filename: f.filename,
    stored_name: f.storedName,
    content_type: f.contentType,
    size: f.size,
    sha256: f.sha256,
    added_at: stamp(at),
    superseded_at: null,
  })));
}

async function insertUnits(trx: Knex.Transaction, invitationId: string, unitIds: string[]): Promise<void> {
  const rows = unitIds.map((unitId) => ({ invitation_id: invitationId, unit_id: unitId }));
  // Chunks keep each insert under the bound-parameter limits of SQLite and PostgreSQL.
  for (let i = 0; i < rows.length; i += 200) await trx('invitation_units').insert(rows.slice(i, i + 200));
}

async function addHistory(
  trx: Knex.Transaction,
  entry: { invitationId: string; status: InvitationStatus; sequence: number; at: Date; actor: string; note: string | null },
): Promise<void> {
  await trx('invitation_history').insert({
    invitation_id: entry.invitationId, status: entry.status, sequence: entry.sequence, at: stamp(entry.at), actor: entry.actor, note: entry.note,
  });
}

/** Writes a new invitation with its files and invited units, as a draft or already published. */
export async function insertInvitation(db: Knex, input: InsertInvitationInput): Promise<void> {
  const status: InvitationStatus = input.publish ? 'đã phát hành' : 'nháp';
  await db.transaction(async (trx) => {
    await trx('invitations').insert({
      id: input.id,
      status,
      ...fieldColumns(input),
      sequence: 0,
      reference_only: input.mainPdf.referenceOnly,
      verdict: input.mainPdf.verdict,
      verification: JSON.stringify(input.mainPdf.verification),
      warnings: JSON.stringify(input.warnings),
      created_by: input.actor,
      created_at: stamp(input.at),
      updated_at: stamp(input.at),
      published_at: input.publish ? stamp(input.at) : null,
      cancelled_at: null,
      cancel_reason: null,
    });
    await insertFiles(trx, input.id, [input.mainPdf.file, ...input.papers], input.at);
    await insertUnits(trx, input.id, input.unitIds);
    await addHistory(trx, { invitationId: input.id, status, sequence: 0, at: input.at, actor: input.actor, note: null });
  });
}

/**
 * Locks the invitation row for this transaction (a write comes first: on SQLite the transaction then holds
 * the write lock before it reads; on PostgreSQL the row stays locked) and reads it.
 */
async function lockInvitation(trx: Knex.Transaction, id: string, at: Date): Promise<InvitationRow> {
  const touched = await trx('invitations').where({ id }).update({ updated_at: stamp(at) });
  if (touched === 0) throw new InvitationError('NOT_FOUND', `Không có giấy mời mã ${id}`, `no invitation with id ${id}`);
  return (await trx('invitations').where({ id }).first(INVITATION_COLUMNS)) as InvitationRow;
}

function refuseCancelled(row: InvitationRow): void {
  if (row.status === 'đã hủy') throw new InvitationError('CANCELLED', `Giấy mời mã ${row.id} đã bị hủy`, `invitation ${row.id} is cancelled`);
}

/** Publishes a draft: from now on its units see it. The warnings replace the draft's (the 24-hour rule is judged now). */
export async function markPublished(db: Knex, id: string, change: { actor: string; at: Date; warnings: InvitationFinding[] }): Promise<void> {
  await db.transaction(async (trx) => {
    const row = await lockInvitation(trx, id, change.at);
    refuseCancelled(row);
    if (row.status !== 'nháp') throw new InvitationError('NOT_A_DRAFT', `Giấy mời mã ${id} đã được phát hành`, `invitation ${id} is already published`);
    await trx('invitations').where({ id }).update({ status: 'đã phát hành', published_at: stamp(change.at), warnings: JSON.stringify(change.warnings) });
    await addHistory(trx, { invitationId: id, status: 'đã phát hành', sequence: Number(row.sequence), at: change.at, actor: change.actor, note: null });
  });
}

export interface AmendRecord {
  /** The complete fields after the change (the service merges and checks them). */
  fields: InvitationFields;
  /** Read inside the transaction, so a concurrent change is not overwritten with stale values. */
  expectedSequence: number;
  addUnitIds: string[];
  newMainPdf: MainPdfRecord | null;
  addPapers: NewFileRecord[];
  warnings: InvitationFinding[];
  actor: string;
  at: Date;
  note: string | null;
}

/**
 * Changes an invitation. A draft stays a draft with the same sequence; a published one becomes 'đã sửa đổi'
 * with its sequence one higher, so calendars replace the event. A replaced Giấy mời is kept, marked superseded.
 */
export async function amendInvitationRecord(db: Knex, id: string, change: AmendRecord): Promise<{ status: InvitationStatus; sequence: number }> {
  return db.transaction(async (trx) => {
    const row = await lockInvitation(trx, id, change.at);
    refuseCancelled(row);
    if (Number(row.sequence) !== change.expectedSequence) {
      throw new InvitationError('INVALID_INPUT', `Giấy mời mã ${id} vừa được người khác sửa, hãy thử lại`, `invitation ${id} changed meanwhile, try again`);
    }
    const published = row.status !== 'nháp';
    const status: InvitationStatus = published ? 'đã sửa đổi' : 'nháp';
    const sequence = Number(row.sequence) + (published ? 1 : 0);
    const main = change.newMainPdf;
    await trx('invitations').where({ id }).update({
      ...fieldColumns(change.fields),
      status,
      sequence,
      warnings: JSON.stringify(change.warnings),
      ...(main ? { reference_only: main.referenceOnly, verdict: main.verdict, verification: JSON.stringify(main.verification) } : {}),
    });
    if (main) {
      await trx('invitation_files').where({ invitation_id: id, kind: 'giấy mời' }).whereNull('superseded_at').update({ superseded_at: stamp(change.at) });
    }
    await insertFiles(trx, id, [...(main ? [main.file] : []), ...change.addPapers], change.at);
    const already = new Set(((await trx('invitation_units').where({ invitation_id: id }).select('unit_id')) as Array<{ unit_id: string }>).map((r) => r.unit_id));
    await insertUnits(trx, id, change.addUnitIds.filter((unitId) => !already.has(unitId)));
    await addHistory(trx, { invitationId: id, status, sequence, at: change.at, actor: change.actor, note: change.note });
    return { status, sequence };
  });
}

/** Cancels an invitation: status 'đã hủy', the reason kept; a published one's sequence rises (the .ics says CANCEL). */
export async function cancelInvitationRecord(
  db: Knex, id: string, change: { actor: string; at: Date; reason: string },
): Promise<{ sequence: number }> {
  return db.transaction(async (trx) => {
    const row = await lockInvitation(trx, id, change.at);
    refuseCancelled(row);
    const sequence = Number(row.sequence) + (row.status === 'nháp' ? 0 : 1);
    await trx('invitations').where({ id }).update({ status: 'đã hủy', sequence, cancelled_at: stamp(change.at), cancel_reason: change.reason });
    await addHistory(trx, { invitationId: id, status: 'đã hủy', sequence, at: change.at, actor: change.actor, note: change.reason });
    return { sequence };
  });
}

function visibleInvitation(db: Knex, invitationId: string) {
  return db('invitations').select(db.raw('1')).where({ id: invitationId }).whereNotNull('published_at');
}

/**
 * Records a unit's view of an invitation: the first view keeps its time and account; later ones change
 * nothing. Returns null when the invitation is not one the unit may see.
 */
export async function recordRead(
  db: Knex, read: { invitationId: string; unitId: string; username: string; at: Date },
): Promise<{ first: boolean } | null> {
  const updated = await db('invitation_units')
    .where({ invitation_id: read.invitationId, unit_id: read.unitId })
    .whereNull('first_read_at')
    .whereExists(visibleInvitation(db, read.invitationId))
    .update({ first_read_at: stamp(read.at), first_read_by: read.username });
  if (updated > 0) return { first: true };
  const seen = await db('invitation_units')
    .where({ invitation_id: read.invitationId, unit_id: read.unitId })
    .whereExists(visibleInvitation(db, read.invitationId))
    .first('first_read_at');
  return seen ? { first: false } : null;
}

function answerColumns(details: AnswerDetails) {
  return {
    answer: details.answer,
    attendee_name: details.attendeeName,
    attendee_position: details.attendeePosition,
    attendee_phone: details.attendeePhone,
    reason: details.reason,
  };
}

/** Why an answer was not written: the unit is not invited, the invitation is cancelled, or answers closed. */
async function explainRefusedAnswer(trx: Knex.Transaction, invitationId: string, unitId: string): Promise<never> {
  const row = (await trx('invitations')
    .join('invitation_units', 'invitation_units.invitation_id', 'invitations.id')
    .where({ 'invitations.id': invitationId, 'invitation_units.unit_id': unitId })
    .whereNotNull('invitations.published_at')
    .first(['invitations.status', 'invitations.answer_deadline'])) as Pick<InvitationRow, 'status' | 'answer_deadline'> | undefined;
  if (!row) throw new InvitationError('NOT_FOUND', `Không có giấy mời mã ${invitationId} gửi đơn vị này`, `no invitation ${invitationId} for this unit`);
  if (row.status === 'đã hủy') throw new InvitationError('CANCELLED', 'Cuộc họp đã bị hủy, không nhận xác nhận tham dự', 'the meeting is cancelled; answers are closed');
  const deadline = formatDateTimeVi(new Date(row.answer_deadline));
  throw new InvitationError('ANSWERS_CLOSED', `Đã hết hạn xác nhận tham dự (hạn chót ${deadline})`, `the answer deadline (${deadline}) has passed`);
}

/**
 * Records a unit's answer (a first answer or a change), if the invitation is published, not cancelled and
 * the deadline has not passed at `at`; the answer joins the unit's answer history.
 */
export async function recordAnswer(
  db: Knex,
  input: {
    invitationId: string; unitId: string; username: string; at: Date; details: AnswerDetails;
    /** Where the answer was given (default the website); a mail answer names its row of answer_mails. */
    source?: { kind: AnswerSource; answerMailId?: string | null };
  },
): Promise<UnitAnswer> {
  const source = input.source?.kind ?? 'web';
  return db.transaction(async (trx) => {
    const open = trx('invitations')
      .select(trx.raw('1'))
      .where({ id: input.invitationId })
      .whereNotNull('published_at')
      .whereIn('status', ANSWERABLE_STATUSES)
      .where('answer_deadline', '>=', stamp(input.at));
    const updated = await trx('invitation_units')
      .where({ invitation_id: input.invitationId, unit_id: input.unitId })
      .whereExists(open)
      .update({
        ...answerColumns(input.details),
        answered_at: stamp(input.at),
        answered_by: input.username,
        answered_sequence: trx.raw('(SELECT sequence FROM invitations WHERE id = ?)', [input.invitationId]),
        answer_source: source,
      });
    if (updated === 0) return explainRefusedAnswer(trx, input.invitationId, input.unitId);
    const { sequence } = (await trx('invitations').where({ id: input.invitationId }).first('sequence')) as { sequence: number | string };
    // Read after the write above: the transaction already holds SQLite's write lock.
    const previous = (await trx('invitation_answers').where({ invitation_id: input.invitationId, unit_id: input.unitId }).orderBy('id', 'desc').first()) as AnswerRow | undefined;
    const unit = (await trx('units').where({ id: input.unitId }).first('name')) as { name: string } | undefined;
    await recordAudit(trx, {
      actor: input.username, at: input.at, objectType: 'answer', objectId: `${input.invitationId}/${input.unitId}`,
      action: previous ? 'answer.changed' : 'answer.given',
      summary: `${unit?.name ?? input.unitId}: ${previous ? 'đổi trả lời' : 'trả lời'} "${input.details.answer}"${source === 'mail' ? ' (qua thư)' : ''}`,
      before: previous ? { ...answerDetails(previous), source: previous.source ?? 'web' } : null,
      after: { ...input.details, source },
    });
    const [row] = (await trx('invitation_answers').insert({
      invitation_id: input.invitationId,
      unit_id: input.unitId,
      ...answerColumns(input.details),
      answered_at: stamp(input.at),
      answered_by: input.username,
      sequence: Number(sequence),
      source,
      answer_mail_id: input.source?.answerMailId ?? null,
    }).returning('*')) as AnswerRow[];
    return toAnswer(row);
  });
}
