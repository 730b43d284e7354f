// The unit directory import: parser against the real seed 000, the normalisers on small texts, the command.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import {
  DirectoryUnit, UnitDirectory, matchKey, normaliseEmailCell, cleanName, parseAppendices,
} from '../db/units/parse-appendices';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const SEED_NAME = '000_e348f1e5056e0762.txt';
const SEED = path.resolve(REPO_ROOT, '..', 'shared', 'seeds', SEED_NAME);
const UNITS_JSON = path.join(REPO_ROOT, 'db', 'seed-data', 'units.json');
const SCRIPT = path.join(REPO_ROOT, 'dist', 'scripts', 'import-units.js');

const seedText = fs.existsSync(SEED) ? fs.readFileSync(SEED, 'utf8') : null;
const directory: UnitDirectory | null = seedText === null ? null : parseAppendices(seedText, SEED_NAME);

function bySource(appendix: 1 | 2 | 3, ref: string): DirectoryUnit[] {
  return directory!.units.filter((u) => u.sources.some((s) => s.appendix === appendix && s.ref === ref));
}
function one(appendix: 1 | 2 | 3, ref: string): DirectoryUnit {
  const found = bySource(appendix, ref);
  assert.equal(found.length, 1, `exactly one unit from appendix ${appendix} row ${ref}`);
  return found[0];
}
function problemsAt(line: number): string[] {
  return directory!.problems.filter((p) => p.line === line).map((p) => p.code);
}

test('counts rows per appendix as printed in the seed', (t) => {
  if (!directory) return t.skip('seed not present');
  // Counted by reading the seed: appendix 1 numbers 1–66 with "55" printed twice (67 rows);
  // appendix 2 = 2.1 (33) + 2.2 (21 headings + 118 sub-units) + 2.3 (10 headings + 265 sub-units); appendix 3 = 1–128.
  assert.equal(directory.counts.appendix1, 67);
  assert.equal(directory.counts.appendix2, 33 + 139 + 275);
  assert.equal(directory.counts.appendix3, 128);
  // 66 bodies of app. 1 + 424 new in app. 2 (31 of 2.1, 10 huyện of the collective row, 118 + 265 sub-units)
  // + 21 bodies only in app. 3 (incl. the second account of the disaster-prevention office).
  assert.equal(directory.counts.units, 511);
  assert.equal(directory.units.length, 511);
  assert.equal(directory.seed, SEED_NAME);
});

test('128 distinct moihop accounts', (t) => {
  if (!directory) return t.skip('seed not present');
  const accounts = directory.units.map((u) => u.moihopUsername).filter((a): a is string => a !== null);
  assert.equal(accounts.length, 128);
  assert.equal(new Set(accounts).size, 128);
  assert.equal(directory.counts.accounts, 128);
  for (const name of ['vptinhuy', 'vphdnd', 'mattran', 'congan', 'quansu', 'vpubnd', 'phuquy']) {
    assert.ok(accounts.includes(name), name);
  }
  assert.ok(!directory.problems.some((p) => p.code === 'ACCOUNT_COUNT_MISMATCH'));
});

test('hierarchy from appendix 2', (t) => {
  if (!directory) return t.skip('seed not present');
  const so = one(2, '2.2/15');
  const thuySan = one(2, '2.2/15.1');
  assert.equal(thuySan.name, 'Chi cục Thủy sản');
  assert.equal(so.id, 'so-nong-nghiep-va-phat-trien-nong-thon');
  assert.equal(thuySan.parentId, so.id);
  assert.equal(so.moihopUsername, 'nongnghiep');

  const tuyPhong = one(2, '2.3/1');
  assert.equal(tuyPhong.name, 'Ủy ban nhân dân huyện Tuy Phong');
  assert.equal(tuyPhong.moihopUsername, 'tuyphong');
  assert.equal(tuyPhong.group, 'huyen');
  const binhThanh = one(2, '2.3/1.14');
  assert.equal(binhThanh.name, 'UBND xã Bình Thạnh');
  assert.equal(binhThanh.parentId, tuyPhong.id);
  assert.equal(binhThanh.group, 'xa');
  assert.equal(one(2, '2.3/1.1').group, 'huyen');

  // Same name under two huyện stays two units.
  assert.notEqual(one(2, '2.3/6.18').id, one(2, '2.3/9.23').id);
  assert.equal(one(2, '2.3/6.18').parentId, one(2, '2.3/6').id);
  const ids = new Set(directory.units.map((u) => u.id));
  for (const u of directory.units) if (u.parentId) assert.ok(ids.has(u.parentId), `${u.id} → ${u.parentId}`);
});

test('cross-appendix merges', (t) => {
  if (!directory) return t.skip('seed not present');
  const taiChinh = one(3, '78');
  assert.equal(taiChinh.id, 'so-tai-chinh');
  assert.deepEqual(taiChinh.sources, [{ appendix: 2, ref: '2.1/4' }, { appendix: 2, ref: '2.2/4' }, { appendix: 3, ref: '78' }]);
  assert.equal(one(3, '1').id, one(1, '1').id); // "Thường trực Tỉnh ủy, Văn phòng Tỉnh ủy" = "Văn phòng Tỉnh ủy"
  assert.deepEqual(one(3, '3').emails, ['ubmttqvn@binhthuan.gov.vn']); // MTTQ ↔ Mặt trận Tổ quốc
  assert.equal(one(3, '84').id, one(2, '2.1/2').id); // VP UBND tỉnh Bình Thuận ↔ Văn phòng UBND tỉnh
  assert.equal(one(3, '5').id, one(1, '7').id); // "Ban Bảo vệ và chăm sóc…" ↔ "… tỉnh Bình Thuận"
  assert.equal(one(3, '39').id, one(1, '34').id); // Cục thi hành án (Dân sự) tỉnh
  assert.equal(one(3, '70').parentId, one(2, '2.2/13').id); // Trung tâm Phát triển Quỹ đất tỉnh, under Sở TN&MT
  assert.equal(one(2, '2.2/19').id, one(2, '2.1/20').id); // matched by name although numbered differently
  assert.equal(bySource(2, '2.1/33').length, 10);
});

test('every quirk is reported and normalised', (t) => {
  if (!directory) return t.skip('seed not present');
  const tally: Record<string, number> = {};
  for (const p of directory.problems) tally[p.code] = (tally[p.code] ?? 0) + 1;
  assert.deepEqual(tally, {
    COLLECTIVE_ROW: 1,
    DUPLICATE_NUMBER: 1,
    DUPLICATE_UNIT_SECOND_ACCOUNT: 1,
    EMAIL_CASE: 1,
    EMAIL_SPACE: 2,
    EMAIL_SUSPECT: 2,
    EMAIL_TRAILING_PUNCTUATION: 1,
    INCONSISTENT_NUMBERING: 2,
    MERGED_DUPLICATE: 1,
    NAME_REPEATED_TEXT: 1,
    NAME_SUSPECT: 1,
    NAME_TRAILING_PUNCTUATION: 2,
    NAME_TYPO: 1,
    USERNAME_SUSPECT: 7,
  });

  assert.ok(problemsAt(334).includes('EMAIL_SPACE'));
  assert.deepEqual(one(1, '28').emails, ['hctnxp@binhthuan.gov.vn']);
  assert.deepEqual(problemsAt(342).filter((c) => c.startsWith('EMAIL_') && c !== 'EMAIL_SUSPECT'), ['EMAIL_SPACE', 'EMAIL_CASE']);
  assert.deepEqual(one(1, '36').emails, ['kbnbbinhthuan@vst.gov.vn']);
  assert.deepEqual(problemsAt(358), ['EMAIL_TRAILING_PUNCTUATION']);
  assert.deepEqual(one(1, '52').emails, ['huhtn@binhthuan.gov.vn']);

  assert.deepEqual(problemsAt(373), ['DUPLICATE_NUMBER']);
  assert.deepEqual(bySource(1, '55').map((u) => u.name), ['Huyện Ủy Tánh Linh', 'Hội đồng nhân dân huyện Đức Linh']);

  assert.ok(problemsAt(368).includes('MERGED_DUPLICATE'));
  const thanhUy = one(1, '61');
  assert.equal(thanhUy.id, one(1, '51').id);
  assert.deepEqual(thanhUy.emails, ['tuphanthiet@binhthuan.gov.vn', 'phanthiet@binhthuan.gov.vn']);

  assert.deepEqual(problemsAt(669), ['NAME_REPEATED_TEXT']);
  assert.equal(one(2, '2.3/4.4').name, 'Phòng Quản lý đô thị');
  assert.deepEqual(problemsAt(404), ['NAME_TRAILING_PUNCTUATION']);
  assert.equal(one(2, '2.1/21').name, 'Ban Quản lý dự án đầu tư xây dựng công trình dân dụng và công nghiệp tỉnh');
  assert.deepEqual(problemsAt(409), ['NAME_TYPO']);
  assert.equal(one(2, '2.1/26').name, 'Trường Cao đẳng Nghề');
  assert.deepEqual(problemsAt(416), ['COLLECTIVE_ROW']);
  assert.deepEqual(problemsAt(559), ['INCONSISTENT_NUMBERING']);

  // The disaster-prevention office is listed twice in appendix 3 with two accounts: both accounts survive.
  assert.deepEqual(problemsAt(951), ['DUPLICATE_UNIT_SECOND_ACCOUNT']);
  assert.equal(one(3, '36').moihopUsername, 'vpbchthientai');
  assert.deepEqual(one(3, '36').emails, ['bchpctt@binhthuan.gov.vn']);
  assert.equal(one(3, '98').moihopUsername, 'chonglutbao');
  assert.notEqual(one(3, '36').id, one(3, '98').id);

  for (const p of directory.problems) {
    assert.ok(p.message && p.action && p.raw, `${p.code} at ${p.line} is explained`);
    assert.equal(seedText!.split('\n')[p.line - 1].trimEnd(), p.raw, `${p.code}: raw is line ${p.line}`);
  }
});

test('units are clean: valid emails, unique ascii ids, NFC names', (t) => {
  if (!directory) return t.skip('seed not present');
  const emailSyntax = /^[a-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)+$/;
  const ids = new Set<string>();
  const groups = new Set(['dang', 'hdnd-ubnd', 'doan-the', 'so-nganh', 'trung-uong', 'huyen', 'xa', 'doanh-nghiep', 'khac']);
  for (const u of directory.units) {
    for (const email of u.emails) assert.match(email, emailSyntax, `${u.id}: ${email}`);
    assert.equal(new Set(u.emails).size, u.emails.length);
    assert.match(u.id, /^[a-z0-9]+(-[a-z0-9]+)*$/);
    assert.ok(!ids.has(u.id), `duplicate id ${u.id}`);
    ids.add(u.id);
    assert.equal(u.name, u.name.normalize('NFC').replace(/\s+/g, ' ').trim());
    assert.ok(!/[<>]/.test(u.name), u.name);
    assert.ok(groups.has(u.group));
    assert.equal(u.organId, null);
    assert.ok(u.sources.length > 0);
  }
  // Every address printed in appendix 1 ends up on some unit.
  assert.equal(new Set(directory.units.flatMap((u) => u.emails)).size, 67);
});

test('groups follow the documented rules', (t) => {
  if (!directory) return t.skip('seed not present');
  const groupOf = (appendix: 1 | 2 | 3, ref: string) => one(appendix, ref).group;
  assert.equal(groupOf(1, '1'), 'dang');
  assert.equal(groupOf(1, '48'), 'dang');
  assert.equal(groupOf(2, '2.1/1'), 'hdnd-ubnd');
  assert.equal(groupOf(1, '14'), 'doan-the');
  assert.equal(groupOf(1, '24'), 'doan-the');
  assert.equal(groupOf(2, '2.1/4'), 'so-nganh');
  assert.equal(groupOf(2, '2.2/17.1'), 'so-nganh');
  assert.equal(groupOf(1, '15'), 'trung-uong');
  assert.equal(groupOf(1, '36'), 'trung-uong');
  assert.equal(groupOf(1, '58'), 'huyen');
  assert.equal(groupOf(1, '41'), 'doanh-nghiep');
  assert.equal(groupOf(3, '63'), 'khac');
  const so = directory.units.filter((u) => u.group === 'so-nganh' && !u.parentId && u.name.startsWith('Sở '));
  assert.equal(so.length, 15);
  assert.equal(directory.units.filter((u) => u.group === 'huyen' && !u.parentId && u.name.startsWith('Ủy ban nhân dân')).length, 10);
});

test('committed db/seed-data/units.json is what the parser produces from the seed', (t) => {
  if (!directory) return t.skip('seed not present');
  const committed = JSON.parse(fs.readFileSync(UNITS_JSON, 'utf8')) as UnitDirectory;
  assert.deepEqual(committed, directory);
});

test('import-units command writes the file and fails clearly without a seed', (t) => {
  if (!directory) return t.skip('seed not present');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'units-'));
  try {
    const out = path.join(dir, 'units.json');
    const ok = spawnSync(process.execPath, [SCRIPT, '--seed', SEED, '--out', out], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /Phụ lục 1 .*: 67 dòng/);
    assert.equal(fs.readFileSync(out, 'utf8'), `${JSON.stringify(directory, null, 2)}\n`);

    const missing = spawnSync(process.execPath, [SCRIPT, '--seed', path.join(dir, 'none.txt'), '--out', out], { encoding: 'utf8' });
    assert.equal(missing.status, 2);
    assert.equal(missing.stderr.trim().split('\n').length, 1);
    assert.match(missing.stderr, /ENOENT/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// ---------------------------------------------------------------- synthetic texts

function codes(cell: string): string[] {
  return normaliseEmailCell(cell).issues.map((i) => i.code);
}

test('email normaliser: space, trailing comma, case, missing, invalid, link', () => {
  assert.deepEqual(normaliseEmailCell('hctn xp@binhthuan.gov.vn').emails, ['hctnxp@binhthuan.gov.vn']);
  assert.deepEqual(codes('hctn xp@binhthuan.gov.vn'), ['EMAIL_SPACE']);
  assert.deepEqual(normaliseEmailCell('huhtn@binhthuan.gov.vn,').emails, ['huhtn@binhthuan.gov.vn']);
  assert.deepEqual(codes('huhtn@binhthuan.gov.vn,'), ['EMAIL_TRAILING_PUNCTUATION']);
  assert.deepEqual(normaliseEmailCell(' Vp@BinhThuan.gov.vn ').emails, ['vp@binhthuan.gov.vn']);
  assert.deepEqual(codes('Vp@BinhThuan.gov.vn'), ['EMAIL_CASE']);
  assert.deepEqual(normaliseEmailCell('a@x.vn; b@x.vn').emails, ['a@x.vn', 'b@x.vn']);
  assert.deepEqual(codes('a@x.vn; b@x.vn'), []);
  assert.deepEqual(normaliseEmailCell('').emails, []);
  assert.deepEqual(codes('  '), ['MISSING_EMAIL']);
  assert.deepEqual(normaliseEmailCell('ubnd-binhthuan.gov.vn').emails, []);
  assert.deepEqual(codes('ubnd-binhthuan.gov.vn'), ['EMAIL_INVALID']);
  assert.deepEqual(normaliseEmailCell('<a href="mailto:a@x.vn">a@x.vn</a>').emails, ['a@x.vn']);
  assert.deepEqual(codes('<a href="mailto:a@x.vn">b@x.vn</a>'), ['EMAIL_LINK_MISMATCH']);
});

test('name cleaning and match keys', () => {
  assert.equal(cleanName('  Sở   Tài chính. ').name, 'Sở Tài chính');
  assert.deepEqual(cleanName('Sở Tài chính.').issues.map((i) => i.code), ['NAME_TRAILING_PUNCTUATION']);
  assert.deepEqual(cleanName('Sở Tài chính').issues, []);
  assert.equal(cleanName('Phòng Y tế Phòng Y tế').name, 'Phòng Y tế');
  assert.equal(cleanName('<b>Sở Y tế</b>').name, 'Sở Y tế');
  assert.equal(cleanName('Sở Y te\u0302\u0301').name, 'Sở Y tế'); // decomposed accent → NFC
  const same = (a: string, b: string) => assert.equal(matchKey(a), matchKey(b), `${a} ↔ ${b}`);
  same('VP UBND tỉnh Bình Thuận (bao gồm các đơn vị trực thuộc)', 'Văn phòng Ủy ban nhân dân tỉnh');
  same('Sở Văn hoá, Thể thao và Du lịch', 'Sở Văn hóa, Thể thao và Du lịch');
  same('Sở Lao động - TB&XH', 'Sở Lao động - Thương binh và Xã hội');
  same('Sở Nông nghiệp & PTNT', 'Sở Nông nghiệp và Phát triển nông thôn');
  same('Thường trực Ủy ban MTTQ Việt Nam tỉnh', 'Ủy ban Mặt trận Tổ quốc Việt Nam');
  same('Thường trực Tỉnh ủy, Văn phòng Tỉnh ủy', 'Văn phòng Tỉnh ủy');
  same('Văn phòng HĐND tỉnh, các Ban Hội đồng nhân dân tỉnh', 'Văn phòng HĐND tỉnh');
  assert.notEqual(matchKey('Báo Bình Thuận'), matchKey('Báo'));
  assert.notEqual(matchKey('Huyện ủy Tuy Phong'), matchKey('Hội đồng nhân dân huyện Tuy Phong'));
});

test('synthetic seed: duplicate numbering, missing address, duplicate unit, merge across appendices', () => {
  const text = [
    'Lời văn trước danh sách: 1. Các cơ quan không phải bảng',
    '## DANH SÁCH',
    '#### 1. Các cơ quan gửi qua mail công vụ',
    'STT\tTên đơn vị\tĐịa chỉ thư điện tử',
    '1\tSở Tài chính\tSTC@Binhthuan.gov.vn',
    '2\tHội Nông dân\t',
    '2\tHội Luật gia\thlg@binhthuan.gov.vn, HND@binhthuan.gov.vn',
    '3\tSở tài chính\tstc@binhthuan.gov.vn',
    '4\tHội Đông y\thnd@binhthuan.gov.vn',
    'x\tdòng hỏng\t',
    '## **2. Các cơ quan qua VBĐH**',
    '### *2.1. Các Sở, ban, ngành*',
    'STT\tTên cơ quan\tGhi chú',
    '1\tSở Tài chính\t',
    '## 2.2. Các cơ quan trực thuộc các Sở',
    '<b>1</b>\t<b>Sở Tài chính</b>\t',
    '1.1\tTrung tâm mua tài sản công\t',
    '### 2.3. Các cơ quan trực thuộc UBND các huyện',
    '**3. Các cơ quan nhận Giấy mời họp**',
    'STT\tTên đơn vị\tTên đăng nhập',
    '1\tSở Tài chính (bao gồm các đơn vị trực thuộc)\ttaichinh',
    '2\tHội người mù\t',
  ].join('\n');
  const d = parseAppendices(text);
  assert.deepEqual(d.counts, { appendix1: 5, appendix2: 3, appendix3: 2, units: 6, accounts: 1 });
  const at = (line: number) => d.problems.filter((p) => p.line === line).map((p) => p.code);
  assert.deepEqual(at(5), ['EMAIL_CASE']);
  assert.deepEqual(at(6), ['MISSING_EMAIL']);
  assert.deepEqual(at(7), ['DUPLICATE_NUMBER', 'EMAIL_CASE']);
  assert.deepEqual(at(8), ['MERGED_DUPLICATE']);
  assert.deepEqual(at(9), ['EMAIL_SHARED']);
  assert.deepEqual(at(10), ['UNPARSED_ROW']);
  // 2 rows numbered up to 2 but only 1 account: reported on the last row.
  assert.deepEqual(at(22), ['MISSING_USERNAME', 'ACCOUNT_COUNT_MISMATCH']);
  assert.deepEqual(d.units.find((u) => u.name === 'Hội Luật gia')!.emails, ['hlg@binhthuan.gov.vn', 'hnd@binhthuan.gov.vn']);
  const stc = d.units.find((u) => u.id === 'so-tai-chinh')!;
  assert.deepEqual(stc.emails, ['stc@binhthuan.gov.vn']);
  assert.equal(stc.moihopUsername, 'taichinh');
  assert.deepEqual(stc.sources.map((s) => `${s.appendix}:${s.ref}`), ['1:1', '1:3', '2:2.1/1', '2:2.2/1', '3:1']);
  assert.equal(d.units.find((u) => u.name === 'Trung tâm mua tài sản công')!.parentId, 'so-tai-chinh');
  assert.deepEqual(d.units.find((u) => u.name === 'Hội Nông dân')!.emails, []);
});
