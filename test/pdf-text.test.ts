import test from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { extractPageText, PdfDocument, PdfParseError } from '../mail-gateway/pdf/index';
import { appendUpdate, buildPdf, streamBody, type ObjectBody } from '../mail-gateway/pdf/build';

const LINE1 = 'Số: 123/STC-NS';
const LINE2 = 'Bình Thuận, ngày 20 tháng 11 năm 2026';

/** A Type0 / Identity-H font: every distinct character gets a CID (2-byte code), as pdfkit and Word do. */
class CidFont {
  readonly cids = new Map<string, number>();
  constructor(text: string) {
    // digits get consecutive CIDs (mapped with a bfrange), the rest in order of appearance
    for (const d of '0123456789') this.cids.set(d, this.cids.size + 1);
    for (const ch of 'abc' + text) if (!this.cids.has(ch)) this.cids.set(ch, this.cids.size + 1);
  }
  hex(s: string): string {
    return '<' + [...s].map((c) => this.cids.get(c)!.toString(16).padStart(4, '0')).join('') + '>';
  }
  toUnicode(): string {
    const h4 = (n: number) => n.toString(16).padStart(4, '0').toUpperCase();
    const u16 = (s: string) => Buffer.from(s, 'utf16le').swap16().toString('hex').toUpperCase();
    const entries = [...this.cids].filter(([c]) => !/[0-9]/.test(c));
    // some characters in bfrange array form, one mapped to a decomposed (NFD) sequence
    const arrayPart = entries.slice(0, 3);
    const charPart = entries.slice(3);
    const bfchar = charPart
      .map(([c, cid]) => `<${h4(cid)}> <${u16(c === 'ậ' ? c.normalize('NFD') : c)}>`)
      .join('\n');
    const lo = arrayPart[0][1];
    const hi = arrayPart[arrayPart.length - 1][1];
    return [
      '/CIDInit /ProcSet findresource begin',
      '12 dict begin',
      'begincmap',
      '/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def',
      '/CMapName /Adobe-Identity-UCS def',
      '/CMapType 2 def',
      '1 begincodespacerange',
      '<0000> <FFFF>',
      'endcodespacerange',
      `${charPart.length} beginbfchar`,
      bfchar,
      'endbfchar',
      '2 beginbfrange',
      `<${h4(this.cids.get('0')!)}> <${h4(this.cids.get('9')!)}> <0030>`,
      `<${h4(lo)}> <${h4(hi)}> [${arrayPart.map(([c]) => `<${u16(c)}>`).join(' ')}]`,
      'endbfrange',
      'endcmap',
      'CMapName currentdict /CMap defineresource pop',
      'end',
      'end',
    ].join('\n');
  }
  widths(): string {
    return `[1 [${[...this.cids].map(() => 600).join(' ')}]]`;
  }
}

function pageWith(content: string, fonts: string, extra: Record<number, ObjectBody> = {}, compress = false): Buffer {
  const data = compress ? zlib.deflateSync(Buffer.from(content, 'latin1')) : content;
  return buildPdf({
    1: '<< /Type /Catalog /Pages 2 0 R >>',
    2: '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    3: `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << ${fonts} >> /XObject << /Fm1 20 0 R /Fm2 21 0 R >> >> >>`,
    4: streamBody(compress ? '<< /Filter /FlateDecode >>' : '<< >>', data),
    ...extra,
  });
}

function vietnameseFontObjects(font: CidFont): Record<number, ObjectBody> {
  return {
    10: '<< /Type /Font /Subtype /Type0 /BaseFont /ABCDEF+TimesNewRoman /Encoding /Identity-H /DescendantFonts [11 0 R] /ToUnicode 12 0 R >>',
    11: `<< /Type /Font /Subtype /CIDFontType2 /BaseFont /ABCDEF+TimesNewRoman /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 /W ${font.widths()} /CIDToGIDMap /Identity >>`,
    12: streamBody('<< /Filter /FlateDecode >>', zlib.deflateSync(Buffer.from(font.toUnicode(), 'latin1'))),
    13: '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
  };
}

test('Type0 Identity-H font with a ToUnicode CMap: Vietnamese text', () => {
  const font = new CidFont(LINE1 + LINE2 + 'ậ');
  const words = LINE2.split(' ');
  const content = [
    'BT',
    '/F1 14 Tf',
    '1 0 0 1 72 760 Tm',
    `${font.hex(LINE1)} Tj`,
    '0 -20 Td',
    // words without space glyphs, separated by TJ gaps (pdfkit-style kerning arrays)
    `[${words.map((w) => font.hex(w)).join(' -350 ')}] TJ`,
    '0 -20 Td',
    // a word split over two strings with no gap, and a small kerning value inside a word
    `[${font.hex('Bì')} 12 ${font.hex('nh')}] TJ`,
    `${font.hex(' ậ')} Tj`,
    'ET',
  ].join('\n');
  const doc = PdfDocument.open(pageWith(content, '/F1 10 0 R', vietnameseFontObjects(font), true));
  const text = extractPageText(doc, 0);
  assert.equal(text, `${LINE1}\n${LINE2}\nBình ậ`);
  assert.equal(text, text.normalize('NFC'));
  assert.ok(!text.includes('\u0323'), 'decomposed ToUnicode output is NFC-normalised');
});

test('simple WinAnsi font: Tj TJ \' " T* TD Tm, spaces and line breaks', () => {
  const content = [
    'BT',
    '/F2 12 Tf',
    '14 TL',
    '72 700 Td',
    '(UBND T\\315NH) Tj', // \315 = Í in WinAnsi
    "(Hello,) '",
    '40 0 Td (World) Tj', // a Td move on the same line: space
    '-40 -14 TD (Split) Tj (words) Tj', // adjacent strings: no space
    '0 -14 Td [(Ker) -20 (ning) -500 (gap)] TJ',
    '2 1 (quoted) "',
    'T* (\\(paren\\) \\222quote\\222) Tj',
    '1 0 0 1 300 500 Tm (moved) Tj',
    'ET',
  ].join('\n');
  const doc = PdfDocument.open(pageWith(content, '/F2 13 0 R', vietnameseFontObjects(new CidFont(''))));
  assert.equal(extractPageText(doc, 0), 'UBND TÍNH\nHello, World\nSplitwords\nKerning gap\nquoted\n(paren) \u2019quote\u2019\nmoved');
});

test('multi-byte codespace: mixed 1- and 2-byte codes through an embedded CMap', () => {
  const encCMap = [
    'begincmap',
    '2 begincodespacerange',
    '<00> <7F>',
    '<8000> <FFFF>',
    'endcodespacerange',
    '1 begincidrange',
    '<00> <7F> 0',
    'endcidrange',
    '1 begincidrange',
    '<8000> <80FF> 200',
    'endcidrange',
    'endcmap',
  ].join('\n');
  const toUnicode = [
    'begincmap',
    '2 begincodespacerange',
    '<00> <7F>',
    '<8000> <FFFF>',
    'endcodespacerange',
    '1 beginbfrange',
    '<20> <7E> <0020>',
    'endbfrange',
    '3 beginbfchar',
    '<8001> <1EA1>',
    '<8002> <0111>',
    '<8003> <01A1>',
    'endbfchar',
    'endcmap',
  ].join('\n');
  const fonts: Record<number, ObjectBody> = {
    10: '<< /Type /Font /Subtype /Type0 /BaseFont /X /Encoding 14 0 R /DescendantFonts [11 0 R] /ToUnicode 12 0 R >>',
    11: '<< /Type /Font /Subtype /CIDFontType0 /BaseFont /X /DW 500 >>',
    12: streamBody('<< >>', toUnicode),
    14: streamBody('<< /Type /CMap /CMapName /Mixed >>', encCMap),
  };
  // "Ng" + ạ + "y " + đ + ơ
  const content = 'BT /F1 12 Tf 72 700 Td <4E678001792080028003> Tj ET';
  const doc = PdfDocument.open(pageWith(content, '/F1 10 0 R', fonts));
  assert.equal(extractPageText(doc, 0), 'Ngạy đơ');
});

test('/Differences with glyph names (uniXXXX, AGL names) and a Type3-like unknown name', () => {
  const fonts: Record<number, ObjectBody> = {
    10: '<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman /Encoding << /BaseEncoding /WinAnsiEncoding /Differences [65 /uni1EA1 /dcroat /ohornacute /g123 /ecircumflexhookabove] >> >>',
  };
  const doc = PdfDocument.open(pageWith('BT /F1 12 Tf 72 700 Td (ABCDE xyz) Tj ET', '/F1 10 0 R', fonts));
  assert.equal(extractPageText(doc, 0), 'ạđớ\ufffdể xyz');
});

test('Form XObjects are followed (with their matrix) and self-drawing forms are bounded', () => {
  const font = new CidFont('');
  const extra: Record<number, ObjectBody> = {
    ...vietnameseFontObjects(font),
    20: streamBody(
      '<< /Type /XObject /Subtype /Form /BBox [0 0 595 842] /Matrix [1 0 0 1 0 -100] /Resources << /Font << /F9 13 0 R >> >>',
      'BT /F9 12 Tf 72 700 Td (Inside the form) Tj ET',
    ),
    21: streamBody('<< /Type /XObject /Subtype /Form /BBox [0 0 1 1] /Resources << /XObject << /Fm2 21 0 R >> >>', '/Fm2 Do /Fm2 Do'),
  };
  const content = 'BT /F2 12 Tf 72 700 Td (Before) Tj ET q /Fm1 Do Q /Fm2 Do BT /F2 12 Tf 72 500 Td (After) Tj ET';
  const doc = PdfDocument.open(pageWith(content, '/F2 13 0 R', extra));
  assert.equal(extractPageText(doc, 0), 'Before\nInside the form\nAfter');
  assert.ok(doc.warnings.some((w) => /draws itself/.test(w)));
});

test('fan-out of Form XObjects is bounded by the work budget', () => {
  const extra: Record<number, ObjectBody> = { 13: '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>' };
  // form 30+i draws form 31+i ten times; the last one shows text: 10^10 draws if unbounded
  for (let i = 0; i < 10; i++) {
    const body = i < 9 ? '/X Do '.repeat(10) : 'BT /F 12 Tf 72 700 Td (leaf) Tj ET';
    extra[30 + i] = streamBody(
      `<< /Type /XObject /Subtype /Form /BBox [0 0 1 1] /Resources << /XObject << /X ${31 + i} 0 R >> /Font << /F 13 0 R >> >>`,
      body,
    );
  }
  extra[20] = extra[30];
  const doc = PdfDocument.open(pageWith('/Fm1 Do', '/F2 13 0 R', extra));
  assert.throws(
    () => extractPageText(doc, 0, undefined, { maxOperators: 100_000 }),
    (e: unknown) => e instanceof PdfParseError && e.code === 'MALFORMED_PDF',
  );
});

test('annotation appearance streams on request (visible ones only)', () => {
  const extra: Record<number, ObjectBody> = {
    13: '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    40: '<< /Type /Annot /Subtype /Widget /Rect [100 100 300 120] /AP << /N 41 0 R >> >>',
    41: streamBody('<< /Type /XObject /Subtype /Form /BBox [0 0 200 20] /Resources << /Font << /Helv 13 0 R >> >> >>', 'BT /Helv 10 Tf 2 5 Td (Field value) Tj ET'),
    42: '<< /Type /Annot /Subtype /Widget /F 2 /Rect [100 200 300 220] /AP << /N 43 0 R >> >>',
    43: streamBody('<< /Subtype /Form /BBox [0 0 200 20] /Resources << /Font << /Helv 13 0 R >> >> >>', 'BT /Helv 10 Tf 2 5 Td (Hidden value) Tj ET'),
    44: '<< /Type /Annot /Subtype /Widget /Rect [100 300 120 320] /AS /On /AP << /N << /On 45 0 R /Off 46 0 R >> >> >>',
    45: streamBody('<< /BBox [0 0 20 20] /Resources << /Font << /Helv 13 0 R >> >> >>', 'BT /Helv 10 Tf 2 5 Td (Checked) Tj ET'),
    46: streamBody('<< /BBox [0 0 20 20] /Resources << /Font << /Helv 13 0 R >> >> >>', 'BT /Helv 10 Tf 2 5 Td (Unchecked) Tj ET'),
  };
  const pdf = buildPdf({
    1: '<< /Type /Catalog /Pages 2 0 R >>',
    2: '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    3: '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F 13 0 R >> >> /Annots [40 0 R 42 0 R 44 0 R] >>',
    4: streamBody('<< >>', 'BT /F 12 Tf 72 700 Td (Page text) Tj ET'),
    ...extra,
  });
  const doc = PdfDocument.open(pdf);
  assert.equal(extractPageText(doc, 0), 'Page text');
  assert.equal(extractPageText(doc, 0, undefined, { annotations: true }), 'Page text\nField value\nChecked');
});

test('odd content never throws: junk operators, unbalanced Q, inline images, missing fonts, unterminated strings', () => {
  const content = [
    'Q Q Q ET',
    'BT /Missing 12 Tf 72 700 Td (no font) Tj ET',
    '1 2 3 foo bar ] >> } {',
    'BI /W 4 /H 1 /BPC 8 /CS /G ID \x00\x01EI\x02\x03 EI',
    'BT /F2 12 Tf 72 650 Td [(array) (of) 1 2 /N] TJ ET',
    'BT /F2 12 Tf 72 600 Td <48656c6c6f Tj ET',
    'BT /F2 12 Tf 72 550 Td (unterminated',
  ].join('\n');
  const doc = PdfDocument.open(pageWith(content, '/F2 13 0 R', vietnameseFontObjects(new CidFont(''))));
  const text = extractPageText(doc, 0);
  assert.match(text, /no font/);
  assert.match(text, /arrayof/);
  assert.doesNotMatch(text, /unterminated/, 'a string without its Tj is not shown');
  assert.equal(extractPageText(doc, 5), '', 'missing page');
});

test('text of each revision; limit breaches are PdfParseError', () => {
  const fonts = vietnameseFontObjects(new CidFont(''));
  const base = pageWith('BT /F2 12 Tf 72 700 Td (Original text) Tj ET', '/F2 13 0 R', fonts);
  const updated = appendUpdate(base, { 4: streamBody('<< >>', 'BT /F2 12 Tf 72 700 Td (Manipulated text) Tj ET') });
  const doc = PdfDocument.open(updated);
  assert.equal(extractPageText(doc, 0, 0), 'Original text');
  assert.equal(extractPageText(doc, 0, 1), 'Manipulated text');

  // operator budget
  const busy = PdfDocument.open(pageWith('q Q '.repeat(5000), '/F2 13 0 R', fonts));
  assert.throws(
    () => extractPageText(busy, 0, undefined, { maxOperators: 1000 }),
    (e: unknown) => e instanceof PdfParseError && e.code === 'MALFORMED_PDF',
  );
  assert.equal(extractPageText(busy, 0), '');

  // a deflate bomb as content stream
  const bomb = zlib.deflateSync(zlib.deflateSync(Buffer.alloc(64 * 1024 * 1024)));
  const bombDoc = PdfDocument.open(
    buildPdf({
      1: '<< /Type /Catalog /Pages 2 0 R >>',
      2: '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
      3: '<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>',
      4: streamBody('<< /Filter [/FlateDecode /FlateDecode] >>', bomb),
    }),
    { maxStreamDecodedBytes: 8 * 1024 * 1024 },
  );
  assert.throws(
    () => extractPageText(bombDoc, 0),
    (e: unknown) => e instanceof PdfParseError && /decodes to more than/.test(e.message),
  );

  // a content stream with an unsupported filter is skipped, not fatal
  const odd = PdfDocument.open(
    buildPdf({
      1: '<< /Type /Catalog /Pages 2 0 R >>',
      2: '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
      3: '<< /Type /Page /Parent 2 0 R /Contents [4 0 R 5 0 R] /Resources << /Font << /F2 6 0 R >> >> >>',
      4: streamBody('<< /Filter /JPXDecode >>', 'xx'),
      5: streamBody('<< >>', 'BT /F2 12 Tf 72 700 Td (Still read) Tj ET'),
      6: '<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>',
    }),
  );
  assert.equal(extractPageText(odd, 0), 'Still read');
});
