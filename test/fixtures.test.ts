/**
 * Checks the signature fixtures themselves (test PKI, document maker, signer, attack builders), independently
 * of the verifier in mail-gateway/ (never imported here):
 *  - poppler's pdftotext/pdfsig read them (skipped, and reported as skipped, when poppler-utils is missing);
 *  - the CMS is re-verified with node:crypto directly (digest over the ByteRange vs messageDigest, signature
 *    value for RSA PKCS#1 v1.5, ECDSA and RSA-PSS); the ByteRange frames exactly the /Contents hex string;
 *  - incremental updates keep every earlier byte;
 *  - every attack builder produces the damage it claims.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, verify as nodeVerify, X509Certificate as NodeX509, constants as cryptoConstants } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { createTestPki, type TestPki } from './support/pki';
import { makeDocumentPdf, vietnameseDateLine } from './support/document-pdf';
import { signPdf, OID } from './support/pdf-signer';
import * as attacks from './support/pdf-attacks';
import { makeFixtureSet } from '../scripts/make-test-pdfs';

// ---------------------------------------------------------------------------------------------------------
// independent helpers (regex + pkijs parsing + node:crypto; nothing from the signer's own reader)
// ---------------------------------------------------------------------------------------------------------

interface RawSig {
  byteRange: number[];
  /** /Contents decoded (zero padding kept). */
  contents: Buffer;
  contentsStart: number;
  contentsEnd: number;
}

/** Every "/ByteRange [...]" with the "/Contents <...>" of the same dictionary, in file order. */
function scanSignatures(pdf: Buffer): RawSig[] {
  const text = pdf.toString('latin1');
  const out: RawSig[] = [];
  const re = /\/ByteRange\s*\[([^\]]*)\]/g;
  for (let m; (m = re.exec(text)); ) {
    const byteRange = m[1]!.trim().split(/\s+/).map(Number);
    const dictEnd = text.indexOf('>>', text.indexOf('/Contents', m.index) + 1);
    const ct = /\/Contents\s*<([0-9A-Fa-f]*)>/.exec(text.slice(m.index, dictEnd + 2));
    if (!ct) continue;
    const contentsStart = m.index + ct.index + ct[0].length - ct[1]!.length - 2;
    out.push({
      byteRange,
      contents: Buffer.from(ct[1]!, 'hex'),
      contentsStart,
      contentsEnd: contentsStart + ct[1]!.length + 2,
    });
  }
  return out;
}

const DIGESTS: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

function rangeDigest(pdf: Buffer, br: number[], alg: string): Buffer {
  const h = createHash(alg);
  for (let i = 0; i < br.length; i += 2) h.update(pdf.subarray(br[i]!, br[i]! + br[i + 1]!));
  return h.digest();
}

interface CmsCheck {
  digestOid: string;
  signatureOid: string;
  messageDigest: Buffer;
  computedDigest: Buffer | null;
  digestMatches: boolean;
  signatureValid: boolean;
  signerSubject: string;
  attributes: string[];
  certificateCount: number;
}

/** Parse the CMS with pkijs and check digest and signature with node:crypto only. */
function checkCms(pdf: Buffer, sig: RawSig): CmsCheck {
  const asn = asn1js.fromBER(new Uint8Array(sig.contents));
  assert.notEqual(asn.offset, -1, 'CMS is not BER/DER');
  const ci = new pkijs.ContentInfo({ schema: asn.result });
  assert.equal(ci.contentType, '1.2.840.113549.1.7.2');
  const sd = new pkijs.SignedData({ schema: ci.content });
  assert.equal(sd.version, 1);
  assert.equal(sd.encapContentInfo.eContentType, '1.2.840.113549.1.7.1');
  assert.equal(sd.encapContentInfo.eContent, undefined, 'detached: no eContent');
  const si = sd.signerInfos[0]!;
  const digestOid = si.digestAlgorithm.algorithmId;
  const alg = DIGESTS[digestOid];
  const attrs = si.signedAttrs!.attributes;
  const mdAttr = attrs.find((a) => a.type === '1.2.840.113549.1.9.4')!;
  const messageDigest = Buffer.from((mdAttr.values[0] as asn1js.OctetString).valueBlock.valueHexView);
  const computedDigest = alg ? rangeDigest(pdf, sig.byteRange, alg) : null;

  const sid = si.sid as pkijs.IssuerAndSerialNumber;
  const serialHex = Buffer.from(sid.serialNumber.valueBlock.valueHexView).toString('hex');
  const certs = (sd.certificates ?? []) as pkijs.Certificate[];
  const signerCert = certs.find((c) => Buffer.from(c.serialNumber.valueBlock.valueHexView).toString('hex') === serialHex);
  assert.ok(signerCert, 'signer certificate embedded');
  const nodeCert = new NodeX509(Buffer.from(signerCert.toSchema().toBER()));

  // The exact signed-attribute bytes as they sit in the CMS ([0] IMPLICIT), re-tagged as SET for verification.
  const signedAttrsDer = Buffer.from(si.signedAttrs!.encodedValue);
  const at = sig.contents.indexOf(signedAttrsDer.subarray(1));
  assert.ok(at > 0 && sig.contents[at - 1] === 0xa0, 'signed attributes found verbatim with their [0] tag');
  signedAttrsDer[0] = 0x31;
  const signature = Buffer.from(si.signature.valueBlock.valueHexView);
  const signatureOid = si.signatureAlgorithm.algorithmId;
  let signatureValid = false;
  const sigHash: Record<string, string> = {
    '1.2.840.113549.1.1.5': 'sha1',
    '1.2.840.113549.1.1.11': 'sha256',
    '1.2.840.113549.1.1.12': 'sha384',
    '1.2.840.113549.1.1.13': 'sha512',
    '1.2.840.10045.4.1': 'sha1',
    '1.2.840.10045.4.3.2': 'sha256',
    '1.2.840.10045.4.3.3': 'sha384',
    '1.2.840.10045.4.3.4': 'sha512',
  };
  if (signatureOid === '1.2.840.113549.1.1.10') {
    const params = new pkijs.RSASSAPSSParams({ schema: si.signatureAlgorithm.algorithmParams });
    const hash = DIGESTS[params.hashAlgorithm.algorithmId] ?? 'sha1';
    signatureValid = nodeVerify(hash, signedAttrsDer, { key: nodeCert.publicKey, padding: cryptoConstants.RSA_PKCS1_PSS_PADDING, saltLength: params.saltLength }, signature);
  } else if (signatureOid.startsWith('1.2.840.10045.4')) {
    signatureValid = nodeVerify(sigHash[signatureOid]!, signedAttrsDer, { key: nodeCert.publicKey, dsaEncoding: 'der' }, signature);
  } else if (signatureOid === '1.2.840.113549.1.1.1') {
    signatureValid = !!alg && nodeVerify(alg, signedAttrsDer, nodeCert.publicKey, signature);
  } else if (sigHash[signatureOid]) {
    signatureValid = nodeVerify(sigHash[signatureOid]!, signedAttrsDer, nodeCert.publicKey, signature);
  }
  return {
    digestOid,
    signatureOid,
    messageDigest,
    computedDigest,
    digestMatches: !!computedDigest && computedDigest.equals(messageDigest),
    signatureValid,
    signerSubject: nodeCert.subject,
    attributes: attrs.map((a) => a.type),
    certificateCount: certs.length,
  };
}

function assertFramesContents(pdf: Buffer, sig: RawSig): void {
  const [z, a, b, c] = sig.byteRange as [number, number, number, number];
  assert.equal(sig.byteRange.length, 4);
  assert.equal(z, 0);
  assert.equal(a, sig.contentsStart, 'first range ends exactly at "<"');
  assert.equal(b, sig.contentsEnd, 'second range starts exactly after ">"');
  assert.equal(pdf[a], 0x3c);
  assert.equal(pdf[b - 1], 0x3e);
  assert.match(pdf.toString('latin1', a + 1, b - 1), /^[0-9A-Fa-f]*$/);
  assert.ok(b + c <= pdf.length);
  assert.equal(pdf.toString('latin1', a - 10, a), '/Contents ');
}

function hasTool(cmd: string): boolean {
  const r = spawnSync(cmd, ['-v'], { encoding: 'utf8' });
  return !r.error;
}

function run(cmd: string, args: string[], timeoutMs = 20_000): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  return { stdout: r.stdout ?? '', stderr: r.stderr ?? '', status: r.status };
}

/** pdfsig output split per signature. */
function pdfsigBlocks(out: string): string[] {
  return out.split(/^Signature #\d+:/m).slice(1);
}

// ---------------------------------------------------------------------------------------------------------
// shared fixtures (RSA key generation happens once, here)
// ---------------------------------------------------------------------------------------------------------

let pki: TestPki;
let tmp: string;
let doc: Buffer;
let personSigned: Buffer;
let valid: Buffer;
let nssDir: string | null = null;
const HAVE_PDFSIG = hasTool('pdfsig');
const HAVE_PDFTOTEXT = hasTool('pdftotext');
const HAVE_CERTUTIL = spawnSync('certutil', ['-H'], { encoding: 'utf8' }).error === undefined;

function fileOf(name: string, data: Buffer): string {
  const p = join(tmp, name);
  writeFileSync(p, data);
  return p;
}

function pdfsig(pdf: Buffer, name: string): string {
  const args = nssDir ? ['-nssdir', `sql:${nssDir}`, fileOf(name, pdf)] : [fileOf(name, pdf)];
  const r = run('pdfsig', args);
  return r.stdout + r.stderr;
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'fixtures-test-'));
  pki = await createTestPki();
  doc = await makeDocumentPdf({ type: 'Công văn', number: '123/STC-NS', issueDate: '2026-11-20' });
  personSigned = await signPdf(doc, pki.person);
  valid = await signPdf(personSigned, pki.organization);
  await pki.writeTrustDir(join(tmp, 'trust'), { format: 'pem' });
  if (HAVE_CERTUTIL && HAVE_PDFSIG) {
    nssDir = join(tmp, 'nss');
    const mk = spawnSync('mkdir', ['-p', nssDir]);
    const n = spawnSync('certutil', ['-N', '-d', `sql:${nssDir}`, '--empty-password']);
    const a = spawnSync('certutil', ['-A', '-d', `sql:${nssDir}`, '-n', 'test-root', '-t', 'CT,C,C', '-i', join(tmp, 'trust', 'root.pem')]);
    if (mk.status !== 0 || n.status !== 0 || a.status !== 0) nssDir = null;
  }
});

after(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------------------
// PKI
// ---------------------------------------------------------------------------------------------------------

test('test PKI: names, chain, validity, key usage, CRL', () => {
  const now = pki.now.getTime();
  const DAY = 86400_000;
  const cn = (c: NodeX509) => /CN=([^\n]+)/.exec(c.subject)?.[1];
  const o = (c: NodeX509) => /O=([^\n]+)/.exec(c.subject)?.[1];
  const root = new NodeX509(pki.root.certDer);
  const inter = new NodeX509(pki.intermediate.certDer);
  const person = new NodeX509(pki.person.certDer);
  const org = new NodeX509(pki.organization.certDer);
  assert.equal(cn(root), 'Test RootCA Chuyên dùng Chính phủ G2');
  assert.equal(o(root), 'Ban Cơ yếu Chính phủ');
  assert.ok(root.ca && inter.ca && !person.ca);
  assert.ok(root.verify(root.publicKey), 'root self-signed');
  assert.ok(inter.checkIssued(root) && inter.verify(root.publicKey), 'intermediate issued by root');
  for (const id of [pki.person, pki.organization, pki.expiredPerson, pki.notYetValidPerson, pki.revokedPerson, pki.wrongKeyUsagePerson, pki.ecdsaPerson, pki.pssPerson]) {
    const c = new NodeX509(id.certDer);
    assert.ok(c.checkIssued(inter) && c.verify(inter.publicKey), `${id.label} issued by intermediate`);
    assert.deepEqual(id.chainDer, [pki.intermediate.certDer]);
  }
  assert.equal(cn(person), 'Nguyễn Văn An');
  assert.equal(o(person), 'Sở Tài chính tỉnh Bình Thuận');
  assert.equal(cn(org), o(org), 'seal: CN equals O');
  assert.ok(Date.parse(person.validFrom) <= now - 364 * DAY && Date.parse(person.validTo) >= now + 729 * DAY);
  assert.ok(Date.parse(new NodeX509(pki.expiredPerson.certDer).validTo) <= now - 29 * DAY);
  assert.ok(Date.parse(new NodeX509(pki.notYetValidPerson.certDer).validFrom) >= now + 29 * DAY);
  assert.equal(pki.wrongKeyUsagePerson.cert.getExtension('2.5.29.15')?.critical, true);
  assert.equal(new NodeX509(pki.ecdsaPerson.certDer).publicKey.asymmetricKeyType, 'ec');
  // copied-name attack: same subject DER, different issuer
  const uo = new NodeX509(pki.untrustedOrganization.certDer);
  assert.equal(uo.subject, org.subject);
  assert.ok(Buffer.from(pki.untrustedOrganization.cert.subjectName.toArrayBuffer()).equals(Buffer.from(pki.organization.cert.subjectName.toArrayBuffer())));
  assert.ok(uo.checkIssued(new NodeX509(pki.untrustedRoot.certDer)));
  assert.ok(!uo.checkIssued(inter));
  // CRL: issued by the intermediate, lists the revoked person, 10 days back
  const crl = pkijs.CertificateRevocationList.fromBER(new Uint8Array(pki.crl));
  const serial = (b: ArrayBuffer | Uint8Array) => Buffer.from(b as Uint8Array).toString('hex');
  const revoked = crl.revokedCertificates ?? [];
  assert.equal(revoked.length, 1);
  assert.equal(serial(revoked[0]!.userCertificate.valueBlock.valueHexView), pki.revokedPerson.cert.serialNumber.toLowerCase());
  assert.ok(Math.abs(revoked[0]!.revocationDate.value.getTime() - (now - 10 * DAY)) < 2000);
  assert.ok(Math.abs(crl.thisUpdate.value.getTime() - (now - DAY)) < 2000);
  assert.ok(Math.abs(crl.nextUpdate!.value.getTime() - (now + 30 * DAY)) < 2000);
  assert.ok(existsSync(join(tmp, 'trust', 'root.pem')) && existsSync(join(tmp, 'trust', 'intermediate.crt')) && existsSync(join(tmp, 'trust', 'ca.crl')));
  assert.match(readFileSync(join(tmp, 'trust', 'intermediate.crt'), 'latin1'), /^-----BEGIN CERTIFICATE-----/);
});

test('test PKI: key usage extensions', () => {
  const ku = (id: TestPki['person']) => {
    const e = id.cert.getExtension('2.5.29.15') as unknown as { usages: number } | null;
    return e?.usages ?? -1;
  };
  assert.equal(ku(pki.person), 1 | 2); // digitalSignature | nonRepudiation
  assert.equal(ku(pki.organization), 1 | 2);
  assert.equal(ku(pki.wrongKeyUsagePerson), 4); // keyEncipherment only
  assert.equal(ku(pki.root), 32 | 64);
});

// ---------------------------------------------------------------------------------------------------------
// document
// ---------------------------------------------------------------------------------------------------------

test('document PDF: a normal one-revision PDF; NĐ 30 date line', () => {
  assert.equal(doc.toString('latin1', 0, 8), '%PDF-1.7');
  assert.match(doc.toString('latin1', doc.length - 7), /%%EOF\s*$/);
  assert.equal((doc.toString('latin1').match(/startxref/g) ?? []).length, 1);
  assert.match(doc.toString('latin1'), /\/FontFile2 \d+ 0 R/, 'DejaVu embedded');
  assert.equal(vietnameseDateLine('Bình Thuận', '2026-02-05'), 'Bình Thuận, ngày 05 tháng 02 năm 2026');
  assert.equal(vietnameseDateLine('Bình Thuận', '2026-11-20'), 'Bình Thuận, ngày 20 tháng 11 năm 2026');
});

test('document PDF: pdftotext extracts the Vietnamese text of the NĐ 30 layout', (t) => {
  if (!HAVE_PDFTOTEXT) return t.skip('pdftotext not installed');
  const text = run('pdftotext', ['-layout', fileOf('doc.pdf', doc), '-']).stdout;
  for (const s of [
    'UBND TỈNH BÌNH THUẬN',
    'SỞ TÀI CHÍNH',
    'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
    'Độc lập - Tự do - Hạnh phúc',
    'Số: 123/STC-NS',
    'Bình Thuận, ngày 20 tháng 11 năm 2026',
    'V/v hướng dẫn lập dự toán',
    'Nơi nhận:',
    'KT. GIÁM ĐỐC',
    'Nguyễn Văn An',
  ]) {
    assert.ok(text.includes(s), `pdftotext finds "${s}"`);
  }
});

let giayMoi3: Buffer;
let padded: Buffer;
test('document PDF: other types, several pages, padding to a size', async () => {
  giayMoi3 = await makeDocumentPdf({ type: 'Giấy mời', pages: 3, compress: false });
  padded = await makeDocumentPdf({ padToBytes: 3_000_000 });
  assert.ok(Math.abs(padded.length - 3_000_000) < 30_000, `padded size ${padded.length}`);
  assert.equal((giayMoi3.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length, 3);
  assert.match(padded.toString('latin1'), /\/EmbeddedFiles/);
});

test('document PDF: Giấy mời and padded file read by poppler', (t) => {
  if (!HAVE_PDFTOTEXT) return t.skip('pdftotext not installed');
  const gm = giayMoi3;
  const big = padded;
  const text = run('pdftotext', [fileOf('gm.pdf', gm), '-']).stdout;
  assert.ok(text.includes('GIẤY MỜI'));
  assert.ok(text.includes('Họp triển khai công tác quyết toán ngân sách năm 2026'));
  assert.equal((text.match(/\f/g) ?? []).length, 3, 'three pages');
  const info = run('pdfinfo', [fileOf('big.pdf', big)]).stdout;
  assert.match(info, /Pages:\s+1/);
});

// ---------------------------------------------------------------------------------------------------------
// signer: structure and crypto, checked independently
// ---------------------------------------------------------------------------------------------------------

test('signer: each signature is one incremental update; earlier bytes unchanged', () => {
  assert.ok(personSigned.length > doc.length);
  assert.ok(personSigned.subarray(0, doc.length).equals(doc), 'document is a prefix of the person-signed file');
  assert.ok(valid.subarray(0, personSigned.length).equals(personSigned), 'person-signed file is a prefix of the twice-signed file');
  const update = valid.toString('latin1', personSigned.length);
  assert.equal((update.match(/\bxref\b/g) ?? []).length, 1, 'one xref section per update');
  assert.match(update, /trailer\s*<<[^]*\/Prev \d+[^]*>>\s*startxref\s*\d+\s*%%EOF\s*$/);
  const prev = Number(/\/Prev (\d+)/.exec(update)![1]);
  const prevStartxref = Number(/startxref\s+(\d+)\s+%%EOF\s*$/.exec(personSigned.toString('latin1'))![1]);
  assert.equal(prev, prevStartxref);
  const startxref = Number(/startxref\s+(\d+)\s+%%EOF\s*$/.exec(update)![1]);
  assert.equal(valid.toString('latin1', startxref, startxref + 4), 'xref');
  // every xref entry of the update points at "n 0 obj"
  const entries = [...valid.toString('latin1', startxref).matchAll(/^(\d+) (\d+)\n((?:\d{10} \d{5} [nf] \n)+)/gm)];
  assert.ok(entries.length > 0);
  for (const e of entries) {
    const first = Number(e[1]);
    e[3]!.slice(0, -1).split('\n').forEach((line, i) => {
      const off = Number(line.slice(0, 10));
      assert.equal(line.length, 19, 'xref entries are 20 bytes with their EOL');
      assert.match(valid.toString('latin1', off, off + 20), new RegExp(`^${first + i} 0 obj`));
    });
  }
  // the update adds a signature dictionary, a widget field, the page with /Annots and the catalog with /AcroForm
  assert.match(update, /\/Type \/Sig \/Filter \/Adobe\.PPKLite \/SubFilter \/adbe\.pkcs7\.detached/);
  assert.match(update, /\/FT \/Sig/);
  assert.match(update, /\/Subtype \/Widget/);
  assert.match(update, /\/F 132/);
  assert.match(update, /\/Annots \[\d+ 0 R \d+ 0 R\]/, 'second widget appended to the page annotations');
  assert.match(update, /\/AcroForm << \/Fields \[\d+ 0 R \d+ 0 R\] \/SigFlags 3 >>/);
  assert.match(update, /\/M \(D:\d{14}\+07'00'\)/);
});

test('signer: ByteRange frames exactly /Contents; digest and signature verify with node:crypto', () => {
  const sigs = scanSignatures(valid);
  assert.equal(sigs.length, 2);
  sigs.forEach((s) => assertFramesContents(valid, s));
  assert.equal(sigs[1]!.byteRange[2]! + sigs[1]!.byteRange[3]!, valid.length, 'last signature covers the whole file');
  assert.equal(sigs[0]!.byteRange[2]! + sigs[0]!.byteRange[3]!, personSigned.length, 'first covers its revision');
  assert.equal(sigs[0]!.contents.length, 16384, 'default placeholder holds 16384 bytes');
  const c1 = checkCms(valid, sigs[0]!);
  const c2 = checkCms(valid, sigs[1]!);
  for (const c of [c1, c2]) {
    assert.ok(c.digestMatches, 'messageDigest = digest of the byte ranges');
    assert.ok(c.signatureValid, 'signature value verifies');
    assert.equal(c.digestOid, '2.16.840.1.101.3.4.2.1');
    assert.equal(c.signatureOid, '1.2.840.113549.1.1.11');
    assert.deepEqual([...c.attributes].sort(), ['1.2.840.113549.1.9.3', '1.2.840.113549.1.9.4', '1.2.840.113549.1.9.5']);
    assert.equal(c.certificateCount, 2, 'signer + intermediate');
  }
  assert.match(c1.signerSubject, /CN=Nguyễn Văn An/);
  assert.match(c2.signerSubject, /CN=Sở Tài chính tỉnh Bình Thuận/);
});

test('signer: ECDSA, RSA-PSS, SHA-384/512/1, CAdES, rsaEncryption OID, chain options', async () => {
  const cases: { name: string; pdf: Buffer; sigOid: string; digestOid: string; attrs?: string[]; certs?: number }[] = [
    { name: 'ecdsa', pdf: await signPdf(doc, pki.ecdsaPerson), sigOid: '1.2.840.10045.4.3.2', digestOid: OID.digest['SHA-256'] },
    { name: 'ecdsa-384', pdf: await signPdf(doc, pki.ecdsaPerson, { digest: 'SHA-384' }), sigOid: '1.2.840.10045.4.3.3', digestOid: OID.digest['SHA-384'] },
    { name: 'pss', pdf: await signPdf(doc, pki.pssPerson), sigOid: '1.2.840.113549.1.1.10', digestOid: OID.digest['SHA-256'] },
    { name: 'pss-512', pdf: await signPdf(doc, pki.pssPerson, { digest: 'SHA-512' }), sigOid: '1.2.840.113549.1.1.10', digestOid: OID.digest['SHA-512'] },
    { name: 'rsa-pss-forced', pdf: await signPdf(doc, pki.person, { pss: true, digest: 'SHA-384' }), sigOid: '1.2.840.113549.1.1.10', digestOid: OID.digest['SHA-384'] },
    { name: 'rsa-512', pdf: await signPdf(doc, pki.person, { digest: 'SHA-512' }), sigOid: '1.2.840.113549.1.1.13', digestOid: OID.digest['SHA-512'] },
    { name: 'rsa-sha1', pdf: await signPdf(doc, pki.person, { digest: 'SHA-1' }), sigOid: '1.2.840.113549.1.1.5', digestOid: OID.digest['SHA-1'] },
    { name: 'rsaEncryption', pdf: await signPdf(doc, pki.person, { rsaSignatureOid: 'rsaEncryption' }), sigOid: '1.2.840.113549.1.1.1', digestOid: OID.digest['SHA-256'] },
    {
      name: 'cades',
      pdf: await signPdf(doc, pki.organization, { subFilter: 'ETSI.CAdES.detached' }),
      sigOid: '1.2.840.113549.1.1.11',
      digestOid: OID.digest['SHA-256'],
      attrs: ['1.2.840.113549.1.9.16.2.47', '1.2.840.113549.1.9.3', '1.2.840.113549.1.9.4', '1.2.840.113549.1.9.5'],
    },
    {
      name: 'no-time-no-chain',
      pdf: await signPdf(doc, pki.person, { omitSigningTime: true, includeChain: false }),
      sigOid: '1.2.840.113549.1.1.11',
      digestOid: OID.digest['SHA-256'],
      attrs: ['1.2.840.113549.1.9.3', '1.2.840.113549.1.9.4'],
      certs: 1,
    },
  ];
  for (const c of cases) {
    const [s] = scanSignatures(c.pdf);
    assertFramesContents(c.pdf, s!);
    const r = checkCms(c.pdf, s!);
    assert.equal(r.signatureOid, c.sigOid, c.name);
    assert.equal(r.digestOid, c.digestOid, c.name);
    assert.ok(r.digestMatches, `${c.name}: digest`);
    assert.ok(r.signatureValid, `${c.name}: signature`);
    if (c.attrs) assert.deepEqual([...r.attributes].sort(), c.attrs, c.name);
    if (c.certs) assert.equal(r.certificateCount, c.certs, c.name);
  }
  const cades = cases.find((c) => c.name === 'cades')!.pdf;
  assert.match(cades.toString('latin1'), /\/SubFilter \/ETSI\.CAdES\.detached/);
  // ESS signing-certificate-v2 holds the SHA-256 of the signer certificate
  const [s] = scanSignatures(cades);
  const sd = new pkijs.SignedData({ schema: new pkijs.ContentInfo({ schema: asn1js.fromBER(new Uint8Array(s!.contents)).result }).content });
  const ess = sd.signerInfos[0]!.signedAttrs!.attributes.find((a) => a.type === '1.2.840.113549.1.9.16.2.47')!;
  const certHash = (ess.values[0] as asn1js.Sequence).valueBlock.value[0] as asn1js.Sequence;
  const essCertId = certHash.valueBlock.value[0] as asn1js.Sequence;
  const hash = Buffer.from((essCertId.valueBlock.value[0] as asn1js.OctetString).valueBlock.valueHexView);
  assert.ok(hash.equals(createHash('sha256').update(pki.organization.certDer).digest()));
});

test('signer: fault injection', async () => {
  const corrupt = await signPdf(personSigned, pki.organization, { corruptSignatureValue: true });
  const tampered = await signPdf(personSigned, pki.organization, { tamperMessageDigest: true });
  const md2 = await signPdf(personSigned, pki.organization, { digestAlgorithmOid: '1.2.840.113549.2.2' });
  const ecCorrupt = await signPdf(doc, pki.ecdsaPerson, { corruptSignatureValue: true });
  const last = (p: Buffer) => checkCms(p, scanSignatures(p).at(-1)!);
  let r = last(corrupt);
  assert.ok(r.digestMatches && !r.signatureValid, 'corrupt: digest ok, signature bad');
  r = last(ecCorrupt);
  assert.ok(r.digestMatches && !r.signatureValid, 'ECDSA corrupt: digest ok, signature bad');
  r = last(tampered);
  assert.ok(!r.digestMatches && r.signatureValid, 'tampered: digest bad, signature over attributes ok');
  r = last(md2);
  assert.equal(r.digestOid, '1.2.840.113549.2.2');
  assert.equal(r.computedDigest, null, 'MD2 is not computable here');
});

test('signer: two signatures accepted by poppler pdfsig (both valid, the last covers the whole document)', (t) => {
  if (!HAVE_PDFSIG) return t.skip('pdfsig not installed');
  const out = pdfsig(valid, 'valid.pdf');
  const blocks = pdfsigBlocks(out);
  assert.equal(blocks.length, 2, out);
  for (const b of blocks) assert.match(b, /Signature Validation: Signature is Valid\./);
  assert.match(blocks[1]!, /- Total document signed/);
  assert.match(blocks[0]!, /Signer Certificate Common Name: Nguyễn Văn An/);
  assert.match(blocks[1]!, /Signer Certificate Common Name: Sở Tài chính tỉnh Bình Thuận/);
});

test('signer: pdfsig trusts both certificates with the test root in an NSS database', (t) => {
  if (!HAVE_PDFSIG) return t.skip('pdfsig not installed');
  if (!nssDir) return t.skip('certutil (libnss3-tools) not installed: certificate trust not checked');
  const blocks = pdfsigBlocks(pdfsig(valid, 'valid.pdf'));
  assert.equal(blocks.length, 2);
  for (const b of blocks) assert.match(b, /Certificate Validation: Certificate is Trusted\./);
  // and the copied-name seal under the look-alike root is not trusted
  return signPdf(personSigned, pki.untrustedOrganization, { extraCerts: [pki.untrustedRoot.certDer] }).then((pdf) => {
    const b = pdfsigBlocks(pdfsig(pdf, 'untrusted.pdf'));
    assert.match(b[1]!, /Signature is Valid\./);
    assert.doesNotMatch(b[1]!, /Certificate is Trusted/);
  });
});

test('signer: ECDSA, PSS, CAdES and SHA-512 signatures accepted by pdfsig', async (t) => {
  if (!HAVE_PDFSIG) return t.skip('pdfsig not installed');
  const files = {
    ecdsa: await signPdf(doc, pki.ecdsaPerson),
    pss: await signPdf(doc, pki.pssPerson),
    cades: await signPdf(personSigned, pki.organization, { subFilter: 'ETSI.CAdES.detached', digest: 'SHA-512' }),
  };
  for (const [n, pdf] of Object.entries(files)) {
    const blocks = pdfsigBlocks(pdfsig(pdf, `${n}.pdf`));
    assert.match(blocks.at(-1)!, /Signature is Valid\./, n);
    assert.match(blocks.at(-1)!, /- Total document signed/, n);
    if (nssDir) assert.match(blocks.at(-1)!, /Certificate is Trusted\./, n);
  }
});

// ---------------------------------------------------------------------------------------------------------
// attacks
// ---------------------------------------------------------------------------------------------------------

function assertSignedBytesIntact(attacked: Buffer): void {
  // both signatures still hash correctly over their ranges
  for (const s of scanSignatures(attacked).slice(0, 2)) {
    const r = checkCms(attacked, s);
    assert.ok(r.digestMatches && r.signatureValid);
  }
}

test('attacks: incremental updates after signing keep the signed bytes (ISA, overlay, garbage, dictionary replaced)', () => {
  for (const [n, a] of Object.entries({
    isa: attacks.incrementalContentChange(valid),
    overlay: attacks.addAnnotationOverlay(valid),
    garbage: attacks.appendGarbageAfterEof(valid),
    dictReplaced: attacks.signatureDictionaryReplaced(valid),
  })) {
    assert.ok(a.length > valid.length, n);
    assert.ok(a.subarray(0, valid.length).equals(valid), `${n}: signed file is a prefix`);
    assertSignedBytesIntact(a);
  }
  const isa = attacks.incrementalContentChange(valid).toString('latin1', valid.length);
  assert.match(isa, /\/Type \/Page\b/, 'page object rewritten');
  assert.match(isa, /\/Contents \d+ 0 R/);
  assert.match(isa, /\/Prev \d+/);
  const dict = attacks.signatureDictionaryReplaced(valid);
  const sigs = scanSignatures(dict);
  assert.equal(sigs.length, 3, 'the copied dictionary repeats ByteRange and Contents');
  assert.deepEqual(sigs[2]!.byteRange, sigs[1]!.byteRange);
  assert.notEqual(sigs[2]!.contentsStart, sigs[2]!.byteRange[1], 'ByteRange does not frame the new dictionary');
});

test('attacks: shadow attacks change only objects after the signatures', async () => {
  const hide = await attacks.shadowHideParts(pki);
  const replace = await attacks.shadowReplaceParts(pki);
  for (const p of [hide, replace]) {
    assert.ok(p.attacked.subarray(0, p.signedOriginal.length).equals(p.signedOriginal));
    const sigs = scanSignatures(p.signedOriginal);
    assert.equal(sigs.length, 2);
    sigs.forEach((s) => assertFramesContents(p.signedOriginal, s));
    assert.equal(sigs[1]!.byteRange[2]! + sigs[1]!.byteRange[3]!, p.signedOriginal.length);
    assertSignedBytesIntact(p.attacked);
  }
  // only referenced objects change: no page content stream in the hide update
  const hideUpdate = hide.attacked.toString('latin1', hide.signedOriginal.length);
  assert.doesNotMatch(hideUpdate, /\/Type \/Page\b/);
  assert.match(hideUpdate, /\/Subtype \/Form/);
  shadowHide = hide;
});

let shadowHide: attacks.ShadowParts;
test('attacks: ISA and shadow hide as pdftotext reads them', (t) => {
  if (!HAVE_PDFTOTEXT) return t.skip('pdftotext not installed');
  const hide = shadowHide;
  const text = (pdf: Buffer, n: string) => run('pdftotext', [fileOf(n, pdf), '-']).stdout;
  assert.ok(text(attacks.incrementalContentChange(valid), 'isa.pdf').includes('900.000.000 dong vao tai khoan'));
  assert.ok(text(hide.signedOriginal, 'sh0.pdf').includes('ĐỒNG Ý CHI 900.000.000'), 'hidden text exists (under the cover)');
});

test('attacks: shadow and ISA files as poppler sees them (valid crypto, not total document signed)', async (t) => {
  if (!HAVE_PDFSIG) return t.skip('pdfsig not installed');
  const hide = shadowHide;
  const original = pdfsigBlocks(pdfsig(hide.signedOriginal, 'sh0.pdf'));
  assert.match(original[1]!, /- Total document signed/);
  for (const [n, pdf] of Object.entries({
    'shadow-hide.pdf': hide.attacked,
    'isa.pdf': attacks.incrementalContentChange(valid),
    'swa.pdf': attacks.signatureWrapping(valid),
  })) {
    const blocks = pdfsigBlocks(pdfsig(pdf, n));
    assert.match(blocks[1]!, /Signature is Valid\./, `${n}: crypto still fine`);
    assert.match(blocks[1]!, /Not total document signed/, `${n}: only hint`);
  }
});

test('attacks: signature wrapping keeps the digest but ByteRange no longer frames /Contents', () => {
  const swa = attacks.signatureWrapping(valid);
  const [, orig] = scanSignatures(valid);
  const sigs = scanSignatures(swa);
  const s = sigs[1]!;
  assert.deepEqual(s.byteRange, orig!.byteRange, 'ByteRange unchanged');
  assert.ok(s.contentsEnd < s.byteRange[2]!, '/Contents ends before the second range starts');
  const r = checkCms(swa, { ...s, contents: s.contents });
  assert.ok(r.digestMatches && r.signatureValid, 'ranges still hash to the signed digest');
  const gap = swa.toString('latin1', s.contentsEnd, s.byteRange[2]);
  assert.match(gap, /\d+ 0 obj/, 'forged objects inside the gap');
  assert.ok(swa.length > s.byteRange[2]! + s.byteRange[3]!, 'xref update appended after the signed tail');
});

test('attacks: universal forgery variants damage only the seal dictionary, in place', () => {
  const [, orig] = scanSignatures(valid);
  for (const v of attacks.FORGERY_VARIANTS) {
    const f = attacks.universalForgery(valid, v);
    assert.equal(f.length, valid.length, v);
    const text = f.toString('latin1', orig!.byteRange[1]! - 200, orig!.byteRange[2]! + 200);
    switch (v) {
      case 'empty-contents':
        assert.match(text, /\/Contents <> /);
        break;
      case 'zero-contents':
        assert.match(text, /\/Contents <0{32768}>/);
        break;
      case 'no-byterange':
        assert.doesNotMatch(f.toString('latin1', personSigned.length), /\/ByteRange/);
        break;
      case 'null-byterange':
        assert.match(f.toString('latin1', personSigned.length), /\/ByteRange null/);
        break;
      case 'short-byterange':
        assert.match(f.toString('latin1', personSigned.length), new RegExp(`/ByteRange \\[0 ${orig!.byteRange[1]}\\]`));
        break;
      case 'zero-byterange':
        assert.match(f.toString('latin1', personSigned.length), /\/ByteRange \[0 0 0 0\]/);
        break;
      case 'byterange-past-eof': {
        const s = scanSignatures(f)[1]!;
        assert.ok(s.byteRange[2]! + s.byteRange[3]! > f.length);
        break;
      }
    }
    // the person's signature is untouched
    assert.ok(f.subarray(0, personSigned.length).equals(personSigned), v);
  }
});

test('attacks: copied signature, flipped byte, malformed contents', async () => {
  const other = await signPdf(await signPdf(await makeDocumentPdf({ type: 'Giấy mời', number: '456/GM-STC' }), pki.person), pki.organization);
  const copied = attacks.copySignatureFrom(other, personSigned, { mode: 'new-field' });
  const cs = scanSignatures(copied);
  assert.equal(cs.length, 2);
  assertFramesContents(copied, cs[1]!);
  const r = checkCms(copied, cs[1]!);
  assert.ok(!r.digestMatches && r.signatureValid, 'genuine CMS of another document');
  assert.ok(checkCms(copied, cs[0]!).digestMatches);
  const replaced = attacks.copySignatureFrom(other, valid);
  assert.equal(replaced.length, valid.length);
  assert.ok(!checkCms(replaced, scanSignatures(replaced)[1]!).digestMatches);
  const fromUnsigned = attacks.copySignatureFrom(other, doc);
  assert.equal(scanSignatures(fromUnsigned).length, 1);

  for (const base of [valid, await signPdf(await signPdf(await makeDocumentPdf({ compress: false }), pki.person), pki.organization)]) {
    const flipped = attacks.flipByteInSignedRange(base);
    let diffs = 0;
    let at = -1;
    for (let i = 0; i < base.length; i++) if (base[i] !== flipped[i]) (diffs++, (at = i));
    assert.equal(diffs, 1, 'exactly one byte changed');
    const sigs = scanSignatures(flipped);
    assert.ok(at < sigs[0]!.byteRange[1]!, 'inside the range of both signatures');
    for (const s of sigs) assert.ok(!checkCms(flipped, s).digestMatches);
  }

  const bad = attacks.malformedContents(valid);
  assert.equal(bad.length, valid.length);
  const s = scanSignatures(bad)[1]!;
  assertFramesContents(bad, s);
  assert.throws(() => {
    const asn = asn1js.fromBER(new Uint8Array(s.contents));
    if (asn.offset === -1) throw new Error(asn.result.error);
    new pkijs.ContentInfo({ schema: asn.result });
  });
});

test('attacks: hostile files', async () => {
  const zip = attacks.notAPdf();
  assert.equal(zip.toString('latin1', 0, 4), 'PK\x03\x04');
  assert.notEqual(zip.toString('latin1', 0, 5), '%PDF-');
  const cut = attacks.truncated(valid, 1000);
  assert.equal(cut.length, 1000);
  assert.ok(valid.subarray(0, 1000).equals(cut));

  const huge = await attacks.hugeContents(personSigned);
  const hs = scanSignatures(huge);
  assert.equal(hs.length, 2);
  assert.equal(hs[1]!.contentsEnd - hs[1]!.contentsStart - 2, 10 * 1024 * 1024, '10 MB hex string');
  assertFramesContents(huge, hs[1]!);
  const realHuge = await attacks.hugeContents(personSigned, 2 * 1024 * 1024, pki.organization);
  assert.ok(checkCms(realHuge, scanSignatures(realHuge)[1]!).signatureValid);

  const deep = attacks.deeplyNested(100_000);
  assert.equal(deep.toString('latin1', 0, 8), '%PDF-1.7');
  assert.ok(deep.includes('['.repeat(100_000) + '0' + ']'.repeat(100_000)));
  const loop = attacks.referenceLoop();
  assert.match(loop.toString('latin1'), /\/Kids \[2 0 R 4 0 R\]/);
  for (const pdf of [deep, loop]) {
    // xref offsets are right: every entry points at its object
    const text = pdf.toString('latin1');
    const xref = text.slice(text.lastIndexOf('xref'));
    const offs = [...xref.matchAll(/^(\d{10}) 00000 n/gm)].map((m) => Number(m[1]));
    offs.forEach((o, i) => assert.match(text.slice(o, o + 12), new RegExp(`^${i + 1} 0 obj`)));
  }
});

test('attacks: pdfsig answers on the deeply nested file', (t) => {
  if (!HAVE_PDFSIG) return t.skip('pdfsig not installed');
  const deep = attacks.deeplyNested(100_000);
  // poppler answers quickly on the nested file (reference-loop.pdf makes pdfsig 22.12 loop: not run here)
  const t0 = Date.now();
  run('pdfsig', [fileOf('deep.pdf', deep)], 20_000);
  assert.ok(Date.now() - t0 < 20_000);
});

let bigSigned: Buffer;
test('attacks: big signed PDF', async () => {
  const big = (bigSigned = await attacks.bigPdf(pki, 6 * 1024 * 1024));
  assert.ok(Math.abs(big.length - 6 * 1024 * 1024) < 200 * 1024, `size ${big.length}`);
  const sigs = scanSignatures(big);
  assert.equal(sigs.length, 2);
  for (const s of sigs) {
    const r = checkCms(big, s);
    assert.ok(r.digestMatches && r.signatureValid);
  }
  assert.equal(sigs[1]!.byteRange[2]! + sigs[1]!.byteRange[3]!, big.length);
});

test('attacks: big signed PDF accepted by pdfsig', (t) => {
  if (!HAVE_PDFSIG) return t.skip('pdfsig not installed');
  const blocks = pdfsigBlocks(pdfsig(bigSigned, 'big.pdf'));
  assert.match(blocks[1]!, /Signature is Valid\./);
  assert.match(blocks[1]!, /- Total document signed/);
});

// ---------------------------------------------------------------------------------------------------------
// fixture set
// ---------------------------------------------------------------------------------------------------------

let fixtureSet: { out: string; manifest: Awaited<ReturnType<typeof makeFixtureSet>> };
test('make-test-pdfs: fixture set with manifest', async () => {
  const out = join(tmp, 'set');
  const manifest = await makeFixtureSet(out, { pki, sizeBytes: 1024 * 1024, hugeContentsHexChars: 1024 * 1024 });
  const onDisk = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
  assert.deepEqual(onDisk.files, manifest.files);
  for (const f of ['trust/root.pem', 'trust/intermediate.crt', 'trust/ca.crl']) assert.ok(existsSync(join(out, f)), f);
  const must = [
    'valid-two-signatures.pdf',
    'person-only.pdf',
    'unsigned.pdf',
    'incremental-content-change.pdf',
    'garbage-after-eof.pdf',
    'shadow-hide.pdf',
    'shadow-replace.pdf',
    'signature-wrapping.pdf',
    ...attacks.FORGERY_VARIANTS.map((v) => `usf-${v}.pdf`),
    'copied-signature.pdf',
    'flipped-byte.pdf',
    'malformed-contents.pdf',
    'truncated.pdf',
    'not-a-pdf.pdf',
    'huge-contents.pdf',
    'deeply-nested.pdf',
    'reference-loop.pdf',
    'big-signed.pdf',
    'expired-person.pdf',
    'not-yet-valid-person.pdf',
    'revoked-person.pdf',
    'wrong-key-usage-person.pdf',
    'untrusted-copied-organization.pdf',
    'md2-digest.pdf',
    'corrupt-signature-value.pdf',
    'tampered-message-digest.pdf',
  ];
  for (const f of must) {
    assert.ok(manifest.files[f], `manifest lists ${f}`);
    assert.ok(existsSync(join(out, f)), `${f} written`);
  }
  for (const [f, e] of Object.entries(manifest.files)) {
    assert.ok(e.verdict || e.verdict_not, `${f}: has an expected verdict`);
    if (e.verdict === 'valid') assert.deepEqual(e.problems_exactly, [], f);
    if (e.verdict_not) assert.ok(e.problems_any_of && e.problems_any_of.length > 0, f);
    // every "valid" file really is: all signatures intact, last covers the file
    if (e.verdict === 'valid') {
      const pdf = readFileSync(join(out, f));
      const sigs = scanSignatures(pdf);
      assert.equal(sigs.length, e.signatures, f);
      for (const s of sigs) {
        assertFramesContents(pdf, s);
        const r = checkCms(pdf, s);
        assert.ok(r.digestMatches && r.signatureValid, f);
      }
      assert.equal(sigs.at(-1)!.byteRange[2]! + sigs.at(-1)!.byteRange[3]!, pdf.length, f);
      assert.match(checkCms(pdf, sigs.at(-1)!).signerSubject, /CN=Sở Tài chính tỉnh Bình Thuận/, `${f}: sealed last`);
    }
  }
  fixtureSet = { out, manifest };
});

test('make-test-pdfs: the valid files of the set are accepted by pdfsig', (t) => {
  if (!HAVE_PDFSIG) return t.skip('pdfsig not installed');
  const { out, manifest } = fixtureSet;
  for (const [f, e] of Object.entries(manifest.files)) {
    if (e.verdict !== 'valid') continue;
    const args = nssDir ? ['-nssdir', `sql:${nssDir}`] : [];
    // the set has its own PKI here (same `pki`), so the NSS db with its root applies
    const blocks = pdfsigBlocks(run('pdfsig', [...args, join(out, f)]).stdout);
    assert.ok(blocks.every((b) => /Signature is Valid\./.test(b)), f);
    assert.match(blocks.at(-1)!, /- Total document signed/, f);
    if (nssDir) assert.ok(blocks.every((b) => /Certificate is Trusted\./.test(b)), f);
  }
});
