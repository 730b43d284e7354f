// The trusted roots, intermediates and CRLs of TRUST_DIR (or any folder given with --trust).
import fs from 'node:fs';
import path from 'node:path';
import * as pkijs from 'pkijs';
import { Cert, certificateDersFromFile, crlDersFromFile, parseCertificate } from './certificates';

export interface TrustStore {
  dir: string;
  anchors: Cert[];
  intermediates: Cert[];
  crls: pkijs.CertificateRevocationList[];
  /** Which file each certificate (by SHA-256 fingerprint) and CRL came from. */
  sources: Map<string, string>;
  crlSources: string[];
  /** Files that could not be read, with the reason (an operator must see them). */
  rejected: Array<{ file: string; reason: string }>;
}

const CERT_EXTENSIONS = new Set(['.pem', '.crt', '.cer', '.der']);

export class TrustStoreError extends Error {}

export function emptyTrustStore(dir = ''): TrustStore {
  return { dir, anchors: [], intermediates: [], crls: [], sources: new Map(), crlSources: [], rejected: [] };
}

export function loadTrustStore(dir: string): TrustStore {
  let names: string[];
  try {
    names = fs.readdirSync(dir).sort();
  } catch (err) {
    throw new TrustStoreError(`không đọc được thư mục chứng thư tin cậy / cannot read trust folder ${dir}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
  const store = emptyTrustStore(dir);
  const seen = new Set<string>();
  for (const name of names) {
    const file = path.join(dir, name);
    const extension = path.extname(name).toLowerCase();
    if (!CERT_EXTENSIONS.has(extension) && extension !== '.crl') continue;
    let content: Buffer;
    try {
      if (!fs.statSync(file).isFile()) continue;
      content = fs.readFileSync(file);
    } catch (err) {
      store.rejected.push({ file: name, reason: String((err as NodeJS.ErrnoException).code ?? err) });
      continue;
    }
    if (extension === '.crl') {
      for (const der of crlDersFromFile(content)) {
        try {
          store.crls.push(pkijs.CertificateRevocationList.fromBER(der));
          store.crlSources.push(name);
        } catch (err) {
          store.rejected.push({ file: name, reason: `CRL không đọc được / unreadable CRL: ${(err as Error).message}` });
        }
      }
      continue;
    }
    for (const der of certificateDersFromFile(content)) {
      try {
        const cert = parseCertificate(der);
        if (seen.has(cert.fingerprint256)) continue;
        seen.add(cert.fingerprint256);
        store.sources.set(cert.fingerprint256, name);
        (cert.isSelfSigned ? store.anchors : store.intermediates).push(cert);
      } catch (err) {
        store.rejected.push({ file: name, reason: (err as Error).message });
      }
    }
  }
  return store;
}

const cache = new Map<string, { store: TrustStore; stamp: string }>();

/** Loads a trust folder once and reloads it only when its files change (size or time). */
export function cachedTrustStore(dir: string): TrustStore {
  let stamp: string;
  try {
    stamp = fs.readdirSync(dir).sort().map((name) => {
      const stat = fs.statSync(path.join(dir, name));
      return `${name}:${stat.size}:${stat.mtimeMs}`;
    }).join('|');
  } catch {
    return loadTrustStore(dir);
  }
  const hit = cache.get(dir);
  if (hit && hit.stamp === stamp) return hit.store;
  const store = loadTrustStore(dir);
  cache.set(dir, { store, stamp });
  return store;
}
