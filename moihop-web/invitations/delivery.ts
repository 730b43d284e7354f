// Invitation mail: one message per invited unit and official address, queued in the same durable outbox as
// the gateway's notices (the sender worker delivers it through OUTBOUND_SMTP_URL, with retries and backoff).
//
// Each message carries the Giấy mời PDF (not for a cancellation or a removal), a link to the invitation's page
// and the unit's .ics (METHOD:REQUEST, the unit as ATTENDEE with RSVP=TRUE while it has not answered; METHOD:CANCEL
// for a cancellation or a unit taken off the list). The dedupe key is (event, invitation, SEQUENCE, unit,
// address): queueing again after a crash or a restart never sends a second copy.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import ejs from 'ejs';
import type { Knex } from 'knex';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { Config } from '../../config';
import { createLogger } from '../../log';
import { formatDateTimeVi, toDate } from '../../db/time';
import { enqueueMail, findByDedupeKey, requeueFailed } from '../../db/outbox/repository';
import { listUnits, Unit } from '../../db/units/repository';
import { getInvitationOverview } from '../../db/invitations/queries';
import type { InvitationOverview, UnitAnswer } from '../../db/invitations/types';
import { MAIL_TEMPLATES_DIR } from '../../mail-gateway/notices/notices';
import { buildInvitationIcs } from './ics';
import { invitationDir } from './files';
import { invitationPageUrl, ORGANIZER_NAME } from './calendar';
import { mailDateVietnam } from '../../db/time';

const log = createLogger('invitation-mail');

export type DeliveryConfig = Pick<Config, 'gatewayAddresses' | 'publicUrl' | 'dataDir'>;

/** What happened to the invitation, and so which units are told what. */
export type DeliveryEvent =
  | { kind: 'published' }
  | { kind: 'amended'; changes: string[] }
  | { kind: 'cancelled' }
  | { kind: 'added'; unitIds: string[] }
  | { kind: 'removed'; unitIds: string[] };

export const INVITATION_MAIL_KINDS = {
  published: 'invitation.published', amended: 'invitation.amended', cancelled: 'invitation.cancelled', added: 'invitation.added', removed: 'invitation.removed',
} as const;

const URGENCY_PRIORITY: Record<string, number> = { 'Hỏa tốc': 3, 'Thượng khẩn': 2, 'Khẩn': 1, 'Bình thường': 0 };

const SUBJECT_PREFIX: Record<DeliveryEvent['kind'], string> = {
  published: 'Giấy mời họp', amended: 'Giấy mời họp ĐÃ SỬA ĐỔI', cancelled: 'HỦY cuộc họp', added: 'Giấy mời họp', removed: 'Thông báo không còn trong thành phần mời',
};

export interface QueuedDelivery {
  queued: number;
  /** Rows that were already in the outbox (a repeated call): not queued again. */
  existing: number;
  /** Invited units without an official address: they only see the invitation on the website. */
  withoutAddress: string[];
}


function oneLine(text: string, max = 150): string {
  const line = text.replace(/[\r\n\t]+/g, ' ').replace(/\s{2,}/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function buildMessage(mail: ConstructorParameters<typeof MailComposer>[0]): Promise<string> {
  return new Promise((resolve, reject) => {
    new MailComposer(mail).compile().build((err, message) => (err ? reject(err) : resolve(message.toString('utf8').replace(/\r?\n/g, '\r\n'))));
  });
}

async function renderPair(data: Record<string, unknown>): Promise<{ text: string; html: string }> {
  const locals = { ...data, formatDateTimeVi };
  const [text, html] = await Promise.all([
    ejs.renderFile(path.join(MAIL_TEMPLATES_DIR, 'invitation-notice.txt.ejs'), locals, { cache: true }),
    ejs.renderFile(path.join(MAIL_TEMPLATES_DIR, 'invitation-notice.ejs'), locals, { cache: true }),
  ]);
  return { text, html };
}

function recipientKey(unitId: string, email: string): string {
  return crypto.createHash('sha256').update(`${unitId}\n${email.toLowerCase()}`).digest('hex').slice(0, 20);
}

/** The outbox dedupe key of one invitation mail. */
export function invitationDedupeKey(kind: DeliveryEvent['kind'], invitationId: string, sequence: number, unitId: string, email: string): string {
  return `${INVITATION_MAIL_KINDS[kind]}:${invitationId}:${sequence}:${recipientKey(unitId, email)}`;
}

function unitsToTell(event: DeliveryEvent, overview: InvitationOverview): string[] {
  if (event.kind === 'added' || event.kind === 'removed') return event.unitIds;
  return overview.units.map((u) => u.unitId);
}

/**
 * Queues the mails of one event of an invitation (after its change is committed). Safe to call again: rows
 * already queued are left as they are.
 */
export async function queueInvitationMails(
  db: Knex, config: DeliveryConfig, invitationId: string, event: DeliveryEvent, options: { now?: Date } = {},
): Promise<QueuedDelivery> {
  const now = options.now ?? new Date();
  const overview = await getInvitationOverview(db, invitationId);
  const result: QueuedDelivery = { queued: 0, existing: 0, withoutAddress: [] };
  if (!overview || overview.publishedAt === null) return result; // a draft is never mailed
  const from = config.gatewayAddresses[0];
  const domain = from.split('@')[1];
  const units = new Map<string, Unit>((await listUnits(db)).map((u) => [u.id, u]));
  const answers = new Map<string, UnitAnswer | null>(overview.units.map((u) => [u.unitId, u.answer]));
  const mainFile = overview.files.find((f) => f.kind === 'giấy mời' && f.supersededAt === null) ?? null;
  const papers = overview.files.filter((f) => f.kind === 'tài liệu');
  const withPdf = event.kind !== 'cancelled' && event.kind !== 'removed';
  const pdfContent = withPdf && mainFile ? fs.readFileSync(path.join(invitationDir(config.dataDir, invitationId), mainFile.storedName)) : null;
  const pageUrl = invitationPageUrl(config, invitationId);
  const subject = `${SUBJECT_PREFIX[event.kind]}: ${oneLine(overview.title)} (${formatDateTimeVi(overview.startsAt)})`;
  for (const unitId of unitsToTell(event, overview)) {
    const unit = units.get(unitId);
    if (!unit || unit.emails.length === 0) {
      result.withoutAddress.push(unitId);
      continue;
    }
    // A removed unit gets the CANCEL of its own copy; a cancelled meeting is CANCEL for all.
    const invitation = event.kind === 'removed'
      ? { ...overview, status: 'đã hủy' as const, cancelReason: 'Quý cơ quan, đơn vị không còn trong thành phần mời' }
      : overview;
    const ics = buildInvitationIcs({
      invitation,
      attendee: { name: unit.name, email: unit.emails[0], unitId, answer: event.kind === 'removed' ? null : answers.get(unitId) ?? null },
      organizer: { name: ORGANIZER_NAME, email: from },
      url: pageUrl,
      now,
    });
    const method = /^METHOD:CANCEL/m.test(ics) ? 'CANCEL' : 'REQUEST';
    for (const email of unit.emails) {
      const dedupeKey = invitationDedupeKey(event.kind, invitationId, overview.sequence, unitId, email);
      if (await findByDedupeKey(db, dedupeKey)) {
        result.existing += 1;
        continue;
      }
      const messageId = `<invitation.${invitationId}.${overview.sequence}.${crypto.randomBytes(6).toString('hex')}@${domain}>`;
      const { text, html } = await renderPair({
        kind: event.kind, invitation: overview, unitName: unit.name, pageUrl, gatewayAddress: from,
        changes: event.kind === 'amended' ? event.changes : [], papers, mainFile: pdfContent ? mainFile : null,
      });
      const rawMessage = await buildMessage({
        from: { name: ORGANIZER_NAME, address: from },
        to: { name: unit.name, address: email },
        subject,
        date: mailDateVietnam(now),
        messageId,
        headers: { 'Auto-Submitted': 'auto-generated', 'X-Binhthuan-Invitation': `${invitationId}; sequence=${overview.sequence}` },
        text,
        html,
        attachments: pdfContent && mainFile ? [{ filename: mainFile.filename, content: pdfContent, contentType: 'application/pdf' }] : [],
        icalEvent: { method, filename: 'giay-moi.ics', content: ics },
      });
      await enqueueMail(db, {
        kind: INVITATION_MAIL_KINDS[event.kind],
        reference: invitationId,
        dedupeKey,
        sender: from,
        recipient: email,
        subject,
        messageId,
        rawMessage,
        priority: URGENCY_PRIORITY[overview.urgency] ?? 0,
      }, now);
      result.queued += 1;
    }
  }
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
export async function resendFailedInvitationMails(db: Knex, invitationId: string, now = new Date()): Promise<number> {
  const failed = (await invitationDeliveries(db, invitationId)).filter((m) => m.status === 'failed');
  let count = 0;
  for (const mail of failed) if (await requeueFailed(db, mail.id, now)) count += 1;
  return count;
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
