// The invitation pages over real HTTP against the real product, on SQLite and PostgreSQL: a unit sees only
// its own invitations (pages, files, .ics and answers of others are 404), file routes take no path from the
// request, the answer form is validated in Vietnamese and guarded by CSRF, and VP UBND's overview shows
// who attends, who delegates and why others decline.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import ICAL from 'ical.js';
import { startProduct, RunningProduct } from './support/product';
import { DATABASE_KINDS, dropSchema, freshDatabaseEnv, tempDir } from './support/databases';
import { loggedIn, WebClient } from './support/web-client';
import { createInvitation, InvitationFiles, invitationsCommand, makeInvitationFiles } from './support/invitation-fixtures';
import { formatIsoWeek, isoWeekOf } from '../moihop-web/pages/week';
import { isoDateVietnam } from '../db/time';

const DAY = 86_400_000;
let files: InvitationFiles;

before(async () => {
  files = await makeInvitationFiles();
});

after(() => files.remove());

/** The filename* of a Content-Disposition header, decoded. */
function dispositionFilename(header: string | undefined): string | null {
  const match = /filename\*=UTF-8''([^;]+)/.exec(header ?? '');
  return match ? decodeURIComponent(match[1]) : null;
}

function assertNotFound(res: { status: number; html: string }, what: string): void {
  assert.equal(res.status, 404, `${what}: ${res.status}`);
  assert.match(res.html, /Không tìm thấy/, `${what}: the Vietnamese 404 page`);
  assert.doesNotMatch(res.html, /root:|Họp giao ban công an/, `${what}: nothing leaks`);
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: unit pages are scoped to the unit, files and answers are checked, staff see the answers`, async (t) => {
    const dataDir = tempDir('moihop-web-invitations');
    const env = freshDatabaseEnv(kind, dataDir);
    let product: RunningProduct | null = null;
    try {
      product = await startProduct(env);
      const base = `http://127.0.0.1:${product.webPort}`;
      // 09:00 Vietnam time three days ahead: the meeting never runs past midnight, whenever the test runs.
      const startsAt = new Date(`${isoDateVietnam(new Date(Date.now() + 3 * DAY))}T09:00:00+07:00`);
      const flood = await createInvitation(env, files, {
        title: 'Họp bàn công tác phòng, chống lụt bão năm 2026', startsAt, units: ['congan', 'vptinhuy'], urgency: 'Hỏa tốc', withPaper: true,
      });
      const police = await createInvitation(env, files, { title: 'Họp giao ban công an tháng', startsAt, units: ['mattran'] });
      const congan = await loggedIn(base, env, 'congan');

      await t.test('the list shows the unit its own invitations, unread and urgent', async () => {
        const list = await congan.get('/invitations');
        assert.equal(list.status, 200);
        assert.match(list.html, /Họp bàn công tác phòng, chống lụt bão năm 2026/);
        assert.doesNotMatch(list.html, /Họp giao ban công an tháng/, 'not invited: not listed');
        assert.match(list.html, /class="invitation-item unread/);
        assert.match(list.html, /Chưa đọc/);
        assert.match(list.html, /urgency-hoatoc">Hỏa tốc/);
        assert.match(list.html, /Sắp diễn ra/);
        const week = await congan.get(`/invitations?view=week&week=${formatIsoWeek(isoWeekOf(startsAt))}`);
        assert.equal(week.status, 200);
        assert.match(week.html, /Họp bàn công tác phòng, chống lụt bão năm 2026/);
        const searched = await congan.get(`/invitations?q=${encodeURIComponent('lut bao')}`);
        assert.match(searched.html, /Họp bàn công tác/, 'search ignores diacritics');
        assert.doesNotMatch((await congan.get('/invitations?q=khongcogi')).html, /Họp bàn công tác/);
        for (const bad of ['/invitations?month=2026-13', '/invitations?page=abc', '/invitations?view=week&week=2026-W60', '/invitations?view=lich']) {
          const refused = await congan.get(bad);
          assert.equal(refused.status, 400, bad);
          assert.match(refused.html, /không hợp lệ|không có/, bad);
        }
      });

      await t.test('the page shows every field and the signature in plain words, and records the first view', async () => {
        const page = await congan.get(`/invitations/${flood}`);
        assert.equal(page.status, 200);
        assert.match(page.html, /45\/GM-UBND/);
        assert.match(page.html, /Phòng họp số 1, UBND tỉnh/);
        assert.match(page.html, /Chủ tịch UBND tỉnh/);
        assert.match(page.html, /\d{2}\/\d{2}\/\d{4} \d{2}:\d{2} – \d{2}:\d{2}/, 'dd/mm/yyyy HH:mm');
        assert.match(page.html, /Chữ ký số hợp lệ/);
        assert.match(page.html, /Chữ ký của cơ quan \(con dấu\)/);
        assert.match(page.html, /Chữ ký của người ký/);
        assert.match(page.html, /<iframe class="pdf-frame" src="\/invitations\/[0-9A-Z]+\/files\/0"/);
        assert.match(page.html, /Mở văn bản/);
        assert.match(page.html, /name="_csrf"/);
        const list = await congan.get('/invitations');
        assert.doesNotMatch(list.html, /class="invitation-item unread/, 'read after the first view');
        const link = await congan.get(`/giay-moi/${flood}`);
        assert.equal(link.status, 303);
        assert.equal(link.location, `/invitations/${flood}`);
      });

      await t.test('the Giấy mời opens inline, papers download with their Vietnamese name, the .ics is a calendar', async () => {
        const pdf = await congan.get(`/invitations/${flood}/files/0`);
        assert.equal(pdf.status, 200);
        assert.equal(pdf.headers['content-type'], 'application/pdf');
        assert.match(pdf.headers['content-disposition'] ?? '', /^inline; filename="giay-moi\.pdf"/);
        assert.equal(pdf.headers['x-content-type-options'], 'nosniff');
        assert.match(String(pdf.headers['content-security-policy']), /frame-ancestors 'self'/);
        assert.deepEqual(pdf.body, fs.readFileSync(files.signedPdf));

        const paper = await congan.get(`/invitations/${flood}/files/1`);
        assert.equal(paper.status, 200);
        const disposition = paper.headers['content-disposition'];
        assert.match(disposition ?? '', /^attachment; filename="Bao cao tong ket phong chong lut bao\.docx"; filename\*=UTF-8''/);
        assert.equal(dispositionFilename(disposition), files.paperName);
        assert.equal(paper.headers['x-content-type-options'], 'nosniff');
        assert.deepEqual(paper.body, files.paperBytes);

        const ics = await congan.get(`/invitations/${flood}/calendar.ics`);
        assert.equal(ics.status, 200);
        assert.equal(ics.headers['content-type'], 'text/calendar; charset=utf-8');
        assert.match(ics.html, /^BEGIN:VCALENDAR/);
        const event = new ICAL.Event(new ICAL.Component(ICAL.parse(ics.html)).getFirstSubcomponent('vevent')!);
        assert.equal(event.summary, 'Họp bàn công tác phòng, chống lụt bão năm 2026');
        assert.equal(event.startDate.toJSDate().getTime(), Math.floor(startsAt.getTime() / 1000) * 1000);
      });

      await t.test("another unit's invitation is 404 everywhere; file routes take no path", async () => {
        const token = await congan.token(`/invitations/${flood}`);
        assertNotFound(await congan.get(`/invitations/${police}`), 'page');
        assertNotFound(await congan.get(`/invitations/${police}/files/0`), 'file');
        assertNotFound(await congan.get(`/invitations/${police}/calendar.ics`), '.ics');
        assertNotFound(await congan.post(`/invitations/${police}/answer`, { _csrf: token, answer: 'tham dự', attendee_name: 'A', attendee_position: 'B' }), 'answer');
        assertNotFound(await congan.get('/invitations/01ARZ3NDEKTSV4RRFFQ69G5FAV'), 'unknown id');
        assertNotFound(await congan.get('/invitations/KHONGCO'), 'malformed id');
        for (const path of [
          `/invitations/${flood}/files/..%2f..%2fetc%2fpasswd`, `/invitations/${flood}/files/..%2f..%2f..%2fmoihop.sqlite3`,
          `/invitations/${flood}/files/999`, `/invitations/${flood}/files/-1`, `/invitations/${flood}/files/0x1`, `/invitations/${flood}/files/1%2f..%2f0`,
          `/invitations/${flood}/files/%2e%2e`, `/invitations/..%2f..%2fetc%2fpasswd/files/0`, `/invitations/${flood}%2f..%2f${police}/files/0`,
          `/invitations/${flood}/files/0%00`, `/invitations/${flood}/files/%2fetc%2fpasswd`,
        ]) {
          assertNotFound(await congan.get(path), path);
        }
      });

      await t.test('the answer form refuses mistakes in Vietnamese, keeps what was typed, and needs CSRF', async () => {
        const token = await congan.token(`/invitations/${flood}`);
        const answer = (fields: Record<string, string>) => congan.post(`/invitations/${flood}/answer`, { _csrf: token, ...fields });
        const cases: Array<[Record<string, string>, RegExp[], string[]]> = [
          [{}, [/Xin chọn một trong ba cách trả lời/], []],
          [{ answer: 'có' }, [/Xin chọn một trong ba cách trả lời/], []],
          [{ answer: 'tham dự', attendee_position: 'Phó Giám đốc' }, [/Cần nhập họ tên người tham dự/], ['Phó Giám đốc']],
          [{ answer: 'tham dự' }, [/Cần nhập họ tên người tham dự/, /Cần nhập chức vụ người tham dự/], []],
          [{ answer: 'cử người dự thay', attendee_name: 'Trần Thị Bích', attendee_position: 'Trưởng phòng' }, [/Cần nhập số điện thoại của người dự thay/], ['Trần Thị Bích', 'Trưởng phòng']],
          [{ answer: 'cử người dự thay', attendee_name: 'Trần Thị Bích', attendee_position: 'Trưởng phòng', attendee_phone: 'gọi tôi' }, [/Số điện thoại không hợp lệ/], ['gọi tôi']],
          [{ answer: 'không tham dự', reason: '   ' }, [/Cần nêu lý do không tham dự/], []],
        ];
        for (const [fields, messages, kept] of cases) {
          const refused = await answer(fields);
          assert.equal(refused.status, 400, JSON.stringify(fields));
          assert.match(refused.html, /Chưa gửi được trả lời/);
          for (const message of messages) assert.match(refused.html, message, JSON.stringify(fields));
          for (const value of kept) assert.match(refused.html, new RegExp(`value="${value}"`), `keeps ${value}`);
          if (fields.answer === 'cử người dự thay') assert.match(refused.html, /value="cử người dự thay" id="answer-delegate" checked/);
        }

        const forged = await congan.post(`/invitations/${flood}/answer`, { answer: 'tham dự', attendee_name: 'Kẻ giả mạo', attendee_position: 'X' });
        assert.equal(forged.status, 403);
        assert.match(forged.html, /Biểu mẫu đã hết hạn hoặc không hợp lệ/);
        const wrongToken = await congan.post(`/invitations/${flood}/answer`, { _csrf: 'sai', answer: 'tham dự', attendee_name: 'Kẻ giả mạo', attendee_position: 'X' });
        assert.equal(wrongToken.status, 403);
        assert.doesNotMatch((await congan.get(`/invitations/${flood}`)).html, /Kẻ giả mạo/, 'nothing recorded without CSRF');

        const attend = await answer({ answer: 'tham dự', attendee_name: 'Nguyễn Văn Hùng', attendee_position: 'Phó Giám đốc Công an tỉnh' });
        assert.equal(attend.status, 303, attend.html);
        assert.equal(attend.location, `/invitations/${flood}?answered=1#tra-loi`);
        const shown = await congan.get(`/invitations/${flood}?answered=1`);
        assert.match(shown.html, /Đã ghi nhận trả lời của quý đơn vị/);
        assert.match(shown.html, /Nguyễn Văn Hùng/);
        const delegate = await answer({ answer: 'cử người dự thay', attendee_name: 'Trần Thị Bích', attendee_position: 'Trưởng phòng Tham mưu', attendee_phone: '0252 3822 123' });
        assert.equal(delegate.status, 303, 'the answer can be changed before the deadline');
        assert.match((await congan.get(`/invitations/${flood}`)).html, /Người dự thay: <strong>Trần Thị Bích<\/strong>/);

        const office = await loggedIn(base, env, 'vptinhuy');
        const decline = await office.post(`/invitations/${flood}/answer`, { _csrf: await office.token(`/invitations/${flood}`), answer: 'không tham dự', reason: 'Trùng lịch họp Ban Thường vụ' });
        assert.equal(decline.status, 303);
      });

      await t.test('VP UBND sees the answers; units and staff keep to their pages', async () => {
        const admin = await loggedIn(base, env, 'quantri');
        const list = await admin.get('/admin/invitations');
        assert.equal(list.status, 200);
        assert.match(list.html, /Họp bàn công tác phòng, chống lụt bão năm 2026/);
        assert.match(list.html, /Họp giao ban công an tháng/);
        const row = list.html.slice(list.html.indexOf(`/admin/invitations/${flood}`));
        assert.match(row, /Đã xem"><span class="progress">2\/2<\/span>/, 'both units opened the page');
        assert.match(row, /Đã trả lời"><span class="progress">2\/2<\/span>/);

        const overview = await admin.get(`/admin/invitations/${flood}`);
        assert.equal(overview.status, 200);
        assert.match(overview.html, /Trần Thị Bích, Trưởng phòng Tham mưu/);
        assert.match(overview.html, /ĐT 0252 3822 123/);
        assert.match(overview.html, /Lý do: Trùng lịch họp Ban Thường vụ/);
        assert.match(overview.html, /answer-delegate">Cử người dự thay/);
        assert.match(overview.html, /answer-decline">Không tham dự/);
        assert.match(overview.html, /đã đổi 1 lần/);
        assert.match(overview.html, /<strong>2<\/strong> được mời/);
        assert.match(overview.html, /<strong>1<\/strong> cử người dự thay/);
        const adminPdf = await admin.get(`/admin/invitations/${flood}/files/0`);
        assert.equal(adminPdf.status, 200);
        assert.equal(adminPdf.headers['content-type'], 'application/pdf');
        assert.equal((await admin.get(`/admin/invitations/${flood}/files/999`)).status, 404);
        assert.equal((await admin.get('/admin/invitations/01ARZ3NDEKTSV4RRFFQ69G5FAV')).status, 404);
        assert.equal((await admin.get('/admin/invitations?status=lung-tung')).status, 400);
        assert.equal((await admin.get('/invitations')).status, 403, 'the unit pages are for units');

        const clerk = await loggedIn(base, env, 'vanthu');
        assert.match((await clerk.get(`/admin/invitations/${flood}`)).html, /Trùng lịch họp Ban Thường vụ/, 'the clerk follows up too');
        assert.equal((await congan.get('/admin/invitations')).status, 403);
        assert.equal((await congan.get(`/admin/invitations/${flood}/files/0`)).status, 403);
        const anonymous = await new WebClient(base).get(`/invitations/${flood}/files/0`);
        assert.equal(anonymous.status, 303, 'anonymous: to the login page');
        assert.match(anonymous.location ?? '', /^\/login\?next=/);
      });

      await t.test('a cancelled invitation closes the form with a message', async () => {
        await invitationsCommand(env, files, ['cancel', flood, '--reason', 'Hoãn họp do bão']);
        const page = await congan.get(`/invitations/${flood}`);
        assert.match(page.html, /Giấy mời đã bị hủy/);
        assert.match(page.html, /Hoãn họp do bão/);
        assert.doesNotMatch(page.html, /class="answer-form"/);
        const late = await congan.post(`/invitations/${flood}/answer`, { _csrf: await congan.token('/invitations'), answer: 'tham dự', attendee_name: 'A B', attendee_position: 'C' });
        assert.equal(late.status, 409);
        assert.match(late.html, /đã bị hủy/);
        assert.match((await congan.get('/invitations')).html, /status-cancelled">Đã hủy/);
      });
    } finally {
      await product?.stop();
      await dropSchema(env);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
}
