// The register screens in a real browser (Chromium driven by playwright-core) against the real product:
// documents sent through SMTP, the clerk's list with its urgent-first order, badges and filter form, the
// document page with the PDF and the signature report, and accept, forward and refuse by clicking (the
// refusal notice captured by a test SMTP relay). Screenshots at 1280 and 375 px go to a folder in the OS
// temp dir (printed in the test output).
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, Browser, BrowserContext, Page } from 'playwright-core';
import { startProduct, RunningProduct } from './support/product';
import { setPassword } from './support/web-client';
import { disposeEnv, gatewayEnv, smtpTransport, STRANGER, UNIT_SENDER } from './support/mail-samples';
import { startSmtpSink, SmtpSink } from './support/smtp-sink';
import { makeRegisterSamples, sendDocument } from './support/register-samples';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SIZES = { desktop: { width: 1280, height: 900 }, phone: { width: 375, height: 812 } } as const;
const PASSWORD = 'Van-thu-UBND-tinh-2026';

const screenshotDir = fs.mkdtempSync(path.join(os.tmpdir(), 'moihop-screenshots-register-'));

async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
}

async function newContext(browser: Browser, size: keyof typeof SIZES): Promise<BrowserContext> {
  return browser.newContext({ viewport: SIZES[size], acceptDownloads: true, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
}

async function logIn(page: Page, base: string): Promise<void> {
  await page.goto(`${base}/login?next=/register`);
  await page.fill('#username', 'vanthu');
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForURL(`${base}/register`), page.click('form.stacked button[type=submit]')]);
}

async function noHorizontalOverflow(page: Page, what: string): Promise<void> {
  const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
  assert.ok(overflow <= 0, `${what}: nothing wider than the phone screen (overflow ${overflow}px)`);
}

test('in Chromium: the clerk works the register — list, filters, document page, accept, forward, refuse', async (t) => {
  assert.ok(fs.existsSync(CHROMIUM), `Chromium is not installed at ${CHROMIUM}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`);
  const samples = await makeRegisterSamples();
  const env: Record<string, string> = { ...gatewayEnv('sqlite', samples.trustDir, 'web-register-browser'), OUTBOX_POLL_MS: '100' };
  let sink: SmtpSink | null = null;
  let product: RunningProduct | null = null;
  let browser: Browser | null = null;
  try {
    sink = await startSmtpSink();
    product = await startProduct({ ...env, OUTBOUND_SMTP_URL: sink.url });
    const base = `http://127.0.0.1:${product.webPort}`;
    const transport = smtpTransport(product.smtpPort);
    const budget = await sendDocument(transport, { subject: 'Quyết định giao dự toán', pdf: samples.budgetPdf });
    await sendDocument(transport, { subject: 'Đề nghị cung cấp số liệu', pdf: samples.unsignedPdf });
    const flood = await sendDocument(transport, { subject: 'HỎA TỐC - Công văn 45/VPTU về phòng, chống lụt bão', pdf: samples.floodPdf, filename: 'cv-45-lụt-bão.pdf' });
    await sendDocument(transport, { from: STRANGER, subject: 'Văn bản từ bên ngoài', pdf: samples.budgetPdf });
    transport.close();
    await sink.waitFor(3);
    await setPassword(env, 'vanthu', PASSWORD);

    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    t.diagnostic(`screenshots in ${screenshotDir}`);
    const desktop = await newContext(browser, 'desktop');
    const page = await desktop.newPage();
    await logIn(page, base);

    await t.test('the list: urgent first, badges, and the filter form', async () => {
      assert.equal(await page.locator('h1').textContent(), 'Sổ văn bản đến');
      const rows = page.locator('table.register-table tbody tr');
      assert.equal(await rows.count(), 4);
      assert.match(await rows.first().textContent() ?? '', /Hỏa tốc[\s\S]*triển khai công tác phòng, chống lụt bão/);
      assert.equal(await rows.first().locator('.verdict-badge-valid').textContent(), 'Chữ ký hợp lệ');
      assert.equal(await page.locator('.verdict-badge-invalid', { hasText: 'Không có chữ ký số' }).count(), 1);
      await shoot(page, 'register-list-desktop');
      await page.selectOption('#status', 'từ chối');
      await Promise.all([page.waitForURL(/status=/), page.click('.register-filters button[type=submit]')]);
      assert.equal(await rows.count(), 1);
      assert.match(await rows.first().textContent() ?? '', /đề nghị cung cấp số liệu/);
      await page.click('a.button.secondary:has-text("Bỏ lọc")');
      await page.fill('#q', 'lut bao');
      await Promise.all([page.waitForURL(/q=lut/), page.click('.register-filters button[type=submit]')]);
      assert.equal(await rows.count(), 1);
      await shoot(page, 'register-list-search-desktop');
      await Promise.all([page.waitForURL(`${base}/register/${flood}`), rows.first().locator('td.trich-yeu a').click()]);
    });

    await t.test('the document page: fields, the PDF in the page, signatures and sender checks in plain words', async () => {
      assert.match(await page.locator('dl.fields').textContent() ?? '', /Số đến\s*2\/\d{4}[\s\S]*45\/VPTU[\s\S]*Công văn/);
      assert.ok(await page.locator('iframe.pdf-frame').isVisible());
      assert.equal(await page.locator('.signature .verdict').textContent(), 'Chữ ký số hợp lệ');
      assert.equal(await page.locator('.document-signers > li').count(), 2);
      assert.match(await page.locator('.document-signers > li').nth(1).textContent() ?? '', /con dấu[\s\S]*Sở Tài chính tỉnh Bình Thuận[\s\S]*Tệp không bị thay đổi sau chữ ký này/);
      assert.match(await page.locator('.sender-checks').textContent() ?? '', /Đơn vị trong danh bạ: Văn phòng Tỉnh ủy/);
      await shoot(page, 'register-document-desktop');
    });

    await t.test('accept, then forward to a unit with a note: the history shows who, when, what', async () => {
      await Promise.all([page.waitForURL(/done=accept/), page.click('button[value=accept]')]);
      assert.equal(await page.locator('.register-document .success').textContent(), 'Đã tiếp nhận văn bản.');
      await page.selectOption('#to_unit', 'so-tai-chinh');
      await page.fill('#forward-note', 'Đề nghị Sở Tài chính chủ trì tham mưu');
      await Promise.all([page.waitForURL(/done=forward/), page.click('.forward-form button[type=submit]')]);
      const latest = page.locator('.history-table tbody tr').first();
      assert.match(await latest.textContent() ?? '', /Đã chuyển xử lý[\s\S]*vanthu[\s\S]*Chuyển đến: Sở Tài chính\. Ghi chú: Đề nghị Sở Tài chính chủ trì tham mưu/);
      assert.match(await latest.textContent() ?? '', /\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}/);
      assert.equal(await page.locator('.history-table tbody tr').count(), 3);
      await shoot(page, 'register-document-forwarded-desktop');
    });

    await t.test('refuse with a reason: the sender gets the notice with that reason', async () => {
      const before = sink!.messages.length;
      await page.goto(`${base}/register/${budget}`);
      await page.fill('#reason', 'Văn bản thiếu phụ lục kèm theo, đề nghị gửi lại');
      await Promise.all([page.waitForURL(/done=refuse/), page.click('.refuse-form button[type=submit]')]);
      assert.match(await page.locator('.register-document .success').textContent() ?? '', /Đã từ chối văn bản\. Thông báo từ chối đã được đưa vào hàng gửi đến bên gửi\./);
      const [notice] = (await sink!.waitFor(before + 1)).slice(before);
      assert.deepEqual(notice.envelope.to, [UNIT_SENDER]);
      assert.match(notice.parsed.text ?? '', /Văn bản thiếu phụ lục kèm theo, đề nghị gửi lại/);
    });

    await t.test('phone width: the list and the document page are readable, nothing sticks out', async () => {
      const phone = await newContext(browser!, 'phone');
      const small = await phone.newPage();
      await logIn(small, base);
      await shoot(small, 'register-list-phone');
      await noHorizontalOverflow(small, 'list');
      await small.goto(`${base}/register/${flood}`);
      assert.ok(await small.locator('a.button', { hasText: 'Mở văn bản (PDF)' }).isVisible());
      await shoot(small, 'register-document-phone');
      await noHorizontalOverflow(small, 'document page');
      await small.goto(`${base}/register/new`);
      await shoot(small, 'register-new-phone');
      await noHorizontalOverflow(small, 'manual registration');
      await phone.close();
    });
    await desktop.close();
  } finally {
    await browser?.close();
    await product?.stop();
    await sink?.close();
    await disposeEnv(env);
    samples.dispose();
  }
});
