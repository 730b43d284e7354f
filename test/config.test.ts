import test from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ConfigError, describeConfig, loadConfig } from '../config';
import { runScript } from './support/product';

test('defaults match the documented contract', () => {
  const config = loadConfig({}, '/srv/app');
  assert.equal(config.smtpHost, '0.0.0.0');
  assert.equal(config.smtpPort, 2525);
  assert.equal(config.webHost, '0.0.0.0');
  assert.equal(config.webPort, 3000);
  assert.equal(config.publicUrl, 'http://localhost:3000');
  assert.equal(config.dataDir, path.resolve('/srv/app', 'data'));
  assert.equal(config.databaseUrl, null);
  assert.deepEqual(config.gatewayAddresses, ['ubnd@binhthuan.gov.vn']);
  assert.equal(config.outboundSmtpUrl, null);
  assert.equal(config.trustDir, path.resolve('/srv/app', 'trust'));
});

test('environment overrides each setting', () => {
  const config = loadConfig({
    SMTP_PORT: '25', WEB_PORT: '8080', PUBLIC_URL: 'https://moihop.binhthuan.gov.vn/', DATA_DIR: '/var/lib/moihop',
    DATABASE_URL: 'postgres://u:p@db:5432/moihop', GATEWAY_ADDRESSES: ' UBND@binhthuan.gov.vn, vanthu@binhthuan.gov.vn ',
    OUTBOUND_SMTP_URL: 'smtp://relay:25', TRUST_DIR: '/etc/moihop/trust',
  }, '/srv/app');
  assert.equal(config.smtpPort, 25);
  assert.equal(config.webPort, 8080);
  assert.equal(config.publicUrl, 'https://moihop.binhthuan.gov.vn');
  assert.equal(config.dataDir, '/var/lib/moihop');
  assert.equal(config.databaseUrl, 'postgres://u:p@db:5432/moihop');
  assert.deepEqual(config.gatewayAddresses, ['ubnd@binhthuan.gov.vn', 'vanthu@binhthuan.gov.vn']);
  assert.equal(config.outboundSmtpUrl, 'smtp://relay:25');
  assert.equal(config.trustDir, '/etc/moihop/trust');
});

test('bad values are refused with a clear message', () => {
  assert.throws(() => loadConfig({ SMTP_PORT: 'abc' }), ConfigError);
  assert.throws(() => loadConfig({ WEB_PORT: '70000' }), /WEB_PORT/);
  assert.throws(() => loadConfig({ GATEWAY_ADDRESSES: 'not-an-address' }), /GATEWAY_ADDRESSES/);
  assert.throws(() => loadConfig({ DATABASE_URL: 'mysql://x' }), /postgres/);
  assert.throws(() => loadConfig({ LOG_LEVEL: 'loud' }), /LOG_LEVEL/);
});

test('print-config shows every setting and masks secrets', async () => {
  const text = describeConfig({ DATABASE_URL: 'postgres://moihop:s3cret@db:5432/moihop', OUTBOUND_SMTP_URL: 'smtp://relay:hunter2@relay:587' });
  for (const name of ['SMTP_HOST', 'SMTP_PORT', 'WEB_HOST', 'WEB_PORT', 'PUBLIC_URL', 'DATA_DIR', 'DATABASE_URL', 'GATEWAY_ADDRESSES', 'OUTBOUND_SMTP_URL', 'TRUST_DIR', 'TZ']) {
    assert.match(text, new RegExp(`^${name}=`, 'm'));
  }
  assert.doesNotMatch(text, /s3cret|hunter2/);
  assert.match(text, /postgres:\/\/moihop:\*\*\*\*@db:5432\/moihop/);
  assert.match(text, /TZ=Asia\/Ho_Chi_Minh/);

  const run = await runScript('print-config', [], { SMTP_PORT: '2626' });
  assert.equal(run.code, 0);
  assert.match(run.stdout, /^SMTP_PORT=2626 /m);
  const bad = await runScript('print-config', [], { SMTP_PORT: 'x' });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /SMTP_PORT/);
});
