// Many senders at once, two gateway processes on one register, and a gateway killed mid-load: the số đến
// stay consecutive without gaps or repeats, and nothing that was answered 250 is ever lost.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { DATABASE_KINDS, tempDir } from './support/databases';
import { RunningProduct, startProduct } from './support/product';
import {
  composeMail, disposeEnv, documentRows, DUPLICATE, Fixtures, gatewayEnv, oneToN, openData, pdfAttachment, prepareFixtures,
  REGISTERED, sendRaw, sha256, smtpTransport, soDenList,
} from './support/mail-samples';

const SENDERS = 20;

let fixtures: Fixtures;
before(async () => {
  fixtures = await prepareFixtures();
});
after(() => fixtures?.dispose());

/** `count` distinct messages (own Message-ID and subject), each with the same signed PDF. */
function signedMessages(count: number): Promise<Buffer[]> {
  return Promise.all(oneToN(count).map((n) => composeMail({ subject: `Công văn ${n}`, attachments: [pdfAttachment(fixtures.signedPdf)] })));
}

/**
 * Sends `messages` over SENDERS parallel SMTP sessions (sender s sends messages s, s + SENDERS, … one after
 * the other, to ports[s % ports.length]). Resolves with each message's final reply, or the error that ended it.
 */
async function sendInParallel(ports: number[], messages: Buffer[], onReply?: (reply: string) => void): Promise<Array<string | Error>> {
  const replies: Array<string | Error> = [];
  await Promise.all(oneToN(SENDERS).map(async (_, sender) => {
    const transport = smtpTransport(ports[sender % ports.length]);
    for (let i = sender; i < messages.length; i += SENDERS) {
      try {
        const reply = await sendRaw(transport, messages[i]);
        replies[i] = reply;
        onReply?.(reply);
      } catch (err) {
        replies[i] = err as Error;
      }
    }
    transport.close();
  }));
  return replies;
}

/** Every message was answered "registered", with distinct ids that are exactly the register's rows, numbered 1..N. */
async function assertAllRegistered(env: Record<string, string>, messages: Buffer[], replies: Array<string | Error>): Promise<void> {
  const registered = replies.map((reply, i) => REGISTERED.exec(String(reply)) ?? assert.fail(`message ${i}: ${reply}`));
  const rows = await documentRows(env);
  assert.equal(rows.length, messages.length);
  assert.deepEqual(soDenList(rows), oneToN(messages.length));
  assert.equal(new Set(registered.map(([, , id]) => id)).size, messages.length, 'distinct ids');
  const byId = new Map(rows.map((row) => [row.id, row]));
  registered.forEach(([, soDen, id], i) => {
    const row = byId.get(id) ?? assert.fail(`id ${id} of message ${i} is not in the register`);
    assert.equal(Number(row.so_den), Number(soDen), `số đến of ${id}`);
    assert.equal(row.content_sha256, sha256(messages[i]), `${id} is message ${i}`);
  });
}

const partFiles = (dataDir: string) => {
  const dir = path.join(dataDir, 'spool', 'tmp');
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((name) => name.endsWith('.part')) : [];
};

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const alive = (product: RunningProduct) => product.child.exitCode === null && product.child.signalCode === null;

for (const kind of DATABASE_KINDS) {
  test(`${kind}: ${SENDERS} parallel senders × 10 documents are all registered, số đến exactly 1..200`, async () => {
    const env = gatewayEnv(kind, fixtures.trustDir, 'concurrency');
    const product = await startProduct(env);
    try {
      const messages = await signedMessages(200);
      await assertAllRegistered(env, messages, await sendInParallel([product.smtpPort], messages));
    } finally {
      if (alive(product)) await product.stop();
      await disposeEnv(env);
    }
  });
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: the same message from 5 sessions at once is registered once, every reply naming that registration`, async () => {
    const env = gatewayEnv(kind, fixtures.trustDir, 'concurrency-same');
    const product = await startProduct(env);
    try {
      const [message] = await signedMessages(1);
      const transports = oneToN(5).map(() => smtpTransport(product.smtpPort));
      const replies = await Promise.all(transports.map((transport) => sendRaw(transport, message)));
      transports.forEach((transport) => transport.close());
      const rows = await documentRows(env);
      assert.deepEqual(rows.map((row) => Number(row.so_den)), [1]);
      assert.equal(replies.filter((reply) => REGISTERED.exec(reply)?.[2] === rows[0].id).length, 1, replies.join('\n'));
      assert.equal(replies.filter((reply) => DUPLICATE.exec(reply)?.[1] === rows[0].id).length, 4, replies.join('\n'));
    } finally {
      await product.stop();
      await disposeEnv(env);
    }
  });
}

test('postgres: two gateway processes on one register number 1..100 between them', async () => {
  const env = gatewayEnv('postgres', fixtures.trustDir, 'concurrency-a');
  const secondEnv = { ...env, DATA_DIR: tempDir('concurrency-b') };
  const first = await startProduct(env);
  const second = await startProduct(secondEnv).catch(async (err) => {
    await first.stop();
    throw err;
  });
  try {
    const messages = await signedMessages(100);
    await assertAllRegistered(env, messages, await sendInParallel([first.smtpPort, second.smtpPort], messages));
  } finally {
    await Promise.all([first.stop(), second.stop()]);
    await disposeEnv(env);
    fs.rmSync(secondEnv.DATA_DIR, { recursive: true, force: true });
  }
});

for (const kind of DATABASE_KINDS) {
  test(`${kind}: SIGKILL mid-load loses nothing answered 250; after a restart the resends are registered once`, async () => {
    // One connection more than the senders: the session left half-way through DATA.
    const env: Record<string, string> = { ...gatewayEnv(kind, fixtures.trustDir, 'crash'), SMTP_MAX_CONNECTIONS_PER_IP: String(SENDERS + 1) };
    const messages = await signedMessages(100);
    const killAfter = 30;
    let product = await startProduct(env);
    try {
      const halfSent = await openData(product.smtpPort);
      const unfinished = await composeMail({ attachments: [pdfAttachment(fixtures.signedPdf)] });
      halfSent.write(unfinished.subarray(0, unfinished.length / 2));
      await waitFor(() => partFiles(env.DATA_DIR).length === 1, 'the half-sent message in the spool');
      let acknowledged = 0;
      const replies = await sendInParallel([product.smtpPort], messages, (reply) => {
        if (REGISTERED.test(reply) && ++acknowledged === killAfter) product.child.kill('SIGKILL');
      });
      if (alive(product)) await once(product.child, 'exit');
      halfSent.destroy();
      assert.ok(partFiles(env.DATA_DIR).length >= 1, 'the half-sent message left its .part file');
      const answered = new Map<number, string>();
      replies.forEach((reply, i) => {
        if (typeof reply === 'string') answered.set(i, (REGISTERED.exec(reply) ?? assert.fail(`message ${i}: ${reply}`))[2]);
      });
      assert.ok(answered.size >= killAfter && answered.size < messages.length, `killed mid-load (${answered.size} answered)`);

      product = await startProduct(env);
      const rows = await documentRows(env);
      for (const [i, id] of answered) {
        const matching = rows.filter((row) => row.id === id);
        assert.equal(matching.length, 1, `answered id ${id} registered once`);
        assert.equal(matching[0].content_sha256, sha256(messages[i]));
        assert.equal(sha256(fs.readFileSync(path.join(env.DATA_DIR, matching[0].raw_path))), sha256(messages[i]), `raw message of ${id}`);
      }
      assert.deepEqual(soDenList(rows), oneToN(rows.length), 'no gap in số đến');
      assert.deepEqual(partFiles(env.DATA_DIR), [], 'the restart removed the .part files');

      const unanswered = messages.filter((_, i) => !answered.has(i));
      for (const [i, reply] of (await sendInParallel([product.smtpPort], unanswered)).entries()) {
        assert.ok(REGISTERED.test(String(reply)) || DUPLICATE.test(String(reply)), `resent message ${i}: ${reply}`);
      }
      const finalRows = await documentRows(env);
      assert.deepEqual(finalRows.map((row) => row.content_sha256).sort(), messages.map(sha256).sort(), 'each message registered exactly once');
      assert.deepEqual(soDenList(finalRows), oneToN(messages.length));
    } finally {
      if (alive(product)) await product.stop();
      await disposeEnv(env);
    }
  });
}
