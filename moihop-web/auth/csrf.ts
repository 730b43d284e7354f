// CSRF protection (synchronizer token, csrf-sync): a random token kept in the server-side session must
// come back with every POST, as the `_csrf` form field or the `x-csrf-token` header.
import { csrfSync } from 'csrf-sync';
import type { Request, RequestHandler } from 'express';

export const CSRF_FIELD = '_csrf';

function tokenFromRequest(req: Request): string | undefined {
  const fromBody = (req.body as Record<string, unknown> | undefined)?.[CSRF_FIELD];
  if (typeof fromBody === 'string') return fromBody;
  const fromHeader = req.headers['x-csrf-token'];
  if (typeof fromHeader === 'string') return fromHeader;
  // A multipart body (file upload) is read by the route, after this check: there the form sends
  // the token in its action URL (`?_csrf=`).
  const fromQuery = req.is('multipart/form-data') ? req.query[CSRF_FIELD] : undefined;
  return typeof fromQuery === 'string' ? fromQuery : undefined;
}

const csrf = csrfSync({ size: 32, getTokenFromRequest: tokenFromRequest });

/** Refuses every POST/PUT/PATCH/DELETE whose token does not match the session's (error code EBADCSRFTOKEN). */
export const csrfProtection: RequestHandler = csrf.csrfSynchronisedProtection;

/** The session's token, created on first use. `overwrite` issues a fresh one (after login). */
export function csrfToken(req: Request, overwrite = false): string {
  return csrf.generateToken(req, overwrite);
}

export function isCsrfError(err: unknown): boolean {
  return (err as { code?: string } | null)?.code === 'EBADCSRFTOKEN';
}
