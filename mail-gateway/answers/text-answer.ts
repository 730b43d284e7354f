// A unit's answer written as plain text in a reply to the invitation mail: "Tham dự", "Không tham dự, trùng
// lịch", "Cử đồng chí Nguyễn Văn A, Phó Giám đốc tham dự", also typed without diacritics ("khong tham du",
// "cu ong Tran Van B"). Only the reply's own first lines count: quoted text ("> …") and the quoted original
// after "On … wrote:" / "Vào … đã viết:" (or Outlook's header block) are never read.
//
// Lines are matched on a folded copy (lower case, no diacritics, đ → d) of exactly the same length, so what a
// pattern finds is cut from the original text with its diacritics. Folding makes some words ambiguous:
// "vang" is vắng (absent) but also vâng (yes) and vàng; "du" is dự but also dù; "cu" is cử but also cụ, cũ.
// In a line written with diacritics those words count only in their exact form.

export type TextAnswer =
  | { kind: 'attend'; attendeeName: string | null; attendeePosition: string | null; attendeePhone: string | null; line: string }
  | { kind: 'decline'; reason: string | null; line: string }
  | { kind: 'delegate'; name: string; position: string | null; phone: string | null; line: string }
  | { kind: 'unclear'; problem: 'no-answer' | 'delegate-without-name'; line: string | null };

/** Lines of the reply read for an answer (after greetings are skipped). */
const MAX_LINES = 12;
const NAME_MAX = 200;
const REASON_MAX = 2000;

const VIETNAMESE_LETTER = /[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]/i;

function foldChar(c: string): string {
  if (c === 'đ' || c === 'Đ') return 'd';
  const folded = c.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  return folded.length === 1 ? folded : c.length === 1 ? (c.toLowerCase().length === 1 ? c.toLowerCase() : '?') : c;
}

/** Lower case, without diacritics, đ as d; the same length as `text` (index for index). */
export function foldSameLength(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) out += foldChar(text[i]);
  return out;
}

/** Folded words whose meaning depends on their diacritics, and the one form that counts. */
const AMBIGUOUS: Record<string, string> = { du: 'dự', cu: 'cử', vang: 'vắng' };

/** The folded line as patterns read it: in a line with diacritics, an ambiguous word in another form is masked. */
function matchKey(line: string): string {
  const folded = foldSameLength(line);
  if (!VIETNAMESE_LETTER.test(line)) return folded;
  return folded.replace(/[a-z]+/g, (word, offset: number) => {
    const exact = AMBIGUOUS[word];
    if (!exact) return word;
    return line.slice(offset, offset + word.length).toLowerCase() === exact ? word : '#'.repeat(word.length);
  });
}

// ---------------------------------------------------------------------------------------------------------
// The reply's own text

const QUOTE_ATTRIBUTION_START = /^\s*(on|vao|luc|le|am|el|op)\b/;
const QUOTE_ATTRIBUTION_END = /(wrote|da viet|viet|a ecrit|schrieb|escribio)\s*:\s*$/;
const ORIGINAL_MARKERS = [
  /^\s*-{2,}\s*(original message|forwarded message|thu goc|tin nhan goc|thu chuyen tiep)\s*-{2,}/,
  /^\s*_{10,}\s*$/,
  /^\s*(from|tu|nguoi gui)\s*:.*@/,
  /^\s*(from|tu|nguoi gui)\s*:\s*\S/,
];

/**
 * The reply's own lines: up to the quoted original (attribution line, Outlook's "From:" block, "-----Original
 * Message-----") or the signature ("-- "), without quoted lines ("> …").
 */
export function ownReplyLines(text: string): string[] {
  const lines = text.normalize('NFC').replace(/\r\n?/g, '\n').split('\n');
  const own: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === '-- ' || line === '--') break;
    const key = foldSameLength(line);
    if (/^\s*>/.test(line)) continue;
    if (ORIGINAL_MARKERS.some((re) => re.test(key))) break;
    if (QUOTE_ATTRIBUTION_END.test(key) && key.trim().length < 300) break;
    if (QUOTE_ATTRIBUTION_START.test(key)) {
      // Gmail and others wrap a long attribution line: "On Mon, …, Văn phòng <\nubnd@…> wrote:".
      const joined = foldSameLength(lines.slice(i, i + 3).join(' '));
      if (/(wrote|da viet|viet)\s*:/.test(joined) && joined.search(/(wrote|da viet|viet)\s*:/) < 400) break;
    }
    own.push(line);
  }
  return own;
}

// ---------------------------------------------------------------------------------------------------------
// Finding the answer in a line

const GREETING = /^\s*(kinh gui|kinh thua|kinh chao|xin chao|chao|dear|hello|hi|gui)\b/;
const SEPARATORS = /^[\s,.;:!–—-]+|[\s,.;:!–—-]+$/g;

function trimmed(text: string): string {
  return text.replace(SEPARATORS, '').replace(/\s+/g, ' ').trim();
}

const PHONE = /(?:\b(?:sdt|dt|dtdd|so dien thoai|dien thoai|phone|tel)\b\.?\s*:?\s*)?(\+?\d[\d .()-]{7,18}\d)/;

/** Takes a phone number out of `text` (read on its folded `key`); returns it and the text without it. */
function takePhone(text: string, key: string): { phone: string | null; text: string; key: string } {
  const m = PHONE.exec(key);
  if (!m || m[1].replace(/\D/g, '').length < 8) return { phone: null, text, key };
  const start = m.index;
  const end = m.index + m[0].length;
  return {
    phone: text.slice(m.index + m[0].length - m[1].length, end).trim(),
    text: text.slice(0, start) + text.slice(end),
    key: key.slice(0, start) + key.slice(end),
  };
}

const TITLE = /^\s*(dong chi|d\/c|d\.c|dc|ong|ba|anh|chi|can bo|cb)\b\.?\s*/;
const GOES = /\s*(tham du thay|tham du|du thay|du hop|di du|di hop|tham gia|thay mat|thay)\b.*$/;

/** "đồng chí Nguyễn Văn A, Phó Giám đốc" or "Nguyễn Văn A (Phó Giám đốc)" → name and position. */
function person(text: string, key: string): { name: string | null; position: string | null; phone: string | null } {
  const withoutPhone = takePhone(text, key);
  let rest = withoutPhone.text;
  let restKey = withoutPhone.key;
  const goes = GOES.exec(restKey);
  if (goes) {
    rest = rest.slice(0, goes.index);
    restKey = restKey.slice(0, goes.index);
  }
  const title = TITLE.exec(restKey);
  if (title) {
    rest = rest.slice(title[0].length);
    restKey = restKey.slice(title[0].length);
  }
  let name = rest;
  let position: string | null = null;
  const paren = /\(([^)]*)\)/.exec(rest);
  if (paren) {
    position = paren[1];
    name = rest.slice(0, paren.index) + rest.slice(paren.index + paren[0].length);
  } else {
    const cut = /\s*(,|;|\s[-–—]\s|:)\s*/.exec(rest);
    if (cut) {
      position = rest.slice(cut.index + cut[0].length);
      name = rest.slice(0, cut.index);
    }
  }
  const cleanName = trimmed(name).slice(0, NAME_MAX);
  const cleanPosition = position === null ? null : trimmed(position.replace(/^\s*(chuc vu|chức vụ)\s*:?\s*/i, '')).slice(0, NAME_MAX);
  // A name starts with a letter and is not a pronoun or "người" ("cử người tham dự" names nobody).
  const nameKey = foldSameLength(cleanName);
  const named = /^\p{L}/u.test(cleanName) && !/^(nguoi|ai|can bo|lanh dao|dai dien)\b/.test(nameKey);
  return { name: named ? cleanName : null, position: cleanPosition || null, phone: withoutPhone.phone };
}

const DELEGATE = /(?:^|[^a-z#])(cu|uy quyen cho|uy quyen|phan cong)\s+(?:nguoi\s+(?:du thay|tham du|di du|di hop)?\s*:?\s*)?/;
const DECLINE = /(?:^|[^a-z#])(khong\s+cu\s+(?:ai|nguoi|can\s+bo)(?:\s+(?:tham\s+du|du|di\s+du))?(?:\s+duoc)?|(?:xin\s+)?(?:khong|chua)\s+(?:the\s+)?(?:tham\s+(?:du|gia)|du(?:\s+hop)?|den\s+du|den|co\s+mat|di\s+du)(?:\s+duoc)?|xin\s+vang(?:\s+mat)?|vang\s+mat|tu\s+choi(?:\s+tham\s+du)?)(?![a-z])/;
const DECLINE_ACCENTED = /(?:^|[^a-z#])(vang(?:\s+mat)?)(?![a-z])/;
const ATTEND = /(?:^|[^a-z#])((?:xac\s+nhan\s+)?(?:se\s+)?(?:tham\s+du|tham\s+gia|co\s+mat|dong\s+y\s+tham\s+du|xac\s+nhan\s+du|se\s+du))(?![a-z])/;
const ATTEND_AT_START = /^\s*(?:xin\s+|se\s+|xac\s+nhan\s+)?(du(?!\s+(?:kien|thao|an|bao|toan|tru|phong|dinh))|dong y|accept(?:ed)?|attend(?:ing)?|yes)(?![a-z])/;
/** Titles that start a name before "tham dự" ("Đồng chí Nguyễn Văn A, Giám đốc tham dự"). */
const TITLE_BEFORE_NAME = /^\s*(dong chi|d\/c|d\.c|ong|ba)\s+/;

function reasonFrom(text: string, key: string): string | null {
  const lead = /^[\s,.;:!–—-]*(?:(?:(?:boi\s+)?vi|do|tai\s+vi|ly\s+do|li\s+do)(?![a-z]))?\s*:?\s*/.exec(key);
  const reason = trimmed(lead ? text.slice(lead[0].length) : text);
  return reason ? reason.slice(0, REASON_MAX) : null;
}

function declineIn(line: string, key: string, next: string | null): TextAnswer | null {
  let m = DECLINE.exec(key);
  if (!m && VIETNAMESE_LETTER.test(line)) m = DECLINE_ACCENTED.exec(key);
  if (!m) return null;
  const end = m.index + m[0].length;
  let reason = reasonFrom(line.slice(end), key.slice(end));
  const before = key.slice(0, m.index + m[0].length - m[1].length);
  // "Do trùng lịch nên không tham dự": the reason comes first.
  if (!reason) {
    const lead = /^\s*(?:(?:boi\s+)?vi|do|tai\s+vi)\s+(.*?)\s*(?:nen|,)?\s*$/.exec(before);
    if (lead && lead[1]) {
      const start = lead[0].indexOf(lead[1]);
      reason = trimmed(line.slice(start, start + lead[1].length)) || null;
    }
  }
  // "Không tham dự." then "Lý do: …" on the next line.
  if (!reason && next !== null) {
    const nextKey = foldSameLength(next);
    if (/^\s*(ly|li)\s+do\b/.test(nextKey)) reason = reasonFrom(next, nextKey);
  }
  return { kind: 'decline', reason, line: line.trim() };
}

function delegateIn(line: string, key: string): TextAnswer | null {
  const m = DELEGATE.exec(key);
  if (!m) return null;
  // "Không cử ai", "chưa cử được người": not a delegate.
  if (/(khong|chua)\s*$/.test(key.slice(0, m.index + m[0].indexOf(m[1])))) return null;
  const start = m.index + m[0].length;
  const who = person(line.slice(start), key.slice(start));
  if (!who.name) return { kind: 'unclear', problem: 'delegate-without-name', line: line.trim() };
  return { kind: 'delegate', name: who.name, position: who.position, phone: who.phone, line: line.trim() };
}

function attendIn(line: string, key: string): TextAnswer | null {
  const m = ATTEND.exec(key) ?? ATTEND_AT_START.exec(key);
  if (!m) return null;
  const end = m.index + m[0].length;
  // "Tham dự: đồng chí Nguyễn Văn A, Giám đốc" or "Đồng chí Nguyễn Văn A, Giám đốc tham dự" names the attendee.
  const after = key.slice(end);
  const before = key.slice(0, m.index + m[0].length - m[1].length);
  let who: ReturnType<typeof person> | null = null;
  if (/^\s*[:–—-]/.test(after) || TITLE.test(after.replace(/^[\s,]+/, ''))) {
    const skip = /^[\s:,–—-]*/.exec(after)![0].length;
    who = person(line.slice(end + skip), after.slice(skip));
  } else if (TITLE_BEFORE_NAME.test(before)) {
    who = person(line.slice(0, before.length), before);
  }
  const named = who?.name && !/^(day du|dung gio|duoc)\b/.test(foldSameLength(who.name)) ? who : null;
  return { kind: 'attend', attendeeName: named?.name ?? null, attendeePosition: named?.position ?? null, attendeePhone: named?.phone ?? null, line: line.trim() };
}

/** The answer in one line, or null when the line says none. */
export function answerInLine(line: string, next: string | null = null): TextAnswer | null {
  const text = line.normalize('NFC');
  const key = matchKey(text);
  if (!/[a-z]/.test(key)) return null;
  return delegateIn(text, key) ?? declineIn(text, key, next) ?? attendIn(text, key);
}

/** The answer of a plain-text reply: the first of its own lines (greetings skipped) that says one. */
export function parseTextAnswer(text: string): TextAnswer {
  const lines = ownReplyLines(text).map((l) => l.trim()).filter((l) => l !== '');
  let firstUnclear: TextAnswer | null = null;
  let read = 0;
  for (let i = 0; i < lines.length && read < MAX_LINES; i++) {
    if (GREETING.test(foldSameLength(lines[i]))) continue;
    read += 1;
    const answer = answerInLine(lines[i], lines[i + 1] ?? null);
    if (answer?.kind === 'unclear') {
      firstUnclear ??= answer;
      continue;
    }
    if (answer) return answer;
  }
  return firstUnclear ?? { kind: 'unclear', problem: 'no-answer', line: lines.find((l) => !GREETING.test(foldSameLength(l))) ?? null };
}
