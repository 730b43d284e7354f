// The express application: security headers, static files, the route table, error pages.
import path from 'node:path';
import express, { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import type { Knex } from 'knex';
import type { Config } from '../config';
import { REPO_ROOT } from '../config';
import { ROUTES, RouteContext } from './routes';
import { renderPage } from './render';
import { createLogger } from '../log';

const log = createLogger('web');

export function createWebApp(db: Knex, config: Config): express.Express {
  const app = express();
  const ctx: RouteContext = { db, config };
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(helmet({ contentSecurityPolicy: { directives: { 'upgrade-insecure-requests': null } } }));
  app.use('/static', express.static(path.join(REPO_ROOT, 'moihop-web', 'public'), { maxAge: '1h', index: false }));
  for (const route of ROUTES) {
    app[route.method](route.path, (req: Request, res: Response, next: NextFunction) => {
      route.handler(ctx, req, res).catch(next);
    });
  }
  app.use((req: Request, res: Response) => {
    renderPage(res, 'error', { title: 'Không tìm thấy', heading: 'Không tìm thấy trang', detail: `Địa chỉ ${req.path} không có trên hệ thống.` }, 404).catch(() => res.status(404).end());
  });
  app.use((err: Error, req: Request, res: Response, _next: NextFunction) => {
    log.error('WEB_REQUEST_FAILED', err.message, { method: req.method, path: req.path });
    if (res.headersSent) return res.end();
    renderPage(res, 'error', { title: 'Lỗi hệ thống', heading: 'Hệ thống đang gặp sự cố', detail: 'Xin thử lại sau ít phút. Nếu lỗi còn, xin báo Văn phòng UBND tỉnh.' }, 500).catch(() => res.status(500).end());
  });
  return app;
}
