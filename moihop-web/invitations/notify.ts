// The invitation services with their mail: each one makes the change (./publishing) and queues the mail of
// every unit concerned (./delivery) in ONE transaction, so a crash can never keep a change its units are not
// told about. The website and the `invitations` command both use these: a change made either way is announced
// the same way.
import type { Knex } from 'knex';
import { formatDateTimeVi } from '../../db/time';
import { getInvitation, listInvitedUnitIds } from '../../db/invitations/queries';
import { removeInvitedUnits, reopenAnswers } from '../../db/invitations/unit-changes';
import { InvitationDetail, InvitationError } from '../../db/invitations/types';
import {
  amendInvitation, AmendInvitationInput, cancelInvitation, createInvitation, CreateInvitationInput, InvitationServiceConfig, publishInvitation,
} from './publishing';
import { DeliveryConfig, queueInvitationMails, QueuedDelivery } from './delivery';
import { cleanText } from './rules';
import { auditInvitationChange, invitationAuditValues } from './audit';
import { wakeOutboxWorkers } from '../../mail-gateway/outbox/worker';

/** Runs a change and its mail in one transaction; once committed, the sender is told there is mail. */
async function committed<T>(db: Knex, change: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  const result = await db.transaction(change);
  wakeOutboxWorkers();
  return result;
}

export type NotifyConfig = InvitationServiceConfig & DeliveryConfig;

export interface WithDelivery {
  invitation: InvitationDetail;
  delivery: QueuedDelivery | null;
}

/** Creates an invitation; when published, every invited unit is mailed. */
export function createAndNotify(db: Knex, config: NotifyConfig, input: CreateInvitationInput): Promise<WithDelivery> {
  return committed(db, async (trx) => {
    const invitation = await createInvitation(trx, config, input);
    const delivery = invitation.publishedAt ? await queueInvitationMails(trx, config, invitation.id, { kind: 'published' }, { now: input.at }) : null;
    await auditInvitationChange(trx, {
      actor: input.actor, at: input.at, invitationId: invitation.id, before: null,
      action: invitation.publishedAt ? 'invitation.published' : 'invitation.drafted',
      summary: invitation.publishedAt ? 'Tạo và phát hành giấy mời' : 'Tạo nháp giấy mời',
      after: invitationAuditValues(invitation, (await listInvitedUnitIds(trx, invitation.id)).length),
    });
    return { invitation, delivery };
  });
}

/** Publishes a draft and mails every invited unit. */
export function publishAndNotify(db: Knex, config: NotifyConfig, id: string, options: { actor: string; at?: Date }): Promise<WithDelivery> {
  return committed(db, async (trx) => {
    const draft = await getInvitation(trx, id);
    const invitation = await publishInvitation(trx, id, options);
    const delivery = await queueInvitationMails(trx, config, id, { kind: 'published' }, { now: options.at });
    await auditInvitationChange(trx, {
      actor: options.actor, at: options.at, invitationId: id, action: 'invitation.published', summary: 'Phát hành giấy mời',
      before: draft ? invitationAuditValues(draft) : null, after: invitationAuditValues(invitation),
    });
    return { invitation, delivery };
  });
}

const sameText = (a: string | null | undefined, b: string | null | undefined) => (cleanText(a ?? null, true) ?? '') === (cleanText(b ?? null, true) ?? '');

/** What an amendment changes, in the words the units read (computed before it is applied). */
export function describeChanges(current: InvitationDetail, change: AmendInvitationInput): { lines: string[]; reopens: boolean; onlyUnits: boolean } {
  const lines: string[] = [];
  const startMoved = change.startsAt !== undefined && change.startsAt.getTime() !== current.startsAt.getTime();
  const endMoved = change.endsAt !== undefined && change.endsAt.getTime() !== current.endsAt.getTime();
  if (startMoved || endMoved) {
    lines.push(`Thời gian: ${formatDateTimeVi(current.startsAt)} – ${formatDateTimeVi(current.endsAt)} → ${formatDateTimeVi(change.startsAt ?? current.startsAt)} – ${formatDateTimeVi(change.endsAt ?? current.endsAt)}`);
  }
  const placeChanged = change.place !== undefined && !sameText(change.place, current.place);
  if (placeChanged) lines.push(`Địa điểm: ${current.place} → ${cleanText(change.place) ?? ''}`);
  if (change.title !== undefined && !sameText(change.title, current.title)) lines.push(`Trích yếu: ${cleanText(change.title) ?? ''}`);
  if (change.host !== undefined && !sameText(change.host, current.host)) lines.push(`Chủ trì: ${cleanText(change.host) ?? '(không ghi)'}`);
  if (change.docNumber !== undefined && !sameText(change.docNumber, current.docNumber)) lines.push(`Số, ký hiệu: ${cleanText(change.docNumber) ?? '(không ghi)'}`);
  if (change.urgency !== undefined && change.urgency !== current.urgency) lines.push(`Độ khẩn: ${change.urgency}`);
  if (change.answerDeadline !== undefined && change.answerDeadline.getTime() !== current.answerDeadline.getTime()) {
    lines.push(`Hạn xác nhận tham dự: ${formatDateTimeVi(change.answerDeadline)}`);
  }
  if (change.content !== undefined && !sameText(change.content, current.content)) lines.push('Nội dung giấy mời được cập nhật');
  if (change.pdf) lines.push(`Giấy mời được thay bằng văn bản mới: ${change.pdf.filename}`);
  for (const paper of change.papers ?? []) lines.push(`Bổ sung tài liệu họp: ${paper.filename}`);
  return { lines, reopens: startMoved || endMoved || placeChanged, onlyUnits: lines.length === 0 };
}

/**
 * Amends an invitation. Changed time, place or papers: every invited unit is told what changed (SEQUENCE + 1);
 * a change of time or place reopens the answers. Units only added: just they get the invitation.
 */
export function amendAndNotify(db: Knex, config: NotifyConfig, id: string, change: AmendInvitationInput): Promise<WithDelivery> {
  return committed(db, (trx) => amendWithMail(trx, config, id, change));
}

async function amendWithMail(db: Knex, config: NotifyConfig, id: string, change: AmendInvitationInput): Promise<WithDelivery> {
  const current = await getInvitation(db, id);
  if (!current) throw new InvitationError('NOT_FOUND', `Không có giấy mời mã ${id}`, `no invitation with id ${id}`);
  const described = describeChanges(current, change);
  const invitedBefore = new Set(await listInvitedUnitIds(db, id));
  const note = [described.lines.join('; '), cleanText(change.note, true)].filter(Boolean).join(' — ') || null;
  const invitation = await amendInvitation(db, config, id, { ...change, note });
  const addedUnits = [...new Set(change.addUnitIds ?? [])].filter((unitId) => !invitedBefore.has(unitId));
  await auditInvitationChange(db, {
    actor: change.actor, at: change.at, invitationId: id, action: 'invitation.amended',
    summary: [invitation.publishedAt ? 'Sửa đổi giấy mời' : 'Sửa nháp giấy mời', note].filter(Boolean).join(': '),
    before: invitationAuditValues(current), after: { ...invitationAuditValues(invitation), ...(addedUnits.length ? { unitsAdded: addedUnits } : {}) },
  });
  if (!invitation.publishedAt) return { invitation, delivery: null };
  if (described.reopens) await reopenAnswers(db, id);
  const added = addedUnits;
  let delivery: QueuedDelivery | null = null;
  if (!described.onlyUnits) delivery = await queueInvitationMails(db, config, id, { kind: 'amended', changes: described.lines }, { now: change.at });
  if (added.length) {
    // Added together with a change: the amended mail already reaches them (they are invited now).
    const addedDelivery = described.onlyUnits ? await queueInvitationMails(db, config, id, { kind: 'added', unitIds: added }, { now: change.at }) : null;
    delivery = delivery ?? addedDelivery;
  }
  return { invitation: (await getInvitation(db, id))!, delivery };
}

/** Takes units off an invitation; just they are told (METHOD:CANCEL for their copy). */
export function removeUnitsAndNotify(
  db: Knex, config: NotifyConfig, id: string, input: { unitIds: string[]; actor: string; at?: Date; note?: string | null },
): Promise<WithDelivery & { removed: string[] }> {
  return committed(db, (trx) => removeUnitsWithMail(trx, config, id, input));
}

async function removeUnitsWithMail(
  db: Knex, config: NotifyConfig, id: string, input: { unitIds: string[]; actor: string; at?: Date; note?: string | null },
): Promise<WithDelivery & { removed: string[] }> {
  const at = input.at ?? new Date();
  const removed = await removeInvitedUnits(db, id, {
    unitIds: input.unitIds, actor: input.actor, at, note: ['Bỏ đơn vị khỏi thành phần mời', cleanText(input.note ?? null, true)].filter(Boolean).join(' — '),
  });
  const invitation = (await getInvitation(db, id))!;
  if (removed.length) {
    await auditInvitationChange(db, {
      actor: input.actor, at, invitationId: id, action: 'invitation.units-removed', summary: `Bỏ ${removed.length} đơn vị khỏi thành phần mời`,
      before: { unitsRemoved: removed }, after: null,
    });
  }
  const delivery = removed.length && invitation.publishedAt ? await queueInvitationMails(db, config, id, { kind: 'removed', unitIds: removed }, { now: at }) : null;
  return { invitation, delivery, removed };
}

/** Cancels an invitation; a published one is cancelled in every invited unit's calendar (METHOD:CANCEL). */
export function cancelAndNotify(db: Knex, config: NotifyConfig, id: string, options: { actor: string; reason: string; at?: Date }): Promise<WithDelivery> {
  return committed(db, async (trx) => {
    const before = await getInvitation(trx, id);
    const invitation = await cancelInvitation(trx, id, options);
    await auditInvitationChange(trx, {
      actor: options.actor, at: options.at, invitationId: id, action: 'invitation.cancelled', summary: 'Hủy cuộc họp',
      before: before ? { status: before.status } : null, after: { status: invitation.status, cancelReason: invitation.cancelReason },
    });
    const delivery = invitation.publishedAt ? await queueInvitationMails(trx, config, id, { kind: 'cancelled' }, { now: options.at }) : null;
    return { invitation, delivery };
  });
}
