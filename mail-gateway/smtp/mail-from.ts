// MAIL FROM: a session may carry a bounded number of messages; then the client reconnects.
import { OK, SmtpVerdict, temporary } from './verdict';

/** `completedMessages`: transactions this connection has already finished. */
export function checkMailFrom(completedMessages: number, maxMessagesPerConnection: number): SmtpVerdict {
  if (completedMessages >= maxMessagesPerConnection) {
    return temporary(421, '4.7.0', `Da gui du ${maxMessagesPerConnection} thu tren mot ket noi, xin ket noi lai / too many messages on one connection, please reconnect`);
  }
  return OK;
}
