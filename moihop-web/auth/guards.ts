// Who may use a route: the `who` of the route table turned into middleware.
import type { Request, RequestHandler, Response } from 'express';
import type { Account, Role } from '../../db/accounts/repository';
import { renderPage } from '../render';
import { currentAccount } from './current-account';

/**
 * - `public`: anyone;
 * - `signed-in`: any logged-in account, even one that must still change its initial password
 *   (only the password and logout routes);
 * - `account`: any logged-in account that has changed its initial password;
 * - `unit`, `clerk`, `admin`: that role only; `staff`: clerk or admin (VP UBND).
 */
export type Audience = 'public' | 'signed-in' | 'account' | 'staff' | Role;

const ROLES_OF: Record<Exclude<Audience, 'public' | 'signed-in' | 'account'>, Role[]> = {
  unit: ['unit'],
  clerk: ['clerk'],
  admin: ['admin'],
  staff: ['clerk', 'admin'],
};

/** Where an account goes after logging in: a unit to its invitations, VP UBND staff to the follow-up. */
export function landingPathFor(account: Account): string {
  return account.role === 'unit' ? '/invitations' : '/admin/invitations';
}

/** `raw` when it is a path of this site (never `//host` or a full URL), else null. */
export function safeNextPath(raw: unknown): string | null {
  if (typeof raw !== 'string' || raw.length > 500) return null;
  return /^\/(?![/\\])[^\s\\]*$/.test(raw) ? raw : null;
}

function sendRefusal(res: Response, status: number, heading: string, detail: string): Promise<void> {
  return renderPage(res, 'error', { title: heading, heading, detail }, status);
}

function wantsPage(req: Request): boolean {
  return req.method === 'GET' || req.method === 'HEAD';
}

/** Logged in (and, unless allowed, with the initial password changed); else to the login or password page. */
export function requireLogin(options: { allowPendingPasswordChange?: boolean } = {}): RequestHandler {
  return async (req, res, next) => {
    const account = currentAccount(res);
    if (!account) {
      if (wantsPage(req)) return res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
      return sendRefusal(res, 401, 'Chưa đăng nhập', 'Phiên làm việc đã hết hoặc chưa đăng nhập. Xin đăng nhập lại. / Not logged in.');
    }
    if (account.mustChangePassword && !options.allowPendingPasswordChange) {
      if (wantsPage(req)) return res.redirect(303, '/password');
      return sendRefusal(res, 403, 'Cần đổi mật khẩu', 'Xin đổi mật khẩu ban đầu trước khi dùng hệ thống. / Change your initial password first.');
    }
    next();
  };
}

/** Logged in with one of `roles` (and the initial password changed). */
export function requireRole(...roles: Role[]): RequestHandler[] {
  const allowed: RequestHandler = async (_req, res, next) => {
    if (roles.includes(currentAccount(res)!.role)) return next();
    await sendRefusal(res, 403, 'Không có quyền truy cập', 'Tài khoản của quý đơn vị không được dùng trang này. / Forbidden.');
  };
  return [requireLogin(), allowed];
}

export const requireUnit = requireRole('unit');
export const requireStaff = requireRole('clerk', 'admin');
export const requireAdmin = requireRole('admin');

export function guardFor(who: Audience): RequestHandler[] {
  if (who === 'public') return [];
  if (who === 'signed-in') return [requireLogin({ allowPendingPasswordChange: true })];
  if (who === 'account') return [requireLogin()];
  return requireRole(...ROLES_OF[who]);
}
