// A mail to the invitation reply address: a unit answering an invitation by replying to its mail. It is never
// registered as an incoming document. Instead:
// 1. the invitation: the +tag of the reply address, else the UID of an iTIP REPLY, else In-Reply-To/References
//    naming an invitation mail (<invitation.<id>.…>);
// 2. the unit: the From address is one of its official addresses, and either SPF/DKIM vouch for the From domain
//    (aligned) or the mail was sent to the unit's own reply address (its reply token, which only the unit's copy
//    of the invitation carries). A matching envelope sender proves nothing: anyone can write both;
// 3. the answer: an iTIP REPLY (PARTSTAT ACCEPTED → tham dự, DECLINED → không tham dự; TENTATIVE is no answer),
//    else the first lines of the plain text ("tham dự", "không tham dự, lý do", "cử đồng chí … tham dự");
// 4. applied with the rules of the website (published, not cancelled, the unit invited, before the deadline),
//    its source recorded as mail; the mail itself, stored in the mail store, is recorded in answer_mails with
//    its outcome, and a confirmation (or the reason it could not be applied) goes back to the unit's address.
// Strangers, unauthenticated senders and automatic mail get nothing back (no backscatter, no mail loops).
import fs from 'node:fs';
import { simpleParser, ParsedMail } from 'mailparser';
import type { Knex } from 'knex';
import type { SpooledMessage } from '../spool/spool';
import type { Envelope, IntakeContext } from '../intake/pipeline';
import { checkSenderAuth, SenderAuth } from '../sender-checks/mail-auth';
import { shouldNotNotify } from '../notices/notices';
import { findUnitByEmail, Unit } from '../../db/units/repository';
import { recordAnswer } from '../../db/invitations/repository';
import { getInvitation } from '../../db/invitations/queries';
import { findAnswerMailBySha256, insertAnswerMail, NewAnswerMail } from '../../db/invitations/answer-mails';
import { AnswerDetails, AnswerKind, Invitation, InvitationError } from '../../db/invitations/types';
import { newUlid, ULID_PATTERN } from '../../db/ids';
import { cleanText } from '../../moihop-web/invitations/rules';
import { UID_DOMAIN } from '../../moihop-web/invitations/ics';
import { findItipReply, isCalendarPart, ItipReply } from './itip';
import { parseTextAnswer, TextAnswer } from './text-answer';
import { parseReplyAddress, ReplyAddressConfig, ReplyAddressParts, replyTokenMatches } from './reply-address';
import { queueAnswerConfirmation } from './confirmation';
import { createLogger } from '../../log';

const log = createLogger('answers');

/** APPLIED, or why the answer was not applied (stable codes, kept in answer_mails.outcome). */
export type AnswerOutcomeCode =
  | 'APPLIED' | 'AUTOMATIC' | 'UNKNOWN_SENDER' | 'UNAUTHENTICATED' | 'UNKNOWN_INVITATION' | 'ATTENDEE_MISMATCH' | 'TENTATIVE'
  | 'UNCLEAR' | 'DELEGATE_WITHOUT_NAME' | 'NOT_INVITED' | 'CANCELLED' | 'ANSWERS_CLOSED';

export interface AnswerMailOutcome {
  /** The answer mail's id (answer_mails.id). */
  id: string;
  outcome: AnswerOutcomeCode;
  answer: AnswerKind | null;
  invitationId: string | null;
  /** Whether a confirmation or an explanation went to the sender. */
  replied: boolean;
  /** The same bytes were received before: this is the first outcome. */
  duplicate: boolean;
}

const NO_REASON = 'Không nêu lý do (trả lời qua thư)';
const REASON_MAX = 2000;
const NAME_MAX = 200;
const PHONE_MAX = 40;

type FoundBy = 'tag' | 'uid' | 'thread';

function lower(address: string | null | undefined): string | null {
  const a = (address ?? '').trim().replace(/^<|>$/g, '').toLowerCase();
  return a || null;
}

/** How the sender is vouched for: the envelope sender agrees with From, or SPF/DKIM align with From. */
type Vouching = 'aligned' | 'reply-token';

/** Why the mail may speak for the unit: an aligned SPF/DKIM pass, or the unit's reply token for this invitation. */
function senderVouched(config: ReplyAddressConfig, auth: SenderAuth, unit: Unit, invitation: Invitation | null, replyTo: ReplyAddressParts[]): Vouching | null {
  if (auth.aligned) return 'aligned';
  const tokenFits = invitation !== null && replyTo.some((r) => r.invitationId === invitation.id && r.token !== null && replyTokenMatches(config, invitation.id, unit.id, r.token));
  return tokenFits ? 'reply-token' : null;
}

const THREAD_ID = /<invitation\.([0-9A-Za-z]{26})\./g;

function threadInvitationIds(parsed: ParsedMail): string[] {
  const refs = [parsed.inReplyTo ?? '', ...(Array.isArray(parsed.references) ? parsed.references : [parsed.references ?? ''])].join(' ');
  const ids: string[] = [];
  for (const m of refs.matchAll(THREAD_ID)) ids.push(m[1].toUpperCase());
  // The most recent reference names the mail answered; In-Reply-To comes first.
  return ids;
}

function uidInvitationId(uid: string | null): string | null {
  const m = /^([0-9A-Za-z]{26})@(.+)$/.exec((uid ?? '').trim());
  if (!m || m[2].toLowerCase() !== UID_DOMAIN) return null;
  const id = m[1].toUpperCase();
  return ULID_PATTERN.test(id) ? id : null;
}

async function findInvitation(
  db: Knex, tags: Array<string | null>, itip: ItipReply | null, parsed: ParsedMail,
): Promise<{ invitation: Invitation | null; foundBy: FoundBy | null; claimed: string | null }> {
  const candidates: Array<{ id: string; foundBy: FoundBy }> = [
    ...tags.filter((t): t is string => t !== null).map((id) => ({ id, foundBy: 'tag' as const })),
    ...(uidInvitationId(itip?.uid ?? null) ? [{ id: uidInvitationId(itip!.uid)!, foundBy: 'uid' as const }] : []),
    ...threadInvitationIds(parsed).map((id) => ({ id, foundBy: 'thread' as const })),
  ];
  for (const candidate of candidates) {
    const invitation = await getInvitation(db, candidate.id);
    if (invitation) return { invitation, foundBy: candidate.foundBy, claimed: candidate.id };
  }
  return { invitation: null, foundBy: null, claimed: candidates[0]?.id ?? null };
}

function clip(value: string | null | undefined, max: number): string | null {
  const text = cleanText(value ?? null);
  return text === null ? null : text.slice(0, max);
}

type ReadAnswer =
  | { ok: true; details: AnswerDetails }
  | { ok: false; code: 'TENTATIVE' | 'UNCLEAR' | 'DELEGATE_WITHOUT_NAME' | 'ATTENDEE_MISMATCH' };

function fromText(text: TextAnswer): ReadAnswer {
  switch (text.kind) {
    case 'attend':
      return { ok: true, details: { answer: 'tham dự', attendeeName: clip(text.attendeeName, NAME_MAX), attendeePosition: clip(text.attendeePosition, NAME_MAX), attendeePhone: clip(text.attendeePhone, PHONE_MAX), reason: null } };
    case 'decline':
      return { ok: true, details: { answer: 'không tham dự', attendeeName: null, attendeePosition: null, attendeePhone: null, reason: clip(text.reason, REASON_MAX) ?? NO_REASON } };
    case 'delegate':
      return { ok: true, details: { answer: 'cử người dự thay', attendeeName: clip(text.name, NAME_MAX), attendeePosition: clip(text.position, NAME_MAX), attendeePhone: clip(text.phone, PHONE_MAX), reason: null } };
    default:
      return { ok: false, code: text.problem === 'delegate-without-name' ? 'DELEGATE_WITHOUT_NAME' : 'UNCLEAR' };
  }
}

/** The answer of an iTIP REPLY, completed by the mail's text (a delegate's name, a reason typed with it). */
function fromItip(itip: ItipReply, unit: Unit, text: TextAnswer): { read: ReadAnswer; partstat: string | null } {
  const emails = new Set(unit.emails.map((e) => e.toLowerCase()));
  const attendee = itip.attendees.find((a) => emails.has(a.address));
  if (!attendee) return { read: { ok: false, code: 'ATTENDEE_MISMATCH' }, partstat: null };
  const partstat = attendee.partstat;
  if (partstat === 'ACCEPTED') {
    // "Accept" with a note "Cử đồng chí … dự thay" or "Tham dự: đồng chí …" in the body.
    if (text.kind === 'delegate' || (text.kind === 'attend' && text.attendeeName)) return { read: fromText(text), partstat };
    return { read: { ok: true, details: { answer: 'tham dự', attendeeName: null, attendeePosition: null, attendeePhone: null, reason: null } }, partstat };
  }
  if (partstat === 'DECLINED') {
    const reason = clip(itip.comment, REASON_MAX) ?? (text.kind === 'decline' ? clip(text.reason, REASON_MAX) : null) ?? NO_REASON;
    return { read: { ok: true, details: { answer: 'không tham dự', attendeeName: null, attendeePosition: null, attendeePhone: null, reason } }, partstat };
  }
  if (partstat === 'DELEGATED') {
    const delegate = itip.allAttendees.find((a) => attendee.delegatedTo.includes(a.address));
    if (delegate?.name) {
      return { read: { ok: true, details: { answer: 'cử người dự thay', attendeeName: clip(delegate.name, NAME_MAX), attendeePosition: null, attendeePhone: null, reason: null } }, partstat };
    }
    if (text.kind === 'delegate') return { read: fromText(text), partstat };
    return { read: { ok: false, code: 'DELEGATE_WITHOUT_NAME' }, partstat };
  }
  if (partstat === 'TENTATIVE') return { read: { ok: false, code: 'TENTATIVE' }, partstat };
  return { read: { ok: false, code: 'UNCLEAR' }, partstat };
}

/** What the unit is told (Vietnamese) for each outcome that is not an applied answer. */
function explanation(code: AnswerOutcomeCode, context: { invitation: Invitation | null; unit: Unit | null; error?: InvitationError }): string {
  switch (code) {
    case 'UNKNOWN_INVITATION':
      return 'Không xác định được thư trả lời này là cho giấy mời nào. Đề nghị trả lời trực tiếp thư giấy mời đã nhận (giữ nguyên địa chỉ trả lời) hoặc xác nhận trên Website Giấy mời họp.';
    case 'ATTENDEE_MISMATCH':
      return 'Lịch trả lời (tệp .ics) không ghi địa chỉ thư công vụ của Quý cơ quan, đơn vị là người được mời.';
    case 'TENTATIVE':
      return 'Trả lời "Có thể tham dự" (chưa chắc chắn) chưa phải là xác nhận. Đề nghị trả lời rõ: tham dự, không tham dự hoặc cử người dự thay.';
    case 'UNCLEAR':
      return 'Không đọc được nội dung trả lời ở dòng đầu thư (tham dự, không tham dự hay cử người dự thay).';
    case 'DELEGATE_WITHOUT_NAME':
      return 'Thư cử người dự thay nhưng không ghi họ tên người dự thay.';
    case 'NOT_INVITED':
      return 'Quý cơ quan, đơn vị không có trong thành phần mời của cuộc họp này.';
    case 'CANCELLED':
      return context.error?.vi ?? 'Cuộc họp đã bị hủy, không nhận xác nhận tham dự.';
    case 'ANSWERS_CLOSED':
      return context.error?.vi ?? 'Đã hết hạn xác nhận tham dự.';
    case 'AUTOMATIC':
      return 'Thư trả lời tự động (vắng mặt, báo lỗi, danh sách thư): không được dùng làm trả lời giấy mời.';
    case 'UNKNOWN_SENDER':
      return 'Địa chỉ gửi không phải là thư công vụ của cơ quan, đơn vị nào trong danh bạ.';
    case 'UNAUTHENTICATED':
      return 'Không xác thực được người gửi: địa chỉ gửi thư (MAIL FROM) khác tên miền của địa chỉ người gửi và SPF/DKIM không xác nhận.';
    default:
      return 'Đã ghi nhận.';
  }
}

const ERROR_OUTCOME: Record<string, AnswerOutcomeCode> = { NOT_FOUND: 'NOT_INVITED', CANCELLED: 'CANCELLED', ANSWERS_CLOSED: 'ANSWERS_CLOSED' };

export interface AnswerMailOptions {
  /** The time the answer is judged at (deadline) and recorded with; default the envelope's receipt time. */
  now?: Date;
}

/** Handles one mail received at the reply address (already in the mail store). */
export async function processAnswerMail(ctx: IntakeContext, envelope: Envelope, spooled: SpooledMessage, options: AnswerMailOptions = {}): Promise<AnswerMailOutcome> {
  const { db, config } = ctx;
  const at = options.now ?? envelope.receivedAt;
  const earlier = await findAnswerMailBySha256(db, spooled.sha256);
  if (earlier) return duplicateOf(earlier);

  const raw = fs.readFileSync(spooled.absolutePath);
  const parsed = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true, checksumAlgo: false } as Parameters<typeof simpleParser>[1]);
  const envelopeFrom = lower(envelope.mailFrom);
  const headerFrom = lower(parsed.from?.value[0]?.address);
  const messageId = parsed.messageId ?? null;
  const auth = await checkSenderAuth(raw, { ip: envelope.clientIp, helo: envelope.helo, envelopeFrom, mta: config.smtpBannerName, resolver: ctx.resolver });
  const automatic = shouldNotNotify(envelopeFrom, parsed.headers);
  const unit = headerFrom ? await findUnitByEmail(db, headerFrom) : null;

  const calendarParts = parsed.attachments.filter(isCalendarPart);
  const itip = findItipReply(calendarParts);
  const text = parseTextAnswer(parsed.text ?? '');
  const replyTo = envelope.rcptTo.map((r) => parseReplyAddress(config, r)).filter((r): r is ReplyAddressParts => r !== null);
  const tags = replyTo.map((r) => r.invitationId);
  const { invitation, foundBy, claimed } = await findInvitation(db, tags, itip, parsed);
  const vouched = unit ? senderVouched(config, auth, unit, invitation, replyTo) : null;

  let code: AnswerOutcomeCode;
  let details: AnswerDetails | null = null;
  let partstat: string | null = null;
  if (automatic && !itip) code = 'AUTOMATIC';
  else if (!unit) code = 'UNKNOWN_SENDER';
  else if (!vouched) code = 'UNAUTHENTICATED';
  else if (!invitation) code = 'UNKNOWN_INVITATION';
  else {
    const read = itip ? fromItip(itip, unit, text) : { read: fromText(text), partstat: null };
    partstat = read.partstat;
    if (read.read.ok) {
      details = read.read.details;
      code = 'APPLIED';
    } else {
      code = read.read.code;
    }
  }
  // A calendar's own automatic REPLY is applied, but never answered (no mail to a robot).
  const mayReply = unit !== null && vouched !== null && !automatic && headerFrom !== null;
  const id = newUlid(at);
  const method = itip ? 'itip' : text.kind !== 'unclear' || code === 'UNCLEAR' || code === 'DELEGATE_WITHOUT_NAME' ? 'text' : null;

  const record = async (trx: Knex.Transaction): Promise<{ code: AnswerOutcomeCode; answerId: number | null; confirmationKey: string | null; error?: InvitationError }> => {
    let outcome: AnswerOutcomeCode = code;
    let answerId: number | null = null;
    let error: InvitationError | undefined;
    if (outcome === 'APPLIED' && unit && invitation && details) {
      try {
        await recordAnswer(trx, {
          invitationId: invitation.id, unitId: unit.id, username: (unit.moihopUsername ?? unit.id).slice(0, 40), at, details,
          source: { kind: 'mail', answerMailId: id },
        });
        const row = (await trx('invitation_answers').where({ invitation_id: invitation.id, unit_id: unit.id, answer_mail_id: id }).first('id')) as { id: number } | undefined;
        answerId = row ? Number(row.id) : null;
      } catch (err) {
        if (!(err instanceof InvitationError) || !ERROR_OUTCOME[err.code]) throw err;
        error = err;
        outcome = ERROR_OUTCOME[err.code];
      }
    }
    let confirmationKey: string | null = null;
    if (mayReply && unit && headerFrom) {
      const current = invitation ? (await getInvitation(trx, invitation.id)) ?? invitation : null;
      confirmationKey = await queueAnswerConfirmation(trx, config, {
        answerMailId: id, to: headerFrom, unitId: unit.id, unitName: unit.name, replyMessageId: messageId, replySha256: spooled.sha256,
        receivedAt: envelope.receivedAt, invitation: current,
        result: outcome === 'APPLIED' && details
          ? { applied: true, details }
          : {
            applied: false,
            explanation: explanation(outcome, { invitation, unit, error }),
            retry: ['UNCLEAR', 'DELEGATE_WITHOUT_NAME', 'TENTATIVE', 'UNKNOWN_INVITATION'].includes(outcome),
            firstLine: itip ? null : text.line,
          },
      }, at);
    }
    await insertAnswerMail(trx, mailRecord(outcome, answerId, confirmationKey, error));
    return { code: outcome, answerId, confirmationKey, error };
  };

  const mailRecord = (outcome: AnswerOutcomeCode, answerId: number | null, confirmationKey: string | null, error?: InvitationError): NewAnswerMail => ({
    id,
    receivedAt: envelope.receivedAt,
    intake: envelope.intake,
    envelopeFrom,
    rcptTo: envelope.rcptTo.map((r) => r.toLowerCase()),
    headerFrom,
    messageId,
    subject: parsed.subject ?? null,
    contentSha256: spooled.sha256,
    rawPath: spooled.relativePath,
    rawSize: spooled.size,
    unitId: unit?.id ?? null,
    invitationId: invitation?.id ?? null,
    invitationFoundBy: foundBy,
    method,
    answer: outcome === 'APPLIED' ? details?.answer ?? null : null,
    outcome,
    outcomeMessage: outcome === 'APPLIED' && details ? 'Đã ghi nhận' : explanation(outcome, { invitation, unit, error }),
    details: {
      read: details, partstat, claimedInvitation: claimed, itipUid: itip?.uid ?? null, itipSequence: itip?.sequence ?? null,
      text: { kind: text.kind, line: text.line }, automatic: automatic?.code ?? null,
    },
    authResults: { ...auth, clientIp: envelope.clientIp, helo: envelope.helo, envelopeFrom, headerFrom, senderAccepted: vouched },
    answerId,
    confirmationDedupeKey: confirmationKey,
  });

  let result: Awaited<ReturnType<typeof record>>;
  try {
    result = await db.transaction(record);
  } catch (err) {
    // The same bytes recorded meanwhile by another delivery (a retry racing the first): its outcome stands.
    const raced = await findAnswerMailBySha256(db, spooled.sha256).catch(() => null);
    if (raced) return duplicateOf(raced);
    throw err;
  }
  log.info(result.code === 'APPLIED' ? 'ANSWER_MAIL_APPLIED' : 'ANSWER_MAIL_NOT_APPLIED', result.code === 'APPLIED' ? 'answer by mail recorded' : 'answer by mail not applied', {
    id, outcome: result.code, invitation: invitation?.id, unit: unit?.id, from: headerFrom, answer: details?.answer, replied: Boolean(result.confirmationKey),
  });
  return {
    id, outcome: result.code, answer: result.code === 'APPLIED' ? details?.answer ?? null : null, invitationId: invitation?.id ?? null,
    replied: result.confirmationKey !== null, duplicate: false,
  };
}

function duplicateOf(earlier: NewAnswerMail): AnswerMailOutcome {
  return {
    id: earlier.id, outcome: earlier.outcome as AnswerOutcomeCode, answer: earlier.answer as AnswerKind | null, invitationId: earlier.invitationId,
    replied: earlier.confirmationDedupeKey !== null, duplicate: true,
  };
}

/** The short ASCII-able text of the SMTP 250 reply for an answer mail. */
export function answerReplyText(outcome: AnswerMailOutcome): string {
  if (outcome.duplicate) return `Thư trả lời này đã được nhận trước đó (${outcome.outcome}), mã ${outcome.id} / answer mail already received, id ${outcome.id}`;
  if (outcome.outcome === 'APPLIED') return `Đã ghi nhận trả lời giấy mời: ${outcome.answer}, mã ${outcome.id} / answer recorded, id ${outcome.id}`;
  return `Đã nhận thư trả lời, chưa ghi nhận (${outcome.outcome}), mã ${outcome.id} / answer mail kept, not applied, id ${outcome.id}`;
}
