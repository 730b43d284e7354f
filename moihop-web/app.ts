// The express application: security headers, static files, sessions, CSRF, the logged-in account,
// the route table (each route behind the guard of its `who`), error pages.
import path from 'node:path';
import express, { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import type { Knex } from 'knex';
import type { Config } from '../config';
import { REPO_ROOT } from '../config';
import { ROUTES, Route, RouteContext } from './routes';
import { renderPage } from './render';
import { sessionMiddleware } from './auth/session';
import { csrfProtection, isCsrfError } from './auth/csrf';
import { loadCurrentAccount } from './auth/current-account';
import { guardFor } from './auth/guards';
import { loginAddressLimiter } from './auth/login-rate-limit';
import { AUTH_ROUTES } from './auth/routes';
import { createLogger } from '../log';

const log = createLogger('web');

/** Vietnamese answers to the client errors express and its middleware raise (bad body, too large…). */
function clientErrorText(status: number): { heading: string; detail: string } {
  if (status === 413) return { heading: 'Dữ liệu gửi lên quá lớn', detail: 'Biểu mẫu gửi lên vượt giới hạn cho phép. / Request too large.' };
  return { heading: 'Yêu cầu không hợp lệ', detail: 'Trình duyệt đã gửi một yêu cầu không đúng định dạng. Xin tải lại trang rồi thử lại. / Bad request.' };
}

export function createWebApp(db: Knex, config: Config): express.Express {
  const app = express();
  const ctx: RouteContext = { db, config };
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(helmet({ contentSecurityPolicy: { directives: { 'upgrade-insecure-requests': null } } }));
  app.use('/static', express.static(path.join(REPO_ROOT, 'moihop-web', 'public'), { maxAge: '1h', index: false }));
  app.use(sessionMiddleware(db, config));
  app.use(express.urlencoded({ extended: false, limit: '100kb', parameterLimit: 100 }));
  app.use(csrfProtection);
  app.use(loadCurrentAccount(db));
  app.post('/login', loginAddressLimiter(config));
  const routes: Route[] = [...AUTH_ROUTES, ...ROUTES];
  for (const route of routes) {
    app[route.method](route.path, ...guardFor(route.who), (req: Request, res: Response, next: NextFunction) => {
      route.handler(ctx, req, res).catch(next);
    });
  }
  app.use((req: Request, res: Response) => {
    renderPage(res, 'error', { title: 'Không tìm thấy', heading: 'Không tìm thấy trang', detail: `Địa chỉ ${req.path} không có trên hệ thống.` }, 404).catch(() => res.status(404).end());
  });
  app.use((err: Error & { status?: number }, req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) return res.end();
    if (isCsrfError(err)) {
      log.warn('WEB_CSRF_REFUSED', 'form without a valid CSRF token', { method: req.method, path: req.path, address: req.ip });
      return renderPage(res, 'error', {
        title: 'Biểu mẫu không hợp lệ',
        heading: 'Biểu mẫu đã hết hạn hoặc không hợp lệ',
        detail: 'Phiên làm việc có thể đã hết hạn. Xin tải lại trang, đăng nhập lại nếu cần, rồi gửi lại. / Invalid or expired form (CSRF token).',
      }, 403).catch(() => res.status(403).end());
    }
    if (typeof err.status === 'number' && err.status >= 400 && err.status < 500) {
      return renderPage(res, 'error', { title: 'Yêu cầu không hợp lệ', ...clientErrorText(err.status) }, err.status).catch(() => res.status(err.status!).end());
    }
    log.error('WEB_REQUEST_FAILED', err.message, { method: req.method, path: req.path });
    renderPage(res, 'error', { title: 'Lỗi hệ thống', heading: 'Hệ thống đang gặp sự cố', detail: 'Xin thử lại sau ít phút. Nếu lỗi còn, xin báo Văn phòng UBND tỉnh.' }, 500).catch(() => res.status(500).end());
  });
  return app;
}
