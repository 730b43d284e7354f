// The signature verifier against PDFs and a PKI generated here: good documents, certificate problems,
// every known attack, hostile files. Each problem code is seen at least once.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { loadTrustStore, verifyPdf, PROBLEM_CODES, toContractJson, TrustStore, VerificationReport } from '../mail-gateway/signature';
import { makeFixtureSet, Manifest } from '../scripts/make-test-pdfs';
import { createTestPki, TestPki } from './support/pki';
import { makeDocumentPdf } from './support/document-pdf';
import { signPdf } from './support/pdf-signer';
import { tempDir } from './support/databases';
import { runScript } from './support/product';

let dir: string;
let manifest: Manifest;
let trust: TrustStore;
let pki: TestPki;
const seenCodes = new Set<string>();

function verifyFile(file: string, at?: Date): VerificationReport {
  const report = verifyPdf(fs.readFileSync(path.join(dir, file)), { trust, file, at });
  for (const p of report.problems) seenCodes.add(p.code);
  return report;
}

before(async () => {
  dir = tempDir('verify-fixtures');
  pki = await createTestPki();
  manifest = await makeFixtureSet(dir, { pki });
  trust = loadTrustStore(path.join(dir, 'trust'));
});

after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('every generated fixture gets the verdict and problems its manifest expects', () => {
  const failures: string[] = [];
  for (const [file, expected] of Object.entries(manifest.files)) {
    const report = verifyFile(file);
    const codes = [...new Set(report.problems.map((p) => p.code))].sort();
    if (expected.verdict && report.verdict !== expected.verdict) failures.push(`${file}: verdict ${report.verdict}, expected ${expected.verdict} (${codes.join(',')})`);
    if (expected.verdict_not && report.verdict === expected.verdict_not) failures.push(`${file}: must not be ${expected.verdict_not}`);
    if (expected.problems_exactly && codes.join(',') !== [...expected.problems_exactly].sort().join(',')) {
      failures.push(`${file}: problems ${codes.join(',') || '(none)'}, expected exactly ${expected.problems_exactly.join(',') || '(none)'}: ${report.problems.map((p) => p.message).join(' | ')}`);
    }
    if (expected.problems_any_of && !expected.problems_any_of.some((c) => codes.includes(c))) {
      failures.push(`${file}: problems ${codes.join(',') || '(none)'}, expected one of ${expected.problems_any_of.join(',')}`);
    }
    if (expected.signatures !== undefined && expected.signatures > 0 && report.signatures.length !== expected.signatures) {
      failures.push(`${file}: ${report.signatures.length} signatures, expected ${expected.signatures}`);
    }
  }
  assert.deepEqual(failures, []);
});

test('a good document: both signatures intact, trusted, person then organisation, metadata read from page 1', () => {
  const report = verifyFile('valid-two-signatures.pdf');
  assert.equal(report.verdict, 'valid');
  assert.deepEqual(report.problems, []);
  assert.equal(report.signatures.length, 2);
  const [person, seal] = report.signatures;
  assert.equal(person.kind, 'person');
  assert.equal(person.signer.commonName, 'Nguyễn Văn An');
  assert.equal(person.coversWholeFile, false);
  assert.equal(seal.kind, 'organization');
  assert.equal(seal.signer.commonName, 'Sở Tài chính tỉnh Bình Thuận');
  assert.equal(seal.coversWholeFile, true);
  for (const s of report.signatures) {
    assert.equal(s.intact, true);
    assert.equal(s.trusted, true);
    assert.equal(s.certValidAtSigningTime, true);
    assert.match(s.signingTime ?? '', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00$/);
  }
  assert.equal(report.document.number, '123/STC-NS');
  assert.match(report.document.issueDate ?? '', /^\d{4}-\d{2}-\d{2}$/);
  assert.equal(report.document.type, 'Công văn');
  assert.ok(report.document.subject && report.document.subject.length > 5, `subject read: ${report.document.subject}`);
  assert.deepEqual(report.warnings.map((w) => w.code).filter((c) => c !== 'NO_TIMESTAMP'), []);
});

test('a Giấy mời: type and number from its title block', () => {
  const report = verifyFile('valid-giay-moi-sha512.pdf');
  assert.equal(report.verdict, 'valid');
  assert.equal(report.document.type, 'Giấy mời');
  assert.equal(report.document.number, '456/GM-STC');
});

test('a signed file cut short inside its last signature update is reported as damaged, not as unsealed', () => {
  const whole = fs.readFileSync(path.join(dir, 'valid-two-signatures.pdf'));
  for (const cut of [200, 2000]) {
    const report = verifyPdf(whole.subarray(0, whole.length - cut), { trust });
    assert.equal(report.verdict, 'invalid');
    assert.equal(report.problems[0].code, 'MALFORMED_PDF', `cut ${cut}: ${report.problems.map((p) => p.code).join(',')}`);
  }
});

test('the urgency mark printed on page 1 is read, body words are not', async () => {
  const marked = await makeDocumentPdf({ extraText: [{ text: 'HỎA TỐC', x: 60, y: 150, size: 13 }], body: 'Đề nghị khẩn trương thực hiện.' });
  assert.equal(verifyPdf(marked, { trust }).document.urgency, 'Hỏa tốc');
  const plain = await makeDocumentPdf({ body: 'Đề nghị khẩn trương thực hiện; trường hợp khẩn cấp báo ngay.' });
  assert.equal(verifyPdf(plain, { trust }).document.urgency, null);
});

test('the signing date must equal the issue date printed on the document (warning)', async () => {
  const issued = await makeDocumentPdf({ type: 'Công văn', number: '77/STC-NS', issueDate: '2026-01-05' });
  const signingTime = new Date(pki.now.getTime() - 2 * 86400_000);
  const signed = await signPdf(await signPdf(issued, pki.person, { signingTime }), pki.organization, { signingTime });
  const report = verifyPdf(signed, { trust, file: 'date.pdf' });
  assert.equal(report.verdict, 'valid');
  assert.equal(report.document.issueDate, '2026-01-05');
  assert.ok(report.warnings.some((w) => w.code === 'SIGNING_DATE_MISMATCH'), JSON.stringify(report.warnings));
});

test('a signing time after the moment of verification is reported', () => {
  const report = verifyFile('valid-two-signatures.pdf', new Date(pki.now.getTime() - 3 * 86400_000));
  assert.ok(report.warnings.some((w) => w.code === 'SIGNING_TIME_IN_FUTURE'));
  assert.ok(report.warnings.some((w) => w.code === 'NO_TIMESTAMP'));
});

test('trust is configuration: without the root, nothing is trusted; without the CRL, revocation is unknown', () => {
  const emptyDir = tempDir('trust-empty');
  const report = verifyPdf(fs.readFileSync(path.join(dir, 'valid-two-signatures.pdf')), { trust: loadTrustStore(emptyDir), file: 'x.pdf' });
  assert.equal(report.verdict, 'invalid');
  assert.deepEqual([...new Set(report.problems.map((p) => p.code))], ['UNTRUSTED_CHAIN']);
  assert.deepEqual(report.signatures.map((s) => s.trusted), [false, false]);
  fs.rmSync(emptyDir, { recursive: true });
});

test('the chain builds from the trust folder when the PDF embeds only the signer certificate', async () => {
  const congVan = await makeDocumentPdf({ type: 'Công văn', number: '9/STC-NS' });
  const signed = await signPdf(await signPdf(congVan, pki.person, { includeChain: false }), pki.organization, { includeChain: false });
  const report = verifyPdf(signed, { trust, file: 'bare.pdf' });
  assert.equal(report.verdict, 'valid', JSON.stringify(report.problems));
  const noIntermediate = tempDir('trust-root-only');
  await pki.writeTrustDir(noIntermediate, { includeIntermediate: false });
  const without = verifyPdf(signed, { trust: loadTrustStore(noIntermediate), file: 'bare.pdf' });
  assert.ok(without.problems.every((p) => p.code === 'UNTRUSTED_CHAIN'));
  fs.rmSync(noIntermediate, { recursive: true });
});

test('hostile inputs answer with a problem code: empty, truncated, not a PDF, 50 MB, huge /Contents, deep nesting', () => {
  const empty = verifyPdf(Buffer.alloc(0), { trust, file: 'empty.pdf' });
  assert.equal(empty.verdict, 'invalid');
  assert.deepEqual(empty.problems.map((p) => p.code), ['NOT_A_PDF']);
  seenCodes.add('NOT_A_PDF');
  for (const file of ['truncated.pdf', 'not-a-pdf.pdf', 'huge-contents.pdf', 'deeply-nested.pdf', 'reference-loop.pdf', 'big-signed.pdf']) {
    if (!manifest.files[file]) continue;
    const report = verifyFile(file);
    assert.ok(report.problems.length > 0 || report.verdict === 'valid', file);
  }
  const big = verifyFile('big-signed.pdf');
  assert.equal(big.verdict, 'valid', JSON.stringify(big.problems));
});

test('every problem code is produced by at least one test case', () => {
  for (const file of Object.keys(manifest.files)) verifyFile(file);
  const missing = PROBLEM_CODES.filter((code) => !seenCodes.has(code));
  assert.deepEqual(missing, []);
});

test('the command: exit codes, the exact --json shape and the Vietnamese text report', async () => {
  const trustDir = path.join(dir, 'trust');
  const ok = await runScript('verify-pdf', [path.join(dir, 'valid-two-signatures.pdf'), '--trust', trustDir, '--json'], {});
  assert.equal(ok.code, 0, ok.stderr);
  const json = JSON.parse(ok.stdout);
  assert.deepEqual(Object.keys(json), ['file', 'verdict', 'problems', 'warnings', 'signatures', 'document']);
  assert.deepEqual(Object.keys(json.signatures[0]), ['index', 'fieldName', 'subFilter', 'signer', 'kind', 'signingTime', 'coversWholeFile', 'intact', 'trusted', 'certValidAtSigningTime']);
  assert.deepEqual(Object.keys(json.signatures[0].signer), ['commonName', 'organization', 'serialNumber']);
  assert.deepEqual(Object.keys(json.document), ['number', 'issueDate', 'type', 'subject']);
  assert.equal(json.file, 'valid-two-signatures.pdf');
  const inProcess = toContractJson(verifyPdf(fs.readFileSync(path.join(dir, 'valid-two-signatures.pdf')), { trust, file: 'valid-two-signatures.pdf' }));
  assert.deepEqual(json, JSON.parse(JSON.stringify(inProcess)), 'the command prints what the module returns');

  const bad = await runScript('verify-pdf', [path.join(dir, 'incremental-content-change.pdf'), '--trust', trustDir], {});
  assert.equal(bad.code, 1);
  assert.match(bad.stdout, /Kết luận: KHÔNG HỢP LỆ/);
  assert.match(bad.stdout, /MODIFIED_AFTER_SIGNING/);
  assert.match(bad.stdout, /Văn bản đã bị thay đổi sau khi ký/);

  const unsigned = await runScript('verify-pdf', [path.join(dir, 'unsigned.pdf'), '--trust', trustDir, '--json'], {});
  assert.equal(unsigned.code, 1);
  assert.equal(JSON.parse(unsigned.stdout).verdict, 'unsigned');

  const at = await runScript('verify-pdf', [path.join(dir, 'valid-two-signatures.pdf'), '--trust', trustDir, '--at', '2020-01-01T00:00:00+07:00', '--json'], {});
  assert.ok(JSON.parse(at.stdout).warnings.some((w: { code: string }) => w.code === 'SIGNING_TIME_IN_FUTURE'));

  for (const args of [[], ['--json'], ['a.pdf', 'b.pdf'], ['x.pdf', '--at', 'yesterday'], ['x.pdf', '--bogus'], [path.join(dir, 'missing.pdf')]]) {
    const usage = await runScript('verify-pdf', args, { TRUST_DIR: trustDir });
    assert.equal(usage.code, 2, `args ${args.join(' ')}`);
    assert.match(usage.stderr, /^verify-pdf: /);
  }
});

test('trust list prints subject, validity and SHA-256 of each installed certificate', async () => {
  const trustDir = path.join(dir, 'trust');
  const run = await runScript('trust', ['list', '--trust', trustDir, '--json'], {});
  assert.equal(run.code, 0, run.stderr);
  const listed = JSON.parse(run.stdout);
  assert.equal(listed.certificates.length, 2);
  const root = listed.certificates.find((c: { role: string }) => c.role === 'anchor');
  assert.match(root.subject, /Test RootCA Chuyên dùng Chính phủ G2/);
  assert.equal(root.sha256, new crypto.X509Certificate(pki.root.certDer).fingerprint256);
  assert.match(root.sha256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  assert.equal(listed.crls.length, 1);
  assert.equal(listed.crls[0].revoked, 1);
  const text = await runScript('trust', ['list', '--trust', trustDir], {});
  assert.match(text.stdout, /GỐC \/ ROOT/);
  assert.match(text.stdout, /SHA-256:/);
});

test('an independent verifier agrees where it can judge (poppler pdfsig, when installed)', (t) => {
  const probe = spawnSync('pdfsig', ['-v'], { encoding: 'utf8' });
  if (probe.error) return t.skip('pdfsig not installed');
  for (const file of ['valid-two-signatures.pdf', 'flipped-byte.pdf', 'corrupt-signature-value.pdf', 'copied-signature.pdf']) {
    const out = spawnSync('pdfsig', [path.join(dir, file)], { encoding: 'utf8', timeout: 20_000 }).stdout;
    const theirs = [...out.matchAll(/Signature Validation: (.*)/g)].map((m) => m[1].trim() === 'Signature is Valid.');
    const ours = verifyFile(file).signatures.map((s) => s.intact);
    assert.equal(ours.filter(Boolean).length, theirs.filter(Boolean).length, `${file}: pdfsig ${theirs}, ours ${ours}`);
  }
});
