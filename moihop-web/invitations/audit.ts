// What the audit log keeps of an invitation: the fields an admin changes, in a form that reads back as it was.
import type { Knex } from 'knex';
import { formatIsoVietnam } from '../../db/time';
import { AuditValues, changedValues, recordAudit } from '../../db/audit/repository';
import type { InvitationDetail } from '../../db/invitations/types';

/** Labels of the recorded fields, for the pages that show the log. */
export const AUDIT_FIELD_LABELS: Record<string, string> = {
  title: 'Trích yếu', docNumber: 'Số, ký hiệu', host: 'Chủ trì', startsAt: 'Bắt đầu', endsAt: 'Kết thúc', place: 'Địa điểm',
  urgency: 'Độ khẩn', answerDeadline: 'Hạn xác nhận', status: 'Trạng thái', sequence: 'Lần sửa', content: 'Nội dung',
  invitedUnits: 'Số đơn vị được mời', unitsAdded: 'Thêm đơn vị', unitsRemoved: 'Bỏ đơn vị', mainPdf: 'Giấy mời (tệp)', papers: 'Tài liệu họp',
  cancelReason: 'Lý do hủy', resent: 'Thư gửi lại', answer: 'Trả lời', attendeeName: 'Người dự', attendeePosition: 'Chức vụ',
  attendeePhone: 'Điện thoại', reason: 'Lý do', source: 'Cách trả lời',
};

export function invitationAuditValues(invitation: InvitationDetail, invitedUnits?: number): AuditValues {
  const main = invitation.files.find((f) => f.kind === 'giấy mời' && f.supersededAt === null);
  return {
    title: invitation.title,
    docNumber: invitation.docNumber,
    host: invitation.host,
    startsAt: formatIsoVietnam(invitation.startsAt),
    endsAt: formatIsoVietnam(invitation.endsAt),
    place: invitation.place,
    content: invitation.content,
    urgency: invitation.urgency,
    answerDeadline: formatIsoVietnam(invitation.answerDeadline),
    status: invitation.status,
    sequence: invitation.sequence,
    mainPdf: main ? `${main.filename} (${main.sha256.slice(0, 12)}…)` : null,
    papers: invitation.files.filter((f) => f.kind === 'tài liệu').map((f) => f.filename),
    ...(invitedUnits === undefined ? {} : { invitedUnits }),
  };
}

/** Records an admin action on an invitation with the fields it changed. */
export async function auditInvitationChange(
  db: Knex,
  entry: { actor: string; action: string; summary: string; invitationId: string; before: AuditValues | null; after: AuditValues | null; at?: Date },
): Promise<void> {
  const diff = entry.before && entry.after ? changedValues(entry.before, entry.after) : { before: entry.before, after: entry.after };
  await recordAudit(db, {
    actor: entry.actor, action: entry.action, objectType: 'invitation', objectId: entry.invitationId, summary: entry.summary,
    before: diff.before, after: diff.after, at: entry.at,
  });
}
