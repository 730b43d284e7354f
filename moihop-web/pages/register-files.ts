// A registered document's files for the clerk: the main PDF in the browser, other attachments and the raw
// message as downloads. Files are found by (document, position) in the database and must resolve inside
// DATA_DIR with the recorded size; the type a sender declared is never trusted for display.
import fs from 'node:fs';
import path from 'node:path';
import type { Request, Response } from 'express';
import type { RouteContext } from '../routes';
import { getDocument } from '../../db/register/repository';
import { documentIdParam, documentNotFound } from './register-document';
import { sendInvitationFile } from './send-file';

/** The file under DATA_DIR that a stored relative path names, if it is there with the expected size. */
function storedFile(dataDir: string, relative: string | null, size: number | null): string | null {
  if (!relative) return null;
  const root = path.resolve(dataDir);
  const absolute = path.resolve(root, relative);
  if (!absolute.startsWith(root + path.sep)) return null;
  try {
    const stat = fs.lstatSync(absolute);
    return stat.isFile() && (size === null || stat.size === size) ? absolute : null;
  } catch {
    return null;
  }
}

export async function registerFileDownload(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  const id = documentIdParam(req);
  const position = String(req.params.position ?? '');
  const doc = id && /^\d{1,4}$/.test(position) ? await getDocument(ctx.db, id) : null;
  const attachment = doc?.attachments.find((a) => a.position === Number(position));
  const file = attachment ? storedFile(ctx.config.dataDir, attachment.storedPath, attachment.size) : null;
  if (!attachment || !file) return documentNotFound(res, 'Tệp');
  // Only a PDF the verifier read opens in the page; anything else downloads as plain bytes.
  const isPdf = attachment.verdict !== null;
  await sendInvitationFile(res, { path: file, filename: attachment.filename, contentType: isPdf ? 'application/pdf' : 'application/octet-stream' }, isPdf ? 'inline' : 'attachment');
}

export async function registerRawDownload(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  const id = documentIdParam(req);
  const doc = id ? await getDocument(ctx.db, id) : null;
  const file = doc ? storedFile(ctx.config.dataDir, doc.rawPath, doc.rawSize) : null;
  if (!doc || !file) return documentNotFound(res, 'Thư gốc');
  await sendInvitationFile(res, { path: file, filename: `van-ban-den-${doc.soDen !== null ? `${doc.soDen}-${doc.year}` : doc.id}.eml`, contentType: 'message/rfc822' }, 'attachment');
}
