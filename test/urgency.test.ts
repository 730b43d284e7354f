// The urgency of an incoming document from its subject and from the mark printed on page 1.
import test from 'node:test';
import assert from 'node:assert/strict';
import { detectUrgency } from '../mail-gateway/register/urgency';

test('the subject marks urgency in any case, with or without diacritics', () => {
  const cases: Array<[string, string]> = [
    ['HỎA TỐC: Giấy mời họp khẩn về phòng chống bão số 9', 'Hỏa tốc'],
    ['Hỏa tốc - V/v báo cáo tình hình thiệt hại', 'Hỏa tốc'],
    ['Hoả tốc - V/v báo cáo tình hình thiệt hại', 'Hỏa tốc'],
    ['[hoa toc] Bao cao thiet hai do mua lu', 'Hỏa tốc'],
    ['THƯỢNG KHẨN - Công văn số 12/UBND-KT', 'Thượng khẩn'],
    ['Thuong khan: Cong van so 12/UBND-KT', 'Thượng khẩn'],
    ['KHẨN: Báo cáo số liệu quý IV', 'Khẩn'],
    ['Khẩn - Kế hoạch 45/KH-UBND', 'Khẩn'],
    ['(KHAN) Ke hoach 45/KH-UBND', 'Khẩn'],
    ['Công văn số 123/STC-NS V/v quyết toán ngân sách', 'Bình thường'],
  ];
  for (const [subject, expected] of cases) assert.equal(detectUrgency(subject), expected, subject);
});

test('the highest mark wins', () => {
  assert.equal(detectUrgency('Khẩn - Hỏa tốc: báo cáo'), 'Hỏa tốc');
  assert.equal(detectUrgency('KHẨN, THƯỢNG KHẨN'), 'Thượng khẩn');
  assert.equal(detectUrgency('Khẩn: báo cáo', 'HỎA TỐC\nỦY BAN NHÂN DÂN'), 'Hỏa tốc');
  assert.equal(detectUrgency('Hỏa tốc: báo cáo', 'KHẨN'), 'Hỏa tốc');
});

test('ordinary words are not urgency marks', () => {
  const subjects = [
    'V/v khẩn trương triển khai tiêm chủng',
    'Ban bố tình trạng khẩn cấp về thiên tai',
    'Tinh hinh khan hiem nuoc sinh hoat',
    'Khắc phục khan cap hau qua',
    'Cấp phát khăn, áo mưa cho lực lượng trực',
    'Hoa tốc độ cao', // not "hỏa tốc": missing diacritic on "hoa" while "tốc" has one
  ];
  for (const subject of subjects) assert.equal(detectUrgency(subject), 'Bình thường', subject);
  assert.equal(detectUrgency(null), 'Bình thường');
  assert.equal(detectUrgency('', null), 'Bình thường');
});

test('on page 1 only the printed capital mark counts, not words of the body text', () => {
  const page = (mark: string) => `ỦY BAN NHÂN DÂN\nTỈNH BÌNH THUẬN\n${mark}\nSố: 12/UBND-KT\nKính gửi: các sở, ngành\n` +
    'Đề nghị các đơn vị khẩn trương thực hiện; trường hợp khẩn cấp báo cáo ngay. Hỏa tốc chuyển văn bản này.';
  assert.equal(detectUrgency(null, page('HỎA TỐC')), 'Hỏa tốc');
  assert.equal(detectUrgency(null, page('HOẢ TỐC')), 'Hỏa tốc');
  assert.equal(detectUrgency(null, page('THƯỢNG KHẨN')), 'Thượng khẩn');
  assert.equal(detectUrgency(null, page('KHẨN')), 'Khẩn');
  assert.equal(detectUrgency(null, page('')), 'Bình thường');
  assert.equal(detectUrgency(null, 'CÔNG ĐIỆN\nVề việc KHẨN TRƯƠNG ứng phó bão\nTÌNH TRẠNG KHẨN CẤP'), 'Bình thường');
});

test('text in decomposed Unicode (NFD) reads the same', () => {
  assert.equal(detectUrgency('Hỏa tốc: báo cáo'.normalize('NFD')), 'Hỏa tốc');
  assert.equal(detectUrgency(null, 'THƯỢNG KHẨN'.normalize('NFD')), 'Thượng khẩn');
});
