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

/**
 * With `rolling`, express-session touches the store on every request that leaves the session unchanged: a
 * write transaction (an fsync on SQLite) per page. The stored expiry of one session is moved at most once per
 * `intervalMs` (a minute, or a tenth of a shorter SESSION_TTL_MINUTES), so the idle timeout holds to within that.
 */
const TOUCH_INTERVAL_MAX_MS = 60_000;
const TOUCHED_MEMORY = 10_000;

function throttleTouches(store: ConnectSessionKnexStore, intervalMs: number): void {
  const touch = store.touch.bind(store);
  const touchedAt = new Map<string, number>();
  store.touch = (sid, sess, callback) => {
    const now = Date.now();
    const last = touchedAt.get(sid);
    if (last !== undefined && now - last < intervalMs) {
      callback?.();
      return Promise.resolve();
    }
    if (touchedAt.size >= TOUCHED_MEMORY) touchedAt.clear(); // bounded memory: forgetting only means touching again
    touchedAt.set(sid, now);
    // connect-session-knex lets a failed UPDATE reject without calling back: express-session would never end
    // the response, and the unhandled rejection would stop the process. A missed touch only keeps the older
    // expiry, so it is logged and the response goes on.
    let answered = false;
    const done = () => {
      if (answered) return;
      answered = true;
      callback?.();
    };
    return touch(sid, sess, done).catch((err: unknown) => {
      touchedAt.delete(sid);
      // Only the database's reason: knex's message starts with the SQL, which names the session id.
      const reason = String((err as Error)?.message ?? err).split(' - ').pop();
      log.warn('WEB_SESSION_TOUCH_FAILED', 'session expiry not moved', { reason });
      done();
    });
  };
}

export function sessionMiddleware(db: Knex, config: Config): RequestHandler {
  const store = new ConnectSessionKnexStore({
    knex: db,
    tableName: 'sessions',
    createTable: false, // created by the accounts migration
    cleanupInterval: 10 * 60_000,
    onDbCleanupError: (err) => log.warn('WEB_SESSION_CLEANUP_FAILED', (err as Error)?.message ?? String(err)),
  });
  throttleTouches(store, Math.min(TOUCH_INTERVAL_MAX_MS, config.sessionTtlMinutes * 6_000));
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
