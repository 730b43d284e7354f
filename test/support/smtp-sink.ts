// A real SMTP server standing in for the outbound relay: accepts anything (no auth, no TLS), records the
// envelope and the raw message, parses it with mailparser; or answers every message with a chosen failure.
import type { AddressInfo } from 'node:net';
import { SMTPServer, SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import { ParsedMail, simpleParser } from 'mailparser';

export interface SinkFailure {
  /** SMTP reply code, e.g. 451 (try later) or 550 (refused). */
  code: number;
  /** Reply text after the code, e.g. `5.1.1 Mailbox unavailable`. */
  message: string;
}

export interface SinkEnvelope {
  /** MAIL FROM address; '' for the null sender <>. */
  from: string;
  to: string[];
}

export interface SinkMessage {
  envelope: SinkEnvelope;
  raw: Buffer;
  parsed: ParsedMail;
}

export interface SmtpSink {
  port: number;
  url: string;
  messages: SinkMessage[];
  /** Messages answered with the failure, in order. */
  refused: Array<{ envelope: SinkEnvelope; code: number }>;
  /** Resolves once `n` messages have arrived. */
  waitFor(n: number, timeoutMs?: number): Promise<SinkMessage[]>;
  setFailure(failure: SinkFailure | null): void;
  close(): Promise<void>;
}

export interface SmtpSinkOptions {
  failWith?: SinkFailure | null;
  /** Listen on this port (to bring a relay back up where it was); default any free port. */
  port?: number;
}

function readAll(stream: SMTPServerDataStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

function envelopeOf(session: SMTPServerSession): SinkEnvelope {
  const from = session.envelope.mailFrom;
  return { from: from ? from.address : '', to: session.envelope.rcptTo.map((r) => r.address) };
}

export function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  let failure = options.failWith ?? null;
  const messages: SinkMessage[] = [];
  const refused: SmtpSink['refused'] = [];
  const waiters: Array<() => void> = [];

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    hideSTARTTLS: true,
    logger: false,
    closeTimeout: 200,
    onData(stream, session, callback) {
      readAll(stream).then(async (raw) => {
        const envelope = envelopeOf(session);
        if (failure) {
          refused.push({ envelope, code: failure.code });
          const error = new Error(failure.message) as Error & { responseCode: number };
          error.responseCode = failure.code;
          return callback(error);
        }
        messages.push({ envelope, raw, parsed: await simpleParser(raw) });
        for (const wake of waiters.splice(0)) wake();
        callback();
      }).catch((err: Error) => callback(err));
    },
  });

  function waitFor(n: number, timeoutMs = 10_000): Promise<SinkMessage[]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`SMTP sink: ${messages.length} of ${n} messages after ${timeoutMs} ms`)), timeoutMs);
      const check = () => {
        if (messages.length >= n) {
          clearTimeout(timer);
          resolve(messages);
        } else {
          waiters.push(check);
        }
      };
      check();
    });
  }

  return new Promise((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      const port = (server.server.address() as AddressInfo).port;
      resolve({
        port,
        url: `smtp://127.0.0.1:${port}`,
        messages,
        refused,
        waitFor,
        setFailure(next) {
          failure = next;
        },
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
