// Data access for the unit directory. Every query about units goes through here.
import type { Knex } from 'knex';
import type { DirectoryUnit, UnitDirectory } from './parse-appendices';
import { formatIsoVietnam } from '../time';

/** A unit as the database holds it: the directory entry without its provenance. */
export type Unit = Omit<DirectoryUnit, 'sources'>;

interface UnitRow {
  id: string;
  name: string;
  parent_id: string | null;
  grp: string;
  organ_id: string | null;
  moihop_username: string | null;
}

const UNIT_COLUMNS = ['id', 'name', 'parent_id', 'grp', 'organ_id', 'moihop_username'];

async function emailsByUnit(db: Knex, unitIds?: string[]): Promise<Map<string, string[]>> {
  const query = db('unit_emails').select('unit_id', 'email').orderBy([{ column: 'unit_id' }, { column: 'position' }]);
  if (unitIds) query.whereIn('unit_id', unitIds);
  const map = new Map<string, string[]>();
  for (const row of (await query) as Array<{ unit_id: string; email: string }>) {
    const list = map.get(row.unit_id) ?? [];
    list.push(row.email);
    map.set(row.unit_id, list);
  }
  return map;
}

function toUnit(row: UnitRow, emails: string[]): Unit {
  return {
    id: row.id,
    name: row.name,
    parentId: row.parent_id,
    emails,
    moihopUsername: row.moihop_username,
    organId: row.organ_id,
    group: row.grp as Unit['group'],
  };
}

/** Orders units as a tree walk: parents before their children, siblings in Vietnamese alphabetical order. */
function treeOrder(units: Unit[]): Unit[] {
  const compare = new Intl.Collator('vi', { sensitivity: 'base', numeric: true }).compare;
  const known = new Set(units.map((u) => u.id));
  const children = new Map<string | null, Unit[]>();
  for (const unit of units) {
    const parent = unit.parentId && known.has(unit.parentId) ? unit.parentId : null;
    const siblings = children.get(parent) ?? [];
    siblings.push(unit);
    children.set(parent, siblings);
  }
  const ordered: Unit[] = [];
  const visit = (parentId: string | null) => {
    for (const unit of (children.get(parentId) ?? []).sort((a, b) => compare(a.name, b.name))) {
      ordered.push(unit);
      visit(unit.id);
    }
  };
  visit(null);
  return ordered;
}

export async function listUnits(db: Knex): Promise<Unit[]> {
  const rows = (await db('units').select(UNIT_COLUMNS)) as UnitRow[];
  const emails = await emailsByUnit(db);
  return treeOrder(rows.map((row) => toUnit(row, emails.get(row.id) ?? [])));
}

/**
 * listUnits for the pages that show the whole directory on every request (the register list's sender filter):
 * kept in memory per database and reused while the directory's version — how many units, the latest
 * `updated_at` — is the one read now (one small query instead of 511 units with their addresses, sorted by
 * Vietnamese collation). Several processes may share the database: a change made elsewhere moves the version,
 * and the copy is reloaded at least every DIRECTORY_CACHE_MS anyway (a change of parent alone does not move
 * it). The array is shared: callers must not change it.
 */
export async function listUnitsCached(db: Knex): Promise<readonly Unit[]> {
  const [row] = (await db('units').select(db.raw('count(*) as n'), db.raw('max(updated_at) as at'))) as Array<{ n: number | string; at: unknown }>;
  const version = `${Number(row.n)}|${row.at instanceof Date ? row.at.toISOString() : String(row.at)}`;
  const cached = directoryCache.get(db);
  if (cached && cached.version === version && Date.now() - cached.loadedAt < DIRECTORY_CACHE_MS) return cached.units;
  const units = await listUnits(db);
  directoryCache.set(db, { version, loadedAt: Date.now(), units });
  return units;
}

const DIRECTORY_CACHE_MS = 60_000;
const directoryCache = new WeakMap<Knex, { version: string; loadedAt: number; units: readonly Unit[] }>();

export async function countUnits(db: Knex): Promise<number> {
  const [{ n }] = await db('units').count({ n: '*' });
  return Number(n);
}

async function withEmails(db: Knex, row: UnitRow | undefined): Promise<Unit | null> {
  if (!row) return null;
  return toUnit(row, (await emailsByUnit(db, [row.id])).get(row.id) ?? []);
}

/** The unit whose official addresses include `email` (case-insensitive), if any. */
export async function findUnitByEmail(db: Knex, email: string): Promise<Unit | null> {
  const row = await db('units')
    .join('unit_emails', 'unit_emails.unit_id', 'units.id')
    .where('unit_emails.email', email.trim().toLowerCase())
    .first(UNIT_COLUMNS.map((c) => `units.${c}`));
  return withEmails(db, row as UnitRow | undefined);
}

export async function findUnitById(db: Knex, id: string): Promise<Unit | null> {
  return withEmails(db, (await db('units').where({ id }).first(UNIT_COLUMNS)) as UnitRow | undefined);
}

/**
 * Loads the checked-in directory into the database. Idempotent: units are upserted by id and their
 * addresses replaced; units an operator added by hand (absent from the file) are left alone.
 */
export async function seedUnits(db: Knex, directory: UnitDirectory, now = new Date()): Promise<{ inserted: number; updated: number }> {
  const stamp = formatIsoVietnam(now);
  let inserted = 0;
  let updated = 0;
  await db.transaction(async (trx) => {
    const existing = new Map(
      ((await trx('units').select(['id', 'name', 'grp', 'sources', 'parent_id', 'moihop_username', 'organ_id'])) as Array<UnitRow & { sources: string }>).map((r) => [r.id, r]),
    );
    // Parents are linked in a second pass, so the order of the file does not matter.
    for (const unit of directory.units) {
      const row = {
        name: unit.name,
        grp: unit.group,
        organ_id: unit.organId,
        moihop_username: unit.moihopUsername,
        sources: JSON.stringify(unit.sources),
      };
      const before = existing.get(unit.id);
      if (!before) {
        await trx('units').insert({ id: unit.id, parent_id: null, created_at: stamp, updated_at: stamp, ...row });
        inserted += 1;
      } else if (
        before.name !== row.name || before.grp !== row.grp || before.sources !== row.sources ||
        before.parent_id !== unit.parentId || before.moihop_username !== row.moihop_username
      ) {
        await trx('units').where({ id: unit.id }).update({ ...row, updated_at: stamp });
        updated += 1;
      }
    }
    for (const unit of directory.units) {
      if (existing.get(unit.id)?.parent_id !== unit.parentId) {
        await trx('units').where({ id: unit.id }).update({ parent_id: unit.parentId });
      }
    }
    const emailRows = directory.units.flatMap((unit) => unit.emails.map((email, position) => ({ unit_id: unit.id, email, position })));
    // Written only when they differ: a start or a command next to a running product must not take SQLite's write
    // lock for nothing (a read transaction cannot wait for it to become a write one: SQLITE_BUSY at once).
    const key = (rows: Array<{ unit_id: string; email: string; position: number | string }>) =>
      rows.map((r) => `${r.unit_id}\u0000${r.email}\u0000${Number(r.position)}`).sort().join('\n');
    const known = new Set(directory.units.map((u) => u.id));
    const storedEmails = ((await trx('unit_emails').select('unit_id', 'email', 'position')) as Array<{ unit_id: string; email: string; position: number }>)
      .filter((r) => known.has(r.unit_id));
    if (key(storedEmails) !== key(emailRows)) {
      await trx('unit_emails').whereIn('unit_id', [...known]).delete();
      for (let i = 0; i < emailRows.length; i += 200) await trx('unit_emails').insert(emailRows.slice(i, i + 200));
    }
  });
  directoryCache.delete(db);
  return { inserted, updated };
}
