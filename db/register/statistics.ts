// Statistics of the incoming register for a period (QĐ 3143 Điều 11): documents received per sending unit,
// type, urgency, signature verdict, refusal reason and status, and how long they took to be accepted and done.
// Three queries over the period's days of arrival (`received_on`, indexed), all grouped in the database: the
// counts per combination of unit, type, urgency, verdict and status (summed per dimension here), the refusal
// reasons unnested from their JSON, and the first acceptance / completion / refusal per document from the
// status history (one duration per document comes back, to take the median).
import type { Knex } from 'knex';
import { isPostgres } from '../connection';
import { toDate } from '../time';
import type { Verdict } from '../../mail-gateway/signature/verify-pdf';
import { DOCUMENT_STATUSES, DocumentStatus, URGENCIES, Urgency } from './repository';

/** Days of arrival (Vietnam time), yyyy-mm-dd, both inclusive. */
export interface StatisticsPeriod {
  from: string;
  to: string;
}

/** Documents of one group: all that arrived, and those that entered the register with a số đến. */
export interface GroupCount {
  total: number;
  numbered: number;
}

export interface UnitCount extends GroupCount {
  /** null: a sender outside the unit directory. */
  unitId: string | null;
  unitName: string | null;
}

export interface ReasonCount {
  /** A problem code of the verifier or the gateway (NO_PDF…), or CLERK_REFUSED for a clerk's refusal. */
  code: string;
  /** One of the messages recorded with the code, to name a code the caller does not know. */
  example: string | null;
  documents: number;
}

export interface DurationSummary {
  documents: number;
  averageMs: number | null;
  medianMs: number | null;
  maxMs: number | null;
}

export interface RegisterStatistics {
  period: StatisticsPeriod;
  totals: {
    received: number;
    numbered: number;
    /** Kept for reference only: refused on arrival, without số đến. */
    referenceOnly: number;
    /** Numbered, then refused by a clerk. */
    refusedByClerk: number;
  };
  byUnit: UnitCount[];
  byType: Array<GroupCount & { docType: string | null }>;
  /** Every level, Hỏa tốc first. */
  byUrgency: Array<GroupCount & { urgency: Urgency }>;
  /** null: no PDF was checked (manual registration, mail without PDF). */
  byVerdict: Array<GroupCount & { verdict: Verdict | null }>;
  /** Every status, in the order a document moves through them. */
  byStatus: Array<{ status: DocumentStatus; total: number }>;
  refusalReasons: ReasonCount[];
  /** From the processing start (the received time moved to the next office-hours start) to the first such status. */
  processing: { toAccepted: DurationSummary; toDone: DurationSummary };
}

export const CLERK_REFUSAL_CODE = 'CLERK_REFUSED';
const VERDICT_ORDER: Array<Verdict | null> = ['valid', 'invalid', 'unsigned', null];

type Row = Record<string, unknown>;

const num = (value: unknown) => Number(value ?? 0);

function inPeriod(builder: Knex.QueryBuilder, period: StatisticsPeriod, table = 'documents'): Knex.QueryBuilder {
  return builder.where(`${table}.received_on`, '>=', period.from).where(`${table}.received_on`, '<=', period.to);
}

interface CombinationCount extends GroupCount {
  unitId: string | null;
  docType: string | null;
  urgency: string;
  verdict: string | null;
  status: string;
}

/**
 * Documents per combination of unit, type, urgency, verdict and status: one pass over the period's rows
 * instead of one per dimension; the combinations (a few thousand at most) are summed up per dimension after.
 */
async function countCombinations(db: Knex, period: StatisticsPeriod): Promise<CombinationCount[]> {
  const columns = ['unit_id', 'doc_type', 'urgency', 'verdict', 'status'];
  const rows = (await inPeriod(db('documents'), period).select(columns).count({ total: '*' }).count({ numbered: 'so_den' }).groupBy(columns)) as Row[];
  return rows.map((r) => ({
    unitId: (r.unit_id as string | null) ?? null, docType: (r.doc_type as string | null) ?? null, urgency: String(r.urgency),
    verdict: (r.verdict as string | null) ?? null, status: String(r.status), total: num(r.total), numbered: num(r.numbered),
  }));
}

function sumBy<K>(rows: CombinationCount[], keyOf: (row: CombinationCount) => K): Map<K, GroupCount> {
  const sums = new Map<K, GroupCount>();
  for (const row of rows) {
    const sum = sums.get(keyOf(row)) ?? { total: 0, numbered: 0 };
    sum.total += row.total;
    sum.numbered += row.numbered;
    sums.set(keyOf(row), sum);
  }
  return sums;
}

async function unitNames(db: Knex, ids: string[]): Promise<Map<string, string>> {
  const rows = ids.length ? ((await db('units').select('id', 'name').whereIn('id', ids)) as Array<{ id: string; name: string }>) : [];
  return new Map(rows.map((r) => [r.id, r.name]));
}

const byName = (a: string | null, b: string | null) => (a ?? '\uffff').localeCompare(b ?? '\uffff', 'vi');

/** The reasons recorded with documents refused on arrival, per code, each document counted once per code. */
async function countArrivalReasons(db: Knex, period: StatisticsPeriod): Promise<ReasonCount[]> {
  // The JSON array of findings unnested by each database's own function.
  const elements = isPostgres(db)
    ? { from: 'CROSS JOIN LATERAL jsonb_array_elements(d.problems::jsonb) AS p(value)', code: "p.value->>'code'", message: "p.value->>'message'" }
    : { from: 'CROSS JOIN json_each(d.problems) AS p', code: "json_extract(p.value, '$.code')", message: "json_extract(p.value, '$.message')" };
  const result = await db.raw(
    `SELECT ${elements.code} AS code, MIN(${elements.message}) AS example, COUNT(DISTINCT d.id) AS documents ` +
      `FROM documents d ${elements.from} ` +
      `WHERE d.received_on >= ? AND d.received_on <= ? AND d.so_den IS NULL AND d.problems <> '[]' ` +
      `GROUP BY ${elements.code}`,
    [period.from, period.to],
  );
  const rows = (isPostgres(db) ? result.rows : result) as Row[];
  return rows.map((r) => ({ code: String(r.code ?? 'UNKNOWN'), example: (r.example as string | null) ?? null, documents: num(r.documents) }));
}

export function summarizeDurations(durations: number[]): DurationSummary {
  if (durations.length === 0) return { documents: 0, averageMs: null, medianMs: null, maxMs: null };
  const sorted = [...durations].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return {
    documents: sorted.length,
    averageMs: Math.round(sorted.reduce((sum, d) => sum + d, 0) / sorted.length),
    medianMs: Math.round(median),
    maxMs: sorted[sorted.length - 1],
  };
}

/**
 * One pass over the period's status history: per document, the first time it was accepted and the first time
 * it was done, measured from its processing start (a clerk acting before the office opened, on a document that
 * arrived overnight, counts 0), and the numbered documents a clerk refused afterwards.
 */
async function historyFigures(db: Knex, period: StatisticsPeriod): Promise<{ processing: RegisterStatistics['processing']; refusedByClerk: number }> {
  const rows = (await inPeriod(db('documents').join('document_status_history as h', 'h.document_id', 'documents.id'), period)
    .whereIn('h.status', ['đã tiếp nhận', 'hoàn thành', 'từ chối'])
    .select('documents.id', 'documents.received_at', 'documents.processing_from', 'documents.so_den', 'h.status')
    .min({ first_at: 'h.at' })
    .groupBy('documents.id', 'documents.received_at', 'documents.processing_from', 'documents.so_den', 'h.status')) as Row[];
  const toAccepted: number[] = [];
  const toDone: number[] = [];
  let refusedByClerk = 0;
  for (const row of rows) {
    if (row.status === 'từ chối') {
      if (row.so_den !== null) refusedByClerk += 1;
      continue;
    }
    const start = toDate((row.processing_from ?? row.received_at) as string | Date)!;
    const duration = Math.max(0, toDate(row.first_at as string | Date)!.getTime() - start.getTime());
    (row.status === 'hoàn thành' ? toDone : toAccepted).push(duration);
  }
  return { processing: { toAccepted: summarizeDurations(toAccepted), toDone: summarizeDurations(toDone) }, refusedByClerk };
}

export async function registerStatistics(db: Knex, period: StatisticsPeriod): Promise<RegisterStatistics> {
  const [combinations, arrivalReasons, { processing, refusedByClerk }] = await Promise.all([
    countCombinations(db, period),
    countArrivalReasons(db, period),
    historyFigures(db, period),
  ]);
  const units = sumBy(combinations, (c) => c.unitId);
  const names = await unitNames(db, [...units.keys()].filter((id): id is string => id !== null));
  const types = sumBy(combinations, (c) => c.docType);
  const urgencies = sumBy(combinations, (c) => c.urgency);
  const verdicts = sumBy(combinations, (c) => c.verdict);
  const statuses = sumBy(combinations, (c) => c.status);
  const none = { total: 0, numbered: 0 };
  const received = combinations.reduce((sum, c) => sum + c.total, 0);
  const numbered = combinations.reduce((sum, c) => sum + c.numbered, 0);
  const refusalReasons = [...arrivalReasons];
  if (refusedByClerk > 0) refusalReasons.push({ code: CLERK_REFUSAL_CODE, example: null, documents: refusedByClerk });
  refusalReasons.sort((a, b) => b.documents - a.documents || a.code.localeCompare(b.code));
  return {
    period,
    totals: { received, numbered, referenceOnly: received - numbered, refusedByClerk },
    byUnit: [...units]
      .map(([unitId, count]) => ({ unitId, unitName: unitId === null ? null : names.get(unitId) ?? null, ...count }))
      .sort((a, b) => b.total - a.total || byName(a.unitName, b.unitName)),
    byType: [...types].map(([docType, count]) => ({ docType, ...count })).sort((a, b) => b.total - a.total || byName(a.docType, b.docType)),
    byUrgency: [...URGENCIES].reverse().map((urgency) => ({ urgency, ...(urgencies.get(urgency) ?? none) })),
    byVerdict: VERDICT_ORDER.map((verdict) => ({ verdict, ...(verdicts.get(verdict) ?? none) })),
    byStatus: DOCUMENT_STATUSES.map((status) => ({ status, total: statuses.get(status)?.total ?? 0 })),
    refusalReasons,
    processing,
  };
}
