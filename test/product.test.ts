// The whole product started as a user starts it: ports answer, pages render, restarts are idempotent,
// and bad settings end with one clear line.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { runProductToExit, runScript, startProduct } from './support/product';
import { DATABASE_KINDS, dropSchema, freshDatabaseEnv, tempDir } from './support/databases';

/** Reads SMTP replies line by line from a raw socket. */
function smtpDialogue(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  let buffer = '';
  const waiters: Array<(reply: string) => void> = [];
  socket.on('data', (chunk) => {
    buffer += chunk.toString();
    // A reply is complete at a line whose 4th character is a space ("250 …", not "250-…").
    for (let match = /^(\d{3} .*)\r\n/m.exec(buffer); match && waiters.length; match = /^(\d{3} .*)\r\n/m.exec(buffer)) {
      const end = match.index + match[0].length;
      const reply = buffer.slice(0, end);
      buffer = buffer.slice(end);
      waiters.shift()!(reply);
    }
  });
  const next = () => new Promise<string>((resolve) => waiters.push(resolve));
  return {
    greeting: next(),
    async send(line: string) {
      const reply = next();
      socket.write(line + '\r\n');
      return reply;
    },
    close: () => socket.destroy(),
  };
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: the product starts, answers SMTP and HTTP, and restarts on the same data without duplicates`, async () => {
    const dataDir = tempDir('moihop-product');
    const env = freshDatabaseEnv(kind, dataDir);
    try {
      const product = await startProduct(env);
      try {
        const smtp = smtpDialogue(product.smtpPort);
        assert.match(await smtp.greeting, /^220 /);
        assert.match(await smtp.send('EHLO test.example'), /^250 /m);
        assert.match(await smtp.send('MAIL FROM:<vanthu@stc.binhthuan.gov.vn>'), /^250 /);
        assert.match(await smtp.send('RCPT TO:<someone@example.com>'), /^550 5\.7\.1 /, 'never an open relay');
        assert.match(await smtp.send('RCPT TO:<UBND@binhthuan.gov.vn>'), /^250 /);
        smtp.close();

        const page = await fetch(`http://127.0.0.1:${product.webPort}/units`);
        assert.equal(page.status, 200);
        const html = await page.text();
        assert.match(html, /<html lang="vi">/);
        assert.match(html, /Danh bạ cơ quan, đơn vị/);
        assert.match(html, /vptinhuy/);
        assert.match(html, /@binhthuan\.gov\.vn/);

        const health = await fetch(`http://127.0.0.1:${product.webPort}/healthz`);
        assert.equal(health.status, 200);
        const body = (await health.json()) as { status: string; database: string; time: string };
        assert.equal(body.status, 'ok');
        assert.equal(body.database, 'ok');
        assert.match(body.time, /\+07:00$/);

        const missing = await fetch(`http://127.0.0.1:${product.webPort}/no-such-page`);
        assert.equal(missing.status, 404);
        assert.match(await missing.text(), /Không tìm thấy trang/);
      } finally {
        assert.equal(await product.stop(), 0);
      }
      const firstList = await runScript('units', ['list', '--json'], env);
      assert.equal(firstList.code, 0, firstList.stderr);
      const before = JSON.parse(firstList.stdout) as Array<{ id: string; moihopUsername: string | null }>;

      const again = await startProduct(env);
      assert.equal(await again.stop(), 0);
      const secondList = await runScript('units', ['list', '--json'], env);
      const after = JSON.parse(secondList.stdout) as Array<{ id: string }>;
      assert.equal(after.length, before.length, 'a second start adds no units');
      assert.equal(new Set(after.map((u) => u.id)).size, after.length);
      assert.equal(before.filter((u) => u.moihopUsername).length, 128);
    } finally {
      await dropSchema(env);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
}

test('units list --json has the contract shape and check prints the quality report', async () => {
  const dataDir = tempDir('moihop-units');
  try {
    const list = await runScript('units', ['list', '--json'], { DATA_DIR: dataDir });
    assert.equal(list.code, 0, list.stderr);
    const units = JSON.parse(list.stdout) as Array<Record<string, unknown>>;
    assert.ok(units.length > 128);
    for (const unit of units) {
      assert.deepEqual(Object.keys(unit).sort(), ['emails', 'id', 'moihopUsername', 'name', 'organId', 'parentId']);
      assert.ok(Array.isArray(unit.emails));
    }
    const usernames = units.map((u) => u.moihopUsername).filter(Boolean);
    for (const name of ['vptinhuy', 'vphdnd', 'mattran', 'congan', 'quansu', 'vpubnd', 'phuquy']) assert.ok(usernames.includes(name), name);

    const check = await runScript('units', ['check'], { DATA_DIR: dataDir });
    assert.equal(check.code, 0, check.stderr);
    assert.match(check.stdout, /EMAIL_SPACE/);
    assert.match(check.stdout, /Phụ lục 3/);

    const usage = await runScript('units', ['frobnicate'], { DATA_DIR: dataDir });
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /usage: units/);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('an unreachable DATABASE_URL ends the start with one clear line and a non-zero exit', async () => {
  const result = await runProductToExit({ DATA_DIR: tempDir('moihop-baddb'), DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test' });
  assert.notEqual(result.code, 0);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0], /cơ sở dữ liệu \/ cannot reach the database PostgreSQL/);
  assert.match(lines[0], /ECONNREFUSED/);
});

test('an unwritable DATA_DIR ends the start with one clear line and a non-zero exit', async () => {
  const dir = tempDir('moihop-baddir');
  const blocker = path.join(dir, 'a-file');
  fs.writeFileSync(blocker, 'not a folder');
  const result = await runProductToExit({ DATA_DIR: path.join(blocker, 'data') });
  assert.notEqual(result.code, 0);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0], /DATA_DIR không ghi được \/ is not writable: .*ENOTDIR/);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a bad setting ends the start with one clear line', async () => {
  const result = await runProductToExit({ DATA_DIR: tempDir('moihop-badport'), SMTP_PORT: 'twenty-five' });
  assert.notEqual(result.code, 0);
  assert.match(result.stderr.trim(), /^moihop: .*SMTP_PORT/);
});
