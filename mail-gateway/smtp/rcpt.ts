// RCPT TO: only the official addresses are accepted; never relay.
import { OK, permanent, SmtpVerdict } from './verdict';

export interface RecipientPolicy {
  addresses: Set<string>;
  localDomains: Set<string>;
}

export function recipientPolicy(gatewayAddresses: string[]): RecipientPolicy {
  const addresses = new Set(gatewayAddresses.map((a) => a.toLowerCase()));
  const localDomains = new Set([...addresses].map((a) => a.slice(a.lastIndexOf('@') + 1)));
  return { addresses, localDomains };
}

export function checkRecipient(policy: RecipientPolicy, address: string): SmtpVerdict {
  const normalised = address.trim().toLowerCase();
  if (policy.addresses.has(normalised)) return OK;
  const domain = normalised.slice(normalised.lastIndexOf('@') + 1);
  if (policy.localDomains.has(domain)) {
    return permanent(550, '5.1.1', `Hộp thư không tồn tại / mailbox unknown: <${normalised}>`);
  }
  return permanent(550, '5.7.1', 'Không chuyển tiếp thư / relaying denied');
}
