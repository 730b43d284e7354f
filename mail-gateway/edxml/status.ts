// The edXML status message (QCVN 102:2016; sources in vocabulary.ts) that tells the sender what became of
// its document: one message per entry of the register's status history.
import type { DocumentStatus, DocumentSummary, StatusChange } from '../../db/register/repository';
import { documentIdentifier } from './identity';
import { EdxmlOrgan, organElement } from './organs';
import { ed, edRoot, edTimestamp } from './vocabulary';
import { renderXml } from './xml';

/**
 * Our statuses (Điều 10) as platform codes. 'đã chuyển xử lý' is the platform's 04 phân công; a recall is
 * recorded when the sender asked to take the document back, the platform's 13 (lấy lại).
 */
export const STATUS_CODES: Record<DocumentStatus, string> = {
  'đã đến': '01',
  'từ chối': '02',
  'đã tiếp nhận': '03',
  'đã chuyển xử lý': '04',
  'đang xử lý': '05',
  'hoàn thành': '06',
  'thu hồi': '13',
};

const DESCRIPTIONS: Record<string, string> = {
  '01': 'Đã đến',
  '02': 'Từ chối tiếp nhận',
  '03': 'Đã tiếp nhận',
  '04': 'Phân công xử lý',
  '05': 'Đang xử lý',
  '06': 'Hoàn thành',
  '13': 'Lấy lại (thu hồi)',
};

export function isStatusCode(code: string): boolean {
  return Object.values(STATUS_CODES).includes(code);
}

export interface StatusMessageInput {
  doc: DocumentSummary;
  /** The document's sender, whom the message answers. */
  sender: EdxmlOrgan;
  /** Ourselves, who send the message. */
  receiver: EdxmlOrgan;
  change: StatusChange;
}

export function buildStatusMessage({ doc, sender, receiver, change }: StatusMessageInput): string {
  const code = STATUS_CODES[change.status];
  return renderXml(edRoot([
    ed('edXMLEnvelope', [
      ed('edXMLHeader', [
        ed('Status', [
          ed('ResponseFor', [
            ed('OrganId', sender.organId),
            ed('Code', doc.docNumber ?? ''),
            ed('PromulgationDate', doc.issueDate ?? ''),
            ed('DocumentId', documentIdentifier(doc, sender)),
          ]),
          organElement('From', receiver),
          ed('StatusCode', code),
          ed('Description', change.note ? `${DESCRIPTIONS[code]}: ${change.note}` : DESCRIPTIONS[code]),
          ed('Timestamp', edTimestamp(change.at)),
          ed('StaffInfo', [ed('Department', 'Văn thư'), ed('Staff', change.actor), ed('Mobile'), ed('Email')]),
        ]),
      ]),
    ]),
  ]));
}
