// The website in a real browser (Debian's Chromium driven by playwright-core) against the real product: the
// first login with its forced password change, reading an invitation (unread → read), answering, delegating,
// changing the answer, the deadline closing the form, the .ics download, and VP UBND's overview. Screenshots
// of the main pages at desktop (1280 px) and phone (375 px) widths go to a folder under the OS temp dir.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ICAL from 'ical.js';
import { chromium, Browser, BrowserContext, Page } from 'playwright-core';
import { runScript, startProduct, RunningProduct } from './support/product';
import { freshDatabaseEnv, tempDir } from './support/databases';
import { setPassword } from './support/web-client';
import { createInvitation, invitationsCommand, makeInvitationFiles } from './support/invitation-fixtures';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const DAY = 86_400_000;
const NEW_PASSWORD = 'Van-phong-Tinh-uy-2026';
const SIZES = { desktop: { width: 1280, height: 900 }, phone: { width: 375, height: 812 } } as const;

const screenshotDir = fs.mkdtempSync(path.join(os.tmpdir(), 'moihop-screenshots-'));

async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
}

async function newContext(browser: Browser, size: keyof typeof SIZES): Promise<BrowserContext> {
  return browser.newContext({ viewport: SIZES[size], acceptDownloads: true, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
}

async function logIn(page: Page, base: string, username: string, password: string): Promise<void> {
  await page.goto(`${base}/login`);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await Promise.all([page.waitForLoadState('load'), page.click('form.stacked button[type=submit]')]);
}

/** `hour`:00 Vietnam time, `days` days from today. */
function atVietnamHour(days: number, hour: number): Date {
  const today = new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 10);
  return new Date(Date.parse(`${today}T${String(hour).padStart(2, '0')}:00:00+07:00`) + days * DAY);
}

/**
 * The title Chromium's PDF viewer shows for the Giấy mời framed in the page, once it has opened the file.
 * The viewer renders asynchronously in its own frame; the loop is bounded so a viewer that never opens fails.
 */
async function framedPdfTitle(page: Page): Promise<string> {
  const title = `document.querySelector('pdf-viewer')?.shadowRoot?.querySelector('viewer-toolbar')?.shadowRoot?.querySelector('#title')?.textContent ?? ''`;
  for (let attempt = 0; attempt < 600; attempt++) {
    const viewer = page.frames().find((f) => f.url().startsWith('chrome-extension://'));
    const shown = viewer ? await viewer.evaluate<string>(title).catch(() => '') : '';
    if (shown.trim() && !/^\d+$/.test(shown.trim())) return shown.trim(); // a page count shows while it loads
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail("Chromium's PDF viewer never showed the Giấy mời framed in the invitation page");
}

/** Waits until the clock has passed `moment` (the server decides on the same clock). */
async function waitUntilPast(moment: Date): Promise<void> {
  while (Date.now() <= moment.getTime()) await new Promise((resolve) => setTimeout(resolve, Math.min(200, moment.getTime() - Date.now() + 1)));
}

test('in Chromium: first login, reading, answering, delegating, the deadline, the .ics and the overview', async (t) => {
  assert.ok(fs.existsSync(CHROMIUM), `Chromium is not installed at ${CHROMIUM}: install it (apt-get install -y chromium, as .ci/run does) or set CHROMIUM_PATH`);
  const dataDir = tempDir('moihop-web-browser');
  const env = freshDatabaseEnv('sqlite', dataDir);
  const files = await makeInvitationFiles();
  let product: RunningProduct | null = null;
  let browser: Browser | null = null;
  try {
    product = await startProduct(env);
    const base = `http://127.0.0.1:${product.webPort}`;
    const flood = await createInvitation(env, files, {
      title: 'Họp bàn công tác phòng, chống lụt bão năm 2026', startsAt: atVietnamHour(2, 8), units: ['vptinhuy', 'congan', 'mattran', 'quansu'],
      urgency: 'Hỏa tốc', withPaper: true, host: 'Đồng chí Chủ tịch UBND tỉnh',
    });
    await createInvitation(env, files, { title: 'Hội nghị sơ kết 6 tháng thực hiện Nghị quyết về chuyển đổi số', startsAt: atVietnamHour(4, 14), units: ['vptinhuy'], urgency: 'Thượng khẩn', place: 'Hội trường A, Trung tâm Hội nghị tỉnh' });
    const amended = await createInvitation(env, files, { title: 'Làm việc với đoàn công tác của Bộ Tài nguyên và Môi trường', startsAt: atVietnamHour(5, 8), units: ['vptinhuy'], urgency: 'Khẩn' });
    await invitationsCommand(env, files, ['update', amended, '--place', 'Phòng họp số 2, UBND tỉnh', '--note', 'Đổi phòng họp']);
    const cancelled = await createInvitation(env, files, { title: 'Họp Ban Chỉ đạo Tết Nguyên đán', startsAt: atVietnamHour(6, 9), units: ['vptinhuy'] });
    await invitationsCommand(env, files, ['cancel', cancelled, '--reason', 'Hoãn họp']);

    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    t.diagnostic(`screenshots in ${screenshotDir}`);
    const desktop = await newContext(browser, 'desktop');
    const page = await desktop.newPage();

    await t.test('first login forces the password change, then lands on the invitations', async () => {
      const initial = await runScript('accounts', ['initial-passwords', '--unit', 'vptinhuy'], env);
      assert.equal(initial.code, 0, initial.stderr);
      const password = initial.stdout.trim().split('\t')[1];
      await page.goto(`${base}/login`);
      assert.equal(await page.locator('h1').textContent(), 'Đăng nhập');
      await shoot(page, 'login-desktop');
      await logIn(page, base, 'vptinhuy', password);
      assert.equal(new URL(page.url()).pathname, '/password');
      assert.match(await page.locator('.notice').textContent() ?? '', /lần đăng nhập đầu tiên/);
      await page.fill('#current_password', password);
      await page.fill('#new_password', NEW_PASSWORD);
      await page.fill('#confirm_password', NEW_PASSWORD);
      await Promise.all([page.waitForURL(`${base}/invitations`), page.click('form.stacked button[type=submit]')]);
      assert.equal(await page.locator('h1').textContent(), 'Giấy mời họp');
    });

    await t.test('the list marks the unread invitation; opening it marks it read', async () => {
      const item = page.locator('.invitation-item', { hasText: 'Họp bàn công tác phòng, chống lụt bão' });
      assert.match(await item.getAttribute('class') ?? '', /\bunread\b/);
      assert.equal(await item.locator('.urgency-hoatoc').textContent(), 'Hỏa tốc');
      assert.equal(await page.locator('.invitation-item.cancelled .status-cancelled').textContent(), 'Đã hủy');
      assert.equal(await page.locator('.invitation-item .status-amended').textContent(), 'Đã sửa đổi');
      await shoot(page, 'list-desktop');
      await Promise.all([page.waitForURL(`${base}/invitations/${flood}`), item.locator('a.title').click()]);
      assert.equal(await page.locator('.signature .verdict').textContent(), 'Chữ ký số hợp lệ');
      assert.ok(await page.locator('iframe.pdf-frame').isVisible(), 'the Giấy mời is shown in the page');
      assert.equal(await framedPdfTitle(page), 'Giấy mời số 45/GM-UBND', 'our CSP lets the browser open our own PDF in the page');
      await page.goto(`${base}/invitations`);
      assert.doesNotMatch(await item.getAttribute('class') ?? '', /\bunread\b/);
      await page.goto(`${base}/invitations?view=week`);
      await shoot(page, 'week-desktop');
    });

    await t.test('answering: the chosen answer shows its fields; attend, then delegate after a refused try', async () => {
      await page.goto(`${base}/invitations/${flood}`);
      await page.check('#answer-decline');
      assert.ok(await page.locator('#reason').isVisible());
      assert.ok(!(await page.locator('#attendee_name').isVisible()), 'only the fields of the chosen answer show');
      await page.check('#answer-attend');
      assert.ok(await page.locator('#attendee_name').isVisible());
      assert.ok(!(await page.locator('#reason').isVisible()));
      await page.fill('#attendee_name', 'Lê Văn Thành');
      await page.fill('#attendee_position', 'Chánh Văn phòng Tỉnh ủy');
      await Promise.all([page.waitForURL(/answered=1/), page.click('.answer-form button[type=submit]')]);
      assert.equal(await page.locator('.answer .success').textContent(), 'Đã ghi nhận trả lời của quý đơn vị.');
      assert.match(await page.locator('.current-answer').textContent() ?? '', /Tham dự[\s\S]*Lê Văn Thành, Chánh Văn phòng Tỉnh ủy/);

      await page.check('#answer-delegate');
      await page.fill('#attendee_name', 'Phạm Thị Hoa');
      await page.fill('#attendee_position', 'Phó Chánh Văn phòng');
      await page.fill('#attendee_phone', '');
      await Promise.all([page.waitForLoadState('load'), page.click('.answer-form button[type=submit]')]);
      assert.match(await page.locator('.answer .alert').textContent() ?? '', /Cần nhập số điện thoại của người dự thay/);
      assert.equal(await page.inputValue('#attendee_name'), 'Phạm Thị Hoa', 'what was typed is kept');
      assert.ok(await page.isChecked('#answer-delegate'));
      await shoot(page, 'answer-error-desktop');
      await page.fill('#attendee_phone', '0913 456 789');
      await Promise.all([page.waitForURL(/answered=1/), page.click('.answer-form button[type=submit]')]);
      assert.match(await page.locator('.current-answer').textContent() ?? '', /Cử người dự thay[\s\S]*Phạm Thị Hoa, Phó Chánh Văn phòng · ĐT 0913 456 789/);
      await shoot(page, 'invitation-desktop');
      await framedPdfTitle(page);
      await page.locator('iframe.pdf-frame').screenshot({ path: path.join(screenshotDir, 'invitation-pdf-frame-desktop.png') });
    });

    await t.test('the .ics downloads as a calendar entry of the meeting', async () => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('a[href$="/calendar.ics"]')]);
      assert.equal(download.suggestedFilename(), `giay-moi-${flood}.ics`);
      const ics = fs.readFileSync(await download.path(), 'utf8');
      assert.match(ics, /^BEGIN:VCALENDAR\r\n/);
      const event = new ICAL.Event(new ICAL.Component(ICAL.parse(ics)).getFirstSubcomponent('vevent')!);
      assert.equal(event.summary, 'Họp bàn công tác phòng, chống lụt bão năm 2026');
      assert.equal(event.location, 'Phòng họp số 1, UBND tỉnh');
      assert.equal(event.attendees[0].getParameter('partstat'), 'ACCEPTED', 'a delegate still means the unit is represented');
    });

    await t.test('after the deadline the form is closed with a message', async () => {
      // The deadline must still be ahead when the page opens; a slow machine gets a longer lead on the next try.
      let lead = 3000;
      let deadline: Date;
      for (;;) {
        deadline = new Date(Date.now() + lead);
        const soon = await createInvitation(env, files, { title: 'Họp rà soát công tác cải cách hành chính', startsAt: atVietnamHour(1, 14), deadline, units: ['vptinhuy'] });
        await page.goto(`${base}/invitations/${soon}`);
        if (await page.locator('.answer-form').count() > 0) break;
        lead *= 2;
      }
      await page.check('#answer-attend');
      await page.fill('#attendee_name', 'Lê Văn Thành');
      await page.fill('#attendee_position', 'Chánh Văn phòng Tỉnh ủy');
      await waitUntilPast(deadline);
      await Promise.all([page.waitForLoadState('load'), page.click('.answer-form button[type=submit]')]);
      assert.match(await page.locator('.answer .alert').textContent() ?? '', /hạn/i, 'a late answer is refused');
      await page.reload();
      assert.equal(await page.locator('.answer-form').count(), 0, 'no form after the deadline');
      assert.match(await page.locator('.closed-message').textContent() ?? '', /Đã hết hạn xác nhận tham dự/);
    });

    await t.test('phone width: login, list and invitation are readable', async () => {
      const phone = await newContext(browser!, 'phone');
      const small = await phone.newPage();
      await small.goto(`${base}/login`);
      await shoot(small, 'login-phone');
      await logIn(small, base, 'vptinhuy', NEW_PASSWORD);
      assert.equal(new URL(small.url()).pathname, '/invitations');
      await shoot(small, 'list-phone');
      await small.goto(`${base}/invitations/${flood}`);
      assert.ok(await small.locator('a.button', { hasText: 'Mở văn bản' }).isVisible());
      await shoot(small, 'invitation-phone');
      await small.goto(`${base}/invitations?view=week`);
      await shoot(small, 'week-phone');
      const overflow = await small.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
      assert.ok(overflow <= 0, `nothing wider than the phone screen (overflow ${overflow}px)`);
      await phone.close();
    });

    await t.test('VP UBND sees the answers in the overview', async () => {
      await setPassword(env, 'quantri', 'Quan-tri-he-thong-2026');
      for (const size of ['desktop', 'phone'] as const) {
        const context = await newContext(browser!, size);
        const admin = await context.newPage();
        await logIn(admin, base, 'quantri', 'Quan-tri-he-thong-2026');
        assert.equal(new URL(admin.url()).pathname, '/admin/invitations');
        await shoot(admin, `admin-list-${size}`);
        await admin.goto(`${base}/admin/invitations/${flood}`);
        const row = admin.locator('.invited-units tr', { hasText: 'vptinhuy' });
        assert.match(await row.textContent() ?? '', /Cử người dự thay[\s\S]*Phạm Thị Hoa, Phó Chánh Văn phòng/);
        assert.match(await admin.locator('.counts').textContent() ?? '', /4\s*được mời/);
        await shoot(admin, `admin-invitation-${size}`);
        await context.close();
      }
    });
    await desktop.close();
  } finally {
    await browser?.close();
    await product?.stop();
    files.remove();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
