// The .ics of an invitation (RFC 5545, iTIP RFC 5546): one VEVENT in Asia/Ho_Chi_Minh time with its VTIMEZONE.
//
// - UID is the invitation id, so every download of the same invitation is the same event; SEQUENCE is the
//   invitation's, rising at each change after publishing, so calendars replace their copy.
// - METHOD:REQUEST while the meeting stands; METHOD:CANCEL with STATUS:CANCELLED once it is cancelled.
// - The unit is the ATTENDEE, its answer the PARTSTAT: tham dự → ACCEPTED, không tham dự → DECLINED, no answer →
//   NEEDS-ACTION, and cử người dự thay → ACCEPTED with a COMMENT naming the delegate. PARTSTAT=DELEGATED would
//   be RFC-correct only with DELEGATED-TO naming the delegate's calendar address and the delegate listed as an
//   ATTENDEE of its own; our delegate is a person (name, position, phone) without one, and the unit is still
//   the one that attends, through its representative. ACCEPTED keeps the meeting in the unit's calendar as a
//   meeting it attends, which is what it has promised.
import type { Urgency } from '../../db/register/repository';
import type { AnswerKind, Invitation, UnitAnswer } from '../../db/invitations/types';
import { formatDateTimeVi } from '../../db/time';
import { contentLine, icalObject, localDateTime, textLine, utcDateTime } from './ical-writer';

export const TIME_ZONE = 'Asia/Ho_Chi_Minh';
const VIETNAM_OFFSET_MINUTES = 7 * 60;
export const UID_DOMAIN = 'moihop.binhthuan.gov.vn';
const PRODUCT_ID = '-//UBND tinh Binh Thuan//Website Giay moi hop//VI';

/** Vietnam has kept +07:00 without daylight saving since 13 June 1975 (before: +08:00). */
const VTIMEZONE = [
  'BEGIN:VTIMEZONE',
  `TZID:${TIME_ZONE}`,
  'BEGIN:STANDARD',
  'DTSTART:19750613T000000',
  'TZOFFSETFROM:+0800',
  'TZOFFSETTO:+0700',
  'TZNAME:ICT',
  'END:STANDARD',
  'END:VTIMEZONE',
];

const PARTSTAT: Record<AnswerKind, string> = {
  'tham dự': 'ACCEPTED',
  'cử người dự thay': 'ACCEPTED',
  'không tham dự': 'DECLINED',
};

/** RFC 5545 PRIORITY: 1 highest … 9 lowest, 0 undefined. */
const PRIORITY: Record<Urgency, number> = { 'Hỏa tốc': 1, 'Thượng khẩn': 2, 'Khẩn': 3, 'Bình thường': 0 };

export interface IcsAttendee {
  name: string;
  /** The unit's official address; null when the directory has none (a urn: address stands in). */
  email: string | null;
  unitId: string;
  answer: UnitAnswer | null;
}

export interface IcsInput {
  invitation: Invitation;
  /** The invited unit the file is for; null for the admin's copy without attendees. */
  attendee: IcsAttendee | null;
  organizer: { name: string; email: string };
  /** Link to the invitation's page. */
  url?: string | null;
  /** DTSTAMP: when this file is made (default now). */
  now?: Date;
}

export function invitationUid(invitationId: string): string {
  return `${invitationId}@${UID_DOMAIN}`;
}

const local = (date: Date) => localDateTime(date, VIETNAM_OFFSET_MINUTES);

function answerComment(answer: UnitAnswer): string {
  const person = [answer.attendeeName, answer.attendeePosition].filter(Boolean).join(', ');
  const phone = answer.attendeePhone ? `, điện thoại ${answer.attendeePhone}` : '';
  if (answer.answer === 'tham dự') return `Tham dự: ${person}${phone}`;
  if (answer.answer === 'cử người dự thay') return `Cử người dự thay: ${person}${phone}`;
  return `Không tham dự. Lý do: ${answer.reason ?? ''}`;
}

function description(invitation: Invitation): string {
  const lines = [
    invitation.docNumber ? `Giấy mời số ${invitation.docNumber}` : null,
    invitation.host ? `Chủ trì: ${invitation.host}` : null,
    `Thời gian: ${formatDateTimeVi(invitation.startsAt)} – ${formatDateTimeVi(invitation.endsAt)}`,
    `Địa điểm: ${invitation.place}`,
    invitation.urgency !== 'Bình thường' ? `Độ khẩn: ${invitation.urgency}` : null,
    `Hạn xác nhận tham dự: ${formatDateTimeVi(invitation.answerDeadline)}`,
    invitation.referenceOnly ? 'Bản tham khảo: Giấy mời chưa có chữ ký số hợp lệ.' : null,
    invitation.status === 'đã hủy' ? `ĐÃ HỦY${invitation.cancelReason ? `: ${invitation.cancelReason}` : ''}` : null,
    invitation.content ? `\n${invitation.content}` : null,
  ];
  return lines.filter((line) => line !== null).join('\n');
}

function attendeeLine(attendee: IcsAttendee, answersOpen: boolean): string {
  const address = attendee.email ? `mailto:${attendee.email}` : `urn:moihop:don-vi:${encodeURIComponent(attendee.unitId)}`;
  return contentLine('ATTENDEE', address, {
    CUTYPE: 'GROUP',
    ROLE: 'REQ-PARTICIPANT',
    PARTSTAT: attendee.answer ? PARTSTAT[attendee.answer.answer] : 'NEEDS-ACTION',
    RSVP: attendee.answer === null && answersOpen ? 'TRUE' : null,
    CN: attendee.name,
  });
}

/** The iCalendar text of one invitation, for one unit (its answer as PARTSTAT) or for the admin. */
export function buildInvitationIcs(input: IcsInput): string {
  const { invitation, attendee } = input;
  const cancelled = invitation.status === 'đã hủy';
  const answersOpen = !cancelled && (input.now ?? new Date()).getTime() <= invitation.answerDeadline.getTime();
  const priority = PRIORITY[invitation.urgency];
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    `PRODID:${PRODUCT_ID}`,
    'CALSCALE:GREGORIAN',
    `METHOD:${cancelled ? 'CANCEL' : 'REQUEST'}`,
    ...VTIMEZONE,
    'BEGIN:VEVENT',
    textLine('UID', invitationUid(invitation.id)),
    `SEQUENCE:${invitation.sequence}`,
    `DTSTAMP:${utcDateTime(input.now ?? new Date())}`,
    `CREATED:${utcDateTime(invitation.createdAt)}`,
    `LAST-MODIFIED:${utcDateTime(invitation.updatedAt)}`,
    contentLine('DTSTART', local(invitation.startsAt), { TZID: TIME_ZONE }),
    contentLine('DTEND', local(invitation.endsAt), { TZID: TIME_ZONE }),
    textLine('SUMMARY', invitation.title, { LANGUAGE: 'vi' }),
    textLine('LOCATION', invitation.place, { LANGUAGE: 'vi' }),
    textLine('DESCRIPTION', description(invitation), { LANGUAGE: 'vi' }),
    `STATUS:${cancelled ? 'CANCELLED' : 'CONFIRMED'}`,
    ...(priority ? [`PRIORITY:${priority}`] : []),
    'TRANSP:OPAQUE',
    contentLine('ORGANIZER', `mailto:${input.organizer.email}`, { CN: input.organizer.name }),
    ...(attendee ? [attendeeLine(attendee, answersOpen)] : []),
    ...(attendee?.answer ? [textLine('COMMENT', answerComment(attendee.answer), { LANGUAGE: 'vi' })] : []),
    ...(input.url ? [contentLine('URL', input.url)] : []),
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return icalObject(lines);
}
