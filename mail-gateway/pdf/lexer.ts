/**
 * PDF tokenizer (ISO 32000-1 §7.2–7.3). Works directly on the file Buffer (or on a
 * decoded stream) from a position; never copies ranges except the bytes of
 * strings and names it returns.
 */

export type TokenType = 'eof' | 'num' | 'name' | 'str' | 'hex' | 'kw' | '[' | ']' | '<<' | '>>';

export interface Token {
  type: TokenType;
  /** offset of the first byte of the token */
  start: number;
  /** offset just past the token */
  end: number;
  /** 'num' */
  num?: number;
  /** 'num': written without a decimal point */
  isInt?: boolean;
  /** 'name' (decoded, without slash) and 'kw' */
  text?: string;
  /** 'str' / 'hex' decoded bytes */
  bytes?: Buffer;
  /** 'str' / 'hex' without a closing delimiter */
  unterminated?: boolean;
}

// character classes
const WS = new Uint8Array(256);
const DELIM = new Uint8Array(256);
const HEXVAL = new Int8Array(256).fill(-1);
for (const c of [0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]) WS[c] = 1;
for (const c of '()<>[]{}/%') DELIM[c.charCodeAt(0)] = 1;
for (let i = 0; i < 10; i++) HEXVAL[0x30 + i] = i;
for (let i = 0; i < 6; i++) {
  HEXVAL[0x41 + i] = 10 + i;
  HEXVAL[0x61 + i] = 10 + i;
}

export function isWhite(c: number): boolean {
  return WS[c] === 1;
}
export function isDelimiter(c: number): boolean {
  return DELIM[c] === 1;
}
/** Neither whitespace nor delimiter (part of a keyword / number / name). */
export function isRegular(c: number): boolean {
  return WS[c] === 0 && DELIM[c] === 0;
}
export function hexValue(c: number): number {
  return HEXVAL[c];
}

/** Growable byte buffer for string decoding. */
class ByteBuilder {
  private a: Uint8Array;
  length = 0;
  constructor(initial: number) {
    this.a = new Uint8Array(Math.max(16, initial));
  }
  push(b: number): void {
    if (this.length === this.a.length) {
      const n = new Uint8Array(this.a.length * 2);
      n.set(this.a);
      this.a = n;
    }
    this.a[this.length++] = b;
  }
  toBuffer(): Buffer {
    return Buffer.from(this.a.buffer, this.a.byteOffset, this.length);
  }
}

export class Lexer {
  pos: number;
  /**
   * @param buf  bytes to read
   * @param pos  start position
   * @param end  exclusive end of the readable range
   */
  constructor(
    readonly buf: Buffer,
    pos = 0,
    readonly end: number = buf.length,
  ) {
    this.pos = pos;
  }

  /** Skips whitespace and comments. */
  skipWs(): void {
    const b = this.buf;
    let p = this.pos;
    const e = this.end;
    while (p < e) {
      const c = b[p];
      if (WS[c]) {
        p++;
      } else if (c === 0x25 /* % */) {
        while (p < e && b[p] !== 0x0a && b[p] !== 0x0d) p++;
      } else break;
    }
    this.pos = p;
  }

  /** Returns the next token and advances. */
  next(): Token {
    this.skipWs();
    const b = this.buf;
    const start = this.pos;
    if (start >= this.end) return { type: 'eof', start, end: start };
    const c = b[start];
    switch (c) {
      case 0x5b: // [
        this.pos++;
        return { type: '[', start, end: this.pos };
      case 0x5d: // ]
        this.pos++;
        return { type: ']', start, end: this.pos };
      case 0x3c: // <
        if (start + 1 < this.end && b[start + 1] === 0x3c) {
          this.pos += 2;
          return { type: '<<', start, end: this.pos };
        }
        return this.readHex();
      case 0x3e: // >
        if (start + 1 < this.end && b[start + 1] === 0x3e) {
          this.pos += 2;
          return { type: '>>', start, end: this.pos };
        }
        this.pos++;
        return { type: 'kw', text: '>', start, end: this.pos };
      case 0x28: // (
        return this.readLiteral();
      case 0x2f: // /
        return this.readName();
      case 0x29: // )
      case 0x7b: // {
      case 0x7d: // }
        this.pos++;
        return { type: 'kw', text: String.fromCharCode(c), start, end: this.pos };
      default:
        break;
    }
    // regular characters: number or keyword
    let p = start;
    while (p < this.end && isRegular(b[p])) p++;
    if (p === start) {
      // cannot happen (whitespace / delimiters handled), but never loop forever
      this.pos = start + 1;
      return { type: 'kw', text: String.fromCharCode(c), start, end: this.pos };
    }
    this.pos = p;
    if ((c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e) {
      const n = parseNumber(b, start, p);
      if (n) return { type: 'num', num: n.value, isInt: n.isInt, start, end: p };
    }
    return { type: 'kw', text: keywordText(b, start, p), start, end: p };
  }

  /** Position after skipping whitespace/comments, without consuming a token. */
  peekPos(): number {
    const save = this.pos;
    this.skipWs();
    const p = this.pos;
    this.pos = save;
    return p;
  }

  /** True when the next token is the keyword `kw` (does not consume). */
  peekKeyword(kw: string): boolean {
    const p = this.peekPos();
    return matchKeyword(this.buf, p, kw, this.end);
  }

  private readName(): Token {
    const b = this.buf;
    const start = this.pos;
    let p = start + 1;
    let hasEscape = false;
    while (p < this.end && isRegular(b[p])) {
      if (b[p] === 0x23) hasEscape = true;
      p++;
    }
    this.pos = p;
    let text: string;
    if (!hasEscape) {
      text = internedLatin1(b, start + 1, p);
    } else {
      const out: number[] = [];
      for (let i = start + 1; i < p; i++) {
        const ch = b[i];
        if (ch === 0x23 && i + 2 < p) {
          const h1 = HEXVAL[b[i + 1]];
          const h2 = HEXVAL[b[i + 2]];
          if (h1 >= 0 && h2 >= 0) {
            out.push(h1 * 16 + h2);
            i += 2;
            continue;
          }
        }
        out.push(ch);
      }
      text = Buffer.from(out).toString('latin1');
    }
    return { type: 'name', text, start, end: p };
  }

  private readHex(): Token {
    const b = this.buf;
    const start = this.pos;
    let p = start + 1;
    let q = p;
    while (q < this.end && b[q] !== 0x3e) q++;
    const unterminated = q >= this.end;
    const out = Buffer.allocUnsafe((q - p + 1) >> 1);
    let n = 0;
    let hi = -1;
    for (; p < q; p++) {
      const v = HEXVAL[b[p]];
      if (v < 0) continue; // whitespace and junk are ignored
      if (hi < 0) hi = v;
      else {
        out[n++] = hi * 16 + v;
        hi = -1;
      }
    }
    if (hi >= 0) out[n++] = hi * 16; // odd number of digits: final digit is followed by 0
    this.pos = unterminated ? q : q + 1;
    return { type: 'hex', bytes: out.subarray(0, n), start, end: this.pos, unterminated };
  }

  private readLiteral(): Token {
    const b = this.buf;
    const start = this.pos;
    const e = this.end;
    let p = start + 1;
    let depth = 1;
    const out = new ByteBuilder(64);
    while (p < e) {
      const c = b[p++];
      if (c === 0x5c /* \ */) {
        if (p >= e) break;
        const d = b[p++];
        switch (d) {
          case 0x6e: out.push(0x0a); break; // n
          case 0x72: out.push(0x0d); break; // r
          case 0x74: out.push(0x09); break; // t
          case 0x62: out.push(0x08); break; // b
          case 0x66: out.push(0x0c); break; // f
          case 0x0d: // line continuation
            if (p < e && b[p] === 0x0a) p++;
            break;
          case 0x0a:
            break;
          default:
            if (d >= 0x30 && d <= 0x37) {
              let v = d - 0x30;
              for (let k = 0; k < 2 && p < e && b[p] >= 0x30 && b[p] <= 0x37; k++) v = v * 8 + (b[p++] - 0x30);
              out.push(v & 0xff);
            } else {
              out.push(d); // \( \) \\ and unknown escapes: the character itself
            }
        }
      } else if (c === 0x28) {
        depth++;
        out.push(c);
      } else if (c === 0x29) {
        if (--depth === 0) {
          this.pos = p;
          return { type: 'str', bytes: out.toBuffer(), start, end: p };
        }
        out.push(c);
      } else if (c === 0x0d) {
        // end-of-line in a literal string is read as \n
        if (p < e && b[p] === 0x0a) p++;
        out.push(0x0a);
      } else {
        out.push(c);
      }
    }
    this.pos = e;
    return { type: 'str', bytes: out.toBuffer(), start, end: e, unterminated: true };
  }
}

const COMMON_KEYWORDS = ['R', 'obj', 'endobj', 'true', 'false', 'null', 'stream', 'endstream', 'Tj', 'TJ', 'Td', 'Tf', 'Tm', 'BT', 'ET', 'q', 'Q', 'cm', 're', 'f', 'm', 'l', 'h', 'S', 'n', 'W', 'Do', 'gs', 'g', 'rg', 'RG', 'cs', 'CS', 'sc', 'scn'];
const KEYWORD_BY_FIRST = new Map<number, string[]>();
for (const k of COMMON_KEYWORDS) {
  const c = k.charCodeAt(0);
  KEYWORD_BY_FIRST.set(c, [...(KEYWORD_BY_FIRST.get(c) ?? []), k]);
}

/** Keyword text without allocating for the common ones. */
function keywordText(b: Buffer, start: number, end: number): string {
  const list = KEYWORD_BY_FIRST.get(b[start]);
  if (list) {
    const len = end - start;
    outer: for (const k of list) {
      if (k.length !== len) continue;
      for (let i = 1; i < len; i++) if (b[start + i] !== k.charCodeAt(i)) continue outer;
      return k;
    }
  }
  return b.toString('latin1', start, end);
}

const INTERN = new Map<number, string>();
const INTERN_MAX = 8192;

/** latin1 text of b[start, end), shared for short, frequent strings (names). */
function internedLatin1(b: Buffer, start: number, end: number): string {
  const len = end - start;
  if (len > 24 || len === 0) return b.toString('latin1', start, end);
  let h = 0x811c9dc5 ^ len;
  for (let i = start; i < end; i++) h = Math.imul(h ^ b[i], 16777619);
  const hit = INTERN.get(h);
  if (hit !== undefined && hit.length === len) {
    let same = true;
    for (let i = 0; i < len; i++) {
      if (hit.charCodeAt(i) !== b[start + i]) {
        same = false;
        break;
      }
    }
    if (same) return hit;
  }
  const s = b.toString('latin1', start, end);
  if (hit === undefined && INTERN.size < INTERN_MAX) INTERN.set(h, s);
  return s;
}

/** Parses a PDF number in b[start, end). Lenient: "--5", "5." and ".5" are accepted. */
export function parseNumber(b: Buffer, start: number, end: number): { value: number; isInt: boolean } | undefined {
  let p = start;
  let neg = false;
  while (p < end && (b[p] === 0x2b || b[p] === 0x2d)) {
    if (b[p] === 0x2d) neg = !neg;
    p++;
  }
  let intPart = 0;
  let digits = 0;
  let frac = 0;
  let scale = 1;
  let isInt = true;
  while (p < end && b[p] >= 0x30 && b[p] <= 0x39) {
    intPart = intPart * 10 + (b[p] - 0x30);
    digits++;
    p++;
  }
  if (p < end && b[p] === 0x2e) {
    isInt = false;
    p++;
    while (p < end && b[p] >= 0x30 && b[p] <= 0x39) {
      if (scale < 1e15) {
        frac = frac * 10 + (b[p] - 0x30);
        scale *= 10;
      }
      digits++;
      p++;
    }
  }
  if (digits === 0) return p === end && p > start ? { value: 0, isInt: false } : undefined;
  // trailing junk such as "12-3" or "1.2.3": keep the numeric prefix only if the rest is numeric punctuation
  for (let q = p; q < end; q++) {
    const c = b[q];
    if (!((c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2d || c === 0x2b)) return undefined;
  }
  const v = intPart + frac / scale;
  return { value: neg ? -v : v, isInt };
}

/** True when buf at p holds keyword kw followed by a non-regular character (or end). */
export function matchKeyword(buf: Buffer, p: number, kw: string, end: number = buf.length): boolean {
  if (p < 0 || p + kw.length > end) return false;
  for (let i = 0; i < kw.length; i++) if (buf[p + i] !== kw.charCodeAt(i)) return false;
  const after = p + kw.length;
  return after >= end || !isRegular(buf[after]);
}

/** Reads an unsigned decimal integer at p (no sign, no dot); returns value and end, or undefined. */
export function readUint(buf: Buffer, p: number, end: number = buf.length): { value: number; end: number } | undefined {
  let q = p;
  let v = 0;
  while (q < end && buf[q] >= 0x30 && buf[q] <= 0x39) {
    v = v * 10 + (buf[q] - 0x30);
    q++;
    if (q - p > 15) return undefined; // beyond safe integers
  }
  if (q === p) return undefined;
  return { value: v, end: q };
}

/** Skips PDF whitespace (not comments) forward from p. */
export function skipWhite(buf: Buffer, p: number, end: number = buf.length): number {
  while (p < end && WS[buf[p]]) p++;
  return p;
}

/** Skips whitespace and comments forward from p, but stops at a "%%EOF" marker. */
export function skipWhiteAndComments(buf: Buffer, p: number, end: number = buf.length): number {
  for (;;) {
    while (p < end && WS[buf[p]]) p++;
    if (p < end && buf[p] === 0x25 && !matchMarker(buf, p, '%%EOF')) {
      while (p < end && buf[p] !== 0x0a && buf[p] !== 0x0d) p++;
      continue;
    }
    return p;
  }
}

/** True when buf at p holds the exact bytes of s (no boundary check). */
export function matchMarker(buf: Buffer, p: number, s: string): boolean {
  if (p < 0 || p + s.length > buf.length) return false;
  for (let i = 0; i < s.length; i++) if (buf[p + i] !== s.charCodeAt(i)) return false;
  return true;
}

/** Length of one end-of-line sequence at p (\r\n → 2, \n or \r → 1, else 0). */
export function eolLength(buf: Buffer, p: number, end: number = buf.length): number {
  if (p >= end) return 0;
  if (buf[p] === 0x0d) return p + 1 < end && buf[p + 1] === 0x0a ? 2 : 1;
  if (buf[p] === 0x0a) return 1;
  return 0;
}
