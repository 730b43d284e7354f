// The sender worker: takes due rows of the outbox and hands each, byte for byte, to the relay (OUTBOUND_SMTP_URL).
// A relay outage only delays mail: a 4xx reply or a broken connection retries with backoff; a 5xx reply, or
// OUTBOX_MAX_ATTEMPTS attempts, marks the row failed with the relay's reply so a clerk can see it and resend.
import crypto from 'node:crypto';
import os from 'node:os';
import type { Knex } from 'knex';
import nodemailer from 'nodemailer';
import SMTPPool from 'nodemailer/lib/smtp-pool';
import type { Config } from '../../config';
import { createLogger } from '../../log';
import { formatIsoVietnam } from '../../db/time';
import { ClaimedMail, claimDueMails, markFailed, markRetry, markSent } from '../../db/outbox/repository';

const log = createLogger('outbox');

const MINUTE = 60_000;
/** Waits after the 1st, 2nd, … failed attempt; the last one repeats until OUTBOX_MAX_ATTEMPTS. */
export const RETRY_DELAYS_MS = [1 * MINUTE, 5 * MINUTE, 15 * MINUTE, 60 * MINUTE, 240 * MINUTE];

export function retryDelayMs(failedAttempts: number): number {
  return RETRY_DELAYS_MS[Math.min(Math.max(failedAttempts, 1), RETRY_DELAYS_MS.length) - 1];
}

/** Longer than the worst case of one batch (connect + greeting + socket timeouts for every message). */
const DEFAULT_LEASE_MS = 10 * MINUTE;
const DEFAULT_BATCH_SIZE = 10;

export interface OutboxWorkerOptions {
  /** The clock; tests move it instead of sleeping. */
  now?: () => Date;
  /** Name of this sender in claimed_by (default host:pid). */
  owner?: string;
  batchSize?: number;
  leaseMs?: number;
  /** false: no timer, only drainOnce() sends (tests). */
  autoPoll?: boolean;
}

export interface OutboxWorker {
  stop(): Promise<void>;
  /** Sends everything due now; resolves with the number of rows it handled (sent, retried or failed). */
  drainOnce(): Promise<number>;
}

interface RelayOutcome {
  kind: 'sent' | 'temporary' | 'permanent';
  reply: string;
}

interface SmtpError extends Error {
  code?: string;
  command?: string;
  response?: string;
  responseCode?: number;
}

/** Reads nodemailer's error: a 5xx reply, or a message nodemailer itself refuses to send, will never succeed. */
export function classifyRelayError(error: unknown): RelayOutcome {
  const err = error as SmtpError;
  const reply = (err.response || [err.code, err.message].filter(Boolean).join(' ') || String(error)).trim();
  const permanent = (err.responseCode !== undefined && err.responseCode >= 500) ||
    (err.command === 'API' && (err.code === 'EENVELOPE' || err.code === 'EMESSAGE'));
  return { kind: permanent ? 'permanent' : 'temporary', reply };
}

function createRelayTransport(config: Config) {
  const pool = new SMTPPool({
    url: config.outboundSmtpUrl!,
    pool: true,
    maxConnections: 3,
    name: config.smtpBannerName,
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 60_000,
  });
  return nodemailer.createTransport(pool);
}

export function startOutboxWorker(db: Knex, config: Config, options: OutboxWorkerOptions = {}): OutboxWorker {
  const now = options.now ?? (() => new Date());
  const owner = options.owner ?? `${os.hostname()}:${process.pid}`;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const transport = config.outboundSmtpUrl ? createRelayTransport(config) : null;
  let noRelayLogged = false;
  let stopping = false;
  let timer: NodeJS.Timeout | null = null;
  // Runs are chained so that one process never has two runs at once.
  let current: Promise<number> = Promise.resolve(0);

  async function send(mail: ClaimedMail): Promise<RelayOutcome> {
    try {
      const info = await transport!.sendMail({ envelope: { from: mail.sender, to: [mail.recipient] }, raw: mail.rawMessage });
      return { kind: 'sent', reply: String(info.response ?? '') };
    } catch (error) {
      return classifyRelayError(error);
    }
  }

  async function deliver(mail: ClaimedMail): Promise<void> {
    const outcome = await send(mail);
    const fields = { id: mail.id, kind: mail.kind, to: mail.recipient, attempt: mail.attempts, reply: outcome.reply };
    let recorded: boolean;
    if (outcome.kind === 'sent') {
      recorded = await markSent(db, mail, outcome.reply, now());
      log.info('OUTBOX_SENT', 'Đã gửi thư', fields);
    } else if (outcome.kind === 'permanent' || mail.attempts >= config.outboxMaxAttempts) {
      recorded = await markFailed(db, mail, outcome.reply);
      log.warn('OUTBOX_FAILED', 'Gửi thư thất bại, chờ gửi lại thủ công', fields);
    } else {
      const next = new Date(now().getTime() + retryDelayMs(mail.attempts));
      recorded = await markRetry(db, mail, outcome.reply, next);
      log.info('OUTBOX_RETRY', 'Máy chủ chuyển tiếp chưa nhận thư, sẽ gửi lại', { ...fields, next: formatIsoVietnam(next) });
    }
    if (!recorded) {
      log.warn('OUTBOX_LEASE_LOST', 'Hết hạn giữ thư trước khi ghi kết quả; thư có thể được gửi lại', { id: mail.id, owner });
    }
  }

  async function run(): Promise<number> {
    if (!transport) {
      if (!noRelayLogged) {
        log.warn('OUTBOX_NO_RELAY', 'Chưa cấu hình OUTBOUND_SMTP_URL: thư chờ trong hàng đợi, chưa gửi đi');
        noRelayLogged = true;
      }
      return 0;
    }
    let handled = 0;
    while (!stopping) {
      const token = `${owner}:${crypto.randomBytes(4).toString('hex')}`;
      const batch = await claimDueMails(db, { token, limit: batchSize, leaseMs, now: now() });
      if (batch.length === 0) break;
      await Promise.all(batch.map((mail) => deliver(mail).catch((err) => {
        log.error('OUTBOX_RECORD_ERROR', 'Không ghi được kết quả gửi thư', { id: mail.id, error: (err as Error).message });
      })));
      handled += batch.length;
    }
    return handled;
  }

  function drainOnce(): Promise<number> {
    const next = current.catch(() => 0).then(run);
    current = next;
    return next;
  }

  function schedule(delayMs: number): void {
    if (stopping) return;
    timer = setTimeout(() => {
      timer = null;
      drainOnce()
        .catch((err) => log.error('OUTBOX_ERROR', 'Lỗi khi xử lý hàng đợi thư đi', { error: (err as Error).message }))
        .finally(() => schedule(config.outboxPollMs));
    }, delayMs);
    // The worker alone does not keep a process alive; the servers or a script's own drainOnce() do.
    timer.unref();
  }

  if (options.autoPoll !== false) schedule(0);

  return {
    drainOnce,
    async stop() {
      stopping = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await current.catch(() => 0);
      transport?.close();
    },
  };
}
