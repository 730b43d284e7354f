// The edXML package of one registered document (QCVN 102:2016; sources in vocabulary.ts): the header with
// sender and receiver, số/ký hiệu, issue date, type, trích yếu, signer and urgency; the trace of its
// receipt; the manifest; and every stored attachment in base64, exactly the bytes that were registered.
import type { AttachmentRecord, DocumentRecord } from '../../db/register/repository';
import { codeParts, documentIdentifier } from './identity';
import { EdxmlOrgan, organElement } from './organs';
import { ADMINISTRATIVE_DOCUMENT, ed, edRoot, edTimestamp, priorityCode } from './vocabulary';
import { renderXml, XmlElement } from './xml';

export interface PackagedFile {
  attachment: AttachmentRecord;
  content: Buffer;
}

export interface EnvelopeInput {
  doc: DocumentRecord;
  sender: EdxmlOrgan;
  receiver: EdxmlOrgan;
  /** The attachments to carry, in their order in the mail. */
  files: PackagedFile[];
}

/** The personal signer's name as the certificate gives it; the seal is the organisation, not a signer. */
function signerName(doc: DocumentRecord): string {
  const person = doc.verification?.signatures.find((s) => s.kind === 'person');
  return person?.signer.commonName ?? '';
}

function messageHeader({ doc, sender, receiver }: EnvelopeInput): XmlElement {
  const code = codeParts(doc.docNumber);
  return ed('MessageHeader', [
    organElement('From', sender),
    organElement('To', receiver),
    ed('DocumentId', documentIdentifier(doc, sender)),
    ed('Code', [ed('CodeNumber', code.number), ed('CodeNotation', code.notation)]),
    ed('PromulgationInfo', [ed('Place'), ed('PromulgationDate', doc.issueDate ?? '')]),
    ed('DocumentType', [ed('Type', ADMINISTRATIVE_DOCUMENT), ed('TypeName', doc.docType ?? '')]),
    ed('Subject', doc.trichYeu ?? doc.subject ?? ''),
    ed('Content'),
    ed('SignerInfo', [ed('Competence'), ed('Position'), ed('FullName', signerName(doc))]),
    ed('DueDate'),
    ed('ToPlaces', [ed('Place', receiver.organName)]),
    ed('OtherInfo', [
      ed('Priority', priorityCode(doc.urgency)),
      ed('SphereOfPromulgation'),
      ed('TyperNotation'),
      ed('PromulgationAmount', '0'),
      ed('PageAmount', '0'),
      ed('Appendixes'),
    ]),
    ed('SteeringType', '0'),
  ]);
}

/** Where the document has been: it reached our organ when the register received it. */
function traceHeaderList({ doc, receiver }: EnvelopeInput): XmlElement {
  return ed('TraceHeaderList', [
    ed('TraceHeader', [ed('OrganId', receiver.organId), ed('Timestamp', edTimestamp(doc.receivedAt))]),
    ed('Business', [ed('BusinessDocType', '0'), ed('BusinessDocReason'), ed('Paper', '0')]),
  ]);
}

const contentId = (doc: DocumentRecord, file: PackagedFile) => `${doc.id}.${file.attachment.position}`;
const contentType = (a: AttachmentRecord) => (a.verdict !== null ? 'application/pdf' : a.contentType ?? 'application/octet-stream');
const description = (a: AttachmentRecord) => `${a.isMain ? 'Văn bản chính' : 'Tệp đính kèm'}; SHA-256 ${a.sha256}`;

function manifest({ doc, files }: EnvelopeInput): XmlElement {
  return ed('edXMLManifest', files.map((file) => ed('Reference', [
    ed('ContentId', `cid:${contentId(doc, file)}`),
    ed('ContentType', contentType(file.attachment)),
    ed('AttachmentName', file.attachment.filename),
    ed('Description', description(file.attachment)),
  ])), { version: '1.0' });
}

function attachments({ doc, files }: EnvelopeInput): XmlElement {
  return ed('AttachmentEncoded', files.map((file) => ed('Attachment', [
    ed('ContentId', contentId(doc, file)),
    ed('AttachmentName', file.attachment.filename),
    ed('Description', description(file.attachment)),
    ed('ContentType', contentType(file.attachment)),
    ed('ContentTransferEncoded', file.content.toString('base64')),
  ])));
}

export function buildEnvelope(input: EnvelopeInput): string {
  return renderXml(edRoot([
    ed('edXMLEnvelope', [
      ed('edXMLHeader', [messageHeader(input), traceHeaderList(input)]),
      ed('edXMLBody', [manifest(input)]),
    ]),
    attachments(input),
  ]));
}
