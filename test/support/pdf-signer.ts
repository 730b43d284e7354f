/**
 * A PDF signer for test fixtures, written the way real signing tools (Adobe, PAdES signers) work:
 * each signature is ONE incremental update appended after the existing bytes (which are never rewritten),
 * holding a signature dictionary, a signature field that is also its widget annotation (with a small
 * appearance), the page rewritten with the widget added to /Annots, the catalog (or AcroForm object)
 * rewritten with /AcroForm << /Fields [...] /SigFlags 3 >>, and a classic xref section + trailer with /Prev.
 *
 * The CMS is a detached SignedData built with pkijs; the signature value is computed with node:crypto so
 * that RSA PKCS#1 v1.5, RSA-PSS and ECDSA with any of SHA-1/256/384/512 are exact and independent of the
 * hash a WebCrypto key was generated for. Fault-injection options produce deliberately broken signatures.
 *
 * Also exported: the small PDF reader/writer used here and by pdf-attacks.ts (classic xref tables only,
 * which is what pdfkit and this signer write). It is deliberately independent of mail-gateway/.
 */
import { createHash, KeyObject, sign as nodeSign, constants as cryptoConstants, type webcrypto } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { Identity } from './pki';

// ==========================================================================================================
// PDF values
// ==========================================================================================================

export class PdfName {
  constructor(readonly name: string) {}
}
export class PdfRef {
  constructor(
    readonly num: number,
    readonly gen = 0,
  ) {}
  toString(): string {
    return `${this.num} ${this.gen} R`;
  }
}
/** A string exactly as written, delimiters included: "(…)" or "<…>". */
export class PdfString {
  constructor(readonly raw: Buffer) {}
}
/** Emitted verbatim (for placeholders and hand-written fragments). */
export class PdfRaw {
  constructor(readonly text: string) {}
}
export class PdfDict {
  readonly map = new Map<string, PdfValue>();
  constructor(entries?: Record<string, PdfValue> | Map<string, PdfValue>) {
    if (entries instanceof Map) for (const [k, v] of entries) this.map.set(k, v);
    else if (entries) for (const [k, v] of Object.entries(entries)) this.map.set(k, v);
  }
  get(key: string): PdfValue | undefined {
    return this.map.get(key);
  }
  set(key: string, v: PdfValue): this {
    this.map.set(key, v);
    return this;
  }
  delete(key: string): void {
    this.map.delete(key);
  }
  has(key: string): boolean {
    return this.map.has(key);
  }
  clone(): PdfDict {
    return new PdfDict(this.map);
  }
}
export type PdfValue = null | boolean | number | PdfName | PdfRef | PdfString | PdfRaw | PdfDict | PdfValue[];

export const name = (n: string): PdfName => new PdfName(n);

/** A PDF text string: literal when printable ASCII, otherwise UTF-16BE hex with a BOM. */
export function textString(s: string): PdfString {
  if (/^[\x20-\x7e]*$/.test(s)) {
    return new PdfString(Buffer.from(`(${s.replace(/([\\()])/g, '\\$1')})`, 'latin1'));
  }
  const utf16 = Buffer.from(s, 'utf16le').swap16();
  return new PdfString(Buffer.from(`<FEFF${utf16.toString('hex').toUpperCase()}>`, 'latin1'));
}

export function serialize(v: PdfValue): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return String(v);
    return v.toFixed(6).replace(/0+$/, '').replace(/\.$/, '');
  }
  if (v instanceof PdfName) return `/${v.name}`;
  if (v instanceof PdfRef) return v.toString();
  if (v instanceof PdfString) return v.raw.toString('latin1');
  if (v instanceof PdfRaw) return v.text;
  if (Array.isArray(v)) return `[${v.map(serialize).join(' ')}]`;
  const parts: string[] = [];
  for (const [k, val] of v.map) parts.push(`/${k} ${serialize(val)}`);
  return `<< ${parts.join(' ')} >>`;
}

// ==========================================================================================================
// Lexer / parser (enough for pdfkit output and our own updates)
// ==========================================================================================================

const WS = new Set([0, 9, 10, 12, 13, 32]);
const DELIM = new Set([0x28, 0x29, 0x3c, 0x3e, 0x5b, 0x5d, 0x7b, 0x7d, 0x2f, 0x25]);

class Parser {
  constructor(
    readonly buf: Buffer,
    public pos: number,
  ) {}

  skipWs(): void {
    const b = this.buf;
    while (this.pos < b.length) {
      const c = b[this.pos]!;
      if (WS.has(c)) this.pos++;
      else if (c === 0x25) {
        while (this.pos < b.length && b[this.pos] !== 10 && b[this.pos] !== 13) this.pos++;
      } else break;
    }
  }

  word(): string {
    this.skipWs();
    const start = this.pos;
    while (this.pos < this.buf.length && !WS.has(this.buf[this.pos]!) && !DELIM.has(this.buf[this.pos]!)) this.pos++;
    return this.buf.toString('latin1', start, this.pos);
  }

  peekStr(s: string): boolean {
    return this.buf.toString('latin1', this.pos, this.pos + s.length) === s;
  }

  value(): PdfValue {
    this.skipWs();
    const b = this.buf;
    if (this.pos >= b.length) throw new Error('unexpected end of PDF');
    const c = b[this.pos]!;
    if (c === 0x2f) {
      this.pos++;
      const start = this.pos;
      while (this.pos < b.length && !WS.has(b[this.pos]!) && !DELIM.has(b[this.pos]!)) this.pos++;
      return new PdfName(b.toString('latin1', start, this.pos));
    }
    if (c === 0x3c && b[this.pos + 1] === 0x3c) {
      this.pos += 2;
      const d = new PdfDict();
      for (;;) {
        this.skipWs();
        if (b[this.pos] === 0x3e && b[this.pos + 1] === 0x3e) {
          this.pos += 2;
          return d;
        }
        const k = this.value();
        if (!(k instanceof PdfName)) throw new Error(`dictionary key is not a name at ${this.pos}`);
        d.set(k.name, this.value());
      }
    }
    if (c === 0x3c) {
      const end = b.indexOf(0x3e, this.pos);
      if (end < 0) throw new Error('unterminated hex string');
      const raw = b.subarray(this.pos, end + 1);
      this.pos = end + 1;
      return new PdfString(Buffer.from(raw));
    }
    if (c === 0x28) {
      const start = this.pos;
      let depth = 0;
      for (; this.pos < b.length; this.pos++) {
        const x = b[this.pos]!;
        if (x === 0x5c) this.pos++;
        else if (x === 0x28) depth++;
        else if (x === 0x29 && --depth === 0) break;
      }
      this.pos++;
      return new PdfString(Buffer.from(b.subarray(start, this.pos)));
    }
    if (c === 0x5b) {
      this.pos++;
      const arr: PdfValue[] = [];
      for (;;) {
        this.skipWs();
        if (b[this.pos] === 0x5d) {
          this.pos++;
          return arr;
        }
        arr.push(this.value());
      }
    }
    const w = this.word();
    if (w === 'true') return true;
    if (w === 'false') return false;
    if (w === 'null') return null;
    if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(w)) {
      const n = Number(w);
      if (/^\d+$/.test(w)) {
        const save = this.pos;
        const g = this.word();
        if (/^\d+$/.test(g)) {
          const r = this.word();
          if (r === 'R') return new PdfRef(n, Number(g));
        }
        this.pos = save;
      }
      return n;
    }
    throw new Error(`unexpected token '${w.slice(0, 20)}' at ${this.pos}`);
  }
}

export interface PdfObject {
  ref: PdfRef;
  offset: number;
  /** Offset just after "endobj" (or after the value when endobj is missing). */
  end: number;
  value: PdfValue;
  /** Raw stream bytes (still encoded) for stream objects. */
  stream?: Buffer;
  streamOffset?: number;
}

interface XrefEntry {
  offset: number;
  gen: number;
}

/** Read-only view over a PDF with classic xref tables (follows /Prev; newest entry wins). */
export class PdfFile {
  readonly xref = new Map<number, XrefEntry>();
  readonly trailer: PdfDict;
  readonly startxref: number;
  /** Offsets of every xref section, newest first. */
  readonly sections: number[] = [];

  constructor(readonly buf: Buffer) {
    const tail = buf.subarray(Math.max(0, buf.length - 2048)).toString('latin1');
    const i = tail.lastIndexOf('startxref');
    if (i < 0) throw new Error('no startxref');
    const m = /startxref\s+(\d+)/.exec(tail.slice(i));
    if (!m) throw new Error('bad startxref');
    this.startxref = Number(m[1]);
    let trailer: PdfDict | undefined;
    const seen = new Set<number>();
    for (let off: number | undefined = this.startxref; off !== undefined; ) {
      if (seen.has(off)) throw new Error('xref /Prev loop');
      seen.add(off);
      this.sections.push(off);
      const t = this.readXrefSection(off);
      trailer ??= t;
      const prev = t.get('Prev');
      off = typeof prev === 'number' ? prev : undefined;
    }
    this.trailer = trailer!;
  }

  private readXrefSection(off: number): PdfDict {
    const p = new Parser(this.buf, off);
    const kw = p.word();
    if (kw !== 'xref') throw new Error(`expected xref at ${off} (xref streams are not supported), got '${kw}'`);
    for (;;) {
      p.skipWs();
      if (p.peekStr('trailer')) {
        p.word();
        const t = p.value();
        if (!(t instanceof PdfDict)) throw new Error('bad trailer');
        return t;
      }
      const start = Number(p.word());
      const count = Number(p.word());
      if (!Number.isFinite(start) || !Number.isFinite(count)) throw new Error(`bad xref subsection at ${p.pos}`);
      for (let k = 0; k < count; k++) {
        const o = Number(p.word());
        const g = Number(p.word());
        const type = p.word();
        const num = start + k;
        if (type === 'n' && !this.xref.has(num)) this.xref.set(num, { offset: o, gen: g });
        if (type === 'f' && !this.xref.has(num)) this.xref.set(num, { offset: -1, gen: g });
      }
    }
  }

  get size(): number {
    const s = this.trailer.get('Size');
    return typeof s === 'number' ? s : Math.max(0, ...this.xref.keys()) + 1;
  }

  get rootRef(): PdfRef {
    const r = this.trailer.get('Root');
    if (!(r instanceof PdfRef)) throw new Error('trailer has no /Root');
    return r;
  }

  getObject(ref: PdfRef | number): PdfObject {
    const num = typeof ref === 'number' ? ref : ref.num;
    const e = this.xref.get(num);
    if (!e || e.offset < 0) throw new Error(`object ${num} not in xref`);
    return this.readObjectAt(e.offset);
  }

  readObjectAt(offset: number): PdfObject {
    const p = new Parser(this.buf, offset);
    const num = Number(p.word());
    const gen = Number(p.word());
    if (p.word() !== 'obj') throw new Error(`no object at ${offset}`);
    const value = p.value();
    p.skipWs();
    const obj: PdfObject = { ref: new PdfRef(num, gen), offset, end: p.pos, value };
    if (p.peekStr('stream') && value instanceof PdfDict) {
      p.pos += 6;
      if (this.buf[p.pos] === 13) p.pos++;
      if (this.buf[p.pos] === 10) p.pos++;
      const lenV = this.resolve(value.get('Length') ?? 0);
      let len = typeof lenV === 'number' ? lenV : -1;
      const es = this.buf.indexOf('endstream', p.pos, 'latin1');
      if (len < 0 || p.pos + len > this.buf.length) len = es - p.pos;
      obj.stream = this.buf.subarray(p.pos, p.pos + len);
      obj.streamOffset = p.pos;
      p.pos += len;
      p.skipWs();
      if (p.peekStr('endstream')) p.pos += 9;
      p.skipWs();
    }
    if (p.peekStr('endobj')) p.pos += 6;
    obj.end = p.pos;
    return obj;
  }

  resolve(v: PdfValue | undefined): PdfValue | undefined {
    const seen = new Set<number>();
    while (v instanceof PdfRef) {
      if (seen.has(v.num)) throw new Error('reference loop');
      seen.add(v.num);
      v = this.getObject(v).value;
    }
    return v;
  }

  dict(v: PdfValue | undefined): PdfDict | undefined {
    const d = this.resolve(v);
    return d instanceof PdfDict ? d : undefined;
  }

  get catalog(): PdfDict {
    const c = this.dict(this.rootRef);
    if (!c) throw new Error('catalog is not a dictionary');
    return c;
  }

  /** Page object references in document order. */
  pageRefs(): PdfRef[] {
    const out: PdfRef[] = [];
    const seen = new Set<number>();
    const walk = (ref: PdfValue | undefined) => {
      if (!(ref instanceof PdfRef) || seen.has(ref.num)) return;
      seen.add(ref.num);
      const d = this.dict(ref);
      if (!d) return;
      const type = d.get('Type');
      if (type instanceof PdfName && type.name === 'Page') {
        out.push(ref);
        return;
      }
      const kids = this.resolve(d.get('Kids'));
      if (Array.isArray(kids)) for (const k of kids) walk(k);
    };
    walk(this.catalog.get('Pages'));
    return out;
  }

  /** Decoded stream data (FlateDecode or no filter). */
  streamData(obj: PdfObject): Buffer {
    if (!obj.stream || !(obj.value instanceof PdfDict)) throw new Error('not a stream');
    const f = this.resolve(obj.value.get('Filter'));
    const filters = Array.isArray(f) ? f : f ? [f] : [];
    let data = obj.stream;
    for (const x of filters) {
      if (x instanceof PdfName && x.name === 'FlateDecode') data = inflateSync(data);
      else throw new Error(`unsupported filter ${serialize(x as PdfValue)}`);
    }
    return data;
  }

  /** All AcroForm field references (top level /Fields, following /Kids). */
  fieldRefs(): PdfRef[] {
    const acro = this.dict(this.catalog.get('AcroForm'));
    const fields = acro ? this.resolve(acro.get('Fields')) : undefined;
    const out: PdfRef[] = [];
    const seen = new Set<number>();
    const walk = (v: PdfValue) => {
      if (!(v instanceof PdfRef) || seen.has(v.num)) return;
      seen.add(v.num);
      out.push(v);
      const d = this.dict(v);
      const kids = d ? this.resolve(d.get('Kids')) : undefined;
      if (Array.isArray(kids)) kids.forEach(walk);
    };
    if (Array.isArray(fields)) fields.forEach(walk);
    return out;
  }
}

// ==========================================================================================================
// Incremental update writer
// ==========================================================================================================

export interface NewObject {
  num: number;
  gen?: number;
  /** Dictionary or any value; for a stream this must be a PdfDict (its /Length is set here). */
  value: PdfValue;
  stream?: Buffer;
}

export interface UpdateResult {
  pdf: Buffer;
  /** Offset of each written object ("n g obj"). */
  offsets: Map<number, number>;
  xrefOffset: number;
}

export function encodeObject(o: NewObject): Buffer {
  const head = `${o.num} ${o.gen ?? 0} obj\n`;
  if (o.stream) {
    if (!(o.value instanceof PdfDict)) throw new Error('stream object needs a dictionary');
    const d = o.value.clone().set('Length', o.stream.length);
    return Buffer.concat([
      Buffer.from(`${head}${serialize(d)}\nstream\n`, 'latin1'),
      o.stream,
      Buffer.from('\nendstream\nendobj\n', 'latin1'),
    ]);
  }
  return Buffer.from(`${head}${serialize(o.value)}\nendobj\n`, 'latin1');
}

/** Classic xref section for the given object offsets (entries exactly 20 bytes). */
export function xrefSection(offsets: Map<number, number>, gens = new Map<number, number>()): string {
  const nums = [...offsets.keys()].sort((a, b) => a - b);
  let out = 'xref\n';
  for (let i = 0; i < nums.length; ) {
    let j = i;
    while (j + 1 < nums.length && nums[j + 1] === nums[j]! + 1) j++;
    out += `${nums[i]} ${j - i + 1}\n`;
    for (let k = i; k <= j; k++) {
      const n = nums[k]!;
      out += `${String(offsets.get(n)).padStart(10, '0')} ${String(gens.get(n) ?? 0).padStart(5, '0')} n \n`;
    }
    i = j + 1;
  }
  return out;
}

/**
 * Append one incremental update (objects + xref + trailer with /Prev) to `pdf`; earlier bytes are untouched.
 * `between` is inserted raw between the objects and the xref (used by attacks); `trailerExtra` overrides keys.
 */
export function appendIncrementalUpdate(
  pdf: Buffer,
  objects: NewObject[],
  opts: { trailerExtra?: Record<string, PdfValue>; file?: PdfFile } = {},
): UpdateResult {
  const file = opts.file ?? new PdfFile(pdf);
  const parts: Buffer[] = [pdf];
  let pos = pdf.length;
  const last = pdf[pdf.length - 1];
  if (last !== 10 && last !== 13) {
    parts.push(Buffer.from('\n'));
    pos++;
  }
  const offsets = new Map<number, number>();
  const gens = new Map<number, number>();
  for (const o of objects) {
    const b = encodeObject(o);
    offsets.set(o.num, pos);
    gens.set(o.num, o.gen ?? 0);
    parts.push(b);
    pos += b.length;
  }
  const xrefOffset = pos;
  const trailer = new PdfDict();
  for (const [k, v] of file.trailer.map) if (k !== 'Prev' && k !== 'XRefStm') trailer.set(k, v);
  const maxNum = Math.max(0, ...objects.map((o) => o.num));
  trailer.set('Size', Math.max(file.size, maxNum + 1));
  trailer.set('Prev', file.startxref);
  for (const [k, v] of Object.entries(opts.trailerExtra ?? {})) trailer.set(k, v);
  const tail = `${xrefSection(offsets, gens)}trailer\n${serialize(trailer)}\nstartxref\n${xrefOffset}\n%%EOF\n`;
  parts.push(Buffer.from(tail, 'latin1'));
  return { pdf: Buffer.concat(parts), offsets, xrefOffset };
}

// ==========================================================================================================
// Signature dictionaries in an existing file
// ==========================================================================================================

export interface FoundSignature {
  fieldName: string | null;
  fieldRef: PdfRef | null;
  sigRef: PdfRef;
  /** Span of the signature dictionary object in the file. */
  objOffset: number;
  objEnd: number;
  byteRange: number[] | null;
  /** Span of "[ … ]" after /ByteRange. */
  byteRangeSpan: [number, number] | null;
  /** Index of '<' and index just after '>' of the /Contents hex string. */
  contentsStart: number;
  contentsEnd: number;
  /** DER bytes of /Contents with trailing zero padding removed (by DER length when parseable). */
  cms: Buffer;
}

/** Signature dictionaries reachable from AcroForm fields (/FT /Sig with /V), in file order. */
export function findSignatures(pdf: Buffer): FoundSignature[] {
  const file = new PdfFile(pdf);
  const out: FoundSignature[] = [];
  for (const fref of file.fieldRefs()) {
    const f = file.dict(fref);
    if (!f) continue;
    const ft = f.get('FT');
    const v = f.get('V');
    if (!(ft instanceof PdfName) || ft.name !== 'Sig' || !(v instanceof PdfRef)) continue;
    const obj = file.getObject(v);
    const text = pdf.toString('latin1', obj.offset, obj.end);
    const br = /\/ByteRange\s*(\[[^\]]*\])/.exec(text);
    const ct = /\/Contents\s*(<[0-9A-Fa-f\s]*>)/.exec(text);
    if (!ct) continue;
    const contentsStart = obj.offset + ct.index + ct[0].length - ct[1]!.length;
    const contentsEnd = contentsStart + ct[1]!.length;
    const hex = ct[1]!.slice(1, -1).replace(/\s+/g, '');
    const t = f.get('T');
    out.push({
      fieldName: t instanceof PdfString ? decodePdfString(t) : null,
      fieldRef: fref,
      sigRef: v,
      objOffset: obj.offset,
      objEnd: obj.end,
      byteRange: br ? (br[1]!.slice(1, -1).trim().split(/\s+/).filter(Boolean).map(Number)) : null,
      byteRangeSpan: br
        ? [obj.offset + br.index + br[0].length - br[1]!.length, obj.offset + br.index + br[0].length]
        : null,
      contentsStart,
      contentsEnd,
      cms: trimDer(Buffer.from(hex.length % 2 ? hex + '0' : hex, 'hex')),
    });
  }
  return out.sort((a, b) => a.objOffset - b.objOffset);
}

/** Strip zero padding after a DER SEQUENCE, using its length header. */
export function trimDer(b: Buffer): Buffer {
  if (b.length < 2 || b[0] !== 0x30) return b;
  let len = b[1]!;
  let hdr = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n < 1 || n > 4 || b.length < 2 + n) return b;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[2 + i]!;
    hdr = 2 + n;
  }
  return hdr + len <= b.length ? b.subarray(0, hdr + len) : b;
}

export function decodePdfString(s: PdfString): string {
  const raw = s.raw.toString('latin1');
  let bytes: Buffer;
  if (raw.startsWith('<')) bytes = Buffer.from(raw.slice(1, -1).replace(/\s+/g, ''), 'hex');
  else {
    const inner = raw.slice(1, -1);
    const out: number[] = [];
    for (let i = 0; i < inner.length; i++) {
      const c = inner[i]!;
      if (c !== '\\') {
        out.push(c.charCodeAt(0));
        continue;
      }
      const n = inner[++i]!;
      const map: Record<string, number> = { n: 10, r: 13, t: 9, b: 8, f: 12, '(': 40, ')': 41, '\\': 92 };
      if (n in map) out.push(map[n]!);
      else if (/[0-7]/.test(n)) {
        let oct = n;
        while (oct.length < 3 && /[0-7]/.test(inner[i + 1] ?? '')) oct += inner[++i];
        out.push(parseInt(oct, 8) & 0xff);
      }
    }
    bytes = Buffer.from(out);
  }
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return Buffer.from(bytes.subarray(2)).swap16().toString('utf16le');
  return bytes.toString('latin1');
}

// ==========================================================================================================
// CMS (detached SignedData)
// ==========================================================================================================

export type DigestName = 'SHA-256' | 'SHA-384' | 'SHA-512' | 'SHA-1';

export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsaPss: '1.2.840.113549.1.1.10',
  mgf1: '1.2.840.113549.1.1.8',
  md2: '1.2.840.113549.2.2',
  digest: {
    'SHA-1': '1.3.14.3.2.26',
    'SHA-256': '2.16.840.1.101.3.4.2.1',
    'SHA-384': '2.16.840.1.101.3.4.2.2',
    'SHA-512': '2.16.840.1.101.3.4.2.3',
  } as Record<DigestName, string>,
  rsaWith: {
    'SHA-1': '1.2.840.113549.1.1.5',
    'SHA-256': '1.2.840.113549.1.1.11',
    'SHA-384': '1.2.840.113549.1.1.12',
    'SHA-512': '1.2.840.113549.1.1.13',
  } as Record<DigestName, string>,
  ecdsaWith: {
    'SHA-1': '1.2.840.10045.4.1',
    'SHA-256': '1.2.840.10045.4.3.2',
    'SHA-384': '1.2.840.10045.4.3.3',
    'SHA-512': '1.2.840.10045.4.3.4',
  } as Record<DigestName, string>,
};

export const nodeHash = (d: DigestName): string => d.replace('-', '').toLowerCase();
const hashLen: Record<DigestName, number> = { 'SHA-1': 20, 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 };

export interface CmsOptions {
  digest?: DigestName;
  /** signingTime attribute value (default now). */
  signingTime?: Date;
  omitSigningTime?: boolean;
  /** Add ESS signing-certificate-v2 (always on for the CAdES subfilter). */
  signingCertificateV2?: boolean;
  /** Embed signer + chainDer (default true); when false only the signer certificate is embedded. */
  includeChain?: boolean;
  /** Further certificates to embed (e.g. an attacker's own root). */
  extraCerts?: Buffer[];
  /** For RSA PKCS#1 v1.5 keys: declare rsaEncryption (as Adobe does) instead of shaNNNWithRSAEncryption. */
  rsaSignatureOid?: 'sha-with-rsa' | 'rsaEncryption';
  /** Force RSA-PSS for an RSA key (default: PSS only for keys generated as RSA-PSS). */
  pss?: boolean;
  // --- fault injection ---
  /** Flip a byte of the signature value after signing (digest still matches, signature does not verify). */
  corruptSignatureValue?: boolean;
  /** Declare this digest algorithm OID (e.g. MD2 1.2.840.113549.2.2) instead of the one actually used. */
  digestAlgorithmOid?: string;
  /** Declare this signature algorithm OID instead of the real one. */
  signatureAlgorithmOid?: string;
  /** Put a wrong messageDigest in the signed attributes (then sign them correctly). */
  tamperMessageDigest?: boolean;
}

function algId(oid: string, params?: asn1js.AsnType | 'null'): pkijs.AlgorithmIdentifier {
  return new pkijs.AlgorithmIdentifier({
    algorithmId: oid,
    ...(params === undefined ? {} : { algorithmParams: params === 'null' ? new asn1js.Null() : params }),
  });
}

function toAb(b: Buffer | Uint8Array): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

/** Build a detached CMS SignedData (DER) over `contentDigest` (the digest of the signed byte ranges). */
export async function buildCms(contentDigest: Buffer, signer: Identity, opts: CmsOptions = {}): Promise<Buffer> {
  const digest: DigestName = opts.digest ?? 'SHA-256';
  const cert = pkijs.Certificate.fromBER(toAb(signer.certDer));
  const keyAlg = (signer.keys.privateKey as webcrypto.CryptoKey).algorithm.name;
  const kind: 'rsa' | 'pss' | 'ec' = keyAlg === 'ECDSA' ? 'ec' : keyAlg === 'RSA-PSS' || opts.pss ? 'pss' : 'rsa';

  const md = Buffer.from(contentDigest);
  if (opts.tamperMessageDigest) md[0] ^= 0xff;

  const attrs: pkijs.Attribute[] = [
    new pkijs.Attribute({ type: OID.contentType, values: [new asn1js.ObjectIdentifier({ value: OID.data })] }),
    new pkijs.Attribute({ type: OID.messageDigest, values: [new asn1js.OctetString({ valueHex: toAb(md) })] }),
  ];
  if (!opts.omitSigningTime) {
    const when = opts.signingTime ?? new Date();
    const year = when.getUTCFullYear();
    const time =
      year >= 1950 && year < 2050 ? new asn1js.UTCTime({ valueDate: when }) : new asn1js.GeneralizedTime({ valueDate: when });
    attrs.push(new pkijs.Attribute({ type: OID.signingTime, values: [time] }));
  }
  if (opts.signingCertificateV2) {
    const certHash = createHash('sha256').update(signer.certDer).digest();
    const essCertIdV2 = new asn1js.Sequence({
      value: [
        // hashAlgorithm omitted: DEFAULT id-sha256
        new asn1js.OctetString({ valueHex: toAb(certHash) }),
        new asn1js.Sequence({
          value: [
            new asn1js.Sequence({
              value: [new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 4 }, value: [cert.issuer.toSchema()] })],
            }),
            new asn1js.Integer({ valueHex: cert.serialNumber.valueBlock.valueHexView.slice().buffer }),
          ],
        }),
      ],
    });
    attrs.push(
      new pkijs.Attribute({
        type: OID.signingCertificateV2,
        values: [new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [essCertIdV2] })] })],
      }),
    );
  }
  // DER: SET OF is sorted by encoding.
  const sorted = attrs
    .map((a) => ({ a, der: Buffer.from(a.toSchema().toBER()) }))
    .sort((x, y) => Buffer.compare(x.der, y.der))
    .map((x) => x.a);
  const signedAttrs = new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes: sorted });
  const toSign = Buffer.from(signedAttrs.toSchema().toBER());
  toSign[0] = 0x31; // [0] IMPLICIT -> SET for the signature input

  // --- signature value ---
  const key = KeyObject.from(signer.keys.privateKey as webcrypto.CryptoKey);
  let signature: Buffer;
  let sigAlg: pkijs.AlgorithmIdentifier;
  const hashOid = OID.digest[digest];
  if (kind === 'ec') {
    signature = nodeSign(nodeHash(digest), toSign, { key, dsaEncoding: 'der' });
    sigAlg = algId(OID.ecdsaWith[digest]);
  } else if (kind === 'pss') {
    const saltLength = hashLen[digest];
    signature = nodeSign(nodeHash(digest), toSign, { key, padding: cryptoConstants.RSA_PKCS1_PSS_PADDING, saltLength });
    const params =
      digest === 'SHA-1'
        ? new pkijs.RSASSAPSSParams({})
        : new pkijs.RSASSAPSSParams({
            hashAlgorithm: algId(hashOid, 'null'),
            maskGenAlgorithm: algId(OID.mgf1, algId(hashOid, 'null').toSchema()),
            saltLength,
          });
    sigAlg = algId(OID.rsaPss, params.toSchema());
  } else {
    signature = nodeSign(nodeHash(digest), toSign, { key, padding: cryptoConstants.RSA_PKCS1_PADDING });
    sigAlg = algId(opts.rsaSignatureOid === 'rsaEncryption' ? OID.rsaEncryption : OID.rsaWith[digest], 'null');
  }
  if (opts.corruptSignatureValue) {
    // For ECDSA stay inside the INTEGER s (last bytes), so the DER structure is still well formed.
    const i = kind === 'ec' ? signature.length - 3 : signature.length >> 1;
    signature[i] ^= 0x01;
  }
  if (opts.signatureAlgorithmOid) sigAlg = algId(opts.signatureAlgorithmOid, 'null');
  const declaredDigestOid = opts.digestAlgorithmOid ?? hashOid;

  const signerInfo = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }),
    digestAlgorithm: algId(declaredDigestOid, 'null'),
    signedAttrs,
    signatureAlgorithm: sigAlg,
    signature: new asn1js.OctetString({ valueHex: toAb(signature) }),
  });
  const certs = [signer.certDer, ...(opts.includeChain === false ? [] : signer.chainDer), ...(opts.extraCerts ?? [])];
  const signedData = new pkijs.SignedData({
    version: 1,
    digestAlgorithms: [algId(declaredDigestOid, 'null')],
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.data }),
    certificates: certs.map((d) => pkijs.Certificate.fromBER(toAb(d))),
    signerInfos: [signerInfo],
  });
  const ci = new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) });
  return Buffer.from(ci.toSchema().toBER());
}

// ==========================================================================================================
// Signing
// ==========================================================================================================

export type SubFilter = 'adbe.pkcs7.detached' | 'ETSI.CAdES.detached';

export interface PlaceholderOptions {
  /** Field name /T (default "Signature<n>", unique). */
  fieldName?: string;
  reason?: string;
  location?: string;
  contactInfo?: string;
  /** /Name in the signature dictionary (default: signer CN when a signer is known). */
  signerName?: string;
  subFilter?: SubFilter;
  /** Bytes of DER the /Contents placeholder can hold (default 16384; hex string is twice as long). */
  contentsSize?: number;
  /** Signing time for /M (default now). */
  signingTime?: Date;
  /** 0-based page index for the widget (default: last page, where the signer block is). */
  page?: number;
  /** Widget rectangle [x1 y1 x2 y2] in points (default: the signer block, seal overlapping it on the left). */
  rect?: [number, number, number, number];
  /** Invisible signature (zero rectangle, no appearance). */
  invisible?: boolean;
  /** Appearance colour: 'blue' for a person, 'red' for a seal (default: red when CN == O). */
  color?: 'blue' | 'red';
  /** Organisation name shown in the appearance. */
  organization?: string;
}

export interface SignOptions extends PlaceholderOptions, CmsOptions {}

export interface PreparedSignature {
  /** The PDF with the update appended; /Contents is zeros, /ByteRange already final. */
  pdf: Buffer;
  byteRange: [number, number, number, number];
  /** Index of '<' and just after '>' of the /Contents hex string. */
  contentsStart: number;
  contentsEnd: number;
  fieldName: string;
  sigObjNum: number;
}

const BYTE_RANGE_PLACEHOLDER = '[0 0000000000 0000000000 0000000000]';

/** D:YYYYMMDDHHmmSS+07'00' (Việt Nam time). */
export function pdfDate(d: Date): string {
  const v = new Date(d.getTime() + 7 * 3600_000).toISOString();
  return `D:${v.slice(0, 4)}${v.slice(5, 7)}${v.slice(8, 10)}${v.slice(11, 13)}${v.slice(14, 16)}${v.slice(17, 19)}+07'00'`;
}

/** ASCII transliteration for the Helvetica appearance (Vietnamese diacritics removed, đ -> d). */
export function asciiFold(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .replace(/[^\x20-\x7e]/g, '?');
}

function literal(s: string): string {
  return `(${s.replace(/([\\()])/g, '\\$1')})`;
}

function appearanceStream(
  w: number,
  h: number,
  lines: string[],
  color: 'blue' | 'red',
): Buffer {
  const rgb = color === 'red' ? '0.8 0 0' : '0 0 0.65';
  // Word-wrap with a rough Helvetica width (0.52 em per character) and shrink until it fits.
  let size = 8;
  let wrapped: string[] = [];
  for (; size >= 4; size -= 0.5) {
    const maxChars = Math.max(8, Math.floor((w - 8) / (0.52 * size)));
    wrapped = [];
    for (const l of lines.map(asciiFold)) {
      let cur = '';
      for (const word of l.split(' ')) {
        if (cur && (cur + ' ' + word).length > maxChars) {
          wrapped.push(cur);
          cur = word;
        } else cur = cur ? `${cur} ${word}` : word;
      }
      wrapped.push(cur);
    }
    if (wrapped.length * size * 1.25 <= h - 8) break;
  }
  let s = `q ${rgb} RG 0.8 w 1 1 ${(w - 2).toFixed(2)} ${(h - 2).toFixed(2)} re S Q\n`;
  s += `BT ${rgb} rg /Helv ${size.toFixed(2)} Tf 4 ${(h - 4 - size).toFixed(2)} Td ${(size * 1.25).toFixed(2)} TL\n`;
  for (const l of wrapped) s += `${literal(l)} Tj T*\n`;
  s += 'ET\n';
  return Buffer.from(s, 'latin1');
}

function certField(signer: Identity | undefined, field: 'CN' | 'O'): string | undefined {
  if (!signer) return undefined;
  return signer.cert.subjectName.getField(field)[0];
}

/**
 * Append the signature update with a zero-filled /Contents placeholder and the final /ByteRange.
 * The caller computes the digest over `byteRange` and fills /Contents with fillSignatureContents().
 */
export function preparePdfSignature(pdf: Buffer, opts: PlaceholderOptions = {}, signer?: Identity): PreparedSignature {
  const file = new PdfFile(pdf);
  const pages = file.pageRefs();
  if (!pages.length) throw new Error('PDF has no pages');
  const pageIndex = opts.page ?? pages.length - 1;
  const pageRef = pages[pageIndex];
  if (!pageRef) throw new Error(`no page ${pageIndex}`);
  const catalog = file.catalog.clone();

  // Existing form fields and signature count.
  const acroRaw = catalog.get('AcroForm');
  const acro = file.dict(acroRaw)?.clone() ?? new PdfDict();
  const fieldsV = file.resolve(acro.get('Fields'));
  const fields: PdfValue[] = Array.isArray(fieldsV) ? [...fieldsV] : [];
  const allFields = file.fieldRefs();
  const names = new Set<string>();
  let sigCount = 0;
  for (const r of allFields) {
    const d = file.dict(r);
    const t = d?.get('T');
    if (t instanceof PdfString) names.add(decodePdfString(t));
    const ft = d?.get('FT');
    if (ft instanceof PdfName && ft.name === 'Sig') sigCount++;
  }
  let fieldName = opts.fieldName;
  if (!fieldName) {
    let n = sigCount + 1;
    while (names.has(`Signature${n}`)) n++;
    fieldName = `Signature${n}`;
  }

  let next = file.size;
  const sigNum = next++;
  const fieldNum = next++;
  const apNum = opts.invisible ? 0 : next++;
  const fontNum = opts.invisible ? 0 : next++;

  const when = opts.signingTime ?? new Date();
  const cn = opts.signerName ?? certField(signer, 'CN');
  const org = opts.organization ?? certField(signer, 'O');
  const isSeal = cn !== undefined && cn === certField(signer, 'O');
  const contentsSize = opts.contentsSize ?? 16384;
  const subFilter = opts.subFilter ?? 'adbe.pkcs7.detached';

  // Signature dictionary, written by hand so that the placeholders have fixed widths.
  let sigText =
    `<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /${subFilter} /ByteRange ${BYTE_RANGE_PLACEHOLDER}\n` +
    `/Contents <${'0'.repeat(contentsSize * 2)}>\n/M (${pdfDate(when)})`;
  if (cn) sigText += ` /Name ${serialize(textString(cn))}`;
  if (opts.reason ?? true) sigText += ` /Reason ${serialize(textString(opts.reason ?? (isSeal ? 'Phát hành văn bản' : 'Ký duyệt văn bản')))}`;
  if (opts.location ?? true) sigText += ` /Location ${serialize(textString(opts.location ?? 'Bình Thuận'))}`;
  if (opts.contactInfo) sigText += ` /ContactInfo ${serialize(textString(opts.contactInfo))}`;
  sigText += ' >>';

  const rect =
    opts.invisible
      ? [0, 0, 0, 0]
      : opts.rect ?? (isSeal ? [292 - 12 * Math.max(0, sigCount - 1), 262, 394, 354] : [365, 288, 545, 350]);
  const field = new PdfDict({
    Type: name('Annot'),
    Subtype: name('Widget'),
    FT: name('Sig'),
    T: textString(fieldName),
    V: new PdfRef(sigNum),
    Rect: rect,
    F: 132,
    P: pageRef,
  });
  const objects: NewObject[] = [{ num: sigNum, value: new PdfRaw(sigText) }, { num: fieldNum, value: field }];
  if (!opts.invisible) {
    const w = rect[2]! - rect[0]!;
    const h = rect[3]! - rect[1]!;
    const v = new Date(when.getTime() + 7 * 3600_000).toISOString();
    const lines = [
      `Ky boi: ${cn ?? 'Khong ro'}`,
      ...(org && !isSeal ? [`Co quan: ${org}`] : []),
      `Ngay ky: ${v.slice(8, 10)}-${v.slice(5, 7)}-${v.slice(0, 4)} ${v.slice(11, 19)} +07:00`,
    ];
    const color = opts.color ?? (isSeal ? 'red' : 'blue');
    field.set('AP', new PdfDict({ N: new PdfRef(apNum) }));
    objects.push({
      num: apNum,
      value: new PdfDict({
        Type: name('XObject'),
        Subtype: name('Form'),
        BBox: [0, 0, w, h],
        Resources: new PdfDict({ Font: new PdfDict({ Helv: new PdfRef(fontNum) }) }),
      }),
      stream: appearanceStream(w, h, lines, color),
    });
    objects.push({
      num: fontNum,
      value: new PdfDict({
        Type: name('Font'),
        Subtype: name('Type1'),
        BaseFont: name('Helvetica'),
        Encoding: name('WinAnsiEncoding'),
      }),
    });
  }

  // Page: append the widget to /Annots.
  const page = file.dict(pageRef)!.clone();
  const annotsV = file.resolve(page.get('Annots'));
  page.set('Annots', [...(Array.isArray(annotsV) ? annotsV : []), new PdfRef(fieldNum)]);
  objects.push({ num: pageRef.num, gen: pageRef.gen, value: page });

  // AcroForm: inline in the catalog, or its own object when it already is one.
  fields.push(new PdfRef(fieldNum));
  acro.set('Fields', fields);
  acro.set('SigFlags', 3);
  if (acroRaw instanceof PdfRef) {
    objects.push({ num: acroRaw.num, gen: acroRaw.gen, value: acro });
  } else {
    catalog.set('AcroForm', acro);
    objects.push({ num: file.rootRef.num, gen: file.rootRef.gen, value: catalog });
  }

  const upd = appendIncrementalUpdate(pdf, objects, { file });
  const out = upd.pdf;
  const sigOff = upd.offsets.get(sigNum)!;
  const brPos = out.indexOf(BYTE_RANGE_PLACEHOLDER, sigOff, 'latin1');
  const contentsStart = out.indexOf('/Contents <', sigOff, 'latin1') + '/Contents '.length;
  const contentsEnd = contentsStart + contentsSize * 2 + 2;
  if (brPos < 0 || out[contentsStart] !== 0x3c || out[contentsEnd - 1] !== 0x3e) throw new Error('placeholder not found');
  const byteRange: [number, number, number, number] = [0, contentsStart, contentsEnd, out.length - contentsEnd];
  const brText = `[${byteRange.join(' ')}`;
  if (brText.length + 1 > BYTE_RANGE_PLACEHOLDER.length) throw new Error('file too large for the ByteRange placeholder');
  out.write(brText.padEnd(BYTE_RANGE_PLACEHOLDER.length - 1, ' ') + ']', brPos, 'latin1');
  return { pdf: out, byteRange, contentsStart, contentsEnd, fieldName, sigObjNum: sigNum };
}

/** Digest of the bytes covered by a byte range [a0 l0 a1 l1 …]. */
export function digestByteRange(pdf: Buffer, byteRange: readonly number[], digest: DigestName = 'SHA-256'): Buffer {
  const h = createHash(nodeHash(digest));
  for (let i = 0; i + 1 < byteRange.length; i += 2) h.update(pdf.subarray(byteRange[i]!, byteRange[i]! + byteRange[i + 1]!));
  return h.digest();
}

/** Write `der` (hex, zero padded) into the /Contents placeholder, in place on a copy. */
export function fillSignatureContents(p: Pick<PreparedSignature, 'pdf' | 'contentsStart' | 'contentsEnd'>, der: Buffer): Buffer {
  const capacity = p.contentsEnd - p.contentsStart - 2;
  const hex = der.toString('hex').toUpperCase();
  if (hex.length > capacity) throw new Error(`signature needs ${hex.length / 2} bytes, placeholder holds ${capacity / 2}`);
  const out = Buffer.from(p.pdf);
  out.write(hex.padEnd(capacity, '0'), p.contentsStart + 1, 'latin1');
  return out;
}

/** Sign `pdf` with one incremental update (see module comment). */
export async function signPdf(pdf: Buffer, signer: Identity, opts: SignOptions = {}): Promise<Buffer> {
  const signingTime = opts.signingTime ?? new Date();
  const subFilter = opts.subFilter ?? 'adbe.pkcs7.detached';
  const prepared = preparePdfSignature(pdf, { ...opts, signingTime, subFilter }, signer);
  const digest = digestByteRange(prepared.pdf, prepared.byteRange, opts.digest ?? 'SHA-256');
  const der = await buildCms(digest, signer, {
    ...opts,
    signingTime,
    signingCertificateV2: opts.signingCertificateV2 ?? subFilter === 'ETSI.CAdES.detached',
  });
  return fillSignatureContents(prepared, der);
}
