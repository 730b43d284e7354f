// ISO weeks in Vietnam time for the week view, and the Content-Disposition of downloads.
import test from 'node:test';
import assert from 'node:assert/strict';
import { formatIsoWeek, isoWeekOf, monthsOfWeek, parseIsoWeek, shiftWeek, weekDays } from '../moihop-web/pages/week';
import { contentDisposition } from '../moihop-web/pages/send-file';
import { dateTimeVi, meetingSpanVi } from '../moihop-web/pages/view-format';

test('ISO weeks follow the Vietnam calendar, Monday to Sunday', () => {
  assert.equal(formatIsoWeek(isoWeekOf(new Date('2026-11-23T00:30:00+07:00'))), '2026-W48');
  assert.equal(formatIsoWeek(isoWeekOf(new Date('2026-11-22T17:30:00Z'))), '2026-W48', 'already Monday in Vietnam');
  assert.equal(formatIsoWeek(isoWeekOf(new Date('2027-01-01T08:00:00+07:00'))), '2026-W53', '2026 has 53 weeks');
  assert.equal(formatIsoWeek(isoWeekOf(new Date('2025-12-29T08:00:00+07:00'))), '2026-W01');
  const days = weekDays({ year: 2026, week: 48 });
  assert.deepEqual(days.map((d) => d.isoDate), ['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27', '2026-11-28', '2026-11-29']);
  assert.equal(days[0].start.toISOString(), '2026-11-22T17:00:00.000Z', 'midnight in Vietnam');
  assert.deepEqual(monthsOfWeek({ year: 2026, week: 49 }), ['2026-11', '2026-12']);
  assert.equal(formatIsoWeek(shiftWeek({ year: 2026, week: 53 }, 1)), '2027-W01');
  assert.equal(formatIsoWeek(shiftWeek({ year: 2026, week: 1 }, -1)), '2025-W52');
  assert.deepEqual(parseIsoWeek('2026-W53'), { year: 2026, week: 53 });
  for (const bad of ['2025-W53', '2026-W00', '2026-W54', '2026-48', 'W48', '2026-W4', '1999-W10']) assert.equal(parseIsoWeek(bad), null, bad);
});

test('people read dd/mm/yyyy HH:mm in Vietnam time', () => {
  assert.equal(dateTimeVi(new Date('2026-12-01T01:00:00Z')), '01/12/2026 08:00');
  assert.equal(meetingSpanVi(new Date('2026-12-01T08:00:00+07:00'), new Date('2026-12-01T10:30:00+07:00')), '01/12/2026 08:00 – 10:30');
  assert.equal(meetingSpanVi(new Date('2026-12-01T08:00:00+07:00'), new Date('2026-12-02T17:00:00+07:00')), '01/12/2026 08:00 – 02/12/2026 17:00');
});

test('download names keep Vietnamese letters (RFC 5987) with an ASCII fallback', () => {
  assert.equal(
    contentDisposition('attachment', 'Báo cáo "tổng kết" (đợt 1).docx'),
    `attachment; filename="Bao cao _tong ket_ _dot 1_.docx"; filename*=UTF-8''B%C3%A1o%20c%C3%A1o%20%22t%E1%BB%95ng%20k%E1%BA%BFt%22%20%28%C4%91%E1%BB%A3t%201%29.docx`,
  );
  assert.equal(contentDisposition('inline', 'giay-moi.pdf'), `inline; filename="giay-moi.pdf"; filename*=UTF-8''giay-moi.pdf`);
  assert.match(contentDisposition('attachment', '\r\nSet-Cookie: x'), /^attachment; filename="__Set-Cookie_ x"; filename\*=UTF-8''%0D%0ASet-Cookie%3A%20x$/);
});
