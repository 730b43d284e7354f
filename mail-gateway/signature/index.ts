// The signature verifier's public API, for the gateway, the website and the commands.
export { verifyPdf, toContractJson } from './verify-pdf';
export type { VerificationReport, SignatureReport, SignatureDetails, Verdict, VerifyOptions } from './verify-pdf';
export { loadTrustStore, cachedTrustStore, emptyTrustStore, TrustStoreError } from './trust-store';
export type { TrustStore } from './trust-store';
export { formatReportText } from './report-text';
export { PROBLEM_CODES, WARNING_CODES, PROBLEM_TITLES, WARNING_TITLES } from './problems';
export type { Problem, Warning, ProblemCode, WarningCode } from './problems';
export { signerKind } from './signer-kind';
export type { DocumentInfo } from './document-info';
