// How an edXML message names a document: its số and ký hiệu apart, and the DocumentId
// "mã định danh của cơ quan ban hành,yyyy/MM/dd,số/ký hiệu" that status messages answer to.
import type { DocumentSummary } from '../../db/register/repository';
import { isoDateVietnam } from '../../db/time';
import type { EdxmlOrgan } from './organs';
import { documentIdDate } from './vocabulary';

/** `12/QĐ-UBND` → number `12`, notation `QĐ-UBND`; a number without a slash has no notation. */
export function codeParts(docNumber: string | null): { number: string; notation: string } {
  if (!docNumber) return { number: '', notation: '' };
  const slash = docNumber.indexOf('/');
  if (slash === -1) return { number: docNumber.trim(), notation: '' };
  return { number: docNumber.slice(0, slash).trim(), notation: docNumber.slice(slash + 1).trim() };
}

/**
 * The DocumentId of the platform. A document without its printed number or date (a refused one, a paper one
 * typed in by hand) is named by our register id and its day of arrival instead, so the id is never empty.
 */
export function documentIdentifier(doc: DocumentSummary, sender: EdxmlOrgan): string {
  const date = doc.issueDate ?? isoDateVietnam(doc.receivedAt);
  return [sender.organId, documentIdDate(date), doc.docNumber ?? doc.id].join(',');
}
