// `npm run -s trust -- list [--trust <dir>] [--json]`: the installed trusted certificates and CRLs, with
// SHA-256 fingerprints an operator compares with the ones the issuing authority publishes.
import { loadTrustStore } from '../mail-gateway/signature';
import { describeName } from '../mail-gateway/signature/certificates';
import { loadConfig } from '../config';
import { formatIsoVietnam } from '../db/time';
import { runCommand, UsageError } from './cli';

const USAGE = 'usage: trust list [--trust <dir>] [--json]';

runCommand('trust', async () => {
  const argv = process.argv.slice(2);
  if (argv[0] !== 'list') throw new UsageError(USAGE);
  let dir: string | null = null;
  let json = false;
  for (let i = 1; i < argv.length; i++) {
    if (argv[i] === '--json') json = true;
    else if (argv[i] === '--trust' && argv[i + 1]) dir = argv[++i];
    else throw new UsageError(USAGE);
  }
  const store = loadTrustStore(dir ?? loadConfig().trustDir);
  const now = new Date();
  const certs = [...store.anchors.map((c) => ({ c, role: 'anchor' })), ...store.intermediates.map((c) => ({ c, role: 'intermediate' }))].map(({ c, role }) => ({
    file: store.sources.get(c.fingerprint256) ?? null,
    role,
    subject: describeName(c),
    issuer: c.x509.issuer.split('\n').join(', '),
    serialNumber: c.serialHex,
    validFrom: formatIsoVietnam(c.notBefore),
    validTo: formatIsoVietnam(c.notAfter),
    expired: c.notAfter < now,
    sha256: c.fingerprint256,
  }));
  const crls = store.crls.map((crl, i) => ({
    file: store.crlSources[i],
    issuer: crl.issuer.typesAndValues.map((tv) => `${tv.type}=${(tv.value as { valueBlock?: { value?: unknown } }).valueBlock?.value}`).join(', '),
    thisUpdate: formatIsoVietnam(crl.thisUpdate.value),
    nextUpdate: crl.nextUpdate ? formatIsoVietnam(crl.nextUpdate.value) : null,
    revoked: crl.revokedCertificates?.length ?? 0,
  }));
  if (json) {
    process.stdout.write(JSON.stringify({ dir: store.dir, certificates: certs, crls, rejected: store.rejected }, null, 2) + '\n');
    return 0;
  }
  console.log(`Thư mục chứng thư tin cậy / trust folder: ${store.dir}`);
  if (!certs.length) console.log('  (chưa có chứng thư nào / no certificates installed — see trust/README.md)');
  for (const cert of certs) {
    console.log(`\n${cert.role === 'anchor' ? 'GỐC / ROOT' : 'TRUNG GIAN / INTERMEDIATE'}  ${cert.file}`);
    console.log(`  Chủ thể / subject: ${cert.subject}`);
    console.log(`  Cấp bởi / issuer:  ${cert.issuer}`);
    console.log(`  Hiệu lực / valid:  ${cert.validFrom} → ${cert.validTo}${cert.expired ? '  (ĐÃ HẾT HẠN / EXPIRED)' : ''}`);
    console.log(`  SHA-256:           ${cert.sha256}`);
  }
  for (const crl of crls) console.log(`\nCRL ${crl.file}: ${crl.revoked} chứng thư bị thu hồi / revoked, cập nhật / updated ${crl.thisUpdate}, kỳ sau / next ${crl.nextUpdate ?? '—'}`);
  for (const bad of store.rejected) console.log(`\nBỎ QUA / SKIPPED ${bad.file}: ${bad.reason}`);
  return 0;
});
