// The shapes of meeting invitations (Giấy mời họp) as data access reads and writes them.
import type { Urgency } from '../register/repository';
import type { VerificationReport, Verdict } from '../../mail-gateway/signature/verify-pdf';

/**
 * A unit sees an invitation once it was published (published_at set), whatever its status after that: a
 * cancelled one stays visible, marked cancelled; a draft, even a cancelled draft, never is.
 * nháp: not visible to units; đã phát hành: published; đã sửa đổi: changed after publishing; đã hủy: cancelled.
 */
export const INVITATION_STATUSES = ['nháp', 'đã phát hành', 'đã sửa đổi', 'đã hủy'] as const;
export type InvitationStatus = (typeof INVITATION_STATUSES)[number];

/** Statuses in which units may answer (until the deadline). */
export const ANSWERABLE_STATUSES: InvitationStatus[] = ['đã phát hành', 'đã sửa đổi'];

/** tham dự: the unit attends (named attendee); cử người dự thay: a delegate goes instead; không tham dự: declines. */
export const ANSWER_KINDS = ['tham dự', 'cử người dự thay', 'không tham dự'] as const;
export type AnswerKind = (typeof ANSWER_KINDS)[number];

/** giấy mời: the signed invitation PDF; tài liệu: a meeting paper. */
export type FileKind = 'giấy mời' | 'tài liệu';

/** A warning about an invitation, as a stable code and the Vietnamese text a person reads. */
export interface InvitationFinding {
  code: string;
  message: string;
}

/** What the admin decides about a meeting (everything but files, units and status). */
export interface InvitationFields {
  /** Trích yếu. */
  title: string;
  /** Số, ký hiệu of the Giấy mời. */
  docNumber: string | null;
  /** Chủ trì: who chairs the meeting. */
  host: string | null;
  startsAt: Date;
  endsAt: Date;
  /** Địa điểm. */
  place: string;
  content: string | null;
  urgency: Urgency;
  /** Answers are accepted up to and including this moment. */
  answerDeadline: Date;
}

export interface InvitationFile {
  position: number;
  kind: FileKind;
  /** Cleaned display name; the stored file never uses it. */
  filename: string;
  /** Generated name inside DATA_DIR/invitations/<id>/. */
  storedName: string;
  contentType: string;
  size: number;
  sha256: string;
  addedAt: Date;
  /** When a newer Giấy mời replaced this one; null for a current file. */
  supersededAt: Date | null;
}

export interface Invitation extends InvitationFields {
  id: string;
  status: InvitationStatus;
  /** RFC 5545 SEQUENCE: 0 when published, +1 at each change after publishing and at the cancellation. */
  sequence: number;
  /** Published with an unsigned or invalid PDF: "bản tham khảo", not an official invitation. */
  referenceOnly: boolean;
  /** Signature verdict of the current Giấy mời PDF. */
  verdict: Verdict;
  warnings: InvitationFinding[];
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  publishedAt: Date | null;
  cancelledAt: Date | null;
  cancelReason: string | null;
}

export interface InvitationEvent {
  status: InvitationStatus;
  sequence: number;
  at: Date;
  actor: string;
  note: string | null;
}

/** An invitation with its verification report, its files (current ones) and its history. */
export interface InvitationDetail extends Invitation {
  /** The verifier's full report of the current Giấy mời PDF. */
  verification: VerificationReport;
  files: InvitationFile[];
  history: InvitationEvent[];
}

export interface AnswerDetails {
  answer: AnswerKind;
  /** Who attends: the unit's attendee (tham dự) or its delegate (cử người dự thay); null for không tham dự. */
  attendeeName: string | null;
  attendeePosition: string | null;
  /** Required for a delegate, optional for an attendee. */
  attendeePhone: string | null;
  /** Why the unit does not attend (required for không tham dự). */
  reason: string | null;
}

/** Where an answer was given: on the website, or by mail (a reply to the invitation mail, see mail-gateway/answers). */
export type AnswerSource = 'web' | 'mail';

export interface UnitAnswer extends AnswerDetails {
  answeredAt: Date;
  /** Account username that answered. */
  answeredBy: string;
  /** The invitation's sequence when answered: lower than the current one means the answer predates a change. */
  sequence: number;
  /** Where the answer was given (answers from before answers by mail existed: 'web'). */
  source?: AnswerSource;
}

export interface ReadMark {
  at: Date;
  /** Account username of the first view. */
  by: string;
}

/** One invitation as a unit sees it in its list. */
export interface UnitInvitationSummary extends Invitation {
  read: ReadMark | null;
  answer: UnitAnswer | null;
  /** True while the unit may still answer or change its answer. */
  answersOpen: boolean;
  /** True until the meeting ends. */
  upcoming: boolean;
}

/** One invitation as a unit sees it on its page. */
export interface UnitInvitationDetail extends UnitInvitationSummary {
  verification: VerificationReport;
  files: InvitationFile[];
  /** This unit's answers, oldest first. */
  answerHistory: UnitAnswer[];
}

export interface InvitedUnitState {
  unitId: string;
  unitName: string;
  moihopUsername: string | null;
  read: ReadMark | null;
  answer: UnitAnswer | null;
  answerHistory: UnitAnswer[];
}

export interface InvitationCounts {
  invited: number;
  read: number;
  answered: number;
  attending: number;
  delegating: number;
  declining: number;
  /** Invited units without an answer. */
  pending: number;
}

/** The admin's view: the invitation, every invited unit with its read and answer state, and the counts. */
export interface InvitationOverview extends InvitationDetail {
  /** Every file, including replaced Giấy mời versions. */
  allFiles: InvitationFile[];
  units: InvitedUnitState[];
  counts: InvitationCounts;
}

export type InvitationErrorCode =
  | 'INVALID_INPUT' | 'UNKNOWN_UNITS' | 'NOT_FOUND' | 'PDF_NOT_VALID' | 'NOT_A_DRAFT' | 'CANCELLED' | 'ANSWERS_CLOSED';

/** A refused request, with the Vietnamese text a person reads and the English one for logs and commands. */
export class InvitationError extends Error {
  constructor(readonly code: InvitationErrorCode, readonly vi: string, en: string) {
    super(`${vi} / ${en}`);
  }
}
