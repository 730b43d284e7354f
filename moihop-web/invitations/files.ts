// The files of an invitation (the Giấy mời PDF and the meeting papers) under DATA_DIR/invitations/<id>/.
// A given filename is only ever shown: the stored name is the content's SHA-256 with a checked extension,
// so no name from outside can reach the file system (no path traversal, no overwrite of another file).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { safeFilename } from '../../mail-gateway/intake/attachments';
import { findInvitationFile, isInvitationVisibleToUnit } from '../../db/invitations/queries';
import { INVITATION_ID_PATTERN } from '../../db/invitations/rows';
import type { NewFileRecord } from '../../db/invitations/repository';
import { FileKind, InvitationError, InvitationFile } from '../../db/invitations/types';

/** A file handed in by the admin: its bytes and the name it had (for display only). */
export interface IncomingFile {
  filename: string;
  content: Buffer;
}

export interface StoredFile {
  record: NewFileRecord;
  /** True when this call wrote the file (so a failed transaction removes it again). */
  created: boolean;
  absolutePath: string;
}

/** A file a page may send: where it is, and what to call it. */
export interface ResolvedFile {
  path: string;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  kind: FileKind;
  position: number;
}

export const MAX_FILE_BYTES = 50 * 1024 * 1024;
const STORED_NAME = /^[0-9a-f]{64}(\.[a-z0-9]{1,10})?$/;

const CONTENT_TYPES: Record<string, string> = {
  pdf: 'application/pdf',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ppt: 'application/vnd.ms-powerpoint',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  odt: 'application/vnd.oasis.opendocument.text',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
  txt: 'text/plain; charset=utf-8',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  zip: 'application/zip',
  rar: 'application/vnd.rar',
};

function extensionOf(filename: string): string | null {
  const match = /\.([a-z0-9]{1,10})$/i.exec(filename);
  return match ? match[1].toLowerCase() : null;
}

export function contentTypeOf(filename: string): string {
  return CONTENT_TYPES[extensionOf(filename) ?? ''] ?? 'application/octet-stream';
}

/** DATA_DIR/invitations/<id>; refuses anything but a real invitation id. */
export function invitationDir(dataDir: string, invitationId: string): string {
  if (!INVITATION_ID_PATTERN.test(invitationId)) throw new InvitationError('INVALID_INPUT', 'Mã giấy mời không hợp lệ', 'invalid invitation id');
  return path.join(dataDir, 'invitations', invitationId);
}

function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function writeDurably(file: string, content: Buffer): void {
  const temporary = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.part`;
  const fd = fs.openSync(temporary, 'wx');
  try {
    fs.writeSync(fd, content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temporary, file);
}

/** Refuses an empty or oversized file before anything is written. */
export function checkIncomingFile(file: IncomingFile, what: string): void {
  if (file.content.length === 0) throw new InvitationError('INVALID_INPUT', `${what} "${file.filename}" rỗng (0 byte)`, `${file.filename} is empty`);
  if (file.content.length > MAX_FILE_BYTES) {
    throw new InvitationError('INVALID_INPUT', `${what} "${file.filename}" lớn hơn ${MAX_FILE_BYTES / 1024 / 1024} MB`, `${file.filename} is larger than ${MAX_FILE_BYTES} bytes`);
  }
}

/** Writes one file (durably) into the invitation's folder, named by its SHA-256. */
export function storeInvitationFile(dataDir: string, invitationId: string, file: IncomingFile, kind: FileKind, position: number): StoredFile {
  const dir = invitationDir(dataDir, invitationId);
  fs.mkdirSync(dir, { recursive: true });
  const sha256 = crypto.createHash('sha256').update(file.content).digest('hex');
  const filename = safeFilename(file.filename, position);
  const extension = kind === 'giấy mời' ? 'pdf' : extensionOf(filename);
  const storedName = extension ? `${sha256}.${extension}` : sha256;
  const absolutePath = path.join(dir, storedName);
  const created = !fs.existsSync(absolutePath);
  if (created) {
    writeDurably(absolutePath, file.content);
    fsyncDir(dir);
  }
  const contentType = kind === 'giấy mời' ? 'application/pdf' : contentTypeOf(filename);
  return { record: { kind, filename, storedName, contentType, size: file.content.length, sha256 }, created, absolutePath };
}

/** Removes the files a failed creation or change wrote (files that were there before stay). */
export function removeCreatedFiles(stored: StoredFile[]): void {
  for (const file of stored) if (file.created) fs.rmSync(file.absolutePath, { force: true });
}

function parsePosition(position: number | string): number | null {
  const text = String(position);
  return /^\d{1,6}$/.test(text) ? Number(text) : null;
}

/** The file on disk for a row, if it is inside the invitation's folder and still the file that was stored. */
function locate(dataDir: string, invitationId: string, file: InvitationFile): ResolvedFile | null {
  if (!STORED_NAME.test(file.storedName)) return null;
  const dir = path.resolve(invitationDir(dataDir, invitationId));
  const absolute = path.resolve(dir, file.storedName);
  if (path.dirname(absolute) !== dir) return null;
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(absolute);
  } catch {
    return null;
  }
  if (!stat.isFile() || stat.size !== file.size) return null;
  return { path: absolute, filename: file.filename, contentType: file.contentType, size: file.size, sha256: file.sha256, kind: file.kind, position: file.position };
}

/**
 * A current file of an invitation, for a unit: null when the invitation is not one the unit may see, the
 * position is not one of its files (or a replaced Giấy mời), or anything about the request is malformed.
 */
export async function resolveInvitationFileForUnit(
  db: Knex, dataDir: string, unitId: string, invitationId: string, position: number | string,
): Promise<ResolvedFile | null> {
  const index = parsePosition(position);
  if (index === null || !INVITATION_ID_PATTERN.test(invitationId)) return null;
  if (!(await isInvitationVisibleToUnit(db, unitId, invitationId))) return null;
  const file = await findInvitationFile(db, invitationId, index);
  if (!file || file.supersededAt !== null) return null;
  return locate(dataDir, invitationId, file);
}

/** Any file of an invitation for the admin, replaced Giấy mời versions included; null when there is none. */
export async function resolveInvitationFileForAdmin(
  db: Knex, dataDir: string, invitationId: string, position: number | string,
): Promise<ResolvedFile | null> {
  const index = parsePosition(position);
  if (index === null || !INVITATION_ID_PATTERN.test(invitationId)) return null;
  const file = await findInvitationFile(db, invitationId, index);
  return file ? locate(dataDir, invitationId, file) : null;
}
