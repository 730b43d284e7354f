// Runs the migrations of db/migrations/index.ts through knex's migrator.
import type { Knex } from 'knex';
import { MIGRATIONS, Migration } from './migrations';

const migrationSource: Knex.MigrationSource<Migration> = {
  getMigrations: async () => MIGRATIONS,
  getMigrationName: (migration) => migration.name,
  getMigration: async (migration) => migration,
};

const options: Knex.MigratorConfig = { migrationSource, tableName: 'knex_migrations' };

/** Applies every pending migration; returns the names applied now. */
export async function migrateLatest(db: Knex): Promise<string[]> {
  const [, applied] = await db.migrate.latest(options);
  return applied as string[];
}

/** Rolls every migration back (used by tests and by operators resetting a scratch database). */
export async function migrateDownAll(db: Knex): Promise<string[]> {
  const [, reverted] = await db.migrate.rollback(options, true);
  return reverted as string[];
}

export async function migrationStatus(db: Knex): Promise<{ applied: string[]; pending: string[] }> {
  const [completed, pending] = await db.migrate.list(options);
  return {
    applied: (completed as Array<{ name: string }>).map((m) => m.name),
    pending: (pending as Migration[]).map((m) => m.name),
  };
}
