// Recall (thu hồi) over SMTP: an unauthenticated request is left to the clerk; a recall letter sealed by the
// same organisation recalls the original, which keeps its number and its history.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import nodemailer from 'nodemailer';
import { loadConfig } from '../config';
import { openDatabase } from '../db/connection';
import { getDocument } from '../db/register/repository';
import { createTestPki } from './support/pki';
import { makeDocumentPdf } from './support/document-pdf';
import { signPdf } from './support/pdf-signer';
import { freshDatabaseEnv, tempDir } from './support/databases';
import { startProduct, RunningProduct } from './support/product';

let dataDir: string;
let env: Record<string, string>;
let product: RunningProduct;
let original: Buffer;
let recallLetter: Buffer;

before(async () => {
  const pki = await createTestPki();
  dataDir = tempDir('gateway-recall');
  const trustDir = tempDir('gateway-recall-trust');
  await pki.writeTrustDir(trustDir);
  const sign = async (pdf: Buffer) => signPdf(await signPdf(pdf, pki.person), pki.organization);
  original = await sign(await makeDocumentPdf({ type: 'Công văn', number: '321/STC-NS', subject: 'V/v quyết toán ngân sách năm 2026' }));
  recallLetter = await sign(await makeDocumentPdf({ type: 'Công văn', number: '45/STC-VP', subject: 'V/v thu hồi Công văn số 321/STC-NS' }));
  env = { ...freshDatabaseEnv('sqlite', dataDir), TRUST_DIR: trustDir, DNS_TIMEOUT_MS: '200' };
  product = await startProduct(env);
});

after(async () => {
  await product.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function send(subject: string, pdf?: Buffer): Promise<string> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: product.smtpPort, secure: false, ignoreTLS: true });
  try {
    const sent = await transport.sendMail({
      from: 'vptu@binhthuan.gov.vn', to: 'ubnd@binhthuan.gov.vn', subject, text: 'Kính gửi UBND tỉnh',
      attachments: pdf ? [{ filename: 'van-ban.pdf', content: pdf, contentType: 'application/pdf' }] : [],
    });
    return /ma (\S+) \//.exec(sent.response)![1];
  } finally {
    transport.close();
  }
}

async function record(id: string) {
  const db = await openDatabase(loadConfig(env));
  try {
    return (await getDocument(db, id))!;
  } finally {
    await db.destroy();
  }
}

test('a recall request by subject from an unauthenticated sender changes nothing and is flagged for the clerk', async () => {
  const originalId = await send('Công văn 321/STC-NS', original);
  const requestId = await send('Thu hồi Công văn số 321/STC-NS');
  assert.equal((await record(originalId)).status, 'đã đến');
  const request = await record(requestId);
  assert.ok(request.warnings.some((w) => w.code === 'RECALL_UNVERIFIED' && w.message.includes(originalId)), JSON.stringify(request.warnings));

  const letterId = await send('Thu hồi văn bản', recallLetter);
  const recalled = await record(originalId);
  assert.equal(recalled.status, 'thu hồi');
  assert.equal(recalled.soDen, 1, 'the recalled document keeps its số đến');
  assert.deepEqual(recalled.history.map((h) => h.status), ['đã đến', 'thu hồi']);
  const letter = await record(letterId);
  assert.equal(letter.soDen, 2, 'the recall letter is itself a registered document');
  assert.ok(letter.warnings.some((w) => w.code === 'RECALL_REQUEST'), JSON.stringify(letter.warnings));

  const db = await openDatabase(loadConfig(env));
  try {
    const notices = await db('outbox').select('kind', 'reference').orderBy('id');
    assert.deepEqual(notices.map((n: { kind: string; reference: string }) => [n.kind, n.reference]),
      [['notice.registered', originalId], ['notice.registered', letterId]], 'no refusal notice for the recall request itself');
  } finally {
    await db.destroy();
  }
});
