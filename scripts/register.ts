// `npm run -s register -- list [--json] [--year Y] [--status S]`, `register -- show <id> [--json]`,
// `register -- verify-chain [--json]`, `register -- edxml <id> [--out file]` and
// `register -- edxml-status <id> [--code NN]`: the incoming register (sổ văn bản đến) as the database has it,
// whether its hash chain still matches it, and a document in the exchange format (QCVN 102:2016 edXML).
import fs from 'node:fs';
import type { Knex } from 'knex';
import { openPreparedDatabase } from '../db/prepare';
import {
  DOCUMENT_STATUSES, DocumentRecord, DocumentStatus, DocumentSummary, AttachmentRecord, getDocument, listAttachments, listDocuments,
} from '../db/register/repository';
import { formatIsoVietnam } from '../db/time';
import { verifyChain } from '../db/register/chain';
import { commandConfig, runCommand, stringOption, UsageError } from './cli';
import { exportDocumentPackage, exportStatusMessage } from '../mail-gateway/edxml/export';
import { isStatusCode } from '../mail-gateway/edxml/status';
import { StoredFileError } from '../mail-gateway/edxml/stored-files';
import { parseStatsArgs, printStatistics, STATS_USAGE } from '../moihop-web/statistics/stats-command';

const USAGE = `usage: register list [--json] [--year YYYY] [--status "${DOCUMENT_STATUSES.join('|')}"] | register show <id> [--json] | register verify-chain [--json] | register edxml <id> [--out file] | register edxml-status <id> [--code NN]`;
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

/** `<id> [--name value]`: the id and the one option a subcommand takes, anything else a usage error. */
function idWithOption(rest: string[], option: string): { id: string; value: string | null } {
  const [id, ...flags] = rest;
  const value = stringOption(option, flags);
  const valid = flags.length === 0 || (flags.length === 2 && flags[0] === option && value !== null && !value.startsWith('--'));
  if (!id || id.startsWith('--') || !valid) throw new UsageError(USAGE);
  return { id: id.trim(), value };
}

function unknownDocument(id: string): number {
  process.stderr.write(`register: không có văn bản mã ${id} / no document with id ${id}\n`);
  return 2;
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
  if (command === 'edxml') {
    const { id, value: out } = idWithOption(rest, '--out');
    const db = await openPreparedDatabase(config);
    try {
      const exported = await exportDocumentPackage(db, config, id);
      if (!exported) return unknownDocument(id);
      if (out) fs.writeFileSync(out, exported.xml);
      else process.stdout.write(exported.xml);
    } catch (err) {
      if (!(err instanceof StoredFileError)) throw err;
      process.stderr.write(`register: ${err.message}\n`);
      return 1;
    } finally {
      await db.destroy();
    }
    return 0;
  }
  if (command === 'edxml-status') {
    const { id, value: code } = idWithOption(rest, '--code');
    if (code !== null && !isStatusCode(code)) throw new UsageError(`--code phải là một trong / must be one of: 01, 02, 03, 04, 05, 06, 13`);
    const db = await openPreparedDatabase(config);
    try {
      const lookup = await exportStatusMessage(db, config, id, code ?? undefined);
      if (lookup.found === 'no-document') return unknownDocument(id);
      if (lookup.found === 'no-entry') {
        process.stderr.write(`register: văn bản ${id} chưa từng có trạng thái mã ${code} / document ${id} never had status ${code}\n`);
        return 1;
      }
      process.stdout.write(lookup.message.xml);
    } finally {
      await db.destroy();
    }
    return 0;
  }
  if (command === 'stats') {
    const args = parseStatsArgs(rest);
    if ('error' in args) throw new UsageError(args.error);
    const db = await openPreparedDatabase(config);
    try {
      await printStatistics(db, args.period, args.json, (text) => process.stdout.write(text));
    } finally {
      await db.destroy();
    }
    return 0;
  }
  throw new UsageError(`${USAGE} | ${STATS_USAGE}`);
});
