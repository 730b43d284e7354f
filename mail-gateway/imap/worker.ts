// One mailbox picked up over IMAP: connect → claim the mailbox (database lease) → select → check UIDVALIDITY
// → every message with a UID above the last processed one, in UID order: spool it, run the shared intake
// pipeline (its commit is the registration), then move it to Processed/Refused, then record its UID.
// The move after the commit gives exactly-once together with the pipeline's duplicate rule: a crash between
// the two leaves the message in place, and fetching it again is recognised as a duplicate and only moved.
// Then IDLE (or polling without IDLE) until something new arrives; any drop: reconnect with backoff.
import { ImapFlow } from 'imapflow';
import { processIncoming, IntakeContext, IntakeOutcome } from '../intake/pipeline';
import { spoolMessage, MessageTooLargeError, SpooledMessage } from '../spool/spool';
import { findDeliveryByContent } from '../../db/register/repository';
import * as mailboxes from '../../db/imap/repository';
import { readImapEnvelope } from './envelope';
import { processAnswerMail } from '../answers/answer-mail';
import { parseReplyAddress } from '../answers/reply-address';
import { reconnectDelay } from './backoff';
import type { MailboxSpec } from './mailbox-url';
import { createLogger } from '../../log';

const log = createLogger('imap');

/** With IDLE, a check at least this often anyway (servers end an IDLE after 30 minutes at most). */
const IDLE_RESTART_MS = 10 * 60 * 1000;
/** UIDs whose INTERNALDATE is fetched in one command. */
const METADATA_BATCH = 200;
/** Messages downloaded and spooled ahead of the one being registered. */
const PREFETCH = 2;
/** The last processed UID is written at most this often (and at the end of every pass). */
const PROGRESS_EVERY_MS = 1000;
/** Messages up to this size are downloaded with one FETCH. */
const MAX_SINGLE_FETCH_BYTES = 8 * 1024 * 1024;
/** Partial FETCH size of a message download: large enough for few round trips, small enough to stream. */
const DOWNLOAD_CHUNK_BYTES = 1024 * 1024;

export interface MailboxStatus {
  mailbox: string;
  connected: boolean;
  /** True while another gateway process holds the mailbox's lease: this one waits. */
  standby: boolean;
  lastSyncAt: Date | null;
  lastUid: number | null;
  uidValidity: bigint | null;
  backlog: number | null;
  lastError: string | null;
}

export interface WorkerOptions {
  /** Identifies this process in the lease (host, pid, a random part). */
  owner: string;
  /**
   * Runs after a message is committed to the register and before it is moved on the server — only so the
   * tests can kill the intake exactly there.
   */
  afterCommit?: (uid: number, outcome: IntakeOutcome) => Promise<void> | void;
}

type SpoolResult = SpooledMessage | 'gone' | 'too-large';

class LeaseLostError extends Error {
  constructor(mailbox: string) {
    super(`mất quyền xử lý hộp thư / lost the lease of ${mailbox}`);
  }
}

export class MailboxWorker {
  readonly status: MailboxStatus;
  private stopping = false;
  private running: Promise<void> | null = null;
  private client: ImapFlow | null = null;
  private wakePending = false;
  private wakeIdle: (() => void) | null = null;
  private cancelSleep: (() => void) | null = null;
  private sessionWorked = false;

  constructor(private readonly ctx: IntakeContext, private readonly spec: MailboxSpec, private readonly options: WorkerOptions) {
    this.status = { mailbox: spec.key, connected: false, standby: false, lastSyncAt: null, lastUid: null, uidValidity: null, backlog: null, lastError: null };
  }

  start(): void {
    this.running ??= this.run();
  }

  /** Lets the message in hand finish, logs out and gives the lease back. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    this.cancelSleep?.();
    await this.running;
  }

  private get db() {
    return this.ctx.db;
  }

  private get config() {
    return this.ctx.config;
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (!this.stopping) {
      this.sessionWorked = false;
      let reached = false;
      try {
        reached = await this.session();
      } catch (err) {
        await this.noteError(err as Error);
      }
      if (this.stopping) break;
      // A connection that worked for a while and then dropped starts the backoff over.
      attempt = reached || this.sessionWorked ? 0 : attempt + 1;
      const delay = this.status.standby ? this.config.imapLeaseMs / 2 : reconnectDelay(attempt, this.config.imapReconnectMaxMs);
      log.debug('IMAP_RECONNECT_WAIT', 'waiting before reconnecting', { mailbox: this.spec.key, ms: delay });
      await this.sleep(delay);
    }
    await mailboxes.releaseLease(this.db, this.spec.key, this.options.owner).catch(() => undefined);
    this.status.connected = false;
  }

  /**
   * One connection, from claiming the mailbox to close; the claim is given back at the end, so that after a
   * drop another process may take over. Resolves true when it got as far as working the mailbox (or standing by).
   */
  private async session(): Promise<boolean> {
    // The lease first: a process standing by does not even connect.
    if (!(await mailboxes.acquireLease(this.db, this.spec.key, this.options.owner, this.config.imapLeaseMs))) {
      if (!this.status.standby) log.info('IMAP_STANDBY', 'another gateway process works this mailbox: standing by', { mailbox: this.spec.key });
      this.status.standby = true;
      return true;
    }
    this.status.standby = false;
    const client = new ImapFlow({
      host: this.spec.host,
      port: this.spec.port,
      secure: this.spec.secure,
      auth: { user: this.spec.user, pass: this.spec.pass },
      tls: { rejectUnauthorized: this.config.imapTlsRejectUnauthorized },
      logger: false,
      // IDLE is run by this worker itself, between passes, never in the middle of one.
      disableAutoIdle: true,
      connectionTimeout: 30_000,
      socketTimeout: Math.max(IDLE_RESTART_MS + 60_000, 5 * 60_000),
    });
    // imapflow emits 'error' at most once and then closes: recorded here, handled by the reconnect loop.
    client.on('error', (err: Error) => void this.noteError(err));
    client.on('close', () => this.wakeIdle?.());
    client.on('exists', () => this.wake());
    this.client = client;
    const leaseTimer = setInterval(() => void this.renewLease(client), Math.max(500, Math.floor(this.config.imapLeaseMs / 3)));
    try {
      await client.connect();
      if (this.stopping) return true;
      await this.ensureFolders(client);
      const opened = await client.mailboxOpen(this.spec.folder);
      this.status.connected = true;
      await mailboxes.recordStatus(this.db, this.spec.key, this.options.owner, { connected: true });
      this.sessionWorked = true;
      log.info('IMAP_CONNECTED', 'connected to the mailbox', { mailbox: this.spec.key, uidValidity: opened.uidValidity.toString(), exists: opened.exists, idle: client.capabilities.has('IDLE') });
      while (!this.stopping && client.usable) {
        await this.syncPass(client);
        if (this.stopping || !client.usable) break;
        await this.waitForNews(client);
      }
      if (!this.stopping) log.warn('IMAP_DISCONNECTED', 'connection to the mailbox closed', { mailbox: this.spec.key });
      return true;
    } catch (err) {
      if (this.sessionWorked) throw err;
      // Could not even connect: recorded while the lease still says whose attempt it was.
      await this.noteError(err as Error);
      return false;
    } finally {
      clearInterval(leaseTimer);
      this.client = null;
      this.wakeIdle = null;
      const wasConnected = this.status.connected;
      this.status.connected = false;
      if (wasConnected) await mailboxes.recordStatus(this.db, this.spec.key, this.options.owner, { connected: false }).catch(() => undefined);
      if (client.usable) await client.logout().catch(() => client.close());
      else client.close();
      await mailboxes.releaseLease(this.db, this.spec.key, this.options.owner).catch(() => undefined);
    }
  }

  private async renewLease(client: ImapFlow): Promise<void> {
    try {
      if (!(await mailboxes.renewLease(this.db, this.spec.key, this.options.owner, this.config.imapLeaseMs))) {
        log.warn('IMAP_LEASE_LOST', 'another gateway process took this mailbox over: disconnecting', { mailbox: this.spec.key });
        client.close();
      }
    } catch (err) {
      // The database is unreachable: the lease may run out; the next progress write will tell.
      log.warn('IMAP_LEASE_RENEW_FAILED', (err as Error).message, { mailbox: this.spec.key });
    }
  }

  private async ensureFolders(client: ImapFlow): Promise<void> {
    const existing = new Set((await client.list()).map((m) => m.path));
    for (const folder of [this.config.imapProcessedFolder, this.config.imapRefusedFolder]) {
      if (!existing.has(folder)) {
        await client.mailboxCreate(folder);
        log.info('IMAP_FOLDER_CREATED', 'created folder', { mailbox: this.spec.key, folder });
      }
    }
  }

  /** Checks UIDVALIDITY against the database; a change (or a first sight) starts over from UID 1. */
  private async currentProgress(client: ImapFlow): Promise<{ uidValidity: bigint; lastUid: number }> {
    const selected = client.mailbox;
    if (!selected) throw new Error(`hộp thư chưa được chọn / mailbox not selected: ${this.spec.folder}`);
    const state = await mailboxes.getMailbox(this.db, this.spec.key);
    if (state?.uidValidity === selected.uidValidity) return { uidValidity: selected.uidValidity, lastUid: state.lastUid };
    if (state?.uidValidity !== null && state?.uidValidity !== undefined) {
      // Every message still in the folder is fetched again: the ones already registered (moved away before the
      // change, or caught between commit and move) are recognised as duplicates and only moved.
      log.warn('IMAP_UIDVALIDITY_CHANGED', 'UIDVALIDITY changed: starting over from the first message', {
        mailbox: this.spec.key, before: state.uidValidity.toString(), now: selected.uidValidity.toString(),
      });
    }
    if (!(await mailboxes.resetUidValidity(this.db, this.spec.key, this.options.owner, selected.uidValidity))) throw new LeaseLostError(this.spec.key);
    return { uidValidity: selected.uidValidity, lastUid: 0 };
  }

  /** Every message above the last processed UID, in UID order. */
  private async syncPass(client: ImapFlow): Promise<void> {
    this.wakePending = false;
    let { uidValidity, lastUid } = await this.currentProgress(client);
    this.status.uidValidity = uidValidity;
    this.status.lastUid = lastUid;
    const found = (await client.search({ uid: `${lastUid + 1}:*` }, { uid: true })) || [];
    // `N:*` always includes the highest UID, even below N.
    const uids = found.filter((uid) => uid > lastUid).sort((a, b) => a - b);
    await this.setBacklog(uids.length);
    let recordedAt = Date.now();
    let unrecorded = false;
    const record = async (backlog: number) => {
      unrecorded = false;
      recordedAt = Date.now();
      if (!(await mailboxes.recordProgress(this.db, this.spec.key, this.options.owner, { uidValidity, lastUid, backlog }))) throw new LeaseLostError(this.spec.key);
    };
    // The move of one message runs while the next is registered; it is awaited before the next move starts.
    let moving: { uid: number; backlog: number; done: Promise<void> } | null = null;
    const settleMove = async () => {
      if (!moving) return;
      const { uid, backlog, done } = moving;
      moving = null;
      await done;
      lastUid = uid;
      this.status.lastUid = uid;
      this.status.backlog = backlog;
      unrecorded = true;
      // The recorded UID only saves a search: a message already moved is no longer found anyway.
      if (Date.now() - recordedAt >= PROGRESS_EVERY_MS) await record(backlog);
    };
    try {
      for (let start = 0; start < uids.length && !this.stopping; start += METADATA_BATCH) {
        const batch = uids.slice(start, start + METADATA_BATCH);
        const dates = new Map<number, Date>();
        const sizes = new Map<number, number>();
        for (const message of await client.fetchAll(batch.join(','), { uid: true, internalDate: true, size: true }, { uid: true })) {
          if (message.internalDate) dates.set(message.uid, new Date(message.internalDate));
          if (message.size) sizes.set(message.uid, message.size);
        }
        const spooling = new Map<number, Promise<SpoolResult>>();
        for (const [index, uid] of batch.entries()) {
          if (this.stopping) return;
          if (client.mailbox && client.mailbox.uidValidity !== uidValidity) return; // re-selected with a new UIDVALIDITY: next pass
          // The next messages download and spool while this one is verified and registered; registration,
          // move and progress stay strictly in UID order.
          for (const ahead of batch.slice(index, index + 1 + PREFETCH)) {
            if (spooling.has(ahead)) continue;
            const spooled = this.spool(client, ahead, dates.get(ahead) ?? new Date(), sizes.get(ahead));
            spooled.catch(() => undefined); // awaited in its turn; a failure then ends the pass
            spooling.set(ahead, spooled);
          }
          const spooled = await spooling.get(uid)!;
          spooling.delete(uid);
          const { moved } = await this.processMessage(client, uid, spooled, dates.get(uid) ?? new Date());
          moved.catch(() => undefined); // awaited by settleMove
          await settleMove();
          moving = { uid, backlog: uids.length - (start + index + 1), done: moved };
        }
      }
      await settleMove();
    } finally {
      await settleMove().catch(() => undefined);
      if (unrecorded) await record(this.status.backlog ?? 0).catch(() => undefined);
    }
    this.status.lastSyncAt = new Date();
    await mailboxes.recordStatus(this.db, this.spec.key, this.options.owner, { lastSyncAt: this.status.lastSyncAt, backlog: this.status.backlog ?? 0, lastError: null });
    this.status.lastError = null;
  }

  private async setBacklog(backlog: number): Promise<void> {
    this.status.backlog = backlog;
    await mailboxes.recordStatus(this.db, this.spec.key, this.options.owner, { backlog });
  }

  private async spool(client: ImapFlow, uid: number, receivedAt: Date, size?: number): Promise<SpoolResult> {
    // One FETCH for a message up to a few MB (a chunk larger than the message ends the download at once).
    const chunkSize = size && size < MAX_SINGLE_FETCH_BYTES ? size + 1 : DOWNLOAD_CHUNK_BYTES;
    const download = await client.download(String(uid), undefined, { uid: true, chunkSize });
    if (!download.content) return 'gone';
    try {
      return await spoolMessage(download.content, this.config.dataDir, this.config.smtpMaxMessageBytes, receivedAt);
    } catch (err) {
      if (err instanceof MessageTooLargeError) return 'too-large';
      throw err;
    }
  }

  /**
   * Registers one message and, once the registration is committed, starts its move; resolves when the move is
   * under way (wrapped: an async function would otherwise wait for the move itself).
   */
  private async processMessage(client: ImapFlow, uid: number, spooled: SpoolResult, receivedAt: Date): Promise<{ moved: Promise<void> }> {
    if (spooled === 'gone') {
      log.info('IMAP_MESSAGE_GONE', 'message removed from the mailbox before it could be fetched', { mailbox: this.spec.key, uid });
      return { moved: Promise.resolve() };
    }
    if (spooled === 'too-large') {
      // Not registered, not lost: it stays on the server, in the refused folder, for a clerk to look at.
      log.warn('IMAP_MESSAGE_TOO_LARGE', 'message larger than SMTP_MAX_MESSAGE_BYTES: moved to the refused folder unregistered', { mailbox: this.spec.key, uid });
      return { moved: this.move(client, uid, this.config.imapRefusedFolder) };
    }
    const envelope = readImapEnvelope(spooled.absolutePath, this.spec.host);
    const replyRecipients = envelope.recipients.filter((address) => parseReplyAddress(this.config, address) !== null);
    if (replyRecipients.length) {
      // A reply to an invitation (the mailbox also receives the reply address): an answer, never registered.
      const answer = await processAnswerMail(this.ctx, {
        mailFrom: envelope.mailFrom, rcptTo: replyRecipients, clientIp: envelope.clientIp, helo: envelope.helo, intake: 'imap', receivedAt,
      }, spooled);
      const official = envelope.recipients.some((address) => this.config.gatewayAddresses.includes(address));
      if (!official) {
        const moved = this.move(client, uid, this.config.imapProcessedFolder).then(() => {
          log.info('IMAP_ANSWER_DONE', 'reply to an invitation handled and moved', { mailbox: this.spec.key, uid, outcome: answer.outcome, answerMail: answer.id });
        });
        return { moved };
      }
    }
    const outcome = await this.register(envelope, spooled, receivedAt);
    await this.options.afterCommit?.(uid, outcome);
    // A duplicate goes where its first registration went.
    const moved = this.move(client, uid, outcome.soDen === null ? this.config.imapRefusedFolder : this.config.imapProcessedFolder).then(() => {
      log.info('IMAP_MESSAGE_DONE', outcome.kind === 'duplicate' ? 'message already registered: moved' : 'message processed and moved', {
        mailbox: this.spec.key, uid, id: outcome.id, kind: outcome.kind, soDen: outcome.soDen ?? undefined,
      });
    });
    return { moved };
  }

  private async register(envelope: ReturnType<typeof readImapEnvelope>, spooled: SpooledMessage, receivedAt: Date): Promise<IntakeOutcome> {
    if (!envelope.hasMessageId) {
      const earlier = await findDeliveryByContent(this.db, { intake: 'imap', envelopeFrom: envelope.mailFrom, contentSha256: spooled.sha256 });
      if (earlier) return { kind: 'duplicate', id: earlier.id, soDen: earlier.soDen, year: earlier.year, reasons: [] };
    }
    return processIncoming(this.ctx, {
      mailFrom: envelope.mailFrom,
      rcptTo: this.spec.user.includes('@') ? [this.spec.user.toLowerCase()] : [],
      clientIp: envelope.clientIp,
      helo: envelope.helo,
      intake: 'imap',
      receivedAt,
    }, spooled);
  }

  private async move(client: ImapFlow, uid: number, folder: string): Promise<void> {
    const moved = await client.messageMove(String(uid), folder, { uid: true });
    if (!moved) throw new Error(`không chuyển được thư UID ${uid} sang ${folder} / could not move UID ${uid} to ${folder}`);
  }

  private async waitForNews(client: ImapFlow): Promise<void> {
    if (this.wakePending) return;
    const hasIdle = client.capabilities.has('IDLE');
    const timer = setTimeout(() => this.wake(), hasIdle ? Math.max(IDLE_RESTART_MS, this.config.imapPollMs) : this.config.imapPollMs);
    try {
      if (hasIdle) {
        // idle() returns once another command breaks it: wake() sends a NOOP.
        this.wakeIdle = () => void client.noop().catch(() => undefined);
        if (this.wakePending) return;
        await client.idle();
      } else {
        await new Promise<void>((resolve) => {
          this.wakeIdle = resolve;
          if (this.wakePending) resolve();
        });
        await client.noop();
      }
    } finally {
      clearTimeout(timer);
      this.wakeIdle = null;
    }
  }

  /** Something may have arrived (EXISTS, the timer, a stop): run a pass as soon as the current step ends. */
  private wake(): void {
    this.wakePending = true;
    this.wakeIdle?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.cancelSleep = done;
    }).then(() => {
      this.cancelSleep = null;
    });
  }

  private async noteError(err: Error): Promise<void> {
    const code = (err as NodeJS.ErrnoException).code;
    const message = `${code && !err.message.includes(code) ? `${code}: ` : ''}${err.message}`;
    this.status.lastError = message;
    log.warn('IMAP_ERROR', message, { mailbox: this.spec.key });
    try {
      // Written under our lease, or else only while nobody holds one (a standby must not overwrite the worker's).
      await mailboxes.recordStatus(this.db, this.spec.key, this.options.owner, { lastError: message });
      await mailboxes.recordErrorWithoutLease(this.db, this.spec.key, message);
    } catch {
      // the database is down as well: the in-memory status and the log still tell
    }
  }
}
