// X.509 certificates as the verifier needs them: node:crypto for keys and signatures, pkijs for ASN.1 fields.
import crypto from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

export interface NameFields {
  commonName: string | null;
  organization: string | null;
  serialNumber: string | null;
}

export interface KeyUsage {
  digitalSignature: boolean;
  nonRepudiation: boolean;
  keyCertSign: boolean;
  cRLSign: boolean;
}

export interface Cert {
  der: Buffer;
  x509: crypto.X509Certificate;
  asn: pkijs.Certificate;
  subject: NameFields;
  issuer: NameFields;
  serialHex: string;
  notBefore: Date;
  notAfter: Date;
  fingerprint256: string;
  isCa: boolean;
  isSelfSigned: boolean;
  /** null when the certificate has no keyUsage extension (any use allowed). */
  keyUsage: KeyUsage | null;
}

const OID_CN = '2.5.4.3';
const OID_O = '2.5.4.10';
const OID_SERIAL = '2.5.4.5';

function nameFields(name: pkijs.RelativeDistinguishedNames): NameFields {
  const get = (oid: string) => {
    const entry = name.typesAndValues.find((tv) => tv.type === oid);
    const value = (entry?.value as { valueBlock?: { value?: unknown } } | undefined)?.valueBlock?.value;
    return typeof value === 'string' ? value.normalize('NFC') : null;
  };
  return { commonName: get(OID_CN), organization: get(OID_O), serialNumber: get(OID_SERIAL) };
}

function readKeyUsage(asn: pkijs.Certificate): KeyUsage | null {
  const extension = asn.extensions?.find((e) => e.extnID === '2.5.29.15');
  if (!extension) return null;
  const bits = (extension.parsedValue as asn1js.BitString | undefined)?.valueBlock.valueHexView ?? new Uint8Array();
  const bit = (n: number) => ((bits[n >> 3] ?? 0) & (0x80 >> (n & 7))) !== 0;
  return { digitalSignature: bit(0), nonRepudiation: bit(1), keyCertSign: bit(5), cRLSign: bit(6) };
}

export class CertificateParseError extends Error {}

// The same signer, intermediate and root certificates come back in mail after mail: parsed once, kept by
// their exact bytes (Cert is never modified after it is made).
const CACHE_LIMIT = 500;
const parsedCertificates = new Map<string, Cert>();

function remember(cert: Cert): Cert {
  if (parsedCertificates.size >= CACHE_LIMIT) parsedCertificates.delete(parsedCertificates.keys().next().value!);
  parsedCertificates.set(cert.der.toString('base64'), cert);
  return cert;
}

export function parseCertificate(der: Buffer | Uint8Array): Cert {
  const bytes = Buffer.from(der);
  const known = parsedCertificates.get(bytes.toString('base64'));
  if (known) return known;
  let asn: pkijs.Certificate;
  try {
    asn = pkijs.Certificate.fromBER(bytes);
  } catch (err) {
    throw new CertificateParseError(`chứng thư số không đọc được / unreadable certificate: ${(err as Error).message}`);
  }
  return certificateFrom(asn, bytes);
}

/** Completes a certificate that pkijs already parsed (inside a CMS), without parsing its ASN.1 twice. */
export function certificateFrom(asn: pkijs.Certificate, der: Buffer = Buffer.from(asn.toSchema().toBER(false))): Cert {
  const bytes = der;
  const known = parsedCertificates.get(bytes.toString('base64'));
  if (known) return known;
  let x509: crypto.X509Certificate;
  try {
    x509 = new crypto.X509Certificate(bytes);
  } catch (err) {
    throw new CertificateParseError(`chứng thư số không đọc được / unreadable certificate: ${(err as Error).message}`);
  }
  const selfNamed = asn.subject.isEqual(asn.issuer);
  let selfVerified = false;
  if (selfNamed) {
    try {
      selfVerified = x509.verify(x509.publicKey);
    } catch {
      selfVerified = false;
    }
  }
  return remember({
    der: bytes,
    x509,
    asn,
    subject: nameFields(asn.subject),
    issuer: nameFields(asn.issuer),
    serialHex: Buffer.from(asn.serialNumber.valueBlock.valueHexView).toString('hex').toUpperCase(),
    notBefore: asn.notBefore.value,
    notAfter: asn.notAfter.value,
    fingerprint256: x509.fingerprint256,
    isCa: x509.ca,
    isSelfSigned: selfNamed && selfVerified,
    keyUsage: readKeyUsage(asn),
  });
}

/** One or more certificates from a file: PEM (any number of blocks) or a single DER. */
export function certificateDersFromFile(content: Buffer): Buffer[] {
  const text = content.toString('latin1');
  if (text.includes('-----BEGIN CERTIFICATE-----')) {
    return [...text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)].map((m) => Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));
  }
  return [content];
}

export function crlDersFromFile(content: Buffer): Buffer[] {
  const text = content.toString('latin1');
  if (text.includes('-----BEGIN X509 CRL-----')) {
    return [...text.matchAll(/-----BEGIN X509 CRL-----([\s\S]*?)-----END X509 CRL-----/g)].map((m) => Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));
  }
  return [content];
}

/** Subject as one readable line, e.g. "CN=Nguyễn Văn An, O=Sở Tài chính". */
export function describeName(cert: Cert): string {
  return cert.x509.subject.split('\n').join(', ');
}

export function issuerOf(cert: Cert): string {
  return cert.x509.issuer.split('\n').join(', ');
}

export function sameCertificate(a: Cert, b: Cert): boolean {
  return a.der.equals(b.der);
}
