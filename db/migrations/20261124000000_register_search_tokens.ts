// The register's search at 100,000 documents (`npm run -s bench:register`): an index on `documents.search_text`
// that finds the documents containing a word anywhere, so a rare word no longer reads every document's text.
// The search keeps its meaning (each word a diacritic-free substring, `search_text LIKE '%word%'`, checked on the
// document itself as the last filter): the index only narrows the documents to check.
// - SQLite: an FTS5 table with the trigram tokenizer, `document_search(document_id, search_text)`, one row per
//   document with the same rowid, kept in step by triggers on `documents` (insert, delete, change of
//   search_text) — whatever writes a document, the gateway, a clerk's hand registration or a bulk load. It
//   answers `search_text LIKE '%word%'` for words of 3 characters or more (db/register/search.ts).
//   NOTE for later migrations: a knex `alterTable('documents')` that rebuilds the table on SQLite (dropping or
//   changing a column) drops these triggers with it; recreate them after (test/register-search-index.test.ts
//   fails when the index misses a document).
// - PostgreSQL: a GIN trigram index (pg_trgm) on `documents.search_text`, which its planner uses for the same
//   LIKE on its own. The extension is database-wide: created in `public` when the server offers it (skipped,
//   with the plain search left as it was, when it does not).
import type { Knex } from 'knex';

const isSqlite = (db: Knex) => db.client.config.client === 'sqlite3';

const SQLITE_TRIGGERS: Array<[string, string]> = [
  ['documents_search_insert', `AFTER INSERT ON documents BEGIN
    INSERT INTO document_search (rowid, document_id, search_text) VALUES (new.rowid, new.id, new.search_text); END`],
  ['documents_search_delete', `AFTER DELETE ON documents BEGIN
    DELETE FROM document_search WHERE rowid = old.rowid; END`],
  ['documents_search_update', `AFTER UPDATE OF id, search_text ON documents BEGIN
    DELETE FROM document_search WHERE rowid = old.rowid;
    INSERT INTO document_search (rowid, document_id, search_text) VALUES (new.rowid, new.id, new.search_text); END`],
];

async function hasPgTrgm(db: Knex): Promise<boolean> {
  const installed = await db.raw(`SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'`);
  if (installed.rows.length) return true;
  const available = await db.raw(`SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'`);
  if (!available.rows.length) return false;
  await db.raw('CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public');
  return true;
}

export async function up(db: Knex): Promise<void> {
  if (isSqlite(db)) {
    await db.raw(`CREATE VIRTUAL TABLE document_search USING fts5(document_id UNINDEXED, search_text, tokenize = 'trigram', detail = 'none')`);
    await db.raw('INSERT INTO document_search (rowid, document_id, search_text) SELECT rowid, id, search_text FROM documents');
    for (const [name, body] of SQLITE_TRIGGERS) await db.raw(`CREATE TRIGGER ${name} ${body}`);
  } else if (await hasPgTrgm(db)) {
    await db.raw('CREATE INDEX documents_search_trgm_idx ON documents USING gin (search_text public.gin_trgm_ops)');
  }
}

export async function down(db: Knex): Promise<void> {
  if (isSqlite(db)) {
    for (const [name] of SQLITE_TRIGGERS) await db.raw(`DROP TRIGGER IF EXISTS ${name}`);
    await db.raw('DROP TABLE IF EXISTS document_search');
  } else {
    // The extension stays: other schemas of the same database may use it.
    await db.raw('DROP INDEX IF EXISTS documents_search_trgm_idx');
  }
}
