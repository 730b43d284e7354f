// Data access for the audit log. Entries are only ever added; reading is by object (an invitation's page) or
// over everything, newest first, in keyset pages.
import type { Knex } from 'knex';
import { formatIsoVietnam, toDate } from '../time';

export type AuditObjectType = 'invitation' | 'answer' | 'account' | 'unit-group';

export type AuditValues = Record<string, unknown>;

export interface NewAuditEntry {
  actor: string;
  action: string;
  objectType: AuditObjectType;
  objectId: string;
  summary: string;
  before?: AuditValues | null;
  after?: AuditValues | null;
  at?: Date;
}

export interface AuditEntry {
  id: number;
  at: Date;
  actor: string;
  action: string;
  objectType: AuditObjectType;
  objectId: string;
  summary: string;
  before: AuditValues | null;
  after: AuditValues | null;
}

interface AuditRow {
  id: number | string;
  at: string | Date;
  actor: string;
  action: string;
  object_type: string;
  object_id: string;
  summary: string;
  before_json: string | null;
  after_json: string | null;
}

const json = (values: AuditValues | null | undefined) => (values && Object.keys(values).length ? JSON.stringify(values) : null);

/** Records one entry; call it with the transaction of the change. */
export async function recordAudit(db: Knex, entry: NewAuditEntry): Promise<void> {
  await db('audit_log').insert({
    at: formatIsoVietnam(entry.at ?? new Date(), true),
    actor: entry.actor.slice(0, 120),
    action: entry.action,
    object_type: entry.objectType,
    object_id: entry.objectId,
    summary: entry.summary,
    before_json: json(entry.before),
    after_json: json(entry.after),
  });
}

function toEntry(row: AuditRow): AuditEntry {
  return {
    id: Number(row.id),
    at: toDate(row.at)!,
    actor: row.actor,
    action: row.action,
    objectType: row.object_type as AuditObjectType,
    objectId: row.object_id,
    summary: row.summary,
    before: row.before_json ? (JSON.parse(row.before_json) as AuditValues) : null,
    after: row.after_json ? (JSON.parse(row.after_json) as AuditValues) : null,
  };
}

export interface AuditFilter {
  /** One object: an invitation's entries include the answers given to it (object id `<invitation>/<unit>`). */
  invitationId?: string;
  actor?: string;
  objectType?: AuditObjectType;
  /** Keyset paging: entries older than this id. */
  beforeId?: number;
  limit?: number;
}

/** Entries, newest first. */
export async function listAudit(db: Knex, filter: AuditFilter = {}): Promise<AuditEntry[]> {
  const query = db('audit_log').orderBy('id', 'desc').limit(filter.limit ?? 100);
  if (filter.invitationId) {
    query.where((q) => q.where({ object_type: 'invitation', object_id: filter.invitationId })
      .orWhere((a) => a.where('object_type', 'answer').where('object_id', 'like', `${filter.invitationId}/%`)));
  }
  if (filter.actor) query.where('actor', filter.actor);
  if (filter.objectType) query.where('object_type', filter.objectType);
  if (filter.beforeId) query.where('id', '<', filter.beforeId);
  return ((await query) as AuditRow[]).map(toEntry);
}

/** The fields whose values differ, as a before and an after of just those fields. */
export function changedValues(before: AuditValues, after: AuditValues): { before: AuditValues; after: AuditValues } {
  const changed = { before: {} as AuditValues, after: {} as AuditValues };
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (JSON.stringify(before[key] ?? null) === JSON.stringify(after[key] ?? null)) continue;
    changed.before[key] = before[key] ?? null;
    changed.after[key] = after[key] ?? null;
  }
  return changed;
}
