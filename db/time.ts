// Business time is Vietnam time, a fixed +07:00 offset (no daylight saving since 1975).
// Data carries ISO 8601 with +07:00; people read dd/mm/yyyy.

const OFFSET_MS = 7 * 60 * 60 * 1000;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The wall-clock fields of `date` in Vietnam. */
export function vietnamParts(date: Date) {
  const shifted = new Date(date.getTime() + OFFSET_MS);
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    hour: shifted.getUTCHours(),
    minute: shifted.getUTCMinutes(),
    second: shifted.getUTCSeconds(),
    millisecond: shifted.getUTCMilliseconds(),
    weekday: shifted.getUTCDay(),
  };
}

/** `2026-11-23T09:15:00+07:00` (with `.123` milliseconds when asked). */
export function formatIsoVietnam(date: Date, withMillis = false): string {
  const p = vietnamParts(date);
  const millis = withMillis ? `.${pad(p.millisecond, 3)}` : '';
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}${millis}+07:00`;
}

/** `2026-11-23`: the calendar date in Vietnam. */
export function isoDateVietnam(date: Date): string {
  const p = vietnamParts(date);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
}

/** `23/11/2026` for people. */
export function formatDateVi(date: Date): string {
  const p = vietnamParts(date);
  return `${pad(p.day)}/${pad(p.month)}/${p.year}`;
}

/** `09:15 23/11/2026` for people. */
export function formatDateTimeVi(date: Date): string {
  const p = vietnamParts(date);
  return `${pad(p.hour)}:${pad(p.minute)} ${pad(p.day)}/${pad(p.month)}/${p.year}`;
}

/** Reads a stored timestamp (ISO string from SQLite, Date from PostgreSQL) back into a Date. */
export function toDate(value: string | Date | null | undefined): Date | null {
  if (value === null || value === undefined) return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

const MAIL_WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MAIL_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The Date header of a mail in Vietnam time (`Mon, 23 Nov 2026 09:15:00 +0700`); nodemailer would write UTC. */
export function mailDateVietnam(date: Date): string {
  const p = vietnamParts(date);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${MAIL_WEEKDAYS[p.weekday]}, ${pad(p.day)} ${MAIL_MONTHS[p.month - 1]} ${p.year} ${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)} +0700`;
}
