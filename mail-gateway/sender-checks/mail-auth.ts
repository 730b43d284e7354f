// SPF, DKIM and DMARC of an incoming message (mailauth). They inform the clerk and decide whether we may
// answer the sender; they never refuse a document whose signatures are valid. DNS trouble is a recorded
// temporary error, never a crash or a hang.
import { promises as dns } from 'node:dns';
// mailauth 4.x ships no type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { authenticate } = require('mailauth') as { authenticate: (input: Buffer, opts: Record<string, unknown>) => Promise<MailauthResult> };

interface MailauthStatus {
  status?: { result?: string; comment?: string; aligned?: string | false };
  domain?: string;
  signingDomain?: string;
  info?: string;
}

interface MailauthResult {
  dkim?: { headerFrom?: string[]; results?: MailauthStatus[] };
  spf?: MailauthStatus | false;
  dmarc?: MailauthStatus | false;
}

export type AuthOutcome = 'pass' | 'fail' | 'softfail' | 'neutral' | 'none' | 'temperror' | 'permerror' | 'policy';

export interface SenderAuth {
  spf: AuthOutcome;
  dkim: AuthOutcome;
  dmarc: AuthOutcome;
  /** The From domain is vouched for by an aligned SPF or DKIM pass (or DMARC pass). */
  aligned: boolean;
  headerFromDomain: string | null;
  /** A DNS lookup failed: the results above may be incomplete. */
  temporaryError: boolean;
  summary: string;
}

export type DnsResolver = (name: string, rrtype: string) => Promise<unknown>;

/** A resolver that gives up quickly: the machine may have no DNS at all. */
export function timeLimitedResolver(timeoutMs: number): DnsResolver {
  const resolver = new dns.Resolver({ timeout: timeoutMs, tries: 1 });
  return (name, rrtype) => resolver.resolve(name, rrtype as 'TXT');
}

function outcome(value: string | undefined): AuthOutcome {
  const known: AuthOutcome[] = ['pass', 'fail', 'softfail', 'neutral', 'none', 'temperror', 'permerror', 'policy'];
  return known.includes(value as AuthOutcome) ? (value as AuthOutcome) : 'none';
}

function relaxedAligned(domain: string | undefined, fromDomain: string | null): boolean {
  if (!domain || !fromDomain) return false;
  const a = domain.toLowerCase();
  const b = fromDomain.toLowerCase();
  return a === b || a.endsWith(`.${b}`) || b.endsWith(`.${a}`);
}

export interface AuthInput {
  ip: string;
  helo: string;
  envelopeFrom: string | null;
  mta: string;
  resolver: DnsResolver;
}

/**
 * The part of the message mailauth needs: the whole of it when it carries a DKIM signature (the body hash is
 * part of the check), else only the header block — SPF and DMARC never read the body, and DKIM without a
 * signature is 'none' either way — which spares hashing a multi-megabyte body for nothing.
 */
export function authInput(raw: Buffer): Buffer {
  let end = raw.indexOf('\r\n\r\n');
  if (end === -1) end = raw.indexOf('\n\n');
  if (end === -1) return raw;
  const header = raw.subarray(0, end + 2);
  return /^dkim-signature\s*:/im.test(header.toString('latin1')) ? raw : Buffer.concat([header, Buffer.from('\r\n')]);
}

export async function checkSenderAuth(raw: Buffer, input: AuthInput): Promise<SenderAuth> {
  let result: MailauthResult;
  try {
    result = await authenticate(authInput(raw), {
      ip: input.ip,
      helo: input.helo,
      sender: input.envelopeFrom ?? '',
      mta: input.mta,
      resolver: input.resolver,
      disableArc: true,
      disableBimi: true,
    });
  } catch (err) {
    return {
      spf: 'temperror', dkim: 'temperror', dmarc: 'temperror', aligned: false, headerFromDomain: null, temporaryError: true,
      summary: `không kiểm tra được / check failed: ${(err as Error).message}`,
    };
  }
  const headerFrom = result.dkim?.headerFrom?.[0] ?? null;
  const headerFromDomain = headerFrom ? headerFrom.slice(headerFrom.lastIndexOf('@') + 1).toLowerCase() : null;
  const dkimResults = result.dkim?.results ?? [];
  const dkimPass = dkimResults.find((r) => r.status?.result === 'pass');
  const dkim = dkimPass ? 'pass' : outcome(dkimResults[0]?.status?.result);
  const spf = result.spf ? outcome(result.spf.status?.result) : 'none';
  const dmarc = result.dmarc ? outcome(result.dmarc.status?.result) : 'none';
  const aligned =
    dmarc === 'pass' ||
    (spf === 'pass' && result.spf !== false && relaxedAligned(result.spf?.domain, headerFromDomain)) ||
    dkimResults.some((r) => r.status?.result === 'pass' && relaxedAligned(r.signingDomain, headerFromDomain));
  const temporaryError = [spf, dkim, dmarc].includes('temperror');
  return {
    spf, dkim, dmarc, aligned, headerFromDomain, temporaryError,
    summary: `spf=${spf} dkim=${dkim} dmarc=${dmarc}${aligned ? ' (khớp tên miền người gửi)' : ''}${temporaryError ? ' (lỗi DNS tạm thời)' : ''}`,
  };
}
