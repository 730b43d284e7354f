/**
 * Writes a self-contained set of signed-PDF fixtures with their expected verdicts:
 *
 *   node dist/scripts/make-test-pdfs.js <outdir> [--size <bytes>]
 *
 * <outdir>/trust/            root.pem, intermediate.crt (DER), ca.crl (DER) of a fresh test PKI
 * <outdir>/*.pdf             good documents (person + organisation seal), certificate problems, attacks, DoS files
 * <outdir>/manifest.json     file -> { attack, verdict | verdict_not, problems_exactly | problems_any_of, note, … }
 *
 * The manifest uses the same keys as ../shared/pdf-attacks/expectations.json:
 *   verdict            the exact verdict ('valid' or 'invalid')
 *   verdict_not        a verdict the file must not get
 *   problems_exactly   the exact set of problem codes
 *   problems_any_of    at least one of these codes must be reported (the verifier must see the attack itself)
 *   max_seconds        answer within this time, bounded memory, no crash (denial-of-service files)
 * Every certificate is freshly issued, so the set is only meaningful with ITS trust/ folder, and for the
 * validity period of that PKI (person certificates: 2 years).
 *
 * Used by developers and benchmarks (big-signed.pdf, --size). Independent of mail-gateway/ on purpose.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createTestPki, type TestPki } from '../test/support/pki';
import { makeDocumentPdf } from '../test/support/document-pdf';
import { signPdf, OID } from '../test/support/pdf-signer';
import {
  FORGERY_VARIANTS,
  addAnnotationOverlay,
  appendGarbageAfterEof,
  bigPdf,
  copySignatureFrom,
  deeplyNested,
  flipByteInSignedRange,
  hugeContents,
  incrementalContentChange,
  malformedContents,
  notAPdf,
  referenceLoop,
  shadowHideParts,
  shadowReplaceParts,
  signatureDictionaryReplaced,
  signatureWrapping,
  truncated,
  universalForgery,
  type ProblemCode,
} from '../test/support/pdf-attacks';

export interface ManifestEntry {
  attack: string;
  verdict?: 'valid' | 'invalid';
  verdict_not?: 'valid';
  problems_exactly?: ProblemCode[];
  problems_any_of?: ProblemCode[];
  max_seconds?: number;
  /** Number of signature fields a parser should find (when meaningful). */
  signatures?: number;
  note: string;
}

export interface Manifest {
  generated_at: string;
  trust_dir: string;
  files: Record<string, ManifestEntry>;
}

export interface FixtureOptions {
  /** Size of big-signed.pdf in bytes (default 50 MiB; 0 leaves the file out). */
  sizeBytes?: number;
  /** Length of the /Contents hex string of huge-contents.pdf (default 10 MiB; 0 leaves the file out). */
  hugeContentsHexChars?: number;
  /** Use an existing PKI (default: a fresh one). */
  pki?: TestPki;
}

const VALID = (note: string, signatures = 2): ManifestEntry => ({
  attack: 'benign',
  verdict: 'valid',
  problems_exactly: [],
  signatures,
  note,
});
const ATTACK = (attack: string, codes: ProblemCode[], note: string, extra: Partial<ManifestEntry> = {}): ManifestEntry => ({
  attack,
  verdict_not: 'valid',
  problems_any_of: codes,
  note,
  ...extra,
});

export async function makeFixtureSet(outDir: string, opts: FixtureOptions = {}): Promise<Manifest> {
  const dir = resolve(outDir);
  await mkdir(dir, { recursive: true });
  const pki = opts.pki ?? (await createTestPki());
  await pki.writeTrustDir(join(dir, 'trust'));
  const files: Record<string, ManifestEntry> = {};
  const put = async (file: string, data: Buffer, entry: ManifestEntry) => {
    await writeFile(join(dir, file), data);
    files[file] = entry;
  };

  // Base documents.
  const congVan = await makeDocumentPdf({ type: 'Công văn', number: '123/STC-NS' });
  const giayMoi = await makeDocumentPdf({ type: 'Giấy mời', number: '456/GM-STC', pages: 2 });
  const plainCongVan = await makeDocumentPdf({ type: 'Công văn', number: '124/STC-NS', compress: false });
  const person = await signPdf(congVan, pki.person);
  const valid = await signPdf(person, pki.organization);
  const withOrg = (pdf: Buffer) => signPdf(pdf, pki.organization);

  // --- good documents -------------------------------------------------------------------------------
  await put('valid-two-signatures.pdf', valid, VALID('Công văn signed by the person (Nguyễn Văn An), then by the organisation seal (CN = O); adbe.pkcs7.detached, SHA-256, RSA'));
  await put(
    'valid-cades.pdf',
    await signPdf(await signPdf(congVan, pki.person, { subFilter: 'ETSI.CAdES.detached' }), pki.organization, {
      subFilter: 'ETSI.CAdES.detached',
      digest: 'SHA-384',
    }),
    VALID('both signatures ETSI.CAdES.detached with ESS signing-certificate-v2; seal with SHA-384'),
  );
  await put('valid-ecdsa-person.pdf', await withOrg(await signPdf(congVan, pki.ecdsaPerson)), VALID('person signs with ECDSA P-256 / SHA-256, then the seal (RSA)'));
  await put('valid-pss-person.pdf', await withOrg(await signPdf(congVan, pki.pssPerson)), VALID('person signs with RSASSA-PSS (SHA-256, MGF1-SHA-256, salt 32), then the seal'));
  await put(
    'valid-giay-moi-sha512.pdf',
    await signPdf(await signPdf(giayMoi, pki.person, { digest: 'SHA-512' }), pki.organization, {
      digest: 'SHA-512',
      rsaSignatureOid: 'rsaEncryption',
    }),
    VALID('two-page Giấy mời, both signatures SHA-512; the seal declares rsaEncryption as its signature algorithm (as Adobe does)'),
  );
  await put('person-only.pdf', person, {
    attack: 'benign',
    verdict: 'invalid',
    problems_exactly: ['MISSING_ORGANIZATION_SIGNATURE'],
    signatures: 1,
    note: 'valid personal signature, no organisation seal',
  });
  await put('unsigned.pdf', congVan, {
    attack: 'benign',
    verdict_not: 'valid',
    problems_any_of: ['NO_SIGNATURE'],
    signatures: 0,
    note: 'no signature at all: reference only, never registered',
  });

  // --- certificate and CMS problems ----------------------------------------------------------------
  const certCase = async (file: string, signer: keyof TestPki, code: ProblemCode, note: string) =>
    put(file, await withOrg(await signPdf(congVan, pki[signer] as TestPki['person'])), ATTACK('certificate', [code], note, { signatures: 2 }));
  await certCase('expired-person.pdf', 'expiredPerson', 'CERT_EXPIRED', 'person certificate expired 30 days before signing');
  await certCase('not-yet-valid-person.pdf', 'notYetValidPerson', 'CERT_NOT_YET_VALID', 'person certificate valid only from 30 days after signing');
  await certCase('revoked-person.pdf', 'revokedPerson', 'CERT_REVOKED', 'person certificate revoked 10 days before signing (trust/ca.crl)');
  await certCase('wrong-key-usage-person.pdf', 'wrongKeyUsagePerson', 'WRONG_KEY_USAGE', 'person certificate has keyUsage keyEncipherment only');
  await put(
    'untrusted-copied-organization.pdf',
    await signPdf(person, pki.untrustedOrganization, { extraCerts: [pki.untrustedRoot.certDer] }),
    ATTACK('copied-name', ['UNTRUSTED_CHAIN'], 'seal certificate with the exact subject of the real organisation, issued by a look-alike self-signed root (embedded in the CMS) that is not in trust/', { signatures: 2 }),
  );
  await put(
    'md2-digest.pdf',
    await signPdf(person, pki.organization, { digestAlgorithmOid: OID.md2 }),
    ATTACK('algorithm', ['UNSUPPORTED_ALGORITHM'], 'seal CMS declares MD2 (1.2.840.113549.2.2) as digest algorithm', { signatures: 2 }),
  );
  await put(
    'corrupt-signature-value.pdf',
    await signPdf(person, pki.organization, { corruptSignatureValue: true }),
    ATTACK('crypto', ['BAD_SIGNATURE'], 'seal: messageDigest matches the byte ranges, one byte of the RSA signature value flipped', { signatures: 2 }),
  );
  await put(
    'tampered-message-digest.pdf',
    await signPdf(person, pki.organization, { tamperMessageDigest: true }),
    ATTACK('crypto', ['DIGEST_MISMATCH'], 'seal: signed attributes carry a wrong messageDigest (signature over them is correct)', { signatures: 2 }),
  );

  // --- incremental saving, shadow, wrapping, forgery ---------------------------------------------------
  await put('incremental-content-change.pdf', incrementalContentChange(valid), ATTACK('ISA', ['MODIFIED_AFTER_SIGNING'], 'update after the seal rewrites page 1 with a new content stream (forged 900.000.000 đồng transfer)', { signatures: 2 }));
  await put('annotation-overlay.pdf', addAnnotationOverlay(valid), ATTACK('ISA', ['MODIFIED_AFTER_SIGNING'], 'update after the seal adds a FreeText annotation whose appearance covers the body with forged text', { signatures: 2 }));
  await put('garbage-after-eof.pdf', appendGarbageAfterEof(valid), ATTACK('bytes-added', ['MODIFIED_AFTER_SIGNING', 'MALFORMED_PDF'], '4 KB of junk appended after the signed %%EOF (no xref)', { signatures: 2 }));
  await put('signature-dictionary-replaced.pdf', signatureDictionaryReplaced(valid), ATTACK('ISA', ['MODIFIED_AFTER_SIGNING', 'BAD_BYTE_RANGE', 'MALFORMED_SIGNATURE', 'DIGEST_MISMATCH'], 'update rewrites the seal\'s signature dictionary (same ByteRange/Contents, new /Reason and /M): ByteRange no longer frames that object\'s /Contents', { signatures: 2 }));
  const hide = await shadowHideParts(pki);
  await put('shadow-hide-original-signed.pdf', hide.signedOriginal, VALID('control for shadow-hide.pdf: forged text drawn under a white image, signed by person and seal (legitimately valid: what is signed is what is shown)'));
  await put('shadow-hide.pdf', hide.attacked, ATTACK('shadow-hide', ['MODIFIED_AFTER_SIGNING'], 'update after the seal replaces the white cover image object by an empty form: hidden forged text appears', { signatures: 2 }));
  const replace = await shadowReplaceParts(pki);
  await put('shadow-replace-original-signed.pdf', replace.signedOriginal, VALID('control for shadow-replace.pdf: read-only text field "Kinh phi: 100.000.000 dong", signed by person and seal'));
  await put('shadow-replace.pdf', replace.attacked, ATTACK('shadow-replace', ['MODIFIED_AFTER_SIGNING'], 'update after the seal changes the form field value and appearance to 900.000.000', { signatures: 2 }));
  await put('signature-wrapping.pdf', signatureWrapping(valid), ATTACK('SWA', ['BAD_BYTE_RANGE', 'MALFORMED_SIGNATURE', 'MODIFIED_AFTER_SIGNING'], 'seal /Contents shortened, forged page objects hidden in the freed gap, xref update appended; ByteRange unchanged so the digest still matches', { signatures: 2 }));
  for (const v of FORGERY_VARIANTS) {
    const codes: ProblemCode[] = ['MALFORMED_SIGNATURE', 'BAD_BYTE_RANGE'];
    if (v === 'byterange-past-eof') codes.push('DIGEST_MISMATCH');
    await put(`usf-${v}.pdf`, universalForgery(valid, v), ATTACK('USF', codes, `universal signature forgery on the seal: ${v} (edited in place, offsets kept)`, { signatures: 2 }));
  }
  const otherValid = await withOrg(await signPdf(giayMoi, pki.person));
  await put('copied-signature.pdf', copySignatureFrom(otherValid, person, { mode: 'new-field' }), ATTACK('copied-signature', ['DIGEST_MISMATCH'], 'person-signed Công văn + a seal whose /Contents is the genuine seal CMS of another document (Giấy mời 456/GM-STC)', { signatures: 2 }));
  const plainValid = await withOrg(await signPdf(plainCongVan, pki.person));
  await put('flipped-byte.pdf', flipByteInSignedRange(plainValid), ATTACK('integrity', ['DIGEST_MISMATCH'], 'one glyph of page 1 (uncompressed content) changed inside the range both signatures cover', { signatures: 2 }));
  await put('malformed-contents.pdf', malformedContents(valid), ATTACK('malformed', ['MALFORMED_SIGNATURE'], 'seal /Contents is hex of bytes that are not DER', { signatures: 2 }));

  // --- hostile files -----------------------------------------------------------------------------------
  await put('truncated.pdf', truncated(valid, Math.floor(valid.length * 0.6)), ATTACK('truncated', ['MALFORMED_PDF', 'NO_SIGNATURE', 'BAD_BYTE_RANGE', 'DIGEST_MISMATCH'], 'first 60% of valid-two-signatures.pdf (cut inside the person signature update)', { max_seconds: 20 }));
  await put('not-a-pdf.pdf', notAPdf(), ATTACK('not-pdf', ['NOT_A_PDF'], 'a ZIP (.docx) local file header and random bytes, named .pdf'));
  const hugeHex = opts.hugeContentsHexChars ?? 10 * 1024 * 1024;
  if (hugeHex > 0) {
    await put('huge-contents.pdf', await hugeContents(person, hugeHex), ATTACK('dos', ['MALFORMED_SIGNATURE'], `person signature + a seal field whose /Contents is a ${hugeHex}-character hex string of random non-DER bytes claiming a 2 GB SEQUENCE`, { max_seconds: 20, signatures: 2 }));
  }
  await put('deeply-nested.pdf', deeplyNested(100_000), ATTACK('dos', ['NO_SIGNATURE', 'MALFORMED_PDF'], 'array nested 100000 deep, referenced from the catalog and as /AcroForm /Fields (stack exhaustion)', { max_seconds: 20 }));
  await put('reference-loop.pdf', referenceLoop(), ATTACK('dos', ['NO_SIGNATURE', 'MALFORMED_PDF', 'MALFORMED_SIGNATURE'], 'page tree /Kids loop, self-referencing array, signature field that is its own /Kids and /Parent, /ByteRange that references itself', { max_seconds: 20 }));
  const big = opts.sizeBytes ?? 50 * 1024 * 1024;
  if (big > 0) {
    await put('big-signed.pdf', await bigPdf(pki, big), { ...VALID(`about ${big} bytes (incompressible attachment), person + seal: benchmark input`), max_seconds: 60 });
  }

  const manifest: Manifest = { generated_at: new Date().toISOString(), trust_dir: 'trust', files };
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let size: number | undefined;
  const i = args.indexOf('--size');
  if (i >= 0) {
    size = Number(args[i + 1]);
    args.splice(i, 2);
  }
  const out = args[0];
  if (!out || !Number.isFinite(size ?? 0)) {
    console.error('usage: node dist/scripts/make-test-pdfs.js <outdir> [--size <bytes of big-signed.pdf, 0 = none>]');
    process.exit(2);
  }
  const t0 = Date.now();
  const m = await makeFixtureSet(out, { sizeBytes: size });
  for (const [f, e] of Object.entries(m.files)) {
    const expect = e.verdict ? `${e.verdict}${e.problems_exactly?.length ? ' ' + e.problems_exactly.join(',') : ''}` : `not valid; any of ${e.problems_any_of?.join('|')}`;
    console.log(`${f.padEnd(40)} ${expect}`);
  }
  console.log(`${Object.keys(m.files).length} files + trust/ + manifest.json in ${resolve(out)} (${Date.now() - t0} ms)`);
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
