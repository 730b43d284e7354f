/**
 * Object parser on top of the lexer: values (iterative, depth-limited — a
 * 100,000-deep "[[[[…" is a MALFORMED_PDF error, never a stack overflow) and
 * indirect objects "n g obj … endobj" including the stream data span.
 */
import { PdfLimitError } from './errors';
import { eolLength, Lexer, matchKeyword, skipWhite, type Token } from './lexer';
import { PdfDict, PdfName, pdfName, PdfRef, PdfStream, PdfString, type PdfValue } from './objects';

export interface ParseOptions {
  maxDepth: number;
  warn(msg: string): void;
  /** strings / dicts carry file offsets (false for object streams and content streams: -1) */
  fileOffsets: boolean;
  /** recognise "n g R" references (objects); off in content streams */
  refs: boolean;
}

/** Keywords that cannot appear inside an object: an unterminated array/dict ends before them. */
const STOP_KEYWORDS = new Set(['endobj', 'stream', 'endstream', 'obj', 'xref', 'trailer', 'startxref']);

type Frame =
  | { kind: 'a'; items: PdfValue[]; start: number }
  | { kind: 'd'; map: Map<string, PdfValue>; key: string | undefined; start: number };

/**
 * Parses one value. `first` is an already-read first token (optional).
 * Returns undefined when the input holds no value here (end of data or a keyword that is not a value);
 * the lexer is then left before that keyword.
 */
export function parseValue(lx: Lexer, opt: ParseOptions, first?: Token): PdfValue | undefined {
  const stack: Frame[] = [];
  let tok: Token | undefined = first;
  for (;;) {
    const t = tok ?? lx.next();
    tok = undefined;
    let value: PdfValue | undefined;
    let have = false;
    switch (t.type) {
      case 'num': {
        value = t.num!;
        have = true;
        if (opt.refs && t.isInt && t.num! >= 0) {
          const save = lx.pos;
          const t2 = lx.next();
          if (t2.type === 'num' && t2.isInt && t2.num! >= 0) {
            const t3 = lx.next();
            if (t3.type === 'kw' && t3.text === 'R') {
              value = new PdfRef(t.num!, t2.num!);
              break;
            }
          }
          lx.pos = save;
        }
        break;
      }
      case 'name':
        value = pdfName(t.text!);
        have = true;
        break;
      case 'str':
      case 'hex':
        if (t.unterminated) opt.warn(`unterminated string at offset ${t.start}`);
        value = opt.fileOffsets
          ? new PdfString(t.bytes!, t.type === 'hex', t.start, t.end)
          : new PdfString(t.bytes!, t.type === 'hex', -1, -1);
        have = true;
        break;
      case '[':
      case '<<':
        if (stack.length >= opt.maxDepth) {
          throw new PdfLimitError(`objects nested deeper than ${opt.maxDepth} levels at offset ${t.start}`);
        }
        stack.push(
          t.type === '[' ? { kind: 'a', items: [], start: t.start } : { kind: 'd', map: new Map(), key: undefined, start: t.start },
        );
        continue;
      case ']': {
        const top = stack[stack.length - 1];
        if (top && top.kind === 'a') {
          stack.pop();
          value = top.items;
          have = true;
        } else {
          opt.warn(`unexpected "]" at offset ${t.start}`);
          if (!top) return undefined;
        }
        break;
      }
      case '>>': {
        const top = stack[stack.length - 1];
        if (top && top.kind === 'd') {
          stack.pop();
          if (top.key !== undefined) opt.warn(`dictionary key /${top.key} without value at offset ${t.start}`);
          value = opt.fileOffsets ? new PdfDict(top.map, top.start, t.end) : new PdfDict(top.map);
          have = true;
        } else {
          opt.warn(`unexpected ">>" at offset ${t.start}`);
          if (!top) return undefined;
        }
        break;
      }
      case 'kw': {
        const k = t.text!;
        if (k === 'true' || k === 'false') {
          value = k === 'true';
          have = true;
        } else if (k === 'null') {
          value = null;
          have = true;
        } else if (stack.length === 0) {
          lx.pos = t.start;
          return undefined;
        } else if (STOP_KEYWORDS.has(k)) {
          opt.warn(`unterminated ${stack[stack.length - 1].kind === 'a' ? 'array' : 'dictionary'} before "${k}" at offset ${t.start}`);
          lx.pos = t.start;
          return unwind(stack, t.start, opt);
        } else {
          opt.warn(`unexpected keyword "${k.slice(0, 32)}" at offset ${t.start}`);
        }
        break;
      }
      case 'eof':
        if (stack.length === 0) return undefined;
        opt.warn(`unterminated ${stack[stack.length - 1].kind === 'a' ? 'array' : 'dictionary'} at end of data`);
        return unwind(stack, t.start, opt);
    }
    if (!have) continue;
    // attach the completed value
    const top = stack[stack.length - 1];
    if (!top) return value as PdfValue;
    if (top.kind === 'a') {
      top.items.push(value as PdfValue);
    } else if (top.key === undefined) {
      if (value instanceof PdfName) top.key = value.name;
      else opt.warn(`dictionary key is not a name at offset ${t.start}`);
    } else {
      if (top.map.has(top.key)) opt.warn(`duplicate dictionary key /${top.key} at offset ${t.start}`);
      top.map.set(top.key, value as PdfValue);
      top.key = undefined;
    }
  }
}

/** Closes all open containers (damaged input) and returns the outermost value. */
function unwind(stack: Frame[], end: number, opt: ParseOptions): PdfValue {
  let value: PdfValue | undefined;
  while (stack.length) {
    const f = stack.pop()!;
    let v: PdfValue;
    if (f.kind === 'a') {
      if (value !== undefined) f.items.push(value);
      v = f.items;
    } else {
      if (value !== undefined && f.key !== undefined) f.map.set(f.key, value);
      v = opt.fileOffsets ? new PdfDict(f.map, f.start, end) : new PdfDict(f.map);
    }
    value = v;
  }
  return value ?? null;
}

export interface IndirectObject {
  num: number;
  gen: number;
  value: PdfValue;
  /** offset of the object number */
  start: number;
  /** offset just past "endobj" (or past the last byte read when endobj is missing) */
  end: number;
}

export interface ObjectReadContext extends ParseOptions {
  /** value of an indirect /Length (undefined when unavailable) */
  lengthOf(ref: PdfRef): number | undefined;
  /** offset of the next "endstream" keyword at or after `from`, or -1 */
  findEndstream(from: number): number;
}

/** Reads "num gen obj" at p (after optional whitespace). */
export function readObjectHeader(buf: Buffer, p: number): { num: number; gen: number; start: number; end: number } | undefined {
  const lx = new Lexer(buf, p);
  lx.skipWs();
  const start = lx.pos;
  // inside a number (e.g. 1 byte into "12 0 obj"); other characters are accepted ("%%EOF2 0 obj" is real)
  if (start > 0 && buf[start - 1] >= 0x30 && buf[start - 1] <= 0x39) return undefined;
  const t1 = lx.next();
  if (t1.type !== 'num' || !t1.isInt || t1.num! < 0 || buf[t1.start] === 0x2b || buf[t1.start] === 0x2d) return undefined;
  const t2 = lx.next();
  if (t2.type !== 'num' || !t2.isInt || t2.num! < 0 || buf[t2.start] === 0x2b || buf[t2.start] === 0x2d) return undefined;
  const t3 = lx.next();
  if (t3.type !== 'kw' || t3.text !== 'obj') return undefined;
  return { num: t1.num!, gen: t2.num!, start, end: t3.end };
}

/**
 * Parses the indirect object whose header starts at p (whitespace before it is skipped).
 * Returns undefined when there is no "n g obj" header there.
 */
export function readIndirectObject(buf: Buffer, p: number, ctx: ObjectReadContext): IndirectObject | undefined {
  const h = readObjectHeader(buf, p);
  if (!h) return undefined;
  const lx = new Lexer(buf, h.end);
  let value = parseValue(lx, ctx);
  if (value === undefined) value = null;
  let end = lx.pos;
  if (value instanceof PdfDict && lx.peekKeyword('stream')) {
    const kwPos = lx.peekPos();
    const stream = readStreamData(buf, kwPos, value, h.num, ctx);
    value = stream.stream;
    lx.pos = stream.after;
    end = stream.after;
  }
  if (lx.peekKeyword('endobj')) {
    lx.pos = lx.peekPos() + 6;
    end = lx.pos;
  } else {
    ctx.warn(`object ${h.num} ${h.gen} at offset ${h.start}: missing "endobj"`);
  }
  return { num: h.num, gen: h.gen, value, start: h.start, end };
}

/** Locates the raw data of a stream whose "stream" keyword is at kwPos. */
function readStreamData(
  buf: Buffer,
  kwPos: number,
  dict: PdfDict,
  num: number,
  ctx: ObjectReadContext,
): { stream: PdfStream; after: number } {
  let p = kwPos + 6;
  // "stream" is followed by CRLF or LF (tolerate spaces before it and a lone CR)
  let q = p;
  while (q < buf.length && (buf[q] === 0x20 || buf[q] === 0x09)) q++;
  const eol = eolLength(buf, q);
  if (eol) p = q + eol;
  else ctx.warn(`object ${num}: no end-of-line after "stream"`);
  if (buf[q] === 0x0d && eol === 1) ctx.warn(`object ${num}: "stream" followed by CR alone`);
  const dataStart = p;

  let length: number | undefined;
  const lv = dict.get('Length');
  if (typeof lv === 'number') length = lv;
  else if (lv instanceof PdfRef) length = ctx.lengthOf(lv);

  if (length !== undefined && Number.isInteger(length) && length >= 0 && dataStart + length <= buf.length) {
    const after = skipWhite(buf, dataStart + length);
    if (matchKeyword(buf, after, 'endstream')) {
      return { stream: new PdfStream(dict, dataStart, dataStart + length, num), after: after + 9 };
    }
  }
  // /Length missing or wrong: the data ends before the next "endstream"
  const es = ctx.findEndstream(dataStart);
  if (es >= 0) {
    let dataEnd = es;
    if (dataEnd > dataStart && buf[dataEnd - 1] === 0x0a) dataEnd--;
    if (dataEnd > dataStart && buf[dataEnd - 1] === 0x0d) dataEnd--;
    ctx.warn(
      `object ${num}: stream /Length ${length === undefined ? 'missing or unresolvable' : length} does not match the data; ` +
        `using "endstream" at offset ${es} (data length ${dataEnd - dataStart})`,
    );
    return { stream: new PdfStream(dict, dataStart, dataEnd, num), after: es + 9 };
  }
  const dataEnd =
    length !== undefined && Number.isInteger(length) && length >= 0 ? Math.min(buf.length, dataStart + length) : buf.length;
  ctx.warn(`object ${num}: stream without "endstream"`);
  return { stream: new PdfStream(dict, dataStart, dataEnd, num), after: dataEnd };
}
