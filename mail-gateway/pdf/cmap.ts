/**
 * CMaps (ISO 32000-1 §9.7.5, §9.10.3): codespace ranges, bfchar / bfrange (incl. the
 * array form) for ToUnicode, cidchar / cidrange for embedded encoding CMaps.
 * Ranges are kept as ranges (never expanded), so a hostile <00000000> <FFFFFFFF> costs nothing.
 */
import { glyphToUnicode } from './encodings';
import { Lexer, type Token } from './lexer';

export interface CodespaceRange {
  /** number of bytes */
  len: number;
  lo: number[];
  hi: number[];
}

interface UnicodeRange {
  lo: number;
  hi: number;
  /** destination of lo (incremented for following codes), or one destination per code */
  dst: string | string[];
}

interface CidRange {
  lo: number;
  hi: number;
  cid: number;
}

const MAX_ENTRIES = 200_000;
const MAX_DST_UNITS = 256;
const MAX_CODESPACE_RANGES = 256;

/** Last index i with list[i].lo <= code (list sorted by lo), or -1. */
function lastStartingAtOrBefore<T extends { lo: number }>(list: T[], code: number): number {
  let lo = 0;
  let hi = list.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].lo <= code) {
      ans = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans;
}

/** Range containing code: binary search, then a short backward walk for overlapping ranges. */
function findRange<T extends { lo: number; hi: number }>(list: T[], code: number): T | undefined {
  for (let i = lastStartingAtOrBefore(list, code), steps = 0; i >= 0 && steps < 64; i--, steps++) {
    if (code <= list[i].hi) return list[i];
  }
  return undefined;
}

export class CMap {
  readonly codespace: CodespaceRange[] = [];
  readonly chars = new Map<number, string>();
  readonly ranges: UnicodeRange[] = [];
  readonly cidChars = new Map<number, number>();
  readonly cidRanges: CidRange[] = [];
  /** name given to usecmap (e.g. Identity-H), if any */
  useCMap?: string;
  vertical = false;

  /** Sorts the ranges for lookup (called once after parsing). */
  seal(): this {
    this.ranges.sort((a, b) => a.lo - b.lo);
    this.cidRanges.sort((a, b) => a.lo - b.lo);
    return this;
  }

  /** Unicode for a code, or undefined. */
  unicode(code: number): string | undefined {
    const c = this.chars.get(code);
    if (c !== undefined) return c;
    const r = findRange(this.ranges, code);
    if (!r) return undefined;
    if (Array.isArray(r.dst)) return r.dst[code - r.lo];
    return incrementLast(r.dst, code - r.lo);
  }

  /** CID for a code (encoding CMaps), or undefined. */
  cid(code: number): number | undefined {
    const c = this.cidChars.get(code);
    if (c !== undefined) return c;
    const r = findRange(this.cidRanges, code);
    return r ? r.cid + (code - r.lo) : undefined;
  }

  get size(): number {
    return this.chars.size + this.ranges.length + this.cidChars.size + this.cidRanges.length;
  }
}

function incrementLast(s: string, by: number): string {
  if (!s.length || by === 0) return s;
  const last = s.charCodeAt(s.length - 1) + by;
  if (last > 0xffff) return s.slice(0, -1) + String.fromCodePoint(Math.min(0x10ffff, last));
  return s.slice(0, -1) + String.fromCharCode(last);
}

function bytesToCode(b: Buffer): number {
  let v = 0;
  for (let i = 0; i < b.length && i < 4; i++) v = v * 256 + b[i];
  return v;
}

function utf16be(b: Buffer): string {
  const n = Math.min(b.length >> 1, MAX_DST_UNITS);
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode((b[2 * i] << 8) | b[2 * i + 1]);
  if (b.length === 1) s = String.fromCharCode(b[0]);
  return s;
}

function dstOf(t: Token): string | undefined {
  if (t.type === 'hex' || t.type === 'str') return utf16be(t.bytes!);
  if (t.type === 'name') return glyphToUnicode(t.text!);
  if (t.type === 'num' && t.isInt) return String.fromCodePoint(Math.max(0, Math.min(0x10ffff, t.num!)));
  return undefined;
}

/** Parses CMap data (ToUnicode or encoding CMap). Never throws; ignores what it cannot read. */
export function parseCMap(data: Buffer): CMap {
  return readCMap(data).seal();
}

function readCMap(data: Buffer): CMap {
  const cmap = new CMap();
  const lx = new Lexer(data);
  let prev: Token | undefined;
  let entries = 0;
  const full = () => ++entries > MAX_ENTRIES;
  for (;;) {
    const t = lx.next();
    if (t.type === 'eof') break;
    if (t.type === 'kw') {
      switch (t.text) {
        case 'begincodespacerange':
          for (;;) {
            const a = lx.next();
            if (a.type !== 'hex') break;
            const b = lx.next();
            if (b.type !== 'hex' || a.bytes!.length !== b.bytes!.length || a.bytes!.length === 0 || a.bytes!.length > 4) break;
            if (cmap.codespace.length < MAX_CODESPACE_RANGES) cmap.codespace.push({ len: a.bytes!.length, lo: [...a.bytes!], hi: [...b.bytes!] });
            if (full()) return cmap;
          }
          break;
        case 'beginbfchar':
          for (;;) {
            const a = lx.next();
            if (a.type !== 'hex' && a.type !== 'str') break;
            const b = lx.next();
            const d = dstOf(b);
            if (d !== undefined) cmap.chars.set(bytesToCode(a.bytes!), d);
            if (full()) return cmap;
          }
          break;
        case 'beginbfrange':
          for (;;) {
            const a = lx.next();
            if (a.type !== 'hex' && a.type !== 'str') break;
            const b = lx.next();
            if (b.type !== 'hex' && b.type !== 'str') break;
            const lo = bytesToCode(a.bytes!);
            const hi = bytesToCode(b.bytes!);
            const c = lx.next();
            if (c.type === '[') {
              const list: string[] = [];
              for (;;) {
                const e = lx.next();
                if (e.type === ']' || e.type === 'eof') break;
                list.push(dstOf(e) ?? '');
                if (list.length > MAX_ENTRIES) break;
              }
              if (hi >= lo) cmap.ranges.push({ lo, hi: Math.min(hi, lo + list.length - 1), dst: list });
            } else {
              const d = dstOf(c);
              if (d !== undefined && hi >= lo) cmap.ranges.push({ lo, hi, dst: d });
              if (c.type === 'kw') break;
            }
            if (full()) return cmap;
          }
          break;
        case 'begincidchar':
          for (;;) {
            const a = lx.next();
            if (a.type !== 'hex') break;
            const b = lx.next();
            if (b.type !== 'num') break;
            cmap.cidChars.set(bytesToCode(a.bytes!), b.num!);
            if (full()) return cmap;
          }
          break;
        case 'begincidrange':
          for (;;) {
            const a = lx.next();
            if (a.type !== 'hex') break;
            const b = lx.next();
            const c = lx.next();
            if (b.type !== 'hex' || c.type !== 'num') break;
            cmap.cidRanges.push({ lo: bytesToCode(a.bytes!), hi: bytesToCode(b.bytes!), cid: c.num! });
            if (full()) return cmap;
          }
          break;
        case 'usecmap':
          if (prev?.type === 'name') cmap.useCMap = prev.text;
          break;
        case 'def':
          break;
        default:
          break;
      }
    } else if (t.type === 'name' && t.text === 'WMode') {
      const v = lx.next();
      if (v.type === 'num' && v.num === 1) cmap.vertical = true;
    }
    prev = t;
  }
  return cmap;
}

/**
 * Splits a byte string into codes using codespace ranges (shortest matching length first);
 * bytes matching no range are consumed singly (or with `fallbackLen`).
 */
export function splitCodes(bytes: Buffer, ranges: CodespaceRange[], fallbackLen: number): { code: number; len: number }[] {
  const out: { code: number; len: number }[] = [];
  const lens = [...new Set(ranges.map((r) => r.len))].sort((a, b) => a - b);
  let i = 0;
  while (i < bytes.length) {
    let matched = 0;
    for (const len of lens) {
      if (i + len > bytes.length) break;
      if (
        ranges.some((r) => {
          if (r.len !== len) return false;
          for (let k = 0; k < len; k++) if (bytes[i + k] < r.lo[k] || bytes[i + k] > r.hi[k]) return false;
          return true;
        })
      ) {
        matched = len;
        break;
      }
    }
    const len = matched || Math.min(fallbackLen, bytes.length - i);
    let code = 0;
    for (let k = 0; k < len; k++) code = code * 256 + bytes[i + k];
    out.push({ code, len });
    i += len;
  }
  return out;
}
