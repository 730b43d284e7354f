// Data access for the register book (sổ đăng ký văn bản đến, NĐ 30/2020): the numbered entries received in a
// period, in số đến order, read in chunks along the (year, so_den) index so that a year of entries is never
// held in memory at once; with each entry the status changes the book prints (forwards, refusal, recall).
import type { Knex } from 'knex';
import { toDate } from '../time';
import type { DocumentStatus, Finding, Urgency } from './repository';

/** Days of arrival (Vietnam time), yyyy-mm-dd, both inclusive. */
export interface BookPeriod {
  from: string;
  to: string;
}

/** A status change the book shows: where the document went, or why it left the normal course. */
export interface BookStatusNote {
  status: Extract<DocumentStatus, 'đã chuyển xử lý' | 'từ chối' | 'thu hồi'>;
  at: Date;
  note: string | null;
}

export interface BookEntry {
  id: string;
  year: number;
  soDen: number;
  receivedAt: Date;
  /** The sending unit's name from the directory, else the sender as the mail or the clerk gave it. */
  author: string | null;
  docNumber: string | null;
  /** yyyy-mm-dd as printed on the document. */
  issueDate: string | null;
  docType: string | null;
  trichYeu: string | null;
  subject: string | null;
  urgency: Urgency;
  status: DocumentStatus;
  referenceOnly: boolean;
  recalledAt: Date | null;
  warnings: Finding[];
  /** Forwards, refusals and recalls, oldest first. */
  statusNotes: BookStatusNote[];
}

export interface BookSummary {
  entries: number;
  /** Per year of the series: the first and last số đến of the period. */
  series: Array<{ year: number; first: number; last: number }>;
}

const NOTED_STATUSES: BookStatusNote['status'][] = ['đã chuyển xử lý', 'từ chối', 'thu hồi'];
export const BOOK_CHUNK_SIZE = 500;

interface BookRow {
  id: string; year: number | string; so_den: number | string; received_at: string | Date; unit_name: string | null;
  header_from: string | null; envelope_from: string | null; doc_number: string | null; issue_date: string | null; doc_type: string | null;
  trich_yeu: string | null; subject: string | null; urgency: string; status: string; reference_only: boolean | number;
  recalled_at: string | Date | null; warnings: string;
}

function inPeriod(builder: Knex.QueryBuilder, period: BookPeriod): Knex.QueryBuilder {
  return builder.whereNotNull('documents.so_den').where('documents.received_on', '>=', period.from).where('documents.received_on', '<=', period.to);
}

/** How many entries the period holds, and the số đến it spans in each yearly series. */
export async function summarizeRegisterBook(db: Knex, period: BookPeriod): Promise<BookSummary> {
  const rows = (await inPeriod(db('documents'), period)
    .select('year')
    .count({ n: '*' })
    .min({ first: 'so_den' })
    .max({ last: 'so_den' })
    .groupBy('year')
    .orderBy('year')) as Array<{ year: number | string; n: number | string; first: number | string; last: number | string }>;
  return {
    entries: rows.reduce((sum, r) => sum + Number(r.n), 0),
    series: rows.map((r) => ({ year: Number(r.year), first: Number(r.first), last: Number(r.last) })),
  };
}

async function statusNotesOf(db: Knex, ids: string[]): Promise<Map<string, BookStatusNote[]>> {
  const notes = new Map<string, BookStatusNote[]>(ids.map((id) => [id, []]));
  const rows = (await db('document_status_history')
    .select('document_id', 'status', 'at', 'note')
    .whereIn('document_id', ids)
    .whereIn('status', NOTED_STATUSES)
    .orderBy([{ column: 'document_id' }, { column: 'id' }])) as Array<{ document_id: string; status: string; at: string | Date; note: string | null }>;
  for (const row of rows) notes.get(row.document_id)?.push({ status: row.status as BookStatusNote['status'], at: toDate(row.at)!, note: row.note });
  return notes;
}

function toEntry(row: BookRow, statusNotes: BookStatusNote[]): BookEntry {
  return {
    id: row.id,
    year: Number(row.year),
    soDen: Number(row.so_den),
    receivedAt: toDate(row.received_at)!,
    author: row.unit_name ?? row.header_from ?? row.envelope_from,
    docNumber: row.doc_number,
    issueDate: row.issue_date,
    docType: row.doc_type,
    trichYeu: row.trich_yeu,
    subject: row.subject,
    urgency: row.urgency as Urgency,
    status: row.status as DocumentStatus,
    referenceOnly: Boolean(row.reference_only),
    recalledAt: toDate(row.recalled_at),
    warnings: JSON.parse(row.warnings) as Finding[],
    statusNotes,
  };
}

/**
 * The entries of the period in số đến order (year, then số đến), `chunkSize` at a time: each chunk is one
 * keyset query after the last entry of the one before, so the hundredth chunk costs what the first does.
 */
export async function* readRegisterBook(db: Knex, period: BookPeriod, chunkSize = BOOK_CHUNK_SIZE): AsyncGenerator<BookEntry[]> {
  let after: { year: number; soDen: number } | null = null;
  for (;;) {
    const query = inPeriod(db('documents').leftJoin('units', 'units.id', 'documents.unit_id'), period).select(
      'documents.id', 'documents.year', 'documents.so_den', 'documents.received_at', 'units.name as unit_name', 'documents.header_from',
      'documents.envelope_from', 'documents.doc_number', 'documents.issue_date', 'documents.doc_type', 'documents.trich_yeu',
      'documents.subject', 'documents.urgency', 'documents.status', 'documents.reference_only', 'documents.recalled_at', 'documents.warnings',
    );
    if (after) query.whereRaw('(documents.year, documents.so_den) > (?, ?)', [after.year, after.soDen]);
    const rows = (await query.orderBy([{ column: 'documents.year' }, { column: 'documents.so_den' }]).limit(chunkSize)) as BookRow[];
    if (rows.length === 0) return;
    const notes = await statusNotesOf(db, rows.map((r) => r.id));
    yield rows.map((row) => toEntry(row, notes.get(row.id) ?? []));
    if (rows.length < chunkSize) return;
    const last = rows[rows.length - 1];
    after = { year: Number(last.year), soDen: Number(last.so_den) };
  }
}
