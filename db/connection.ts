// Opens the product database: SQLite in DATA_DIR by default, PostgreSQL when DATABASE_URL is set.
import fs from 'node:fs';
import path from 'node:path';
import knex, { Knex } from 'knex';
import type { Config } from '../config';

export class StartupError extends Error {}

export const SQLITE_FILE_NAME = 'moihop.sqlite3';

/** Creates DATA_DIR when missing and proves it is writable (write + fsync + delete a probe file). */
export function ensureWritableDir(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
    const probe = path.join(dir, `.write-probe-${process.pid}`);
    const fd = fs.openSync(probe, 'w');
    try {
      fs.writeSync(fd, 'ok');
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.unlinkSync(probe);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new StartupError(`DATA_DIR không ghi được / is not writable: ${dir} (${code})`);
  }
}

export function isPostgres(db: Knex): boolean {
  return db.client.config.client === 'pg';
}

function sqliteConfig(config: Config): Knex.Config {
  return {
    client: 'sqlite3',
    connection: { filename: path.join(config.dataDir, SQLITE_FILE_NAME) },
    useNullAsDefault: true,
    // One connection: SQLite serialises writers anyway, and one connection keeps transactions simple.
    pool: {
      min: 1,
      max: 1,
      afterCreate: (conn: any, done: (err: Error | null, conn: any) => void) => {
        conn.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;', (err: Error | null) => done(err, conn));
      },
    },
  };
}

function postgresConfig(config: Config): Knex.Config {
  return {
    client: 'pg',
    connection: { connectionString: config.databaseUrl!, connectionTimeoutMillis: 5000 },
    searchPath: config.databaseSchema ? [config.databaseSchema] : undefined,
    pool: { min: 0, max: 10 },
    acquireConnectionTimeout: 10000,
  };
}

function describeDbError(err: unknown): string {
  const e = err as { code?: string; message?: string };
  return [e.code, e.message].filter(Boolean).join(' ') || String(err);
}

/** Opens the database and checks that it answers; throws StartupError with one clear line otherwise. */
export async function openDatabase(config: Config): Promise<Knex> {
  if (!config.databaseUrl) ensureWritableDir(config.dataDir);
  const db = knex(config.databaseUrl ? postgresConfig(config) : sqliteConfig(config));
  try {
    if (config.databaseUrl && config.databaseSchema) {
      await db.raw('CREATE SCHEMA IF NOT EXISTS ??', [config.databaseSchema]);
    }
    await db.raw('select 1');
  } catch (err) {
    await db.destroy().catch(() => undefined);
    const where = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `SQLite (${config.dataDir})`;
    throw new StartupError(`Không kết nối được cơ sở dữ liệu / cannot reach the database ${where}: ${describeDbError(err)}`);
  }
  return db;
}

/** True when the database answers a trivial query now. */
export async function isDatabaseReachable(db: Knex): Promise<boolean> {
  try {
    await db.raw('select 1');
    return true;
  } catch {
    return false;
  }
}
