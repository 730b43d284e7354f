// Notices back to the sender of a document: "đã tiếp nhận" (with số đến), "từ chối tiếp nhận" (with reasons) or
// "đã ghi nhận thu hồi" (a clerk recorded the sender's recall).
// Each is built once into a complete MIME message and queued in the outbox; the sender worker delivers it.
// Notices are auto-replies (RFC 3834): null envelope sender, Auto-Submitted, never sent in answer to
// automatic mail, so two robots can never answer each other in a loop.
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { Config } from '../../config';
import { angleId, composeMessage, oneLine, renderMailTemplates } from './compose';
import { createLogger } from '../../log';
import { formatDateVi, vietnamParts } from '../../db/time';
import { enqueueMail, findByDedupeKey } from '../../db/outbox/repository';
import { mailDateVietnam } from '../../db/time';

const log = createLogger('notices');

export const NOTICE_KINDS = { registered: 'notice.registered', refused: 'notice.refused', recalled: 'notice.recalled' } as const;
export type NoticeKind = (typeof NOTICE_KINDS)[keyof typeof NOTICE_KINDS];

/** Marks every notice we send, so that one coming back to the gateway is recognised and never answered. */
export const NOTICE_HEADER = 'X-Binhthuan-Notice';
const NOTICE_MESSAGE_ID = /^<?notice\.(registered|refused|recalled)\./i;
const SENDER_NAME = 'Văn phòng UBND tỉnh Bình Thuận';

const URGENCY_PRIORITY: Record<string, number> = { 'Hỏa tốc': 3, 'Thượng khẩn': 2, 'Khẩn': 1, 'Bình thường': 0 };

export interface RegisteredNoticeInput {
  documentId: string | number;
  to: string;
  originalMessageId: string | null;
  originalSubject: string | null;
  soDen: number;
  year: number;
  receivedAt: Date;
  /** When the processing time starts, if later than receipt (received outside office hours). */
  processingFrom: Date | null;
  /** Số, ký hiệu of the document (`123/CAT-PV01`). */
  number: string | null;
  /** Trích yếu. */
  subject: string | null;
  /** Mức độ khẩn: Hỏa tốc and Thượng khẩn notices leave first. */
  urgency?: string | null;
}

export interface RefusalReason {
  code: string;
  /** The reason in plain Vietnamese, as the sender will read it. */
  message: string;
}

export interface RefusedNoticeInput {
  documentId: string | number;
  to: string;
  originalMessageId: string | null;
  originalSubject: string | null;
  receivedAt: Date;
  reasons: RefusalReason[];
}

export interface RecalledNoticeInput {
  documentId: string | number;
  to: string;
  originalMessageId: string | null;
  originalSubject: string | null;
  receivedAt: Date;
  /** Null for a document that never entered the register (kept for reference). */
  soDen: number | null;
  year: number;
  /** Số, ký hiệu of the document. */
  number: string | null;
  /** Trích yếu. */
  subject: string | null;
  recalledAt: Date;
}

export interface QueuedNotice {
  outboxId: number;
  messageId: string;
}

export interface NoticeOptions {
  /** The time written in the Date header (default now). */
  now?: Date;
}

export interface NoNotifyReason {
  code: 'null-sender' | 'auto-submitted' | 'precedence' | 'mailing-list' | 'system-sender' | 'our-notice';
  message: string;
}

type HeaderBag = Map<string, unknown> | Record<string, unknown>;

function headerText(headers: HeaderBag, name: string): string | null {
  let value: unknown;
  if (headers instanceof Map) {
    value = headers.get(name);
  } else {
    const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
    value = key === undefined ? undefined : headers[key];
  }
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) value = value[0];
  // mailparser gives some headers as structured values ({ value, params } or { text }).
  if (typeof value === 'object') {
    const structured = value as { value?: unknown; text?: unknown; id?: unknown };
    value = structured.value ?? structured.text ?? structured.id ?? JSON.stringify(value);
  }
  return String(value).trim();
}

const SYSTEM_LOCAL_PARTS = /^(mailer-daemon|postmaster|no-?reply|do-?not-?reply|bounces?)$/i;

/**
 * Why a message must not be answered with a notice, or null when a notice may go back to `sender`
 * (the envelope sender, MAIL FROM; null or '' for the null sender <>).
 */
export function shouldNotNotify(sender: string | null, headers: HeaderBag): NoNotifyReason | null {
  const address = (sender ?? '').trim().replace(/^<|>$/g, '');
  if (!address) return { code: 'null-sender', message: 'Thư có người gửi rỗng (MAIL FROM:<>), là thư báo lỗi hoặc thư tự động' };
  const localPart = address.split('@')[0].split('+')[0];
  if (SYSTEM_LOCAL_PARTS.test(localPart)) {
    return { code: 'system-sender', message: `Người gửi là địa chỉ tự động của hệ thống thư (${address})` };
  }
  if (headerText(headers, NOTICE_HEADER.toLowerCase()) !== null || NOTICE_MESSAGE_ID.test(headerText(headers, 'message-id') ?? '')) {
    return { code: 'our-notice', message: 'Thư là thông báo tự động của chính Cổng tiếp nhận văn bản' };
  }
  const autoSubmitted = headerText(headers, 'auto-submitted');
  if (autoSubmitted !== null && autoSubmitted.split(';')[0].trim().toLowerCase() !== 'no') {
    return { code: 'auto-submitted', message: `Thư được gửi tự động (Auto-Submitted: ${autoSubmitted})` };
  }
  const vacationHeader = ['x-autoreply', 'x-autorespond', 'x-auto-reply'].find((name) => headerText(headers, name) !== null);
  if (vacationHeader) {
    return { code: 'auto-submitted', message: `Thư trả lời tự động (${vacationHeader})` };
  }
  const precedence = (headerText(headers, 'precedence') ?? '').toLowerCase();
  if (['bulk', 'junk', 'list'].includes(precedence)) {
    return { code: 'precedence', message: `Thư gửi hàng loạt (Precedence: ${precedence})` };
  }
  if (headerText(headers, 'list-id') !== null) {
    return { code: 'mailing-list', message: 'Thư đến từ một danh sách thư (List-Id)' };
  }
  return null;
}

/** `23/11/2026 09:15`, Vietnam time. */
export function formatNoticeTime(date: Date): string {
  const p = vietnamParts(date);
  return `${formatDateVi(date)} ${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`;
}


function safeToken(value: string | number): string {
  return String(value).replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 80);
}

function domainOf(address: string): string {
  return address.split('@')[1];
}

interface NoticeDraft {
  kind: NoticeKind;
  documentId: string | number;
  to: string;
  originalMessageId: string | null;
  subject: string;
  template: string;
  data: Record<string, unknown>;
  priority: number;
}

async function queueNotice(db: Knex, config: Config, draft: NoticeDraft, now: Date): Promise<QueuedNotice | null> {
  const to = draft.to.trim();
  const refusal = /^[^\s@<>]+@[^\s@<>]+$/.test(to) ? shouldNotNotify(to, {}) : { code: 'null-sender', message: 'Không có địa chỉ người gửi hợp lệ' };
  if (refusal) {
    log.info('NOTICE_SKIPPED', 'Không gửi thông báo', { kind: draft.kind, document: String(draft.documentId), to, reason: refusal.code });
    return null;
  }
  const dedupeKey = `${draft.kind}:${draft.documentId}`;
  const existing = await findByDedupeKey(db, dedupeKey);
  if (existing) return { outboxId: existing.id, messageId: existing.messageId };
  const from = config.gatewayAddresses[0];
  // Unique even when document ids repeat (a restored or second installation); stored, so every resend keeps it.
  const messageId = `<${draft.kind}.${safeToken(draft.documentId)}.${crypto.randomBytes(6).toString('hex')}@${domainOf(from)}>`;
  const original = angleId(draft.originalMessageId);
  const { text, html } = await renderMailTemplates(draft.template, { ...draft.data, gatewayAddress: from, formatNoticeTime });
  const rawMessage = await composeMessage({
    from: { name: SENDER_NAME, address: from },
    to,
    subject: draft.subject,
    date: mailDateVietnam(now),
    messageId,
    inReplyTo: original ?? undefined,
    references: original ?? undefined,
    headers: { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All', [NOTICE_HEADER]: draft.kind },
    text,
    html,
  });
  const outboxId = await enqueueMail(db, {
    kind: draft.kind,
    reference: String(draft.documentId),
    dedupeKey,
    sender: '',
    recipient: to,
    subject: draft.subject,
    messageId,
    rawMessage,
    priority: draft.priority,
  }, now);
  // Another process may have queued the same notice in between: its message is the one kept.
  const stored = await findByDedupeKey(db, dedupeKey);
  return { outboxId, messageId: stored?.messageId ?? messageId };
}

/** Queues the "đã tiếp nhận" notice of a registered document (once per document). Null when nobody can be told. */
export function queueRegisteredNotice(db: Knex, config: Config, input: RegisteredNoticeInput, options: NoticeOptions = {}): Promise<QueuedNotice | null> {
  const late = input.processingFrom && input.processingFrom.getTime() > input.receivedAt.getTime() ? input.processingFrom : null;
  return queueNotice(db, config, {
    kind: NOTICE_KINDS.registered,
    documentId: input.documentId,
    to: input.to,
    originalMessageId: input.originalMessageId,
    subject: `Đã tiếp nhận văn bản, số đến ${input.soDen}/${input.year}` + (input.originalSubject ? `: ${oneLine(input.originalSubject, 150)}` : ''),
    template: 'notice-registered',
    priority: URGENCY_PRIORITY[input.urgency ?? ''] ?? 0,
    data: {
      documentId: String(input.documentId),
      soDen: input.soDen,
      year: input.year,
      receivedAt: input.receivedAt,
      processingFrom: late,
      number: oneLine(input.number) || null,
      subject: oneLine(input.subject, 500) || null,
      urgency: input.urgency ?? null,
      originalSubject: oneLine(input.originalSubject, 300) || null,
    },
  }, options.now ?? new Date());
}

/** Queues the "từ chối tiếp nhận" notice of a refused document, with each reason (once per document). */
export function queueRefusedNotice(db: Knex, config: Config, input: RefusedNoticeInput, options: NoticeOptions = {}): Promise<QueuedNotice | null> {
  return queueNotice(db, config, {
    kind: NOTICE_KINDS.refused,
    documentId: input.documentId,
    to: input.to,
    originalMessageId: input.originalMessageId,
    subject: 'Từ chối tiếp nhận văn bản' + (input.originalSubject ? `: ${oneLine(input.originalSubject, 150)}` : ''),
    template: 'notice-refused',
    priority: 0,
    data: {
      documentId: String(input.documentId),
      receivedAt: input.receivedAt,
      reasons: input.reasons.map((r) => ({ code: r.code, message: r.message.trim() })),
      originalSubject: oneLine(input.originalSubject, 300) || null,
    },
  }, options.now ?? new Date());
}

/** Queues the "đã ghi nhận thu hồi" notice of a document a clerk recorded as recalled (once per document). */
export function queueRecalledNotice(db: Knex, config: Config, input: RecalledNoticeInput, options: NoticeOptions = {}): Promise<QueuedNotice | null> {
  const which = input.soDen !== null ? `số đến ${input.soDen}/${input.year}` : input.number ? `số ${oneLine(input.number, 60)}` : null;
  return queueNotice(db, config, {
    kind: NOTICE_KINDS.recalled,
    documentId: input.documentId,
    to: input.to,
    originalMessageId: input.originalMessageId,
    subject: 'Đã ghi nhận thu hồi văn bản' + (which ? ` ${which}` : '') + (input.originalSubject ? `: ${oneLine(input.originalSubject, 150)}` : ''),
    template: 'notice-recalled',
    priority: 0,
    data: {
      documentId: String(input.documentId),
      soDen: input.soDen,
      year: input.year,
      receivedAt: input.receivedAt,
      recalledAt: input.recalledAt,
      number: oneLine(input.number) || null,
      subject: oneLine(input.subject, 500) || null,
      originalSubject: oneLine(input.originalSubject, 300) || null,
    },
  }, options.now ?? new Date());
}
