/**
 * Page text extraction (content streams, ISO 32000-1 §9.4): text in content-stream
 * order, a line break when the baseline changes, a space for large gaps (TJ kerning,
 * Td moves). Follows Form XObjects to a bounded depth; work is bounded by an operator
 * budget and the document's decoded-bytes limits.
 */
import type { PdfDocument } from './document';
import { PdfLimitError, PdfParseError } from './errors';
import { fallbackFont, loadFont, type Font } from './fonts';
import { Lexer, isWhite, type Token } from './lexer';
import { PdfDict, PdfName, pdfName, PdfStream, PdfString, type PdfValue } from './objects';
import { parseValue } from './parser';

export interface TextExtractionOptions {
  /** content operators over the page including forms (default 1,000,000) */
  maxOperators?: number;
  /** nesting of Form XObjects (default 12) */
  maxFormDepth?: number;
  /** characters of output (default 4,000,000) */
  maxChars?: number;
  /**
   * also the text of the normal appearance streams of visible annotations (form fields, free text,
   * stamps …), each after the page content on its own line (default false: page content only)
   */
  annotations?: boolean;
}

type Matrix = [number, number, number, number, number, number];
const IDENTITY: Matrix = [1, 0, 0, 1, 0, 0];

function mul(m1: Matrix, m2: Matrix): Matrix {
  return [
    m1[0] * m2[0] + m1[1] * m2[2],
    m1[0] * m2[1] + m1[1] * m2[3],
    m1[2] * m2[0] + m1[3] * m2[2],
    m1[2] * m2[1] + m1[3] * m2[3],
    m1[4] * m2[0] + m1[5] * m2[2] + m2[4],
    m1[4] * m2[1] + m1[5] * m2[3] + m2[5],
  ];
}

function apply(m: Matrix, x: number, y: number): [number, number] {
  return [x * m[0] + y * m[2] + m[4], x * m[1] + y * m[3] + m[5]];
}

function toMatrix(v: PdfValue | undefined): Matrix | undefined {
  if (!Array.isArray(v) || v.length !== 6 || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) return undefined;
  return v as Matrix;
}

interface GState {
  ctm: Matrix;
  font: Font;
  fontSize: number;
  charSpace: number;
  wordSpace: number;
  hScale: number;
  leading: number;
  rise: number;
}

const SPACE_GAP = 0.18; // fraction of the font size that counts as a word gap
const LINE_SHIFT = 0.5; // fraction of the font size that counts as a new baseline

/** Collects text runs and decides on spaces and line breaks between them. */
class TextSink {
  private lines: string[][] = [[]];
  private chars = 0;
  private last?: { x: number; y: number; dx: number; dy: number; size: number };
  constructor(private readonly maxChars: number) {}

  run(text: string, start: [number, number], end: [number, number], dir: [number, number], size: number): void {
    const len = Math.hypot(dir[0], dir[1]) || 1;
    const dx = dir[0] / len;
    const dy = dir[1] / len;
    const sz = Math.abs(size) || 1;
    if (this.last) {
      const vx = start[0] - this.last.x;
      const vy = start[1] - this.last.y;
      const along = (vx * dx + vy * dy) / sz;
      const across = (vy * dx - vx * dy) / sz;
      const sameDir = Math.abs(dx - this.last.dx) < 0.05 && Math.abs(dy - this.last.dy) < 0.05;
      if (!sameDir || Math.abs(across) > LINE_SHIFT) this.newline();
      else if (along > SPACE_GAP || along < -3) this.space();
    }
    if (text) this.push(text);
    this.last = { x: end[0], y: end[1], dx, dy, size: sz };
  }

  private cur(): string[] {
    return this.lines[this.lines.length - 1];
  }
  private push(s: string): void {
    this.chars += s.length;
    if (this.chars > this.maxChars) throw new PdfLimitError(`page text longer than ${this.maxChars} characters`);
    this.cur().push(s);
  }
  private space(): void {
    const c = this.cur();
    if (c.length && !/\s$/.test(c[c.length - 1])) c.push(' ');
  }
  newline(): void {
    if (this.cur().length) this.lines.push([]);
  }
  result(): string {
    return this.lines
      .map((l) => l.join('').replace(/[ \t\u00a0]+$/u, ''))
      .filter((l) => l.trim().length > 0)
      .join('\n')
      .normalize('NFC');
  }
}

class Interpreter {
  private ops = 0;
  private tokens = 0;
  private shownBytes = 0;
  private readonly maxShownBytes: number;
  private readonly fonts = new Map<PdfValue, Font>();
  private readonly formStack = new Set<PdfStream>();

  constructor(
    private readonly doc: PdfDocument,
    private readonly rev: number,
    private readonly sink: TextSink,
    private readonly maxOps: number,
    private readonly maxFormDepth: number,
    maxChars: number,
  ) {
    this.maxShownBytes = maxChars * 4;
  }

  /** Bounded work: every token, and composite operands / strings / inline images by size. */
  private work(units: number): void {
    this.tokens += units;
    if (this.tokens > this.maxOps * 10) throw new PdfLimitError(`page content needs more than ${this.maxOps * 10} units of work`);
  }

  private fontFor(resources: PdfDict | undefined, name: string): Font {
    const fonts = this.doc.getDict(resources?.get('Font'), this.rev);
    const ref = fonts?.get(name);
    if (ref === undefined) return fallbackFont();
    const key = ref instanceof PdfDict ? ref : (this.doc.resolve(ref, this.rev) ?? null);
    let f = this.fonts.get(key as PdfValue);
    if (!f) {
      try {
        f = loadFont(this.doc, ref, this.rev);
      } catch (e) {
        if (e instanceof PdfLimitError || !(e instanceof PdfParseError)) throw e;
        f = fallbackFont();
      }
      this.fonts.set(key as PdfValue, f);
    }
    return f;
  }

  /** Decoded data of a content stream, or undefined when it cannot be decoded (limits propagate). */
  private data(s: PdfStream): Buffer | undefined {
    try {
      return this.doc.streamData(s);
    } catch (e) {
      if (e instanceof PdfLimitError || !(e instanceof PdfParseError)) throw e;
      this.doc.warn(`content stream ${s.objNum ?? '?'} skipped: ${e.message}`);
      return undefined;
    }
  }

  runPage(page: PdfDict): void {
    const resources = this.doc.getDict(this.doc.inherited(page, 'Resources', this.rev), this.rev);
    const contents = this.doc.resolve(page.get('Contents'), this.rev);
    const streams: PdfStream[] = [];
    if (contents instanceof PdfStream) streams.push(contents);
    else if (Array.isArray(contents)) {
      for (const c of contents.slice(0, 10_000)) {
        const s = this.doc.resolve(c, this.rev);
        if (s instanceof PdfStream) streams.push(s);
      }
    }
    const parts: Buffer[] = [];
    for (const s of streams) {
      const d = this.data(s);
      if (d) parts.push(d, Buffer.from('\n'));
    }
    this.run(parts.length === 1 ? parts[0] : Buffer.concat(parts), resources, this.initialState(), 0);
  }

  /** Text of the normal appearance streams of visible annotations. */
  runAnnotations(page: PdfDict): void {
    const doc = this.doc;
    const rev = this.rev;
    const annots = doc.resolve(page.get('Annots'), rev);
    if (!Array.isArray(annots)) return;
    for (const a of annots.slice(0, 10_000)) {
      const annot = doc.getDict(a, rev);
      if (!annot) continue;
      const flags = doc.resolve(annot.get('F'), rev);
      if (typeof flags === 'number' && (flags & (2 | 32)) !== 0) continue; // Hidden, NoView
      const ap = doc.getDict(annot.get('AP'), rev);
      let n = doc.resolve(ap?.get('N'), rev);
      if (n instanceof PdfDict && !(n instanceof PdfStream)) {
        const as = doc.resolve(annot.get('AS'), rev);
        n = as instanceof PdfName ? doc.resolve(n.get(as.name), rev) : undefined;
      }
      if (!(n instanceof PdfStream)) continue;
      const rect = doc.resolve(annot.get('Rect'), rev);
      const bbox = doc.resolve(n.dict.get('BBox'), rev);
      const m = toMatrix(doc.resolve(n.dict.get('Matrix'), rev)) ?? IDENTITY;
      let ctm: Matrix = m;
      if (Array.isArray(rect) && Array.isArray(bbox) && rect.length === 4 && bbox.length === 4 && [...rect, ...bbox].every((x) => typeof x === 'number')) {
        const [rx1, ry1, rx2, ry2] = rect as number[];
        const corners = [apply(m, bbox[0] as number, bbox[1] as number), apply(m, bbox[2] as number, bbox[3] as number), apply(m, bbox[0] as number, bbox[3] as number), apply(m, bbox[2] as number, bbox[1] as number)];
        const bx1 = Math.min(...corners.map((c) => c[0]));
        const by1 = Math.min(...corners.map((c) => c[1]));
        const bx2 = Math.max(...corners.map((c) => c[0]));
        const by2 = Math.max(...corners.map((c) => c[1]));
        const sx = bx2 > bx1 ? (Math.max(rx1, rx2) - Math.min(rx1, rx2)) / (bx2 - bx1) : 1;
        const sy = by2 > by1 ? (Math.max(ry1, ry2) - Math.min(ry1, ry2)) / (by2 - by1) : 1;
        ctm = mul(m, [sx, 0, 0, sy, Math.min(rx1, rx2) - bx1 * sx, Math.min(ry1, ry2) - by1 * sy]);
      }
      const data = this.data(n);
      if (!data) continue;
      this.sink.newline();
      this.formStack.add(n);
      try {
        this.run(data, doc.getDict(n.dict.get('Resources'), rev), { ...this.initialState(), ctm }, 1);
      } finally {
        this.formStack.delete(n);
      }
    }
  }

  private initialState(): GState {
    return { ctm: IDENTITY, font: fallbackFont(), fontSize: 0, charSpace: 0, wordSpace: 0, hScale: 1, leading: 0, rise: 0 };
  }

  private run(data: Buffer, resources: PdfDict | undefined, initial: GState, depth: number): void {
    const doc = this.doc;
    const rev = this.rev;
    const lx = new Lexer(data);
    const opt = { maxDepth: doc.limits.maxNestingDepth, warn: () => {}, fileOffsets: false, refs: false };
    let gs: GState = { ...initial };
    const stack: GState[] = [];
    let tm: Matrix = IDENTITY;
    let tlm: Matrix = IDENTITY;
    let operands: PdfValue[] = [];

    const show = (s: PdfString) => {
      this.shownBytes += s.bytes.length;
      if (this.shownBytes > this.maxShownBytes) throw new PdfLimitError(`page shows more than ${this.maxShownBytes} bytes of text`);
      const glyphs = gs.font.decode(s.bytes);
      const trm0 = mul(mul([gs.fontSize * gs.hScale, 0, 0, gs.fontSize, 0, gs.rise], tm), gs.ctm);
      const start = apply(trm0, 0, 0);
      const textSpace = mul(tm, gs.ctm);
      const dir: [number, number] = [textSpace[0], textSpace[1]];
      const sizeVec = apply([textSpace[0], textSpace[1], textSpace[2], textSpace[3], 0, 0], 0, gs.fontSize);
      const size = Math.hypot(sizeVec[0], sizeVec[1]);
      let text = '';
      let tx = 0;
      for (const g of glyphs) {
        text += g.text;
        tx += (g.width * gs.fontSize + gs.charSpace + (g.wordSpace ? gs.wordSpace : 0)) * gs.hScale;
      }
      tm = mul([1, 0, 0, 1, tx, 0], tm);
      const end = apply(mul(mul([gs.fontSize * gs.hScale, 0, 0, gs.fontSize, 0, gs.rise], tm), gs.ctm), 0, 0);
      this.sink.run(text, start, end, dir, size || 1);
    };
    const nextLine = (tx: number, ty: number) => {
      tlm = mul([1, 0, 0, 1, tx, ty], tlm);
      tm = tlm;
    };
    const n = (i: number): number => {
      const v = operands[operands.length - i];
      return typeof v === 'number' && Number.isFinite(v) ? v : 0;
    };

    for (;;) {
      const t: Token = lx.next();
      if (t.type === 'eof') break;
      this.work(1);
      if (t.type !== 'kw') {
        let v: PdfValue | undefined;
        if (t.type === '[' || t.type === '<<') {
          try {
            v = parseValue(lx, opt, t);
          } catch (e) {
            if (e instanceof PdfLimitError) throw e;
            v = null;
          }
          this.work((lx.pos - t.start) >> 3);
        } else if (t.type === 'num') v = t.num!;
        else if (t.type === 'name') v = pdfName(t.text!);
        else if (t.type === 'str' || t.type === 'hex') {
          v = new PdfString(t.bytes!, t.type === 'hex', -1, -1);
          this.work((t.end - t.start) >> 3);
        } else continue; // stray ']' '>>'
        if (operands.length < 10_000) operands.push(v === undefined ? null : v);
        continue;
      }
      if (++this.ops > this.maxOps) throw new PdfLimitError(`page content has more than ${this.maxOps} operators`);
      const op = t.text!;
      switch (op) {
        case 'BT':
          tm = IDENTITY;
          tlm = IDENTITY;
          break;
        case 'ET':
          break;
        case 'q':
          if (stack.length < 1000) stack.push({ ...gs });
          break;
        case 'Q':
          if (stack.length) gs = stack.pop()!;
          break;
        case 'cm': {
          const m = toMatrix(operands.slice(-6));
          if (m) gs.ctm = mul(m, gs.ctm);
          break;
        }
        case 'Tf': {
          const name = operands[operands.length - 2];
          gs.fontSize = n(1);
          if (name instanceof PdfName) gs.font = this.fontFor(resources, name.name);
          break;
        }
        case 'Tc': gs.charSpace = n(1); break;
        case 'Tw': gs.wordSpace = n(1); break;
        case 'Tz': gs.hScale = n(1) / 100; break;
        case 'TL': gs.leading = n(1); break;
        case 'Ts': gs.rise = n(1); break;
        case 'Td': nextLine(n(2), n(1)); break;
        case 'TD':
          gs.leading = -n(1);
          nextLine(n(2), n(1));
          break;
        case 'Tm': {
          const m = toMatrix(operands.slice(-6));
          if (m) {
            tm = m;
            tlm = m;
          }
          break;
        }
        case 'T*': nextLine(0, -gs.leading); break;
        case 'Tj': {
          const s = operands[operands.length - 1];
          if (s instanceof PdfString) show(s);
          break;
        }
        case "'": {
          nextLine(0, -gs.leading);
          const s = operands[operands.length - 1];
          if (s instanceof PdfString) show(s);
          break;
        }
        case '"': {
          gs.wordSpace = n(3);
          gs.charSpace = n(2);
          nextLine(0, -gs.leading);
          const s = operands[operands.length - 1];
          if (s instanceof PdfString) show(s);
          break;
        }
        case 'TJ': {
          const arr = operands[operands.length - 1];
          if (Array.isArray(arr)) {
            for (const e of arr) {
              if (e instanceof PdfString) show(e);
              else if (typeof e === 'number' && Number.isFinite(e)) {
                tm = mul([1, 0, 0, 1, (-e / 1000) * gs.fontSize * gs.hScale, 0], tm);
              }
            }
          }
          break;
        }
        case 'Do': {
          const name = operands[operands.length - 1];
          if (name instanceof PdfName) this.form(resources, name.name, gs, depth);
          break;
        }
        case 'BI':
          this.skipInlineImage(lx, data);
          break;
        default:
          break;
      }
      operands = [];
    }
  }

  private form(resources: PdfDict | undefined, name: string, gs: GState, depth: number): void {
    if (depth >= this.maxFormDepth) {
      this.doc.warn(`form XObjects nested deeper than ${this.maxFormDepth}`);
      return;
    }
    const xobjects = this.doc.getDict(resources?.get('XObject'), this.rev);
    const x = this.doc.resolve(xobjects?.get(name), this.rev);
    if (!(x instanceof PdfStream) || x.dict.getName('Subtype') !== 'Form') return;
    if (this.formStack.has(x)) {
      this.doc.warn(`form XObject ${x.objNum ?? '?'} draws itself`);
      return;
    }
    const data = this.data(x);
    if (!data) return;
    const m = toMatrix(this.doc.resolve(x.dict.get('Matrix'), this.rev)) ?? IDENTITY;
    const res = this.doc.getDict(x.dict.get('Resources'), this.rev) ?? resources;
    this.formStack.add(x);
    try {
      this.run(data, res, { ...gs, ctm: mul(m, gs.ctm) }, depth + 1);
    } finally {
      this.formStack.delete(x);
    }
  }

  /** Skips "BI … ID <data> EI". */
  private skipInlineImage(lx: Lexer, data: Buffer): void {
    const opt = { maxDepth: 8, warn: () => {}, fileOffsets: false, refs: false };
    let length: number | undefined;
    for (let i = 0; i < 10_000; i++) {
      const t = lx.next();
      if (t.type === 'eof') return;
      if (t.type === 'kw' && t.text === 'ID') break;
      if (t.type === 'name' && (t.text === 'L' || t.text === 'Length')) {
        const v = lx.next();
        if (v.type === 'num' && v.isInt && v.num! >= 0) length = v.num;
        continue;
      }
      if (t.type === '[' || t.type === '<<') parseValue(lx, opt, t);
    }
    let p = lx.pos;
    if (isWhite(data[p])) p++;
    const startData = p;
    if (length !== undefined && p + length <= data.length) {
      lx.pos = p + length;
      const after = lx.peekPos();
      if (data[after] === 0x45 && data[after + 1] === 0x49) {
        lx.pos = after + 2;
        return;
      }
    }
    // search "EI" delimited by whitespace
    for (let k = data.indexOf('EI', p, 'latin1'); k >= 0; k = data.indexOf('EI', k + 1, 'latin1')) {
      const before = k === 0 || isWhite(data[k - 1]);
      const after = k + 2 >= data.length || isWhite(data[k + 2]) || data[k + 2] === 0x25;
      if (before && after) {
        lx.pos = k + 2;
        this.work((k - startData) >> 3);
        return;
      }
    }
    this.work((data.length - startData) >> 3);
    lx.pos = data.length;
  }
}

/**
 * Text of one page in reading (content-stream) order, lines separated by "\n", NFC-normalised.
 * Never throws on odd content (returns what it could read); throws PdfParseError for limit
 * breaches (decoded bytes, operators, output size) and for a damaged page tree.
 * Returns '' when the page does not exist.
 */
export function extractPageText(doc: PdfDocument, pageIndex: number, revisionIndex?: number, options: TextExtractionOptions = {}): string {
  const rev = revisionIndex ?? doc.revisions.length - 1;
  const pages = doc.pages(rev);
  const page = pages[pageIndex];
  if (!page) return '';
  const sink = new TextSink(options.maxChars ?? 4_000_000);
  const maxChars = options.maxChars ?? 4_000_000;
  const it = new Interpreter(doc, rev, sink, options.maxOperators ?? 1_000_000, options.maxFormDepth ?? 12, maxChars);
  it.runPage(page);
  if (options.annotations) it.runAnnotations(page);
  return sink.result();
}
