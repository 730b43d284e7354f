// The IMAP intake: one worker per configured mailbox (IMAP_URL), all feeding the shared intake pipeline.
import crypto from 'node:crypto';
import os from 'node:os';
import type { IntakeContext } from '../intake/pipeline';
import { parseMailboxUrls } from './mailbox-url';
import { MailboxStatus, MailboxWorker, WorkerOptions } from './worker';
import { createLogger } from '../../log';

const log = createLogger('imap');

export interface ImapIntake {
  statuses(): MailboxStatus[];
  stop(): Promise<void>;
}

/** Names this process in the mailbox leases: readable in the status, unique across restarts. */
export function leaseOwner(): string {
  return `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString('hex')}`;
}

export function startImapIntake(ctx: IntakeContext, options: Partial<WorkerOptions> = {}): ImapIntake {
  const owner = options.owner ?? leaseOwner();
  const workers = parseMailboxUrls(ctx.config.imapUrls).map((spec) => new MailboxWorker(ctx, spec, { ...options, owner }));
  for (const worker of workers) worker.start();
  log.info('IMAP_STARTED', 'IMAP intake started', { mailboxes: workers.map((w) => w.status.mailbox).join(','), owner });
  return {
    statuses: () => workers.map((w) => ({ ...w.status })),
    stop: async () => {
      await Promise.all(workers.map((w) => w.stop()));
    },
  };
}
