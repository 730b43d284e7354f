// Database rows of the invitation tables and their mapping to the shapes of ./types.
import { formatIsoVietnam, toDate } from '../time';
import type { Urgency } from '../register/repository';
import type { VerificationReport, Verdict } from '../../mail-gateway/signature/verify-pdf';
import { newUlid, ULID_PATTERN } from '../ids';
import type {
  AnswerKind, AnswerSource, FileKind, Invitation, InvitationEvent, InvitationFile, InvitationFinding, InvitationStatus, ReadMark, UnitAnswer,
} from './types';

type Stamp = string | Date;

export interface InvitationRow {
  id: string; status: string; title: string; doc_number: string | null; host: string | null; starts_at: Stamp; ends_at: Stamp;
  starts_on: string; place: string; content: string | null; urgency: string; answer_deadline: Stamp; sequence: number | string;
  reference_only: boolean | number; verdict: string; warnings: string; created_by: string; created_at: Stamp; updated_at: Stamp;
  published_at: Stamp | null; cancelled_at: Stamp | null; cancel_reason: string | null; verification?: string;
}

export const INVITATION_COLUMNS = [
  'id', 'status', 'title', 'doc_number', 'host', 'starts_at', 'ends_at', 'starts_on', 'place', 'content', 'urgency', 'answer_deadline',
  'sequence', 'reference_only', 'verdict', 'warnings', 'created_by', 'created_at', 'updated_at', 'published_at', 'cancelled_at',
  'cancel_reason',
];

export interface FileRow {
  invitation_id: string; position: number | string; kind: string; filename: string; stored_name: string; content_type: string;
  size: number | string; sha256: string; added_at: Stamp; superseded_at: Stamp | null;
}

/** The columns of invitation_units and invitation_answers that hold an answer. */
export interface AnswerColumns {
  answer: string | null; attendee_name: string | null; attendee_position: string | null; attendee_phone: string | null;
  reason: string | null;
}

export interface InvitedRow extends AnswerColumns {
  invitation_id: string; unit_id: string; first_read_at: Stamp | null; first_read_by: string | null; answered_at: Stamp | null;
  answered_by: string | null; answered_sequence: number | string | null; answer_source?: string | null;
}

export interface AnswerRow extends AnswerColumns {
  id: number; invitation_id: string; unit_id: string; answered_at: Stamp; answered_by: string; sequence: number | string;
  source?: string | null; answer_mail_id?: string | null;
}

export interface HistoryRow {
  status: string; sequence: number | string; at: Stamp; actor: string; note: string | null;
}

// SQLite keeps timestamps as ISO text with +07:00, always with milliseconds so that they sort and compare as text.
export const stamp = (date: Date) => formatIsoVietnam(date, true);

export const newInvitationId = newUlid;

export const INVITATION_ID_PATTERN = ULID_PATTERN;

/** Lower case, without diacritics, đ as d, single spaces: how search text is stored and searched. */
export function foldForSearch(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').replace(/[đĐ]/g, 'd').toLowerCase().replace(/\s+/g, ' ').trim();
}

export function searchTextOf(fields: { title: string; docNumber: string | null; host: string | null; place: string; content: string | null }): string {
  return foldForSearch([fields.title, fields.docNumber, fields.host, fields.place, fields.content].filter(Boolean).join(' \n '));
}

export function toInvitation(row: InvitationRow): Invitation {
  return {
    id: row.id,
    status: row.status as InvitationStatus,
    title: row.title,
    docNumber: row.doc_number,
    host: row.host,
    startsAt: toDate(row.starts_at)!,
    endsAt: toDate(row.ends_at)!,
    place: row.place,
    content: row.content,
    urgency: row.urgency as Urgency,
    answerDeadline: toDate(row.answer_deadline)!,
    sequence: Number(row.sequence),
    referenceOnly: Boolean(row.reference_only),
    verdict: row.verdict as Verdict,
    warnings: JSON.parse(row.warnings) as InvitationFinding[],
    createdBy: row.created_by,
    createdAt: toDate(row.created_at)!,
    updatedAt: toDate(row.updated_at)!,
    publishedAt: toDate(row.published_at),
    cancelledAt: toDate(row.cancelled_at),
    cancelReason: row.cancel_reason,
  };
}

export function toVerification(row: InvitationRow): VerificationReport {
  return JSON.parse(row.verification ?? 'null') as VerificationReport;
}

export function toFile(row: FileRow): InvitationFile {
  return {
    position: Number(row.position),
    kind: row.kind as FileKind,
    filename: row.filename,
    storedName: row.stored_name,
    contentType: row.content_type,
    size: Number(row.size),
    sha256: row.sha256,
    addedAt: toDate(row.added_at)!,
    supersededAt: toDate(row.superseded_at),
  };
}

export function toEvent(row: HistoryRow): InvitationEvent {
  return { status: row.status as InvitationStatus, sequence: Number(row.sequence), at: toDate(row.at)!, actor: row.actor, note: row.note };
}

export function answerDetails(row: AnswerColumns) {
  return {
    answer: row.answer as AnswerKind,
    attendeeName: row.attendee_name,
    attendeePosition: row.attendee_position,
    attendeePhone: row.attendee_phone,
    reason: row.reason,
  };
}

export function currentAnswer(row: InvitedRow): UnitAnswer | null {
  if (row.answer === null || row.answered_at === null) return null;
  return {
    ...answerDetails(row), answeredAt: toDate(row.answered_at)!, answeredBy: row.answered_by ?? '', sequence: Number(row.answered_sequence ?? 0),
    source: (row.answer_source ?? 'web') as AnswerSource,
  };
}

export function toAnswer(row: AnswerRow): UnitAnswer {
  return { ...answerDetails(row), answeredAt: toDate(row.answered_at)!, answeredBy: row.answered_by, sequence: Number(row.sequence), source: (row.source ?? 'web') as AnswerSource };
}

export function readMark(row: InvitedRow): ReadMark | null {
  return row.first_read_at === null ? null : { at: toDate(row.first_read_at)!, by: row.first_read_by ?? '' };
}
