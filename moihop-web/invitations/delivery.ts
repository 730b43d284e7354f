// Invitation mail: one message per invited unit and official address, queued in the same durable outbox as the
// gateway's notices, in the transaction of the change that causes it (published, amended, cancelled, units added
// or removed, reminders): the change and its promise to tell the units commit together. A row holds only its
// render spec; ./invitation-mail builds the message when the sender worker sends it. The dedupe key is (event,
// invitation, SEQUENCE or reminder slot, unit, address): queueing again never sends a second copy.
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { Config } from '../../config';
import { createLogger } from '../../log';
import { toDate } from '../../db/time';
import { enqueueMails, NewOutboxMail, requeueFailed, withdrawUnsent } from '../../db/outbox/repository';
import { listUnits, Unit } from '../../db/units/repository';
import { getInvitationOverview } from '../../db/invitations/queries';
import type { InvitationOverview } from '../../db/invitations/types';
import { encodeRenderSpec } from '../../mail-gateway/outbox/renderers';
import { recordAudit } from '../../db/audit/repository';
import { DeliveryEvent, DeliveryKind, INVITATION_RENDERER, InvitationMailSpec, invitationSubject } from './invitation-mail';

export type { DeliveryEvent } from './invitation-mail';

const log = createLogger('invitation-mail');

export type DeliveryConfig = Pick<Config, 'gatewayAddresses' | 'publicUrl' | 'dataDir' | 'invitationReplyAddress' | 'sessionSecret'>;

export const INVITATION_MAIL_KINDS: Record<DeliveryKind, string> = {
  published: 'invitation.published',
  amended: 'invitation.amended',
  cancelled: 'invitation.cancelled',
  added: 'invitation.added',
  removed: 'invitation.removed',
  reminder: 'invitation.reminder',
};

/** Mail that tells a unit to come: withdrawn while still unsent when the meeting is cancelled or the unit removed. */
const INVITING_KINDS = (['published', 'amended', 'added', 'reminder'] as const).map((k) => INVITATION_MAIL_KINDS[k]);

const URGENCY_PRIORITY: Record<string, number> = { 'Hỏa tốc': 3, 'Thượng khẩn': 2, 'Khẩn': 1, 'Bình thường': 0 };

export interface QueuedDelivery {
  queued: number;
  /** Rows that were already in the outbox (a repeated call): not queued again. */
  existing: number;
  /** Invited units without an official address: they only see the invitation on the website. */
  withoutAddress: string[];
}

function recipientKey(unitId: string, email: string): string {
  return crypto.createHash('sha256').update(`${unitId}\n${email.toLowerCase()}`).digest('hex').slice(0, 20);
}

/** The outbox dedupe key of one invitation mail: per SEQUENCE, or per slot for a reminder. */
export function invitationDedupeKey(kind: DeliveryKind, invitationId: string, sequenceOrSlot: number | string, unitId: string, email: string): string {
  return `${INVITATION_MAIL_KINDS[kind]}:${invitationId}:${sequenceOrSlot}:${recipientKey(unitId, email)}`;
}

function unitsToTell(event: DeliveryEvent, overview: InvitationOverview): string[] {
  if (event.kind === 'added' || event.kind === 'removed' || event.kind === 'reminder') return event.unitIds;
  return overview.units.map((u) => u.unitId);
}

/**
 * Queues the mails of one event of an invitation; call it inside the transaction of the change. Safe to call
 * again: rows already queued are left as they are. A draft is never mailed.
 */
export async function queueInvitationMails(
  db: Knex, config: DeliveryConfig, invitationId: string, event: DeliveryEvent, options: { now?: Date } = {},
): Promise<QueuedDelivery> {
  const now = options.now ?? new Date();
  const overview = await getInvitationOverview(db, invitationId);
  const result: QueuedDelivery = { queued: 0, existing: 0, withoutAddress: [] };
  if (!overview || overview.publishedAt === null) return result;
  const from = config.gatewayAddresses[0];
  const domain = from.split('@')[1];
  const units = new Map<string, Unit>((await listUnits(db)).map((u) => [u.id, u]));
  const subject = invitationSubject(event.kind, overview);
  const round = event.kind === 'reminder' ? event.slot : overview.sequence;
  const mails: NewOutboxMail[] = [];
  for (const unitId of unitsToTell(event, overview)) {
    const unit = units.get(unitId);
    if (!unit || unit.emails.length === 0) {
      result.withoutAddress.push(unitId);
      continue;
    }
    const spec: InvitationMailSpec = {
      renderer: INVITATION_RENDERER, invitationId, kind: event.kind, unitId, ...(event.kind === 'amended' ? { changes: event.changes } : {}),
    };
    for (const email of unit.emails) {
      mails.push({
        kind: INVITATION_MAIL_KINDS[event.kind],
        reference: invitationId,
        dedupeKey: invitationDedupeKey(event.kind, invitationId, round, unitId, email),
        sender: from,
        recipient: email,
        subject,
        messageId: `<invitation.${invitationId}.${overview.sequence}.${crypto.randomBytes(6).toString('hex')}@${domain}>`,
        rawMessage: '',
        renderSpec: encodeRenderSpec(spec),
        priority: URGENCY_PRIORITY[overview.urgency] ?? 0,
      });
    }
  }
  if (event.kind === 'cancelled' || event.kind === 'removed') {
    const recipients = event.kind === 'removed' ? mails.map((m) => m.recipient) : undefined;
    await withdrawUnsent(db, { reference: invitationId, kinds: INVITING_KINDS, recipients });
  }
  Object.assign(result, await enqueueMails(db, mails, now));
  log.info('INVITATION_MAIL_QUEUED', 'Đã xếp thư giấy mời vào hàng đợi', {
    invitation: invitationId, event: event.kind, sequence: overview.sequence, queued: result.queued, existing: result.existing, withoutAddress: result.withoutAddress.length,
  });
  return result;
}

export type RecipientState = 'queued' | 'sending' | 'sent' | 'failed';

/** One invitation mail as the admin page shows it. */
export interface DeliveryMail {
  id: number;
  kind: string;
  recipient: string;
  status: RecipientState;
  attempts: number;
  lastError: string | null;
  relayResponse: string | null;
  sentAt: Date | null;
  nextAttemptAt: Date | null;
  createdAt: Date;
}

/** The invitation's mails in the outbox (oldest first), without their bodies. */
export async function invitationDeliveries(db: Knex, invitationId: string): Promise<DeliveryMail[]> {
  const rows = (await db('outbox').where({ reference: invitationId }).where('kind', 'like', 'invitation.%').orderBy('id')
    .select('id', 'kind', 'recipient', 'status', 'attempts', 'last_error', 'relay_response', 'sent_at', 'next_attempt_at', 'created_at')) as Array<Record<string, unknown>>;
  return rows.map((r) => ({
    id: Number(r.id), kind: String(r.kind), recipient: String(r.recipient), status: r.status as RecipientState, attempts: Number(r.attempts),
    lastError: (r.last_error as string | null) ?? null, relayResponse: (r.relay_response as string | null) ?? null,
    sentAt: toDate(r.sent_at as string | null), nextAttemptAt: toDate(r.next_attempt_at as string | null), createdAt: toDate(r.created_at as string)!,
  }));
}

/** Puts the invitation's failed mails back in the queue; returns how many. */
export async function resendFailedInvitationMails(db: Knex, invitationId: string, now = new Date(), actor = 'system'): Promise<number> {
  return db.transaction(async (trx) => {
    const failed = (await invitationDeliveries(trx, invitationId)).filter((m) => m.status === 'failed');
    const resent: string[] = [];
    for (const mail of failed) if (await requeueFailed(trx, mail.id, now)) resent.push(mail.recipient);
    if (resent.length) {
      await recordAudit(trx, {
        actor, at: now, action: 'invitation.mail-resent', objectType: 'invitation', objectId: invitationId,
        summary: `Gửi lại ${resent.length} thư không gửi được`, after: { resent },
      });
    }
    return resent.length;
  });
}

/** Each unit's mails and its worst current state (failed, then sending, queued, sent). */
export function deliveryByUnit(mails: DeliveryMail[], units: Array<{ id: string; emails: string[] }>): Map<string, { state: RecipientState; mails: DeliveryMail[] }> {
  const unitOf = new Map<string, string>();
  for (const unit of units) for (const email of unit.emails) unitOf.set(email.toLowerCase(), unit.id);
  const rank: Record<RecipientState, number> = { failed: 4, sending: 3, queued: 2, sent: 1 };
  const byUnit = new Map<string, { state: RecipientState; mails: DeliveryMail[] }>();
  for (const mail of mails) {
    const unitId = unitOf.get(mail.recipient.toLowerCase());
    if (!unitId) continue;
    const entry = byUnit.get(unitId) ?? { state: 'sent' as RecipientState, mails: [] };
    entry.mails.push(mail);
    if (rank[mail.status] > rank[entry.state]) entry.state = mail.status;
    byUnit.set(unitId, entry);
  }
  return byUnit;
}
