// The address units answer invitations at: INVITATION_REPLY_ADDRESS, plus-tagged with the invitation id
// (giaymoi+<id>@binhthuan.gov.vn) so that a plain reply names its invitation even without the quoted text.
// Mail to it (with or without a tag) is an answer, never an incoming document: it is not registered.
import type { Config } from '../../config';
import { ULID_PATTERN } from '../../db/ids';

export type ReplyAddressConfig = Pick<Config, 'invitationReplyAddress'>;

/** A tag is short and plain: letters, digits, '-', '_' and '.' (what mail systems keep as they are). */
const TAG = /^[A-Za-z0-9._-]{1,64}$/;

function split(address: string): { local: string; domain: string } | null {
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return null;
  return { local: address.slice(0, at), domain: address.slice(at + 1) };
}

/** `giaymoi+<invitationId>@binhthuan.gov.vn`: the Reply-To of an invitation mail (and its .ics ORGANIZER). */
export function invitationReplyAddress(config: ReplyAddressConfig, invitationId: string): string {
  const base = split(config.invitationReplyAddress);
  if (!base) throw new Error(`invalid INVITATION_REPLY_ADDRESS "${config.invitationReplyAddress}"`);
  if (!TAG.test(invitationId)) throw new Error(`invitation id "${invitationId}" cannot be a +tag`);
  return `${base.local}+${invitationId}@${base.domain}`;
}

/**
 * Reads an address the gateway received mail for. Null: not the reply address. Otherwise the invitation id of
 * its +tag (upper case: some mail systems lower-case addresses), or null when there is no tag or it is not an
 * invitation id.
 */
export function parseReplyAddress(config: ReplyAddressConfig, address: string): { invitationId: string | null } | null {
  const parts = split(address.trim().replace(/^<|>$/g, '').toLowerCase());
  const base = split(config.invitationReplyAddress.toLowerCase());
  if (!parts || !base || parts.domain !== base.domain) return null;
  const plus = parts.local.indexOf('+');
  const local = plus === -1 ? parts.local : parts.local.slice(0, plus);
  if (local !== base.local) return null;
  if (plus === -1) return { invitationId: null };
  const tag = parts.local.slice(plus + 1);
  if (!TAG.test(tag)) return null;
  const id = tag.toUpperCase();
  return { invitationId: ULID_PATTERN.test(id) ? id : null };
}
