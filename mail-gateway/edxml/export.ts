// The exchange-format service for the website and the command line: a registered document as its edXML
// package, and its status messages. Refused and reference-only documents export too (the package is the
// document as received); their status message says what became of them.
import type { Knex } from 'knex';
import type { Config } from '../../config';
import { DocumentRecord, getDocument } from '../../db/register/repository';
import { findUnitById } from '../../db/units/repository';
import { buildEnvelope, PackagedFile } from './envelope';
import { EdxmlOrgan, ourOrgan, senderOrgan } from './organs';
import { buildStatusMessage, STATUS_CODES } from './status';
import { readRegisteredAttachment } from './stored-files';

export interface ExportedXml {
  xml: string;
  /** `<số đến>-<year>.edxml` for a numbered document, `<id>.edxml` otherwise. */
  filename: string;
}

export type StatusExport = ExportedXml & { code: string };

async function organsOf(db: Knex, config: Config, doc: DocumentRecord): Promise<{ sender: EdxmlOrgan; receiver: EdxmlOrgan }> {
  const unit = doc.unitId ? await findUnitById(db, doc.unitId) : null;
  return { sender: senderOrgan(doc, unit), receiver: ourOrgan(config) };
}

const baseName = (doc: DocumentRecord) => (doc.soDen !== null ? `${doc.soDen}-${doc.year}` : doc.id);

/** The package of document `id`, or null when there is no such document. */
export async function exportDocumentPackage(db: Knex, config: Config, id: string): Promise<ExportedXml | null> {
  const doc = await getDocument(db, id);
  if (!doc) return null;
  const files: PackagedFile[] = [];
  // An attachment recorded without a stored file exists only inside the raw message: nothing to carry.
  for (const attachment of doc.attachments) {
    if (attachment.storedPath === null) continue;
    files.push({ attachment, content: await readRegisteredAttachment(config.dataDir, attachment, attachment.storedPath) });
  }
  return { xml: buildEnvelope({ doc, ...(await organsOf(db, config, doc)), files }), filename: `${baseName(doc)}.edxml` };
}

export type StatusLookup = { found: 'message'; message: StatusExport } | { found: 'no-document' } | { found: 'no-entry' };

/**
 * The status message of document `id` for its latest history entry, or, with `code`, for the latest entry
 * that has that platform code ('no-entry' when the document never had it).
 */
export async function exportStatusMessage(db: Knex, config: Config, id: string, code?: string): Promise<StatusLookup> {
  const doc = await getDocument(db, id);
  if (!doc) return { found: 'no-document' };
  const change = [...doc.history].reverse().find((h) => code === undefined || STATUS_CODES[h.status] === code);
  if (!change) return { found: 'no-entry' };
  const xml = buildStatusMessage({ doc, ...(await organsOf(db, config, doc)), change });
  const statusCode = STATUS_CODES[change.status];
  return { found: 'message', message: { xml, code: statusCode, filename: `${baseName(doc)}-trang-thai-${statusCode}.edxml` } };
}
