// Signed Giấy mời PDFs from the test PKI and invitations created with the `invitations` command, for the
// website tests.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createTestPki } from './pki';
import { makeDocumentPdf } from './document-pdf';
import { signPdf } from './pdf-signer';
import { tempDir } from './databases';
import { runScript } from './product';

export interface InvitationFiles {
  trustDir: string;
  signedPdf: string;
  /** A meeting paper with a Vietnamese file name. */
  paper: string;
  paperName: string;
  paperBytes: Buffer;
  remove(): void;
}

export const PAPER_NAME = 'Báo cáo tổng kết phòng chống lụt bão.docx';

/** A trust folder, a Giấy mời signed by a person and the organisation's seal, and one paper. */
export async function makeInvitationFiles(): Promise<InvitationFiles> {
  const pki = await createTestPki();
  const trustDir = tempDir('web-trust');
  await pki.writeTrustDir(trustDir);
  const filesDir = tempDir('web-files');
  const unsigned = await makeDocumentPdf({
    type: 'Giấy mời', number: '45/GM-UBND', issuer: 'UBND TỈNH BÌNH THUẬN\nVĂN PHÒNG', subject: 'Họp bàn công tác phòng, chống lụt bão năm 2026',
  });
  const signedPdf = path.join(filesDir, 'giay-moi.pdf');
  fs.writeFileSync(signedPdf, await signPdf(await signPdf(unsigned, pki.person), pki.organization));
  const paper = path.join(filesDir, PAPER_NAME);
  const paperBytes = Buffer.from('Báo cáo tổng kết công tác phòng, chống lụt bão năm 2026\n', 'utf8');
  fs.writeFileSync(paper, paperBytes);
  return {
    trustDir, signedPdf, paper, paperName: PAPER_NAME, paperBytes,
    remove() {
      fs.rmSync(trustDir, { recursive: true, force: true });
      fs.rmSync(filesDir, { recursive: true, force: true });
    },
  };
}

export interface NewInvitation {
  title: string;
  startsAt: Date;
  hours?: number;
  deadline?: Date;
  units: string[];
  place?: string;
  host?: string;
  urgency?: string;
  withPaper?: boolean;
}

/** Creates and publishes an invitation with the command; returns its id. */
export async function createInvitation(env: Record<string, string>, files: InvitationFiles, input: NewInvitation): Promise<string> {
  const endsAt = new Date(input.startsAt.getTime() + (input.hours ?? 2) * 3_600_000);
  const args = [
    'create', '--title', input.title, '--start', input.startsAt.toISOString(), '--end', endsAt.toISOString(),
    '--place', input.place ?? 'Phòng họp số 1, UBND tỉnh', '--host', input.host ?? 'Chủ tịch UBND tỉnh',
    '--pdf', files.signedPdf, '--units', input.units.join(','), '--json',
  ];
  if (input.deadline) args.push('--deadline', input.deadline.toISOString());
  if (input.urgency) args.push('--urgency', input.urgency);
  if (input.withPaper) args.push('--papers', files.paper);
  const result = await runScript('invitations', args, { ...env, TRUST_DIR: files.trustDir });
  assert.equal(result.code, 0, result.stderr);
  return (JSON.parse(result.stdout) as { id: string }).id;
}

/** Runs another `invitations` subcommand (cancel, update…) and expects success. */
export async function invitationsCommand(env: Record<string, string>, files: InvitationFiles, args: string[]): Promise<void> {
  const result = await runScript('invitations', args, { ...env, TRUST_DIR: files.trustDir });
  assert.equal(result.code, 0, result.stderr);
}
