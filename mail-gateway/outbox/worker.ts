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
import { ClaimedMail, claimDueMails, MailOutcome, recordOutcomes } from '../../db/outbox/repository';
import { MailRenderers, messageOf } from './renderers';

const log = createLogger('outbox');

const MINUTE = 60_000;
/** Waits after the 1st, 2nd, … failed attempt; the last one repeats until OUTBOX_MAX_ATTEMPTS. */
export const RETRY_DELAYS_MS = [1 * MINUTE, 5 * MINUTE, 15 * MINUTE, 60 * MINUTE, 240 * MINUTE];

export function retryDelayMs(failedAttempts: number): number {
  return RETRY_DELAYS_MS[Math.min(Math.max(failedAttempts, 1), RETRY_DELAYS_MS.length) - 1];
}

/** Longer than the worst case of one batch (connect + greeting + socket timeouts for every message). */
const DEFAULT_LEASE_MS = 10 * MINUTE;

export interface OutboxWorkerOptions {
  /** The clock; tests move it instead of sleeping. */
  now?: () => Date;
  /** Name of this sender in claimed_by (default host:pid). */
  owner?: string;
  /** Default: OUTBOX_BATCH_SIZE. */
  batchSize?: number;
  leaseMs?: number;
  /** false: no timer, only drainOnce() sends (tests). */
  autoPoll?: boolean;
  /** Builders of the mail queued with a render spec (invitation mail), by renderer name. */
  renderers?: MailRenderers;
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

/** The relay client: nodemailer's SMTP pool (benchmarks send through the same settings). */
export function createRelayTransport(config: Config) {
  const pool = new SMTPPool({
    url: config.outboundSmtpUrl!,
    pool: true,
    maxConnections: config.outboxMaxConnections,
    name: config.smtpBannerName,
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 60_000,
  });
  return nodemailer.createTransport(pool);
}

const wakers = new Set<() => void>();

/**
 * Tells the sender workers of this process that mail was committed to the outbox (an invitation published to
 * 128 units goes out at once, not after OUTBOX_POLL_MS). Workers of other processes find it at their next poll.
 */
export function wakeOutboxWorkers(): void {
  for (const wake of wakers) wake();
}

export function startOutboxWorker(db: Knex, config: Config, options: OutboxWorkerOptions = {}): OutboxWorker {
  const now = options.now ?? (() => new Date());
  const owner = options.owner ?? `${os.hostname()}:${process.pid}`;
  const batchSize = options.batchSize ?? config.outboxBatchSize;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const renderers = options.renderers ?? {};
  const transport = config.outboundSmtpUrl ? createRelayTransport(config) : null;
  let noRelayLogged = false;
  let stopping = false;
  let timer: NodeJS.Timeout | null = null;
  // Runs are chained so that one process never has two runs at once.
  let current: Promise<number> = Promise.resolve(0);

  async function send(mail: ClaimedMail, raw: string): Promise<RelayOutcome> {
    try {
      const info = await transport!.sendMail({ envelope: { from: mail.sender, to: [mail.recipient] }, raw });
      return { kind: 'sent', reply: String(info.response ?? '') };
    } catch (error) {
      return classifyRelayError(error);
    }
  }

  /** Builds and sends one mail; what became of it is recorded with the rest of its batch. */
  async function attempt(mail: ClaimedMail): Promise<MailOutcome> {
    const claim = { id: mail.id, claimedBy: mail.claimedBy };
    let raw: string;
    try {
      raw = await messageOf(mail, renderers, now());
    } catch (err) {
      // A message that cannot be built now will not build on a retry either: the clerk sees why and resends.
      log.error('OUTBOX_RENDER_FAILED', 'Không dựng được thư để gửi', { id: mail.id, kind: mail.kind, error: (err as Error).message });
      return { ...claim, result: 'failed', error: `Không dựng được thư / cannot build the message: ${(err as Error).message}` };
    }
    const outcome = await send(mail, raw);
    const fields = { id: mail.id, kind: mail.kind, to: mail.recipient, attempt: mail.attempts, reply: outcome.reply };
    if (outcome.kind === 'sent') {
      log.info('OUTBOX_SENT', 'Đã gửi thư', fields);
      return { ...claim, result: 'sent', relayResponse: outcome.reply, at: now() };
    }
    if (outcome.kind === 'permanent' || mail.attempts >= config.outboxMaxAttempts) {
      log.warn('OUTBOX_FAILED', 'Gửi thư thất bại, chờ gửi lại thủ công', fields);
      return { ...claim, result: 'failed', error: outcome.reply };
    }
    const next = new Date(now().getTime() + retryDelayMs(mail.attempts));
    log.info('OUTBOX_RETRY', 'Máy chủ chuyển tiếp chưa nhận thư, sẽ gửi lại', { ...fields, next: formatIsoVietnam(next) });
    return { ...claim, result: 'retry', error: outcome.reply, nextAttemptAt: next };
  }

  /**
   * Sends a claimed batch (the pool spreads it over its connections), then records every outcome in one commit
   * rather than one per mail. A crash before that commit leaves the batch leased: it is sent again once the lease
   * runs out (at least once, as before).
   */
  async function deliverBatch(batch: ClaimedMail[]): Promise<void> {
    const outcomes = (await Promise.all(batch.map((mail) => attempt(mail).catch((err: unknown) => {
      log.error('OUTBOX_ERROR', 'Lỗi khi gửi thư', { id: mail.id, error: (err as Error).message });
      return null;
    })))).filter((outcome): outcome is MailOutcome => outcome !== null);
    let held: boolean[];
    try {
      held = await recordOutcomes(db, outcomes);
    } catch (err) {
      log.error('OUTBOX_RECORD_ERROR', 'Không ghi được kết quả gửi thư', { ids: outcomes.map((o) => o.id).join(','), error: (err as Error).message });
      return;
    }
    held.forEach((recorded, i) => {
      if (!recorded) log.warn('OUTBOX_LEASE_LOST', 'Hết hạn giữ thư trước khi ghi kết quả; thư có thể được gửi lại', { id: outcomes[i].id, owner });
    });
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
    // Two batches in hand at most: the next one is claimed and built while the one before it is still with the
    // relay, so the connections never wait for a claim or a commit; the pool sends them in claim order.
    let previous: Promise<void> = Promise.resolve();
    try {
      while (!stopping) {
        const token = `${owner}:${crypto.randomBytes(4).toString('hex')}`;
        const batch = await claimDueMails(db, { token, limit: batchSize, leaseMs, now: now() });
        if (batch.length === 0) break;
        const current = deliverBatch(batch);
        await previous;
        previous = current;
        handled += batch.length;
      }
    } finally {
      await previous;
    }
    return handled;
  }

  function drainOnce(): Promise<number> {
    const next = current.catch(() => 0).then(run);
    current = next;
    return next;
  }

  let wakeWanted = false;

  function schedule(delayMs: number): void {
    if (stopping) return;
    timer = setTimeout(() => {
      timer = null;
      drainOnce()
        .catch((err) => log.error('OUTBOX_ERROR', 'Lỗi khi xử lý hàng đợi thư đi', { error: (err as Error).message }))
        .finally(() => {
          const delay = wakeWanted ? 0 : config.outboxPollMs;
          wakeWanted = false;
          schedule(delay);
        });
    }, delayMs);
    // The worker alone does not keep a process alive; the servers or a script's own drainOnce() do.
    timer.unref();
  }

  /** Mail was just queued in this process: send now rather than at the next poll. */
  function wake(): void {
    if (stopping) return;
    if (timer) {
      clearTimeout(timer);
      schedule(0);
    } else {
      wakeWanted = true; // a run is under way: another one right after it
    }
  }

  if (options.autoPoll !== false) {
    schedule(0);
    wakers.add(wake);
  }

  return {
    drainOnce,
    async stop() {
      stopping = true;
      wakers.delete(wake);
      if (timer) clearTimeout(timer);
      timer = null;
      await current.catch(() => 0);
      transport?.close();
    },
  };
}
