// `register -- stats --from YYYY-MM-DD --to YYYY-MM-DD [--json]`: the statistics of a period on the terminal,
// the same figures as the page and the downloads.
import type { Knex } from 'knex';
import { registerStatistics, StatisticsPeriod } from '../../db/register/statistics';
import { parseDay } from '../pages/register-filters';
import { statisticsTables, orderedTables } from './tables';
import type { ExportCell } from '../exports/table-export';
import { formatDateTimeVi } from '../../db/time';

export const STATS_USAGE = 'register stats --from YYYY-MM-DD --to YYYY-MM-DD [--json]';

/** The period and output of the arguments, or the Vietnamese/English reason they cannot be used. */
export function parseStatsArgs(args: string[]): { period: StatisticsPeriod; json: boolean } | { error: string } {
  let from: string | null = null;
  let to: string | null = null;
  let json = false;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--json') json = true;
    else if (args[i] === '--from') from = parseDay(args[++i] ?? '');
    else if (args[i] === '--to') to = parseDay(args[++i] ?? '');
    else return { error: `tham số không rõ / unknown argument "${args[i]}": ${STATS_USAGE}` };
  }
  if (!from || !to) return { error: `cần --from và --to là ngày hợp lệ / --from and --to take valid dates: ${STATS_USAGE}` };
  if (from > to) return { error: 'ngày bắt đầu sau ngày kết thúc / --from is after --to' };
  return { period: { from, to }, json };
}

const cellText = (cell: ExportCell) => (cell === null ? '' : cell instanceof Date ? formatDateTimeVi(cell) : String(cell));

export async function printStatistics(db: Knex, period: StatisticsPeriod, json: boolean, write: (text: string) => void): Promise<void> {
  const stats = await registerStatistics(db, period);
  if (json) return write(JSON.stringify(stats, null, 2) + '\n');
  for (const table of orderedTables(statisticsTables(stats))) {
    write(`\n== ${table.sheet} ==\n`);
    write(`${table.columns.map((c) => c.header).join(' | ')}\n`);
    for (const row of table.rows) write(`${row.map(cellText).join(' | ')}\n`);
  }
}
