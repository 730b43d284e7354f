// Office hours and days off (Vietnam time): a document received outside them counts as received at the
// next office-hours start (QĐ 2588 Sơn La, Điều 10.4.b; NĐ 30/2020).
import type { Config } from '../../config';
import { isoDateVietnam, vietnamParts } from '../../db/time';

export type OfficeCalendar = Pick<Config, 'officeHours' | 'officeDays' | 'holidays' | 'extraWorkdays'>;

/**
 * Days off fixed on the solar calendar by the Labour Code 2019 (Điều 112): Tết Dương lịch, Ngày Chiến thắng,
 * Quốc tế Lao động, Quốc khánh. Tết Nguyên đán and Giỗ Tổ follow the lunar calendar, and the second Quốc khánh
 * day and days off in lieu are announced each year, so they come from HOLIDAYS.
 */
export const FIXED_HOLIDAYS = ['01-01', '04-30', '05-01', '09-02'] as const;

const VIETNAM_OFFSET_MS = 7 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
const MINUTE_MS = 60 * 1000;
// Two years without a single office hour can only be a configuration mistake.
const SEARCH_LIMIT_DAYS = 2 * 366;

export function isHoliday(isoDate: string, calendar: OfficeCalendar): boolean {
  return (FIXED_HOLIDAYS as readonly string[]).includes(isoDate.slice(5)) || calendar.holidays.includes(isoDate);
}

/** Whether the Vietnam calendar day starting at `midnight` is worked. */
function isOfficeDay(midnight: Date, calendar: OfficeCalendar): boolean {
  const isoDate = isoDateVietnam(midnight);
  if (calendar.extraWorkdays.includes(isoDate)) return true;
  const isoWeekday = vietnamParts(midnight).weekday || 7;
  return calendar.officeDays.includes(isoWeekday) && !isHoliday(isoDate, calendar);
}

/** The instant of 00:00 Vietnam time on the day `date` falls on in Vietnam. */
function vietnamMidnight(date: Date): number {
  const p = vietnamParts(date);
  return Date.UTC(p.year, p.month - 1, p.day) - VIETNAM_OFFSET_MS;
}

/**
 * When processing of a document received at `receivedAt` starts: null when it arrived inside office hours
 * (processing starts at once), otherwise the start of the next office-hours period.
 */
export function processingStartsAt(receivedAt: Date, calendar: OfficeCalendar): Date | null {
  const received = receivedAt.getTime();
  const firstMidnight = vietnamMidnight(receivedAt);
  for (let day = 0; day <= SEARCH_LIMIT_DAYS; day++) {
    // Vietnam has no daylight saving: every day is exactly 24 hours.
    const midnight = firstMidnight + day * DAY_MS;
    if (!isOfficeDay(new Date(midnight), calendar)) continue;
    for (const period of calendar.officeHours) {
      const start = midnight + period.startMinute * MINUTE_MS;
      const end = midnight + period.endMinute * MINUTE_MS;
      if (received < start) return new Date(start);
      if (received < end) return null;
    }
  }
  throw new Error(`Không có giờ hành chính nào trong ${SEARCH_LIMIT_DAYS} ngày: kiểm tra OFFICE_HOURS, OFFICE_DAYS, HOLIDAYS`);
}
