/**
 * Reconstruction of the revisions when the xref chain is unusable: the file is cut
 * into segments at its "%%EOF" markers (each segment is one incremental update);
 * inside each, objects found by scanning for "n g obj" define the entries (last
 * definition wins) and members of object streams are added as compressed entries.
 * Trailers come from "trailer" dictionaries or xref stream dictionaries of the segment.
 */
import { eolLength } from './lexer';
import { PdfDict } from './objects';
import type { ScanIndex } from './scan';
import type { Revision, XrefEntry } from './xref';

export interface RepairDeps {
  warn(msg: string): void;
  /** dictionary after the "trailer" keyword at p */
  readTrailer(p: number): PdfDict | undefined;
  /** dictionary of the stream object whose header is at p */
  readStreamDict(p: number): PdfDict | undefined;
  /** object numbers (in order) held by the object stream whose header is at p; undefined when unreadable */
  objStmMembers(p: number): number[] | undefined;
}

interface Segment {
  start: number;
  end: number;
  eof: boolean;
}

export function reconstructRevisions(buf: Buffer, scan: ScanIndex, deps: RepairDeps): Revision[] {
  // 1. segments ending at each %%EOF (+ one EOL)
  const segments: Segment[] = [];
  let start = 0;
  for (const e of scan.eofs) {
    const end = e + 5 + eolLength(buf, e + 5);
    if (end <= start) continue;
    segments.push({ start, end, eof: true });
    start = end;
  }
  if (start < buf.length) {
    const hasContent =
      scan.objects.some((o) => o.start >= start) || scan.trailers.some((t) => t >= start) || scan.xrefs.some((x) => x >= start);
    if (hasContent) {
      segments.push({ start, end: buf.length, eof: false });
      deps.warn(`objects after the last "%%EOF" (offset ${start}): reconstructed as a revision ending at the end of the file`);
    } else if (segments.length) {
      deps.warn(`${buf.length - start} byte(s) of data after the last %%EOF (offset ${start})`);
    } else {
      segments.push({ start: 0, end: buf.length, eof: false });
    }
  }

  // 2. assign objects / trailers to segments
  type SegInfo = { seg: Segment; objs: number[]; trailers: number[]; xrefs: number[] };
  const infos: SegInfo[] = segments.map((seg) => ({ seg, objs: [], trailers: [], xrefs: [] }));
  const segOf = (off: number): SegInfo | undefined => {
    let lo = 0;
    let hi = infos.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = infos[mid].seg;
      if (off < s.start) hi = mid - 1;
      else if (off >= s.end) lo = mid + 1;
      else return infos[mid];
    }
    return undefined;
  };
  scan.objects.forEach((o, i) => segOf(o.start)?.objs.push(i));
  for (const t of scan.trailers) segOf(t)?.trailers.push(t);
  for (const x of scan.xrefs) segOf(x)?.xrefs.push(x);

  // drop empty segments; merge a linearization segment (first page section) into the next one
  let kept = infos.filter((s) => s.objs.length || s.trailers.length || s.xrefs.length);
  if (kept.length < infos.length) deps.warn(`${infos.length - kept.length} "%%EOF" segment(s) without objects ignored`);
  if (kept.length >= 2 && kept[0].objs.some((i) => scan.objects[i].linearized)) {
    const [a, b] = kept;
    const merged: SegInfo = {
      seg: { start: a.seg.start, end: b.seg.end, eof: b.seg.eof },
      objs: [...a.objs, ...b.objs],
      trailers: [...a.trailers, ...b.trailers],
      xrefs: [...a.xrefs, ...b.xrefs],
    };
    kept = [merged, ...kept.slice(2)];
  }

  // 3. revisions
  const revisions: Revision[] = [];
  for (const info of kept) {
    const entries = new Map<number, XrefEntry>();
    for (const i of info.objs) {
      const o = scan.objects[i];
      entries.set(o.num, { type: 'offset', offset: o.start, gen: o.gen });
    }
    for (const i of info.objs) {
      const o = scan.objects[i];
      if (o.type !== 'ObjStm') continue;
      const members = deps.objStmMembers(o.start);
      if (!members) {
        deps.warn(`object stream ${o.num} at offset ${o.start} unreadable during reconstruction`);
        continue;
      }
      members.forEach((num, index) => {
        const cur = entries.get(num);
        if (!cur || cur.type === 'compressed') entries.set(num, { type: 'compressed', streamNum: o.num, index });
      });
    }
    let trailer: PdfDict | undefined;
    let kind: 'table' | 'stream' = 'table';
    let xrefOffset = -1;
    for (let k = info.trailers.length - 1; k >= 0 && !trailer; k--) trailer = deps.readTrailer(info.trailers[k]);
    const xrefStreams = info.objs.filter((i) => scan.objects[i].type === 'XRef');
    if (info.xrefs.length) xrefOffset = info.xrefs[info.xrefs.length - 1];
    else if (xrefStreams.length) {
      kind = 'stream';
      xrefOffset = scan.objects[xrefStreams[xrefStreams.length - 1]].start;
    }
    for (let k = xrefStreams.length - 1; k >= 0 && !trailer; k--) {
      trailer = deps.readStreamDict(scan.objects[xrefStreams[k]].start);
    }
    revisions.push({
      index: revisions.length,
      xrefOffset,
      endOffset: info.seg.end,
      kind,
      trailer: trailer ?? new PdfDict(),
      entries,
    });
  }
  return revisions;
}
