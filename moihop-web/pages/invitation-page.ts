// A unit's invitation page: every field, the signed Giấy mời, the papers, the signature report in plain words
// and the answer form (GET records the first view; POST answers, re-showing the form on mistakes).
import type { Request, Response } from 'express';
import type { RouteContext } from '../routes';
import { renderPage } from '../render';
import {
  answerInvitation, getInvitation, getInvitationForUnit, InvitationError, recordInvitationRead, UnitInvitationDetail,
} from '../invitations';
import { AnswerFormError, AnswerFormValues, answerFormErrors, answerFormFromAnswer, answerFormFromRequest, toAnswerInput } from './answer-form';
import { summarizeSignatures } from './signature-summary';
import { notFoundPage } from './error-pages';
import { dateTimeVi } from './view-format';
import { invitationIdParam, unitActor } from './request-params';

/** Why the form is closed, or null while the unit may (still) answer. */
function closedReason(invitation: UnitInvitationDetail): string | null {
  if (invitation.answersOpen) return null;
  if (invitation.status === 'đã hủy') return 'Giấy mời đã bị hủy: không cần xác nhận tham dự.';
  return `Đã hết hạn xác nhận tham dự (hạn ${dateTimeVi(invitation.answerDeadline)}). Nếu cần thay đổi, xin liên hệ Văn phòng UBND tỉnh.`;
}

interface FormState {
  values: AnswerFormValues;
  errors: AnswerFormError[];
  refusal?: string | null;
  status?: number;
}

async function renderInvitation(res: Response, invitation: UnitInvitationDetail, form: FormState, answered = false): Promise<void> {
  const errorOf = Object.fromEntries(form.errors.map((e) => [e.field, e.message]));
  await renderPage(res, 'invitation', {
    title: invitation.title,
    invitation,
    signature: summarizeSignatures(invitation.verification),
    mainPdf: invitation.files.find((f) => f.kind === 'giấy mời') ?? null,
    papers: invitation.files.filter((f) => f.kind === 'tài liệu'),
    form: form.values,
    errors: form.errors,
    errorOf,
    refusal: form.refusal ?? null,
    closed: closedReason(invitation),
    answered,
    answerOutdated: invitation.answer !== null && invitation.answer.sequence < invitation.sequence,
  }, form.status ?? 200);
}

export async function invitationPage(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  const id = invitationIdParam(req);
  const actor = unitActor(res);
  if (!id || !actor) return notFoundPage(res);
  if (!(await recordInvitationRead(ctx.db, actor, id))) return notFoundPage(res);
  const invitation = await getInvitationForUnit(ctx.db, actor.unitId, id);
  if (!invitation) return notFoundPage(res);
  // What the latest amendment changed (its history note, written by the amending service).
  res.locals.lastChange = invitation.status === 'đã sửa đổi'
    ? (await getInvitation(ctx.db, id))?.history.find((h) => h.status === 'đã sửa đổi' && h.sequence === invitation.sequence)?.note ?? null
    : null;
  await renderInvitation(res, invitation, { values: answerFormFromAnswer(invitation.answer), errors: [] }, req.query.answered === '1');
}

export async function answerSubmit(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  const id = invitationIdParam(req);
  const actor = unitActor(res);
  if (!id || !actor) return notFoundPage(res);
  const invitation = await getInvitationForUnit(ctx.db, actor.unitId, id);
  if (!invitation) return notFoundPage(res);
  const values = answerFormFromRequest(req);
  const errors = answerFormErrors(values);
  if (errors.length > 0) return renderInvitation(res, invitation, { values, errors, status: 400 });
  try {
    await answerInvitation(ctx.db, actor, id, toAnswerInput(values));
  } catch (err) {
    if (!(err instanceof InvitationError)) throw err;
    if (err.code === 'NOT_FOUND') return notFoundPage(res);
    // Closed or cancelled between the page and the answer: show the page as it is now, with why.
    const now = (await getInvitationForUnit(ctx.db, actor.unitId, id)) ?? invitation;
    const status = err.code === 'INVALID_INPUT' ? 400 : 409;
    return renderInvitation(res, now, { values, errors: [], refusal: err.vi, status });
  }
  res.redirect(303, `/invitations/${id}?answered=1#tra-loi`);
}
