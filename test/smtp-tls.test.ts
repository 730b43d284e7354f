// The STARTTLS identity: generated certificates always load into TLS; a configured pair that does not is refused at start.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { loadConfig } from '../config';
import { StartupError } from '../db/connection';
import { createSelfSignedIdentity, loadTlsIdentity } from '../mail-gateway/smtp/tls';
import { tempDir } from './support/databases';

test('every generated certificate is strict DER that TLS loads (random serials included)', async () => {
  // A serial starting with a zero byte once made 1 start in ~256 fail with "illegal padding".
  for (let i = 0; i < 300; i++) {
    const pair = await createSelfSignedIdentity('mail.binhthuan.gov.vn');
    assert.doesNotThrow(() => tls.createSecureContext({ cert: pair.cert, key: pair.key }), `certificate ${i}`);
  }
});

test('the pair is made once into DATA_DIR and reused; a configured pair that does not match is refused', async () => {
  const dataDir = tempDir('smtp-tls');
  try {
    const first = await loadTlsIdentity(loadConfig({ DATA_DIR: dataDir }));
    const again = await loadTlsIdentity(loadConfig({ DATA_DIR: dataDir }));
    assert.deepEqual([first.source, again.source], ['generated', 'data-dir']);
    assert.ok(first.cert.equals(again.cert));
    const other = await createSelfSignedIdentity('other.example');
    fs.writeFileSync(path.join(dataDir, 'cert.pem'), first.cert);
    fs.writeFileSync(path.join(dataDir, 'key.pem'), other.key);
    await assert.rejects(loadTlsIdentity(loadConfig({ DATA_DIR: dataDir, SMTP_TLS_CERT: path.join(dataDir, 'cert.pem'), SMTP_TLS_KEY: path.join(dataDir, 'key.pem') })), StartupError);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
