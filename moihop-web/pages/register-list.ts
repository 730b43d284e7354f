// The incoming register for VP UBND's clerks: today's and all documents, most urgent first, with filters,
// search and keyset pages (`after`/`before` cursors) that stay as fast on the last page as on the first.
import type { Request, Response } from 'express';
import type { RouteContext } from '../routes';
import { renderPage } from '../render';
import { DOCUMENT_STATUSES, URGENCIES } from '../../db/register/repository';
import { CursorError, documentTypesInRegister, searchRegister, VERDICT_FILTERS } from '../../db/register/search';
import { listUnitsCached, Unit } from '../../db/units/repository';
import { isoDateVietnam } from '../../db/time';
import { badRequestPage } from './error-pages';
import { filterFormFromRequest, hasFilters, registerListLink, registerQueryOf } from './register-filters';
import { registerViewHelpers, VERDICT_LABELS } from './register-format';

export const REGISTER_PAGE_SIZE = 50;

/** The sender filter's ids and the names the rows show, built once per copy of the unit directory. */
const directoryViews = new WeakMap<readonly Unit[], { ids: Set<string>; names: Map<string, string> }>();

function directoryView(units: readonly Unit[]): { ids: Set<string>; names: Map<string, string> } {
  let view = directoryViews.get(units);
  if (!view) {
    view = { ids: new Set(units.map((u) => u.id)), names: new Map(units.map((u) => [u.id, u.name])) };
    directoryViews.set(units, view);
  }
  return view;
}

function cursorParam(req: Request, name: string): string | undefined {
  const value = req.query[name];
  return typeof value === 'string' && value !== '' ? value.slice(0, 300) : undefined;
}

export async function registerListPage(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  const form = filterFormFromRequest(req);
  const units = await listUnitsCached(ctx.db);
  const directory = directoryView(units);
  const { query, errors } = registerQueryOf(form, directory.ids);
  if (errors.length) return badRequestPage(res, errors.join(' '));
  const after = cursorParam(req, 'after');
  const before = cursorParam(req, 'before');
  if (after && before) return badRequestPage(res, 'Liên kết trang không hợp lệ: xin quay về trang đầu của sổ.');
  let page;
  try {
    page = await searchRegister(ctx.db, query, { after, before, limit: REGISTER_PAGE_SIZE });
  } catch (err) {
    if (err instanceof CursorError) return badRequestPage(res, 'Liên kết trang không hợp lệ: xin quay về trang đầu của sổ.');
    throw err;
  }
  const today = isoDateVietnam(new Date());
  const todayForm = { ...form, from: today, to: today };
  await renderPage(res, 'register-list', {
    ...registerViewHelpers,
    title: 'Sổ văn bản đến',
    form,
    filtered: hasFilters(form),
    page,
    today,
    todayCount: (await searchRegister(ctx.db, { receivedFrom: today, receivedTo: today }, { limit: 1 })).total,
    showingToday: form.from === today && form.to === today,
    todayLink: registerListLink(todayForm),
    allLink: registerListLink({ ...form, from: '', to: '' }),
    nextLink: page.next ? registerListLink(form, { after: page.next }) : null,
    previousLink: page.previous ? registerListLink(form, { before: page.previous }) : null,
    firstLink: after || before ? registerListLink(form) : null,
    units,
    unitNames: directory.names,
    statuses: DOCUMENT_STATUSES,
    urgencies: [...URGENCIES].reverse(),
    verdicts: VERDICT_FILTERS.map((v) => ({ value: v, label: VERDICT_LABELS[v] })),
    types: await documentTypesInRegister(ctx.db),
  });
}
