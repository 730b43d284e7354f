// Reads a registered attachment back from DATA_DIR for a package: only inside DATA_DIR, and only the bytes
// that were registered (size and SHA-256 as recorded), so an export never carries a file changed on disk.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { AttachmentRecord } from '../../db/register/repository';

export class StoredFileError extends Error {}

export async function readRegisteredAttachment(dataDir: string, attachment: AttachmentRecord, storedPath: string): Promise<Buffer> {
  const missing = () => new StoredFileError(`Tệp đính kèm "${attachment.filename}" không còn trên đĩa / attachment ${attachment.position} is missing`);
  const root = path.resolve(dataDir);
  const absolute = path.resolve(root, storedPath);
  if (!absolute.startsWith(root + path.sep)) throw missing();
  let content: Buffer;
  try {
    if (!(await fs.promises.lstat(absolute)).isFile()) throw missing();
    content = await fs.promises.readFile(absolute);
  } catch {
    throw missing();
  }
  const sha256 = crypto.createHash('sha256').update(content).digest('hex');
  if (content.length !== attachment.size || sha256 !== attachment.sha256.toLowerCase()) {
    throw new StoredFileError(`Tệp đính kèm "${attachment.filename}" đã bị thay đổi so với khi đăng ký / attachment ${attachment.position} differs from the registered file`);
  }
  return content;
}
