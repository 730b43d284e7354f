// Reminders with a fake clock: units that have not opened or not answered are reminded at 24 h and 2 h before the
// meeting, exactly once per unit and slot even with two scheduler instances on one database running at once
// (PostgreSQL: two connection pools, as two processes); downtime over several slots gives one reminder, not a
// replay; the mail reaches a real SMTP sink with the invitation's .ics. Also: a change and its mail commit
// together, and an unsent invitation is withdrawn when the meeting is cancelled.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { Knex } from 'knex';
import { loadConfig, Config } from '../config';
import { setLogLevel } from '../log';
import { openDatabase, isPostgres } from '../db/connection';
import { recordAnswer, recordRead } from '../db/invitations/repository';
import { remindersOf } from '../db/invitations/reminders';
import { startOutboxWorker } from '../mail-gateway/outbox/worker';
import { cancelAndNotify, createAndNotify, INVITATION_RENDERER, invitationMailRenderer, getInvitation } from '../moihop-web/invitations';
import { latestDueSlot, startReminderJob } from '../moihop-web/invitations/reminders';
import { DATABASE_KINDS } from './support/databases';
import { withInvitationMailSetup } from './support/invitation-mail-setup';
import type { InvitationFiles } from './support/invitation-fixtures';

setLogLevel('error');
const HOUR = 3_600_000;
const MINUTE = 60_000;
const PUBLISHED_AT = new Date('2026-11-23T02:00:00Z');
const UNITS = ['van-phong-tinh-uy', 'cong-an-tinh', 'bo-chi-huy-quan-su-tinh', 'uy-ban-mat-tran-to-quoc-viet-nam'];

const withSetup = withInvitationMailSetup;

function publish(db: Knex, config: Config, files: InvitationFiles, startsAt: Date, unitIds = UNITS) {
  return createAndNotify(db, config, {
    title: 'Họp triển khai nhiệm vụ phát triển kinh tế - xã hội năm 2027', startsAt, endsAt: new Date(startsAt.getTime() + 2 * HOUR),
    place: 'Phòng họp số 1, UBND tỉnh', unitIds, pdf: { filename: 'giay-moi.pdf', content: fs.readFileSync(files.signedPdf) }, actor: 'quantri', at: PUBLISHED_AT,
  });
}

async function reminderRows(db: Knex, invitationId: string): Promise<Array<{ dedupe_key: string; recipient: string }>> {
  return db('outbox').where({ reference: invitationId, kind: 'invitation.reminder' }).orderBy('id').select('dedupe_key', 'recipient');
}

test('the latest due slot only, never one before publishing, none once the meeting started', () => {
  const offsets = loadConfig({ REMINDER_OFFSETS: 'meeting-24h,meeting-2h,deadline-30m' }).reminderOffsets;
  const startsAt = new Date(PUBLISHED_AT.getTime() + 72 * HOUR);
  const invitation = { id: 'x', startsAt, answerDeadline: new Date(startsAt.getTime() - 4 * HOUR), publishedAt: PUBLISHED_AT, updatedAt: PUBLISHED_AT };
  const at = (hoursBefore: number) => new Date(startsAt.getTime() - hoursBefore * HOUR);
  assert.equal(latestDueSlot(invitation, offsets, at(25)), null);
  assert.equal(latestDueSlot(invitation, offsets, at(24))!.offset.key, 'meeting-24h');
  assert.equal(latestDueSlot(invitation, offsets, at(4.4))!.offset.key, 'deadline-30m');
  assert.equal(latestDueSlot(invitation, offsets, at(1))!.offset.key, 'meeting-2h', 'after downtime: only the latest slot');
  assert.equal(latestDueSlot(invitation, offsets, at(0)), null, 'the meeting has started');
  assert.equal(latestDueSlot({ ...invitation, publishedAt: at(10), updatedAt: at(10) }, offsets, at(4.4))!.offset.key, 'deadline-30m');
  assert.equal(latestDueSlot({ ...invitation, publishedAt: at(3), updatedAt: at(3) }, offsets, at(2.5)), null, 'published after the slot: just mailed');
  assert.match(latestDueSlot(invitation, offsets, at(24))!.slot, /^meeting-24h@2026-11-26T09:00:00\+07:00$/);
  assert.throws(() => loadConfig({ REMINDER_OFFSETS: 'meeting-24' }), /REMINDER_OFFSETS/);
  assert.throws(() => loadConfig({ REMINDER_CRON: 'every minute' }), /REMINDER_CRON/);
});

for (const kind of DATABASE_KINDS) {
  test(`${kind}: two schedulers, fake clock: one reminder per unit and slot, to units that have not opened or answered`, () => withSetup(kind, async ({ t, files, sink, config }) => {
    // A second connection pool on the same database: a second process, as far as the database can tell.
    const other = isPostgres(t.db) ? await openDatabase(loadConfig(t.env)) : t.db;
    const startsAt = new Date(PUBLISHED_AT.getTime() + 72 * HOUR);
    const { invitation } = await publish(t.db, config, files, startsAt);
    await recordRead(t.db, { invitationId: invitation.id, unitId: 'cong-an-tinh', username: 'congan', at: new Date(PUBLISHED_AT.getTime() + HOUR) });
    await recordAnswer(t.db, {
      invitationId: invitation.id, unitId: 'cong-an-tinh', username: 'congan', at: new Date(PUBLISHED_AT.getTime() + HOUR),
      details: { answer: 'tham dự', attendeeName: 'Nguyễn Văn A', attendeePosition: 'Phó Giám đốc', attendeePhone: null, reason: null },
    });
    await recordRead(t.db, { invitationId: invitation.id, unitId: 'van-phong-tinh-uy', username: 'vptinhuy', at: new Date(PUBLISHED_AT.getTime() + HOUR) });
    const jobs = [startReminderJob(t.db, config, { schedule: false, owner: 'web-1' }), startReminderJob(other, config, { schedule: false, owner: 'web-2' })];
    try {
      const tick = async (at: Date) => (await Promise.all([jobs[0].runDue(at), jobs[1].runDue(at), jobs[0].runDue(at), jobs[1].runDue(at)])).flat();
      assert.deepEqual(await tick(new Date(startsAt.getTime() - 25 * HOUR)), [], 'nothing before the 24-hour slot');
      const first = await tick(new Date(startsAt.getTime() - 24 * HOUR));
      assert.equal(first.length, 1, `one winner for the 24-hour slot: ${JSON.stringify(first)}`);
      assert.equal(first[0].units, 3, 'read-but-unanswered, and never opened (2); the answered unit is left alone');
      for (let minutes = 1; minutes <= 5; minutes += 1) assert.deepEqual(await tick(new Date(startsAt.getTime() - 24 * HOUR + minutes * MINUTE)), []);
      const rows24 = await reminderRows(t.db, invitation.id);
      assert.deepEqual(rows24.map((r) => r.recipient).sort(), ['bchqs@binhthuan.gov.vn', 'ubmttqvn@binhthuan.gov.vn', 'vptu@binhthuan.gov.vn']);

      // The Tỉnh ủy answers in between: only two units are left for the 2-hour slot.
      await recordAnswer(t.db, {
        invitationId: invitation.id, unitId: 'van-phong-tinh-uy', username: 'vptinhuy', at: new Date(startsAt.getTime() - 5 * HOUR),
        details: { answer: 'không tham dự', attendeeName: null, attendeePosition: null, attendeePhone: null, reason: 'Trùng lịch' },
      });
      const second = await tick(new Date(startsAt.getTime() - 2 * HOUR));
      assert.equal(second.length, 1);
      assert.equal(second[0].units, 2);
      assert.deepEqual(await tick(new Date(startsAt.getTime() - HOUR)), []);
      assert.deepEqual(await tick(new Date(startsAt.getTime() + HOUR)), [], 'nothing once the meeting has started');
      assert.equal((await reminderRows(t.db, invitation.id)).length, 5);
      assert.deepEqual((await remindersOf(t.db, invitation.id)).map((r) => [r.slot.split('@')[0], r.units]), [['meeting-24h', 3], ['meeting-2h', 2]]);

      const worker = startOutboxWorker(t.db, config, { autoPoll: false, now: () => startsAt, renderers: { [INVITATION_RENDERER]: invitationMailRenderer(t.db, config) } });
      try {
        await worker.drainOnce();
      } finally {
        await worker.stop();
      }
      const reminders = (await sink.waitFor(4 + 5)).filter((m) => /^Nhắc xác nhận tham dự/.test(m.parsed.subject ?? ''));
      assert.equal(reminders.length, 5);
      for (const mail of reminders) {
        assert.match(mail.parsed.text ?? '', /chưa xác nhận tham dự/);
        assert.ok(mail.parsed.attachments.some((a) => a.contentType.startsWith('text/calendar') && /METHOD:REQUEST/.test(a.content.toString())));
        assert.ok(!mail.parsed.attachments.some((a) => a.contentType === 'application/pdf'), 'a reminder links the Giấy mời, it does not send it again');
      }
    } finally {
      await Promise.all(jobs.map((j) => j.stop()));
      if (other !== t.db) await other.destroy();
    }
  }));
}

test('after downtime over both slots, the job started late reminds once, not once per missed slot', () => withSetup('sqlite', async ({ t, files, config }) => {
  const startsAt = new Date(PUBLISHED_AT.getTime() + 30 * HOUR);
  const { invitation } = await publish(t.db, config, files, startsAt);
  let clock = new Date(startsAt.getTime() - 90 * MINUTE);
  const job = startReminderJob(t.db, config, { now: () => clock, owner: 'restarted' });
  await job.stop(); // the catch-up run at start has finished
  assert.deepEqual((await remindersOf(t.db, invitation.id)).map((r) => r.slot.split('@')[0]), ['meeting-2h']);
  assert.equal((await reminderRows(t.db, invitation.id)).length, 4);
  clock = new Date(startsAt.getTime() - 60 * MINUTE);
  const again = startReminderJob(t.db, config, { now: () => clock, owner: 'restarted-again', schedule: false });
  assert.deepEqual(await again.runDue(), []);
  await again.stop();
}));

for (const kind of DATABASE_KINDS) {
  test(`${kind}: a change and its mail commit together; a cancelled meeting's unsent invitations are withdrawn`, () => withSetup(kind, async ({ t, files, sink, config }) => {
    const startsAt = new Date(PUBLISHED_AT.getTime() + 72 * HOUR);
    // Make the outbox refuse inserts: the invitation must not exist without its mail.
    if (isPostgres(t.db)) {
      await t.db.raw(`CREATE FUNCTION refuse_outbox() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'outbox down'; END $$`);
      await t.db.raw('CREATE TRIGGER refuse_outbox BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION refuse_outbox()');
    } else {
      await t.db.raw(`CREATE TRIGGER refuse_outbox BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'outbox down'); END`);
    }
    await assert.rejects(publish(t.db, config, files, startsAt), /outbox down/);
    assert.equal(Number((await t.db('invitations').count({ n: '*' }))[0].n), 0, 'the invitation was rolled back with its mail');
    await t.db.raw('DROP TRIGGER refuse_outbox' + (isPostgres(t.db) ? ' ON outbox' : ''));

    const { invitation } = await publish(t.db, config, files, startsAt);
    const raw = await t.db('outbox').where({ reference: invitation.id }).select('raw_message', 'render_spec');
    assert.equal(raw.length, 4);
    assert.ok(raw.every((r) => r.raw_message === '' && JSON.parse(r.render_spec).renderer === INVITATION_RENDERER), 'rows hold the promise, not 4 copies of the PDF');
    await cancelAndNotify(t.db, config, invitation.id, { actor: 'quantri', reason: 'Lãnh đạo tỉnh đi công tác', at: new Date(PUBLISHED_AT.getTime() + HOUR) });
    assert.equal((await getInvitation(t.db, invitation.id))!.status, 'đã hủy');
    const worker = startOutboxWorker(t.db, config, { autoPoll: false, renderers: { [INVITATION_RENDERER]: invitationMailRenderer(t.db, config) } });
    try {
      assert.equal(await worker.drainOnce(), 4);
    } finally {
      await worker.stop();
    }
    const mails = await sink.waitFor(4);
    assert.ok(mails.every((m) => /^HỦY cuộc họp/.test(m.parsed.subject ?? '')), 'the never-sent invitation was withdrawn: only the cancellation goes');
    assert.equal(sink.messages.length, 4);
  }));
}
