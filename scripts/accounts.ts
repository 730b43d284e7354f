// `npm run -s accounts -- <command>`: the website accounts, for operators and the admin.
//   list [--json]                               every account ({username, unit, role, mustChangePassword})
//   set-password <username> --password-stdin    sets the password read from stdin (no forced change)
//   reset-password <username>                   a new random password, printed once; change forced at next login
//   initial-passwords [--unit <username>]       initial passwords of accounts that have not changed them yet
//   add <username> --role clerk|admin|unit [--unit <unit id>]   one more account, its password printed once
import { openPreparedDatabase } from '../db/prepare';
import { listAccounts, ROLES, Role } from '../db/accounts/repository';
import { AccountNotFoundError, PasswordRejectedError, resetPassword, setPasswordByOperator } from '../db/accounts/password-changes';
import { initialPasswordsPath, readInitialPasswords } from '../db/accounts/initial-passwords-file';
import { AccountExistsError, addAccount, UnknownUnitError, USERNAME_PATTERN } from '../db/accounts/add-account';
import { commandConfig, runCommand, UsageError } from './cli';
import type { Config } from '../config';
import type { Knex } from 'knex';

const USAGE = [
  'usage: accounts list [--json]',
  '       accounts set-password <username> --password-stdin',
  '       accounts reset-password <username>',
  '       accounts initial-passwords [--unit <username>]',
  '       accounts add <username> --role clerk|admin|unit [--unit <unit id>]',
].join('\n');

/** A failure the operator can act on: one line on stderr, exit 1. */
class CommandFailure extends Error {}

interface Parsed {
  positional: string[];
  flags: Set<string>;
  options: Map<string, string>;
}

function parseArgs(args: string[], flagNames: string[], optionNames: string[]): Parsed {
  const parsed: Parsed = { positional: [], flags: new Set(), options: new Map() };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (flagNames.includes(arg)) parsed.flags.add(arg);
    else if (optionNames.includes(arg)) {
      const value = args[++i];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`${arg} cần một giá trị / needs a value\n${USAGE}`);
      parsed.options.set(arg, value);
    } else if (arg.startsWith('--')) throw new UsageError(`tùy chọn lạ / unknown option ${arg}\n${USAGE}`);
    else parsed.positional.push(arg);
  }
  return parsed;
}

function expectPositional(parsed: Parsed, count: number): void {
  if (parsed.positional.length !== count) throw new UsageError(USAGE);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function list(db: Knex, parsed: Parsed): Promise<void> {
  expectPositional(parsed, 0);
  const accounts = await listAccounts(db);
  if (parsed.flags.has('--json')) {
    const shaped = accounts.map((a) => ({ username: a.username, unit: a.unitId, role: a.role, mustChangePassword: a.mustChangePassword }));
    process.stdout.write(JSON.stringify(shaped, null, 2) + '\n');
    return;
  }
  for (const a of accounts) {
    console.log(`${a.username.padEnd(16)} ${a.role.padEnd(6)} ${a.mustChangePassword ? 'phải đổi mật khẩu' : 'đã đổi mật khẩu  '}  ${a.unitName ?? '—'}`);
  }
  console.log(`— ${accounts.length} tài khoản / accounts, ${accounts.filter((a) => a.mustChangePassword).length} chưa đổi mật khẩu / not yet changed`);
}

async function setPassword(db: Knex, parsed: Parsed, config: Config): Promise<void> {
  expectPositional(parsed, 1);
  if (!parsed.flags.has('--password-stdin')) throw new UsageError(`set-password cần --password-stdin (mật khẩu đọc từ đầu vào chuẩn) / reads the password from stdin\n${USAGE}`);
  const password = (await readStdin()).replace(/\r?\n$/, '');
  if (!password) throw new CommandFailure('không đọc được mật khẩu từ đầu vào chuẩn / no password on stdin');
  if (password.includes('\n')) throw new CommandFailure('mật khẩu phải nằm trên một dòng / the password must be one line');
  const account = await setPasswordByOperator(db, parsed.positional[0], password, config.passwordMinLength);
  console.log(`Đã đặt mật khẩu cho ${account.username} / password set (no change forced at next login)`);
}

async function reset(db: Knex, parsed: Parsed): Promise<void> {
  expectPositional(parsed, 1);
  const { account, password } = await resetPassword(db, parsed.positional[0]);
  console.log(`${account.username}\t${password}\t${account.unitName ?? ''}`);
  process.stderr.write('Mật khẩu mới chỉ hiện một lần; tài khoản phải đổi ở lần đăng nhập sau. / Shown once; to be changed at next login.\n');
}

async function initialPasswords(db: Knex, parsed: Parsed, config: Config): Promise<void> {
  expectPositional(parsed, 0);
  const only = parsed.options.get('--unit');
  const accounts = (await listAccounts(db)).filter((a) => !only || a.username === only);
  if (only && !accounts.length) throw new CommandFailure(`không có tài khoản / no such account: ${only}`);
  const passwords = readInitialPasswords(config.dataDir);
  // Only accounts still on their first-setup password: a reset or a change makes the file's entry void.
  const pending = accounts.filter((a) => a.mustChangePassword && a.passwordSource === 'initial');
  const missing = pending.filter((a) => !passwords.has(a.username));
  if (only && !pending.length) throw new CommandFailure(`${only} đã đổi hoặc được cấp lại mật khẩu / has changed or been reset its initial password`);
  for (const a of pending.filter((p) => passwords.has(p.username))) console.log(`${a.username}\t${passwords.get(a.username)}\t${a.unitName ?? ''}`);
  if (missing.length) {
    throw new CommandFailure(`không thấy mật khẩu ban đầu của / initial password not found in ${initialPasswordsPath(config.dataDir)} for: ${missing.map((a) => a.username).join(', ')} (dùng / use reset-password)`);
  }
}

async function add(db: Knex, parsed: Parsed): Promise<void> {
  expectPositional(parsed, 1);
  const [username] = parsed.positional;
  const role = parsed.options.get('--role');
  if (!role || !(ROLES as readonly string[]).includes(role)) throw new UsageError(`--role phải là / must be ${ROLES.join('|')}\n${USAGE}`);
  if (!USERNAME_PATTERN.test(username)) throw new UsageError(`tên đăng nhập chỉ gồm a-z 0-9 . _ -, 2–40 ký tự / username: a-z 0-9 . _ -, 2–40 characters`);
  const { account, password } = await addAccount(db, { username, role: role as Role, unitId: parsed.options.get('--unit') });
  console.log(`${account.username}\t${password}\t${account.unitName ?? ''}`);
  process.stderr.write('Mật khẩu chỉ hiện một lần; tài khoản phải đổi ở lần đăng nhập đầu. / Shown once; to be changed at first login.\n');
}

const COMMANDS: Record<string, { flags: string[]; options: string[]; run: (db: Knex, parsed: Parsed, config: Config) => Promise<void> }> = {
  list: { flags: ['--json'], options: [], run: list },
  'set-password': { flags: ['--password-stdin'], options: [], run: setPassword },
  'reset-password': { flags: [], options: [], run: reset },
  'initial-passwords': { flags: [], options: ['--unit'], run: initialPasswords },
  add: { flags: [], options: ['--role', '--unit'], run: add },
};

runCommand('accounts', async () => {
  const [name, ...rest] = process.argv.slice(2);
  const command = name ? COMMANDS[name] : undefined;
  if (!command) throw new UsageError(USAGE);
  const parsed = parseArgs(rest, command.flags, command.options);
  const config = commandConfig();
  const db = await openPreparedDatabase(config);
  try {
    await command.run(db, parsed, config);
  } catch (err) {
    const known = err instanceof CommandFailure || err instanceof AccountNotFoundError || err instanceof PasswordRejectedError
      || err instanceof AccountExistsError || err instanceof UnknownUnitError;
    if (!known) throw err;
    process.stderr.write(`accounts: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await db.destroy();
  }
});
