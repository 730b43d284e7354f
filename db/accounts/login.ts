// Checks a username and password, with the per-account limit on wrong passwords: after
// `maxAttempts` failures within `windowMinutes` the account's logins are refused, without
// checking the password, until the oldest of those failures leaves the window.
import type { Knex } from 'knex';
import { Account, findAccountByUsername, loginFailuresSince, recordLogin, recordLoginFailure } from './repository';
import { verifyAgainstDecoy, verifyPassword } from './passwords';

export interface LoginLimits {
  maxAttempts: number;
  windowMinutes: number;
}

export type LoginResult =
  | { kind: 'ok'; account: Account }
  | { kind: 'invalid' }
  | { kind: 'locked'; retryAfterMinutes: number };

export async function authenticate(
  db: Knex,
  attempt: { username: string; password: string; address: string },
  limits: LoginLimits,
  now = new Date(),
): Promise<LoginResult> {
  const found = await findAccountByUsername(db, attempt.username);
  if (!found) {
    await verifyAgainstDecoy(attempt.password);
    return { kind: 'invalid' };
  }
  const windowMs = limits.windowMinutes * 60_000;
  const windowStart = new Date(now.getTime() - windowMs);
  const failures = await loginFailuresSince(db, found.id, windowStart);
  if (failures.length >= limits.maxAttempts) {
    const unlocksAt = failures[limits.maxAttempts - 1].getTime() + windowMs;
    return { kind: 'locked', retryAfterMinutes: Math.max(1, Math.ceil((unlocksAt - now.getTime()) / 60_000)) };
  }
  if (!(await verifyPassword(found.passwordHash, attempt.password))) {
    await recordLoginFailure(db, found.id, attempt.address, now, windowStart);
    return { kind: 'invalid' };
  }
  await recordLogin(db, found.id, now);
  const { passwordHash: _hash, ...account } = found;
  return { kind: 'ok', account: { ...account, lastLoginAt: now } };
}
