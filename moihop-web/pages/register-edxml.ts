// A registered document in the exchange format of the national document platform (QCVN 102:2016 edXML):
// GET /register/:id/edxml (the package, with its attachments) and GET /register/:id/edxml/status
// (the latest status message, or ?code=NN for the latest entry with that code).
import type { Request, Response } from 'express';
import type { RouteContext } from '../routes';
import { exportDocumentPackage, exportStatusMessage, ExportedXml } from '../../mail-gateway/edxml/export';
import { isStatusCode } from '../../mail-gateway/edxml/status';
import { documentIdParam, documentNotFound } from './register-document';
import { badRequestPage, notFoundPage } from './error-pages';
import { contentDisposition } from './send-file';

function sendXml(res: Response, exported: ExportedXml): void {
  res.setHeader('Content-Type', 'application/xml; charset=utf-8');
  res.setHeader('Content-Disposition', contentDisposition('attachment', exported.filename));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.send(exported.xml);
}

export async function registerEdxmlDownload(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  const id = documentIdParam(req);
  const exported = id ? await exportDocumentPackage(ctx.db, ctx.config, id) : null;
  if (!exported) return documentNotFound(res);
  sendXml(res, exported);
}

export async function registerEdxmlStatusDownload(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  const id = documentIdParam(req);
  const code = typeof req.query.code === 'string' ? req.query.code : undefined;
  if (req.query.code !== undefined && (code === undefined || !isStatusCode(code))) {
    return badRequestPage(res, `Mã trạng thái "${String(req.query.code).slice(0, 20)}" không hợp lệ (01, 02, 03, 04, 05, 06 hoặc 13).`);
  }
  const lookup = id ? await exportStatusMessage(ctx.db, ctx.config, id, code) : { found: 'no-document' as const };
  if (lookup.found === 'no-document') return documentNotFound(res);
  if (lookup.found === 'no-entry') return notFoundPage(res, 'Trạng thái', `Văn bản này chưa từng có trạng thái mã ${code}.`);
  sendXml(res, lookup.message);
}
