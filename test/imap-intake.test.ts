// The IMAP intake against a real IMAP server (dovecot, started here on a free port): mail placed in the
// mailbox is registered or refused exactly as over SMTP, exactly once (also across a kill between commit and
// move, two gateway processes, a server restart, a new UIDVALIDITY), in UID order, with a flat memory profile.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DIST_DIR } from './support/paths';
import { dovecotInstalled, startDovecot, TestImapServer } from './support/dovecot';
import { RunningProduct, runScript, startProduct } from './support/product';
import {
  composeMail, disposeEnv, Fixtures, gatewayEnv, pdfAttachment, prepareFixtures, sendRaw, smtpTransport, STRANGER, UNIT_SENDER, withDatabase,
} from './support/mail-samples';
import { parseMailboxUrl, parseMailboxUrls } from '../mail-gateway/imap/mailbox-url';
import { envelopeFromHeaders } from '../mail-gateway/imap/envelope';
import { reconnectDelay } from '../mail-gateway/imap/backoff';
import { describeConfig, loadConfig } from '../config';
import { processMemory } from './support/process-memory';
import { createInvitation, makeInvitationFiles } from './support/invitation-fixtures';
import { invitationReplyAddress } from '../mail-gateway/answers/reply-address';
import { isoDateVietnam } from '../db/time';

const skip = dovecotInstalled() ? false : 'dovecot is not installed (apt-get install dovecot-imapd; .ci/run does it)';

let fixtures: Fixtures;
before(async () => {
  fixtures = await prepareFixtures();
});
after(() => fixtures?.dispose());

interface Row {
  id: string; so_den: number | null; status: string; subject: string | null; intake: string; envelope_from: string | null;
  unit_id: string | null; verdict: string | null; problems: string; warnings: string; doc_number: string | null; message_id: string | null;
}

const rows = (env: Record<string, string>) => withDatabase(env, async (db) => (await db('documents').select('*').orderBy('created_at')) as Row[]);
const documentCount = (env: Record<string, string>) => withDatabase(env, async (db) => Number((await db('documents').count({ n: '*' }))[0].n));
const codes = (json: string) => (JSON.parse(json) as Array<{ code: string }>).map((f) => f.code).sort();

/** Waits for a condition; gives up (failing the test, not hanging the run) after a generous while. */
async function waitFor<T>(what: string, check: () => Promise<T | false | null | undefined> | T | false | null | undefined): Promise<T> {
  for (let i = 0; i < 1200; i++) {
    const value = await check();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`gave up waiting for: ${what}`);
}

async function intakeStatus(env: Record<string, string>): Promise<Array<Record<string, unknown>>> {
  const result = await runScript('intake', ['status', '--json'], env);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout);
}

function imapEnv(kind: 'sqlite' | 'postgres', imap: TestImapServer, extra: Record<string, string> = {}): Record<string, string> {
  return { ...gatewayEnv(kind, fixtures.trustDir, 'imap-intake'), IMAP_URL: imap.url(), IMAP_RECONNECT_MAX_MS: '2000', IMAP_LEASE_MS: '3000', ...extra };
}

describe('IMAP intake: settings and parsing', () => {
  it('reads one or several mailboxes from IMAP_URL and masks every password', () => {
    const config = loadConfig({ IMAP_URL: 'imaps://van%40thu:p%2Cw@mail.binhthuan.gov.vn/INBOX, imap://a:b@127.0.0.1:1143/Official' });
    assert.equal(config.imapUrls.length, 2);
    assert.equal(config.imapProcessedFolder, 'Processed');
    assert.equal(config.imapRefusedFolder, 'Refused');
    const [first, second] = parseMailboxUrls(config.imapUrls);
    assert.deepEqual(first, { key: 'van@thu@mail.binhthuan.gov.vn:993/INBOX', host: 'mail.binhthuan.gov.vn', port: 993, secure: true, user: 'van@thu', pass: 'p,w', folder: 'INBOX' });
    assert.equal(second.key, 'a@127.0.0.1:1143/Official');
    assert.equal(second.secure, false);
    assert.equal(parseMailboxUrl('imap://u:p@h').folder, 'INBOX');
    const text = describeConfig({ IMAP_URL: 'imaps://u:secret1@h/INBOX,imaps://v:secret2@k/INBOX' });
    assert.match(text, /^IMAP_URL=imaps:\/\/u:\*\*\*\*@h\/INBOX,imaps:\/\/v:\*\*\*\*@k\/INBOX /m);
    assert.doesNotMatch(text, /secret1|secret2/);
    assert.throws(() => loadConfig({ IMAP_URL: 'pop3://u:p@h' }), /IMAP_URL/);
    assert.throws(() => loadConfig({ IMAP_URL: 'imaps://h/INBOX' }), /IMAP_URL/);
  });

  it('takes the envelope sender from Return-Path, else From, and the client from the topmost Received', () => {
    const withPath = envelopeFromHeaders('Return-Path: <VPTU@binhthuan.gov.vn>\r\nReceived: from mx.sender.vn (mx.sender.vn [203.0.113.7])\r\n by mail.binhthuan.gov.vn\r\nFrom: Other <other@x.vn>\r\nMessage-ID: <a@b>', 'imap.host');
    assert.deepEqual(withPath, { mailFrom: 'vptu@binhthuan.gov.vn', clientIp: '203.0.113.7', helo: 'mx.sender.vn', hasMessageId: true, recipients: [] });
    const fromOnly = envelopeFromHeaders('From: "Văn thư" <vptu@binhthuan.gov.vn>\r\nSubject: x', 'imap.host');
    assert.deepEqual(fromOnly, { mailFrom: 'vptu@binhthuan.gov.vn', clientIp: '127.0.0.1', helo: 'imap.host', hasMessageId: false, recipients: [] });
    const addressed = envelopeFromHeaders('Delivered-To: giaymoi@binhthuan.gov.vn\r\nTo: "A" <Giaymoi+01ABC@binhthuan.gov.vn>, ubnd@binhthuan.gov.vn\r\nCc: Nhom: x@y.vn;', 'h');
    assert.deepEqual(addressed.recipients, ['giaymoi@binhthuan.gov.vn', 'giaymoi+01abc@binhthuan.gov.vn', 'ubnd@binhthuan.gov.vn', 'x@y.vn']);
    assert.equal(envelopeFromHeaders('Return-Path: <>\r\nFrom: a@b.vn', 'h').mailFrom, null, 'a bounce stays a null sender');
  });

  it('backs off from 1 s, doubling, up to the ceiling', () => {
    const fixed = () => 1;
    assert.deepEqual([0, 1, 2, 3, 10].map((a) => reconnectDelay(a, 5000, fixed)), [1000, 2000, 4000, 5000, 5000]);
  });
});

describe('IMAP intake against dovecot', { skip }, () => {
  it('registers or refuses each message exactly as SMTP does, records the intake, moves it, and reports its status', async () => {
    const unsignedMalformed = Buffer.from(`From: ${UNIT_SENDER}\r\nTo: ubnd@binhthuan.gov.vn\r\nSubject: =?utf-8?B?hỏng\r\nMessage-ID: <${crypto.randomUUID()}@x>\r\nContent-Type: multipart/mixed; boundary="zz"\r\n\r\n--zz\r\nContent-Type: application/pdf; name="a.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n%%%not base64%%%\r\n`);
    const messages = [
      await composeMail({ subject: 'Công văn 12/VPTU', attachments: [pdfAttachment(fixtures.signedPdf, 'cv-12.pdf')] }),
      await composeMail({ subject: 'Không ký', attachments: [pdfAttachment(fixtures.unsignedPdf)] }),
      unsignedMalformed,
      await composeMail({ subject: 'Không có tệp' }),
      await composeMail({ from: STRANGER, subject: 'Người lạ', attachments: [pdfAttachment(fixtures.signedPdf)] }),
      await composeMail({ subject: 'Không có Message-ID', messageId: null, attachments: [pdfAttachment(fixtures.signedPdf)] }),
    ];
    const imap = await startDovecot();
    const smtpEnv = gatewayEnv('sqlite', fixtures.trustDir, 'imap-vs-smtp');
    const env = imapEnv('sqlite', imap);
    let smtpProduct: RunningProduct | null = null;
    let imapProduct: RunningProduct | null = null;
    try {
      smtpProduct = await startProduct(smtpEnv);
      const transport = smtpTransport(smtpProduct.smtpPort);
      for (const [i, raw] of messages.entries()) await sendRaw(transport, raw, i === 4 ? STRANGER : UNIT_SENDER);
      transport.close();

      await imap.append(messages);
      imapProduct = await startProduct(env);
      await waitFor('all six messages processed', async () => (await imap.uids()).length === 0 && (await documentCount(env)) === 6);

      const viaSmtp = await rows(smtpEnv);
      const viaImap = await rows(env);
      const comparable = (r: Row) => ({
        so_den: r.so_den, status: r.status, subject: r.subject, envelope_from: r.envelope_from, unit_id: r.unit_id, verdict: r.verdict,
        problems: codes(r.problems), warnings: codes(r.warnings), doc_number: r.doc_number, message_id: r.message_id,
      });
      assert.deepEqual(viaImap.map(comparable), viaSmtp.map(comparable));
      assert.deepEqual(viaImap.map((r) => r.intake), Array(6).fill('imap'));
      assert.deepEqual(viaSmtp.map((r) => r.intake), Array(6).fill('smtp'));
      assert.deepEqual(viaImap.map((r) => r.so_den), [1, null, null, null, 2, 3]);
      const notices = (e: Record<string, string>) => withDatabase(e, async (db) => (await db('outbox').select('kind', 'recipient').orderBy('id')).map((n: { kind: string; recipient: string }) => `${n.kind} ${n.recipient}`));
      assert.deepEqual(await notices(env), await notices(smtpEnv), 'the same notices to the same senders');

      assert.equal((await imap.uids('Processed')).length, 3);
      assert.equal((await imap.uids('Refused')).length, 3);
      const [status] = await intakeStatus(env);
      assert.equal(status.mailbox, `${imap.user}@127.0.0.1:${imap.port}/INBOX`);
      assert.equal(status.connected, true);
      assert.equal(status.lastUid, 6);
      assert.equal(status.backlog, 0);
      assert.equal(status.lastError, null);
      assert.match(String(status.lastSyncAt), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00$/);
      assert.match(String(status.uidValidity), /^\d+$/);
      const shown = await runScript('register', ['show', viaImap[0].id, '--json'], env);
      assert.equal(JSON.parse(shown.stdout).intake, 'imap');
    } finally {
      await smtpProduct?.stop();
      await imapProduct?.stop();
      await imap.dispose();
      await disposeEnv(smtpEnv);
      await disposeEnv(env);
    }
  });

  it('a reply to an invitation found in the mailbox (the unit\'s own reply address) is its answer: recorded, moved, never registered', async () => {
    const files = await makeInvitationFiles();
    const imap = await startDovecot();
    const env = imapEnv('sqlite', imap);
    let product: RunningProduct | null = null;
    try {
      const startsAt = new Date(`${isoDateVietnam(new Date(Date.now() + 3 * 86_400_000))}T09:00:00+07:00`);
      const id = await createInvitation(env, files, { title: 'Họp bàn kế hoạch phòng chống thiên tai', startsAt, units: ['vptinhuy'] });
      const reply = Buffer.from([
        `Return-Path: <${UNIT_SENDER}>`, `From: Van phong Tinh uy <${UNIT_SENDER}>`, `To: ${invitationReplyAddress(loadConfig(env), id, 'van-phong-tinh-uy')}`,
        'Subject: Re: Giay moi hop', `Message-ID: <reply-${crypto.randomUUID()}@binhthuan.gov.vn>`, 'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '',
        'Không tham dự, trùng lịch tiếp công dân.', '', '> Kính gửi: Văn phòng Tỉnh ủy,', '> Văn phòng UBND tỉnh trân trọng kính mời', '',
      ].join('\r\n'), 'utf8');
      await imap.append([reply]);
      product = await startProduct(env);
      await waitFor('the reply moved to Processed', async () => (await imap.uids()).length === 0 && (await imap.uids('Processed')).length === 1);
      await withDatabase(env, async (db) => {
        const answer = await db('invitation_units').where({ invitation_id: id, unit_id: 'van-phong-tinh-uy' }).first('answer', 'reason', 'answer_source');
        assert.deepEqual({ ...answer }, { answer: 'không tham dự', reason: 'trùng lịch tiếp công dân', answer_source: 'mail' });
        assert.equal(Number((await db('documents').count({ n: '*' }))[0].n), 0, 'an answer is not a document');
        assert.deepEqual(await db('answer_mails').pluck('outcome'), ['APPLIED']);
      });
    } finally {
      await product?.stop();
      await imap.dispose();
      files.remove();
      await disposeEnv(env);
    }
  });

  it('killed between commit and move: after the restart each message is registered once (with or without Message-ID)', async () => {
    const imap = await startDovecot();
    const env = imapEnv('sqlite', imap, { IMAP_LEASE_MS: '1500' });
    let product: RunningProduct | null = null;
    try {
      await imap.append([
        await composeMail({ subject: 'Có Message-ID', attachments: [pdfAttachment(fixtures.signedPdf)] }),
        await composeMail({ subject: 'Không Message-ID', messageId: null, attachments: [pdfAttachment(fixtures.signedPdf)] }),
      ]);
      const killedAfter = async (uid: number) => {
        const child = spawn(process.execPath, [path.join(DIST_DIR, 'test', 'support', 'imap-crash-child.js')], {
          env: { PATH: process.env.PATH, ...env, CRASH_AFTER_UID: String(uid) }, stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        child.stdout!.on('data', (c: Buffer) => (out += c));
        child.stderr!.on('data', (c: Buffer) => (out += c));
        const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, sig) => resolve(sig)));
        assert.equal(signal, 'SIGKILL', out);
        return out;
      };
      assert.match(await killedAfter(1), /COMMITTED uid=1 kind=registered/);
      assert.equal(await documentCount(env), 1);
      assert.deepEqual(await imap.uids(), [1, 2], 'killed before the move: both still in the INBOX');

      // The second run finds UID 1 again (a duplicate by Message-ID: only moved), registers UID 2, is killed.
      assert.match(await killedAfter(2), /COMMITTED uid=2 kind=registered/);
      assert.equal(await documentCount(env), 2);
      assert.ok((await imap.uids()).includes(2), 'UID 2 is still in the INBOX (UID 1 is moved, or is being moved, meanwhile)');

      product = await startProduct(env);
      await waitFor('UID 2 moved', async () => (await imap.uids()).length === 0);
      const registered = await rows(env);
      assert.deepEqual(registered.map((r) => [r.subject, r.so_den]), [['Có Message-ID', 1], ['Không Message-ID', 2]], 'no second registration');
      assert.match(product.output(), /IMAP_MESSAGE_DONE .*uid=2 .*kind=duplicate/);
      assert.equal((await imap.uids('Processed')).length, 2);
    } finally {
      await product?.stop();
      await imap.dispose();
      await disposeEnv(env);
    }
  });

  it('server restart mid-IDLE: the status shows the drop, the intake reconnects with backoff and catches up', async () => {
    const imap = await startDovecot();
    const env = imapEnv('sqlite', imap);
    let product: RunningProduct | null = null;
    try {
      product = await startProduct(env);
      await imap.append([await composeMail({ subject: 'Trước', attachments: [pdfAttachment(fixtures.signedPdf)] })]);
      await waitFor('first message', async () => (await documentCount(env)) === 1);
      await waitFor('idling', () => /IMAP_MESSAGE_DONE/.test(product!.output()));

      await imap.stop();
      const down = await waitFor('status shows the drop', async () => {
        const [s] = await intakeStatus(env);
        return s.connected === false && s.lastError ? s : null;
      });
      assert.match(String(down.lastError), /ECONNREFUSED|closed|connect/i);
      imap.deliverToMaildir(await composeMail({ subject: 'Trong lúc máy chủ dừng', attachments: [pdfAttachment(fixtures.signedPdf)] }));
      await imap.start();
      await imap.append([await composeMail({ subject: 'Sau', attachments: [pdfAttachment(fixtures.signedPdf)] })]);

      await waitFor('caught up', async () => (await documentCount(env)) === 3 && (await imap.uids()).length === 0);
      const registered = await rows(env);
      assert.deepEqual(registered.map((r) => r.so_den), [1, 2, 3]);
      assert.deepEqual(registered.map((r) => r.subject).sort(), ['Sau', 'Trong lúc máy chủ dừng', 'Trước']);
      assert.equal((product.output().match(/IMAP_CONNECTED/g) ?? []).length, 2);
      const up = await waitFor('status connected again', async () => {
        const [s] = await intakeStatus(env);
        return s.connected === true && s.lastError === null ? s : null;
      });
      assert.equal(up.backlog, 0);
    } finally {
      await product?.stop();
      await imap.dispose();
      await disposeEnv(env);
    }
  });

  it('a new UIDVALIDITY starts over from the first message: new mail with low UIDs is taken, leftovers are duplicates', async () => {
    const imap = await startDovecot();
    const env = imapEnv('sqlite', imap);
    let product: RunningProduct | null = null;
    try {
      const firstMessages = await Promise.all([1, 2, 3].map((i) => composeMail({ subject: `Đợt 1 số ${i}`, attachments: [pdfAttachment(fixtures.signedPdf)] })));
      await imap.append(firstMessages);
      product = await startProduct(env);
      await waitFor('first three', async () => (await documentCount(env)) === 3 && (await imap.uids()).length === 0);
      const [before] = await intakeStatus(env);
      assert.equal(before.lastUid, 3);

      await imap.stop();
      imap.forgetUids();
      // A message caught between commit and move (back in the INBOX) and a new one: both get UIDs 1 and 2.
      imap.deliverToMaildir(firstMessages[1]);
      imap.deliverToMaildir(await composeMail({ subject: 'Sau khi đổi UIDVALIDITY', attachments: [pdfAttachment(fixtures.signedPdf)] }));
      await new Promise((r) => setTimeout(r, 1100)); // dovecot derives a new UIDVALIDITY from the clock (seconds)
      await imap.start();

      await waitFor('mailbox emptied', async () => (await imap.uids()).length === 0 && (await documentCount(env)) === 4);
      assert.deepEqual((await rows(env)).map((r) => r.so_den), [1, 2, 3, 4]);
      assert.match(product.output(), /IMAP_UIDVALIDITY_CHANGED/);
      const [afterChange] = await intakeStatus(env);
      assert.notEqual(afterChange.uidValidity, before.uidValidity);
      assert.equal(afterChange.lastUid, 2);
    } finally {
      await product?.stop();
      await imap.dispose();
      await disposeEnv(env);
    }
  });

  it('without IDLE on the server it polls', async () => {
    const imap = await startDovecot({ withoutIdle: true });
    const env = imapEnv('sqlite', imap, { IMAP_POLL_MS: '300' });
    let product: RunningProduct | null = null;
    try {
      product = await startProduct(env);
      await waitFor('connected', () => /IMAP_CONNECTED .*idle=false/.test(product!.output()));
      await imap.append([await composeMail({ subject: 'Thăm dò', attachments: [pdfAttachment(fixtures.signedPdf)] })]);
      await waitFor('registered by polling', async () => (await documentCount(env)) === 1 && (await imap.uids()).length === 0);
    } finally {
      await product?.stop();
      await imap.dispose();
      await disposeEnv(env);
    }
  });

  it('postgres: two gateway processes on one mailbox never both process a message; the standby takes over', async () => {
    const imap = await startDovecot();
    const env = imapEnv('postgres', imap, { IMAP_LEASE_MS: '2000' });
    const products: RunningProduct[] = [];
    try {
      products.push(await startProduct(env), await startProduct(env));
      const batch = (from: number, n: number) => Promise.all(Array.from({ length: n }, (_, i) => composeMail({ subject: `Văn bản ${from + i}`, attachments: [pdfAttachment(fixtures.signedPdf)] })));
      await imap.append(await batch(1, 30));
      await waitFor('thirty registered', async () => (await documentCount(env)) === 30 && (await imap.uids()).length === 0);
      const active = products.findIndex((p) => /IMAP_CONNECTED/.test(p.output()));
      assert.notEqual(active, -1);
      assert.match(products[1 - active].output(), /IMAP_STANDBY/);
      assert.doesNotMatch(products[1 - active].output(), /IMAP_MESSAGE_DONE/);

      await products[active].stop();
      await imap.append(await batch(31, 5));
      await waitFor('taken over', async () => (await documentCount(env)) === 35 && (await imap.uids()).length === 0);
      const registered = await rows(env);
      assert.deepEqual(registered.map((r) => r.so_den).sort((a, b) => a! - b!), Array.from({ length: 35 }, (_, i) => i + 1));
      assert.deepEqual(registered.map((r) => r.subject), Array.from({ length: 35 }, (_, i) => `Văn bản ${i + 1}`), 'in UID order');
      assert.equal((await imap.uids('Processed')).length, 35);
    } finally {
      for (const p of products) await p.stop();
      await imap.dispose();
      await disposeEnv(env);
    }
  });

  it('a backlog of 1,000 messages is processed in UID order with a flat memory profile', async () => {
    const imap = await startDovecot();
    const env = imapEnv('sqlite', imap);
    let product: RunningProduct | null = null;
    const total = 1000;
    try {
      const template = await composeMail({ subject: 'Công văn', attachments: [pdfAttachment(fixtures.signedPdf)] });
      const messages = Array.from({ length: total }, (_, i) => Buffer.from(template.toString('latin1')
        .replace(/^Subject: .*$/m, `Subject: Backlog ${String(i + 1).padStart(4, '0')}`)
        .replace(/^Message-ID: .*$/m, `Message-ID: <backlog-${i + 1}-${crypto.randomUUID()}@binhthuan.gov.vn>`), 'latin1'));
      await imap.append(messages);
      product = await startProduct(env);
      const pid = product.child.pid!;
      const rss = () => processMemory(pid).rss;
      const samples: Array<{ done: number; rss: number }> = [];
      for (const checkpoint of [200, 400, 600, 800, total]) {
        const done = await waitFor(`${checkpoint} processed`, async () => {
          const n = await documentCount(env);
          return n >= checkpoint ? n : 0;
        });
        samples.push({ done, rss: rss() });
      }
      await waitFor('mailbox emptied', async () => (await imap.uids()).length === 0);
      const registered = await withDatabase(env, async (db) => (await db('documents').select('so_den', 'subject').orderBy('so_den')) as Row[]);
      assert.equal(registered.length, total);
      assert.deepEqual(registered.map((r) => r.subject), messages.map((_, i) => `Backlog ${String(i + 1).padStart(4, '0')}`));
      assert.deepEqual(registered.map((r) => r.so_den), Array.from({ length: total }, (_, i) => i + 1));
      // Flat: from the first checkpoint on, resident memory may wobble with the garbage collector but not grow
      // with the number of messages processed (a leak of even 64 KB per message would add 50 MB here).
      const growth = samples[samples.length - 1].rss - samples[0].rss;
      assert.ok(growth < 40 * 1024 * 1024, `RSS grew by ${(growth / 1048576).toFixed(1)} MB: ${JSON.stringify(samples)}`);
      const [status] = await intakeStatus(env);
      assert.equal(status.lastUid, total);
      assert.equal(status.backlog, 0);
    } finally {
      await product?.stop();
      await imap.dispose();
      await disposeEnv(env);
    }
  });
});
