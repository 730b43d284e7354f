// What an invitation must satisfy: clean texts, a sensible time frame, and the notice rule of CT 14/2014
// (invitations reach the units at least 24 hours before the meeting).
import { formatDateTimeVi } from '../../db/time';
import { URGENCIES } from '../../db/register/repository';
import { InvitationError, InvitationFields, InvitationFinding } from '../../db/invitations/types';

export const MIN_NOTICE_HOURS = 24;
const MAX_MEETING_DAYS = 31;

const LIMITS = { title: 1000, docNumber: 100, host: 300, place: 500, content: 20_000 };

const invalid = (vi: string, en: string) => new InvitationError('INVALID_INPUT', vi, en);

/** NFC, trimmed, controls removed (newlines and tabs kept only where `multiline`); empty becomes null. */
export function cleanText(value: string | null | undefined, multiline = false): string | null {
  if (value === null || value === undefined) return null;
  const controls = multiline ? /[\u0000-\u0008\u000b-\u001f\u007f]/g : /[\u0000-\u001f\u007f]/g;
  const text = value.normalize('NFC').replace(/\r\n?/g, '\n').replace(controls, multiline ? '' : ' ').trim();
  return text === '' ? null : text;
}

function checkLength(value: string | null, max: number, vi: string, en: string): void {
  if (value !== null && value.length > max) throw invalid(`${vi} dài quá ${max} ký tự`, `${en} is longer than ${max} characters`);
}

function checkDate(value: Date, vi: string, en: string): void {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw invalid(`${vi} không hợp lệ`, `invalid ${en}`);
}

/** Refuses fields no meeting can have; texts must already be cleaned. */
export function checkFields(fields: InvitationFields): void {
  if (!fields.title) throw invalid('Thiếu trích yếu (tiêu đề) của giấy mời', 'the title is missing');
  if (!fields.place) throw invalid('Thiếu địa điểm họp', 'the place is missing');
  checkLength(fields.title, LIMITS.title, 'Trích yếu', 'the title');
  checkLength(fields.docNumber, LIMITS.docNumber, 'Số, ký hiệu', 'the number');
  checkLength(fields.host, LIMITS.host, 'Chủ trì', 'the host');
  checkLength(fields.place, LIMITS.place, 'Địa điểm', 'the place');
  checkLength(fields.content, LIMITS.content, 'Nội dung', 'the content');
  if (!URGENCIES.includes(fields.urgency)) throw invalid(`Độ khẩn phải là một trong: ${URGENCIES.join(', ')}`, `urgency must be one of: ${URGENCIES.join(', ')}`);
  checkDate(fields.startsAt, 'Thời gian bắt đầu', 'start time');
  checkDate(fields.endsAt, 'Thời gian kết thúc', 'end time');
  checkDate(fields.answerDeadline, 'Hạn xác nhận', 'answer deadline');
  if (fields.endsAt.getTime() <= fields.startsAt.getTime()) {
    throw invalid('Thời gian kết thúc phải sau thời gian bắt đầu', 'the end must be after the start');
  }
  if (fields.endsAt.getTime() - fields.startsAt.getTime() > MAX_MEETING_DAYS * 86_400_000) {
    throw invalid(`Cuộc họp không thể kéo dài quá ${MAX_MEETING_DAYS} ngày`, `a meeting cannot last more than ${MAX_MEETING_DAYS} days`);
  }
  if (fields.answerDeadline.getTime() > fields.startsAt.getTime()) {
    throw invalid('Hạn xác nhận tham dự không được sau giờ bắt đầu họp', 'the answer deadline cannot be after the start');
  }
}

/** A meeting that has begun cannot be announced any more. */
export function refuseStartedMeeting(startsAt: Date, at: Date): void {
  if (startsAt.getTime() <= at.getTime()) {
    throw invalid(
      `Cuộc họp bắt đầu lúc ${formatDateTimeVi(startsAt)}, đã qua: không thể phát hành giấy mời`,
      'the meeting has already started; it cannot be published',
    );
  }
}

/** The LATE_NOTICE warning when the units learn of the meeting less than 24 hours before it starts. */
export function noticeFindings(startsAt: Date, noticeAt: Date): InvitationFinding[] {
  const hours = (startsAt.getTime() - noticeAt.getTime()) / 3_600_000;
  if (hours >= MIN_NOTICE_HOURS) return [];
  return [{
    code: 'LATE_NOTICE',
    message: `Giấy mời phát hành lúc ${formatDateTimeVi(noticeAt)}, chưa đủ ${MIN_NOTICE_HOURS} giờ trước cuộc họp `
      + `(${formatDateTimeVi(startsAt)}); CT 14/2014 yêu cầu gửi trước ít nhất ${MIN_NOTICE_HOURS} giờ`,
  }];
}
