/**
 * PDF object model (ISO 32000-1 §7.3). Values are immutable once parsed and are
 * shared between revisions when the same bytes are visible in several of them.
 *
 * Offsets (`start`, `end`, `dataStart`, `dataEnd`) are byte offsets in the file.
 * Objects that were read from a decoded object stream (/Type /ObjStm) have no
 * position in the file: their strings and dictionaries carry start = end = -1.
 */

export class PdfName {
  /** Name without the leading slash, #xx escapes decoded, bytes read as latin1 (lossless). */
  constructor(readonly name: string) {}
  toString(): string {
    return '/' + this.name;
  }
}

export class PdfString {
  /**
   * @param bytes raw string bytes after escape / hex decoding
   * @param hex   true for <…> strings
   * @param start file offset of the opening delimiter, -1 when not in the file
   * @param end   file offset just past the closing delimiter (exclusive), -1 when not in the file
   */
  constructor(readonly bytes: Buffer, readonly hex: boolean, readonly start: number, readonly end: number) {}
  /** Bytes as latin1 text (for ASCII-ish values such as dates); use decodeTextString for text strings. */
  toString(): string {
    return this.bytes.toString('latin1');
  }
}

const NAME_CACHE = new Map<string, PdfName>();
const NAME_CACHE_MAX = 4096;

/** A shared PdfName instance for short names (names are immutable values). */
export function pdfName(name: string): PdfName {
  if (name.length > 32) return new PdfName(name);
  let n = NAME_CACHE.get(name);
  if (!n) {
    n = new PdfName(name);
    if (NAME_CACHE.size < NAME_CACHE_MAX) NAME_CACHE.set(name, n);
  }
  return n;
}

export class PdfRef {
  constructor(readonly num: number, readonly gen: number) {}
  toString(): string {
    return `${this.num} ${this.gen} R`;
  }
}

export class PdfDict {
  readonly map: Map<string, PdfValue>;
  /** file offset of "<<", -1 when not in the file (object stream, synthetic) */
  start: number;
  /** file offset just past ">>", -1 when not in the file */
  end: number;
  constructor(map?: Map<string, PdfValue>, start = -1, end = -1) {
    this.map = map ?? new Map();
    this.start = start;
    this.end = end;
  }
  get(key: string): PdfValue | undefined {
    return this.map.get(key);
  }
  has(key: string): boolean {
    return this.map.has(key);
  }
  keys(): string[] {
    return [...this.map.keys()];
  }
  /** The value of key when it is a name (direct), else undefined. */
  getName(key: string): string | undefined {
    const v = this.map.get(key);
    return v instanceof PdfName ? v.name : undefined;
  }
  /** The value of key when it is a (direct) number, else undefined. */
  getNumber(key: string): number | undefined {
    const v = this.map.get(key);
    return typeof v === 'number' ? v : undefined;
  }
}

export class PdfStream {
  /**
   * @param dict      the stream dictionary
   * @param dataStart file offset of the first raw (encoded) data byte
   * @param dataEnd   file offset just past the last raw data byte
   * @param objNum    number of the indirect object holding the stream (informational)
   */
  constructor(
    readonly dict: PdfDict,
    readonly dataStart: number,
    readonly dataEnd: number,
    readonly objNum?: number,
  ) {}
}

export type PdfValue = null | boolean | number | PdfName | PdfString | PdfValue[] | PdfDict | PdfRef | PdfStream;

/** True when v is the name /`name` (or any name when `name` is omitted). */
export function isName(v: unknown, name?: string): v is PdfName {
  return v instanceof PdfName && (name === undefined || v.name === name);
}

export function isDict(v: unknown): v is PdfDict {
  return v instanceof PdfDict;
}

/** Dictionary of a dict or of a stream. */
export function dictOf(v: PdfValue | undefined): PdfDict | undefined {
  if (v instanceof PdfDict) return v;
  if (v instanceof PdfStream) return v.dict;
  return undefined;
}

/** Short human-readable rendering for warnings and debugging (bounded length). */
export function describeValue(v: PdfValue | undefined, budget = 200): string {
  const out: string[] = [];
  let left = budget;
  const put = (s: string) => {
    if (left <= 0) return;
    out.push(s.length > left ? s.slice(0, left) + '…' : s);
    left -= s.length;
  };
  const walk = (x: PdfValue | undefined, depth: number): void => {
    if (left <= 0) return;
    if (x === undefined) return put('undefined');
    if (x === null) return put('null');
    if (typeof x === 'boolean' || typeof x === 'number') return put(String(x));
    if (x instanceof PdfName || x instanceof PdfRef) return put(x.toString());
    if (x instanceof PdfString) return put(x.hex ? `<${x.bytes.toString('hex')}>` : `(${x.bytes.toString('latin1')})`);
    if (depth > 8) return put('…');
    if (Array.isArray(x)) {
      put('[');
      x.forEach((e, i) => {
        if (i) put(' ');
        walk(e, depth + 1);
      });
      return put(']');
    }
    const d = x instanceof PdfStream ? x.dict : x;
    put('<<');
    for (const [k, e] of d.map) {
      put(` /${k} `);
      walk(e, depth + 1);
    }
    put(' >>');
    if (x instanceof PdfStream) put(' stream');
  };
  walk(v, 0);
  return out.join('');
}
