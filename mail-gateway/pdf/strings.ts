/** Text strings (ISO 32000-1 §7.9.2) and dates (§7.9.4). */
import type { PdfString } from './objects';

/** PDFDocEncoding bytes 0x18–0x1F and 0x80–0xA0 that differ from Latin-1 (others map to themselves). */
const PDFDOC_SPECIAL: Record<number, number> = {
  0x18: 0x02d8, 0x19: 0x02c7, 0x1a: 0x02c6, 0x1b: 0x02d9, 0x1c: 0x02dd, 0x1d: 0x02db, 0x1e: 0x02da, 0x1f: 0x02dc,
  0x80: 0x2022, 0x81: 0x2020, 0x82: 0x2021, 0x83: 0x2026, 0x84: 0x2014, 0x85: 0x2013, 0x86: 0x0192, 0x87: 0x2044,
  0x88: 0x2039, 0x89: 0x203a, 0x8a: 0x2212, 0x8b: 0x2030, 0x8c: 0x201e, 0x8d: 0x201c, 0x8e: 0x201d, 0x8f: 0x2018,
  0x90: 0x2019, 0x91: 0x201a, 0x92: 0x2122, 0x93: 0xfb01, 0x94: 0xfb02, 0x95: 0x0141, 0x96: 0x0152, 0x97: 0x0160,
  0x98: 0x0178, 0x99: 0x017d, 0x9a: 0x0131, 0x9b: 0x0142, 0x9c: 0x0153, 0x9d: 0x0161, 0x9e: 0x017e, 0x9f: 0xfffd,
  0xa0: 0x20ac, 0x7f: 0xfffd,
};

export function decodePdfDocEncoding(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    s += String.fromCharCode(PDFDOC_SPECIAL[b] ?? b);
  }
  return s;
}

function decodeUtf16(bytes: Uint8Array, start: number, littleEndian: boolean): string {
  const units: number[] = [];
  for (let i = start; i + 1 < bytes.length; i += 2) {
    units.push(littleEndian ? bytes[i] | (bytes[i + 1] << 8) : (bytes[i] << 8) | bytes[i + 1]);
  }
  let s = '';
  for (let i = 0; i < units.length; i += 4096) s += String.fromCharCode(...units.slice(i, i + 4096));
  // language / country escape sequences: U+001B … U+001B
  return s.replace(/\u001b[^\u001b]*\u001b/g, '');
}

/** Decodes a PDF text string: UTF-16BE with BOM, UTF-8 with BOM (PDF 2.0), else PDFDocEncoding. */
export function decodeTextString(s: PdfString | undefined): string | undefined {
  if (!s) return undefined;
  const b = s.bytes;
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) return decodeUtf16(b, 2, false);
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) return decodeUtf16(b, 2, true); // non-standard, seen in the wild
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return b.subarray(3).toString('utf8');
  return decodePdfDocEncoding(b);
}

const DATE_RE = /^(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:([Zz+-])(?:(\d{2})(?:'?(\d{2}))?'?)?)?$/;

function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/**
 * Parses a PDF date "D:YYYYMMDDHHmmSSOHH'mm'" and its partial forms ("D:2026", "D:20261123",
 * "D:20261123091500Z", "…+07'00", "…+0700"). Without a zone the time is taken as UTC.
 * Returns undefined when the string is not a valid date.
 */
export function parsePdfDate(s: string): Date | undefined {
  if (typeof s !== 'string') return undefined;
  const m = DATE_RE.exec(s.trim());
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = m[2] !== undefined ? Number(m[2]) : 1;
  const day = m[3] !== undefined ? Number(m[3]) : 1;
  const hour = m[4] !== undefined ? Number(m[4]) : 0;
  const minute = m[5] !== undefined ? Number(m[5]) : 0;
  const second = m[6] !== undefined ? Number(m[6]) : 0;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMin = 0;
  const sign = m[7];
  if (sign && sign !== 'Z' && sign !== 'z') {
    if (m[8] === undefined) return undefined;
    const oh = Number(m[8]);
    const om = m[9] !== undefined ? Number(m[9]) : 0;
    if (oh > 23 || om > 59) return undefined;
    offsetMin = (sign === '-' ? -1 : 1) * (oh * 60 + om);
  } else if ((sign === 'Z' || sign === 'z') && ((m[8] !== undefined && Number(m[8]) !== 0) || (m[9] !== undefined && Number(m[9]) !== 0))) {
    return undefined;
  }
  const t = Date.UTC(year, month - 1, day, hour, minute, second) - offsetMin * 60_000;
  const d = new Date(t);
  if (year < 100) d.setUTCFullYear(year); // Date.UTC maps 0–99 to 1900–1999
  return Number.isNaN(d.getTime()) ? undefined : d;
}
