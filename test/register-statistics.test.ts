// The register's statistics (QĐ 3143 Điều 11) on SQLite and PostgreSQL: counts per unit, type, urgency,
// verdict, refusal reason and status equal what was registered; processing times count from the next office
// hours for a document received at night; the page draws SVG charts; CSV and .xlsx downloads read back with
// their Vietnamese headers and figures; units are refused; the quarterly report by a fake clock is made once
// per quarter (also by two jobs at once, and once for a quarter missed during an outage) and downloads.
import test from 'node:test';
import assert from 'node:assert/strict';
import readXlsxFile from 'read-excel-file/node';
import type { Knex } from 'knex';
import { loadConfig } from '../config';
import { openDatabase } from '../db/connection';
import { openPreparedDatabase } from '../db/prepare';
import { addStatus, registerDocument, RegisterInput } from '../db/register/repository';
import { registerStatistics } from '../db/register/statistics';
import { processingStartsAt } from '../mail-gateway/register/office-hours';
import { startQuarterlyReportJob, QuarterlyRun } from '../moihop-web/statistics/quarterly-report';
import { DATABASE_KINDS, freshDatabaseEnv, tempDir } from './support/databases';
import { disposeEnv } from './support/mail-samples';
import { runScript, startProduct, RunningProduct } from './support/product';
import { loggedIn } from './support/web-client';

const at = (iso: string) => new Date(iso);
const HOUR = 3_600_000;
const PERIOD = 'from=2026-10-01&to=2026-10-31';

function input(fields: Partial<RegisterInput> & Pick<RegisterInput, 'receivedAt' | 'numbered'>): RegisterInput {
  return {
    intake: 'smtp', processingFrom: null, envelopeFrom: 'vptu@binhthuan.gov.vn', headerFrom: null, messageId: null, contentSha256: null,
    rawPath: null, rawSize: null, unitId: null, subject: 'Văn bản thử', urgency: 'Bình thường', docNumber: null, issueDate: null,
    docType: 'Công văn', trichYeu: null, verdict: 'valid', problems: [], warnings: [], verification: null, authResults: null,
    attachments: [], actor: 'gateway', ...fields,
  };
}

const finding = (code: string) => ({ code, message: `Lý do ${code}` });

interface Fixture {
  unitA: { id: string; name: string };
  unitB: { id: string; name: string };
  ids: Record<string, string>;
}

/** Six documents of October 2026 (Vietnam days) and two just outside it. */
async function fillRegister(db: Knex, config: ReturnType<typeof loadConfig>): Promise<Fixture> {
  const [unitA, unitB] = (await db('units').select('id', 'name').orderBy('id').limit(2)) as Array<{ id: string; name: string }>;
  const ids: Record<string, string> = {};
  const register = async (name: string, fields: Parameters<typeof input>[0]) => {
    const processingFrom = processingStartsAt(fields.receivedAt, config);
    ids[name] = (await registerDocument(db, input({ processingFrom, ...fields }))).id;
  };
  // Monday 09:00, inside office hours: accepted 1 h 30 later, done the next day at 09:00.
  await register('urgentDone', { receivedAt: at('2026-10-05T09:00:00+07:00'), numbered: true, unitId: unitA.id, urgency: 'Hỏa tốc' });
  await addStatus(db, { documentId: ids.urgentDone, status: 'đã tiếp nhận', actor: 'vanthu', at: at('2026-10-05T10:30:00+07:00') });
  await addStatus(db, { documentId: ids.urgentDone, status: 'hoàn thành', actor: 'vanthu', at: at('2026-10-06T09:00:00+07:00') });
  // Saturday night: processing counts from Monday 07:00; accepted Monday 08:00 = 1 h, not 58 h.
  await register('nightDecision', { receivedAt: at('2026-10-03T22:00:00+07:00'), numbered: true, unitId: unitA.id, docType: 'Quyết định' });
  await addStatus(db, { documentId: ids.nightDecision, status: 'đã tiếp nhận', actor: 'vanthu', at: at('2026-10-05T08:00:00+07:00') });
  await register('unsigned', {
    receivedAt: at('2026-10-07T14:00:00+07:00'), numbered: false, unitId: unitB.id, urgency: 'Khẩn', verdict: 'unsigned', problems: [finding('NO_SIGNATURE')],
  });
  await register('forged', {
    receivedAt: at('2026-10-08T15:00:00+07:00'), numbered: false, unitId: null, envelopeFrom: 'someone@example.com', urgency: 'Thượng khẩn',
    docType: 'Giấy mời', verdict: 'invalid', problems: [finding('DIGEST_MISMATCH'), finding('UNTRUSTED_CHAIN'), finding('UNTRUSTED_CHAIN')],
  });
  await register('manualRefused', { receivedAt: at('2026-10-09T10:00:00+07:00'), numbered: true, unitId: unitB.id, intake: 'manual', verdict: null, actor: 'vanthu' });
  await addStatus(db, { documentId: ids.manualRefused, status: 'từ chối', actor: 'vanthu', note: 'Sai thẩm quyền', at: at('2026-10-09T11:00:00+07:00') });
  // 00:30 on 1 October in Vietnam is still 30 September in UTC: it belongs to October.
  await register('firstMinutes', { receivedAt: at('2026-10-01T00:30:00+07:00'), numbered: true, unitId: unitA.id });
  await register('september', { receivedAt: at('2026-09-30T23:30:00+07:00'), numbered: true, unitId: unitA.id });
  await register('november', { receivedAt: at('2026-11-02T09:00:00+07:00'), numbered: true, unitId: unitA.id });
  return { unitA, unitB, ids };
}

async function sheetsOf(content: Buffer): Promise<Map<string, unknown[][]>> {
  const sheets = await readXlsxFile(content);
  return new Map(sheets.map((s) => [s.sheet, s.data as unknown[][]]));
}

/** The row of `rows` whose first cell matching `label` is at `column`. */
const rowWith = (rows: unknown[][], column: number, label: string) => rows.find((r) => r[column] === label);

function parseCsv(body: Buffer): string[][] {
  const text = body.toString('utf8');
  assert.equal(text.charCodeAt(0), 0xfeff, 'UTF-8 BOM for Excel');
  return text.slice(1).trimEnd().split('\r\n').map((line) => [...line.matchAll(/("(?:[^"]|"")*"|[^,]*)(?:,|$)/g)]
    .slice(0, -1)
    .map((m) => (m[1].startsWith('"') ? m[1].slice(1, -1).replace(/""/g, '"') : m[1])));
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

for (const kind of DATABASE_KINDS) {
  test(`${kind}: register statistics, downloads and the quarterly report`, async (t) => {
    const env = freshDatabaseEnv(kind, tempDir(`stats-${kind}`));
    const config = loadConfig(env);
    const db = await openPreparedDatabase(config);
    let product: RunningProduct | null = null;
    try {
      const { unitA, unitB, ids } = await fillRegister(db, config);

      await t.test('counts per unit, type, urgency, verdict, reason and status are what was registered', async () => {
        const stats = await registerStatistics(db, { from: '2026-10-01', to: '2026-10-31' });
        assert.deepEqual(stats.totals, { received: 6, numbered: 4, referenceOnly: 2, refusedByClerk: 1 });
        assert.deepEqual(stats.byUnit.map((u) => [u.unitId, u.unitName, u.total, u.numbered]), [
          [unitA.id, unitA.name, 3, 3], [unitB.id, unitB.name, 2, 1], [null, null, 1, 0],
        ]);
        assert.deepEqual(stats.byType.map((x) => [x.docType, x.total, x.numbered]), [['Công văn', 4, 3], ['Giấy mời', 1, 0], ['Quyết định', 1, 1]]);
        assert.deepEqual(stats.byUrgency.map((x) => [x.urgency, x.total]), [['Hỏa tốc', 1], ['Thượng khẩn', 1], ['Khẩn', 1], ['Bình thường', 3]]);
        assert.deepEqual(stats.byVerdict.map((x) => [x.verdict, x.total, x.numbered]), [['valid', 3, 3], ['invalid', 1, 0], ['unsigned', 1, 0], [null, 1, 1]]);
        assert.deepEqual(stats.byStatus.filter((s) => s.total).map((s) => [s.status, s.total]), [['đã đến', 1], ['đã tiếp nhận', 1], ['hoàn thành', 1], ['từ chối', 3]]);
        assert.deepEqual(
          stats.refusalReasons.map((r) => [r.code, r.documents]).sort(),
          [['CLERK_REFUSED', 1], ['DIGEST_MISMATCH', 1], ['NO_SIGNATURE', 1], ['UNTRUSTED_CHAIN', 1]],
          'a reason given twice for one document counts it once',
        );
        assert.equal(stats.byStatus.length, 7, 'every status, zeros included');
        const september = await registerStatistics(db, { from: '2026-09-01', to: '2026-09-30' });
        assert.equal(september.totals.received, 1, '23:30 on 30 September (Vietnam) stays in September');
        assert.ok(ids.september && ids.november);
      });

      await t.test('processing times count from the next office-hours start for a document received at night', async () => {
        const night = processingStartsAt(at('2026-10-03T22:00:00+07:00'), config);
        assert.equal(night?.toISOString(), at('2026-10-05T07:00:00+07:00').toISOString(), 'Saturday night → Monday 07:00');
        const { processing } = await registerStatistics(db, { from: '2026-10-01', to: '2026-10-31' });
        assert.deepEqual(processing.toAccepted, { documents: 2, averageMs: 1.25 * HOUR, medianMs: 1.25 * HOUR, maxMs: 1.5 * HOUR });
        assert.deepEqual(processing.toDone, { documents: 1, averageMs: 24 * HOUR, medianMs: 24 * HOUR, maxMs: 24 * HOUR });
      });

      let q4ReportId = '';
      await t.test('quarterly report: a missed 20/9 once in October, nothing more before 20/12, exactly one at 20/12 00:00', async () => {
        let clock = at('2026-10-15T10:00:00+07:00');
        const secondDb = await openDatabase(config);
        const first = startQuarterlyReportJob(db, config, { now: () => clock });
        const second = startQuarterlyReportJob(secondDb, config, { now: () => clock });
        try {
          const october = await Promise.all([...Array(4)].flatMap(() => [first.runDue(clock), second.runDue(clock)]));
          assert.ok(october.every((r) => r.quarter === '2026-Q3'));
          const rows = async () => (await db('register_reports').select('period_key', 'period_from', 'period_to', 'status').orderBy('period_key')) as Array<Record<string, string>>;
          assert.deepEqual(await rows(), [{ period_key: '2026-Q3', period_from: '2026-06-20', period_to: '2026-09-19', status: 'ready' }]);

          clock = at('2026-12-19T23:59:59+07:00');
          const before = await Promise.all([first.runDue(clock), second.runDue(clock), first.runDue(clock)]);
          assert.ok(before.every((r) => r.outcome === 'skipped' && r.quarter === '2026-Q3'), 'nothing for Q4 before 20/12');
          assert.equal((await rows()).length, 1);

          clock = at('2026-12-20T00:00:00+07:00');
          const runs: QuarterlyRun[] = await Promise.all([...Array(5)].flatMap(() => [first.runDue(clock), second.runDue(clock)]));
          const generated = runs.filter((r) => r.outcome === 'generated');
          assert.equal(generated.length, 1, 'one generation between two jobs called ten times');
          assert.ok(runs.every((r) => r.quarter === '2026-Q4'));
          clock = at('2026-12-28T08:00:00+07:00');
          assert.equal((await first.runDue(clock)).outcome, 'skipped', 'not replayed later in the quarter');
          assert.deepEqual((await rows()).map((r) => [r.period_key, r.period_from, r.period_to]), [
            ['2026-Q3', '2026-06-20', '2026-09-19'], ['2026-Q4', '2026-09-20', '2026-12-19'],
          ]);
          q4ReportId = (generated[0] as Extract<QuarterlyRun, { outcome: 'generated' }>).reportId;
        } finally {
          await first.stop();
          await second.stop();
          await secondDb.destroy();
        }
        const stored = (await db('register_reports').where({ id: q4ReportId }).first('content', 'documents')) as { content: Buffer; documents: number };
        assert.equal(Number(stored.documents), 8, 'Q4 from 20/9 to 19/12: the one of 30 September, six of October, one of November');
        const sheets = await sheetsOf(Buffer.from(stored.content));
        assert.deepEqual(rowWith(sheets.get('Tổng hợp')!, 0, 'Tổng số văn bản đến'), ['Tổng số văn bản đến', 8]);
        const q3 = (await db('register_reports').where({ period_key: '2026-Q3' }).first('documents')) as { documents: number };
        assert.equal(Number(q3.documents), 0, 'the 30 September document is after the Q3 cut-off (19/9): it opens Q4, no day is left out');
      });

      await t.test('the command line prints the same statistics', async () => {
        const json = await runScript('register', ['stats', '--from', '2026-10-01', '--to', '31/10/2026', '--json'], env);
        assert.equal(json.code, 0, json.stderr);
        const stats = JSON.parse(json.stdout) as { totals: Record<string, number>; byUnit: Array<{ unitId: string | null; total: number }> };
        assert.deepEqual(stats.totals, { received: 6, numbered: 4, referenceOnly: 2, refusedByClerk: 1 });
        assert.deepEqual(stats.byUnit.map((u) => u.total), [3, 2, 1]);
        const text = await runScript('register', ['stats', '--from', '2026-10-01', '--to', '2026-10-31'], env);
        assert.match(text.stdout, /== Theo độ khẩn ==\nĐộ khẩn \| Tổng số văn bản đến/);
        const bad = await runScript('register', ['stats', '--from', '2026-10-01'], env);
        assert.notEqual(bad.code, 0);
        assert.match(bad.stderr, /--from và --to/);
      });

      product = await startProduct(env);
      const base = `http://127.0.0.1:${product.webPort}`;
      const clerk = await loggedIn(base, env, 'vanthu');

      await t.test('the page shows the tables, SVG bar charts with text, quick picks and the kept reports', async () => {
        const page = await clerk.get(`/register/statistics?${PERIOD}`);
        assert.equal(page.status, 200);
        assert.match(page.html, /<h1>Thống kê văn bản đến<\/h1>/);
        assert.match(page.html, /<strong>6<\/strong> văn bản đến/);
        assert.match(page.html, /<svg class="bar-chart" id="chart-units" role="img" aria-labelledby="chart-units-title chart-units-desc"/);
        assert.match(page.html, new RegExp(`<desc id="chart-units-desc">${escapeRegExp(unitA.name.replace(/&/g, '&amp;'))}: 3 văn bản`));
        assert.match(page.html, /<rect class="chart-bar"/);
        assert.doesNotMatch(page.html, /<script|style="/, 'nothing the CSP would block');
        assert.match(page.html, /Quý này \(Quý [IV]+\/\d{4}\)/);
        assert.match(page.html, /Lý do từ chối/);
        assert.match(page.html, /Văn bản không có chữ ký số<\/td><td><code>NO_SIGNATURE<\/code><\/td><td class="num">1</);
        assert.match(page.html, /Văn thư từ chối sau khi xem xét/);
        assert.match(page.html, /<td>Tiếp nhận<\/td><td class="num">2<\/td><td class="num">1 giờ 15 phút<\/td>/);
        assert.match(page.html, new RegExp(`href="/register/reports/${q4ReportId}.xlsx" download>bao-cao-thong-ke-van-ban-den-2026-quy-4.xlsx`));
        const list = await clerk.get('/register');
        assert.match(list.html, /href="\/register\/statistics">Thống kê</, 'linked from the register list');
        const bad = await clerk.get('/register/statistics?from=2026-02-30');
        assert.equal(bad.status, 400);
        assert.match(bad.html, /không phải một ngày hợp lệ/);
        assert.equal((await clerk.get(`/register/statistics?${PERIOD}&format=pdf`)).status, 400);
      });

      await t.test('CSV and .xlsx downloads read back with Vietnamese headers and the figures', async () => {
        const csv = await clerk.get(`/register/statistics.csv?${PERIOD}`);
        assert.equal(csv.status, 200);
        assert.match(String(csv.headers['content-type']), /^text\/csv/);
        assert.match(String(csv.headers['content-disposition']), /thong-ke-van-ban-den-2026-10-01-2026-10-31-don-vi\.csv/);
        const rows = parseCsv(csv.body);
        assert.deepEqual(rows[0], ['STT', 'Đơn vị gửi', 'Mã đơn vị', 'Tổng số văn bản đến', 'Vào sổ (có số đến)', 'Không vào sổ (chỉ tham khảo)']);
        assert.deepEqual(rows[1].slice(2), [unitA.id, '3', '3', '0']);
        assert.deepEqual(rows[2].slice(2), [unitB.id, '2', '1', '1']);
        const reasons = parseCsv((await clerk.get(`/register/statistics?${PERIOD}&format=csv&table=ly-do`)).body);
        assert.deepEqual(reasons[0], ['Mã lý do', 'Lý do từ chối', 'Số văn bản']);
        assert.equal(reasons.length, 5);
        assert.equal((await clerk.get(`/register/statistics.csv?${PERIOD}&table=khong-co`)).status, 400);

        const xlsx = await clerk.get(`/register/statistics.xlsx?${PERIOD}`);
        assert.equal(xlsx.status, 200);
        const sheets = await sheetsOf(xlsx.body);
        assert.deepEqual([...sheets.keys()], ['Tổng hợp', 'Theo đơn vị gửi', 'Theo loại văn bản', 'Theo độ khẩn', 'Theo chữ ký số', 'Lý do từ chối', 'Theo trạng thái', 'Thời gian xử lý']);
        assert.deepEqual(sheets.get('Theo độ khẩn'), [
          ['Độ khẩn', 'Tổng số văn bản đến', 'Vào sổ (có số đến)', 'Không vào sổ (chỉ tham khảo)'],
          ['Hỏa tốc', 1, 1, 0], ['Thượng khẩn', 1, 0, 1], ['Khẩn', 1, 0, 1], ['Bình thường', 3, 3, 0],
        ]);
        assert.deepEqual(rowWith(sheets.get('Theo chữ ký số')!, 0, 'Không có chữ ký số'), ['Không có chữ ký số', 1, 0, 1]);
        assert.deepEqual(rowWith(sheets.get('Theo trạng thái')!, 0, 'Từ chối'), ['Từ chối', 3]);
        assert.deepEqual(sheets.get('Thời gian xử lý')![1].slice(0, 5), ['Tiếp nhận', 2, 1.25, 1.25, 1.5]);
        assert.deepEqual(rowWith(sheets.get('Theo đơn vị gửi')!, 1, unitB.name)?.slice(3), [2, 1, 1]);
      });

      await t.test('the kept quarterly report downloads', async () => {
        const res = await clerk.get(`/register/reports/${q4ReportId}.xlsx`);
        assert.equal(res.status, 200);
        assert.match(String(res.headers['content-disposition']), /bao-cao-thong-ke-van-ban-den-2026-quy-4\.xlsx/);
        const sheets = await sheetsOf(res.body);
        assert.match(String(sheets.get('Tổng hợp')![1][1]), /Quý IV\/2026/);
        assert.deepEqual(rowWith(sheets.get('Tổng hợp')!, 0, 'Đến hết ngày'), ['Đến hết ngày', '19/12/2026']);
        assert.equal((await clerk.get('/register/reports/01ARZ3NDEKTSV4RRFFQ69G5FAV.xlsx')).status, 404);
      });

      await t.test('unit accounts are refused', async () => {
        const unit = await loggedIn(base, env, 'congan');
        for (const path of [`/register/statistics?${PERIOD}`, `/register/statistics.csv?${PERIOD}`, `/register/statistics.xlsx`, `/register/reports/${q4ReportId}.xlsx`]) {
          const res = await unit.get(path);
          assert.equal(res.status, 403, path);
          assert.doesNotMatch(res.html, /bar-chart|Tổng số văn bản đến/);
        }
      });
    } finally {
      await product?.stop();
      await db.destroy();
      await disposeEnv(env);
    }
  });
}
