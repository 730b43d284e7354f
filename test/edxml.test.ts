// The exchange format (QCVN 102:2016 edXML) over the real product, on SQLite and PostgreSQL: a signed document
// sent through the gateway's SMTP port exports as a package whose header carries the sender and receiver
// organ ids, số/ký hiệu, issue date, type, trích yếu, signer and urgency, and whose attachment decodes to the
// very bytes registered; the status message follows the clerk's actions (accept 03, forward 04, in progress
// 05, done 06, recall 13) and refusals (02); XML-special characters are escaped; only clerks and admins may
// export; unknown ids are 404 on the web and exit code 2 on the command line. Parsed back with a real parser.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { runScript, startProduct, RunningProduct } from './support/product';
import { DATABASE_KINDS, tempDir } from './support/databases';
import { loggedIn, WebClient } from './support/web-client';
import { disposeEnv, gatewayEnv, smtpTransport, UNIT_SENDER, withDatabase } from './support/mail-samples';
import { sendDocument } from './support/register-samples';
import { createTestPki, PERSON_NAME } from './support/pki';
import { makeDocumentPdf } from './support/document-pdf';
import { signPdf } from './support/pdf-signer';
import { element, escapeText, renderXml } from '../mail-gateway/edxml/xml';
import { loadConfig } from '../config';

const NAMESPACE = 'http://www.mic.gov.vn/TBT/QCVN_102_2016';
const SENDER_ORGAN_ID = '000.01.00.H11';
const SPECIAL_SUBJECT = 'phòng, chống lụt bão & triều cường <năm 2026> "khẩn" \'gấp\'';

interface Samples {
  trustDir: string;
  signedPdf: Buffer;
  unsignedPdf: Buffer;
}

let samples: Samples;

before(async () => {
  const pki = await createTestPki();
  const trustDir = tempDir('edxml-trust');
  await pki.writeTrustDir(trustDir);
  const unsigned = await makeDocumentPdf({ type: 'Công văn', number: '45/VPTU', subject: SPECIAL_SUBJECT });
  samples = {
    trustDir,
    signedPdf: await signPdf(await signPdf(unsigned, pki.person), pki.organization),
    unsignedPdf: await makeDocumentPdf({ type: 'Công văn', number: '77/VPTU', subject: 'đề nghị cung cấp số liệu' }),
  };
});

after(() => fs.rmSync(samples.trustDir, { recursive: true, force: true }));

const sha256 = (data: Buffer) => crypto.createHash('sha256').update(data).digest('hex');

const parser = new XMLParser({
  ignoreAttributes: false,
  parseTagValue: false,
  trimValues: false,
  htmlEntities: true,
  isArray: (name) => ['edXML:To', 'edXML:Reference', 'edXML:Attachment', 'edXML:TraceHeader'].includes(name),
});

/** The XML parsed with a real parser, after checking it is well-formed. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function parseXml(xml: string): any {
  assert.equal(XMLValidator.validate(xml), true, 'well-formed XML');
  return parser.parse(xml);
}

test('the XML writer escapes the five special characters and drops what XML cannot carry', () => {
  assert.equal(escapeText(`a&b<c>d"e'f`), 'a&amp;b&lt;c&gt;d&quot;e&apos;f');
  assert.equal(escapeText('x\u0001\u0008\u000b\u001fy\ud800z\uffff'), 'xyz', 'control characters, a lone surrogate, U+FFFF');
  assert.equal(escapeText('tab\tline\nemoji 😀'), 'tab\tline\nemoji 😀');
  const xml = renderXml(element('root', [element('a', 'x & <y>', { note: 'say "hi"\n' })]));
  assert.equal(XMLValidator.validate(xml), true);
  assert.deepEqual(parser.parse(xml).root.a, { '#text': 'x & <y>', '@_note': 'say "hi"\n' });
  assert.throws(() => element('bad name'), /not an XML name/);
});

test('our organ comes from EDXML_ORGAN_ID and EDXML_ORGAN_NAME; a malformed mã định danh is refused at start', () => {
  assert.equal(loadConfig({}).edxmlOrganId, '000.00.00.H11');
  const config = loadConfig({ EDXML_ORGAN_ID: '000.01.00.H11', EDXML_ORGAN_NAME: 'Văn phòng UBND tỉnh Bình Thuận' });
  assert.equal(config.edxmlOrganId, '000.01.00.H11');
  assert.equal(config.edxmlOrganName, 'Văn phòng UBND tỉnh Bình Thuận');
  for (const bad of ['H11', '000.00.00.H1', '000.00.00.h11', '000-00-00-H11']) {
    assert.throws(() => loadConfig({ EDXML_ORGAN_ID: bad }), /EDXML_ORGAN_ID/, bad);
  }
});

for (const kind of DATABASE_KINDS) {
  test(`${kind}: edXML package and status messages of a registered document, on the web and the command line`, async (t) => {
    const env: Record<string, string> = gatewayEnv(kind, samples.trustDir, 'edxml');
    let product: RunningProduct | null = null;
    try {
      product = await startProduct(env);
      const base = `http://127.0.0.1:${product.webPort}`;
      const transport = smtpTransport(product.smtpPort);
      const flood = await sendDocument(transport, { subject: 'HỎA TỐC - Công văn 45/VPTU', pdf: samples.signedPdf, filename: 'cv-45-lụt-bão.pdf' });
      const again = await sendDocument(transport, { subject: 'Công văn 45/VPTU (gửi lại)', pdf: samples.signedPdf });
      const unsigned = await sendDocument(transport, { subject: 'Đề nghị cung cấp số liệu', pdf: samples.unsignedPdf });
      transport.close();
      // The operator records the sender's mã định danh in the directory.
      await withDatabase(env, (db) => db('units').where({ id: 'van-phong-tinh-uy' }).update({ organ_id: SENDER_ORGAN_ID }));
      const stored = await withDatabase(env, async (db) => ({
        doc: await db('documents').where({ id: flood }).first('so_den', 'year', 'issue_date', 'trich_yeu'),
        attachment: await db('document_attachments').where({ document_id: flood }).first('stored_path', 'sha256'),
      }));
      const clerk = await loggedIn(base, env, 'vanthu');
      const statusCode = async (id: string, query = '') => {
        const res = await clerk.get(`/register/${id}/edxml/status${query}`);
        assert.equal(res.status, 200, `status of ${id}${query}: ${res.status}`);
        return parseXml(res.html)['edXML:edXML']['edXML:edXMLEnvelope']['edXML:edXMLHeader']['edXML:Status'];
      };

      await t.test('the package: header fields, the page link, escaping', async () => {
        const page = await clerk.get(`/register/${flood}`);
        assert.match(page.html, new RegExp(`href="/register/${flood}/edxml" download>Tải gói edXML`));
        const res = await clerk.get(`/register/${flood}/edxml`);
        assert.equal(res.status, 200);
        assert.equal(res.headers['content-type'], 'application/xml; charset=utf-8');
        assert.match(res.headers['content-disposition'] ?? '', new RegExp(`^attachment; filename="${stored.doc.so_den}-${stored.doc.year}\\.edxml"`));
        const root = parseXml(res.html)['edXML:edXML'];
        assert.equal(root['@_xmlns:edXML'], NAMESPACE);
        const header = root['edXML:edXMLEnvelope']['edXML:edXMLHeader']['edXML:MessageHeader'];
        assert.equal(header['edXML:From']['edXML:OrganId'], SENDER_ORGAN_ID);
        assert.equal(header['edXML:From']['edXML:OrganName'], 'Văn phòng Tỉnh ủy');
        assert.equal(header['edXML:From']['edXML:Email'], UNIT_SENDER);
        assert.equal(header['edXML:To'].length, 1);
        assert.equal(header['edXML:To'][0]['edXML:OrganId'], '000.00.00.H11', 'ours, from EDXML_ORGAN_ID');
        assert.equal(header['edXML:To'][0]['edXML:OrganName'], 'Ủy ban nhân dân tỉnh Bình Thuận');
        assert.equal(header['edXML:Code']['edXML:CodeNumber'], '45');
        assert.equal(header['edXML:Code']['edXML:CodeNotation'], 'VPTU');
        assert.match(stored.doc.issue_date, /^\d{4}-\d{2}-\d{2}$/);
        assert.equal(header['edXML:PromulgationInfo']['edXML:PromulgationDate'], stored.doc.issue_date);
        assert.equal(header['edXML:DocumentId'], `${SENDER_ORGAN_ID},${stored.doc.issue_date.replace(/-/g, '/')},45/VPTU`);
        assert.equal(header['edXML:DocumentType']['edXML:TypeName'], 'Công văn');
        assert.equal(header['edXML:SignerInfo']['edXML:FullName'], PERSON_NAME);
        assert.equal(header['edXML:OtherInfo']['edXML:Priority'], '3', 'Hỏa tốc');
        assert.equal(header['edXML:Subject'], stored.doc.trich_yeu);
        assert.ok(/[&<>"']/.test(stored.doc.trich_yeu), `the trích yếu keeps its special characters: ${stored.doc.trich_yeu}`);
        const rawSubject = /<edXML:Subject>([^<]*)<\/edXML:Subject>/.exec(res.html)?.[1] ?? '';
        assert.doesNotMatch(rawSubject, /[<>"']|&(?!amp;|lt;|gt;|quot;|apos;)/, 'escaped in the text');
        const trace = root['edXML:edXMLEnvelope']['edXML:edXMLHeader']['edXML:TraceHeaderList']['edXML:TraceHeader'];
        assert.match(trace[0]['edXML:Timestamp'], /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00$/);
      });

      await t.test('the attachment decodes to the registered PDF, byte for byte', async () => {
        const res = await clerk.get(`/register/${flood}/edxml`);
        const root = parseXml(res.html)['edXML:edXML'];
        const [reference] = root['edXML:edXMLEnvelope']['edXML:edXMLBody']['edXML:edXMLManifest']['edXML:Reference'];
        const [attachment] = root['edXML:AttachmentEncoded']['edXML:Attachment'];
        assert.equal(reference['edXML:ContentId'], `cid:${attachment['edXML:ContentId']}`);
        assert.equal(attachment['edXML:AttachmentName'], 'cv-45-lụt-bão.pdf');
        assert.equal(attachment['edXML:ContentType'], 'application/pdf');
        const bytes = Buffer.from(attachment['edXML:ContentTransferEncoded'], 'base64');
        assert.equal(sha256(bytes), stored.attachment.sha256);
        assert.equal(sha256(bytes), sha256(fs.readFileSync(path.join(env.DATA_DIR, stored.attachment.stored_path))));
        assert.deepEqual(bytes, samples.signedPdf);
      });

      await t.test('the status message follows the history: 01, 03, 04, 05, 06, then 13', async () => {
        const arrived = await statusCode(flood);
        assert.equal(arrived['edXML:StatusCode'], '01');
        assert.equal(arrived['edXML:ResponseFor']['edXML:OrganId'], SENDER_ORGAN_ID);
        assert.equal(arrived['edXML:ResponseFor']['edXML:Code'], '45/VPTU');
        assert.equal(arrived['edXML:ResponseFor']['edXML:DocumentId'], `${SENDER_ORGAN_ID},${stored.doc.issue_date.replace(/-/g, '/')},45/VPTU`);
        assert.equal(arrived['edXML:From']['edXML:OrganId'], '000.00.00.H11');
        assert.match(arrived['edXML:Timestamp'], /\+07:00$/);
        const token = await clerk.token(`/register/${flood}`);
        const act = async (form: Record<string, string>) => assert.equal((await clerk.post(`/register/${flood}/status`, { _csrf: token, ...form })).status, 303);
        const steps: Array<[Record<string, string>, string]> = [
          [{ action: 'accept' }, '03'],
          [{ action: 'forward', to_unit: 'so-tai-chinh', note: 'Chủ trì tham mưu' }, '04'],
          [{ action: 'in-progress' }, '05'],
          [{ action: 'done', note: 'Đã trả lời bằng Công văn 99/UBND' }, '06'],
          [{ action: 'recall', note: 'VP Tỉnh ủy đề nghị lấy lại' }, '13'],
        ];
        for (const [form, code] of steps) {
          await act(form);
          const status = await statusCode(flood);
          assert.equal(status['edXML:StatusCode'], code, `${form.action} → ${code}`);
          assert.equal(status['edXML:StaffInfo']['edXML:Staff'], 'vanthu');
        }
        assert.match((await statusCode(flood))['edXML:Description'], /VP Tỉnh ủy đề nghị lấy lại/);
        assert.equal((await statusCode(flood, '?code=03'))['edXML:StatusCode'], '03', 'an earlier entry by its code');
        assert.equal((await statusCode(flood, '?code=01'))['edXML:StatusCode'], '01');
        const never = await clerk.get(`/register/${flood}/edxml/status?code=02`);
        assert.equal(never.status, 404);
        assert.match(never.html, /chưa từng có trạng thái mã 02/);
        for (const bad of ['99', '1', 'x<y']) {
          const res = await clerk.get(`/register/${flood}/edxml/status?code=${encodeURIComponent(bad)}`);
          assert.equal(res.status, 400, bad);
          assert.match(res.html, /Mã trạng thái .* không hợp lệ/);
        }
      });

      await t.test('refused documents export as received; their status is 02', async () => {
        const token = await clerk.token(`/register/${again}`);
        assert.equal((await clerk.post(`/register/${again}/status`, { _csrf: token, action: 'refuse', reason: 'Văn bản gửi trùng' })).status, 303);
        const refused = await statusCode(again);
        assert.equal(refused['edXML:StatusCode'], '02');
        assert.match(refused['edXML:Description'], /^Từ chối tiếp nhận: Văn bản gửi trùng/);

        const kept = await statusCode(unsigned);
        assert.equal(kept['edXML:StatusCode'], '02', 'refused at arrival: no signature');
        const res = await clerk.get(`/register/${unsigned}/edxml`);
        assert.equal(res.status, 200);
        assert.match(res.headers['content-disposition'] ?? '', new RegExp(`filename="${unsigned}\\.edxml"`), 'no số đến: named by its id');
        const root = parseXml(res.html)['edXML:edXML'];
        assert.equal(root['edXML:edXMLEnvelope']['edXML:edXMLHeader']['edXML:MessageHeader']['edXML:Code']['edXML:CodeNumber'], '77');
        const [attachment] = root['edXML:AttachmentEncoded']['edXML:Attachment'];
        assert.deepEqual(Buffer.from(attachment['edXML:ContentTransferEncoded'], 'base64'), samples.unsignedPdf);
      });

      await t.test('only clerks and admins export; unknown ids are not found', async () => {
        const unit = await loggedIn(base, env, 'congan');
        for (const p of [`/register/${flood}/edxml`, `/register/${flood}/edxml/status`]) {
          const res = await unit.get(p);
          assert.equal(res.status, 403, p);
          assert.match(res.html, /Không có quyền truy cập/, p);
          const visitor = await new WebClient(base).get(p);
          assert.equal(visitor.status, 303, `visitor ${p}`);
          assert.match(visitor.location ?? '', /^\/login\?next=/);
        }
        for (const p of ['/register/01ARZ3NDEKTSV4RRFFQ69G5FAV/edxml', '/register/01ARZ3NDEKTSV4RRFFQ69G5FAV/edxml/status', '/register/KHONGCO/edxml', '/register/..%2f..%2fetc/edxml']) {
          const res = await clerk.get(p);
          assert.equal(res.status, 404, p);
          assert.match(res.html, /Không tìm thấy/, p);
        }
      });

      await t.test('the command line: the same package, to stdout or a file; the status; unknown ids exit 2', async () => {
        const web = (await clerk.get(`/register/${flood}/edxml`)).html;
        const out = await runScript('register', ['edxml', flood], env);
        assert.equal(out.code, 0, out.stderr);
        assert.equal(out.stdout, web, 'the same package as the website');
        const file = path.join(env.DATA_DIR, 'export.edxml');
        const written = await runScript('register', ['edxml', flood, '--out', file], env);
        assert.equal(written.code, 0, written.stderr);
        assert.equal(written.stdout, '');
        assert.equal(fs.readFileSync(file, 'utf8'), web);
        const status = await runScript('register', ['edxml-status', flood], env);
        assert.equal(status.code, 0, status.stderr);
        assert.equal(parseXml(status.stdout)['edXML:edXML']['edXML:edXMLEnvelope']['edXML:edXMLHeader']['edXML:Status']['edXML:StatusCode'], '13');
        const earlier = await runScript('register', ['edxml-status', flood, '--code', '05'], env);
        assert.equal(earlier.code, 0, earlier.stderr);
        assert.match(earlier.stdout, /<edXML:StatusCode>05<\/edXML:StatusCode>/);
        for (const args of [['edxml', '01ARZ3NDEKTSV4RRFFQ69G5FAV'], ['edxml-status', 'KHONGCO']]) {
          const missing = await runScript('register', args, env);
          assert.equal(missing.code, 2, args.join(' '));
          assert.match(missing.stderr, /không có văn bản mã .* \/ no document with id/);
          assert.equal(missing.stdout, '');
        }
        for (const args of [['edxml'], ['edxml', flood, '--out'], ['edxml-status', flood, '--code', '99'], ['edxml', flood, '--json']]) {
          const usage = await runScript('register', args, env);
          assert.equal(usage.code, 2, args.join(' '));
        }
      });

      await t.test('a stored file changed on disk is never exported', async () => {
        const storedPath = await withDatabase(env, (db) => db('document_attachments').where({ document_id: unsigned }).first('stored_path'));
        const file = path.join(env.DATA_DIR, storedPath.stored_path);
        fs.writeFileSync(file, Buffer.concat([fs.readFileSync(file), Buffer.from('%% changed\n')]));
        const cli = await runScript('register', ['edxml', unsigned], env);
        assert.equal(cli.code, 1);
        assert.match(cli.stderr, /đã bị thay đổi so với khi đăng ký/);
        assert.equal(cli.stdout, '');
        assert.equal((await clerk.get(`/register/${unsigned}/edxml`)).status, 500);
        assert.equal((await clerk.get(`/register/${unsigned}/edxml/status`)).status, 200, 'the status message needs no file');
      });
    } finally {
      await product?.stop();
      await disposeEnv(env);
    }
  });
}
