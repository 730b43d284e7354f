// What the invitation routes read from a request: the acting unit and an invitation id that can be one.
import type { Request, Response } from 'express';
import { requireCurrentAccount } from '../auth/current-account';
import type { UnitActor } from '../invitations';
import { INVITATION_ID_PATTERN } from '../../db/invitations/rows';

/** The unit account acting, or null when the account has no unit (then nothing is its own). */
export function unitActor(res: Response): UnitActor | null {
  const account = requireCurrentAccount(res);
  return account.unitId ? { unitId: account.unitId, username: account.username } : null;
}

/** The invitation id of the path when it can be one; anything else is simply not found. */
export function invitationIdParam(req: Request): string | null {
  const id = String(req.params.id ?? '');
  return INVITATION_ID_PATTERN.test(id) ? id : null;
}
