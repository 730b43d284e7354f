// Login, sessions and CSRF of the website over real HTTP against the real product, on SQLite and
// PostgreSQL: first login with a forced password change, roles, admin resets, CSRF refusals, the
// per-account and per-address login limits, session expiry, logout and security headers.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { runScript, startProduct, RunningProduct } from './support/product';
import { DATABASE_KINDS, dropSchema, freshDatabaseEnv, tempDir } from './support/databases';
import { loadConfig } from '../config';
import { openDatabase } from '../db/connection';
import { toDate } from '../db/time';
import { WebClient } from './support/web-client';

/** A browser with a cookie jar and a client address of its own. */
const Browser = WebClient;
type Browser = WebClient;

async function initialPassword(env: Record<string, string>, username: string): Promise<string> {
  const result = await runScript('accounts', ['initial-passwords', '--unit', username], env);
  assert.equal(result.code, 0, result.stderr);
  return result.stdout.trim().split('\t')[1];
}

async function listed(env: Record<string, string>, username: string) {
  const result = await runScript('accounts', ['list', '--json'], env);
  assert.equal(result.code, 0, result.stderr);
  return (JSON.parse(result.stdout) as Array<{ username: string; mustChangePassword: boolean }>).find((a) => a.username === username);
}

/** Logs in with the initial password and changes it; returns the logged-in browser. */
async function activate(base: string, env: Record<string, string>, username: string, newPassword: string, address: string): Promise<Browser> {
  const browser = new Browser(base, address);
  const login = await browser.attemptLogin(username, await initialPassword(env, username));
  assert.equal(login.status, 303);
  assert.equal(login.location, '/password');
  const token = await browser.token('/password');
  const changed = await browser.post('/password', { _csrf: token, current_password: await initialPassword(env, username), new_password: newPassword, confirm_password: newPassword });
  assert.equal(changed.status, 303, changed.html);
  return browser;
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: accounts log in, change passwords, and are held to CSRF, roles, login limits and session expiry`, async (t) => {
    const dataDir = tempDir('moihop-web-auth');
    const env = { ...freshDatabaseEnv(kind, dataDir), LOGIN_MAX_ATTEMPTS: '3', LOGIN_MAX_ATTEMPTS_PER_ADDRESS: '5', SESSION_TTL_MINUTES: '30' };
    let product: RunningProduct | null = null;
    try {
      product = await startProduct(env);
      const base = `http://127.0.0.1:${product.webPort}`;

      await t.test('first login forces a password change before anything else', async () => {
        const browser = new Browser(base, '10.0.0.1');
        const anonymous = await browser.get('/admin/accounts');
        assert.equal(anonymous.status, 303);
        assert.equal(anonymous.location, '/login?next=%2Fadmin%2Faccounts');

        const loginPage = await browser.get('/login');
        assert.equal(loginPage.status, 200);
        assert.match(loginPage.html, /<form class="stacked" method="post" action="\/login">/);
        assert.match(loginPage.html, /name="username"/);
        assert.match(loginPage.html, /name="password"/);
        const preLoginSession = browser.sessionId();
        assert.ok(preLoginSession, 'the login form opens a session for its CSRF token');

        const wrong = await browser.post('/login', { _csrf: await browser.token('/login'), username: 'quantri', password: 'not-the-password' });
        assert.equal(wrong.status, 401);
        assert.match(wrong.html, /Tên đăng nhập hoặc mật khẩu không đúng/);
        const unknown = await browser.post('/login', { _csrf: await browser.token('/login'), username: 'nobody', password: 'whatever-it-is' });
        assert.equal(unknown.status, 401);
        assert.match(unknown.html, /Tên đăng nhập hoặc mật khẩu không đúng/, 'the same answer for an unknown username');

        const initial = await initialPassword(env, 'quantri');
        const login = await browser.post('/login', { _csrf: await browser.token('/login'), username: 'QuanTri ', password: initial });
        assert.equal(login.status, 303);
        assert.equal(login.location, '/password');
        assert.notEqual(browser.sessionId(), preLoginSession, 'a new session id at login');

        const held = await browser.get('/admin/accounts');
        assert.equal(held.status, 303);
        assert.equal(held.location, '/password');
        const form = await browser.get('/password');
        assert.equal(form.status, 200);
        assert.match(form.html, /lần đăng nhập đầu tiên/);
        assert.match(form.html, /Văn phòng UBND tỉnh/, 'the header names the logged-in unit');
        assert.equal(form.headers['cache-control'], 'no-store');

        const token = await browser.token('/password');
        const attempts: Array<[Record<string, string>, RegExp]> = [
          [{ current_password: 'wrong-password', new_password: 'Mat-khau-moi-2026', confirm_password: 'Mat-khau-moi-2026' }, /Mật khẩu hiện tại không đúng/],
          [{ current_password: initial, new_password: 'short', confirm_password: 'short' }, /ít nhất 10 ký tự/],
          [{ current_password: initial, new_password: 'Mat-khau-moi-2026', confirm_password: 'Mat-khau-khac-2026' }, /không khớp/],
          [{ current_password: initial, new_password: 'quantri-2026-abc', confirm_password: 'quantri-2026-abc' }, /không được chứa tên đăng nhập/],
          [{ current_password: initial, new_password: initial, confirm_password: initial }, /phải khác mật khẩu hiện tại/],
        ];
        for (const [fields, message] of attempts) {
          const refused = await browser.post('/password', { _csrf: token, ...fields });
          assert.equal(refused.status, 400);
          assert.match(refused.html, message);
        }
        const changed = await browser.post('/password', { _csrf: token, current_password: initial, new_password: 'Mat-khau-moi-2026', confirm_password: 'Mat-khau-moi-2026' });
        assert.equal(changed.status, 303);
        assert.equal(changed.location, '/admin/invitations', 'staff land on the invitation follow-up');
        assert.equal((await browser.get('/admin/accounts')).status, 200);
        assert.equal((await listed(env, 'quantri'))?.mustChangePassword, false);

        const other = new Browser(base, '10.0.0.2');
        assert.equal((await other.attemptLogin('quantri', initial)).status, 401, 'the initial password is gone');
        const again = await other.attemptLogin('quantri', 'Mat-khau-moi-2026');
        assert.equal(again.status, 303);
        assert.equal(again.location, '/admin/invitations');
        const next = new Browser(base, '10.0.0.2');
        await next.get('/admin/accounts');
        const withNext = await next.post('/login', { _csrf: await next.token('/login?next=%2Fadmin%2Faccounts'), username: 'quantri', password: 'Mat-khau-moi-2026', next: '/admin/accounts' });
        assert.equal(withNext.location, '/admin/accounts');
        const offsite = new Browser(base, '10.0.0.2');
        const evil = await offsite.post('/login', { _csrf: await offsite.token('/login'), username: 'quantri', password: 'Mat-khau-moi-2026', next: '//evil.example/' });
        assert.equal(evil.location, '/admin/invitations', 'never a redirect off the site');
      });

      await t.test('roles: a unit may not use admin pages; an admin reset ends its sessions and forces a change', async () => {
        const unit = await activate(base, env, 'mattran', 'Mat-tran-2026-xyz', '10.0.0.3');
        const forbidden = await unit.get('/admin/accounts');
        assert.equal(forbidden.status, 403);
        assert.match(forbidden.html, /Không có quyền truy cập/);
        assert.equal((await unit.get('/password')).status, 200);
        assert.match((await unit.get('/password')).html, /Ủy ban Mặt trận Tổ quốc/);

        const admin = new Browser(base, '10.0.0.4');
        assert.equal((await admin.attemptLogin('quantri', 'Mat-khau-moi-2026')).status, 303);
        const list = await admin.get('/admin/accounts');
        assert.match(list.html, /mattran/);
        const noToken = await admin.post('/admin/accounts/mattran/reset-password', {});
        assert.equal(noToken.status, 403);
        const unitTries = await unit.post('/admin/accounts/congan/reset-password', { _csrf: await unit.token('/password') });
        assert.equal(unitTries.status, 403);
        const reset = await admin.post('/admin/accounts/mattran/reset-password', { _csrf: await admin.token('/admin/accounts') });
        assert.equal(reset.status, 200);
        const newPassword = /<code>([^<]+)<\/code>/.exec(reset.html)?.[1];
        assert.ok(newPassword);
        const missing = await admin.post('/admin/accounts/nobody/reset-password', { _csrf: await admin.token('/admin/accounts') });
        assert.equal(missing.status, 404);

        const ended = await unit.get('/password');
        assert.equal(ended.status, 303, 'the reset ended the unit session');
        assert.match(ended.location ?? '', /^\/login/);
        assert.equal((await unit.attemptLogin('mattran', 'Mat-tran-2026-xyz')).status, 401);
        const forced = await unit.attemptLogin('mattran', newPassword);
        assert.equal(forced.location, '/password');
        assert.equal((await listed(env, 'mattran'))?.mustChangePassword, true);
      });

      await t.test('CSRF: every form without its session token is refused', async () => {
        const stranger = new Browser(base, '10.0.0.5');
        const noToken = await stranger.post('/login', { username: 'quantri', password: 'Mat-khau-moi-2026' });
        assert.equal(noToken.status, 403);
        assert.match(noToken.html, /Biểu mẫu đã hết hạn hoặc không hợp lệ/);

        const victim = new Browser(base, '10.0.0.5');
        const attacker = new Browser(base, '10.0.0.6');
        const attackerToken = await attacker.token('/login');
        await victim.get('/login');
        const foreign = await victim.post('/login', { _csrf: attackerToken, username: 'quantri', password: 'Mat-khau-moi-2026' });
        assert.equal(foreign.status, 403, "another session's token does not count");
        assert.equal((await new Browser(base, '10.0.0.5').post('/login', { _csrf: attackerToken, username: 'quantri', password: 'x' })).status, 403, 'nor a token without its cookie');

        assert.equal((await victim.attemptLogin('quantri', 'Mat-khau-moi-2026')).status, 303);
        const token = await victim.token('/password');
        for (const [path, form] of [['/logout', {}], ['/password', { current_password: 'Mat-khau-moi-2026', new_password: 'Bi-chiem-quyen-1', confirm_password: 'Bi-chiem-quyen-1' }], ['/admin/accounts/congan/reset-password', {}]] as const) {
          const forged = await victim.post(path, { ...form, _csrf: 'forged' });
          assert.equal(forged.status, 403, path);
        }
        assert.equal((await victim.get('/admin/accounts')).status, 200, 'still logged in, nothing changed');
        const logout = await victim.post('/logout', { _csrf: token });
        assert.equal(logout.status, 303);
        assert.equal(logout.location, '/login');
        assert.equal((await victim.get('/admin/accounts')).status, 303);
        assert.equal((await victim.post('/logout', { _csrf: token })).status, 403, 'the old token died with the session');
      });

      await t.test('login limit per account: after 3 wrong passwords even the right one is refused', async () => {
        const password = await initialPassword(env, 'congan');
        for (let i = 1; i <= 3; i++) {
          const wrong = await new Browser(base, `10.0.1.${i}`).attemptLogin('congan', `wrong-password-${i}`);
          assert.equal(wrong.status, 401);
        }
        const locked = await new Browser(base, '10.0.1.9').attemptLogin('congan', password);
        assert.equal(locked.status, 429);
        assert.match(locked.html, /nhập sai mật khẩu quá nhiều lần nên tạm khóa\. Xin thử lại sau 15 phút/);
        assert.equal((await new Browser(base, '10.0.1.9').attemptLogin('quansu', await initialPassword(env, 'quansu'))).status, 303, 'other accounts are not affected');

        // An operator setting a new password lifts the lock.
        const set = await runScript('accounts', ['set-password', 'congan', '--password-stdin'], env, 'Cong-an-tinh-2026\n');
        assert.equal(set.code, 0, set.stderr);
        const unlocked = await new Browser(base, '10.0.1.9').attemptLogin('congan', 'Cong-an-tinh-2026');
        assert.equal(unlocked.status, 303);
        assert.equal(unlocked.location, '/invitations', 'an operator-set password needs no change');
      });

      await t.test('login limit per address: after 5 failures from one address, logins from it are refused', async () => {
        const password = await initialPassword(env, 'vphdnd');
        for (let i = 1; i <= 5; i++) {
          const wrong = await new Browser(base, '10.0.2.1').attemptLogin(`khongco${i}`, 'wrong-password');
          assert.equal(wrong.status, 401);
        }
        const limited = await new Browser(base, '10.0.2.1').attemptLogin('vphdnd', password);
        assert.equal(limited.status, 429);
        assert.match(limited.html, /Đăng nhập sai quá nhiều lần từ địa chỉ này\. Xin thử lại sau \d+ phút/);
        assert.equal((await new Browser(base, '10.0.2.2').attemptLogin('vphdnd', password)).status, 303, 'another address is not affected');
        for (let i = 0; i < 7; i++) {
          assert.equal((await new Browser(base, '10.0.2.3').attemptLogin('vphdnd', password)).status, 303, 'successful logins are not counted');
        }
      });

      await t.test('a session ends after SESSION_TTL_MINUTES without a request', async () => {
        const browser = new Browser(base, '10.0.3.1');
        assert.equal((await browser.attemptLogin('vptinhuy', await initialPassword(env, 'vptinhuy'))).status, 303);
        const page = await browser.get('/password');
        assert.equal(page.status, 200);
        assert.match((page.headers['set-cookie'] ?? []).join(), /moihop\.sid=.*HttpOnly.*SameSite=Lax/, 'every request pushes the expiry back');
        const db = await openDatabase(loadConfig(env));
        try {
          const row = (await db('sessions').where({ sid: browser.sessionId() }).first('expired')) as { expired: string | Date };
          const minutesLeft = (toDate(row.expired)!.getTime() - Date.now()) / 60_000;
          assert.ok(minutesLeft > 28 && minutesLeft <= 30, `session expires in ${minutesLeft} minutes`);
          // Instead of waiting half an hour: the stored expiry moves to the past, as the clock would.
          await db('sessions').where({ sid: browser.sessionId() }).update({ expired: new Date(Date.now() - 60_000).toISOString() });
        } finally {
          await db.destroy();
        }
        const expired = await browser.get('/password');
        assert.equal(expired.status, 303);
        assert.equal(expired.location, '/login?next=%2Fpassword');
        const login = await browser.get('/login');
        assert.doesNotMatch(login.html, /site-user-name/, 'nobody is logged in any more');
      });

      await t.test('security headers on every page', async () => {
        const page = await new Browser(base).get('/login');
        assert.match(String(page.headers['content-security-policy'] ?? ''), /default-src 'self'/);
        assert.equal(page.headers['x-content-type-options'], 'nosniff');
        assert.equal(page.headers['x-frame-options'], 'SAMEORIGIN');
        assert.equal(page.headers['x-powered-by'], undefined);
        const health = await new Browser(base).get('/healthz');
        assert.equal(health.status, 200);
        assert.equal((health.headers['set-cookie'] ?? []).length, 0, 'no session for a visitor without a form');
      });
    } finally {
      if (product) assert.equal(await product.stop(), 0);
      await dropSchema(env);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
}
