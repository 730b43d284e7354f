// Attachments of an incoming message, kept as files named by their SHA-256 (a resend stores nothing twice).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Attachment } from 'mailparser';
import { fsyncPath } from '../spool/spool';

export interface StoredAttachment {
  filename: string;
  contentType: string | null;
  size: number;
  sha256: string;
  /** Relative to DATA_DIR. */
  storedPath: string;
  content: Buffer;
}

async function writeDurably(file: string, content: Buffer): Promise<void> {
  // Unique per write: two sessions may store the same attachment at the same moment.
  const temporary = `${file}.${process.pid}.${crypto.randomUUID()}.part`;
  const handle = await fs.promises.open(temporary, 'w');
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.promises.rename(temporary, file);
}

/** A file name fit for display: no folders, no control characters, never empty. */
export function safeFilename(name: string | undefined, position: number): string {
  const base = path.basename((name ?? '').replace(/\\/g, '/')).replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return base && base !== '.' && base !== '..' ? base.normalize('NFC').slice(0, 200) : `tep-dinh-kem-${position + 1}`;
}

export async function storeAttachments(dataDir: string, attachments: Attachment[]): Promise<StoredAttachment[]> {
  const dir = path.join(dataDir, 'attachments');
  fs.mkdirSync(dir, { recursive: true });
  const stored: StoredAttachment[] = [];
  for (const [position, attachment] of attachments.entries()) {
    const content = attachment.content;
    const sha256 = crypto.createHash('sha256').update(content).digest('hex');
    const storedPath = path.join('attachments', sha256);
    const absolute = path.join(dataDir, storedPath);
    if (!fs.existsSync(absolute)) await writeDurably(absolute, content);
    stored.push({ filename: safeFilename(attachment.filename, position), contentType: attachment.contentType ?? null, size: content.length, sha256, storedPath, content });
  }
  // Also when the files were there already: another session may have renamed one in without its fsync yet.
  if (stored.length) await fsyncPath(dir);
  return stored;
}

export function isPdf(attachment: StoredAttachment): boolean {
  return attachment.contentType === 'application/pdf' || /\.pdf$/i.test(attachment.filename);
}
