// The register book (sổ đăng ký văn bản đến) over real HTTP against the real product, on SQLite and PostgreSQL:
// documents registered by hand out of date order and by mail fill the register; the book page of a period shows
// exactly its numbered entries in số đến order with the forward, refusal and recall notes; the PDF downloads,
// its text (pdftotext) has the rows in order with the header again on page 2, and page 1 rendered to PNG
// (pdftoppm) has one ruled line per row; bad periods are a Vietnamese 400; units cannot open the book. A clerk's
// recall queues exactly one "đã ghi nhận thu hồi" notice to the sender, delivered to the test SMTP relay.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { startProduct, RunningProduct } from './support/product';
import { DATABASE_KINDS, tempDir } from './support/databases';
import { loggedIn, WebClient } from './support/web-client';
import { disposeEnv, gatewayEnv, smtpTransport, UNIT_SENDER, withDatabase } from './support/mail-samples';
import { startSmtpSink, SmtpSink } from './support/smtp-sink';
import { makeRegisterSamples, RegisterSamples, sendDocument } from './support/register-samples';

let samples: RegisterSamples;

before(async () => {
  samples = await makeRegisterSamples();
});

after(() => samples.dispose());

const LONG_TRICH_YEU = 'Về việc triển khai thực hiện kế hoạch phòng, chống thiên tai và tìm kiếm cứu nạn năm 2025 trên địa bàn tỉnh, '
  + 'bảo đảm an toàn hồ đập, đê điều, khu dân cư ven biển và các công trình trọng điểm trong mùa mưa bão';
const MARCH_FILLERS = 30;
/** The số đến of March 2025 in the book's order: 1 and 2 by hand out of date order, 3 and 4 outside, then the fillers. */
const MARCH_NUMBERS = [1, 2, ...Array.from({ length: MARCH_FILLERS }, (_, i) => i + 5)];

/** The số đến of the book page's rows, in the order shown. */
function bookNumbers(html: string): string[] {
  return [...html.matchAll(/<tr class="book-row" data-so-den="([^"]+)">/g)].map((m) => m[1]);
}

function bookRow(html: string, soDen: string): string {
  const start = html.indexOf(`<tr class="book-row" data-so-den="${soDen}">`);
  assert.notEqual(start, -1, `row ${soDen}`);
  return html.slice(start, html.indexOf('</tr>', start));
}

// ---- a PNG reader (8-bit gray or colour, as pdftoppm writes): enough to look at rows of pixels -------------

interface GrayImage {
  width: number;
  height: number;
  /** One byte per pixel, 0 black … 255 white. */
  pixels: Uint8Array;
}

function decodePng(png: Buffer): GrayImage {
  assert.equal(png.subarray(0, 8).toString('hex'), '89504e470d0a1a0a', 'PNG signature');
  let offset = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const data: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const body = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      assert.equal(body[8], 8, 'bit depth 8');
      assert.equal(body[12], 0, 'not interlaced');
      channels = ({ 0: 1, 2: 3, 4: 2, 6: 4 } as Record<number, number>)[body[9]];
      assert.ok(channels, `colour type ${body[9]}`);
    } else if (type === 'IDAT') {
      data.push(body);
    }
    offset += 12 + length;
  }
  const raw = zlib.inflateSync(Buffer.concat(data));
  const stride = width * channels;
  const rows = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = rows.subarray(y * stride, (y + 1) * stride);
    const up = y > 0 ? rows.subarray((y - 1) * stride, y * stride) : Buffer.alloc(stride);
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? out[x - channels] : 0;
      const b = up[x];
      const c = x >= channels ? up[x - channels] : 0;
      let value = line[x];
      if (filter === 1) value += a;
      else if (filter === 2) value += b;
      else if (filter === 3) value += (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
        value += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      out[x] = value & 0xff;
    }
  }
  const pixels = new Uint8Array(width * height);
  for (let i = 0; i < width * height; i++) {
    const colour = channels >= 3 ? (rows[i * channels] + rows[i * channels + 1] + rows[i * channels + 2]) / 3 : rows[i * channels];
    pixels[i] = colour;
  }
  return { width, height, pixels };
}

/** Horizontal rules: bands of pixel rows that are dark across at least `share` of the image width. */
function horizontalRules(image: GrayImage, share = 0.8): number {
  let rules = 0;
  let inRule = false;
  for (let y = 0; y < image.height; y++) {
    let dark = 0;
    for (let x = 0; x < image.width; x++) if (image.pixels[y * image.width + x] < 140) dark++;
    const rule = dark >= image.width * share;
    if (rule && !inRule) rules++;
    inRule = rule;
  }
  return rules;
}

function pdfText(file: string, pages?: { first: number; last: number }): string {
  const range = pages ? ['-f', String(pages.first), '-l', String(pages.last)] : [];
  return execFileSync('pdftotext', ['-layout', ...range, file, '-'], { encoding: 'utf8' });
}

/** The số đến at the start of the book's rows in pdftotext's layout text ("  12   15/03/2025 10:00 …"). */
function pdfNumbers(text: string): number[] {
  return [...text.matchAll(/^\s{0,6}(\d{1,5})\s+\d{2}\/\d{2}\/\d{4}/gm)].map((m) => Number(m[1]));
}

// ---- registering the documents --------------------------------------------------------------------------

async function registerByHand(clerk: WebClient, token: string, fields: Record<string, string>): Promise<string> {
  const res = await clerk.post('/register/new', {
    _csrf: token, channel: 'Văn bản giấy (bưu chính, chuyển tay)', sender_unit: '', sender_name: '', doc_number: '', issue_date: '',
    doc_type: 'Công văn', urgency: 'Bình thường', note: '', ...fields,
  });
  assert.equal(res.status, 303, `registering ${fields.trich_yeu}: ${res.status} ${res.html.slice(0, 300)}`);
  const id = /^\/register\/([0-9A-Z]{26})\?registered=1$/.exec(res.location ?? '')?.[1];
  assert.ok(id, res.location ?? '');
  return id;
}

const monthNow = () => new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 7);

for (const kind of DATABASE_KINDS) {
  test(`${kind}: the register book as a page and a PDF; the recall notice to the sender`, async (t) => {
    const env: Record<string, string> = { ...gatewayEnv(kind, samples.trustDir, 'register-book'), OUTBOX_POLL_MS: '100' };
    const work = tempDir('register-book-pdf');
    let sink: SmtpSink | null = null;
    let product: RunningProduct | null = null;
    try {
      sink = await startSmtpSink();
      product = await startProduct({ ...env, OUTBOUND_SMTP_URL: sink.url });
      const base = `http://127.0.0.1:${product.webPort}`;
      const transport = smtpTransport(product.smtpPort);
      const flood = await sendDocument(transport, { subject: 'Công văn 45/VPTU về phòng, chống lụt bão', pdf: samples.floodPdf });
      await sendDocument(transport, { subject: 'Đề nghị cung cấp số liệu', pdf: samples.unsignedPdf });
      transport.close();
      await sink.waitFor(2); // the gateway's registered and refused notices
      const clerk = await loggedIn(base, env, 'vanthu');
      const token = await clerk.token('/register/new');
      await registerByHand(clerk, token, {
        received_at: '20/03/2025 09:00', sender_unit: 'so-tai-chinh', doc_number: '101/STC-NS', issue_date: '18/03/2025',
        trich_yeu: LONG_TRICH_YEU, urgency: 'Hỏa tốc',
      });
      const second = await registerByHand(clerk, token, {
        received_at: '05/03/2025 14:30', sender_name: 'Bộ Tài chính', doc_number: '2345/BTC-NSNN', issue_date: '28/02/2025',
        doc_type: 'Quyết định', trich_yeu: 'Về việc giao dự toán bổ sung năm 2025',
      });
      const april = await registerByHand(clerk, token, { received_at: '02/04/2025 08:00', sender_name: 'Bộ Nội vụ', trich_yeu: 'Văn bản tháng Tư' });
      await registerByHand(clerk, token, { received_at: '27/02/2025 16:00', sender_name: 'Bộ Nội vụ', trich_yeu: 'Văn bản tháng Hai' });
      const fillers: string[] = [];
      for (let i = 1; i <= MARCH_FILLERS; i++) {
        fillers.push(await registerByHand(clerk, token, {
          received_at: '15/03/2025 10:00', sender_unit: 'so-tai-chinh', doc_number: `${i}/STC-TH`, doc_type: 'Báo cáo', trich_yeu: `Báo cáo số liệu tuần ${i}`,
        }));
      }
      const act = (id: string, form: Record<string, string>) => clerk.post(`/register/${id}/status`, { _csrf: token, ...form });
      assert.equal((await act(second, { action: 'accept' })).status, 303);
      assert.equal((await act(second, { action: 'forward', to_unit: 'so-tai-chinh', to_person: 'Đ/c Lê Thị Hoa', note: 'Tham mưu trả lời' })).status, 303);
      assert.equal((await act(fillers[0], { action: 'refuse', reason: 'Gửi nhầm, đề nghị gửi Sở Kế hoạch và Đầu tư' })).status, 303);

      await t.test('the register list links to the book', async () => {
        const list = await clerk.get('/register');
        assert.match(list.html, /<a class="button secondary" href="\/register\/book">In sổ đăng ký<\/a>/);
      });

      await t.test('the book page of March 2025: its numbered entries in số đến order, with the NĐ 30 heading and columns', async () => {
        const page = await clerk.get('/register/book?from=2025-03-01&to=2025-03-31');
        assert.equal(page.status, 200);
        assert.match(page.headers['content-type'] ?? '', /^text\/html/);
        assert.deepEqual(bookNumbers(page.html), MARCH_NUMBERS.map(String), 'số đến order, not date order; 3 and 4 are outside March');
        assert.match(page.html, /<span>UBND TỈNH BÌNH THUẬN<\/span>\s*<strong>VĂN PHÒNG<\/strong>/);
        assert.match(page.html, /<p class="book-title">SỔ ĐĂNG KÝ VĂN BẢN ĐẾN<\/p>/);
        assert.match(page.html, /<p class="book-year">Năm 2025<\/p>/);
        assert.match(page.html, /Từ ngày 01\/03\/2025 đến ngày 31\/03\/2025/);
        assert.match(page.html, /Từ số 1 đến số 34 \(<span class="book-count">32<\/span> văn bản\)/);
        const headers = [...page.html.matchAll(/<th scope="col" class="book-col-\w+">([^<]+)<\/th>/g)].map((m) => m[1]);
        assert.deepEqual(headers, ['Số đến', 'Ngày đến', 'Tác giả', 'Số, ký hiệu', 'Ngày tháng', 'Tên loại và trích yếu nội dung', 'Đơn vị hoặc người nhận', 'Ký nhận', 'Ghi chú']);
        const first = bookRow(page.html, '1');
        assert.match(first, /20\/03\/2025 09:00/);
        assert.match(first, /Sở Tài chính/);
        assert.match(first, /101\/STC-NS/);
        assert.match(first, /18\/03\/2025/);
        assert.match(first, new RegExp(`Công văn: ${LONG_TRICH_YEU}`));
        assert.match(first, /<td class="book-col-remarks">Hỏa tốc<\/td>/);
        const forwarded = bookRow(page.html, '2');
        assert.match(forwarded, /Bộ Tài chính/);
        assert.match(forwarded, /Quyết định: Về việc giao dự toán bổ sung năm 2025/);
        assert.match(forwarded, /<td class="book-col-recipient">Sở Tài chính — Đ\/c Lê Thị Hoa<\/td>/, 'where it went, without the clerk note');
        assert.match(forwarded, /<td class="book-col-signature"><\/td>/, 'an empty cell to sign');
        assert.match(bookRow(page.html, '5'), /<td class="book-col-remarks">Từ chối: Gửi nhầm, đề nghị gửi Sở Kế hoạch và Đầu tư<\/td>/);
        assert.match(page.html, /href="\/register\/book\.pdf\?from=2025-03-01&amp;to=2025-03-31"/);

        const typed = await clerk.get(`/register/book?from=${encodeURIComponent('01/03/2025')}&to=${encodeURIComponent('31/03/2025')}`);
        assert.deepEqual(bookNumbers(typed.html), MARCH_NUMBERS.map(String), 'dd/mm/yyyy typed by hand');
        const year = await clerk.get('/register/book?year=2025');
        assert.deepEqual(bookNumbers(year.html), Array.from({ length: MARCH_FILLERS + 4 }, (_, i) => String(i + 1)), 'the whole year 2025');
        assert.match(year.html, /Từ ngày 01\/01\/2025 đến ngày 31\/12\/2025/);
        const empty = await clerk.get('/register/book?from=2020-01-01&to=2020-01-31');
        assert.deepEqual(bookNumbers(empty.html), []);
        assert.match(empty.html, /Không có văn bản nào được vào sổ trong khoảng thời gian này/);
      });

      await t.test('the default book is this month: the mail registered today, not the refused one kept for reference', async () => {
        const page = await clerk.get('/register/book');
        assert.equal(page.status, 200);
        assert.deepEqual(bookNumbers(page.html), ['1']);
        assert.match(bookRow(page.html, '1'), /45\/VPTU/);
        const [year, month] = monthNow().split('-');
        assert.match(page.html, new RegExp(`Từ ngày 01/${month}/${year} đến ngày \\d{2}/${month}/${year}`));
      });

      await t.test('recall: one "đã ghi nhận thu hồi" notice to the sender, and the book notes the recall', async () => {
        const before = sink!.messages.length;
        const recalled = await act(flood, { action: 'recall', note: 'VP Tỉnh ủy gọi điện đề nghị thu hồi' });
        assert.equal(recalled.status, 303);
        assert.match(decodeURIComponent(recalled.location ?? ''), /done=recall&notice=sent/);
        assert.match((await clerk.get(recalled.location!)).html, /Đã ghi nhận văn bản bị thu hồi\. Thông báo đã ghi nhận thu hồi đã được đưa vào hàng gửi đến bên gửi\./);
        const [notice] = (await sink!.waitFor(before + 1)).slice(before);
        assert.deepEqual(notice.envelope.to, [UNIT_SENDER]);
        assert.equal(notice.envelope.from, '', 'a notice goes from the null sender');
        assert.match(notice.parsed.subject ?? '', /^Đã ghi nhận thu hồi văn bản số đến 1\/\d{4}: Công văn 45\/VPTU về phòng, chống lụt bão$/);
        assert.equal(notice.parsed.headers.get('x-binhthuan-notice'), 'notice.recalled');
        assert.equal(notice.parsed.headers.get('auto-submitted'), 'auto-replied');
        assert.match(notice.parsed.text ?? '', /ĐÃ GHI NHẬN VIỆC THU HỒI/);
        assert.match(notice.parsed.text ?? '', /Số, ký hiệu văn bản: 45\/VPTU/);
        assert.match(notice.parsed.text ?? '', /The recall of your document has been recorded/);
        assert.match(notice.parsed.html || '', /đã ghi nhận việc thu hồi/);
        assert.doesNotMatch(notice.parsed.text ?? '', /gọi điện/, "the clerk's note stays inside");
        const rows = await withDatabase(env, (db) => db('outbox').where({ reference: flood, kind: 'notice.recalled' }).select('status'));
        assert.equal(rows.length, 1, 'exactly one recall notice queued');
        assert.equal((await act(flood, { action: 'recall', note: 'lần nữa' })).status, 409);
        await new Promise((resolve) => setTimeout(resolve, 500));
        assert.equal(sink!.messages.filter((m) => m.parsed.headers.get('x-binhthuan-notice') === 'notice.recalled').length, 1, 'and exactly one delivered');

        const paper = await act(april, { action: 'recall', note: 'Bộ Nội vụ gửi công văn đề nghị thu hồi' });
        assert.equal(paper.status, 303);
        assert.match(decodeURIComponent(paper.location ?? '').replace(/\+/g, ' '), /Văn bản không đến qua thư điện tử/);
        const none = await withDatabase(env, (db) => db('outbox').where({ reference: april }).count({ n: '*' }));
        assert.equal(Number(none[0].n), 0, 'a document that came on paper gets no mail');

        const book = await clerk.get('/register/book');
        assert.match(bookRow(book.html, '1'), /<td class="book-col-remarks">Thu hồi ngày \d{2}\/\d{2}\/\d{4}<\/td>/);
      });

      await t.test('the PDF: downloaded as a file, rows in số đến order, header again on page 2, ruled rows on page 1', async () => {
        const res = await clerk.get('/register/book.pdf?from=2025-03-01&to=2025-03-31');
        assert.equal(res.status, 200);
        assert.equal(res.headers['content-type'], 'application/pdf');
        assert.equal(res.headers['content-disposition'], 'attachment; filename="so-dang-ky-van-ban-den_2025-03-01_2025-03-31.pdf"');
        assert.equal(res.body.subarray(0, 5).toString('latin1'), '%PDF-');
        const file = path.join(work, 'book.pdf');
        fs.writeFileSync(file, res.body);

        const all = pdfText(file);
        assert.deepEqual(pdfNumbers(all), MARCH_NUMBERS, 'every entry once, in số đến order, none from outside March');
        const page1 = pdfText(file, { first: 1, last: 1 });
        for (const text of ['UBND TỈNH BÌNH THUẬN', 'VĂN PHÒNG', 'SỔ ĐĂNG KÝ VĂN BẢN ĐẾN', 'Năm 2025', 'Từ ngày 01/03/2025 đến ngày 31/03/2025',
          'Số đến', 'Ngày đến', 'Tác giả', 'Ký nhận', 'Ghi chú', '101/STC-NS', 'Hỏa tốc', 'Sở Tài chính — Đ/c Lê', 'Trang 1']) {
          assert.ok(page1.includes(text), `page 1 has "${text}"`);
        }
        const flat = page1.replace(/\s+/g, ' ');
        for (const words of ['Công văn: Về việc triển khai thực hiện kế hoạch phòng,', 'chống thiên tai và tìm kiếm cứu nạn', 'trong mùa mưa bão']) {
          assert.ok(flat.includes(words), `the long trích yếu, wrapped, in Vietnamese: "${words}"`);
        }
        const page1Numbers = pdfNumbers(page1);
        assert.ok(page1Numbers.length >= 10 && page1Numbers.length < MARCH_NUMBERS.length, `page 1 holds part of the book (${page1Numbers.length} rows)`);
        assert.deepEqual(page1Numbers, MARCH_NUMBERS.slice(0, page1Numbers.length));
        const page2 = pdfText(file, { first: 2, last: 2 });
        assert.match(page2, /Số đến\s+Ngày đến\s+Tác giả/, 'the table header again on page 2');
        assert.match(page2, /Trang 2/);
        assert.equal(pdfNumbers(page2)[0], MARCH_NUMBERS[page1Numbers.length], 'page 2 goes on where page 1 stopped');

        execFileSync('pdftoppm', ['-png', '-gray', '-r', '100', '-f', '1', '-l', '1', '-singlefile', file, path.join(work, 'page1')]);
        const image = decodePng(fs.readFileSync(path.join(work, 'page1.png')));
        assert.ok(image.width > image.height, 'A4 landscape');
        assert.equal(horizontalRules(image), page1Numbers.length + 2, 'a rule above the header, under it, and under each row');

        const empty = await clerk.get('/register/book.pdf?year=2020');
        assert.equal(empty.status, 200);
        const emptyFile = path.join(work, 'empty.pdf');
        fs.writeFileSync(emptyFile, empty.body);
        assert.match(pdfText(emptyFile), /Không có văn bản nào được vào sổ trong khoảng thời gian này/);
      });

      await t.test('a bad period is a 400 with the reason in Vietnamese, for the page and the PDF', async () => {
        for (const [query, pattern] of [
          ['from=2025-02-30', /Từ ngày &#34;2025-02-30&#34; không phải một ngày hợp lệ/],
          [`to=${encodeURIComponent('hôm-qua')}`, /Đến ngày &#34;hôm-qua&#34; không phải một ngày hợp lệ/],
          ['from=2025-05-01&to=2025-04-01', /Ngày bắt đầu sau ngày kết thúc/],
          ['year=20x5', /Năm &#34;20x5&#34; không hợp lệ/],
          ['year=2025&from=2025-01-01', /không chọn cả hai/],
        ] as Array<[string, RegExp]>) {
          for (const route of ['/register/book', '/register/book.pdf']) {
            const res = await clerk.get(`${route}?${query}`);
            assert.equal(res.status, 400, `${route}?${query}`);
            assert.match(res.headers['content-type'] ?? '', /^text\/html/);
            assert.match(res.html, /Yêu cầu không hợp lệ/);
            assert.match(res.html, pattern, `${route}?${query}`);
          }
        }
      });

      await t.test('units cannot open the book; visitors are sent to log in', async () => {
        const unit = await loggedIn(base, env, 'congan');
        for (const route of ['/register/book', '/register/book.pdf', '/register/book?year=2025']) {
          const res = await unit.get(route);
          assert.equal(res.status, 403, route);
          assert.match(res.html, /Không có quyền truy cập/);
          assert.doesNotMatch(res.html, /SỔ ĐĂNG KÝ VĂN BẢN ĐẾN|%PDF/);
        }
        const visitor = await new WebClient(base).get('/register/book.pdf');
        assert.equal(visitor.status, 303);
        assert.match(visitor.location ?? '', /^\/login\?next=/);
      });
    } finally {
      await product?.stop();
      await sink?.close();
      await disposeEnv(env);
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
}
