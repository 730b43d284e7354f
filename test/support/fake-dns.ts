// A DNS the test controls (`'TXT example.vn': ['v=spf1 …']`); every other name is not found, as with no network.
import type { DnsResolver } from '../../mail-gateway/sender-checks/mail-auth';

export function notFound(): never {
  const error = new Error('not found') as NodeJS.ErrnoException;
  error.code = 'ENOTFOUND';
  throw error;
}

export function fakeDns(records: Record<string, string[]>): DnsResolver {
  return async (name, rrtype) => {
    const value = records[`${rrtype} ${name.toLowerCase()}`];
    if (!value) notFound();
    return value.map((v) => [v]);
  };
}
