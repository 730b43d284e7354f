// The per-address limit on failed logins (express-rate-limit, in memory per web process): only
// refused attempts count, so a whole office behind one address logging in normally is never slowed.
// The per-account limit lives with the accounts (db/accounts/login.ts), shared by every process.
import { rateLimit } from 'express-rate-limit';
import type { RequestHandler } from 'express';
import type { Config } from '../../config';
import { renderLoginPage } from './login-page';
import { createLogger } from '../../log';

const log = createLogger('web');

export function loginAddressLimiter(config: Config): RequestHandler {
  return rateLimit({
    windowMs: config.loginWindowMinutes * 60_000,
    limit: config.loginMaxAttemptsPerAddress,
    skipSuccessfulRequests: true, // a 303 after a good password is not counted
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: async (req, res, _next, options) => {
      log.warn('LOGIN_ADDRESS_LIMITED', 'too many failed logins from one address', { address: req.ip });
      const resetTime = (req as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const minutes = Math.max(1, Math.ceil((resetTime ? resetTime.getTime() - Date.now() : options.windowMs) / 60_000));
      await renderLoginPage(req, res, {
        status: options.statusCode,
        error: `Đăng nhập sai quá nhiều lần từ địa chỉ này. Xin thử lại sau ${minutes} phút. / Too many failed logins from this address: try again in ${minutes} minutes.`,
      });
    },
  });
}
