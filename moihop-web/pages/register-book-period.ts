// The period of the register book as the address gives it: `?from=…&to=…` (yyyy-mm-dd or dd/mm/yyyy) or
// `?year=2026`; the current month (Vietnam time) when nothing is given. Each bad value has its Vietnamese reason.
import type { Request } from 'express';
import type { BookPeriod } from '../../db/register/book';
import { vietnamParts } from '../../db/time';
import { parseDay } from './register-filters';

/** The period form's values as typed, to show them back. */
export interface BookPeriodForm {
  from: string;
  to: string;
  year: string;
}

export type BookPeriodChoice = { period: BookPeriod; form: BookPeriodForm; errors: [] } | { period: null; form: BookPeriodForm; errors: string[] };

const pad = (n: number) => String(n).padStart(2, '0');

function queryText(req: Request, name: string): string {
  const value = req.query[name];
  return typeof value === 'string' ? value.trim().slice(0, 20) : '';
}

/** The first and last day of the month `now` falls in, in Vietnam. */
export function monthOf(now: Date): BookPeriod {
  const { year, month } = vietnamParts(now);
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return { from: `${year}-${pad(month)}-01`, to: `${year}-${pad(month)}-${pad(lastDay)}` };
}

export function bookPeriodFromRequest(req: Request, now = new Date()): BookPeriodChoice {
  const form: BookPeriodForm = { from: queryText(req, 'from'), to: queryText(req, 'to'), year: queryText(req, 'year') };
  const errors: string[] = [];
  if (form.year) {
    if (form.from || form.to) errors.push('Xin chọn một năm hoặc một khoảng ngày, không chọn cả hai.');
    const year = /^\d{4}$/.test(form.year) ? Number(form.year) : NaN;
    if (!(year >= 2000 && year <= 9999)) errors.push(`Năm "${form.year}" không hợp lệ: xin nhập năm có 4 chữ số, ví dụ ${vietnamParts(now).year}.`);
    return errors.length ? { period: null, form, errors } : { period: { from: `${year}-01-01`, to: `${year}-12-31` }, form, errors: [] };
  }
  const month = monthOf(now);
  const day = (text: string, label: string, fallback: string) => {
    if (!text) return fallback;
    const parsed = parseDay(text);
    if (!parsed) errors.push(`${label} "${text}" không phải một ngày hợp lệ: xin nhập dạng dd/mm/yyyy.`);
    return parsed ?? fallback;
  };
  const from = day(form.from, 'Từ ngày', month.from);
  const to = day(form.to, 'Đến ngày', month.to);
  if (!errors.length && from > to) errors.push('Ngày bắt đầu sau ngày kết thúc: xin chọn lại khoảng ngày.');
  return errors.length ? { period: null, form, errors } : { period: { from, to }, form, errors: [] };
}
