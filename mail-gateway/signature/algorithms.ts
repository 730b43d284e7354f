// Digest and signature algorithms by OID, and raw signature verification with node:crypto.
import crypto from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

export type DigestName = 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';

const DIGESTS: Record<string, DigestName> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

type SignatureFamily = 'rsa' | 'rsa-pss' | 'ecdsa' | 'ed25519';

/** Signature OIDs: family and, when the OID fixes it, the digest. */
const SIGNATURES: Record<string, { family: SignatureFamily; digest?: DigestName }> = {
  '1.2.840.113549.1.1.1': { family: 'rsa' },
  '1.2.840.113549.1.1.5': { family: 'rsa', digest: 'sha1' },
  '1.2.840.113549.1.1.14': { family: 'rsa', digest: 'sha224' },
  '1.2.840.113549.1.1.11': { family: 'rsa', digest: 'sha256' },
  '1.2.840.113549.1.1.12': { family: 'rsa', digest: 'sha384' },
  '1.2.840.113549.1.1.13': { family: 'rsa', digest: 'sha512' },
  '1.2.840.113549.1.1.10': { family: 'rsa-pss' },
  '1.2.840.10045.2.1': { family: 'ecdsa' },
  '1.2.840.10045.4.1': { family: 'ecdsa', digest: 'sha1' },
  '1.2.840.10045.4.3.1': { family: 'ecdsa', digest: 'sha224' },
  '1.2.840.10045.4.3.2': { family: 'ecdsa', digest: 'sha256' },
  '1.2.840.10045.4.3.3': { family: 'ecdsa', digest: 'sha384' },
  '1.2.840.10045.4.3.4': { family: 'ecdsa', digest: 'sha512' },
  '1.3.101.112': { family: 'ed25519' },
};

export class UnsupportedAlgorithmError extends Error {}

export function digestNameFromOid(oid: string): DigestName {
  const name = DIGESTS[oid];
  if (!name) throw new UnsupportedAlgorithmError(`thuật toán băm ${oid} không được hỗ trợ / unsupported digest algorithm`);
  return name;
}

export interface PssParameters {
  hash: DigestName;
  saltLength: number;
}

export interface SignatureAlgorithm {
  oid: string;
  /** DER of the AlgorithmIdentifier parameters' parsed PSS fields, when RSA-PSS. */
  pss?: PssParameters;
}

/**
 * Verifies `signature` over `data` with the public key (SPKI DER). `digest` is the digest the signer
 * declared; a signature OID that fixes its own digest must agree with it.
 */
export function verifyRaw(spkiDer: Buffer, algorithm: SignatureAlgorithm, digest: DigestName | null, data: Buffer, signature: Buffer): boolean {
  const known = SIGNATURES[algorithm.oid];
  if (!known) throw new UnsupportedAlgorithmError(`thuật toán ký ${algorithm.oid} không được hỗ trợ / unsupported signature algorithm`);
  const key = crypto.createPublicKey({ key: spkiDer, format: 'der', type: 'spki' });
  switch (known.family) {
    case 'ed25519':
      return crypto.verify(null, data, key, signature);
    case 'rsa-pss': {
      const pss = algorithm.pss ?? { hash: 'sha1', saltLength: 20 };
      return crypto.verify(pss.hash, data, { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: pss.saltLength }, signature);
    }
    case 'ecdsa': {
      const hash = known.digest ?? digest;
      if (!hash) throw new UnsupportedAlgorithmError('thiếu thuật toán băm cho ECDSA / ECDSA without digest');
      return crypto.verify(hash, data, { key, dsaEncoding: 'der' }, signature);
    }
    case 'rsa': {
      const hash = known.digest ?? digest;
      if (!hash) throw new UnsupportedAlgorithmError('thiếu thuật toán băm cho RSA / RSA without digest');
      if (key.asymmetricKeyType !== 'rsa' && key.asymmetricKeyType !== 'rsa-pss') return false;
      return crypto.verify(hash, data, { key, padding: crypto.constants.RSA_PKCS1_PADDING }, signature);
    }
  }
}

export function isKnownSignatureOid(oid: string): boolean {
  return oid in SIGNATURES;
}

/** Reads a pkijs AlgorithmIdentifier, including RSA-PSS parameters. */
export function signatureAlgorithmOf(identifier: { algorithmId: string; algorithmParams?: unknown }): SignatureAlgorithm {
  if (identifier.algorithmId !== '1.2.840.113549.1.1.10') return { oid: identifier.algorithmId };
  const params = identifier.algorithmParams;
  if (!(params instanceof asn1js.Sequence)) return { oid: identifier.algorithmId, pss: { hash: 'sha1', saltLength: 20 } };
  const parsed = new pkijs.RSASSAPSSParams({ schema: params });
  return { oid: identifier.algorithmId, pss: { hash: digestNameFromOid(parsed.hashAlgorithm.algorithmId), saltLength: parsed.saltLength } };
}

