// A clerk registers by hand a document that arrived another way (paper, fax, another system): it takes the
// next số đến of the same yearly series as the mail, with the clerk as the actor, and is chained like any.
import type { Request, Response } from 'express';
import type { RouteContext } from '../routes';
import { renderPage } from '../render';
import { Finding, findRegisteredByNumber, registerDocument, URGENCIES, Urgency } from '../../db/register/repository';
import { findUnitById, listUnits } from '../../db/units/repository';
import { dateTimeVi } from './view-format';
import { processingStartsAt } from '../../mail-gateway/register/office-hours';
import { requireCurrentAccount } from '../auth/current-account';
import { parseDay } from './register-filters';

export const MANUAL_CHANNELS = ['Văn bản giấy (bưu chính, chuyển tay)', 'Fax', 'Hệ thống quản lý văn bản khác', 'Thư điện tử không qua cổng', 'Khác'];

export interface ManualForm {
  receivedAt: string;
  channel: string;
  senderUnit: string;
  senderName: string;
  docNumber: string;
  issueDate: string;
  docType: string;
  trichYeu: string;
  urgency: string;
  note: string;
}

type ManualField = keyof ManualForm;

const LIMITS: Record<ManualField, number> = {
  receivedAt: 20, channel: 100, senderUnit: 120, senderName: 300, docNumber: 100, issueDate: 20, docType: 100, trichYeu: 2000, urgency: 40, note: 2000,
};
const FIELD_NAMES: Record<ManualField, string> = {
  receivedAt: 'received_at', channel: 'channel', senderUnit: 'sender_unit', senderName: 'sender_name', docNumber: 'doc_number',
  issueDate: 'issue_date', docType: 'doc_type', trichYeu: 'trich_yeu', urgency: 'urgency', note: 'note',
};
/** A clock a little ahead of the server's is not a document from the future. */
const FUTURE_TOLERANCE_MS = 5 * 60_000;

function emptyForm(now: Date): ManualForm {
  return {
    receivedAt: dateTimeVi(now), channel: MANUAL_CHANNELS[0], senderUnit: '', senderName: '', docNumber: '', issueDate: '',
    docType: 'Công văn', trichYeu: '', urgency: 'Bình thường', note: '',
  };
}

function formFromRequest(req: Request): ManualForm {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const form = {} as ManualForm;
  for (const field of Object.keys(FIELD_NAMES) as ManualField[]) {
    const value = body[FIELD_NAMES[field]];
    form[field] = typeof value === 'string' ? value.normalize('NFC').trim().slice(0, LIMITS[field] + 1) : '';
  }
  return form;
}

/** `23/11/2026 09:15` (or `2026-11-23T09:15`) in Vietnam time → the moment; null when it is no real date and time. */
function parseLocalDateTime(text: string): Date | null {
  const match = /^(\S+)[T ]\s*(\d{1,2}):(\d{2})$/.exec(text);
  const day = match ? parseDay(match[1]) : null;
  if (!match || !day || Number(match[2]) > 23 || Number(match[3]) > 59) return null;
  return new Date(`${day}T${match[2].padStart(2, '0')}:${match[3]}:00+07:00`);
}

async function renderForm(ctx: RouteContext, res: Response, form: ManualForm, errors: Partial<Record<ManualField, string>>, status = 200): Promise<void> {
  await renderPage(res, 'register-new', {
    title: 'Đăng ký văn bản đến',
    form,
    errors,
    errorList: Object.values(errors),
    units: await listUnits(ctx.db),
    channels: MANUAL_CHANNELS,
    urgencies: URGENCIES,
  }, status);
}

export async function manualRegistrationPage(ctx: RouteContext, _req: Request, res: Response): Promise<void> {
  await renderForm(ctx, res, emptyForm(new Date()), {});
}

export async function manualRegistrationSubmit(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  const form = formFromRequest(req);
  const errors: Partial<Record<ManualField, string>> = {};
  for (const field of Object.keys(LIMITS) as ManualField[]) if (form[field].length > LIMITS[field]) errors[field] = `Nội dung dài quá ${LIMITS[field]} ký tự.`;
  const receivedAt = parseLocalDateTime(form.receivedAt);
  if (!receivedAt) errors.receivedAt = 'Xin nhập thời điểm nhận văn bản (ngày và giờ).';
  else if (receivedAt.getTime() > Date.now() + FUTURE_TOLERANCE_MS) errors.receivedAt = 'Thời điểm nhận không thể ở tương lai.';
  else if (receivedAt.getUTCFullYear() < 2000) errors.receivedAt = 'Thời điểm nhận không hợp lệ.';
  if (!MANUAL_CHANNELS.includes(form.channel)) errors.channel = 'Xin chọn cách nhận văn bản trong danh sách.';
  const unit = form.senderUnit ? await findUnitById(ctx.db, form.senderUnit) : null;
  if (form.senderUnit && !unit) errors.senderUnit = 'Đơn vị gửi không có trong danh bạ: xin chọn lại, hoặc ghi tên nơi gửi.';
  if (!form.senderUnit && !form.senderName) errors.senderName = 'Xin chọn đơn vị gửi hoặc ghi tên nơi gửi.';
  const issueDate = form.issueDate ? parseDay(form.issueDate) : null;
  if (form.issueDate && !issueDate) errors.issueDate = 'Ngày ban hành không hợp lệ: xin nhập dạng dd/mm/yyyy.';
  if (!form.trichYeu) errors.trichYeu = 'Xin nhập trích yếu nội dung văn bản.';
  if (!URGENCIES.includes(form.urgency as Urgency)) errors.urgency = 'Xin chọn mức độ khẩn trong danh sách.';
  if (Object.keys(errors).length) return renderForm(ctx, res, form, errors, 400);

  const actor = requireCurrentAccount(res).username;
  const sender = unit?.name ?? form.senderName;
  const warnings: Finding[] = [{
    code: 'MANUAL_ENTRY',
    message: `Văn thư ${actor} đăng ký thủ công: nhận qua ${form.channel.toLowerCase()} từ ${sender}${form.note ? `. Ghi chú: ${form.note}` : ''}`,
  }];
  if (form.docNumber) {
    const already = await findRegisteredByNumber(ctx.db, { unitId: unit?.id ?? null, sender: null, docNumber: form.docNumber });
    if (already.length) warnings.push({ code: 'DUPLICATE_NUMBER', message: `Văn bản số ${form.docNumber} của cùng bên gửi đã được đăng ký (số đến ${already[0].soDen}/${already[0].year})` });
  }
  const result = await registerDocument(ctx.db, {
    numbered: true,
    intake: 'manual',
    receivedAt: receivedAt!,
    processingFrom: processingStartsAt(receivedAt!, ctx.config),
    envelopeFrom: null,
    headerFrom: unit ? null : form.senderName,
    messageId: null,
    contentSha256: null,
    rawPath: null,
    rawSize: null,
    unitId: unit?.id ?? null,
    subject: null,
    urgency: form.urgency as Urgency,
    docNumber: form.docNumber || null,
    issueDate,
    docType: form.docType || null,
    trichYeu: form.trichYeu,
    verdict: null,
    problems: [],
    warnings,
    verification: null,
    authResults: null,
    attachments: [],
    actor,
  });
  res.redirect(303, `/register/${result.id}?registered=1`);
}
