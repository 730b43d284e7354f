// The register list's filters as they come in the address (`/register?from=…&status=…&q=…`): read, checked
// (a clear Vietnamese reason for each bad value) and written back into links that keep them.
import type { Request } from 'express';
import { DOCUMENT_STATUSES, DocumentStatus, URGENCIES, Urgency } from '../../db/register/repository';
import { RegisterQuery, VERDICT_FILTERS, VerdictFilter } from '../../db/register/search';
import { VERDICT_LABELS } from './register-format';

/** The filter form's values, exactly as typed (dates as yyyy-mm-dd, what `<input type=date>` sends). */
export interface RegisterFilterForm {
  from: string;
  to: string;
  status: string;
  unit: string;
  urgency: string;
  verdict: string;
  type: string;
  q: string;
}

const FILTER_NAMES: Array<keyof RegisterFilterForm> = ['from', 'to', 'status', 'unit', 'urgency', 'verdict', 'type', 'q'];

function queryText(req: Request, name: string, max: number): string {
  const value = req.query[name];
  return typeof value === 'string' ? value.normalize('NFC').trim().slice(0, max) : '';
}

/** yyyy-mm-dd, or dd/mm/yyyy as a person types it; null when it is no real calendar date. */
export function parseDay(text: string): string | null {
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const vi = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text);
  if (!iso && !vi) return null;
  const [year, month, day] = iso ? [Number(iso[1]), Number(iso[2]), Number(iso[3])] : [Number(vi![3]), Number(vi![2]), Number(vi![1])];
  if (!Number.isInteger(year) || year < 1900 || year > 9999) return null;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return date.toISOString().slice(0, 10);
}

export function filterFormFromRequest(req: Request): RegisterFilterForm {
  return {
    from: queryText(req, 'from', 20), to: queryText(req, 'to', 20), status: queryText(req, 'status', 40), unit: queryText(req, 'unit', 120),
    urgency: queryText(req, 'urgency', 40), verdict: queryText(req, 'verdict', 20), type: queryText(req, 'type', 100), q: queryText(req, 'q', 200),
  };
}

/** The query for the register, or the reasons the filters cannot be used (each in plain Vietnamese). */
export function registerQueryOf(form: RegisterFilterForm, knownUnitIds: Set<string>): { query: RegisterQuery; errors: string[] } {
  const errors: string[] = [];
  const query: RegisterQuery = {};
  const day = (text: string, label: string) => {
    if (!text) return undefined;
    const parsed = parseDay(text);
    if (!parsed) errors.push(`${label} "${text}" không phải một ngày hợp lệ: xin nhập dạng dd/mm/yyyy.`);
    return parsed ?? undefined;
  };
  query.receivedFrom = day(form.from, 'Ngày đến từ');
  query.receivedTo = day(form.to, 'Ngày đến đến hết');
  if (query.receivedFrom && query.receivedTo && query.receivedFrom > query.receivedTo) errors.push('Ngày bắt đầu sau ngày kết thúc: xin chọn lại khoảng ngày.');
  if (form.status) {
    if (DOCUMENT_STATUSES.includes(form.status as DocumentStatus)) query.status = form.status as DocumentStatus;
    else errors.push(`Trạng thái "${form.status}" không có. Các trạng thái: ${DOCUMENT_STATUSES.join(', ')}.`);
  }
  if (form.urgency) {
    if (URGENCIES.includes(form.urgency as Urgency)) query.urgency = form.urgency as Urgency;
    else errors.push(`Mức độ khẩn "${form.urgency}" không có. Các mức: ${URGENCIES.join(', ')}.`);
  }
  if (form.verdict) {
    if (VERDICT_FILTERS.includes(form.verdict as VerdictFilter)) query.verdict = form.verdict as VerdictFilter;
    else errors.push(`Kết quả kiểm tra chữ ký "${form.verdict}" không có. Các giá trị: ${VERDICT_FILTERS.map((v) => `${v} (${VERDICT_LABELS[v]})`).join(', ')}.`);
  }
  if (form.unit) {
    if (knownUnitIds.has(form.unit)) query.unitId = form.unit;
    else errors.push(`Đơn vị gửi "${form.unit}" không có trong danh bạ.`);
  }
  if (form.type) query.docType = form.type;
  if (form.q) query.text = form.q;
  return { query, errors };
}

/** `/register?…` keeping the filters, with an optional page cursor. */
export function registerListLink(form: RegisterFilterForm, page: { after?: string; before?: string } = {}): string {
  const params = new URLSearchParams();
  for (const name of FILTER_NAMES) if (form[name]) params.set(name, form[name]);
  if (page.after) params.set('after', page.after);
  if (page.before) params.set('before', page.before);
  const query = params.toString();
  return `/register${query ? `?${query}` : ''}`;
}

export function hasFilters(form: RegisterFilterForm): boolean {
  return FILTER_NAMES.some((name) => form[name] !== '');
}
