// Mails for the intake benchmarks: ~N MB documents signed by a person and the organisation, composed once,
// each sent with its own Message-ID so that none is a duplicate of another.
import MailComposer from 'nodemailer/lib/mail-composer';
import { createTestPki } from './pki';
import { makeDocumentPdf } from './document-pdf';
import { signPdf } from './pdf-signer';

export const BENCH_FROM = 'vptu@binhthuan.gov.vn';
export const BENCH_TO = 'ubnd@binhthuan.gov.vn';
/** The gateway's reply to a registered document. */
export const REGISTERED_REPLY = /^250 2\.0\.0 Da dang ky van ban den so /;
const MSGID_PLACEHOLDER = '<bench-placeholder@binhthuan.gov.vn>';

/** One composed message per distinct signed document, its header split off to take a Message-ID. */
export interface MailTemplate {
  header: string;
  body: Buffer;
  pdfBytes: number;
}

/** `count` distinct documents of about `pdfBytes`, their test PKI's trust anchors written to `trustDir`. */
export async function makeBenchMails(count: number, pdfBytes: number, trustDir: string, firstNumber = 101): Promise<MailTemplate[]> {
  const pki = await createTestPki();
  await pki.writeTrustDir(trustDir);
  const templates: MailTemplate[] = [];
  for (let i = 0; i < count; i++) {
    const number = `${firstNumber + i}/STC-NS`;
    // As bigPdf does: 2 pages and an incompressible embedded file make up the size; ~80 KB for the rest.
    const unsigned = await makeDocumentPdf({ number, pages: 2, padToBytes: Math.max(0, pdfBytes - 80 * 1024) });
    const pdf = await signPdf(await signPdf(unsigned, pki.person), pki.organization);
    const raw = await new MailComposer({
      from: `Văn thư Văn phòng Tỉnh ủy <${BENCH_FROM}>`, to: BENCH_TO, subject: `Công văn ${number}`, messageId: MSGID_PLACEHOLDER,
      text: 'Kính gửi UBND tỉnh Bình Thuận,\nVăn phòng Tỉnh ủy gửi văn bản đính kèm.',
      attachments: [{ filename: `cv-${firstNumber + i}.pdf`, content: pdf, contentType: 'application/pdf' }],
    }).compile().build();
    const split = raw.indexOf('\r\n\r\n');
    const header = raw.subarray(0, split).toString('latin1');
    if (!header.includes(MSGID_PLACEHOLDER)) throw new Error('Message-ID placeholder not found in the composed header');
    templates.push({ header, body: raw.subarray(split), pdfBytes: pdf.length });
  }
  return templates;
}

/** Mail `i` of a run tagged `tag`: the template's bytes with a Message-ID of its own. */
export function benchMail(templates: MailTemplate[], tag: string, i: number): Buffer {
  const template = templates[i % templates.length];
  return Buffer.concat([Buffer.from(template.header.replace(MSGID_PLACEHOLDER, `<bench-${tag}-${i}@binhthuan.gov.vn>`), 'latin1'), template.body]);
}
