// VP UBND's follow-up of one invitation: every invited unit with its mail delivery state, first read, answer,
// attendee or delegate and reason; the counts; filters and orders; the export table and the attendance sheet
// (danh sách đại biểu). One service for the staff page, its JSON (the live table), the CSV/Excel exports and
// the printable sheet.
//
// A fixed number of queries whatever the number of recipients (the invitation overview, the invitation's mails
// in the outbox, the unit directory): an invitation to 10,000 recipients costs the same round trips as one to 5.
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { getInvitationOverview } from '../../db/invitations/queries';
import type { AnswerKind, InvitationOverview, InvitedUnitState, UnitAnswer } from '../../db/invitations/types';
import { listUnits } from '../../db/units/repository';
import { formatIsoVietnam, isoDateVietnam } from '../../db/time';
import { dateTimeVi } from '../pages/view-format';
import { deliveryByUnit, DeliveryMail, invitationDeliveries, RecipientState } from './delivery';
import type { ExportTable } from '../exports/table-export';

/** A unit's mail state: the worst of its mails (failed, sending, queued, sent), or why it has none. */
export type FollowUpDeliveryState = RecipientState | 'no-address' | 'not-sent';

export const DELIVERY_LABELS: Record<FollowUpDeliveryState, string> = {
  sent: 'Đã gửi', queued: 'Chờ gửi', sending: 'Đang gửi', failed: 'Gửi lỗi', 'no-address': 'Không có địa chỉ thư', 'not-sent': 'Chưa gửi',
};

/** The CSS class of a delivery state (`delivery-none` for a unit without an official address). */
export function deliveryClass(state: FollowUpDeliveryState): string {
  return state === 'no-address' ? 'delivery-none' : `delivery-${state}`;
}

export interface FollowUpRow {
  unitId: string;
  unitName: string;
  username: string | null;
  /** The unit's official addresses. */
  emails: string[];
  delivery: {
    state: FollowUpDeliveryState;
    /** Each refused mail with the relay's reply. */
    failures: Array<{ recipient: string; reply: string }>;
    /** When the latest mail was accepted by the relay. */
    sentAt: Date | null;
  };
  firstReadAt: Date | null;
  firstReadBy: string | null;
  answer: UnitAnswer | null;
  /** How many times the unit changed its answer. */
  answerChanges: number;
  /** The answer was given before the latest change of the invitation. */
  answerBeforeChange: boolean;
}

export interface FollowUpCounts {
  invited: number;
  /** Units by their mail state. */
  sent: number;
  queued: number;
  failed: number;
  noAddress: number;
  notSent: number;
  read: number;
  unread: number;
  answered: number;
  attending: number;
  delegating: number;
  declining: number;
  /** Not answered. */
  pending: number;
}

export interface FollowUp {
  invitation: InvitationOverview;
  counts: FollowUpCounts;
  /** Every invited unit, in Vietnamese alphabetical order. */
  rows: FollowUpRow[];
  /** Failed mails (not units): what "Gửi lại các thư lỗi" would queue again. */
  failedMails: number;
  generatedAt: Date;
}

/** The filters of the table (`?state=`), as a person reads them. */
export const FOLLOW_UP_FILTERS = {
  'tat-ca': 'Tất cả',
  'chua-xem': 'Chưa xem',
  'da-xem': 'Đã xem',
  'chua-tra-loi': 'Chưa trả lời',
  'da-tra-loi': 'Đã trả lời',
  'tham-du': 'Tham dự',
  'cu-nguoi-du-thay': 'Cử người dự thay',
  'khong-tham-du': 'Không tham dự',
  'da-gui': 'Đã gửi thư',
  'cho-gui': 'Chờ gửi thư',
  'gui-thu-loi': 'Gửi thư lỗi',
  'khong-co-dia-chi': 'Không có địa chỉ thư',
} as const;
export type FollowUpFilter = keyof typeof FOLLOW_UP_FILTERS;

/** The orders of the table (`?sort=`). */
export const FOLLOW_UP_SORTS = {
  'don-vi': 'Tên đơn vị',
  'tra-loi': 'Trả lời (tham dự trước)',
  'thoi-diem-tra-loi': 'Thời điểm trả lời (mới nhất trước)',
  'thoi-diem-xem': 'Thời điểm xem (chưa xem trước)',
  'gui-thu': 'Tình trạng gửi thư (lỗi trước)',
} as const;
export type FollowUpSort = keyof typeof FOLLOW_UP_SORTS;

export function isFollowUpFilter(value: string): value is FollowUpFilter {
  return Object.prototype.hasOwnProperty.call(FOLLOW_UP_FILTERS, value);
}

export function isFollowUpSort(value: string): value is FollowUpSort {
  return Object.prototype.hasOwnProperty.call(FOLLOW_UP_SORTS, value);
}

const ANSWER_LABELS: Record<AnswerKind, string> = { 'tham dự': 'Tham dự', 'cử người dự thay': 'Cử người dự thay', 'không tham dự': 'Không tham dự' };
export const NO_ANSWER_LABEL = 'Chưa trả lời';

type UnitMails = { state: RecipientState; mails: DeliveryMail[] };

function toRow(unit: InvitedUnitState, emails: string[], mails: UnitMails | undefined, sequence: number): FollowUpRow {
  let state: FollowUpDeliveryState;
  if (mails) state = mails.state;
  else state = emails.length ? 'not-sent' : 'no-address';
  const sentTimes = (mails?.mails ?? []).map((m) => m.sentAt?.getTime() ?? 0).filter(Boolean);
  return {
    unitId: unit.unitId,
    unitName: unit.unitName,
    username: unit.moihopUsername,
    emails,
    delivery: {
      state,
      failures: (mails?.mails ?? []).filter((m) => m.status === 'failed').map((m) => ({ recipient: m.recipient, reply: m.lastError ?? m.relayResponse ?? '' })),
      sentAt: sentTimes.length ? new Date(Math.max(...sentTimes)) : null,
    },
    firstReadAt: unit.read?.at ?? null,
    firstReadBy: unit.read?.by ?? null,
    answer: unit.answer,
    answerChanges: Math.max(0, unit.answerHistory.length - 1),
    answerBeforeChange: unit.answer !== null && unit.answer.sequence < sequence,
  };
}

function countRows(rows: FollowUpRow[]): FollowUpCounts {
  const count = (test: (r: FollowUpRow) => boolean) => rows.filter(test).length;
  return {
    invited: rows.length,
    sent: count((r) => r.delivery.state === 'sent'),
    queued: count((r) => r.delivery.state === 'queued' || r.delivery.state === 'sending'),
    failed: count((r) => r.delivery.state === 'failed'),
    noAddress: count((r) => r.delivery.state === 'no-address'),
    notSent: count((r) => r.delivery.state === 'not-sent'),
    read: count((r) => r.firstReadAt !== null),
    unread: count((r) => r.firstReadAt === null),
    answered: count((r) => r.answer !== null),
    attending: count((r) => r.answer?.answer === 'tham dự'),
    delegating: count((r) => r.answer?.answer === 'cử người dự thay'),
    declining: count((r) => r.answer?.answer === 'không tham dự'),
    pending: count((r) => r.answer === null),
  };
}

/** The follow-up of an invitation; null when there is no such invitation. */
export async function loadFollowUp(db: Knex, invitationId: string, now = new Date()): Promise<FollowUp | null> {
  const invitation = await getInvitationOverview(db, invitationId);
  if (!invitation) return null;
  const [mails, directory] = await Promise.all([invitationDeliveries(db, invitationId), listUnits(db)]);
  const invited = new Set(invitation.units.map((u) => u.unitId));
  const units = directory.filter((u) => invited.has(u.id));
  const emailsOf = new Map(units.map((u) => [u.id, u.emails]));
  const byUnit = deliveryByUnit(mails, units);
  const rows = invitation.units.map((u) => toRow(u, emailsOf.get(u.unitId) ?? [], byUnit.get(u.unitId), invitation.sequence));
  return {
    invitation,
    counts: countRows(rows),
    rows,
    failedMails: rows.reduce((sum, r) => sum + r.delivery.failures.length, 0),
    generatedAt: now,
  };
}

const FILTER_TESTS: Record<FollowUpFilter, (r: FollowUpRow) => boolean> = {
  'tat-ca': () => true,
  'chua-xem': (r) => r.firstReadAt === null,
  'da-xem': (r) => r.firstReadAt !== null,
  'chua-tra-loi': (r) => r.answer === null,
  'da-tra-loi': (r) => r.answer !== null,
  'tham-du': (r) => r.answer?.answer === 'tham dự',
  'cu-nguoi-du-thay': (r) => r.answer?.answer === 'cử người dự thay',
  'khong-tham-du': (r) => r.answer?.answer === 'không tham dự',
  'da-gui': (r) => r.delivery.state === 'sent',
  'cho-gui': (r) => r.delivery.state === 'queued' || r.delivery.state === 'sending',
  'gui-thu-loi': (r) => r.delivery.state === 'failed',
  'khong-co-dia-chi': (r) => r.delivery.state === 'no-address',
};

const ANSWER_RANK: Record<AnswerKind, number> = { 'tham dự': 0, 'cử người dự thay': 1, 'không tham dự': 2 };
const DELIVERY_RANK: Record<FollowUpDeliveryState, number> = { failed: 0, 'no-address': 1, 'not-sent': 2, queued: 3, sending: 4, sent: 5 };

const SORT_KEYS: Record<FollowUpSort, ((r: FollowUpRow) => number) | null> = {
  'don-vi': null,
  'tra-loi': (r) => (r.answer ? ANSWER_RANK[r.answer.answer] : 3),
  'thoi-diem-tra-loi': (r) => (r.answer ? -r.answer.answeredAt.getTime() : Number.MAX_SAFE_INTEGER),
  'thoi-diem-xem': (r) => (r.firstReadAt ? r.firstReadAt.getTime() : Number.MIN_SAFE_INTEGER),
  'gui-thu': (r) => DELIVERY_RANK[r.delivery.state],
};

/** The rows a filter keeps, in the chosen order (ties keep the alphabetical order of unit names). */
export function selectRows(rows: FollowUpRow[], filter: FollowUpFilter = 'tat-ca', sort: FollowUpSort = 'don-vi'): FollowUpRow[] {
  const kept = rows.filter(FILTER_TESTS[filter]);
  const key = SORT_KEYS[sort];
  return key ? kept.map((r, i) => ({ r, i, k: key(r) })).sort((a, b) => a.k - b.k || a.i - b.i).map((x) => x.r) : kept;
}

/** How many units each filter keeps (the numbers beside the filter links). */
export function filterCounts(rows: FollowUpRow[]): Record<FollowUpFilter, number> {
  const counts = {} as Record<FollowUpFilter, number>;
  for (const key of Object.keys(FILTER_TESTS) as FollowUpFilter[]) counts[key] = rows.filter(FILTER_TESTS[key]).length;
  return counts;
}

/** A row as the JSON of the live table carries it: ISO 8601 +07:00 times and the texts the page shows. */
export function rowJson(row: FollowUpRow) {
  const a = row.answer;
  return {
    unitId: row.unitId,
    unitName: row.unitName,
    username: row.username,
    emails: row.emails,
    delivery: {
      state: row.delivery.state,
      label: DELIVERY_LABELS[row.delivery.state],
      className: deliveryClass(row.delivery.state),
      failures: row.delivery.failures,
      sentAt: row.delivery.sentAt ? formatIsoVietnam(row.delivery.sentAt) : null,
    },
    firstReadAt: row.firstReadAt ? formatIsoVietnam(row.firstReadAt) : null,
    firstReadText: row.firstReadAt ? dateTimeVi(row.firstReadAt) : null,
    firstReadBy: row.firstReadBy,
    answer: a ? {
      kind: a.answer,
      label: ANSWER_LABELS[a.answer],
      className: answerClassOf(a.answer),
      attendeeName: a.attendeeName,
      attendeePosition: a.attendeePosition,
      attendeePhone: a.attendeePhone,
      reason: a.reason,
      answeredAt: formatIsoVietnam(a.answeredAt),
      answeredText: dateTimeVi(a.answeredAt),
      answeredBy: a.answeredBy,
      changes: row.answerChanges,
      beforeChange: row.answerBeforeChange,
    } : null,
  };
}

function answerClassOf(answer: AnswerKind): string {
  return answer === 'tham dự' ? 'answer-attend' : answer === 'cử người dự thay' ? 'answer-delegate' : 'answer-decline';
}

/** A fingerprint of what the table shows: the live table redraws its rows only when it changes. */
export function rowsVersion(rows: FollowUpRow[]): string {
  return crypto.createHash('sha256').update(JSON.stringify(rows.map(rowJson))).digest('hex').slice(0, 16);
}

/** The JSON of GET /admin/invitations/:id/follow-up.json. */
export function followUpJson(followUp: FollowUp, filter: FollowUpFilter, sort: FollowUpSort) {
  const rows = selectRows(followUp.rows, filter, sort);
  const i = followUp.invitation;
  return {
    invitation: {
      id: i.id, title: i.title, docNumber: i.docNumber, status: i.status, sequence: i.sequence,
      startsAt: formatIsoVietnam(i.startsAt), endsAt: formatIsoVietnam(i.endsAt), place: i.place, host: i.host,
    },
    generatedAt: formatIsoVietnam(followUp.generatedAt),
    filter: { state: filter, sort },
    counts: followUp.counts,
    filterCounts: filterCounts(followUp.rows),
    failedMails: followUp.failedMails,
    shown: rows.length,
    version: rowsVersion(rows),
    units: rows.map(rowJson),
  };
}

/** The export's sheet: one row per unit, Vietnamese headers (times as Vietnam wall-clock time). */
export function followUpTable(followUp: FollowUp, rows: FollowUpRow[] = followUp.rows): ExportTable {
  return {
    sheet: 'Theo dõi giấy mời',
    columns: [
      { header: 'STT', width: 6 }, { header: 'Đơn vị', width: 40 }, { header: 'Địa chỉ thư', width: 30 }, { header: 'Tình trạng gửi thư', width: 30 },
      { header: 'Thời điểm xem', width: 18 }, { header: 'Trả lời', width: 18 }, { header: 'Người tham dự', width: 26 }, { header: 'Chức vụ', width: 26 },
      { header: 'Lý do', width: 36 }, { header: 'Thời điểm trả lời', width: 18 },
    ],
    rows: rows.map((row, index) => {
      const a = row.answer;
      const failures = row.delivery.failures.map((f) => `${f.recipient}: ${f.reply}`).join('; ');
      return [
        index + 1,
        row.unitName,
        row.emails.join('; ') || null,
        failures ? `${DELIVERY_LABELS[row.delivery.state]} (${failures})` : DELIVERY_LABELS[row.delivery.state],
        row.firstReadAt,
        a ? ANSWER_LABELS[a.answer] : NO_ANSWER_LABEL,
        a?.attendeeName ?? null,
        a?.attendeePosition ?? null,
        a?.reason ?? null,
        a?.answeredAt ?? null,
      ];
    }),
  };
}

/** `theo-doi-giay-moi 45-GM-UBND ngay 2026-12-01`: the download's name, from the number and the meeting date. */
export function exportFilenameBase(invitation: Pick<InvitationOverview, 'docNumber' | 'startsAt'>, what = 'theo-doi-giay-moi'): string {
  const number = (invitation.docNumber ?? '').replace(/[\\/:*?"<>|\s]+/g, '-').replace(/^-+|-+$/g, '');
  return [what, number, `ngay-${isoDateVietnam(invitation.startsAt)}`].filter(Boolean).join('_');
}

export interface AttendeeLine {
  unitName: string;
  /** The attendee or delegate; null when the unit attends without naming anyone (a blank line to fill in). */
  name: string | null;
  position: string | null;
  answer: AnswerKind;
}

export interface AbsentLine {
  unitName: string;
  /** Không tham dự (with its reason) or Chưa trả lời. */
  state: string;
  reason: string | null;
}

/** The attendance sheet (danh sách đại biểu): who comes (attending or delegating units), then everyone else. */
export function attendanceSheet(followUp: FollowUp): { present: AttendeeLine[]; absent: AbsentLine[] } {
  const present: AttendeeLine[] = [];
  const absent: AbsentLine[] = [];
  for (const row of followUp.rows) {
    const a = row.answer;
    if (a && (a.answer === 'tham dự' || a.answer === 'cử người dự thay')) {
      present.push({ unitName: row.unitName, name: a.attendeeName?.trim() || null, position: a.attendeePosition?.trim() || null, answer: a.answer });
    } else {
      absent.push({ unitName: row.unitName, state: a ? ANSWER_LABELS[a.answer] : NO_ANSWER_LABEL, reason: a?.reason ?? null });
    }
  }
  return { present, absent };
}
