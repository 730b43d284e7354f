// Server-side sessions: express-session with the `sessions` table through connect-session-knex.
// The cookie holds only the signed session id; it expires after SESSION_TTL_MINUTES without a request.
import session from 'express-session';
import { ConnectSessionKnexStore } from 'connect-session-knex';
import type { Knex } from 'knex';
import type { RequestHandler } from 'express';
import type { Config } from '../../config';
import { loadSessionSecret } from './session-secret';
import { createLogger } from '../../log';

const log = createLogger('web');

declare module 'express-session' {
  interface SessionData {
    accountId: number;
    /** The account's session epoch at login: a later password change makes it stale. */
    sessionEpoch: number;
  }
}

export const SESSION_COOKIE_NAME = 'moihop.sid';

export function sessionMiddleware(db: Knex, config: Config): RequestHandler {
  const store = new ConnectSessionKnexStore({
    knex: db,
    tableName: 'sessions',
    createTable: false, // created by the accounts migration
    cleanupInterval: 10 * 60_000,
    onDbCleanupError: (err) => log.warn('WEB_SESSION_CLEANUP_FAILED', (err as Error)?.message ?? String(err)),
  });
  return session({
    name: SESSION_COOKIE_NAME,
    secret: loadSessionSecret(config),
    store,
    resave: false,
    saveUninitialized: false, // no row for visitors who never see a form
    rolling: true, // every request pushes the expiry back: an idle timeout
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: config.cookieSecure,
      maxAge: config.sessionTtlMinutes * 60_000,
    },
  });
}
