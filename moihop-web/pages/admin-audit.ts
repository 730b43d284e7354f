// The audit log for VP UBND's staff: every admin action and every change of a unit's answer, newest first,
// filtered by person, kind of object or invitation, in keyset pages (`?before=<id>`).
import type { Request, Response } from 'express';
import type { RouteContext } from '../routes';
import { renderPage } from '../render';
import { AuditEntry, AuditObjectType, listAudit } from '../../db/audit/repository';
import { INVITATION_ID_PATTERN } from '../../db/invitations/rows';
import { AUDIT_FIELD_LABELS } from '../invitations/audit';
import { badRequestPage } from './error-pages';

const PAGE_SIZE = 50;

export const AUDIT_OBJECT_LABELS: Record<AuditObjectType, string> = {
  invitation: 'Giấy mời', answer: 'Trả lời của đơn vị', account: 'Tài khoản', 'unit-group': 'Nhóm đơn vị',
};

function text(req: Request, name: string, max: number): string {
  const value = req.query[name];
  return typeof value === 'string' ? value.trim().slice(0, max) : '';
}

/** One changed value as the page shows it. */
export function auditValueText(value: unknown): string {
  if (value === null || value === undefined || value === '') return '(trống)';
  if (Array.isArray(value)) return value.length ? value.join(', ') : '(không có)';
  return String(value);
}

/** The page helpers shared with the invitation page's own log section. */
export const auditViewHelpers = { fieldLabels: AUDIT_FIELD_LABELS, auditValueText, objectLabels: AUDIT_OBJECT_LABELS };

/** The link of an entry's object, when it has a page. */
export function auditObjectLink(entry: AuditEntry): string | null {
  if (entry.objectType === 'invitation') return `/admin/invitations/${encodeURIComponent(entry.objectId)}`;
  if (entry.objectType === 'answer') return `/admin/invitations/${encodeURIComponent(entry.objectId.split('/')[0])}`;
  return null;
}

export async function auditPage(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  const filters = { actor: text(req, 'actor', 120), type: text(req, 'type', 30), invitation: text(req, 'invitation', 40) };
  const beforeText = text(req, 'before', 12);
  if (filters.type && !Object.hasOwn(AUDIT_OBJECT_LABELS, filters.type)) return badRequestPage(res, `Loại đối tượng "${filters.type}" không có.`);
  if (filters.invitation && !INVITATION_ID_PATTERN.test(filters.invitation)) return badRequestPage(res, `Mã giấy mời "${filters.invitation}" không hợp lệ.`);
  if (beforeText && !/^[1-9]\d*$/.test(beforeText)) return badRequestPage(res, 'Liên kết trang không hợp lệ: xin quay về trang đầu của nhật ký.');
  const entries = await listAudit(ctx.db, {
    actor: filters.actor || undefined,
    objectType: (filters.type || undefined) as AuditObjectType | undefined,
    invitationId: filters.invitation || undefined,
    beforeId: beforeText ? Number(beforeText) : undefined,
    limit: PAGE_SIZE + 1,
  });
  const more = entries.length > PAGE_SIZE;
  const shown = entries.slice(0, PAGE_SIZE);
  const params = new URLSearchParams(Object.entries(filters).filter(([, v]) => v));
  if (more) params.set('before', String(shown[shown.length - 1].id));
  await renderPage(res, 'admin-audit', {
    title: 'Nhật ký thao tác',
    entries: shown,
    filters,
    nextLink: more ? `/admin/audit?${params.toString()}` : null,
    objectLink: auditObjectLink,
    ...auditViewHelpers,
  });
}
