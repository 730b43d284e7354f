// Data access for the reports kept for download (register_reports): claiming the generation of a period so
// that exactly one process makes it, storing the finished workbook, listing and reading the reports.
import type { Knex } from 'knex';
import { newUlid } from '../ids';
import { formatIsoVietnam, toDate } from '../time';

export type ReportKind = 'quarterly';

export interface ReportClaim {
  /** `2026-Q4`: one report per key, ever. */
  periodKey: string;
  kind: ReportKind;
  from: string;
  to: string;
  owner: string;
  at: Date;
  /** A claim older than this whose owner never finished (the process died) may be taken over. */
  leaseMs: number;
}

export interface ReportSummary {
  id: string;
  periodKey: string;
  kind: ReportKind;
  from: string;
  to: string;
  status: 'generating' | 'ready';
  generatedAt: Date | null;
  filename: string | null;
  size: number | null;
  documents: number | null;
}

export interface ReportFile {
  filename: string;
  content: Buffer;
}

const stamp = (date: Date) => formatIsoVietnam(date, true);

const SUMMARY_COLUMNS = ['id', 'period_key', 'kind', 'period_from', 'period_to', 'status', 'generated_at', 'filename', 'size', 'documents'];

interface ReportRow {
  id: string; period_key: string; kind: string; period_from: string; period_to: string; status: string;
  generated_at: string | Date | null; filename: string | null; size: number | string | null; documents: number | string | null;
}

function toSummary(row: ReportRow): ReportSummary {
  return {
    id: row.id,
    periodKey: row.period_key,
    kind: row.kind as ReportKind,
    from: row.period_from,
    to: row.period_to,
    status: row.status as ReportSummary['status'],
    generatedAt: toDate(row.generated_at),
    filename: row.filename,
    size: row.size === null ? null : Number(row.size),
    documents: row.documents === null ? null : Number(row.documents),
  };
}

/**
 * Claims the generation of `periodKey`: the id of the claim when this owner won it, null when the report exists
 * or another process is making it. The unique period key decides between processes; a claim left behind by a
 * process that died is taken over after its lease.
 */
export async function claimReport(db: Knex, claim: ReportClaim): Promise<string | null> {
  const id = newUlid(claim.at);
  await db('register_reports')
    .insert({
      id, period_key: claim.periodKey, kind: claim.kind, period_from: claim.from, period_to: claim.to,
      status: 'generating', claimed_by: claim.owner, claimed_at: stamp(claim.at),
    })
    .onConflict('period_key')
    .ignore();
  const row = (await db('register_reports').where({ period_key: claim.periodKey }).first('id', 'status', 'claimed_by')) as
    | { id: string; status: string; claimed_by: string } | undefined;
  if (!row) return null;
  if (row.id === id) return id;
  if (row.status !== 'generating') return null;
  const staleBefore = stamp(new Date(claim.at.getTime() - claim.leaseMs));
  const taken = await db('register_reports')
    .where({ id: row.id, status: 'generating', claimed_by: row.claimed_by })
    .where('claimed_at', '<', staleBefore)
    .update({ claimed_by: claim.owner, claimed_at: stamp(claim.at) });
  return taken === 1 ? row.id : null;
}

/** Stores the finished workbook; false when the claim was taken over meanwhile (the other owner finishes). */
export async function completeReport(
  db: Knex,
  done: { id: string; owner: string; at: Date; filename: string; content: Buffer; sha256: string; documents: number },
): Promise<boolean> {
  const updated = await db('register_reports')
    .where({ id: done.id, status: 'generating', claimed_by: done.owner })
    .update({
      status: 'ready', generated_at: stamp(done.at), filename: done.filename, content: done.content, size: done.content.length,
      sha256: done.sha256, documents: done.documents,
    });
  return updated === 1;
}

/** Gives a claim up after a failure, so that the next run tries again. */
export async function releaseReportClaim(db: Knex, claim: { id: string; owner: string }): Promise<void> {
  await db('register_reports').where({ id: claim.id, status: 'generating', claimed_by: claim.owner }).delete();
}

/** The finished reports, newest period first. */
export async function listReports(db: Knex, limit = 40): Promise<ReportSummary[]> {
  const rows = (await db('register_reports').select(SUMMARY_COLUMNS).where({ status: 'ready' }).orderBy('period_to', 'desc').limit(limit)) as ReportRow[];
  return rows.map(toSummary);
}

export async function findReportByPeriod(db: Knex, periodKey: string): Promise<ReportSummary | null> {
  const row = (await db('register_reports').where({ period_key: periodKey }).first(SUMMARY_COLUMNS)) as ReportRow | undefined;
  return row ? toSummary(row) : null;
}

export async function readReportFile(db: Knex, id: string): Promise<ReportFile | null> {
  const row = (await db('register_reports').where({ id, status: 'ready' }).first('filename', 'content')) as
    | { filename: string | null; content: Buffer | null } | undefined;
  if (!row?.content) return null;
  return { filename: row.filename ?? `bao-cao-${id}.xlsx`, content: Buffer.from(row.content) };
}
