// Authoring invitations in a real browser (Chromium via playwright-core) against the real product with a real
// local SMTP relay (the sink): an unsigned Giấy mời is refused with the verifier's reasons, kept only as an
// explicit draft; a signed one is previewed, published to a group ("Mặt trận Tổ quốc và các đoàn thể, hội"),
// seen at once by a unit and mailed to every unit of the group; then amended (new place, one unit removed, one
// added) and cancelled, each mail checked. Screenshots of the form and the preview at 1280 and 375 px.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ICAL from 'ical.js';
import { chromium, Browser, Page } from 'playwright-core';
import { startProduct, RunningProduct } from './support/product';
import { freshDatabaseEnv, tempDir } from './support/databases';
import { setPassword, WebClient } from './support/web-client';
import { makeInvitationFiles } from './support/invitation-fixtures';
import { makeDocumentPdf } from './support/document-pdf';
import { startSmtpSink, SinkMessage, SmtpSink } from './support/smtp-sink';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const PASSWORD = 'Quan-tri-Binh-Thuan-2026';
const DAY = 86_400_000;
const screenshotDir = fs.mkdtempSync(path.join(os.tmpdir(), 'moihop-screenshots-authoring-'));

/** The standing group "Mặt trận Tổ quốc và các đoàn thể, hội": 20 units, 18 with an official address (Hội Người mù and
 * Hội Nhà báo have none in the directory: they see the invitation on the website only). */
const FRONT_GROUP = 'std:doan-the';

function vietnamLocal(days: number, hour: number): string {
  const today = new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 10);
  const day = new Date(Date.parse(`${today}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
  return `${day}T${String(hour).padStart(2, '0')}:00`;
}

async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
}

function icsOf(message: SinkMessage) {
  const part = message.parsed.attachments.find((a) => a.contentType.startsWith('text/calendar'))!;
  const calendar = new ICAL.Component(ICAL.parse(part.content.toString('utf8')));
  const event = calendar.getFirstSubcomponent('vevent')!;
  return { method: calendar.getFirstPropertyValue('method'), sequence: Number(event.getFirstPropertyValue('sequence')), uid: String(event.getFirstPropertyValue('uid')) };
}

test('in Chromium: authoring, preview, publishing to a group, amending and cancelling, with the mail each sends', async (t) => {
  assert.ok(fs.existsSync(CHROMIUM), `Chromium is not installed at ${CHROMIUM} (or set CHROMIUM_PATH)`);
  const dataDir = tempDir('moihop-authoring');
  const files = await makeInvitationFiles();
  const sink: SmtpSink = await startSmtpSink();
  const unsignedPdf = path.join(dataDir, 'giay-moi-chua-ky.pdf');
  fs.writeFileSync(unsignedPdf, await makeDocumentPdf({ type: 'Giấy mời', number: '46/GM-UBND', issuer: 'UBND TỈNH BÌNH THUẬN', subject: 'Họp chưa ký' }));
  const env = { ...freshDatabaseEnv('sqlite', dataDir), TRUST_DIR: files.trustDir, OUTBOUND_SMTP_URL: sink.url, OUTBOX_POLL_MS: '200' };
  let product: RunningProduct | null = null;
  let browser: Browser | null = null;
  try {
    product = await startProduct(env);
    const base = `http://127.0.0.1:${product.webPort}`;
    // Passwords are set before any mail moves: the accounts command opens the SQLite file the product is writing.
    for (const username of ['quantri', 'mattran', 'khuyenhoc', 'congan']) await setPassword(env, username, PASSWORD);
    const signIn = async (username: string) => {
      const client = new WebClient(base);
      await client.login(username, PASSWORD);
      return client;
    };
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    t.diagnostic(`screenshots in ${screenshotDir}`);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
    const page = await context.newPage();
    await page.goto(`${base}/login`);
    await page.fill('#username', 'quantri');
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL(`${base}/admin/invitations`), page.click('form.stacked button[type=submit]')]);

    async function fillForm(pdf: string, title: string): Promise<void> {
      await page.goto(`${base}/admin/invitations`);
      await Promise.all([page.waitForURL(`${base}/admin/invitations/new`), page.click('a:has-text("Soạn giấy mời")')]);
      await page.fill('#title', title);
      await page.fill('#doc_number', '45/GM-UBND');
      await page.selectOption('#urgency', 'Khẩn');
      await page.fill('#host', 'Đồng chí Phó Chủ tịch UBND tỉnh');
      await page.fill('#start', vietnamLocal(3, 8));
      await page.fill('#end', vietnamLocal(3, 11));
      await page.fill('#place', 'Phòng họp số 1, UBND tỉnh');
      await page.setInputFiles('#pdf', pdf);
      await page.setInputFiles('#papers', files.paper);
    }

    let id = '';
    await t.test('an unsigned Giấy mời is refused with the reasons; saved explicitly, it stays a private draft', async () => {
      await fillForm(unsignedPdf, 'Họp thử giấy mời chưa ký');
      await page.check(`input[value="${FRONT_GROUP}"]`);
      const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click('button[value=preview]')]);
      assert.equal(response.status(), 400);
      assert.match(await page.locator('.alert').textContent() ?? '', /không có chữ ký số hợp lệ: [A-Z_]+ \(.+\)/);
      assert.equal(await page.inputValue('#title'), 'Họp thử giấy mời chưa ký', 'the typed fields are kept');
      await page.setInputFiles('#pdf', unsignedPdf);
      await Promise.all([page.waitForURL(/\/preview$/), page.click('button[value=draft]')]);
      assert.match(await page.locator('.alert').textContent() ?? '', /chưa phát hành được/);
      assert.equal(await page.locator('button:has-text("Phát hành")').isDisabled(), true);
      const unit = await signIn('mattran');
      assert.doesNotMatch((await unit.get('/invitations')).html, /Họp thử giấy mời chưa ký/, 'a draft is not shown to units');
    });

    await t.test('the form and the preview, then publishing to the group: seen at once, mailed to every unit', async () => {
      await fillForm(files.signedPdf, 'Hội nghị triển khai công tác Mặt trận năm 2027');
      await page.fill('#unit-search', 'cong an');
      assert.equal(await page.locator('#unit-pick li:visible').count(), 1, 'the search ignores diacritics');
      await page.fill('#unit-search', '');
      await page.check(`input[value="${FRONT_GROUP}"]`);
      assert.match(await page.locator('#chosen-count').textContent() ?? '', /Đã chọn 20 đơn vị/);
      await page.fill('#group_name', 'Khối Mặt trận và đoàn thể');
      await shoot(page, 'authoring-form-desktop');
      await page.setViewportSize({ width: 375, height: 812 });
      await shoot(page, 'authoring-form-phone');
      await page.setViewportSize({ width: 1280, height: 900 });
      await Promise.all([page.waitForURL(/\/preview$/), page.click('button[value=preview]')]);
      id = /\/admin\/invitations\/([^/]+)\/preview$/.exec(page.url())![1];
      assert.match(await page.locator('.preview-label').textContent() ?? '', /bản nháp/);
      assert.match(await page.locator('#nhan').textContent() ?? '', /Gửi tới 20 đơn vị/);
      await shoot(page, 'authoring-preview-desktop');
      await page.setViewportSize({ width: 375, height: 812 });
      await shoot(page, 'authoring-preview-phone');
      await page.setViewportSize({ width: 1280, height: 900 });
      assert.equal(sink.messages.length, 0, 'nothing is mailed before publishing');
      await Promise.all([page.waitForURL(`${base}/admin/invitations/${id}`), page.click('button:has-text("Phát hành và gửi thư")')]);
      const unit = await signIn('mattran');
      assert.match((await unit.get('/invitations')).html, /Hội nghị triển khai công tác Mặt trận năm 2027/, 'the unit sees it at once');
      const mails = await sink.waitFor(18, 60_000);
      assert.equal(new Set(mails.map((m) => m.envelope.to[0])).size, 18);
      for (const mail of mails) assert.deepEqual([icsOf(mail).method, icsOf(mail).sequence, icsOf(mail).uid], ['REQUEST', 0, `${id}@moihop.binhthuan.gov.vn`]);
      await page.reload();
      // The sink has the mails; the sender records "sent" right after the relay's reply.
      for (let attempt = 0; attempt < 100 && await page.locator('.delivery-sent').count() < 18; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        await page.reload();
      }
      assert.equal(await page.locator('.delivery-sent').count(), 18, 'every unit with an address shows its mail as sent');
      assert.equal(await page.locator('.delivery-none').count(), 2, 'the two without an address say so');
      await shoot(page, 'admin-invitation-delivery-desktop');
      await page.setViewportSize({ width: 375, height: 812 });
      await shoot(page, 'admin-invitation-delivery-phone');
      await page.setViewportSize({ width: 1280, height: 900 });
      // The saved group is offered next time.
      await page.goto(`${base}/admin/invitations/new`);
      assert.match(await page.locator('.group-list').textContent() ?? '', /Khối Mặt trận và đoàn thể/);
    });

    await t.test('amending: a new place mails everyone; a unit removed and a unit added hear alone', async () => {
      await page.goto(`${base}/admin/invitations/${id}/edit`);
      await page.fill('#place', 'Hội trường B, Trung tâm Hội nghị tỉnh');
      await page.fill('#note', 'Đổi địa điểm');
      await Promise.all([page.waitForURL(`${base}/admin/invitations/${id}`), page.click('button[value=amend]')]);
      const amended = (await sink.waitFor(36, 60_000)).slice(18);
      assert.ok(amended.every((m) => icsOf(m).sequence === 1 && /Hội trường B/.test(m.parsed.text ?? '')));
      assert.match(await page.locator('.fields').textContent() ?? '', /Địa điểm: Phòng họp số 1, UBND tỉnh → Hội trường B/);
      const unitPage = await (await signIn('mattran')).get(`/invitations/${id}`);
      assert.match(unitPage.html, /Giấy mời đã được sửa đổi[^]*Thay đổi:<\/strong> Địa điểm: Phòng họp số 1, UBND tỉnh → Hội trường B/, 'the unit sees what changed');

      await page.goto(`${base}/admin/invitations/${id}/edit`);
      await page.uncheck('input[name=units][value="hoi-khuyen-hoc"]');
      await page.check('input[name=units][value="cong-an-tinh"]');
      await Promise.all([page.waitForURL(`${base}/admin/invitations/${id}`), page.click('button[value=amend]')]);
      const changes = (await sink.waitFor(38, 60_000)).slice(36);
      const to = new Map(changes.map((m) => [m.envelope.to[0], icsOf(m).method]));
      assert.deepEqual(Object.fromEntries(to), { 'hkh@binhthuan.gov.vn': 'CANCEL', 'vanthu@ca.binhthuan.gov.vn': 'REQUEST' });
      const unit = await signIn('khuyenhoc');
      assert.doesNotMatch((await unit.get('/invitations')).html, /Mặt trận năm 2027/, 'the removed unit no longer sees it');
    });

    await t.test('cancelling: "đã hủy" on the site, METHOD:CANCEL to every invited unit', async () => {
      await page.goto(`${base}/admin/invitations/${id}`);
      await page.fill('#reason', 'Lãnh đạo UBND tỉnh đi công tác');
      await Promise.all([page.waitForURL(`${base}/admin/invitations/${id}`), page.click('button:has-text("Hủy cuộc họp")')]);
      assert.match(await page.locator('.alert').first().textContent() ?? '', /Đã hủy.*Lãnh đạo UBND tỉnh đi công tác/);
      const cancelled = (await sink.waitFor(56, 60_000)).slice(38);
      assert.equal(cancelled.length, 18);
      assert.ok(cancelled.every((m) => icsOf(m).method === 'CANCEL' && icsOf(m).sequence === 3));
      const unit = await signIn('mattran');
      assert.match((await unit.get(`/invitations/${id}`)).html, /Giấy mời đã bị hủy/);
    });

    await t.test('bad input is a clear Vietnamese page', async () => {
      const admin = await signIn('quantri');
      const res = await admin.post(`/admin/invitations/${id}/publish`, { _csrf: await admin.token(`/admin/invitations/${id}`) });
      assert.equal(res.status, 409);
      assert.match(res.html, /đã được phát hành|đã bị hủy/);
      assert.equal((await admin.get('/admin/invitations/KHONG-CO/edit')).status, 404);
      const unitClient = await signIn('congan');
      assert.equal((await unitClient.get('/admin/invitations/new')).status, 403, 'units cannot author');
    });
    await context.close();
  } finally {
    await browser?.close();
    await product?.stop();
    await sink.close();
    files.remove();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
