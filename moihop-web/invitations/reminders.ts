// Reminders to units that have not opened or not answered an invitation, at the configured offsets before the
// meeting or the answer deadline (REMINDER_OFFSETS, default 24 h and 2 h before the meeting).
//
// Each run looks only at the LATEST slot that is due for an invitation: after downtime that spanned several
// slots, one reminder goes out, not one per missed slot. A slot is claimed in the database in the transaction
// that queues its mail, so two processes (or two runs) never send it twice. Slots due before the invitation
// was published or last changed are skipped: the units have just been mailed.
import crypto from 'node:crypto';
import os from 'node:os';
import type { Knex } from 'knex';
import cron from 'node-cron';
import { BUSINESS_TIME_ZONE, Config, ReminderOffset } from '../../config';
import { createLogger } from '../../log';
import { formatIsoVietnam } from '../../db/time';
import { claimReminderSlot, invitationsAwaitingReminders, ReminderCandidate, unitsToRemind } from '../../db/invitations/reminders';
import { DeliveryConfig, queueInvitationMails } from './delivery';
import { wakeOutboxWorkers } from '../../mail-gateway/outbox/worker';

const log = createLogger('reminders');

export type ReminderConfig = DeliveryConfig & Pick<Config, 'reminderOffsets' | 'reminderCron'>;

export interface DueSlot {
  slot: string;
  dueAt: Date;
  offset: ReminderOffset;
}

/** The latest slot of the invitation that is due at `now` and still useful; null when none is. */
export function latestDueSlot(invitation: ReminderCandidate, offsets: ReminderOffset[], now: Date): DueSlot | null {
  let latest: DueSlot | null = null;
  const announcedAt = Math.max(invitation.publishedAt.getTime(), invitation.updatedAt.getTime());
  for (const offset of offsets) {
    const anchor = offset.anchor === 'meeting' ? invitation.startsAt : invitation.answerDeadline;
    const dueAt = new Date(anchor.getTime() - offset.beforeMinutes * 60_000);
    if (dueAt > now || now >= anchor || dueAt.getTime() < announcedAt) continue;
    if (!latest || dueAt > latest.dueAt) latest = { slot: `${offset.key}@${formatIsoVietnam(anchor)}`, dueAt, offset };
  }
  return latest;
}

export interface SentReminder {
  invitationId: string;
  slot: string;
  units: number;
  mails: number;
}

/** Sends every reminder due at `now` that no one has sent; returns what this call sent. */
export async function sendDueReminders(db: Knex, config: ReminderConfig, options: { now?: Date; owner?: string } = {}): Promise<SentReminder[]> {
  const now = options.now ?? new Date();
  const owner = options.owner ?? `${os.hostname()}:${process.pid}`;
  if (config.reminderOffsets.length === 0) return [];
  const longest = Math.max(...config.reminderOffsets.map((o) => o.beforeMinutes));
  const candidates = await invitationsAwaitingReminders(db, now, new Date(now.getTime() + longest * 60_000));
  const sent: SentReminder[] = [];
  for (const invitation of candidates) {
    const due = latestDueSlot(invitation, config.reminderOffsets, now);
    if (!due) continue;
    const result = await db.transaction(async (trx) => {
      const unitIds = await unitsToRemind(trx, invitation.id, now < invitation.answerDeadline);
      const token = `${owner}:${crypto.randomBytes(4).toString('hex')}`;
      const won = await claimReminderSlot(trx, { invitationId: invitation.id, slot: due.slot, dueAt: due.dueAt, token, at: now, units: unitIds.length });
      if (!won || unitIds.length === 0) return won ? { invitationId: invitation.id, slot: due.slot, units: 0, mails: 0 } : null;
      const queued = await queueInvitationMails(trx, config, invitation.id, { kind: 'reminder', unitIds, slot: due.slot }, { now });
      return { invitationId: invitation.id, slot: due.slot, units: unitIds.length, mails: queued.queued };
    });
    if (result) {
      if (result.mails) wakeOutboxWorkers();
      sent.push(result);
      log.info('REMINDER_SENT', 'Đã nhắc các đơn vị chưa xem hoặc chưa trả lời giấy mời', { ...result });
    }
  }
  return sent;
}

export interface ReminderJob {
  /** One run now (the clock of the job when `at` is not given); runs never overlap. */
  runDue(at?: Date): Promise<SentReminder[]>;
  stop(): Promise<void>;
}

/** The reminder job: on REMINDER_CRON (Vietnam time) and once at start, to catch up after downtime. */
export function startReminderJob(db: Knex, config: ReminderConfig, options: { now?: () => Date; owner?: string; schedule?: boolean } = {}): ReminderJob {
  const now = options.now ?? (() => new Date());
  let current: Promise<SentReminder[]> = Promise.resolve([]);
  const runDue = (at?: Date) => {
    const next = current.catch(() => []).then(() => sendDueReminders(db, config, { now: at ?? now(), owner: options.owner }));
    current = next;
    return next;
  };
  const runLogged = () => runDue().catch((err: unknown) => {
    log.error('REMINDER_ERROR', 'Lỗi khi gửi nhắc nhở giấy mời', { error: (err as Error).message });
    return [];
  });
  const task = options.schedule === false ? null
    : cron.schedule(config.reminderCron, () => runLogged().then(() => undefined), { timezone: BUSINESS_TIME_ZONE, noOverlap: true, name: 'invitation-reminders' });
  if (task) void runLogged();
  return {
    runDue,
    async stop() {
      await task?.destroy();
      await current.catch(() => []);
    },
  };
}
