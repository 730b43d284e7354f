// Data access that reads invitations. A unit's queries are scoped: they see only published invitations the
// unit is invited to, so a page answers 404 for anything else.
import type { Knex } from 'knex';
import {
  AnswerRow, FileRow, HistoryRow, INVITATION_COLUMNS, InvitationRow, InvitedRow, currentAnswer, foldForSearch, readMark, stamp,
  toAnswer, toEvent, toFile, toInvitation, toVerification,
} from './rows';
import {
  ANSWERABLE_STATUSES, INVITATION_STATUSES, Invitation, InvitationDetail, InvitationError, InvitationFile, InvitationOverview,
  InvitationStatus, InvitedUnitState, UnitAnswer, UnitInvitationDetail, UnitInvitationSummary,
} from './types';

export interface UnitListFilter {
  /** yyyy-mm: meetings starting in that month (Vietnam time). */
  month?: string;
  /** Words that must all appear in the title, number, host, place or content (any case, with or without diacritics). */
  search?: string;
  limit?: number;
  offset?: number;
  /** The moment that separates upcoming from past meetings and open from closed answers (default now). */
  now?: Date;
}

export interface AdminListFilter {
  status?: InvitationStatus;
  month?: string;
  search?: string;
  limit?: number;
  offset?: number;
}

export interface Page<T> {
  items: T[];
  /** Matching rows in all, for paging. */
  total: number;
}

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;
const PREFIXED_COLUMNS = INVITATION_COLUMNS.map((c) => `invitations.${c}`);
const INVITED_COLUMNS = [
  'invitation_units.unit_id', 'invitation_units.first_read_at', 'invitation_units.first_read_by', 'invitation_units.answer',
  'invitation_units.attendee_name', 'invitation_units.attendee_position', 'invitation_units.attendee_phone', 'invitation_units.reason',
  'invitation_units.answered_at', 'invitation_units.answered_by', 'invitation_units.answered_sequence', 'invitation_units.answer_source',
];

function checkMonth(month: string | undefined): void {
  if (month !== undefined && !/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) {
    throw new InvitationError('INVALID_INPUT', `Tháng phải có dạng yyyy-mm, nhận "${month}"`, `month must be yyyy-mm, got "${month}"`);
  }
}

function pageBounds(filter: { limit?: number; offset?: number }): { limit: number; offset: number } {
  const limit = Math.min(Math.max(1, Math.trunc(filter.limit ?? DEFAULT_LIMIT)), MAX_LIMIT);
  const offset = Math.max(0, Math.trunc(filter.offset ?? 0));
  return { limit: Number.isFinite(limit) ? limit : DEFAULT_LIMIT, offset: Number.isFinite(offset) ? offset : 0 };
}

function applyTextFilters(query: Knex.QueryBuilder, filter: { month?: string; search?: string }): void {
  checkMonth(filter.month);
  if (filter.month) query.whereBetween('invitations.starts_on', [`${filter.month}-01`, `${filter.month}-31`]);
  for (const word of foldForSearch(filter.search ?? '').split(' ').filter(Boolean).slice(0, 10)) {
    const escaped = word.replace(/[\\%_]/g, (c) => `\\${c}`);
    query.whereRaw(`invitations.search_text LIKE ? ESCAPE '\\'`, [`%${escaped}%`]);
  }
}

const URGENCY_RANK_SQL = 'CASE invitations.urgency WHEN ? THEN 0 WHEN ? THEN 1 WHEN ? THEN 2 ELSE 3 END';
const URGENCY_RANK_BINDINGS = ['Hỏa tốc', 'Thượng khẩn', 'Khẩn'];

function unitScoped(db: Knex, unitId: string): Knex.QueryBuilder {
  return db('invitations')
    .join('invitation_units', 'invitation_units.invitation_id', 'invitations.id')
    .where('invitation_units.unit_id', unitId)
    .whereNotNull('invitations.published_at');
}

function toUnitSummary(row: InvitationRow & InvitedRow, now: Date): UnitInvitationSummary {
  const invitation = toInvitation(row);
  return {
    ...invitation,
    read: readMark(row),
    answer: currentAnswer(row),
    answersOpen: ANSWERABLE_STATUSES.includes(invitation.status) && now.getTime() <= invitation.answerDeadline.getTime(),
    upcoming: now.getTime() <= invitation.endsAt.getTime(),
  };
}

/**
 * The invitations of one unit: meetings not yet ended first (soonest first), then past ones (latest first);
 * within a day, Hỏa tốc → Thượng khẩn → Khẩn → Bình thường. Each with the unit's read and answer state.
 */
export async function listInvitationsForUnit(db: Knex, unitId: string, filter: UnitListFilter = {}): Promise<Page<UnitInvitationSummary>> {
  const now = filter.now ?? new Date();
  const nowStamp = stamp(now);
  const { limit, offset } = pageBounds(filter);
  const base = unitScoped(db, unitId);
  applyTextFilters(base, filter);
  // Two short steps instead of a count and a wide sort: (1) the ids of the page in order, with the total riding
  // along as a window count over the whole match (computed before LIMIT) — only the sort keys of the unit's
  // invitations go through the sorter; (2) the full rows of those ids (at most one page). Only a page past the
  // end, which has no row, counts apart.
  const page = (await base.clone()
    .select('invitations.id', db.raw('count(*) over () as list_total'))
    .orderByRaw('CASE WHEN invitations.ends_at >= ? THEN 0 ELSE 1 END', [nowStamp])
    .orderByRaw('CASE WHEN invitations.ends_at >= ? THEN invitations.starts_on END ASC', [nowStamp])
    .orderByRaw('CASE WHEN invitations.ends_at < ? THEN invitations.starts_on END DESC', [nowStamp])
    .orderByRaw(URGENCY_RANK_SQL, URGENCY_RANK_BINDINGS)
    .orderByRaw('CASE WHEN invitations.ends_at >= ? THEN invitations.starts_at END ASC', [nowStamp])
    .orderBy([{ column: 'invitations.starts_at', order: 'desc' }, { column: 'invitations.id' }])
    .limit(limit)
    .offset(offset)) as Array<{ id: string; list_total: number | string }>;
  if (!page.length) return { items: [], total: offset > 0 ? Number((await base.clone().count({ n: '*' }))[0].n) : 0 };
  const found = (await unitScoped(db, unitId)
    .whereIn('invitations.id', page.map((p) => p.id))
    .select([...PREFIXED_COLUMNS, ...INVITED_COLUMNS])) as Array<InvitationRow & InvitedRow>;
  // An invitation never leaves a unit's scope once in it (units are only added, publishing is not undone).
  const byId = new Map(found.map((row) => [row.id, row]));
  const rows = page.map((p) => byId.get(p.id)).filter((row): row is InvitationRow & InvitedRow => row !== undefined);
  const total = Number(page[0].list_total);
  return { items: rows.map((row) => toUnitSummary(row, now)), total };
}

async function currentFiles(db: Knex, invitationId: string, withSuperseded = false): Promise<InvitationFile[]> {
  const query = db('invitation_files').where({ invitation_id: invitationId }).orderBy('position');
  if (!withSuperseded) query.whereNull('superseded_at');
  return ((await query) as FileRow[]).map(toFile);
}

async function answerHistory(db: Knex, invitationId: string, unitId?: string): Promise<AnswerRow[]> {
  const query = db('invitation_answers').where({ invitation_id: invitationId }).orderBy('id');
  if (unitId !== undefined) query.where({ unit_id: unitId });
  return (await query) as AnswerRow[];
}

/** One invitation as the unit sees it, with files, verification and its answer history; null when not its own. */
export async function getInvitationForUnit(db: Knex, unitId: string, id: string, options: { now?: Date } = {}): Promise<UnitInvitationDetail | null> {
  const row = (await unitScoped(db, unitId)
    .where('invitations.id', id)
    .first([...PREFIXED_COLUMNS, 'invitations.verification', ...INVITED_COLUMNS])) as (InvitationRow & InvitedRow) | undefined;
  if (!row) return null;
  return {
    ...toUnitSummary(row, options.now ?? new Date()),
    verification: toVerification(row),
    files: await currentFiles(db, id),
    answerHistory: (await answerHistory(db, id, unitId)).map(toAnswer),
  };
}

/** Whether the unit may see this invitation (published and the unit invited). */
export async function isInvitationVisibleToUnit(db: Knex, unitId: string, id: string): Promise<boolean> {
  return Boolean(await unitScoped(db, unitId).where('invitations.id', id).first('invitations.id'));
}

/** One invitation for the admin, drafts included; null for an unknown id. */
export async function getInvitation(db: Knex, id: string): Promise<InvitationDetail | null> {
  const row = (await db('invitations').where({ id }).first([...INVITATION_COLUMNS, 'verification'])) as InvitationRow | undefined;
  if (!row) return null;
  const history = (await db('invitation_history').where({ invitation_id: id }).orderBy('id')) as HistoryRow[];
  return { ...toInvitation(row), verification: toVerification(row), files: await currentFiles(db, id), history: history.map(toEvent) };
}

/** What changes whenever the invitation or its files change (a cheap check before reusing what was read); null when unknown. */
export async function invitationVersion(db: Knex, id: string): Promise<string | null> {
  const row = (await db('invitations').where({ id }).first('sequence', 'status', 'updated_at')) as
    { sequence: number | string; status: string; updated_at: string | Date } | undefined;
  return row ? `${row.sequence}|${row.status}|${String(row.updated_at instanceof Date ? row.updated_at.getTime() : row.updated_at)}` : null;
}

/** A file row of an invitation, superseded ones included; null when the invitation has no such position. */
export async function findInvitationFile(db: Knex, invitationId: string, position: number): Promise<InvitationFile | null> {
  const row = (await db('invitation_files').where({ invitation_id: invitationId, position }).first()) as FileRow | undefined;
  return row ? toFile(row) : null;
}

/** The admin's follow-up: every invited unit (Vietnamese alphabetical order) with read and answer state, and the counts. */
export async function getInvitationOverview(db: Knex, id: string): Promise<InvitationOverview | null> {
  const detail = await getInvitation(db, id);
  if (!detail) return null;
  const invited = (await db('invitation_units')
    .join('units', 'units.id', 'invitation_units.unit_id')
    .where('invitation_units.invitation_id', id)
    .select([...INVITED_COLUMNS, 'units.name as unit_name', 'units.moihop_username'])) as Array<InvitedRow & { unit_name: string; moihop_username: string | null }>;
  const historyByUnit = new Map<string, UnitAnswer[]>();
  for (const row of await answerHistory(db, id)) {
    const list = historyByUnit.get(row.unit_id) ?? [];
    list.push(toAnswer(row));
    historyByUnit.set(row.unit_id, list);
  }
  const compare = new Intl.Collator('vi', { sensitivity: 'base', numeric: true }).compare;
  const units: InvitedUnitState[] = invited
    .map((row) => ({
      unitId: row.unit_id,
      unitName: row.unit_name,
      moihopUsername: row.moihop_username,
      read: readMark(row),
      answer: currentAnswer(row),
      answerHistory: historyByUnit.get(row.unit_id) ?? [],
    }))
    .sort((a, b) => compare(a.unitName, b.unitName));
  const count = (test: (u: InvitedUnitState) => boolean) => units.filter(test).length;
  return {
    ...detail,
    allFiles: await currentFiles(db, id, true),
    units,
    counts: {
      invited: units.length,
      read: count((u) => u.read !== null),
      answered: count((u) => u.answer !== null),
      attending: count((u) => u.answer?.answer === 'tham dự'),
      delegating: count((u) => u.answer?.answer === 'cử người dự thay'),
      declining: count((u) => u.answer?.answer === 'không tham dự'),
      pending: count((u) => u.answer === null),
    },
  };
}

/** Every invitation for the admin, drafts included: latest meeting first. */
export async function listInvitations(db: Knex, filter: AdminListFilter = {}): Promise<Page<Invitation>> {
  if (filter.status !== undefined && !INVITATION_STATUSES.includes(filter.status)) {
    throw new InvitationError('INVALID_INPUT', `Trạng thái không hợp lệ "${filter.status}"`, `unknown status "${filter.status}"`);
  }
  const { limit, offset } = pageBounds(filter);
  const base = db('invitations');
  if (filter.status) base.where('invitations.status', filter.status);
  applyTextFilters(base, filter);
  const [{ n }] = await base.clone().count({ n: '*' });
  const rows = (await base
    .select(PREFIXED_COLUMNS)
    .orderBy([{ column: 'invitations.starts_at', order: 'desc' }, { column: 'invitations.id', order: 'desc' }])
    .limit(limit)
    .offset(offset)) as InvitationRow[];
  return { items: rows.map(toInvitation), total: Number(n) };
}

/** The invited unit ids of an invitation. */
export async function listInvitedUnitIds(db: Knex, id: string): Promise<string[]> {
  return ((await db('invitation_units').where({ invitation_id: id }).select('unit_id').orderBy('unit_id')) as Array<{ unit_id: string }>).map((r) => r.unit_id);
}

/** Unit ids by moihop username (lower case); the usernames that match no unit are returned apart. */
export async function unitIdsByUsername(db: Knex, usernames: string[]): Promise<{ found: Map<string, string>; unknown: string[] }> {
  const wanted = [...new Set(usernames.map((u) => u.trim().toLowerCase()).filter(Boolean))];
  const found = new Map<string, string>();
  for (let i = 0; i < wanted.length; i += 500) {
    const rows = (await db('units').whereIn('moihop_username', wanted.slice(i, i + 500)).select('id', 'moihop_username')) as Array<{ id: string; moihop_username: string }>;
    for (const row of rows) found.set(row.moihop_username, row.id);
  }
  return { found, unknown: wanted.filter((u) => !found.has(u)) };
}

/** The given unit ids that are not in the directory. */
export async function unknownUnitIds(db: Knex, unitIds: string[]): Promise<string[]> {
  const wanted = [...new Set(unitIds)];
  const known = new Set<string>();
  for (let i = 0; i < wanted.length; i += 500) {
    for (const row of (await db('units').whereIn('id', wanted.slice(i, i + 500)).select('id')) as Array<{ id: string }>) known.add(row.id);
  }
  return wanted.filter((id) => !known.has(id));
}
