/** PDF structure parser: public API. */
export { PdfDict, PdfName, PdfRef, PdfStream, PdfString, dictOf, describeValue, isDict, isName, type PdfValue } from './objects';
export { DEFAULT_LIMITS, PdfLimitError, PdfParseError, type PdfErrorCode, type PdfLimits } from './errors';
export type { Revision, XrefEntry, XrefEntryCompressed, XrefEntryFree, XrefEntryInUse } from './xref';
export { PdfDocument } from './document';
export { decodePdfDocEncoding, decodeTextString, parsePdfDate } from './strings';
export { extractPageText, type TextExtractionOptions } from './text';
