/**
 * Test PKI for the PDF-signature fixtures: a two-level government-style CA (root + intermediate), good
 * signers (person, organisation = the seal, ECDSA, RSA-PSS) and bad ones (expired, not yet valid, revoked,
 * wrong key usage, a copied organisation name under an untrusted root), plus a CRL.
 *
 * Everything is generated in memory with @peculiar/x509 on node's WebCrypto; nothing is cached on disk.
 * Each key pair is generated exactly once per createTestPki() call, all in parallel.
 *
 * Independent of mail-gateway/ on purpose: the fixtures must not share code with the verifier they test.
 */
import { webcrypto } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

/**
 * @peculiar/x509 loads tsyringe, which refuses to start without a Reflect metadata polyfill, and none is
 * installed in this project. The subset it uses (metadata, defineMetadata, getMetadata, getOwnMetadata) is
 * tiny, so we provide it here — only when no real polyfill is present — before x509 is required below.
 */
export function installReflectMetadataShim(): void {
  const R = Reflect as unknown as Record<string, unknown>;
  if (typeof R.getMetadata === 'function') return;
  const store = new WeakMap<object, Map<unknown, Map<unknown, unknown>>>();
  const own = (target: object, prop: unknown, create: boolean): Map<unknown, unknown> | undefined => {
    let byProp = store.get(target);
    if (!byProp) {
      if (!create) return undefined;
      byProp = new Map();
      store.set(target, byProp);
    }
    let m = byProp.get(prop);
    if (!m && create) {
      m = new Map();
      byProp.set(prop, m);
    }
    return m;
  };
  const defineMetadata = (key: unknown, value: unknown, target: object, prop?: unknown) => {
    own(target, prop, true)!.set(key, value);
  };
  const getOwnMetadata = (key: unknown, target: object, prop?: unknown) => own(target, prop, false)?.get(key);
  const hasOwnMetadata = (key: unknown, target: object, prop?: unknown) => own(target, prop, false)?.has(key) ?? false;
  const getMetadata = (key: unknown, target: object, prop?: unknown): unknown => {
    for (let t: object | null = target; t; t = Object.getPrototypeOf(t)) {
      if (hasOwnMetadata(key, t, prop)) return getOwnMetadata(key, t, prop);
    }
    return undefined;
  };
  const metadata = (key: unknown, value: unknown) => (target: object, prop?: unknown) =>
    defineMetadata(key, value, target, prop);
  Object.assign(R, { defineMetadata, getOwnMetadata, hasOwnMetadata, getMetadata, metadata });
  R.hasMetadata = (key: unknown, target: object, prop?: unknown) => getMetadata(key, target, prop) !== undefined;
}
installReflectMetadataShim();

// Required after the shim (statement order is kept in the CommonJS output).
import x509 = require('@peculiar/x509');
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export interface Identity {
  /** Short label used in logs and manifests ("person", "organization", …). */
  label: string;
  cert: x509.X509Certificate;
  certDer: Buffer;
  keys: CryptoKeyPair;
  /** Issuer certificates up to but excluding the root (DER), nearest issuer first. */
  chainDer: Buffer[];
}

export interface WriteTrustDirOptions {
  /** Write intermediate.crt (default true). */
  includeIntermediate?: boolean;
  /** Write ca.crl (default true). */
  includeCrl?: boolean;
  /** Encoding of intermediate.crt and ca.crl (root.pem is always PEM). Default 'der'. */
  format?: 'pem' | 'der';
}

export interface TestPki {
  now: Date;
  root: Identity;
  intermediate: Identity;
  person: Identity;
  organization: Identity;
  expiredPerson: Identity;
  notYetValidPerson: Identity;
  revokedPerson: Identity;
  wrongKeyUsagePerson: Identity;
  ecdsaPerson: Identity;
  pssPerson: Identity;
  untrustedRoot: Identity;
  untrustedOrganization: Identity;
  /** DER CRL issued by `intermediate`, listing `revokedPerson`. */
  crl: Buffer;
  /** Revocation date of `revokedPerson` in the CRL (now - 10 days). */
  revocationDate: Date;
  writeTrustDir(dir: string, opts?: WriteTrustDirOptions): Promise<string[]>;
}

export const ROOT_CN = 'Test RootCA Chuyên dùng Chính phủ G2';
export const INTERMEDIATE_CN = 'Test CA phục vụ các cơ quan Nhà nước G2';
export const CA_ORG = 'Ban Cơ yếu Chính phủ';
export const ORG_NAME = 'Sở Tài chính tỉnh Bình Thuận';
export const PERSON_NAME = 'Nguyễn Văn An';

const DAY = 24 * 3600 * 1000;
const YEAR = 365 * DAY;

const RSA_ALG: webcrypto.RsaHashedKeyGenParams = {
  name: 'RSASSA-PKCS1-v1_5',
  hash: 'SHA-256',
  publicExponent: new Uint8Array([1, 0, 1]),
  modulusLength: 2048,
};
const PSS_ALG: webcrypto.RsaHashedKeyGenParams = { ...RSA_ALG, name: 'RSA-PSS' };
const EC_ALG: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };

type KeyKind = 'rsa' | 'pss' | 'ec';

function genKeys(kind: KeyKind): Promise<CryptoKeyPair> {
  const alg = kind === 'rsa' ? RSA_ALG : kind === 'pss' ? PSS_ALG : EC_ALG;
  return webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
}

/** Subject in the usual DER order (C, ST, O, [OU], CN). */
function dn(cn: string, o: string, extra: { st?: string; ou?: string } = {}): x509.JsonName {
  const name: x509.JsonName = [{ C: ['VN'] }];
  if (extra.st) name.push({ ST: [extra.st] });
  name.push({ O: [o] });
  if (extra.ou) name.push({ OU: [extra.ou] });
  name.push({ CN: [cn] });
  return name;
}

function randomSerial(): string {
  const b = webcrypto.getRandomValues(new Uint8Array(16));
  b[0] = (b[0]! & 0x7f) | 0x10; // positive, 16 bytes, no leading zero
  return Buffer.from(b).toString('hex');
}

function ident(label: string, cert: x509.X509Certificate, keys: CryptoKeyPair, chain: Buffer[]): Identity {
  return { label, cert, certDer: Buffer.from(cert.rawData), keys, chainDer: chain };
}

function toPem(der: Buffer, label: 'CERTIFICATE' | 'X509 CRL'): string {
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

const KU = x509.KeyUsageFlags;

export async function createTestPki(opts: { now?: Date } = {}): Promise<TestPki> {
  const now = opts.now ?? new Date();
  const t = (ms: number) => new Date(now.getTime() + ms);

  const kinds = {
    root: 'rsa',
    intermediate: 'rsa',
    person: 'rsa',
    organization: 'rsa',
    expiredPerson: 'rsa',
    notYetValidPerson: 'rsa',
    revokedPerson: 'rsa',
    wrongKeyUsagePerson: 'rsa',
    ecdsaPerson: 'ec',
    pssPerson: 'pss',
    untrustedRoot: 'rsa',
    untrustedOrganization: 'rsa',
  } as const satisfies Record<string, KeyKind>;
  type Name = keyof typeof kinds;
  const names = Object.keys(kinds) as Name[];
  const pairs = await Promise.all(names.map((n) => genKeys(kinds[n])));
  const keys = Object.fromEntries(names.map((n, i) => [n, pairs[i]!])) as Record<Name, CryptoKeyPair>;

  // --- roots -----------------------------------------------------------------------------------------
  const caExtensions = async (pub: CryptoKey, pathLen?: number) => [
    new x509.BasicConstraintsExtension(true, pathLen, true),
    new x509.KeyUsagesExtension(KU.keyCertSign | KU.cRLSign, true),
    await x509.SubjectKeyIdentifierExtension.create(pub),
  ];

  const rootCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: dn(ROOT_CN, CA_ORG),
    notBefore: t(-5 * YEAR),
    notAfter: t(20 * YEAR),
    keys: keys.root,
    extensions: await caExtensions(keys.root.publicKey),
  });
  const root = ident('root', rootCert, keys.root, []);

  const untrustedRootCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    // Looks official, but is nobody's trust anchor.
    name: dn('RootCA Chuyên dùng Chính phủ G2', CA_ORG),
    notBefore: t(-2 * YEAR),
    notAfter: t(20 * YEAR),
    keys: keys.untrustedRoot,
    extensions: await caExtensions(keys.untrustedRoot.publicKey),
  });
  const untrustedRoot = ident('untrustedRoot', untrustedRootCert, keys.untrustedRoot, []);

  const issue = async (p: {
    issuer: Identity;
    subject: x509.JsonName | x509.Name;
    publicKey: CryptoKey;
    notBefore: Date;
    notAfter: Date;
    extensions: x509.Extension[];
  }): Promise<x509.X509Certificate> =>
    x509.X509CertificateGenerator.create({
      serialNumber: randomSerial(),
      subject: p.subject,
      issuer: p.issuer.cert.subjectName,
      publicKey: p.publicKey,
      signingKey: p.issuer.keys.privateKey,
      notBefore: p.notBefore,
      notAfter: p.notAfter,
      extensions: [
        ...p.extensions,
        await x509.SubjectKeyIdentifierExtension.create(p.publicKey),
        await x509.AuthorityKeyIdentifierExtension.create(p.issuer.keys.publicKey),
      ],
    });

  const intermediateCert = await issue({
    issuer: root,
    subject: dn(INTERMEDIATE_CN, CA_ORG),
    publicKey: keys.intermediate.publicKey,
    notBefore: t(-3 * YEAR),
    notAfter: t(10 * YEAR),
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(KU.keyCertSign | KU.cRLSign, true),
    ],
  });
  const intermediate = ident('intermediate', intermediateCert, keys.intermediate, []);
  const chain = [intermediate.certDer];

  const signingKu = () => new x509.KeyUsagesExtension(KU.digitalSignature | KU.nonRepudiation, true);
  const endEntity = async (
    label: Name,
    subject: x509.JsonName | x509.Name,
    o: { notBefore?: Date; notAfter?: Date; ku?: x509.KeyUsagesExtension; issuer?: Identity; chain?: Buffer[] } = {},
  ): Promise<Identity> => {
    const cert = await issue({
      issuer: o.issuer ?? intermediate,
      subject,
      publicKey: keys[label].publicKey,
      notBefore: o.notBefore ?? t(-1 * YEAR),
      notAfter: o.notAfter ?? t(2 * YEAR),
      extensions: [new x509.BasicConstraintsExtension(false, undefined, false), o.ku ?? signingKu()],
    });
    return ident(label, cert, keys[label], o.chain ?? chain);
  };

  const personDn = (cn: string) => dn(cn, ORG_NAME, { st: 'Bình Thuận' });
  const person = await endEntity('person', personDn(PERSON_NAME));
  // CN equals O: that is how the verifier recognises the organisation's signature (the seal).
  const organization = await endEntity('organization', dn(ORG_NAME, ORG_NAME, { st: 'Bình Thuận' }));
  const expiredPerson = await endEntity('expiredPerson', personDn('Lê Thị Hết Hạn'), {
    notBefore: t(-2 * YEAR),
    notAfter: t(-30 * DAY),
  });
  const notYetValidPerson = await endEntity('notYetValidPerson', personDn('Phạm Văn Chưa Hiệu Lực'), {
    notBefore: t(30 * DAY),
    notAfter: t(2 * YEAR),
  });
  const revokedPerson = await endEntity('revokedPerson', personDn('Hoàng Văn Thu Hồi'));
  const wrongKeyUsagePerson = await endEntity('wrongKeyUsagePerson', personDn('Võ Thị Mã Hóa'), {
    ku: new x509.KeyUsagesExtension(KU.keyEncipherment, true),
  });
  const ecdsaPerson = await endEntity('ecdsaPerson', personDn('Trần Thị Bình'));
  const pssPerson = await endEntity('pssPerson', personDn('Đặng Quốc Cường'));
  // Copies the exact subject (same DER) of the real organisation, but chains to an untrusted root.
  const untrustedOrganization = await endEntity('untrustedOrganization', organization.cert.subjectName, {
    issuer: untrustedRoot,
    chain: [],
  });

  // --- CRL ----------------------------------------------------------------------------------------------
  const revocationDate = t(-10 * DAY);
  const crlObj = await x509.X509CrlGenerator.create({
    issuer: intermediate.cert.subjectName,
    thisUpdate: t(-1 * DAY),
    nextUpdate: t(30 * DAY),
    signingKey: intermediate.keys.privateKey,
    signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as webcrypto.Algorithm,
    entries: [
      {
        serialNumber: revokedPerson.cert.serialNumber,
        revocationDate,
        reason: x509.X509CrlReason.keyCompromise,
      },
    ],
    extensions: [
      await x509.AuthorityKeyIdentifierExtension.create(intermediate.keys.publicKey),
      // cRLNumber (2.5.29.20) = 1
      new x509.Extension('2.5.29.20', false, new Uint8Array([0x02, 0x01, 0x01])),
    ],
  });
  const crl = Buffer.from(crlObj.rawData);

  const pki: TestPki = {
    now,
    root,
    intermediate,
    person,
    organization,
    expiredPerson,
    notYetValidPerson,
    revokedPerson,
    wrongKeyUsagePerson,
    ecdsaPerson,
    pssPerson,
    untrustedRoot,
    untrustedOrganization,
    crl,
    revocationDate,
    async writeTrustDir(dir: string, o: WriteTrustDirOptions = {}): Promise<string[]> {
      const format = o.format ?? 'der';
      await mkdir(dir, { recursive: true });
      const written: string[] = [];
      const put = async (name: string, data: string | Buffer) => {
        const p = join(dir, name);
        await writeFile(p, data);
        written.push(p);
      };
      await put('root.pem', toPem(root.certDer, 'CERTIFICATE'));
      if (o.includeIntermediate ?? true) {
        await put('intermediate.crt', format === 'pem' ? toPem(intermediate.certDer, 'CERTIFICATE') : intermediate.certDer);
      }
      if (o.includeCrl ?? true) {
        await put('ca.crl', format === 'pem' ? toPem(crl, 'X509 CRL') : crl);
      }
      return written;
    },
  };
  return pki;
}

export function certToPem(der: Buffer): string {
  return toPem(der, 'CERTIFICATE');
}
