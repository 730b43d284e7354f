// Attacks nobody on this project wrote: the published corpus in ../shared/pdf-attacks, classified as its
// expectations.json says, through the real command (a child process per file, so a hang or crash shows).
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { SHARED_DIR, DIST_DIR } from './support/paths';

const CORPUS = path.join(SHARED_DIR, 'pdf-attacks');

interface Expectation {
  attack: string;
  verdict?: string;
  verdict_not?: string;
  problems_any_of?: string[];
  problems_exactly?: string[];
  max_seconds?: number;
  signatures?: number;
  signature_checks?: { intact: boolean; trusted: boolean; certValidAtSigningTime: boolean; coversWholeFile: boolean };
}

interface Outcome {
  exitCode: number | null;
  killed: boolean;
  maxRssKb: number;
  report: { verdict: string; problems: Array<{ code: string; message: string }>; signatures: Array<Record<string, unknown>> } | null;
}

/** Runs the command on one file; reports exit code, whether it had to be killed, and its peak memory. */
function runCommand(file: string, maxSeconds: number): Outcome {
  const runner = `
    const { spawnSync } = require('node:child_process');
    const r = spawnSync(process.execPath, ${JSON.stringify([path.join(DIST_DIR, 'scripts', 'verify-pdf.js'), path.join(CORPUS, file), '--trust', path.join(CORPUS, 'trust'), '--json'])}, { encoding: 'utf8', timeout: ${maxSeconds * 1000}, maxBuffer: 64 << 20 });
    process.stdout.write(JSON.stringify({ status: r.status, signal: r.signal, stdout: r.stdout, rss: process.resourceUsage().maxRSS }));
  `;
  // The inner child's peak RSS is read through the runner: resourceUsage of a parent counts waited-for children.
  const wrapper = spawnSync(process.execPath, ['-e', runner], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const result = JSON.parse(wrapper.stdout) as { status: number | null; signal: string | null; stdout: string; rss: number };
  let report = null;
  try {
    report = JSON.parse(result.stdout);
  } catch {
    report = null;
  }
  return { exitCode: result.status, killed: result.signal !== null, maxRssKb: result.rss, report };
}

test('the published PDF-signature attack corpus is classified as expected', (t) => {
  if (!fs.existsSync(path.join(CORPUS, 'expectations.json'))) return t.skip('corpus not present (../shared/pdf-attacks)');
  const expectations = JSON.parse(fs.readFileSync(path.join(CORPUS, 'expectations.json'), 'utf8')) as Record<string, Expectation>;
  const failures: string[] = [];
  for (const [file, expected] of Object.entries(expectations)) {
    const outcome = runCommand(file, expected.max_seconds ?? 60);
    if (outcome.killed) {
      failures.push(`${file}: no answer within ${expected.max_seconds ?? 60} s`);
      continue;
    }
    if (!outcome.report || outcome.exitCode !== (outcome.report.verdict === 'valid' ? 0 : 1)) {
      failures.push(`${file}: exit ${outcome.exitCode}, report ${outcome.report ? 'present' : 'missing'}`);
      continue;
    }
    const { report } = outcome;
    const codes = [...new Set(report.problems.map((p) => p.code))].sort();
    if (expected.verdict && report.verdict !== expected.verdict) failures.push(`${file}: verdict ${report.verdict}, expected ${expected.verdict} (${codes})`);
    if (expected.verdict_not && report.verdict === expected.verdict_not) failures.push(`${file}: verdict must not be ${expected.verdict_not}`);
    if (expected.problems_any_of && !expected.problems_any_of.some((c) => codes.includes(c))) {
      failures.push(`${file} (${expected.attack}): problems ${codes.join(',')}, expected one of ${expected.problems_any_of.join(',')}`);
    }
    if (expected.problems_exactly && codes.join(',') !== [...expected.problems_exactly].sort().join(',')) {
      failures.push(`${file}: problems ${codes.join(',')}, expected exactly ${expected.problems_exactly.join(',')}: ${report.problems.map((p) => p.message).join(' | ')}`);
    }
    if (expected.signatures !== undefined && report.signatures.length !== expected.signatures) {
      failures.push(`${file}: ${report.signatures.length} signatures, expected ${expected.signatures}`);
    }
    if (expected.signature_checks) {
      for (const signature of report.signatures) {
        for (const [key, value] of Object.entries(expected.signature_checks)) {
          if (signature[key] !== value) failures.push(`${file}: signature ${signature.index} ${key}=${signature[key]}, expected ${value}`);
        }
      }
    }
    if (expected.attack === 'dos' && outcome.maxRssKb > 512 * 1024) failures.push(`${file}: peak memory ${Math.round(outcome.maxRssKb / 1024)} MB`);
  }
  assert.deepEqual(failures, []);
});

test('pdfsig, when installed, is never trusted more than we are on the corpus controls', (t) => {
  if (!fs.existsSync(CORPUS)) return t.skip('corpus not present');
  if (spawnSync('pdfsig', ['-v']).error) return t.skip('pdfsig not installed');
  // Cross-check the controls: pdfsig and we must agree that each signature's bytes are intact.
  for (const file of ['pdfattacker__hide-v2-form__3_original-document-shadowed-signed.pdf', 'pdfattacker__replace-v1__3_original-document-shadowed-signed.pdf']) {
    const out = spawnSync('pdfsig', [path.join(CORPUS, file)], { encoding: 'utf8', timeout: 20_000 }).stdout;
    assert.match(out, /Signature is Valid/);
    const ours = runCommand(file, 60).report!;
    assert.ok(ours.signatures.every((s) => s.intact === true));
  }
});
