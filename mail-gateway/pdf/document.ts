/**
 * PdfDocument: lazy, revision-aware access to the objects of a PDF held in memory.
 *
 * Opening reads only the xref chain (startxref → /Prev, /XRefStm) and the catalog;
 * objects are parsed on demand and cached by file offset, so that bytes visible in
 * several revisions give the same value instances. When the chain cannot be used the
 * file is reconstructed by scanning (see repair.ts) and `repaired` is set.
 */
import { malformed, PdfLimitError, PdfParseError, resolveLimits, type PdfLimits } from './errors';
import { applyFilter, canonicalFilterName, DecodeLimitExceeded, type FilterStep } from './filters';
import { Lexer } from './lexer';
import { PdfDict, PdfName, PdfRef, PdfStream, type PdfValue } from './objects';
import { inheritedAttribute, walkPageTree } from './pages';
import { parseValue, readIndirectObject, readObjectHeader, type IndirectObject, type ObjectReadContext } from './parser';
import { reconstructRevisions } from './repair';
import { buildScanIndex, findEndstreams, type ScanIndex } from './scan';
import {
  buildRevisions,
  findAllEofMarkers,
  findStartxref,
  readChain,
  type Revision,
  type XrefDeps,
  type XrefEntry,
} from './xref';

const MAX_WARNINGS = 1000;
const NEAR_WINDOW = 64;

interface Lookup {
  value: PdfValue | undefined;
  /** span of "n g obj … endobj" (or of the object stream); start < 0 when none */
  start: number;
  end: number;
}

const NONE: Lookup = Object.freeze({ value: undefined, start: -1, end: -1 });

interface ObjStmInfo {
  data: Buffer;
  first: number;
  pairs: [number, number][];
  stream: PdfStream;
}

export class PdfDocument {
  readonly bytes: Buffer;
  readonly limits: PdfLimits;
  /** offset of "%PDF-" (normally 0) */
  readonly headerOffset: number;
  /** version from the header, e.g. "1.7" */
  readonly headerVersion: string;
  readonly warnings: string[] = [];

  private _revisions: Revision[] = [];
  private _repaired = false;
  private _unfinishedUpdate = false;
  private decodedTotal = 0;
  private scanIndex?: ScanIndex;
  private endstreamList?: number[];
  private readonly warnSet = new Set<string>();
  /** parsed objects by file offset (revision-independent) */
  private readonly parsed = new Map<number, IndirectObject | null>();
  /** parsed objects whose indirect /Length was resolved in a revision: "offset@rev" */
  private readonly parsedInRev = new Map<string, IndirectObject | null>();
  /** per revision: object number → lookup result */
  private readonly lookups = new Map<number, Map<number, Lookup>>();
  /** objects being read (rev * 2^32 + num), to break recursion */
  private readonly loadingNums: number[] = [];
  private readonly loadingRevs: number[] = [];
  private readonly optsFile = { maxDepth: 0, warn: (m: string) => this.warn(m), fileOffsets: true, refs: true };
  private readonly optsNoOffsets = { maxDepth: 0, warn: (m: string) => this.warn(m), fileOffsets: false, refs: true };
  private readonly contexts = new Map<number, ObjectReadContext>();
  private lengthRefUsed = false;
  private readonly streamCache = new WeakMap<PdfStream, Buffer | PdfParseError>();
  private readonly objStmCache = new WeakMap<PdfStream, ObjStmInfo | null>();
  private readonly memberCache = new WeakMap<PdfStream, Map<number, PdfValue>>();
  private readonly pageCache = new Map<number, PdfDict[]>();
  private readonly pageParents = new Map<number, WeakMap<PdfDict, PdfDict | null>>();

  /** oldest first */
  get revisions(): Revision[] {
    return this._revisions;
  }
  /** true when the xref had to be reconstructed by scanning */
  get repaired(): boolean {
    return this._repaired;
  }

  /** Objects follow the last complete revision: an incremental update cut off before its xref and %%EOF. */
  get unfinishedUpdate(): boolean {
    return this._unfinishedUpdate;
  }

  static open(bytes: Buffer | Uint8Array, limits?: Partial<PdfLimits>): PdfDocument {
    return new PdfDocument(bytes, limits);
  }

  private constructor(input: Buffer | Uint8Array, limits?: Partial<PdfLimits>) {
    this.bytes = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    this.limits = resolveLimits(limits);
    this.optsFile.maxDepth = this.limits.maxNestingDepth;
    this.optsNoOffsets.maxDepth = this.limits.maxNestingDepth;
    const buf = this.bytes;
    const h = buf.subarray(0, 1024).indexOf('%PDF-', 0, 'latin1');
    if (h < 0) throw new PdfParseError('NOT_A_PDF', 'no %PDF- header in the first 1024 bytes');
    this.headerOffset = h;
    this.headerVersion = /^\d+\.\d+/.exec(buf.toString('latin1', h + 5, Math.min(buf.length, h + 12)))?.[0] ?? '';
    if (h > 0) this.warn(`${h} byte(s) before the %PDF- header`);

    let failure: string | undefined;
    const before = this.warnings.length;
    const sx = findStartxref(buf);
    if (!sx) failure = 'no startxref';
    else {
      try {
        const sections = readChain(buf, sx.value, h, this.xrefDeps());
        const { revisions, eofs } = buildRevisions(buf, sections, this.xrefDeps());
        this._revisions = revisions;
        const root = this.resolve(this.lastTrailerRoot());
        if (!isCatalogLike(root)) failure = 'the trailer /Root does not lead to a document catalog';
        else {
          this.checkEofMarkers(eofs);
          this.checkOrphanSections(sections.filter((x) => x.kind === 'table').map((x) => x.offset));
          this.checkRevivals();
        }
      } catch (e) {
        if (!(e instanceof Error)) throw e;
        failure = e instanceof PdfParseError ? e.message : `${e.name}: ${e.message}`;
      }
    }
    if (failure !== undefined) {
      // warnings about the abandoned chain refer to its numbering: keep them, marked as such
      const chainWarnings = this.warnings.splice(before).map((w) => `xref chain: ${w}`);
      this.warnSet.clear();
      for (const w of this.warnings) this.warnSet.add(w);
      this.repair(failure);
      for (const w of chainWarnings) this.warn(w);
    }
    const lastTrailer = this._revisions[this._revisions.length - 1]?.trailer;
    if (lastTrailer?.has('Encrypt')) this.warn('document is encrypted (/Encrypt): strings and streams are not decrypted');
    Object.freeze(this._revisions);
  }

  // ---------------------------------------------------------------- opening

  private xrefDeps(): XrefDeps {
    return {
      limits: this.limits,
      warn: (m) => this.warn(m),
      readObject: (p) => readIndirectObject(this.bytes, p, this.readContext(-1)),
      decode: (stream, maxBytes) => this.decode(stream, maxBytes, undefined),
      readDict: (p) => this.readDictAt(p),
    };
  }

  private readDictAt(p: number): PdfDict | undefined {
    const v = parseValue(new Lexer(this.bytes, p), this.parseOptions(true));
    return v instanceof PdfDict ? v : undefined;
  }

  private lastTrailerRoot(): PdfValue | undefined {
    for (let r = this._revisions.length - 1; r >= 0; r--) {
      const root = this._revisions[r].trailer.get('Root');
      if (root !== undefined) return root;
    }
    return undefined;
  }

  private checkEofMarkers(eofs: number[]): void {
    const buf = this.bytes;
    const known = new Set(eofs);
    const all = findAllEofMarkers(buf);
    const extra = all.filter((e) => !known.has(e));
    if (extra.length) {
      this.warn(
        `${extra.length} "%%EOF" marker(s) not belonging to any revision of the xref chain (offsets ${extra.slice(0, 10).join(', ')}${extra.length > 10 ? ', …' : ''})`,
      );
    }
    const last = this._revisions[this._revisions.length - 1];
    if (last && last.endOffset < buf.length) {
      const tail = buf.subarray(last.endOffset);
      const blank = tail.every((c) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x0c || c === 0);
      this.warn(`data after last %%EOF: ${tail.length} byte(s) from offset ${last.endOffset}${blank ? ' (whitespace only)' : ''}`);
      if (!blank && /\d+\s+\d+\s+obj\b/.test(tail.toString('latin1'))) this._unfinishedUpdate = true;
    }
  }

  /** xref tables in the file that the chain does not reach (e.g. an update whose /Prev skips it). */
  private checkOrphanSections(tableOffsets: number[]): void {
    const buf = this.bytes;
    const known = new Set(tableOffsets);
    const orphans: number[] = [];
    for (let k = buf.indexOf('xref', 0, 'latin1'); k >= 0 && orphans.length < 100; k = buf.indexOf('xref', k + 4, 'latin1')) {
      if (k > 0 && (buf[k - 1] === 0x74 || (buf[k - 1] > 0x20 && buf[k - 1] !== 0x3e))) continue; // "startxref", "…xref…"
      const after = buf[k + 4];
      if (after !== 0x0a && after !== 0x0d && after !== 0x20) continue;
      if (!known.has(k)) orphans.push(k);
    }
    if (orphans.length) {
      this.warn(`xref table(s) at offset ${orphans.slice(0, 10).join(', ')} not reachable from startxref (not part of any revision)`);
    }
  }

  /** An update whose entry points back into the bytes of an older revision at an object that was not in use there. */
  private checkRevivals(): void {
    const revs = this._revisions;
    let n = 0;
    for (let r = 1; r < revs.length && n < 50; r++) {
      const prevEnd = revs[r - 1].endOffset;
      for (const [num, e] of revs[r].entries) {
        if (e.type !== 'offset' || e.offset >= prevEnd) continue;
        const before = this.entryWithSource(num, r - 1)?.entry;
        if (before?.type === 'offset' && before.offset === e.offset) continue;
        const was = !before ? 'not defined' : before.type === 'free' ? 'free' : before.type === 'compressed' ? `in object stream ${before.streamNum}` : `at offset ${before.offset}`;
        this.warn(`revision ${r}: object ${num} points back to offset ${e.offset} (bytes of an earlier revision) although it was ${was} in revision ${r - 1}`);
        if (++n >= 50) break;
      }
    }
  }

  private repair(reason: string): void {
    this.warn(`xref unusable (${reason}); reconstructed by scanning the file`);
    this._repaired = true;
    this.lookups.clear();
    this.parsedInRev.clear(); // entries keyed by the abandoned revision numbering
    this.contexts.clear();
    const scan = this.scan();
    this._revisions = [];
    const revisions = reconstructRevisions(this.bytes, scan, {
      warn: (m) => this.warn(m),
      readTrailer: (p) => this.readDictAt(p + 7),
      readStreamDict: (p) => {
        const o = this.parseAt(p, -1);
        return o?.value instanceof PdfStream ? o.value.dict : undefined;
      },
      objStmMembers: (p) => {
        const o = this.parseAt(p, -1);
        if (!(o?.value instanceof PdfStream)) return undefined;
        try {
          return this.objStm(o.value)?.pairs.map((x) => x[0]);
        } catch (e) {
          if (e instanceof PdfParseError) return undefined;
          throw e;
        }
      },
    });
    if (revisions.length > this.limits.maxRevisions) throw new PdfLimitError(`more than ${this.limits.maxRevisions} revisions`);
    if (!revisions.length) throw malformed('no objects found');
    this._revisions = revisions;
    this.lookups.clear();
    // every revision needs a trailer whose /Root leads to a catalog
    let lastGood: PdfDict | undefined;
    for (let r = 0; r < revisions.length; r++) {
      const rev = revisions[r];
      let root = rev.trailer.get('Root');
      if (root === undefined && lastGood) root = lastGood.get('Root');
      let ok = false;
      try {
        ok = isCatalogLike(this.resolve(root, r));
      } catch (e) {
        if (!(e instanceof PdfParseError) || e instanceof PdfLimitError) throw e;
      }
      if (!ok) {
        const cand = this.findCatalog(r);
        if (cand) {
          const map = new Map(lastGood && !rev.trailer.map.size ? lastGood.map : rev.trailer.map);
          map.set('Root', cand);
          rev.trailer = new PdfDict(map);
          if (root !== undefined) this.warn(`revision ${r}: trailer /Root ${String(root)} is not a catalog; using catalog object ${cand.num}`);
          else this.warn(`revision ${r}: no trailer found; using catalog object ${cand.num}`);
        } else if (!rev.trailer.map.size && lastGood) {
          rev.trailer = lastGood;
        }
      } else if (!rev.trailer.has('Root')) {
        const map = new Map(rev.trailer.map);
        map.set('Root', root as PdfValue);
        rev.trailer = new PdfDict(map, rev.trailer.start, rev.trailer.end);
      }
      if (rev.trailer.has('Root')) lastGood = rev.trailer;
    }
    const last = revisions.length - 1;
    let root: PdfValue | undefined;
    try {
      root = this.resolve(revisions[last].trailer.get('Root'), last);
    } catch (e) {
      if (e instanceof PdfLimitError) throw e;
      root = undefined;
    }
    if (!isCatalogLike(root)) throw malformed(`no usable document catalog (${reason})`);
    this.lookups.clear();
  }

  /** Last catalog-like object visible in revision r (reconstruction only). */
  private findCatalog(r: number): PdfRef | undefined {
    const scan = this.scan();
    for (let i = scan.objects.length - 1; i >= 0; i--) {
      const o = scan.objects[i];
      if (o.type !== 'Catalog') continue;
      const e = this.xrefEntry(o.num, r);
      if (e?.type === 'offset' && e.offset === o.start && isCatalogLike(this.getObject(o.num, r))) return new PdfRef(o.num, o.gen);
    }
    // catalogs inside object streams
    const seen = new Set<number>();
    for (let k = r; k >= 0; k--) {
      for (const [num, e] of this._revisions[k].entries) {
        if (e.type !== 'compressed' || seen.has(num)) continue;
        seen.add(num);
        const v = this.getObject(num, r);
        if (v instanceof PdfDict && v.get('Type') instanceof PdfName && (v.get('Type') as PdfName).name === 'Catalog') {
          return new PdfRef(num, 0);
        }
      }
    }
    return undefined;
  }

  // ---------------------------------------------------------------- warnings, scan

  /** Records a structural oddity (deduplicated, bounded). */
  warn(message: string): void {
    if (this.warnSet.has(message)) return;
    if (this.warnings.length >= MAX_WARNINGS) {
      if (this.warnings.length === MAX_WARNINGS) this.warnings.push('further warnings suppressed');
      return;
    }
    this.warnSet.add(message);
    this.warnings.push(message);
  }

  private endstreams(): number[] {
    return (this.endstreamList ??= findEndstreams(this.bytes, this.limits));
  }

  private scan(): ScanIndex {
    return (this.scanIndex ??= buildScanIndex(this.bytes, this.limits, this.endstreams()));
  }

  private parseOptions(fileOffsets: boolean) {
    return fileOffsets ? this.optsFile : this.optsNoOffsets;
  }

  /** Object-reading context for a revision (-1: none, indirect /Length unresolvable); sets lengthRefUsed. */
  private readContext(rev: number): ObjectReadContext {
    let ctx = this.contexts.get(rev);
    if (ctx) return ctx;
    ctx = {
      ...this.optsFile,
      lengthOf: (ref: PdfRef) => {
        this.lengthRefUsed = true;
        if (rev < 0) return undefined;
        const v = this.resolve(ref, rev);
        return typeof v === 'number' ? v : undefined;
      },
      findEndstream: (from: number) => {
        const list = this.endstreams();
        let lo = 0;
        let hi = list.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (list[mid] < from) lo = mid + 1;
          else hi = mid;
        }
        return lo < list.length ? list[lo] : -1;
      },
    };
    this.contexts.set(rev, ctx);
    return ctx;
  }

  // ---------------------------------------------------------------- objects

  private revIndex(revisionIndex: number | undefined): number {
    const n = this._revisions.length;
    if (revisionIndex === undefined) return n - 1;
    if (!Number.isInteger(revisionIndex) || revisionIndex < 0 || revisionIndex >= n) {
      throw new RangeError(`revision ${revisionIndex} does not exist (0..${n - 1})`);
    }
    return revisionIndex;
  }

  /** The xref entry for num as visible in revision rev (merged xref of revisions 0..rev). */
  xrefEntry(num: number, revisionIndex?: number): XrefEntry | undefined {
    return this.entryWithSource(num, this.revIndex(revisionIndex))?.entry;
  }

  /** The entry and the revision that defines it. */
  private entryWithSource(num: number, rev: number): { entry: XrefEntry; source: number } | undefined {
    for (let r = rev; r >= 0; r--) {
      const e = this._revisions[r].entries.get(num);
      if (e) return { entry: e, source: r };
    }
    return undefined;
  }

  /** Object numbers in use in revision rev (merged xref of revisions 0..rev), ascending. */
  objectNumbers(revisionIndex?: number): number[] {
    const rev = this.revIndex(revisionIndex);
    const out: number[] = [];
    const seen = new Set<number>();
    for (let r = rev; r >= 0; r--) {
      for (const [num, e] of this._revisions[r].entries) {
        if (seen.has(num)) continue;
        seen.add(num);
        if (e.type !== 'free' && num > 0) out.push(num);
      }
    }
    return out.sort((a, b) => a - b);
  }

  /** Parses the object at a file offset (cached; keyed by revision only when an indirect /Length was used). */
  private parseAt(offset: number, rev: number): IndirectObject | undefined {
    const hit = this.parsed.get(offset);
    if (hit !== undefined) return hit ?? undefined;
    if (this.parsedInRev.size) {
      const hit2 = this.parsedInRev.get(`${offset}@${rev}`);
      if (hit2 !== undefined) return hit2 ?? undefined;
    }
    if (offset < 0 || offset >= this.bytes.length) return undefined;
    const outer = this.lengthRefUsed;
    this.lengthRefUsed = false;
    let obj: IndirectObject | undefined;
    let usedRef: boolean;
    try {
      obj = readIndirectObject(this.bytes, offset, this.readContext(rev));
    } finally {
      usedRef = this.lengthRefUsed;
      this.lengthRefUsed = outer;
    }
    if (usedRef) this.parsedInRev.set(`${offset}@${rev}`, obj ?? null);
    else this.parsed.set(offset, obj ?? null);
    return obj;
  }

  /** Value of object num as visible in that revision; undefined when free or missing. */
  getObject(num: number, revisionIndex?: number): PdfValue | undefined {
    return this.lookup(num, revisionIndex).value;
  }

  /** Byte span of "num gen obj … endobj" used in that revision (for compressed objects: the object stream's span). */
  objectSpan(num: number, revisionIndex?: number): { start: number; end: number } | undefined {
    const s = this.lookup(num, revisionIndex);
    return s.start >= 0 ? { start: s.start, end: s.end } : undefined;
  }

  private lookup(num: number, revisionIndex?: number): Lookup {
    const rev = this.revIndex(revisionIndex);
    let perRev = this.lookups.get(rev);
    if (!perRev) this.lookups.set(rev, (perRev = new Map()));
    const cached = perRev.get(num);
    if (cached) return cached;
    // objects being read right now (a short stack): break recursion
    const ln = this.loadingNums;
    for (let i = 0; i < ln.length; i++) {
      if (ln[i] === num && this.loadingRevs[i] === rev) {
        this.warn(`object ${num} refers to itself while being read`);
        return NONE;
      }
    }
    if (ln.length > this.limits.maxRefChain * 4) {
      this.warn(`object ${num}: reading nested too deeply`);
      return NONE;
    }
    ln.push(num);
    this.loadingRevs.push(rev);
    let res: Lookup;
    try {
      res = this.load(num, rev);
    } finally {
      ln.pop();
      this.loadingRevs.pop();
    }
    perRev.set(num, res);
    return res;
  }

  private load(num: number, rev: number): Lookup {
    if (!Number.isInteger(num) || num < 0) return NONE;
    const found = this.entryWithSource(num, rev);
    if (!found || found.entry.type === 'free') return NONE;
    const entry = found.entry;
    if (entry.type === 'compressed') return this.loadCompressed(num, entry.streamNum, entry.index, rev);
    const atEntry = this.parseAt(entry.offset, rev);
    if (atEntry && atEntry.num === num) {
      if (atEntry.gen !== entry.gen) this.warn(`object ${num}: generation ${atEntry.gen} in the file, ${entry.gen} in the xref`);
      return { value: atEntry.value, start: atEntry.start, end: atEntry.end };
    }
    // The xref entry points to the wrong place: look nearby, then scan — but only inside the bytes of
    // the revision that wrote the entry, so that a broken entry never silently falls back to an older
    // definition (which would hide that the update changed the object).
    const segStart = found.source > 0 ? this._revisions[found.source - 1].endOffset : 0;
    const segEnd = this._revisions[found.source].endOffset;
    if (atEntry) this.warn(`xref entry of object ${num} (revision ${found.source}) points to object ${atEntry.num} at offset ${entry.offset}`);
    const near = this.findNear(num, entry.offset, segStart, segEnd);
    if (near !== undefined) {
      const o = this.parseAt(near, rev);
      if (o && o.num === num) {
        this.warn(`xref offset off by ${near - entry.offset} for object ${num}`);
        return { value: o.value, start: o.start, end: o.end };
      }
    }
    const list = this.scan().byNum.get(num);
    if (list) {
      for (let i = list.length - 1; i >= 0; i--) {
        const so = this.scan().objects[list[i]];
        if (so.start >= segEnd || so.start < segStart) continue;
        const o = this.parseAt(so.start, rev);
        if (o && o.num === num) {
          this.warn(
            `xref offset ${entry.offset} for object ${num} ${entry.offset >= this.bytes.length ? 'is beyond the end of the file' : 'is wrong'}; using the definition at offset ${so.start} found by scanning`,
          );
          return { value: o.value, start: o.start, end: o.end };
        }
      }
    }
    this.warn(`object ${num}: xref offset ${entry.offset} does not hold the object and revision ${found.source} has no other definition of it`);
    return NONE;
  }

  private findNear(num: number, offset: number, segStart: number, segEnd: number): number | undefined {
    const buf = this.bytes;
    const lo = Math.max(segStart, offset - NEAR_WINDOW);
    const hi = Math.min(segEnd, offset + NEAR_WINDOW);
    const pat = Buffer.from(String(num), 'latin1');
    let best: number | undefined;
    for (let k = buf.indexOf(pat, lo); k >= 0 && k < hi; k = buf.indexOf(pat, k + 1)) {
      if (k > 0 && buf[k - 1] >= 0x30 && buf[k - 1] <= 0x39) continue;
      const h = readObjectHeader(buf, k);
      if (h && h.num === num && h.start === k) {
        if (best === undefined || Math.abs(k - offset) < Math.abs(best - offset)) best = k;
      }
    }
    return best;
  }

  private loadCompressed(num: number, streamNum: number, index: number, rev: number): Lookup {
    const sv = this.getObject(streamNum, rev);
    const span = this.lookup(streamNum, rev);
    if (!(sv instanceof PdfStream)) {
      this.warn(`object ${num}: object stream ${streamNum} is missing`);
      return NONE;
    }
    let info: ObjStmInfo | null | undefined;
    try {
      info = this.objStm(sv);
    } catch (e) {
      if (e instanceof PdfLimitError) throw e;
      if (!(e instanceof PdfParseError)) throw e;
      this.warn(`object stream ${streamNum} unreadable: ${e.message}`);
      return NONE;
    }
    // the entry's index, else search by number, else along /Extends
    const visited = new Set<PdfStream>();
    let hops = 0;
    while (info && !visited.has(info.stream) && hops++ <= this.limits.maxRefChain) {
      visited.add(info.stream);
      let i = hops === 1 && info.pairs[index]?.[0] === num ? index : -1;
      if (i < 0) i = info.pairs.findIndex((p) => p[0] === num);
      if (i >= 0) {
        if (hops > 1 || i !== index) this.warn(`object ${num}: found at index ${i} of object stream, xref says ${streamNum}/${index}`);
        return { value: this.member(info, i), start: span.start, end: span.end };
      }
      const ext = info.stream.dict.get('Extends');
      if (!(ext instanceof PdfRef)) break;
      const next = this.getObject(ext.num, rev);
      if (!(next instanceof PdfStream)) break;
      try {
        info = this.objStm(next);
      } catch (e) {
        if (e instanceof PdfLimitError || !(e instanceof PdfParseError)) throw e;
        break;
      }
    }
    this.warn(`object ${num} is not in object stream ${streamNum}`);
    return NONE;
  }

  private member(info: ObjStmInfo, i: number): PdfValue {
    let m = this.memberCache.get(info.stream);
    if (!m) this.memberCache.set(info.stream, (m = new Map()));
    if (m.has(i)) return m.get(i)!;
    const off = info.first + info.pairs[i][1];
    let v: PdfValue | undefined = null;
    if (off < info.data.length) {
      const lx = new Lexer(info.data, off);
      v = parseValue(lx, this.parseOptions(false));
    }
    const value = v === undefined ? null : v;
    m.set(i, value);
    return value;
  }

  /** Header of an object stream (cached). Throws PdfParseError when undecodable. */
  private objStm(stream: PdfStream): ObjStmInfo | null {
    if (this.objStmCache.has(stream)) return this.objStmCache.get(stream)!;
    this.objStmCache.set(stream, null); // re-entrancy guard
    const d = stream.dict;
    const n = d.get('N');
    const first = d.get('First');
    if (typeof n !== 'number' || typeof first !== 'number' || !Number.isInteger(n) || !Number.isInteger(first) || n < 0 || first < 0) {
      this.warn(`object stream ${stream.objNum ?? '?'}: invalid /N or /First`);
      return null;
    }
    if (n > this.limits.maxObjects) throw new PdfLimitError(`object stream ${stream.objNum ?? '?'} declares more than ${this.limits.maxObjects} objects`);
    const data = this.streamData(stream);
    const lx = new Lexer(data, 0, Math.min(first, data.length));
    const pairs: [number, number][] = [];
    for (let i = 0; i < n; i++) {
      const a = lx.next();
      const b = lx.next();
      if (a.type !== 'num' || b.type !== 'num' || !a.isInt || !b.isInt || a.num! < 0 || b.num! < 0) break;
      pairs.push([a.num!, b.num!]);
    }
    if (pairs.length < n) this.warn(`object stream ${stream.objNum ?? '?'}: header lists ${pairs.length} of ${n} objects`);
    const info: ObjStmInfo = { data, first, pairs, stream };
    this.objStmCache.set(stream, info);
    return info;
  }

  /** Follows reference chains (at most maxRefChain hops); undefined on dangling references. */
  resolve(value: PdfValue | undefined, revisionIndex?: number): PdfValue | undefined {
    let v = value;
    let hops = 0;
    while (v instanceof PdfRef) {
      if (++hops > this.limits.maxRefChain) {
        this.warn(`reference chain longer than ${this.limits.maxRefChain} at ${value?.toString()}`);
        return undefined;
      }
      v = this.getObject(v.num, revisionIndex);
    }
    return v;
  }

  /** resolve + must be a dictionary (a stream's dictionary counts). */
  getDict(value: PdfValue | undefined, revisionIndex?: number): PdfDict | undefined {
    const v = this.resolve(value, revisionIndex);
    if (v instanceof PdfDict) return v;
    if (v instanceof PdfStream) return v.dict;
    return undefined;
  }

  // ---------------------------------------------------------------- streams

  /** Raw (still encoded) bytes of a stream: a view into the file. */
  rawStreamData(stream: PdfStream): Buffer {
    return this.bytes.subarray(stream.dataStart, Math.max(stream.dataStart, stream.dataEnd));
  }

  /**
   * Decoded stream data (cached). Throws PdfParseError(MALFORMED_PDF) for unsupported filters or
   * undecodable data, PdfLimitError (a MALFORMED_PDF PdfParseError) when the data decodes to more than
   * maxStreamDecodedBytes or the document total exceeds maxTotalDecodedBytes.
   */
  streamData(stream: PdfStream): Buffer {
    const c = this.streamCache.get(stream);
    if (c instanceof Error) throw c;
    if (c) return c;
    try {
      const out = this.decode(stream, this.limits.maxStreamDecodedBytes, this.revisions.length ? this.revisions.length - 1 : undefined);
      this.streamCache.set(stream, out);
      return out;
    } catch (e) {
      if (e instanceof PdfParseError) this.streamCache.set(stream, e);
      throw e;
    }
  }

  private filterSteps(stream: PdfStream, rev: number | undefined): FilterStep[] {
    const res = (v: PdfValue | undefined) => (rev === undefined ? (v instanceof PdfRef ? undefined : v) : this.resolve(v, rev));
    const f = res(stream.dict.get('Filter'));
    const p = res(stream.dict.get('DecodeParms') ?? stream.dict.get('DP'));
    const names: PdfValue[] = f === undefined || f === null ? [] : Array.isArray(f) ? f : [f];
    const parms: PdfValue[] = p === undefined || p === null ? [] : Array.isArray(p) ? p : [p];
    if (names.length > 16) throw malformed(`stream ${stream.objNum ?? '?'}: more than 16 filters`);
    return names.map((n, i) => {
      const name = res(n);
      if (!(name instanceof PdfName)) throw malformed(`stream ${stream.objNum ?? '?'}: invalid /Filter`);
      const pd = res(parms[i]);
      return { name: name.name, parms: pd instanceof PdfDict ? pd : undefined };
    });
  }

  private decode(stream: PdfStream, maxBytes: number, rev: number | undefined): Buffer {
    if (stream.dict.has('F')) this.warn(`stream ${stream.objNum ?? '?'}: external file data (/F) ignored`);
    const steps = this.filterSteps(stream, rev);
    let data = this.rawStreamData(stream);
    const label = `stream ${stream.objNum ?? '?'}${stream.objNum !== undefined ? ' 0' : ''}`;
    for (const step of steps) {
      const remaining = this.limits.maxTotalDecodedBytes - this.decodedTotal;
      const limit = Math.min(maxBytes, remaining);
      if (limit <= 0 && steps.length) {
        throw new PdfLimitError(`${label} decodes to more than ${limit < 0 ? 0 : limit} bytes: the document total limit of ${this.limits.maxTotalDecodedBytes} decoded bytes is used up`);
      }
      try {
        data = applyFilter(data, step, limit, (m) => this.warn(`${label}: ${m}`));
      } catch (e) {
        if (e instanceof DecodeLimitExceeded) {
          this.decodedTotal += limit;
          const why = limit < maxBytes ? ` (document total limit ${this.limits.maxTotalDecodedBytes})` : '';
          throw new PdfLimitError(`${label} decodes to more than ${limit} bytes${why} (/${canonicalFilterName(step.name)})`);
        }
        if (e instanceof PdfParseError) throw malformed(`${label}: ${e.message}`);
        throw e;
      }
      this.decodedTotal += data.length;
    }
    return data;
  }

  // ---------------------------------------------------------------- catalog and pages

  /** The trailer /Root of that revision (falling back to older trailers when it has none). */
  catalog(revisionIndex?: number): PdfDict {
    const rev = this.revIndex(revisionIndex);
    for (let r = rev; r >= 0; r--) {
      const root = this._revisions[r].trailer.get('Root');
      if (root === undefined) continue;
      const d = this.getDict(root, rev);
      if (d) return d;
      throw malformed(`revision ${rev}: trailer /Root ${String(root)} is not a dictionary`);
    }
    throw malformed(`revision ${rev}: no trailer /Root`);
  }

  /** Page dictionaries in order. A /Kids cycle (or a node reached twice) is MALFORMED_PDF. */
  pages(revisionIndex?: number): PdfDict[] {
    const rev = this.revIndex(revisionIndex);
    const cached = this.pageCache.get(rev);
    if (cached) return cached.slice();
    const tree = walkPageTree(this, this.catalog(rev).get('Pages'), rev);
    this.pageCache.set(rev, tree.pages);
    this.pageParents.set(rev, tree.parents);
    return tree.pages.slice();
  }

  /**
   * Value of an inheritable page attribute (/Resources /MediaBox /CropBox /Rotate), looked up on
   * the page and then on its ancestors in the page tree of that revision; resolved. Other keys are
   * read from the page only.
   */
  inherited(page: PdfDict, key: string, revisionIndex?: number): PdfValue | undefined {
    const rev = this.revIndex(revisionIndex);
    if (!this.pageParents.has(rev)) {
      try {
        this.pages(rev);
      } catch (e) {
        if (!(e instanceof PdfParseError)) throw e;
      }
    }
    return inheritedAttribute(this, page, key, rev, this.pageParents.get(rev));
  }
}

function isCatalogLike(v: PdfValue | undefined): boolean {
  if (!(v instanceof PdfDict)) return false;
  const t = v.get('Type');
  if (t instanceof PdfName) return t.name === 'Catalog';
  return v.has('Pages');
}
