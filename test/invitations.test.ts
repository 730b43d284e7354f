// Invitations on real databases (SQLite and PostgreSQL) with real files and a real test PKI: creation from a
// signed Giấy mời, scoping to invited units, reads, answers and their deadline, amendments (SEQUENCE), the
// cancellation, file resolution, and the `invitations` command run as a child process.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import ICAL from 'ical.js';
import type { Knex } from 'knex';
import { prepareDatabase } from '../db/prepare';
import { setLogLevel } from '../log';
import { createTestPki, TestPki } from './support/pki';
import { makeDocumentPdf } from './support/document-pdf';
import { signPdf } from './support/pdf-signer';
import { DATABASE_KINDS, dropSchema, freshDatabaseEnv, openTestDatabase, tempDir, TestDatabase } from './support/databases';
import { runScript } from './support/product';
import {
  amendInvitation, answerInvitation, cancelInvitation, createInvitation, getInvitationForUnit, getInvitationOverview,
  invitationIcsForUnit, InvitationError, listInvitationsForUnit, publishInvitation, recordInvitationRead,
  resolveInvitationFileForAdmin, resolveInvitationFileForUnit, unitIdsByUsername,
} from '../moihop-web/invitations';

setLogLevel('warn');

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NUMBER = '45/GM-UBND';

let pki: TestPki;
let trustDir: string;
let filesDir: string;
let signedPdf: Buffer;
let unsignedPdf: Buffer;
const paper = Buffer.from('Báo cáo tình hình phòng, chống lụt bão năm 2026\n', 'utf8');

before(async () => {
  pki = await createTestPki();
  trustDir = tempDir('invitations-trust');
  await pki.writeTrustDir(trustDir);
  unsignedPdf = await makeDocumentPdf({
    type: 'Giấy mời', number: NUMBER, issuer: 'UBND TỈNH BÌNH THUẬN\nVĂN PHÒNG', subject: 'Họp bàn công tác phòng, chống lụt bão năm 2026',
  });
  signedPdf = await signPdf(await signPdf(unsignedPdf, pki.person), pki.organization);
  filesDir = tempDir('invitations-files');
  fs.writeFileSync(path.join(filesDir, 'giay-moi.pdf'), signedPdf);
  fs.writeFileSync(path.join(filesDir, 'khong-ky.pdf'), unsignedPdf);
  fs.writeFileSync(path.join(filesDir, 'bao-cao.docx'), paper);
});

after(() => {
  fs.rmSync(trustDir, { recursive: true, force: true });
  fs.rmSync(filesDir, { recursive: true, force: true });
});

async function unitId(db: Knex, username: string): Promise<string> {
  const id = (await unitIdsByUsername(db, [username])).found.get(username);
  assert.ok(id, `unit ${username} exists`);
  return id;
}

async function rejectsWith(promise: Promise<unknown>, code: string, text?: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof InvitationError, `an InvitationError, got ${err}`);
    assert.equal(err.code, code, err.message);
    if (text) assert.match(err.vi, text);
    return true;
  });
}

const sha256 = (bytes: Buffer) => crypto.createHash('sha256').update(bytes).digest('hex');

async function withDatabase(kind: (typeof DATABASE_KINDS)[number], body: (t: TestDatabase, config: { dataDir: string; trustDir: string }) => Promise<void>) {
  const t = await openTestDatabase(kind);
  try {
    await prepareDatabase(t.db);
    await body(t, { dataDir: t.config.dataDir, trustDir });
  } finally {
    await t.dispose();
  }
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: a signed invitation is published to its units only; reads, answers, deadline, SEQUENCE, cancellation`, () => withDatabase(kind, async ({ db, config: full }, config) => {
    const now = new Date();
    const [vptinhuy, congan, mattran] = [await unitId(db, 'vptinhuy'), await unitId(db, 'congan'), await unitId(db, 'mattran')];
    const startsAt = new Date(now.getTime() + 3 * DAY);
    const deadline = new Date(now.getTime() + 2 * DAY);
    const created = await createInvitation(db, config, {
      startsAt, endsAt: new Date(startsAt.getTime() + 2 * HOUR), place: 'Phòng họp số 1, UBND tỉnh', host: 'Chủ tịch UBND tỉnh',
      answerDeadline: deadline, unitIds: [vptinhuy, congan, congan], pdf: { filename: 'giay-moi.pdf', content: signedPdf },
      papers: [{ filename: '../../../etc/bao-cao.docx', content: paper }], actor: 'cli:test', at: now,
    });
    assert.equal(created.status, 'đã phát hành');
    assert.equal(created.sequence, 0);
    assert.equal(created.verdict, 'valid');
    assert.equal(created.referenceOnly, false);
    assert.equal(created.docNumber, NUMBER, 'the number printed on the PDF');
    assert.equal(created.title, 'Họp bàn công tác phòng, chống lụt bão năm 2026', 'the trích yếu printed on the PDF');
    assert.deepEqual(created.warnings, []);
    assert.equal(created.verification.verdict, 'valid');
    assert.deepEqual(created.files.map((f) => [f.position, f.kind, f.filename, f.size, f.sha256]), [
      [0, 'giấy mời', 'giay-moi.pdf', signedPdf.length, sha256(signedPdf)],
      [1, 'tài liệu', 'bao-cao.docx', paper.length, sha256(paper)],
    ]);
    const folder = path.join(full.dataDir, 'invitations', created.id);
    assert.deepEqual(fs.readdirSync(folder).sort(), [`${sha256(paper)}.docx`, `${sha256(signedPdf)}.pdf`].sort(), 'files named by content, nothing else');
    assert.ok(!fs.existsSync(path.join(full.dataDir, 'etc')), 'the given path was not followed');

    // Scoping: a unit that is not invited sees nothing, not even through the files or the .ics.
    assert.equal(await getInvitationForUnit(db, mattran, created.id), null);
    assert.equal((await listInvitationsForUnit(db, mattran)).total, 0);
    assert.equal(await resolveInvitationFileForUnit(db, full.dataDir, mattran, created.id, 0), null);
    assert.equal(await invitationIcsForUnit(db, full, mattran, created.id), null);
    assert.equal(await recordInvitationRead(db, { unitId: mattran, username: 'mattran' }, created.id), null);
    await rejectsWith(answerInvitation(db, { unitId: mattran, username: 'mattran' }, created.id, { answer: 'tham dự', attendeeName: 'A', attendeePosition: 'B' }), 'NOT_FOUND');

    const listed = await listInvitationsForUnit(db, congan, { now });
    assert.equal(listed.total, 1);
    assert.equal(listed.items[0].read, null);
    assert.equal(listed.items[0].answer, null);
    assert.equal(listed.items[0].answersOpen, true);
    assert.equal(listed.items[0].upcoming, true);

    // Files: the invited unit gets real paths inside the folder; anything else is null.
    const pdfFile = await resolveInvitationFileForUnit(db, full.dataDir, congan, created.id, '0');
    assert.ok(pdfFile);
    assert.deepEqual(fs.readFileSync(pdfFile.path), signedPdf);
    assert.equal(pdfFile.contentType, 'application/pdf');
    for (const position of ['../0', '1/../0', '-1', '99', '0x1', ''] as const) {
      assert.equal(await resolveInvitationFileForUnit(db, full.dataDir, congan, created.id, position), null, `position ${position}`);
    }
    assert.equal(await resolveInvitationFileForUnit(db, full.dataDir, congan, `../${created.id}`, 0), null);
    await db('invitation_files').where({ invitation_id: created.id, position: 1 }).update({ stored_name: '../../../moihop.sqlite3' });
    assert.equal(await resolveInvitationFileForUnit(db, full.dataDir, congan, created.id, 1), null, 'a stored name that leaves the folder is never served');
    assert.equal(await resolveInvitationFileForAdmin(db, full.dataDir, created.id, 1), null);
    await db('invitation_files').where({ invitation_id: created.id, position: 1 }).update({ stored_name: `${sha256(paper)}.docx` });
    assert.equal((await resolveInvitationFileForUnit(db, full.dataDir, congan, created.id, 1))?.filename, 'bao-cao.docx');

    // The first view is recorded once, with its account.
    const firstRead = new Date(now.getTime() + HOUR);
    assert.deepEqual(await recordInvitationRead(db, { unitId: congan, username: 'congan' }, created.id, { at: firstRead }), { first: true });
    assert.deepEqual(await recordInvitationRead(db, { unitId: congan, username: 'congan2' }, created.id, { at: new Date(firstRead.getTime() + HOUR) }), { first: false });

    // Answers: each kind needs its details; changes are kept in the history until the deadline.
    const actor = { unitId: congan, username: 'congan' };
    await rejectsWith(answerInvitation(db, actor, created.id, { answer: 'tham dự', attendeeName: 'Nguyễn Văn An' }), 'INVALID_INPUT', /chức vụ/);
    await rejectsWith(answerInvitation(db, actor, created.id, { answer: 'cử người dự thay', attendeeName: 'Trần Bình', attendeePosition: 'Phó phòng' }), 'INVALID_INPUT', /điện thoại/);
    await rejectsWith(answerInvitation(db, actor, created.id, { answer: 'không tham dự', reason: '   ' }), 'INVALID_INPUT', /lý do/);
    await rejectsWith(answerInvitation(db, actor, created.id, { answer: 'có thể' }), 'INVALID_INPUT');
    await answerInvitation(db, actor, created.id, { answer: 'tham dự', attendeeName: 'Nguyễn Văn An', attendeePosition: 'Phó Giám đốc' }, { at: new Date(now.getTime() + 2 * HOUR) });
    const delegated = await answerInvitation(db, actor, created.id, {
      answer: 'cử người dự thay', attendeeName: ' Trần Thị Bình ', attendeePosition: 'Trưởng phòng', attendeePhone: '0912 345 678',
    }, { at: deadline });
    assert.equal(delegated.attendeeName, 'Trần Thị Bình');
    assert.equal(delegated.sequence, 0);
    await rejectsWith(
      answerInvitation(db, actor, created.id, { answer: 'không tham dự', reason: 'Trùng lịch' }, { at: new Date(deadline.getTime() + 1) }),
      'ANSWERS_CLOSED', /hết hạn/,
    );
    const seen = (await getInvitationForUnit(db, congan, created.id, { now: new Date(deadline.getTime() + 1) }))!;
    assert.equal(seen.answersOpen, false);
    assert.equal(seen.answer?.answer, 'cử người dự thay', 'the refused change left the answer as it was');
    assert.deepEqual(seen.answerHistory.map((a) => a.answer), ['tham dự', 'cử người dự thay']);
    assert.equal(seen.read?.by, 'congan');
    assert.equal(seen.read?.at.getTime(), firstRead.getTime());
    assert.equal(seen.verification.verdict, 'valid');

    const overview = (await getInvitationOverview(db, created.id))!;
    assert.deepEqual(overview.counts, { invited: 2, read: 1, answered: 1, attending: 0, delegating: 1, declining: 0, pending: 1 });
    assert.deepEqual(overview.units.map((u) => u.moihopUsername).sort(), ['congan', 'vptinhuy']);

    // Amendments after publishing raise SEQUENCE and mark the invitation changed; the .ics follows.
    const amended = await amendInvitation(db, config, created.id, { place: 'Hội trường B', note: 'Đổi phòng họp', addUnitIds: [mattran], actor: 'cli:test', at: new Date(now.getTime() + 3 * HOUR) });
    assert.equal(amended.status, 'đã sửa đổi');
    assert.equal(amended.sequence, 1);
    assert.notEqual(await getInvitationForUnit(db, mattran, created.id), null, 'an added unit sees it');
    const moved = await amendInvitation(db, config, created.id, { startsAt: new Date(startsAt.getTime() + HOUR), endsAt: new Date(startsAt.getTime() + 3 * HOUR), actor: 'cli:test', at: new Date(now.getTime() + 4 * HOUR) });
    assert.equal(moved.sequence, 2);
    assert.equal(moved.answerDeadline.getTime(), deadline.getTime(), 'an explicit deadline stays');
    await rejectsWith(amendInvitation(db, config, created.id, { actor: 'cli:test' }), 'INVALID_INPUT');
    await rejectsWith(amendInvitation(db, config, created.id, { endsAt: new Date(startsAt.getTime() - DAY), actor: 'cli:test' }), 'INVALID_INPUT', /kết thúc/);

    const ics = (await invitationIcsForUnit(db, full, congan, created.id, { now: new Date(now.getTime() + 5 * HOUR) }))!;
    const event = new ICAL.Event(new ICAL.Component(ICAL.parse(ics)).getFirstSubcomponent('vevent')!);
    assert.equal(event.sequence, 2);
    assert.equal(event.location, 'Hội trường B');
    assert.equal(event.attendees[0].getParameter('partstat'), 'ACCEPTED');
    assert.equal(event.attendees[0].getFirstValue(), 'mailto:vanthu@ca.binhthuan.gov.vn');

    const cancelled = await cancelInvitation(db, created.id, { actor: 'cli:test', reason: 'Lãnh đạo đi công tác', at: new Date(now.getTime() + 6 * HOUR) });
    assert.equal(cancelled.status, 'đã hủy');
    assert.equal(cancelled.sequence, 3);
    assert.deepEqual(cancelled.history.map((h) => `${h.status}#${h.sequence}`), ['đã phát hành#0', 'đã sửa đổi#1', 'đã sửa đổi#2', 'đã hủy#3']);
    await rejectsWith(answerInvitation(db, { unitId: vptinhuy, username: 'vptinhuy' }, created.id, { answer: 'không tham dự', reason: 'x' }, { at: now }), 'CANCELLED');
    await rejectsWith(cancelInvitation(db, created.id, { actor: 'cli:test', reason: 'lần nữa' }), 'CANCELLED');
    await rejectsWith(amendInvitation(db, config, created.id, { place: 'X', actor: 'cli:test' }), 'CANCELLED');
    const cancelledIcs = (await invitationIcsForUnit(db, full, congan, created.id))!;
    assert.match(cancelledIcs, /\r\nMETHOD:CANCEL\r\n/);
    assert.match(cancelledIcs, /\r\nSEQUENCE:3\r\n/);
    assert.equal((await getInvitationForUnit(db, congan, created.id))?.status, 'đã hủy', 'a cancelled invitation stays visible, marked');
  }));

  test(`${kind}: drafts are invisible until published; the 24-hour rule warns; unsigned PDFs need --allow-unsigned`, () => withDatabase(kind, async ({ db }, config) => {
    const now = new Date();
    const congan = await unitId(db, 'congan');
    const base = {
      place: 'Phòng họp số 2', unitIds: [congan], actor: 'cli:test', pdf: { filename: 'giay-moi.pdf', content: signedPdf },
    };
    const soon = new Date(now.getTime() + 5 * HOUR);
    const draft = await createInvitation(db, config, { ...base, title: 'Họp khẩn về dịch bệnh', startsAt: soon, endsAt: new Date(soon.getTime() + HOUR), publish: false, at: now });
    assert.equal(draft.status, 'nháp');
    assert.equal(draft.urgency, 'Khẩn', 'urgency read from the title');
    assert.equal(draft.answerDeadline.getTime(), soon.getTime(), 'the deadline defaults to the start');
    assert.equal(await getInvitationForUnit(db, congan, draft.id), null, 'a draft is not shown to units');
    const redrafted = await amendInvitation(db, config, draft.id, { host: 'Phó Chủ tịch', actor: 'cli:test', at: now });
    assert.equal(redrafted.sequence, 0, 'a draft keeps its sequence');
    const published = await publishInvitation(db, draft.id, { actor: 'cli:test', at: new Date(now.getTime() + HOUR) });
    assert.equal(published.status, 'đã phát hành');
    assert.deepEqual(published.warnings.map((w) => w.code), ['LATE_NOTICE']);
    assert.match(published.warnings[0].message, /24 giờ/);
    assert.notEqual(await getInvitationForUnit(db, congan, draft.id), null);
    await rejectsWith(publishInvitation(db, draft.id, { actor: 'cli:test' }), 'NOT_A_DRAFT');

    // A new Giấy mời replaces the current one: the old file stays for the admin, units get only the new one.
    const secondPdf = await signPdf(await signPdf(await makeDocumentPdf({ type: 'Giấy mời', number: '46/GM-UBND', subject: 'Họp khẩn về dịch bệnh' }), pki.person), pki.organization);
    const mismatched = await amendInvitation(db, config, draft.id, { pdf: { filename: 'giay-moi-moi.pdf', content: secondPdf }, actor: 'cli:test', at: new Date(now.getTime() + 2 * HOUR) });
    assert.deepEqual(mismatched.warnings.map((w) => w.code), ['NUMBER_MISMATCH', 'LATE_NOTICE'], 'the printed number differs; the late notice stays');
    const replaced = await amendInvitation(db, config, draft.id, { docNumber: '46/GM-UBND', actor: 'cli:test', at: new Date(now.getTime() + 2 * HOUR) });
    assert.equal(replaced.sequence, 2);
    assert.deepEqual(replaced.warnings.map((w) => w.code), ['LATE_NOTICE']);
    assert.deepEqual(replaced.files.map((f) => [f.position, f.filename]), [[1, 'giay-moi-moi.pdf']]);
    assert.equal(await resolveInvitationFileForUnit(db, config.dataDir, congan, draft.id, 0), null, 'a replaced Giấy mời is not offered to units');
    assert.deepEqual(fs.readFileSync((await resolveInvitationFileForUnit(db, config.dataDir, congan, draft.id, 1))!.path), secondPdf);
    assert.deepEqual(fs.readFileSync((await resolveInvitationFileForAdmin(db, config.dataDir, draft.id, 0))!.path), signedPdf);
    assert.equal((await getInvitationOverview(db, draft.id))!.allFiles.filter((f) => f.supersededAt !== null).length, 1);

    const later = new Date(now.getTime() + 4 * DAY);
    const times = { startsAt: later, endsAt: new Date(later.getTime() + HOUR), at: now };
    await rejectsWith(createInvitation(db, config, { ...base, ...times, title: 'Không ký', pdf: { filename: 'khong-ky.pdf', content: unsignedPdf } }), 'PDF_NOT_VALID', /NO_SIGNATURE/);
    await rejectsWith(createInvitation(db, config, { ...base, ...times, title: 'Không phải PDF', pdf: { filename: 'x.pdf', content: Buffer.from('hello') }, allowUnsigned: true }), 'PDF_NOT_VALID', /NOT_A_PDF/);
    const reference = await createInvitation(db, config, { ...base, ...times, title: 'Bản tham khảo', pdf: { filename: 'khong-ky.pdf', content: unsignedPdf }, allowUnsigned: true });
    assert.equal(reference.referenceOnly, true);
    assert.equal(reference.verdict, 'unsigned');
    assert.deepEqual(reference.warnings.map((w) => w.code), ['REFERENCE_ONLY']);

    await rejectsWith(createInvitation(db, config, { ...base, ...times, title: 'X', unitIds: ['khong-co-don-vi'] }), 'UNKNOWN_UNITS', /khong-co-don-vi/);
    await rejectsWith(createInvitation(db, config, { ...base, ...times, title: 'X', unitIds: [] }), 'INVALID_INPUT');
    await rejectsWith(createInvitation(db, config, { ...base, ...times, title: 'X', answerDeadline: new Date(later.getTime() + 1) }), 'INVALID_INPUT', /Hạn xác nhận/);
    await rejectsWith(createInvitation(db, config, { ...base, title: 'X', startsAt: new Date(now.getTime() - HOUR), endsAt: now, at: now }), 'INVALID_INPUT', /đã qua/);
    await rejectsWith(createInvitation(db, config, { ...base, ...times, title: 'X', papers: [{ filename: 'rong.txt', content: Buffer.alloc(0) }] }), 'INVALID_INPUT', /rỗng/);
  }));

  test(`${kind}: a unit's list: upcoming first, then past; month and diacritic-insensitive search; paging`, () => withDatabase(kind, async ({ db }, config) => {
    const now = new Date();
    const congan = await unitId(db, 'congan');
    // Two meetings on the same Vietnam day, two days ahead: 09:00 and, Hỏa tốc, 14:00.
    const dayStart = Math.floor((now.getTime() + 7 * HOUR) / DAY) * DAY - 7 * HOUR + 2 * DAY;
    const make = (title: string, startsAt: number, urgency?: 'Hỏa tốc') => createInvitation(db, config, {
      title, place: 'UBND tỉnh', unitIds: [congan], actor: 'cli:test', urgency, pdf: { filename: 'giay-moi.pdf', content: unsignedPdf }, allowUnsigned: true,
      startsAt: new Date(startsAt), endsAt: new Date(startsAt + HOUR), at: new Date(Math.min(now.getTime(), startsAt - 2 * DAY)),
    });
    const past = await make('Họp tổng kết năm', now.getTime() - 10 * DAY);
    const lastWeek = await make('Họp giao ban tuần', now.getTime() - 5 * DAY);
    const far = await make('Hội nghị phòng chống lụt bão', now.getTime() + 20 * DAY);
    const near = await make('Họp thường kỳ', dayStart + 9 * HOUR);
    const urgentSameDay = await make('Họp xử lý sự cố đê', dayStart + 14 * HOUR, 'Hỏa tốc');
    const page = await listInvitationsForUnit(db, congan, { now });
    assert.deepEqual(page.items.map((i) => i.title), [urgentSameDay, near, far, lastWeek, past].map((i) => i.title), 'Hỏa tốc first within its day');
    assert.deepEqual(page.items.map((i) => i.upcoming), [true, true, true, false, false]);
    assert.equal(page.total, 5);
    const second = await listInvitationsForUnit(db, congan, { now, limit: 2, offset: 2 });
    assert.deepEqual(second.items.map((i) => i.id), page.items.slice(2, 4).map((i) => i.id));
    assert.equal(second.total, 5);
    assert.deepEqual((await listInvitationsForUnit(db, congan, { now, search: 'PHONG chong LUT' })).items.map((i) => i.id), [far.id]);
    assert.deepEqual((await listInvitationsForUnit(db, congan, { now, search: 'họp 100%' })).items, [], 'LIKE wildcards are literal');
    const inMonth = await listInvitationsForUnit(db, congan, { now, month: formatMonth(far.startsAt) });
    assert.ok(inMonth.items.some((i) => i.id === far.id));
    assert.ok(inMonth.items.every((i) => formatMonth(i.startsAt) === formatMonth(far.startsAt)));
    assert.equal(inMonth.total, [past, lastWeek, far, near, urgentSameDay].filter((i) => formatMonth(i.startsAt) === formatMonth(far.startsAt)).length);
    await rejectsWith(listInvitationsForUnit(db, congan, { month: '2026-13' }), 'INVALID_INPUT');
  }));
}

/** yyyy-mm of a moment in Vietnam. */
function formatMonth(date: Date): string {
  return new Date(date.getTime() + 7 * HOUR).toISOString().slice(0, 7);
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: the invitations command creates, warns, refuses, shows, lists, cancels and exports .ics`, async () => {
    const dataDir = tempDir('invitations-cli');
    const env = { ...freshDatabaseEnv(kind, dataDir), TRUST_DIR: trustDir };
    const iso = (offset: number) => new Date(Date.now() + offset).toISOString();
    const file = (name: string) => path.join(filesDir, name);
    try {
      const args = (start: number, extra: string[] = []) => [
        'create', '--title', 'Họp bàn phòng, chống lụt bão', '--start', iso(start), '--end', iso(start + 2 * HOUR), '--place', 'Phòng họp số 1',
        '--pdf', file('giay-moi.pdf'), '--units', 'vptinhuy,congan', '--papers', file('bao-cao.docx'), '--json', ...extra,
      ];
      const created = await runScript('invitations', args(3 * DAY, ['--deadline', iso(2 * DAY)]), env);
      assert.equal(created.code, 0, created.stderr);
      assert.equal(created.stderr, '');
      const json = JSON.parse(created.stdout);
      assert.match(json.id, /^[0-9A-Z]{26}$/);
      assert.equal(json.status, 'đã phát hành');
      assert.equal(json.verification.verdict, 'valid');
      assert.equal(json.docNumber, NUMBER);
      assert.deepEqual(json.units.map((u: { username: string }) => u.username).sort(), ['congan', 'vptinhuy']);
      assert.deepEqual(json.files.map((f: { filename: string; sha256: string }) => [f.filename, f.sha256]), [['giay-moi.pdf', sha256(signedPdf)], ['bao-cao.docx', sha256(paper)]]);
      assert.match(json.startsAt, /\+07:00$/);

      const late = await runScript('invitations', args(3 * HOUR), env);
      assert.equal(late.code, 0, late.stderr);
      assert.match(late.stderr, /LATE_NOTICE/);
      assert.deepEqual(JSON.parse(late.stdout).warnings.map((w: { code: string }) => w.code), ['LATE_NOTICE']);

      const unsigned = await runScript('invitations', args(3 * DAY).map((a) => (a === file('giay-moi.pdf') ? file('khong-ky.pdf') : a)), env);
      assert.equal(unsigned.code, 1);
      assert.match(unsigned.stderr, /không có chữ ký số hợp lệ.*NO_SIGNATURE.*\/ the invitation PDF is not validly signed/s);
      const reference = await runScript('invitations', [...args(3 * DAY).map((a) => (a === file('giay-moi.pdf') ? file('khong-ky.pdf') : a)), '--allow-unsigned'], env);
      assert.equal(reference.code, 0, reference.stderr);
      assert.equal(JSON.parse(reference.stdout).referenceOnly, true);
      assert.match(reference.stderr, /REFERENCE_ONLY/);

      const unknown = await runScript('invitations', args(3 * DAY).map((a) => (a === 'vptinhuy,congan' ? 'congan,khongco,ai-do' : a)), env);
      assert.equal(unknown.code, 2);
      assert.match(unknown.stderr, /khongco, ai-do/);
      const badTime = await runScript('invitations', args(3 * DAY).map((a, i, all) => (all[i - 1] === '--start' ? '01/12/2026 08:00' : a)), env);
      assert.equal(badTime.code, 2);
      assert.match(badTime.stderr, /--start cần thời điểm ISO 8601/);
      const missing = await runScript('invitations', ['create', '--title', 'x'], env);
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /missing --start/);
      assert.equal((await runScript('invitations', ['frobnicate'], env)).code, 2);

      const listed = await runScript('invitations', ['list', '--json'], env);
      assert.equal(listed.code, 0, listed.stderr);
      assert.equal(JSON.parse(listed.stdout).length, 3);
      const shown = await runScript('invitations', ['show', json.id, '--json'], env);
      assert.equal(JSON.parse(shown.stdout).counts.invited, 2);
      assert.equal((await runScript('invitations', ['show', 'KHONGCO'], env)).code, 1);

      const ics = await runScript('invitations', ['ics', json.id, '--unit', 'congan'], env);
      assert.equal(ics.code, 0, ics.stderr);
      const event = new ICAL.Event(new ICAL.Component(ICAL.parse(ics.stdout)).getFirstSubcomponent('vevent')!);
      assert.equal(event.sequence, 0);
      assert.equal(event.attendees[0].getParameter('partstat'), 'NEEDS-ACTION');
      assert.equal((await runScript('invitations', ['ics', json.id, '--unit', 'mattran'], env)).code, 1, 'not invited: no .ics');

      const noReason = await runScript('invitations', ['cancel', json.id], env);
      assert.equal(noReason.code, 2);
      const cancelled = await runScript('invitations', ['cancel', json.id, '--reason', 'Hoãn họp', '--json'], env);
      assert.equal(cancelled.code, 0, cancelled.stderr);
      assert.equal(JSON.parse(cancelled.stdout).status, 'đã hủy');
      assert.equal(JSON.parse(cancelled.stdout).sequence, 1);
      const again = await runScript('invitations', ['cancel', json.id, '--reason', 'Hoãn họp'], env);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /đã bị hủy \/ invitation .* is cancelled/);
    } finally {
      await dropSchema(env);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
}
