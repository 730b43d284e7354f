// Thin smtp-server wiring: each phase delegates to its own module.
import type { AddressInfo } from 'node:net';
import { SMTPServer, SMTPServerDataStream, SMTPServerSession, SMTPServerAddress } from 'smtp-server';
import { checkRecipient, recipientPolicy } from './rcpt';
import { verdictToError } from './verdict';
import { handleData } from './data';
import type { IntakeContext } from '../intake/pipeline';
import { createLogger } from '../../log';

const log = createLogger('smtp');

export interface RunningSmtp {
  port: number;
  close(): Promise<void>;
}

export function startSmtp(ctx: IntakeContext): Promise<RunningSmtp> {
  const { config } = ctx;
  const policy = recipientPolicy(config.gatewayAddresses);
  const server = new SMTPServer({
    name: config.smtpBannerName,
    banner: 'Cổng tiếp nhận văn bản điện tử UBND tỉnh Bình Thuận / Binh Thuan official mail gateway',
    authOptional: true,
    disabledCommands: ['AUTH'],
    hideSTARTTLS: true,
    logger: false,
    size: config.smtpMaxMessageBytes,
    onRcptTo(address: SMTPServerAddress, _session: SMTPServerSession, callback: (err?: Error | null) => void) {
      const verdict = checkRecipient(policy, address.address);
      if (verdict.kind === 'ok') return callback();
      log.info('SMTP_RCPT_REFUSED', verdict.reason, { rcpt: address.address });
      callback(verdictToError(verdict));
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback: (err?: Error | null, message?: string) => void) {
      handleData(ctx, stream, session).then((reply) => (reply.ok ? callback(null, reply.message) : callback(verdictToError(reply.refusal))));
    },
  });
  server.on('error', (err) => log.warn('SMTP_ERROR', err.message));
  return new Promise((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(config.smtpPort, config.smtpHost, () => {
      const port = (server.server.address() as AddressInfo).port;
      log.info('SMTP_LISTENING', 'SMTP gateway listening', { host: config.smtpHost, port });
      resolve({ port, close: () => new Promise<void>((done) => server.close(() => done())) });
    });
  });
}
