// Raw messages for end-to-end gateway tests, the gateway's 250 replies, and reading back what it stored.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import type Mail from 'nodemailer/lib/mailer';
import type { Knex } from 'knex';
import { loadConfig } from '../../config';
import { openDatabase } from '../../db/connection';
import { createTestPki } from './pki';
import { makeDocumentPdf } from './document-pdf';
import { signPdf } from './pdf-signer';
import { DatabaseKind, dropSchema, freshDatabaseEnv, tempDir } from './databases';
import { RawSmtp } from './raw-smtp';

export const GATEWAY = 'ubnd@binhthuan.gov.vn';
/** A directory address (unit 'van-phong-tinh-uy'): it gets notices. */
export const UNIT_SENDER = 'vptu@binhthuan.gov.vn';
/** Neither in the directory nor authenticated (no DNS in tests): it never gets notices. */
export const STRANGER = 'someone@example.com';

export const REGISTERED = /^250 2\.0\.0 Da dang ky van ban den so (\d+)\/\d{4}, ma (\S+) \/ registered, id \2$/;
export const KEPT = /^250 2\.0\.0 Da nhan va luu de tham khao, khong dang ky \(([^)]+)\), ma (\S+) \/ kept for reference, id \2$/;
export const DUPLICATE = /^250 2\.0\.0 .*da duoc nhan truoc do, ma (\S+) \/ already received, id \1$/;

export const sha256 = (data: Buffer) => crypto.createHash('sha256').update(data).digest('hex');

export interface Fixtures {
  trustDir: string;
  /** Signed by the person, then by the organisation: the gateway registers it. */
  signedPdf: Buffer;
  unsignedPdf: Buffer;
  dispose(): void;
}

/** A test PKI installed in a trust folder, and one document PDF unsigned and signed (signing is slow: do it once). */
export async function prepareFixtures(): Promise<Fixtures> {
  const pki = await createTestPki();
  const trustDir = tempDir('mail-samples-trust');
  await pki.writeTrustDir(trustDir);
  const unsignedPdf = await makeDocumentPdf({ type: 'Công văn', number: '12/VPTU' });
  const signedPdf = await signPdf(await signPdf(unsignedPdf, pki.person), pki.organization);
  return { trustDir, signedPdf, unsignedPdf, dispose: () => fs.rmSync(trustDir, { recursive: true, force: true }) };
}

/** The environment of a product on a fresh database of `kind` trusting `trustDir`. */
export function gatewayEnv(kind: DatabaseKind, trustDir: string, prefix = 'gateway'): Record<string, string> {
  return { ...freshDatabaseEnv(kind, tempDir(prefix)), TRUST_DIR: trustDir, DNS_TIMEOUT_MS: '200' };
}

/** Drops what a test product left behind: its PostgreSQL schema and its DATA_DIR. */
export async function disposeEnv(env: Record<string, string>): Promise<void> {
  await dropSchema(env);
  fs.rmSync(env.DATA_DIR, { recursive: true, force: true });
}

export interface MailSpec {
  from?: string;
  subject?: string;
  text?: string;
  attachments?: Mail.Attachment[];
  /** A fixed Message-ID; null: the message has none. Default: a fresh random one. */
  messageId?: string | null;
}

/** A complete raw message (CRLF line endings, ending with CRLF) as nodemailer composes it. */
export async function composeMail(spec: MailSpec): Promise<Buffer> {
  const raw = await new MailComposer({
    from: spec.from ?? UNIT_SENDER,
    to: GATEWAY,
    subject: spec.subject ?? 'Công văn',
    text: spec.text ?? 'Kính gửi UBND tỉnh',
    attachments: spec.attachments ?? [],
    messageId: spec.messageId ?? `<${crypto.randomUUID()}@binhthuan.gov.vn>`,
  }).compile().build();
  const ended = raw.subarray(-2).toString() === '\r\n' ? raw : Buffer.concat([raw, Buffer.from('\r\n')]);
  return spec.messageId === null ? setHeader(ended, 'Message-ID', null) : ended;
}

export const pdfAttachment = (content: Buffer, filename = 'van-ban.pdf'): Mail.Attachment => ({ filename, content, contentType: 'application/pdf' });

/**
 * Replaces header `name` of a raw message (with its folded lines) by `value` written as is (raw UTF-8 allowed),
 * or removes it when `value` is null.
 */
export function setHeader(raw: Buffer, name: string, value: string | null): Buffer {
  const end = raw.indexOf('\r\n\r\n');
  const lines = raw.subarray(0, end).toString('utf8').split('\r\n');
  const kept: string[] = [];
  let skipping = false;
  for (const line of lines) {
    if (/^[ \t]/.test(line) && skipping) continue;
    skipping = line.toLowerCase().startsWith(`${name.toLowerCase()}:`);
    if (!skipping) kept.push(line);
  }
  if (value !== null) kept.unshift(`${name}: ${value}`);
  return Buffer.concat([Buffer.from(kept.join('\r\n'), 'utf8'), raw.subarray(end)]);
}

/** One SMTP session per transport, reused for every message it sends (no connection-rate limits hit). */
export function smtpTransport(port: number) {
  return nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, pool: true, maxConnections: 1, maxMessages: Infinity });
}

/** Sends `raw` unchanged and resolves with the gateway's final reply. */
export async function sendRaw(transport: nodemailer.Transporter, raw: Buffer, from = UNIT_SENDER): Promise<string> {
  const info = await transport.sendMail({ envelope: { from, to: [GATEWAY] }, raw });
  return info.response as string;
}

/** A raw SMTP session from EHLO to the 354 of DATA: the caller writes the data itself, byte for byte. */
export async function openData(port: number, from = UNIT_SENDER): Promise<RawSmtp> {
  const smtp = await RawSmtp.connect(port);
  const expect = (reply: { code: number; raw: string }, code: number) => assert.equal(reply.code, code, reply.raw);
  expect(await smtp.reply(), 220);
  expect(await smtp.command('EHLO client.example'), 250);
  expect(await smtp.command(`MAIL FROM:<${from}>`), 250);
  expect(await smtp.command(`RCPT TO:<${GATEWAY}>`), 250);
  expect(await smtp.command('DATA'), 354);
  return smtp;
}

export async function withDatabase<T>(env: Record<string, string>, work: (db: Knex) => Promise<T>): Promise<T> {
  const db = await openDatabase(loadConfig(env));
  try {
    return await work(db);
  } finally {
    await db.destroy();
  }
}

export interface DocumentRow {
  id: string;
  so_den: number | null;
  status: string;
  subject: string | null;
  header_from: string | null;
  unit_id: string | null;
  urgency: string;
  message_id: string | null;
  content_sha256: string;
  raw_path: string;
  problems: string;
}

export function documentRows(env: Record<string, string>): Promise<DocumentRow[]> {
  return withDatabase(env, (db) => db('documents').select('*').orderBy('created_at'));
}

/** The số đến in the register, ascending. */
export const soDenList = (rows: DocumentRow[]) => rows.flatMap((r) => (r.so_den === null ? [] : [Number(r.so_den)])).sort((a, b) => a - b);

export const oneToN = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
