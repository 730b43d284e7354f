// The address units answer invitations at: INVITATION_REPLY_ADDRESS, plus-tagged with the invitation id and,
// in the mail a unit receives, that unit's reply token (giaymoi+<id>-<token>@binhthuan.gov.vn). The token is an
// HMAC of invitation and unit under the product's secret: only the unit's own copy of the invitation carries it,
// so a reply to it is the unit's even where SPF/DKIM cannot vouch for the sender (a From header alone can be
// forged by anyone). Mail to the reply address (tagged or not) is an answer, never an incoming document.
import crypto from 'node:crypto';
import type { Config } from '../../config';
import { ULID_PATTERN } from '../../db/ids';
import { loadSessionSecret } from '../../moihop-web/auth/session-secret';

export type ReplyAddressConfig = Pick<Config, 'invitationReplyAddress' | 'sessionSecret' | 'dataDir'>;

/** A tag is short and plain: letters, digits, '-', '_' and '.' (what mail systems keep as they are). */
const TAG = /^[A-Za-z0-9._-]{1,64}$/;
/** 64 bits of HMAC in lower-case hex: mail systems may lower-case an address, never change its digits. */
const TOKEN_LENGTH = 16;
const TOKEN = /^[0-9a-f]{16}$/;

const keys = new Map<string, Buffer>();

/** The key of reply tokens, derived from the session secret (the same in every process of one installation). */
function tokenKey(config: ReplyAddressConfig): Buffer {
  const source = `${config.sessionSecret ?? ''}\n${config.dataDir}`;
  let key = keys.get(source);
  if (!key) {
    key = crypto.createHmac('sha256', loadSessionSecret(config)).update('invitation-reply-token').digest();
    keys.set(source, key);
  }
  return key;
}

export function replyToken(config: ReplyAddressConfig, invitationId: string, unitId: string): string {
  return crypto.createHmac('sha256', tokenKey(config)).update(`${invitationId}\n${unitId}`).digest('hex').slice(0, TOKEN_LENGTH);
}

/** Whether `token` is the unit's reply token of the invitation. */
export function replyTokenMatches(config: ReplyAddressConfig, invitationId: string, unitId: string, token: string): boolean {
  const expected = Buffer.from(replyToken(config, invitationId, unitId));
  const given = Buffer.from(token.toLowerCase());
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

function split(address: string): { local: string; domain: string } | null {
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return null;
  return { local: address.slice(0, at), domain: address.slice(at + 1) };
}

/**
 * The Reply-To of an invitation mail (and its .ics ORGANIZER): `giaymoi+<invitationId>-<token>@…` for the
 * copy of one unit, `giaymoi+<invitationId>@…` where no unit is meant (the admin's .ics, a confirmation's
 * fallback).
 */
export function invitationReplyAddress(config: ReplyAddressConfig, invitationId: string, unitId?: string): string {
  const base = split(config.invitationReplyAddress);
  if (!base) throw new Error(`invalid INVITATION_REPLY_ADDRESS "${config.invitationReplyAddress}"`);
  const tag = unitId ? `${invitationId}-${replyToken(config, invitationId, unitId)}` : invitationId;
  if (!TAG.test(tag)) throw new Error(`invitation id "${invitationId}" cannot be a +tag`);
  return `${base.local}+${tag}@${base.domain}`;
}

export interface ReplyAddressParts {
  /** The invitation of the +tag (upper case: some mail systems lower-case addresses); null without one. */
  invitationId: string | null;
  /** The unit's reply token of the tag; null without one. */
  token: string | null;
}

/** Reads an address the gateway received mail for. Null: not the reply address. */
export function parseReplyAddress(config: Pick<Config, 'invitationReplyAddress'>, address: string): ReplyAddressParts | null {
  const parts = split(address.trim().replace(/^<|>$/g, '').toLowerCase());
  const base = split(config.invitationReplyAddress.toLowerCase());
  if (!parts || !base || parts.domain !== base.domain) return null;
  const plus = parts.local.indexOf('+');
  const local = plus === -1 ? parts.local : parts.local.slice(0, plus);
  if (local !== base.local) return null;
  if (plus === -1) return { invitationId: null, token: null };
  const tag = parts.local.slice(plus + 1);
  if (!TAG.test(tag)) return null;
  const [idPart, tokenPart, ...rest] = tag.split('-');
  const id = idPart.toUpperCase();
  if (!ULID_PATTERN.test(id) || rest.length) return { invitationId: null, token: null };
  return { invitationId: id, token: tokenPart !== undefined && TOKEN.test(tokenPart) ? tokenPart : null };
}
