/**
 * PDF structure parser for the signature verifier: lazy, revision-aware object access
 * (PdfDocument), text strings and dates, page text extraction. Hostile input ends in a
 * result or a PdfParseError ('NOT_A_PDF' | 'MALFORMED_PDF'; limit breaches are the
 * PdfLimitError subclass), within the PdfLimits.
 *
 * Modules: objects (values) · errors (errors, limits) · lexer (tokens) · parser (values,
 * indirect objects) · xref (sections, chain, revisions) · scan + repair (reconstruction) ·
 * filters (stream decoding) · document (PdfDocument) · pages (page tree) · strings ·
 * encodings + cmap + fonts + text (text extraction) · build (test fixture writer, not exported here).
 */
export {
  PdfDict,
  PdfName,
  PdfRef,
  PdfStream,
  PdfString,
  dictOf,
  describeValue,
  isDict,
  isName,
  pdfName,
  type PdfValue,
} from './objects';
export { DEFAULT_LIMITS, PdfLimitError, PdfParseError, type PdfErrorCode, type PdfLimits } from './errors';
export type { Revision, XrefEntry, XrefEntryCompressed, XrefEntryFree, XrefEntryInUse } from './xref';
export { PdfDocument } from './document';
export { decodePdfDocEncoding, decodeTextString, parsePdfDate } from './strings';
export { extractPageText, type TextExtractionOptions } from './text';
