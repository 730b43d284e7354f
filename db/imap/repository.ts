// Data access for the IMAP intake: per mailbox, where the intake got to and which gateway process works it.
// A mailbox is worked by one process at a time: it holds a lease (lease_owner, lease_until) that it renews
// while connected; a lease not renewed in time (crashed process) can be taken by another. Every write of
// progress presents the owner, so a process that lost its lease can no longer move the mailbox forward.
import type { Knex } from 'knex';
import { formatIsoVietnam, toDate } from '../time';

export interface MailboxState {
  mailbox: string;
  uidValidity: bigint | null;
  lastUid: number;
  leaseOwner: string | null;
  leaseUntil: Date | null;
  connected: boolean;
  backlog: number | null;
  lastSyncAt: Date | null;
  lastError: string | null;
  lastErrorAt: Date | null;
  updatedAt: Date;
}

interface MailboxRow {
  mailbox: string;
  uid_validity: string | number | null;
  last_uid: string | number;
  lease_owner: string | null;
  lease_until: string | Date | null;
  connected: boolean | number;
  backlog: number | null;
  last_sync_at: string | Date | null;
  last_error: string | null;
  last_error_at: string | Date | null;
  updated_at: string | Date;
}

/** Always with milliseconds, so SQLite's text timestamps compare in time order. */
const stamp = (date: Date) => formatIsoVietnam(date, true);

function toState(row: MailboxRow): MailboxState {
  return {
    mailbox: row.mailbox,
    // PostgreSQL returns bigint columns as strings, SQLite as numbers: both read back exactly.
    uidValidity: row.uid_validity === null ? null : BigInt(String(row.uid_validity)),
    lastUid: Number(row.last_uid),
    leaseOwner: row.lease_owner,
    leaseUntil: toDate(row.lease_until),
    connected: Boolean(row.connected),
    backlog: row.backlog === null ? null : Number(row.backlog),
    lastSyncAt: toDate(row.last_sync_at),
    lastError: row.last_error,
    lastErrorAt: toDate(row.last_error_at),
    updatedAt: toDate(row.updated_at)!,
  };
}

export async function getMailbox(db: Knex, mailbox: string): Promise<MailboxState | null> {
  const row = (await db('imap_mailboxes').where({ mailbox }).first()) as MailboxRow | undefined;
  return row ? toState(row) : null;
}

export async function listMailboxes(db: Knex): Promise<MailboxState[]> {
  return ((await db('imap_mailboxes').select('*').orderBy('mailbox')) as MailboxRow[]).map(toState);
}

/**
 * Takes (or keeps) the lease of `mailbox` for `owner` when it is free, already ours, or ran out; creates the
 * row on first use. True when `owner` holds the lease now. One conditional UPDATE: atomic on both databases.
 */
export async function acquireLease(db: Knex, mailbox: string, owner: string, leaseMs: number, now = new Date()): Promise<boolean> {
  await db('imap_mailboxes').insert({ mailbox, last_uid: 0, connected: false, updated_at: stamp(now) }).onConflict('mailbox').ignore();
  const count = await db('imap_mailboxes')
    .where({ mailbox })
    .where((free) => free.whereNull('lease_owner').orWhere('lease_owner', owner).orWhere('lease_until', '<=', stamp(now)))
    .update({ lease_owner: owner, lease_until: stamp(new Date(now.getTime() + leaseMs)), updated_at: stamp(now) });
  return count === 1;
}

/** Extends a lease this owner still holds; false when it was lost (taken by another process). */
export async function renewLease(db: Knex, mailbox: string, owner: string, leaseMs: number, now = new Date()): Promise<boolean> {
  const count = await db('imap_mailboxes')
    .where({ mailbox, lease_owner: owner })
    .update({ lease_until: stamp(new Date(now.getTime() + leaseMs)) });
  return count === 1;
}

/** Gives the lease up at a clean stop, so another process may take over at once. */
export async function releaseLease(db: Knex, mailbox: string, owner: string, now = new Date()): Promise<void> {
  await db('imap_mailboxes')
    .where({ mailbox, lease_owner: owner })
    .update({ lease_owner: null, lease_until: null, connected: false, updated_at: stamp(now) });
}

/** A new UIDVALIDITY (or the first one seen): every UID known before is meaningless, start from the beginning. */
export async function resetUidValidity(db: Knex, mailbox: string, owner: string, uidValidity: bigint, now = new Date()): Promise<boolean> {
  const count = await db('imap_mailboxes')
    .where({ mailbox, lease_owner: owner })
    .update({ uid_validity: uidValidity.toString(), last_uid: 0, updated_at: stamp(now) });
  return count === 1;
}

/** The message `lastUid` is registered and moved away: the next pass starts after it. */
export async function recordProgress(
  db: Knex, mailbox: string, owner: string, progress: { uidValidity: bigint; lastUid: number; backlog: number }, now = new Date(),
): Promise<boolean> {
  const count = await db('imap_mailboxes')
    .where({ mailbox, lease_owner: owner, uid_validity: progress.uidValidity.toString() })
    .update({ last_uid: progress.lastUid, backlog: progress.backlog, updated_at: stamp(now) });
  return count === 1;
}

export interface StatusChange {
  connected?: boolean;
  backlog?: number;
  lastSyncAt?: Date;
  /** null clears the last error. */
  lastError?: string | null;
}

/** What `intake -- status` shows; written by the lease holder only (a standby process would mislead). */
export async function recordStatus(db: Knex, mailbox: string, owner: string, change: StatusChange, now = new Date()): Promise<void> {
  const update: Record<string, unknown> = { updated_at: stamp(now) };
  if (change.connected !== undefined) update.connected = change.connected;
  if (change.backlog !== undefined) update.backlog = change.backlog;
  if (change.lastSyncAt !== undefined) update.last_sync_at = stamp(change.lastSyncAt);
  if (change.lastError !== undefined) {
    update.last_error = change.lastError;
    update.last_error_at = change.lastError === null ? null : stamp(now);
  }
  await db('imap_mailboxes').where({ mailbox, lease_owner: owner }).update(update);
}

/** A failure seen by a process without the lease (e.g. it cannot connect at all) is still worth showing. */
export async function recordErrorWithoutLease(db: Knex, mailbox: string, error: string, now = new Date()): Promise<void> {
  await db('imap_mailboxes').insert({ mailbox, last_uid: 0, connected: false, updated_at: stamp(now) }).onConflict('mailbox').ignore();
  await db('imap_mailboxes')
    .where({ mailbox })
    .where((q) => q.whereNull('lease_owner').orWhere('lease_until', '<=', stamp(now)))
    .update({ last_error: error, last_error_at: stamp(now), connected: false, updated_at: stamp(now) });
}
