/**
 * Simple-font encodings (ISO 32000-1 Annex D) as code → Unicode tables, and
 * glyph-name → Unicode mapping (a compact subset of the Adobe Glyph List that
 * covers the standard encodings, Latin, Vietnamese and uniXXXX / uXXXX names).
 */

const ASCII_NAMES =
  'space exclam quotedbl numbersign dollar percent ampersand quotesingle parenleft parenright asterisk plus comma hyphen period slash ' +
  'zero one two three four five six seven eight nine colon semicolon less equal greater question at ' +
  'A B C D E F G H I J K L M N O P Q R S T U V W X Y Z bracketleft backslash bracketright asciicircum underscore grave ' +
  'a b c d e f g h i j k l m n o p q r s t u v w x y z braceleft bar braceright asciitilde';

const LATIN1_NAMES =
  'space exclamdown cent sterling currency yen brokenbar section dieresis copyright ordfeminine guillemotleft logicalnot hyphen registered macron ' +
  'degree plusminus twosuperior threesuperior acute mu paragraph periodcentered cedilla onesuperior ordmasculine guillemotright onequarter onehalf threequarters questiondown ' +
  'Agrave Aacute Acircumflex Atilde Adieresis Aring AE Ccedilla Egrave Eacute Ecircumflex Edieresis Igrave Iacute Icircumflex Idieresis ' +
  'Eth Ntilde Ograve Oacute Ocircumflex Otilde Odieresis multiply Oslash Ugrave Uacute Ucircumflex Udieresis Yacute Thorn germandbls ' +
  'agrave aacute acircumflex atilde adieresis aring ae ccedilla egrave eacute ecircumflex edieresis igrave iacute icircumflex idieresis ' +
  'eth ntilde ograve oacute ocircumflex otilde odieresis divide oslash ugrave uacute ucircumflex udieresis yacute thorn ydieresis';

/** Names that are not derived from the tables above. */
const EXTRA: Record<string, number> = {
  Euro: 0x20ac, quotesinglbase: 0x201a, florin: 0x0192, quotedblbase: 0x201e, ellipsis: 0x2026, dagger: 0x2020,
  daggerdbl: 0x2021, circumflex: 0x02c6, perthousand: 0x2030, Scaron: 0x0160, guilsinglleft: 0x2039, OE: 0x0152,
  Zcaron: 0x017d, quoteleft: 0x2018, quoteright: 0x2019, quotedblleft: 0x201c, quotedblright: 0x201d, bullet: 0x2022,
  endash: 0x2013, emdash: 0x2014, tilde: 0x02dc, trademark: 0x2122, scaron: 0x0161, guilsinglright: 0x203a, oe: 0x0153,
  zcaron: 0x017e, Ydieresis: 0x0178, fraction: 0x2044, fi: 0xfb01, fl: 0xfb02, ff: 0xfb00, ffi: 0xfb03, ffl: 0xfb04,
  dotlessi: 0x0131, Lslash: 0x0141, lslash: 0x0142, grave: 0x60, breve: 0x02d8, dotaccent: 0x02d9, ring: 0x02da,
  hungarumlaut: 0x02dd, ogonek: 0x02db, caron: 0x02c7, minus: 0x2212, nbspace: 0xa0, nonbreakingspace: 0xa0,
  sfthyphen: 0xad, softhyphen: 0xad, notequal: 0x2260, infinity: 0x221e, lessequal: 0x2264, greaterequal: 0x2265,
  partialdiff: 0x2202, summation: 0x2211, product: 0x220f, pi: 0x03c0, integral: 0x222b, Omega: 0x2126, radical: 0x221a,
  approxequal: 0x2248, Delta: 0x2206, lozenge: 0x25ca, apple: 0xf8ff, dcroat: 0x0111, Dcroat: 0x0110, Dslash: 0x0110,
  dmacron: 0x0111, Hbar: 0x0126, hbar: 0x0127, IJ: 0x0132, ij: 0x0133, kgreenlandic: 0x0138, Ldot: 0x013f, ldot: 0x0140,
  napostrophe: 0x0149, Eng: 0x014a, eng: 0x014b, Tbar: 0x0166, tbar: 0x0167, longs: 0x017f, mu1: 0xb5, micro: 0xb5,
  periodcentered: 0xb7, middot: 0xb7, overscore: 0xaf, dong: 0x20ab, Ohm: 0x2126, estimated: 0x212e,
  arrowleft: 0x2190, arrowup: 0x2191, arrowright: 0x2192, arrowdown: 0x2193, degree: 0xb0, section: 0xa7,
  alpha: 0x03b1, beta: 0x03b2, gamma: 0x03b3, delta: 0x03b4, epsilon: 0x03b5, theta: 0x03b8, lambda: 0x03bb,
  sigma: 0x03c3, tau: 0x03c4, phi: 0x03c6, omega: 0x03c9, Alpha: 0x0391, Beta: 0x0392, Gamma: 0x0393, Sigma: 0x03a3,
  Phi: 0x03a6, Pi: 0x03a0, Theta: 0x0398, checkmark: 0x2713, Scommaaccent: 0x0218, scommaaccent: 0x0219, Tcommaaccent: 0x021a, tcommaaccent: 0x021b, copyrightsans: 0xa9, registersans: 0xae,
};

const MARKS: Record<number, string[]> = {
  0x300: ['grave'], 0x301: ['acute'], 0x302: ['circumflex'], 0x303: ['tilde'], 0x304: ['macron'], 0x306: ['breve'],
  0x307: ['dotaccent'], 0x308: ['dieresis'], 0x309: ['hookabove'], 0x30a: ['ring'], 0x30b: ['hungarumlaut'],
  0x30c: ['caron'], 0x31b: ['horn'], 0x323: ['dotbelow'], 0x326: ['commaaccent'], 0x327: ['cedilla', 'commaaccent'],
  0x328: ['ogonek'],
};

let GLYPHS: Map<string, string> | undefined;

function glyphTable(): Map<string, string> {
  if (GLYPHS) return GLYPHS;
  const m = new Map<string, string>();
  ASCII_NAMES.split(' ').forEach((n, i) => m.set(n, String.fromCharCode(0x20 + i)));
  LATIN1_NAMES.split(' ').forEach((n, i) => {
    if (!m.has(n)) m.set(n, String.fromCharCode(0xa0 + i));
  });
  for (const [n, c] of Object.entries(EXTRA)) m.set(n, String.fromCodePoint(c));
  // accented Latin letters (incl. all of Vietnamese): base letter + mark names, in either order
  const add = (name: string, ch: string) => {
    if (!m.has(name)) m.set(name, ch);
  };
  const ranges: [number, number][] = [[0xc0, 0x24f], [0x1e00, 0x1eff]];
  for (const [lo, hi] of ranges) {
    for (let cp = lo; cp <= hi; cp++) {
      const ch = String.fromCodePoint(cp);
      const nfd = ch.normalize('NFD');
      if (nfd.length < 2 || !/^[A-Za-z]$/.test(nfd[0])) continue;
      const marks = [...nfd.slice(1)].map((c) => MARKS[c.codePointAt(0)!]);
      if (marks.some((x) => !x)) continue;
      const combos = (list: string[][]): string[] => {
        if (!list.length) return [''];
        const rest = combos(list.slice(1));
        return list[0].flatMap((a) => rest.map((r) => a + r));
      };
      const orders = marks.length === 2 ? [marks, [marks[1], marks[0]]] : [marks];
      for (const o of orders) for (const suffix of combos(o)) add(nfd[0] + suffix, ch);
    }
  }
  GLYPHS = m;
  return m;
}

/** Unicode text for a glyph name, or undefined when unknown. */
export function glyphToUnicode(name: string): string | undefined {
  const t = glyphTable();
  const direct = t.get(name);
  if (direct !== undefined) return direct;
  let m = /^uni((?:[0-9A-F]{4})+)$/.exec(name);
  if (m) {
    let s = '';
    for (let i = 0; i < m[1].length; i += 4) {
      const cp = parseInt(m[1].slice(i, i + 4), 16);
      s += String.fromCharCode(cp);
    }
    return s;
  }
  m = /^u([0-9A-F]{4,6})$/.exec(name);
  if (m) {
    const cp = parseInt(m[1], 16);
    if (cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff)) return String.fromCodePoint(cp);
  }
  // variants "a.sc", "f_i"
  const dot = name.indexOf('.');
  if (dot > 0) return glyphToUnicode(name.slice(0, dot));
  if (name.includes('_')) {
    const parts = name.split('_').map((p) => (p ? glyphToUnicode(p) : undefined));
    if (parts.every((p) => p !== undefined)) return parts.join('');
  }
  return undefined;
}

function buildTable(pairs: [number, string][], base?: (string | undefined)[]): (string | undefined)[] {
  const t: (string | undefined)[] = base ? base.slice() : new Array(256).fill(undefined);
  for (const [code, name] of pairs) t[code] = glyphToUnicode(name);
  return t;
}

function asciiTable(): (string | undefined)[] {
  const t: (string | undefined)[] = new Array(256).fill(undefined);
  for (let c = 0x20; c < 0x7f; c++) t[c] = String.fromCharCode(c);
  return t;
}

function seq(start: number, names: string): [number, string][] {
  return names.split(' ').map((n, i) => [start + i, n] as [number, string]).filter(([, n]) => n !== '.');
}

let WIN: (string | undefined)[] | undefined;
let MAC: (string | undefined)[] | undefined;
let STD: (string | undefined)[] | undefined;

export function winAnsiEncoding(): (string | undefined)[] {
  if (WIN) return WIN;
  const t = asciiTable();
  const w = buildTable(
    seq(
      0x80,
      'Euro bullet quotesinglbase florin quotedblbase ellipsis dagger daggerdbl circumflex perthousand Scaron guilsinglleft OE bullet Zcaron bullet ' +
        'bullet quoteleft quoteright quotedblleft quotedblright bullet endash emdash tilde trademark scaron guilsinglright oe bullet zcaron Ydieresis',
    ),
    t,
  );
  for (let c = 0xa0; c <= 0xff; c++) w[c] = String.fromCharCode(c);
  w[0xa0] = ' ';
  return (WIN = w);
}

export function macRomanEncoding(): (string | undefined)[] {
  if (MAC) return MAC;
  const t = asciiTable();
  const chars =
    'ÄÅÇÉÑÖÜáàâäãåçéèêëíìîïñóòôöõúùûü†°¢£§•¶ß®©™´¨≠ÆØ∞±≤≥¥µ∂∑∏π∫ªºΩæø¿¡¬√ƒ≈∆«»…\u00a0ÀÃÕŒœ–—“”‘’÷◊ÿŸ⁄¤‹›ﬁﬂ‡·‚„‰ÂÊÁËÈÍÎÏÌÓÔ\uf8ffÒÚÛÙıˆ˜¯˘˙˚¸˝˛ˇ';
  [...chars].forEach((ch, i) => (t[0x80 + i] = ch));
  return (MAC = t);
}

export function standardEncoding(): (string | undefined)[] {
  if (STD) return STD;
  const t = asciiTable();
  t[0x27] = '\u2019';
  t[0x60] = '\u2018';
  const s = buildTable(
    [
      ...seq(0xa1, 'exclamdown cent sterling fraction yen florin section currency quotesingle quotedblleft guillemotleft guilsinglleft guilsinglright fi fl'),
      ...seq(0xb1, 'endash dagger daggerdbl periodcentered . paragraph bullet quotesinglbase quotedblbase quotedblright guillemotright ellipsis perthousand . questiondown'),
      ...seq(0xc1, 'grave acute circumflex tilde macron breve dotaccent dieresis . ring cedilla . hungarumlaut ogonek caron emdash'),
      [0xe1, 'AE'], [0xe3, 'ordfeminine'], [0xe8, 'Lslash'], [0xe9, 'Oslash'], [0xea, 'OE'], [0xeb, 'ordmasculine'],
      [0xf1, 'ae'], [0xf5, 'dotlessi'], [0xf8, 'lslash'], [0xf9, 'oslash'], [0xfa, 'oe'], [0xfb, 'germandbls'],
    ],
    t,
  );
  return (STD = s);
}

/** Table for a named base encoding, or undefined for unknown names. */
export function namedEncoding(name: string): (string | undefined)[] | undefined {
  switch (name) {
    case 'WinAnsiEncoding':
      return winAnsiEncoding();
    case 'MacRomanEncoding':
      return macRomanEncoding();
    case 'StandardEncoding':
    case 'MacExpertEncoding':
      return standardEncoding();
    case 'PDFDocEncoding': {
      const t = winAnsiEncoding().slice();
      return t;
    }
    default:
      return undefined;
  }
}

/** Glyph widths (1/1000 em) of codes 32–126 for the standard 14 fonts without /Widths (WinAnsi layout). */
const HELVETICA =
  '278 278 355 556 556 889 667 191 333 333 389 584 278 333 278 278 556 556 556 556 556 556 556 556 556 556 278 278 584 584 584 556 ' +
  '1015 667 667 722 722 667 611 778 722 278 500 667 556 833 722 778 667 778 722 667 611 722 667 944 667 667 611 278 278 278 469 556 ' +
  '333 556 556 500 556 556 278 556 556 222 222 500 222 833 556 556 556 556 333 500 278 556 500 722 500 500 500 334 260 334 584';
const HELVETICA_BOLD =
  '278 333 474 556 556 889 722 238 333 333 389 584 278 333 278 278 556 556 556 556 556 556 556 556 556 556 333 333 584 584 584 611 ' +
  '975 722 722 722 722 667 611 778 722 278 556 722 611 833 722 778 667 778 722 667 611 722 667 944 667 667 611 333 278 333 584 556 ' +
  '333 556 611 556 611 556 333 611 611 278 278 556 278 889 611 611 611 611 389 556 333 611 556 778 556 556 500 389 280 389 584';
const TIMES =
  '250 333 408 500 500 833 778 180 333 333 500 564 250 333 250 278 500 500 500 500 500 500 500 500 500 500 278 278 564 564 564 444 ' +
  '921 722 667 667 722 611 556 722 722 333 389 722 611 889 722 722 556 722 667 556 611 722 722 944 722 722 611 333 278 333 469 500 ' +
  '333 444 500 444 500 444 333 500 500 278 278 500 278 778 500 500 500 500 333 389 278 500 500 722 500 500 444 480 200 480 541';

const parsedMetrics = new Map<string, number[]>();
function metrics(s: string): number[] {
  let m = parsedMetrics.get(s);
  if (!m) parsedMetrics.set(s, (m = s.split(' ').map(Number)));
  return m;
}

/** Approximate width (1/1000 em) of a code in a standard 14 font, or undefined when not a standard font. */
export function standardFontWidth(baseFont: string, code: number): number | undefined {
  const name = baseFont.replace(/^[A-Z]{6}\+/, '');
  if (/Courier/i.test(name)) return 600;
  let table: string | undefined;
  if (/Helvetica|Arial/i.test(name)) table = /Bold/i.test(name) ? HELVETICA_BOLD : HELVETICA;
  else if (/Times/i.test(name)) table = TIMES;
  if (!table) return undefined;
  if (code >= 32 && code <= 126) return metrics(table)[code - 32];
  return 556;
}
