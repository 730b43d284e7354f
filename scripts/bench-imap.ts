// `npm run -s bench:imap [-- --messages 1000]`: loads N mails, each carrying a ~1 MB PDF signed by a person and
// by the organisation, into a test mailbox (a dovecot started here, as the tests do), then measures in this
// run, on this machine, on the very same messages:
//   SMTP intake: a fresh gateway (`node dist/main.js --only gateway`) receiving them over 8 parallel SMTP
//                sessions (nodemailer pool), until the last 250;
//   IMAP intake: a fresh gateway with IMAP_URL set picking them up from the mailbox, from its IMAP_CONNECTED
//                until the last message is registered and moved (IMAP_MESSAGE_DONE).
// and prints mails/s of each and their ratio (target: IMAP ≥ 70% of SMTP). Every mail must be registered,
// else the figures do not measure the full pipeline and the command exits with 1.
//
// Options: --messages N (1000), --connections N SMTP sessions (8), --pdfs N distinct signed documents (4),
// --pdf-mb N (1).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import nodemailer from 'nodemailer';
import { loadConfig } from '../config';
import { openDatabase } from '../db/connection';
import { startProduct, RunningProduct } from '../test/support/product';
import { BENCH_FROM, BENCH_TO, benchMail, makeBenchMails, MailTemplate, REGISTERED_REPLY } from '../test/support/bench-mails';
import { intOption } from './cli';
import { dovecotInstalled, startDovecot } from '../test/support/dovecot';

const MB = 1024 * 1024;



async function registeredCount(env: Record<string, string>): Promise<number> {
  const db = await openDatabase(loadConfig(env));
  try {
    return Number((await db('documents').whereNotNull('so_den').count({ n: '*' }))[0].n);
  } finally {
    await db.destroy();
  }
}

async function smtpRun(env: Record<string, string>, templates: MailTemplate[], tag: string, messages: number, connections: number): Promise<number> {
  const product = await startProduct(env, ['--only', 'gateway']);
  try {
    const config = loadConfig(env);
    const transport = nodemailer.createTransport({
      pool: true, maxConnections: connections, maxMessages: config.smtpMaxMessagesPerConnection, host: '127.0.0.1', port: product.smtpPort, secure: false, ignoreTLS: true,
    });
    let next = 0;
    let registered = 0;
    const start = process.hrtime.bigint();
    const worker = async () => {
      while (next < messages) {
        const info = await transport.sendMail({ envelope: { from: BENCH_FROM, to: [BENCH_TO] }, raw: benchMail(templates, tag, next++) });
        if (REGISTERED_REPLY.test(info.response)) registered++;
      }
    };
    await Promise.all(Array.from({ length: connections * 2 }, worker));
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    transport.close();
    if (registered !== messages) throw new Error(`SMTP: only ${registered} of ${messages} registered`);
    return seconds;
  } finally {
    await product.stop();
  }
}

/** Resolves once `pattern` has appeared `count` times in the product's output. */
function whenLogged(product: RunningProduct, pattern: RegExp, count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = 0;
    const onData = (chunk: Buffer) => {
      seen += (chunk.toString().match(new RegExp(pattern.source, 'g')) ?? []).length;
      if (seen >= count) {
        product.child.stdout!.off('data', onData);
        resolve();
      }
    };
    product.child.stdout!.on('data', onData);
    product.child.once('exit', (code) => reject(new Error(`gateway exited with ${code}`)));
  });
}

async function imapRun(env: Record<string, string>, messages: number): Promise<number> {
  const product = await startProduct(env, ['--only', 'gateway']);
  try {
    // The intake may already be connected by the time READY is logged: its own line is the start.
    const connectedAt = /(\S+) INFO \[imap\] IMAP_CONNECTED/.exec(product.output())?.[1];
    const start = connectedAt ? new Date(connectedAt).getTime() : await whenLogged(product, /IMAP_CONNECTED/, 1).then(() => Date.now());
    await whenLogged(product, /IMAP_MESSAGE_DONE .*kind=registered/, messages - (product.output().match(/IMAP_MESSAGE_DONE .*kind=registered/g) ?? []).length);
    return (Date.now() - start) / 1000;
  } finally {
    await product.stop();
  }
}

async function main(): Promise<void> {
  if (!dovecotInstalled()) throw new Error('dovecot is not installed: apt-get install -y dovecot-imapd');
  const messages = intOption('--messages', 1000);
  const connections = intOption('--connections', 8);
  const pdfCount = intOption('--pdfs', 4);
  const pdfBytes = intOption('--pdf-mb', 1) * MB;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-imap-'));
  const trustDir = path.join(dir, 'trust');
  const imap = await startDovecot();
  try {
    const templates = await makeBenchMails(pdfCount, pdfBytes, trustDir, 201);
    const tag = crypto.randomBytes(6).toString('hex');
    const size = benchMail(templates, tag, 0).length;
    console.log(`load: ${messages} mails of ${(size / MB).toFixed(1)} MB (a signed ~${pdfBytes / MB} MB PDF, base64; ${pdfCount} distinct documents, unique Message-IDs), the same bytes for both intakes`);

    const loadStart = Date.now();
    const client = await imap.client();
    try {
      for (let i = 0; i < messages; i++) await client.append('INBOX', benchMail(templates, tag, i));
    } finally {
      await client.logout();
    }
    console.log(`mailbox loaded by IMAP APPEND in ${((Date.now() - loadStart) / 1000).toFixed(1)} s (not measured below)`);

    const common = { TRUST_DIR: trustDir, DNS_TIMEOUT_MS: '200' };
    const smtpEnv = { ...common, DATA_DIR: path.join(dir, 'smtp-data') };
    const smtpSeconds = await smtpRun(smtpEnv, templates, tag, messages, connections);
    const smtpRate = messages / smtpSeconds;
    console.log(`SMTP intake (${connections} sessions): ${messages} registered in ${smtpSeconds.toFixed(1)} s → ${smtpRate.toFixed(1)} mails/s, ${(smtpRate * size / MB).toFixed(1)} MB/s`);

    const imapEnv = { ...common, DATA_DIR: path.join(dir, 'imap-data'), IMAP_URL: imap.url() };
    const imapSeconds = await imapRun(imapEnv, messages);
    const imapRegistered = await registeredCount(imapEnv);
    const left = (await imap.uids()).length;
    if (imapRegistered !== messages || left !== 0) throw new Error(`IMAP: ${imapRegistered} of ${messages} registered, ${left} left in the INBOX`);
    const imapRate = messages / imapSeconds;
    console.log(`IMAP intake (1 connection):  ${messages} registered and moved in ${imapSeconds.toFixed(1)} s → ${imapRate.toFixed(1)} mails/s, ${(imapRate * size / MB).toFixed(1)} MB/s`);
    const ratio = imapRate / smtpRate;
    console.log(`IMAP / SMTP throughput = ${ratio.toFixed(2)} (target ≥ 0.70: ${ratio >= 0.7 ? 'met' : 'NOT met'})`);
  } finally {
    await imap.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`bench:imap: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
