// Answers by mail end to end: units reply to the invitation mail, over real SMTP, to the gateway's reply address
// (giaymoi@…, with or without the invitation's +tag); the gateway reads an iTIP REPLY (made with ical.js from the
// .ics the unit received, or written out as Outlook writes it) or the first lines of a plain reply, applies the
// answer with the website's rules, records the mail, and mails a confirmation (or why not) back through the
// outbox to a real SMTP sink. The province's domains publish SPF for the test's address (a DNS the test controls),
// so their units are vouched for; a unit without SPF is believed only on its own reply address (the reply token
// only its copy of the invitation carries). Strangers and forged senders change nothing and get nothing. Then the
// plain-text parser on its own, with many phrasings, and the reply address.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import ICAL from 'ical.js';
import { loadConfig, Config } from '../config';
import { setLogLevel } from '../log';
import { prepareDatabase } from '../db/prepare';
import { getInvitationForUnit, getInvitationOverview } from '../db/invitations/queries';
import { listAnswerMails } from '../db/invitations/answer-mails';
import { startOutboxWorker } from '../mail-gateway/outbox/worker';
import { startSmtp, RunningSmtp } from '../mail-gateway/smtp/server';
import type { DnsResolver } from '../mail-gateway/sender-checks/mail-auth';
import { createAndNotify, invitationMailRenderer, INVITATION_RENDERER } from '../moihop-web/invitations';
import { invitationReplyAddress, parseReplyAddress } from '../mail-gateway/answers/reply-address';
import { parseTextAnswer, ownReplyLines } from '../mail-gateway/answers/text-answer';
import { parseItipReply } from '../mail-gateway/answers/itip';
import { DATABASE_KINDS, openTestDatabase, TestDatabase } from './support/databases';
import { startSmtpSink, SinkMessage, SmtpSink } from './support/smtp-sink';
import { makeInvitationFiles, InvitationFiles } from './support/invitation-fixtures';
import { RawSmtp } from './support/raw-smtp';
import { fakeDns } from './support/fake-dns';

setLogLevel('warn');
const HOUR = 3_600_000;

/** No DNS in tests: every lookup fails at once as "no such name" (SPF/DKIM none, never aligned). */
/** The province's mail servers (here: this machine) may send for binhthuan.gov.vn and ca.binhthuan.gov.vn; no other domain publishes SPF. */
const provinceDns: DnsResolver = fakeDns({
  'TXT binhthuan.gov.vn': ['v=spf1 ip4:127.0.0.1 -all'],
  'TXT ca.binhthuan.gov.vn': ['v=spf1 ip4:127.0.0.1 -all'],
});

interface Setup {
  t: TestDatabase;
  files: InvitationFiles;
  sink: SmtpSink;
  config: Config;
  smtp: RunningSmtp;
}

async function withSetup(kind: (typeof DATABASE_KINDS)[number], body: (s: Setup) => Promise<void>): Promise<void> {
  const t = await openTestDatabase(kind);
  const files = await makeInvitationFiles();
  const sink = await startSmtpSink();
  let smtp: RunningSmtp | null = null;
  try {
    await prepareDatabase(t.db);
    const config = loadConfig({
      ...t.env, TRUST_DIR: files.trustDir, OUTBOUND_SMTP_URL: sink.url, PUBLIC_URL: 'https://moihop.binhthuan.gov.vn',
      SMTP_HOST: '127.0.0.1', SMTP_PORT: '0', DNS_TIMEOUT_MS: '200',
    });
    smtp = await startSmtp({ db: t.db, config, resolver: provinceDns });
    await body({ t, files, sink, config, smtp });
  } finally {
    await smtp?.close();
    await sink.close();
    files.remove();
    await t.dispose();
  }
}

interface Outgoing {
  from: string;
  /** MAIL FROM when it differs from the From header. */
  envelopeFrom?: string;
  to: string | string[];
  subject?: string;
  text?: string;
  inReplyTo?: string;
  references?: string;
  /** A text/calendar part (method=REPLY) and its .ics attachment, as calendar clients send them. */
  calendar?: string;
  headers?: Record<string, string>;
  messageId?: string;
  raw?: string | Buffer;
}

async function send(port: number, mail: Outgoing): Promise<string> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  try {
    const to = Array.isArray(mail.to) ? mail.to : [mail.to];
    const info = await transport.sendMail({
      envelope: { from: mail.envelopeFrom ?? mail.from, to },
      ...(mail.raw ? { raw: mail.raw } : {
        from: mail.from, to, subject: mail.subject ?? 'Trả lời: Giấy mời họp', text: mail.text ?? '', inReplyTo: mail.inReplyTo,
        references: mail.references, headers: mail.headers, messageId: mail.messageId,
        ...(mail.calendar ? {
          icalEvent: { method: 'REPLY', filename: 'invite.ics', content: mail.calendar },
        } : {}),
      }),
    });
    return info.response;
  } finally {
    transport.close();
  }
}

function icsOf(message: SinkMessage): string {
  const part = message.parsed.attachments.find((a) => a.contentType.startsWith('text/calendar'));
  assert.ok(part, 'the invitation mail carries an .ics');
  return part.content.toString('utf8');
}

/** The REPLY a calendar client makes of the REQUEST it received: METHOD:REPLY, only its attendee, its PARTSTAT. */
function replyWithIcalJs(requestIcs: string, attendeeAddress: string, partstat: string): string {
  const calendar = new ICAL.Component(ICAL.parse(requestIcs));
  calendar.updatePropertyWithValue('method', 'REPLY');
  calendar.updatePropertyWithValue('prodid', '-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN');
  const event = calendar.getFirstSubcomponent('vevent')!;
  for (const name of ['description', 'url', 'comment', 'location', 'priority']) event.removeAllProperties(name);
  for (const attendee of event.getAllProperties('attendee')) {
    if (String(attendee.getFirstValue()).toLowerCase() !== `mailto:${attendeeAddress}`) event.removeProperty(attendee);
    else {
      attendee.setParameter('partstat', partstat);
      attendee.removeParameter('rsvp');
    }
  }
  event.updatePropertyWithValue('dtstamp', ICAL.Time.fromJSDate(new Date(), true));
  return calendar.toString();
}

/** An Outlook-style REPLY, written out: DECLINED with the note typed by the user as COMMENT. */
function outlookDecline(uid: string, sequence: number, attendee: string, comment: string): string {
  return [
    'BEGIN:VCALENDAR', 'METHOD:REPLY', 'PRODID:Microsoft Exchange Server 2010', 'VERSION:2.0',
    'BEGIN:VEVENT', 'ATTENDEE;PARTSTAT=DECLINED;CN=Văn phòng Tỉnh ủy:mailto:' + attendee.toUpperCase(),
    `COMMENT;LANGUAGE=vi-VN:${comment}`, 'SUMMARY;LANGUAGE=vi-VN:Từ chối: Họp bàn công tác phòng chống lụt bão',
    'DTSTART;TZID=SE Asia Standard Time:20261126T080000', 'DTEND;TZID=SE Asia Standard Time:20261126T100000',
    `UID:${uid}`, 'CLASS:PUBLIC', 'PRIORITY:5', 'DTSTAMP:20261123T030000Z', `SEQUENCE:${sequence}`, 'END:VEVENT', 'END:VCALENDAR', '',
  ].join('\r\n');
}

const QUOTED_ORIGINAL = (address: string) => [
  '',
  `Vào Th 2, 23 thg 11, 2026 vào lúc 09:00 Văn phòng UBND tỉnh Bình Thuận <`,
  `${address}> đã viết:`,
  '> Văn phòng UBND tỉnh Bình Thuận trân trọng kính mời Quý cơ quan, đơn vị dự cuộc họp.',
  '> Tham dự',
  '> Không tham dự',
].join('\n');

for (const kind of DATABASE_KINDS) {
  test(`${kind}: units answer by mail — iTIP REPLY and plain text applied, strangers and forgers ignored, deadline explained, confirmations mailed`, () => withSetup(kind, async ({ t, files, sink, config, smtp }) => {
    const now = Date.now();
    const pdf = { filename: 'giay-moi.pdf', content: fs.readFileSync(files.signedPdf) };
    const { invitation } = await createAndNotify(t.db, config, {
      title: 'Họp bàn công tác phòng, chống lụt bão năm 2026', startsAt: new Date(now + 72 * HOUR), endsAt: new Date(now + 74 * HOUR),
      place: 'Phòng họp số 1, UBND tỉnh', pdf, actor: 'quantri',
      unitIds: ['cong-an-tinh', 'van-phong-tinh-uy', 'bo-chi-huy-quan-su-tinh', 'uy-ban-mat-tran-to-quoc-viet-nam', 'thanh-uy-phan-thiet', 'cuc-thue-tinh'],
    });
    // A meeting whose answers closed an hour ago.
    const { invitation: closed } = await createAndNotify(t.db, config, {
      title: 'Hội nghị sơ kết công tác chuyển đổi số', startsAt: new Date(now + 48 * HOUR), endsAt: new Date(now + 50 * HOUR),
      answerDeadline: new Date(now - HOUR), place: 'Hội trường A', pdf, actor: 'quantri', unitIds: ['cong-an-tinh'], at: new Date(now - 3 * HOUR),
    });
    const worker = startOutboxWorker(t.db, config, { autoPoll: false, renderers: { [INVITATION_RENDERER]: invitationMailRenderer(t.db, config) } });
    try {
      await worker.drainOnce();
      const invitationMails = await sink.waitFor(8);
      const received = new Map(invitationMails.filter((m) => (m.parsed.subject ?? '').includes('lụt bão')).map((m) => [m.envelope.to[0], m]));
      const toCongAn = received.get('vanthu@ca.binhthuan.gov.vn')!;
      const uid = `${invitation.id}@moihop.binhthuan.gov.vn`;
      const tagged = invitationReplyAddress(config, invitation.id);
      assert.equal(tagged, `giaymoi+${invitation.id}@binhthuan.gov.vn`);
      const answerOf = async (unitId: string, id = invitation.id) => (await getInvitationForUnit(t.db, unitId, id))!.answer;

      // 1. Thunderbird-style iTIP REPLY made with ical.js, ACCEPTED, to the bare reply address: found by its UID.
      const accepted = replyWithIcalJs(icsOf(toCongAn), 'vanthu@ca.binhthuan.gov.vn', 'ACCEPTED');
      assert.match(accepted, /METHOD:REPLY/);
      const acceptedReply = await send(smtp.port, {
        from: 'Công an tỉnh <vanthu@ca.binhthuan.gov.vn>', to: 'giaymoi@binhthuan.gov.vn', subject: 'Đã chấp nhận: Họp bàn công tác phòng, chống lụt bão',
        text: 'Công an tỉnh đã chấp nhận lời mời của bạn.', calendar: accepted,
      });
      assert.match(acceptedReply, /^250 2\.0\.0 Da ghi nhan tra loi giay moi: tham du, ma \S+ \/ answer recorded/);
      assert.ok(/^[\x20-\x7e]*$/.test(acceptedReply), 'the SMTP reply is ASCII');
      const congAn = await answerOf('cong-an-tinh');
      assert.deepEqual([congAn?.answer, congAn?.source, congAn?.answeredBy], ['tham dự', 'mail', 'congan']);

      // 2. Outlook-style REPLY written out, DECLINED with a comment, to the tagged address.
      const declineMessageId = '<decline.1@vptu.binhthuan.gov.vn>';
      await send(smtp.port, {
        from: 'vptu@binhthuan.gov.vn', to: tagged, subject: 'Từ chối: Họp bàn công tác phòng, chống lụt bão', text: 'Bận họp Ban Thường vụ',
        calendar: outlookDecline(uid, 0, 'vptu@binhthuan.gov.vn', 'Bận họp Ban Thường vụ Tỉnh ủy'),
        messageId: declineMessageId,
      });
      const vptu = await answerOf('van-phong-tinh-uy');
      assert.deepEqual([vptu?.answer, vptu?.reason, vptu?.source], ['không tham dự', 'Bận họp Ban Thường vụ Tỉnh ủy', 'mail']);

      // 3. A plain reply "Không tham dự, trùng lịch" to the bare address, found by In-Reply-To; the quoted original is ignored.
      const invitationMessageId = received.get('bchqs@binhthuan.gov.vn')!.parsed.messageId!;
      assert.match(invitationMessageId, new RegExp(`^<invitation\\.${invitation.id}\\.`));
      const plainDecline = await send(smtp.port, {
        from: 'bchqs@binhthuan.gov.vn', to: 'giaymoi@binhthuan.gov.vn', inReplyTo: invitationMessageId, references: invitationMessageId,
        text: `Kính gửi Văn phòng UBND tỉnh,\n\nKhông tham dự, trùng lịch\n\nTrân trọng.\n${QUOTED_ORIGINAL('ubnd@binhthuan.gov.vn')}`,
      });
      assert.match(plainDecline, /^250 .*khong tham du/);
      const bchqs = await answerOf('bo-chi-huy-quan-su-tinh');
      assert.deepEqual([bchqs?.answer, bchqs?.reason], ['không tham dự', 'trùng lịch']);

      // 4. A named delegate, to the tagged address, above an Outlook-quoted original that says otherwise.
      await send(smtp.port, {
        from: 'ubmttqvn@binhthuan.gov.vn', to: tagged,
        text: 'Cử đồng chí Nguyễn Văn A, Phó Giám đốc tham dự\n\n________________________________\nFrom: Văn phòng UBND tỉnh\nSent: Monday\n\nKhông tham dự',
      });
      const mttq = await answerOf('uy-ban-mat-tran-to-quoc-viet-nam');
      assert.deepEqual([mttq?.answer, mttq?.attendeeName, mttq?.attendeePosition], ['cử người dự thay', 'Nguyễn Văn A', 'Phó Giám đốc']);

      // 5. TENTATIVE is not an answer: nothing recorded, the unit is told so.
      const tentative = await send(smtp.port, {
        from: 'tuphanthiet@binhthuan.gov.vn', to: 'giaymoi@binhthuan.gov.vn', text: 'Có thể tham dự',
        calendar: replyWithIcalJs(icsOf(received.get('tuphanthiet@binhthuan.gov.vn')!), 'tuphanthiet@binhthuan.gov.vn', 'TENTATIVE'),
      });
      assert.match(tentative, /chua ghi nhan \(TENTATIVE\)/);
      assert.equal(await answerOf('thanh-uy-phan-thiet'), null);

      // 6. A stranger: nothing applied, nothing mailed back.
      const stranger = await send(smtp.port, { from: 'someone@example.com', to: tagged, text: 'Tham dự' });
      assert.match(stranger, /^250 .*\(UNKNOWN_SENDER\)/);

      // 7. A unit's From with a foreign envelope sender (no SPF/DKIM): not applied, nothing mailed back.
      const forged = await send(smtp.port, { from: 'vanthu@ca.binhthuan.gov.vn', envelopeFrom: 'bulk@mailer.example.net', to: tagged, text: 'Không tham dự, bận' });
      assert.match(forged, /^250 .*\(UNAUTHENTICATED\)/);
      assert.equal((await answerOf('cong-an-tinh'))?.answer, 'tham dự', 'the forged mail changed nothing');

      // 8. After the deadline: not applied, the reason mailed back.
      const late = await send(smtp.port, { from: 'vanthu@ca.binhthuan.gov.vn', to: invitationReplyAddress(config, closed.id), text: 'Tham dự' });
      assert.match(late, /^250 .*\(ANSWERS_CLOSED\)/);
      assert.equal(await answerOf('cong-an-tinh', closed.id), null);

      // 9. An out-of-office auto-reply ("vắng mặt") is never taken for an answer, nor answered.
      const vacation = await send(smtp.port, {
        from: 'tuphanthiet@binhthuan.gov.vn', to: tagged, text: 'Tôi vắng mặt đến hết ngày 30/11.', headers: { 'Auto-Submitted': 'auto-replied' },
      });
      assert.match(vacation, /\(AUTOMATIC\)/);

      // 10. One mail to the reply address and the official address: the answer is applied and the copy registered.
      const both = await send(smtp.port, { from: 'phanthiet@binhthuan.gov.vn', to: [tagged, 'ubnd@binhthuan.gov.vn'], text: 'Dự' });
      assert.match(both, /^250 2\.0\.0 Da ghi nhan tra loi giay moi: tham du, ma \S+ \/ answer recorded, id \S+; Da nhan va luu de tham khao/);
      assert.equal((await answerOf('thanh-uy-phan-thiet'))?.answer, 'tham dự');
      assert.equal(Number((await t.db('documents').count({ n: '*' }))[0].n), 1, 'only the copy to the official address is in the register');

      // 11. The same bytes again (a retry): recognised, nothing recorded twice.
      const first = (await listAnswerMails(t.db, { unitId: 'bo-chi-huy-quan-su-tinh' }))[0];
      const again = await send(smtp.port, { from: 'bchqs@binhthuan.gov.vn', to: 'giaymoi@binhthuan.gov.vn', raw: fs.readFileSync(path.join(config.dataDir, first.rawPath)) });
      assert.match(again, new RegExp(`da duoc nhan truoc do \\(APPLIED\\), ma ${first.id}`));
      assert.equal((await getInvitationForUnit(t.db, 'bo-chi-huy-quan-su-tinh', invitation.id))!.answerHistory.length, 1);

      // 12. Cục Thuế (gdt.gov.vn publishes no SPF): a From header alone proves nothing, even with a matching envelope
      //     sender; its own reply address — the Reply-To of the copy it received, with its reply token — does.
      const toCucThue = received.get('phchinh.bth@gdt.gov.vn')!;
      const ownReplyTo = toCucThue.parsed.replyTo!.value[0].address!;
      assert.match(ownReplyTo, new RegExp(`^giaymoi\\+${invitation.id}-[0-9a-f]{16}@binhthuan\\.gov\\.vn$`, 'i'));
      assert.equal(ownReplyTo.toLowerCase(), invitationReplyAddress(config, invitation.id, 'cuc-thue-tinh').toLowerCase());
      assert.match(icsOf(toCucThue).replace(/\r?\n[ \t]/g, ''), new RegExp(`ORGANIZER;CN=[^:]+:mailto:${ownReplyTo.replace(/[+.]/g, '\\$&')}`, 'i'), 'its calendar replies there too');
      const congAnReplyTo = toCongAn.parsed.replyTo!.value[0].address!;
      assert.notEqual(congAnReplyTo.toLowerCase(), ownReplyTo.toLowerCase(), 'each unit its own token');
      const untokened = await send(smtp.port, { from: 'phchinh.bth@gdt.gov.vn', to: tagged, text: 'Không tham dự, đi công tác' });
      assert.match(untokened, /\(UNAUTHENTICATED\)/);
      const borrowed = await send(smtp.port, { from: 'phchinh.bth@gdt.gov.vn', to: congAnReplyTo, text: 'Không tham dự, đi công tác' });
      assert.match(borrowed, /\(UNAUTHENTICATED\)/, "another unit's token is not this unit's");
      assert.equal(await answerOf('cuc-thue-tinh'), null);
      const own = await send(smtp.port, { from: 'phchinh.bth@gdt.gov.vn', to: ownReplyTo.toLowerCase(), text: 'Không tham dự, đi công tác' });
      assert.match(own, /^250 2\.0\.0 Da ghi nhan tra loi giay moi: khong tham du/);
      assert.deepEqual([(await answerOf('cuc-thue-tinh'))?.answer, (await answerOf('cuc-thue-tinh'))?.reason], ['không tham dự', 'đi công tác']);

      // Every mail is kept with its outcome; the raw message is on disk.
      const mails = await listAnswerMails(t.db);
      assert.deepEqual(mails.map((m) => m.outcome), [
        'APPLIED', 'APPLIED', 'APPLIED', 'APPLIED', 'TENTATIVE', 'UNKNOWN_SENDER', 'UNAUTHENTICATED', 'ANSWERS_CLOSED', 'AUTOMATIC', 'APPLIED',
        'UNAUTHENTICATED', 'UNAUTHENTICATED', 'APPLIED',
      ]);
      assert.deepEqual(mails.slice(0, 4).map((m) => [m.method, m.invitationFoundBy]), [['itip', 'uid'], ['itip', 'tag'], ['text', 'thread'], ['text', 'tag']]);
      for (const mail of mails) assert.ok(fs.existsSync(path.join(config.dataDir, mail.rawPath)), `raw mail of ${mail.id} kept`);
      assert.equal(mails[6].authResults.senderAccepted, null);
      assert.equal(mails[0].authResults.senderAccepted, 'aligned');
      assert.equal(mails[12].authResults.senderAccepted, 'reply-token');
      const overview = (await getInvitationOverview(t.db, invitation.id))!;
      assert.deepEqual([overview.counts.attending, overview.counts.declining, overview.counts.delegating], [2, 3, 1]);

      // The confirmations leave through the outbox: one per reply from a known, vouched-for unit address.
      const before = sink.messages.length;
      await worker.drainOnce();
      const back = (await sink.waitFor(before + 9)).slice(before);
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(sink.messages.length, before + 9, 'nothing else was mailed');
      const recipients = back.map((m) => m.envelope.to[0]).sort();
      assert.deepEqual(recipients, [
        'bchqs@binhthuan.gov.vn', 'phanthiet@binhthuan.gov.vn', 'phanthiet@binhthuan.gov.vn', 'phchinh.bth@gdt.gov.vn', 'tuphanthiet@binhthuan.gov.vn',
        'ubmttqvn@binhthuan.gov.vn', 'vanthu@ca.binhthuan.gov.vn', 'vanthu@ca.binhthuan.gov.vn', 'vptu@binhthuan.gov.vn',
      ]);
      assert.ok(!back.some((m) => /example\.(com|net)/.test(m.envelope.to[0])), 'no backscatter');
      const answers = back.filter((m) => m.parsed.headers.get('x-binhthuan-notice') !== 'notice.refused');
      assert.equal(answers.length, 8);
      for (const mail of answers) {
        assert.equal(mail.envelope.from, '', 'an auto-reply: null envelope sender');
        assert.equal(mail.parsed.headers.get('auto-submitted'), 'auto-replied');
        assert.equal(mail.parsed.from?.value[0].address, 'giaymoi@binhthuan.gov.vn');
      }
      const toVptu = answers.find((m) => m.envelope.to[0] === 'vptu@binhthuan.gov.vn')!;
      assert.match(toVptu.parsed.subject ?? '', /^Đã ghi nhận trả lời giấy mời: Họp bàn công tác phòng, chống lụt bão/);
      assert.match(toVptu.parsed.text ?? '', /Không tham dự\. Lý do: Bận họp Ban Thường vụ Tỉnh ủy/);
      assert.equal(toVptu.parsed.inReplyTo, declineMessageId);
      assert.equal((toVptu.parsed.replyTo?.value[0].address ?? '').toLowerCase(), invitationReplyAddress(config, invitation.id, 'van-phong-tinh-uy').toLowerCase());
      const toMttq = answers.find((m) => m.envelope.to[0] === 'ubmttqvn@binhthuan.gov.vn')!;
      assert.match(toMttq.parsed.text ?? '', /Cử người dự thay: Nguyễn Văn A, Phó Giám đốc/);
      assert.match(toMttq.parsed.text ?? '', /bổ sung .*số điện thoại người dự thay/);
      const toCongAnBack = answers.filter((m) => m.envelope.to[0] === 'vanthu@ca.binhthuan.gov.vn');
      const lateBack = toCongAnBack.find((m) => /^Chưa ghi nhận/.test(m.parsed.subject ?? ''))!;
      assert.match(lateBack.parsed.subject ?? '', /Hội nghị sơ kết công tác chuyển đổi số/);
      assert.match(lateBack.parsed.text ?? '', /Đã hết hạn xác nhận tham dự \(hạn chót /);
      const tentativeBack = answers.find((m) => m.envelope.to[0] === 'tuphanthiet@binhthuan.gov.vn')!;
      assert.match(tentativeBack.parsed.text ?? '', /Có thể tham dự.*chưa phải là xác nhận/);
    } finally {
      await worker.stop();
    }
  }));
}

test('RCPT: the reply address with or without a +tag is accepted; its look-alikes and other domains are not', () => withSetup('sqlite', async ({ smtp }) => {
  const session = await RawSmtp.connect(smtp.port);
  try {
    assert.equal((await session.reply()).code, 220);
    assert.equal((await session.command('EHLO client.test.vn')).code, 250);
    assert.equal((await session.command('MAIL FROM:<vptu@binhthuan.gov.vn>')).code, 250);
    assert.match((await session.command('RCPT TO:<giaymoi@binhthuan.gov.vn>')).raw, /^250 2\.1\.5/);
    assert.match((await session.command('RCPT TO:<GiayMoi+01JCZ8N4Y4B1W3Q2ZK9V5T6R7S@BinhThuan.gov.vn>')).raw, /^250 2\.1\.5/);
    assert.match((await session.command('RCPT TO:<ubnd@binhthuan.gov.vn>')).raw, /^250 2\.1\.5/);
    assert.match((await session.command('RCPT TO:<giaymoi2@binhthuan.gov.vn>')).raw, /^550 5\.1\.1/);
    assert.match((await session.command('RCPT TO:<giaymoi+a/b@binhthuan.gov.vn>')).raw, /^550 5\.1\.1/);
    assert.match((await session.command('RCPT TO:<giaymoi@example.com>')).raw, /^550 5\.7\.1/);
  } finally {
    await session.command('QUIT').catch(() => undefined);
  }
}));

test('the reply address: plus-tagged per invitation, read back case-insensitively; a setting of its own', () => {
  const config = loadConfig({ SESSION_SECRET: 'a'.repeat(64) });
  assert.equal(config.invitationReplyAddress, 'giaymoi@binhthuan.gov.vn');
  const id = '01JCZ8N4Y4B1W3Q2ZK9V5T6R7S';
  assert.equal(invitationReplyAddress(config, id), `giaymoi+${id}@binhthuan.gov.vn`);
  const unitCopy = invitationReplyAddress(config, id, 'cong-an-tinh');
  const token = /-([0-9a-f]{16})@/.exec(unitCopy)?.[1];
  assert.ok(token, unitCopy);
  assert.ok(unitCopy.length - unitCopy.indexOf('@') < 64 && unitCopy.indexOf('@') <= 64, 'the local part stays within 64 characters');
  assert.notEqual(invitationReplyAddress(config, id, 'van-phong-tinh-uy'), unitCopy, 'one token per unit');
  assert.notEqual(invitationReplyAddress(loadConfig({ SESSION_SECRET: 'b'.repeat(64) }), id, 'cong-an-tinh'), unitCopy, 'and per installation secret');
  assert.deepEqual(parseReplyAddress(config, unitCopy.toUpperCase()), { invitationId: id, token });
  assert.deepEqual(parseReplyAddress(config, `giaymoi+${id}@binhthuan.gov.vn`), { invitationId: id, token: null });
  assert.deepEqual(parseReplyAddress(config, `<GIAYMOI+${id.toLowerCase()}@BinhThuan.gov.vn>`), { invitationId: id, token: null });
  assert.deepEqual(parseReplyAddress(config, 'giaymoi@binhthuan.gov.vn'), { invitationId: null, token: null });
  assert.deepEqual(parseReplyAddress(config, 'giaymoi+khongphaima@binhthuan.gov.vn'), { invitationId: null, token: null });
  assert.equal(parseReplyAddress(config, 'ubnd@binhthuan.gov.vn'), null);
  assert.equal(parseReplyAddress(config, 'giaymoi@binhthuan.gov.vn.example.com'), null);
  assert.equal(loadConfig({ INVITATION_REPLY_ADDRESS: 'Tra.Loi@UBND.vn' }).invitationReplyAddress, 'tra.loi@ubnd.vn');
  assert.throws(() => loadConfig({ INVITATION_REPLY_ADDRESS: 'khong-phai-dia-chi' }), /INVITATION_REPLY_ADDRESS/);
  assert.throws(() => loadConfig({ INVITATION_REPLY_ADDRESS: 'giaymoi+x@binhthuan.gov.vn' }), /INVITATION_REPLY_ADDRESS/);
  assert.throws(() => loadConfig({ INVITATION_REPLY_ADDRESS: 'ubnd@binhthuan.gov.vn' }), /INVITATION_REPLY_ADDRESS/);
});

type Expected =
  | ['attend']
  | ['attend', string, string | null]
  | ['decline', string | null]
  | ['delegate', string, string | null, string | null]
  | ['unclear', 'no-answer' | 'delegate-without-name'];

const PHRASINGS: Array<[string, Expected]> = [
  ['Tham dự', ['attend']],
  ['tham du', ['attend']],
  ['Dự', ['attend']],
  ['du', ['attend']],
  ['THAM DỰ.', ['attend']],
  ['Xác nhận tham dự', ['attend']],
  ['Vâng, chúng tôi sẽ tham dự.', ['attend']],
  ['Đơn vị sẽ có mặt đúng giờ', ['attend']],
  ['Đồng ý', ['attend']],
  ['Tham dự: đồng chí Lê Văn C, Giám đốc Sở', ['attend', 'Lê Văn C', 'Giám đốc Sở']],
  ['Đồng chí Trần Thị D, Phó Chánh Văn phòng tham dự', ['attend', 'Trần Thị D', 'Phó Chánh Văn phòng']],
  ['Đơn vị Chi cục Thủy lợi sẽ tham dự đầy đủ', ['attend']],
  ['Không tham dự, trùng lịch', ['decline', 'trùng lịch']],
  ['khong tham du, trung lich', ['decline', 'trung lich']],
  ['Không dự', ['decline', null]],
  ['khong du', ['decline', null]],
  ['Vắng', ['decline', null]],
  ['Vắng vì đi công tác', ['decline', 'đi công tác']],
  ['vang mat do om', ['decline', 'om']],
  ['Xin vắng mặt. Lý do: bận tiếp dân', ['decline', 'bận tiếp dân']],
  ['Đơn vị xin không tham dự được vì trùng lịch họp HĐND.', ['decline', 'trùng lịch họp HĐND']],
  ['Không thể tham dự - lãnh đạo đi công tác', ['decline', 'lãnh đạo đi công tác']],
  ['Không tham dự.\nLý do: đi công tác Hà Nội', ['decline', 'đi công tác Hà Nội']],
  ['Do trùng lịch nên không tham dự', ['decline', 'trùng lịch']],
  ['Từ chối tham dự vì bận', ['decline', 'bận']],
  ['Không cử ai tham dự được', ['decline', null]],
  ['Cử đồng chí Nguyễn Văn A, Phó Giám đốc tham dự', ['delegate', 'Nguyễn Văn A', 'Phó Giám đốc', null]],
  ['Cử đồng chí Nguyễn Văn A (Phó Giám đốc) tham dự', ['delegate', 'Nguyễn Văn A', 'Phó Giám đốc', null]],
  ['cu ong Tran Van B - Truong phong du thay', ['delegate', 'Tran Van B', 'Truong phong', null]],
  ['cu dong chi Nguyen Van F, pho giam doc, sdt 0987654321 tham du', ['delegate', 'Nguyen Van F', 'pho giam doc', '0987654321']],
  ['Uỷ quyền cho đ/c Phạm Văn E, Trưởng phòng, ĐT 0912 345 678 dự họp', ['delegate', 'Phạm Văn E', 'Trưởng phòng', '0912 345 678']],
  ['Cử bà Hồ Thị G dự thay', ['delegate', 'Hồ Thị G', null, null]],
  ['Giám đốc bận, cử đồng chí Võ Văn H, Phó Giám đốc dự thay', ['delegate', 'Võ Văn H', 'Phó Giám đốc', null]],
  ['Cử người dự thay', ['unclear', 'delegate-without-name']],
  ['Cụ thể sẽ báo sau', ['unclear', 'no-answer']],
  ['Dự kiến sẽ báo lại sau', ['unclear', 'no-answer']],
  ['Cảm ơn', ['unclear', 'no-answer']],
  ['', ['unclear', 'no-answer']],
  ['Kính gửi Văn phòng UBND tỉnh,\n\nTham dự\n\nTrân trọng', ['attend']],
  ['Dear all,\nkhong tham du, di cong tac', ['decline', 'di cong tac']],
];

test('plain-text answers: many phrasings, with and without diacritics', () => {
  for (const [text, expected] of PHRASINGS) {
    const got = parseTextAnswer(text);
    const actual = got.kind === 'attend' ? (expected.length === 1 ? ['attend'] : ['attend', got.attendeeName, got.attendeePosition])
      : got.kind === 'decline' ? ['decline', got.reason]
        : got.kind === 'delegate' ? ['delegate', got.name, got.position, got.phone]
          : ['unclear', got.problem];
    if (got.kind === 'attend' && expected.length === 1) assert.equal(got.attendeeName, null, `${JSON.stringify(text)}: no attendee named`);
    assert.deepEqual(actual, expected, JSON.stringify(text));
  }
});

test('plain-text answers: quoted text and the quoted original are never read', () => {
  const cases: Array<[string, string]> = [
    ['Tham dự\n\nOn Mon, Nov 23, 2026 at 9:00 AM Văn phòng UBND tỉnh <ubnd@binhthuan.gov.vn> wrote:\n> Không tham dự', 'attend'],
    ['> Tham dự\nKhông tham dự, bận', 'decline'],
    ['Vào Th 2, 23 thg 11, 2026 lúc 09:00 Văn phòng UBND <\nubnd@binhthuan.gov.vn> đã viết:\n> Tham dự', 'unclear'],
    ['Cảm ơn\n-----Original Message-----\nFrom: ubnd@binhthuan.gov.vn\nTham dự', 'unclear'],
    ['OK\n\n________________________________\nTừ: Văn phòng UBND tỉnh\nGửi: Thứ Hai\nTham dự', 'unclear'],
    ['Không tham dự, họp HĐND\n-- \nVăn thư Sở Tài chính\nTham dự các cuộc họp', 'decline'],
    ['Vao luc 09:00 ngay 23/11/2026, ubnd@binhthuan.gov.vn da viet:\n> Tham du', 'unclear'],
  ];
  for (const [text, kind] of cases) assert.equal(parseTextAnswer(text).kind, kind, JSON.stringify(text));
  assert.deepEqual(ownReplyLines('Dự\r\n> Không dự\r\nTrân trọng'), ['Dự', 'Trân trọng']);
});

test('iTIP: a REPLY is read with its attendees, PARTSTAT and COMMENT; a REQUEST or a broken file is no reply', () => {
  const reply = parseItipReply(outlookDecline('01JCZ8N4Y4B1W3Q2ZK9V5T6R7S@moihop.binhthuan.gov.vn', 2, 'vptu@binhthuan.gov.vn', 'Bận họp'));
  assert.deepEqual(reply && { uid: reply.uid, sequence: reply.sequence, comment: reply.comment, attendees: reply.attendees.map((a) => [a.address, a.partstat, a.name]) }, {
    uid: '01JCZ8N4Y4B1W3Q2ZK9V5T6R7S@moihop.binhthuan.gov.vn', sequence: 2, comment: 'Bận họp',
    attendees: [['vptu@binhthuan.gov.vn', 'DECLINED', 'Văn phòng Tỉnh ủy']],
  });
  assert.equal(parseItipReply('BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n'), null);
  assert.equal(parseItipReply('this is not a calendar'), null);
});
