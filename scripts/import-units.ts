// node dist/scripts/import-units.js [--seed <path>] [--out <path>]
// Reads the appendices of seed 000 and writes the unit directory (db/seed-data/units.json) that the database seed loads.
import fs from 'node:fs';
import path from 'node:path';
import { parseAppendices, UnitDirectory } from '../db/units/parse-appendices';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const DEFAULT_SEED = path.resolve(REPO_ROOT, '..', 'shared', 'seeds', '000_e348f1e5056e0762.txt');
const DEFAULT_OUT = path.join(REPO_ROOT, 'db', 'seed-data', 'units.json');
const USAGE = 'usage: import-units [--seed <path>] [--out <path>]';

function fail(message: string): never {
  process.stderr.write(`import-units: ${message}\n`);
  process.exit(2);
}

function parseArgs(argv: string[]): { seed: string; out: string } {
  const options = { seed: DEFAULT_SEED, out: DEFAULT_OUT };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if ((flag !== '--seed' && flag !== '--out') || !value) fail(USAGE);
    options[flag === '--seed' ? 'seed' : 'out'] = path.resolve(value);
  }
  return options;
}

function summary(directory: UnitDirectory, out: string): string {
  const byCode = new Map<string, number>();
  for (const p of directory.problems) byCode.set(p.code, (byCode.get(p.code) ?? 0) + 1);
  const { counts } = directory;
  return [
    `Nguồn / seed: ${directory.seed}`,
    `Phụ lục 1 (mail công vụ / official mail): ${counts.appendix1} dòng / rows`,
    `Phụ lục 2 (VBĐH / e-office): ${counts.appendix2} dòng / rows`,
    `Phụ lục 3 (moihop): ${counts.appendix3} dòng / rows`,
    `Đơn vị sau khi gộp / units after merging: ${counts.units}; tài khoản / accounts: ${counts.accounts}`,
    `Vấn đề dữ liệu / data problems: ${directory.problems.length}`,
    ...[...byCode].sort(([a], [b]) => a.localeCompare(b)).map(([code, n]) => `  ${code}: ${n}`),
    `Đã ghi / written: ${path.relative(process.cwd(), out) || out}`,
  ].join('\n');
}

function main(): void {
  const { seed, out } = parseArgs(process.argv.slice(2));
  let text: string;
  try {
    text = fs.readFileSync(seed, 'utf8');
  } catch (err) {
    fail(`không đọc được tệp nguồn / cannot read seed ${seed}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const directory = parseAppendices(text, path.basename(seed));
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify(directory, null, 2)}\n`);
  console.log(summary(directory, out));
}

main();
