// `npm run -s verify-pdf -- <file.pdf> [--trust <dir>] [--at <iso-time>] [--json]`
// Exit code: 0 valid, 1 invalid or unsigned, 2 usage or internal error.
import fs from 'node:fs';
import path from 'node:path';
import { formatReportText, loadTrustStore, toContractJson, verifyPdf } from '../mail-gateway/signature';
import { loadConfig } from '../config';

const USAGE = 'usage: verify-pdf <file.pdf> [--trust <dir>] [--at <iso-time>] [--json]';

function fail(message: string): never {
  process.stderr.write(`verify-pdf: ${message}\n`);
  process.exit(2);
}

interface Arguments {
  file: string;
  trustDir: string | null;
  at: Date | undefined;
  json: boolean;
}

function parseArguments(argv: string[]): Arguments {
  const parsed: Arguments = { file: '', trustDir: null, at: undefined, json: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--json') parsed.json = true;
    else if (arg === '--trust' || arg === '--at') {
      const value = argv[++i];
      if (!value) fail(`${arg} cần một giá trị / needs a value; ${USAGE}`);
      if (arg === '--trust') parsed.trustDir = value;
      else {
        const at = new Date(value);
        if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(at.getTime())) fail(`--at cần thời điểm ISO 8601 / needs an ISO 8601 time, got "${value}"`);
        parsed.at = at;
      }
    } else if (arg.startsWith('--')) fail(`tham số không hiểu / unknown option ${arg}; ${USAGE}`);
    else if (parsed.file) fail(`chỉ kiểm tra một tệp mỗi lần / one file at a time; ${USAGE}`);
    else parsed.file = arg;
  }
  if (!parsed.file) fail(USAGE);
  return parsed;
}

function main(): number {
  const args = parseArguments(process.argv.slice(2));
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(args.file);
  } catch (err) {
    fail(`không đọc được tệp / cannot read ${args.file}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
  let trustDir = args.trustDir;
  if (!trustDir) {
    try {
      trustDir = loadConfig().trustDir;
    } catch (err) {
      fail((err as Error).message);
    }
  }
  let trust;
  try {
    trust = loadTrustStore(trustDir);
  } catch (err) {
    fail((err as Error).message);
  }
  const report = verifyPdf(bytes, { trust, at: args.at, file: path.basename(args.file) });
  process.stdout.write(args.json ? JSON.stringify(toContractJson(report), null, 2) + '\n' : formatReportText(report));
  return report.verdict === 'valid' ? 0 : 1;
}

try {
  process.exitCode = main();
} catch (err) {
  process.stderr.write(`verify-pdf: lỗi nội bộ / internal error: ${(err as Error)?.stack ?? err}\n`);
  process.exitCode = 2;
}
