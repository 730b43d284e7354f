// `npm run -s intake -- status [--json]`: each IMAP mailbox of IMAP_URL (and any other the database still
// knows) — connected or not, last sync, last UID, backlog, last error — as the gateway processes record it.
import { openPreparedDatabase } from '../db/prepare';
import { listMailboxes, MailboxState } from '../db/imap/repository';
import { parseMailboxUrls } from '../mail-gateway/imap/mailbox-url';
import { formatIsoVietnam } from '../db/time';
import { commandConfig, runCommand, UsageError } from './cli';

const USAGE = 'usage: intake status [--json]';

interface MailboxReport {
  mailbox: string;
  configured: boolean;
  connected: boolean;
  lastSyncAt: string | null;
  lastUid: number | null;
  uidValidity: string | null;
  backlog: number | null;
  lastError: string | null;
  lastErrorAt: string | null;
  workedBy: string | null;
}

const iso = (date: Date | null) => (date ? formatIsoVietnam(date) : null);

function report(mailbox: string, configured: boolean, state: MailboxState | undefined, now: Date): MailboxReport {
  // A process that died keeps `connected` set: its lease running out is what says it is gone.
  const leaseAlive = !!state?.leaseOwner && !!state.leaseUntil && state.leaseUntil > now;
  return {
    mailbox,
    configured,
    connected: !!state?.connected && leaseAlive,
    lastSyncAt: iso(state?.lastSyncAt ?? null),
    lastUid: state ? state.lastUid : null,
    uidValidity: state?.uidValidity?.toString() ?? null,
    backlog: state?.backlog ?? null,
    lastError: state?.lastError ?? null,
    lastErrorAt: iso(state?.lastErrorAt ?? null),
    workedBy: leaseAlive ? state!.leaseOwner : null,
  };
}

function printTable(reports: MailboxReport[]): void {
  if (!reports.length) console.log('Không có hộp thư IMAP nào (IMAP_URL chưa đặt) / no IMAP mailbox configured');
  for (const r of reports) {
    console.log([
      `${r.mailbox}${r.configured ? '' : '  (không còn trong IMAP_URL / no longer configured)'}`,
      `  kết nối / connected: ${r.connected ? 'có / yes' : 'không / no'}${r.workedBy ? ` (${r.workedBy})` : ''}`,
      `  đồng bộ lần cuối / last sync: ${r.lastSyncAt ?? '-'}`,
      `  UID cuối / last UID: ${r.lastUid ?? '-'} (UIDVALIDITY ${r.uidValidity ?? '-'})   tồn đọng / backlog: ${r.backlog ?? '-'}`,
      `  lỗi cuối / last error: ${r.lastError ? `${r.lastError} (${r.lastErrorAt})` : '-'}`,
    ].join('\n'));
  }
}

runCommand('intake', async () => {
  const [command, ...flags] = process.argv.slice(2);
  if (command !== 'status' || flags.some((f) => f !== '--json')) throw new UsageError(USAGE);
  const config = commandConfig();
  const configured = parseMailboxUrls(config.imapUrls).map((spec) => spec.key);
  const db = await openPreparedDatabase(config);
  try {
    const states = new Map((await listMailboxes(db)).map((s) => [s.mailbox, s]));
    const now = new Date();
    const names = [...configured, ...[...states.keys()].filter((name) => !configured.includes(name))];
    const reports = names.map((name) => report(name, configured.includes(name), states.get(name), now));
    if (flags.includes('--json')) process.stdout.write(JSON.stringify(reports, null, 2) + '\n');
    else printTable(reports);
  } finally {
    await db.destroy();
  }
  return 0;
});
