// Thin smtp-server wiring: each phase delegates to its own module.
import type { AddressInfo } from 'node:net';
import { SMTPServer, SMTPServerDataStream, SMTPServerSession, SMTPServerAddress } from 'smtp-server';
import { ConnectionGuard } from './connect';
import { checkMailFrom } from './mail-from';
import { checkRecipient, recipientPolicy, RefusedRecipients } from './rcpt';
import { handleData } from './data';
import { keepOwnEnhancedCodes } from './enhanced-codes';
import { loadTlsIdentity } from './tls';
import { SmtpVerdict, verdictToError } from './verdict';
import type { IntakeContext } from '../intake/pipeline';
import { createLogger } from '../../log';

const log = createLogger('smtp');

type Callback = (err?: Error | null) => void;

export interface RunningSmtp {
  port: number;
  close(): Promise<void>;
}

function answer(callback: Callback, verdict: SmtpVerdict): void {
  if (verdict.kind === 'ok') callback();
  else callback(verdictToError(verdict));
}

export async function startSmtp(ctx: IntakeContext): Promise<RunningSmtp> {
  const { config } = ctx;
  keepOwnEnhancedCodes();
  const tls = await loadTlsIdentity(config);
  if (tls.source === 'generated') log.info('SMTP_TLS_GENERATED', 'self-signed STARTTLS certificate created in DATA_DIR/tls', { name: config.smtpBannerName });
  const policy = recipientPolicy(config.gatewayAddresses, config.invitationReplyAddress);
  const connections = new ConnectionGuard({ maxPerIp: config.smtpMaxConnectionsPerIp, ratePerMinute: config.smtpConnectionRatePerMinute });
  const refusedRecipients = new RefusedRecipients(config.smtpMaxRefusedRecipients);
  const server = new SMTPServer({
    name: config.smtpBannerName,
    banner: 'Cong tiep nhan van ban dien tu UBND tinh Binh Thuan / Binh Thuan official mail gateway',
    authOptional: true,
    disabledCommands: ['AUTH'],
    hideENHANCEDSTATUSCODES: false,
    disableReverseLookup: true,
    key: tls.key,
    cert: tls.cert,
    logger: false,
    size: config.smtpMaxMessageBytes,
    maxRecipients: config.smtpMaxRecipients,
    maxClients: config.smtpMaxConnections,
    socketTimeout: config.smtpSocketTimeoutMs,
    onConnect(session: SMTPServerSession, callback: Callback) {
      const verdict = connections.admit(session.id, session.remoteAddress);
      if (verdict.kind !== 'ok') log.warn('SMTP_CONNECTION_REFUSED', verdict.reason, { ip: session.remoteAddress });
      answer(callback, verdict);
    },
    onClose(session: SMTPServerSession) {
      connections.release(session.id, session.remoteAddress);
      refusedRecipients.forget(session.id);
    },
    onMailFrom(_address: SMTPServerAddress, session: SMTPServerSession, callback: Callback) {
      answer(callback, checkMailFrom(session.transaction - 1, config.smtpMaxMessagesPerConnection));
    },
    onRcptTo(address: SMTPServerAddress, session: SMTPServerSession, callback: Callback) {
      let verdict = checkRecipient(policy, address.address);
      if (verdict.kind !== 'ok') {
        log.info('SMTP_RCPT_REFUSED', verdict.reason, { rcpt: address.address, ip: session.remoteAddress });
        verdict = refusedRecipients.refuse(session.id, verdict);
      }
      answer(callback, verdict);
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
