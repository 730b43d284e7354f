// `npm run -s register -- list [--json] [--year Y] [--status S]`, `register -- show <id> [--json]` and
// `register -- verify-chain [--json]`: the incoming register (sổ văn bản đến) as the database has it, and
// whether its hash chain still matches it.
import type { Knex } from 'knex';
import { openPreparedDatabase } from '../db/prepare';
import {
  DOCUMENT_STATUSES, DocumentRecord, DocumentStatus, DocumentSummary, AttachmentRecord, getDocument, listAttachments, listDocuments,
} from '../db/register/repository';
import { formatIsoVietnam } from '../db/time';
import { verifyChain } from '../db/register/chain';
import { commandConfig, runCommand, UsageError } from './cli';

const USAGE = `usage: register list [--json] [--year YYYY] [--status "${DOCUMENT_STATUSES.join('|')}"] | register show <id> [--json] | register verify-chain [--json]`;
const PAGE = 1000;

interface ListArgs {
  json: boolean;
  year?: number;
  status?: DocumentStatus;
}

function parseListArgs(args: string[]): ListArgs {
  const parsed: ListArgs = { json: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--json') parsed.json = true;
    else if (arg === '--year') {
      const year = Number(args[++i]);
      if (!Number.isInteger(year) || year < 1900 || year > 9999) throw new UsageError(`--year cần một năm, ví dụ 2026 / --year takes a year, got "${args[i] ?? ''}"`);
      parsed.year = year;
    } else if (arg === '--status') {
      const status = (args[++i] ?? '').normalize('NFC');
      if (!DOCUMENT_STATUSES.includes(status as DocumentStatus)) throw new UsageError(`--status phải là một trong / must be one of: ${DOCUMENT_STATUSES.join(', ')}`);
      parsed.status = status as DocumentStatus;
    } else throw new UsageError(USAGE);
  }
  return parsed;
}

/** Every matching document, today's first and, within a day, Hỏa tốc → Thượng khẩn → Khẩn → Bình thường. */
async function allDocuments(db: Knex, filter: ListArgs): Promise<DocumentSummary[]> {
  const documents: DocumentSummary[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await listDocuments(db, { year: filter.year, status: filter.status, limit: PAGE, offset });
    documents.push(...page);
    if (page.length < PAGE) return documents;
  }
}

const iso = (date: Date | null) => (date ? formatIsoVietnam(date) : null);
const codes = (findings: Array<{ code: string }>) => findings.map((f) => f.code);
const attachmentJson = (a: AttachmentRecord) => ({ filename: a.filename, size: a.size, sha256: a.sha256 });

function listItem(doc: DocumentSummary, attachments: AttachmentRecord[]) {
  return {
    id: doc.id,
    soDen: doc.soDen,
    year: doc.year,
    receivedAt: iso(doc.receivedAt),
    from: doc.envelopeFrom ?? doc.headerFrom,
    subject: doc.subject,
    status: doc.status,
    verdict: doc.verdict,
    problems: codes(doc.problems),
    warnings: codes(doc.warnings),
    number: doc.docNumber,
    issueDate: doc.issueDate,
    urgency: doc.urgency,
    attachments: attachments.map(attachmentJson),
  };
}

function fullRecord(doc: DocumentRecord) {
  return {
    ...listItem(doc, doc.attachments),
    processingFrom: iso(doc.processingFrom),
    intake: doc.intake,
    envelopeFrom: doc.envelopeFrom,
    headerFrom: doc.headerFrom,
    messageId: doc.messageId,
    unitId: doc.unitId,
    type: doc.docType,
    trichYeu: doc.trichYeu,
    referenceOnly: doc.referenceOnly,
    recalledAt: iso(doc.recalledAt),
    rawMessage: { path: doc.rawPath, size: doc.rawSize, sha256: doc.contentSha256 },
    problems: doc.problems,
    warnings: doc.warnings,
    attachments: doc.attachments.map((a) => ({ ...attachmentJson(a), contentType: a.contentType, storedPath: a.storedPath, isMain: a.isMain, verdict: a.verdict })),
    verification: doc.verification,
    authResults: doc.authResults,
    history: doc.history.map((h) => ({ status: h.status, at: iso(h.at), actor: h.actor, note: h.note })),
    createdAt: iso(doc.createdAt),
  };
}

function printTable(documents: DocumentSummary[]): void {
  for (const doc of documents) {
    const number = doc.soDen === null ? '   —  ' : `${String(doc.soDen).padStart(4)}/${doc.year}`;
    const urgent = doc.urgency === 'Bình thường' ? '' : ` [${doc.urgency}]`;
    const why = doc.problems.length ? `  (${codes(doc.problems).join(', ')})` : '';
    console.log(`${number}  ${formatIsoVietnam(doc.receivedAt).slice(0, 16).replace('T', ' ')}  ${doc.status}${urgent}  ${doc.docNumber ?? '-'}  ${doc.subject ?? ''}  <${doc.envelopeFrom ?? doc.headerFrom ?? ''}>  ${doc.id}${why}`);
  }
  console.log(`— ${documents.length} văn bản / documents`);
}

function printRecord(doc: DocumentRecord): void {
  const record = fullRecord(doc);
  const lines = [
    `Mã / id: ${record.id}`,
    `Số đến: ${record.soDen === null ? '— (không vào sổ / not numbered)' : `${record.soDen}/${record.year}`}`,
    `Trạng thái / status: ${record.status}`,
    `Đến lúc / received: ${record.receivedAt}${record.processingFrom ? ` (tính từ / counts from ${record.processingFrom})` : ''}`,
    `Người gửi / from: ${record.from ?? ''}${record.unitId ? ` (đơn vị ${record.unitId})` : ''}`,
    `Tiêu đề / subject: ${record.subject ?? ''}`,
    `Số, ký hiệu: ${record.number ?? '-'}   Ngày ban hành: ${record.issueDate ?? '-'}   Loại: ${record.type ?? '-'}   Độ khẩn: ${record.urgency}`,
    `Trích yếu: ${record.trichYeu ?? '-'}`,
    `Kết quả kiểm tra chữ ký / verdict: ${record.verdict ?? '-'}`,
    ...doc.problems.map((p) => `  ✗ ${p.code}: ${p.message}`),
    ...doc.warnings.map((w) => `  ! ${w.code}: ${w.message}`),
    'Tệp đính kèm / attachments:',
    ...doc.attachments.map((a) => `  ${a.isMain ? '*' : ' '} ${a.filename} (${a.size} byte, sha256 ${a.sha256})${a.verdict ? ` — ${a.verdict}` : ''}`),
    'Lịch sử / history:',
    ...record.history.map((h) => `  ${h.at}  ${h.status}  (${h.actor})${h.note ? `  ${h.note}` : ''}`),
  ];
  console.log(lines.join('\n'));
}

runCommand('register', async () => {
  const [command, ...rest] = process.argv.slice(2);
  const config = commandConfig();
  if (command === 'list') {
    const args = parseListArgs(rest);
    const db = await openPreparedDatabase(config);
    try {
      const documents = await allDocuments(db, args);
      if (!args.json) return printTable(documents);
      const attachments = await listAttachments(db, documents.map((d) => d.id));
      process.stdout.write(JSON.stringify(documents.map((d) => listItem(d, attachments.get(d.id) ?? [])), null, 2) + '\n');
    } finally {
      await db.destroy();
    }
    return 0;
  }
  if (command === 'show') {
    const [id, ...flags] = rest;
    if (!id || id.startsWith('--') || flags.some((f) => f !== '--json')) throw new UsageError(USAGE);
    const db = await openPreparedDatabase(config);
    try {
      const doc = await getDocument(db, id.trim());
      if (!doc) {
        process.stderr.write(`register: không có văn bản mã ${id} / no document with id ${id}\n`);
        return 1;
      }
      if (flags.includes('--json')) process.stdout.write(JSON.stringify(fullRecord(doc), null, 2) + '\n');
      else printRecord(doc);
    } finally {
      await db.destroy();
    }
    return 0;
  }
  if (command === 'verify-chain') {
    if (rest.some((f) => f !== '--json')) throw new UsageError(USAGE);
    const db = await openPreparedDatabase(config);
    try {
      const check = await verifyChain(db);
      if (rest.includes('--json')) process.stdout.write(JSON.stringify(check, null, 2) + '\n');
      else if (check.intact) console.log(`chuỗi nguyên vẹn, ${check.links} mắt xích / chain intact, ${check.links} links (last hash ${check.lastHash})`);
      else {
        const at = check.firstBreak;
        process.stdout.write(`chuỗi bị phá vỡ / chain broken at link ${at.seq ?? '-'} (${at.kind}${at.refId ? ` ${at.refId}` : ''}): ${at.reason}\n`);
        process.stdout.write(`${check.links} mắt xích đầu còn nguyên / first ${check.links} links intact\n`);
      }
      return check.intact ? 0 : 1;
    } finally {
      await db.destroy();
    }
  }
  throw new UsageError(USAGE);
});
