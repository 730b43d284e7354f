import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import {
  decodeTextString,
  extractPageText,
  parsePdfDate,
  PdfDict,
  PdfDocument,
  PdfName,
  PdfParseError,
  PdfRef,
  PdfStream,
  PdfString,
  type PdfValue,
} from '../mail-gateway/pdf/index';
import { appendUpdate, buildPdf, lastStartxref, streamBody } from '../mail-gateway/pdf/build';

const latin1 = (s: string) => Buffer.from(s, 'latin1');

/** catalog 1, pages 2, page 3 (content 4), font 5 — plus extra objects */
function basicObjects(extra: Record<number, string | Buffer> = {}): Record<number, string | Buffer> {
  return {
    1: '<< /Type /Catalog /Pages 2 0 R >>',
    2: '<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> >>',
    3: '<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>',
    4: streamBody('<< >>', 'BT /F1 12 Tf 72 700 Td (Hello world) Tj ET'),
    5: '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    ...extra,
  };
}

function isMalformed(e: unknown): boolean {
  return e instanceof PdfParseError && e.code === 'MALFORMED_PDF';
}

/** Offset of the n-th (0-based) occurrence of s. */
function offsetOf(buf: Buffer, s: string, n = 0): number {
  let k = -1;
  for (let i = 0; i <= n; i++) k = buf.indexOf(s, k + 1, 'latin1');
  return k;
}

test('one revision: structure, values, offsets', () => {
  const pdf = buildPdf(
    basicObjects({
      6: '<< /Name#20X 1 /Str (a\\(b\\)\\n\\101\\\r\nc) /Hex <48656C6C6F7> /Num -1.5 /Int 42 /Bool true /Null null /Arr [1 2 0 R /N] /D << /K (v) >> >>',
    }),
  );
  const doc = PdfDocument.open(pdf);
  assert.equal(doc.repaired, false);
  assert.equal(doc.revisions.length, 1);
  const rev = doc.revisions[0];
  assert.equal(rev.index, 0);
  assert.equal(rev.kind, 'table');
  assert.equal(rev.xrefOffset, lastStartxref(pdf));
  assert.equal(rev.endOffset, pdf.length);
  assert.equal(rev.entries.size, 7);
  assert.deepEqual(rev.entries.get(0), { type: 'free', gen: 65535 });
  assert.deepEqual(doc.warnings, []);

  const cat = doc.catalog();
  assert.ok(cat.get('Pages') instanceof PdfRef);
  const pages = doc.pages();
  assert.equal(pages.length, 1);
  assert.deepEqual(doc.inherited(pages[0], 'MediaBox'), [0, 0, 595, 842]);
  assert.ok(doc.getDict(doc.inherited(pages[0], 'Resources'))?.get('Font'));

  const d = doc.getObject(6) as PdfDict;
  assert.ok(d instanceof PdfDict);
  assert.ok(d.has('Name X'), 'name #20 escape decoded');
  const s = d.get('Str') as PdfString;
  assert.equal(s.bytes.toString('latin1'), 'a(b)\nAc');
  assert.equal(s.hex, false);
  assert.equal(pdf.toString('latin1', s.start, s.end), '(a\\(b\\)\\n\\101\\\r\nc)');
  const h = d.get('Hex') as PdfString;
  assert.equal(h.hex, true);
  assert.equal(h.bytes.toString('latin1'), 'Hellop'); // odd digit count: final 7 → 0x70
  assert.equal(pdf.toString('latin1', h.start, h.end), '<48656C6C6F7>');
  assert.equal(d.get('Num'), -1.5);
  assert.equal(d.get('Int'), 42);
  assert.equal(d.get('Bool'), true);
  assert.equal(d.get('Null'), null);
  const arr = d.get('Arr') as PdfValue[];
  assert.equal(arr[0], 1);
  assert.ok(arr[1] instanceof PdfRef && arr[1].num === 2 && arr[1].gen === 0);
  assert.ok(arr[2] instanceof PdfName && arr[2].name === 'N');
  assert.equal(pdf.toString('latin1', d.start, d.start + 2), '<<');
  assert.equal(pdf.toString('latin1', d.end - 2, d.end), '>>');

  const span = doc.objectSpan(6)!;
  assert.equal(span.start, offsetOf(pdf, '6 0 obj'));
  assert.equal(pdf.toString('latin1', span.end - 6, span.end), 'endobj');

  const content = doc.getObject(4) as PdfStream;
  assert.ok(content instanceof PdfStream);
  assert.equal(doc.streamData(content).toString('latin1'), 'BT /F1 12 Tf 72 700 Td (Hello world) Tj ET');
  assert.equal(doc.getObject(99), undefined);
  assert.equal(doc.resolve(new PdfRef(99, 0)), undefined);
  assert.equal(extractPageText(doc, 0), 'Hello world');
});

test('opening is lazy: a 20 MB stream full of object-like bytes is not tokenized', () => {
  const noise = Buffer.from('1 0 obj << /Type /Catalog >> endobj [[[[ ( xref trailer startxref %%EOF\n'.repeat(300_000), 'latin1');
  const pdf = buildPdf(basicObjects({ 6: streamBody('<< >>', noise) }));
  assert.ok(pdf.length > 20_000_000);
  const doc = PdfDocument.open(pdf);
  assert.equal(doc.repaired, false);
  assert.equal(doc.revisions.length, 1);
  assert.equal(doc.revisions[0].endOffset, pdf.length);
  assert.equal(extractPageText(doc, 0), 'Hello world');
  const s = doc.getObject(6) as PdfStream;
  assert.equal(s.dataEnd - s.dataStart, noise.length);
  assert.equal(doc.streamData(s).length, noise.length);
});

test('two incremental revisions: object overridden and object freed', () => {
  const base = buildPdf(basicObjects({ 6: '(old)', 7: '(to be freed)' }));
  const updated = appendUpdate(base, { 6: '(new)', 7: null, 8: '(added)' });
  const doc = PdfDocument.open(updated);
  assert.equal(doc.repaired, false);
  assert.equal(doc.revisions.length, 2);
  assert.equal(doc.revisions[0].endOffset, base.length);
  assert.equal(doc.revisions[1].endOffset, updated.length);
  assert.equal(doc.revisions[0].xrefOffset, lastStartxref(base));
  assert.equal(doc.revisions[1].xrefOffset, lastStartxref(updated));
  assert.deepEqual([...doc.revisions[1].entries.keys()].sort(), [6, 7, 8]);
  assert.equal(doc.revisions[1].entries.get(7)?.type, 'free');

  const str = (v: PdfValue | undefined) => (v instanceof PdfString ? v.bytes.toString('latin1') : v);
  assert.equal(str(doc.getObject(6, 0)), 'old');
  assert.equal(str(doc.getObject(6, 1)), 'new');
  assert.equal(str(doc.getObject(6)), 'new');
  assert.equal(str(doc.getObject(7, 0)), 'to be freed');
  assert.equal(doc.getObject(7, 1), undefined);
  assert.equal(doc.getObject(8, 0), undefined);
  assert.equal(str(doc.getObject(8, 1)), 'added');
  // unchanged objects are the same instances in both revisions; changed ones have different spans
  assert.equal(doc.getObject(3, 0), doc.getObject(3, 1));
  assert.deepEqual(doc.objectSpan(3, 0), doc.objectSpan(3, 1));
  assert.ok(doc.objectSpan(6, 0)!.end <= base.length);
  assert.ok(doc.objectSpan(6, 1)!.start >= base.length);
  assert.equal(doc.objectSpan(7, 1), undefined);
  assert.throws(() => doc.getObject(1, 2), RangeError);
});

test('xref stream with object stream (compressed, PNG predictor) and an update', () => {
  const pdf = buildPdf(basicObjects({ 6: '<< /InStream true >>', 7: '[1 2 3]' }), {
    xref: 'stream',
    inObjectStream: [2, 3, 6, 7],
    compress: true,
  });
  const doc = PdfDocument.open(pdf);
  assert.equal(doc.repaired, false);
  assert.equal(doc.revisions.length, 1);
  const rev = doc.revisions[0];
  assert.equal(rev.kind, 'stream');
  assert.equal(rev.trailer.getName('Type'), 'XRef');
  const e6 = rev.entries.get(6);
  assert.equal(e6?.type, 'compressed');
  assert.deepEqual(doc.getObject(7), [1, 2, 3]);
  assert.equal((doc.getObject(6) as PdfDict).get('InStream'), true);
  assert.equal((doc.getObject(6) as PdfDict).start, -1, 'object-stream members have no file offsets');
  // the span of a compressed object is the span of its object stream
  const stmNum = e6?.type === 'compressed' ? e6.streamNum : -1;
  assert.deepEqual(doc.objectSpan(6), doc.objectSpan(stmNum));
  assert.equal(doc.pages().length, 1);
  assert.equal(extractPageText(doc, 0), 'Hello world');

  const updated = appendUpdate(pdf, { 7: '[4 5 6]' }, { xref: 'stream' });
  const d2 = PdfDocument.open(updated);
  assert.equal(d2.revisions.length, 2);
  assert.equal(d2.revisions[1].kind, 'stream');
  assert.deepEqual(d2.getObject(7, 0), [1, 2, 3]);
  assert.deepEqual(d2.getObject(7, 1), [4, 5, 6]);
  assert.equal(d2.revisions[0].endOffset, pdf.length);
});

test('hybrid file: table with /XRefStm', () => {
  const pdf = buildPdf(basicObjects({ 6: '(hidden from tables)' }), { xref: 'hybrid', inObjectStream: [6] });
  const doc = PdfDocument.open(pdf);
  assert.equal(doc.revisions.length, 1);
  assert.equal(doc.revisions[0].kind, 'table');
  assert.equal(typeof doc.revisions[0].trailer.get('XRefStm'), 'number');
  assert.equal(doc.revisions[0].entries.get(6)?.type, 'compressed');
  assert.equal((doc.getObject(6) as PdfString).bytes.toString('latin1'), 'hidden from tables');
  assert.equal(doc.repaired, false);
});

test('/Prev loop is survived', () => {
  const base = buildPdf(basicObjects());
  const one = appendUpdate(base, { 6: '(one)' });
  // a second update whose /Prev points at itself: the older revisions become unreachable, so the
  // catalog is missing from the chain and the file is reconstructed
  const twoObj = latin1('7 0 obj\n(two)\nendobj\n');
  const xrefAt = one.length + twoObj.length;
  const tail = latin1(
    `xref\n7 1\n${String(one.length).padStart(10, '0')} 00000 n \ntrailer\n<< /Size 8 /Root 1 0 R /Prev ${xrefAt} >>\nstartxref\n${xrefAt}\n%%EOF\n`,
  );
  const selfLoop = PdfDocument.open(Buffer.concat([one, twoObj, tail]));
  assert.ok(selfLoop.warnings.some((w) => /\/Prev loop/.test(w)), selfLoop.warnings.join('; '));
  assert.equal(selfLoop.repaired, true);
  assert.equal(selfLoop.revisions.length, 3);
  assert.equal((selfLoop.getObject(7) as PdfString).bytes.toString('latin1'), 'two');
  assert.equal(selfLoop.pages().length, 1);

  // two updates pointing at each other (each carries the catalog, so the chain itself is usable)
  const u1 = appendUpdate(base, { 1: '<< /Type /Catalog /Pages 2 0 R >>', 2: '<< /Type /Pages /Kids [] /Count 0 >>', 6: '(u1)' }, { prev: 1000000 });
  const u2 = appendUpdate(u1, { 6: '(u2)' });
  const looped = latin1(u2.toString('latin1').replace('/Prev 1000000', `/Prev ${String(lastStartxref(u2)).padStart(7, '0')}`));
  const doc = PdfDocument.open(looped);
  assert.equal(doc.repaired, false);
  assert.equal(doc.revisions.length, 2);
  assert.ok(doc.warnings.some((w) => /\/Prev loop/.test(w)), doc.warnings.join('; '));
  assert.equal((doc.getObject(6) as PdfString).bytes.toString('latin1'), 'u2');
  assert.equal((doc.getObject(6, 0) as PdfString).bytes.toString('latin1'), 'u1');
});

test('startxref: whitespace tolerated, wrong offset repaired', () => {
  const pdf = buildPdf(basicObjects());
  const sx = lastStartxref(pdf);
  const setStartxref = (v: number) => {
    const s = pdf.toString('latin1');
    const k = s.lastIndexOf('startxref');
    return latin1(s.slice(0, k) + `startxref\n${v}\n%%EOF\n`);
  };
  const oneBefore = PdfDocument.open(setStartxref(sx - 1)); // points at the newline before "xref"
  assert.equal(oneBefore.repaired, false);
  assert.equal(oneBefore.revisions[0].xrefOffset, sx);

  const wrong = PdfDocument.open(setStartxref(sx + 7));
  assert.equal(wrong.repaired, true);
  assert.ok(wrong.warnings.some((w) => /reconstructed/.test(w)));
  assert.equal(wrong.revisions.length, 1);
  assert.equal(wrong.pages().length, 1);
  assert.equal(extractPageText(wrong, 0), 'Hello world');

  const beyond = PdfDocument.open(setStartxref(10_000_000));
  assert.equal(beyond.repaired, true);
});

test('repair keeps incremental updates apart and the last definition wins', () => {
  const base = buildPdf(basicObjects({ 6: '(v1)' }));
  const updated = appendUpdate(base, { 6: '(v2)' });
  const broken = latin1(updated.toString('latin1').replace(/startxref\n\d+\n%%EOF\n$/, 'startxref\n3\n%%EOF\n'));
  const doc = PdfDocument.open(broken);
  assert.equal(doc.repaired, true);
  assert.equal(doc.revisions.length, 2);
  assert.equal(doc.revisions[0].endOffset, base.length);
  assert.equal(doc.revisions[1].endOffset, broken.length);
  assert.equal((doc.getObject(6, 0) as PdfString).bytes.toString('latin1'), 'v1');
  assert.equal((doc.getObject(6) as PdfString).bytes.toString('latin1'), 'v2');
});

test('xref entry off by a few bytes is found with a warning', () => {
  const pdf = buildPdf(basicObjects({ 6: '(six)' }));
  const off6 = offsetOf(pdf, '6 0 obj');
  const s = pdf.toString('latin1');
  const entry = `${String(off6).padStart(10, '0')} 00000 n `;
  const moved = latin1(s.replace(entry, `${String(off6 - 2).padStart(10, '0')} 00000 n `));
  const doc = PdfDocument.open(moved);
  assert.equal((doc.getObject(6) as PdfString).bytes.toString('latin1'), 'six');
  assert.ok(doc.warnings.some((w) => /off by 2 for object 6/.test(w)), doc.warnings.join('; '));
});

test('stream /Length: indirect, and wrong (falls back to endstream)', () => {
  const data = 'BT /F1 12 Tf 72 700 Td (Indirect) Tj ET';
  const indirect = buildPdf(
    basicObjects({ 4: latin1(`<< /Length 6 0 R >>\nstream\n${data}\nendstream`), 6: String(data.length) }),
  );
  const d1 = PdfDocument.open(indirect);
  assert.equal(d1.streamData(d1.getObject(4) as PdfStream).toString('latin1'), data);
  assert.deepEqual(d1.warnings, []);

  const wrong = buildPdf(basicObjects({ 4: latin1(`<< /Length 5 >>\nstream\r\n${data}\r\nendstream`) }));
  const d2 = PdfDocument.open(wrong);
  const s = d2.getObject(4) as PdfStream;
  assert.equal(d2.streamData(s).toString('latin1'), data);
  assert.ok(d2.warnings.some((w) => /Length/.test(w)));

  // /Length pointing at the stream itself must not recurse forever
  const selfLen = buildPdf(basicObjects({ 4: latin1(`<< /Length 4 0 R >>\nstream\n${data}\nendstream`) }));
  const d3 = PdfDocument.open(selfLen);
  assert.equal(d3.streamData(d3.getObject(4) as PdfStream).toString('latin1'), data);
});

test('truncated, empty and non-PDF inputs', () => {
  const pdf = buildPdf(basicObjects());
  const cut = pdf.subarray(0, offsetOf(pdf, 'xref') - 1); // everything but the xref and trailer
  const doc = PdfDocument.open(cut);
  assert.equal(doc.repaired, true);
  assert.equal(doc.pages().length, 1);
  assert.equal(doc.revisions[doc.revisions.length - 1].endOffset, cut.length);

  const tiny = pdf.subarray(0, 22); // header and the start of object 1's header
  assert.throws(() => PdfDocument.open(tiny), isMalformed);
  assert.throws(() => PdfDocument.open(latin1('%PDF-1.7\n')), isMalformed);
  assert.throws(
    () => PdfDocument.open(Buffer.alloc(0)),
    (e: unknown) => e instanceof PdfParseError && e.code === 'NOT_A_PDF',
  );
  assert.throws(
    () => PdfDocument.open(latin1('Hello, this is a text file.\n'.repeat(100))),
    (e: unknown) => e instanceof PdfParseError && e.code === 'NOT_A_PDF',
  );
  // a header after 1024 bytes of junk is not a PDF
  assert.throws(
    () => PdfDocument.open(Buffer.concat([Buffer.alloc(1100, 0x20), pdf])),
    (e: unknown) => e instanceof PdfParseError && e.code === 'NOT_A_PDF',
  );
  // a short prefix before the header is tolerated
  const junk = latin1('Content-Type: application/pdf\r\n'.repeat(10));
  const prefixed = PdfDocument.open(Buffer.concat([junk, pdf]));
  assert.equal(prefixed.repaired, false);
  assert.equal(prefixed.headerOffset, junk.length);
  assert.equal(prefixed.pages().length, 1);
  assert.equal(extractPageText(prefixed, 0), 'Hello world');
  assert.equal(prefixed.revisions[0].endOffset, junk.length + pdf.length);
  assert.ok(prefixed.warnings.some((w) => /relative to the %PDF- header/.test(w)), prefixed.warnings.join('; '));
});

test('deep nesting 100,000 levels is MALFORMED_PDF, not a stack overflow', () => {
  const deepArray = '['.repeat(100_000) + ']'.repeat(100_000);
  const deepDict = '<< /A '.repeat(100_000) + '>>'.repeat(100_000);
  const doc = PdfDocument.open(buildPdf(basicObjects({ 6: deepArray, 7: deepDict, 8: '[[[[1]]]]' })));
  assert.throws(() => doc.getObject(6), isMalformed);
  assert.throws(() => doc.getObject(7), isMalformed);
  assert.deepEqual(doc.getObject(8), [[[[1]]]]);
  // within the limit
  const ok = PdfDocument.open(buildPdf(basicObjects({ 6: '['.repeat(200) + ']'.repeat(200) })));
  assert.ok(Array.isArray(ok.getObject(6)));
  // deep nesting in the trailer
  const deepTrailer = buildPdf(basicObjects(), { trailerExtra: `/Root 1 0 R /X ${deepArray}` });
  assert.throws(() => PdfDocument.open(deepTrailer), isMalformed);
  // unterminated deep nesting without the closing brackets
  assert.throws(() => PdfDocument.open(buildPdf(basicObjects({ 6: '['.repeat(100_000) }))).getObject(6), isMalformed);
});

test('reference loops: arrays, dictionaries, reference chains, page tree', () => {
  const doc = PdfDocument.open(
    buildPdf(
      basicObjects({
        6: '[7 0 R]',
        7: '[8 0 R]',
        8: '[6 0 R]',
        9: '<< /Self 9 0 R >>',
        10: '11 0 R',
        11: '10 0 R',
      }),
    ),
  );
  assert.ok(Array.isArray(doc.getObject(6)));
  assert.ok(doc.getDict(new PdfRef(9, 0))?.get('Self') instanceof PdfRef);
  assert.equal(doc.resolve(new PdfRef(10, 0)), undefined);
  assert.ok(doc.warnings.some((w) => /reference chain/.test(w)));
  assert.equal(extractPageText(doc, 0), 'Hello world');

  const loopTree = PdfDocument.open(
    buildPdf(
      basicObjects({
        2: '<< /Type /Pages /Kids [3 0 R 6 0 R] /Count 2 >>',
        6: '<< /Type /Pages /Kids [7 0 R] /Count 1 >>',
        7: '<< /Type /Pages /Kids [6 0 R 2 0 R] /Count 1 >>',
      }),
    ),
  );
  assert.throws(() => loopTree.pages(), isMalformed);
  assert.throws(() => extractPageText(loopTree, 0), isMalformed);

  const selfKid = PdfDocument.open(buildPdf(basicObjects({ 2: '<< /Type /Pages /Kids [2 0 R] /Count 1 >>' })));
  assert.throws(() => selfKid.pages(), isMalformed);
});

test('object stream /Extends loop and missing members', () => {
  const objStm = streamBody('<< /Type /ObjStm /N 1 /First 4 /Extends 6 0 R >>', '9 0 (nine)');
  const base = buildPdf(basicObjects({ 6: objStm }));
  // hand-made xref stream: object 9 in object stream 6 (index 0), object 10 in 6 at index 5 (absent)
  const entries: [number, number, number][] = [];
  const doc0 = PdfDocument.open(base);
  for (let n = 0; n <= 6; n++) {
    const e = doc0.revisions[0].entries.get(n)!;
    entries.push(e.type === 'offset' ? [1, e.offset, 0] : [0, 0, 65535]);
  }
  entries.push([0, 0, 0], [0, 0, 0], [2, 6, 0], [2, 6, 5]);
  const rows = Buffer.concat(entries.map(([t, a, b]) => Buffer.from([t, (a >> 24) & 255, (a >> 16) & 255, (a >> 8) & 255, a & 255, b >> 8, b & 255])));
  const xsObjNum = 11;
  const xsOff = base.length;
  const xs = Buffer.concat([
    latin1(`${xsObjNum} 0 obj\n<< /Type /XRef /Size 11 /W [1 4 2] /Root 1 0 R /Prev ${lastStartxref(base)} /Length ${rows.length} >>\nstream\n`),
    rows,
    latin1(`\nendstream\nendobj\nstartxref\n${xsOff}\n%%EOF\n`),
  ]);
  const doc = PdfDocument.open(Buffer.concat([base, xs]));
  assert.equal(doc.repaired, false);
  assert.equal((doc.getObject(9) as PdfString).bytes.toString('latin1'), 'nine');
  assert.equal(doc.getObject(10), undefined);
  assert.ok(doc.warnings.some((w) => /object 10 is not in object stream 6/.test(w)), doc.warnings.join('; '));
});

test('linearized-style forward /Prev stays one revision', () => {
  // first-page section at the start whose /Prev points forward to the main section (as linearized files do)
  const header = latin1('%PDF-1.7\n');
  const lin = latin1('9 0 obj\n<< /Linearized 1 >>\nendobj\n');
  const mainObjs = ['1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n', '2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n'];
  // layout: header, lin obj, first-page xref (9), main objects, main xref (0..2)
  const linOff = header.length;
  const firstXrefOff = linOff + lin.length;
  const makeFirst = (prev: number) =>
    latin1(
      `xref\n9 1\n${String(linOff).padStart(10, '0')} 00000 n \ntrailer\n<< /Size 10 /Root 1 0 R /Prev ${String(prev).padStart(10, '0')} >>\nstartxref\n0\n%%EOF\n`,
    );
  const firstLen = makeFirst(1000000).length;
  let off = firstXrefOff + firstLen;
  const offs: number[] = [];
  for (const o of mainObjs) {
    offs.push(off);
    off += o.length;
  }
  const mainXrefOff = off;
  const first = makeFirst(mainXrefOff);
  assert.equal(first.length, firstLen);
  const main = latin1(
    `xref\n0 3\n0000000000 65535 f \n${offs.map((o) => String(o).padStart(10, '0') + ' 00000 n \n').join('')}trailer\n<< /Size 3 >>\nstartxref\n${firstXrefOff}\n%%EOF\n`,
  );
  const pdf = Buffer.concat([header, lin, first, latin1(mainObjs.join('')), main]);
  const doc = PdfDocument.open(pdf);
  assert.equal(doc.repaired, false);
  assert.equal(doc.revisions.length, 1);
  assert.equal(doc.revisions[0].endOffset, pdf.length);
  assert.equal(doc.revisions[0].xrefOffset, firstXrefOff);
  assert.ok(doc.catalog().get('Pages'));
  const withUpdate = appendUpdate(pdf, { 5: '(update)' }, { size: 10 });
  const d2 = PdfDocument.open(withUpdate);
  assert.equal(d2.revisions.length, 2);
  assert.equal(d2.revisions[0].endOffset, pdf.length);
});

test('deflate bomb: streamData stops at the limit with bounded memory', () => {
  // 200 MB of zeros, deflated twice: a few hundred bytes
  const once = zlib.deflateSync(Buffer.alloc(200 * 1024 * 1024), { level: 9 });
  const bomb = zlib.deflateSync(once, { level: 9 });
  assert.ok(bomb.length < 2048, `bomb is ${bomb.length} bytes`);
  const pdf = buildPdf(basicObjects({ 4: streamBody('<< /Filter [/FlateDecode /FlateDecode] >>', bomb) }));
  global.gc?.();
  const before = process.memoryUsage().rss;
  const doc = PdfDocument.open(pdf);
  const s = doc.getObject(4) as PdfStream;
  assert.throws(
    () => doc.streamData(s),
    (e: unknown) => isMalformed(e) && /decodes to more than/.test((e as Error).message),
  );
  // the failure is remembered: a second call does not inflate again
  assert.throws(() => doc.streamData(s), isMalformed);
  assert.throws(() => extractPageText(doc, 0), isMalformed);
  const grown = process.memoryUsage().rss - before;
  assert.ok(grown < 100 * 1024 * 1024, `rss grew by ${Math.round(grown / 1048576)} MB`);

  // a single-layer bomb and a smaller per-stream limit
  const small = PdfDocument.open(buildPdf(basicObjects({ 4: streamBody('<< /Filter /FlateDecode >>', once) })), {
    maxStreamDecodedBytes: 1024 * 1024,
  });
  assert.throws(() => small.streamData(small.getObject(4) as PdfStream), /decodes to more than 1048576 bytes/);
});

test('document-wide decoded-bytes budget', () => {
  const chunk = zlib.deflateSync(Buffer.alloc(600 * 1024, 0x41));
  const objs: Record<number, string | Buffer> = {};
  for (let i = 0; i < 4; i++) objs[10 + i] = streamBody('<< /Filter /FlateDecode >>', chunk);
  const doc = PdfDocument.open(buildPdf(basicObjects(objs)), { maxTotalDecodedBytes: 2 * 1024 * 1024 });
  let ok = 0;
  let failed = 0;
  for (let i = 0; i < 4; i++) {
    try {
      doc.streamData(doc.getObject(10 + i) as PdfStream);
      ok++;
    } catch (e) {
      assert.ok(isMalformed(e));
      failed++;
    }
  }
  assert.equal(ok, 3);
  assert.equal(failed, 1);
});

test('predictors: PNG rows of every type and TIFF 2', () => {
  const rows = [
    [10, 20, 30, 40, 50, 60],
    [11, 22, 33, 44, 55, 66],
    [0, 255, 1, 254, 2, 253],
    [100, 100, 100, 100, 100, 100],
    [7, 8, 9, 10, 11, 12],
  ];
  const colors = 3;
  const bpp = 3;
  const encodeRow = (type: number, row: number[], prev: number[]) =>
    [
      type,
      ...row.map((x, i) => {
        const a = i >= bpp ? row[i - bpp] : 0;
        const b = prev[i];
        const c = i >= bpp ? prev[i - bpp] : 0;
        let p = 0;
        if (type === 1) p = a;
        else if (type === 2) p = b;
        else if (type === 3) p = (a + b) >> 1;
        else if (type === 4) {
          const pa = Math.abs(b - c);
          const pb = Math.abs(a - c);
          const pc = Math.abs(a + b - 2 * c);
          p = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
        }
        return (x - p) & 255;
      }),
    ];
  const encoded: number[] = [];
  rows.forEach((r, i) => encoded.push(...encodeRow(i, r, i ? rows[i - 1] : [0, 0, 0, 0, 0, 0])));
  const png = zlib.deflateSync(Buffer.from(encoded));
  const tiffSrc = rows.flat();
  const tiff = tiffSrc.map((x, i) => (i % 6 >= colors ? (x - tiffSrc[i - colors]) & 255 : x));
  const doc = PdfDocument.open(
    buildPdf(
      basicObjects({
        6: streamBody('<< /Filter /FlateDecode /DecodeParms << /Predictor 15 /Colors 3 /Columns 2 >> >>', png),
        7: streamBody('<< /Filter /FlateDecode /DecodeParms << /Predictor 2 /Colors 3 /Columns 2 >> >>', zlib.deflateSync(Buffer.from(tiff))),
      }),
    ),
  );
  assert.deepEqual([...doc.streamData(doc.getObject(6) as PdfStream)], rows.flat());
  assert.deepEqual([...doc.streamData(doc.getObject(7) as PdfStream)], rows.flat());
});

function lzwEncode(data: Buffer): Buffer {
  // straightforward LZW encoder (EarlyChange 1) for the test
  const out: number[] = [];
  let bitBuf = 0;
  let bits = 0;
  let width = 9;
  const emit = (code: number) => {
    bitBuf = (bitBuf << width) | code;
    bits += width;
    while (bits >= 8) {
      out.push((bitBuf >> (bits - 8)) & 255);
      bits -= 8;
    }
    bitBuf &= (1 << bits) - 1;
  };
  let dict = new Map<string, number>();
  let next = 258;
  emit(256);
  let w = '';
  for (const byte of data) {
    const c = String.fromCharCode(byte);
    const wc = w + c;
    if (w === '' || dict.has(wc) || wc.length === 1) {
      w = wc;
      continue;
    }
    emit(w.length === 1 ? w.charCodeAt(0) : dict.get(w)!);
    dict.set(wc, next++);
    if (next + 1 > 1 << width && width < 12) width++;
    if (next >= 4094) {
      emit(256);
      dict = new Map();
      next = 258;
      width = 9;
    }
    w = c;
  }
  if (w) emit(w.length === 1 ? w.charCodeAt(0) : dict.get(w)!);
  emit(257);
  if (bits) out.push((bitBuf << (8 - bits)) & 255);
  return Buffer.from(out);
}

test('filters: ASCIIHex, ASCII85, RunLength, LZW, chains; unknown filter is MALFORMED_PDF', () => {
  const text = 'Cổng tiếp nhận văn bản — '.repeat(20);
  const raw = Buffer.from(text, 'utf8');
  const a85 = (b: Buffer) => {
    let s = '';
    for (let i = 0; i < b.length; i += 4) {
      const chunk = Buffer.concat([b.subarray(i, i + 4), Buffer.alloc(4)]).subarray(0, 4);
      let v = chunk.readUInt32BE(0);
      const n = Math.min(4, b.length - i);
      if (v === 0 && n === 4) {
        s += 'z';
        continue;
      }
      const digits: string[] = [];
      for (let k = 0; k < 5; k++) {
        digits.unshift(String.fromCharCode((v % 85) + 33));
        v = Math.floor(v / 85);
      }
      s += digits.slice(0, n + 1).join('');
    }
    return s + '~>';
  };
  const rl = (b: Buffer) => {
    const out: number[] = [];
    for (let i = 0; i < b.length; i += 100) {
      const part = b.subarray(i, i + 100);
      out.push(part.length - 1, ...part);
    }
    out.push(257 - 5, 0x41, 128); // five 'A' then EOD
    return Buffer.from(out);
  };
  const doc = PdfDocument.open(
    buildPdf(
      basicObjects({
        6: streamBody('<< /Filter /ASCIIHexDecode >>', raw.toString('hex').replace(/(..)/g, '$1 ') + '>'),
        7: streamBody('<< /Filter /A85 >>', a85(raw)),
        8: streamBody('<< /Filter /RunLengthDecode >>', rl(raw)),
        9: streamBody('<< /Filter /LZWDecode >>', lzwEncode(raw)),
        10: streamBody('<< /Filter [/ASCIIHexDecode /FlateDecode] >>', zlib.deflateSync(raw).toString('hex') + '>'),
        11: streamBody('<< /Filter /JBIG2Decode >>', 'xx'),
        12: streamBody('<< /Filter /FlateDecode >>', 'this is not deflate data'),
        13: streamBody('<< /Filter /FlateDecode >>', zlib.deflateSync(raw).subarray(0, 40)),
      }),
    ),
  );
  const data = (n: number) => doc.streamData(doc.getObject(n) as PdfStream);
  assert.equal(data(6).toString('utf8'), text);
  assert.equal(data(7).toString('utf8'), text);
  assert.equal(data(8).toString('latin1'), raw.toString('latin1') + 'AAAAA');
  assert.equal(data(9).toString('utf8'), text);
  assert.equal(data(10).toString('utf8'), text);
  assert.throws(() => data(11), (e: unknown) => isMalformed(e) && /JBIG2Decode/.test((e as Error).message));
  assert.throws(() => data(12), isMalformed);
  assert.ok(raw.toString('latin1').startsWith(data(13).toString('latin1')), 'truncated deflate data gives its prefix');
});

test('limits: revisions and pages', () => {
  let pdf = buildPdf(basicObjects());
  for (let i = 0; i < 4; i++) pdf = appendUpdate(pdf, { 6: `(${i})` });
  assert.equal(PdfDocument.open(pdf).revisions.length, 5);
  assert.throws(() => PdfDocument.open(pdf, { maxRevisions: 3 }), isMalformed);

  const kids = Array.from({ length: 5 }, (_, i) => `${10 + i} 0 R`).join(' ');
  const objs: Record<number, string | Buffer> = basicObjects({ 2: `<< /Type /Pages /Kids [${kids}] /Count 5 >>` });
  for (let i = 0; i < 5; i++) objs[10 + i] = '<< /Type /Page /Parent 2 0 R >>';
  const many = PdfDocument.open(buildPdf(objs), { maxPages: 4 });
  assert.throws(() => many.pages(), isMalformed);
  assert.equal(PdfDocument.open(buildPdf(objs)).pages().length, 5);
});

test('page attributes are inherited along the page tree', () => {
  const doc = PdfDocument.open(
    buildPdf(
      basicObjects({
        2: '<< /Type /Pages /Kids [6 0 R] /Count 2 /Rotate 90 /MediaBox [0 0 100 100] >>',
        6: '<< /Type /Pages /Parent 2 0 R /Kids [3 0 R 7 0 R] /Count 2 /MediaBox 8 0 R >>',
        3: '<< /Type /Page /Parent 6 0 R /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
        7: '<< /Type /Page /Parent 6 0 R /Rotate 0 /MediaBox [0 0 1 1] >>',
        8: '[0 0 595 842]',
      }),
    ),
  );
  const [p1, p2] = doc.pages();
  assert.equal(doc.inherited(p1, 'Rotate'), 90);
  assert.deepEqual(doc.inherited(p1, 'MediaBox'), [0, 0, 595, 842]);
  assert.equal(doc.inherited(p2, 'Rotate'), 0);
  assert.deepEqual(doc.inherited(p2, 'MediaBox'), [0, 0, 1, 1]);
  assert.equal(doc.inherited(p2, 'Count'), undefined, 'only inheritable keys are looked up on ancestors');
});

test('text strings and dates', () => {
  const s = (bytes: number[] | Buffer) => new PdfString(Buffer.from(bytes), false, -1, -1);
  assert.equal(decodeTextString(undefined), undefined);
  assert.equal(decodeTextString(s(Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('Số: 123/STC-NS', 'utf16le').swap16()]))), 'Số: 123/STC-NS');
  assert.equal(decodeTextString(s(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Bình Thuận', 'utf8')]))), 'Bình Thuận');
  assert.equal(decodeTextString(s([0x41, 0x80, 0x84, 0xa0, 0xe9])), 'A•—€é');
  assert.equal(decodeTextString(s([0xfe, 0xff, 0x00, 0x1b, 0x00, 0x76, 0x00, 0x69, 0x00, 0x1b, 0x00, 0x41])), 'A');

  assert.equal(parsePdfDate("D:20261123091500+07'00'")?.toISOString(), '2026-11-23T02:15:00.000Z');
  assert.equal(parsePdfDate("D:20261123091500+07'00")?.toISOString(), '2026-11-23T02:15:00.000Z');
  assert.equal(parsePdfDate('D:20261123091500Z')?.toISOString(), '2026-11-23T09:15:00.000Z');
  assert.equal(parsePdfDate("D:20261123091500-03'30'")?.toISOString(), '2026-11-23T12:45:00.000Z');
  assert.equal(parsePdfDate('D:2026')?.toISOString(), '2026-01-01T00:00:00.000Z');
  assert.equal(parsePdfDate('D:202611')?.toISOString(), '2026-11-01T00:00:00.000Z');
  assert.equal(parsePdfDate('20261123')?.toISOString(), '2026-11-23T00:00:00.000Z');
  assert.equal(parsePdfDate('D:20260230'), undefined);
  assert.equal(parsePdfDate('D:20261323'), undefined);
  assert.equal(parsePdfDate('D:20261123250000'), undefined);
  assert.equal(parsePdfDate('D:2026112309150'), undefined);
  assert.equal(parsePdfDate('yesterday'), undefined);
  assert.equal(parsePdfDate(''), undefined);
});

test('odd but survivable syntax', () => {
  const doc = PdfDocument.open(
    buildPdf(
      basicObjects({
        6: '<< /A 1 /A 2 /B >>', // duplicate key, key without value
        7: '[1 2 3', // unterminated array before endobj
        8: '(unterminated',
        9: '<< /K [1 2 >> ', // mismatched
        10: '%comment only\n',
        11: '<< /Num 1.2.3 /Neg --4 /Dot .5 /Big 123456789012345678901234567890 >>',
      }),
    ),
  );
  assert.equal((doc.getObject(6) as PdfDict).get('A'), 2);
  assert.deepEqual(doc.getObject(7), [1, 2, 3]);
  doc.getObject(8);
  doc.getObject(9);
  assert.equal(doc.getObject(10), null);
  const d11 = doc.getObject(11) as PdfDict;
  assert.equal(d11.get('Dot'), 0.5);
  assert.equal(d11.get('Neg'), 4);
  assert.ok(doc.warnings.length > 0);
});

// ------------------------------------------------------------------ corpus

const repoRoot = path.resolve(__dirname, '..', '..');
const corpusDir = path.resolve(repoRoot, '..', 'shared', 'pdf-attacks');

/** Revision structure checked by hand (grep -c %%EOF, byte offsets of each "%%EOF" + EOL, signature ByteRanges). */
const EXPECTED: Record<string, { revisions: number; ends: number[]; repaired: boolean }> = {
  'itext__isaValidPdf.pdf': { revisions: 2, ends: [18958, 19582], repaired: false },
  'verifypdf__bytes-added.pdf': { revisions: 3, ends: [19659, 37057, 100828], repaired: false },
  // linearized: the first-page section's %%EOF (offset 458) is part of revision 0
  'dss__replace.pdf': { revisions: 2, ends: [69905, 74000], repaired: false },
  'dss__pdf-byterange-overlap.pdf': { revisions: 3, ends: [4880, 43641, 82414], repaired: false },
  'dss__modified_after_signature.pdf': { revisions: 4, ends: [573740, 573925, 642689, 786071], repaired: false },
  'pdfattacker__hide-v2-text__3_original-document-shadowed-signed.pdf': { revisions: 2, ends: [6890, 20424], repaired: false },
  'dss-506d519__pdf-signed-original.pdf': { revisions: 2, ends: [18336, 151126], repaired: false },
  // last update has an empty xref and no %%EOF; its objects follow the signed revision
  'itext__isa-3.pdf': { revisions: 3, ends: [836, 23016, 23423], repaired: true },
  // startxref 1 byte past "xref"
  'pdfattacker__replace-v2__4_original-document-shadowed-signed-manipulated.pdf': {
    revisions: 3,
    ends: [1006681, 1061109, 2063990],
    repaired: true,
  },
  // the file lost its last 10 bytes: the last xref section moved
  'dss__pdf-signed-corrupted.pdf': { revisions: 2, ends: [18336, 151116], repaired: true },
};

test('attack corpus: every file opens or fails with PdfParseError, in bounded work', (t) => {
  if (!fs.existsSync(corpusDir)) {
    t.skip('corpus not present');
    return;
  }
  const files = fs.readdirSync(corpusDir).filter((f) => f.endsWith('.pdf'));
  assert.ok(files.length >= 32, `${files.length} files`);
  for (const f of files) {
    const bytes = fs.readFileSync(path.join(corpusDir, f));
    let doc: PdfDocument;
    try {
      doc = PdfDocument.open(bytes);
    } catch (e) {
      assert.ok(e instanceof PdfParseError, `${f}: ${(e as Error).stack}`);
      continue;
    }
    assert.ok(doc.revisions.length >= 1, f);
    for (let r = 0; r < doc.revisions.length; r++) {
      const rev = doc.revisions[r];
      assert.equal(rev.index, r);
      assert.ok(rev.endOffset > 0 && rev.endOffset <= bytes.length, `${f} rev ${r}`);
      // every page's text (and every stream's data) either reads or fails with PdfParseError
      let pages: PdfDict[] = [];
      try {
        pages = doc.pages(r);
      } catch (e) {
        assert.ok(e instanceof PdfParseError, `${f}: ${(e as Error).stack}`);
      }
      for (let p = 0; p < pages.length; p++) {
        try {
          extractPageText(doc, p, r);
        } catch (e) {
          assert.ok(e instanceof PdfParseError, `${f}: ${(e as Error).stack}`);
        }
      }
    }
    for (const num of doc.objectNumbers()) {
      try {
        const v = doc.getObject(num);
        if (v instanceof PdfStream) doc.streamData(v);
      } catch (e) {
        assert.ok(e instanceof PdfParseError, `${f} object ${num}: ${(e as Error).stack}`);
      }
    }
    const exp = EXPECTED[f];
    if (exp) {
      assert.equal(doc.revisions.length, exp.revisions, f);
      assert.deepEqual(
        doc.revisions.map((r) => r.endOffset),
        exp.ends,
        f,
      );
      assert.equal(doc.repaired, exp.repaired, f);
    }
  }
});

test('attack corpus: DoS files end in a normal result or PdfParseError', (t) => {
  if (!fs.existsSync(corpusDir)) {
    t.skip('corpus not present');
    return;
  }
  const open = (f: string) => PdfDocument.open(fs.readFileSync(path.join(corpusDir, f)));
  // page-tree loops
  for (const f of ['pdf101__A3-pages-tree-loop-simple.pdf', 'pdf101__A4-pages-tree-loop-complex.pdf']) {
    assert.throws(() => open(f).pages(), isMalformed, f);
  }
  // array / dict loops: pages read normally
  assert.match(extractPageText(open('pdf101__A1-array-reference-loop.pdf'), 0), /Array loop/);
  assert.match(extractPageText(open('pdf101__A2-dict-reference-loop.pdf'), 0), /Dict loop/);
  // object stream /Extends loop
  const f1 = open('pdf101__F1-objstm-extends.pdf');
  assert.match(extractPageText(f1, 0), /Extends/);
  assert.equal((f1.getObject(2) as PdfString).bytes.toString('latin1'), 'object in stream.');
  // deflate bombs
  for (const f of ['pdf101__deflate-bomb-10GB.pdf', 'pdf101__deflate-bomb-10GB-x5.pdf']) {
    const d = open(f);
    assert.throws(() => extractPageText(d, 0), (e: unknown) => isMalformed(e) && /decodes to more than/.test((e as Error).message), f);
  }
  const xrefBomb = open('pdf101__deflate-bomb-10GB-xref.pdf');
  assert.equal(xrefBomb.repaired, true);
  assert.equal(extractPageText(xrefBomb, 0), '');
});

test('an update glued to the previous "%%EOF" (no end-of-line) is read', () => {
  const base = buildPdf(basicObjects({ 6: '(v1)' }));
  const glued = base.subarray(0, base.length - 1); // drop the EOL after %%EOF
  const updated = appendUpdate(glued, { 6: '(v2)' });
  const doc = PdfDocument.open(updated);
  assert.equal(doc.repaired, false);
  assert.equal(doc.revisions.length, 2);
  assert.equal(doc.revisions[0].endOffset, glued.length);
  assert.equal((doc.getObject(6) as PdfString).bytes.toString('latin1'), 'v2');
  assert.deepEqual(doc.warnings, []);
});

test('attack corpus: revision texts of itext__isaValidPdf.pdf and verifypdf__bytes-added.pdf', (t) => {
  if (!fs.existsSync(corpusDir)) {
    t.skip('corpus not present');
    return;
  }
  const doc = PdfDocument.open(fs.readFileSync(path.join(corpusDir, 'itext__isaValidPdf.pdf')));
  assert.equal(extractPageText(doc, 0), 'This is manipulated malicious text, ha-ha!');
  const signed = extractPageText(doc, 0, 0);
  assert.doesNotMatch(signed, /manipulated/);
  assert.equal(signed, 'Here is an original text.');

  const texts: [string, number, string][] = [
    ['itext__isa-3.pdf', 1, 'Hello World!'],
    ['itext__isa-3.pdf', 2, 'Manipulated now Page!'],
    ['itext__siwa.pdf', 0, 'Hello World!'],
    ['itext__siwa.pdf', 1, 'MANIPULATED now Page!'],
    ['pdfattacker__hide-and-replace-v1__4_original-document-shadowed-signed-manipulated.pdf', 1, 'Sign me to get a reward.'],
    ['pdfattacker__hide-and-replace-v1__4_original-document-shadowed-signed-manipulated.pdf', 2, 'You are fired!\n1'],
  ];
  for (const [f, rev, expected] of texts) {
    assert.equal(extractPageText(PdfDocument.open(fs.readFileSync(path.join(corpusDir, f))), 0, rev), expected, `${f} rev ${rev}`);
  }
  // form-field appearances carry the shadow "replace" attack
  const replace = PdfDocument.open(fs.readFileSync(path.join(corpusDir, 'dss__replace.pdf')));
  assert.match(extractPageText(replace, 0, 0, { annotations: true }), /World Health Organisation/);
  assert.match(extractPageText(replace, 0, 1, { annotations: true }), /Attacker/);

  const added = PdfDocument.open(fs.readFileSync(path.join(corpusDir, 'verifypdf__bytes-added.pdf')));
  assert.equal(extractPageText(added, 0, 1), 'This document is signed and should be trusted');
  assert.equal(extractPageText(added, 0), 'Please transfer all your money to EvilCorp.');
});
