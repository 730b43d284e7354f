// Real databases for tests: a fresh SQLite file in a temp DATA_DIR, and a fresh PostgreSQL schema.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { loadConfig, Config } from '../../config';
import { openDatabase } from '../../db/connection';
import { POSTGRES_URL } from './paths';

export type DatabaseKind = 'sqlite' | 'postgres';
export const DATABASE_KINDS: DatabaseKind[] = ['sqlite', 'postgres'];

export interface TestDatabase {
  kind: DatabaseKind;
  config: Config;
  env: Record<string, string>;
  db: Knex;
  dispose(): Promise<void>;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
}

/** The environment of a product instance on a fresh database of this kind. */
export function freshDatabaseEnv(kind: DatabaseKind, dataDir: string): Record<string, string> {
  const env: Record<string, string> = { DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  if (kind === 'postgres') {
    env.DATABASE_URL = POSTGRES_URL;
    env.DATABASE_SCHEMA = `t_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
  }
  return env;
}

export async function dropSchema(env: Record<string, string>): Promise<void> {
  if (!env.DATABASE_SCHEMA) return;
  const admin = await openDatabase(loadConfig({ DATABASE_URL: env.DATABASE_URL, DATA_DIR: env.DATA_DIR }));
  try {
    await admin.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [env.DATABASE_SCHEMA]);
  } finally {
    await admin.destroy();
  }
}

export async function openTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  const dataDir = tempDir(`moihop-${kind}`);
  const env = freshDatabaseEnv(kind, dataDir);
  const config = loadConfig(env);
  const db = await openDatabase(config);
  return {
    kind,
    config,
    env,
    db,
    async dispose() {
      await db.destroy();
      await dropSchema(env);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
