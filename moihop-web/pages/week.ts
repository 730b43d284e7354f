// ISO weeks (`2026-W48`, Monday to Sunday) in Vietnam time, for the week view of a unit's invitations.
import { vietnamParts } from '../../db/time';

const DAY_MS = 86_400_000;
const VIETNAM_OFFSET_MS = 7 * 3_600_000;

export interface IsoWeek {
  year: number;
  week: number;
}

export interface WeekDay {
  /** Midnight of the day in Vietnam. */
  start: Date;
  /** yyyy-mm-dd (Vietnam). */
  isoDate: string;
}

/** Midnight (Vietnam) of a calendar date given as UTC fields. */
function vietnamMidnight(year: number, month: number, day: number): Date {
  return new Date(Date.UTC(year, month - 1, day) - VIETNAM_OFFSET_MS);
}

/** The ISO week that contains `date` (Vietnam calendar). */
export function isoWeekOf(date: Date): IsoWeek {
  const p = vietnamParts(date);
  const day = new Date(Date.UTC(p.year, p.month - 1, p.day));
  const weekday = (day.getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  day.setUTCDate(day.getUTCDate() - weekday + 3); // the Thursday of this week decides the year
  const year = day.getUTCFullYear();
  const firstThursday = new Date(Date.UTC(year, 0, 4));
  firstThursday.setUTCDate(firstThursday.getUTCDate() - ((firstThursday.getUTCDay() + 6) % 7) + 3);
  return { year, week: 1 + Math.round((day.getTime() - firstThursday.getTime()) / (7 * DAY_MS)) };
}

export function formatIsoWeek(week: IsoWeek): string {
  return `${week.year}-W${String(week.week).padStart(2, '0')}`;
}

/** `2026-W48` → the week; null when malformed or not a week of that year. */
export function parseIsoWeek(text: string): IsoWeek | null {
  const match = /^(\d{4})-W(\d{2})$/.exec(text);
  if (!match) return null;
  const week = { year: Number(match[1]), week: Number(match[2]) };
  if (week.week < 1 || week.year < 2000 || week.year > 2100) return null;
  const monday = weekDays(week)[0].start;
  return formatIsoWeek(isoWeekOf(monday)) === text ? week : null;
}

/** Monday to Sunday of the week. */
export function weekDays(week: IsoWeek): WeekDay[] {
  const jan4 = new Date(Date.UTC(week.year, 0, 4));
  const mondayOfWeek1 = Date.UTC(week.year, 0, 4 - ((jan4.getUTCDay() + 6) % 7));
  return Array.from({ length: 7 }, (_, i) => {
    const day = new Date(mondayOfWeek1 + ((week.week - 1) * 7 + i) * DAY_MS);
    return {
      start: vietnamMidnight(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate()),
      isoDate: day.toISOString().slice(0, 10),
    };
  });
}

/** The week before or after. */
export function shiftWeek(week: IsoWeek, by: number): IsoWeek {
  return isoWeekOf(new Date(weekDays(week)[0].start.getTime() + by * 7 * DAY_MS + 12 * 3_600_000));
}

/** The yyyy-mm months the week touches (one or two). */
export function monthsOfWeek(week: IsoWeek): string[] {
  return [...new Set(weekDays(week).map((d) => d.isoDate.slice(0, 7)))];
}
