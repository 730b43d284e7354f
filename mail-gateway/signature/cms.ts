// CMS (PKCS#7) SignedData of a PDF signature: parsing, and checking the digest and signature value.
import crypto from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { DigestName, digestNameFromOid, SignatureAlgorithm, signatureAlgorithmOf, UnsupportedAlgorithmError, verifyRaw } from './algorithms';
import { Cert, certificateFrom } from './certificates';

const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
const OID_CONTENT_TYPE = '1.2.840.113549.1.9.3';
const OID_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
const OID_SIGNING_TIME = '1.2.840.113549.1.9.5';
const OID_TIMESTAMP_TOKEN = '1.2.840.113549.1.9.16.2.14';
const OID_SUBJECT_KEY_ID = '2.5.29.14';

export class CmsFormatError extends Error {}

export interface CmsSignature {
  signerInfo: pkijs.SignerInfo;
  signer: Cert | null;
  embeddedCerts: Cert[];
  embeddedCrls: pkijs.CertificateRevocationList[];
  digest: DigestName;
  signatureAlgorithm: SignatureAlgorithm;
  signedAttributesDer: Buffer | null;
  messageDigest: Buffer | null;
  contentTypeOid: string | null;
  signingTime: Date | null;
  signatureValue: Buffer;
  /** Encapsulated content, when the signature carries it (adbe.pkcs7.sha1, timestamp tokens). */
  eContent: Buffer | null;
  timestampToken: Buffer | null;
}

function attributeValue(info: pkijs.SignerInfo, oid: string, which: 'signed' | 'unsigned'): unknown {
  const attributes = which === 'signed' ? info.signedAttrs?.attributes : info.unsignedAttrs?.attributes;
  const attribute = attributes?.find((a) => a.type === oid);
  if (attribute && attribute.values.length !== 1) throw new CmsFormatError(`thuộc tính ${oid} có ${attribute.values.length} giá trị`);
  return attribute?.values[0];
}

function octets(value: unknown): Buffer | null {
  return value instanceof asn1js.OctetString ? Buffer.from(value.getValue()) : null;
}

function timeValue(value: unknown): Date | null {
  if (value instanceof asn1js.UTCTime || value instanceof asn1js.GeneralizedTime) return value.toDate();
  return null;
}

function findSigner(info: pkijs.SignerInfo, certs: Cert[]): Cert | null {
  if (info.sid instanceof pkijs.IssuerAndSerialNumber) {
    const sid = info.sid;
    return certs.find((c) => c.asn.issuer.isEqual(sid.issuer) && c.asn.serialNumber.isEqual(sid.serialNumber)) ?? null;
  }
  const keyId = octets((info.sid as asn1js.Constructed).valueBlock?.value?.[0]) ?? octets(info.sid);
  if (!keyId) return null;
  return certs.find((c) => {
    const extension = c.asn.extensions?.find((e) => e.extnID === OID_SUBJECT_KEY_ID);
    const value = octets(extension?.parsedValue);
    return value !== null && value.equals(keyId);
  }) ?? null;
}

/** The DER element at the start of `bytes`, without the zero padding that fills a signature placeholder. */
function firstElement(bytes: Buffer): Buffer {
  if (bytes.length < 2 || bytes[0] !== 0x30) return bytes;
  const first = bytes[1];
  if (first < 0x80) return bytes.subarray(0, Math.min(bytes.length, 2 + first));
  const count = first & 0x7f;
  if (count === 0 || count > 4 || bytes.length < 2 + count) return bytes; // indefinite length (BER): let the parser find the end
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + bytes[2 + i];
  return bytes.subarray(0, Math.min(bytes.length, 2 + count + length));
}

/**
 * The certificates' original bytes, read from the already parsed SignedData block (re-encoding them
 * with asn1js would cost more than the whole rest of the verification).
 */
function embeddedCertificateDers(signedDataBlock: unknown): Buffer[] {
  const fields = (signedDataBlock as asn1js.Sequence).valueBlock?.value ?? [];
  const set = fields.find((b) => b.idBlock.tagClass === 3 && b.idBlock.tagNumber === 0) as asn1js.Constructed | undefined;
  return (set?.valueBlock.value ?? []).map((cert) => Buffer.from(cert.valueBeforeDecodeView));
}

/** Parses the DER of a /Contents value (trailing zero padding allowed). */
export function parseCms(contents: Buffer): CmsSignature {
  let signedData: pkijs.SignedData;
  let certificateDers: Buffer[] = [];
  const der = firstElement(contents);
  try {
    const contentInfo = pkijs.ContentInfo.fromBER(der);
    if (contentInfo.contentType !== OID_SIGNED_DATA) throw new CmsFormatError(`không phải SignedData (${contentInfo.contentType})`);
    signedData = new pkijs.SignedData({ schema: contentInfo.content });
    certificateDers = embeddedCertificateDers(contentInfo.content);
  } catch (err) {
    if (err instanceof CmsFormatError) throw err;
    throw new CmsFormatError(`cấu trúc CMS không đọc được: ${(err as Error).message}`);
  }
  if (signedData.signerInfos.length !== 1) throw new CmsFormatError(`có ${signedData.signerInfos.length} người ký trong một chữ ký (phải đúng 1)`);
  const signerInfo = signedData.signerInfos[0];
  const embeddedCerts: Cert[] = [];
  for (const [position, item] of (signedData.certificates ?? []).entries()) {
    if (item instanceof pkijs.Certificate) {
      try {
        embeddedCerts.push(certificateFrom(item, certificateDers[position]));
      } catch {
        // An unreadable extra certificate is ignored; the signer's own certificate must parse (checked below).
      }
    }
  }
  const embeddedCrls = (signedData.crls ?? []).filter((c): c is pkijs.CertificateRevocationList => c instanceof pkijs.CertificateRevocationList);
  const hasSignedAttributes = (signerInfo.signedAttrs?.attributes.length ?? 0) > 0;
  let signingTime: Date | null = null;
  let messageDigest: Buffer | null = null;
  let contentTypeOid: string | null = null;
  try {
    if (hasSignedAttributes) {
      messageDigest = octets(attributeValue(signerInfo, OID_MESSAGE_DIGEST, 'signed'));
      const contentType = attributeValue(signerInfo, OID_CONTENT_TYPE, 'signed');
      contentTypeOid = contentType instanceof asn1js.ObjectIdentifier ? contentType.valueBlock.toString() : null;
      signingTime = timeValue(attributeValue(signerInfo, OID_SIGNING_TIME, 'signed'));
      if (!messageDigest) throw new CmsFormatError('thiếu thuộc tính messageDigest');
      if (!contentTypeOid) throw new CmsFormatError('thiếu thuộc tính contentType');
    }
  } catch (err) {
    if (err instanceof CmsFormatError) throw err;
    throw new CmsFormatError(`thuộc tính ký không đọc được: ${(err as Error).message}`);
  }
  const tokenValue = attributeValue(signerInfo, OID_TIMESTAMP_TOKEN, 'unsigned') as asn1js.AsnType | undefined;
  const eContent = signedData.encapContentInfo.eContent ? Buffer.from(signedData.encapContentInfo.eContent.getValue()) : null;
  return {
    signerInfo,
    signer: findSigner(signerInfo, embeddedCerts),
    embeddedCerts,
    embeddedCrls,
    digest: digestNameFromOid(signerInfo.digestAlgorithm.algorithmId),
    signatureAlgorithm: signatureAlgorithmOf(signerInfo.signatureAlgorithm),
    signedAttributesDer: hasSignedAttributes ? Buffer.from(signerInfo.signedAttrs!.encodedValue) : null,
    messageDigest,
    contentTypeOid,
    signingTime,
    signatureValue: Buffer.from(signerInfo.signature.valueBlock.valueHexView),
    eContent,
    timestampToken: tokenValue ? Buffer.from(tokenValue.toBER(false)) : null,
  };
}

export interface CmsCheck {
  digestMatches: boolean;
  signatureValid: boolean;
}

/**
 * Checks that the signed content hashes to the signed digest and that the signature value verifies
 * under the signer's key. `contentDigest` is the digest of the signed content with `cms.digest`;
 * `content` is asked for only when the signature has no signed attributes (rare, old signers).
 */
export function checkCmsSignature(cms: CmsSignature, contentDigest: Buffer, content: () => Buffer): CmsCheck {
  if (!cms.signer) return { digestMatches: false, signatureValid: false };
  const spki = cms.signer.x509.publicKey.export({ format: 'der', type: 'spki' });
  if (cms.signedAttributesDer) {
    const digestMatches = cms.messageDigest !== null && cms.messageDigest.equals(contentDigest);
    let signatureValid = false;
    try {
      signatureValid = verifyRaw(spki, cms.signatureAlgorithm, cms.digest, cms.signedAttributesDer, cms.signatureValue);
    } catch (err) {
      if (err instanceof UnsupportedAlgorithmError) throw err;
      signatureValid = false;
    }
    return { digestMatches, signatureValid };
  }
  const data = content();
  const digestMatches = crypto.createHash(cms.digest).update(data).digest().equals(contentDigest);
  let signatureValid = false;
  try {
    signatureValid = verifyRaw(spki, cms.signatureAlgorithm, cms.digest, data, cms.signatureValue);
  } catch (err) {
    if (err instanceof UnsupportedAlgorithmError) throw err;
  }
  return { digestMatches, signatureValid: signatureValid && digestMatches };
}
