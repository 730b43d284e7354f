// Data access for reminders: which invitations may need one soon, which units have not opened or not answered,
// and the claim of a reminder slot (one row per invitation and slot; the first insert wins).
import type { Knex } from 'knex';
import { toDate } from '../time';
import { stamp } from './rows';
import { ANSWERABLE_STATUSES } from './types';

export interface ReminderCandidate {
  id: string;
  startsAt: Date;
  answerDeadline: Date;
  publishedAt: Date;
  updatedAt: Date;
}

/** Published, not cancelled invitations whose meeting is still ahead and starts or closes answers before `until`. */
export async function invitationsAwaitingReminders(db: Knex, now: Date, until: Date): Promise<ReminderCandidate[]> {
  const rows = (await db('invitations')
    .whereIn('status', ANSWERABLE_STATUSES)
    .where('starts_at', '>', stamp(now))
    .where((q) => q.where('starts_at', '<=', stamp(until)).orWhere('answer_deadline', '<=', stamp(until)))
    .select('id', 'starts_at', 'answer_deadline', 'published_at', 'updated_at')) as Array<Record<string, string | Date>>;
  return rows.map((r) => ({
    id: String(r.id),
    startsAt: toDate(r.starts_at)!,
    answerDeadline: toDate(r.answer_deadline)!,
    publishedAt: toDate(r.published_at)!,
    updatedAt: toDate(r.updated_at)!,
  }));
}

/** Units that have not opened the invitation, and (while answers are open) those that have not answered. */
export async function unitsToRemind(db: Knex, invitationId: string, answersOpen: boolean): Promise<string[]> {
  const rows = (await db('invitation_units')
    .where({ invitation_id: invitationId })
    .where((q) => {
      q.whereNull('first_read_at');
      if (answersOpen) q.orWhereNull('answer');
    })
    .orderBy('unit_id')
    .select('unit_id')) as Array<{ unit_id: string }>;
  return rows.map((r) => r.unit_id);
}

export interface SlotClaim {
  invitationId: string;
  slot: string;
  dueAt: Date;
  /** Unique per attempt: the row names the attempt that won. */
  token: string;
  at: Date;
  units: number;
}

/**
 * Claims a reminder slot; true when this attempt won it. Call inside the transaction that queues the reminders:
 * on PostgreSQL a concurrent claimer waits on the row until that transaction ends, then sees it taken.
 */
export async function claimReminderSlot(db: Knex, claim: SlotClaim): Promise<boolean> {
  await db('invitation_reminders')
    .insert({
      invitation_id: claim.invitationId, slot: claim.slot, due_at: stamp(claim.dueAt), claimed_by: claim.token, claimed_at: stamp(claim.at), units: claim.units,
    })
    .onConflict(['invitation_id', 'slot'])
    .ignore();
  const row = (await db('invitation_reminders').where({ invitation_id: claim.invitationId, slot: claim.slot }).first('claimed_by')) as { claimed_by: string };
  return row.claimed_by === claim.token;
}

export interface ReminderRecord {
  slot: string;
  dueAt: Date;
  claimedBy: string;
  claimedAt: Date;
  units: number;
}

/** The reminders sent for an invitation, oldest first (for its staff page). */
export async function remindersOf(db: Knex, invitationId: string): Promise<ReminderRecord[]> {
  const rows = (await db('invitation_reminders').where({ invitation_id: invitationId }).orderBy('due_at')) as Array<Record<string, string | Date | number>>;
  return rows.map((r) => ({
    slot: String(r.slot), dueAt: toDate(r.due_at as string)!, claimedBy: String(r.claimed_by), claimedAt: toDate(r.claimed_at as string)!, units: Number(r.units),
  }));
}
