// Loads the logged-in account of the session on every request (so a reset, a role change or a new
// password takes effect at once) and exposes it, with the CSRF token, to handlers and templates.
import type { Knex } from 'knex';
import type { Request, RequestHandler, Response } from 'express';
import { Account, findAccountById } from '../../db/accounts/repository';
import { csrfToken } from './csrf';

export function regenerateSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
}

export function loadCurrentAccount(db: Knex): RequestHandler {
  return async (req, res, next) => {
    const accountId = req.session.accountId;
    if (accountId !== undefined) {
      const account = await findAccountById(db, accountId);
      if (account && account.sessionEpoch === req.session.sessionEpoch) {
        res.locals.account = account;
        res.locals.csrfToken = csrfToken(req);
        res.set('Cache-Control', 'no-store'); // pages of a logged-in account never stay in a shared browser's cache
      } else {
        // The password changed since this login (or the account is gone): the session is over.
        await regenerateSession(req);
      }
    }
    next();
  };
}

/** The logged-in account, or null on a public page visited without logging in. */
export function currentAccount(res: Response): Account | null {
  return (res.locals.account as Account | undefined) ?? null;
}

/** The logged-in account in a handler whose route requires one (its guard has already run). */
export function requireCurrentAccount(res: Response): Account {
  const account = currentAccount(res);
  if (!account) throw new Error('requireCurrentAccount on a route without a login guard');
  return account;
}
