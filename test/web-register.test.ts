// The clerk's register screens over real HTTP against the real product, on SQLite and PostgreSQL: documents
// sent through the gateway's SMTP port fill the register; the list sorts urgent first, filters, searches and
// pages; the document page shows every check; accept, forward, in progress, done, refuse (the notice captured
// by a test SMTP relay) and recall write the history; a clerk registers a paper document by hand; bad input
// gets a Vietnamese error page; units cannot see the register and clerks not the admin pages; the chain holds.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runScript, startProduct, RunningProduct } from './support/product';
import { DATABASE_KINDS } from './support/databases';
import { loggedIn, WebClient } from './support/web-client';
import { disposeEnv, gatewayEnv, smtpTransport, STRANGER, UNIT_SENDER, withDatabase } from './support/mail-samples';
import { startSmtpSink, SmtpSink } from './support/smtp-sink';
import { makeRegisterSamples, RegisterSamples, sendDocument } from './support/register-samples';

let samples: RegisterSamples;

before(async () => {
  samples = await makeRegisterSamples();
});

after(() => samples.dispose());

const today = () => new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 10);

/** The document ids of the list page, in the order shown. */
function listedIds(html: string): string[] {
  return [...html.matchAll(/<td data-label="Số đến" class="so-den"><a href="\/register\/([0-9A-Z]{26})"/g)].map((m) => m[1]);
}

function nextLink(html: string): string | null {
  return /<a href="([^"]+)" rel="next">/.exec(html)?.[1]?.replace(/&amp;/g, '&') ?? null;
}

function previousLink(html: string): string | null {
  return /<a href="([^"]+)" rel="prev">/.exec(html)?.[1]?.replace(/&amp;/g, '&') ?? null;
}

function assertBadRequest(res: { status: number; html: string }, what: string, pattern: RegExp = /không hợp lệ|không có/): void {
  assert.equal(res.status, 400, `${what}: ${res.status}`);
  assert.match(res.html, pattern, what);
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: the register list, document page and clerk actions over HTTP`, async (t) => {
    const env: Record<string, string> = { ...gatewayEnv(kind, samples.trustDir, 'web-register'), OUTBOX_POLL_MS: '100' };
    let sink: SmtpSink | null = null;
    let product: RunningProduct | null = null;
    try {
      sink = await startSmtpSink();
      product = await startProduct({ ...env, OUTBOUND_SMTP_URL: sink.url });
      const base = `http://127.0.0.1:${product.webPort}`;
      const transport = smtpTransport(product.smtpPort);
      const flood = await sendDocument(transport, { subject: 'HỎA TỐC - Công văn 45/VPTU về phòng, chống lụt bão', pdf: samples.floodPdf, filename: 'cv-45-lụt-bão.pdf' });
      const budget = await sendDocument(transport, { subject: 'Quyết định giao dự toán', pdf: samples.budgetPdf });
      const unsigned = await sendDocument(transport, { subject: 'Đề nghị cung cấp số liệu', pdf: samples.unsignedPdf });
      const fromStranger = await sendDocument(transport, { from: STRANGER, subject: 'Văn bản từ bên ngoài', pdf: samples.budgetPdf });
      transport.close();
      // The gateway's own notices: registered (flood, budget) and refused (unsigned); none to the stranger.
      await sink.waitFor(3);
      const clerk = await loggedIn(base, env, 'vanthu');

      await t.test('the list shows every document, urgent first, with its verdict and status', async () => {
        const list = await clerk.get('/register');
        assert.equal(list.status, 200);
        assert.match(list.html, /<h1>Sổ văn bản đến<\/h1>/);
        assert.match(list.html, /<strong>4<\/strong> văn bản trong sổ/);
        const ids = listedIds(list.html);
        assert.equal(ids.length, 4);
        assert.equal(ids[0], flood, 'Hỏa tốc first');
        assert.deepEqual(new Set(ids), new Set([flood, budget, unsigned, fromStranger]));
        assert.match(list.html, /urgency-hoatoc">Hỏa tốc/);
        assert.match(list.html, /verdict-badge-valid"[^>]*>Chữ ký hợp lệ/);
        assert.match(list.html, /verdict-badge-invalid"[^>]*>Không có chữ ký số/);
        assert.match(list.html, /doc-status-refused">Từ chối/);
        assert.match(list.html, /doc-status-new">Đã đến/);
        assert.match(list.html, /Văn phòng Tỉnh ủy/, 'sender unit by name');
        assert.match(list.html, /45\/VPTU/);
        assert.match(list.html, /triển khai công tác phòng, chống lụt bão năm 2026/);
        assert.match(list.html, /\d{2}\/\d{2}\/\d{4}<\/span> <span class="received-time">\d{2}:\d{2}</, 'dd/mm/yyyy HH:mm');
        assert.match(list.html, /Hôm nay <span class="tab-count">4<\/span>/);
        assert.match(list.html, /href="\/register">Sổ văn bản đến<\/a>|href="\/register" aria-current="page">Sổ văn bản đến/, 'the nav shows the register to a clerk');
      });

      await t.test('filters: status, verdict, urgency, unit, type, dates and search without diacritics', async () => {
        const ids = async (query: string) => {
          const res = await clerk.get(`/register?${query}`);
          assert.equal(res.status, 200, query);
          return listedIds(res.html).sort();
        };
        assert.deepEqual(await ids(`status=${encodeURIComponent('từ chối')}`), [unsigned]);
        assert.deepEqual(await ids('verdict=unsigned'), [unsigned]);
        assert.deepEqual(await ids('verdict=valid'), [flood, budget, fromStranger].sort());
        assert.deepEqual(await ids(`urgency=${encodeURIComponent('Hỏa tốc')}`), [flood]);
        assert.deepEqual(await ids('unit=van-phong-tinh-uy'), [flood, budget, unsigned].sort());
        assert.deepEqual(await ids(`type=${encodeURIComponent('Quyết định')}`), [budget, fromStranger].sort());
        assert.deepEqual(await ids(`q=${encodeURIComponent('lut bao')}`), [flood], 'search ignores diacritics');
        assert.deepEqual(await ids(`q=${encodeURIComponent('QĐ-UBND')}`), [budget, fromStranger].sort(), 'search in số, ký hiệu');
        assert.deepEqual(await ids(`q=${encodeURIComponent('dự toán giao')}`), [budget, fromStranger].sort(), 'every word, any order');
        assert.deepEqual(await ids(`from=${today()}&to=${today()}`), [flood, budget, unsigned, fromStranger].sort());
        assert.deepEqual(await ids('from=2020-01-01&to=2020-12-31'), []);
        assert.deepEqual(await ids(`from=${today().split('-').reverse().join('/')}`), [flood, budget, unsigned, fromStranger].sort(), 'dd/mm/yyyy typed by hand');
        const none = await clerk.get(`/register?q=khongcogi`);
        assert.match(none.html, /Không có văn bản nào khớp bộ lọc/);
        for (const [query, pattern] of [
          ['from=2026-02-30', /không phải một ngày hợp lệ/], [`to=${encodeURIComponent('hôm-qua')}`, /không phải một ngày hợp lệ/],
          ['from=2026-05-01&to=2026-04-01', /Ngày bắt đầu sau ngày kết thúc/], [`status=${encodeURIComponent('mất')}`, /Trạng thái &#34;mất&#34; không có/],
          ['urgency=gap', /Mức độ khẩn &#34;gap&#34; không có/], ['verdict=ok', /Kết quả kiểm tra chữ ký &#34;ok&#34; không có/],
          ['unit=khong-co', /không có trong danh bạ/], ['after=xyz', /Liên kết trang không hợp lệ/], ['after=a&before=b', /Liên kết trang không hợp lệ/],
        ] as Array<[string, RegExp]>) {
          assertBadRequest(await clerk.get(`/register?${query}`), query, pattern);
        }
      });

      await t.test('the document page: metadata, PDF, signatures in plain words, sender checks, raw message, history', async () => {
        const page = await clerk.get(`/register/${flood}`);
        assert.equal(page.status, 200);
        assert.match(page.html, /<strong>1\/\d{4}<\/strong>/, 'số đến');
        assert.match(page.html, /45\/VPTU/);
        assert.match(page.html, /Công văn/);
        assert.match(page.html, /Văn phòng Tỉnh ủy/);
        assert.match(page.html, /Hỏa tốc/);
        assert.match(page.html, /<iframe class="pdf-frame" src="\/register\/[0-9A-Z]{26}\/files\/0"/);
        assert.match(page.html, /Chữ ký số hợp lệ/);
        assert.match(page.html, /Chữ ký của người ký \(cá nhân\):<\/span> <strong>Nguyễn Văn An/);
        assert.match(page.html, /Chữ ký của cơ quan \(con dấu\):<\/span> <strong>Sở Tài chính tỉnh Bình Thuận/);
        assert.match(page.html, /Chứng thư số do Test CA phục vụ các cơ quan Nhà nước G2 cấp; Chứng thư số hiệu lực từ \d{2}\/\d{2}\/\d{4} đến \d{2}\/\d{2}\/\d{4}/);
        assert.match(page.html, /còn hiệu lực khi ký/);
        assert.match(page.html, /Sau chữ ký này chỉ có thêm chữ ký khác/);
        assert.match(page.html, /Tệp không bị thay đổi sau chữ ký này/);
        assert.match(page.html, /Đơn vị trong danh bạ: <strong>Văn phòng Tỉnh ủy/);
        assert.match(page.html, /SPF \(máy gửi được phép gửi cho tên miền\): <strong>/);
        assert.match(page.html, /DKIM/);
        assert.match(page.html, /DMARC/);
        assert.match(page.html, /href="\/register\/[0-9A-Z]{26}\/raw" download>Tải thư gốc/);
        assert.match(page.html, /Cổng tiếp nhận \(tự động\)/);
        assert.match(page.html, /name="action" value="accept">Tiếp nhận/);
        assert.match(page.html, /name="_csrf"/);

        const stranger = await clerk.get(`/register/${fromStranger}`);
        assert.match(stranger.html, /Người gửi không xác thực được/, 'the QUARANTINED warning');
        assert.match(stranger.html, /không — địa chỉ gửi không thuộc cơ quan nào trong danh bạ/);
        const refused = await clerk.get(`/register/${unsigned}`);
        assert.match(refused.html, /Lý do không vào sổ/);
        assert.match(refused.html, /NO_SIGNATURE/);
        assert.match(refused.html, /Không có chữ ký số/);
      });

      await t.test('files: the PDF inline, the raw message as a download, nothing else', async () => {
        const pdf = await clerk.get(`/register/${flood}/files/0`);
        assert.equal(pdf.status, 200);
        assert.equal(pdf.headers['content-type'], 'application/pdf');
        assert.match(pdf.headers['content-disposition'] ?? '', /^inline; filename="cv-45-lut-bao\.pdf"; filename\*=UTF-8''cv-45-l%E1%BB%A5t-b%C3%A3o\.pdf/);
        assert.equal(pdf.headers['x-content-type-options'], 'nosniff');
        assert.deepEqual(pdf.body, samples.floodPdf);
        const raw = await clerk.get(`/register/${flood}/raw`);
        assert.equal(raw.status, 200);
        assert.equal(raw.headers['content-type'], 'message/rfc822');
        assert.match(raw.headers['content-disposition'] ?? '', /^attachment; filename="van-ban-den-1-\d{4}\.eml"/);
        const stored = await withDatabase(env, (db) => db('documents').where({ id: flood }).first('raw_path'));
        assert.deepEqual(raw.body, fs.readFileSync(path.join(env.DATA_DIR, stored.raw_path)));
        for (const bad of [`/register/${flood}/files/9`, `/register/${flood}/files/-1`, `/register/${flood}/files/..%2f..%2fmoihop.sqlite3`,
          `/register/${flood}/files/0x0`, '/register/01ARZ3NDEKTSV4RRFFQ69G5FAV', '/register/KHONGCO', '/register/01ARZ3NDEKTSV4RRFFQ69G5FAV/raw',
          `/register/..%2f..%2fetc%2fpasswd/raw`]) {
          const res = await clerk.get(bad);
          assert.equal(res.status, 404, bad);
          assert.match(res.html, /Không tìm thấy/, bad);
        }
      });

      await t.test('accept, forward to a unit, in progress, done: each writes the history', async () => {
        const token = await clerk.token(`/register/${flood}`);
        const act = (id: string, form: Record<string, string>) => clerk.post(`/register/${id}/status`, { _csrf: token, ...form });
        const accepted = await act(flood, { action: 'accept', note: '' });
        assert.equal(accepted.status, 303);
        assert.equal(accepted.location, `/register/${flood}?done=accept#lich-su`);
        assert.match((await clerk.get(accepted.location!)).html, /Đã tiếp nhận văn bản\./);
        assertBadRequest(await act(flood, { action: 'forward', note: 'Xem xét' }), 'forward to nobody', /Xin chọn đơn vị hoặc ghi tên người nhận/);
        assertBadRequest(await act(flood, { action: 'forward', to_unit: 'khong-co' }), 'forward to an unknown unit', /không có trong danh bạ/);
        assert.equal((await act(flood, { action: 'forward', to_unit: 'so-tai-chinh', to_person: 'Đ/c Trần Văn Bình', note: 'Chủ trì tham mưu' })).status, 303);
        assert.equal((await act(flood, { action: 'in-progress', note: '' })).status, 303);
        assert.equal((await act(flood, { action: 'done', note: 'Đã trả lời bằng Công văn 99/UBND' })).status, 303);
        const accept = await act(flood, { action: 'accept' });
        assert.equal(accept.status, 409, 'accepting a finished document');
        assert.match(accept.html, /đang ở trạng thái &#34;hoàn thành&#34;: không thể tiếp nhận/);
        assertBadRequest(await act(flood, { action: 'xoa' }), 'an unknown action', /Thao tác &#34;xoa&#34; không có/);

        const page = await clerk.get(`/register/${flood}`);
        const history = page.html.slice(page.html.indexOf('id="lich-su"'));
        assert.match(history, /Hoàn thành[\s\S]*vanthu[\s\S]*Đã trả lời bằng Công văn 99\/UBND/);
        assert.match(history, /Đã chuyển xử lý[\s\S]*vanthu[\s\S]*Chuyển đến: Sở Tài chính — Đ\/c Trần Văn Bình\. Ghi chú: Chủ trì tham mưu/);
        assert.match(history, /Đã tiếp nhận[\s\S]*vanthu/);
        const statuses = await withDatabase(env, (db) => db('document_status_history').where({ document_id: flood }).orderBy('id').pluck('status'));
        assert.deepEqual(statuses, ['đã đến', 'đã tiếp nhận', 'đã chuyển xử lý', 'đang xử lý', 'hoàn thành']);
      });

      await t.test('refuse with a reason: the notice reaches the sender through the relay; the stranger gets none', async () => {
        const token = await clerk.token(`/register/${budget}`);
        const before = sink!.messages.length;
        assertBadRequest(await clerk.post(`/register/${budget}/status`, { _csrf: token, action: 'refuse', reason: '' }), 'refusal without a reason', /Xin ghi lý do từ chối/);
        const refused = await clerk.post(`/register/${budget}/status`, { _csrf: token, action: 'refuse', reason: 'Văn bản gửi nhầm nơi nhận, đề nghị gửi Sở Tài chính' });
        assert.equal(refused.status, 303);
        assert.match(decodeURIComponent(refused.location ?? ''), /done=refuse&notice=sent/);
        assert.match((await clerk.get(refused.location!)).html, /Đã từ chối văn bản\. Thông báo từ chối đã được đưa vào hàng gửi đến bên gửi\./);
        const [notice] = (await sink!.waitFor(before + 1)).slice(before);
        assert.deepEqual(notice.envelope.to, [UNIT_SENDER]);
        assert.equal(notice.envelope.from, '', 'a notice goes from the null sender');
        assert.match(notice.parsed.subject ?? '', /^Từ chối tiếp nhận văn bản: Quyết định giao dự toán/);
        assert.match(notice.parsed.text ?? '', /Văn bản gửi nhầm nơi nhận, đề nghị gửi Sở Tài chính/);

        const strangerToken = await clerk.token(`/register/${fromStranger}`);
        const quiet = await clerk.post(`/register/${fromStranger}/status`, { _csrf: strangerToken, action: 'refuse', reason: 'Không rõ nguồn gửi' });
        assert.equal(quiet.status, 303);
        assert.match(decodeURIComponent(quiet.location ?? '').replace(/\+/g, ' '), /Người gửi không xác thực được/);
        const outbox = await withDatabase(env, (db) => db('outbox').where({ reference: fromStranger }).count({ n: '*' }));
        assert.equal(Number(outbox[0].n), 0, 'no backscatter to an unauthenticated stranger');
        const status = await clerk.post(`/register/${budget}/status`, { _csrf: token, action: 'accept' });
        assert.equal(status.status, 409, 'a refused document cannot be accepted');
      });

      await t.test('recall: needs what the sender asked, then nothing else', async () => {
        const token = await clerk.token(`/register/${flood}`);
        assertBadRequest(await clerk.post(`/register/${flood}/status`, { _csrf: token, action: 'recall', note: '' }), 'recall without a note', /Xin ghi nội dung thu hồi/);
        assert.equal((await clerk.post(`/register/${flood}/status`, { _csrf: token, action: 'recall', note: 'VP Tỉnh ủy gọi điện đề nghị thu hồi, sẽ gửi lại' })).status, 303);
        const page = await clerk.get(`/register/${flood}`);
        assert.match(page.html, /doc-status-recalled">Thu hồi/);
        assert.match(page.html, /không còn thao tác nào/);
        assert.equal((await clerk.post(`/register/${flood}/status`, { _csrf: token, action: 'recall', note: 'lần nữa' })).status, 409);
      });

      await t.test('CSRF: an action without the token is refused and changes nothing', async () => {
        const res = await clerk.post(`/register/${unsigned}/status`, { action: 'recall', note: 'x' });
        assert.equal(res.status, 403);
        assert.match(res.html, /Biểu mẫu đã hết hạn hoặc không hợp lệ/);
        const statuses = await withDatabase(env, (db) => db('document_status_history').where({ document_id: unsigned }).orderBy('id').pluck('status'));
        assert.deepEqual(statuses, ['đã đến', 'từ chối']);
      });

      await t.test('registering by hand takes the next số đến; the form explains its mistakes', async () => {
        const form = await clerk.get('/register/new');
        assert.equal(form.status, 200);
        const token = await clerk.token('/register/new');
        const bad = await clerk.post('/register/new', { _csrf: token, received_at: '2026-13-01T08:00', channel: 'Bồ câu', sender_unit: '', sender_name: '', trich_yeu: '', urgency: 'Rất gấp', issue_date: '31/02/2026' });
        assert.equal(bad.status, 400);
        for (const message of ['Xin nhập thời điểm nhận văn bản', 'Xin chọn cách nhận văn bản', 'Xin chọn đơn vị gửi hoặc ghi tên nơi gửi', 'Ngày ban hành không hợp lệ', 'Xin nhập trích yếu', 'Xin chọn mức độ khẩn']) {
          assert.match(bad.html, new RegExp(message), message);
        }
        const future = await clerk.post('/register/new', { _csrf: token, received_at: '2099-01-01T08:00', channel: 'Fax', sender_name: 'Bộ Tài chính', trich_yeu: 'x', urgency: 'Khẩn' });
        assert.match(future.html, /không thể ở tương lai/);
        const now = new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 16);
        const created = await clerk.post('/register/new', {
          _csrf: token, received_at: now, channel: 'Văn bản giấy (bưu chính, chuyển tay)', sender_unit: '', sender_name: 'Bộ Tài chính',
          doc_number: '1234/BTC-NSNN', issue_date: today(), doc_type: 'Công văn', trich_yeu: 'Hướng dẫn xây dựng dự toán ngân sách năm 2027', urgency: 'Khẩn', note: 'Bản giấy, 3 trang',
        });
        assert.equal(created.status, 303);
        const id = /^\/register\/([0-9A-Z]{26})\?registered=1$/.exec(created.location ?? '')?.[1];
        assert.ok(id, created.location ?? '');
        const page = await clerk.get(created.location!);
        assert.match(page.html, /Đã đăng ký văn bản đến, số đến 4\/\d{4}\./, 'the next number after the three registered by mail');
        assert.match(page.html, /Văn thư nhập thủ công/);
        assert.match(page.html, /Văn thư vanthu đăng ký thủ công: nhận qua văn bản giấy \(bưu chính, chuyển tay\) từ Bộ Tài chính\. Ghi chú: Bản giấy, 3 trang/);
        assert.match(page.html, /Nhập thủ công/);
        assert.match(page.html, /Văn bản không đến qua thư điện tử/);
      });

      await t.test('pages: 50 a page, next and previous keep the filters and meet every document once', async () => {
        const token = await clerk.token('/register/new');
        const now = new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 16);
        for (let i = 1; i <= 55; i++) {
          const res = await clerk.post('/register/new', {
            _csrf: token, received_at: now, channel: 'Fax', sender_unit: 'so-tai-chinh', sender_name: '', doc_number: `${i}/STC-NS`,
            doc_type: 'Báo cáo', trich_yeu: `Báo cáo số liệu tuần ${i}`, urgency: i % 10 === 0 ? 'Thượng khẩn' : 'Bình thường', note: '',
          });
          assert.equal(res.status, 303);
        }
        const filter = `type=${encodeURIComponent('Báo cáo')}`;
        const first = await clerk.get(`/register?${filter}`);
        assert.match(first.html, /<strong>55<\/strong> văn bản khớp bộ lọc/);
        const page1 = listedIds(first.html);
        assert.equal(page1.length, 50);
        assert.equal(previousLink(first.html), null);
        const rowKinds = [...first.html.matchAll(/<tr class="register-row([^"]*)">/g)].map((m) => (m[1].includes('thuongkhan') ? 'urgent' : 'normal'));
        assert.deepEqual(rowKinds.slice(0, 5), Array(5).fill('urgent'), 'the five Thượng khẩn of the day first');
        assert.ok(!rowKinds.slice(5).includes('urgent'));
        const next = nextLink(first.html)!;
        assert.match(next, /type=B%C3%A1o\+c%C3%A1o|type=B%C3%A1o%20c%C3%A1o/);
        const second = await clerk.get(next);
        const page2 = listedIds(second.html);
        assert.equal(page2.length, 5);
        assert.equal(nextLink(second.html), null);
        assert.equal(new Set([...page1, ...page2]).size, 55, 'every document exactly once');
        const back = await clerk.get(previousLink(second.html)!);
        assert.deepEqual(listedIds(back.html), page1);
      });

      await t.test('roles: units cannot see the register, clerks not the admin pages, visitors must log in', async () => {
        const unit = await loggedIn(base, env, 'congan');
        for (const path of ['/register', `/register/${budget}`, `/register/${budget}/files/0`, `/register/${budget}/raw`, '/register/new']) {
          const res = await unit.get(path);
          assert.equal(res.status, 403, path);
          assert.match(res.html, /Không có quyền truy cập/, path);
        }
        const token = await unit.token('/invitations');
        assert.equal((await unit.post(`/register/${budget}/status`, { _csrf: token, action: 'accept' })).status, 403);
        assert.doesNotMatch((await unit.get('/invitations')).html, /Sổ văn bản đến/, 'no register link for a unit');
        const admin = await clerk.get('/admin/accounts');
        assert.equal(admin.status, 403, 'a clerk does not manage accounts');
        const visitor = await new WebClient(base).get('/register');
        assert.equal(visitor.status, 303);
        assert.match(visitor.location ?? '', /^\/login\?next=%2Fregister/);
      });

      await t.test('the chain of the register is intact after all of this', async () => {
        const result = await runScript('register', ['verify-chain'], env);
        assert.equal(result.code, 0, result.stderr);
        assert.match(result.stdout, /chain intact, \d+ links/);
      });
    } finally {
      await product?.stop();
      await sink?.close();
      await disposeEnv(env);
    }
  });
}
