// Whether the sender of a registered document may get a notice from a clerk's action: the same rule as the
// gateway's at intake (mail-gateway/intake/pipeline.ts) — never a null sender, an automatic mail or one of
// our own notices (shouldNotNotify on the stored message's header), and only a sender authenticated by
// SPF/DKIM alignment or belonging to the directory. Anything else would be backscatter.
import fs from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { shouldNotNotify } from '../../mail-gateway/notices/notices';
import type { DocumentRecord } from '../../db/register/repository';

const HEADER_LIMIT = 256 * 1024;

/** The header block of the stored .eml (never the body: it may be tens of megabytes). */
async function storedHeaders(dataDir: string, rawPath: string): Promise<Map<string, unknown> | null> {
  const root = path.resolve(dataDir);
  const file = path.resolve(root, rawPath);
  if (!file.startsWith(root + path.sep)) return null;
  let head: Buffer;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      head = Buffer.alloc(HEADER_LIMIT);
      head = head.subarray(0, fs.readSync(fd, head, 0, HEADER_LIMIT, 0));
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return null;
  }
  let end = head.indexOf('\r\n\r\n');
  if (end === -1) end = head.indexOf('\n\n');
  const block = end === -1 ? head : head.subarray(0, end);
  const parsed = await simpleParser(Buffer.concat([block, Buffer.from('\r\n\r\n')]), { skipHtmlToText: true, skipTextToHtml: true } as Parameters<typeof simpleParser>[1]);
  return parsed.headers as Map<string, unknown>;
}

export type ReplyDecision = { mayAnswer: true; to: string } | { mayAnswer: false; why: string };

export async function senderReplyDecision(dataDir: string, doc: DocumentRecord): Promise<ReplyDecision> {
  if (doc.intake === 'manual' || !doc.envelopeFrom) return { mayAnswer: false, why: 'Văn bản không đến qua thư điện tử: xin báo cho bên gửi theo đường đã nhận.' };
  const headers = doc.rawPath ? await storedHeaders(dataDir, doc.rawPath) : null;
  if (headers === null) return { mayAnswer: false, why: 'Không đọc được thư gốc đã lưu: không gửi thông báo tự động.' };
  const noNotify = shouldNotNotify(doc.envelopeFrom, headers);
  if (noNotify) return { mayAnswer: false, why: `Không gửi thông báo: ${noNotify.message}.` };
  const aligned = (doc.authResults as { aligned?: unknown } | null)?.aligned === true;
  if (!aligned && doc.unitId === null) return { mayAnswer: false, why: 'Người gửi không xác thực được (SPF/DKIM) và không thuộc danh bạ: không gửi thông báo tự động để tránh thư rác ngược.' };
  return { mayAnswer: true, to: doc.envelopeFrom };
}
