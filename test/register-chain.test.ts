// The register's hash chain on SQLite and PostgreSQL: every registration and status change is chained in
// its own transaction; editing, deleting or slipping in a row behind the application's back is reported at
// the first broken link (by verifyChain and by `register -- verify-chain`, exit 1); the migration's
// back-fill chains a register that existed before the chain did.
import test from 'node:test';
import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import { DATABASE_KINDS, openTestDatabase } from './support/databases';
import { runScript } from './support/product';
import { prepareDatabase } from '../db/prepare';
import { addStatus, recordRecall, registerDocument, RegisterInput } from '../db/register/repository';
import { ChainBreak, verifyChain } from '../db/register/chain';
import { MIGRATIONS } from '../db/migrations';

function input(overrides: Partial<RegisterInput> = {}): RegisterInput {
  return {
    numbered: true, intake: 'smtp', receivedAt: new Date(), processingFrom: null, envelopeFrom: 'vptu@binhthuan.gov.vn', headerFrom: 'vptu@binhthuan.gov.vn',
    messageId: null, contentSha256: 'ab'.repeat(32), rawPath: 'mail/2026/11/x.eml', rawSize: 1234, unitId: 'van-phong-tinh-uy', subject: 'Công văn',
    urgency: 'Bình thường', docNumber: '45/VPTU', issueDate: '2026-11-23', docType: 'Công văn', trichYeu: 'Về phòng, chống lụt bão', verdict: 'valid',
    problems: [], warnings: [], verification: null, authResults: { spf: 'none' },
    attachments: [{ filename: 'cv.pdf', contentType: 'application/pdf', size: 100, sha256: 'cd'.repeat(32), storedPath: 'attachments/x', isMain: true, verdict: 'valid' }],
    actor: 'gateway', ...overrides,
  };
}

async function fillRegister(db: Knex): Promise<{ first: string; second: string; refused: string }> {
  const first = (await registerDocument(db, input({ urgency: 'Hỏa tốc' }))).id;
  const second = (await registerDocument(db, input({ docNumber: '46/VPTU', trichYeu: 'Về dự toán ngân sách' }))).id;
  const refused = (await registerDocument(db, input({ numbered: false, verdict: 'unsigned', problems: [{ code: 'NO_SIGNATURE', message: 'Không có chữ ký số' }] }))).id;
  await addStatus(db, { documentId: first, status: 'đã tiếp nhận', actor: 'vanthu' });
  await addStatus(db, { documentId: first, status: 'đã chuyển xử lý', actor: 'vanthu', note: 'Chuyển đến: Sở Tài chính' });
  await addStatus(db, { documentId: second, status: 'từ chối', actor: 'vanthu', note: 'Gửi nhầm' });
  await recordRecall(db, { documentId: second, actor: 'vanthu', note: 'Bên gửi yêu cầu thu hồi', at: new Date() });
  return { first, second, refused };
}

function brokenAt(result: Awaited<ReturnType<typeof verifyChain>>): ChainBreak {
  assert.equal(result.intact, false, 'the chain must be reported broken');
  return (result as { firstBreak: ChainBreak }).firstBreak;
}

async function linkOf(db: Knex, kind: string, refId: string): Promise<number> {
  const row = await db('register_chain').where({ kind, ref_id: refId }).first('seq');
  return Number(row.seq);
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: the chain covers every registration and status change and finds the first edited row`, async (t) => {
    const test = await openTestDatabase(kind);
    const { db, env } = test;
    try {
      await prepareDatabase(db);
      const { first, second, refused } = await fillRegister(db);
      const history = (await db('document_status_history').orderBy('id')) as Array<{ id: number; document_id: string; note: string | null; status: string; at: unknown; actor: string }>;

      await t.test('intact: one link per document and per status change', async () => {
        const result = await verifyChain(db);
        assert.equal(result.intact, true, JSON.stringify(result));
        assert.equal(result.links, 3 + history.length);
        const command = await runScript('register', ['verify-chain'], env);
        assert.equal(command.code, 0, command.stderr);
        assert.match(command.stdout, new RegExp(`chain intact, ${3 + history.length} links`));
      });

      await t.test('an edited trích yếu breaks the chain at that document', async () => {
        await db('documents').where({ id: second }).update({ trich_yeu: 'Nội dung đã bị sửa' });
        const at = brokenAt(await verifyChain(db));
        assert.deepEqual([at.seq, at.kind, at.refId], [await linkOf(db, 'document', second), 'document', second]);
        assert.match(at.reason, /đã bị sửa sau khi ghi sổ/);
        const command = await runScript('register', ['verify-chain'], env);
        assert.equal(command.code, 1);
        assert.match(command.stdout, new RegExp(`chain broken at link ${at.seq} \\(document ${second}\\)`));
        await db('documents').where({ id: second }).update({ trich_yeu: 'Về dự toán ngân sách' });
        assert.equal((await verifyChain(db)).intact, true, 'restored: intact again');
      });

      await t.test('an edited history note, actor or time breaks it at that status change', async () => {
        const forward = history.find((h) => h.status === 'đã chuyển xử lý')!;
        for (const change of [{ note: 'Chuyển đến: nơi khác' }, { actor: 'ai-do' }, { at: '2020-01-01T00:00:00.000+07:00' }]) {
          const original = await db('document_status_history').where({ id: forward.id }).first();
          await db('document_status_history').where({ id: forward.id }).update(change);
          const at = brokenAt(await verifyChain(db));
          assert.deepEqual([at.kind, at.refId], ['status', String(forward.id)], JSON.stringify(change));
          await db('document_status_history').where({ id: forward.id }).update({ note: original.note, actor: original.actor, at: original.at });
        }
        assert.equal((await verifyChain(db)).intact, true);
      });

      await t.test('a deleted status change, an edited link, a removed last link are found', async () => {
        const refusal = history.find((h) => h.document_id === refused && h.status === 'từ chối')!;
        const row = await db('document_status_history').where({ id: refusal.id }).first();
        await db('document_status_history').where({ id: refusal.id }).delete();
        assert.match(brokenAt(await verifyChain(db)).reason, /đã bị xóa khỏi cơ sở dữ liệu/);
        await db('document_status_history').insert(row);
        assert.equal((await verifyChain(db)).intact, true);

        const seq = await linkOf(db, 'document', first);
        const link = await db('register_chain').where({ seq }).first();
        await db('register_chain').where({ seq }).update({ payload_hash: 'f'.repeat(64) });
        const edited = brokenAt(await verifyChain(db));
        assert.equal(edited.seq, seq);
        assert.match(edited.reason, /bị sửa/);
        await db('register_chain').where({ seq }).update({ payload_hash: link.payload_hash });

        const last = await db('register_chain').orderBy('seq', 'desc').first();
        await db('register_chain').where({ seq: last.seq }).delete();
        assert.match(brokenAt(await verifyChain(db)).reason, /đầu chuỗi|chain head/);
        await db('register_chain').insert(last);
        assert.equal((await verifyChain(db)).intact, true);
      });

      await t.test('a row slipped in or a status column changed outside the application is found', async () => {
        const original = await db('documents').where({ id: first }).first();
        await db('documents').insert({ ...original, id: '01ARZ3NDEKTSV4RRFFQ69G5FAV', so_den: 99, delivery_key: null });
        const slipped = brokenAt(await verifyChain(db));
        assert.deepEqual([slipped.seq, slipped.kind, slipped.refId], [null, 'document', '01ARZ3NDEKTSV4RRFFQ69G5FAV']);
        assert.match(slipped.reason, /không có trong chuỗi/);
        await db('documents').where({ id: '01ARZ3NDEKTSV4RRFFQ69G5FAV' }).delete();

        await db('documents').where({ id: first }).update({ status: 'hoàn thành' });
        const status = brokenAt(await verifyChain(db));
        assert.equal(status.refId, first);
        assert.match(status.reason, /có trạng thái "hoàn thành" nhưng lịch sử ghi "đã chuyển xử lý"/);
        await db('documents').where({ id: first }).update({ status: 'đã chuyển xử lý' });
        assert.equal((await verifyChain(db)).intact, true);
      });

      await t.test("the migration's back-fill chains a register that existed before the chain", async () => {
        const before = await verifyChain(db);
        const migration = MIGRATIONS.find((m) => m.name === '20261123180000_register_screens')!;
        await migration.down(db);
        await migration.up(db);
        const after = await verifyChain(db);
        assert.equal(after.intact, true, JSON.stringify(after));
        assert.equal(after.links, before.links);
        // And the application goes on appending to the back-filled chain.
        await addStatus(db, { documentId: first, status: 'đang xử lý', actor: 'vanthu' });
        assert.equal((await verifyChain(db)).intact, true);
      });
    } finally {
      await test.dispose();
    }
  });
}
