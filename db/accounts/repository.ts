// Data access for website accounts and their failed logins. Every query about accounts goes through here.
import type { Knex } from 'knex';
import { formatIsoVietnam, toDate } from '../time';

export const ROLES = ['unit', 'clerk', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who set the current password: first setup, an admin reset, the account itself, or an operator's command. */
export type PasswordSource = 'initial' | 'reset' | 'user' | 'operator';

export interface Account {
  id: number;
  username: string;
  role: Role;
  unitId: string | null;
  unitName: string | null;
  mustChangePassword: boolean;
  passwordSource: PasswordSource;
  /** Bumped whenever the password changes: sessions opened under an older epoch are no longer valid. */
  sessionEpoch: number;
  passwordChangedAt: Date;
  lastLoginAt: Date | null;
}

export interface AccountWithHash extends Account {
  passwordHash: string;
}

export interface NewAccount {
  username: string;
  role: Role;
  unitId: string | null;
  passwordHash: string;
  passwordSource: PasswordSource;
}

interface AccountRow {
  id: number;
  username: string;
  role: string;
  unit_id: string | null;
  unit_name: string | null;
  must_change_password: boolean | number;
  password_source: string;
  session_epoch: number;
  password_changed_at: string | Date;
  last_login_at: string | Date | null;
  password_hash: string;
}

const stamp = (date: Date) => formatIsoVietnam(date, true);

function accountQuery(db: Knex) {
  return db('accounts')
    .leftJoin('units', 'units.id', 'accounts.unit_id')
    .select(
      'accounts.id', 'accounts.username', 'accounts.role', 'accounts.unit_id', 'units.name as unit_name',
      'accounts.must_change_password', 'accounts.password_source', 'accounts.session_epoch',
      'accounts.password_changed_at', 'accounts.last_login_at', 'accounts.password_hash',
    );
}

function toAccount(row: AccountRow): AccountWithHash {
  return {
    id: Number(row.id),
    username: row.username,
    role: row.role as Role,
    unitId: row.unit_id,
    unitName: row.unit_name,
    mustChangePassword: Boolean(row.must_change_password),
    passwordSource: row.password_source as PasswordSource,
    sessionEpoch: Number(row.session_epoch),
    passwordChangedAt: toDate(row.password_changed_at)!,
    lastLoginAt: toDate(row.last_login_at),
    passwordHash: row.password_hash,
  };
}

function withoutHash({ passwordHash: _hash, ...account }: AccountWithHash): Account {
  return account;
}

export async function findAccountByUsername(db: Knex, username: string): Promise<AccountWithHash | null> {
  const row = (await accountQuery(db).where('accounts.username', username).first()) as AccountRow | undefined;
  return row ? toAccount(row) : null;
}

export async function findAccountById(db: Knex, id: number): Promise<Account | null> {
  const row = (await accountQuery(db).where('accounts.id', id).first()) as AccountRow | undefined;
  return row ? withoutHash(toAccount(row)) : null;
}

/** Staff first (admin, clerk), then units by username. */
export async function listAccounts(db: Knex): Promise<Account[]> {
  const rows = (await accountQuery(db).orderBy('accounts.username')) as AccountRow[];
  const rank: Record<Role, number> = { admin: 0, clerk: 1, unit: 2 };
  return rows.map((row) => withoutHash(toAccount(row))).sort((a, b) => rank[a.role] - rank[b.role]);
}

export async function listUsernames(db: Knex): Promise<Set<string>> {
  return new Set(((await db('accounts').select('username')) as Array<{ username: string }>).map((r) => r.username));
}

/** The units that have a moihop username, i.e. that get an account. */
export async function listUnitsWithUsername(db: Knex): Promise<Array<{ unitId: string; unitName: string; username: string }>> {
  const rows = (await db('units').whereNotNull('moihop_username').select('id', 'name', 'moihop_username')) as Array<{ id: string; name: string; moihop_username: string }>;
  return rows.map((r) => ({ unitId: r.id, unitName: r.name, username: r.moihop_username }));
}

/** Inserts the accounts whose username is still free; returns the usernames actually inserted. */
export async function insertAccountsIfMissing(db: Knex, accounts: NewAccount[], now: Date): Promise<string[]> {
  if (!accounts.length) return [];
  const rows = accounts.map((a) => ({
    username: a.username,
    unit_id: a.unitId,
    role: a.role,
    password_hash: a.passwordHash,
    must_change_password: true,
    password_source: a.passwordSource,
    session_epoch: 0,
    password_changed_at: stamp(now),
    created_at: stamp(now),
  }));
  const inserted = (await db('accounts').insert(rows).onConflict('username').ignore().returning('username')) as Array<{ username: string }>;
  return inserted.map((r) => r.username);
}

/** Replaces the password and invalidates older sessions; returns the new session epoch. */
export async function updatePassword(
  db: Knex,
  accountId: number,
  change: { passwordHash: string; mustChange: boolean; source: PasswordSource },
  now: Date,
): Promise<number> {
  return db.transaction(async (trx) => {
    await trx('accounts').where({ id: accountId }).update({
      password_hash: change.passwordHash,
      must_change_password: change.mustChange,
      password_source: change.source,
      password_changed_at: stamp(now),
      session_epoch: trx.raw('session_epoch + 1'),
    });
    await trx('login_failures').where({ account_id: accountId }).delete();
    const row = (await trx('accounts').where({ id: accountId }).first('session_epoch')) as { session_epoch: number };
    return Number(row.session_epoch);
  });
}

export async function recordLogin(db: Knex, accountId: number, now: Date): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('accounts').where({ id: accountId }).update({ last_login_at: stamp(now) });
    await trx('login_failures').where({ account_id: accountId }).delete();
  });
}

export async function recordLoginFailure(db: Knex, accountId: number, address: string, now: Date, forgetBefore: Date): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('login_failures').where('account_id', accountId).andWhere('at', '<', stamp(forgetBefore)).delete();
    await trx('login_failures').insert({ account_id: accountId, address: address.slice(0, 64), at: stamp(now) });
  });
}

/** The account's failed logins since `since`, newest first (only their times). */
export async function loginFailuresSince(db: Knex, accountId: number, since: Date): Promise<Date[]> {
  const rows = (await db('login_failures').where('account_id', accountId).andWhere('at', '>=', stamp(since)).orderBy('at', 'desc').select('at')) as Array<{ at: string | Date }>;
  return rows.map((r) => toDate(r.at)!);
}
