// Data access for the incoming register (sổ đăng ký văn bản đến). Every query about documents goes through here.
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { isPostgres } from '../connection';
import { newUlid } from '../ids';
import { formatIsoVietnam, isoDateVietnam, toDate, vietnamParts } from '../time';
import type { VerificationReport, Verdict } from '../../mail-gateway/signature/verify-pdf';
import { chainDocument, chainStatusChange } from './chain';
import { searchTextOf, URGENCY_LEVELS } from './search-text';

/** Lowest to highest (NĐ 30/2020): Hỏa tốc and Thượng khẩn go first everywhere. */
export const URGENCIES = ['Bình thường', 'Khẩn', 'Thượng khẩn', 'Hỏa tốc'] as const;
export type Urgency = (typeof URGENCIES)[number];

/** The statuses of QĐ 3143 Điều 10, in the order a document normally moves through them. */
export const DOCUMENT_STATUSES = ['đã đến', 'đã tiếp nhận', 'đã chuyển xử lý', 'đang xử lý', 'hoàn thành', 'từ chối', 'thu hồi'] as const;
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];

/** How the document reached the register: the SMTP gateway, IMAP pick-up, or a clerk typing in a paper one. */
export const INTAKES = ['smtp', 'imap', 'manual'] as const;
export type Intake = (typeof INTAKES)[number];

/** A reason for refusal or a warning, as a stable code and the Vietnamese text a person reads. */
export interface Finding {
  code: string;
  message: string;
  signature?: number | null;
}

export interface AttachmentInput {
  filename: string;
  contentType: string | null;
  size: number;
  sha256: string;
  /** Relative to DATA_DIR; null when the file is kept only inside the stored .eml. */
  storedPath: string | null;
  isMain: boolean;
  /** Signature verdict of a PDF that was checked; null for anything else. */
  verdict: Verdict | null;
}

/** What the register knows of a document, as given at registration and read back later. */
export interface DocumentFields {
  intake: Intake;
  receivedAt: Date;
  /** When processing counts from, for a document received outside office hours; null inside them. */
  processingFrom: Date | null;
  envelopeFrom: string | null;
  headerFrom: string | null;
  messageId: string | null;
  contentSha256: string | null;
  /** The stored .eml, relative to DATA_DIR. */
  rawPath: string | null;
  rawSize: number | null;
  unitId: string | null;
  subject: string | null;
  urgency: Urgency;
  docNumber: string | null;
  /** yyyy-mm-dd as printed on the document. */
  issueDate: string | null;
  docType: string | null;
  trichYeu: string | null;
  /** Verdict of the main PDF; null when there is none. */
  verdict: Verdict | null;
  /** The reasons for a refusal (required when not numbered). */
  problems: Finding[];
  warnings: Finding[];
}

export interface RegisterInput extends DocumentFields {
  /** True: the document enters the register and takes the next số đến. False: kept for reference, refused. */
  numbered: boolean;
  verification: VerificationReport | null;
  authResults: unknown;
  attachments: AttachmentInput[];
  /** Who registers: 'gateway' for mail, a user name for a clerk. */
  actor: string;
  /** The moment of registration (default now). */
  registeredAt?: Date;
  /**
   * Work that must commit or roll back with the registration itself (the notice to the sender): run inside
   * the transaction, after the rows are written; not run for a duplicate delivery.
   */
  withRegistration?: (trx: Knex.Transaction, registered: { id: string; soDen: number | null; year: number }) => Promise<void>;
}

export interface RegisterResult {
  id: string;
  soDen: number | null;
  year: number;
  /** True when this delivery was already registered: the result is the first registration's. */
  duplicate: boolean;
}

export interface AttachmentRecord extends AttachmentInput {
  position: number;
}

export interface StatusChange {
  status: DocumentStatus;
  at: Date;
  actor: string;
  note: string | null;
}

export interface DocumentSummary extends DocumentFields {
  id: string;
  year: number;
  soDen: number | null;
  status: DocumentStatus;
  referenceOnly: boolean;
  recalledAt: Date | null;
  createdAt: Date;
}

export interface DocumentRecord extends DocumentSummary {
  verification: VerificationReport | null;
  authResults: unknown;
  attachments: AttachmentRecord[];
  history: StatusChange[];
}

export type RegisterErrorCode = 'INVALID_INPUT' | 'NOT_FOUND' | 'RECALLED' | 'WRONG_STATUS';

export class RegisterError extends Error {
  constructor(readonly code: RegisterErrorCode, message: string) {
    super(message);
  }
}

export interface DocumentRow {
  id: string;
  year: number;
  so_den: number | null;
  received_at: string | Date;
  processing_from: string | Date | null;
  intake: string;
  envelope_from: string | null;
  header_from: string | null;
  message_id: string | null;
  content_sha256: string | null;
  raw_path: string | null;
  raw_size: number | null;
  unit_id: string | null;
  subject: string | null;
  urgency: string;
  doc_number: string | null;
  issue_date: string | null;
  doc_type: string | null;
  trich_yeu: string | null;
  verdict: string | null;
  problems: string;
  warnings: string;
  status: string;
  reference_only: boolean | number;
  recalled_at: string | Date | null;
  created_at: string | Date;
  verification?: string | null;
  auth_results?: string | null;
}

export const SUMMARY_COLUMNS = [
  'id', 'year', 'so_den', 'received_at', 'processing_from', 'intake', 'envelope_from', 'header_from', 'message_id',
  'content_sha256', 'raw_path', 'raw_size', 'unit_id', 'subject', 'urgency', 'doc_number', 'issue_date', 'doc_type',
  'trich_yeu', 'verdict', 'problems', 'warnings', 'status', 'reference_only', 'recalled_at', 'created_at',
];

const ACTOR_MAX = 120;
const DOC_NUMBER_KEY_MAX = 200;

// ---- identifiers and keys -------------------------------------------------------------------------------

// A document's id is a ULID: independent of the số đến, which a refused document does not have.
const newDocumentId = newUlid;

const normalizeAddress = (address: string | null) => (address === null ? null : address.trim().toLowerCase());

/** Compares số/ký hiệu as printed: "123 / qđ-ubnd" and "123/QĐ-UBND" are the same number. */
export function docNumberKey(docNumber: string | null): string | null {
  if (docNumber === null) return null;
  const key = docNumber.normalize('NFC').replace(/\s+/g, '').toLocaleUpperCase('vi').slice(0, DOC_NUMBER_KEY_MAX);
  return key === '' ? null : key;
}

function deliveryKey(envelopeFrom: string | null, messageId: string | null, contentSha256: string | null): string | null {
  if (messageId === null || messageId.trim() === '') return null;
  const parts = [normalizeAddress(envelopeFrom) ?? '', messageId.trim(), (contentSha256 ?? '').toLowerCase()];
  return crypto.createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

// ---- reading rows -----------------------------------------------------------------------------------------

// SQLite keeps timestamps as ISO text with +07:00, always with milliseconds so that they sort as text too.
const stamp = (date: Date) => formatIsoVietnam(date, true);

function parseJson<T>(text: string | null | undefined, fallback: T): T {
  return text === null || text === undefined ? fallback : (JSON.parse(text) as T);
}

export function toSummary(row: DocumentRow): DocumentSummary {
  return {
    id: row.id,
    year: Number(row.year),
    soDen: row.so_den === null ? null : Number(row.so_den),
    receivedAt: toDate(row.received_at)!,
    processingFrom: toDate(row.processing_from),
    intake: row.intake as Intake,
    envelopeFrom: row.envelope_from,
    headerFrom: row.header_from,
    messageId: row.message_id,
    contentSha256: row.content_sha256,
    rawPath: row.raw_path,
    rawSize: row.raw_size === null ? null : Number(row.raw_size),
    unitId: row.unit_id,
    subject: row.subject,
    urgency: row.urgency as Urgency,
    docNumber: row.doc_number,
    issueDate: row.issue_date,
    docType: row.doc_type,
    trichYeu: row.trich_yeu,
    verdict: row.verdict as Verdict | null,
    problems: parseJson<Finding[]>(row.problems, []),
    warnings: parseJson<Finding[]>(row.warnings, []),
    status: row.status as DocumentStatus,
    referenceOnly: Boolean(row.reference_only),
    recalledAt: toDate(row.recalled_at),
    createdAt: toDate(row.created_at)!,
  };
}

// ---- registering ------------------------------------------------------------------------------------------

function checkInput(input: RegisterInput): void {
  const fail = (why: string) => {
    throw new RegisterError('INVALID_INPUT', `Dữ liệu đăng ký không hợp lệ: ${why}`);
  };
  if (!INTAKES.includes(input.intake)) fail(`nguồn tiếp nhận "${input.intake}"`);
  if (!URGENCIES.includes(input.urgency)) fail(`mức độ khẩn "${input.urgency}"`);
  if (Number.isNaN(input.receivedAt.getTime())) fail('thời điểm đến');
  if (!input.numbered && input.problems.length === 0) fail('văn bản bị từ chối phải có lý do');
  if (!input.actor || input.actor.length > ACTOR_MAX) fail('người thực hiện');
}

/** Takes the next số đến of `year`; the counter row stays locked until the transaction ends. */
async function allocateSoDen(trx: Knex.Transaction, year: number): Promise<number> {
  const result = await trx.raw(
    'INSERT INTO register_counters (year, last_so_den) VALUES (?, 1) ' +
      'ON CONFLICT (year) DO UPDATE SET last_so_den = register_counters.last_so_den + 1 RETURNING last_so_den',
    [year],
  );
  const rows = (isPostgres(trx) ? result.rows : result) as Array<{ last_so_den: number | string }>;
  return Number(rows[0].last_so_den);
}

function refusalNote(problems: Finding[]): string {
  return problems.map((p) => p.message).join('; ');
}

function isDeliveryKeyConflict(err: unknown): boolean {
  const e = err as { code?: string; constraint?: string; message?: string };
  if (e.code === '23505') return (e.constraint ?? '').includes('delivery_key');
  return e.code === 'SQLITE_CONSTRAINT' && /UNIQUE constraint failed: documents\.delivery_key/.test(e.message ?? '');
}

/**
 * Registers one arrived message in a single transaction: the số đến (when numbered), the document, its
 * attachments and its first statuses ('đã đến', then 'từ chối' with the reasons for a refusal). A failure
 * anywhere leaves nothing behind and uses no số đến. The same delivery registered twice (same sender,
 * Message-ID and content) answers with the first registration.
 */
export async function registerDocument(db: Knex, input: RegisterInput): Promise<RegisterResult> {
  checkInput(input);
  const now = input.registeredAt ?? new Date();
  const year = vietnamParts(input.receivedAt).year;
  const id = newDocumentId(now);
  const key = deliveryKey(input.envelopeFrom, input.messageId, input.contentSha256);
  try {
    return await db.transaction(async (trx) => {
      // The counter update comes first: on SQLite it takes the write lock before anything is read.
      const soDen = input.numbered ? await allocateSoDen(trx, year) : null;
      await trx('documents').insert({
        id,
        year,
        so_den: soDen,
        received_at: stamp(input.receivedAt),
        received_on: isoDateVietnam(input.receivedAt),
        processing_from: input.processingFrom ? stamp(input.processingFrom) : null,
        intake: input.intake,
        envelope_from: normalizeAddress(input.envelopeFrom),
        header_from: input.headerFrom,
        message_id: input.messageId,
        content_sha256: input.contentSha256,
        delivery_key: key,
        raw_path: input.rawPath,
        raw_size: input.rawSize,
        unit_id: input.unitId,
        subject: input.subject,
        urgency: input.urgency,
        urgency_level: URGENCY_LEVELS[input.urgency],
        search_text: searchTextOf(input),
        doc_number: input.docNumber,
        doc_number_key: docNumberKey(input.docNumber),
        issue_date: input.issueDate,
        doc_type: input.docType,
        trich_yeu: input.trichYeu,
        verdict: input.verdict,
        problems: JSON.stringify(input.problems),
        warnings: JSON.stringify(input.warnings),
        verification: input.verification === null ? null : JSON.stringify(input.verification),
        auth_results: input.authResults === null || input.authResults === undefined ? null : JSON.stringify(input.authResults),
        status: input.numbered ? 'đã đến' : 'từ chối',
        reference_only: !input.numbered,
        recalled_at: null,
        created_at: stamp(now),
      });
      if (input.attachments.length > 0) {
        await trx('document_attachments').insert(input.attachments.map((a, position) => ({
          document_id: id,
          position,
          filename: a.filename,
          content_type: a.contentType,
          size: a.size,
          sha256: a.sha256,
          stored_path: a.storedPath,
          is_main: a.isMain,
          verdict: a.verdict,
        })));
      }
      await chainDocument(trx, id);
      const history = [{ document_id: id, status: 'đã đến', at: stamp(input.receivedAt), actor: input.actor, note: null as string | null }];
      if (!input.numbered) history.push({ document_id: id, status: 'từ chối', at: stamp(now), actor: input.actor, note: refusalNote(input.problems) });
      for (const entry of history) await insertHistory(trx, entry);
      await input.withRegistration?.(trx, { id, soDen, year });
      return { id, soDen, year, duplicate: false };
    });
  } catch (err) {
    // Two sessions delivering the same message at once: the loser rolled back and answers with the winner.
    if (key !== null && isDeliveryKeyConflict(err)) {
      const first = await findDuplicateDelivery(db, input);
      if (first) return { id: first.id, soDen: first.soDen, year: first.year, duplicate: true };
    }
    throw err;
  }
}

// ---- looking up -------------------------------------------------------------------------------------------

/**
 * The first registration of the same delivery (same envelope sender, Message-ID and content hash), whatever
 * its outcome; null for a message without a Message-ID, which is never treated as a duplicate.
 */
export async function findDuplicateDelivery(
  db: Knex,
  delivery: { envelopeFrom: string | null; messageId: string | null; contentSha256: string | null },
): Promise<DocumentSummary | null> {
  const key = deliveryKey(delivery.envelopeFrom, delivery.messageId, delivery.contentSha256);
  if (key === null) return null;
  const row = (await db('documents').where({ delivery_key: key }).first(SUMMARY_COLUMNS)) as DocumentRow | undefined;
  return row ? toSummary(row) : null;
}

/**
 * The first document that came in by `intake` with exactly these bytes from this sender and without a
 * Message-ID: how a mailbox intake recognises a message it fetches again after a crash, where the
 * Message-ID rule above cannot.
 */
export async function findDeliveryByContent(
  db: Knex,
  delivery: { intake: Intake; envelopeFrom: string | null; contentSha256: string },
): Promise<DocumentSummary | null> {
  const row = (await db('documents')
    .where({ content_sha256: delivery.contentSha256.toLowerCase(), intake: delivery.intake })
    .whereNull('message_id')
    .where((q) => (delivery.envelopeFrom === null ? q.whereNull('envelope_from') : q.where('envelope_from', normalizeAddress(delivery.envelopeFrom))))
    .orderBy('created_at')
    .first(SUMMARY_COLUMNS)) as DocumentRow | undefined;
  return row ? toSummary(row) : null;
}

/**
 * Numbered documents with this số/ký hiệu from the same sender (the unit when known, else the envelope
 * sender), oldest first: for the duplicate warning and to find the document a recall means.
 */
export async function findRegisteredByNumber(
  db: Knex,
  query: { unitId?: string | null; sender?: string | null; docNumber: string },
): Promise<DocumentSummary[]> {
  const key = docNumberKey(query.docNumber);
  if (key === null) return [];
  const builder = db('documents').select(SUMMARY_COLUMNS).where({ doc_number_key: key }).whereNotNull('so_den');
  if (query.unitId) builder.where({ unit_id: query.unitId });
  else if (query.sender) builder.where({ envelope_from: normalizeAddress(query.sender) });
  else return [];
  const rows = (await builder.orderBy([{ column: 'year' }, { column: 'so_den' }])) as DocumentRow[];
  return rows.map(toSummary);
}

interface AttachmentRow {
  document_id: string; position: number; filename: string; content_type: string | null; size: number | string; sha256: string;
  stored_path: string | null; is_main: boolean | number; verdict: string | null;
}

function toAttachment(a: AttachmentRow): AttachmentRecord {
  return {
    position: Number(a.position),
    filename: a.filename,
    contentType: a.content_type,
    size: Number(a.size),
    sha256: a.sha256,
    storedPath: a.stored_path,
    isMain: Boolean(a.is_main),
    verdict: a.verdict as Verdict | null,
  };
}

/** The attachments of several documents at once, by document id, in their order in the mail. */
export async function listAttachments(db: Knex, documentIds: string[]): Promise<Map<string, AttachmentRecord[]>> {
  const byDocument = new Map<string, AttachmentRecord[]>(documentIds.map((id) => [id, []]));
  // Chunks keep each query under the bound-parameter limits of SQLite and PostgreSQL.
  for (let i = 0; i < documentIds.length; i += 500) {
    const rows = (await db('document_attachments').whereIn('document_id', documentIds.slice(i, i + 500)).orderBy(['document_id', 'position'])) as AttachmentRow[];
    for (const row of rows) byDocument.get(row.document_id)?.push(toAttachment(row));
  }
  return byDocument;
}

export async function getDocument(db: Knex, id: string): Promise<DocumentRecord | null> {
  const row = (await db('documents').where({ id }).first([...SUMMARY_COLUMNS, 'verification', 'auth_results'])) as DocumentRow | undefined;
  if (!row) return null;
  const attachments = (await listAttachments(db, [id])).get(id) ?? [];
  const history = (await db('document_status_history').where({ document_id: id }).orderBy('id')) as Array<{
    status: string; at: string | Date; actor: string; note: string | null;
  }>;
  return {
    ...toSummary(row),
    verification: parseJson<VerificationReport | null>(row.verification, null),
    authResults: parseJson<unknown>(row.auth_results, null),
    attachments,
    history: history.map((h) => ({ status: h.status as DocumentStatus, at: toDate(h.at)!, actor: h.actor, note: h.note })),
  };
}

export interface ListFilter {
  year?: number;
  status?: DocumentStatus;
  limit?: number;
  offset?: number;
  /** 'newest' (default): today's documents first, as a clerk works; 'oldest': as the register book prints. */
  order?: 'newest' | 'oldest';
}

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

function filtered(db: Knex, filter: ListFilter): Knex.QueryBuilder {
  const query = db('documents');
  if (filter.year !== undefined) query.where({ year: filter.year });
  if (filter.status !== undefined) query.where({ status: filter.status });
  return query;
}

/**
 * Documents by day of arrival (Vietnam time), then urgency (Hỏa tốc first), then số đến; within one
 * urgency, refused documents (no số đến) come after the numbered ones.
 */
export async function listDocuments(db: Knex, filter: ListFilter = {}): Promise<DocumentSummary[]> {
  const limit = Math.min(Math.max(1, Math.trunc(filter.limit ?? DEFAULT_LIMIT)), MAX_LIMIT);
  const offset = Math.max(0, Math.trunc(filter.offset ?? 0));
  const direction = filter.order === 'oldest' ? 'asc' : 'desc';
  const rows = (await filtered(db, filter)
    .select(SUMMARY_COLUMNS)
    .orderBy('received_on', direction)
    .orderByRaw('CASE urgency WHEN ? THEN 0 WHEN ? THEN 1 WHEN ? THEN 2 ELSE 3 END', ['Hỏa tốc', 'Thượng khẩn', 'Khẩn'])
    .orderByRaw('(so_den IS NULL)')
    .orderBy([{ column: 'so_den' }, { column: 'received_at' }, { column: 'id' }])
    .limit(limit)
    .offset(offset)) as DocumentRow[];
  return rows.map(toSummary);
}

export async function countDocuments(db: Knex, filter: Pick<ListFilter, 'year' | 'status'> = {}): Promise<number> {
  const [{ n }] = await filtered(db, filter).count({ n: '*' });
  return Number(n);
}

// ---- status changes ---------------------------------------------------------------------------------------

/** Writes one status history entry and chains it. */
async function insertHistory(trx: Knex.Transaction, entry: { document_id: string; status: string; at: string; actor: string; note: string | null }): Promise<void> {
  const [inserted] = (await trx('document_status_history').insert(entry).returning('id')) as Array<{ id: number | string } | number>;
  await chainStatusChange(trx, Number(typeof inserted === 'object' ? inserted.id : inserted));
}

function checkActor(actor: string): void {
  if (!actor || actor.length > ACTOR_MAX) throw new RegisterError('INVALID_INPUT', 'Thiếu hoặc sai người thực hiện');
}

async function requireDocument(trx: Knex.Transaction, documentId: string): Promise<{ status: DocumentStatus }> {
  const row = (await trx('documents').where({ id: documentId }).first('status')) as { status: DocumentStatus } | undefined;
  if (!row) throw new RegisterError('NOT_FOUND', `Không có văn bản mã ${documentId}`);
  return row;
}

/**
 * Moves a document to a new status and records it in the history. 'đã đến' is only the first status and
 * 'thu hồi' goes through recordRecall; a recalled document takes no further status. With `from`, the change
 * happens only from one of those statuses (else WRONG_STATUS), checked under the same lock as the write;
 * `withChange` runs inside the transaction after the history entry (the notice to the sender).
 */
export async function addStatus(
  db: Knex,
  change: {
    documentId: string; status: DocumentStatus; actor: string; note?: string | null; at?: Date;
    from?: readonly DocumentStatus[];
    withChange?: (trx: Knex.Transaction) => Promise<void>;
  },
): Promise<void> {
  if (!DOCUMENT_STATUSES.includes(change.status) || change.status === 'đã đến' || change.status === 'thu hồi') {
    throw new RegisterError('INVALID_INPUT', `Không thể chuyển sang trạng thái "${change.status}" theo cách này`);
  }
  checkActor(change.actor);
  await db.transaction(async (trx) => {
    // Write first: on SQLite the transaction then holds the write lock before it reads.
    const update = trx('documents').where({ id: change.documentId }).whereNot({ status: 'thu hồi' });
    if (change.from) update.whereIn('status', [...change.from]);
    const updated = await update.update({ status: change.status });
    if (updated === 0) {
      const { status } = await requireDocument(trx, change.documentId);
      if (status === 'thu hồi') throw new RegisterError('RECALLED', `Văn bản mã ${change.documentId} đã bị thu hồi`);
      throw new RegisterError('WRONG_STATUS', `Văn bản mã ${change.documentId} đang ở trạng thái "${status}": không chuyển sang "${change.status}" được`);
    }
    await insertHistory(trx, {
      document_id: change.documentId, status: change.status, at: stamp(change.at ?? new Date()), actor: change.actor, note: change.note ?? null,
    });
    await change.withChange?.(trx);
  });
}

/**
 * Records that the sender recalled a document: status 'thu hồi', the time, and a history entry; the
 * document, its attachments and its earlier history stay. Returns false when it was already recalled.
 */
export async function recordRecall(
  db: Knex,
  recall: { documentId: string; actor: string; note: string | null; at: Date },
): Promise<{ recalled: boolean }> {
  checkActor(recall.actor);
  return db.transaction(async (trx) => {
    const updated = await trx('documents')
      .where({ id: recall.documentId })
      .whereNot({ status: 'thu hồi' })
      .update({ status: 'thu hồi', recalled_at: stamp(recall.at) });
    if (updated === 0) {
      await requireDocument(trx, recall.documentId);
      return { recalled: false };
    }
    await insertHistory(trx, {
      document_id: recall.documentId, status: 'thu hồi', at: stamp(recall.at), actor: recall.actor, note: recall.note,
    });
    return { recalled: true };
  });
}
