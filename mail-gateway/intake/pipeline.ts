// The intake pipeline, shared by every way mail arrives (SMTP now, IMAP later): a stored message in,
// a registration or a refusal out — parse, check the sender, verify the PDFs, decide, register, answer.
import fs from 'node:fs';
import { simpleParser, ParsedMail } from 'mailparser';
import type { Knex } from 'knex';
import type { Config } from '../../config';
import type { SpooledMessage } from '../spool/spool';
import { storeAttachments, isPdf, StoredAttachment } from './attachments';
import { checkSenderAuth, DnsResolver, SenderAuth } from '../sender-checks/mail-auth';
import { cachedTrustStore, emptyTrustStore, verifyPdf, VerificationReport } from '../signature';
import { findUnitByEmail, Unit } from '../../db/units/repository';
import { Finding, findDuplicateDelivery, findRegisteredByNumber, Intake, registerDocument } from '../../db/register/repository';
import { findRecallTarget, handleRecall } from './recall';
import { detectUrgency, mostUrgent } from '../register/urgency';
import { processingStartsAt } from '../register/office-hours';
import { queueRefusedNotice, queueRegisteredNotice, shouldNotNotify } from '../notices/notices';
import { createLogger } from '../../log';

const log = createLogger('intake');

/** More PDFs than this in one mail are kept but not verified (each verification is bounded, their sum too). */
const MAX_VERIFIED_PDFS = 20;

export interface Envelope {
  mailFrom: string | null;
  rcptTo: string[];
  clientIp: string;
  helo: string;
  intake: Intake;
  receivedAt: Date;
}

export interface IntakeContext {
  db: Knex;
  config: Config;
  resolver: DnsResolver;
}

export interface IntakeOutcome {
  kind: 'registered' | 'refused' | 'duplicate';
  id: string;
  soDen: number | null;
  year: number;
  reasons: Finding[];
}

function trustStore(config: Config) {
  try {
    return cachedTrustStore(config.trustDir);
  } catch {
    log.warn('TRUST_DIR_UNREADABLE', 'trust folder cannot be read: every signature will be untrusted', { dir: config.trustDir });
    return emptyTrustStore(config.trustDir);
  }
}

async function senderUnit(db: Knex, envelopeFrom: string | null, headerFrom: string | null): Promise<Unit | null> {
  for (const address of [envelopeFrom, headerFrom]) {
    if (!address) continue;
    const unit = await findUnitByEmail(db, address);
    if (unit) return unit;
  }
  return null;
}

interface PdfCheck {
  attachment: StoredAttachment;
  report: VerificationReport | null;
}

function verifyAttachments(attachments: StoredAttachment[], config: Config, at: Date): PdfCheck[] {
  const trust = trustStore(config);
  return attachments.filter(isPdf).map((attachment, index) => ({
    attachment,
    report: index < MAX_VERIFIED_PDFS ? verifyPdf(attachment.content, { trust, at, file: attachment.filename }) : null,
  }));
}

function refusalReasons(pdfs: PdfCheck[], main: PdfCheck | undefined): Finding[] {
  if (!pdfs.length) return [{ code: 'NO_PDF', message: 'Thư không có tệp PDF văn bản đính kèm (văn bản điện tử phải là tệp PDF có chữ ký số)' }];
  if (!main?.report) return [{ code: 'NOT_VERIFIED', message: `Thư có quá nhiều tệp PDF (${pdfs.length}); chỉ kiểm tra ${MAX_VERIFIED_PDFS} tệp đầu` }];
  return main.report.problems.map(({ code, message, signature }) => ({ code, message, signature }));
}

export async function processIncoming(ctx: IntakeContext, envelope: Envelope, spooled: SpooledMessage): Promise<IntakeOutcome> {
  const { db, config } = ctx;
  const raw = fs.readFileSync(spooled.absolutePath);
  // No per-attachment MD5 (checksumAlgo: false): the attachments are hashed with SHA-256 where they are stored.
  const parsed = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true, checksumAlgo: false } as Parameters<typeof simpleParser>[1]);
  const messageId = parsed.messageId ?? null;
  const envelopeFrom = envelope.mailFrom || null;

  const earlier = await findDuplicateDelivery(db, { envelopeFrom, messageId, contentSha256: spooled.sha256 });
  if (earlier) return { kind: 'duplicate', id: earlier.id, soDen: earlier.soDen, year: earlier.year, reasons: [] };

  const auth: SenderAuth = await checkSenderAuth(raw, { ip: envelope.clientIp, helo: envelope.helo, envelopeFrom, mta: config.smtpBannerName, resolver: ctx.resolver });
  const headerFrom = parsed.from?.value[0]?.address?.toLowerCase() ?? null;
  const unit = await senderUnit(db, envelopeFrom, headerFrom);
  const attachments = await storeAttachments(config.dataDir, parsed.attachments);
  const pdfs = verifyAttachments(attachments, config, envelope.receivedAt);
  const main = pdfs.find((p) => p.report?.verdict === 'valid') ?? pdfs[0];
  const report = main?.report ?? null;
  const numbered = report?.verdict === 'valid';
  const problems = numbered ? [] : refusalReasons(pdfs, main);
  const warnings: Finding[] = (report?.warnings ?? []).map(({ code, message }) => ({ code, message }));

  const document = report?.document;
  if (numbered && document?.number) {
    const already = await findRegisteredByNumber(db, { unitId: unit?.id ?? null, sender: envelopeFrom, docNumber: document.number });
    if (already.length) warnings.push({ code: 'DUPLICATE_NUMBER', message: `Văn bản số ${document.number} của cùng bên gửi đã được đăng ký (số đến ${already[0].soDen}/${already[0].year})` });
  }
  const noNotify = shouldNotNotify(envelopeFrom, parsed.headers);
  const mayAnswer = !noNotify && (auth.aligned || unit !== null);
  if (!noNotify && !mayAnswer) {
    warnings.push({ code: 'QUARANTINED', message: 'Người gửi không xác thực được (SPF/DKIM) và không thuộc danh bạ: không gửi thông báo trả lời, chờ văn thư xem xét' });
  }
  if (!unit) warnings.push({ code: 'UNKNOWN_SENDER', message: `Địa chỉ gửi ${envelopeFrom ?? headerFrom ?? '(không có)'} không thuộc cơ quan nào trong danh bạ` });

  const recall = await findRecallTarget(db, { texts: [parsed.subject, document?.subject], unitId: unit?.id ?? null, sender: envelopeFrom });
  if (recall) warnings.push(await handleRecall(db, recall, { senderAuthenticated: auth.aligned, letter: report, at: envelope.receivedAt }));

  const processingFrom = processingStartsAt(envelope.receivedAt, config);
  const urgency = mostUrgent(detectUrgency(parsed.subject ?? null), document?.urgency);
  const notifySender = async (trx: Knex.Transaction, registered: { id: string; soDen: number | null; year: number }) => {
    // A recall request without a document of its own is answered by the register, not by a refusal notice.
    if (!mayAnswer || !envelopeFrom || (recall && !numbered)) return;
    const common = { documentId: registered.id, to: envelopeFrom, originalMessageId: messageId, originalSubject: parsed.subject ?? null, receivedAt: envelope.receivedAt };
    if (numbered) {
      await queueRegisteredNotice(trx, config, {
        ...common, soDen: registered.soDen!, year: registered.year, processingFrom, urgency,
        number: document?.number ?? null, subject: document?.subject ?? parsed.subject ?? null,
      });
    } else {
      await queueRefusedNotice(trx, config, { ...common, reasons: problems.map(({ code, message }) => ({ code, message })) });
    }
  };
  const result = await registerDocument(db, {
    numbered,
    intake: envelope.intake,
    receivedAt: envelope.receivedAt,
    processingFrom,
    envelopeFrom,
    headerFrom,
    messageId,
    contentSha256: spooled.sha256,
    rawPath: spooled.relativePath,
    rawSize: spooled.size,
    unitId: unit?.id ?? null,
    subject: parsed.subject ?? null,
    urgency,
    docNumber: document?.number ?? null,
    issueDate: document?.issueDate ?? null,
    docType: document?.type ?? null,
    trichYeu: document?.subject ?? null,
    verdict: report?.verdict ?? null,
    problems,
    warnings,
    verification: report,
    authResults: { ...auth, clientIp: envelope.clientIp, helo: envelope.helo },
    attachments: attachments.map((a) => ({
      filename: a.filename, contentType: a.contentType, size: a.size, sha256: a.sha256, storedPath: a.storedPath,
      isMain: a === main?.attachment, verdict: pdfs.find((p) => p.attachment === a)?.report?.verdict ?? null,
    })),
    actor: 'gateway',
    withRegistration: notifySender,
  });
  if (result.duplicate) return { kind: 'duplicate', id: result.id, soDen: result.soDen, year: result.year, reasons: [] };

  log.info(numbered ? 'INTAKE_REGISTERED' : 'INTAKE_REFUSED', numbered ? 'document registered' : 'document kept for reference, refused', {
    id: result.id, soDen: result.soDen, from: envelopeFrom, problems: problems.map((p) => p.code).join(',') || undefined,
  });
  return { kind: numbered ? 'registered' : 'refused', id: result.id, soDen: result.soDen, year: result.year, reasons: problems };
}
