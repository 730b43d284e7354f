// The files of an invitation and its calendar entry, for the unit invited and for VP UBND staff. The file is
// found by (invitation, position) in the database, never by a path or name from the request.
import type { Request, Response } from 'express';
import type { RouteContext } from '../routes';
import {
  invitationIcsForAdmin, invitationIcsForUnit, resolveInvitationFileForAdmin, resolveInvitationFileForUnit, ResolvedFile,
} from '../invitations';
import { notFoundPage } from './error-pages';
import { invitationIdParam, unitActor } from './request-params';
import { sendCalendar, sendInvitationFile } from './send-file';

/** The Giấy mời opens in the browser; meeting papers download. */
function dispositionOf(file: ResolvedFile): 'inline' | 'attachment' {
  return file.kind === 'giấy mời' && file.contentType === 'application/pdf' ? 'inline' : 'attachment';
}

function positionParam(req: Request): string {
  return String(req.params.position ?? '');
}

export async function unitFileDownload(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  const id = invitationIdParam(req);
  const actor = unitActor(res);
  if (!id || !actor) return notFoundPage(res, 'Tệp');
  const file = await resolveInvitationFileForUnit(ctx.db, ctx.config.dataDir, actor.unitId, id, positionParam(req));
  if (!file) return notFoundPage(res, 'Tệp');
  await sendInvitationFile(res, file, dispositionOf(file));
}

export async function unitCalendarDownload(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  const id = invitationIdParam(req);
  const actor = unitActor(res);
  if (!id || !actor) return notFoundPage(res);
  const ics = await invitationIcsForUnit(ctx.db, ctx.config, actor.unitId, id);
  if (ics === null) return notFoundPage(res);
  sendCalendar(res, ics, id);
}

export async function adminFileDownload(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  const id = invitationIdParam(req);
  const missing = () => notFoundPage(res, 'Tệp', 'Giấy mời không có tệp này.');
  if (!id) return missing();
  const file = await resolveInvitationFileForAdmin(ctx.db, ctx.config.dataDir, id, positionParam(req));
  if (!file) return missing();
  await sendInvitationFile(res, file, dispositionOf(file));
}

export async function adminCalendarDownload(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  const id = invitationIdParam(req);
  const missing = () => notFoundPage(res, 'Giấy mời', 'Giấy mời này không có trên hệ thống.');
  if (!id) return missing();
  const ics = await invitationIcsForAdmin(ctx.db, ctx.config, id);
  if (ics === null) return missing();
  sendCalendar(res, ics, id);
}
