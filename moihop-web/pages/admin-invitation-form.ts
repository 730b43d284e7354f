// The admin's authoring of invitations: the form (new and edit, multipart with the Giấy mời PDF and papers),
// recipients by search, group and hierarchy, the preview of a draft, publishing, cancelling, resending failed mail.
// Every service call goes through ../invitations (the same services as the `invitations` command).
import type { Request, Response } from 'express';
import multer from 'multer';
import type { RouteContext } from '../routes';
import { renderPage } from '../render';
import { requireCurrentAccount } from '../auth/current-account';
import { csrfToken } from '../auth/csrf';
import { URGENCIES, Urgency } from '../../db/register/repository';
import { listInvitableUnits, listRecipientGroups, saveCustomGroup, UnitGroupError } from '../../db/unit-groups/repository';
import type { Unit } from '../../db/units/repository';
import {
  amendAndNotify, cancelAndNotify, createAndNotify, getInvitation, getInvitationOverview, InvitationDetail,
  InvitationError, listInvitedUnitIds, publishAndNotify, removeUnitsAndNotify, resendFailedInvitationMails,
} from '../invitations';
import type { IncomingFile } from '../invitations';
import { notFoundPage } from './error-pages';
import { invitationIdParam } from './request-params';
import { summarizeSignatures } from './signature-summary';

const MAX_PAPERS = 20;

export interface InvitationForm {
  title: string; docNumber: string; host: string; start: string; end: string; place: string; content: string; urgency: string;
  deadline: string; note: string; groupName: string; unitIds: string[]; groupKeys: string[];
}

const EMPTY_FORM: InvitationForm = {
  title: '', docNumber: '', host: '', start: '', end: '', place: '', content: '', urgency: 'Bình thường', deadline: '', note: '', groupName: '', unitIds: [], groupKeys: [],
};

class FormError extends Error {}

/** Reads the multipart body (limits from config); a refused upload becomes a FormError in Vietnamese. */
function readMultipart(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: ctx.config.uploadMaxBytes, files: MAX_PAPERS + 1, fields: 1000, fieldSize: 100_000, parts: 1100 },
  }).fields([{ name: 'pdf', maxCount: 1 }, { name: 'papers', maxCount: MAX_PAPERS }]);
  return new Promise((resolve, reject) => {
    upload(req, res, (err: unknown) => {
      if (!err) return resolve();
      if (err instanceof multer.MulterError) {
        const mb = Math.floor(ctx.config.uploadMaxBytes / 1024 / 1024);
        const text: Record<string, string> = {
          LIMIT_FILE_SIZE: `Tệp "${err.field ?? ''}" lớn hơn giới hạn ${mb} MB.`,
          LIMIT_FILE_COUNT: `Tối đa ${MAX_PAPERS} tài liệu họp mỗi lần.`,
          LIMIT_UNEXPECTED_FILE: `Tệp gửi lên ở ô không đúng (${err.field ?? ''}).`,
        };
        return reject(new FormError(text[err.code] ?? `Biểu mẫu gửi lên không hợp lệ (${err.code}).`));
      }
      reject(err);
    });
  });
}

function field(body: Record<string, unknown>, name: string, max: number): string {
  const value = body[name];
  const text = typeof value === 'string' ? value : Array.isArray(value) && typeof value[0] === 'string' ? value[0] : '';
  return text.normalize('NFC').slice(0, max);
}

function list(body: Record<string, unknown>, name: string): string[] {
  const value = body[name];
  const items = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return [...new Set(items.filter((v): v is string => typeof v === 'string').map((v) => v.trim()).filter(Boolean))].slice(0, 1000);
}

function formFromBody(req: Request): InvitationForm {
  const body = (req.body ?? {}) as Record<string, unknown>;
  return {
    title: field(body, 'title', 1001), docNumber: field(body, 'doc_number', 101), host: field(body, 'host', 301), start: field(body, 'start', 30),
    end: field(body, 'end', 30), place: field(body, 'place', 501), content: field(body, 'content', 20_001), urgency: field(body, 'urgency', 30),
    deadline: field(body, 'deadline', 30), note: field(body, 'note', 2001), groupName: field(body, 'group_name', 201),
    unitIds: list(body, 'units'), groupKeys: list(body, 'groups'),
  };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A moment as the value of `<input type="datetime-local">`, Vietnam time. */
export function localInputValue(date: Date): string {
  const v = new Date(date.getTime() + 7 * 3_600_000);
  return `${v.getUTCFullYear()}-${pad(v.getUTCMonth() + 1)}-${pad(v.getUTCDate())}T${pad(v.getUTCHours())}:${pad(v.getUTCMinutes())}`;
}

/** `2026-12-01T08:00` (datetime-local, Vietnam time) → the moment; a FormError naming the field otherwise. */
function parseLocal(text: string, label: string, required: boolean): Date | null {
  if (!text.trim()) {
    if (required) throw new FormError(`Thiếu ${label}.`);
    return null;
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::\d{2})?$/.exec(text.trim());
  const date = m ? new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:00+07:00`) : null;
  const check = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
  if (!m || !date || Number.isNaN(date.getTime()) || check!.getUTCDate() !== Number(m[3]) || Number(m[4]) > 23 || Number(m[5]) > 59) {
    throw new FormError(`${label.charAt(0).toUpperCase() + label.slice(1)} "${text}" không phải ngày giờ hợp lệ (dd/mm/yyyy hh:mm).`);
  }
  return date;
}

function urgencyOf(text: string): Urgency {
  if (!URGENCIES.includes(text as Urgency)) throw new FormError(`Độ khẩn phải là một trong: ${URGENCIES.join(', ')}.`);
  return text as Urgency;
}

function uploaded(req: Request): { pdf: IncomingFile | null; papers: IncomingFile[] } {
  const files = (req.files ?? {}) as Record<string, Express.Multer.File[]>;
  // Browsers send names as UTF-8 bytes; busboy reads them as latin1.
  const toFile = (f: Express.Multer.File): IncomingFile => ({ filename: Buffer.from(f.originalname, 'latin1').toString('utf8'), content: f.buffer });
  const nonEmpty = (f: Express.Multer.File) => f.size > 0 || f.originalname !== '';
  return { pdf: files.pdf?.filter(nonEmpty).map(toFile)[0] ?? null, papers: (files.papers ?? []).filter(nonEmpty).map(toFile) };
}

/** The units chosen one by one plus those of the chosen groups. */
async function chosenUnits(ctx: RouteContext, form: InvitationForm, units: Unit[]): Promise<string[]> {
  const groups = await listRecipientGroups(ctx.db, units);
  const chosen = new Set(form.unitIds);
  for (const key of form.groupKeys) {
    const group = groups.find((g) => g.key === key);
    if (!group) throw new FormError(`Không có nhóm đơn vị "${key}".`);
    for (const id of group.unitIds) chosen.add(id);
  }
  const known = new Set(units.map((u) => u.id));
  const unknown = [...chosen].filter((id) => !known.has(id));
  if (unknown.length) throw new FormError(`Không có đơn vị: ${unknown.join(', ')}.`);
  return [...chosen];
}

async function renderForm(ctx: RouteContext, req: Request, res: Response, data: { form: InvitationForm; invitation: InvitationDetail | null; error?: string | null; status?: number }) {
  const units = await listInvitableUnits(ctx.db);
  const groups = await listRecipientGroups(ctx.db, units);
  const depth = new Map<string, number>();
  for (const unit of units) depth.set(unit.id, unit.parentId && depth.has(unit.parentId) ? depth.get(unit.parentId)! + 1 : 0);
  const chosen = new Set(data.form.unitIds);
  const editing = data.invitation !== null;
  await renderPage(res, 'admin-invitation-form', {
    title: editing ? `Sửa giấy mời: ${data.invitation!.title}` : 'Soạn giấy mời họp',
    form: data.form, invitation: data.invitation, error: data.error ?? null, units, groups, depth, chosen, urgencies: URGENCIES,
    action: `${editing ? `/admin/invitations/${data.invitation!.id}/edit` : '/admin/invitations/new'}?_csrf=${encodeURIComponent(csrfToken(req))}`,
    maxMb: Math.floor(ctx.config.uploadMaxBytes / 1024 / 1024),
  }, data.status ?? 200);
}

export async function newInvitationPage(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  await renderForm(ctx, req, res, { form: { ...EMPTY_FORM }, invitation: null });
}

function errorText(err: unknown): string | null {
  if (err instanceof FormError || err instanceof UnitGroupError) return err.message;
  if (err instanceof InvitationError) return err.vi + (err.code === 'PDF_NOT_VALID' ? '. Hãy tải lên Giấy mời đã ký số, hoặc bấm "Lưu nháp" để giữ bản này làm nháp.' : '.');
  return null;
}

export async function newInvitationSubmit(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  const account = requireCurrentAccount(res);
  let form = { ...EMPTY_FORM };
  try {
    await readMultipart(ctx, req, res);
    form = formFromBody(req);
    const asDraft = field((req.body ?? {}) as Record<string, unknown>, 'action', 20) === 'draft';
    const { pdf, papers } = uploaded(req);
    if (!pdf) throw new FormError('Chưa chọn tệp Giấy mời (PDF đã ký số).');
    const startsAt = parseLocal(form.start, 'thời gian bắt đầu', true)!;
    const endsAt = parseLocal(form.end, 'thời gian kết thúc', true)!;
    const answerDeadline = parseLocal(form.deadline, 'hạn xác nhận', false);
    const units = await listInvitableUnits(ctx.db);
    const unitIds = await chosenUnits(ctx, form, units);
    const { invitation } = await createAndNotify(ctx.db, ctx.config, {
      title: form.title, docNumber: form.docNumber, host: form.host, startsAt, endsAt, place: form.place, content: form.content,
      urgency: urgencyOf(form.urgency), answerDeadline, unitIds, pdf, papers,
      // A draft may keep an unsigned or invalid Giấy mời; "Xem trước" needs a valid one.
      allowUnsigned: asDraft, publish: false, actor: account.username,
    });
    if (form.groupName.trim()) await saveCustomGroup(ctx.db, { name: form.groupName, unitIds, actor: account.username });
    res.redirect(303, `/admin/invitations/${invitation.id}/preview`);
  } catch (err) {
    const text = errorText(err);
    if (text === null) throw err;
    await renderForm(ctx, req, res, { form, invitation: null, error: `${text} Các tệp cần chọn lại.`, status: 400 });
  }
}

function formOf(invitation: InvitationDetail, unitIds: string[]): InvitationForm {
  return {
    ...EMPTY_FORM, title: invitation.title, docNumber: invitation.docNumber ?? '', host: invitation.host ?? '', start: localInputValue(invitation.startsAt),
    end: localInputValue(invitation.endsAt), place: invitation.place, content: invitation.content ?? '', urgency: invitation.urgency,
    deadline: localInputValue(invitation.answerDeadline), unitIds,
  };
}

async function loadInvitation(ctx: RouteContext, req: Request, res: Response): Promise<InvitationDetail | null> {
  const id = invitationIdParam(req);
  const invitation = id ? await getInvitation(ctx.db, id) : null;
  if (!invitation) await notFoundPage(res, 'Giấy mời', 'Giấy mời này không có trên hệ thống.');
  return invitation;
}

export async function editInvitationPage(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  const invitation = await loadInvitation(ctx, req, res);
  if (!invitation) return;
  if (invitation.status === 'đã hủy') return renderPage(res, 'error', { title: 'Đã hủy', heading: 'Giấy mời đã bị hủy', detail: 'Không thể sửa một giấy mời đã hủy.' }, 409);
  await renderForm(ctx, req, res, { form: formOf(invitation, await listInvitedUnitIds(ctx.db, invitation.id)), invitation });
}

const changed = (a: string, b: string) => a.trim() !== b.trim();

export async function editInvitationSubmit(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  const account = requireCurrentAccount(res);
  const invitation = await loadInvitation(ctx, req, res);
  if (!invitation) return;
  const invited = await listInvitedUnitIds(ctx.db, invitation.id);
  let form = formOf(invitation, invited);
  try {
    await readMultipart(ctx, req, res);
    form = formFromBody(req);
    const asDraft = field((req.body ?? {}) as Record<string, unknown>, 'action', 20) === 'draft';
    const before = formOf(invitation, invited);
    const { pdf, papers } = uploaded(req);
    const startsAt = parseLocal(form.start, 'thời gian bắt đầu', true)!;
    const endsAt = parseLocal(form.end, 'thời gian kết thúc', true)!;
    const deadline = parseLocal(form.deadline, 'hạn xác nhận', false);
    const unitIds = await chosenUnits(ctx, form, await listInvitableUnits(ctx.db));
    if (unitIds.length === 0) throw new FormError('Chưa chọn đơn vị được mời.');
    const add = unitIds.filter((id) => !invited.includes(id));
    const remove = invited.filter((id) => !unitIds.includes(id));
    const change = {
      title: changed(form.title, before.title) ? form.title : undefined,
      docNumber: changed(form.docNumber, before.docNumber) ? form.docNumber : undefined,
      host: changed(form.host, before.host) ? form.host : undefined,
      startsAt: startsAt.getTime() !== invitation.startsAt.getTime() ? startsAt : undefined,
      endsAt: endsAt.getTime() !== invitation.endsAt.getTime() ? endsAt : undefined,
      place: changed(form.place, before.place) ? form.place : undefined,
      content: changed(form.content, before.content) ? form.content : undefined,
      urgency: form.urgency !== before.urgency ? urgencyOf(form.urgency) : undefined,
      answerDeadline: deadline && deadline.getTime() !== invitation.answerDeadline.getTime() ? deadline : undefined,
      addUnitIds: add, pdf: pdf ?? undefined, papers, allowUnsigned: asDraft && invitation.status === 'nháp', note: form.note, actor: account.username,
    };
    const somethingElse = Object.entries(change).some(([k, v]) => !['addUnitIds', 'papers', 'allowUnsigned', 'note', 'actor'].includes(k) && v !== undefined)
      || add.length > 0 || papers.length > 0;
    if (!somethingElse && remove.length === 0) {
      if (invitation.status === 'nháp') return res.redirect(303, `/admin/invitations/${invitation.id}/preview`);
      throw new FormError('Không có gì thay đổi.');
    }
    if (remove.length) await removeUnitsAndNotify(ctx.db, ctx.config, invitation.id, { unitIds: remove, actor: account.username, note: form.note });
    if (somethingElse) await amendAndNotify(ctx.db, ctx.config, invitation.id, change);
    if (form.groupName.trim()) await saveCustomGroup(ctx.db, { name: form.groupName, unitIds, actor: account.username });
    res.redirect(303, invitation.status === 'nháp' ? `/admin/invitations/${invitation.id}/preview` : `/admin/invitations/${invitation.id}`);
  } catch (err) {
    const text = errorText(err);
    if (text === null) throw err;
    await renderForm(ctx, req, res, { form, invitation, error: `${text}${uploaded(req).pdf || uploaded(req).papers.length ? ' Các tệp cần chọn lại.' : ''}`, status: 400 });
  }
}

export async function previewInvitationPage(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  const id = invitationIdParam(req);
  const overview = id ? await getInvitationOverview(ctx.db, id) : null;
  if (!overview) return notFoundPage(res, 'Giấy mời', 'Giấy mời này không có trên hệ thống.');
  const units = new Map((await listInvitableUnits(ctx.db)).map((u) => [u.id, u]));
  const recipients = overview.units.map((u) => ({ ...u, emails: units.get(u.unitId)?.emails ?? [] }));
  await renderPage(res, 'admin-invitation-preview', {
    title: `Xem trước: ${overview.title}`, invitation: overview, recipients, signature: summarizeSignatures(overview.verification),
    mainPdf: overview.files.find((f) => f.kind === 'giấy mời') ?? null, now: new Date(),
    withAddress: recipients.filter((r) => r.emails.length > 0).length,
  });
}

async function actionError(res: Response, err: unknown): Promise<void> {
  if (!(err instanceof InvitationError)) throw err;
  const status = err.code === 'NOT_FOUND' ? 404 : err.code === 'INVALID_INPUT' || err.code === 'PDF_NOT_VALID' ? 400 : 409;
  await renderPage(res, 'error', { title: 'Không thực hiện được', heading: 'Không thực hiện được', detail: `${err.vi}.` }, status);
}

export async function publishInvitationSubmit(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  const invitation = await loadInvitation(ctx, req, res);
  if (!invitation) return;
  if (invitation.referenceOnly) {
    return renderPage(res, 'error', {
      title: 'Chưa phát hành được', heading: 'Giấy mời chưa có chữ ký số hợp lệ',
      detail: 'Giấy mời chỉ được phát hành khi là văn bản PDF có chữ ký số hợp lệ (CT 14/2014). Xin sửa nháp và tải lên bản đã ký.',
    }, 409);
  }
  try {
    await publishAndNotify(ctx.db, ctx.config, invitation.id, { actor: requireCurrentAccount(res).username });
    res.redirect(303, `/admin/invitations/${invitation.id}`);
  } catch (err) {
    await actionError(res, err);
  }
}

export async function cancelInvitationSubmit(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  const invitation = await loadInvitation(ctx, req, res);
  if (!invitation) return;
  const reason = field((req.body ?? {}) as Record<string, unknown>, 'reason', 2001);
  try {
    await cancelAndNotify(ctx.db, ctx.config, invitation.id, { actor: requireCurrentAccount(res).username, reason });
    res.redirect(303, `/admin/invitations/${invitation.id}`);
  } catch (err) {
    await actionError(res, err);
  }
}

export async function resendInvitationSubmit(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  const invitation = await loadInvitation(ctx, req, res);
  if (!invitation) return;
  await resendFailedInvitationMails(ctx.db, invitation.id, new Date(), requireCurrentAccount(res).username);
  res.redirect(303, `/admin/invitations/${invitation.id}#gui-thu`);
}
