// Recall requests (thu hồi): a mail that names one of the same sender's registered documents and asks to
// recall it. Only a request we can trust changes the register: an authenticated sender (aligned SPF/DKIM)
// or a recall letter validly sealed by the same organisation as the original. Any other is left to the clerk.
import type { Knex } from 'knex';
import { Finding, findRegisteredByNumber, getDocument, recordRecall } from '../../db/register/repository';
import type { VerificationReport } from '../signature';
import { createLogger } from '../../log';

const log = createLogger('intake');

const RECALL_PATTERN = /thu\s*h[ồo]i/iu;
const NUMBER_PATTERN = /(?<![\p{L}\p{N}])(\d{1,6}\s*\/\s*[0-9A-ZĐa-zđ][0-9A-ZĐa-zđ.\-\/]*)/u;

export interface RecallTarget {
  documentId: string;
  soDen: number | null;
  year: number;
  number: string;
  request: string;
}

/** The registered document that the subject, or the trích yếu of the attached letter, asks to recall. */
export async function findRecallTarget(
  db: Knex,
  mail: { texts: Array<string | null | undefined>; unitId: string | null; sender: string | null },
): Promise<RecallTarget | null> {
  for (const text of mail.texts) {
    if (!text || !RECALL_PATTERN.test(text)) continue;
    const number = NUMBER_PATTERN.exec(text)?.[1]?.replace(/\s+/g, '');
    if (!number) continue;
    const matches = await findRegisteredByNumber(db, { unitId: mail.unitId, sender: mail.sender, docNumber: number });
    const original = matches[matches.length - 1];
    if (original) return { documentId: original.id, soDen: original.soDen, year: original.year, number, request: text };
  }
  return null;
}

function sealOrganisation(report: VerificationReport | null): string | null {
  const seal = report?.signatures.find((s) => s.kind === 'organization' && s.trusted && s.intact);
  return seal?.signer.organization?.normalize('NFC').toLocaleLowerCase('vi') ?? null;
}

/** True when a valid recall letter carries the seal of the organisation that sealed the original. */
async function sealedBySameOrganisation(db: Knex, target: RecallTarget, letter: VerificationReport | null): Promise<boolean> {
  if (letter?.verdict !== 'valid') return false;
  const original = await getDocument(db, target.documentId);
  const organisation = sealOrganisation(letter);
  return organisation !== null && organisation === sealOrganisation(original?.verification ?? null);
}

/** Applies a trusted request, or records an untrusted one for the clerk; returns the finding to keep. */
export async function handleRecall(
  db: Knex,
  target: RecallTarget,
  proof: { senderAuthenticated: boolean; letter: VerificationReport | null; at: Date },
): Promise<Finding> {
  const which = `văn bản số ${target.number} (số đến ${target.soDen}/${target.year}, mã ${target.documentId})`;
  const trusted = proof.senderAuthenticated || (await sealedBySameOrganisation(db, target, proof.letter));
  if (!trusted) {
    log.warn('INTAKE_RECALL_UNVERIFIED', 'recall request from an unauthenticated sender left to the clerk', { id: target.documentId });
    return { code: 'RECALL_UNVERIFIED', message: `Thư yêu cầu thu hồi ${which} nhưng không xác thực được người gửi: văn thư kiểm tra trước khi thu hồi` };
  }
  const { recalled } = await recordRecall(db, { documentId: target.documentId, actor: 'gateway', note: `Bên gửi yêu cầu thu hồi: "${target.request}"`, at: proof.at });
  if (recalled) log.info('INTAKE_RECALLED', 'document recalled by its sender', { id: target.documentId, number: target.number });
  return { code: 'RECALL_REQUEST', message: recalled ? `Đã thu hồi ${which} theo yêu cầu của bên gửi` : `${which} đã được thu hồi trước đó` };
}
