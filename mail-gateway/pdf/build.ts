/**
 * Minimal PDF writer for tests and fixtures: writes objects with a correct xref
 * (table, xref stream or hybrid, optionally with an object stream) and appends
 * incremental updates. Not used by the gateway itself.
 */
import * as zlib from 'node:zlib';

export type ObjectBody = string | Buffer;

export interface BuildOptions {
  /** header line, default "%PDF-1.7" */
  version?: string;
  /** xref form, default 'table' */
  xref?: 'table' | 'stream' | 'hybrid';
  /** object numbers to store in an object stream (xref 'stream' or 'hybrid') */
  inObjectStream?: number[];
  /** extra trailer entries, e.g. "/Info 7 0 R" */
  trailerExtra?: string;
  /** compress the xref stream / object stream with FlateDecode (xref stream with PNG Up predictor) */
  compress?: boolean;
}

const latin1 = (s: string) => Buffer.from(s, 'latin1');

/** "<< dict /Length n >>\nstream\n" + data + "\nendstream" */
export function streamBody(dict: string, data: string | Buffer): Buffer {
  const d = typeof data === 'string' ? latin1(data) : data;
  const inner = dict.trim().replace(/^<<|>>$/g, '');
  return Buffer.concat([latin1(`<<${inner} /Length ${d.length} >>\nstream\n`), d, latin1('\nendstream')]);
}

function objBytes(num: number, body: ObjectBody): Buffer {
  return Buffer.concat([latin1(`${num} 0 obj\n`), typeof body === 'string' ? latin1(body) : body, latin1('\nendobj\n')]);
}

function pad(n: number, w: number): string {
  return String(n).padStart(w, '0');
}

interface Written {
  bytes: Buffer[];
  length: number;
}

function push(w: Written, b: Buffer): number {
  const at = w.length;
  w.bytes.push(b);
  w.length += b.length;
  return at;
}

/** Entry map: num → ['n', offset] | ['f', gen] | ['c', streamNum, index] */
type Entry = ['n', number] | ['f', number] | ['c', number, number];

function xrefTable(entries: Map<number, Entry>): string {
  const nums = [...entries.keys()].sort((a, b) => a - b);
  let out = 'xref\n';
  let i = 0;
  while (i < nums.length) {
    let j = i;
    while (j + 1 < nums.length && nums[j + 1] === nums[j] + 1) j++;
    out += `${nums[i]} ${j - i + 1}\n`;
    for (let k = i; k <= j; k++) {
      const e = entries.get(nums[k])!;
      if (e[0] === 'n') out += `${pad(e[1], 10)} 00000 n \n`;
      else if (e[0] === 'f') out += `0000000000 ${pad(e[1], 5)} f \n`;
      else out += `0000000000 00000 f \n`; // compressed objects are invisible to a table
    }
    i = j + 1;
  }
  return out;
}

function xrefStreamObject(num: number, entries: Map<number, Entry>, size: number, dictExtra: string, compress: boolean): Buffer {
  const nums = [...entries.keys()].sort((a, b) => a - b);
  const index: number[] = [];
  let i = 0;
  while (i < nums.length) {
    let j = i;
    while (j + 1 < nums.length && nums[j + 1] === nums[j] + 1) j++;
    index.push(nums[i], j - i + 1);
    i = j + 1;
  }
  const rows: Buffer[] = [];
  let prev = Buffer.alloc(7);
  for (const n of nums) {
    const e = entries.get(n)!;
    const row = Buffer.alloc(7);
    if (e[0] === 'n') {
      row[0] = 1;
      row.writeUInt32BE(e[1], 1);
    } else if (e[0] === 'f') {
      row[0] = 0;
      row.writeUInt16BE(e[1], 5);
    } else {
      row[0] = 2;
      row.writeUInt32BE(e[1], 1);
      row.writeUInt16BE(e[2], 5);
    }
    if (compress) {
      const up = Buffer.alloc(8);
      up[0] = 2; // PNG Up
      for (let k = 0; k < 7; k++) up[k + 1] = (row[k] - prev[k]) & 0xff;
      rows.push(up);
      prev = row;
    } else rows.push(row);
  }
  const data = Buffer.concat(rows);
  const filter = compress ? ' /Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 7 >>' : '';
  return objBytes(
    num,
    streamBody(`<< /Type /XRef /Size ${size} /W [1 4 2] /Index [${index.join(' ')}]${filter} ${dictExtra} >>`, compress ? zlib.deflateSync(data) : data),
  );
}

function objectStream(members: [number, ObjectBody][], compress: boolean): Buffer {
  let header = '';
  const bodies: Buffer[] = [];
  let off = 0;
  for (const [num, body] of members) {
    const b = typeof body === 'string' ? latin1(body) : body;
    header += `${num} ${off} `;
    bodies.push(b, latin1('\n'));
    off += b.length + 1;
  }
  const data = Buffer.concat([latin1(header), ...bodies]);
  const filter = compress ? ' /Filter /FlateDecode' : '';
  return streamBody(`<< /Type /ObjStm /N ${members.length} /First ${header.length}${filter} >>`, compress ? zlib.deflateSync(data) : data);
}

function writeBody(
  w: Written,
  objects: Map<number, ObjectBody | null>,
  opts: BuildOptions,
  firstFreeNum: number,
): { entries: Map<number, Entry>; size: number } {
  const entries = new Map<number, Entry>();
  const inStm = new Set(opts.inObjectStream ?? []);
  const nums = [...objects.keys()].sort((a, b) => a - b);
  let size = nums.reduce((m, n) => Math.max(m, n + 1), firstFreeNum);
  for (const n of nums) {
    const body = objects.get(n);
    if (body === null || body === undefined) {
      entries.set(n, ['f', 1]);
      continue;
    }
    if (inStm.has(n)) continue;
    entries.set(n, ['n', push(w, objBytes(n, body))]);
  }
  const members = nums.filter((n) => inStm.has(n) && objects.get(n) != null).map((n) => [n, objects.get(n)!] as [number, ObjectBody]);
  if (members.length) {
    const stmNum = size++;
    entries.set(stmNum, ['n', push(w, objBytes(stmNum, objectStream(members, !!opts.compress)))]);
    members.forEach(([n], i) => entries.set(n, ['c', stmNum, i]));
  }
  return { entries, size };
}

function finish(w: Written, entries: Map<number, Entry>, size: number, opts: BuildOptions, prev?: number): Buffer {
  const extra = (opts.trailerExtra ?? '') + (prev !== undefined ? ` /Prev ${prev}` : '');
  const kind = opts.xref ?? 'table';
  let startxref: number;
  if (kind === 'stream') {
    const xnum = size++;
    entries.set(xnum, ['n', w.length]);
    startxref = push(w, xrefStreamObject(xnum, entries, size, extra, !!opts.compress));
  } else if (kind === 'hybrid') {
    const xnum = size++;
    const hidden = new Map([...entries].filter(([, e]) => e[0] === 'c'));
    hidden.set(xnum, ['n', w.length]);
    const xsOff = push(w, xrefStreamObject(xnum, hidden, size, '', !!opts.compress));
    const visible = new Map([...entries].filter(([, e]) => e[0] !== 'c'));
    visible.set(xnum, ['n', xsOff]);
    startxref = push(w, latin1(xrefTable(visible) + `trailer\n<< /Size ${size} ${extra} /XRefStm ${xsOff} >>\n`));
  } else {
    startxref = push(w, latin1(xrefTable(entries) + `trailer\n<< /Size ${size} ${extra} >>\n`));
  }
  push(w, latin1(`startxref\n${startxref}\n%%EOF\n`));
  return Buffer.concat(w.bytes);
}

/** Builds a one-revision PDF from object bodies (object number → body). Object 1 is the catalog by default. */
export function buildPdf(objects: Record<number, ObjectBody> | Map<number, ObjectBody>, opts: BuildOptions = {}): Buffer {
  const map = objects instanceof Map ? new Map<number, ObjectBody | null>(objects) : new Map<number, ObjectBody | null>(Object.entries(objects).map(([k, v]) => [Number(k), v]));
  const w: Written = { bytes: [], length: 0 };
  push(w, latin1(`${opts.version ?? '%PDF-1.7'}\n%\u00e2\u00e3\u00cf\u00d3\n`));
  const { entries, size } = writeBody(w, map, opts, 1);
  entries.set(0, ['f', 65535]);
  const trailerExtra = opts.trailerExtra ?? '/Root 1 0 R';
  return finish(w, entries, size, { ...opts, trailerExtra });
}

/** Offset given by the last startxref of a file. */
export function lastStartxref(pdf: Buffer): number {
  const s = pdf.toString('latin1');
  const m = /startxref\s+(\d+)\s*(?:%%EOF\s*)?$/.exec(s.slice(s.lastIndexOf('startxref')));
  if (!m) throw new Error('no startxref');
  return Number(m[1]);
}

/**
 * Appends an incremental update: objects (null = free the object), a new xref section with
 * /Prev = the previous startxref (or `prev`), and the trailer (/Root 1 0 R unless trailerExtra is given).
 */
export function appendUpdate(
  base: Buffer,
  objects: Record<number, ObjectBody | null>,
  opts: BuildOptions & { prev?: number; size?: number } = {},
): Buffer {
  const map = new Map<number, ObjectBody | null>(Object.entries(objects).map(([k, v]) => [Number(k), v]));
  const w: Written = { bytes: [base], length: base.length };
  const sizeMatch = [...base.toString('latin1').matchAll(/\/Size (\d+)/g)].pop();
  const baseSize = opts.size ?? (sizeMatch ? Number(sizeMatch[1]) : 1);
  const { entries, size } = writeBody(w, map, opts, baseSize);
  const trailerExtra = opts.trailerExtra ?? '/Root 1 0 R';
  return finish(w, entries, size, { ...opts, trailerExtra }, opts.prev ?? lastStartxref(base));
}
