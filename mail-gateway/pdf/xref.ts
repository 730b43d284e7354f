/**
 * Cross-reference sections (tables and streams, ISO 32000-1 §7.5.4, §7.5.8), the
 * startxref → /Prev chain (with /XRefStm for hybrid files) and its grouping into
 * revisions (incremental updates, §7.5.6).
 */
import { malformed, PdfLimitError, PdfParseError, type PdfLimits } from './errors';
import { eolLength, isRegular, matchKeyword, matchMarker, readUint, skipWhite, skipWhiteAndComments } from './lexer';
import { PdfDict, PdfName, PdfStream, type PdfValue } from './objects';
import { type IndirectObject } from './parser';

export interface XrefEntryInUse {
  type: 'offset';
  offset: number;
  gen: number;
}
export interface XrefEntryCompressed {
  type: 'compressed';
  streamNum: number;
  index: number;
}
export interface XrefEntryFree {
  type: 'free';
  gen: number;
}
export type XrefEntry = XrefEntryInUse | XrefEntryCompressed | XrefEntryFree;

export interface Revision {
  /** 0 = oldest */
  index: number;
  /**
   * where this revision's xref section (table or stream object) starts — the offset its
   * startxref / the next revision's /Prev points to; -1 for a reconstructed revision without one
   */
  xrefOffset: number;
  /** offset just past this revision's "%%EOF" plus one optional EOL (or the file length for a last revision without one) */
  endOffset: number;
  kind: 'table' | 'stream';
  /** trailer dict (or xref stream dict) */
  trailer: PdfDict;
  /** only the entries this section itself defines (for hybrid files incl. its /XRefStm, for linearized files incl. the main section) */
  entries: Map<number, XrefEntry>;
}

export interface XrefSection {
  /** offset of "xref" or of the xref stream object header */
  offset: number;
  kind: 'table' | 'stream';
  trailer: PdfDict;
  entries: Map<number, XrefEntry>;
  /** offset just past the trailer dict (table) or past "endobj" (stream) */
  end: number;
}

export interface XrefDeps {
  limits: PdfLimits;
  warn(msg: string): void;
  /** reads the indirect object at p (no xref needed: /Length must be direct or is recovered via endstream) */
  readObject(p: number): IndirectObject | undefined;
  /** decodes an xref stream with at most maxBytes of output */
  decode(stream: PdfStream, maxBytes: number): Buffer;
  /** parses a dictionary at p ("<<" expected after whitespace) */
  readDict(p: number): PdfDict | undefined;
}

/** Offset given by the last "startxref" keyword in the file, or undefined. */
export function findStartxref(buf: Buffer): { value: number; keyword: number } | undefined {
  let from = buf.length;
  for (let tries = 0; tries < 64 && from > 0; tries++) {
    const k = buf.lastIndexOf('startxref', from - 1, 'latin1');
    if (k < 0) return undefined;
    from = k;
    if (k > 0 && isRegular(buf[k - 1])) continue;
    const p = skipWhite(buf, k + 9);
    const n = readUint(buf, p);
    if (n) return { value: n.value, keyword: k };
  }
  return undefined;
}

/** Parses the xref table whose "xref" keyword is at p (no whitespace skipping). */
export function parseXrefTable(buf: Buffer, p: number, deps: XrefDeps): XrefSection {
  if (!matchKeyword(buf, p, 'xref')) throw malformed(`no "xref" keyword at offset ${p}`);
  const entries = new Map<number, XrefEntry>();
  let q = p + 4;
  let total = 0;
  let firstSubsection = true;
  for (;;) {
    q = skipWhite(buf, q);
    if (matchKeyword(buf, q, 'trailer')) break;
    const start = readUint(buf, q);
    if (!start) throw malformed(`xref table at offset ${p}: bad subsection header at offset ${q}`);
    q = start.end;
    while (buf[q] === 0x20 || buf[q] === 0x09) q++;
    const count = readUint(buf, q);
    if (!count) throw malformed(`xref table at offset ${p}: bad subsection header at offset ${start.end}`);
    q = count.end;
    total += count.value;
    if (total > deps.limits.maxObjects) throw new PdfLimitError(`xref table at offset ${p} has more than ${deps.limits.maxObjects} entries`);
    let first = start.value;
    const subEntries: [number, XrefEntry][] = [];
    let i = 0;
    for (; i < count.value; i++) {
      q = skipWhite(buf, q);
      // fast path: the standard fixed format "oooooooooo ggggg n"
      if (q + 18 <= buf.length && buf[q + 10] === 0x20 && buf[q + 16] === 0x20 && (buf[q + 17] === 0x6e || buf[q + 17] === 0x66)) {
        let o = 0;
        let g = 0;
        let ok = true;
        for (let k = 0; k < 10; k++) {
          const c = buf[q + k] - 0x30;
          if (c < 0 || c > 9) ok = false;
          o = o * 10 + c;
        }
        for (let k = 11; k < 16; k++) {
          const c = buf[q + k] - 0x30;
          if (c < 0 || c > 9) ok = false;
          g = g * 10 + c;
        }
        if (ok && (q + 18 >= buf.length || !isRegular(buf[q + 18]))) {
          subEntries.push([i, buf[q + 17] === 0x6e ? { type: 'offset', offset: o, gen: g } : { type: 'free', gen: g }]);
          q += 18;
          continue;
        }
      }
      const off = readUint(buf, q);
      if (!off) break;
      let r = off.end;
      while (buf[r] === 0x20) r++;
      const gen = readUint(buf, r);
      if (!gen) break;
      r = gen.end;
      while (buf[r] === 0x20) r++;
      const t = buf[r];
      if (t !== 0x6e && t !== 0x66) break; // 'n' | 'f'
      q = r + 1;
      subEntries.push([i, t === 0x6e ? { type: 'offset', offset: off.value, gen: gen.value } : { type: 'free', gen: gen.value }]);
    }
    if (i < count.value) {
      deps.warn(`xref table at offset ${p}: subsection ${first} ${count.value} has only ${i} entries`);
    }
    // common writer bug: first subsection numbered from 1 although it starts with the free head of the list
    if (firstSubsection && first === 1 && subEntries.length && subEntries[0][1].type === 'free' && subEntries[0][1].gen === 65535) {
      deps.warn(`xref table at offset ${p}: first subsection starts at 1 instead of 0; renumbered`);
      first = 0;
    }
    firstSubsection = false;
    for (const [k, e] of subEntries) entries.set(first + k, e);
    if (i < count.value) {
      // damaged: continue only if a subsection header or "trailer" follows
      q = skipWhite(buf, q);
      const isDigit = q < buf.length && buf[q] >= 0x30 && buf[q] <= 0x39;
      if (!matchKeyword(buf, q, 'trailer') && !isDigit) {
        throw malformed(`xref table at offset ${p}: damaged entry at offset ${q}`);
      }
    }
  }
  const trailer = deps.readDict(q + 7);
  if (!trailer) throw malformed(`xref table at offset ${p}: no trailer dictionary`);
  return { offset: p, kind: 'table', trailer, entries, end: trailer.end };
}

function readBE(data: Buffer, p: number, w: number): number {
  let v = 0;
  for (let i = 0; i < w; i++) v = v * 256 + data[p + i];
  return v;
}

function intArray(v: PdfValue | undefined): number[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: number[] = [];
  for (const x of v) {
    if (typeof x !== 'number' || !Number.isInteger(x) || x < 0) return undefined;
    out.push(x);
  }
  return out;
}

/** Parses the xref stream object whose header starts at p. */
export function parseXrefStream(buf: Buffer, p: number, deps: XrefDeps): XrefSection {
  const obj = deps.readObject(p);
  if (!obj) throw malformed(`no object at offset ${p}`);
  const s = obj.value;
  if (!(s instanceof PdfStream)) throw malformed(`object ${obj.num} at offset ${p} is not an xref stream`);
  const d = s.dict;
  const type = d.get('Type');
  if (!(type instanceof PdfName && type.name === 'XRef')) {
    if (!d.has('W')) throw malformed(`object ${obj.num} at offset ${p} is not an xref stream`);
    deps.warn(`xref stream ${obj.num} at offset ${p} has no /Type /XRef`);
  }
  const w = intArray(d.get('W'));
  if (!w || w.length < 3 || w.some((x) => x > 8)) throw malformed(`xref stream ${obj.num}: invalid /W`);
  const size = d.get('Size');
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 0) throw malformed(`xref stream ${obj.num}: invalid /Size`);
  let index = intArray(d.get('Index'));
  if (d.has('Index') && (!index || index.length % 2)) {
    deps.warn(`xref stream ${obj.num}: invalid /Index ignored`);
    index = undefined;
  }
  if (!index) index = [0, size];
  let count = 0;
  for (let i = 1; i < index.length; i += 2) count += index[i];
  if (count > deps.limits.maxObjects) {
    throw new PdfLimitError(`xref stream ${obj.num} declares ${count} entries (more than ${deps.limits.maxObjects})`);
  }
  const rowLen = w[0] + w[1] + w[2];
  // an honest xref stream decodes to count × rowLen bytes (+1 per row with a PNG predictor)
  const expected = count * (rowLen + 1) + 1024;
  const data = deps.decode(s, Math.min(expected, deps.limits.maxStreamDecodedBytes));
  const entries = new Map<number, XrefEntry>();
  let pos = 0;
  let truncated = false;
  for (let i = 0; i + 1 < index.length && !truncated; i += 2) {
    const first = index[i];
    for (let k = 0; k < index[i + 1]; k++) {
      if (pos + rowLen > data.length) {
        truncated = true;
        break;
      }
      const t = w[0] ? readBE(data, pos, w[0]) : 1;
      const f2 = readBE(data, pos + w[0], w[1]);
      const f3 = readBE(data, pos + w[0] + w[1], w[2]);
      pos += rowLen;
      const num = first + k;
      if (entries.has(num)) continue;
      if (t === 0) entries.set(num, { type: 'free', gen: f3 });
      else if (t === 1) entries.set(num, { type: 'offset', offset: f2, gen: f3 });
      else if (t === 2) entries.set(num, { type: 'compressed', streamNum: f2, index: f3 });
      // other types: reference to the null object — leave undefined
    }
  }
  if (truncated) deps.warn(`xref stream ${obj.num}: data ends after ${entries.size} of ${count} entries`);
  return { offset: obj.start, kind: 'stream', trailer: d, entries, end: obj.end };
}

/**
 * Reads the section that `off` points to. Whitespace before it is tolerated; offsets relative to a
 * %PDF- header that does not start the file are tried too.
 */
export function readSectionAt(buf: Buffer, off: number, headerOffset: number, deps: XrefDeps): XrefSection {
  const candidates = headerOffset > 0 ? [off, off + headerOffset] : [off];
  let firstError: unknown;
  for (const c of candidates) {
    if (!Number.isSafeInteger(c) || c < 0 || c >= buf.length) {
      firstError ??= malformed(`xref offset ${off} is outside the file`);
      continue;
    }
    const p = skipWhite(buf, c);
    try {
      let sec: XrefSection | undefined;
      if (matchKeyword(buf, p, 'xref')) sec = parseXrefTable(buf, p, deps);
      else if (buf[p] >= 0x30 && buf[p] <= 0x39) sec = parseXrefStream(buf, p, deps);
      else throw malformed(`no xref section at offset ${off}`);
      if (c !== off) {
        // offsets are relative to the %PDF- header: shift the entries to file offsets
        deps.warn(`xref offsets are relative to the %PDF- header at offset ${headerOffset}`);
        for (const [num, e] of sec.entries) {
          if (e.type === 'offset') sec.entries.set(num, { type: 'offset', offset: e.offset + headerOffset, gen: e.gen });
        }
      }
      return sec;
    } catch (e) {
      if (e instanceof PdfParseError || e instanceof RangeError) firstError ??= e;
      else throw e;
    }
  }
  throw firstError instanceof PdfParseError ? firstError : malformed(`no xref section at offset ${off}`);
}

export interface ChainSection extends XrefSection {
  /** hybrid: the /XRefStm section merged into this one */
  hidden?: XrefSection;
  /** value of the startxref after this section, if any */
  ownStartxref?: number;
}

/**
 * Follows startxref → /Prev (and /XRefStm). Returns sections newest first.
 * A /Prev loop ends the chain with a warning; a section that cannot be read throws.
 */
export function readChain(buf: Buffer, startxref: number, headerOffset: number, deps: XrefDeps): ChainSection[] {
  const sections: ChainSection[] = [];
  const visited = new Set<number>();
  let off: number | undefined = startxref;
  const maxSections = deps.limits.maxRevisions * 2;
  while (off !== undefined) {
    if (visited.has(off)) {
      deps.warn(`xref /Prev loop: offset ${off} was already read; chain ends here`);
      break;
    }
    visited.add(off);
    if (sections.length >= maxSections) throw new PdfLimitError(`more than ${deps.limits.maxRevisions} revisions`);
    const sec: ChainSection = readSectionAt(buf, off, headerOffset, deps);
    if (visited.has(sec.offset) && sec.offset !== off) {
      deps.warn(`xref /Prev loop: offset ${off} was already read; chain ends here`);
      break;
    }
    visited.add(sec.offset);
    if (sec.offset !== off) deps.warn(`xref offset ${off} points ${sec.offset - off} byte(s) before the section at ${sec.offset}`);
    const xs = sec.trailer.get('XRefStm');
    if (sec.kind === 'table' && typeof xs === 'number') {
      try {
        const hidden = readSectionAt(buf, xs, headerOffset, deps);
        if (hidden.kind !== 'stream') throw malformed(`/XRefStm ${xs} is not an xref stream`);
        sec.hidden = hidden;
      } catch (e) {
        if (!(e instanceof PdfParseError)) throw e;
        if (e instanceof PdfLimitError) throw e;
        deps.warn(`hybrid xref at offset ${sec.offset}: /XRefStm ${xs} unreadable (${e.message})`);
      }
    }
    sections.push(sec);
    const prev = sec.trailer.get('Prev');
    if (prev === undefined) off = undefined;
    else if (typeof prev === 'number' && Number.isSafeInteger(prev) && prev >= 0) off = prev;
    else {
      deps.warn(`xref section at offset ${sec.offset}: invalid /Prev ignored`);
      off = undefined;
    }
  }
  return sections;
}

/**
 * End of the revision whose xref section ends at `sectionEnd`: past "startxref N %%EOF" plus one EOL.
 * Returns the end and the startxref value, or undefined when no %%EOF follows before `limit`.
 */
export function findRevisionEnd(
  buf: Buffer,
  sectionEnd: number,
  limit: number,
): { end: number; eofAt: number; startxref?: number; strict: boolean } | undefined {
  let p = skipWhiteAndComments(buf, sectionEnd);
  let startxref: number | undefined;
  if (matchKeyword(buf, p, 'startxref')) {
    const n = readUint(buf, skipWhite(buf, p + 9));
    if (n) {
      startxref = n.value;
      p = skipWhiteAndComments(buf, n.end);
    }
  }
  if (startxref !== undefined && matchMarker(buf, p, '%%EOF')) {
    return { end: p + 5 + eolLength(buf, p + 5), eofAt: p, startxref, strict: true };
  }
  const k = buf.indexOf('%%EOF', sectionEnd, 'latin1');
  if (k >= 0 && k < limit) return { end: k + 5 + eolLength(buf, k + 5), eofAt: k, startxref, strict: false };
  return undefined;
}

/** Merges b's entries into a (a wins; a free entry in a yields to an in-use entry of b). */
export function mergeEntries(a: Map<number, XrefEntry>, b: Map<number, XrefEntry>, skipFreeOfB: boolean): void {
  for (const [num, e] of b) {
    const cur = a.get(num);
    if (e.type === 'free' && skipFreeOfB) continue;
    if (!cur || (cur.type === 'free' && e.type !== 'free')) a.set(num, e);
  }
}

/**
 * Groups chain sections (newest first) into revisions (oldest first). A /Prev that points forward
 * in the file (linearized files: first-page section → main section) stays in the same revision.
 */
export function buildRevisions(buf: Buffer, sections: ChainSection[], deps: XrefDeps): { revisions: Revision[]; eofs: number[] } {
  const groups: ChainSection[][] = [];
  for (let i = 0; i < sections.length; i++) {
    const s = sections[i];
    const g = groups[groups.length - 1];
    if (g && s.offset > g[g.length - 1].offset) {
      deps.warn(`xref section at offset ${s.offset} is reached by a forward /Prev from offset ${g[g.length - 1].offset}; treated as part of the same revision (linearized file)`);
      g.push(s);
    } else groups.push([s]);
  }
  if (groups.length > deps.limits.maxRevisions) throw new PdfLimitError(`more than ${deps.limits.maxRevisions} revisions`);
  groups.reverse(); // oldest first
  const sorted = sections.map((s) => s.offset).sort((x, y) => x - y);
  const nextSectionAfter = (off: number) => {
    for (const o of sorted) if (o > off) return o;
    return buf.length + 1;
  };
  const revisions: Revision[] = [];
  const eofs: number[] = [];
  for (let gi = 0; gi < groups.length; gi++) {
    const g = groups[gi];
    const head = g[0];
    let entries: Map<number, XrefEntry>;
    if (g.length === 1 && !head.hidden) entries = head.entries;
    else {
      entries = new Map<number, XrefEntry>();
      for (const s of g) {
        mergeEntries(entries, s.entries, false);
        if (s.hidden) mergeEntries(entries, s.hidden.entries, true);
      }
    }
    let endOffset = -1;
    const isLast = gi === groups.length - 1;
    for (const s of g) {
      const r = findRevisionEnd(buf, s.end, nextSectionAfter(s.offset));
      if (r) {
        eofs.push(r.eofAt);
        if (r.end > endOffset) endOffset = r.end;
        if (!r.strict) deps.warn(`revision ${gi}: "%%EOF" at offset ${r.eofAt} does not directly follow its xref section (ends at ${s.end})`);
        const linearizedZero = r.startxref === 0 && g.length > 1 && s === head; // first-page trailer of a linearized file
        if (r.startxref !== undefined && r.startxref !== s.offset && r.startxref !== head.offset && !linearizedZero) {
          deps.warn(`revision ${gi}: startxref ${r.startxref} does not point at its xref section at offset ${s.offset} (off by ${s.offset - r.startxref})`);
        }
      }
    }
    if (endOffset < 0) {
      const maxEnd = Math.max(...g.map((s) => s.end));
      endOffset = isLast ? buf.length : maxEnd;
      deps.warn(`revision ${gi} (xref at offset ${head.offset}) has no "%%EOF" marker; it is taken to end at offset ${endOffset}`);
    }
    revisions.push({ index: gi, xrefOffset: head.offset, endOffset, kind: head.kind, trailer: head.trailer, entries });
  }
  for (let i = 1; i < revisions.length; i++) {
    if (revisions[i].endOffset <= revisions[i - 1].endOffset) {
      deps.warn(`revision ${i} ends at offset ${revisions[i].endOffset}, not after revision ${i - 1} (${revisions[i - 1].endOffset}): revisions are not in file order`);
    }
  }
  return { revisions, eofs };
}

/** Offsets of all "%%EOF" markers in the file. */
export function findAllEofMarkers(buf: Buffer, max = 100_000): number[] {
  const out: number[] = [];
  let k = buf.indexOf('%%EOF', 0, 'latin1');
  while (k >= 0 && out.length < max) {
    out.push(k);
    k = buf.indexOf('%%EOF', k + 5, 'latin1');
  }
  return out;
}
