// VP UBND's follow-up of invitations (admin and clerk): the list with read/answered counts, and one
// invitation with every invited unit, its mail delivery, read and answer state, who attends, delegates and
// reasons, filtered and ordered by query parameters (the follow-up service, ../invitations/follow-up.ts).
import type { Request, Response } from 'express';
import type { RouteContext } from '../routes';
import { renderPage } from '../render';
import {
  INVITATION_STATUSES, InvitationStatus, invitationProgress, listInvitations,
} from '../invitations';
import {
  DELIVERY_LABELS, deliveryClass, filterCounts, FOLLOW_UP_FILTERS, FOLLOW_UP_SORTS, FollowUpFilter, loadFollowUp, rowsVersion, selectRows,
} from '../invitations/follow-up';
import { FOLLOW_UP_POLL_MS, followUpQuery, followUpSearch } from './admin-follow-up';
import { badRequestPage, notFoundPage } from './error-pages';
import { invitationIdParam } from './request-params';
import { summarizeSignatures } from './signature-summary';
import { listAudit } from '../../db/audit/repository';
import { remindersOf } from '../../db/invitations/reminders';
import { auditViewHelpers } from './admin-audit';

const PAGE_SIZE = 30;
/** The latest entries of the invitation's audit log on its page; the full log is one link away. */
const AUDIT_SHOWN = 20;

function queryText(req: Request, name: string, max = 100): string {
  const value = req.query[name];
  return typeof value === 'string' ? value.trim().slice(0, max) : '';
}

function listLink(filters: { status: string; month: string; q: string }, page: number): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value) params.set(key, value);
  if (page > 1) params.set('page', String(page));
  const query = params.toString();
  return `/admin/invitations${query ? `?${query}` : ''}`;
}

export async function adminInvitationsPage(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  const filters = { status: queryText(req, 'status', 30), month: queryText(req, 'month', 20), q: queryText(req, 'q') };
  const pageText = queryText(req, 'page', 10) || '1';
  if (filters.status && !INVITATION_STATUSES.includes(filters.status as InvitationStatus)) {
    return badRequestPage(res, `Trạng thái "${filters.status}" không có. Các trạng thái: ${INVITATION_STATUSES.join(', ')}.`);
  }
  if (filters.month && !/^\d{4}-(0[1-9]|1[0-2])$/.test(filters.month)) return badRequestPage(res, `Tháng "${filters.month}" không hợp lệ: xin chọn tháng dạng yyyy-mm.`);
  if (!/^[1-9]\d{0,4}$/.test(pageText)) return badRequestPage(res, `Số trang "${pageText}" không hợp lệ.`);
  const page = Number(pageText);
  const { items, total } = await listInvitations(ctx.db, {
    status: (filters.status || undefined) as InvitationStatus | undefined,
    month: filters.month || undefined,
    search: filters.q || undefined,
    limit: PAGE_SIZE,
    offset: (page - 1) * PAGE_SIZE,
  });
  const progress = await invitationProgress(ctx.db, items.map((i) => i.id));
  await renderPage(res, 'admin-invitations', {
    title: 'Theo dõi giấy mời',
    items,
    progress,
    total,
    filters,
    statuses: INVITATION_STATUSES,
    page,
    pages: Math.max(1, Math.ceil(total / PAGE_SIZE)),
    pageLink: (n: number) => listLink(filters, n),
  });
}

export async function adminInvitationPage(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  const id = invitationIdParam(req);
  const missing = () => notFoundPage(res, 'Giấy mời', 'Giấy mời này không có trên hệ thống.');
  if (!id) return missing();
  const query = followUpQuery(req);
  if ('error' in query) return badRequestPage(res, query.error);
  const followUp = await loadFollowUp(ctx.db, id);
  if (!followUp) return missing();
  const overview = followUp.invitation;
  const rows = selectRows(followUp.rows, query.filter, query.sort);
  const base = `/admin/invitations/${overview.id}`;
  await renderPage(res, 'admin-invitation', {
    title: overview.title,
    invitation: overview,
    signature: summarizeSignatures(overview.verification),
    now: new Date(),
    followUp,
    rows,
    query,
    filters: FOLLOW_UP_FILTERS,
    sorts: FOLLOW_UP_SORTS,
    filterCounts: filterCounts(followUp.rows),
    deliveryLabels: DELIVERY_LABELS,
    deliveryClass,
    filterLink: (filter: FollowUpFilter) => `${base}${followUpSearch({ ...query, filter })}#theo-doi`,
    jsonUrl: `${base}/follow-up.json${followUpSearch(query)}`,
    version: rowsVersion(rows),
    pollMs: FOLLOW_UP_POLL_MS,
    reminders: await remindersOf(ctx.db, overview.id),
    auditEntries: await listAudit(ctx.db, { invitationId: overview.id, limit: AUDIT_SHOWN }),
    auditLink: `/admin/audit?invitation=${encodeURIComponent(overview.id)}`,
    ...auditViewHelpers,
  });
}
