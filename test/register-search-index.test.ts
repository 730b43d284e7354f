// The register's indexed search (migration 20261124000000: FTS5 trigram on SQLite, pg_trgm on PostgreSQL) finds
// exactly what the plain search finds — `search_text LIKE '%word%'` for every word, in the list's order — on a
// generated register of a few thousand documents, for common, rare, short, numeric, wildcard and absent words,
// alone and with filters, page by page; and it follows documents written by the gateway's code, changed and
// deleted behind its back (the triggers).
import test from 'node:test';
import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import { prepareDatabase } from '../db/prepare';
import { registerDocument, RegisterInput, Urgency } from '../db/register/repository';
import { RegisterQuery, searchRegister, SEARCH_COUNT_LIMIT, searchTuning, trigramQuery } from '../db/register/search';
import { foldForSearch, searchTextOf } from '../db/register/search-text';
import { listUnits } from '../db/units/repository';
import { formatIsoVietnam, isoDateVietnam } from '../db/time';
import { DATABASE_KINDS, openTestDatabase } from './support/databases';
import { seededRandom as seeded } from '../scripts/bench-data';

const DOCUMENTS = 2500;
const DAY = 86_400_000;

const ACTIONS = ['Về việc triển khai', 'V/v báo cáo kết quả', 'Về việc góp ý dự thảo', 'V/v đề nghị hỗ trợ kinh phí', 'Về việc phê duyệt 100%', 'V/v cung cấp số_liệu'];
const TOPICS = ['công tác phòng, chống lụt bão', 'dịch bệnh trên cây thanh long', 'thu, chi ngân sách nhà nước', 'dự án đường ven biển ĐT.719B', 'giảm nghèo bền vững', 'Lễ hội Dinh Thầy Thím'];
const PLACES = ['trên địa bàn tỉnh', 'tại thành phố Phan Thiết', 'tại huyện Phú Quý', 'tại thị xã La Gi'];
const TYPES = ['Công văn', 'Báo cáo', 'Quyết định', 'Nghị quyết'];
const URGENCIES: Urgency[] = ['Bình thường', 'Khẩn', 'Thượng khẩn', 'Hỏa tốc'];

const ORDER = ['received_on', 'urgency_level', 'received_at', 'id'].map((column) => ({ column, order: 'desc' as const }));

/** The plain search: every filter and every word as `search_text LIKE`, in the list's order, all matches. */
async function plainSearch(db: Knex, query: RegisterQuery): Promise<string[]> {
  const builder = db('documents').select('id');
  if (query.receivedFrom) builder.where('received_on', '>=', query.receivedFrom);
  if (query.receivedTo) builder.where('received_on', '<=', query.receivedTo);
  if (query.status) builder.where('status', query.status);
  if (query.unitId) builder.where('unit_id', query.unitId);
  if (query.urgency) builder.where('urgency', query.urgency);
  if (query.docType) builder.where('doc_type', query.docType);
  for (const word of foldForSearch(query.text ?? '').split(' ').filter(Boolean).slice(0, 10)) {
    builder.whereRaw(`search_text LIKE ? ESCAPE '\\'`, [`%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`]);
  }
  return ((await builder.orderBy(ORDER)) as Array<{ id: string }>).map((r) => r.id);
}

/** Every page of the register's search, followed by its "next" cursors, and the first page's count. */
async function indexedSearch(db: Knex, query: RegisterQuery): Promise<{ ids: string[]; total: number; lowerBound: boolean }> {
  const ids: string[] = [];
  let page = await searchRegister(db, query, { limit: 50 });
  const { total, totalIsLowerBound } = page;
  for (;;) {
    ids.push(...page.items.map((d) => d.id));
    if (!page.next) break;
    page = await searchRegister(db, query, { limit: 50, after: page.next });
  }
  return { ids, total, lowerBound: totalIsLowerBound };
}

async function assertSame(db: Knex, query: RegisterQuery): Promise<void> {
  const expected = await plainSearch(db, query);
  const got = await indexedSearch(db, query);
  const label = JSON.stringify(query);
  assert.deepEqual(got.ids, expected, `${label}: pages differ from the plain search`);
  assert.equal(got.total, Math.min(expected.length, SEARCH_COUNT_LIMIT), `${label}: count`);
  assert.equal(got.lowerBound, expected.length > SEARCH_COUNT_LIMIT, `${label}: count is a lower bound`);
}

function input(fields: Partial<RegisterInput> & Pick<RegisterInput, 'receivedAt' | 'numbered'>): RegisterInput {
  return {
    intake: 'smtp', processingFrom: null, envelopeFrom: 'vptu@binhthuan.gov.vn', headerFrom: null, messageId: null, contentSha256: null,
    rawPath: null, rawSize: null, unitId: null, subject: null, urgency: 'Bình thường', docNumber: null, issueDate: null,
    docType: 'Công văn', trichYeu: null, verdict: 'valid', problems: [], warnings: [], verification: null, authResults: null,
    attachments: [], actor: 'gateway', ...fields,
  };
}

test('trigram query: every trigram of the words without wildcards, quoted', () => {
  assert.equal(trigramQuery(['lut', 'bao']), '"lut" AND "bao"');
  assert.equal(trigramQuery(['ab', '1%0', 'a_b']), null);
  assert.equal(trigramQuery(['12/"q']), '"12/" AND "2/""" AND "/""q"');
});

for (const kind of DATABASE_KINDS) {
  test(`indexed search equals the plain LIKE search on ${DOCUMENTS} documents (${kind})`, async () => {
    const t = await openTestDatabase(kind);
    try {
      const db = t.db;
      await prepareDatabase(db);
      const units = (await listUnits(db)).slice(0, 12);
      const random = seeded(kind === 'sqlite' ? 7 : 11);
      const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];
      const now = Date.parse('2026-11-20T03:00:00Z');
      // A few through the gateway's own code (one transaction each), the rest in bulk in the same row shape.
      const written: string[] = [];
      for (let i = 0; i < 40; i++) {
        const docNumber = `${i + 1}/BC-${pick(['STC', 'SNN', 'UBND'])}`;
        const result = await registerDocument(db, input({
          receivedAt: new Date(now - Math.floor(random() * 200) * DAY), numbered: true, unitId: pick(units).id, docNumber,
          trichYeu: `${pick(ACTIONS)} ${pick(TOPICS)} ${pick(PLACES)}`, subject: `Văn bản số ${docNumber}`, urgency: pick(URGENCIES), docType: pick(TYPES),
        }));
        written.push(result.id);
      }
      const template = (await db('documents').where({ id: written[0] }).first()) as Record<string, unknown>;
      const rows: Array<Record<string, unknown>> = [];
      for (let i = 0; i < DOCUMENTS - written.length; i++) {
        const receivedAt = new Date(now - Math.floor(random() * 400) * DAY - Math.floor(random() * DAY));
        const docNumber = random() < 0.9 ? `${1000 + i}/${pick(['QĐ', 'TB', 'KH'])}-${pick(['STC', 'SNN', 'VANPHO', 'CTY'])}` : null;
        const trichYeu = random() < 0.97 ? `${pick(ACTIONS)} ${pick(TOPICS)} ${pick(PLACES)}` : null;
        const subject = random() < 0.5 ? `Gửi văn bản ${docNumber ?? ''} ${pick(PLACES)}` : null;
        const urgency = pick(URGENCIES);
        const iso = formatIsoVietnam(receivedAt, true);
        rows.push({
          ...template,
          id: `01TEST${String(i).padStart(20, '0')}`,
          so_den: null, year: 2026, received_at: iso, received_on: isoDateVietnam(receivedAt), created_at: iso,
          unit_id: random() < 0.1 ? null : pick(units).id, urgency, urgency_level: URGENCIES.indexOf(urgency), doc_type: pick(TYPES),
          status: pick(['đã đến', 'hoàn thành', 'đang xử lý'] as const), doc_number: docNumber, doc_number_key: null, trich_yeu: trichYeu, subject,
          search_text: searchTextOf({ trichYeu, docNumber, subject }), message_id: null, delivery_key: null, content_sha256: null,
        });
      }
      await db.transaction(async (trx) => {
        await trx.batchInsert('documents', rows, kind === 'sqlite' ? 100 : 500);
      });
      if (kind === 'sqlite') await db.raw('PRAGMA optimize = 0x10002');
      else await db.raw('ANALYZE documents');

      const unit = units[0].id;
      const queries: RegisterQuery[] = [
        { text: 'lụt bão' }, { text: 'thanh long' }, { text: 'bao' }, { text: 'Lut' }, { text: 'ngân sách' }, { text: 'ĐT.719B' },
        { text: '1234/TB' }, { text: '1999/qđ-snn' }, { text: '7/BC' }, { text: 'xyzzy' }, { text: 'ng' }, { text: 'a' }, { text: '100%' },
        { text: 'số_liệu' }, { text: 'so_lieu' }, { text: '_' }, { text: 'phan thiet tinh' }, { text: 'vanpho' }, { text: 'bc-' }, { text: 'thầy thím phú quý' },
        { text: 'lụt', unitId: unit }, { text: 'ngân sách', status: 'hoàn thành', receivedFrom: '2026-03-01', receivedTo: '2026-09-30' },
        { text: 'thanh', urgency: 'Hỏa tốc' }, { text: 'x', docType: 'Nghị quyết' }, { text: 'stc', unitId: unit, status: 'đã đến' },
      ];
      for (const query of queries) await assertSame(db, query);
      // The same with "many candidates" from 20 on: the list read in order, the count on the index's text.
      const sparseCandidates = searchTuning.sparseCandidates;
      searchTuning.sparseCandidates = 20;
      try {
        for (const query of queries) await assertSame(db, query);
      } finally {
        searchTuning.sparseCandidates = sparseCandidates;
      }

      // Behind the application's back: a changed text and a deleted document are followed by the index.
      await db('documents').where({ id: written[1] }).update({ search_text: 'noi dung da doi xyzzy' });
      const bulkId = String(rows[0].id);
      const bulkText = String(rows[0].search_text).split(' ').find((w) => w.length > 4)!;
      await db('documents').where({ id: bulkId }).delete();
      await assertSame(db, { text: 'xyzzy' });
      assert.deepEqual((await searchRegister(db, { text: 'xyzzy' }, { limit: 50 })).items.map((d) => d.id), [written[1]]);
      await assertSame(db, { text: bulkText });
      for (const query of queries.slice(0, 6)) await assertSame(db, query);
    } finally {
      await t.dispose();
    }
  });
}
