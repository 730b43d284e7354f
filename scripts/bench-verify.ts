// `npm run -s bench:verify [-- --size-mb 20 --runs 7]`: verifies a ~20 MB PDF with two signatures and prints
// its time next to the time of one SHA-256 pass over the same file (the floor) and, when installed, poppler's
// pdfsig on the same file — all measured in this run, on this machine — plus peak memory growth.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { createTestPki } from '../test/support/pki';
import { bigPdf } from '../test/support/pdf-attacks';
import { loadTrustStore, verifyPdf } from '../mail-gateway/signature';
import { intOption } from './cli';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function timeMs(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}


/** Runs in a fresh process so that building the file does not pollute the memory figures. */
function measure(file: string, trustDir: string, runs: number): void {
  const bytes = fs.readFileSync(file);
  const trust = loadTrustStore(trustDir);
  const rssBefore = process.memoryUsage().rss;
  const verify: number[] = [];
  const hash: number[] = [];
  let verdict = '';
  for (let i = 0; i < runs; i++) {
    hash.push(timeMs(() => crypto.createHash('sha256').update(bytes).digest()));
    verify.push(timeMs(() => (verdict = verifyPdf(bytes, { trust, file }).verdict)));
  }
  const peakRss = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(JSON.stringify({ verify: median(verify), hash: median(hash), verdict, rssGrowth: peakRss - rssBefore }));
}

async function main(): Promise<void> {
  if (process.argv[2] === '--measure') return measure(process.argv[3], process.argv[4], Number(process.argv[5]));
  const sizeMb = intOption('--size-mb', 20);
  const runs = intOption('--runs', 7);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-verify-'));
  try {
    const pki = await createTestPki();
    const trustDir = path.join(dir, 'trust');
    await pki.writeTrustDir(trustDir);
    const file = path.join(dir, 'big-signed.pdf');
    fs.writeFileSync(file, await bigPdf(pki, sizeMb * 1024 * 1024));
    const size = fs.statSync(file).size;

    const child = spawnSync(process.execPath, [__filename, '--measure', file, trustDir, String(runs)], { encoding: 'utf8' });
    if (child.status !== 0) throw new Error(child.stderr);
    const result = JSON.parse(child.stdout) as { verify: number; hash: number; verdict: string; rssGrowth: number };

    let pdfsig: number | null = null;
    if (!spawnSync('pdfsig', ['-v']).error) {
      const times: number[] = [];
      for (let i = 0; i < Math.min(runs, 5); i++) times.push(timeMs(() => spawnSync('pdfsig', [file], { encoding: 'utf8' })));
      pdfsig = median(times);
    }

    const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
    console.log(`file: ${mb(size)} MB, two signatures (person + organisation), verdict: ${result.verdict}; median of ${runs} runs`);
    console.log(`verify-pdf (in process):   ${result.verify.toFixed(1)} ms`);
    console.log(`SHA-256 of the file once:  ${result.hash.toFixed(1)} ms   → verify / SHA-256 = ${(result.verify / result.hash).toFixed(2)} (target ≤ 2)`);
    if (pdfsig !== null) console.log(`pdfsig (poppler, process): ${pdfsig.toFixed(1)} ms   → verify / pdfsig = ${(result.verify / pdfsig).toFixed(2)} (target < 1)`);
    else console.log('pdfsig: not installed (apt-get install poppler-utils to compare)');
    console.log(`peak RSS growth while verifying: ${mb(result.rssGrowth)} MB = ${(result.rssGrowth / size).toFixed(2)} × file size (target < 3)`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`bench:verify: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
