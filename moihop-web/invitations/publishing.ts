// The admin's services: create (draft or published), publish, amend, cancel an invitation.
// Files are written before the rows that name them, so the database never points at a missing file.
import type { Knex } from 'knex';
import type { Config } from '../../config';
import type { Urgency } from '../../db/register/repository';
import { detectUrgency, mostUrgent } from '../../mail-gateway/register/urgency';
import type { VerificationReport } from '../../mail-gateway/signature';
import {
  amendInvitationRecord, cancelInvitationRecord, insertInvitation, markPublished, MainPdfRecord, NewFileRecord,
} from '../../db/invitations/repository';
import { getInvitation, unknownUnitIds } from '../../db/invitations/queries';
import { newInvitationId } from '../../db/invitations/rows';
import { InvitationDetail, InvitationError, InvitationFields, InvitationFinding } from '../../db/invitations/types';
import { checkIncomingFile, IncomingFile, removeCreatedFiles, StoredFile, storeInvitationFile } from './files';
import { checkInvitationPdf, CheckedPdf, pdfFindings } from './main-pdf';
import { checkFields, cleanText, noticeFindings, refuseStartedMeeting } from './rules';

export type InvitationServiceConfig = Pick<Config, 'dataDir' | 'trustDir'>;

export interface CreateInvitationInput {
  /** Trích yếu; when missing, the one printed on the PDF. */
  title?: string | null;
  /** Số, ký hiệu; when missing, the one printed on the PDF. */
  docNumber?: string | null;
  host?: string | null;
  startsAt: Date;
  endsAt: Date;
  place: string;
  content?: string | null;
  /** At least this urgent; a mark printed on the PDF or written in the title raises it. */
  urgency?: Urgency;
  /** Default: the start of the meeting. */
  answerDeadline?: Date | null;
  unitIds: string[];
  pdf: IncomingFile;
  papers?: IncomingFile[];
  /** Accept an unsigned or invalid PDF as "bản tham khảo" instead of refusing it. */
  allowUnsigned?: boolean;
  /** Publish at once (default) or keep as a draft. */
  publish?: boolean;
  /** Who does it (account username or 'cli:<user>'). */
  actor: string;
  /** The moment of the action (default now). */
  at?: Date;
}

export interface AmendInvitationInput {
  /** Undefined keeps a field; null clears an optional one. */
  title?: string;
  docNumber?: string | null;
  host?: string | null;
  startsAt?: Date;
  endsAt?: Date;
  place?: string;
  content?: string | null;
  urgency?: Urgency;
  answerDeadline?: Date;
  addUnitIds?: string[];
  /** A new Giấy mời replacing the current one (which is kept, marked superseded). */
  pdf?: IncomingFile;
  papers?: IncomingFile[];
  allowUnsigned?: boolean;
  /** Why it changed, kept in the history. */
  note?: string | null;
  actor: string;
  at?: Date;
}

const ACTOR_MAX = 120;

function checkActor(actor: string): void {
  if (!actor || actor.length > ACTOR_MAX) throw new InvitationError('INVALID_INPUT', 'Thiếu hoặc sai người thực hiện', 'missing or invalid actor');
}

async function checkUnits(db: Knex, unitIds: string[], required: boolean): Promise<string[]> {
  const unique = [...new Set(unitIds.map((id) => id.trim()).filter(Boolean))];
  if (required && unique.length === 0) throw new InvitationError('INVALID_INPUT', 'Chưa chọn đơn vị được mời', 'no invited unit');
  const unknown = await unknownUnitIds(db, unique);
  if (unknown.length > 0) {
    throw new InvitationError('UNKNOWN_UNITS', `Không có đơn vị: ${unknown.join(', ')}`, `unknown units: ${unknown.join(', ')}`);
  }
  return unique;
}

function allFindings(verification: VerificationReport, fields: InvitationFields, noticeAt: Date | null): InvitationFinding[] {
  return [...pdfFindings(verification, fields.docNumber), ...(noticeAt ? noticeFindings(fields.startsAt, noticeAt) : [])];
}

/** Writes the files; on any failure removes what this call wrote and rethrows. */
async function withStoredFiles<T>(
  config: InvitationServiceConfig, invitationId: string, files: Array<{ file: IncomingFile; kind: 'giấy mời' | 'tài liệu' }>,
  write: (records: NewFileRecord[]) => Promise<T>,
): Promise<T> {
  const stored: StoredFile[] = [];
  try {
    files.forEach(({ file, kind }, i) => stored.push(storeInvitationFile(config.dataDir, invitationId, file, kind, i)));
    return await write(stored.map((s) => s.record));
  } catch (err) {
    removeCreatedFiles(stored);
    throw err;
  }
}

function mainPdfRecord(record: NewFileRecord, checked: CheckedPdf): MainPdfRecord {
  return { file: record, verdict: checked.verification.verdict, verification: checked.verification, referenceOnly: checked.referenceOnly };
}

/**
 * Creates an invitation from a Giấy mời PDF (verified: refused unless validly signed or `allowUnsigned`),
 * its meeting papers and the invited units; published at once unless `publish: false`. A meeting starting
 * less than 24 hours after publishing gets the LATE_NOTICE warning (in `warnings`).
 */
export async function createInvitation(db: Knex, config: InvitationServiceConfig, input: CreateInvitationInput): Promise<InvitationDetail> {
  const at = input.at ?? new Date();
  const publish = input.publish ?? true;
  checkActor(input.actor);
  checkIncomingFile(input.pdf, 'Giấy mời');
  for (const paper of input.papers ?? []) checkIncomingFile(paper, 'Tài liệu');
  const checked = checkInvitationPdf(input.pdf, { trustDir: config.trustDir, at, allowUnsigned: input.allowUnsigned ?? false });
  const printed = checked.verification.document;
  const title = cleanText(input.title) ?? cleanText(printed.subject) ?? '';
  const fields: InvitationFields = {
    title,
    docNumber: cleanText(input.docNumber) ?? cleanText(printed.number),
    host: cleanText(input.host),
    startsAt: input.startsAt,
    endsAt: input.endsAt,
    place: cleanText(input.place) ?? '',
    content: cleanText(input.content, true),
    urgency: mostUrgent(input.urgency, printed.urgency, detectUrgency(title)),
    answerDeadline: input.answerDeadline ?? input.startsAt,
  };
  checkFields(fields);
  const unitIds = await checkUnits(db, input.unitIds, true);
  if (publish) refuseStartedMeeting(fields.startsAt, at);
  const id = newInvitationId(at);
  const files = [{ file: input.pdf, kind: 'giấy mời' as const }, ...(input.papers ?? []).map((file) => ({ file, kind: 'tài liệu' as const }))];
  await withStoredFiles(config, id, files, ([main, ...papers]) => insertInvitation(db, {
    id,
    ...fields,
    publish,
    mainPdf: mainPdfRecord(main, checked),
    papers,
    unitIds,
    warnings: allFindings(checked.verification, fields, publish ? at : null),
    actor: input.actor,
    at,
  }));
  return (await getInvitation(db, id))!;
}

async function requireInvitation(db: Knex, id: string): Promise<InvitationDetail> {
  const invitation = await getInvitation(db, id);
  if (!invitation) throw new InvitationError('NOT_FOUND', `Không có giấy mời mã ${id}`, `no invitation with id ${id}`);
  return invitation;
}

/** Publishes a draft; the 24-hour rule is judged at this moment. */
export async function publishInvitation(db: Knex, id: string, options: { actor: string; at?: Date }): Promise<InvitationDetail> {
  const at = options.at ?? new Date();
  checkActor(options.actor);
  const draft = await requireInvitation(db, id);
  if (draft.status === 'nháp') refuseStartedMeeting(draft.startsAt, at);
  await markPublished(db, id, { actor: options.actor, at, warnings: allFindings(draft.verification, draft, at) });
  return (await getInvitation(db, id))!;
}

function mergeFields(current: InvitationFields, change: AmendInvitationInput): InvitationFields {
  const keep = <T>(value: T | undefined, fallback: T): T => (value === undefined ? fallback : value);
  const startsAt = keep(change.startsAt, current.startsAt);
  // A deadline left at its default (the start) follows the start when the meeting moves.
  const followsStart = current.answerDeadline.getTime() === current.startsAt.getTime();
  return {
    title: change.title === undefined ? current.title : cleanText(change.title) ?? '',
    docNumber: change.docNumber === undefined ? current.docNumber : cleanText(change.docNumber),
    host: change.host === undefined ? current.host : cleanText(change.host),
    startsAt,
    endsAt: keep(change.endsAt, current.endsAt),
    place: change.place === undefined ? current.place : cleanText(change.place) ?? '',
    content: change.content === undefined ? current.content : cleanText(change.content, true),
    urgency: keep(change.urgency, current.urgency),
    answerDeadline: change.answerDeadline ?? (followsStart ? startsAt : current.answerDeadline),
  };
}

function changesSomething(change: AmendInvitationInput): boolean {
  const fields = ['title', 'docNumber', 'host', 'startsAt', 'endsAt', 'place', 'content', 'urgency', 'answerDeadline', 'pdf'] as const;
  return fields.some((f) => change[f] !== undefined) || (change.addUnitIds?.length ?? 0) > 0 || (change.papers?.length ?? 0) > 0;
}

/**
 * Changes an invitation. Once published, every change makes it 'đã sửa đổi' with SEQUENCE + 1; a draft stays
 * a draft. Units may be added, never removed (their reads and answers stay on record). A cancelled
 * invitation cannot change.
 */
export async function amendInvitation(db: Knex, config: InvitationServiceConfig, id: string, change: AmendInvitationInput): Promise<InvitationDetail> {
  const at = change.at ?? new Date();
  checkActor(change.actor);
  if (!changesSomething(change)) throw new InvitationError('INVALID_INPUT', 'Không có gì thay đổi', 'nothing to change');
  const current = await requireInvitation(db, id);
  if (current.status === 'đã hủy') throw new InvitationError('CANCELLED', `Giấy mời mã ${id} đã bị hủy`, `invitation ${id} is cancelled`);
  if (change.pdf) checkIncomingFile(change.pdf, 'Giấy mời');
  for (const paper of change.papers ?? []) checkIncomingFile(paper, 'Tài liệu');
  const fields = mergeFields(current, change);
  checkFields(fields);
  const published = current.status !== 'nháp';
  const moved = fields.startsAt.getTime() !== current.startsAt.getTime();
  if (published && moved) refuseStartedMeeting(fields.startsAt, at);
  const addUnitIds = await checkUnits(db, change.addUnitIds ?? [], false);
  const checked = change.pdf ? checkInvitationPdf(change.pdf, { trustDir: config.trustDir, at, allowUnsigned: change.allowUnsigned ?? false }) : null;
  const noticeAt = published ? (moved ? at : current.publishedAt) : null;
  const files = [
    ...(change.pdf ? [{ file: change.pdf, kind: 'giấy mời' as const }] : []),
    ...(change.papers ?? []).map((file) => ({ file, kind: 'tài liệu' as const })),
  ];
  await withStoredFiles(config, id, files, (records) => amendInvitationRecord(db, id, {
    fields,
    expectedSequence: current.sequence,
    addUnitIds,
    newMainPdf: checked ? mainPdfRecord(records[0], checked) : null,
    addPapers: checked ? records.slice(1) : records,
    warnings: allFindings(checked?.verification ?? current.verification, fields, noticeAt),
    actor: change.actor,
    at,
    note: cleanText(change.note, true),
  }));
  return (await getInvitation(db, id))!;
}

/** Cancels an invitation (reason required); it stays visible to its units as 'đã hủy'. */
export async function cancelInvitation(db: Knex, id: string, options: { actor: string; reason: string; at?: Date }): Promise<InvitationDetail> {
  checkActor(options.actor);
  const reason = cleanText(options.reason, true);
  if (!reason) throw new InvitationError('INVALID_INPUT', 'Cần ghi lý do hủy cuộc họp', 'a reason for the cancellation is required');
  if (reason.length > 2000) throw new InvitationError('INVALID_INPUT', 'Lý do hủy dài quá 2000 ký tự', 'the reason is longer than 2000 characters');
  await cancelInvitationRecord(db, id, { actor: options.actor, at: options.at ?? new Date(), reason });
  return (await getInvitation(db, id))!;
}
