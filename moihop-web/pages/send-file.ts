// Sends an invitation's file or calendar: the type we stored (never sniffed), and a Content-Disposition whose
// filename survives Vietnamese letters (RFC 6266 / RFC 5987 `filename*`, with an ASCII fallback).
import type { Response } from 'express';
import type { ResolvedFile } from '../invitations';

/** `Báo cáo tổng kết.docx` → `Bao cao tong ket.docx`: the name old clients see. */
function asciiFallback(filename: string): string {
  const ascii = filename
    .normalize('NFD').replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd').replace(/Đ/g, 'D')
    .replace(/[^A-Za-z0-9._ -]/g, '_')
    .trim();
  return ascii || 'tep';
}

function rfc5987(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function contentDisposition(kind: 'inline' | 'attachment', filename: string): string {
  return `${kind}; filename="${asciiFallback(filename)}"; filename*=UTF-8''${rfc5987(filename)}`;
}

/**
 * The Giấy mời opens in the browser's PDF viewer (inline); the site's page CSP is replaced by one that only
 * lets our own pages frame it, because a PDF needs no scripts or styles of ours.
 */
export async function sendInvitationFile(res: Response, file: Pick<ResolvedFile, 'path' | 'contentType' | 'filename'>, disposition: 'inline' | 'attachment'): Promise<void> {
  res.setHeader('Content-Type', file.contentType);
  res.setHeader('Content-Disposition', contentDisposition(disposition, file.filename));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  if (disposition === 'inline') res.setHeader('Content-Security-Policy', "default-src 'none'; object-src 'self'; frame-ancestors 'self'");
  await new Promise<void>((resolve, reject) => {
    res.sendFile(file.path, { cacheControl: false, dotfiles: 'allow' }, (err) => (err ? reject(err) : resolve()));
  });
}

export function sendCalendar(res: Response, ics: string, invitationId: string): void {
  res.setHeader('Content-Type', 'text/calendar; charset=utf-8');
  res.setHeader('Content-Disposition', contentDisposition('attachment', `giay-moi-${invitationId}.ics`));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.send(ics);
}
