// Adds one more account after first setup (another clerk or admin of VP UBND, or a new unit's account).
import type { Knex } from 'knex';
import { Account, findAccountByUsername, insertAccountsIfMissing, Role } from './repository';
import { generatePassword, hashGeneratedPassword } from './passwords';
import { staffUnit } from './first-setup';
import { findUnitById } from '../units/repository';

export class AccountExistsError extends Error {}
export class UnknownUnitError extends Error {}

export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{1,39}$/;

/** Creates the account with a random password (returned once, to be changed at first login). */
export async function addAccount(db: Knex, request: { username: string; role: Role; unitId?: string }, now = new Date()): Promise<{ account: Account; password: string }> {
  const unitId = request.unitId ?? (request.role === 'unit' ? null : (await staffUnit(db))?.unitId ?? null);
  if (request.unitId && !(await findUnitById(db, request.unitId))) throw new UnknownUnitError(`không có đơn vị / no such unit: ${request.unitId}`);
  if (request.role === 'unit' && !unitId) throw new UnknownUnitError('tài khoản đơn vị cần --unit <mã đơn vị> / a unit account needs --unit <unit id>');
  const password = generatePassword();
  const inserted = await insertAccountsIfMissing(db, [{ username: request.username, role: request.role, unitId, passwordHash: await hashGeneratedPassword(password), passwordSource: 'reset' }], now);
  if (!inserted.length) throw new AccountExistsError(`tài khoản đã có / account exists: ${request.username}`);
  const { passwordHash: _hash, ...account } = (await findAccountByUsername(db, request.username))!;
  return { account, password };
}
