// Composing the mail we send (notices, answer confirmations, invitations): the text and HTML bodies from a
// template pair of templates/mail, header text kept to one line, and the finished message as it goes on the wire.
import path from 'node:path';
import ejs from 'ejs';
import MailComposer from 'nodemailer/lib/mail-composer';
import { REPO_ROOT } from '../../config';

export const MAIL_TEMPLATES_DIR = path.join(REPO_ROOT, 'templates', 'mail');

export type MailFields = ConstructorParameters<typeof MailComposer>[0];

/** Text for a header or a single line of a body: no line breaks, no runs of spaces, at most `max` characters. */
export function oneLine(text: string | null | undefined, max = 200): string {
  const line = (text ?? '').replace(/[\r\n\t]+/g, ' ').replace(/\s{2,}/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** A Message-ID as In-Reply-To/References want it (`<…>`), or null when there is none. */
export function angleId(messageId: string | null): string | null {
  const id = oneLine(messageId, 990).replace(/^<|>$/g, '');
  return id ? `<${id}>` : null;
}

/** `<name>.txt.ejs` and `<name>.ejs` rendered with the same locals. */
export async function renderMailTemplates(name: string, locals: Record<string, unknown>): Promise<{ text: string; html: string }> {
  const [text, html] = await Promise.all([
    ejs.renderFile(path.join(MAIL_TEMPLATES_DIR, `${name}.txt.ejs`), locals, { cache: true }),
    ejs.renderFile(path.join(MAIL_TEMPLATES_DIR, `${name}.ejs`), locals, { cache: true }),
  ]);
  return { text, html };
}

/** The message exactly as it goes on the wire: the composer leaves the templates' bare LFs in the body, SMTP sends CRLF. */
export function composeMessage(mail: MailFields): Promise<string> {
  return new Promise((resolve, reject) => {
    new MailComposer(mail).compile().build((err, message) => (err ? reject(err) : resolve(message.toString('utf8').replace(/\r?\n/g, '\r\n'))));
  });
}
