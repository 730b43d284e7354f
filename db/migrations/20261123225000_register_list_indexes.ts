// The register list at 100,000 documents (`npm run -s bench:register`): each filter of the list gets an index
// that starts with the filtered column and goes on in the list's order (day, urgency, time, id), so a filtered
// page is read straight from it — no sort of every matching row — and its count from the index alone. The
// single-column indexes they begin with stay: `select distinct doc_type` skips through the narrow one.
// On SQLite the list-order index (`documents_list_order_idx`, rebuilt under the same name) also carries
// `search_text`: a search then checks its words on the index entries (about 200 bytes each) instead of reading
// each document row (several kB with its verification report), about 15 times less to read. PostgreSQL cannot hold an unbounded text in a b-tree entry (at most
// ~2.7 kB), so there the index stays as it was and its planner scans the table in parallel instead.
import type { Knex } from 'knex';

const ORDER = ['received_on', 'urgency_level', 'received_at', 'id'];

/** [index name, columns] of the filter indexes this migration adds. */
const FILTER_INDEXES: Array<[string, string[]]> = [
  ['documents_status_order_idx', ['status', ...ORDER]],
  ['documents_unit_order_idx', ['unit_id', ...ORDER]],
  ['documents_urgency_order_idx', ['urgency', ...ORDER]],
  ['documents_verdict_order_idx', ['verdict', ...ORDER]],
  ['documents_type_order_idx', ['doc_type', ...ORDER]],
];

const isSqlite = (db: Knex) => db.client.config.client === 'sqlite3';

export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('documents', (t) => {
    for (const [name, columns] of FILTER_INDEXES) t.index(columns, name);
  });
  if (isSqlite(db)) {
    // Same name, one more column: the index stays what migration 20261123180000 made, plus the search text.
    await db.schema.alterTable('documents', (t) => {
      t.dropIndex([], 'documents_list_order_idx');
    });
    await db.schema.alterTable('documents', (t) => {
      t.index([...ORDER, 'search_text'], 'documents_list_order_idx');
    });
  }
}

export async function down(db: Knex): Promise<void> {
  if (isSqlite(db)) {
    await db.schema.alterTable('documents', (t) => {
      t.dropIndex([], 'documents_list_order_idx');
    });
    await db.schema.alterTable('documents', (t) => {
      t.index(ORDER, 'documents_list_order_idx');
    });
  }
  await db.schema.alterTable('documents', (t) => {
    for (const [name] of FILTER_INDEXES) t.dropIndex([], name);
  });
}
