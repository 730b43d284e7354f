// Builds the signer's certificate chain to a trust anchor and checks validity and revocation at signing time.
import * as pkijs from 'pkijs';
import type { ProblemCode } from './problems';
import { Cert, describeName } from './certificates';
import { signatureAlgorithmOf, verifyRaw } from './algorithms';
import type { TrustStore } from './trust-store';
import { formatIsoVietnam } from '../../db/time';

export interface ChainFinding {
  code: ProblemCode;
  detail: string;
}

export interface ChainResult {
  /** Signer first; the anchor last when trusted. */
  chain: Cert[];
  trusted: boolean;
  certValidAtSigningTime: boolean;
  revoked: boolean;
  findings: ChainFinding[];
}

export interface SigningMoment {
  time: Date;
  /** True when the time comes from a verified timestamp token, not from the signer's own claim. */
  proven: boolean;
}

const MAX_CHAIN_LENGTH = 10;
const KEY_COMPROMISE = 1;

function issuedBy(child: Cert, issuer: Cert): boolean {
  if (!child.asn.issuer.isEqual(issuer.asn.subject)) return false;
  try {
    return child.x509.verify(issuer.x509.publicKey);
  } catch {
    return false;
  }
}

function isAnchor(cert: Cert, store: TrustStore): boolean {
  return store.anchors.some((anchor) => anchor.der.equals(cert.der) || (anchor.asn.subject.isEqual(cert.asn.subject) && anchor.x509.publicKey.equals(cert.x509.publicKey)));
}

function buildChain(signer: Cert, embedded: Cert[], store: TrustStore): { chain: Cert[]; trusted: boolean; reason: string | null } {
  const chain = [signer];
  const visited = new Set([signer.fingerprint256]);
  const candidates = [...store.anchors, ...store.intermediates, ...embedded];
  for (let current = signer; chain.length <= MAX_CHAIN_LENGTH; ) {
    if (isAnchor(current, store)) return { chain, trusted: true, reason: null };
    if (current.isSelfSigned) {
      return { chain, trusted: false, reason: `chứng thư gốc "${describeName(current)}" không nằm trong danh sách tin cậy` };
    }
    const issuer = candidates.find((c) => !visited.has(c.fingerprint256) && issuedBy(current, c));
    if (!issuer) {
      return { chain, trusted: false, reason: `không tìm thấy chứng thư của tổ chức cấp "${current.x509.issuer.split('\n').join(', ')}" trong danh sách tin cậy` };
    }
    if (!issuer.isCa || (issuer.keyUsage && !issuer.keyUsage.keyCertSign)) {
      return { chain, trusted: false, reason: `"${describeName(issuer)}" không phải tổ chức chứng thực (không được phép cấp chứng thư)` };
    }
    chain.push(issuer);
    visited.add(issuer.fingerprint256);
    current = issuer;
  }
  return { chain, trusted: false, reason: 'chuỗi chứng thư quá dài' };
}

function validityFindings(chain: Cert[], moment: SigningMoment): ChainFinding[] {
  const findings: ChainFinding[] = [];
  const when = formatIsoVietnam(moment.time);
  chain.forEach((cert, position) => {
    const who = position === 0 ? 'chứng thư của người ký' : `chứng thư của tổ chức cấp "${describeName(cert)}"`;
    if (moment.time < cert.notBefore) {
      findings.push({ code: 'CERT_NOT_YET_VALID', detail: `${who} có hiệu lực từ ${formatIsoVietnam(cert.notBefore)}, ký lúc ${when}` });
    } else if (moment.time > cert.notAfter) {
      findings.push({ code: 'CERT_EXPIRED', detail: `${who} hết hạn ${formatIsoVietnam(cert.notAfter)}, ký lúc ${when}` });
    }
  });
  return findings;
}

function crlVerifiedBy(crl: pkijs.CertificateRevocationList, issuer: Cert): boolean {
  if (!crl.issuer.isEqual(issuer.asn.subject)) return false;
  try {
    return verifyRaw(
      issuer.x509.publicKey.export({ format: 'der', type: 'spki' }),
      signatureAlgorithmOf(crl.signatureAlgorithm),
      null,
      Buffer.from(crl.tbsView),
      Buffer.from(crl.signatureValue.valueBlock.valueHexView),
    );
  } catch {
    return false;
  }
}

function revocationReason(entry: pkijs.RevokedCertificate): number | null {
  const extension = entry.crlEntryExtensions?.extensions.find((e) => e.extnID === '2.5.29.21');
  const value = (extension?.parsedValue as { valueBlock?: { valueDec?: number } } | undefined)?.valueBlock?.valueDec;
  return typeof value === 'number' ? value : null;
}

function revocationFindings(chain: Cert[], crls: pkijs.CertificateRevocationList[], moment: SigningMoment): ChainFinding[] {
  const findings: ChainFinding[] = [];
  for (let i = 0; i + 1 < chain.length; i++) {
    const cert = chain[i];
    const issuer = chain[i + 1];
    for (const crl of crls) {
      if (!crlVerifiedBy(crl, issuer)) continue;
      const entry = crl.revokedCertificates?.find((r) => r.userCertificate.isEqual(cert.asn.serialNumber));
      if (!entry) continue;
      const revokedAt = entry.revocationDate.value;
      // A signature proven (by timestamp) to predate a revocation stays good, unless the key was compromised.
      const predates = moment.proven && moment.time < revokedAt && revocationReason(entry) !== KEY_COMPROMISE;
      if (!predates) {
        const who = i === 0 ? 'chứng thư của người ký' : `chứng thư "${describeName(cert)}"`;
        findings.push({ code: 'CERT_REVOKED', detail: `${who} (số sê-ri ${cert.serialHex}) bị thu hồi từ ${formatIsoVietnam(revokedAt)}` });
      }
      break;
    }
  }
  return findings;
}

export function validateChain(signer: Cert, embedded: Cert[], store: TrustStore, moment: SigningMoment, embeddedCrls: pkijs.CertificateRevocationList[] = []): ChainResult {
  const built = buildChain(signer, embedded, store);
  const findings: ChainFinding[] = [];
  if (!built.trusted) findings.push({ code: 'UNTRUSTED_CHAIN', detail: built.reason ?? 'không xác định' });
  const validity = validityFindings(built.chain, moment);
  findings.push(...validity);
  const revocation = revocationFindings(built.chain, [...store.crls, ...embeddedCrls], moment);
  findings.push(...revocation);
  if (signer.keyUsage && !signer.keyUsage.digitalSignature && !signer.keyUsage.nonRepudiation) {
    findings.push({ code: 'WRONG_KEY_USAGE', detail: 'chứng thư không có mục đích ký số (digitalSignature/nonRepudiation)' });
  }
  return {
    chain: built.chain,
    trusted: built.trusted,
    certValidAtSigningTime: !validity.some((f) => f.code === 'CERT_EXPIRED' || f.code === 'CERT_NOT_YET_VALID') && revocation.length === 0,
    revoked: revocation.length > 0,
    findings,
  };
}
