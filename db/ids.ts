// Identifiers of stored records.
import crypto from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A ULID: 26 characters, sortable by creation time, unique across processes without coordination, safe in a path. */
export function newUlid(now: Date = new Date()): string {
  let time = now.getTime();
  let text = '';
  for (let i = 0; i < 10; i++) {
    text = CROCKFORD[time % 32] + text;
    time = Math.floor(time / 32);
  }
  for (const byte of crypto.randomBytes(16)) text += CROCKFORD[byte % 32];
  return text;
}

export const ULID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;
