// Attachments of an incoming message, kept as files named by their SHA-256 (a resend stores nothing twice).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Attachment } from 'mailparser';

export interface StoredAttachment {
  filename: string;
  contentType: string | null;
  size: number;
  sha256: string;
  /** Relative to DATA_DIR. */
  storedPath: string;
  content: Buffer;
}

function writeDurably(file: string, content: Buffer): void {
  const temporary = `${file}.${process.pid}.part`;
  const fd = fs.openSync(temporary, 'w');
  try {
    fs.writeSync(fd, content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temporary, file);
}

/** A file name fit for display: no folders, no control characters, never empty. */
export function safeFilename(name: string | undefined, position: number): string {
  const base = path.basename((name ?? '').replace(/\\/g, '/')).replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return base && base !== '.' && base !== '..' ? base.normalize('NFC').slice(0, 200) : `tep-dinh-kem-${position + 1}`;
}

export function storeAttachments(dataDir: string, attachments: Attachment[]): StoredAttachment[] {
  const dir = path.join(dataDir, 'attachments');
  fs.mkdirSync(dir, { recursive: true });
  const stored = attachments.map((attachment, position) => {
    const content = attachment.content;
    const sha256 = crypto.createHash('sha256').update(content).digest('hex');
    const storedPath = path.join('attachments', sha256);
    const absolute = path.join(dataDir, storedPath);
    if (!fs.existsSync(absolute)) writeDurably(absolute, content);
    return { filename: safeFilename(attachment.filename, position), contentType: attachment.contentType ?? null, size: content.length, sha256, storedPath, content };
  });
  if (stored.length) {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }
  return stored;
}

export function isPdf(attachment: StoredAttachment): boolean {
  return attachment.contentType === 'application/pdf' || /\.pdf$/i.test(attachment.filename);
}
