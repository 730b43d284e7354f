// The SMTP dialogue itself, over real sockets: what is advertised, STARTTLS, relay refusal, the limits on
// recipients, connections and messages, oversized and interrupted messages, pipelining, idle sessions.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { loadConfig } from '../config';
import { openDatabase } from '../db/connection';
import { freshDatabaseEnv, tempDir } from './support/databases';
import { startProduct, RunningProduct } from './support/product';
import { RawSmtp } from './support/raw-smtp';

const OFFICIAL = ['ubnd@binhthuan.gov.vn', 'vanthu@binhthuan.gov.vn', 'lanhdao@binhthuan.gov.vn'];
const MAX_BYTES = 200_000;
let dataDir: string;
let env: Record<string, string>;
let product: RunningProduct;

before(async () => {
  dataDir = tempDir('smtp-protocol');
  env = {
    ...freshDatabaseEnv('sqlite', dataDir),
    GATEWAY_ADDRESSES: OFFICIAL.join(','),
    SMTP_MAX_MESSAGE_BYTES: String(MAX_BYTES),
    SMTP_MAX_RECIPIENTS: '2',
    SMTP_MAX_REFUSED_RECIPIENTS: '5',
    SMTP_MAX_MESSAGES_PER_CONNECTION: '2',
    SMTP_MAX_CONNECTIONS_PER_IP: '4',
    DNS_TIMEOUT_MS: '200',
  };
  product = await startProduct(env);
});

after(async () => {
  await product.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function message(subject: string, body = 'Xem tại https://example.gov.vn/van-ban', messageId = `<${crypto.randomUUID()}@test.vn>`): string {
  return [
    'From: vptu@binhthuan.gov.vn', 'To: ubnd@binhthuan.gov.vn', `Subject: ${subject}`, `Message-ID: ${messageId}`,
    'Date: Mon, 23 Nov 2026 09:00:00 +0700', 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '', body, '',
  ].join('\r\n');
}

async function session(): Promise<RawSmtp> {
  const smtp = await RawSmtp.connect(product.smtpPort);
  assert.equal((await smtp.reply()).code, 220);
  assert.equal((await smtp.command('EHLO client.test.vn')).code, 250);
  return smtp;
}

async function sendOne(smtp: RawSmtp, subject: string): Promise<string> {
  assert.match((await smtp.command('MAIL FROM:<vptu@binhthuan.gov.vn>')).raw, /^250 2\.1\.0/);
  assert.match((await smtp.command('RCPT TO:<ubnd@binhthuan.gov.vn>')).raw, /^250 2\.1\.5/);
  assert.equal((await smtp.command('DATA')).code, 354);
  return (await smtp.command(`${message(subject)}\r\n.`)).raw;
}

async function documents(): Promise<Array<{ id: string; subject: string }>> {
  const db = await openDatabase(loadConfig(env));
  try {
    return await db('documents').select('id', 'subject').orderBy('created_at');
  } finally {
    await db.destroy();
  }
}

const partFiles = () => {
  const dir = path.join(dataDir, 'spool', 'tmp');
  return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
};

test('EHLO advertises pipelining, 8BITMIME, enhanced status codes, STARTTLS and the size limit; the greeting is ASCII', async () => {
  const smtp = await RawSmtp.connect(product.smtpPort);
  const greeting = await smtp.reply();
  assert.match(greeting.raw, /^220 mail\.binhthuan\.gov\.vn ESMTP [\x20-\x7e]+$/);
  const ehlo = await smtp.command('EHLO client.test.vn');
  for (const extension of ['PIPELINING', '8BITMIME', 'ENHANCEDSTATUSCODES', 'STARTTLS', `SIZE ${MAX_BYTES}`]) {
    assert.ok(ehlo.text.split('\n').includes(extension), `${extension} in ${ehlo.text}`);
  }
  assert.doesNotMatch(ehlo.text, /AUTH/, 'no AUTH: the gateway relays nothing for anyone');
  assert.match((await smtp.command('QUIT')).raw, /^221/);
  smtp.destroy();
});

test('STARTTLS with the self-signed certificate made into DATA_DIR at first start; mail sent over TLS is registered', async () => {
  const smtp = await session();
  const secure = await smtp.startTls();
  const served = secure.getPeerX509Certificate()!;
  assert.match(served.subject, /CN=mail\.binhthuan\.gov\.vn/);
  const stored = new crypto.X509Certificate(fs.readFileSync(path.join(dataDir, 'tls', 'smtp-selfsigned.crt')));
  assert.equal(served.fingerprint256, stored.fingerprint256);
  assert.equal(fs.statSync(path.join(dataDir, 'tls', 'smtp-selfsigned.key')).mode & 0o077, 0, 'private key readable by the owner only');
  const ehlo = await smtp.command('EHLO client.test.vn');
  assert.ok(!ehlo.text.includes('STARTTLS'), 'STARTTLS is not offered twice');
  assert.match(await sendOne(smtp, 'Qua TLS'), /^250 2\.0\.0 .*ma \S+/);
  smtp.destroy();

  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: product.smtpPort, secure: false, requireTLS: true, tls: { rejectUnauthorized: false } });
  const sent = await transport.sendMail({ from: 'vptu@binhthuan.gov.vn', to: 'ubnd@binhthuan.gov.vn', subject: 'Nodemailer qua TLS', text: 'x' });
  assert.match(sent.response, /^250 2\.0\.0 /);
  transport.close();
});

test('recipients: official addresses in any case; another local address 550 5.1.1; any other domain 550 5.7.1 (no relay)', async () => {
  const smtp = await session();
  await smtp.command('MAIL FROM:<someone@example.com>');
  assert.match((await smtp.command('RCPT TO:<UBND@BinhThuan.gov.vn>')).raw, /^250 2\.1\.5/);
  assert.match((await smtp.command('RCPT TO:<giamdoc@binhthuan.gov.vn>')).raw, /^550 5\.1\.1 .*mailbox unknown/);
  assert.match((await smtp.command('RCPT TO:<victim@example.org>')).raw, /^550 5\.7\.1 .*relaying denied/);
  assert.match((await smtp.command('RCPT TO:<ubnd@binhthuan.gov.vn@example.org>')).raw, /^5\d\d /);
  smtp.destroy();
});

test('more accepted recipients than the limit get 452 4.5.3; the transaction goes on with those accepted', async () => {
  const smtp = await session();
  await smtp.command('MAIL FROM:<vptu@binhthuan.gov.vn>');
  assert.equal((await smtp.command(`RCPT TO:<${OFFICIAL[0]}>`)).code, 250);
  assert.equal((await smtp.command(`RCPT TO:<${OFFICIAL[1]}>`)).code, 250);
  assert.match((await smtp.command(`RCPT TO:<${OFFICIAL[2]}>`)).raw, /^452 4\.5\.3/);
  assert.equal((await smtp.command('DATA')).code, 354);
  assert.match((await smtp.command(`${message('Hai nguoi nhan')}\r\n.`)).raw, /^250 2\.0\.0/);
  smtp.destroy();
});

test('thousands of pipelined RCPTs for other addresses: cut off with 421 4.7.0 after the refusal limit, nothing stored', async () => {
  const before = (await documents()).length;
  const smtp = await session();
  const lines = ['MAIL FROM:<spammer@example.com>', ...Array.from({ length: 3000 }, (_, i) => `RCPT TO:<user${i}@example.net>`), 'DATA'];
  smtp.write(lines.join('\r\n') + '\r\n');
  assert.equal((await smtp.reply()).code, 250);
  for (let i = 0; i < 4; i++) assert.match((await smtp.reply()).raw, /^550 5\.7\.1/);
  assert.match((await smtp.reply()).raw, /^421 4\.7\.0 .*too many refused recipients/);
  await smtp.closedByServer();
  assert.equal((await documents()).length, before);
});

test('pipelined MAIL, RCPT and DATA in one packet are answered in order', async () => {
  const smtp = await session();
  smtp.write('MAIL FROM:<vptu@binhthuan.gov.vn>\r\nRCPT TO:<victim@example.org>\r\nRCPT TO:<ubnd@binhthuan.gov.vn>\r\nDATA\r\n');
  assert.match((await smtp.reply()).raw, /^250 2\.1\.0/);
  assert.match((await smtp.reply()).raw, /^550 5\.7\.1/);
  assert.match((await smtp.reply()).raw, /^250 2\.1\.5/);
  assert.equal((await smtp.reply()).code, 354);
  assert.match((await smtp.command(`${message('Pipelining')}\r\n.`)).raw, /^250 2\.0\.0/);
  assert.ok((await documents()).some((d) => d.subject === 'Pipelining'));
  smtp.destroy();
});

test('a connection may carry a limited number of messages: the next MAIL FROM gets 421 4.7.0', async () => {
  const smtp = await session();
  assert.match(await sendOne(smtp, 'Thu 1'), /^250 /);
  assert.match(await sendOne(smtp, 'Thu 2'), /^250 /);
  assert.match((await smtp.command('MAIL FROM:<vptu@binhthuan.gov.vn>')).raw, /^421 4\.7\.0 .*reconnect/);
  await smtp.closedByServer();
});

test('an oversized message is refused 552 5.3.4 after reading it to the end; the session stays usable; nothing stored', async () => {
  const before = (await documents()).length;
  const smtp = await session();
  await smtp.command('MAIL FROM:<vptu@binhthuan.gov.vn>');
  await smtp.command('RCPT TO:<ubnd@binhthuan.gov.vn>');
  assert.equal((await smtp.command('DATA')).code, 354);
  const big = message('Qua lon', 'A'.repeat(76).concat('\r\n').repeat(Math.ceil((MAX_BYTES * 1.5) / 78)));
  assert.match((await smtp.command(`${big}\r\n.`)).raw, /^552 5\.3\.4 /);
  assert.match(await sendOne(smtp, 'Sau thu qua lon'), /^250 2\.0\.0 /);
  smtp.destroy();
  const after = await documents();
  assert.equal(after.length, before + 1);
  assert.ok(!after.some((d) => d.subject === 'Qua lon'));
  assert.deepEqual(partFiles(), []);
});

test('MAIL FROM with a SIZE above the limit is refused before any data is sent', async () => {
  const smtp = await session();
  assert.match((await smtp.command(`MAIL FROM:<vptu@binhthuan.gov.vn> SIZE=${MAX_BYTES + 1}`)).raw, /^552 5\.3\.4/);
  smtp.destroy();
});

test('a client that drops the connection in the middle of DATA leaves nothing behind', async () => {
  const before = await documents();
  const mailFiles = () => fs.readdirSync(path.join(dataDir, 'mail'), { recursive: true }).filter((f) => String(f).endsWith('.eml')).length;
  const storedBefore = mailFiles();
  const smtp = await session();
  await smtp.command('MAIL FROM:<vptu@binhthuan.gov.vn>');
  await smtp.command('RCPT TO:<ubnd@binhthuan.gov.vn>');
  assert.equal((await smtp.command('DATA')).code, 354);
  smtp.write(message('Bi ngat giua chung', 'B'.repeat(50_000)));
  smtp.destroy();
  // A complete message on a new connection afterwards: once it is answered, the dropped one is long settled.
  const next = await session();
  assert.match(await sendOne(next, 'Sau khi ngat'), /^250 2\.0\.0/);
  next.destroy();
  const after = await documents();
  assert.deepEqual(after.map((d) => d.subject).slice(before.length), ['Sau khi ngat']);
  assert.equal(mailFiles(), storedBefore + 1);
  // The server removes the partial file when it sees the close, which may come after the other session.
  for (let attempt = 0; attempt < 100 && partFiles().length; attempt++) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(partFiles(), []);
});

test('bare LF inside the data does not end the message: only CRLF.CRLF does (no SMTP smuggling)', async () => {
  const smtp = await session();
  await smtp.command('MAIL FROM:<vptu@binhthuan.gov.vn>');
  await smtp.command('RCPT TO:<ubnd@binhthuan.gov.vn>');
  assert.equal((await smtp.command('DATA')).code, 354);
  const smuggled = message('Buon lau', 'dong 1\n.\nMAIL FROM:<ceo@binhthuan.gov.vn>\nRCPT TO:<ubnd@binhthuan.gov.vn>\nDATA\nSubject: Gia mao\n\nx\n.\n');
  const reply = await smtp.command(`${smuggled}\r\n.`);
  assert.match(reply.raw, /^250 2\.0\.0 /);
  assert.match((await smtp.command('NOOP')).raw, /^250/, 'no extra replies: the smuggled commands were data');
  smtp.destroy();
  const subjects = (await documents()).map((d) => d.subject);
  assert.ok(subjects.includes('Buon lau'));
  assert.ok(!subjects.includes('Gia mao'));
});

test('a null sender (bounce) is accepted and kept, and gets no notice back', async () => {
  const smtp = await session();
  assert.match((await smtp.command('MAIL FROM:<>')).raw, /^250 2\.1\.0/);
  await smtp.command('RCPT TO:<ubnd@binhthuan.gov.vn>');
  await smtp.command('DATA');
  const reply = await smtp.command(`${message('Undelivered Mail Returned to Sender')}\r\n.`);
  const id = /ma (\S+) \//.exec(reply.raw)?.[1];
  assert.ok(id, reply.raw);
  smtp.destroy();
  const db = await openDatabase(loadConfig(env));
  try {
    assert.equal((await db('outbox').where({ reference: id })).length, 0);
  } finally {
    await db.destroy();
  }
});

test('too many simultaneous connections from one address get 421 4.7.0; a slot frees when one closes', async () => {
  const held: RawSmtp[] = [];
  for (let i = 0; i < 4; i++) {
    const smtp = await RawSmtp.connect(product.smtpPort);
    assert.equal((await smtp.reply()).code, 220);
    held.push(smtp);
  }
  const refused = await RawSmtp.connect(product.smtpPort);
  assert.match((await refused.reply()).raw, /^421 4\.7\.0 .*too many concurrent connections/);
  await refused.closedByServer();
  await held[0].command('QUIT');
  await held[0].closedByServer();
  // The server learns of the close asynchronously: retry briefly until the slot is free.
  let admitted = null;
  for (let attempt = 0; attempt < 50 && !admitted; attempt++) {
    const smtp = await RawSmtp.connect(product.smtpPort);
    const greeting = await smtp.reply();
    if (greeting.code === 220) admitted = smtp;
    else await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.ok(admitted, 'a new connection is admitted once one closed');
  for (const smtp of [...held, admitted]) smtp.destroy();
});

test('a client opening connections too fast is refused 421 4.7.0; an idle session is closed with 421', async () => {
  const strictDir = tempDir('smtp-strict');
  const strict = await startProduct({ ...freshDatabaseEnv('sqlite', strictDir), SMTP_CONNECTION_RATE_PER_MINUTE: '3', SMTP_SOCKET_TIMEOUT_MS: '300', DNS_TIMEOUT_MS: '200' });
  try {
    const replies: string[] = [];
    for (let i = 0; i < 4; i++) {
      const smtp = await RawSmtp.connect(strict.smtpPort);
      replies.push((await smtp.reply()).raw);
      if (i === 0) {
        assert.match((await smtp.reply()).raw, /^421 /, 'idle session closed');
        await smtp.closedByServer();
      }
      smtp.destroy();
    }
    assert.deepEqual(replies.map((r) => r.slice(0, 9)), ['220 mail.', '220 mail.', '220 mail.', '421 4.7.0']);
  } finally {
    await strict.stop();
    fs.rmSync(strictDir, { recursive: true, force: true });
  }
});
