// RCPT TO: only the official addresses and the invitation reply address (with or without its +tag) are
// accepted; never relay.
import { OK, permanent, SmtpVerdict, temporary } from './verdict';
import { parseReplyAddress } from '../answers/reply-address';

export interface RecipientPolicy {
  addresses: Set<string>;
  localDomains: Set<string>;
  /** INVITATION_REPLY_ADDRESS, or null when the gateway takes no answers by mail. */
  replyAddress: string | null;
}

export function recipientPolicy(gatewayAddresses: string[], replyAddress: string | null = null): RecipientPolicy {
  const addresses = new Set(gatewayAddresses.map((a) => a.toLowerCase()));
  const reply = replyAddress ? replyAddress.toLowerCase() : null;
  const localDomains = new Set([...addresses, ...(reply ? [reply] : [])].map((a) => a.slice(a.lastIndexOf('@') + 1)));
  return { addresses, localDomains, replyAddress: reply };
}

export function checkRecipient(policy: RecipientPolicy, address: string): SmtpVerdict {
  const normalised = address.trim().toLowerCase();
  if (policy.addresses.has(normalised)) return OK;
  if (policy.replyAddress && parseReplyAddress({ invitationReplyAddress: policy.replyAddress }, normalised)) return OK;
  const domain = normalised.slice(normalised.lastIndexOf('@') + 1);
  if (policy.localDomains.has(domain)) {
    return permanent(550, '5.1.1', `Hộp thư không tồn tại / mailbox unknown: <${normalised}>`);
  }
  return permanent(550, '5.7.1', 'Không chuyển tiếp thư / relaying denied');
}

/**
 * Counts refused recipients per session: a client that keeps guessing addresses or probing for a relay is
 * cut off with 421 after `limit` refusals instead of being answered forever.
 */
export class RefusedRecipients {
  private readonly counts = new Map<string, number>();

  constructor(private readonly limit: number) {}

  /** Records one more refusal; returns the verdict to send instead when the limit is reached. */
  refuse(sessionId: string, verdict: SmtpVerdict): SmtpVerdict {
    const count = (this.counts.get(sessionId) ?? 0) + 1;
    this.counts.set(sessionId, count);
    if (count < this.limit) return verdict;
    return temporary(421, '4.7.0', 'Qua nhieu dia chi nhan bi tu choi, dong ket noi / too many refused recipients, closing connection');
  }

  forget(sessionId: string): void {
    this.counts.delete(sessionId);
  }
}
