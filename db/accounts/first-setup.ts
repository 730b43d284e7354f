// First setup of the website accounts, run at every start and idempotent: every unit with a moihop
// username and the VP UBND staff accounts get an account; only accounts created now get a random
// initial password, appended to DATA_DIR/initial-passwords.txt before the accounts are committed.
import type { Knex } from 'knex';
import { generatePassword, hashGeneratedPassword } from './passwords';
import { insertAccountsIfMissing, listUnitsWithUsername, listUsernames, NewAccount, Role } from './repository';
import { appendInitialPasswords, IssuedPassword } from './initial-passwords-file';

/** The staff accounts of VP UBND created at first setup; more can be added with `accounts add`. */
export const STAFF_ACCOUNTS: Array<{ username: string; role: Role }> = [
  { username: 'quantri', role: 'admin' },
  { username: 'vanthu', role: 'clerk' },
];

/** Staff accounts belong to the unit whose moihop username this is (Văn phòng UBND tỉnh). */
export const STAFF_UNIT_USERNAME = 'vpubnd';

export interface SetupResult {
  created: IssuedPassword[];
  file: string | null;
}

export async function staffUnit(db: Knex): Promise<{ unitId: string; unitName: string } | null> {
  return (await listUnitsWithUsername(db)).find((u) => u.username === STAFF_UNIT_USERNAME) ?? null;
}

/** Hashes in a few parallel lanes (argon2 runs on the libuv thread pool). */
async function hashAll(passwords: string[]): Promise<string[]> {
  const hashes: string[] = new Array(passwords.length);
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < passwords.length; i = next++) hashes[i] = await hashGeneratedPassword(passwords[i]);
  };
  await Promise.all([lane(), lane(), lane(), lane()]);
  return hashes;
}

export async function ensureAccounts(db: Knex, dataDir: string, now = new Date()): Promise<SetupResult> {
  const existing = await listUsernames(db);
  const units = await listUnitsWithUsername(db);
  const staff = units.find((u) => u.username === STAFF_UNIT_USERNAME) ?? null;
  const planned: Array<{ username: string; role: Role; unitId: string | null; unitName: string | null }> = [
    ...STAFF_ACCOUNTS.map((s) => ({ ...s, unitId: staff?.unitId ?? null, unitName: staff?.unitName ?? null })),
    ...units.map((u) => ({ username: u.username, role: 'unit' as const, unitId: u.unitId, unitName: u.unitName })),
  ];
  const missing = planned.filter((p) => !existing.has(p.username));
  if (!missing.length) return { created: [], file: null };

  const passwords = missing.map(() => generatePassword());
  const hashes = await hashAll(passwords);
  return db.transaction(async (trx) => {
    const rows: NewAccount[] = missing.map((m, i) => ({ username: m.username, role: m.role, unitId: m.unitId, passwordHash: hashes[i], passwordSource: 'initial' }));
    // Another process starting at the same moment may have created some: write only ours.
    const inserted = new Set(await insertAccountsIfMissing(trx, rows, now));
    const created = missing
      .map((m, i) => ({ username: m.username, password: passwords[i], role: m.role, unitName: m.unitName }))
      .filter((entry) => inserted.has(entry.username));
    const file = created.length ? appendInitialPasswords(dataDir, created, now) : null;
    return { created, file };
  });
}
