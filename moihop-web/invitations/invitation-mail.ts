// Builds one invitation mail when the outbox sends it (the row holds only its render spec): the Giấy mời PDF
// (not for a cancellation or a removal), a link to the invitation's page and the unit's .ics (METHOD:REQUEST,
// the unit as ATTENDEE with RSVP=TRUE while it has not answered; METHOD:CANCEL for a cancellation or a unit
// taken off the list). Built from the invitation as it is at sending time, so a mail that waited in the queue
// never announces an outdated time or place.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import MimeNode from 'nodemailer/lib/mime-node';
import { formatDateTimeVi, mailDateVietnam } from '../../db/time';
import { listUnits, Unit } from '../../db/units/repository';
import { getInvitationOverview, invitationVersion } from '../../db/invitations/queries';
import type { InvitationFile, InvitationOverview, UnitAnswer } from '../../db/invitations/types';
import type { OutboxMail } from '../../db/outbox/repository';
import { composeMessage, MailFields, oneLine, renderMailTemplates } from '../../mail-gateway/notices/compose';
import type { MailRenderer, RenderSpec } from '../../mail-gateway/outbox/renderers';
import { buildInvitationIcs } from './ics';
import { invitationDir } from './files';
import { invitationOrganizer, invitationPageUrl, ORGANIZER_NAME } from './calendar';
import { invitationReplyAddress } from '../../mail-gateway/answers/reply-address';
import type { DeliveryConfig } from './delivery';

export const INVITATION_RENDERER = 'invitation';

/** What happened to the invitation, and so which units are told what. */
export type DeliveryEvent =
  | { kind: 'published' }
  | { kind: 'amended'; changes: string[] }
  | { kind: 'cancelled' }
  | { kind: 'added'; unitIds: string[] }
  | { kind: 'removed'; unitIds: string[] }
  | { kind: 'reminder'; unitIds: string[]; slot: string };

export type DeliveryKind = DeliveryEvent['kind'];

/** The render spec of one invitation mail: the event and the unit it is for. */
export interface InvitationMailSpec extends RenderSpec {
  renderer: typeof INVITATION_RENDERER;
  invitationId: string;
  kind: DeliveryKind;
  unitId: string;
  changes?: string[];
}

const SUBJECT_PREFIX: Record<DeliveryKind, string> = {
  published: 'Giấy mời họp',
  amended: 'Giấy mời họp ĐÃ SỬA ĐỔI',
  cancelled: 'HỦY cuộc họp',
  added: 'Giấy mời họp',
  removed: 'Thông báo không còn trong thành phần mời',
  reminder: 'Nhắc xác nhận tham dự',
};

export function carriesCancel(kind: DeliveryKind): boolean {
  return kind === 'cancelled' || kind === 'removed';
}

export function invitationSubject(kind: DeliveryKind, invitation: Pick<InvitationOverview, 'title' | 'startsAt'>): string {
  return `${SUBJECT_PREFIX[kind]}: ${oneLine(invitation.title, 150)} (${formatDateTimeVi(invitation.startsAt)})`;
}

/** Stands in the composed message where the ready Giấy mời part goes (random: no text of a mail can carry it). */
const PDF_PART_MARK = `X-Giay-Moi-Part-${crypto.randomBytes(12).toString('hex')}`;

/**
 * Composes the message; `pdf` (a ready part, see pdfPart) is put in place of its mark afterwards, so the composer
 * and the line-ending pass only go through the small parts of the mail, not the 100+ KB of base64 of the PDF.
 */
async function buildMessage(mail: MailFields, pdf: string | null): Promise<string> {
  const text = await composeMessage(mail);
  if (pdf === null) return text;
  const at = text.indexOf(PDF_PART_MARK);
  if (at === -1) throw new Error('the composed message has no place for the Giấy mời');
  return text.slice(0, at) + pdf + text.slice(at + PDF_PART_MARK.length);
}

/**
 * The Giấy mời as a finished MIME part (headers, blank line, base64 body), exactly as MailComposer writes it inside
 * a message. It is the bulk of every mail of the invitation and the same in all of them: encoded once per
 * snapshot instead of once per unit.
 */
async function pdfPart(filename: string, content: Buffer): Promise<string> {
  const part = new MimeNode('multipart/mixed').createChild('application/pdf', { filename });
  part.setHeader('Content-Transfer-Encoding', 'base64');
  part.setHeader('Content-Disposition', 'attachment');
  part.setContent(content);
  // Built alone, a part ends with a line break that its parent writes itself before the next boundary.
  return (await part.build()).toString('ascii').replace(/\r\n$/, '');
}

/** Everything the mails of one invitation share, read once for a whole queue of them. */
interface Snapshot {
  overview: InvitationOverview;
  units: Map<string, Unit>;
  answers: Map<string, UnitAnswer | null>;
  mainFile: InvitationFile | null;
  papers: InvitationFile[];
  /** The Giấy mời as a ready MIME part (see pdfPart). */
  pdfPart: string | null;
}

interface SnapshotEntry {
  version: string;
  readAt: number;
  snapshot: Promise<Snapshot>;
  /** A newer read of the same version is under way. */
  refreshing: boolean;
}

/** A snapshot is reused while the invitation's version is the same and for at most this long (answers move). */
const SNAPSHOT_MAX_AGE_MS = 5_000;
/**
 * Past SNAPSHOT_MAX_AGE_MS (same version) it is read again in the background and keeps serving meanwhile, up to
 * this age: reading 10,000 invited units takes seconds, and the mails should not all wait for it.
 */
const SNAPSHOT_STALE_LIMIT_MS = 30_000;
const SNAPSHOTS_KEPT = 8;

/**
 * The outbox renderer of invitation mail. One per process: it keeps the last few invitations it rendered, so
 * 10,000 mails of one invitation read the invitation, the directory and the PDF once, not 10,000 times.
 * Mails rendered at the same time (the worker's batch) share the reads under way: one snapshot read and one
 * version check for them all, not one each.
 */
export function invitationMailRenderer(db: Knex, config: DeliveryConfig): MailRenderer {
  const snapshots = new Map<string, SnapshotEntry>();
  const versionChecks = new Map<string, Promise<string | null>>();

  /**
   * The invitation's version, read for every mail; a mail that asks while a read is under way takes its answer
   * (as current as a read of its own started a moment earlier would be).
   */
  function currentVersion(invitationId: string): Promise<string | null> {
    let check = versionChecks.get(invitationId);
    if (!check) {
      check = invitationVersion(db, invitationId).finally(() => versionChecks.delete(invitationId));
      versionChecks.set(invitationId, check);
    }
    return check;
  }

  async function readSnapshot(invitationId: string): Promise<Snapshot> {
    const overview = await getInvitationOverview(db, invitationId);
    if (!overview) throw new Error(`invitation ${invitationId} no longer exists`);
    const mainFile = overview.files.find((f) => f.kind === 'giấy mời' && f.supersededAt === null) ?? null;
    const pdfContent = mainFile ? await fs.promises.readFile(path.join(invitationDir(config.dataDir, invitationId), mainFile.storedName)) : null;
    return {
      overview,
      units: new Map((await listUnits(db)).map((u) => [u.id, u])),
      answers: new Map(overview.units.map((u) => [u.unitId, u.answer])),
      mainFile,
      papers: overview.files.filter((f) => f.kind === 'tài liệu'),
      pdfPart: mainFile && pdfContent ? await pdfPart(mainFile.filename, pdfContent) : null,
    };
  }

  function keep(invitationId: string, entry: SnapshotEntry): void {
    snapshots.delete(invitationId);
    snapshots.set(invitationId, entry);
    if (snapshots.size > SNAPSHOTS_KEPT) snapshots.delete(snapshots.keys().next().value!);
  }

  function startRead(invitationId: string, version: string): SnapshotEntry {
    const entry: SnapshotEntry = { version, readAt: Date.now(), snapshot: readSnapshot(invitationId), refreshing: false };
    // A failed read is not kept: the next mail reads again.
    entry.snapshot.catch(() => {
      if (snapshots.get(invitationId) === entry) snapshots.delete(invitationId);
    });
    return entry;
  }

  async function snapshotOf(invitationId: string): Promise<Snapshot> {
    const version = await currentVersion(invitationId);
    if (version === null) throw new Error(`invitation ${invitationId} no longer exists`);
    const kept = snapshots.get(invitationId);
    if (kept && kept.version === version) {
      const age = Date.now() - kept.readAt;
      if (age < SNAPSHOT_MAX_AGE_MS) return kept.snapshot;
      if (age < SNAPSHOT_STALE_LIMIT_MS) {
        if (!kept.refreshing) {
          kept.refreshing = true;
          const fresh = startRead(invitationId, version);
          fresh.snapshot.then(() => {
            if (snapshots.get(invitationId) === kept) keep(invitationId, fresh);
          }, () => {
            kept.refreshing = false;
          });
        }
        return kept.snapshot;
      }
    }
    // A new version (changed time, place, files…) or a snapshot too old: every mail waits for the fresh read.
    const entry = startRead(invitationId, version);
    keep(invitationId, entry);
    return entry.snapshot;
  }

  return async (mail: OutboxMail, rawSpec: RenderSpec, now: Date): Promise<string> => {
    const spec = rawSpec as InvitationMailSpec;
    const snapshot = await snapshotOf(spec.invitationId);
    const { overview } = snapshot;
    const unit = snapshot.units.get(spec.unitId);
    const from = config.gatewayAddresses[0];
    const cancel = carriesCancel(spec.kind);
    // A removed unit gets the CANCEL of its own copy; a cancelled meeting is CANCEL for all.
    const invitation = spec.kind === 'removed'
      ? { ...overview, status: 'đã hủy' as const, cancelReason: 'Quý cơ quan, đơn vị không còn trong thành phần mời' }
      : overview;
    const ics = buildInvitationIcs({
      invitation,
      attendee: { name: unit?.name ?? spec.unitId, email: unit?.emails[0] ?? mail.recipient, unitId: spec.unitId, answer: spec.kind === 'removed' ? null : snapshot.answers.get(spec.unitId) ?? null },
      organizer: invitationOrganizer(config, spec.invitationId, spec.unitId),
      url: invitationPageUrl(config, spec.invitationId),
      now,
    });
    const withPdf = !cancel && spec.kind !== 'reminder' && snapshot.pdfPart !== null;
    const pageUrl = invitationPageUrl(config, spec.invitationId);
    const { text, html } = await renderMailTemplates('invitation-notice', {
      kind: spec.kind, invitation: overview, unitName: unit?.name ?? spec.unitId, pageUrl, gatewayAddress: from,
      changes: spec.changes ?? [], papers: snapshot.papers, formatDateTimeVi, mainFile: withPdf ? snapshot.mainFile : null,
    });
    const pdf = withPdf ? snapshot.pdfPart : null;
    return buildMessage({
      from: { name: ORGANIZER_NAME, address: from },
      // Answers by reply (plain text or a calendar's iTIP REPLY) go to the invitation's own reply address.
      replyTo: { name: ORGANIZER_NAME, address: invitationReplyAddress(config, spec.invitationId, spec.unitId) },
      to: { name: unit?.name ?? '', address: mail.recipient },
      subject: invitationSubject(spec.kind, overview),
      date: mailDateVietnam(now),
      messageId: mail.messageId,
      headers: { 'Auto-Submitted': 'auto-generated', 'X-Binhthuan-Invitation': `${spec.invitationId}; sequence=${overview.sequence}` },
      text,
      html,
      attachments: pdf !== null ? [{ filename: snapshot.mainFile!.filename, contentType: 'application/pdf', raw: PDF_PART_MARK }] : [],
      icalEvent: { method: /^METHOD:CANCEL/m.test(ics) ? 'CANCEL' : 'REQUEST', filename: 'giay-moi.ics', content: ics },
    }, pdf);
  };
}
