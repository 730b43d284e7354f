// How invitation pages show times, urgency, status and answers to people (Vietnamese, Vietnam time).
import { vietnamParts } from '../../db/time';
import type { Urgency } from '../../db/register/repository';
import type { AnswerKind, InvitationStatus } from '../../db/invitations/types';

const pad = (n: number) => String(n).padStart(2, '0');

const WEEKDAYS = ['Chủ nhật', 'Thứ Hai', 'Thứ Ba', 'Thứ Tư', 'Thứ Năm', 'Thứ Sáu', 'Thứ Bảy'];

/** `01/12/2026 08:00`. */
export function dateTimeVi(date: Date): string {
  const p = vietnamParts(date);
  return `${pad(p.day)}/${pad(p.month)}/${p.year} ${pad(p.hour)}:${pad(p.minute)}`;
}

/** `08:00`. */
export function timeVi(date: Date): string {
  const p = vietnamParts(date);
  return `${pad(p.hour)}:${pad(p.minute)}`;
}

/** `Thứ Ba`. */
export function weekdayVi(date: Date): string {
  return WEEKDAYS[vietnamParts(date).weekday];
}

/** `01/12/2026 08:00 – 10:00`, or both full moments when the meeting spans days. */
export function meetingSpanVi(startsAt: Date, endsAt: Date): string {
  const sameDay = dateTimeVi(startsAt).slice(0, 10) === dateTimeVi(endsAt).slice(0, 10);
  return `${dateTimeVi(startsAt)} – ${sameDay ? timeVi(endsAt) : dateTimeVi(endsAt)}`;
}

/** CSS class of an urgency badge; null for Bình thường (no badge). */
export function urgencyClass(urgency: Urgency): string | null {
  switch (urgency) {
    case 'Hỏa tốc': return 'urgency-hoatoc';
    case 'Thượng khẩn': return 'urgency-thuongkhan';
    case 'Khẩn': return 'urgency-khan';
    default: return null;
  }
}

/** The badge of a status worth flagging to a unit (cancelled, changed); null otherwise. */
export function statusBadge(status: InvitationStatus): { text: string; className: string } | null {
  if (status === 'đã hủy') return { text: 'Đã hủy', className: 'status-cancelled' };
  if (status === 'đã sửa đổi') return { text: 'Đã sửa đổi', className: 'status-amended' };
  if (status === 'nháp') return { text: 'Nháp', className: 'status-draft' };
  return null;
}

const ANSWER_LABELS: Record<AnswerKind, string> = {
  'tham dự': 'Tham dự',
  'cử người dự thay': 'Cử người dự thay',
  'không tham dự': 'Không tham dự',
};

export function answerLabel(answer: AnswerKind): string {
  return ANSWER_LABELS[answer];
}

export function answerClass(answer: AnswerKind | null): string {
  if (answer === 'tham dự') return 'answer-attend';
  if (answer === 'cử người dự thay') return 'answer-delegate';
  if (answer === 'không tham dự') return 'answer-decline';
  return 'answer-none';
}

/** Helpers handed to every template. */
export const invitationViewHelpers = { dateTimeVi, timeVi, weekdayVi, meetingSpanVi, urgencyClass, statusBadge, answerLabel, answerClass };
