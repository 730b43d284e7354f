// Stores a raw message durably before anything is acknowledged: stream to a temporary file while hashing,
// fsync, then rename into the mail store and fsync the folder. A message that fails half-way leaves nothing.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform, Readable } from 'node:stream';
import { vietnamParts } from '../../db/time';

export interface SpooledMessage {
  /** Path relative to DATA_DIR, e.g. `mail/2026/11/<sha256>.eml`. */
  relativePath: string;
  absolutePath: string;
  sha256: string;
  size: number;
}

export class MessageTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`message larger than ${limit} bytes`);
  }
}

/** fsync on the thread pool, not the event loop: a slow disk must not stall every other SMTP session. */
export async function fsyncPath(file: string, flags = 'r'): Promise<void> {
  const handle = await fs.promises.open(file, flags);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes `source` to DATA_DIR/mail/YYYY/MM/<sha256>.eml. Rejects with MessageTooLargeError past `maxBytes`
 * (the source is still read to its end so the SMTP session stays in step).
 */
export async function spoolMessage(source: Readable, dataDir: string, maxBytes: number, receivedAt = new Date()): Promise<SpooledMessage> {
  const tmpDir = path.join(dataDir, 'spool', 'tmp');
  fs.mkdirSync(tmpDir, { recursive: true });
  const tmpPath = path.join(tmpDir, `${process.pid}-${crypto.randomUUID()}.part`);
  const hash = crypto.createHash('sha256');
  let size = 0;
  let tooLarge = false;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      if (size > maxBytes) {
        tooLarge = true;
        return callback(); // keep draining, write nothing more
      }
      hash.update(chunk);
      callback(null, chunk);
    },
  });
  const file = fs.createWriteStream(tmpPath, { flags: 'wx' });
  try {
    await pipeline(source, meter, file);
    if (tooLarge) throw new MessageTooLargeError(maxBytes);
    await fsyncPath(tmpPath, 'r+');
    const sha256 = hash.digest('hex');
    const when = vietnamParts(receivedAt);
    const relativeDir = path.join('mail', String(when.year), String(when.month).padStart(2, '0'));
    const finalDir = path.join(dataDir, relativeDir);
    fs.mkdirSync(finalDir, { recursive: true });
    const relativePath = path.join(relativeDir, `${sha256}.eml`);
    const absolutePath = path.join(dataDir, relativePath);
    await fs.promises.rename(tmpPath, absolutePath);
    await fsyncPath(finalDir);
    return { relativePath, absolutePath, sha256, size };
  } catch (err) {
    // A stream destroyed early may still be opening its file: remove it only once it is closed.
    if (!file.closed) await new Promise<void>((resolve) => file.once('close', () => resolve()));
    fs.rmSync(tmpPath, { force: true });
    throw err;
  }
}

/**
 * Removes temporary files left by a crash (partial messages, partial attachments); called at start before
 * the server accepts mail. None of them was ever acknowledged.
 */
export function cleanSpool(dataDir: string): number {
  let removed = 0;
  for (const dir of [path.join(dataDir, 'spool', 'tmp'), path.join(dataDir, 'attachments')]) {
    if (!fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.part'))) {
      fs.rmSync(path.join(dir, name), { force: true });
      removed++;
    }
  }
  return removed;
}
