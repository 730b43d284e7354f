// RFC 3161 timestamp tokens attached to a signature: they prove when the signature existed.
import crypto from 'node:crypto';
import * as pkijs from 'pkijs';
import { checkCmsSignature, CmsFormatError, parseCms } from './cms';
import { digestNameFromOid } from './algorithms';
import { validateChain } from './chain';
import type { TrustStore } from './trust-store';

export type TimestampResult = { ok: true; time: Date } | { ok: false; reason: string };

const OID_TST_INFO = '1.2.840.113549.1.9.16.1.4';

/** Verifies a timestamp token over `signatureValue`; its time counts only when everything checks out. */
export function verifyTimestampToken(token: Buffer, signatureValue: Buffer, store: TrustStore): TimestampResult {
  try {
    const cms = parseCms(token);
    if (cms.contentTypeOid !== OID_TST_INFO || !cms.eContent) return { ok: false, reason: 'không phải dấu thời gian RFC 3161' };
    const info = pkijs.TSTInfo.fromBER(cms.eContent);
    const imprintDigest = digestNameFromOid(info.messageImprint.hashAlgorithm.algorithmId);
    const expected = crypto.createHash(imprintDigest).update(signatureValue).digest();
    if (!expected.equals(Buffer.from(info.messageImprint.hashedMessage.valueBlock.valueHexView))) {
      return { ok: false, reason: 'dấu thời gian không phải của chữ ký này' };
    }
    const contentDigest = crypto.createHash(cms.digest).update(cms.eContent).digest();
    const check = checkCmsSignature(cms, contentDigest, () => cms.eContent!);
    if (!check.digestMatches || !check.signatureValid) return { ok: false, reason: 'chữ ký của đơn vị cấp dấu thời gian không đúng' };
    const chain = validateChain(cms.signer!, cms.embeddedCerts, store, { time: info.genTime, proven: true }, cms.embeddedCrls);
    if (!chain.trusted || chain.findings.length) return { ok: false, reason: `đơn vị cấp dấu thời gian không tin cậy: ${chain.findings.map((f) => f.detail).join('; ')}` };
    return { ok: true, time: info.genTime };
  } catch (err) {
    const reason = err instanceof CmsFormatError ? err.message : `không đọc được (${(err as Error).message})`;
    return { ok: false, reason };
  }
}
