// Starts the product: the SMTP gateway and the website in one process (`--only gateway|web` for one).
import { ConfigError, loadConfig } from './config';
import { StartupError } from './db/connection';
import { openPreparedDatabase } from './db/prepare';
import { startSmtp } from './mail-gateway/smtp/server';
import { startWeb } from './moihop-web/server';
import { startQuarterlyReportJob } from './moihop-web/statistics/quarterly-report';
import { startOutboxWorker } from './mail-gateway/outbox/worker';
import { startImapIntake } from './mail-gateway/imap/intake';
import { INVITATION_RENDERER, invitationMailRenderer } from './moihop-web/invitations';
import { startReminderJob } from './moihop-web/invitations/reminders';
import { timeLimitedResolver } from './mail-gateway/sender-checks/mail-auth';
import { cleanSpool } from './mail-gateway/spool/spool';
import { createLogger, setLogLevel } from './log';

const log = createLogger('main');

type Part = 'gateway' | 'web';

function partsFromArgs(argv: string[]): Part[] {
  const index = argv.indexOf('--only');
  if (index === -1) return ['gateway', 'web'];
  const part = argv[index + 1];
  if (part !== 'gateway' && part !== 'web') throw new ConfigError('--only cần "gateway" hoặc "web" / --only takes "gateway" or "web"');
  return [part];
}

async function main(): Promise<void> {
  const config = loadConfig();
  setLogLevel(config.logLevel);
  const parts = partsFromArgs(process.argv.slice(2));
  const closers: Array<() => Promise<void>> = [];
  let db: Awaited<ReturnType<typeof openPreparedDatabase>> | null = null;
  // Handlers first: a stop request at any moment of the start still closes everything in order.
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('STOPPING', 'shutting down', { signal });
    await Promise.allSettled(closers.map((close) => close()));
    await db?.destroy();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  db = await openPreparedDatabase(config);
  if (parts.includes('gateway')) {
    const leftovers = cleanSpool(config.dataDir);
    if (leftovers) log.warn('SPOOL_CLEANED', 'removed partial messages of an interrupted run (never acknowledged)', { count: leftovers });
    const intakeContext = { db, config, resolver: timeLimitedResolver(config.dnsTimeoutMs) };
    const smtp = await startSmtp(intakeContext);
    closers.push(smtp.close);
    if (config.imapUrls.length) {
      const imap = startImapIntake(intakeContext);
      closers.push(imap.stop);
    }
  }
  if (parts.includes('web')) {
    const web = await startWeb(db, config);
    closers.push(web.close);
    // Reminders to units that have not opened or answered; each slot is claimed in the database, so several
    // web processes on one database remind once.
    const reminders = startReminderJob(db, config);
    closers.push(reminders.stop);
    // The quarterly statistics report (Điều 11); processes on one database generate each quarter once.
    const reports = startQuarterlyReportJob(db, config);
    closers.push(reports.stop);
  }
  // The sender of the outbox runs with either part: the gateway queues notices, the website invitation mail.
  // Rows are leased, so a gateway and a web process on one database never send the same mail twice.
  const outbox = startOutboxWorker(db, config, { renderers: { [INVITATION_RENDERER]: invitationMailRenderer(db, config) } });
  closers.push(outbox.stop);
  log.info('READY', 'product started', { parts: parts.join(',') });
}

main().catch((err: unknown) => {
  const known = err instanceof StartupError || err instanceof ConfigError;
  const listenError = (err as NodeJS.ErrnoException)?.code === 'EADDRINUSE' || (err as NodeJS.ErrnoException)?.code === 'EACCES';
  const message = known || listenError ? (err as Error).message : `lỗi không lường trước / unexpected error: ${(err as Error)?.stack ?? err}`;
  process.stderr.write(`moihop: không khởi động được / cannot start: ${message}\n`);
  process.exit(1);
});
