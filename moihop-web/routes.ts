// The route table of the website: path, who may use it, handler. Handlers call services, never SQL.
import type { Request, Response } from 'express';
import type { Knex } from 'knex';
import type { Config } from '../config';
import { renderPage } from './render';
import { listUnits } from '../db/units/repository';
import { isDatabaseReachable } from '../db/connection';
import { formatIsoVietnam } from '../db/time';
import type { Audience } from './auth/guards';
import { invitationsPage } from './pages/invitations-list';
import { answerSubmit, invitationPage } from './pages/invitation-page';
import { adminCalendarDownload, adminFileDownload, unitCalendarDownload, unitFileDownload } from './pages/invitation-files';
import { adminInvitationPage, adminInvitationsPage } from './pages/admin-invitations';
import { attendancePage, attendancePdfRoute, followUpCsv, followUpJsonRoute, followUpXlsx } from './pages/admin-follow-up';
import {
  cancelInvitationSubmit, editInvitationPage, editInvitationSubmit, newInvitationPage, newInvitationSubmit, previewInvitationPage,
  publishInvitationSubmit, resendInvitationSubmit,
} from './pages/admin-invitation-form';
import { currentAccount } from './auth/current-account';
import { registerListPage } from './pages/register-list';
import { registerDocumentPage, registerStatusSubmit } from './pages/register-document';
import { registerFileDownload, registerRawDownload } from './pages/register-files';
import { manualRegistrationPage, manualRegistrationSubmit } from './pages/register-manual';
import { registerReportDownload, registerStatisticsCsv, registerStatisticsPage, registerStatisticsXlsx } from './pages/register-statistics';
import { registerBookPage, registerBookPdf } from './pages/register-book';
import { registerEdxmlDownload, registerEdxmlStatusDownload } from './pages/register-edxml';
import { auditPage } from './pages/admin-audit';

/** Who may use a route: 'public', 'signed-in', 'account', 'unit', 'clerk', 'admin', 'staff' (see auth/guards.ts). */
export type { Audience };

export interface RouteContext {
  db: Knex;
  config: Config;
}

export interface Route {
  method: 'get' | 'post';
  path: string;
  who: Audience;
  handler: (ctx: RouteContext, req: Request, res: Response) => Promise<void>;
}

async function homePage(ctx: RouteContext, _req: Request, res: Response) {
  const units = await listUnits(ctx.db);
  await renderPage(res, 'home', {
    title: 'Trang chủ',
    gatewayAddresses: ctx.config.gatewayAddresses,
    unitCount: units.length,
    accountCount: units.filter((u) => u.moihopUsername).length,
  });
}

async function directoryPage(ctx: RouteContext, req: Request, res: Response) {
  const query = typeof req.query.q === 'string' ? req.query.q.trim().slice(0, 100) : '';
  const all = await listUnits(ctx.db);
  const fold = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();
  const needle = fold(query);
  const units = needle
    ? all.filter((u) => fold(u.name).includes(needle) || u.emails.some((e) => e.includes(needle)) || (u.moihopUsername ?? '').includes(needle))
    : all;
  const depth = new Map<string, number>();
  for (const unit of all) depth.set(unit.id, unit.parentId ? (depth.get(unit.parentId) ?? 0) + 1 : 0);
  await renderPage(res, 'units', { title: 'Danh bạ đơn vị', units, depth, query, total: all.length });
}

async function health(ctx: RouteContext, _req: Request, res: Response) {
  const databaseUp = await isDatabaseReachable(ctx.db);
  res.status(databaseUp ? 200 : 503).json({
    status: databaseUp ? 'ok' : 'degraded',
    database: databaseUp ? 'ok' : 'unreachable',
    time: formatIsoVietnam(new Date()),
  });
}

/** The address named in the .ics and in mails (`/giay-moi/<id>`) leads to the page of the reader's role. */
async function invitationLink(_ctx: RouteContext, req: Request, res: Response) {
  const id = encodeURIComponent(String(req.params.id ?? ''));
  res.redirect(303, currentAccount(res)?.role === 'unit' ? `/invitations/${id}` : `/admin/invitations/${id}`);
}

export const ROUTES: Route[] = [
  { method: 'get', path: '/', who: 'public', handler: homePage },
  { method: 'get', path: '/units', who: 'public', handler: directoryPage },
  { method: 'get', path: '/healthz', who: 'public', handler: health },
  { method: 'get', path: '/invitations', who: 'unit', handler: invitationsPage },
  { method: 'get', path: '/invitations/:id', who: 'unit', handler: invitationPage },
  { method: 'post', path: '/invitations/:id/answer', who: 'unit', handler: answerSubmit },
  { method: 'get', path: '/invitations/:id/calendar.ics', who: 'unit', handler: unitCalendarDownload },
  { method: 'get', path: '/invitations/:id/files/:position', who: 'unit', handler: unitFileDownload },
  { method: 'get', path: '/giay-moi/:id', who: 'account', handler: invitationLink },
  { method: 'get', path: '/admin/invitations', who: 'staff', handler: adminInvitationsPage },
  { method: 'get', path: '/admin/invitations/new', who: 'admin', handler: newInvitationPage },
  { method: 'post', path: '/admin/invitations/new', who: 'admin', handler: newInvitationSubmit },
  { method: 'get', path: '/admin/invitations/:id', who: 'staff', handler: adminInvitationPage },
  { method: 'get', path: '/admin/invitations/:id/preview', who: 'admin', handler: previewInvitationPage },
  { method: 'get', path: '/admin/invitations/:id/edit', who: 'admin', handler: editInvitationPage },
  { method: 'post', path: '/admin/invitations/:id/edit', who: 'admin', handler: editInvitationSubmit },
  { method: 'post', path: '/admin/invitations/:id/publish', who: 'admin', handler: publishInvitationSubmit },
  { method: 'post', path: '/admin/invitations/:id/cancel', who: 'admin', handler: cancelInvitationSubmit },
  { method: 'post', path: '/admin/invitations/:id/resend', who: 'admin', handler: resendInvitationSubmit },
  { method: 'get', path: '/admin/invitations/:id/calendar.ics', who: 'staff', handler: adminCalendarDownload },
  { method: 'get', path: '/admin/invitations/:id/files/:position', who: 'staff', handler: adminFileDownload },
  { method: 'get', path: '/admin/invitations/:id/follow-up.json', who: 'staff', handler: followUpJsonRoute },
  { method: 'get', path: '/admin/invitations/:id/follow-up.csv', who: 'staff', handler: followUpCsv },
  { method: 'get', path: '/admin/invitations/:id/follow-up.xlsx', who: 'staff', handler: followUpXlsx },
  { method: 'get', path: '/admin/invitations/:id/attendance', who: 'staff', handler: attendancePage },
  { method: 'get', path: '/admin/invitations/:id/attendance.pdf', who: 'staff', handler: attendancePdfRoute },
  { method: 'get', path: '/admin/audit', who: 'admin', handler: auditPage },
  { method: 'get', path: '/register', who: 'staff', handler: registerListPage },
  { method: 'get', path: '/register/new', who: 'staff', handler: manualRegistrationPage },
  { method: 'post', path: '/register/new', who: 'staff', handler: manualRegistrationSubmit },
  { method: 'get', path: '/register/book', who: 'staff', handler: registerBookPage },
  { method: 'get', path: '/register/book.pdf', who: 'staff', handler: registerBookPdf },
  { method: 'get', path: '/register/statistics', who: 'staff', handler: registerStatisticsPage },
  { method: 'get', path: '/register/statistics.csv', who: 'staff', handler: registerStatisticsCsv },
  { method: 'get', path: '/register/statistics.xlsx', who: 'staff', handler: registerStatisticsXlsx },
  { method: 'get', path: '/register/reports/:id.xlsx', who: 'staff', handler: registerReportDownload },
  { method: 'get', path: '/register/:id', who: 'staff', handler: registerDocumentPage },
  { method: 'post', path: '/register/:id/status', who: 'staff', handler: registerStatusSubmit },
  { method: 'get', path: '/register/:id/files/:position', who: 'staff', handler: registerFileDownload },
  { method: 'get', path: '/register/:id/raw', who: 'staff', handler: registerRawDownload },
  { method: 'get', path: '/register/:id/edxml', who: 'staff', handler: registerEdxmlDownload },
  { method: 'get', path: '/register/:id/edxml/status', who: 'staff', handler: registerEdxmlStatusDownload },
];
