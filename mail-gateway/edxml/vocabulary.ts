// The words of QCVN 102:2016/BTTTT (edXML, the message format of the national document exchange platform)
// that our packages use: the namespace, the element prefix, priority and document type codes, date forms.
//
// Sources followed (the standard's own XSD is not published in machine-readable form):
// - the Bkav eDoc SDK for the national platform (Java, packages com.bkav.edoc.sdk.edxml / .resource:
//   EdXmlConstant, XmlUtils, ArchiveMime, MessageHeader, MessageStatus) for the namespace
//   http://www.mic.gov.vn/TBT/QCVN_102_2016, the prefix `edXML`, the tree edXML > edXMLEnvelope >
//   edXMLHeader (MessageHeader, TraceHeaderList) + edXMLBody > edXMLManifest > Reference, the
//   AttachmentEncoded > Attachment (base64 ContentTransferEncoded), the order of the MessageHeader
//   children and the Status message (ResponseFor, From, StatusCode, Description, Timestamp, StaffInfo);
// - the same SDK's XmlChecker (what the platform requires to be present) and the VPCP C# SDK samples
//   (EdXmlStatus102: status codes 01 đã đến, 02 từ chối tiếp nhận, 03 đã tiếp nhận, 04 phân công,
//   05 đang xử lý, 06 hoàn thành, 13 lấy lại, 14/15 đồng ý/từ chối cập nhật, lấy lại) and their DocumentId
//   form "OrganId,yyyy/MM/dd,Số/Ký hiệu".
// The older eDoc namespace http://www.e-doc.vn/Schema/ (before QCVN 102:2016) is not used.
import type { Urgency } from '../../db/register/repository';
import { URGENCY_LEVELS } from '../../db/register/search-text';
import { formatIsoVietnam } from '../../db/time';
import { element, XmlContent, XmlElement } from './xml';

export const EDXML_NAMESPACE = 'http://www.mic.gov.vn/TBT/QCVN_102_2016';
export const EDXML_PREFIX = 'edXML';

/** An element of the edXML namespace: every element carries the `edXML:` prefix, as the platform's readers expect. */
export function ed(name: string, children: Array<XmlContent | null | undefined> | string | null = [], attributes: Record<string, string> = {}): XmlElement {
  return element(`${EDXML_PREFIX}:${name}`, children, attributes);
}

/** The root of a package or status message, declaring the namespace once. */
export function edRoot(children: XmlContent[]): XmlElement {
  return ed('edXML', children, { [`xmlns:${EDXML_PREFIX}`]: EDXML_NAMESPACE });
}

/** OtherInfo/Priority: 0 thường, 1 khẩn, 2 thượng khẩn, 3 hỏa tốc (4, hỏa tốc hẹn giờ, the register does not know). */
export function priorityCode(urgency: Urgency): string {
  return String(URGENCY_LEVELS[urgency]);
}

/**
 * DocumentType/Type: 1 văn bản quy phạm pháp luật, 2 văn bản hành chính. What reaches the register by mail
 * is administrative correspondence; TypeName carries the exact type (Công văn, Quyết định, Giấy mời …).
 */
export const ADMINISTRATIVE_DOCUMENT = '2';

/** Timestamps as ISO 8601 with +07:00, the form of all our data (Điều 10). */
export const edTimestamp = (date: Date) => formatIsoVietnam(date);

/** `2026-03-05` → `2026/03/05`, the date inside a DocumentId. */
export const documentIdDate = (isoDate: string) => isoDate.replace(/-/g, '/');
