// Renders an ejs page of templates/web inside the shared layout.
import path from 'node:path';
import ejs from 'ejs';
import type { Response } from 'express';
import { REPO_ROOT } from '../config';
import { formatDateTimeVi, formatDateVi } from '../db/time';
import { invitationViewHelpers } from './pages/view-format';

export const WEB_TEMPLATES_DIR = path.join(REPO_ROOT, 'templates', 'web');

/** Helpers every template may use. */
const viewHelpers = { formatDateVi, formatDateTimeVi, ...invitationViewHelpers };

export interface PageData {
  title: string;
  [key: string]: unknown;
}

export async function renderPage(res: Response, view: string, data: PageData, status = 200): Promise<void> {
  const locals = { ...viewHelpers, currentPath: res.req?.path ?? '', ...res.locals, ...data };
  const body = await ejs.renderFile(path.join(WEB_TEMPLATES_DIR, `${view}.ejs`), locals, { async: false, cache: true });
  const html = await ejs.renderFile(path.join(WEB_TEMPLATES_DIR, 'layout.ejs'), { ...locals, body }, { cache: true });
  res.status(status).type('html').send(html);
}
