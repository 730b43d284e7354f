// Documents for the register screen tests: a test PKI trusted by the product, signed PDFs with distinct
// numbers and trích yếu, an unsigned one, and sending them through the gateway's SMTP port.
import fs from 'node:fs';
import type nodemailer from 'nodemailer';
import { createTestPki } from './pki';
import { DocumentType, makeDocumentPdf } from './document-pdf';
import { signPdf } from './pdf-signer';
import { tempDir } from './databases';
import { composeMail, pdfAttachment, sendRaw, UNIT_SENDER } from './mail-samples';

export interface RegisterSamples {
  trustDir: string;
  /** Công văn 45/VPTU "phòng, chống lụt bão", signed by the person then sealed. */
  floodPdf: Buffer;
  /** Quyết định 12/QĐ-UBND "giao dự toán", signed and sealed. */
  budgetPdf: Buffer;
  unsignedPdf: Buffer;
  dispose(): void;
}

export async function makeRegisterSamples(): Promise<RegisterSamples> {
  const pki = await createTestPki();
  const trustDir = tempDir('register-trust');
  await pki.writeTrustDir(trustDir);
  const signed = async (type: DocumentType, number: string, subject: string) => signPdf(await signPdf(await makeDocumentPdf({ type, number, subject }), pki.person), pki.organization);
  return {
    trustDir,
    floodPdf: await signed('Công văn', '45/VPTU', 'triển khai công tác phòng, chống lụt bão năm 2026'),
    budgetPdf: await signed('Quyết định', '12/QĐ-UBND', 'Về việc giao dự toán thu, chi ngân sách năm 2027'),
    unsignedPdf: await makeDocumentPdf({ type: 'Công văn', number: '77/VPTU', subject: 'đề nghị cung cấp số liệu' }),
    dispose: () => fs.rmSync(trustDir, { recursive: true, force: true }),
  };
}

/** Sends one mail with one PDF through the gateway; resolves with the document id named in the 250 reply. */
export async function sendDocument(transport: nodemailer.Transporter, spec: { from?: string; subject: string; pdf: Buffer; filename?: string }): Promise<string> {
  const from = spec.from ?? UNIT_SENDER;
  const raw = await composeMail({ from, subject: spec.subject, attachments: [pdfAttachment(spec.pdf, spec.filename ?? 'van-ban.pdf')] });
  const reply = await sendRaw(transport, raw, from);
  const id = /ma (\S+) \//.exec(reply)?.[1];
  if (!id) throw new Error(`no id in the gateway's reply: ${reply}`);
  return id;
}
