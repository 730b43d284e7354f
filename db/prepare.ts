// Brings a database to the current schema and loads the unit directory: run at every start.
import type { Knex } from 'knex';
import type { Config } from '../config';
import { openDatabase } from './connection';
import { migrateLatest } from './migrate';
import { seedUnits } from './units/repository';
import { readDirectoryFile } from './units/directory-file';
import { createLogger } from '../log';

const log = createLogger('db');

export async function prepareDatabase(db: Knex): Promise<void> {
  const applied = await migrateLatest(db);
  for (const name of applied) log.info('DB_MIGRATED', 'migration applied', { name });
  const { inserted, updated } = await seedUnits(db, readDirectoryFile());
  if (inserted || updated) log.info('DB_UNITS_SEEDED', 'unit directory loaded', { inserted, updated });
}

/** Opens, migrates and seeds: what every entry point (server, commands) does first. */
export async function openPreparedDatabase(config: Config): Promise<Knex> {
  const db = await openDatabase(config);
  try {
    await prepareDatabase(db);
  } catch (err) {
    await db.destroy().catch(() => undefined);
    throw err;
  }
  return db;
}
