// Sender checks over a DNS that the test controls: no network is ever needed.
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
// nodemailer's DKIM signer has no type declarations of its own.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const DKIM = require('nodemailer/lib/dkim') as new (options: Record<string, string>) => { sign(input: Buffer): AsyncIterable<Buffer> };
import { authInput, checkSenderAuth, DnsResolver, timeLimitedResolver } from '../mail-gateway/sender-checks/mail-auth';
import { fakeDns, notFound } from './support/fake-dns';


async function compose(options: ConstructorParameters<typeof MailComposer>[0]): Promise<Buffer> {
  return new MailComposer(options).compile().build();
}

const base = { from: 'Văn thư <vanthu@stc.binhthuan.gov.vn>', to: 'ubnd@binhthuan.gov.vn', subject: 'Công văn 123/STC-NS', text: 'Kính gửi…', messageId: '<1@stc.binhthuan.gov.vn>' };
const input = { ip: '127.0.0.1', helo: 'mail.stc.binhthuan.gov.vn', envelopeFrom: 'vanthu@stc.binhthuan.gov.vn', mta: 'mx.binhthuan.gov.vn' };

test('SPF pass for the From domain counts as aligned', async () => {
  const raw = await compose(base);
  const result = await checkSenderAuth(raw, { ...input, resolver: fakeDns({ 'TXT stc.binhthuan.gov.vn': ['v=spf1 ip4:127.0.0.1 -all'] }) });
  assert.equal(result.spf, 'pass');
  assert.equal(result.aligned, true);
  assert.equal(result.temporaryError, false);
});

test('SPF fail from another address is not aligned', async () => {
  const raw = await compose(base);
  const result = await checkSenderAuth(raw, { ...input, ip: '192.0.2.7', resolver: fakeDns({ 'TXT stc.binhthuan.gov.vn': ['v=spf1 ip4:127.0.0.1 -all'] }) });
  assert.equal(result.spf, 'fail');
  assert.equal(result.aligned, false);
});

test('a valid DKIM signature of the From domain passes and aligns; DMARC passes', async () => {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signer = new DKIM({ domainName: 'stc.binhthuan.gov.vn', keySelector: 'mail', privateKey: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString() });
  const chunks: Buffer[] = [];
  for await (const chunk of signer.sign(await compose(base))) chunks.push(Buffer.from(chunk));
  const raw = Buffer.concat(chunks);
  const p = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  const result = await checkSenderAuth(raw, {
    ...input,
    ip: '192.0.2.7',
    resolver: fakeDns({ 'TXT mail._domainkey.stc.binhthuan.gov.vn': [`v=DKIM1; k=rsa; p=${p}`], 'TXT _dmarc.stc.binhthuan.gov.vn': ['v=DMARC1; p=reject'] }),
  });
  assert.equal(result.dkim, 'pass');
  assert.equal(result.dmarc, 'pass');
  assert.equal(result.aligned, true);

  // The body still counts whenever there is a signature: a changed body fails DKIM.
  const tampered = Buffer.concat([raw, Buffer.from('Them mot dong vao noi dung\r\n')]);
  const broken = await checkSenderAuth(tampered, { ...input, ip: '192.0.2.7', resolver: fakeDns({ 'TXT mail._domainkey.stc.binhthuan.gov.vn': [`v=DKIM1; k=rsa; p=${p}`] }) });
  assert.notEqual(broken.dkim, 'pass'); // mailauth says 'neutral' (body hash did not verify)
  assert.equal(broken.aligned, false);
});

test('without a DKIM signature only the header block goes to the checks; with one, the whole message', async () => {
  const unsigned = await compose(base);
  const headerEnd = unsigned.indexOf('\r\n\r\n');
  assert.deepEqual(authInput(unsigned), Buffer.concat([unsigned.subarray(0, headerEnd + 2), Buffer.from('\r\n')]));
  const signed = Buffer.concat([Buffer.from('DKIM-Signature: v=1; a=rsa-sha256; d=x.vn;\r\n s=mail; b=abc\r\n'), unsigned]);
  assert.equal(authInput(signed), signed);
  const lowerCase = Buffer.concat([Buffer.from('dkim-signature:v=1\r\n'), unsigned]);
  assert.equal(authInput(lowerCase), lowerCase);
  const bodyMentionOnly = Buffer.concat([unsigned, Buffer.from('\r\nDKIM-Signature: in the body\r\n')]);
  assert.notEqual(authInput(bodyMentionOnly).length, bodyMentionOnly.length);
});

test('a DNS failure is a recorded temporary error, not a crash', async () => {
  const raw = await compose(base);
  const failing: DnsResolver = async () => {
    const error = new Error('timeout') as NodeJS.ErrnoException;
    error.code = 'ETIMEOUT';
    throw error;
  };
  const result = await checkSenderAuth(raw, { ...input, resolver: failing });
  assert.equal(result.temporaryError, true);
  assert.equal(result.spf, 'temperror');
  assert.equal(result.aligned, false);
  assert.match(result.summary, /lỗi DNS tạm thời/);
});

test('the real resolver on a machine without DNS answers within its own time limit', async () => {
  const raw = await compose(base);
  const result = await checkSenderAuth(raw, { ...input, resolver: timeLimitedResolver(500) });
  assert.ok(['temperror', 'none', 'pass', 'fail', 'softfail', 'neutral', 'permerror'].includes(result.spf));
});
