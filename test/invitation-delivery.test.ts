// Invitation mail end to end: the services queue one mail per invited unit and address in the outbox, the sender
// worker delivers them to a real local SMTP relay (the sink), and each captured mail is parsed: the Giấy mời PDF,
// the link, and the .ics (METHOD, UID, SEQUENCE, ATTENDEE with RSVP). Amendments, added and removed units,
// cancellation; the relay down then up delivers every mail exactly once, also across a restart of the sender.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import ICAL from 'ical.js';
import { setLogLevel } from '../log';
import { recordAnswer } from '../db/invitations/repository';
import { countByStatus, listFailures } from '../db/outbox/repository';
import { startOutboxWorker } from '../mail-gateway/outbox/worker';
import {
  amendAndNotify, cancelAndNotify, createAndNotify, getInvitationOverview, invitationDeliveries, queueInvitationMails, removeUnitsAndNotify,
  resendFailedInvitationMails, INVITATION_RENDERER, invitationMailRenderer,
} from '../moihop-web/invitations';
import { DATABASE_KINDS } from './support/databases';
import { withInvitationMailSetup } from './support/invitation-mail-setup';
import type { SinkMessage } from './support/smtp-sink';

setLogLevel('warn');
const HOUR = 3_600_000;
const MINUTE = 60_000;

function clock(start = '2026-11-23T02:00:00Z') {
  let time = new Date(start).getTime();
  return { now: () => new Date(time), advance: (ms: number) => { time += ms; } };
}

const withSetup = withInvitationMailSetup;

function parseIcs(message: SinkMessage) {
  const ics = message.parsed.attachments.find((a) => a.contentType.startsWith('text/calendar'));
  assert.ok(ics, `no .ics in the mail to ${message.envelope.to.join(',')}`);
  const text = ics.content.toString('utf8');
  const calendar = new ICAL.Component(ICAL.parse(text));
  const event = calendar.getFirstSubcomponent('vevent')!;
  const attendees = event.getAllProperties('attendee');
  return {
    method: calendar.getFirstPropertyValue('method'),
    uid: event.getFirstPropertyValue('uid'),
    sequence: Number(event.getFirstPropertyValue('sequence')),
    attendees: attendees.map((p) => ({ address: String(p.getFirstValue()), rsvp: p.getParameter('rsvp') })),
  };
}

const byRecipient = (messages: SinkMessage[]) => new Map(messages.map((m) => [m.envelope.to[0], m]));

for (const kind of DATABASE_KINDS) {
  test(`${kind}: publish, amend, add and remove units, cancel — each mail to the right units, with the right .ics`, () => withSetup(kind, async ({ t, files, sink, config }) => {
    const c = clock();
    const worker = startOutboxWorker(t.db, config, { autoPoll: false, now: c.now, renderers: { [INVITATION_RENDERER]: invitationMailRenderer(t.db, config) } });
    try {
      const startsAt = new Date(c.now().getTime() + 72 * HOUR);
      const { invitation, delivery } = await createAndNotify(t.db, config, {
        title: 'Họp bàn công tác phòng, chống lụt bão năm 2026', startsAt, endsAt: new Date(startsAt.getTime() + 2 * HOUR),
        place: 'Phòng họp số 1, UBND tỉnh', urgency: 'Hỏa tốc', unitIds: ['van-phong-tinh-uy', 'cong-an-tinh', 'thanh-uy-phan-thiet', 'so-tai-chinh'],
        pdf: { filename: 'giay-moi.pdf', content: fs.readFileSync(files.signedPdf) },
        papers: [{ filename: files.paperName, content: files.paperBytes }], actor: 'quantri', at: c.now(),
      });
      assert.deepEqual({ queued: delivery!.queued, withoutAddress: delivery!.withoutAddress }, { queued: 4, withoutAddress: ['so-tai-chinh'] }, 'Thành ủy Phan Thiết has two addresses; Sở Tài chính none');
      assert.equal((await queueInvitationMails(t.db, config, invitation.id, { kind: 'published' }, { now: c.now() })).existing, 4, 'queueing again adds nothing');
      assert.equal(await worker.drainOnce(), 4);
      const published = byRecipient(await sink.waitFor(4));
      assert.deepEqual([...published.keys()].sort(), ['phanthiet@binhthuan.gov.vn', 'tuphanthiet@binhthuan.gov.vn', 'vanthu@ca.binhthuan.gov.vn', 'vptu@binhthuan.gov.vn']);
      for (const [address, mail] of published) {
        assert.equal(mail.envelope.from, 'ubnd@binhthuan.gov.vn');
        assert.match(mail.parsed.subject ?? '', /^Giấy mời họp: Họp bàn công tác phòng, chống lụt bão/);
        assert.ok(mail.parsed.attachments.some((a) => a.contentType === 'application/pdf' && a.content.equals(fs.readFileSync(files.signedPdf))), 'the signed PDF is attached byte for byte');
        assert.match(mail.parsed.text ?? '', new RegExp(`https://moihop.binhthuan.gov.vn/giay-moi/${invitation.id}`));
        assert.match(mail.parsed.text ?? '', /Báo cáo tổng kết phòng chống lụt bão\.docx/, 'the papers are listed');
        const ics = parseIcs(mail);
        assert.equal(ics.method, 'REQUEST');
        assert.equal(ics.uid, `${invitation.id}@moihop.binhthuan.gov.vn`);
        assert.equal(ics.sequence, 0);
        assert.equal(ics.attendees.length, 1, 'one ATTENDEE: the unit the mail is for');
        assert.equal(ics.attendees[0].rsvp, 'TRUE');
        if (address !== 'phanthiet@binhthuan.gov.vn') assert.equal(ics.attendees[0].address, `mailto:${address}`);
      }

      // An answer, then the place changes: everyone is told what changed, SEQUENCE 1, the answer reopens.
      await recordAnswer(t.db, { invitationId: invitation.id, unitId: 'cong-an-tinh', username: 'congan', at: c.now(), details: { answer: 'tham dự', attendeeName: 'Nguyễn Văn A', attendeePosition: 'Phó Giám đốc', attendeePhone: null, reason: null } });
      c.advance(HOUR);
      const amended = await amendAndNotify(t.db, config, invitation.id, { place: 'Hội trường B, Trung tâm Hội nghị tỉnh', actor: 'quantri', at: c.now() });
      assert.equal(amended.invitation.status, 'đã sửa đổi');
      assert.match(amended.invitation.history.at(-1)!.note ?? '', /Địa điểm: Phòng họp số 1, UBND tỉnh → Hội trường B/);
      const overview = (await getInvitationOverview(t.db, invitation.id))!;
      assert.equal(overview.units.find((u) => u.unitId === 'cong-an-tinh')!.answer, null, 'a new place reopens the answer');
      assert.equal(overview.units.find((u) => u.unitId === 'cong-an-tinh')!.answerHistory.length, 1, 'the old answer stays in the history');
      await worker.drainOnce();
      const amendMails = (await sink.waitFor(8)).slice(4);
      assert.equal(amendMails.length, 4);
      for (const mail of amendMails) {
        assert.match(mail.parsed.subject ?? '', /ĐÃ SỬA ĐỔI/);
        assert.match(mail.parsed.text ?? '', /Địa điểm: Phòng họp số 1, UBND tỉnh → Hội trường B/);
        const ics = parseIcs(mail);
        assert.deepEqual([ics.method, ics.sequence, ics.attendees[0].rsvp], ['REQUEST', 1, 'TRUE']);
      }

      // Only a unit added: only that unit gets the invitation.
      c.advance(HOUR);
      await amendAndNotify(t.db, config, invitation.id, { addUnitIds: ['uy-ban-mat-tran-to-quoc-viet-nam'], actor: 'quantri', at: c.now() });
      await worker.drainOnce();
      const added = (await sink.waitFor(9)).slice(8);
      assert.deepEqual(added.map((m) => m.envelope.to[0]), ['ubmttqvn@binhthuan.gov.vn']);
      assert.deepEqual([parseIcs(added[0]).method, parseIcs(added[0]).sequence], ['REQUEST', 2]);

      // A unit removed: only that unit hears, with a CANCEL of its copy; it no longer sees the invitation.
      c.advance(HOUR);
      const removal = await removeUnitsAndNotify(t.db, config, invitation.id, { unitIds: ['cong-an-tinh'], actor: 'quantri', at: c.now() });
      assert.deepEqual(removal.removed, ['cong-an-tinh']);
      await worker.drainOnce();
      const removed = (await sink.waitFor(10)).slice(9);
      assert.deepEqual(removed.map((m) => m.envelope.to[0]), ['vanthu@ca.binhthuan.gov.vn']);
      assert.equal(parseIcs(removed[0]).method, 'CANCEL');
      assert.ok(!removed[0].parsed.attachments.some((a) => a.contentType === 'application/pdf'));

      // Cancelled: every unit still invited gets METHOD:CANCEL with a higher SEQUENCE.
      c.advance(HOUR);
      await cancelAndNotify(t.db, config, invitation.id, { actor: 'quantri', reason: 'Lãnh đạo UBND tỉnh đi công tác', at: c.now() });
      await worker.drainOnce();
      const cancelled = (await sink.waitFor(14)).slice(10);
      assert.deepEqual(cancelled.map((m) => m.envelope.to[0]).sort(), ['phanthiet@binhthuan.gov.vn', 'tuphanthiet@binhthuan.gov.vn', 'ubmttqvn@binhthuan.gov.vn', 'vptu@binhthuan.gov.vn']);
      for (const mail of cancelled) {
        assert.match(mail.parsed.subject ?? '', /^HỦY cuộc họp/);
        assert.match(mail.parsed.text ?? '', /Lãnh đạo UBND tỉnh đi công tác/);
        const ics = parseIcs(mail);
        assert.deepEqual([ics.method, ics.sequence], ['CANCEL', 3]);
      }
      assert.equal(sink.messages.length, 14, 'nothing else was sent');
      assert.ok((await invitationDeliveries(t.db, invitation.id)).every((m) => m.status === 'sent'));
    } finally {
      await worker.stop();
    }
  }));
}

test('relay down, then up: every invitation mail is delivered exactly once, across a restart of the sender', () => withSetup('sqlite', async ({ t, files, sink, config }) => {
  const c = clock();
  const startsAt = new Date(c.now().getTime() + 48 * HOUR);
  const { invitation } = await createAndNotify(t.db, config, {
    title: 'Hội nghị triển khai kế hoạch chuyển đổi số', startsAt, endsAt: new Date(startsAt.getTime() + HOUR), place: 'Hội trường A',
    unitIds: ['van-phong-tinh-uy', 'cong-an-tinh', 'bo-chi-huy-quan-su-tinh', 'uy-ban-mat-tran-to-quoc-viet-nam'],
    pdf: { filename: 'giay-moi.pdf', content: fs.readFileSync(files.signedPdf) }, actor: 'quantri', at: c.now(),
  });
  let worker = startOutboxWorker(t.db, config, { autoPoll: false, now: c.now, renderers: { [INVITATION_RENDERER]: invitationMailRenderer(t.db, config) } });
  assert.equal(await worker.drainOnce(), 4);
  assert.equal(sink.refused.length, 4, 'the relay refused every attempt with 451');
  assert.equal(sink.messages.length, 0);
  const waiting = await invitationDeliveries(t.db, invitation.id);
  assert.ok(waiting.every((m) => m.status === 'queued' && m.attempts === 1 && /451/.test(m.lastError ?? '')), JSON.stringify(waiting));
  await worker.stop();

  // The process restarts: the services run again (as after a crash between commit and queueing) — nothing new.
  assert.equal((await queueInvitationMails(t.db, config, invitation.id, { kind: 'published' }, { now: c.now() })).queued, 0);
  sink.setFailure(null);
  worker = startOutboxWorker(t.db, config, { autoPoll: false, now: c.now, renderers: { [INVITATION_RENDERER]: invitationMailRenderer(t.db, config) } });
  try {
    assert.equal(await worker.drainOnce(), 0, 'nothing is due before the backoff');
    c.advance(MINUTE + 1);
    assert.equal(await worker.drainOnce(), 4);
    c.advance(24 * HOUR);
    assert.equal(await worker.drainOnce(), 0);
    const to = sink.messages.map((m) => m.envelope.to[0]).sort();
    assert.deepEqual(to, ['bchqs@binhthuan.gov.vn', 'ubmttqvn@binhthuan.gov.vn', 'vanthu@ca.binhthuan.gov.vn', 'vptu@binhthuan.gov.vn'], 'each address exactly once');
    assert.deepEqual(await countByStatus(t.db), { queued: 0, sending: 0, sent: 4, failed: 0 });

    // A permanent refusal is listed with the relay's reply and can be resent.
    sink.setFailure({ code: 550, message: '5.1.1 Mailbox unavailable' });
    c.advance(HOUR);
    await cancelAndNotify(t.db, config, invitation.id, { actor: 'quantri', reason: 'Hoãn', at: c.now() });
    await worker.drainOnce();
    const failures = await listFailures(t.db, { kind: 'invitation.cancelled' });
    assert.equal(failures.length, 4);
    assert.ok(failures.every((f) => /550 5\.1\.1 Mailbox unavailable/.test(f.lastError ?? '')));
    sink.setFailure(null);
    assert.equal(await resendFailedInvitationMails(t.db, invitation.id, c.now()), 4);
    await worker.drainOnce();
    assert.equal(sink.messages.length, 8);
    assert.deepEqual(await countByStatus(t.db), { queued: 0, sending: 0, sent: 8, failed: 0 });
  } finally {
    await worker.stop();
  }
}, { failWith: { code: 451, message: '4.3.0 Relay temporarily unavailable' } }));

test('a published invitation leaves at once: the sender of the process is woken, it does not wait for its poll', () => withSetup('sqlite', async ({ t, files, sink, config }) => {
  const slowPoll = { ...config, outboxPollMs: 600_000 };
  const worker = startOutboxWorker(t.db, slowPoll, { renderers: { [INVITATION_RENDERER]: invitationMailRenderer(t.db, slowPoll) } });
  try {
    await new Promise((resolve) => setTimeout(resolve, 200)); // its first run found nothing; the next poll is 10 minutes away
    const startsAt = new Date(Date.now() + 48 * HOUR);
    await createAndNotify(t.db, slowPoll, {
      title: 'Họp khẩn về phòng chống dịch bệnh', startsAt, endsAt: new Date(startsAt.getTime() + HOUR), place: 'Phòng họp số 2',
      unitIds: ['van-phong-tinh-uy', 'cong-an-tinh'], pdf: { filename: 'giay-moi.pdf', content: fs.readFileSync(files.signedPdf) }, actor: 'quantri',
    });
    const mails = await sink.waitFor(2);
    assert.deepEqual(mails.map((m) => m.envelope.to[0]).sort(), ['vanthu@ca.binhthuan.gov.vn', 'vptu@binhthuan.gov.vn']);
  } finally {
    await worker.stop();
  }
}));
