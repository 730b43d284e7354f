import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { cleanSpool, MessageTooLargeError, spoolMessage } from '../mail-gateway/spool/spool';
import { tempDir } from './support/databases';

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath ?? (e as { path?: string }).path ?? '', e.name));
}

test('a message is stored whole under its SHA-256, in the month folder of its Vietnam receipt date', async () => {
  const dataDir = tempDir('spool');
  const body = Buffer.from('From: a@b.vn\r\nSubject: x\r\n\r\n' + 'nội dung '.repeat(10_000));
  const spooled = await spoolMessage(Readable.from([body.subarray(0, 1000), body.subarray(1000)]), dataDir, 1 << 20, new Date('2026-11-30T18:00:00Z'));
  assert.equal(spooled.sha256, crypto.createHash('sha256').update(body).digest('hex'));
  assert.equal(spooled.size, body.length);
  assert.equal(spooled.relativePath, path.join('mail', '2026', '12', `${spooled.sha256}.eml`), '01:00 on 1 December in Vietnam');
  assert.ok(fs.readFileSync(spooled.absolutePath).equals(body));
  assert.deepEqual(listFiles(path.join(dataDir, 'spool')), []);
  fs.rmSync(dataDir, { recursive: true });
});

test('an oversized message is read to its end, refused, and leaves nothing behind', async () => {
  const dataDir = tempDir('spool-big');
  let produced = 0;
  const source = new Readable({
    read() {
      if (produced >= 5) return this.push(null);
      produced += 1;
      this.push(Buffer.alloc(1024, 65));
    },
  });
  await assert.rejects(spoolMessage(source, dataDir, 2048), MessageTooLargeError);
  assert.equal(produced, 5, 'the whole stream was consumed');
  assert.deepEqual(listFiles(dataDir), []);
  fs.rmSync(dataDir, { recursive: true });
});

test('a stream that breaks mid-way (client gone) leaves no file', async () => {
  const dataDir = tempDir('spool-broken');
  const source = new Readable({ read() {} });
  const pending = spoolMessage(source, dataDir, 1 << 20);
  source.push(Buffer.from('partial message'));
  setImmediate(() => source.destroy(new Error('connection reset')));
  await assert.rejects(pending, /connection reset/);
  assert.deepEqual(listFiles(dataDir), []);
  fs.mkdirSync(path.join(dataDir, 'spool', 'tmp'), { recursive: true });
  fs.writeFileSync(path.join(dataDir, 'spool', 'tmp', 'crashed.part'), 'x');
  fs.mkdirSync(path.join(dataDir, 'attachments'));
  fs.writeFileSync(path.join(dataDir, 'attachments', `${'a'.repeat(64)}.123.part`), 'x');
  fs.writeFileSync(path.join(dataDir, 'attachments', 'b'.repeat(64)), 'stored attachment');
  assert.equal(cleanSpool(dataDir), 2);
  assert.deepEqual(listFiles(dataDir), [path.join(dataDir, 'attachments', 'b'.repeat(64))]);
  fs.rmSync(dataDir, { recursive: true });
});
