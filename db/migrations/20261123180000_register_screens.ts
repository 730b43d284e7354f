// The clerk's register screens and the register's integrity chain:
// - `documents.urgency_level` (0 Bình thường … 3 Hỏa tốc) and `documents.search_text` (trích yếu, số/ký hiệu
//   and subject folded without diacritics) so that the list sorts, pages and searches on indexed columns;
// - `register_chain`: one link per document registered and per status change, each holding the hash of the
//   row it covers and the hash of the link before it; `register_chain_head`: the last link, one row whose
//   lock serialises appends across processes.
// Existing rows are back-filled, chain included. The hashing below is a frozen copy of version 1 of
// db/register/chain.ts: a landed migration must not change when code does.
import crypto from 'node:crypto';
import type { Knex } from 'knex';

const URGENCY_LEVELS: Record<string, number> = { 'Bình thường': 0, 'Khẩn': 1, 'Thượng khẩn': 2, 'Hỏa tốc': 3 };
const GENESIS_HASH = '0'.repeat(64);

function foldForSearch(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').replace(/[đĐ]/g, 'd').toLowerCase().replace(/\s+/g, ' ').trim();
}

const sha256 = (text: string) => crypto.createHash('sha256').update(text, 'utf8').digest('hex');
const iso = (value: unknown) => (value === null || value === undefined ? null : new Date(value as string).toISOString());
const num = (value: unknown) => (value === null || value === undefined ? null : Number(value));
const str = (value: unknown) => (value === null || value === undefined ? null : String(value));

const DOCUMENT_CHAIN_COLUMNS = [
  'id', 'year', 'so_den', 'received_at', 'received_on', 'processing_from', 'intake', 'envelope_from', 'header_from', 'message_id',
  'content_sha256', 'delivery_key', 'raw_path', 'raw_size', 'unit_id', 'subject', 'urgency', 'doc_number', 'issue_date', 'doc_type',
  'trich_yeu', 'verdict', 'problems', 'warnings', 'verification', 'auth_results', 'reference_only', 'created_at',
];

function documentPayload(row: Record<string, unknown>, attachments: Array<Record<string, unknown>>): string {
  return JSON.stringify({
    v: 1,
    document: [
      str(row.id), num(row.year), num(row.so_den), iso(row.received_at), str(row.received_on), iso(row.processing_from), str(row.intake),
      str(row.envelope_from), str(row.header_from), str(row.message_id), str(row.content_sha256), str(row.delivery_key), str(row.raw_path),
      num(row.raw_size), str(row.unit_id), str(row.subject), str(row.urgency), str(row.doc_number), str(row.issue_date), str(row.doc_type),
      str(row.trich_yeu), str(row.verdict), str(row.problems), str(row.warnings), str(row.verification), str(row.auth_results),
      Boolean(row.reference_only), iso(row.created_at),
    ],
    attachments: attachments.map((a) => [num(a.position), str(a.filename), str(a.content_type), num(a.size), str(a.sha256), str(a.stored_path), Boolean(a.is_main), str(a.verdict)]),
  });
}

function statusPayload(row: Record<string, unknown>): string {
  return JSON.stringify({ v: 1, status: [num(row.id), str(row.document_id), str(row.status), iso(row.at), str(row.actor), str(row.note)] });
}

/** Now as ISO 8601 with +07:00, as the register stores times. */
const nowVietnam = () => new Date(Date.now() + 7 * 3_600_000).toISOString().replace('Z', '+07:00');

function linkHash(seq: number, kind: string, refId: string, payloadHash: string, prevHash: string): string {
  return sha256(JSON.stringify([1, seq, kind, refId, payloadHash, prevHash]));
}

async function backfill(db: Knex): Promise<void> {
  const documents = (await db('documents').select('id', 'urgency', 'trich_yeu', 'doc_number', 'subject')) as Array<Record<string, string | null>>;
  for (const d of documents) {
    await db('documents').where({ id: d.id }).update({
      urgency_level: URGENCY_LEVELS[d.urgency ?? ''] ?? 0,
      search_text: foldForSearch([d.trich_yeu, d.doc_number, d.subject].filter(Boolean).join(' \n ')),
    });
  }
  // The register as it stands: every document (in the order written), then every status change.
  const links: Array<{ kind: string; refId: string; payloadHash: string }> = [];
  const rows = (await db('documents').select(DOCUMENT_CHAIN_COLUMNS).orderBy([{ column: 'created_at' }, { column: 'id' }])) as Array<Record<string, unknown>>;
  for (const row of rows) {
    const attachments = (await db('document_attachments').where({ document_id: row.id }).orderBy('position')) as Array<Record<string, unknown>>;
    links.push({ kind: 'document', refId: String(row.id), payloadHash: sha256(documentPayload(row, attachments)) });
  }
  const history = (await db('document_status_history').select('*').orderBy('id')) as Array<Record<string, unknown>>;
  for (const h of history) links.push({ kind: 'status', refId: String(h.id), payloadHash: sha256(statusPayload(h)) });
  let prev = GENESIS_HASH;
  let seq = 0;
  for (const link of links) {
    seq += 1;
    const hash = linkHash(seq, link.kind, link.refId, link.payloadHash, prev);
    await db('register_chain').insert({ seq, kind: link.kind, ref_id: link.refId, payload_hash: link.payloadHash, prev_hash: prev, hash, created_at: nowVietnam() });
    prev = hash;
  }
  await db('register_chain_head').insert({ id: 1, last_seq: seq, last_hash: prev });
}

export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('documents', (t) => {
    t.integer('urgency_level').notNullable().defaultTo(0);
    t.text('search_text').notNullable().defaultTo('');
  });
  await db.schema.alterTable('documents', (t) => {
    // The list's order (day, urgency, time, id — all descending) read straight from one index, and the
    // usual filters narrowing it.
    t.index(['received_on', 'urgency_level', 'received_at', 'id'], 'documents_list_order_idx');
    t.index(['unit_id', 'received_on'], 'documents_unit_day_idx');
    t.index(['doc_type'], 'documents_doc_type_idx');
    t.index(['verdict'], 'documents_verdict_idx');
  });
  await db.schema.createTable('register_chain', (t) => {
    t.integer('seq').primary();
    t.string('kind', 20).notNullable();
    t.string('ref_id', 40).notNullable();
    t.string('payload_hash', 64).notNullable();
    t.string('prev_hash', 64).notNullable();
    t.string('hash', 64).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.unique(['kind', 'ref_id'], { indexName: 'register_chain_ref_unique' });
  });
  await db.schema.createTable('register_chain_head', (t) => {
    t.integer('id').primary();
    t.integer('last_seq').notNullable();
    t.string('last_hash', 64).notNullable();
  });
  await backfill(db);
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('register_chain_head');
  await db.schema.dropTable('register_chain');
  await db.schema.alterTable('documents', (t) => {
    t.dropIndex([], 'documents_verdict_idx');
    t.dropIndex([], 'documents_doc_type_idx');
    t.dropIndex([], 'documents_unit_day_idx');
    t.dropIndex([], 'documents_list_order_idx');
  });
  await db.schema.alterTable('documents', (t) => {
    t.dropColumn('search_text');
    t.dropColumn('urgency_level');
  });
}
