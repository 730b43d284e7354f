// `npm run -s bench:gateway [-- --messages 2000]`: sends N mails, each carrying a ~1 MB PDF signed by a person
// and by the organisation, over 8 parallel SMTP sessions that reuse their connections, first to a bare
// smtp-server that only drains DATA, then to the real gateway (`node dist/main.js --only gateway`: spool +
// fsync, parse, SPF/DKIM/DMARC, signature verification, attachments + fsync, register commit) — both in child
// processes, with the same client, in this run, on this machine — and prints mails/s and MB/s of each, their
// ratio, and the gateway's RSS along the run and at its peak. Every mail must be registered (250 "Da dang ky
// van ban den so"), else the figures do not measure the full pipeline and the command exits with 1.
//
// Options: --messages N (2000), --connections N (8), --pdfs N distinct signed documents (4), --pdf-mb N (1),
// --cpu-prof <dir> (profile the gateway with V8's sampling profiler, as `node --cpu-prof` does; the .cpuprofile
// is written to <dir> when it stops — open it in Chrome DevTools or summarise its self time per function).
//
// The client is nodemailer's pool (maxConnections sessions, as many mails per connection as the gateway allows).
// postfix's smtp-source is not used even when installed: it can only send a body it generates itself, never a
// given message, so its mails would carry no signed PDF and be refused instead of registered.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawn, ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { loadConfig } from '../config';
import { startProduct } from '../test/support/product';
import { BENCH_FROM, BENCH_TO, benchMail, makeBenchMails, MailTemplate, REGISTERED_REPLY } from '../test/support/bench-mails';
import { processMemory } from '../test/support/process-memory';
import { intOption, stringOption } from './cli';

/** Fractions of the run after which the server's RSS is sampled. */
const CHECKPOINTS = [0.1, 0.25, 0.5, 0.75, 1];



const MB = 1024 * 1024;
const mb = (bytes: number) => (bytes / MB).toFixed(1);

// ---- the bare server (child process mode) -----------------------------------------------------------------

/** `--bare-server --size N`: an smtp-server that only drains DATA; prints {"port":…} once listening. */
function bareServer(): void {
  const size = intOption('--size', 30 * MB);
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH'],
    disableReverseLookup: true,
    logger: false,
    size,
    maxClients: 200,
    onData(stream, _session, callback) {
      stream.on('data', () => {});
      stream.on('end', () => callback());
    },
  });
  server.on('error', (err) => process.stderr.write(`bare server: ${err.message}\n`));
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`${JSON.stringify({ port: (server.server.address() as AddressInfo).port })}\n`);
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

interface BareServer {
  child: ChildProcess;
  port: number;
}

function startBareServer(size: number): Promise<BareServer> {
  const child = spawn(process.execPath, [__filename, '--bare-server', '--size', String(size)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const port = Number(/"port":(\d+)/.exec(out)?.[1] ?? 0);
      if (port) resolve({ child, port });
    });
    child.once('exit', (code) => reject(new Error(`bare server exited with ${code}`)));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

// ---- fixtures -------------------------------------------------------------------------------------------

async function makeTemplates(count: number, pdfBytes: number): Promise<{ templates: MailTemplate[]; trustDir: string; dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-gateway-'));
  const trustDir = path.join(dir, 'trust');
  return { templates: await makeBenchMails(count, pdfBytes, trustDir), trustDir, dir };
}

/**
 * `node --cpu-prof` is not allowed in NODE_OPTIONS (Node 20) and startProduct takes no node flags: a preloaded
 * module starts V8's sampling profiler through the inspector and writes the .cpuprofile when the process exits
 * (the gateway exits on SIGTERM; the inspector answers synchronously, so this works inside the exit handler).
 */
function writeProfilerPreload(dir: string, outDir: string): string {
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(dir, 'cpu-profile-preload.js');
  fs.writeFileSync(file, `const inspector = require('node:inspector');
const fs = require('node:fs');
const session = new inspector.Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.start');
process.on('exit', () => session.post('Profiler.stop', (err, result) => {
  if (!err) fs.writeFileSync(${JSON.stringify(outDir)} + '/gateway-' + process.pid + '.cpuprofile', JSON.stringify(result.profile));
}));
`);
  return file;
}

// ---- the load -------------------------------------------------------------------------------------------

interface LoadResult {
  seconds: number;
  bytes: number;
  replies: string[];
  failures: string[];
  /** For each checkpoint: completed mails, seconds since the start, server memory then. */
  samples: Array<{ done: number; seconds: number; rss: number }>;
  idleRss: number;
  peakRss: number;
}

async function runLoad(port: number, pid: number, templates: MailTemplate[], messages: number, connections: number, maxPerConnection: number): Promise<LoadResult> {
  const transport = nodemailer.createTransport({
    pool: true, maxConnections: connections, maxMessages: maxPerConnection,
    host: '127.0.0.1', port, secure: false, ignoreTLS: true,
  });
  const tag = crypto.randomBytes(6).toString('hex');
  const idleRss = processMemory(pid).rss;
  const thresholds = CHECKPOINTS.map((f) => Math.max(1, Math.round(f * messages)));
  const samples: LoadResult['samples'] = [];
  const replies: string[] = [];
  const failures: string[] = [];
  let next = 0;
  let done = 0;
  let bytes = 0;
  const start = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - start) / 1e9;
  // Twice as many mails in flight as sessions, so a session that finishes one finds the next already queued.
  const worker = async () => {
    while (next < messages) {
      const i = next++;
      const raw = benchMail(templates, tag, i);
      try {
        const info = await transport.sendMail({ envelope: { from: BENCH_FROM, to: [BENCH_TO] }, raw });
        replies.push(info.response);
        bytes += raw.length;
      } catch (err) {
        failures.push((err as Error).message);
      }
      done++;
      if (done === thresholds[samples.length]) samples.push({ done, seconds: elapsed(), rss: processMemory(pid).rss });
    }
  };
  await Promise.all(Array.from({ length: connections * 2 }, worker));
  const seconds = elapsed();
  const peakRss = processMemory(pid).peak;
  transport.close();
  return { seconds, bytes, replies, failures, samples, idleRss, peakRss };
}

function throughput(result: LoadResult): string {
  return `${(result.replies.length / result.seconds).toFixed(1)} mails/s, ${(result.bytes / MB / result.seconds).toFixed(1)} MB/s`;
}

async function main(): Promise<void> {
  if (process.argv.includes('--bare-server')) return bareServer();
  const messages = intOption('--messages', 2000);
  const connections = intOption('--connections', 8);
  const pdfCount = intOption('--pdfs', 4);
  const pdfBytes = intOption('--pdf-mb', 1) * MB;
  const cpuProfDir = stringOption('--cpu-prof');

  const { templates, trustDir, dir } = await makeTemplates(pdfCount, pdfBytes);
  const dataDir = path.join(dir, 'data');
  const env: Record<string, string> = { DATA_DIR: dataDir, TRUST_DIR: trustDir, DNS_TIMEOUT_MS: '200' };
  if (cpuProfDir) env.NODE_OPTIONS = `--require ${writeProfilerPreload(dir, path.resolve(cpuProfDir))}`;
  const config = loadConfig(env);
  const children: ChildProcess[] = [];
  try {
    const mailBytes = templates[0].header.length + templates[0].body.length;
    console.log(`load: ${messages} mails of ${mb(mailBytes)} MB (a ${mb(templates[0].pdfBytes)} MB PDF signed by person + organisation, base64, ${pdfCount} distinct documents, unique Message-IDs), ` +
      `${connections} SMTP sessions reused for up to ${config.smtpMaxMessagesPerConnection} mails each (nodemailer pool), same client for both servers`);

    const bare = await startBareServer(config.smtpMaxMessageBytes);
    children.push(bare.child);
    const bareResult = await runLoad(bare.port, bare.child.pid!, templates, messages, connections, config.smtpMaxMessagesPerConnection);
    await stopChild(bare.child);
    if (bareResult.failures.length) throw new Error(`bare smtp-server refused ${bareResult.failures.length} mails: ${bareResult.failures[0]}`);
    console.log(`bare smtp-server (drains DATA):  ${bareResult.replies.length} accepted in ${bareResult.seconds.toFixed(1)} s → ${throughput(bareResult)}; peak RSS ${mb(bareResult.peakRss)} MB`);

    const product = await startProduct(env, ['--only', 'gateway']);
    children.push(product.child);
    const gatewayResult = await runLoad(product.smtpPort, product.child.pid!, templates, messages, connections, config.smtpMaxMessagesPerConnection);
    await product.stop();
    const registered = gatewayResult.replies.filter((r) => REGISTERED_REPLY.test(r)).length;
    console.log(`gateway (spool+fsync, parse, SPF/DKIM, verify, store, SQLite commit): ${registered} registered in ${gatewayResult.seconds.toFixed(1)} s → ${throughput(gatewayResult)}`);

    const ratio = gatewayResult.replies.length / gatewayResult.seconds / (bareResult.replies.length / bareResult.seconds);
    console.log(`gateway / bare throughput = ${ratio.toFixed(2)} (target ≥ 0.5: ${ratio >= 0.5 ? 'met' : 'NOT met'})`);
    const stretches = gatewayResult.samples.map((s, i) => {
      const prev = i ? gatewayResult.samples[i - 1] : { done: 0, seconds: 0 };
      return `${Math.round((prev.done / messages) * 100)}–${Math.round((s.done / messages) * 100)}%: ${((s.done - prev.done) / (s.seconds - prev.seconds)).toFixed(1)}`;
    });
    console.log(`gateway mails/s by stretch of the run: ${stretches.join(', ')}`);
    console.log(`gateway RSS: idle ${mb(gatewayResult.idleRss)} MB; ${gatewayResult.samples.map((s) => `after ${s.done} mails ${mb(s.rss)} MB`).join(', ')}; peak (VmHWM) ${mb(gatewayResult.peakRss)} MB`);
    if (cpuProfDir) console.log(`gateway CPU profile written to ${path.resolve(cpuProfDir)}`);

    if (registered !== messages) {
      const other = gatewayResult.replies.find((r) => !REGISTERED_REPLY.test(r));
      throw new Error(`${messages - registered} of ${messages} mails were not registered, so the gateway figures do not measure the full pipeline` +
        `${other ? `; a reply: ${other}` : ''}${gatewayResult.failures.length ? `; ${gatewayResult.failures.length} refused, e.g. ${gatewayResult.failures[0]}` : ''}`);
    }
  } finally {
    await Promise.all(children.map(stopChild));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`bench:gateway: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
