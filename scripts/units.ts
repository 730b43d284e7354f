// `npm run -s units -- list [--json]` and `npm run -s units -- check`: the unit directory as the database has it.
import { openPreparedDatabase } from '../db/prepare';
import { listUnits, Unit } from '../db/units/repository';
import { readDirectoryFile } from '../db/units/directory-file';
import { commandConfig, runCommand, UsageError } from './cli';

const USAGE = 'usage: units list [--json] | units check';

function printTable(units: Unit[]): void {
  for (const unit of units) {
    const account = unit.moihopUsername ? ` [${unit.moihopUsername}]` : '';
    const parent = unit.parentId ? `  ↳ ` : '';
    console.log(`${parent}${unit.name}${account}  ${unit.emails.join(', ')}`);
  }
  console.log(`— ${units.length} đơn vị / units, ${units.filter((u) => u.moihopUsername).length} tài khoản / accounts`);
}

/** Problems the import reported, plus what only shows once the data is in the database. */
function qualityReport(units: Unit[]): string[] {
  const directory = readDirectoryFile();
  const lines: string[] = [];
  lines.push(`Nguồn / source: ${directory.seed}`);
  lines.push(`Phụ lục 1 / appendix 1 (gửi ubnd@): ${directory.counts.appendix1} dòng / rows`);
  lines.push(`Phụ lục 2 / appendix 2 (VBĐH): ${directory.counts.appendix2} dòng / rows`);
  lines.push(`Phụ lục 3 / appendix 3 (moihop): ${directory.counts.appendix3} dòng / rows`);
  lines.push(`Đơn vị sau khi gộp / units after merging: ${units.length}; tài khoản / accounts: ${units.filter((u) => u.moihopUsername).length}`);
  lines.push('');
  lines.push(`Vấn đề dữ liệu khi nhập / import problems: ${directory.problems.length}`);
  for (const p of directory.problems) {
    lines.push(`  PL${p.appendix} dòng ${p.line} ${p.code}: ${p.message} — ${p.action} [${p.raw.trim()}]`);
  }
  const byEmail = new Map<string, string[]>();
  for (const unit of units) for (const email of unit.emails) byEmail.set(email, [...(byEmail.get(email) ?? []), unit.name]);
  const shared = [...byEmail].filter(([, names]) => names.length > 1);
  const ids = new Set(units.map((u) => u.id));
  const orphans = units.filter((u) => u.parentId && !ids.has(u.parentId));
  lines.push('');
  lines.push(`Kiểm tra trong cơ sở dữ liệu / database checks:`);
  lines.push(`  đơn vị không có địa chỉ thư / units without address: ${units.filter((u) => !u.emails.length).length}`);
  lines.push(`  địa chỉ dùng chung nhiều đơn vị / addresses shared by several units: ${shared.length}`);
  for (const [email, names] of shared) lines.push(`    ${email}: ${names.join('; ')}`);
  lines.push(`  đơn vị cấp trên không tồn tại / missing parents: ${orphans.length}`);
  for (const unit of orphans) lines.push(`    ${unit.name} → ${unit.parentId}`);
  return lines;
}

runCommand('units', async () => {
  const [command, ...rest] = process.argv.slice(2);
  const json = rest.includes('--json');
  const unknown = rest.filter((a) => a !== '--json');
  if (!command || !['list', 'check'].includes(command) || unknown.length || (command === 'check' && json)) throw new UsageError(USAGE);
  const db = await openPreparedDatabase(commandConfig());
  try {
    const units = await listUnits(db);
    if (command === 'check') {
      console.log(qualityReport(units).join('\n'));
    } else if (json) {
      const shaped = units.map(({ id, name, parentId, emails, moihopUsername, organId }) => ({ id, name, parentId, emails, moihopUsername, organId }));
      process.stdout.write(JSON.stringify(shaped, null, 2) + '\n');
    } else {
      printTable(units);
    }
  } finally {
    await db.destroy();
  }
});
