// The login, logout, password and account-administration routes. Handlers call the account services.
import type { Request, Response } from 'express';
import type { Route, RouteContext } from '../routes';
import { renderPage } from '../render';
import { authenticate } from '../../db/accounts/login';
import { changeOwnPassword, resetPassword, AccountNotFoundError } from '../../db/accounts/password-changes';
import { listAccounts } from '../../db/accounts/repository';
import { PASSWORD_MAX_LENGTH } from '../../db/accounts/passwords';
import { currentAccount, regenerateSession, requireCurrentAccount } from './current-account';
import { landingPathFor, safeNextPath } from './guards';
import { renderLoginPage } from './login-page';
import { csrfToken } from './csrf';
import { SESSION_COOKIE_NAME } from './session';
import { createLogger } from '../../log';
import { recordAudit } from '../../db/audit/repository';

const log = createLogger('web');

function field(req: Request, name: string): string {
  const value = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
}

async function loginForm(_ctx: RouteContext, req: Request, res: Response) {
  const next = safeNextPath(req.query.next);
  const account = currentAccount(res);
  if (account) return res.redirect(303, account.mustChangePassword ? '/password' : next ?? landingPathFor(account));
  await renderLoginPage(req, res, { next });
}

async function login(ctx: RouteContext, req: Request, res: Response) {
  const username = field(req, 'username').trim().toLowerCase();
  const password = field(req, 'password');
  const next = safeNextPath(field(req, 'next'));
  if (!username || !password) {
    return renderLoginPage(req, res, { status: 400, username, next, error: 'Xin nhập tên đăng nhập và mật khẩu.' });
  }
  const address = req.ip ?? 'unknown';
  const result = username.length > 40 || password.length > PASSWORD_MAX_LENGTH
    ? ({ kind: 'invalid' } as const)
    : await authenticate(ctx.db, { username, password, address }, { maxAttempts: ctx.config.loginMaxAttempts, windowMinutes: ctx.config.loginWindowMinutes });
  if (result.kind === 'locked') {
    log.warn('LOGIN_ACCOUNT_LOCKED', 'login refused: too many wrong passwords for this account', { username, address });
    return renderLoginPage(req, res, {
      status: 429, username, next,
      error: `Tài khoản này đã nhập sai mật khẩu quá nhiều lần nên tạm khóa. Xin thử lại sau ${result.retryAfterMinutes} phút, hoặc liên hệ Văn phòng UBND tỉnh để được cấp lại mật khẩu. / Too many wrong passwords: try again in ${result.retryAfterMinutes} minutes.`,
    });
  }
  if (result.kind === 'invalid') {
    log.warn('LOGIN_FAILED', 'wrong username or password', { username, address });
    return renderLoginPage(req, res, { status: 401, username, next, error: 'Tên đăng nhập hoặc mật khẩu không đúng.' });
  }
  const { account } = result;
  await regenerateSession(req); // a new session id at login: no session fixation
  req.session.accountId = account.id;
  req.session.sessionEpoch = account.sessionEpoch;
  csrfToken(req, true);
  log.info('LOGIN_OK', 'logged in', { username, role: account.role, address });
  res.redirect(303, account.mustChangePassword ? '/password' : next ?? landingPathFor(account));
}

async function logout(_ctx: RouteContext, req: Request, res: Response) {
  const username = currentAccount(res)?.username;
  await new Promise<void>((resolve, reject) => req.session.destroy((err) => (err ? reject(err) : resolve())));
  res.clearCookie(SESSION_COOKIE_NAME);
  log.info('LOGOUT', 'logged out', { username });
  res.redirect(303, '/login');
}

function renderPasswordPage(res: Response, state: { status?: number; error?: string | null; changed?: boolean; minLength: number }) {
  const account = requireCurrentAccount(res);
  return renderPage(res, 'password', {
    title: 'Đổi mật khẩu',
    forced: account.mustChangePassword,
    error: state.error ?? null,
    changed: state.changed ?? false,
    minLength: state.minLength,
  }, state.status ?? 200);
}

async function passwordForm(ctx: RouteContext, _req: Request, res: Response) {
  await renderPasswordPage(res, { minLength: ctx.config.passwordMinLength });
}

async function changePassword(ctx: RouteContext, req: Request, res: Response) {
  const account = requireCurrentAccount(res);
  const result = await changeOwnPassword(ctx.db, account, {
    current: field(req, 'current_password'),
    next: field(req, 'new_password'),
    confirm: field(req, 'confirm_password'),
  }, ctx.config.passwordMinLength);
  if (!result.ok) return renderPasswordPage(res, { status: 400, error: result.problem, minLength: ctx.config.passwordMinLength });
  // Other sessions of this account end (their epoch is stale); this one goes on under a new id.
  await regenerateSession(req);
  req.session.accountId = account.id;
  req.session.sessionEpoch = result.sessionEpoch;
  res.locals.csrfToken = csrfToken(req, true);
  log.info('PASSWORD_CHANGED', 'password changed by its account', { username: account.username });
  if (account.mustChangePassword) return res.redirect(303, landingPathFor(account));
  res.locals.account = { ...account, mustChangePassword: false, sessionEpoch: result.sessionEpoch };
  await renderPasswordPage(res, { changed: true, minLength: ctx.config.passwordMinLength });
}

async function accountsPage(ctx: RouteContext, _req: Request, res: Response) {
  await renderPage(res, 'admin-accounts', { title: 'Quản lý tài khoản', accounts: await listAccounts(ctx.db) });
}

async function adminResetPassword(ctx: RouteContext, req: Request, res: Response) {
  const username = String(req.params.username ?? '');
  try {
    const by = requireCurrentAccount(res).username;
    const { account, password } = await resetPassword(ctx.db, username);
    await recordAudit(ctx.db, {
      actor: by, action: 'account.password-reset', objectType: 'account', objectId: account.username,
      summary: `Đặt lại mật khẩu tài khoản ${account.username} (phải đổi khi đăng nhập)`,
    });
    log.info('PASSWORD_RESET', 'password reset by an admin', { username, by });
    await renderPage(res, 'admin-password-reset', { title: 'Đã đặt lại mật khẩu', target: account, password });
  } catch (err) {
    if (!(err instanceof AccountNotFoundError)) throw err;
    await renderPage(res, 'error', { title: 'Không tìm thấy', heading: 'Không có tài khoản này', detail: `Không có tài khoản "${username}".` }, 404);
  }
}

export const AUTH_ROUTES: Route[] = [
  { method: 'get', path: '/login', who: 'public', handler: loginForm },
  { method: 'post', path: '/login', who: 'public', handler: login },
  { method: 'post', path: '/logout', who: 'signed-in', handler: logout },
  { method: 'get', path: '/password', who: 'signed-in', handler: passwordForm },
  { method: 'post', path: '/password', who: 'signed-in', handler: changePassword },
  { method: 'get', path: '/admin/accounts', who: 'admin', handler: accountsPage },
  { method: 'post', path: '/admin/accounts/:username/reset-password', who: 'admin', handler: adminResetPassword },
];
