// Bad and unusual input over a real SMTP socket: every message gets a clear 250 (registered or kept and
// refused with reasons, never a 5xx for content), the row says the same, and the product keeps answering.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type nodemailer from 'nodemailer';
import { PROBLEM_CODES } from '../mail-gateway/signature/problems';
import { DATABASE_KINDS } from './support/databases';
import { RunningProduct, startProduct } from './support/product';
import {
  composeMail, disposeEnv, openData, DocumentRow, DUPLICATE, Fixtures, gatewayEnv, GATEWAY, KEPT, pdfAttachment, prepareFixtures,
  REGISTERED, sendRaw, setHeader, sha256, smtpTransport, STRANGER, UNIT_SENDER, withDatabase,
} from './support/mail-samples';

let fixtures: Fixtures;
before(async () => {
  fixtures = await prepareFixtures();
});
after(() => fixtures?.dispose());

/** A message written by hand, CRLF line endings. */
const handMade = (headers: string[], body: string) => Buffer.from(`${headers.join('\r\n')}\r\n\r\n${body}\r\n`);
const basicHeaders = (subject: string) => [`From: ${UNIT_SENDER}`, `To: ${GATEWAY}`, `Subject: ${subject}`, `Message-ID: <${crypto.randomUUID()}@binhthuan.gov.vn>`];
const base64Lines = (data: Buffer) => data.toString('base64').replace(/.{76}/g, '$&\r\n');

/** Deterministic bytes of every value, CR and LF included. */
function garbage(size: number): Buffer {
  const blocks = [crypto.createHash('sha256').update('rac').digest()];
  while (blocks.length * 32 < size) blocks.push(crypto.createHash('sha256').update(blocks[blocks.length - 1]).digest());
  return Buffer.concat(blocks).subarray(0, size);
}

const PNG_1X1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const EMPTY_ZIP = Buffer.concat([Buffer.from('PK\x05\x06'), Buffer.alloc(18)]);
/** Only problem codes of the signature verifier (so neither NO_PDF nor a registration). */
const VERIFIER_CODES = new RegExp(`^(${PROBLEM_CODES.join('|')})(, (${PROBLEM_CODES.join('|')}))*$`);

for (const kind of DATABASE_KINDS) {
  describe(`${kind}: bad input`, () => {
    let env: Record<string, string>;
    let product: RunningProduct;
    let transport: nodemailer.Transporter;

    before(async () => {
      env = gatewayEnv(kind, fixtures.trustDir, 'bad-input');
      product = await startProduct(env);
      transport = smtpTransport(product.smtpPort);
    });
    after(async () => {
      transport?.close();
      await product?.stop();
      await disposeEnv(env);
    });

    const row = (id: string) => withDatabase(env, async (db) => (await db('documents').where({ id }).first()) as DocumentRow);
    const notices = (id: string) => withDatabase(env, async (db) =>
      (await db('outbox').where({ reference: id }).orderBy('id')).map((r: { kind: string; recipient: string }) => `${r.kind} ${r.recipient}`));
    const documentCount = () => withDatabase(env, async (db) => Number((await db('documents').count({ n: '*' }))[0].n));

    /** Sends `raw`, expects "kept, refused" with codes matching `codes`, a matching row and the right notice. */
    async function expectKept(raw: Buffer, codes: RegExp, from = UNIT_SENDER): Promise<DocumentRow> {
      const reply = await sendRaw(transport, raw, from);
      const [, replyCodes, id] = KEPT.exec(reply) ?? assert.fail(`expected kept and refused, got: ${reply}`);
      assert.match(replyCodes, codes);
      const kept = await row(id);
      assert.equal(kept.status, 'từ chối');
      assert.equal(kept.so_den, null);
      assert.deepEqual(JSON.parse(kept.problems).map((p: { code: string }) => p.code).join(', '), replyCodes);
      assert.ok(fs.existsSync(path.join(env.DATA_DIR, kept.raw_path)), 'raw message kept');
      assert.deepEqual(await notices(id), from === UNIT_SENDER ? [`notice.refused ${UNIT_SENDER}`] : [], 'notice only to a directory sender');
      return kept;
    }

    async function expectRegistered(raw: Buffer, from = UNIT_SENDER): Promise<DocumentRow> {
      const reply = await sendRaw(transport, raw, from);
      const [, soDen, id] = REGISTERED.exec(reply) ?? assert.fail(`expected registered, got: ${reply}`);
      const registered = await row(id);
      assert.equal(registered.status, 'đã đến');
      assert.equal(Number(registered.so_den), Number(soDen));
      assert.deepEqual(await notices(id), from === UNIT_SENDER ? [`notice.registered ${UNIT_SENDER}`] : []);
      return registered;
    }

    const signed = () => [pdfAttachment(fixtures.signedPdf)];

    it('malformed MIME is kept and refused: multipart cut off inside an attachment', async () => {
      const headers = [...basicHeaders('Đứt giữa chừng'), 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="ranh-gioi"'];
      const body = ['--ranh-gioi', 'Content-Type: text/plain; charset=utf-8', '', 'Kính gửi', '--ranh-gioi',
        'Content-Type: application/pdf; name="cv.pdf"', 'Content-Disposition: attachment; filename="cv.pdf"', 'Content-Transfer-Encoding: base64', '',
        base64Lines(fixtures.signedPdf.subarray(0, 3000))].join('\r\n');
      await expectKept(handMade(headers, body), /^MALFORMED_PDF$/);
    });

    it('malformed MIME is kept and refused: a text part whose boundary never closes', async () => {
      const headers = [...basicHeaders('Không đóng'), 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b1"'];
      await expectKept(handMade(headers, '--b1\r\nContent-Type: text/plain\r\n\r\nKinh gui'), /^NO_PDF$/);
    });

    it('malformed MIME is kept and refused: broken base64 in the PDF', async () => {
      const raw = await composeMail({ subject: 'Base64 hỏng', attachments: signed() });
      const start = raw.indexOf('JVBERi0'); // "%PDF-"
      assert.ok(start > 0);
      raw.write('*&^%$#@', start, 'latin1');
      await expectKept(raw, /^NOT_A_PDF$/);
    });

    it('malformed MIME is kept and refused: no header at all', async () => {
      await expectKept(Buffer.from('\r\nchi co noi dung, khong co tieu de\r\n'), /^NO_PDF$/);
    });

    it('malformed MIME is kept and refused: garbage bytes from a stranger (no notice)', async () => {
      await expectKept(garbage(8000), /^NO_PDF$/, STRANGER);
    });

    it('a 0-byte PDF is refused NOT_A_PDF', async () => {
      await expectKept(await composeMail({ subject: 'Rỗng', attachments: [pdfAttachment(Buffer.alloc(0), 'rong.pdf')] }), /^NOT_A_PDF$/);
    });

    it('a truncated signed PDF is refused with verifier problems, wherever it is cut', async () => {
      const pdf = fixtures.signedPdf;
      for (const length of [pdf.length - 10, pdf.length - 200, Math.floor(pdf.length / 2)]) {
        await expectKept(await composeMail({ subject: 'Cắt cụt', attachments: [pdfAttachment(pdf.subarray(0, length))] }), VERIFIER_CODES);
      }
    });

    it('plain text and a PNG named x.pdf are refused NOT_A_PDF', async () => {
      for (const content of [Buffer.from('Day khong phai PDF\r\n'), PNG_1X1]) {
        await expectKept(await composeMail({ subject: 'Giả PDF', attachments: [pdfAttachment(content, 'x.pdf')] }), /^NOT_A_PDF$/);
      }
    });

    it('a zip only, or a link only, is refused NO_PDF', async () => {
      const zip = { filename: 'ho-so.zip', content: EMPTY_ZIP, contentType: 'application/zip' };
      await expectKept(await composeMail({ subject: 'Hồ sơ nén', attachments: [zip] }), /^NO_PDF$/);
      const link = await composeMail({ from: STRANGER, subject: 'Văn bản', text: 'Tải văn bản tại https://drive.example.com/cv-12.pdf' });
      await expectKept(link, /^NO_PDF$/, STRANGER);
    });

    it('20 PDFs, the last one signed: registered, all 20 attachments recorded', async () => {
      const unsigned = Array.from({ length: 19 }, (_, i) => pdfAttachment(fixtures.unsignedPdf, `phu-luc-${i + 1}.pdf`));
      const main = pdfAttachment(fixtures.signedPdf, 'Công văn số 12.pdf'); // an RFC 2231 file name
      const registered = await expectRegistered(await composeMail({ subject: 'Nhiều tệp', attachments: [...unsigned, main] }));
      const attachments = await withDatabase(env, (db) => db('document_attachments').where({ document_id: registered.id }).orderBy('position'));
      assert.equal(attachments.length, 20);
      assert.deepEqual(attachments.map((a: { is_main: unknown }) => Boolean(a.is_main)), [...Array(19).fill(false), true]);
      assert.deepEqual(attachments.map((a: { filename: string }) => a.filename), [...unsigned, main].map((a) => a.filename));
      assert.equal(attachments[19].sha256, sha256(fixtures.signedPdf));
      assert.equal(attachments[19].verdict, 'valid');
    });

    it('bare LF line endings are accepted, and only CRLF.CRLF ends the data (no SMTP smuggling)', async () => {
      const smuggled = `MAIL FROM:<${STRANGER}>\nRCPT TO:<${GATEWAY}>\nDATA\nSubject: smuggled\n\nsmuggled`;
      const attempts = `Kinh gui\n.\n${smuggled}\n.\r\n${smuggled}\r\n.\n${smuggled}`;
      const crlf = await composeMail({ subject: 'Xuống dòng LF', text: 'CHO-CHEN', attachments: signed() });
      const data = crlf.toString('latin1').replace(/\r\n/g, '\n').replace('CHO-CHEN', attempts);
      const count = await documentCount();
      const smtp = await openData(product.smtpPort);
      let reply = '';
      try {
        smtp.write(Buffer.from(`${data}\r\n.\r\n`, 'latin1'));
        reply = (await smtp.reply()).raw;
        assert.equal((await smtp.command('QUIT')).code, 221, 'the reply after the message answers QUIT, not a smuggled command');
      } finally {
        smtp.destroy();
      }
      const [, , id] = REGISTERED.exec(reply) ?? assert.fail(`expected registered, got: ${reply}`);
      assert.equal(await documentCount(), count + 1);
      const registered = await row(id);
      assert.equal(registered.subject, 'Xuống dòng LF');
      const stored = fs.readFileSync(path.join(env.DATA_DIR, registered.raw_path), 'latin1');
      assert.equal(stored.split(`MAIL FROM:<${STRANGER}>`).length, 4, 'the three smuggling attempts are part of the stored message');
    });

    it('raw 8-bit UTF-8 headers: the Vietnamese subject is stored as written, the sender recognised', async () => {
      const subject = 'Công văn số 12 về việc tăng cường phòng chống lụt bão';
      const composed = setHeader(await composeMail({ attachments: signed() }), 'Subject', subject);
      const registered = await expectRegistered(setHeader(composed, 'From', `Văn phòng Tỉnh ủy <${UNIT_SENDER}>`));
      assert.equal(registered.subject, subject);
      assert.equal(registered.header_from, UNIT_SENDER);
      assert.equal(registered.unit_id, 'van-phong-tinh-uy');
    });

    it('RFC 2047 subjects (B and Q, folded) are stored decoded', async () => {
      const b = 'Giấy mời họp về công tác phòng chống thiên tai';
      const bRaw = setHeader(await composeMail({ attachments: signed() }), 'Subject', `=?UTF-8?B?${Buffer.from(b).toString('base64')}?=`);
      assert.equal((await expectRegistered(bRaw)).subject, b);
      const qRaw = setHeader(await composeMail({ attachments: signed() }), 'Subject', `=?UTF-8?Q?${qEncode('Báo cáo ')}?=\r\n =?UTF-8?Q?${qEncode('tình hình')}?=`);
      assert.equal((await expectRegistered(qRaw)).subject, 'Báo cáo tình hình');
    });

    it('"Hỏa tốc" in the subject makes the document Hỏa tốc', async () => {
      const registered = await expectRegistered(await composeMail({ subject: 'Hỏa tốc: Công văn số 12/VPTU', attachments: signed() }));
      assert.equal(registered.urgency, 'Hỏa tốc');
    });

    it('a resend of the same message answers with the first id and adds no row', async () => {
      const raw = await composeMail({ subject: 'Gửi hai lần', attachments: signed() });
      const first = await expectRegistered(raw);
      const count = await documentCount();
      const again = await sendRaw(transport, raw);
      assert.equal(DUPLICATE.exec(again)?.[1], first.id, again);
      assert.equal(await documentCount(), count);
      assert.deepEqual(await notices(first.id), [`notice.registered ${UNIT_SENDER}`], 'no second notice');
    });

    it('a message without Message-ID sent twice is registered twice', async () => {
      const raw = await composeMail({ subject: 'Không có Message-ID', attachments: signed(), messageId: null });
      assert.doesNotMatch(raw.toString('latin1'), /^Message-ID:/im);
      const first = await expectRegistered(raw);
      const second = await expectRegistered(raw);
      assert.notEqual(second.id, first.id);
      assert.equal(Number(second.so_den), Number(first.so_den) + 1);
      assert.equal(first.message_id, null);
    });
  });
}

/** RFC 2047 Q encoding of UTF-8 text. */
function qEncode(text: string): string {
  return [...Buffer.from(text)].map((byte) => {
    const char = String.fromCharCode(byte);
    if (char === ' ') return '_';
    return /[A-Za-z0-9]/.test(char) ? char : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }).join('');
}
