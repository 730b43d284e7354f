// One document of the register for the clerk: every field, the PDF in the page, attachments, the signature
// report per signature, the sender checks, warnings, the raw message, the status history, and the action
// forms (POST /register/:id/status).
import type { Request, Response } from 'express';
import type { RouteContext } from '../routes';
import { renderPage } from '../render';
import { DocumentRecord, getDocument } from '../../db/register/repository';
import { findUnitById, listUnits } from '../../db/units/repository';
import { ULID_PATTERN } from '../../db/ids';
import { requireCurrentAccount } from '../auth/current-account';
import { notFoundPage } from './error-pages';
import { registerViewHelpers } from './register-format';
import { documentSignatureReport } from './register-signature';
import { senderChecksOf } from './register-sender-checks';
import { ACTIONS, ActionForm, ActionName, ActionRefused, actionFormFromRequest, applyRegisterAction, availableActions } from './register-actions';

const DONE_MESSAGES: Record<ActionName, string> = {
  accept: 'Đã tiếp nhận văn bản.',
  refuse: 'Đã từ chối văn bản.',
  forward: 'Đã chuyển văn bản đi xử lý.',
  'in-progress': 'Đã ghi nhận văn bản đang được xử lý.',
  done: 'Đã ghi nhận văn bản hoàn thành xử lý.',
  recall: 'Đã ghi nhận văn bản bị thu hồi.',
};

/** What the page says once an action's notice is in the outbox. */
const NOTICE_SENT: Partial<Record<ActionName, string>> = {
  refuse: 'Thông báo từ chối đã được đưa vào hàng gửi đến bên gửi.',
  recall: 'Thông báo đã ghi nhận thu hồi đã được đưa vào hàng gửi đến bên gửi.',
};

/** The document id of the path when it can be one; anything else is simply not found. */
export function documentIdParam(req: Request): string | null {
  const id = String(req.params.id ?? '');
  return ULID_PATTERN.test(id) ? id : null;
}

export function documentNotFound(res: Response, what = 'Văn bản'): Promise<void> {
  return notFoundPage(res, what, `${what} này không có trong sổ văn bản đến.`);
}

interface PageState {
  form?: ActionForm;
  error?: string | null;
  done?: string | null;
  status?: number;
}

async function renderDocument(ctx: RouteContext, res: Response, doc: DocumentRecord, state: PageState): Promise<void> {
  const unit = doc.unitId ? await findUnitById(ctx.db, doc.unitId) : null;
  const mainPdf = doc.attachments.find((a) => a.isMain) ?? null;
  await renderPage(res, 'register-document', {
    ...registerViewHelpers,
    title: doc.trichYeu ?? doc.subject ?? `Văn bản ${doc.id}`,
    doc,
    unit,
    mainPdf: mainPdf && mainPdf.storedPath ? mainPdf : null,
    signature: doc.verification ? documentSignatureReport(doc.verification) : null,
    senderChecks: senderChecksOf(doc.authResults, unit),
    actions: availableActions(doc.status).map((name) => ({ name, label: ACTIONS[name].label })),
    units: await listUnits(ctx.db),
    form: state.form ?? { action: '', reason: '', note: '', toUnit: '', toPerson: '' },
    error: state.error ?? null,
    done: state.done ?? null,
    history: [...doc.history].reverse(),
  }, state.status ?? 200);
}

function doneMessage(req: Request): string | null {
  const action = String(req.query.done ?? '') as ActionName;
  if (!(action in DONE_MESSAGES)) return null;
  const notice = typeof req.query.notice === 'string' ? req.query.notice.slice(0, 300) : '';
  const noticeText = notice === 'sent' ? NOTICE_SENT[action] : notice;
  return DONE_MESSAGES[action] + (noticeText ? ` ${noticeText}` : '');
}

export async function registerDocumentPage(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  const id = documentIdParam(req);
  const doc = id ? await getDocument(ctx.db, id) : null;
  if (!doc) return documentNotFound(res);
  const registered = req.query.registered === '1' ? `Đã đăng ký văn bản đến${doc.soDen !== null ? `, số đến ${doc.soDen}/${doc.year}` : ''}.` : null;
  await renderDocument(ctx, res, doc, { done: registered ?? doneMessage(req) });
}

export async function registerStatusSubmit(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  const id = documentIdParam(req);
  const doc = id ? await getDocument(ctx.db, id) : null;
  if (!doc) return documentNotFound(res);
  const form = actionFormFromRequest(req);
  try {
    const outcome = await applyRegisterAction(ctx.db, ctx.config, requireCurrentAccount(res).username, doc, form);
    const params = new URLSearchParams({ done: outcome.action });
    if (outcome.notice) params.set('notice', outcome.notice.queued ? 'sent' : outcome.notice.why);
    res.redirect(303, `/register/${doc.id}?${params.toString()}#lich-su`);
  } catch (err) {
    if (!(err instanceof ActionRefused)) throw err;
    const now = (await getDocument(ctx.db, doc.id)) ?? doc;
    await renderDocument(ctx, res, now, { form, error: err.message, status: err.status });
  }
}
