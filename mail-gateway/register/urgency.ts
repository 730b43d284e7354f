// The urgency of an incoming document (mức độ khẩn), read from the mail subject and the text of page 1.
import { URGENCIES, type Urgency } from '../../db/register/repository';

// Whole words only: a letter or digit must not touch the match on either side.
const word = (pattern: string, flags: string) => new RegExp(`(?<![\\p{L}\\p{N}])(?:${pattern})(?![\\p{L}\\p{N}])`, `u${flags}`);

// "khẩn trương" (promptly), "khẩn cấp" (emergency) and, unaccented, "khan hiếm" (scarce) are ordinary
// words, not urgency marks.
const NOT_A_MARK = '(?!\\s+(?:trương|cấp|truong|cap|hiem|hiếm)(?![\\p{L}\\p{N}]))';
const NOT_A_PRINTED_MARK = '(?!\\s+(?:TRƯƠNG|CẤP)(?![\\p{L}\\p{N}]))';

/** In a subject, written any way a clerk types it: any case, with or without diacritics. */
const SUBJECT_MARKS: Array<[Urgency, RegExp]> = [
  ['Hỏa tốc', word('h(?:ỏa|oả)\\s+tốc|hoa\\s+toc', 'i')],
  ['Thượng khẩn', word('thượng\\s+khẩn|thuong\\s+khan', 'i')],
  ['Khẩn', word(`(?:khẩn|khan)${NOT_A_MARK}`, 'i')],
];

/** On the document the mark is printed in capitals (NĐ 30/2020, Phụ lục I), so body text does not count. */
const PAGE_MARKS: Array<[Urgency, RegExp]> = [
  ['Hỏa tốc', word('H(?:ỎA|OẢ)\\s+TỐC', '')],
  ['Thượng khẩn', word('THƯỢNG\\s+KHẨN', '')],
  ['Khẩn', word(`KHẨN${NOT_A_PRINTED_MARK}`, '')],
];

function rank(urgency: Urgency): number {
  return URGENCIES.indexOf(urgency);
}

function highestMark(text: string | null | undefined, marks: Array<[Urgency, RegExp]>): Urgency {
  if (!text) return 'Bình thường';
  const normalized = text.normalize('NFC');
  return marks.find(([, pattern]) => pattern.test(normalized))?.[0] ?? 'Bình thường';
}

/** The urgency mark printed on a page, or null when it bears none. */
export function printedUrgency(pageText: string | null | undefined): Urgency | null {
  const mark = highestMark(pageText, PAGE_MARKS);
  return mark === 'Bình thường' ? null : mark;
}

export function mostUrgent(...urgencies: Array<Urgency | null | undefined>): Urgency {
  return urgencies.reduce<Urgency>((highest, u) => (u && rank(u) > rank(highest) ? u : highest), 'Bình thường');
}

/** The highest urgency marked in the subject or on page 1; 'Bình thường' when none is. */
export function detectUrgency(subject: string | null, pageText?: string | null): Urgency {
  return mostUrgent(highestMark(subject, SUBJECT_MARKS), printedUrgency(pageText));
}
