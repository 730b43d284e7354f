// DATA: store durably, run the intake pipeline, and only then answer 250 with the registration id.
// Anything that fails inside is a 4xx (the sender retries): nothing is ever acknowledged and lost.
// Recipients at the invitation reply address make the mail an answer to an invitation (mail-gateway/answers),
// never registered; the official addresses of the same mail still register it.
import type { SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import { spoolMessage, MessageTooLargeError } from '../spool/spool';
import { processIncoming, Envelope, IntakeContext, IntakeOutcome } from '../intake/pipeline';
import { answerReplyText, processAnswerMail } from '../answers/answer-mail';
import { parseReplyAddress } from '../answers/reply-address';
import { asciiReply, permanent, SmtpRefusal, temporary } from './verdict';
import { createLogger } from '../../log';

const log = createLogger('smtp');

export type DataReply = { ok: true; message: string } | { ok: false; refusal: SmtpRefusal };

function acceptedText(outcome: IntakeOutcome): string {
  switch (outcome.kind) {
    case 'registered':
      return `2.0.0 Đã đăng ký văn bản đến số ${outcome.soDen}/${outcome.year}, mã ${outcome.id} / registered, id ${outcome.id}`;
    case 'refused':
      return `2.0.0 Đã nhận và lưu để tham khảo, không đăng ký (${outcome.reasons.map((r) => r.code).join(', ')}), mã ${outcome.id} / kept for reference, id ${outcome.id}`;
    case 'duplicate':
      return `2.0.0 Thư này đã được nhận trước đó, mã ${outcome.id} / already received, id ${outcome.id}`;
  }
}

export async function handleData(ctx: IntakeContext, stream: SMTPServerDataStream, session: SMTPServerSession): Promise<DataReply> {
  const receivedAt = new Date();
  let spooled;
  try {
    spooled = await spoolMessage(stream, ctx.config.dataDir, ctx.config.smtpMaxMessageBytes, receivedAt);
  } catch (err) {
    if (err instanceof MessageTooLargeError || stream.sizeExceeded) {
      return { ok: false, refusal: permanent(552, '5.3.4', `Thư vượt quá dung lượng cho phép ${ctx.config.smtpMaxMessageBytes} byte / message too large`) };
    }
    if ((err as NodeJS.ErrnoException).code === 'ECONNECTION') {
      log.info('SMTP_CLIENT_GONE', 'client closed the connection before the end of the message: nothing kept', { session: session.id });
      return { ok: false, refusal: temporary(451, '4.3.0', 'Ket noi bi dong giua chung / connection closed mid-message') };
    }
    log.error('SMTP_SPOOL_FAILED', (err as Error).message, { session: session.id });
    return { ok: false, refusal: temporary(451, '4.3.0', 'Không lưu được thư, xin gửi lại sau / could not store the message, try again later') };
  }
  try {
    const envelope: Envelope = {
      mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
      rcptTo: session.envelope.rcptTo.map((r) => r.address),
      clientIp: session.remoteAddress,
      helo: session.hostNameAppearsAs ?? session.clientHostname,
      intake: 'smtp',
      receivedAt,
    };
    const replyRcpt = envelope.rcptTo.filter((a) => parseReplyAddress(ctx.config, a) !== null);
    const officialRcpt = envelope.rcptTo.filter((a) => !replyRcpt.includes(a));
    const texts: string[] = [];
    if (replyRcpt.length) texts.push(answerReplyText(await processAnswerMail(ctx, { ...envelope, rcptTo: replyRcpt }, spooled)));
    if (officialRcpt.length || !replyRcpt.length) texts.push(acceptedText(await processIncoming(ctx, { ...envelope, rcptTo: officialRcpt }, spooled)).replace(/^2\.0\.0 /, ''));
    return { ok: true, message: asciiReply(`2.0.0 ${texts.join('; ')}`) };
  } catch (err) {
    // The raw message stays in the mail store; the sender's retry finds it and registers it then.
    log.error('SMTP_INTAKE_FAILED', (err as Error).message, { session: session.id, sha256: spooled.sha256 });
    return { ok: false, refusal: temporary(451, '4.3.0', 'Lỗi tạm thời khi tiếp nhận, xin gửi lại sau / temporary intake failure, try again later') };
  }
}
