// A small RFC 5545 writer: content lines with escaped text, quoted parameters, octet-based folding, CRLF.
// ical-generator was considered: its Node 20 line (10.x) writes a JavaScript Date's UTC clock under TZID
// (a 08:30 meeting became 01:30 Asia/Ho_Chi_Minh) and drops DTSTAMP's Z once a calendar time zone is set,
// so correct local times would need a date library as well; these few rules are simpler to keep right here.

const MAX_LINE_OCTETS = 75;

/** TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and newline escaped; other controls dropped. */
export function escapeText(value: string): string {
  return value
    .normalize('NFC')
    .replace(/\r\n?/g, '\n')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\n/g, '\\n');
}

/**
 * A parameter value (§3.2): quoted when it holds ':', ';' or ','; a double quote cannot appear even quoted,
 * so it becomes a single quote, and controls are dropped.
 */
export function paramValue(value: string): string {
  const clean = value.normalize('NFC').replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/"/g, "'");
  return /[:;,]/.test(clean) || clean !== clean.trim() ? `"${clean}"` : clean;
}

/**
 * Folds one content line (§3.1): no line longer than 75 octets without its CRLF, continuation lines start
 * with one space, and a UTF-8 sequence is never split.
 */
export function foldLine(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  for (const char of line) {
    const size = Buffer.byteLength(char, 'utf8');
    const limit = parts.length === 0 ? MAX_LINE_OCTETS : MAX_LINE_OCTETS - 1;
    if (octets + size > limit) {
      parts.push(current);
      current = '';
      octets = 0;
    }
    current += char;
    octets += size;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

export type Params = Record<string, string | null | undefined>;

/** `NAME;PARAM=value:value` with the parameters that have a value; `value` must already be encoded. */
export function contentLine(name: string, value: string, params: Params = {}): string {
  const encoded = Object.entries(params)
    .filter((entry): entry is [string, string] => entry[1] !== null && entry[1] !== undefined)
    .map(([key, v]) => `;${key}=${paramValue(v)}`)
    .join('');
  return foldLine(`${name}${encoded}:${value}`);
}

/** A TEXT property: the value escaped. */
export function textLine(name: string, value: string, params: Params = {}): string {
  return contentLine(name, escapeText(value), params);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** DATE-TIME in UTC (`20261201T013000Z`), as DTSTAMP, CREATED and LAST-MODIFIED require. */
export function utcDateTime(date: Date): string {
  return `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}T${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}Z`;
}

/** Local DATE-TIME for a fixed-offset zone (`20261201T083000` for +07:00), to be used with TZID. */
export function localDateTime(date: Date, offsetMinutes: number): string {
  return utcDateTime(new Date(date.getTime() + offsetMinutes * 60_000)).slice(0, -1);
}

/** Joins content lines into an iCalendar object: every line ends with CRLF, the last one too. */
export function icalObject(lines: string[]): string {
  return lines.map((line) => `${line}\r\n`).join('');
}
