// Accounts at first setup and the operators' command, on SQLite and PostgreSQL: one account per moihop
// username plus quantri/vanthu, initial passwords appended once to a 0600 file, the JSON contract,
// set-password from stdin, resets, additions, and clear exit codes.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runScript } from './support/product';
import { DATABASE_KINDS, dropSchema, freshDatabaseEnv, tempDir } from './support/databases';
import { loadConfig } from '../config';
import { openDatabase } from '../db/connection';
import { verifyPassword } from '../db/accounts/passwords';

interface ListedAccount {
  username: string;
  unit: string | null;
  role: string;
  mustChangePassword: boolean;
}

async function listAccounts(env: Record<string, string>): Promise<ListedAccount[]> {
  const result = await runScript('accounts', ['list', '--json'], env);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as ListedAccount[];
}

function passwordLines(text: string): string[][] {
  return text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split('\t'));
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: first setup creates every account once, with initial passwords appended to a 0600 file`, async () => {
    const dataDir = tempDir('moihop-accounts');
    const env = freshDatabaseEnv(kind, dataDir);
    const file = path.join(dataDir, 'initial-passwords.txt');
    // An older file (say, from a previous installation) is kept as it is: new batches only append.
    fs.writeFileSync(file, '# older batch\nold\tpassword\tunit\t\n', { mode: 0o644 });
    try {
      const accounts = await listAccounts(env);
      assert.equal(accounts.length, 130);
      for (const account of accounts) assert.deepEqual(Object.keys(account), ['username', 'unit', 'role', 'mustChangePassword']);
      assert.ok(accounts.every((a) => a.mustChangePassword));
      const units = accounts.filter((a) => a.role === 'unit');
      assert.equal(units.length, 128);
      assert.ok(units.every((a) => a.unit));
      assert.equal(new Set(units.map((a) => a.unit)).size, 128, 'one account per unit');
      assert.deepEqual(accounts.find((a) => a.username === 'quantri'), { username: 'quantri', unit: 'van-phong-ubnd-tinh', role: 'admin', mustChangePassword: true });
      assert.deepEqual(accounts.find((a) => a.username === 'vanthu'), { username: 'vanthu', unit: 'van-phong-ubnd-tinh', role: 'clerk', mustChangePassword: true });
      assert.equal(accounts.find((a) => a.username === 'congan')?.unit, 'cong-an-tinh');

      assert.equal(fs.statSync(file).mode & 0o777, 0o600);
      const firstText = fs.readFileSync(file, 'utf8');
      assert.ok(firstText.startsWith('# older batch\nold\tpassword\tunit\t\n'), 'the older content is untouched');
      const issued = passwordLines(firstText).slice(1);
      assert.equal(issued.length, 130);
      assert.deepEqual(new Set(issued.map((l) => l[0])), new Set(accounts.map((a) => a.username)));
      assert.equal(new Set(issued.map((l) => l[1])).size, 130, 'every password differs');
      assert.ok(issued.every((l) => /^[A-Za-z2-9]{14}$/.test(l[1])));

      // The database holds argon2id hashes that match the file, never the passwords.
      const db = await openDatabase(loadConfig(env));
      try {
        const row = (await db('accounts').where({ username: 'congan' }).first('password_hash')) as { password_hash: string };
        assert.match(row.password_hash, /^\$argon2id\$/);
        assert.ok(await verifyPassword(row.password_hash, issued.find((l) => l[0] === 'congan')![1]));
        assert.equal(await verifyPassword(row.password_hash, 'wrong-password'), false);
      } finally {
        await db.destroy();
      }

      // A second start creates nothing and writes nothing.
      assert.equal((await listAccounts(env)).length, 130);
      assert.equal(fs.readFileSync(file, 'utf8'), firstText);

      // An account that goes missing (a unit added later, say) is created alone, in a new batch.
      const db2 = await openDatabase(loadConfig(env));
      try {
        await db2('accounts').where({ username: 'phuquy' }).delete();
      } finally {
        await db2.destroy();
      }
      assert.equal((await listAccounts(env)).length, 130);
      const secondText = fs.readFileSync(file, 'utf8');
      assert.ok(secondText.startsWith(firstText));
      const added = passwordLines(secondText.slice(firstText.length));
      assert.deepEqual(added.map((l) => l[0]), ['phuquy']);

      // The admin prints them per unit, or all still unchanged.
      const one = await runScript('accounts', ['initial-passwords', '--unit', 'phuquy'], env);
      assert.equal(one.code, 0, one.stderr);
      assert.equal(one.stdout.trim().split('\t')[1], added[0][1], 'the latest batch wins');
      const all = await runScript('accounts', ['initial-passwords'], env);
      assert.equal(all.code, 0, all.stderr);
      assert.equal(all.stdout.trim().split('\n').length, 130);
    } finally {
      await dropSchema(env);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
}

test('accounts command: set-password from stdin, reset-password, add, and clear exit codes', async () => {
  const dataDir = tempDir('moihop-accounts-cli');
  const env = { DATA_DIR: dataDir };
  try {
    const set = await runScript('accounts', ['set-password', 'congan', '--password-stdin'], env, 'Mot-mat-khau-dai-2026\n');
    assert.equal(set.code, 0, set.stderr);
    let accounts = await listAccounts(env);
    assert.equal(accounts.find((a) => a.username === 'congan')?.mustChangePassword, false, 'an operator-set password needs no change');
    const afterSet = await runScript('accounts', ['initial-passwords', '--unit', 'congan'], env);
    assert.equal(afterSet.code, 1);
    assert.match(afterSet.stderr, /đã đổi hoặc được cấp lại/);
    assert.equal((await runScript('accounts', ['initial-passwords'], env)).stdout.trim().split('\n').length, 129);

    const db = await openDatabase(loadConfig(env));
    try {
      const row = (await db('accounts').where({ username: 'congan' }).first('password_hash')) as { password_hash: string };
      assert.ok(await verifyPassword(row.password_hash, 'Mot-mat-khau-dai-2026'), 'only the final newline is dropped');
    } finally {
      await db.destroy();
    }

    const tooShort = await runScript('accounts', ['set-password', 'congan', '--password-stdin'], env, 'short\n');
    assert.equal(tooShort.code, 1);
    assert.match(tooShort.stderr, /ít nhất 10 ký tự/);
    const empty = await runScript('accounts', ['set-password', 'congan', '--password-stdin'], env, '');
    assert.equal(empty.code, 1);
    const noFlag = await runScript('accounts', ['set-password', 'congan'], env, 'Mot-mat-khau-dai-2026\n');
    assert.equal(noFlag.code, 2);
    assert.match(noFlag.stderr, /--password-stdin/);
    const unknown = await runScript('accounts', ['set-password', 'nobody', '--password-stdin'], env, 'Mot-mat-khau-dai-2026\n');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no such account: nobody/);

    const reset = await runScript('accounts', ['reset-password', 'vphdnd'], env);
    assert.equal(reset.code, 0, reset.stderr);
    const [username, password] = reset.stdout.trim().split('\t');
    assert.equal(username, 'vphdnd');
    assert.match(password, /^[A-Za-z2-9]{14}$/);
    accounts = await listAccounts(env);
    assert.equal(accounts.find((a) => a.username === 'vphdnd')?.mustChangePassword, true);
    const afterReset = await runScript('accounts', ['initial-passwords'], env);
    assert.ok(!/^vphdnd\t/m.test(afterReset.stdout), 'a reset voids the initial password');

    const add = await runScript('accounts', ['add', 'vanthu2', '--role', 'clerk'], env);
    assert.equal(add.code, 0, add.stderr);
    accounts = await listAccounts(env);
    assert.deepEqual(accounts.find((a) => a.username === 'vanthu2'), { username: 'vanthu2', unit: 'van-phong-ubnd-tinh', role: 'clerk', mustChangePassword: true });
    assert.equal((await runScript('accounts', ['add', 'vanthu2', '--role', 'clerk'], env)).code, 1);
    assert.equal((await runScript('accounts', ['add', 'x y', '--role', 'clerk'], env)).code, 2);
    assert.equal((await runScript('accounts', ['add', 'sothu', '--role', 'boss'], env)).code, 2);
    assert.equal((await runScript('accounts', ['add', 'dv-moi', '--role', 'unit'], env)).code, 1, 'a unit account needs its unit');

    for (const args of [[], ['frobnicate'], ['list', '--yaml'], ['reset-password'], ['initial-passwords', '--unit']]) {
      const usage = await runScript('accounts', args, env);
      assert.equal(usage.code, 2, args.join(' '));
      assert.match(usage.stderr, /usage: accounts/);
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
