// Periods of the statistics in Vietnam calendar days: months, quarters, years, the quick picks of the page,
// and the quarterly report's schedule (QĐ 3143 Điều 18.4: due the 20th of the quarter's last month).
import type { StatisticsPeriod } from '../../db/register/statistics';
import { vietnamParts } from '../../db/time';

const pad = (n: number) => String(n).padStart(2, '0');
const VIETNAM_OFFSET_MS = 7 * 3_600_000;

export const REPORT_DAY_OF_MONTH = 20;

export interface Quarter {
  year: number;
  /** 1 … 4 */
  quarter: number;
}

const lastDayOf = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

export function monthPeriod(year: number, month: number): StatisticsPeriod {
  return { from: `${year}-${pad(month)}-01`, to: `${year}-${pad(month)}-${pad(lastDayOf(year, month))}` };
}

export function quarterOf(date: Date): Quarter {
  const { year, month } = vietnamParts(date);
  return { year, quarter: Math.ceil(month / 3) };
}

export function previousQuarter(q: Quarter): Quarter {
  return q.quarter === 1 ? { year: q.year - 1, quarter: 4 } : { year: q.year, quarter: q.quarter - 1 };
}

export function quarterPeriod(q: Quarter): StatisticsPeriod {
  const firstMonth = q.quarter * 3 - 2;
  return { from: monthPeriod(q.year, firstMonth).from, to: monthPeriod(q.year, firstMonth + 2).to };
}

export const quarterKey = (q: Quarter) => `${q.year}-Q${q.quarter}`;

/** `Quý IV/2026` for people. */
export const quarterLabel = (q: Quarter) => `Quý ${['I', 'II', 'III', 'IV'][q.quarter - 1]}/${q.year}`;

/** 00:00 Vietnam time on the 20th of the quarter's last month: when the report falls due. */
export function reportDueAt(q: Quarter): Date {
  return new Date(Date.UTC(q.year, q.quarter * 3 - 1, REPORT_DAY_OF_MONTH) - VIETNAM_OFFSET_MS);
}

/**
 * The days the quarterly report covers: from the day its predecessor was due (the 20th of the previous
 * quarter's last month) to the day before it falls due (the 19th of its own last month). A report handed in
 * on the 20th cannot hold the rest of its quarter, so those days open the next report: consecutive reports
 * leave no day out and count none twice, and a report generated late (after an outage) is the same as one
 * generated on time.
 */
export function reportPeriod(q: Quarter): StatisticsPeriod {
  const previous = previousQuarter(q);
  return {
    from: `${previous.year}-${pad(previous.quarter * 3)}-${pad(REPORT_DAY_OF_MONTH)}`,
    to: `${q.year}-${pad(q.quarter * 3)}-${pad(REPORT_DAY_OF_MONTH - 1)}`,
  };
}

/** The latest quarter whose report is due at `now`: this quarter from its 20th on, else the one before. */
export function latestDueQuarter(now: Date): Quarter {
  const current = quarterOf(now);
  return now.getTime() >= reportDueAt(current).getTime() ? current : previousQuarter(current);
}

export interface QuickPeriod {
  key: 'this-month' | 'this-quarter' | 'last-quarter' | 'this-year';
  label: string;
  period: StatisticsPeriod;
}

export function quickPeriods(now: Date): QuickPeriod[] {
  const { year, month } = vietnamParts(now);
  const quarter = quarterOf(now);
  const last = previousQuarter(quarter);
  return [
    { key: 'this-month', label: `Tháng này (${pad(month)}/${year})`, period: monthPeriod(year, month) },
    { key: 'this-quarter', label: `Quý này (${quarterLabel(quarter)})`, period: quarterPeriod(quarter) },
    { key: 'last-quarter', label: `Quý trước (${quarterLabel(last)})`, period: quarterPeriod(last) },
    { key: 'this-year', label: `Năm nay (${year})`, period: { from: `${year}-01-01`, to: `${year}-12-31` } },
  ];
}
