// The follow-up of an invitation over real HTTP against the real product, on SQLite and PostgreSQL, with a real
// local SMTP relay that refuses one unit's address: published to six units (one without an address), some read,
// some answer (attend, delegate, decline) → the counts and rows on the staff page, in its JSON, in the CSV
// (BOM, Vietnamese headers) and the Excel file read back; the filters ("chưa trả lời", "chưa xem", "gửi thư
// lỗi") and orders by query parameters; the attendance sheet; units refused, unknown invitations 404.
// Then in Chromium: the live table follows a unit's answer without reloading the page.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { readSheet } from 'read-excel-file/node';
import { chromium, Browser } from 'playwright-core';
import { startProduct, RunningProduct, runScript } from './support/product';
import { DATABASE_KINDS, dropSchema, freshDatabaseEnv, tempDir } from './support/databases';
import { setPassword, WebClient } from './support/web-client';
import { InvitationFiles, makeInvitationFiles } from './support/invitation-fixtures';
import { isoDateVietnam } from '../db/time';

const DAY = 86_400_000;
const PASSWORD = 'Theo-doi-giay-moi-2026!';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const REFUSED = 'bchqs@binhthuan.gov.vn';
const HEADERS = ['STT', 'Đơn vị', 'Địa chỉ thư', 'Tình trạng gửi thư', 'Thời điểm xem', 'Trả lời', 'Người tham dự', 'Chức vụ', 'Lý do', 'Thời điểm trả lời'];
const UNKNOWN_ID = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
const screenshotDir = fs.mkdtempSync(path.join(os.tmpdir(), 'moihop-screenshots-follow-up-'));

let files: InvitationFiles;
before(async () => {
  files = await makeInvitationFiles();
});
after(() => files.remove());

interface Relay {
  url: string;
  accepted: string[];
  close(): Promise<void>;
}

/** A local relay that accepts every mail except those to `refused`, answered `550 5.1.1 Mailbox unavailable`. */
function startRelay(refused: string[]): Promise<Relay> {
  const accepted: string[] = [];
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['AUTH', 'STARTTLS'], hideSTARTTLS: true, logger: false, closeTimeout: 200,
    onRcptTo(address, _session, callback) {
      if (refused.includes(address.address.toLowerCase())) {
        const error = new Error('5.1.1 Mailbox unavailable') as Error & { responseCode: number };
        error.responseCode = 550;
        return callback(error);
      }
      callback();
    },
    onData(stream, session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        accepted.push(...session.envelope.rcptTo.map((r) => r.address));
        callback();
      });
    },
  });
  return new Promise((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.server.address() as AddressInfo).port;
      resolve({ url: `smtp://127.0.0.1:${port}`, accepted, close: () => new Promise<void>((done) => server.close(() => done())) });
    });
  });
}

/** Publishes with the `invitations` command (with a number); returns the id. */
async function publish(env: Record<string, string>, title: string, units: string[], startsAt: Date): Promise<string> {
  const result = await runScript('invitations', [
    'create', '--title', title, '--number', '45/GM-UBND', '--start', startsAt.toISOString(), '--end', new Date(startsAt.getTime() + 2 * 3_600_000).toISOString(),
    '--place', 'Hội trường A, UBND tỉnh', '--host', 'Đồng chí Chủ tịch UBND tỉnh', '--pdf', files.signedPdf, '--units', units.join(','), '--json',
  ], { ...env, TRUST_DIR: files.trustDir });
  assert.equal(result.code, 0, result.stderr);
  return (JSON.parse(result.stdout) as { id: string }).id;
}

async function signIn(base: string, username: string): Promise<WebClient> {
  const client = new WebClient(base);
  await client.login(username, PASSWORD);
  return client;
}

/** RFC 4180 fields of a CSV text. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (ch === '"') quoted = false; else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(field); field = ''; }
    else if (ch === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; }
    else field += ch;
  }
  if (field || row.length) { row.push(field); rows.push(row); }
  return rows;
}

/** The unit ids of the table's rows, in order. */
function rowIds(html: string): string[] {
  return [...html.matchAll(/<tr id="u-[^"]+" data-unit="([^"]+)"/g)].map((m) => m[1]);
}

function rowHtml(html: string, unitId: string): string {
  const start = html.indexOf(`<tr id="u-${unitId}"`);
  assert.ok(start >= 0, `no row for ${unitId}`);
  return html.slice(start, html.indexOf('</tr>', start));
}

function dispositionFilename(header: string | undefined): string | null {
  const match = /filename\*=UTF-8''([^;]+)/.exec(header ?? '');
  return match ? decodeURIComponent(match[1]) : null;
}

interface FollowUpJson {
  invitation: { id: string; docNumber: string | null; title: string };
  counts: Record<string, number>;
  filterCounts: Record<string, number>;
  shown: number;
  version: string;
  units: Array<{
    unitId: string; unitName: string; emails: string[]; firstReadAt: string | null;
    delivery: { state: string; failures: Array<{ recipient: string; reply: string }> };
    answer: null | { kind: string; attendeeName: string | null; attendeePosition: string | null; attendeePhone: string | null; reason: string | null; answeredAt: string };
  }>;
}

async function json(client: WebClient, path: string): Promise<FollowUpJson> {
  const res = await client.get(path);
  assert.equal(res.status, 200, `${path}: ${res.status} ${res.html.slice(0, 200)}`);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  return JSON.parse(res.html) as FollowUpJson;
}

const UNITS = {
  congan: 'cong-an-tinh', vptinhuy: 'van-phong-tinh-uy', mattran: 'uy-ban-mat-tran-to-quoc-viet-nam', quansu: 'bo-chi-huy-quan-su-tinh',
  khuyenhoc: 'hoi-khuyen-hoc', taichinh: 'so-tai-chinh',
};

for (const kind of DATABASE_KINDS) {
  test(`${kind}: follow-up table, JSON, CSV and Excel exports, filters, attendance sheet, access`, async (t) => {
    const dataDir = tempDir('moihop-follow-up');
    const relay = await startRelay([REFUSED]);
    const env = { ...freshDatabaseEnv(kind, dataDir), TRUST_DIR: files.trustDir, OUTBOUND_SMTP_URL: relay.url, OUTBOX_POLL_MS: '200' };
    let product: RunningProduct | null = null;
    try {
      product = await startProduct(env);
      const base = `http://127.0.0.1:${product.webPort}`;
      for (const username of ['quantri', 'vanthu', ...Object.keys(UNITS)]) await setPassword(env, username, PASSWORD);
      const startsAt = new Date(`${isoDateVietnam(new Date(Date.now() + 3 * DAY))}T08:00:00+07:00`);
      const id = await publish(env, 'Hội nghị sơ kết công tác phòng, chống thiên tai', Object.keys(UNITS), startsAt);
      const admin = await signIn(base, 'quantri');
      const page = `/admin/invitations/${id}`;

      // The sender delivers 4 mails (Sở Tài chính has no address), the relay refuses Bộ Chỉ huy Quân sự's.
      let settled: FollowUpJson | null = null;
      for (let attempt = 0; attempt < 150; attempt++) {
        settled = await json(admin, `${page}/follow-up.json`);
        if (settled.counts.sent === 4 && settled.counts.failed === 1) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      assert.deepEqual([settled!.counts.sent, settled!.counts.failed, settled!.counts.noAddress], [4, 1, 1], JSON.stringify(settled!.counts));

      const answer = async (username: string, fields: Record<string, string>) => {
        const unit = await signIn(base, username);
        const token = await unit.token(`/invitations/${id}`); // the first view is recorded here
        if (Object.keys(fields).length) {
          const res = await unit.post(`/invitations/${id}/answer`, { _csrf: token, ...fields });
          assert.equal(res.status, 303, `${username}: ${res.html.slice(0, 300)}`);
        }
      };
      await answer('congan', { answer: 'tham dự', attendee_name: 'Nguyễn Văn Hùng', attendee_position: 'Phó Giám đốc Công an tỉnh' });
      await answer('vptinhuy', { answer: 'cử người dự thay', attendee_name: 'Trần Thị Bích', attendee_position: 'Trưởng phòng Tham mưu', attendee_phone: '0252 3822 123' });
      await answer('mattran', { answer: 'không tham dự', reason: 'Trùng lịch họp Ban Thường trực, "khẩn"' });
      await answer('quansu', {});

      await t.test('the page: counts at the top, one row per unit with delivery, read time, answer, attendee, reason', async () => {
        const res = await admin.get(page);
        assert.equal(res.status, 200);
        const expected: Array<[number, string]> = [
          [6, 'được mời'], [4, 'đã gửi thư'], [0, 'chờ gửi thư'], [1, 'gửi thư lỗi'], [4, 'đã xem'], [2, 'chưa xem'], [3, 'đã trả lời'],
          [1, 'tham dự'], [1, 'cử người dự thay'], [1, 'không tham dự'], [3, 'chưa trả lời'],
        ];
        for (const [n, label] of expected) assert.match(res.html, new RegExp(`<strong>${n}</strong> ${label}</a>`), label);
        assert.deepEqual(rowIds(res.html).sort(), Object.values(UNITS).sort());
        const police = rowHtml(res.html, UNITS.congan);
        assert.match(police, /delivery-sent">Đã gửi/);
        assert.match(police, /answer-attend">Tham dự/);
        assert.match(police, /Nguyễn Văn Hùng, Phó Giám đốc Công an tỉnh/);
        assert.match(police, /data-label="Đã xem">\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}</);
        assert.match(rowHtml(res.html, UNITS.vptinhuy), /answer-delegate">Cử người dự thay[^]*Trần Thị Bích, Trưởng phòng Tham mưu[^]*ĐT 0252 3822 123/);
        assert.match(rowHtml(res.html, UNITS.mattran), /answer-decline">Không tham dự[^]*Lý do: Trùng lịch họp Ban Thường trực, &#34;khẩn&#34;/);
        const army = rowHtml(res.html, UNITS.quansu);
        assert.match(army, /delivery-failed">Gửi lỗi<\/span><br><span class="muted">bchqs@binhthuan\.gov\.vn: [^<]*550[^<]*Mailbox unavailable/, 'the relay\'s reply');
        assert.match(army, /answer-pending">Chưa trả lời/);
        assert.doesNotMatch(army, /Chưa xem/, 'it opened the page');
        assert.match(rowHtml(res.html, UNITS.khuyenhoc), /data-label="Đã xem">Chưa xem/);
        assert.match(rowHtml(res.html, UNITS.taichinh), /delivery-none">Không có địa chỉ thư/);
        assert.match(res.html, /1 thư gửi không thành công/);
        assert.match(res.html, /<script src="\/static\/follow-up\.js" defer><\/script>/, 'the live script, same origin');
        assert.match(res.html, new RegExp(`data-follow-up="/admin/invitations/${id}/follow-up\\.json"`));
      });

      await t.test('filters and orders by query parameters, without JavaScript', async () => {
        const pending = await admin.get(`${page}?state=chua-tra-loi`);
        assert.equal(pending.status, 200);
        assert.deepEqual(rowIds(pending.html).sort(), [UNITS.quansu, UNITS.khuyenhoc, UNITS.taichinh].sort(), 'exactly the units without an answer');
        assert.match(pending.html, /Hiển thị 3\/6 đơn vị \(chưa trả lời\)/);
        assert.match(pending.html, /<strong>6<\/strong> được mời/, 'the counts stay those of the whole invitation');
        assert.deepEqual(rowIds((await admin.get(`${page}?state=chua-xem`)).html).sort(), [UNITS.khuyenhoc, UNITS.taichinh].sort());
        assert.deepEqual(rowIds((await admin.get(`${page}?state=gui-thu-loi`)).html), [UNITS.quansu]);
        assert.deepEqual(rowIds((await admin.get(`${page}?state=cu-nguoi-du-thay`)).html), [UNITS.vptinhuy]);
        const byAnswer = rowIds((await admin.get(`${page}?sort=tra-loi`)).html);
        assert.deepEqual(byAnswer.slice(0, 3), [UNITS.congan, UNITS.vptinhuy, UNITS.mattran], 'attending, delegating, declining, then the rest');
        assert.deepEqual(rowIds((await admin.get(`${page}?state=da-tra-loi&sort=thoi-diem-tra-loi`)).html), [UNITS.mattran, UNITS.vptinhuy, UNITS.congan], 'latest answer first');
        assert.equal(rowIds((await admin.get(`${page}?sort=gui-thu`)).html)[0], UNITS.quansu, 'failed mail first');
        for (const bad of [`${page}?state=lung-tung`, `${page}?sort=ngau-nhien`]) {
          const refused = await admin.get(bad);
          assert.equal(refused.status, 400, bad);
          assert.match(refused.html, /không có/);
        }
      });

      await t.test('the JSON of the live table', async () => {
        const data = await json(admin, `${page}/follow-up.json`);
        assert.equal(data.invitation.docNumber, '45/GM-UBND');
        assert.deepEqual(data.counts, {
          invited: 6, sent: 4, queued: 0, failed: 1, noAddress: 1, notSent: 0, read: 4, unread: 2, answered: 3, attending: 1, delegating: 1, declining: 1, pending: 3,
        });
        const unit = (unitId: string) => data.units.find((u) => u.unitId === unitId)!;
        assert.deepEqual(unit(UNITS.vptinhuy).answer && [unit(UNITS.vptinhuy).answer!.kind, unit(UNITS.vptinhuy).answer!.attendeeName, unit(UNITS.vptinhuy).answer!.attendeePosition, unit(UNITS.vptinhuy).answer!.attendeePhone],
          ['cử người dự thay', 'Trần Thị Bích', 'Trưởng phòng Tham mưu', '0252 3822 123']);
        assert.match(unit(UNITS.congan).answer!.answeredAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00$/, 'ISO 8601 +07:00');
        assert.match(unit(UNITS.quansu).firstReadAt ?? '', /\+07:00$/);
        assert.equal(unit(UNITS.khuyenhoc).firstReadAt, null);
        assert.deepEqual(unit(UNITS.quansu).delivery.failures.map((f) => f.recipient), [REFUSED]);
        assert.match(unit(UNITS.quansu).delivery.failures[0].reply, /550/);
        assert.equal(unit(UNITS.taichinh).delivery.state, 'no-address');
        const pending = await json(admin, `${page}/follow-up.json?state=chua-tra-loi`);
        assert.deepEqual(pending.units.map((u) => u.unitId).sort(), [UNITS.quansu, UNITS.khuyenhoc, UNITS.taichinh].sort());
        assert.equal(pending.shown, 3);
        assert.equal((await admin.get(`${page}/follow-up.json?state=x`)).status, 400);
        const again = await json(admin, `${page}/follow-up.json`);
        assert.equal(again.version, data.version, 'nothing changed: same version, the table is not redrawn');
      });

      await t.test('CSV: UTF-8 with BOM, Vietnamese headers, one row per unit, the file named after the number and date', async () => {
        const res = await admin.get(`${page}/follow-up.csv`);
        assert.equal(res.status, 200);
        assert.equal(res.headers['content-type'], 'text/csv; charset=utf-8');
        assert.deepEqual([...res.body.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'BOM');
        const filename = dispositionFilename(res.headers['content-disposition']);
        assert.match(filename ?? '', /45-GM-UBND/);
        assert.match(filename ?? '', new RegExp(isoDateVietnam(startsAt)));
        assert.match(filename ?? '', /\.csv$/);
        const rows = parseCsv(res.body.subarray(3).toString('utf8'));
        assert.deepEqual(rows[0], HEADERS);
        assert.equal(rows.length, 7);
        const byUnit = new Map(rows.slice(1).map((r) => [r[1], r]));
        assert.deepEqual(rows.slice(1).map((r) => r[0]), ['1', '2', '3', '4', '5', '6']);
        const police = byUnit.get('Công an tỉnh')!;
        assert.deepEqual([police[2], police[3], police[5], police[6], police[7], police[8]], ['vanthu@ca.binhthuan.gov.vn', 'Đã gửi', 'Tham dự', 'Nguyễn Văn Hùng', 'Phó Giám đốc Công an tỉnh', '']);
        assert.match(police[4], /^\d{2}:\d{2} \d{2}\/\d{2}\/\d{4}$/);
        assert.match(police[9], /^\d{2}:\d{2} \d{2}\/\d{2}\/\d{4}$/);
        assert.deepEqual(byUnit.get('Văn phòng Tỉnh ủy')!.slice(5, 8), ['Cử người dự thay', 'Trần Thị Bích', 'Trưởng phòng Tham mưu']);
        assert.deepEqual(byUnit.get('Ủy ban Mặt trận Tổ quốc Việt Nam')!.slice(5, 9), ['Không tham dự', '', '', 'Trùng lịch họp Ban Thường trực, "khẩn"'], 'quotes and commas survive');
        const army = byUnit.get('Bộ Chỉ huy Quân sự tỉnh')!;
        assert.match(army[3], /^Gửi lỗi \(bchqs@binhthuan\.gov\.vn: .*550.*\)$/);
        assert.equal(army[5], 'Chưa trả lời');
        assert.notEqual(army[4], '', 'it read the invitation');
        assert.deepEqual(byUnit.get('Hội Khuyến học')!.slice(4, 6), ['', 'Chưa trả lời']);
        assert.deepEqual(byUnit.get('Sở Tài chính')!.slice(2, 4), ['', 'Không có địa chỉ thư']);
        const pending = parseCsv((await admin.get(`${page}/follow-up.csv?state=chua-tra-loi`)).body.subarray(3).toString('utf8'));
        assert.equal(pending.length, 4, 'the filter applies to the export too');
      });

      await t.test('Excel: the same table read back from the .xlsx', async () => {
        const res = await admin.get(`${page}/follow-up.xlsx`);
        assert.equal(res.status, 200);
        assert.equal(res.headers['content-type'], 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
        assert.match(dispositionFilename(res.headers['content-disposition']) ?? '', /45-GM-UBND.*\.xlsx$/);
        const sheet = await readSheet(res.body);
        assert.deepEqual(sheet[0], HEADERS);
        assert.equal(sheet.length, 7);
        const police = sheet.find((r) => r[1] === 'Công an tỉnh')!;
        assert.equal(police[0], sheet.indexOf(police));
        assert.deepEqual([police[5], police[6], police[7]], ['Tham dự', 'Nguyễn Văn Hùng', 'Phó Giám đốc Công an tỉnh']);
        assert.ok(police[4] instanceof Date && police[9] instanceof Date, 'times are Excel dates');
        const answeredAt = Date.parse((await json(admin, `${page}/follow-up.json`)).units.find((u) => u.unitId === UNITS.congan)!.answer!.answeredAt);
        assert.ok(Math.abs((police[9] as Date).getTime() - (answeredAt + 7 * 3_600_000)) < 60_000, 'Vietnam wall-clock time in the cell');
        assert.equal(sheet.find((r) => r[1] === 'Ủy ban Mặt trận Tổ quốc Việt Nam')![8], 'Trùng lịch họp Ban Thường trực, "khẩn"');
        assert.match(String(sheet.find((r) => r[1] === 'Bộ Chỉ huy Quân sự tỉnh')![3]), /^Gửi lỗi/);
      });

      await t.test('the attendance sheet: who comes with their names, then the absent and unconfirmed', async () => {
        const res = await admin.get(`${page}/attendance`);
        assert.equal(res.status, 200);
        assert.match(res.html, /DANH SÁCH ĐẠI BIỂU DỰ HỌP/);
        assert.match(res.html, /Hội nghị sơ kết công tác phòng, chống thiên tai/);
        assert.match(res.html, /Hội trường A, UBND tỉnh/);
        assert.match(res.html, /Đồng chí Chủ tịch UBND tỉnh/);
        assert.match(res.html, /45\/GM-UBND/);
        assert.match(res.html, /<th scope="col" class="stt">STT<\/th><th scope="col">Đơn vị<\/th><th scope="col">Họ tên đại biểu<\/th><th scope="col">Chức vụ<\/th><th scope="col" class="sign">Ký tên<\/th>/);
        const split = res.html.indexOf('Đơn vị vắng mặt / chưa xác nhận');
        assert.ok(split > 0);
        const present = res.html.slice(0, split);
        const absent = res.html.slice(split);
        assert.match(present, /Công an tỉnh<\/td>\s*<td>Nguyễn Văn Hùng<\/td>\s*<td>Phó Giám đốc Công an tỉnh<\/td>/);
        assert.match(present, /Văn phòng Tỉnh ủy<br><span class="muted">\(cử người dự thay\)<\/span><\/td>\s*<td>Trần Thị Bích<\/td>\s*<td>Trưởng phòng Tham mưu<\/td>/);
        assert.match(present, /Tổng số: <strong>2<\/strong> đơn vị tham dự/);
        for (const name of ['Ủy ban Mặt trận Tổ quốc Việt Nam', 'Bộ Chỉ huy Quân sự tỉnh', 'Hội Khuyến học', 'Sở Tài chính']) {
          assert.doesNotMatch(present, new RegExp(name), `${name} is not among the attendees`);
          assert.match(absent, new RegExp(`<td>${name}</td>`), `${name} is listed as absent or unconfirmed`);
        }
        assert.match(absent, /Không tham dự<\/td><td>Trùng lịch họp Ban Thường trực/);
      });

      await t.test('the attendance sheet as an A4 PDF with the Vietnamese text', async () => {
        const res = await admin.get(`${page}/attendance.pdf`);
        assert.equal(res.status, 200);
        assert.equal(res.headers['content-type'], 'application/pdf');
        assert.equal(res.body.subarray(0, 5).toString('latin1'), '%PDF-');
        assert.match(dispositionFilename(res.headers['content-disposition']) ?? '', /^danh-sach-dai-bieu_45-GM-UBND_ngay-\d{4}-\d{2}-\d{2}\.pdf$/);
        const file = path.join(dataDir, 'danh-sach.pdf');
        fs.writeFileSync(file, res.body);
        const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
        assert.match(info, /Page size:\s+595\.28 x 841\.89 pts \(A4\)/);
        const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
        const split = text.indexOf('Đơn vị vắng mặt / chưa xác nhận');
        assert.ok(split > 0, text);
        for (const expected of ['DANH SÁCH ĐẠI BIỂU DỰ HỌP', 'Hội nghị sơ kết công tác phòng, chống thiên tai', 'Hội trường A, UBND tỉnh', 'Nguyễn Văn Hùng', 'Trần Thị Bích', 'Ký tên']) {
          assert.ok(text.slice(0, split).includes(expected), `${expected} in the PDF`);
        }
        for (const absent of ['Hội Khuyến học', 'Sở Tài chính', 'Trùng lịch họp Ban Thường trực']) assert.ok(text.slice(split).includes(absent), `${absent} among the absent`);
        assert.equal((await admin.get(`/admin/invitations/${UNKNOWN_ID}/attendance.pdf`)).status, 404);
      });

      await t.test('a clerk may follow up; a unit is refused; an unknown invitation is 404', async () => {
        const clerk = await signIn(base, 'vanthu');
        for (const path of [page, `${page}/follow-up.json`, `${page}/follow-up.csv`, `${page}/follow-up.xlsx`, `${page}/attendance`]) {
          assert.equal((await clerk.get(path)).status, 200, `clerk: ${path}`);
        }
        const unit = await signIn(base, 'congan');
        for (const path of [page, `${page}/follow-up.json`, `${page}/follow-up.csv`, `${page}/follow-up.xlsx`, `${page}/attendance`, `${page}/attendance.pdf`]) {
          const refused = await unit.get(path);
          assert.equal(refused.status, 403, `unit: ${path}`);
          assert.doesNotMatch(refused.html, /Nguyễn Văn Hùng|Trần Thị Bích/, 'nothing leaks');
          const anonymous = await new WebClient(base).get(path);
          assert.equal(anonymous.status, 303, `anonymous: ${path}`);
          assert.match(anonymous.location ?? '', /^\/login\?next=/);
        }
        for (const bad of [UNKNOWN_ID, 'KHONG-CO']) {
          for (const suffix of ['', '/follow-up.json', '/follow-up.csv', '/follow-up.xlsx', '/attendance']) {
            assert.equal((await admin.get(`/admin/invitations/${bad}${suffix}`)).status, 404, `${bad}${suffix}`);
          }
        }
      });
    } finally {
      await product?.stop();
      await relay.close();
      await dropSchema(env);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
}

test('in Chromium: the live table follows a unit\'s answer without reloading the page', async (t) => {
  t.diagnostic(`screenshots in ${screenshotDir}`);
  assert.ok(fs.existsSync(CHROMIUM), `Chromium is not installed at ${CHROMIUM} (or set CHROMIUM_PATH)`);
  const dataDir = tempDir('moihop-follow-up-live');
  const relay = await startRelay([]);
  const env = { ...freshDatabaseEnv('sqlite', dataDir), TRUST_DIR: files.trustDir, OUTBOUND_SMTP_URL: relay.url, OUTBOX_POLL_MS: '200' };
  let product: RunningProduct | null = null;
  let browser: Browser | null = null;
  try {
    product = await startProduct(env);
    const base = `http://127.0.0.1:${product.webPort}`;
    for (const username of ['quantri', 'congan', 'mattran']) await setPassword(env, username, PASSWORD);
    const startsAt = new Date(`${isoDateVietnam(new Date(Date.now() + 3 * DAY))}T14:00:00+07:00`);
    const id = await publish(env, 'Họp trực tuyến về công tác cải cách hành chính', ['congan', 'mattran'], startsAt);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('console', (msg) => { if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text())) errors.push(msg.text()); });
    page.on('response', (res) => { if (res.status() >= 400 && !res.url().endsWith('/favicon.ico')) errors.push(`${res.status()} ${res.url()}`); });
    await page.goto(`${base}/login`);
    await page.fill('#username', 'quantri');
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL(`${base}/admin/invitations`), page.click('form.stacked button[type=submit]')]);
    await page.goto(`${base}/admin/invitations/${id}?state=chua-tra-loi`);
    assert.equal(await page.locator('.invited-units tbody tr').count(), 2);
    assert.match(await page.locator('#follow-up-live').textContent() ?? '', /Tự động cập nhật mỗi 15 giây/, 'the script runs');
    await page.evaluate('window.stayed = true');

    const unit = new WebClient(base);
    await unit.login('congan', PASSWORD);
    const answered = await unit.post(`/invitations/${id}/answer`, { _csrf: await unit.token(`/invitations/${id}`), answer: 'tham dự', attendee_name: 'Lê Văn Tâm', attendee_position: 'Giám đốc Công an tỉnh' });
    assert.equal(answered.status, 303);

    // Within one polling interval (15 s) the answered unit leaves the "chưa trả lời" list and the counts change.
    await page.locator('#u-cong-an-tinh').waitFor({ state: 'detached', timeout: 35_000 });
    assert.equal(await page.locator('.invited-units tbody tr').count(), 1);
    assert.equal((await page.locator('.counts [data-count="attending"] strong').textContent())?.trim(), '1');
    assert.equal((await page.locator('.counts [data-count="pending"] strong').textContent())?.trim(), '1');
    assert.equal((await page.locator('.counts [data-count="read"] strong').textContent())?.trim(), '1');
    assert.match(await page.locator('#follow-up-shown').textContent() ?? '', /Hiển thị 1\/2/);
    assert.match(await page.locator('#follow-up-live').textContent() ?? '', /lần cuối lúc \d{2}:\d{2}:\d{2}/);

    // The whole list: the new answer is drawn like the server draws it.
    await page.goto(`${base}/admin/invitations/${id}`);
    await page.evaluate('window.stayed = true');
    const other = new WebClient(base);
    await other.login('mattran', PASSWORD);
    assert.equal((await other.post(`/invitations/${id}/answer`, { _csrf: await other.token(`/invitations/${id}`), answer: 'không tham dự', reason: 'Đi công tác Hà Nội' })).status, 303);
    await page.locator('#u-uy-ban-mat-tran-to-quoc-viet-nam .answer-decline').waitFor({ timeout: 35_000 });
    assert.match(await page.locator('#u-uy-ban-mat-tran-to-quoc-viet-nam').textContent() ?? '', /Không tham dự[^]*Lý do: Đi công tác Hà Nội/);
    assert.match(await page.locator('#u-cong-an-tinh').textContent() ?? '', /Tham dự[^]*Lê Văn Tâm, Giám đốc Công an tỉnh/);
    assert.equal(await page.evaluate<boolean>('window.stayed === true'), true, 'the page was not reloaded');
    assert.equal((await page.locator('.counts [data-count="declining"] strong').textContent())?.trim(), '1');
    await page.screenshot({ path: path.join(screenshotDir, 'follow-up-desktop.png'), fullPage: true });
    await page.setViewportSize({ width: 375, height: 812 });
    await page.screenshot({ path: path.join(screenshotDir, 'follow-up-phone.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });

    // The attendance sheet prints on A4 without the site's header, footer and buttons.
    await page.goto(`${base}/admin/invitations/${id}/attendance`);
    assert.equal(await page.locator('button[data-print]').isVisible(), true, 'the print button, shown by the script');
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('.site-header').isVisible(), false);
    assert.equal(await page.locator('.attendance-actions').isVisible(), false);
    assert.match(await page.locator('.attendance-table').first().textContent() ?? '', /Lê Văn Tâm/);
    await page.screenshot({ path: path.join(screenshotDir, 'attendance-print.png'), fullPage: true });
    fs.writeFileSync(path.join(screenshotDir, 'attendance-print.pdf'), await page.pdf({ preferCSSPageSize: true }));
    assert.deepEqual(errors, [], 'no script errors, nothing blocked by the CSP');
    await context.close();
  } finally {
    await browser?.close();
    await product?.stop();
    await relay.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
