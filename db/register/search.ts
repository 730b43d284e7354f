// The clerk's view of the register: filters, search and keyset pages in the list's order (day of arrival,
// most urgent first, latest first). Every page is read along the index `documents_list_order_idx`, so the
// hundredth page costs what the first does, whatever the size of the register.
import type { Knex } from 'knex';
import type { Verdict } from '../../mail-gateway/signature/verify-pdf';
import { DocumentRow, DocumentStatus, DocumentSummary, SUMMARY_COLUMNS, toSummary, Urgency } from './repository';
import { foldForSearch } from './search-text';
import { formatIsoVietnam, toDate } from '../time';

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
  /** Documents matching the query, all pages together. */
  total: number;
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

function applyQuery(builder: Knex.QueryBuilder, query: RegisterQuery): Knex.QueryBuilder {
  if (query.receivedFrom) builder.where('received_on', '>=', query.receivedFrom);
  if (query.receivedTo) builder.where('received_on', '<=', query.receivedTo);
  if (query.status) builder.where('status', query.status);
  if (query.unitId) builder.where('unit_id', query.unitId);
  if (query.urgency) builder.where('urgency', query.urgency);
  if (query.verdict === 'none') builder.whereNull('verdict');
  else if (query.verdict) builder.where('verdict', query.verdict);
  if (query.docType) builder.where('doc_type', query.docType);
  for (const word of foldForSearch(query.text ?? '').split(' ').filter(Boolean).slice(0, MAX_WORDS)) {
    const escaped = word.replace(/[\\%_]/g, (c) => `\\${c}`);
    builder.whereRaw(`search_text LIKE ? ESCAPE '\\'`, [`%${escaped}%`]);
  }
  return builder;
}

/** One page of the register in the list's order, with the total and the cursors around it. */
export async function searchRegister(db: Knex, query: RegisterQuery, page: PageRequest): Promise<RegisterPage> {
  const limit = Math.min(Math.max(1, Math.trunc(page.limit)), 200);
  const backwards = page.before !== undefined;
  const cursorText = page.before ?? page.after;
  const builder = applyQuery(db('documents').select([...SUMMARY_COLUMNS, 'received_on', 'urgency_level']), query);
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
  const [{ n }] = await applyQuery(db('documents'), query).count({ n: '*' });
  const first = shown[0];
  const last = shown[shown.length - 1];
  return {
    items: shown.map(toSummary),
    total: Number(n),
    next: last && (backwards || more) ? encodeCursor(last) : null,
    previous: first && (backwards ? more : cursorText !== undefined) ? encodeCursor(first) : null,
  };
}

/** The document types present in the register, for the type filter. */
export async function documentTypesInRegister(db: Knex): Promise<string[]> {
  const rows = (await db('documents').distinct('doc_type').whereNotNull('doc_type').orderBy('doc_type')) as Array<{ doc_type: string }>;
  return rows.map((r) => r.doc_type);
}
