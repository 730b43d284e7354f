// The outbox end to end: notices built and queued, the sender worker delivering them to a real SMTP relay
// (the sink), retries through relay outages, permanent failures, leases, and two senders on one database.
import test from 'node:test';
import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import { loadConfig, Config } from '../config';
import { setLogLevel } from '../log';
import { openDatabase } from '../db/connection';
import { migrateLatest } from '../db/migrate';
import {
  claimDueMails, countByStatus, enqueueMail, findMail, listFailures, NewOutboxMail, requeueFailed,
} from '../db/outbox/repository';
import { startOutboxWorker, OutboxWorker, OutboxWorkerOptions, RETRY_DELAYS_MS } from '../mail-gateway/outbox/worker';
import { queueRefusedNotice, queueRegisteredNotice, RegisteredNoticeInput, shouldNotNotify } from '../mail-gateway/notices/notices';
import { DATABASE_KINDS, openTestDatabase, TestDatabase } from './support/databases';
import { startSmtpSink } from './support/smtp-sink';

const MINUTE = 60_000;
setLogLevel('warn');

/** A clock the test moves by hand: retries become due without sleeping. */
function testClock(start = '2026-11-23T02:15:00Z') {
  let time = new Date(start).getTime();
  return { now: () => new Date(time), advance: (ms: number) => { time += ms; } };
}

function outboxConfig(t: TestDatabase, relayUrl: string | null, extra: Record<string, string> = {}): Config {
  return loadConfig({ ...t.env, OUTBOUND_SMTP_URL: relayUrl ?? '', ...extra });
}

async function withOutbox(kind: (typeof DATABASE_KINDS)[number], body: (t: TestDatabase) => Promise<void>): Promise<void> {
  const t = await openTestDatabase(kind);
  try {
    await migrateLatest(t.db);
    await body(t);
  } finally {
    await t.dispose();
  }
}

function worker(db: Knex, config: Config, options: OutboxWorkerOptions): OutboxWorker {
  return startOutboxWorker(db, config, { autoPoll: false, ...options });
}

function registered(documentId: number, overrides: Partial<RegisteredNoticeInput> = {}): RegisteredNoticeInput {
  return {
    documentId,
    to: `vanthu${documentId}@sotaichinh.binhthuan.gov.vn`,
    originalMessageId: `<goc-${documentId}@sotaichinh.binhthuan.gov.vn>`,
    originalSubject: 'V/v báo cáo tình hình thực hiện dự toán ngân sách',
    soDen: 1200 + documentId,
    year: 2026,
    receivedAt: new Date('2026-11-23T02:10:00Z'),
    processingFrom: null,
    number: `${documentId}/STC-NS`,
    subject: 'Báo cáo tình hình thực hiện dự toán ngân sách nhà nước năm 2026',
    ...overrides,
  };
}

function plainMail(key: string, recipient = `${key}@example.vn`): NewOutboxMail {
  const messageId = `<${key}@binhthuan.gov.vn>`;
  return {
    kind: 'test', reference: key, dedupeKey: key, sender: '', recipient, subject: key, messageId,
    rawMessage: `From: ubnd@binhthuan.gov.vn\r\nTo: ${recipient}\r\nSubject: ${key}\r\nMessage-ID: ${messageId}\r\n\r\nNoi dung ${key}\r\n`,
  };
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: enqueue is idempotent on the dedupe key`, () => withOutbox(kind, async (t) => {
    const config = outboxConfig(t, null);
    const first = await queueRegisteredNotice(t.db, config, registered(7));
    const again = await queueRegisteredNotice(t.db, config, registered(7, { soDen: 9999 }));
    assert.ok(first && again);
    assert.equal(again.outboxId, first.outboxId);
    assert.equal(again.messageId, first.messageId);
    assert.match((await findMail(t.db, first.outboxId))!.rawMessage, /1207/, 'the first build is kept');

    const a = await enqueueMail(t.db, plainMail('a'));
    assert.equal(await enqueueMail(t.db, plainMail('a')), a);
    assert.notEqual(await enqueueMail(t.db, plainMail('b')), a);
    const refused = await queueRefusedNotice(t.db, config, {
      documentId: 7, to: 'vanthu7@sotaichinh.binhthuan.gov.vn', originalMessageId: null, originalSubject: null,
      receivedAt: new Date(), reasons: [{ code: 'unsigned', message: 'Tệp PDF không có chữ ký số.' }],
    });
    assert.notEqual(refused!.outboxId, first.outboxId, 'another kind of notice for the same document is another mail');
    assert.deepEqual(await countByStatus(t.db), { queued: 4, sending: 0, sent: 0, failed: 0 });
  }));

  test(`${kind}: a registration notice reaches the relay as an auto-reply with the số đến`, () => withOutbox(kind, async (t) => {
    const sink = await startSmtpSink();
    const clock = testClock();
    const config = outboxConfig(t, sink.url);
    const sender = worker(t.db, config, { now: clock.now });
    try {
      const queued = await queueRegisteredNotice(t.db, config, registered(42, {
        receivedAt: new Date('2026-11-23T11:40:00Z'), processingFrom: new Date('2026-11-24T00:30:00Z'), urgency: 'Khẩn',
      }), { now: clock.now() });
      assert.ok(queued);
      assert.equal(await sender.drainOnce(), 1);
      assert.equal(sink.messages.length, 1);
      const [{ envelope, raw, parsed }] = sink.messages;
      assert.deepEqual(envelope, { from: '', to: ['vanthu42@sotaichinh.binhthuan.gov.vn'] }, 'MAIL FROM:<> like a bounce');
      assert.equal(parsed.messageId, queued.messageId);
      assert.equal(parsed.inReplyTo, '<goc-42@sotaichinh.binhthuan.gov.vn>');
      assert.equal(parsed.references, '<goc-42@sotaichinh.binhthuan.gov.vn>');
      assert.equal(parsed.headers.get('auto-submitted'), 'auto-replied');
      assert.equal(parsed.from?.value[0].address, 'ubnd@binhthuan.gov.vn');
      assert.match(parsed.subject ?? '', /^Đã tiếp nhận văn bản, số đến 1242\/2026: V\/v báo cáo/);
      assert.match(parsed.text ?? '', /Số đến: 1242 \(sổ văn bản đến năm 2026\)/);
      assert.match(parsed.text ?? '', /Thời gian tiếp nhận: 23\/11\/2026 18:40/);
      assert.match(parsed.text ?? '', /thời gian xử lý được tính từ 24\/11\/2026 07:30/);
      assert.match(parsed.text ?? '', /Số, ký hiệu văn bản: 42\/STC-NS/);
      assert.match(parsed.html || '', /<strong style="font-size:18px">1242<\/strong>/);
      assert.match(parsed.html || '', /Mức độ khẩn<\/td><td style="padding:4px 0">Khẩn/);

      const row = (await findMail(t.db, queued.outboxId))!;
      assert.equal(raw.toString('utf8'), row.rawMessage, 'the relay gets the stored bytes');
      assert.equal(row.status, 'sent');
      assert.equal(row.attempts, 1);
      assert.equal(row.sentAt?.getTime(), clock.now().getTime());
      assert.match(row.relayResponse ?? '', /^250 /);
      assert.equal(row.claimedBy, null);

      assert.equal(await sender.drainOnce(), 0, 'nothing is sent twice');
      const restarted = worker(t.db, config, { now: clock.now });
      assert.equal(await restarted.drainOnce(), 0, 'nor after a restart');
      await restarted.stop();
      assert.equal(sink.messages.length, 1);
    } finally {
      await sender.stop();
      await sink.close();
    }
  }));

  test(`${kind}: a refusal notice explains each reason and what to do`, () => withOutbox(kind, async (t) => {
    const sink = await startSmtpSink();
    const config = outboxConfig(t, sink.url);
    const sender = worker(t.db, config, {});
    try {
      const queued = await queueRefusedNotice(t.db, config, {
        documentId: 'd-77', to: 'vanphong@binhtan.binhthuan.gov.vn', originalMessageId: 'goc-77@binhtan.binhthuan.gov.vn',
        originalSubject: 'Giấy mời <họp> giao ban', receivedAt: new Date('2026-11-23T03:05:00Z'),
        reasons: [
          { code: 'no-organisation-signature', message: 'Văn bản chỉ có chữ ký số cá nhân, thiếu chữ ký số của cơ quan (con dấu).' },
          { code: 'modified-after-signing', message: 'Tệp PDF đã bị sửa sau khi ký.' },
        ],
      });
      assert.equal(await sender.drainOnce(), 1);
      const [{ envelope, parsed }] = await sink.waitFor(1);
      assert.equal(envelope.from, '');
      assert.equal(parsed.messageId, queued!.messageId);
      assert.equal(parsed.inReplyTo, '<goc-77@binhtan.binhthuan.gov.vn>');
      assert.equal(parsed.headers.get('auto-submitted'), 'auto-replied');
      assert.match(parsed.subject ?? '', /^Từ chối tiếp nhận văn bản: Giấy mời <họp> giao ban$/);
      const text = parsed.text ?? '';
      assert.match(text, /lúc 23\/11\/2026 10:05/);
      assert.match(text, /1\. Văn bản chỉ có chữ ký số cá nhân, thiếu chữ ký số của cơ quan \(con dấu\)\./);
      assert.match(text, /2\. Tệp PDF đã bị sửa sau khi ký\./);
      assert.match(text, /chỉ được lưu lại để tham khảo/);
      assert.match(text, /chữ ký số cá nhân hợp lệ/);
      assert.match(text, /liên hệ Văn phòng UBND tỉnh Bình Thuận/);
      assert.match(text, /mã tiếp nhận d-77/);
      const html = parsed.html || '';
      assert.match(html, /<li style="margin-bottom:6px">Tệp PDF đã bị sửa sau khi ký\.<\/li>/);
      assert.match(html, /Giấy mời &lt;họp&gt; giao ban/, 'the sender\'s subject is escaped in HTML');
      assert.equal(shouldNotNotify(envelope.from, parsed.headers)?.code, 'null-sender', 'the notice itself is never answered');
      assert.equal(shouldNotNotify('ubnd@binhthuan.gov.vn', parsed.headers)?.code, 'our-notice');
    } finally {
      await sender.stop();
      await sink.close();
    }
  }));

  test(`${kind}: relay down, then up: every mail is delivered exactly once`, () => withOutbox(kind, async (t) => {
    const clock = testClock();
    // A port with nobody listening: the relay is down.
    const probe = await startSmtpSink();
    const port = probe.port;
    await probe.close();
    const config = outboxConfig(t, `smtp://127.0.0.1:${port}`);
    const sender = worker(t.db, config, { now: clock.now });
    let sink: Awaited<ReturnType<typeof startSmtpSink>> | null = null;
    try {
      const ids = [];
      for (const id of [1, 2, 3]) ids.push((await queueRegisteredNotice(t.db, config, registered(id), { now: clock.now() }))!.outboxId);
      assert.equal(await sender.drainOnce(), 3);
      for (const id of ids) {
        const row = (await findMail(t.db, id))!;
        assert.equal(row.status, 'queued');
        assert.equal(row.attempts, 1);
        assert.match(row.lastError ?? '', /ECONNREFUSED/);
        assert.equal(row.nextAttemptAt.getTime(), clock.now().getTime() + RETRY_DELAYS_MS[0]);
      }
      assert.equal(await sender.drainOnce(), 0, 'not due before the backoff');

      sink = await startSmtpSink({ port });
      clock.advance(RETRY_DELAYS_MS[0]);
      assert.equal(await sender.drainOnce(), 3);
      assert.equal(sink.messages.length, 3);
      assert.equal(new Set(sink.messages.map((m) => m.parsed.messageId)).size, 3);
      assert.deepEqual(await countByStatus(t.db), { queued: 0, sending: 0, sent: 3, failed: 0 });
      clock.advance(24 * 60 * MINUTE);
      assert.equal(await sender.drainOnce(), 0);
      assert.equal(sink.messages.length, 3);
    } finally {
      await sender.stop();
      await sink?.close();
    }
  }));

  test(`${kind}: 451 from the relay retries on the backoff schedule, then delivers once`, () => withOutbox(kind, async (t) => {
    const clock = testClock();
    const sink = await startSmtpSink({ failWith: { code: 451, message: '4.3.0 Temporary local problem' } });
    const config = outboxConfig(t, sink.url);
    const sender = worker(t.db, config, { now: clock.now });
    try {
      const id = (await queueRegisteredNotice(t.db, config, registered(5), { now: clock.now() }))!.outboxId;
      assert.equal(await sender.drainOnce(), 1);
      let row = (await findMail(t.db, id))!;
      assert.equal(row.status, 'queued');
      assert.match(row.lastError ?? '', /^451 4\.3\.0 Temporary local problem/);
      assert.equal(row.nextAttemptAt.getTime() - clock.now().getTime(), 1 * MINUTE);

      clock.advance(1 * MINUTE);
      assert.equal(await sender.drainOnce(), 1);
      row = (await findMail(t.db, id))!;
      assert.equal(row.attempts, 2);
      assert.equal(row.nextAttemptAt.getTime() - clock.now().getTime(), 5 * MINUTE);

      clock.advance(4 * MINUTE);
      assert.equal(await sender.drainOnce(), 0, 'still waiting');
      sink.setFailure(null);
      clock.advance(1 * MINUTE);
      assert.equal(await sender.drainOnce(), 1);
      assert.equal(sink.refused.length, 2);
      assert.equal(sink.messages.length, 1);
      assert.equal((await findMail(t.db, id))!.status, 'sent');
    } finally {
      await sender.stop();
      await sink.close();
    }
  }));

  test(`${kind}: after OUTBOX_MAX_ATTEMPTS temporary failures the mail is failed`, () => withOutbox(kind, async (t) => {
    const clock = testClock();
    const sink = await startSmtpSink({ failWith: { code: 421, message: '4.7.0 Try again later' } });
    const config = outboxConfig(t, sink.url, { OUTBOX_MAX_ATTEMPTS: '3' });
    const sender = worker(t.db, config, { now: clock.now });
    try {
      const id = await enqueueMail(t.db, plainMail('max'), clock.now());
      for (const wait of [0, 1 * MINUTE, 5 * MINUTE]) {
        clock.advance(wait);
        assert.equal(await sender.drainOnce(), 1);
      }
      const row = (await findMail(t.db, id))!;
      assert.equal(row.status, 'failed');
      assert.equal(row.attempts, 3);
      assert.match(row.lastError ?? '', /^421 4\.7\.0 Try again later/);
      clock.advance(24 * 60 * MINUTE);
      assert.equal(await sender.drainOnce(), 0);
      assert.deepEqual((await listFailures(t.db)).map((f) => f.id), [id]);
    } finally {
      await sender.stop();
      await sink.close();
    }
  }));

  test(`${kind}: 550 from the relay fails at once with its reply; requeue sends it`, () => withOutbox(kind, async (t) => {
    const clock = testClock();
    const sink = await startSmtpSink({ failWith: { code: 550, message: '5.1.1 Mailbox unavailable' } });
    const config = outboxConfig(t, sink.url);
    const sender = worker(t.db, config, { now: clock.now });
    try {
      const okId = await enqueueMail(t.db, plainMail('ok'), clock.now());
      const badId = (await queueRegisteredNotice(t.db, config, registered(9), { now: clock.now() }))!.outboxId;
      assert.equal(await sender.drainOnce(), 2);
      const bad = (await findMail(t.db, badId))!;
      assert.equal(bad.status, 'failed');
      assert.equal(bad.attempts, 1);
      assert.match(bad.lastError ?? '', /^550 5\.1\.1 Mailbox unavailable/);

      const failures = await listFailures(t.db);
      assert.deepEqual(failures.map((f) => [f.id, f.kind, f.recipient]), [
        [badId, 'notice.registered', 'vanthu9@sotaichinh.binhthuan.gov.vn'],
        [okId, 'test', 'ok@example.vn'],
      ], 'newest first');
      assert.deepEqual((await listFailures(t.db, { kind: 'notice.registered' })).map((f) => f.id), [badId]);
      assert.equal('rawMessage' in failures[0], false, 'the list stays light');

      clock.advance(24 * 60 * MINUTE);
      assert.equal(await sender.drainOnce(), 0, 'a failed mail waits for a person');
      sink.setFailure(null);
      assert.equal(await requeueFailed(t.db, badId, clock.now()), true);
      assert.equal(await requeueFailed(t.db, badId, clock.now()), false, 'only a failed mail is requeued');
      assert.equal(await sender.drainOnce(), 1);
      assert.equal(sink.messages.length, 1);
      assert.equal(sink.messages[0].parsed.messageId, bad.messageId, 'the resend is the same message');
      assert.deepEqual(await countByStatus(t.db), { queued: 0, sending: 0, sent: 1, failed: 1 });
    } finally {
      await sender.stop();
      await sink.close();
    }
  }));

  test(`${kind}: a crashed sender's lease runs out and another sender takes the mail`, () => withOutbox(kind, async (t) => {
    const clock = testClock();
    const sink = await startSmtpSink();
    const config = outboxConfig(t, sink.url);
    const leaseMs = 2 * MINUTE;
    const sender = worker(t.db, config, { now: clock.now, leaseMs });
    try {
      const id = await enqueueMail(t.db, plainMail('lease'), clock.now());
      const [claimed] = await claimDueMails(t.db, { token: 'crashed-host:1:x', limit: 5, leaseMs, now: clock.now() });
      assert.equal(claimed.id, id);
      assert.equal(claimed.status, 'sending');
      assert.equal(await sender.drainOnce(), 0, 'a leased mail is left alone');
      clock.advance(leaseMs);
      assert.equal(await sender.drainOnce(), 1);
      const row = (await findMail(t.db, id))!;
      assert.equal(row.status, 'sent');
      assert.equal(row.attempts, 2);
      assert.equal(sink.messages.length, 1);
    } finally {
      await sender.stop();
      await sink.close();
    }
  }));

  test(`${kind}: two senders on separate connections never send the same mail twice`, () => withOutbox(kind, async (t) => {
    const sink = await startSmtpSink();
    const config = outboxConfig(t, sink.url);
    const otherDb = await openDatabase(config);
    const one = worker(t.db, config, { owner: 'sender-1', batchSize: 3 });
    const two = worker(otherDb, config, { owner: 'sender-2', batchSize: 3 });
    try {
      const total = 40;
      for (let i = 0; i < total; i += 1) await enqueueMail(t.db, plainMail(`m${i}`));
      const [a, b] = await Promise.all([one.drainOnce(), two.drainOnce()]);
      assert.equal(a + b, total, `each mail handled by exactly one sender (${a} + ${b})`);
      assert.ok(a > 0 && b > 0, `both senders worked at the same time (${a} + ${b})`);
      assert.equal(sink.messages.length, total);
      assert.equal(new Set(sink.messages.map((m) => m.parsed.messageId)).size, total);
      assert.deepEqual(await countByStatus(t.db), { queued: 0, sending: 0, sent: total, failed: 0 });
    } finally {
      await one.stop();
      await two.stop();
      await otherDb.destroy();
      await sink.close();
    }
  }));

  test(`${kind}: without OUTBOUND_SMTP_URL mail stays queued`, () => withOutbox(kind, async (t) => {
    const config = outboxConfig(t, null);
    const sender = worker(t.db, config, {});
    try {
      const queued = await queueRegisteredNotice(t.db, config, registered(3));
      assert.equal(await sender.drainOnce(), 0);
      assert.equal(await sender.drainOnce(), 0);
      const row = (await findMail(t.db, queued!.outboxId))!;
      assert.equal(row.status, 'queued');
      assert.equal(row.attempts, 0);
    } finally {
      await sender.stop();
    }
  }));
}

test('the worker polls on its own every OUTBOX_POLL_MS', () => withOutbox('sqlite', async (t) => {
  const sink = await startSmtpSink();
  const config = outboxConfig(t, sink.url, { OUTBOX_POLL_MS: '20' });
  const sender = startOutboxWorker(t.db, config);
  try {
    await enqueueMail(t.db, plainMail('polled'));
    const [message] = await sink.waitFor(1);
    assert.equal(message.parsed.subject, 'polled');
  } finally {
    await sender.stop();
    await sink.close();
  }
}));

test('no notice goes to a null sender or in answer to automatic mail', async () => {
  const code = (sender: string | null, headers: Record<string, string> = {}) => shouldNotNotify(sender, headers)?.code ?? null;
  assert.equal(code('vanthu@sotaichinh.binhthuan.gov.vn'), null);
  assert.equal(code('vanthu@sotaichinh.binhthuan.gov.vn', { 'Auto-Submitted': 'no' }), null);
  assert.equal(code(null), 'null-sender');
  assert.equal(code(''), 'null-sender');
  assert.equal(code('<>'), 'null-sender');
  assert.equal(code('a@b.vn', { 'Auto-Submitted': 'auto-replied' }), 'auto-submitted');
  assert.equal(code('a@b.vn', { 'auto-submitted': 'auto-generated; owner-email="x@b.vn"' }), 'auto-submitted');
  assert.equal(code('a@b.vn', { 'X-Autoreply': 'yes' }), 'auto-submitted');
  for (const value of ['bulk', 'junk', 'list', 'Bulk']) assert.equal(code('a@b.vn', { Precedence: value }), 'precedence');
  assert.equal(code('a@b.vn', { Precedence: 'first-class' }), null);
  assert.equal(code('a@b.vn', { 'List-Id': '<tin-tuc.binhthuan.gov.vn>' }), 'mailing-list');
  for (const sender of ['MAILER-DAEMON@mx.b.vn', 'postmaster@b.vn', 'no-reply@b.vn', 'noreply@b.vn', 'donotreply@b.vn']) {
    assert.equal(code(sender), 'system-sender', sender);
  }
  assert.equal(code('a@b.vn', { 'X-Binhthuan-Notice': 'notice.refused' }), 'our-notice');
  assert.equal(code('a@b.vn', { 'Message-ID': '<notice.registered.12@binhthuan.gov.vn>' }), 'our-notice');
  const parsedStyle = new Map<string, unknown>([['list-id', { id: 'tin-tuc.binhthuan.gov.vn', name: 'Tin tức' }]]);
  assert.equal(shouldNotNotify('a@b.vn', parsedStyle)?.code, 'mailing-list');
  assert.match(shouldNotNotify(null, {})!.message, /người gửi rỗng/);
});
