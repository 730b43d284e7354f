// Every way a password changes: by the account itself, by an admin reset, by an operator's command.
// Each one bumps the account's session epoch, which ends the sessions opened with the old password.
import type { Knex } from 'knex';
import { Account, findAccountById, findAccountByUsername, updatePassword } from './repository';
import { generatePassword, hashGeneratedPassword, hashPassword, passwordProblem, verifyPassword } from './passwords';

export class AccountNotFoundError extends Error {
  constructor(username: string) {
    super(`không có tài khoản / no such account: ${username}`);
  }
}

export class PasswordRejectedError extends Error {}

export type OwnChangeResult = { ok: true; sessionEpoch: number } | { ok: false; problem: string };

/** The account changes its own password: it must know the current one and pick an acceptable new one. */
export async function changeOwnPassword(
  db: Knex,
  account: Account,
  form: { current: string; next: string; confirm: string },
  minLength: number,
  now = new Date(),
): Promise<OwnChangeResult> {
  const stored = await findAccountByUsername(db, account.username);
  if (!stored || !(await verifyPassword(stored.passwordHash, form.current))) return { ok: false, problem: 'Mật khẩu hiện tại không đúng.' };
  if (form.next !== form.confirm) return { ok: false, problem: 'Hai lần nhập mật khẩu mới không khớp nhau.' };
  const problem = passwordProblem(form.next, account.username, minLength);
  if (problem) return { ok: false, problem };
  if (form.next === form.current) return { ok: false, problem: 'Mật khẩu mới phải khác mật khẩu hiện tại.' };
  const sessionEpoch = await updatePassword(db, account.id, { passwordHash: await hashPassword(form.next), mustChange: false, source: 'user' }, now);
  return { ok: true, sessionEpoch };
}

/** An admin resets: a new random password, shown once, to be changed at the next login. */
export async function resetPassword(db: Knex, username: string, now = new Date()): Promise<{ account: Account; password: string }> {
  const found = await findAccountByUsername(db, username);
  if (!found) throw new AccountNotFoundError(username);
  const password = generatePassword();
  await updatePassword(db, found.id, { passwordHash: await hashGeneratedPassword(password), mustChange: true, source: 'reset' }, now);
  return { account: (await findAccountById(db, found.id))!, password };
}

/** An operator sets a chosen password (no forced change); it must still meet the rules. */
export async function setPasswordByOperator(db: Knex, username: string, password: string, minLength: number, now = new Date()): Promise<Account> {
  const found = await findAccountByUsername(db, username);
  if (!found) throw new AccountNotFoundError(username);
  const problem = passwordProblem(password, username, minLength);
  if (problem) throw new PasswordRejectedError(problem);
  await updatePassword(db, found.id, { passwordHash: await hashPassword(password), mustChange: false, source: 'operator' }, now);
  return (await findAccountById(db, found.id))!;
}
