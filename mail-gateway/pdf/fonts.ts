/**
 * Fonts for text extraction (ISO 32000-1 §9.6–9.10): turns the bytes of a shown
 * string into Unicode text and glyph widths. Type0 (Identity-H/V, embedded CMaps,
 * UCS-2 CMaps), simple fonts (Type1, TrueType, Type3) with /Encoding and /Differences,
 * and ToUnicode CMaps, which take precedence.
 */
import { CMap, parseCMap, splitCodes, type CodespaceRange } from './cmap';
import type { PdfDocument } from './document';
import { namedEncoding, standardEncoding, standardFontWidth, winAnsiEncoding, glyphToUnicode } from './encodings';
import { PdfLimitError, PdfParseError } from './errors';
import { PdfDict, PdfName, PdfStream, type PdfValue } from './objects';

export interface Glyph {
  /** Unicode text of the glyph ('' when it maps to nothing, U+FFFD when unknown) */
  text: string;
  /** horizontal displacement in text space per unit of font size (w / 1000 for most fonts) */
  width: number;
  /** single-byte code 32: word spacing applies */
  wordSpace: boolean;
}

export interface Font {
  decode(bytes: Buffer): Glyph[];
}

const IDENTITY_RANGE: CodespaceRange[] = [{ len: 2, lo: [0, 0], hi: [0xff, 0xff] }];
const MAX_W_ENTRIES = 100_000;

function num(v: PdfValue | undefined, dflt: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : dflt;
}

/** Loads a CMap stream; limit breaches propagate, damaged data gives undefined. */
function loadCMapStream(doc: PdfDocument, v: PdfValue | undefined, rev: number): CMap | undefined {
  const s = doc.resolve(v, rev);
  if (!(s instanceof PdfStream)) return undefined;
  try {
    return parseCMap(doc.streamData(s));
  } catch (e) {
    if (e instanceof PdfLimitError || !(e instanceof PdfParseError)) throw e;
    doc.warn(`CMap stream ${s.objNum ?? '?'} unreadable: ${e.message}`);
    return undefined;
  }
}

/** A font that shows bytes as WinAnsi text with average widths (used when the font is unusable). */
export function fallbackFont(): Font {
  const enc = winAnsiEncoding();
  return {
    decode(bytes: Buffer): Glyph[] {
      return [...bytes].map((c) => ({ text: enc[c] ?? '', width: 0.5, wordSpace: c === 32 }));
    },
  };
}

export function loadFont(doc: PdfDocument, value: PdfValue | undefined, rev: number): Font {
  const d = doc.getDict(value, rev);
  if (!d) return fallbackFont();
  const subtype = d.getName('Subtype');
  if (subtype === 'Type0') return loadType0(doc, d, rev);
  return loadSimple(doc, d, rev, subtype);
}

function loadType0(doc: PdfDocument, d: PdfDict, rev: number): Font {
  const toUnicode = loadCMapStream(doc, d.get('ToUnicode'), rev);
  const encV = doc.resolve(d.get('Encoding'), rev);
  let codespace = IDENTITY_RANGE;
  let cidOf: (code: number) => number = (c) => c;
  let ucs2 = false;
  if (encV instanceof PdfName) {
    const n = encV.name;
    if (/UCS2|UTF16/.test(n)) ucs2 = true;
    else if (!/^Identity-[HV]$/.test(n) && toUnicode?.codespace.length) codespace = toUnicode.codespace;
  } else if (encV instanceof PdfStream) {
    const enc = loadCMapStream(doc, encV, rev);
    if (enc) {
      if (enc.codespace.length) codespace = enc.codespace;
      if (enc.cidChars.size || enc.cidRanges.length) cidOf = (c) => enc.cid(c) ?? 0;
    }
  }
  // widths of the descendant CIDFont
  const descendants = doc.resolve(d.get('DescendantFonts'), rev);
  const cidFont = doc.getDict(Array.isArray(descendants) ? descendants[0] : undefined, rev);
  const dw = num(cidFont ? doc.resolve(cidFont.get('DW'), rev) : undefined, 1000);
  const single = new Map<number, number>();
  const ranges: [number, number, number][] = [];
  const w = cidFont ? doc.resolve(cidFont.get('W'), rev) : undefined;
  if (Array.isArray(w)) {
    let i = 0;
    let n = 0;
    while (i < w.length && n < MAX_W_ENTRIES) {
      const first = doc.resolve(w[i], rev);
      const next = doc.resolve(w[i + 1], rev);
      if (typeof first !== 'number') break;
      if (Array.isArray(next)) {
        next.forEach((x, k) => {
          if (n++ < MAX_W_ENTRIES) single.set(first + k, num(doc.resolve(x, rev), dw));
        });
        i += 2;
      } else {
        const width = doc.resolve(w[i + 2], rev);
        if (typeof next !== 'number' || typeof width !== 'number') break;
        ranges.push([first, next, width]);
        n++;
        i += 3;
      }
    }
  }
  ranges.sort((x, y) => x[0] - y[0]);
  const widthOf = (cid: number): number => {
    const s = single.get(cid);
    if (s !== undefined) return s;
    let lo = 0;
    let hi = ranges.length - 1;
    let at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (ranges[mid][0] <= cid) {
        at = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    for (let i = at, steps = 0; i >= 0 && steps < 64; i--, steps++) if (cid <= ranges[i][1]) return ranges[i][2];
    return dw;
  };
  return {
    decode(bytes: Buffer): Glyph[] {
      return splitCodes(bytes, codespace, 2).map(({ code, len }) => {
        let text = toUnicode?.unicode(code);
        if (text === undefined) text = ucs2 ? String.fromCharCode(code) : '\ufffd';
        return { text, width: widthOf(cidOf(code)) / 1000, wordSpace: len === 1 && code === 32 };
      });
    },
  };
}

function loadSimple(doc: PdfDocument, d: PdfDict, rev: number, subtype: string | undefined): Font {
  const toUnicode = loadCMapStream(doc, d.get('ToUnicode'), rev);
  const baseFont = d.getName('BaseFont') ?? '';
  const encV = doc.resolve(d.get('Encoding'), rev);
  let table: (string | undefined)[] = subtype === 'TrueType' ? winAnsiEncoding() : standardEncoding();
  if (/Symbol|Dingbats/i.test(baseFont) && !encV) table = winAnsiEncoding();
  if (encV instanceof PdfName) table = namedEncoding(encV.name) ?? table;
  else if (encV instanceof PdfDict) {
    const base = encV.getName('BaseEncoding');
    if (base) table = namedEncoding(base) ?? table;
    table = table.slice();
    const diffs = doc.resolve(encV.get('Differences'), rev);
    if (Array.isArray(diffs)) {
      let code = 0;
      for (const x of diffs.slice(0, 4096)) {
        if (typeof x === 'number') code = Math.floor(x);
        else if (x instanceof PdfName) {
          if (code >= 0 && code < 256) table[code] = glyphToUnicode(x.name) ?? (x.name === '.notdef' ? table[code] : '\ufffd');
          code++;
        }
      }
    }
  }
  // widths
  const firstChar = num(doc.resolve(d.get('FirstChar'), rev), 0);
  const widthsV = doc.resolve(d.get('Widths'), rev);
  const widths = Array.isArray(widthsV) ? widthsV.slice(0, 256).map((x) => doc.resolve(x, rev)) : undefined;
  const fd = doc.getDict(d.get('FontDescriptor'), rev);
  const missing = num(fd ? doc.resolve(fd.get('MissingWidth'), rev) : undefined, 0);
  let scale = 0.001;
  if (subtype === 'Type3') {
    const fm = doc.resolve(d.get('FontMatrix'), rev);
    if (Array.isArray(fm) && typeof fm[0] === 'number' && Number.isFinite(fm[0])) scale = Math.abs(fm[0]);
  }
  const widthOf = (code: number): number => {
    if (widths) {
      const w = widths[code - firstChar];
      if (typeof w === 'number') return w;
      if (missing) return missing;
    }
    return standardFontWidth(baseFont, code) ?? (missing || 500);
  };
  return {
    decode(bytes: Buffer): Glyph[] {
      const out: Glyph[] = [];
      for (const code of bytes) {
        const text = toUnicode?.unicode(code) ?? table[code] ?? (code >= 32 ? String.fromCharCode(code) : '');
        const w = widths || subtype !== 'Type3' ? widthOf(code) : 1000;
        out.push({ text, width: subtype === 'Type3' ? w * scale : w / 1000, wordSpace: code === 32 });
      }
      return out;
    },
  };
}
