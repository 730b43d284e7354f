// The integrity chain of the incoming register: every document registered and every status change gets a
// link holding the SHA-256 of the row as written and the hash of the link before it, appended in the same
// transaction as the row. Editing, deleting or slipping in a row behind the application's back breaks the
// chain at the first link concerned; `register -- verify-chain` finds it.
// Version 1 of the payloads is frozen in migration 20261123180000_register_screens (its back-fill): change
// what is hashed only as a new version, never in place.
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { isPostgres } from '../connection';
import { formatIsoVietnam } from '../time';

export type ChainKind = 'document' | 'status';

const GENESIS_HASH = '0'.repeat(64);
const BATCH = 1000;

const sha256 = (text: string) => crypto.createHash('sha256').update(text, 'utf8').digest('hex');
// Both databases give the same canonical values: timestamps as UTC ISO, numbers as numbers, booleans as booleans.
const iso = (value: unknown) => (value === null || value === undefined ? null : new Date(value as string).toISOString());
const num = (value: unknown) => (value === null || value === undefined ? null : Number(value));
const str = (value: unknown) => (value === null || value === undefined ? null : String(value));

/** Everything about a document that never changes once registered (status and recall are in the history). */
const DOCUMENT_CHAIN_COLUMNS = [
  'id', 'year', 'so_den', 'received_at', 'received_on', 'processing_from', 'intake', 'envelope_from', 'header_from', 'message_id',
  'content_sha256', 'delivery_key', 'raw_path', 'raw_size', 'unit_id', 'subject', 'urgency', 'doc_number', 'issue_date', 'doc_type',
  'trich_yeu', 'verdict', 'problems', 'warnings', 'verification', 'auth_results', 'reference_only', 'created_at',
];

type Row = Record<string, unknown>;

function documentPayloadHash(row: Row, attachments: Row[]): string {
  return sha256(JSON.stringify({
    v: 1,
    document: [
      str(row.id), num(row.year), num(row.so_den), iso(row.received_at), str(row.received_on), iso(row.processing_from), str(row.intake),
      str(row.envelope_from), str(row.header_from), str(row.message_id), str(row.content_sha256), str(row.delivery_key), str(row.raw_path),
      num(row.raw_size), str(row.unit_id), str(row.subject), str(row.urgency), str(row.doc_number), str(row.issue_date), str(row.doc_type),
      str(row.trich_yeu), str(row.verdict), str(row.problems), str(row.warnings), str(row.verification), str(row.auth_results),
      Boolean(row.reference_only), iso(row.created_at),
    ],
    attachments: attachments.map((a) => [num(a.position), str(a.filename), str(a.content_type), num(a.size), str(a.sha256), str(a.stored_path), Boolean(a.is_main), str(a.verdict)]),
  }));
}

function statusPayloadHash(row: Row): string {
  return sha256(JSON.stringify({ v: 1, status: [num(row.id), str(row.document_id), str(row.status), iso(row.at), str(row.actor), str(row.note)] }));
}

function linkHash(seq: number, kind: string, refId: string, payloadHash: string, prevHash: string): string {
  return sha256(JSON.stringify([1, seq, kind, refId, payloadHash, prevHash]));
}

// ---- appending ----------------------------------------------------------------------------------------

async function appendLink(trx: Knex.Transaction, kind: ChainKind, refId: string, payloadHash: string): Promise<void> {
  // The head row stays locked until the transaction ends: links are appended one after another, also
  // from several processes on PostgreSQL.
  const result = await trx.raw('UPDATE register_chain_head SET last_seq = last_seq + 1 WHERE id = 1 RETURNING last_seq, last_hash');
  const rows = (isPostgres(trx) ? result.rows : result) as Array<{ last_seq: number | string; last_hash: string }>;
  if (rows.length !== 1) throw new Error('register_chain_head is missing: the register chain cannot be extended');
  const seq = Number(rows[0].last_seq);
  const hash = linkHash(seq, kind, refId, payloadHash, rows[0].last_hash);
  await trx('register_chain').insert({ seq, kind, ref_id: refId, payload_hash: payloadHash, prev_hash: rows[0].last_hash, hash, created_at: formatIsoVietnam(new Date(), true) });
  await trx('register_chain_head').where({ id: 1 }).update({ last_hash: hash });
}

/** Chains a document just inserted (with its attachments), reading it back as the verifier will. */
export async function chainDocument(trx: Knex.Transaction, documentId: string): Promise<void> {
  const row = (await trx('documents').where({ id: documentId }).first(DOCUMENT_CHAIN_COLUMNS)) as Row | undefined;
  if (!row) throw new Error(`chainDocument: no document ${documentId}`);
  const attachments = (await trx('document_attachments').where({ document_id: documentId }).orderBy('position')) as Row[];
  await appendLink(trx, 'document', documentId, documentPayloadHash(row, attachments));
}

/** Chains a status history entry just inserted. */
export async function chainStatusChange(trx: Knex.Transaction, historyId: number): Promise<void> {
  const row = (await trx('document_status_history').where({ id: historyId }).first()) as Row | undefined;
  if (!row) throw new Error(`chainStatusChange: no history entry ${historyId}`);
  await appendLink(trx, 'status', String(historyId), statusPayloadHash(row));
}

// ---- verifying ----------------------------------------------------------------------------------------

export interface ChainBreak {
  /** The link where the chain breaks; null when the break is a row that has no link at all. */
  seq: number | null;
  kind: ChainKind | 'head';
  refId: string | null;
  /** What is wrong, in Vietnamese then English. */
  reason: string;
}

export type ChainCheck =
  | { intact: true; links: number; lastHash: string }
  | { intact: false; links: number; firstBreak: ChainBreak };

interface LinkRow {
  seq: number | string;
  kind: ChainKind;
  ref_id: string;
  payload_hash: string;
  prev_hash: string;
  hash: string;
}

const WHAT: Record<ChainKind, string> = { document: 'văn bản', status: 'thay đổi trạng thái' };

/** The current hash of each row the links of one batch cover; a missing row has none. */
async function currentPayloadHashes(db: Knex, links: LinkRow[]): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  const documentIds = links.filter((l) => l.kind === 'document').map((l) => l.ref_id);
  const historyIds = links.filter((l) => l.kind === 'status').map((l) => Number(l.ref_id)).filter(Number.isSafeInteger);
  if (documentIds.length) {
    const rows = (await db('documents').whereIn('id', documentIds).select(DOCUMENT_CHAIN_COLUMNS)) as Row[];
    const attachments = (await db('document_attachments').whereIn('document_id', documentIds).orderBy(['document_id', 'position'])) as Row[];
    for (const row of rows) hashes.set(`document:${row.id}`, documentPayloadHash(row, attachments.filter((a) => a.document_id === row.id)));
  }
  if (historyIds.length) {
    for (const row of (await db('document_status_history').whereIn('id', historyIds)) as Row[]) hashes.set(`status:${row.id}`, statusPayloadHash(row));
  }
  return hashes;
}

/** A document or status change that exists but was never chained: written behind the application's back. */
async function firstUnchainedRow(db: Knex): Promise<ChainBreak | null> {
  const document = (await db('documents')
    .whereNotExists(db('register_chain').select(db.raw('1')).where('kind', 'document').whereRaw('register_chain.ref_id = documents.id'))
    .orderBy('created_at').first('id')) as { id: string } | undefined;
  if (document) return { seq: null, kind: 'document', refId: document.id, reason: `văn bản ${document.id} không có trong chuỗi: được thêm ngoài ứng dụng / document not in the chain: inserted behind the application's back` };
  const status = (await db('document_status_history')
    .whereNotExists(db('register_chain').select(db.raw('1')).where('kind', 'status').whereRaw('register_chain.ref_id = CAST(document_status_history.id AS TEXT)'))
    .orderBy('id').first('id', 'document_id')) as { id: number; document_id: string } | undefined;
  if (status) return { seq: null, kind: 'status', refId: String(status.id), reason: `thay đổi trạng thái ${status.id} (văn bản ${status.document_id}) không có trong chuỗi: được thêm ngoài ứng dụng / status change not in the chain` };
  return null;
}

/** A document whose status column says something other than its last chained status change. */
async function firstStatusMismatch(db: Knex): Promise<ChainBreak | null> {
  const result = await db.raw(
    'SELECT d.id, d.status, h.status AS last_status FROM documents d JOIN document_status_history h ' +
      'ON h.id = (SELECT MAX(id) FROM document_status_history WHERE document_id = d.id) ' +
      'WHERE d.status <> h.status ORDER BY d.created_at LIMIT 1',
  );
  const rows = (isPostgres(db) ? result.rows : result) as Array<{ id: string; status: string; last_status: string }>;
  const row = rows[0];
  if (!row) return null;
  return { seq: null, kind: 'document', refId: row.id, reason: `văn bản ${row.id} có trạng thái "${row.status}" nhưng lịch sử ghi "${row.last_status}": trạng thái bị sửa ngoài ứng dụng / status column edited behind the application's back` };
}

/** Walks the whole chain from the first link; stops at the first break. */
export async function verifyChain(db: Knex): Promise<ChainCheck> {
  let prev = GENESIS_HASH;
  let expected = 1;
  const broken = (firstBreak: ChainBreak): ChainCheck => ({ intact: false, links: expected - 1, firstBreak });
  for (;;) {
    const links = (await db('register_chain').where('seq', '>=', expected).orderBy('seq').limit(BATCH)) as LinkRow[];
    if (links.length === 0) break;
    const current = await currentPayloadHashes(db, links);
    for (const link of links) {
      const seq = Number(link.seq);
      const at = { seq, kind: link.kind, refId: link.ref_id };
      const what = `${WHAT[link.kind] ?? link.kind} ${link.ref_id}`;
      if (seq !== expected) return broken({ ...at, seq: expected, reason: `thiếu mắt xích ${expected}${seq > expected + 1 ? `–${seq - 1}` : ''}: đã bị xóa / link missing (deleted)` });
      if (link.prev_hash !== prev) return broken({ ...at, reason: `mắt xích ${seq} (${what}) không nối với mắt xích trước / does not follow the previous link` });
      if (link.hash !== linkHash(seq, link.kind, link.ref_id, link.payload_hash, link.prev_hash)) return broken({ ...at, reason: `mắt xích ${seq} (${what}) bị sửa / link edited` });
      const now = current.get(`${link.kind}:${link.ref_id}`);
      if (now === undefined) return broken({ ...at, reason: `${what} của mắt xích ${seq} đã bị xóa khỏi cơ sở dữ liệu / row deleted` });
      if (now !== link.payload_hash) return broken({ ...at, reason: `${what} (mắt xích ${seq}) đã bị sửa sau khi ghi sổ / row changed after it was chained` });
      prev = link.hash;
      expected += 1;
    }
  }
  const links = expected - 1;
  const head = (await db('register_chain_head').where({ id: 1 }).first()) as { last_seq: number | string; last_hash: string } | undefined;
  if (!head || Number(head.last_seq) !== links || head.last_hash !== prev) {
    return broken({ seq: links + 1, kind: 'head', refId: null, reason: `chuỗi dừng ở mắt xích ${links} nhưng đầu chuỗi ghi ${head ? head.last_seq : '(không có)'}: mắt xích cuối đã bị xóa hoặc sửa / chain head does not match the last link` });
  }
  const unchained = (await firstUnchainedRow(db)) ?? (await firstStatusMismatch(db));
  if (unchained) return broken(unchained);
  return { intact: true, links, lastHash: prev };
}
