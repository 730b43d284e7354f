// The clerk's view of the register: filters, search and keyset pages in the list's order (day of arrival,
// most urgent first, latest first). Every page is read along the index `documents_list_order_idx`, so the
// hundredth page costs what the first does, whatever the size of the register.
import type { Knex } from 'knex';
import type { Verdict } from '../../mail-gateway/signature/verify-pdf';
import { DocumentRow, DocumentStatus, DocumentSummary, SUMMARY_COLUMNS, toSummary, Urgency } from './repository';
import { foldForSearch } from './search-text';
import { formatIsoVietnam, toDate } from '../time';
import { isPostgres } from '../connection';

/** 'none': documents without a checked PDF (manual registrations, mails without a PDF). */
export type VerdictFilter = Verdict | 'none';
export const VERDICT_FILTERS: VerdictFilter[] = ['valid', 'invalid', 'unsigned', 'none'];

export interface RegisterQuery {
  /** yyyy-mm-dd (Vietnam), inclusive. */
  receivedFrom?: string;
  receivedTo?: string;
  status?: DocumentStatus;
  unitId?: string;
  urgency?: Urgency;
  verdict?: VerdictFilter;
  docType?: string;
  /** Words looked for, without regard to case or diacritics, in trích yếu, số/ký hiệu and subject. */
  text?: string;
}

export interface PageRequest {
  /** Opaque cursor: the page after this one … */
  after?: string;
  /** … or the page before. */
  before?: string;
  limit: number;
}

export interface RegisterPage {
  items: DocumentSummary[];
  /** Documents matching the query, all pages together (with totalIsLowerBound: at least this many). */
  total: number;
  /**
   * True when a search matches more than SEARCH_COUNT_LIMIT documents: counting them all would read every
   * document's text, so the count stops there and the page says "hơn 1.000".
   */
  totalIsLowerBound: boolean;
  /** Cursors for the neighbouring pages; null when there is none. */
  next: string | null;
  previous: string | null;
}

interface Cursor {
  receivedOn: string;
  urgencyLevel: number;
  receivedAt: string;
  id: string;
}

const MAX_WORDS = 10;
/** A search counts its matches up to this many. */
export const SEARCH_COUNT_LIMIT = 1000;
const ORDER_COLUMNS = ['received_on', 'urgency_level', 'received_at', 'id'];

export class CursorError extends Error {}

type ListRow = DocumentRow & { received_on: string; urgency_level: number | string };

function encodeCursor(row: ListRow): string {
  const cursor = [row.received_on, Number(row.urgency_level), formatIsoVietnam(toDate(row.received_at)!, true), row.id];
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(text: string): Cursor {
  try {
    const [receivedOn, urgencyLevel, receivedAt, id] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown[];
    if (typeof receivedOn === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(receivedOn) && Number.isInteger(urgencyLevel)
      && typeof receivedAt === 'string' && toDate(receivedAt) !== null && typeof id === 'string' && id.length <= 40) {
      return { receivedOn, urgencyLevel: urgencyLevel as number, receivedAt, id };
    }
  } catch {
    // falls through to the error
  }
  throw new CursorError('Liên kết trang không hợp lệ');
}

/** The search box's words, folded as search_text is. */
function searchWords(query: RegisterQuery): string[] {
  return foldForSearch(query.text ?? '').split(' ').filter(Boolean).slice(0, MAX_WORDS);
}

/**
 * SQLite's trigram index (`document_search`, migration 20261124000000, one row per document with its rowid)
 * narrows a search to the documents holding every trigram of its words of 3 characters or more: a superset of
 * the matches, read from the index alone in about a millisecond. `search_text LIKE` stays the check that
 * decides, so the results are those of the plain search.
 * - Few candidates (at most searchTuning.sparseCandidates): the page and its count read those documents only.
 * - Many: reading the list in its order and checking each entry's words finds a page within a few thousand
 *   entries; the count, without other filters, checks the words on the index's own copy of the text.
 * PostgreSQL's planner uses its trigram index (GIN, pg_trgm) for the LIKE on its own.
 */
const TRIGRAM = 3;
/** sparseCandidates: at most this many candidates are read one by one (a test lowers it to check the other way on a small register). */
export const searchTuning = { sparseCandidates: 2000 };

interface TrigramPlan {
  /** FTS5 query: every trigram of the indexed words, all required. */
  match: string;
  /** True when few documents hold them all. */
  sparse: boolean;
}

/** The FTS5 query for the words that have trigrams (no wildcard in them); null when none has. */
export function trigramQuery(words: string[]): string | null {
  const trigrams = new Set<string>();
  for (const word of words) {
    if (/[\\%_]/.test(word)) continue;
    const chars = [...word];
    for (let i = 0; i + TRIGRAM <= chars.length; i++) trigrams.add(chars.slice(i, i + TRIGRAM).join(''));
  }
  return trigrams.size ? [...trigrams].map((t) => `"${t.replace(/"/g, '""')}"`).join(' AND ') : null;
}

async function trigramPlan(db: Knex, query: RegisterQuery): Promise<TrigramPlan | null> {
  if (isPostgres(db)) return null;
  const match = trigramQuery(searchWords(query));
  if (!match) return null;
  const candidates = db('document_search').select(db.raw('1')).whereRaw('document_search MATCH ?', [match]).limit(searchTuning.sparseCandidates + 1).as('candidates');
  const [{ n }] = (await db.from(candidates).count({ n: '*' })) as Array<{ n: number | string }>;
  return { match, sparse: Number(n) <= searchTuning.sparseCandidates };
}

function hasFilters(query: RegisterQuery): boolean {
  return Boolean(query.receivedFrom || query.receivedTo || query.status || query.unitId || query.urgency || query.verdict || query.docType);
}

function likeWord(builder: Knex.QueryBuilder, column: string, word: string): void {
  const escaped = word.replace(/[\\%_]/g, (c) => `\\${c}`);
  builder.whereRaw(`${column} LIKE ? ESCAPE '\\'`, [`%${escaped}%`]);
}

function applyQuery(db: Knex, builder: Knex.QueryBuilder, query: RegisterQuery, plan: TrigramPlan | null = null): Knex.QueryBuilder {
  if (plan?.sparse) builder.whereIn('documents.rowid', db('document_search').select('rowid').whereRaw('document_search MATCH ?', [plan.match]));
  if (query.receivedFrom) builder.where('received_on', '>=', query.receivedFrom);
  if (query.receivedTo) builder.where('received_on', '<=', query.receivedTo);
  if (query.status) builder.where('status', query.status);
  if (query.unitId) builder.where('unit_id', query.unitId);
  if (query.urgency) builder.where('urgency', query.urgency);
  if (query.verdict === 'none') builder.whereNull('verdict');
  else if (query.verdict) builder.where('verdict', query.verdict);
  if (query.docType) builder.where('doc_type', query.docType);
  for (const word of searchWords(query)) likeWord(builder, 'search_text', word);
  return builder;
}

/**
 * How many documents match. The filters alone are counted exactly, from their index; a search counts at most
 * SEARCH_COUNT_LIMIT + 1 matches, as its words are checked document by document.
 */
async function countMatches(db: Knex, query: RegisterQuery, plan: TrigramPlan | null): Promise<{ total: number; totalIsLowerBound: boolean }> {
  const words = searchWords(query);
  if (!words.length) {
    const [{ n }] = await applyQuery(db, db('documents'), query).count({ n: '*' });
    return { total: Number(n), totalIsLowerBound: false };
  }
  let matches: Knex.QueryBuilder;
  if (plan && !plan.sparse && !hasFilters(query)) {
    // Many candidates, no other filter: the words checked on the index's copy of search_text (kept equal by
    // the triggers), which stops at the limit after about as many rows.
    matches = db('document_search').select(db.raw('1')).whereRaw('document_search MATCH ?', [plan.match]);
    for (const word of words) likeWord(matches, 'document_search.search_text', word);
  } else {
    matches = applyQuery(db, db('documents').select(db.raw('1')), query, plan);
  }
  matches = matches.limit(SEARCH_COUNT_LIMIT + 1).as('matches');
  const [{ n }] = (await db.from(matches).count({ n: '*' })) as Array<{ n: number | string }>;
  return Number(n) > SEARCH_COUNT_LIMIT ? { total: SEARCH_COUNT_LIMIT, totalIsLowerBound: true } : { total: Number(n), totalIsLowerBound: false };
}

/** One page of the register in the list's order, with the total and the cursors around it. */
export async function searchRegister(db: Knex, query: RegisterQuery, page: PageRequest): Promise<RegisterPage> {
  const limit = Math.min(Math.max(1, Math.trunc(page.limit)), 200);
  const backwards = page.before !== undefined;
  const cursorText = page.before ?? page.after;
  const plan = await trigramPlan(db, query);
  const builder = applyQuery(db, db('documents').select([...SUMMARY_COLUMNS, 'received_on', 'urgency_level']), query, plan);
  if (cursorText !== undefined) {
    const c = decodeCursor(cursorText);
    // A row-value comparison both databases answer from the ordered index.
    builder.whereRaw(`(received_on, urgency_level, received_at, id) ${backwards ? '>' : '<'} (?, ?, ?, ?)`, [c.receivedOn, c.urgencyLevel, c.receivedAt, c.id]);
  }
  const direction = backwards ? 'asc' : 'desc';
  const rows = (await builder.orderBy(ORDER_COLUMNS.map((column) => ({ column, order: direction }))).limit(limit + 1)) as ListRow[];
  const more = rows.length > limit;
  const shown = rows.slice(0, limit);
  if (backwards) shown.reverse();
  const { total, totalIsLowerBound } = cursorText === undefined && !more
    // The first page holds every match: nothing left to count.
    ? { total: shown.length, totalIsLowerBound: false }
    : await countMatches(db, query, plan);
  const first = shown[0];
  const last = shown[shown.length - 1];
  return {
    items: shown.map(toSummary),
    total,
    totalIsLowerBound,
    next: last && (backwards || more) ? encodeCursor(last) : null,
    previous: first && (backwards ? more : cursorText !== undefined) ? encodeCursor(first) : null,
  };
}

/** The document types present in the register, for the type filter. */
export async function documentTypesInRegister(db: Knex): Promise<string[]> {
  // A loose index scan: one seek per type along `documents_doc_type_idx` (a handful of types), where
  // `select distinct` reads every document's entry. Same values, same order.
  const rows = (await db.raw(`WITH RECURSIVE types(doc_type) AS (
      SELECT min(doc_type) FROM documents
      UNION ALL
      SELECT (SELECT min(d.doc_type) FROM documents d WHERE d.doc_type > types.doc_type) FROM types WHERE types.doc_type IS NOT NULL
    ) SELECT doc_type FROM types WHERE doc_type IS NOT NULL`)) as unknown;
  const list = (Array.isArray(rows) ? rows : (rows as { rows: unknown[] }).rows) as Array<{ doc_type: string }>;
  return list.map((r) => r.doc_type);
}
