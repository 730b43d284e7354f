/**
 * Whole-file scan for object headers "n g obj", "trailer", "xref" and "%%EOF"
 * (used only for repair, for xref entries that point to the wrong place, and for
 * stream data without a usable /Length). Stream data is skipped so that bytes inside
 * streams are not mistaken for objects. Built lazily, once per document.
 */
import { PdfLimitError, type PdfLimits } from './errors';
import { eolLength, isRegular, isWhite, Lexer, matchKeyword, skipWhite } from './lexer';
import { PdfDict, PdfName } from './objects';
import { parseValue, readObjectHeader } from './parser';

export interface ScannedObject {
  num: number;
  gen: number;
  /** offset of the object number */
  start: number;
  /** /Type of the object's dictionary (or stream dictionary), if any */
  type?: string;
  isStream: boolean;
  /** dictionary has /Linearized */
  linearized: boolean;
}

export interface ScanIndex {
  objects: ScannedObject[];
  /** object number → indices into objects, in file order */
  byNum: Map<number, number[]>;
  /** offsets of "trailer" keywords */
  trailers: number[];
  /** offsets of "xref" keywords (tables) */
  xrefs: number[];
  /** offsets of "%%EOF" markers */
  eofs: number[];
  /** offsets of "endstream" keywords, ascending */
  endstreams: number[];
}

function allKeywordPositions(buf: Buffer, kw: string, max: number, boundaryBefore: boolean): number[] {
  const out: number[] = [];
  let k = buf.indexOf(kw, 0, 'latin1');
  while (k >= 0) {
    const okBefore = !boundaryBefore || k === 0 || !isRegular(buf[k - 1]);
    const after = k + kw.length;
    const okAfter = after >= buf.length || !isRegular(buf[after]) || kw.startsWith('%');
    if (okBefore && okAfter) {
      out.push(k);
      if (out.length > max) throw new PdfLimitError(`more than ${max} "${kw}" markers`);
    }
    k = buf.indexOf(kw, k + kw.length, 'latin1');
  }
  return out;
}

/** Offsets of all "endstream" keywords (ascending). */
export function findEndstreams(buf: Buffer, limits: PdfLimits): number[] {
  return allKeywordPositions(buf, 'endstream', limits.maxObjects, false);
}

export function buildScanIndex(buf: Buffer, limits: PdfLimits, endstreams: number[]): ScanIndex {
  const objects: ScannedObject[] = [];
  const byNum = new Map<number, number[]>();
  const silent = { maxDepth: limits.maxNestingDepth, warn: () => {}, fileOffsets: true, refs: true };
  let esIdx = 0;
  const nextEndstream = (from: number) => {
    while (esIdx < endstreams.length && endstreams[esIdx] < from) esIdx++;
    return esIdx < endstreams.length ? endstreams[esIdx] : -1;
  };
  let pos = 0;
  for (;;) {
    const k = buf.indexOf('obj', pos, 'latin1');
    if (k < 0) break;
    pos = k + 3;
    if (k + 3 < buf.length && isRegular(buf[k + 3])) continue;
    if (k === 0 || !isWhite(buf[k - 1])) continue;
    // walk back: whitespace, gen digits, whitespace, num digits
    let p = k - 1;
    while (p >= 0 && isWhite(buf[p])) p--;
    const genEnd = p + 1;
    while (p >= 0 && buf[p] >= 0x30 && buf[p] <= 0x39) p--;
    if (p + 1 === genEnd || genEnd - (p + 1) > 5 || p < 0 || !isWhite(buf[p])) continue;
    while (p >= 0 && isWhite(buf[p])) p--;
    const numEnd = p + 1;
    while (p >= 0 && buf[p] >= 0x30 && buf[p] <= 0x39) p--;
    if (p + 1 === numEnd || numEnd - (p + 1) > 10) continue;
    if (p >= 0 && buf[p] === 0x2e) continue; // "1.5 0 obj" is not a header; "%%EOF2 0 obj" is
    const h = readObjectHeader(buf, p + 1);
    if (!h || h.end !== k + 3) continue;
    const rec: ScannedObject = { num: h.num, gen: h.gen, start: h.start, isStream: false, linearized: false };
    // look at the value to learn its type and to skip stream data
    const lx = new Lexer(buf, h.end);
    let value;
    try {
      value = parseValue(lx, silent);
    } catch {
      value = undefined;
    }
    if (value instanceof PdfDict) {
      const t = value.get('Type');
      if (t instanceof PdfName) rec.type = t.name;
      rec.linearized = value.has('Linearized');
      if (lx.peekKeyword('stream')) {
        rec.isStream = true;
        let dataStart = lx.peekPos() + 6;
        while (buf[dataStart] === 0x20) dataStart++;
        dataStart += eolLength(buf, dataStart);
        const len = value.get('Length');
        let after = -1;
        if (typeof len === 'number' && Number.isInteger(len) && len >= 0 && dataStart + len <= buf.length) {
          const q = skipWhite(buf, dataStart + len);
          if (matchKeyword(buf, q, 'endstream')) after = q + 9;
        }
        if (after < 0) {
          const es = nextEndstream(dataStart);
          after = es >= 0 ? es + 9 : buf.length;
        }
        pos = after;
      }
    }
    objects.push(rec);
    if (objects.length > limits.maxObjects) throw new PdfLimitError(`more than ${limits.maxObjects} objects`);
    let list = byNum.get(h.num);
    if (!list) byNum.set(h.num, (list = []));
    list.push(objects.length - 1);
  }
  return {
    objects,
    byNum,
    trailers: allKeywordPositions(buf, 'trailer', limits.maxObjects, true),
    xrefs: allKeywordPositions(buf, 'xref', limits.maxObjects, true),
    eofs: allKeywordPositions(buf, '%%EOF', limits.maxObjects, false),
    endstreams,
  };
}
