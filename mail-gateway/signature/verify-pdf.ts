// Verifies every digital signature of a PDF and decides whether the document counts as an official one.
import crypto from 'node:crypto';
import {
  decodeTextString, extractPageText, parsePdfDate, PdfDict, PdfDocument, PdfParseError, PdfRef, PdfString, PdfValue,
} from '../pdf';
import { ProblemList, Problem, Warning } from './problems';
import { checkByteRange, concatSpans, digestSpans, Span } from './byte-range';
import { checkCmsSignature, CmsFormatError, CmsSignature, parseCms } from './cms';
import { UnsupportedAlgorithmError } from './algorithms';
import { validateChain, SigningMoment } from './chain';
import { verifyTimestampToken } from './timestamp';
import { findChangesAfterSigning } from './modifications';
import { signerKind, SignerKind } from './signer-kind';
import { readDocumentInfo, DocumentInfo } from './document-info';
import { describeName, issuerOf } from './certificates';
import type { TrustStore } from './trust-store';
import { formatIsoVietnam, isoDateVietnam } from '../../db/time';

export type Verdict = 'valid' | 'invalid' | 'unsigned';

export interface SignerSummary {
  commonName: string | null;
  organization: string | null;
  serialNumber: string | null;
}

/** Facts beyond the contract JSON that the clerk's screens show. */
export interface SignatureDetails {
  subject: string | null;
  issuer: string | null;
  certificateSerial: string | null;
  certificateValidFrom: string | null;
  certificateValidTo: string | null;
  chain: string[];
  digestAlgorithm: string | null;
  timestamped: boolean;
  reason: string | null;
  location: string | null;
  byteRange: number[] | null;
  signedRevision: number | null;
  changesAfterSigning: string[];
}

export interface SignatureReport {
  index: number;
  fieldName: string;
  subFilter: string | null;
  signer: SignerSummary;
  kind: SignerKind;
  signingTime: string | null;
  coversWholeFile: boolean;
  intact: boolean;
  trusted: boolean;
  certValidAtSigningTime: boolean;
  details: SignatureDetails;
}

export interface VerificationReport {
  file: string;
  verdict: Verdict;
  problems: Problem[];
  warnings: Warning[];
  signatures: SignatureReport[];
  document: DocumentInfo;
}

export interface VerifyOptions {
  trust: TrustStore;
  /** The moment of verification (default now): future signing times and revocations are judged against it. */
  at?: Date;
  /** Name shown in the report. */
  file?: string;
}

const SUPPORTED_SUBFILTERS = new Set(['adbe.pkcs7.detached', 'ETSI.CAdES.detached', 'adbe.pkcs7.sha1']);
const MAX_SIGNATURE_FIELDS = 64;
const CLOCK_SKEW_MS = 5 * 60 * 1000;
const EMPTY_DOCUMENT: DocumentInfo = { number: null, issueDate: null, type: null, subject: null, urgency: null };

interface FoundSignature {
  fieldName: string;
  dict: PdfDict;
}

/** Walks the AcroForm field tree of the latest revision for signature fields that carry a value. */
function findSignatureFields(doc: PdfDocument): FoundSignature[] {
  const form = doc.getDict(doc.catalog().get('AcroForm'));
  const found: FoundSignature[] = [];
  const visited = new Set<number>();
  const visit = (value: PdfValue | undefined, parentName: string, inheritedType: string | undefined, depth: number) => {
    if (depth > 32 || found.length >= MAX_SIGNATURE_FIELDS) return;
    if (value instanceof PdfRef) {
      if (visited.has(value.num)) return;
      visited.add(value.num);
    }
    const field = doc.getDict(value);
    if (!field) return;
    const partial = decodeTextString(field.get('T') instanceof PdfString ? (field.get('T') as PdfString) : undefined);
    const name = partial ? (parentName ? `${parentName}.${partial}` : partial) : parentName;
    const fieldType = field.getName('FT') ?? inheritedType;
    const kids = doc.resolve(field.get('Kids'));
    if (Array.isArray(kids)) {
      for (const kid of kids) visit(kid, name, fieldType, depth + 1);
    }
    if (fieldType === 'Sig' && field.has('V')) {
      const signature = doc.getDict(field.get('V'));
      if (signature && signature.getName('Type') !== 'DocTimeStamp' && signature.getName('SubFilter') !== 'ETSI.RFC3161') {
        found.push({ fieldName: name || `Signature${found.length + 1}`, dict: signature });
      }
    }
  };
  const fields = doc.resolve(form?.get('Fields'));
  if (Array.isArray(fields)) for (const field of fields) visit(field, '', undefined, 0);
  return found;
}

function textOf(dict: PdfDict, key: string): string | null {
  const value = dict.get(key);
  return value instanceof PdfString ? decodeTextString(value) ?? null : null;
}

/** The revision whose end the signed bytes reach (allowing the one end-of-line some writers leave out). */
function revisionEndingAt(doc: PdfDocument, end: number): number | null {
  for (const revision of doc.revisions) {
    const gap = doc.bytes.subarray(Math.min(end, revision.endOffset), Math.max(end, revision.endOffset));
    if (Math.abs(revision.endOffset - end) <= 2 && /^[\r\n \t\0]*$/.test(gap.toString('latin1'))) return revision.index;
  }
  return null;
}

function trailingGarbage(doc: PdfDocument): boolean {
  const lastEnd = doc.revisions[doc.revisions.length - 1]?.endOffset ?? doc.bytes.length;
  return !/^[\r\n \t\0]*$/.test(doc.bytes.subarray(lastEnd).toString('latin1'));
}

interface Candidate {
  found: FoundSignature;
  report: SignatureReport;
  cms: CmsSignature | null;
  spans: [Span, Span] | null;
  end: number | null;
}

function emptyReport(fieldName: string, dict: PdfDict): SignatureReport {
  return {
    index: 0,
    fieldName,
    subFilter: dict.getName('SubFilter') ?? null,
    signer: { commonName: null, organization: null, serialNumber: null },
    kind: 'person',
    signingTime: null,
    coversWholeFile: false,
    intact: false,
    trusted: false,
    certValidAtSigningTime: false,
    details: {
      subject: null, issuer: null, certificateSerial: null, certificateValidFrom: null, certificateValidTo: null, chain: [],
      digestAlgorithm: null, timestamped: false, reason: textOf(dict, 'Reason'), location: textOf(dict, 'Location'),
      byteRange: Array.isArray(dict.get('ByteRange')) ? (dict.get('ByteRange') as PdfValue[]).filter((v): v is number => typeof v === 'number') : null,
      signedRevision: null, changesAfterSigning: [],
    },
  };
}

/** Reads one signature's dictionary and CMS; records what is wrong with them. */
function prepareCandidate(doc: PdfDocument, found: FoundSignature, list: ProblemList, provisionalIndex: number): Candidate {
  const report = emptyReport(found.fieldName, found.dict);
  const candidate: Candidate = { found, report, cms: null, spans: null, end: null };
  const contents = found.dict.get('Contents');
  if (!(contents instanceof PdfString)) {
    list.add('MALFORMED_SIGNATURE', 'thiếu /Contents (giá trị chữ ký)', provisionalIndex);
    return candidate;
  }
  const range = checkByteRange(found.dict.get('ByteRange'), contents, doc.bytes.length);
  if (range.ok) {
    candidate.spans = range.spans;
    candidate.end = range.end;
  } else {
    list.add('BAD_BYTE_RANGE', range.detail, provisionalIndex);
  }
  if (contents.bytes.length === 0 || contents.bytes.every((b) => b === 0)) {
    list.add('MALFORMED_SIGNATURE', '/Contents rỗng hoặc toàn số 0', provisionalIndex);
    return candidate;
  }
  if (!SUPPORTED_SUBFILTERS.has(report.subFilter ?? '')) {
    list.add('UNSUPPORTED_ALGORITHM', `định dạng chữ ký /SubFilter /${report.subFilter ?? '(không có)'}`, provisionalIndex);
    return candidate;
  }
  try {
    candidate.cms = parseCms(contents.bytes);
  } catch (err) {
    if (err instanceof UnsupportedAlgorithmError) list.add('UNSUPPORTED_ALGORITHM', err.message, provisionalIndex);
    else list.add('MALFORMED_SIGNATURE', err instanceof CmsFormatError ? err.message : (err as Error).message, provisionalIndex);
    return candidate;
  }
  if (!candidate.cms.signer) {
    list.add('MALFORMED_SIGNATURE', 'không có chứng thư của người ký trong chữ ký', provisionalIndex);
    candidate.cms = null;
  }
  return candidate;
}

function signingMoment(candidate: Candidate, trust: TrustStore, list: ProblemList, at: Date): SigningMoment {
  const cms = candidate.cms!;
  const index = candidate.report.index;
  if (cms.timestampToken) {
    const stamp = verifyTimestampToken(cms.timestampToken, cms.signatureValue, trust);
    if (stamp.ok) {
      candidate.report.details.timestamped = true;
      return { time: stamp.time, proven: true };
    }
    list.warn('TIMESTAMP_INVALID', `chữ ký ${index + 1}: ${stamp.reason}`);
  } else {
    list.warn('NO_TIMESTAMP', `chữ ký ${index + 1} (${candidate.report.fieldName}) chỉ có thời điểm do người ký tự khai`);
  }
  const claimed = cms.signingTime ?? parsePdfDate(textOf(candidate.found.dict, 'M') ?? '') ?? null;
  return { time: claimed ?? at, proven: false };
}

function checkSignature(candidate: Candidate, digest: Buffer | null, doc: PdfDocument, trust: TrustStore, list: ProblemList, at: Date): void {
  const { report } = candidate;
  const cms = candidate.cms;
  if (!cms) return;
  const signer = cms.signer!;
  report.signer = { commonName: signer.subject.commonName, organization: signer.subject.organization, serialNumber: signer.serialHex };
  report.kind = signerKind(signer.subject);
  Object.assign(report.details, {
    subject: describeName(signer),
    issuer: issuerOf(signer),
    certificateSerial: signer.serialHex,
    certificateValidFrom: formatIsoVietnam(signer.notBefore),
    certificateValidTo: formatIsoVietnam(signer.notAfter),
    digestAlgorithm: cms.digest.toUpperCase().replace('SHA', 'SHA-'),
  });
  if (cms.digest === 'sha1') list.warn('WEAK_ALGORITHM', `chữ ký ${report.index + 1} dùng SHA-1`);

  if (digest && candidate.spans) {
    try {
      let contentDigest = digest;
      if (report.subFilter === 'adbe.pkcs7.sha1') {
        // The signed content is the SHA-1 of the byte ranges, carried inside the CMS.
        const carried = cms.eContent;
        if (!carried || !carried.equals(digest)) list.add('DIGEST_MISMATCH', 'giá trị băm SHA-1 mang trong chữ ký không khớp nội dung', report.index);
        contentDigest = crypto.createHash(cms.digest).update(carried ?? Buffer.alloc(0)).digest();
      }
      const check = checkCmsSignature(cms, contentDigest, () => concatSpans(doc.bytes, candidate.spans!));
      if (!check.digestMatches) list.add('DIGEST_MISMATCH', 'giá trị băm của phần được ký khác giá trị trong chữ ký', report.index);
      if (!check.signatureValid) list.add('BAD_SIGNATURE', `chữ ký của "${signer.subject.commonName ?? '?'}" không khớp khóa công khai trong chứng thư`, report.index);
      report.intact = check.digestMatches && check.signatureValid && !list.has('DIGEST_MISMATCH', report.index);
    } catch (err) {
      if (!(err instanceof UnsupportedAlgorithmError)) throw err;
      list.add('UNSUPPORTED_ALGORITHM', err.message, report.index);
    }
  }

  const moment = signingMoment(candidate, trust, list, at);
  report.signingTime = formatIsoVietnam(moment.time);
  if (moment.time.getTime() > at.getTime() + CLOCK_SKEW_MS) {
    list.warn('SIGNING_TIME_IN_FUTURE', `chữ ký ${report.index + 1} ghi thời điểm ký ${formatIsoVietnam(moment.time)}, sau thời điểm kiểm tra ${formatIsoVietnam(at)}`);
  }
  const chain = validateChain(signer, cms.embeddedCerts, trust, moment, cms.embeddedCrls);
  report.trusted = chain.trusted;
  report.certValidAtSigningTime = chain.certValidAtSigningTime;
  report.details.chain = chain.chain.map(describeName);
  for (const finding of chain.findings) list.add(finding.code, finding.detail, report.index);
}

function checkCoverage(candidates: Candidate[], doc: PdfDocument, list: ProblemList): void {
  const changesByRevision = new Map<number, string[]>();
  const garbage = trailingGarbage(doc);
  for (const { report, end } of candidates) {
    if (end === null) continue;
    report.coversWholeFile = end === doc.bytes.length;
    const revision = revisionEndingAt(doc, end);
    report.details.signedRevision = revision;
    if (report.coversWholeFile) continue;
    if (revision === null) {
      list.add('MODIFIED_AFTER_SIGNING', 'phần được ký không trọn một phiên bản của tệp; phần sau đó chưa được ký', report.index);
      continue;
    }
    if (!changesByRevision.has(revision)) changesByRevision.set(revision, findChangesAfterSigning(doc, revision));
    const changes = [...changesByRevision.get(revision)!];
    if (garbage) changes.push('có dữ liệu lạ nối sau phiên bản cuối của tệp');
    report.details.changesAfterSigning = changes;
    if (changes.length) {
      const shown = changes.slice(0, 5).join('; ') + (changes.length > 5 ? `; và ${changes.length - 5} thay đổi khác` : '');
      list.add('MODIFIED_AFTER_SIGNING', `sau chữ ký ${report.index + 1}: ${shown}`, report.index);
    }
  }
}

function checkSignerRoles(signatures: SignatureReport[], list: ProblemList): void {
  const organizations = signatures.filter((s) => s.kind === 'organization' && s.signer.commonName);
  if (organizations.length === 0) {
    list.add('MISSING_ORGANIZATION_SIGNATURE', 'không có chữ ký số nào của cơ quan, tổ chức (chứng thư có tên cơ quan trùng tên tổ chức)');
    return;
  }
  if (!signatures.some((s) => s.kind === 'person' && s.signer.commonName)) list.warn('NO_PERSONAL_SIGNATURE', 'văn bản chỉ có chữ ký số của cơ quan');
  if (signatures[signatures.length - 1].kind !== 'organization') list.warn('ORGANIZATION_SIGNATURE_NOT_LAST', 'chữ ký của cơ quan phải được ký sau chữ ký của người ký');
}

function readDocument(doc: PdfDocument, list: ProblemList): DocumentInfo {
  try {
    if (doc.pages().length === 0) return EMPTY_DOCUMENT;
    return readDocumentInfo(extractPageText(doc, 0));
  } catch (err) {
    if (err instanceof PdfParseError) list.warn('PDF_STRUCTURE', `không đọc được chữ trang 1: ${err.message}`);
    else throw err;
    return EMPTY_DOCUMENT;
  }
}

function checkSigningDates(signatures: SignatureReport[], document: DocumentInfo, list: ProblemList): void {
  if (!document.issueDate) return;
  for (const signature of signatures) {
    if (!signature.signingTime) continue;
    const signedOn = isoDateVietnam(new Date(signature.signingTime));
    if (signedOn !== document.issueDate) {
      list.warn('SIGNING_DATE_MISMATCH', `chữ ký ${signature.index + 1} ký ngày ${signedOn.split('-').reverse().join('/')}, văn bản ghi ngày ${document.issueDate.split('-').reverse().join('/')}`);
    }
  }
}

function finish(file: string, list: ProblemList, signatures: SignatureReport[], document: DocumentInfo): VerificationReport {
  const verdict: Verdict = signatures.length === 0 && list.problems.every((p) => p.code === 'NO_SIGNATURE') ? 'unsigned' : list.problems.length ? 'invalid' : 'valid';
  return { file, verdict, problems: list.problems, warnings: list.warnings, signatures, document };
}

export function verifyPdf(bytes: Buffer, options: VerifyOptions): VerificationReport {
  const file = options.file ?? '';
  const at = options.at ?? new Date();
  const list = new ProblemList();
  if (bytes.length === 0) {
    list.add('NOT_A_PDF', 'tệp rỗng (0 byte)');
    return finish(file, list, [], EMPTY_DOCUMENT);
  }
  // Strict where readers are lenient: a file that does not start as a PDF may be a polyglot (ZIP, HTML…).
  if (bytes.subarray(0, 5).toString('latin1') !== '%PDF-') {
    list.add('NOT_A_PDF', 'tệp không bắt đầu bằng "%PDF-"');
    return finish(file, list, [], EMPTY_DOCUMENT);
  }
  let doc: PdfDocument;
  try {
    doc = PdfDocument.open(bytes);
  } catch (err) {
    if (!(err instanceof PdfParseError)) throw err;
    list.add(err.code, err.message);
    return finish(file, list, [], EMPTY_DOCUMENT);
  }
  try {
    return verifyOpened(doc, file, at, options.trust, list);
  } catch (err) {
    if (!(err instanceof PdfParseError)) throw err;
    list.add(err.code, err.message);
    return finish(file, list, [], EMPTY_DOCUMENT);
  }
}

function verifyOpened(doc: PdfDocument, file: string, at: Date, trust: TrustStore, list: ProblemList): VerificationReport {
  if (doc.repaired) list.add('MALFORMED_PDF', `bảng tham chiếu (xref) hỏng, phải dựng lại: ${doc.warnings.slice(0, 3).join('; ')}`);
  else for (const warning of doc.warnings.slice(0, 5)) list.warn('PDF_STRUCTURE', warning);
  if (doc.unfinishedUpdate) {
    list.add('MALFORMED_PDF', 'tệp bị cắt cụt: lần cập nhật cuối (thường là một chữ ký) không trọn vẹn, tệp có thể đã hỏng khi gửi; xin gửi lại tệp gốc');
  }

  const found = findSignatureFields(doc);
  const document = readDocument(doc, list);
  if (found.length === 0) {
    list.add('NO_SIGNATURE', 'không tìm thấy chữ ký số nào trong tệp PDF');
    return finish(file, list, [], document);
  }
  // Problems are first recorded against the field order, then renumbered in signing order.
  const scratch = new ProblemList();
  const candidates = found.map((f, i) => prepareCandidate(doc, f, scratch, i));
  const order = candidates.map((c, i) => ({ c, i })).sort((a, b) => (a.c.end ?? Number.MAX_SAFE_INTEGER) - (b.c.end ?? Number.MAX_SAFE_INTEGER) || a.i - b.i);
  order.forEach(({ c }, index) => (c.report.index = index));
  const renumber = new Map(order.map(({ c, i }) => [i, c.report.index]));
  for (const p of scratch.problems) list.problems.push({ ...p, signature: p.signature === null ? null : renumber.get(p.signature)! });
  const ordered = order.map(({ c }) => c);

  const hashable = ordered.filter((c) => c.cms && c.spans);
  const digests = digestSpans(doc.bytes, hashable.map((c) => ({ digest: c.cms!.digest, spans: c.spans! })));
  const digestOf = new Map(hashable.map((c, i) => [c, digests[i]]));
  for (const candidate of ordered) checkSignature(candidate, digestOf.get(candidate) ?? null, doc, trust, list, at);

  checkCoverage(ordered, doc, list);
  const signatures = ordered.map((c) => c.report);
  checkSignerRoles(signatures, list);
  checkSigningDates(signatures, document, list);
  list.problems.sort((a, b) => (a.signature ?? -1) - (b.signature ?? -1));
  return finish(file, list, signatures, document);
}

/** The report exactly as the command's --json contract shapes it. */
export function toContractJson(report: VerificationReport): object {
  return {
    file: report.file,
    verdict: report.verdict,
    problems: report.problems.map(({ code, message, signature }) => ({ code, message, signature })),
    warnings: report.warnings.map(({ code, message }) => ({ code, message })),
    signatures: report.signatures.map((s) => ({
      index: s.index, fieldName: s.fieldName, subFilter: s.subFilter, signer: s.signer, kind: s.kind, signingTime: s.signingTime,
      coversWholeFile: s.coversWholeFile, intact: s.intact, trusted: s.trusted, certValidAtSigningTime: s.certValidAtSigningTime,
    })),
    document: { number: report.document.number, issueDate: report.document.issueDate, type: report.document.type, subject: report.document.subject },
  };
}

