// What a clerk may do with a registered document, and doing it: each action is one status change with its
// history entry (and chain link), the notice to the sender of a refusal or a recall queued in the same transaction.
import type { Request } from 'express';
import type { Knex } from 'knex';
import type { Config } from '../../config';
import { addStatus, DocumentRecord, DocumentStatus, recordRecall, RegisterError } from '../../db/register/repository';
import { findUnitById } from '../../db/units/repository';
import { queueRecalledNotice, queueRefusedNotice } from '../../mail-gateway/notices/notices';
import { senderReplyDecision } from './register-sender-reply';

export const ACTION_NAMES = ['accept', 'refuse', 'forward', 'in-progress', 'done', 'recall'] as const;
export type ActionName = (typeof ACTION_NAMES)[number];

interface ActionSpec {
  status: DocumentStatus;
  /** The statuses it may follow (a recall may follow any but itself). */
  from: readonly DocumentStatus[];
  label: string;
}

const WORKING: DocumentStatus[] = ['đã tiếp nhận', 'đã chuyển xử lý', 'đang xử lý'];

export const ACTIONS: Record<ActionName, ActionSpec> = {
  accept: { status: 'đã tiếp nhận', from: ['đã đến'], label: 'Tiếp nhận' },
  refuse: { status: 'từ chối', from: ['đã đến', 'đã tiếp nhận'], label: 'Từ chối' },
  forward: { status: 'đã chuyển xử lý', from: WORKING, label: 'Chuyển xử lý' },
  'in-progress': { status: 'đang xử lý', from: ['đã tiếp nhận', 'đã chuyển xử lý'], label: 'Đang xử lý' },
  done: { status: 'hoàn thành', from: WORKING, label: 'Hoàn thành' },
  recall: { status: 'thu hồi', from: ['đã đến', 'đã tiếp nhận', 'đã chuyển xử lý', 'đang xử lý', 'hoàn thành', 'từ chối'], label: 'Ghi nhận thu hồi' },
};

/** The actions open to a document in this status, in the order the page offers them. */
export function availableActions(status: DocumentStatus): ActionName[] {
  return ACTION_NAMES.filter((name) => ACTIONS[name].from.includes(status));
}

/** The action form as sent. */
export interface ActionForm {
  action: string;
  reason: string;
  note: string;
  toUnit: string;
  toPerson: string;
}

const TEXT_LIMIT = 2000;

function bodyText(req: Request, name: string, max: number): string {
  const value = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value.normalize('NFC').trim().slice(0, max + 1) : '';
}

export function actionFormFromRequest(req: Request): ActionForm {
  return {
    action: bodyText(req, 'action', 20),
    reason: bodyText(req, 'reason', TEXT_LIMIT),
    note: bodyText(req, 'note', TEXT_LIMIT),
    toUnit: bodyText(req, 'to_unit', 120),
    toPerson: bodyText(req, 'to_person', 200),
  };
}

/** A refusal the clerk sees beside the form; `status` is the HTTP status of the page that shows it. */
export class ActionRefused extends Error {
  constructor(readonly status: 400 | 409, message: string) {
    super(message);
  }
}

export interface ActionOutcome {
  action: ActionName;
  /** For a refusal or a recall: whether the notice went to the outbox, or why not. */
  notice: { queued: true; to: string } | { queued: false; why: string } | null;
}

function tooLong(text: string, max: number, label: string): void {
  if (text.length > max) throw new ActionRefused(400, `${label} dài quá ${max} ký tự.`);
}

const FORWARD_TO = 'Chuyển đến: ';
const FORWARD_REMARK = '. Ghi chú: ';

/** The history note of a forward: to whom, and the clerk's note. */
async function forwardNote(db: Knex, form: ActionForm): Promise<string> {
  const unit = form.toUnit ? await findUnitById(db, form.toUnit) : null;
  if (form.toUnit && !unit) throw new ActionRefused(400, 'Đơn vị nhận không có trong danh bạ: xin chọn lại.');
  if (!unit && !form.toPerson) throw new ActionRefused(400, 'Xin chọn đơn vị hoặc ghi tên người nhận xử lý.');
  const to = [unit?.name, form.toPerson].filter(Boolean).join(' — ');
  return `${FORWARD_TO}${to}${form.note ? `${FORWARD_REMARK}${form.note}` : ''}`;
}

/** The unit or person a forward's history note names (what the register book prints); the whole note otherwise. */
export function forwardRecipientOf(note: string): string {
  if (!note.startsWith(FORWARD_TO)) return note;
  const to = note.slice(FORWARD_TO.length);
  const remark = to.indexOf(FORWARD_REMARK);
  return remark === -1 ? to : to.slice(0, remark);
}

/**
 * Applies one action of a clerk (`actor`, the account's username) to a document. Refusal needs a reason and
 * tells the sender (Điều 5.4) when the sender may be answered; a recall needs what the sender asked, and tells
 * the sender, under the same rule, that it was recorded.
 */
export async function applyRegisterAction(db: Knex, config: Config, actor: string, doc: DocumentRecord, form: ActionForm): Promise<ActionOutcome> {
  if (!(ACTION_NAMES as readonly string[]).includes(form.action)) throw new ActionRefused(400, `Thao tác "${form.action}" không có. Các thao tác: ${ACTION_NAMES.map((a) => ACTIONS[a].label).join(', ')}.`);
  const action = form.action as ActionName;
  const spec = ACTIONS[action];
  tooLong(form.reason, TEXT_LIMIT, 'Lý do');
  tooLong(form.note, TEXT_LIMIT, 'Ghi chú');
  tooLong(form.toPerson, 200, 'Tên người nhận');
  if (!spec.from.includes(doc.status)) {
    throw new ActionRefused(409, `Văn bản đang ở trạng thái "${doc.status}": không thể ${spec.label.toLowerCase()}.`);
  }
  let notice: ActionOutcome['notice'] = null;
  try {
    if (action === 'recall') {
      if (!form.note) throw new ActionRefused(400, 'Xin ghi nội dung thu hồi: bên gửi yêu cầu thế nào, qua đường nào.');
      const decision = await senderReplyDecision(config.dataDir, doc);
      const at = new Date();
      // recordRecall's own transaction becomes a savepoint of this one: the recall and its notice commit together.
      const { recalled } = await db.transaction(async (trx) => {
        const result = await recordRecall(trx, { documentId: doc.id, actor, note: form.note, at });
        if (result.recalled && decision.mayAnswer) {
          await queueRecalledNotice(trx, config, {
            documentId: doc.id, to: decision.to, originalMessageId: doc.messageId, originalSubject: doc.subject, receivedAt: doc.receivedAt,
            soDen: doc.soDen, year: doc.year, number: doc.docNumber, subject: doc.trichYeu, recalledAt: at,
          });
        }
        return result;
      });
      if (!recalled) throw new ActionRefused(409, 'Văn bản đã được thu hồi trước đó.');
      notice = decision.mayAnswer ? { queued: true, to: decision.to } : { queued: false, why: decision.why };
    } else if (action === 'refuse') {
      if (!form.reason) throw new ActionRefused(400, 'Xin ghi lý do từ chối: lý do được gửi cho bên gửi.');
      const decision = await senderReplyDecision(config.dataDir, doc);
      notice = decision.mayAnswer ? { queued: true, to: decision.to } : { queued: false, why: decision.why };
      await addStatus(db, {
        documentId: doc.id, status: spec.status, actor, note: form.reason, from: spec.from,
        withChange: async (trx) => {
          if (!decision.mayAnswer) return;
          await queueRefusedNotice(trx, config, {
            documentId: doc.id, to: decision.to, originalMessageId: doc.messageId, originalSubject: doc.subject, receivedAt: doc.receivedAt,
            reasons: [{ code: 'CLERK_REFUSED', message: form.reason }],
          });
        },
      });
    } else {
      const note = action === 'forward' ? await forwardNote(db, form) : form.note || null;
      await addStatus(db, { documentId: doc.id, status: spec.status, actor, note, from: spec.from });
    }
  } catch (err) {
    if (err instanceof RegisterError && (err.code === 'WRONG_STATUS' || err.code === 'RECALLED')) throw new ActionRefused(409, err.message);
    throw err;
  }
  return { action, notice };
}
