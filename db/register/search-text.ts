// The derived columns the register list sorts and searches on, computed once when a document is written.
import type { Urgency } from './repository';

/** Bình thường 0 … Hỏa tốc 3: the list sorts on it, most urgent first. */
export const URGENCY_LEVELS: Record<Urgency, number> = { 'Bình thường': 0, 'Khẩn': 1, 'Thượng khẩn': 2, 'Hỏa tốc': 3 };

/** Lower case without diacritics (đ → d): "Lụt bão" and "lut bao" find the same documents. */
export function foldForSearch(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').replace(/[đĐ]/g, 'd').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** What the search box looks in: trích yếu, số/ký hiệu and the mail's subject. */
export function searchTextOf(fields: { trichYeu: string | null; docNumber: string | null; subject: string | null }): string {
  return foldForSearch([fields.trichYeu, fields.docNumber, fields.subject].filter(Boolean).join(' \n '));
}
