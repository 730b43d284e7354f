// IMAP_URL → the mailboxes to pick mail up from. `imaps://user:pass@host:993/INBOX` (TLS from the start) or
// `imap://user:pass@host:143/INBOX` (STARTTLS when offered); user and password percent-encoded; the folder
// defaults to INBOX.
export interface MailboxSpec {
  /** `user@host:port/folder`: names the mailbox in logs, the database and the status, never the password. */
  key: string;
  host: string;
  port: number;
  secure: boolean;
  user: string;
  pass: string;
  folder: string;
}

export function parseMailboxUrl(raw: string): MailboxSpec {
  const url = new URL(raw);
  const secure = url.protocol === 'imaps:';
  const port = url.port ? Number(url.port) : secure ? 993 : 143;
  const user = decodeURIComponent(url.username);
  const folder = decodeURIComponent(url.pathname.replace(/^\/+/, '')) || 'INBOX';
  // An IPv6 host keeps its brackets in `hostname`; the socket wants it without.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { key: `${user}@${url.hostname}:${port}/${folder}`, host, port, secure, user, pass: decodeURIComponent(url.password), folder };
}

export function parseMailboxUrls(urls: string[]): MailboxSpec[] {
  const specs = urls.map(parseMailboxUrl);
  const seen = new Set<string>();
  // The same mailbox twice would be two workers racing for one lease: keep the first.
  return specs.filter((spec) => !seen.has(spec.key) && seen.add(spec.key));
}
