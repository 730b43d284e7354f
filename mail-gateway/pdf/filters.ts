/**
 * Stream filters (ISO 32000-1 §7.4): FlateDecode (with PNG/TIFF predictors),
 * LZWDecode, ASCIIHexDecode, ASCII85Decode, RunLengthDecode, Crypt /Identity.
 *
 * Every stage is capped at `limit` output bytes: a deflate bomb stops after at
 * most `limit` bytes of work (zlib's maxOutputLength), never inflating further.
 */
import * as zlib from 'node:zlib';
import { malformed, PdfLimitError } from './errors';
import { hexValue, isWhite } from './lexer';
import { PdfDict, PdfName } from './objects';

export interface FilterStep {
  name: string;
  /** resolved /DecodeParms for this step (or undefined) */
  parms: PdfDict | undefined;
}

const ALIASES: Record<string, string> = {
  Fl: 'FlateDecode',
  LZW: 'LZWDecode',
  AHx: 'ASCIIHexDecode',
  A85: 'ASCII85Decode',
  RL: 'RunLengthDecode',
  CCF: 'CCITTFaxDecode',
  DCT: 'DCTDecode',
};

export function canonicalFilterName(name: string): string {
  return ALIASES[name] ?? name;
}

/** Thrown when a stage would produce more than the limit; `limit` is the cap that was hit. */
export class DecodeLimitExceeded extends PdfLimitError {
  constructor(readonly limit: number) {
    super(`decoded data exceeds ${limit} bytes`);
  }
}

/**
 * Applies one filter with its output capped at `limit` bytes.
 * Throws DecodeLimitExceeded when it would exceed the cap, PdfParseError(MALFORMED_PDF) for
 * unsupported filters or undecodable data.
 */
export function applyFilter(data: Buffer, step: FilterStep, limit: number, warn?: (m: string) => void): Buffer {
  const name = canonicalFilterName(step.name);
  let out: Buffer;
  switch (name) {
    case 'FlateDecode':
      out = predict(inflate(data, limit, warn), step.parms, limit);
      break;
    case 'LZWDecode': {
      const early = step.parms?.getNumber('EarlyChange');
      out = predict(lzwDecode(data, limit, early === undefined ? 1 : early), step.parms, limit);
      break;
    }
    case 'ASCIIHexDecode':
      out = asciiHexDecode(data);
      break;
    case 'ASCII85Decode':
      out = ascii85Decode(data, limit);
      break;
    case 'RunLengthDecode':
      out = runLengthDecode(data, limit);
      break;
    case 'Crypt': {
      const n = step.parms?.get('Name');
      if (n === undefined || (n instanceof PdfName && n.name === 'Identity')) {
        out = data;
        break;
      }
      throw malformed(`unsupported crypt filter ${n instanceof PdfName ? '/' + n.name : ''}`);
    }
    default:
      throw malformed(`unsupported filter /${name}`);
  }
  if (out.length > limit) throw new DecodeLimitExceeded(limit);
  return out;
}

/** Applies a whole chain, each stage capped at `limit`. */
export function applyFilters(data: Buffer, steps: FilterStep[], limit: number, warn?: (m: string) => void): Buffer {
  let out = data;
  for (const step of steps) out = applyFilter(out, step, limit, warn);
  return out;
}

function isBufferTooLarge(e: unknown): boolean {
  return e instanceof RangeError || (e as { code?: string } | null)?.code === 'ERR_BUFFER_TOO_LARGE';
}

export function inflate(data: Buffer, limit: number, warn?: (m: string) => void): Buffer {
  const opts: zlib.ZlibOptions = {
    finishFlush: zlib.constants.Z_SYNC_FLUSH, // truncated streams give what they have
    maxOutputLength: Math.max(1, Math.min(limit, 0x7fffffff)),
  };
  if (data.length === 0) return Buffer.alloc(0);
  try {
    return zlib.inflateSync(data, opts);
  } catch (e) {
    if (isBufferTooLarge(e)) throw new DecodeLimitExceeded(limit);
    // bad zlib header or Adler-32 checksum: retry as raw deflate
    try {
      const raw = zlib.inflateRawSync(data.length > 2 && (data[0] & 0x0f) === 8 ? data.subarray(2) : data, opts);
      warn?.(`FlateDecode: ${(e as Error).message}; recovered ${raw.length} bytes as raw deflate`);
      return raw;
    } catch (e2) {
      if (isBufferTooLarge(e2)) throw new DecodeLimitExceeded(limit);
      throw malformed(`FlateDecode: ${(e as Error).message}`);
    }
  }
}

/** PNG (10–15) and TIFF (2) predictors. */
export function predict(data: Buffer, parms: PdfDict | undefined, limit: number): Buffer {
  if (!parms) return data;
  const predictor = parms.getNumber('Predictor') ?? 1;
  if (predictor < 2) return data;
  const colors = clampInt(parms.getNumber('Colors') ?? 1, 1, 64);
  const bpc = clampInt(parms.getNumber('BitsPerComponent') ?? 8, 1, 16);
  const columns = clampInt(parms.getNumber('Columns') ?? 1, 1, 1 << 24);
  const rowBytes = Math.ceil((colors * bpc * columns) / 8);
  const bpp = Math.max(1, Math.ceil((colors * bpc) / 8));
  if (predictor === 2) return tiffPredict(data, rowBytes, colors, bpc);
  if (predictor < 10 || predictor > 15) throw malformed(`unsupported predictor ${predictor}`);
  const rows = Math.ceil(data.length / (rowBytes + 1));
  if (rows * rowBytes > limit) throw new DecodeLimitExceeded(limit);
  const out = Buffer.alloc(rows * rowBytes);
  let prev = Buffer.alloc(rowBytes);
  let o = 0;
  for (let p = 0; p < data.length; p += rowBytes + 1) {
    const type = data[p];
    const row = out.subarray(o, o + rowBytes);
    const n = Math.min(rowBytes, data.length - p - 1);
    for (let i = 0; i < n; i++) {
      const x = data[p + 1 + i];
      const a = i >= bpp ? row[i - bpp] : 0;
      const b = prev[i];
      let v: number;
      switch (type) {
        case 0: v = x; break;
        case 1: v = x + a; break;
        case 2: v = x + b; break;
        case 3: v = x + ((a + b) >> 1); break;
        case 4: {
          const c = i >= bpp ? prev[i - bpp] : 0;
          const pa = Math.abs(b - c);
          const pb = Math.abs(a - c);
          const pc = Math.abs(a + b - 2 * c);
          v = x + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
          break;
        }
        default:
          v = x; // unknown row filter: keep bytes
      }
      row[i] = v & 0xff;
    }
    prev = row;
    o += n;
    if (n < rowBytes) break;
  }
  return out.subarray(0, o);
}

function tiffPredict(data: Buffer, rowBytes: number, colors: number, bpc: number): Buffer {
  const out = Buffer.from(data);
  if (bpc === 8) {
    for (let r = 0; r < out.length; r += rowBytes) {
      const end = Math.min(out.length, r + rowBytes);
      for (let i = r + colors; i < end; i++) out[i] = (out[i] + out[i - colors]) & 0xff;
    }
  } else if (bpc === 16) {
    const step = colors * 2;
    for (let r = 0; r < out.length; r += rowBytes) {
      const end = Math.min(out.length, r + rowBytes) - 1;
      for (let i = r + step; i < end; i += 2) {
        const v = ((out[i] << 8) | out[i + 1]) + ((out[i - step] << 8) | out[i - step + 1]);
        out[i] = (v >> 8) & 0xff;
        out[i + 1] = v & 0xff;
      }
    }
  } else {
    // 1, 2, 4 bits per component: work on samples
    const mask = (1 << bpc) - 1;
    for (let r = 0; r + rowBytes <= out.length; r += rowBytes) {
      const samples = Math.floor((rowBytes * 8) / bpc);
      const get = (k: number) => (out[r + ((k * bpc) >> 3)] >> (8 - bpc - ((k * bpc) & 7))) & mask;
      const set = (k: number, v: number) => {
        const byte = r + ((k * bpc) >> 3);
        const shift = 8 - bpc - ((k * bpc) & 7);
        out[byte] = (out[byte] & ~(mask << shift)) | ((v & mask) << shift);
      };
      for (let k = colors; k < samples; k++) set(k, get(k) + get(k - colors));
    }
  }
  return out;
}

function clampInt(v: number, lo: number, hi: number): number {
  if (!Number.isFinite(v)) return lo;
  return Math.min(hi, Math.max(lo, Math.floor(v)));
}

export function asciiHexDecode(data: Buffer): Buffer {
  const out = Buffer.allocUnsafe((data.length >> 1) + 1);
  let n = 0;
  let hi = -1;
  for (let i = 0; i < data.length; i++) {
    const c = data[i];
    if (c === 0x3e) break; // '>' EOD
    const v = hexValue(c);
    if (v < 0) continue;
    if (hi < 0) hi = v;
    else {
      out[n++] = (hi << 4) | v;
      hi = -1;
    }
  }
  if (hi >= 0) out[n++] = hi << 4;
  return out.subarray(0, n);
}

export function ascii85Decode(data: Buffer, limit = Number.MAX_SAFE_INTEGER): Buffer {
  let i = 0;
  while (i < data.length && isWhite(data[i])) i++;
  if (data[i] === 0x3c && data[i + 1] === 0x7e) i += 2; // optional "<~"
  let out = Buffer.allocUnsafe(Math.min(limit, Math.ceil((data.length * 4) / 5) + 8));
  let n = 0;
  const push4 = (v: number, k: number) => {
    if (n + k > out.length) {
      if (n + k > limit) throw new DecodeLimitExceeded(limit);
      const bigger = Buffer.allocUnsafe(Math.min(limit, Math.max(out.length * 2, n + k)));
      out.copy(bigger, 0, 0, n);
      out = bigger;
    }
    const bytes = [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
    for (let j = 0; j < k; j++) out[n++] = bytes[j];
  };
  const group: number[] = [];
  for (; i < data.length; i++) {
    const c = data[i];
    if (c === 0x7e) break; // '~' of "~>"
    if (isWhite(c)) continue;
    if (c === 0x7a && group.length === 0) {
      push4(0, 4); // 'z'
      continue;
    }
    if (c < 0x21 || c > 0x75) continue; // junk
    group.push(c - 0x21);
    if (group.length === 5) {
      let v = 0;
      for (const g of group) v = v * 85 + g;
      push4(v >>> 0, 4);
      group.length = 0;
    }
  }
  if (group.length > 1) {
    const k = group.length;
    while (group.length < 5) group.push(84);
    let v = 0;
    for (const g of group) v = v * 85 + g;
    push4(v >>> 0, k - 1);
  }
  return out.subarray(0, n);
}

export function runLengthDecode(data: Buffer, limit: number): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  let i = 0;
  while (i < data.length) {
    const len = data[i++];
    if (len === 128) break;
    if (len < 128) {
      const piece = data.subarray(i, i + len + 1);
      i += len + 1;
      total += piece.length;
      if (total > limit) throw new DecodeLimitExceeded(limit);
      chunks.push(piece);
    } else {
      if (i >= data.length) break;
      const count = 257 - len;
      total += count;
      if (total > limit) throw new DecodeLimitExceeded(limit);
      chunks.push(Buffer.alloc(count, data[i++]));
    }
  }
  return Buffer.concat(chunks, total);
}

export function lzwDecode(data: Buffer, limit: number, earlyChange: number): Buffer {
  const early = earlyChange ? 1 : 0;
  const prefix = new Int32Array(4096);
  const suffix = new Uint8Array(4096);
  const length = new Int32Array(4096);
  for (let i = 0; i < 256; i++) {
    prefix[i] = -1;
    suffix[i] = i;
    length[i] = 1;
  }
  let next = 258;
  let width = 9;
  let prev = -1;
  let bitBuf = 0;
  let bits = 0;
  let out = Buffer.allocUnsafe(Math.min(limit, Math.max(1024, data.length * 4)));
  let n = 0;
  const ensure = (k: number) => {
    if (n + k > limit) throw new DecodeLimitExceeded(limit);
    if (n + k > out.length) {
      const bigger = Buffer.allocUnsafe(Math.min(limit, Math.max(out.length * 2, n + k)));
      out.copy(bigger, 0, 0, n);
      out = bigger;
    }
  };
  const writeEntry = (code: number): number => {
    const len = length[code];
    ensure(len);
    let c = code;
    for (let k = len - 1; k >= 0; k--) {
      out[n + k] = suffix[c];
      c = prefix[c];
    }
    n += len;
    return out[n - len]; // first byte
  };
  for (let i = 0; i < data.length; i++) {
    bitBuf = ((bitBuf << 8) | data[i]) >>> 0;
    bits += 8;
    while (bits >= width) {
      const code = (bitBuf >>> (bits - width)) & ((1 << width) - 1);
      bits -= width;
      bitBuf &= (1 << bits) - 1;
      if (code === 256) {
        next = 258;
        width = 9;
        prev = -1;
        continue;
      }
      if (code === 257) return out.subarray(0, n);
      let first: number;
      if (prev < 0) {
        if (code > 255) return out.subarray(0, n); // invalid
        first = writeEntry(code);
      } else if (code < next) {
        first = writeEntry(code);
        if (next < 4096) {
          prefix[next] = prev;
          suffix[next] = first;
          length[next] = length[prev] + 1;
          next++;
        }
      } else if (code === next && next < 4096) {
        // KwKwK case
        const firstOfPrev = (() => {
          let c = prev;
          while (prefix[c] >= 0) c = prefix[c];
          return suffix[c];
        })();
        prefix[next] = prev;
        suffix[next] = firstOfPrev;
        length[next] = length[prev] + 1;
        next++;
        first = writeEntry(code);
      } else {
        return out.subarray(0, n); // corrupt: stop
      }
      void first;
      prev = code;
      if (next + early >= 1 << width && width < 12) width++;
    }
  }
  return out.subarray(0, n);
}
