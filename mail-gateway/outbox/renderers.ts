// Mail built when it is sent: a row with a render spec names its renderer, and the sender worker asks that
// renderer for the MIME message just before handing it to the relay. The parts that queue such mail (the
// website's invitations) provide their renderers to the worker; the outbox itself knows none of them.
import type { OutboxMail } from '../../db/outbox/repository';

export interface RenderSpec {
  renderer: string;
  [field: string]: unknown;
}

export type MailRenderer = (mail: OutboxMail, spec: RenderSpec, now: Date) => Promise<string>;

export type MailRenderers = Readonly<Record<string, MailRenderer>>;

export function encodeRenderSpec(spec: RenderSpec): string {
  return JSON.stringify(spec);
}

function decodeRenderSpec(text: string): RenderSpec {
  const spec = JSON.parse(text) as RenderSpec;
  if (!spec || typeof spec.renderer !== 'string') throw new Error('render spec without a renderer');
  return spec;
}

/** The message to send: stored as it is, or built now by the renderer its spec names. */
export async function messageOf(mail: OutboxMail, renderers: MailRenderers, now: Date): Promise<string> {
  if (!mail.renderSpec) return mail.rawMessage;
  const spec = decodeRenderSpec(mail.renderSpec);
  const render = Object.hasOwn(renderers, spec.renderer) ? renderers[spec.renderer] : undefined;
  if (!render) throw new Error(`no renderer "${spec.renderer}" in this process`);
  return render(mail, spec, now);
}
