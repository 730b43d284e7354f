// The STARTTLS identity: the configured certificate and key, or a self-signed pair made once into
// DATA_DIR/tls so that mail is encrypted in transit from the first start (senders' MTAs accept
// self-signed certificates for opportunistic TLS).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { Config } from '../../config';
import { StartupError } from '../../db/connection';

export interface TlsIdentity {
  cert: Buffer;
  key: Buffer;
  /** Where the pair came from, for the start-up log. */
  source: 'config' | 'generated' | 'data-dir';
}

const VALID_YEARS = 10;
const OID = { commonName: '2.5.4.3', subjectAltName: '2.5.29.17', basicConstraints: '2.5.29.19', extKeyUsage: '2.5.29.37', serverAuth: '1.3.6.1.5.5.7.3.1' };

function pem(label: string, der: ArrayBuffer): string {
  const body = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

function name(hostName: string): pkijs.RelativeDistinguishedNames {
  return new pkijs.RelativeDistinguishedNames({
    typesAndValues: [new pkijs.AttributeTypeAndValue({ type: OID.commonName, value: new asn1js.Utf8String({ value: hostName }) })],
  });
}

/** A self-signed ECDSA P-256 server certificate for `hostName`. */
export async function createSelfSignedIdentity(hostName: string, now = new Date()): Promise<{ cert: string; key: string }> {
  const keys = (await crypto.webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as crypto.webcrypto.CryptoKeyPair;
  const certificate = new pkijs.Certificate();
  certificate.version = 2;
  const serial = crypto.randomBytes(16);
  // Positive and without a leading zero byte: DER integers are minimal, and TLS refuses "illegal padding".
  serial[0] = (serial[0] & 0x7f) | 0x40;
  certificate.serialNumber = new asn1js.Integer({ valueHex: serial });
  certificate.issuer = name(hostName);
  certificate.subject = name(hostName);
  certificate.notBefore.value = new Date(now.getTime() - 60_000);
  certificate.notAfter.value = new Date(Date.UTC(now.getUTCFullYear() + VALID_YEARS, now.getUTCMonth(), now.getUTCDate()));
  certificate.extensions = [
    new pkijs.Extension({ extnID: OID.basicConstraints, critical: true, extnValue: new pkijs.BasicConstraints({ cA: false }).toSchema().toBER(false) }),
    new pkijs.Extension({ extnID: OID.extKeyUsage, extnValue: new pkijs.ExtKeyUsage({ keyPurposes: [OID.serverAuth] }).toSchema().toBER(false) }),
    new pkijs.Extension({
      extnID: OID.subjectAltName,
      extnValue: new pkijs.GeneralNames({ names: [new pkijs.GeneralName({ type: 2, value: hostName })] }).toSchema().toBER(false),
    }),
  ];
  await certificate.subjectPublicKeyInfo.importKey(keys.publicKey);
  await certificate.sign(keys.privateKey, 'SHA-256');
  const pkcs8 = await crypto.webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { cert: pem('CERTIFICATE', certificate.toSchema().toBER(false)), key: pem('PRIVATE KEY', pkcs8) };
}

function readPair(certFile: string, keyFile: string): { cert: Buffer; key: Buffer } {
  const cert = fs.readFileSync(certFile);
  const key = fs.readFileSync(keyFile);
  // Fails early, at start, on a certificate and key that do not belong together or do not parse.
  const x509 = new crypto.X509Certificate(cert);
  if (!x509.checkPrivateKey(crypto.createPrivateKey(key))) throw new Error('the key does not belong to the certificate');
  // TLS is stricter than X509Certificate about DER: load the pair as the server will.
  tls.createSecureContext({ cert, key });
  return { cert, key };
}

export async function loadTlsIdentity(config: Config): Promise<TlsIdentity> {
  if (config.smtpTlsCert && config.smtpTlsKey) {
    try {
      return { ...readPair(config.smtpTlsCert, config.smtpTlsKey), source: 'config' };
    } catch (err) {
      throw new StartupError(`SMTP_TLS_CERT/SMTP_TLS_KEY không dùng được / unusable: ${(err as Error).message}`);
    }
  }
  const dir = path.join(config.dataDir, 'tls');
  const certFile = path.join(dir, 'smtp-selfsigned.crt');
  const keyFile = path.join(dir, 'smtp-selfsigned.key');
  if (fs.existsSync(certFile) && fs.existsSync(keyFile)) {
    try {
      return { ...readPair(certFile, keyFile), source: 'data-dir' };
    } catch {
      // A damaged pair (e.g. a crash while writing it) is replaced by a new one below.
    }
  }
  const made = await createSelfSignedIdentity(config.smtpBannerName);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(keyFile, made.key, { mode: 0o600 });
  fs.writeFileSync(certFile, made.cert);
  return { ...readPair(certFile, keyFile), source: 'generated' };
}
