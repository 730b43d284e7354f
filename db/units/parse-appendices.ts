// The unit directory from the appendices ("DANH SÁCH") of QĐ 3143/QĐ-UBND, seed 000.
// Pure: seed text in, directory out. The rules and every data quirk are described in docs/units.md.

export type Appendix = 1 | 2 | 3;
export type UnitGroup =
  | 'dang' | 'hdnd-ubnd' | 'doan-the' | 'so-nganh' | 'trung-uong' | 'huyen' | 'xa' | 'doanh-nghiep' | 'khac';

export interface DirectoryUnit {
  id: string;
  name: string;
  parentId: string | null;
  emails: string[];
  moihopUsername: string | null;
  organId: string | null;
  group: UnitGroup;
  sources: { appendix: Appendix; ref: string }[];
}
export interface DirectoryProblem { appendix: Appendix; line: number; code: string; message: string; raw: string; action: string }
export interface UnitDirectory {
  seed: string;
  units: DirectoryUnit[];
  problems: DirectoryProblem[];
  counts: { appendix1: number; appendix2: number; appendix3: number; units: number; accounts: number };
}

/** A finding about one value, before it is tied to a seed line. */
export interface Issue { code: string; message: string; action: string }

/** One printed table row. */
interface Row { appendix: Appendix; section: string; number: string; line: number; raw: string; cells: string[] }

/** A row read as a unit mention, ready to merge. */
interface Entry {
  row: Row;
  ref: string;
  name: string;
  key: string;
  emails: string[];
  username: string | null;
  /** 2.2/2.3 group headings repeat a unit listed elsewhere: merging them is not a duplicate. */
  heading: boolean;
  parent: Entry | null;
  /** 2.3 sub-units ("Phòng Nội vụ", "UBND xã Tân Hà") only match inside their huyện. */
  scoped: boolean;
  idSuffix: string;
}

// ---------------------------------------------------------------- normalisers

const EMAIL_SYNTAX = /^[a-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)+$/;

/** Reads an address cell (plain text or `<a href="mailto:…">…</a>`) into clean addresses plus what was fixed. */
export function normaliseEmailCell(cell: string): { emails: string[]; issues: Issue[] } {
  const issues: Issue[] = [];
  let text = cell.normalize('NFC');
  const link = /href="mailto:([^"]*)"[^>]*>([^<]*)</i.exec(text);
  if (link) {
    if (link[1].trim() !== link[2].trim()) {
      issues.push({ code: 'EMAIL_LINK_MISMATCH', message: `Liên kết mailto:${link[1]} khác chữ hiển thị ${link[2]}`, action: 'Dùng địa chỉ hiển thị' });
    }
    text = link[2];
  }
  text = text.replace(/<[^>]+>/g, '').replace(/^mailto:/i, '').trim();
  if (!text) {
    return { emails: [], issues: [{ code: 'MISSING_EMAIL', message: 'Dòng không có địa chỉ thư điện tử', action: 'Giữ đơn vị, danh sách địa chỉ rỗng' }] };
  }
  const parts = text.split(/[,;]/).map((p) => p.trim());
  if (parts.some((p) => !p)) {
    issues.push({ code: 'EMAIL_TRAILING_PUNCTUATION', message: `Địa chỉ có dấu câu thừa: "${text}"`, action: 'Bỏ dấu câu thừa' });
  }
  const emails: string[] = [];
  for (let part of parts.filter(Boolean)) {
    if (/\s/.test(part)) {
      const joined = part.replace(/\s+/g, '');
      issues.push({ code: 'EMAIL_SPACE', message: `Địa chỉ có khoảng trắng bên trong: "${part}"`, action: `Bỏ khoảng trắng → ${joined.toLowerCase()}` });
      part = joined;
    }
    if (part !== part.toLowerCase()) {
      issues.push({ code: 'EMAIL_CASE', message: `Địa chỉ có chữ hoa: "${part}"`, action: `Chuyển về chữ thường → ${part.toLowerCase()}` });
      part = part.toLowerCase();
    }
    if (!EMAIL_SYNTAX.test(part)) {
      issues.push({ code: 'EMAIL_INVALID', message: `Địa chỉ sai cú pháp: "${part}"`, action: 'Không đưa vào danh sách địa chỉ của đơn vị' });
    } else if (!emails.includes(part)) {
      emails.push(part);
    }
  }
  return { emails, issues };
}

/** Names corrected by hand after reading the seed (printed → correct). */
const NAME_TYPOS: Record<string, string> = {
  'Trường Cao đẳng Nghệ': 'Trường Cao đẳng Nghề',
};

/** Display name: tags removed, NFC, single spaces; printing accidents fixed and reported. */
export function cleanName(raw: string): { name: string; issues: Issue[] } {
  const issues: Issue[] = [];
  let name = raw.replace(/<[^>]+>/g, '').normalize('NFC').replace(/\s+/g, ' ').trim();
  if (/[.,;]$/.test(name)) {
    issues.push({ code: 'NAME_TRAILING_PUNCTUATION', message: `Tên đơn vị có dấu câu ở cuối: "${name}"`, action: 'Bỏ dấu câu ở cuối tên' });
    name = name.replace(/[.,;\s]+$/, '');
  }
  const words = name.split(' ');
  const half = words.slice(0, words.length / 2).join(' ');
  if (words.length % 2 === 0 && half.toLowerCase() === words.slice(words.length / 2).join(' ').toLowerCase()) {
    issues.push({ code: 'NAME_REPEATED_TEXT', message: `Tên đơn vị bị in lặp hai lần: "${name}"`, action: `Giữ một lần: "${half}"` });
    name = half;
  }
  if (NAME_TYPOS[name]) {
    issues.push({ code: 'NAME_TYPO', message: `Tên đơn vị sai chính tả: "${name}"`, action: `Sửa thành "${NAME_TYPOS[name]}"` });
    name = NAME_TYPOS[name];
  }
  return { name, issues };
}

/**
 * Drops the scope notes that describe what an account or mailbox covers rather than naming the body:
 * "(bao gồm …)", a leading "Thường trực X, " / "Thường trực ", a trailing ", các Ban …".
 */
export function coreName(name: string): string {
  return name
    .replace(/\s*\(bao gồm[^)]*\)/giu, '')
    .replace(/^Thường trực\s+([^,]+,\s*)?/iu, '')
    .replace(/,\s*các Ban .*$/iu, '')
    .trim();
}

/** Lower-case ASCII: diacritics removed, đ → d. */
export function fold(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd').toLowerCase();
}

// Applied in order on folded text.
const ABBREVIATIONS: [RegExp, string][] = [
  [/\bubnd\b/g, 'uy ban nhan dan'],
  [/\bhdnd\b/g, 'hoi dong nhan dan'],
  [/\bmttq\b/g, 'mat tran to quoc'],
  [/\bdbqh\b/g, 'dai bieu quoc hoi'],
  [/\bvp\b/g, 'van phong'],
  [/\bbql\b/g, 'ban quan ly'],
  [/\bptnt\b/g, 'phat trien nong thon'],
  [/\btb\s*&\s*xh\b/g, 'thuong binh va xa hoi'],
  [/\bgtvt\b/g, 'giao thong van tai'],
  [/\bdadtxd\b/g, 'du an dau tu xay dung'],
  [/\btdtt\b/g, 'the duc the thao'],
  [/\bvsmt\b/g, 've sinh moi truong'],
  [/\bgdtx\b/g, 'giao duc thuong xuyen'],
  [/\bds-khhgd\b/g, 'dan so ke hoach hoa gia dinh'],
  [/\bds-khh\b/g, 'dan so ke hoach hoa'],
  [/&/g, ' va '],
  [/\bthi hanh an dan su\b/g, 'thi hanh an'],
];

/** Folded name with abbreviations spelled out and punctuation as single spaces ("tỉnh", "và" kept). */
export function spelledOut(name: string): string {
  let text = fold(name);
  for (const [pattern, replacement] of ABBREVIATIONS) text = text.replace(pattern, replacement);
  return text.replace(/[^a-z0-9]+/g, ' ').trim();
}

/** The comparison key: spelled out, without "và" and without a trailing "tỉnh" / "tỉnh Bình Thuận". */
export function matchKey(name: string): string {
  const words = spelledOut(coreName(name)).split(' ').filter((w) => w && w !== 'va');
  if (words.slice(-3).join(' ') === 'tinh binh thuan') words.splice(-3);
  else if (words[words.length - 1] === 'tinh') words.pop();
  return words.join(' ');
}

export function slugify(text: string): string {
  return fold(text).replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}

// ---------------------------------------------------------------- sections and rows

/** Splits the text after the "DANH SÁCH" title into the numbered sections "1", "2", "2.1", "2.2", "2.3", "3". */
function splitSections(lines: string[]): Map<string, { line: number; text: string }[]> {
  const sections = new Map<string, { line: number; text: string }[]>();
  const strip = (l: string) => l.replace(/<[^>]+>/g, '').replace(/[#*_]/g, '').trim();
  const start = lines.findIndex((l) => strip(l) === 'DANH SÁCH');
  if (start < 0) return sections;
  let current: { line: number; text: string }[] | null = null;
  for (let i = start + 1; i < lines.length; i++) {
    // Titles are marked up differently each time (####, ##, ###, **…**, *…*); only the text is reliable.
    const title = /^(\d(?:\.\d)?)\.\s+Các\s/u.exec(strip(lines[i]));
    if (title) sections.set(title[1], (current = []));
    else if (current) current.push({ line: i + 1, text: lines[i] });
  }
  return sections;
}

function problemAt(row: Pick<Row, 'appendix' | 'line' | 'raw'>, issue: Issue): DirectoryProblem {
  return { appendix: row.appendix, line: row.line, code: issue.code, message: issue.message, raw: row.raw, action: issue.action };
}

/** Tab-separated rows of one section; blank lines, prose and the "STT" header are not rows. */
function parseRows(appendix: Appendix, section: string, lines: { line: number; text: string }[], problems: DirectoryProblem[]): Row[] {
  const rows: Row[] = [];
  for (const { line, text } of lines) {
    if (!text.includes('\t')) continue;
    const cells = text.split('\t').map((c) => c.trim());
    const number = cells[0].replace(/<[^>]+>/g, '').trim();
    const raw = text.trimEnd();
    if (/^STT$/i.test(number)) continue;
    if (!/^\d+(\.\d+)?$/.test(number)) {
      problems.push(problemAt({ appendix, line, raw }, { code: 'UNPARSED_ROW', message: 'Dòng trong bảng không có số thứ tự hợp lệ', action: 'Bỏ qua dòng, cần kiểm tra bằng tay' }));
      continue;
    }
    rows.push({ appendix, section, number, line, raw, cells });
  }
  return rows;
}

/** Numbers as printed: each once, top level 1, 2, 3…, sub-rows n.1, n.2… under heading n. */
function checkNumbering(rows: Row[], problems: DirectoryProblem[]): void {
  const seen = new Map<string, number>();
  let lastTop = 0;
  let lastChild = 0;
  let heading = 0;
  for (const row of rows) {
    const [top, child] = row.number.split('.').map(Number);
    const earlier = seen.get(row.number);
    if (earlier) {
      problems.push(problemAt(row, { code: 'DUPLICATE_NUMBER', message: `Số thứ tự ${row.number} bị lặp trong mục ${row.section} (đã dùng ở dòng ${earlier})`, action: 'Giữ dòng như một đơn vị riêng; nguồn ghi đúng số như in' }));
      continue;
    }
    seen.set(row.number, row.line);
    const expected = child === undefined ? lastTop + 1 : lastChild + 1;
    if (child !== undefined && top !== heading) {
      problems.push(problemAt(row, { code: 'CHILD_NUMBER_MISMATCH', message: `Số ${row.number} không thuộc đề mục ${heading}`, action: `Xếp dưới đề mục ${heading} theo vị trí` }));
    } else if ((child ?? top) !== expected) {
      problems.push(problemAt(row, { code: 'NUMBER_OUT_OF_SEQUENCE', message: `Số ${row.number} không liền sau số trước trong mục ${row.section}`, action: 'Giữ dòng; nguồn ghi đúng số như in' }));
    }
    if (child === undefined) {
      lastTop = Math.max(lastTop, top);
      heading = top;
      lastChild = 0;
    } else {
      lastChild = child;
    }
  }
}

/** Findings made by reading the seed by hand; matched on the raw line, reported, data kept as printed. */
const REVIEWED_NOTES: { appendix: Appendix; contains: string; code: string; message: string }[] = [
  { appendix: 1, contains: 'mailto:hdnd@binhthuan.gov.vn', code: 'EMAIL_SUSPECT', message: 'Địa chỉ hdnd@binhthuan.gov.vn ghi cho Văn phòng Đoàn ĐBQH tỉnh nhưng trông như hộp thư của HĐND tỉnh (Văn phòng HĐND tỉnh không có dòng riêng ở phụ lục 1)' },
  { appendix: 1, contains: 'kbnb Binhthuan@', code: 'EMAIL_SUSPECT', message: '"kbnb" có lẽ là "kbnn" (Kho bạc Nhà nước)' },
  { appendix: 1, contains: '61\tThành ủy Phan Thiết', code: 'NAME_SUSPECT', message: 'Dòng 61 nằm trong khối "Hội đồng nhân dân huyện …" (58–66) và địa chỉ theo mẫu <tên huyện>@binhthuan.gov.vn: có lẽ là "Hội đồng nhân dân thành phố Phan Thiết" (phụ lục 3, số 112), không phải Thành ủy' },
  { appendix: 3, contains: '\ttinhdolan', code: 'USERNAME_SUSPECT', message: 'Tên đăng nhập "tinhdolan" có lẽ là "tinhdoan"' },
  { appendix: 3, contains: '\tcuutnxfp', code: 'USERNAME_SUSPECT', message: 'Tên đăng nhập "cuutnxfp" có lẽ là "cuutnxp"' },
  { appendix: 3, contains: '\tcaotuai', code: 'USERNAME_SUSPECT', message: 'Tên đăng nhập "caotuai" có lẽ là "caotuoi"' },
  { appendix: 3, contains: '\tnhptvnb', code: 'USERNAME_SUSPECT', message: 'Tên đăng nhập "nhptvnb": các tài khoản ngân hàng khác kết thúc bằng "bt"' },
  { appendix: 3, contains: '\tvietcombankbr', code: 'USERNAME_SUSPECT', message: '"vietcombankbr" ghi cho Ngân hàng Công thương (VietinBank), còn "vietinbankbt" cho Ngân hàng Ngoại thương (Vietcombank): hai tên có vẻ bị tráo; hậu tố "br" thay vì "bt"' },
  { appendix: 3, contains: '\tvietinbankbt', code: 'USERNAME_SUSPECT', message: '"vietinbankbt" ghi cho Ngân hàng Ngoại thương (Vietcombank): có vẻ bị tráo với "vietcombankbr"' },
  { appendix: 3, contains: '\thduclinh', code: 'USERNAME_SUSPECT', message: 'Các huyện ủy khác dùng tiền tố "hu" (hutuyphong, hutanhlinh…); "hduclinh" có lẽ là "huduclinh"' },
];

function reviewedNotes(row: Row): Issue[] {
  return REVIEWED_NOTES.filter((n) => n.appendix === row.appendix && row.raw.includes(n.contains))
    .map((n) => ({ code: n.code, message: n.message, action: 'Giữ nguyên như văn bản; cần xác minh với đơn vị' }));
}

// ---------------------------------------------------------------- rows → entries

function entry(row: Row, ref: string, printedName: string, problems: DirectoryProblem[], extra: Partial<Entry> = {}): Entry {
  const { name, issues } = cleanName(printedName);
  for (const issue of [...issues, ...reviewedNotes(row)]) problems.push(problemAt(row, issue));
  const core = coreName(name);
  return { row, ref, name: core, key: matchKey(core), emails: [], username: null, heading: false, parent: null, scoped: false, idSuffix: '', ...extra };
}

function appendix1Entries(rows: Row[], problems: DirectoryProblem[]): Entry[] {
  return rows.map((row) => {
    const e = entry(row, row.number, row.cells[1] ?? '', problems);
    const { emails, issues } = normaliseEmailCell(row.cells[2] ?? '');
    for (const issue of issues) problems.push(problemAt(row, issue));
    e.emails = emails;
    return e;
  });
}

function appendix3Entries(rows: Row[], problems: DirectoryProblem[]): Entry[] {
  return rows.map((row) => {
    const e = entry(row, row.number, row.cells[1] ?? '', problems);
    const printed = (row.cells[2] ?? '').replace(/<[^>]+>/g, '').trim();
    if (!printed) {
      problems.push(problemAt(row, { code: 'MISSING_USERNAME', message: 'Dòng không có tên đăng nhập', action: 'Giữ đơn vị, không có tài khoản' }));
    } else if (printed !== printed.toLowerCase()) {
      problems.push(problemAt(row, { code: 'USERNAME_CASE', message: `Tên đăng nhập có chữ hoa: "${printed}"`, action: `Chuyển về chữ thường → ${printed.toLowerCase()}` }));
    }
    e.username = printed ? printed.toLowerCase() : null;
    return e;
  });
}

/**
 * 2.1 lists the bodies, 2.2 repeats the Sở as headings over their sub-units, 2.3 has one heading per
 * huyện ("Huyện Tuy Phong" = its UBND) over its sub-units. 2.1 row "UBND các huyện, thị xã, thành phố"
 * stands for the ten huyện headings of 2.3 and is expanded into them.
 */
function appendix2Entries(sections: Map<string, Row[]>, problems: DirectoryProblem[]): Entry[] {
  const entries: Entry[] = [];
  const numberIn21 = new Map<string, string>();
  let collective: { row: Row; at: number } | null = null;
  for (const row of sections.get('2.1') ?? []) {
    const ref = `2.1/${row.number}`;
    if (/cac huyen.*thi xa.*thanh pho/.test(fold(row.cells[1] ?? ''))) {
      collective = { row, at: entries.length };
      continue;
    }
    const e = entry(row, ref, row.cells[1] ?? '', problems);
    numberIn21.set(e.key, row.number);
    entries.push(e);
  }
  for (const section of ['2.2', '2.3']) {
    let heading: Entry | null = null;
    let placeSuffix = '';
    for (const row of sections.get(section) ?? []) {
      const ref = `${section}/${row.number}`;
      if (!row.number.includes('.')) {
        const place = /^(Huyện|Thành phố|Thị xã)\s+(.+)$/iu.exec((row.cells[1] ?? '').replace(/<[^>]+>/g, '').trim());
        const printed = place && section === '2.3' ? `Ủy ban nhân dân ${place[1].toLowerCase()} ${place[2]}` : row.cells[1] ?? '';
        placeSuffix = place ? `-${slugify(place[2])}` : '';
        heading = entry(row, ref, printed, problems, { heading: true });
        const listed = numberIn21.get(heading.key);
        if (section === '2.2' && listed && listed !== row.number) {
          problems.push(problemAt(row, { code: 'INCONSISTENT_NUMBERING', message: `"${heading.name}" mang số ${row.number} ở mục 2.2 nhưng số ${listed} ở mục 2.1`, action: 'Gộp theo tên, không theo số' }));
        }
        entries.push(heading);
      } else {
        entries.push(entry(row, ref, row.cells[1] ?? '', problems, {
          parent: heading,
          scoped: section === '2.3',
          idSuffix: section === '2.3' ? placeSuffix : '',
        }));
      }
    }
  }
  if (collective) {
    const { row, at } = collective;
    const huyen = entries.filter((e) => e.heading && e.row.section === '2.3');
    problems.push(problemAt(row, { code: 'COLLECTIVE_ROW', message: 'Một dòng chung cho nhiều đơn vị (UBND các huyện, thị xã, thành phố)', action: `Tách thành ${huyen.length} đơn vị UBND cấp huyện của mục 2.3` }));
    entries.splice(at, 0, ...huyen.map((h) => ({ ...h, row, ref: `2.1/${row.number}`, heading: false })));
  }
  return entries;
}

// ---------------------------------------------------------------- merge, ids, groups

interface Draft {
  index: number;
  name: string;
  key: string;
  parent: Draft | null;
  emails: string[];
  username: string | null;
  sources: { appendix: Appendix; ref: string }[];
  sections: string[];
  idSuffix: string;
}

/** Entries with the same key (inside the same huyện for 2.3 sub-units) become one unit; first mention names it. */
function merge(entries: Entry[], problems: DirectoryProblem[]): Draft[] {
  const drafts: Draft[] = [];
  const byKey = new Map<string, Draft[]>();
  const draftOf = new Map<Entry, Draft>();
  const accountOwner = new Map<string, Draft>();
  const emailOwner = new Map<string, Draft>();
  for (const e of entries) {
    const parent = e.parent ? draftOf.get(e.parent) ?? null : null;
    const lookup = `${e.scoped && parent ? parent.index : ''}|${e.key}`;
    const candidates = byKey.get(lookup) ?? [];
    let target: Draft | null = null;
    const report = (code: string, message: string, action: string) => problems.push(problemAt(e.row, { code, message, action }));
    if (candidates.length > 1) {
      report('AMBIGUOUS_MATCH', `"${e.name}" khớp tên với ${candidates.length} đơn vị`, 'Không gộp; giữ thành đơn vị riêng');
    } else if (candidates.length === 1) {
      const c = candidates[0];
      if (e.username && c.username && e.username !== c.username) {
        report('DUPLICATE_UNIT_SECOND_ACCOUNT', `"${e.name}" đã có ở dòng trước với tài khoản ${c.username}, dòng này có tài khoản ${e.username}`, 'Không gộp (mỗi đơn vị một tài khoản); giữ thành đơn vị riêng để không mất tài khoản');
      } else if (parent && c.parent && parent !== c.parent) {
        report('AMBIGUOUS_MATCH', `"${e.name}" trùng tên với một đơn vị thuộc cấp trên khác`, 'Không gộp; giữ thành đơn vị riêng');
      } else {
        target = c;
        if (!e.heading && c.sources.some((s) => s.appendix === e.row.appendix)) {
          report('MERGED_DUPLICATE', `"${e.name}" được liệt kê hai lần trong phụ lục ${e.row.appendix}`, `Gộp vào đơn vị "${c.name}"`);
        }
      }
    }
    if (!target) {
      target = { index: drafts.length, name: e.name, key: e.key, parent, emails: [], username: null, sources: [], sections: [], idSuffix: e.idSuffix };
      drafts.push(target);
      byKey.set(lookup, [...candidates, target]);
    }
    target.sources.push({ appendix: e.row.appendix, ref: e.ref });
    target.sections.push(e.row.section);
    target.parent ??= parent;
    for (const email of e.emails) {
      const owner = emailOwner.get(email);
      if (owner && owner !== target) {
        report('EMAIL_SHARED', `Địa chỉ ${email} đã ghi cho "${owner.name}"`, 'Giữ địa chỉ ở cả hai đơn vị; cần xác minh');
      }
      emailOwner.set(email, target);
      if (!target.emails.includes(email)) target.emails.push(email);
    }
    if (e.username) {
      const owner = accountOwner.get(e.username);
      if (owner && owner !== target) {
        report('DUPLICATE_USERNAME', `Tên đăng nhập ${e.username} đã dùng cho "${owner.name}"`, 'Không gán tài khoản lần hai');
      } else {
        target.username ??= e.username;
        accountOwner.set(e.username, target);
      }
    }
    draftOf.set(e, target);
  }
  return drafts;
}

// First matching rule wins; tested on the spelled-out display name. Sub-units take their parent's group.
const GROUP_RULES: [RegExp, UnitGroup][] = [
  [/^uy ban nhan dan (xa|phuong|thi tran) /, 'xa'],
  [/^(uy ban nhan dan|hoi dong nhan dan) (huyen|thi xa|thanh pho) /, 'huyen'],
  [/\b(tinh|huyen|thanh|thi) uy\b(?! ban)|^dang uy|^bao binh thuan$|^ban bao ve (va )?cham soc suc khoe can bo/, 'dang'],
  [/^van phong (hoi dong nhan dan|uy ban nhan dan) tinh|dai bieu quoc hoi/, 'hdnd-ubnd'],
  [/^(cong an|bo chi huy|cuc|vien kiem sat|toa an|kho bac|chi cuc hai quan|cang vu|bao hiem xa hoi|ngan hang (nha nuoc|chinh sach|phat trien))\b/, 'trung-uong'],
  [/^(co quan thuong tru|thuong tru|truong dai hoc|hiep hoi)\b/, 'khac'],
  [/^(cong ty|vnpt|viettel|buu dien|ngan hang)\b/, 'doanh-nghiep'],
  [/mat tran to quoc|^(lien doan lao dong|tinh doan|hoi|lien hiep hoi|cau lac bo huu tri|ban dai dien hoi)\b/, 'doan-the'],
  [/^(so|thanh tra tinh|ban|dai phat thanh|truong (chinh tri|cao dang)|van phong ban chi huy|lien minh hop tac xa)\b/, 'so-nganh'],
];

function classify(draft: Draft, groupOf: Map<Draft, UnitGroup>): UnitGroup {
  const text = spelledOut(draft.name);
  if (GROUP_RULES[0][0].test(text)) return 'xa';
  if (draft.parent) return groupOf.get(draft.parent) ?? 'khac';
  for (const [pattern, group] of GROUP_RULES) if (pattern.test(text)) return group;
  return draft.sections.includes('2.1') ? 'so-nganh' : 'khac';
}

function toUnits(drafts: Draft[]): DirectoryUnit[] {
  const ids = new Map<Draft, string>();
  const used = new Set<string>();
  const groupOf = new Map<Draft, UnitGroup>();
  for (const d of drafts) {
    let id = slugify(d.name) + d.idSuffix;
    if (used.has(id) && d.username) id = `${id}-${d.username}`;
    for (let n = 2; used.has(id); n++) id = `${slugify(d.name)}${d.idSuffix}-${n}`;
    used.add(id);
    ids.set(d, id);
    groupOf.set(d, classify(d, groupOf));
  }
  return drafts.map((d) => ({
    id: ids.get(d)!,
    name: d.name,
    parentId: d.parent ? ids.get(d.parent)! : null,
    emails: d.emails,
    moihopUsername: d.username,
    organId: null,
    group: groupOf.get(d)!,
    sources: d.sources,
  }));
}

/** Appendix 3 promises as many accounts as its last number; say so when the result has fewer. */
function checkAccountCount(units: DirectoryUnit[], rows3: Row[], problems: DirectoryProblem[]): void {
  const accounts = units.filter((u) => u.moihopUsername).length;
  const printed = rows3.reduce((max, r) => Math.max(max, Number(r.number)), 0);
  if (accounts !== printed || accounts !== rows3.length) {
    const last = rows3[rows3.length - 1];
    problems.push({ appendix: 3, line: last?.line ?? 1, code: 'ACCOUNT_COUNT_MISMATCH', message: `Phụ lục 3 đánh số đến ${printed}, có ${rows3.length} dòng, nhưng chỉ được ${accounts} tài khoản khác nhau`, raw: last?.raw ?? '', action: 'Không thêm tài khoản nào; cần xác minh' });
  }
}

// ---------------------------------------------------------------- entry point

export function parseAppendices(seedText: string, seedName = ''): UnitDirectory {
  const problems: DirectoryProblem[] = [];
  const sections = splitSections(seedText.replace(/\r\n?/g, '\n').split('\n'));
  const rows = new Map<string, Row[]>();
  for (const id of ['1', '2.1', '2.2', '2.3', '3']) {
    const appendix = Number(id[0]) as Appendix;
    const lines = sections.get(id);
    if (!lines) {
      problems.push({ appendix, line: 1, code: 'SECTION_MISSING', message: `Không tìm thấy mục ${id} của danh sách`, raw: '', action: 'Mục này không có đơn vị nào' });
    }
    const sectionRows = parseRows(appendix, id, lines ?? [], problems);
    checkNumbering(sectionRows, problems);
    rows.set(id, sectionRows);
  }
  const entries = [
    ...appendix1Entries(rows.get('1')!, problems),
    ...appendix2Entries(rows, problems),
    ...appendix3Entries(rows.get('3')!, problems),
  ];
  const units = toUnits(merge(entries, problems));
  checkAccountCount(units, rows.get('3')!, problems);
  problems.sort((a, b) => a.line - b.line);
  const count = (...ids: string[]) => ids.reduce((n, id) => n + rows.get(id)!.length, 0);
  return {
    seed: seedName,
    units,
    problems,
    counts: {
      appendix1: count('1'),
      appendix2: count('2.1', '2.2', '2.3'),
      appendix3: count('3'),
      units: units.length,
      accounts: units.filter((u) => u.moihopUsername).length,
    },
  };
}
