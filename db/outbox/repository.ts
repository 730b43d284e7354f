// Data access for the outbox. Every query about outgoing mail goes through here.
// A row is claimed with a lease (claimed_by, claimed_until) before it is sent, so two processes never send
// the same row at once, and a row whose sender crashed becomes due again when its lease runs out.
import type { Knex } from 'knex';
import { isPostgres } from '../connection';
import { formatIsoVietnam, toDate } from '../time';

export type OutboxStatus = 'queued' | 'sending' | 'sent' | 'failed';
export const OUTBOX_STATUSES: OutboxStatus[] = ['queued', 'sending', 'sent', 'failed'];

export interface NewOutboxMail {
  kind: string;
  reference: string | null;
  /** The same logical mail (e.g. `notice.registered:<document id>`) is never queued twice. */
  dedupeKey: string;
  /** Envelope sender (MAIL FROM); '' is the null sender <>. */
  sender: string;
  recipient: string;
  subject: string;
  messageId: string;
  /** The whole MIME message; '' when `renderSpec` says how to build it at sending time. */
  rawMessage: string;
  /** JSON `{ "renderer": name, … }` for mail built when it is sent (see mail-gateway/outbox/renderers). */
  renderSpec?: string | null;
  /** Higher goes first (Hỏa tốc, Thượng khẩn before the rest). */
  priority?: number;
}

export interface OutboxSummary {
  id: number;
  kind: string;
  reference: string | null;
  dedupeKey: string;
  priority: number;
  sender: string;
  recipient: string;
  subject: string;
  messageId: string;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastAttemptAt: Date | null;
  lastError: string | null;
  relayResponse: string | null;
  claimedBy: string | null;
  claimedUntil: Date | null;
  createdAt: Date;
  sentAt: Date | null;
}

export interface OutboxMail extends OutboxSummary {
  rawMessage: string;
  renderSpec: string | null;
}

/** A row this process holds the lease of: `claimedBy` is the token every later mark must present. */
export interface ClaimedMail extends OutboxMail {
  claimedBy: string;
}

interface OutboxRow {
  id: number;
  kind: string;
  reference: string | null;
  dedupe_key: string;
  priority: number;
  sender: string;
  recipient: string;
  subject: string;
  message_id: string;
  raw_message?: string;
  render_spec?: string | null;
  status: OutboxStatus;
  attempts: number;
  next_attempt_at: string | Date;
  last_attempt_at: string | Date | null;
  last_error: string | null;
  relay_response: string | null;
  claimed_by: string | null;
  claimed_until: string | Date | null;
  created_at: string | Date;
  sent_at: string | Date | null;
}

const SUMMARY_COLUMNS = [
  'id', 'kind', 'reference', 'dedupe_key', 'priority', 'sender', 'recipient', 'subject', 'message_id', 'status',
  'attempts', 'next_attempt_at', 'last_attempt_at', 'last_error', 'relay_response', 'claimed_by', 'claimed_until',
  'created_at', 'sent_at',
];
const MAIL_COLUMNS = [...SUMMARY_COLUMNS, 'raw_message', 'render_spec'];

/** Always with milliseconds, so SQLite's text timestamps compare in time order. */
const stamp = (date: Date) => formatIsoVietnam(date, true);

function toSummary(row: OutboxRow): OutboxSummary {
  return {
    id: Number(row.id),
    kind: row.kind,
    reference: row.reference,
    dedupeKey: row.dedupe_key,
    priority: Number(row.priority),
    sender: row.sender,
    recipient: row.recipient,
    subject: row.subject,
    messageId: row.message_id,
    status: row.status,
    attempts: Number(row.attempts),
    nextAttemptAt: toDate(row.next_attempt_at)!,
    lastAttemptAt: toDate(row.last_attempt_at),
    lastError: row.last_error,
    relayResponse: row.relay_response,
    claimedBy: row.claimed_by,
    claimedUntil: toDate(row.claimed_until),
    createdAt: toDate(row.created_at)!,
    sentAt: toDate(row.sent_at),
  };
}

function toMail(row: OutboxRow): OutboxMail {
  return { ...toSummary(row), rawMessage: row.raw_message ?? '', renderSpec: row.render_spec ?? null };
}

function newRow(mail: NewOutboxMail, now: Date) {
  return {
    kind: mail.kind,
    reference: mail.reference,
    dedupe_key: mail.dedupeKey,
    priority: mail.priority ?? 0,
    sender: mail.sender,
    recipient: mail.recipient,
    subject: mail.subject,
    message_id: mail.messageId,
    raw_message: mail.rawMessage,
    render_spec: mail.renderSpec ?? null,
    status: 'queued',
    attempts: 0,
    next_attempt_at: stamp(now),
    created_at: stamp(now),
  };
}

/** Queues one mail; a mail with the same dedupe key already queued (or sent) is kept as it is. Returns the row id. */
export async function enqueueMail(db: Knex, mail: NewOutboxMail, now = new Date()): Promise<number> {
  await db('outbox').insert(newRow(mail, now)).onConflict('dedupe_key').ignore();
  const row = await db('outbox').where({ dedupe_key: mail.dedupeKey }).first('id');
  return Number(row.id);
}

/** Rows per INSERT: under the bound-parameter limits of SQLite (32,766) and PostgreSQL (65,535). */
const INSERT_CHUNK = 500;

/**
 * Queues many mails at once (one call per change, inside its transaction). Mails whose dedupe key is already in
 * the outbox are left as they are; returns how many were new and how many existed.
 */
export async function enqueueMails(db: Knex, mails: NewOutboxMail[], now = new Date()): Promise<{ queued: number; existing: number }> {
  let existing = 0;
  for (let i = 0; i < mails.length; i += INSERT_CHUNK) {
    const chunk = mails.slice(i, i + INSERT_CHUNK);
    const present = new Set(((await db('outbox').whereIn('dedupe_key', chunk.map((m) => m.dedupeKey)).select('dedupe_key')) as Array<{ dedupe_key: string }>)
      .map((r) => r.dedupe_key));
    existing += present.size;
    const fresh = chunk.filter((m) => !present.has(m.dedupeKey));
    if (fresh.length) await db('outbox').insert(fresh.map((m) => newRow(m, now))).onConflict('dedupe_key').ignore();
  }
  return { queued: mails.length - existing, existing };
}

/**
 * Takes back mails that were never tried (queued, no attempt yet) of one reference and these kinds, optionally
 * only to some recipients: a cancelled meeting's invitation that has not left yet is not sent at all.
 */
export async function withdrawUnsent(db: Knex, filter: { reference: string; kinds: string[]; recipients?: string[] }): Promise<number> {
  const query = db('outbox').where({ reference: filter.reference, status: 'queued', attempts: 0 }).whereIn('kind', filter.kinds);
  if (filter.recipients) query.whereIn('recipient', filter.recipients);
  return query.delete();
}

export interface ClaimOptions {
  /** Unique per claim: the token that later marks must present. */
  token: string;
  limit: number;
  leaseMs: number;
  now: Date;
}

function whereDue(query: Knex.QueryBuilder, now: Date): Knex.QueryBuilder {
  return query.where((due) => {
    due.where((q) => q.where('status', 'queued').where('next_attempt_at', '<=', stamp(now)))
      .orWhere((q) => q.where('status', 'sending').where('claimed_until', '<=', stamp(now)));
  });
}

const DUE_ORDER = [
  { column: 'priority', order: 'desc' as const },
  { column: 'next_attempt_at', order: 'asc' as const },
  { column: 'id', order: 'asc' as const },
];

/**
 * Takes the lease of up to `limit` due rows (queued and due, or sending with a lease that ran out) and counts
 * the attempt. PostgreSQL: row locks with SKIP LOCKED, so concurrent claimers take disjoint rows without waiting.
 * SQLite: one UPDATE … WHERE id IN (SELECT …), which SQLite runs under its single writer lock.
 */
export async function claimDueMails(db: Knex, options: ClaimOptions): Promise<ClaimedMail[]> {
  const claim = {
    status: 'sending',
    attempts: db.raw('attempts + 1'),
    claimed_by: options.token,
    claimed_until: stamp(new Date(options.now.getTime() + options.leaseMs)),
    last_attempt_at: stamp(options.now),
  };
  const rows = await db.transaction(async (trx) => {
    const due = whereDue(trx('outbox').select('id'), options.now).orderBy(DUE_ORDER).limit(options.limit);
    if (isPostgres(db)) {
      const ids = ((await due.forUpdate().skipLocked()) as Array<{ id: number }>).map((r) => r.id);
      if (ids.length === 0) return [];
      return (await trx('outbox').whereIn('id', ids).update(claim).returning(MAIL_COLUMNS)) as OutboxRow[];
    }
    return (await trx('outbox').whereIn('id', due).update(claim).returning(MAIL_COLUMNS)) as OutboxRow[];
  });
  return rows
    .map((row) => toMail(row) as ClaimedMail)
    .sort((a, b) => b.priority - a.priority || a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime() || a.id - b.id);
}

/** Updates a row only while this claim still holds its lease; false when the lease was lost. */
async function updateClaimed(db: Knex, mail: Pick<ClaimedMail, 'id' | 'claimedBy'>, changes: Record<string, unknown>): Promise<boolean> {
  const count = await db('outbox')
    .where({ id: mail.id, status: 'sending', claimed_by: mail.claimedBy })
    .update({ ...changes, claimed_by: null, claimed_until: null });
  return count === 1;
}

export function markSent(db: Knex, mail: Pick<ClaimedMail, 'id' | 'claimedBy'>, relayResponse: string, now: Date): Promise<boolean> {
  return updateClaimed(db, mail, { status: 'sent', sent_at: stamp(now), relay_response: relayResponse });
}

export function markRetry(db: Knex, mail: Pick<ClaimedMail, 'id' | 'claimedBy'>, error: string, nextAttemptAt: Date): Promise<boolean> {
  return updateClaimed(db, mail, { status: 'queued', next_attempt_at: stamp(nextAttemptAt), last_error: error });
}

export function markFailed(db: Knex, mail: Pick<ClaimedMail, 'id' | 'claimedBy'>, error: string): Promise<boolean> {
  return updateClaimed(db, mail, { status: 'failed', last_error: error });
}

/** What became of one claimed mail: sent (at), to try again (at nextAttemptAt), or failed for good. */
export type MailOutcome = Pick<ClaimedMail, 'id' | 'claimedBy'> & (
  | { result: 'sent'; relayResponse: string; at: Date }
  | { result: 'retry'; error: string; nextAttemptAt: Date }
  | { result: 'failed'; error: string }
);

/**
 * Records the outcomes of many claimed mails in ONE transaction (one commit for a whole batch instead of one per
 * mail); for each, whether its lease still held (false: not recorded, as with markSent & co.).
 */
export async function recordOutcomes(db: Knex, outcomes: MailOutcome[]): Promise<boolean[]> {
  if (outcomes.length === 0) return [];
  return db.transaction(async (trx) => {
    const held: boolean[] = [];
    for (const outcome of outcomes) {
      if (outcome.result === 'sent') held.push(await markSent(trx, outcome, outcome.relayResponse, outcome.at));
      else if (outcome.result === 'retry') held.push(await markRetry(trx, outcome, outcome.error, outcome.nextAttemptAt));
      else held.push(await markFailed(trx, outcome, outcome.error));
    }
    return held;
  });
}

/** Failed mail, newest first, for the list a clerk resends from. */
export async function listFailures(db: Knex, filter: { kind?: string; limit?: number } = {}): Promise<OutboxSummary[]> {
  const query = db('outbox').select(SUMMARY_COLUMNS).where('status', 'failed')
    .orderBy([{ column: 'last_attempt_at', order: 'desc' }, { column: 'id', order: 'desc' }])
    .limit(filter.limit ?? 500);
  if (filter.kind) query.where('kind', filter.kind);
  return ((await query) as OutboxRow[]).map(toSummary);
}

/** Puts a failed mail back in the queue, due now, with a fresh series of attempts. False unless it was failed. */
export async function requeueFailed(db: Knex, id: number, now = new Date()): Promise<boolean> {
  const count = await db('outbox')
    .where({ id, status: 'failed' })
    .update({ status: 'queued', attempts: 0, next_attempt_at: stamp(now), claimed_by: null, claimed_until: null });
  return count === 1;
}

export async function countByStatus(db: Knex): Promise<Record<OutboxStatus, number>> {
  const counts: Record<OutboxStatus, number> = { queued: 0, sending: 0, sent: 0, failed: 0 };
  const rows = (await db('outbox').select('status').count({ n: '*' }).groupBy('status')) as Array<{ status: OutboxStatus; n: number | string }>;
  for (const row of rows) counts[row.status] = Number(row.n);
  return counts;
}

export async function findMail(db: Knex, id: number): Promise<OutboxMail | null> {
  const row = (await db('outbox').where({ id }).first(MAIL_COLUMNS)) as OutboxRow | undefined;
  return row ? toMail(row) : null;
}

export async function findByDedupeKey(db: Knex, dedupeKey: string): Promise<OutboxSummary | null> {
  const row = (await db('outbox').where({ dedupe_key: dedupeKey }).first(SUMMARY_COLUMNS)) as OutboxRow | undefined;
  return row ? toSummary(row) : null;
}
