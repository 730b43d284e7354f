// What SMTP would have told us, read back from a message fetched over IMAP: the envelope sender (the
// Return-Path its delivering server wrote, else the From address — always the same for the same bytes, so
// a re-fetch is recognised as a duplicate) and the client address and HELO of the topmost Received header
// (written by the mailbox's own server: the only one whose word we take).
import fs from 'node:fs';
// nodemailer's address parser (no type declarations of its own).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const addressparser = require('nodemailer/lib/addressparser') as (value: string) => Array<{ address?: string; group?: Array<{ address?: string }> }>;

export interface ImapEnvelope {
  mailFrom: string | null;
  clientIp: string;
  helo: string;
  /** Whether the message carries a Message-ID (without one, a re-fetch is recognised by its content). */
  hasMessageId: boolean;
  /** Where it was sent (Delivered-To, X-Original-To, To, Cc): a reply to an invitation is told apart by these. */
  recipients: string[];
}

/** Enough for any sane header block; a longer one is read only this far. */
const HEADER_LIMIT = 256 * 1024;

function readHeaderBlock(file: string): string {
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(HEADER_LIMIT);
    const length = fs.readSync(fd, buffer, 0, HEADER_LIMIT, 0);
    const head = buffer.subarray(0, length).toString('latin1');
    const end = head.search(/\r?\n\r?\n/);
    return end === -1 ? head : head.slice(0, end);
  } finally {
    fs.closeSync(fd);
  }
}

/** Header fields in order, folded lines joined; names lower-case. */
export function headerFields(block: string): Array<{ name: string; value: string }> {
  const fields: Array<{ name: string; value: string }> = [];
  for (const line of block.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && fields.length) fields[fields.length - 1].value += ` ${line.trim()}`;
    else {
      const colon = line.indexOf(':');
      if (colon > 0) fields.push({ name: line.slice(0, colon).trim().toLowerCase(), value: line.slice(colon + 1).trim() });
    }
  }
  return fields;
}

function addressesOf(value: string): string[] {
  return addressparser(value)
    .flatMap((entry) => (entry.group ? entry.group.map((g) => g.address) : [entry.address]))
    .filter((address): address is string => Boolean(address))
    .map((address) => address.toLowerCase());
}

function firstAddress(value: string): string | null {
  return addressesOf(value)[0] ?? null;
}

const RECIPIENT_FIELDS = ['delivered-to', 'x-original-to', 'to', 'cc'];

export function envelopeFromHeaders(block: string, fallbackHelo: string): ImapEnvelope {
  const fields = headerFields(block);
  const field = (name: string) => fields.find((f) => f.name === name)?.value ?? null;
  const returnPath = field('return-path');
  const from = field('from');
  // Return-Path: <> is the null sender (a bounce): never answered, as over SMTP.
  const mailFrom = returnPath !== null ? (/^<\s*>$/.test(returnPath) ? null : firstAddress(returnPath)) : from ? firstAddress(from) : null;
  const received = field('received') ?? '';
  const ip = /\[(?:IPv6:)?([0-9a-fA-F:.]+)\]/.exec(received)?.[1] ?? '127.0.0.1';
  const helo = /^from\s+([^\s(;]+)/i.exec(received)?.[1] ?? fallbackHelo;
  const recipients = [...new Set(fields.filter((f) => RECIPIENT_FIELDS.includes(f.name)).flatMap((f) => addressesOf(f.value)))];
  return { mailFrom, clientIp: ip, helo, hasMessageId: field('message-id') !== null, recipients };
}

export function readImapEnvelope(file: string, fallbackHelo: string): ImapEnvelope {
  return envelopeFromHeaders(readHeaderBlock(file), fallbackHelo);
}
