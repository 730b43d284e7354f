// The gateway end to end: a real SMTP client sends to the running product; the replies, the register rows,
// the stored files and the queued notices are checked.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { loadConfig } from '../config';
import { openDatabase } from '../db/connection';
import { createTestPki, TestPki } from './support/pki';
import { makeDocumentPdf } from './support/document-pdf';
import { signPdf } from './support/pdf-signer';
import { DATABASE_KINDS, dropSchema, freshDatabaseEnv, tempDir } from './support/databases';
import { runScript, startProduct } from './support/product';

let pki: TestPki;
let trustDir: string;
let validPdf: Buffer;
let unsignedPdf: Buffer;

before(async () => {
  pki = await createTestPki();
  trustDir = tempDir('gateway-trust');
  await pki.writeTrustDir(trustDir);
  unsignedPdf = await makeDocumentPdf({ type: 'Công văn', number: '321/STC-NS' });
  validPdf = await signPdf(await signPdf(unsignedPdf, pki.person), pki.organization);
});

after(() => fs.rmSync(trustDir, { recursive: true, force: true }));

for (const kind of DATABASE_KINDS) {
  test(`${kind}: a signed document is registered with số đến 1 and its id in the 250 reply; an unsigned one is kept, refused`, async () => {
    const dataDir = tempDir('gateway');
    const env = { ...freshDatabaseEnv(kind, dataDir), TRUST_DIR: trustDir, DNS_TIMEOUT_MS: '200' };
    const product = await startProduct(env);
    try {
      const transport = nodemailer.createTransport({ host: '127.0.0.1', port: product.smtpPort, secure: false, ignoreTLS: true });
      const sent = await transport.sendMail({
        from: 'Văn thư Văn phòng Tỉnh ủy <vptu@binhthuan.gov.vn>', to: 'ubnd@binhthuan.gov.vn', subject: 'Công văn 321/STC-NS',
        text: 'Kính gửi UBND tỉnh', attachments: [{ filename: 'cv-321.pdf', content: validPdf, contentType: 'application/pdf' }],
      });
      const id = /ma (\S+) \//.exec(sent.response)?.[1];
      assert.match(sent.response, /^250 2\.0\.0 Da dang ky van ban den so 1\/\d{4}, ma \S+/);
      const refused = await transport.sendMail({
        from: 'vptu@binhthuan.gov.vn', to: 'ubnd@binhthuan.gov.vn', subject: 'Không ký', text: 'x',
        attachments: [{ filename: 'cv.pdf', content: unsignedPdf, contentType: 'application/pdf' }],
      });
      assert.match(refused.response, /^250 2\.0\.0 Da nhan va luu de tham khao, khong dang ky \(NO_SIGNATURE\)/);
      const again = await transport.sendMail({ envelope: { from: 'vptu@binhthuan.gov.vn', to: ['ubnd@binhthuan.gov.vn'] }, raw: fs.readFileSync(path.join(dataDir, (await rows(env))[0].raw_path)) });
      assert.match(again.response, new RegExp(`da duoc nhan truoc do, ma ${id}`));
      await assert.rejects(transport.sendMail({ from: 'a@b.vn', to: 'someone@example.com', subject: 'x', text: 'x' }), /550 5\.7\.1/);
      const stranger = await transport.sendMail({ from: 'someone@example.com', to: 'ubnd@binhthuan.gov.vn', subject: 'Văn bản', text: 'x', attachments: [{ filename: 'a.pdf', content: validPdf }] });
      assert.match(stranger.response, /^250 2\.0\.0 Da dang ky van ban den so 2\//, 'a valid document counts whoever sends it');
      transport.close();

      const documents = await rows(env);
      assert.equal(documents.length, 3);
      const [registered, kept, fromStranger] = documents;
      assert.equal(registered.unit_id, 'van-phong-tinh-uy');
      assert.match(fromStranger.warnings, /QUARANTINED/);
      assert.equal(registered.id, id);
      assert.equal(registered.so_den, 1);
      assert.equal(registered.status, 'đã đến');
      assert.equal(registered.doc_number, '321/STC-NS');
      assert.equal(registered.verdict, 'valid');
      assert.equal(kept.so_den, null);
      assert.equal(kept.status, 'từ chối');
      assert.ok(fs.existsSync(path.join(dataDir, registered.raw_path)), 'raw message stored');
      const db = await openDatabase(loadConfig(env));
      try {
        const outbox = await db('outbox').select('kind', 'recipient').orderBy('id');
        assert.deepEqual(outbox.map((r: { kind: string; recipient: string }) => `${r.kind} ${r.recipient}`), ['notice.registered vptu@binhthuan.gov.vn', 'notice.refused vptu@binhthuan.gov.vn'], 'no backscatter to the unverified stranger');
        const attachments = await db('document_attachments').where({ document_id: id });
        assert.equal(attachments.length, 1);
        assert.ok(fs.existsSync(path.join(dataDir, attachments[0].stored_path)));
      } finally {
        await db.destroy();
      }
      await checkRegisterCommand(env, id!);
    } finally {
      await product.stop();
      await dropSchema(env);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
}

const LIST_FIELDS = ['id', 'soDen', 'year', 'receivedAt', 'from', 'subject', 'status', 'verdict', 'problems', 'warnings', 'number', 'issueDate', 'urgency', 'attachments'];

/** `register -- list --json` and `register -- show <id> --json` read what the gateway registered. */
async function checkRegisterCommand(env: Record<string, string>, id: string): Promise<void> {
  const listed = await runScript('register', ['list', '--json'], env);
  assert.equal(listed.code, 0, listed.stderr);
  const list = JSON.parse(listed.stdout) as Array<Record<string, unknown>>;
  assert.equal(list.length, 3);
  const item = list.find((d) => d.id === id)!;
  assert.deepEqual(Object.keys(item), LIST_FIELDS);
  assert.equal(item.soDen, 1);
  assert.equal(item.from, 'vptu@binhthuan.gov.vn');
  assert.equal(item.number, '321/STC-NS');
  assert.equal(item.verdict, 'valid');
  assert.deepEqual(item.problems, []);
  assert.match(String(item.receivedAt), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00$/);
  assert.deepEqual(item.attachments, [{ filename: 'cv-321.pdf', size: validPdf.length, sha256: crypto.createHash('sha256').update(validPdf).digest('hex') }]);

  const refusedOnly = await runScript('register', ['list', '--json', '--status', 'từ chối'], env);
  const refusedList = JSON.parse(refusedOnly.stdout) as Array<Record<string, unknown>>;
  assert.deepEqual(refusedList.map((d) => [d.soDen, d.problems]), [[null, ['NO_SIGNATURE']]]);
  assert.equal(JSON.parse((await runScript('register', ['list', '--json', '--year', '1999'], env)).stdout).length, 0);

  const shown = await runScript('register', ['show', id, '--json'], env);
  assert.equal(shown.code, 0, shown.stderr);
  const record = JSON.parse(shown.stdout);
  assert.equal(record.id, id);
  assert.deepEqual(record.history.map((h: { status: string }) => h.status), ['đã đến']);
  assert.equal(record.verification.verdict, 'valid');
  assert.equal(record.unitId, 'van-phong-tinh-uy');

  const missing = await runScript('register', ['show', 'KHONGCO', '--json'], env);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no document with id KHONGCO/);
  const badStatus = await runScript('register', ['list', '--status', 'xong'], env);
  assert.equal(badStatus.code, 2);
  assert.match(badStatus.stderr, /--status/);
}

async function rows(env: Record<string, string>) {
  const db = await openDatabase(loadConfig(env));
  try {
    return await db('documents').select('*').orderBy('created_at');
  } finally {
    await db.destroy();
  }
}
