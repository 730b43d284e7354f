// A fast SMTP sink for benchmarks, in a child process of its own (as a real relay would be): smtp-server that
// drains DATA, counts what it accepted (messages, bytes, distinct recipients) and notes when it accepted each
// (process.hrtime, CLOCK_MONOTONIC: the same clock in the benchmark process). Keeps the first message of each
// round so the benchmark can check what was sent. Driven over the IPC channel:
//   parent → { type: 'reset' }            a new round: counters to zero         → { type: 'reset' }
//   parent → { type: 'wait', n }          answer once n messages were accepted  → { type: 'reached', … }
//   parent → { type: 'status' }           the counters now                      → { type: 'status', … }
// Nothing here is the product: it stands in for the outbound relay (OUTBOUND_SMTP_URL).
import { fork, ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** The counters of one round, as the sink reports them. */
export interface SinkRound {
  accepted: number;
  bytes: number;
  /** Distinct RCPT TO addresses, and RCPT TO addresses seen more than once. */
  recipients: number;
  duplicates: number;
  /** process.hrtime.bigint() (as text) when the first / last message of the round was accepted. */
  firstAt: string | null;
  lastAt: string | null;
  /** The first message of the round, as received (for checks). */
  sample: string | null;
  /** Peak resident memory of the sink process, bytes. */
  peakRss: number;
}

type SinkReply = (SinkRound & { type: 'reached' | 'status' | 'reset' }) | { type: 'listening'; port: number };

// ---- the child ------------------------------------------------------------------------------------------

function runSink(): void {
  let round: SinkRound;
  let seen: Map<string, number>;
  let waiting: number | null = null;
  const reset = () => {
    round = { accepted: 0, bytes: 0, recipients: 0, duplicates: 0, firstAt: null, lastAt: null, sample: null, peakRss: 0 };
    seen = new Map();
  };
  reset();
  const report = (type: 'reached' | 'status' | 'reset') => {
    process.send!({ type, ...round, peakRss: process.resourceUsage().maxRSS * 1024 });
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    hideSTARTTLS: true,
    disableReverseLookup: true,
    logger: false,
    size: 100 * 1024 * 1024,
    maxClients: 200,
    closeTimeout: 200,
    onData(stream, session, callback) {
      const keep = round.sample === null && round.accepted === 0;
      const chunks: Buffer[] = [];
      let bytes = 0;
      stream.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (keep) chunks.push(chunk);
      });
      stream.on('end', () => {
        const now = process.hrtime.bigint().toString();
        round.accepted += 1;
        round.bytes += bytes;
        round.firstAt ??= now;
        round.lastAt = now;
        if (keep && round.sample === null) round.sample = Buffer.concat(chunks).toString('utf8');
        for (const rcpt of session.envelope.rcptTo) {
          const address = rcpt.address.toLowerCase();
          const times = seen.get(address) ?? 0;
          if (times === 0) round.recipients += 1;
          else if (times === 1) round.duplicates += 1;
          seen.set(address, times + 1);
        }
        callback();
        if (waiting !== null && round.accepted >= waiting) {
          waiting = null;
          report('reached');
        }
      });
    },
  });
  server.on('error', (err) => process.stderr.write(`bench sink: ${err.message}\n`));
  process.on('message', (message: { type: string; n?: number }) => {
    if (message.type === 'reset') {
      reset();
      waiting = null;
      report('reset');
    } else if (message.type === 'status') {
      report('status');
    } else if (message.type === 'wait') {
      if (round.accepted >= message.n!) report('reached');
      else waiting = message.n!;
    }
  });
  process.on('disconnect', () => server.close(() => process.exit(0)));
  server.listen(0, '127.0.0.1', () => {
    process.send!({ type: 'listening', port: (server.server.address() as AddressInfo).port });
  });
}

// ---- the parent's handle ---------------------------------------------------------------------------------

export interface BenchSink {
  pid: number;
  port: number;
  url: string;
  /** Starts a new round (counters to zero). */
  reset(): Promise<SinkRound>;
  /** Resolves when the round reached n accepted messages. */
  waitFor(n: number): Promise<SinkRound>;
  status(): Promise<SinkRound>;
  stop(): Promise<void>;
}

export function startBenchSink(): Promise<BenchSink> {
  const child: ChildProcess = fork(__filename, ['--bench-sink'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending: Array<{ type: string; resolve: (round: SinkRound) => void }> = [];
  const ask = (message: { type: string; n?: number }, answer: string) => new Promise<SinkRound>((resolve, reject) => {
    if (!child.connected) return reject(new Error('the sink process is gone'));
    pending.push({ type: answer, resolve });
    child.send(message);
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the sink process exited with ${code}`)));
    child.on('message', (reply: SinkReply) => {
      if (reply.type === 'listening') {
        const port = reply.port;
        resolve({
          pid: child.pid!,
          port,
          url: `smtp://127.0.0.1:${port}`,
          reset: () => ask({ type: 'reset' }, 'reset'),
          waitFor: (n) => ask({ type: 'wait', n }, 'reached'),
          status: () => ask({ type: 'status' }, 'status'),
          stop: () => new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', () => done());
            child.disconnect();
          }),
        });
        return;
      }
      const index = pending.findIndex((p) => p.type === reply.type);
      if (index !== -1) pending.splice(index, 1)[0].resolve(reply);
    });
  });
}

if (require.main === module && process.argv.includes('--bench-sink')) runSink();
