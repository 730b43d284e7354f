// Brings a database to the current schema and loads the unit directory: run at every start.
import type { Knex } from 'knex';
import type { Config } from '../config';
import { isPostgres, openDatabase } from './connection';
import { migrateLatest } from './migrate';
import { seedUnits } from './units/repository';
import { readDirectoryFile } from './units/directory-file';
import { createLogger } from '../log';
import { ensureAccounts } from './accounts/first-setup';

const log = createLogger('db');

export async function prepareDatabase(db: Knex): Promise<void> {
  const applied = await migrateLatest(db);
  for (const name of applied) log.info('DB_MIGRATED', 'migration applied', { name });
  const { inserted, updated } = await seedUnits(db, readDirectoryFile());
  if (inserted || updated) log.info('DB_UNITS_SEEDED', 'unit directory loaded', { inserted, updated });
  // SQLite keeps no statistics unless asked: without them its planner cannot tell a selective filter (one
  // sender) from a broad one (status hoàn thành) and may read the register along the wrong index. `optimize`
  // analyses the tables never analysed or grown ~10-fold since (a full ANALYZE of 100,000 documents: ~1 s,
  // once); otherwise it costs next to nothing. PostgreSQL keeps its own (autovacuum).
  if (!isPostgres(db)) await db.raw('PRAGMA optimize = 0x10002');
}

/** Opens, migrates, seeds and creates missing accounts: what every entry point (server, commands) does first. */
export async function openPreparedDatabase(config: Config): Promise<Knex> {
  const db = await openDatabase(config);
  try {
    await prepareDatabase(db);
    const { created, file } = await ensureAccounts(db, config.dataDir);
    if (created.length) log.info('DB_ACCOUNTS_CREATED', 'accounts created; their initial passwords were appended to the file (mode 0600)', { count: created.length, file });
  } catch (err) {
    await db.destroy().catch(() => undefined);
    throw err;
  }
  return db;
}
