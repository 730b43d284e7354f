// Every one of the 128 unit accounts can log in with its initial password (from DATA_DIR/initial-passwords.txt),
// is held to the password change, changes it, and then sees exactly the invitations its unit is invited to;
// another unit's invitation is a 404. Over real HTTP against the real product, on SQLite and PostgreSQL.
// Invitations: four that partition the 128 units, one scattered across them, one to everyone.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { runScript, startProduct, RunningProduct } from './support/product';
import { DATABASE_KINDS, dropSchema, freshDatabaseEnv, tempDir } from './support/databases';
import { WebClient } from './support/web-client';
import { createInvitation, InvitationFiles, makeInvitationFiles } from './support/invitation-fixtures';
import { readInitialPasswords } from '../db/accounts/initial-passwords-file';

const DAY = 86_400_000;
const UNIT_ACCOUNTS = 128;
const PARALLEL_LOGINS = 8;
// Contains no unit username (the product refuses a password that does).
const NEW_PASSWORD = 'Giay-moi-hop-2026!';
let files: InvitationFiles;

before(async () => {
  files = await makeInvitationFiles();
});

after(() => files.remove());

interface PlannedInvitation {
  id: string;
  title: string;
  usernames: Set<string>;
}

async function unitUsernames(env: Record<string, string>): Promise<string[]> {
  const result = await runScript('accounts', ['list', '--json'], env);
  assert.equal(result.code, 0, result.stderr);
  const accounts = JSON.parse(result.stdout) as Array<{ username: string; role: string; mustChangePassword: boolean }>;
  return accounts.filter((a) => a.role === 'unit').map((a) => a.username).sort();
}

/** The invitations listed on a unit's /invitations page: id → title. */
function listedInvitations(html: string): Map<string, string> {
  const listed = new Map<string, string>();
  for (const match of html.matchAll(/<a class="title" href="\/invitations\/([0-9A-Z]+)">([^<]*)<\/a>/g)) listed.set(match[1], match[2]);
  return listed;
}

/** Runs `work` over `items`, `lanes` at a time. */
async function inLanes<T>(items: T[], lanes: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < items.length; i = next++) await work(items[i]);
  };
  await Promise.all(Array.from({ length: lanes }, lane));
}

/** Initial password → forced change → the unit's own list, exactly; someone else's invitation is 404. */
async function checkAccount(base: string, username: string, initial: string, invitations: PlannedInvitation[]): Promise<void> {
  const client = new WebClient(base);
  const login = await client.post('/login', { _csrf: await client.token('/login'), username, password: initial });
  assert.equal(login.status, 303, `${username}: login with the initial password answered ${login.status}`);
  assert.equal(login.location, '/password', `${username}: the initial password must be changed first`);
  const held = await client.get('/invitations');
  assert.equal(held.status, 303, `${username}: /invitations before the change`);
  assert.equal(held.location, '/password', `${username}: held on /password`);

  const changed = await client.post('/password', {
    _csrf: await client.token('/password'), current_password: initial, new_password: NEW_PASSWORD, confirm_password: NEW_PASSWORD,
  });
  assert.equal(changed.status, 303, `${username}: password change answered ${changed.status}: ${changed.html.slice(0, 300)}`);
  assert.equal(changed.location, '/invitations', `${username}: a unit lands on its invitations`);

  const list = await client.get('/invitations');
  assert.equal(list.status, 200, `${username}: /invitations answered ${list.status}`);
  const own = invitations.filter((i) => i.usernames.has(username));
  const expected = new Map(own.map((i) => [i.id, i.title]));
  assert.deepEqual(listedInvitations(list.html), expected, `${username}: exactly the invitations of its unit`);
  assert.match(list.html, new RegExp(`<p class="count">\\s*${own.length} giấy mời`), `${username}: the count`);

  const mine = await client.get(`/invitations/${own[0].id}`);
  assert.equal(mine.status, 200, `${username}: its own invitation`);
  const foreign = invitations.find((i) => !i.usernames.has(username));
  assert.ok(foreign, 'every unit is left out of some invitation');
  const refused = await client.get(`/invitations/${foreign.id}`);
  assert.equal(refused.status, 404, `${username}: "${foreign.title}" is not its own`);
  assert.match(refused.html, /Không tìm thấy/);
  assert.doesNotMatch(refused.html, new RegExp(foreign.title), `${username}: nothing of it leaks`);
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: each of the ${UNIT_ACCOUNTS} unit accounts logs in, changes its initial password and sees exactly its invitations`, async () => {
    const dataDir = tempDir('moihop-web-all-accounts');
    const env = freshDatabaseEnv(kind, dataDir);
    let product: RunningProduct | null = null;
    try {
      product = await startProduct(env);
      const base = `http://127.0.0.1:${product.webPort}`;
      const usernames = await unitUsernames(env);
      assert.equal(usernames.length, UNIT_ACCOUNTS);
      const initial = readInitialPasswords(dataDir);

      const subsets: Array<[string, string[]]> = [
        ...[0, 1, 2, 3].map((part): [string, string[]] => [`Họp giao ban khối ${part + 1}`, usernames.filter((_, i) => i % 4 === part)]),
        ['Họp triển khai chuyển đổi số', usernames.filter((_, i) => i % 5 === 2)],
        ['Hội nghị tổng kết năm của toàn tỉnh', usernames],
      ];
      const invitations: PlannedInvitation[] = [];
      for (const [n, [title, units]] of subsets.entries()) {
        const id = await createInvitation(env, files, { title, startsAt: new Date(Date.now() + (2 + n) * DAY), units });
        invitations.push({ id, title, usernames: new Set(units) });
      }

      await inLanes(usernames, PARALLEL_LOGINS, async (username) => {
        const password = initial.get(username);
        assert.ok(password, `${username}: an initial password in ${dataDir}/initial-passwords.txt`);
        await checkAccount(base, username, password, invitations);
      });

      const result = await runScript('accounts', ['list', '--json'], env);
      assert.equal(result.code, 0, result.stderr);
      const pending = (JSON.parse(result.stdout) as Array<{ username: string; role: string; mustChangePassword: boolean }>)
        .filter((a) => a.role === 'unit' && a.mustChangePassword);
      assert.deepEqual(pending.map((a) => a.username), [], 'every unit account has changed its initial password');
    } finally {
      if (product) assert.equal(await product.stop(), 0);
      await dropSchema(env);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
}
