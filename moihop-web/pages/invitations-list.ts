// A unit's invitations: the list (upcoming first, then past; month filter, search, paging) and the week view.
import type { Request, Response } from 'express';
import type { RouteContext } from '../routes';
import { renderPage } from '../render';
import { listInvitationsForUnit, UnitInvitationSummary } from '../invitations';
import { isoDateVietnam } from '../../db/time';
import { badRequestPage } from './error-pages';
import { unitActor } from './request-params';
import { formatIsoWeek, isoWeekOf, IsoWeek, monthsOfWeek, parseIsoWeek, shiftWeek, weekDays } from './week';

export const PAGE_SIZE = 20;
/** More meetings than this in one month for one unit is not expected; the week view reads at most this many. */
const WEEK_READ_LIMIT = 500;

function queryText(req: Request, name: string, max = 100): string {
  const value = req.query[name];
  return typeof value === 'string' ? value.trim().slice(0, max) : '';
}

/** `?month=2026-12&q=lụt bão&page=2` → a link that keeps the other filters. */
function listLink(filters: { month: string; q: string }, page: number): string {
  const params = new URLSearchParams();
  if (filters.month) params.set('month', filters.month);
  if (filters.q) params.set('q', filters.q);
  if (page > 1) params.set('page', String(page));
  const query = params.toString();
  return `/invitations${query ? `?${query}` : ''}`;
}

async function listView(ctx: RouteContext, req: Request, res: Response, unitId: string): Promise<void> {
  const month = queryText(req, 'month', 20);
  const q = queryText(req, 'q');
  const pageText = queryText(req, 'page', 10) || '1';
  if (month && !/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) return badRequestPage(res, `Tháng "${month}" không hợp lệ: xin chọn tháng dạng yyyy-mm, ví dụ 2026-12.`);
  if (!/^[1-9]\d{0,4}$/.test(pageText)) return badRequestPage(res, `Số trang "${pageText}" không hợp lệ.`);
  const page = Number(pageText);
  const { items, total } = await listInvitationsForUnit(ctx.db, unitId, {
    month: month || undefined, search: q || undefined, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE,
  });
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const filters = { month, q };
  await renderPage(res, 'invitations', {
    title: 'Giấy mời họp',
    view: 'list',
    items,
    total,
    unread: items.filter((i) => !i.read).length,
    filters,
    page,
    pages,
    pageLink: (n: number) => listLink(filters, n),
    weekLink: `/invitations?view=week&week=${formatIsoWeek(isoWeekOf(new Date()))}`,
  });
}

async function meetingsOfWeek(ctx: RouteContext, unitId: string, week: IsoWeek): Promise<UnitInvitationSummary[]> {
  const days = weekDays(week);
  const from = days[0].start.getTime();
  const to = from + 7 * 86_400_000;
  const found: UnitInvitationSummary[] = [];
  for (const month of monthsOfWeek(week)) {
    const { items } = await listInvitationsForUnit(ctx.db, unitId, { month, limit: WEEK_READ_LIMIT });
    found.push(...items.filter((i) => i.startsAt.getTime() >= from && i.startsAt.getTime() < to));
  }
  return found.sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
}

async function weekView(ctx: RouteContext, req: Request, res: Response, unitId: string): Promise<void> {
  const weekText = queryText(req, 'week', 20);
  const week = weekText ? parseIsoWeek(weekText) : isoWeekOf(new Date());
  if (!week) return badRequestPage(res, `Tuần "${weekText}" không hợp lệ: xin dùng dạng yyyy-Www, ví dụ 2026-W48.`);
  const meetings = await meetingsOfWeek(ctx, unitId, week);
  const today = isoDateVietnam(new Date());
  const days = weekDays(week).map((day) => ({
    ...day,
    today: day.isoDate === today,
    meetings: meetings.filter((m) => isoDateVietnam(m.startsAt) === day.isoDate),
  }));
  await renderPage(res, 'invitations', {
    title: `Lịch họp tuần ${week.week}/${week.year}`,
    view: 'week',
    week,
    days,
    meetingCount: meetings.length,
    previousLink: `/invitations?view=week&week=${formatIsoWeek(shiftWeek(week, -1))}`,
    nextLink: `/invitations?view=week&week=${formatIsoWeek(shiftWeek(week, 1))}`,
    currentLink: `/invitations?view=week&week=${formatIsoWeek(isoWeekOf(new Date()))}`,
  });
}

export async function invitationsPage(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  const actor = unitActor(res);
  if (!actor) return badRequestPage(res, 'Tài khoản này không gắn với đơn vị nào nên không có giấy mời.');
  const view = queryText(req, 'view', 10);
  if (view === 'week') return weekView(ctx, req, res, actor.unitId);
  if (view && view !== 'list') return badRequestPage(res, `Kiểu xem "${view}" không có: xin chọn danh sách hoặc lịch tuần.`);
  return listView(ctx, req, res, actor.unitId);
}
