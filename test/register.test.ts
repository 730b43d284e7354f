// The incoming register's data layer on SQLite and on PostgreSQL: số đến allocation under concurrency,
// refusals, duplicate deliveries, recalls, listing order and all-or-nothing registration.
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { openDatabase } from '../db/connection';
import { prepareDatabase } from '../db/prepare';
import { listUnits, Unit } from '../db/units/repository';
import {
  addStatus, countDocuments, docNumberKey, findDuplicateDelivery, findRegisteredByNumber, getDocument, listDocuments,
  recordRecall, RegisterError, registerDocument, RegisterInput, Urgency,
} from '../db/register/repository';
import type { VerificationReport } from '../mail-gateway/signature/verify-pdf';
import { setLogLevel } from '../log';
import { DATABASE_KINDS, DatabaseKind, openTestDatabase, TestDatabase } from './support/databases';

setLogLevel('warn');

const sha256 = (text: string) => crypto.createHash('sha256').update(text).digest('hex');

const REPORT: VerificationReport = {
  file: 'cv-123-stc.pdf',
  verdict: 'valid',
  problems: [],
  warnings: [{ code: 'SIGNING_DATE_MISMATCH', message: 'Ngày ký số khác ngày ban hành ghi trên văn bản: ký 24/11/2026, ban hành 23/11/2026' }],
  signatures: [{
    index: 0, fieldName: 'Signature1', subFilter: 'adbe.pkcs7.detached',
    signer: { commonName: 'Nguyễn Văn A', organization: 'Sở Tài chính', serialNumber: 'CMND:123' },
    kind: 'person', signingTime: '2026-11-24T08:00:00+07:00', coversWholeFile: false, intact: true, trusted: true,
    certValidAtSigningTime: true,
    details: {
      subject: 'CN=Nguyễn Văn A', issuer: 'CN=CA phục vụ các cơ quan Đảng và Nhà nước', certificateSerial: '01ab',
      certificateValidFrom: '2025-01-01T00:00:00+07:00', certificateValidTo: '2030-01-01T00:00:00+07:00', chain: ['CN=RootCA'],
      digestAlgorithm: 'SHA-256', timestamped: false, reason: null, location: 'Bình Thuận', byteRange: [0, 10, 20, 30],
      signedRevision: 1, changesAfterSigning: [],
    },
  }],
  document: { number: '123/STC-NS', issueDate: '2026-11-23', type: 'Công văn', subject: 'V/v quyết toán ngân sách năm 2026', urgency: null },
};

let sequence = 0;

/** A valid incoming mail from `sender`; every call is a distinct delivery unless told otherwise. */
function mail(sender: Unit | null, overrides: Partial<RegisterInput> = {}): RegisterInput {
  sequence += 1;
  const body = `message ${sequence} ${crypto.randomUUID()}`;
  return {
    numbered: true,
    intake: 'smtp',
    receivedAt: new Date('2026-11-23T09:15:00+07:00'),
    processingFrom: null,
    envelopeFrom: sender?.emails[0] ?? 'unknown@example.com',
    headerFrom: sender ? `${sender.name} <${sender.emails[0]}>` : 'Người lạ <unknown@example.com>',
    messageId: `<${sequence}.${crypto.randomUUID()}@binhthuan.gov.vn>`,
    contentSha256: sha256(body),
    rawPath: `mail/2026/11/23/${sequence}.eml`,
    rawSize: body.length,
    unitId: sender?.id ?? null,
    subject: 'Công văn số 123/STC-NS',
    urgency: 'Bình thường',
    docNumber: `${sequence}/STC-NS`,
    issueDate: '2026-11-23',
    docType: 'Công văn',
    trichYeu: 'V/v quyết toán ngân sách năm 2026',
    verdict: 'valid',
    problems: [],
    warnings: [],
    verification: REPORT,
    authResults: { spf: 'pass', dkim: 'pass', dmarc: 'pass' },
    attachments: [{
      filename: 'cv-123-stc.pdf', contentType: 'application/pdf', size: 48213, sha256: sha256(`pdf ${sequence}`),
      storedPath: `attachments/${sequence}/cv-123-stc.pdf`, isMain: true, verdict: 'valid',
    }],
    actor: 'gateway',
    ...overrides,
  };
}

const refused = (sender: Unit | null, overrides: Partial<RegisterInput> = {}) => mail(sender, {
  numbered: false,
  verdict: 'unsigned',
  problems: [{ code: 'NO_SIGNATURE', message: 'Văn bản không có chữ ký số: tệp cv.pdf', signature: null }],
  ...overrides,
});

async function withRegister(kind: DatabaseKind, body: (t: TestDatabase, senders: Unit[]) => Promise<void>): Promise<void> {
  const t = await openTestDatabase(kind);
  try {
    await prepareDatabase(t.db);
    const senders = (await listUnits(t.db)).filter((u) => u.emails.length > 0).slice(0, 20);
    await body(t, senders);
  } finally {
    await t.dispose();
  }
}

/** Separate connection pools on the same database, as several gateway processes would have. */
async function openGatewayProcesses(t: TestDatabase, count: number): Promise<Knex[]> {
  return Promise.all(Array.from({ length: count }, () => openDatabase(t.config)));
}

async function counterOf(db: Knex, year: number): Promise<number | null> {
  const row = await db('register_counters').where({ year }).first('last_so_den');
  return row ? Number(row.last_so_den) : null;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

for (const kind of DATABASE_KINDS) {
  test(`${kind}: số đến runs 1, 2, 3… within a Vietnam calendar year and restarts at 1 in the next`, async () => {
    await withRegister(kind, async ({ db }, [sender]) => {
      const at = (iso: string) => ({ receivedAt: new Date(iso) });
      const results = [];
      results.push(await registerDocument(db, mail(sender, at('2026-01-02T08:00:00+07:00'))));
      results.push(await registerDocument(db, mail(sender, at('2026-06-15T10:00:00+07:00'))));
      results.push(await registerDocument(db, refused(sender, at('2026-06-15T10:05:00+07:00'))));
      // 23:30 on 31/12 in Vietnam is still 2026; 00:10 on 1/1 is 2027 although it is 31/12 in UTC.
      results.push(await registerDocument(db, mail(sender, at('2026-12-31T23:30:00+07:00'))));
      results.push(await registerDocument(db, mail(sender, at('2027-01-01T00:10:00+07:00'))));
      results.push(await registerDocument(db, mail(sender, at('2027-01-05T09:00:00+07:00'))));
      assert.deepEqual(results.map((r) => [r.year, r.soDen, r.duplicate]), [
        [2026, 1, false], [2026, 2, false], [2026, null, false], [2026, 3, false], [2027, 1, false], [2027, 2, false],
      ]);
      assert.equal(new Set(results.map((r) => r.id)).size, results.length);
      assert.equal(await counterOf(db, 2026), 3);
      assert.equal(await counterOf(db, 2027), 2);
    });
  });

  test(`${kind}: 200 mails from 20 senders at once through 4 gateway processes get số đến 1..200, no gap, no repeat`, async (ctx) => {
    await withRegister(kind, async (t, senders) => {
      const processes = await openGatewayProcesses(t, 4);
      try {
        const jobs = senders.flatMap((sender, s) => {
          const db = processes[s % processes.length];
          // Each sender also sends one refusal: it is stored but must not take a number.
          return [
            ...range(1, 10).map(() => registerDocument(db, mail(sender))),
            registerDocument(db, refused(sender)),
          ];
        });
        const results = await Promise.all(jobs);
        const numbers = results.map((r) => r.soDen).filter((n): n is number => n !== null).sort((a, b) => a - b);
        assert.deepEqual(numbers, range(1, 200));
        assert.equal(results.filter((r) => r.soDen === null).length, 20);
        assert.equal(await countDocuments(t.db, { year: 2026 }), 220);
        assert.equal(await countDocuments(t.db, { status: 'từ chối' }), 20);
        assert.equal(await counterOf(t.db, 2026), 200);
        const stored = await t.db('documents').whereNotNull('so_den').pluck('so_den');
        assert.deepEqual(stored.map(Number).sort((a, b) => a - b), range(1, 200));
        const [{ n: historyRows }] = await t.db('document_status_history').count({ n: '*' });
        assert.equal(Number(historyRows), 200 + 20 * 2);
        ctx.diagnostic(`${kind}: ${results.length} registrations over ${processes.length} connection pools`);
      } finally {
        await Promise.all(processes.map((db) => db.destroy()));
      }
    });
  });

  test(`${kind}: a refused message is kept unnumbered, reference only, with status từ chối and its reasons`, async () => {
    await withRegister(kind, async ({ db }, [sender]) => {
      const input = refused(sender, {
        problems: [
          { code: 'NO_SIGNATURE', message: 'Văn bản không có chữ ký số: tệp cv.pdf', signature: null },
          { code: 'MISSING_ORGANIZATION_SIGNATURE', message: 'Thiếu chữ ký số của cơ quan, tổ chức', signature: null },
        ],
        registeredAt: new Date('2026-11-23T09:15:02+07:00'),
      });
      const result = await registerDocument(db, input);
      assert.equal(result.soDen, null);
      const record = (await getDocument(db, result.id))!;
      assert.equal(record.status, 'từ chối');
      assert.equal(record.referenceOnly, true);
      assert.equal(record.soDen, null);
      assert.deepEqual(record.problems, input.problems);
      assert.deepEqual(record.history.map((h) => [h.status, h.actor]), [['đã đến', 'gateway'], ['từ chối', 'gateway']]);
      assert.equal(record.history[1].note, 'Văn bản không có chữ ký số: tệp cv.pdf; Thiếu chữ ký số của cơ quan, tổ chức');
      assert.equal(record.history[1].at.getTime(), new Date('2026-11-23T09:15:02+07:00').getTime());
      assert.equal(await counterOf(db, 2026), null, 'a refusal takes no số đến');
      // A mail without any PDF is refused the same way, with no verdict and no report.
      const noPdf = await registerDocument(db, refused(sender, {
        verdict: null, verification: null, attachments: [],
        problems: [{ code: 'NO_PDF', message: 'Thư không có tệp PDF văn bản' }],
      }));
      const noPdfRecord = (await getDocument(db, noPdf.id))!;
      assert.deepEqual([noPdfRecord.verdict, noPdfRecord.verification, noPdfRecord.attachments], [null, null, []]);
      await assert.rejects(registerDocument(db, refused(sender, { problems: [] })), (err: unknown) => err instanceof RegisterError && err.code === 'INVALID_INPUT');
    });
  });

  test(`${kind}: a full record reads back exactly as registered`, async () => {
    await withRegister(kind, async ({ db, kind: dbKind }, [sender]) => {
      const input = mail(sender, {
        receivedAt: new Date('2026-11-21T19:40:12.345+07:00'),
        processingFrom: new Date('2026-11-23T07:00:00+07:00'),
        urgency: 'Thượng khẩn',
        docNumber: '123/STC-NS',
        warnings: [{ code: 'SIGNING_DATE_MISMATCH', message: REPORT.warnings[0].message }],
        attachments: [
          { filename: 'cv-123-stc.pdf', contentType: 'application/pdf', size: 48213, sha256: sha256('main'), storedPath: 'a/1/cv-123-stc.pdf', isMain: true, verdict: 'valid' },
          { filename: 'Phụ lục số liệu.xlsx', contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', size: 9120, sha256: sha256('xlsx'), storedPath: null, isMain: false, verdict: null },
        ],
        registeredAt: new Date('2026-11-21T19:40:13+07:00'),
      });
      const { id, soDen, year } = await registerDocument(db, input);
      assert.match(id, /^[0-9A-HJKMNP-TV-Z]{26}$/);
      const record = (await getDocument(db, id))!;
      assert.deepEqual(
        { ...record, receivedAt: record.receivedAt.getTime(), processingFrom: record.processingFrom?.getTime(), createdAt: record.createdAt.getTime() },
        {
          id, year, soDen, receivedAt: input.receivedAt.getTime(), processingFrom: input.processingFrom!.getTime(), intake: 'smtp',
          envelopeFrom: sender.emails[0], headerFrom: input.headerFrom, messageId: input.messageId, contentSha256: input.contentSha256,
          rawPath: input.rawPath, rawSize: input.rawSize, unitId: sender.id, subject: input.subject, urgency: 'Thượng khẩn',
          docNumber: '123/STC-NS', issueDate: '2026-11-23', docType: 'Công văn', trichYeu: input.trichYeu, verdict: 'valid',
          problems: [], warnings: input.warnings, status: 'đã đến', referenceOnly: false, recalledAt: null,
          createdAt: new Date('2026-11-21T19:40:13+07:00').getTime(),
          verification: REPORT, authResults: input.authResults,
          attachments: input.attachments.map((a, position) => ({ position, ...a })),
          history: [{ status: 'đã đến', at: input.receivedAt, actor: 'gateway', note: null }],
        },
      );
      assert.equal(await getDocument(db, 'KHONGCO'), null);
      if (dbKind === 'sqlite') {
        const raw = await db('documents').where({ id }).first('received_at', 'processing_from', 'received_on');
        assert.deepEqual(raw, { received_at: '2026-11-21T19:40:12.345+07:00', processing_from: '2026-11-23T07:00:00.000+07:00', received_on: '2026-11-21' });
      }
    });
  });

  test(`${kind}: the same delivery re-sent is recognised and answered with the first id; no Message-ID, no duplicate`, async () => {
    await withRegister(kind, async ({ db }, [sender, other]) => {
      const first = mail(sender);
      const registered = await registerDocument(db, first);
      const lookup = { envelopeFrom: first.envelopeFrom, messageId: first.messageId, contentSha256: first.contentSha256 };
      assert.equal((await findDuplicateDelivery(db, lookup))?.id, registered.id);
      assert.equal((await findDuplicateDelivery(db, { ...lookup, envelopeFrom: first.envelopeFrom!.toUpperCase() }))?.id, registered.id);
      assert.equal(await findDuplicateDelivery(db, { ...lookup, contentSha256: sha256('changed') }), null);
      assert.equal(await findDuplicateDelivery(db, { ...lookup, envelopeFrom: other.emails[0] }), null);
      assert.equal(await findDuplicateDelivery(db, { ...lookup, messageId: '<other@binhthuan.gov.vn>' }), null);

      // Re-sent after a lost connection: same sender, Message-ID and content, a new receipt time.
      const again = await registerDocument(db, { ...first, receivedAt: new Date('2026-11-23T09:20:00+07:00') });
      assert.deepEqual(again, { ...registered, duplicate: true });
      assert.equal(await countDocuments(db), 1);
      assert.equal(await counterOf(db, 2026), 1, 'the duplicate consumed no số đến');

      // Without a Message-ID nothing is a duplicate, not even identical content.
      const anonymous = mail(sender, { messageId: null, contentSha256: sha256('same content') });
      const a = await registerDocument(db, anonymous);
      const b = await registerDocument(db, { ...anonymous });
      assert.notEqual(a.id, b.id);
      assert.deepEqual([a.soDen, b.soDen], [2, 3]);
      assert.equal(await findDuplicateDelivery(db, { envelopeFrom: anonymous.envelopeFrom, messageId: null, contentSha256: anonymous.contentSha256 }), null);
    });
  });

  test(`${kind}: the same delivery arriving in several processes at once is registered once`, async () => {
    await withRegister(kind, async (t, [sender]) => {
      const processes = await openGatewayProcesses(t, 4);
      try {
        const delivery = mail(sender);
        const results = await Promise.all(processes.flatMap((db) => [registerDocument(db, delivery), registerDocument(db, delivery)]));
        assert.equal(new Set(results.map((r) => r.id)).size, 1);
        assert.equal(results.filter((r) => !r.duplicate).length, 1);
        assert.ok(results.every((r) => r.soDen === 1));
        assert.equal(await countDocuments(t.db), 1);
        assert.equal((await registerDocument(t.db, mail(sender))).soDen, 2, 'the losers left no gap');
      } finally {
        await Promise.all(processes.map((db) => db.destroy()));
      }
    });
  });

  test(`${kind}: registered numbers are found per sender, compared as printed; refusals are not in the register`, async () => {
    await withRegister(kind, async ({ db }, [sender, other]) => {
      const original = await registerDocument(db, mail(sender, { docNumber: '45/QĐ-UBND' }));
      await registerDocument(db, refused(sender, { docNumber: '45/QĐ-UBND' }));
      await registerDocument(db, mail(other, { docNumber: '45/QĐ-UBND' }));
      const unknownSender = await registerDocument(db, mail(null, { docNumber: '7/CV' }));

      const byUnit = await findRegisteredByNumber(db, { unitId: sender.id, docNumber: '45 / qđ-ubnd' });
      assert.deepEqual(byUnit.map((d) => d.id), [original.id]);
      const bySender = await findRegisteredByNumber(db, { sender: sender.emails[0].toUpperCase(), docNumber: '45/QĐ-UBND' });
      assert.deepEqual(bySender.map((d) => d.id), [original.id]);
      assert.deepEqual((await findRegisteredByNumber(db, { sender: 'Unknown@Example.com', docNumber: '7/cv' })).map((d) => d.id), [unknownSender.id]);
      assert.deepEqual(await findRegisteredByNumber(db, { unitId: sender.id, docNumber: '46/QĐ-UBND' }), []);
      assert.deepEqual(await findRegisteredByNumber(db, { docNumber: '45/QĐ-UBND' }), [], 'no sender, no match');

      // The second registration of the same number is allowed; the caller stores the warning with it.
      const second = await registerDocument(db, mail(sender, {
        docNumber: '45/QĐ-UBND',
        warnings: [{ code: 'DUPLICATE_NUMBER', message: `Trùng số, ký hiệu với văn bản đã đăng ký số đến ${original.soDen}/${original.year}` }],
      }));
      assert.deepEqual((await findRegisteredByNumber(db, { unitId: sender.id, docNumber: '45/QĐ-UBND' })).map((d) => d.id), [original.id, second.id]);
      assert.equal(docNumberKey('  12 / qđ-ubnd '), '12/QĐ-UBND');
    });
  });

  test(`${kind}: a recall marks the document thu hồi and keeps it, its attachments and its history`, async () => {
    await withRegister(kind, async ({ db }, [sender]) => {
      const { id } = await registerDocument(db, mail(sender, { docNumber: '88/STC-NS' }));
      await addStatus(db, { documentId: id, status: 'đã tiếp nhận', actor: 'vanthu.nguyen', note: null, at: new Date('2026-11-23T09:30:00+07:00') });
      const before = (await getDocument(db, id))!;

      const [target] = await findRegisteredByNumber(db, { unitId: sender.id, docNumber: '88/STC-NS' });
      const recallAt = new Date('2026-11-23T14:05:00+07:00');
      const note = 'Thu hồi theo thư của Sở Tài chính ngày 23/11/2026';
      assert.deepEqual(await recordRecall(db, { documentId: target.id, actor: 'gateway', note, at: recallAt }), { recalled: true });

      const after = (await getDocument(db, id))!;
      assert.equal(after.status, 'thu hồi');
      assert.equal(after.recalledAt?.getTime(), recallAt.getTime());
      assert.equal(after.soDen, before.soDen, 'the số đến stays taken');
      assert.deepEqual(after.attachments, before.attachments);
      assert.deepEqual(after.verification, before.verification);
      assert.deepEqual(after.history.slice(0, 2), before.history);
      assert.deepEqual(after.history.map((h) => [h.status, h.actor, h.note]), [
        ['đã đến', 'gateway', null], ['đã tiếp nhận', 'vanthu.nguyen', null], ['thu hồi', 'gateway', note],
      ]);

      // A recall mail re-sent changes nothing; a recalled document takes no further status.
      assert.deepEqual(await recordRecall(db, { documentId: id, actor: 'gateway', note, at: new Date('2026-11-23T15:00:00+07:00') }), { recalled: false });
      assert.equal((await getDocument(db, id))!.history.length, 3);
      const code = (expected: string) => (err: unknown) => err instanceof RegisterError && err.code === expected;
      await assert.rejects(addStatus(db, { documentId: id, status: 'đang xử lý', actor: 'vanthu.nguyen' }), code('RECALLED'));
      await assert.rejects(addStatus(db, { documentId: id, status: 'thu hồi', actor: 'vanthu.nguyen' }), code('INVALID_INPUT'));
      await assert.rejects(recordRecall(db, { documentId: 'KHONGCO', actor: 'gateway', note: null, at: recallAt }), code('NOT_FOUND'));
      await assert.rejects(addStatus(db, { documentId: 'KHONGCO', status: 'hoàn thành', actor: 'vanthu.nguyen' }), code('NOT_FOUND'));
    });
  });

  test(`${kind}: the list goes by day of arrival in Vietnam, then Hỏa tốc > Thượng khẩn > Khẩn > Bình thường, then số đến`, async () => {
    await withRegister(kind, async ({ db }, [sender]) => {
      const add = async (iso: string, urgency: Urgency, numbered = true) => {
        const input = numbered ? mail(sender, { receivedAt: new Date(iso), urgency }) : refused(sender, { receivedAt: new Date(iso), urgency });
        return (await registerDocument(db, input)).id;
      };
      const d1 = await add('2026-11-23T08:00:00+07:00', 'Bình thường'); // số 1
      const d2 = await add('2026-11-23T08:05:00+07:00', 'Hỏa tốc'); // số 2
      const d3 = await add('2026-11-23T09:00:00+07:00', 'Khẩn'); // số 3
      const d4 = await add('2026-11-23T10:00:00+07:00', 'Thượng khẩn'); // số 4
      const d5 = await add('2026-11-23T23:50:00+07:00', 'Hỏa tốc'); // số 5, late on the 23rd
      const r1 = await add('2026-11-23T07:00:00+07:00', 'Hỏa tốc', false); // refused, no số
      // 00:30 on the 24th in Vietnam is still the 23rd in UTC: it belongs to the 24th.
      const e1 = await add('2026-11-24T00:30:00+07:00', 'Bình thường'); // số 6
      const e2 = await add('2026-11-24T08:00:00+07:00', 'Khẩn'); // số 7
      const older = await add('2026-11-20T16:00:00+07:00', 'Hỏa tốc'); // số 8, arrived earlier, registered late

      const newest = (await listDocuments(db)).map((d) => d.id);
      assert.deepEqual(newest, [e2, e1, d2, d5, r1, d4, d3, d1, older]);
      const oldest = (await listDocuments(db, { order: 'oldest' })).map((d) => d.id);
      assert.deepEqual(oldest, [older, d2, d5, r1, d4, d3, d1, e2, e1]);
      assert.deepEqual((await listDocuments(db, { limit: 3, offset: 2 })).map((d) => d.id), [d2, d5, r1]);
      assert.deepEqual((await listDocuments(db, { status: 'từ chối' })).map((d) => d.id), [r1]);
      assert.deepEqual(await listDocuments(db, { year: 2025 }), []);
      assert.equal(await countDocuments(db, { year: 2026 }), 9);
    });
  });

  test(`${kind}: a registration that fails half-way leaves nothing behind and uses no số đến`, async () => {
    await withRegister(kind, async ({ db }, [sender]) => {
      const first = await registerDocument(db, mail(sender));
      assert.equal(first.soDen, 1);
      const broken = mail(sender);
      // The second attachment violates NOT NULL: the document row and the counter were already written.
      broken.attachments.push({ ...broken.attachments[0], filename: null as unknown as string });
      await assert.rejects(registerDocument(db, broken));
      await assert.rejects(registerDocument(db, refused(sender, { attachments: broken.attachments })));
      // A unit that does not exist violates the foreign key.
      await assert.rejects(registerDocument(db, mail(sender, { unitId: 'khong-co-don-vi-nay' })));
      // Work joined to the registration (the sender's notice) fails: the registration goes with it.
      let sawRegistration: unknown = null;
      await assert.rejects(registerDocument(db, mail(sender, {
        withRegistration: async (trx, registered) => {
          sawRegistration = registered;
          await trx('outbox').insert({ kind: 'notice.registered' });
        },
      })));
      assert.equal((sawRegistration as { soDen: number } | null)?.soDen, 2, 'the joined work sees the new số đến');

      assert.equal(await countDocuments(db), 1);
      const [{ n: attachments }] = await db('document_attachments').count({ n: '*' });
      const [{ n: history }] = await db('document_status_history').count({ n: '*' });
      assert.deepEqual([Number(attachments), Number(history)], [1, 1]);
      assert.equal(Number((await db('outbox').count({ n: '*' }))[0].n), 0);
      assert.equal(await counterOf(db, 2026), 1);
      assert.equal(await findDuplicateDelivery(db, broken), null, 'the failed delivery can be retried');
      assert.equal((await registerDocument(db, mail(sender))).soDen, 2);
      const retried = await registerDocument(db, { ...broken, attachments: broken.attachments.slice(0, 1) });
      assert.deepEqual([retried.soDen, retried.duplicate], [3, false]);
    });
  });
}
