// The .ics of an invitation: RFC 5545 line rules checked on the bytes, then parsed back with an independent
// parser (ical.js) to check the values, the time zone and the answer as PARTSTAT.
import test from 'node:test';
import assert from 'node:assert/strict';
import ICAL from 'ical.js';
import { buildInvitationIcs, IcsAttendee, invitationUid } from '../moihop-web/invitations/ics';
import { escapeText, foldLine, paramValue } from '../moihop-web/invitations/ical-writer';
import type { Invitation, UnitAnswer } from '../db/invitations/types';

const TITLE = 'Họp bàn về phòng, chống lụt bão; ứng phó "siêu bão" số 9\\2026 và các biện pháp khắc phục hậu quả trên địa bàn tỉnh Bình Thuận';
const CONTENT = 'Đề nghị các đơn vị chuẩn bị báo cáo.\nMang theo tài liệu họp; đến đúng giờ, trước 15 phút.';

function invitation(overrides: Partial<Invitation> = {}): Invitation {
  return {
    id: '01JDV0N3QH5Z6R8T9V0W1X2Y3Z',
    status: 'đã phát hành',
    title: TITLE,
    docNumber: '45/GM-UBND',
    host: 'Đồng chí Chủ tịch UBND tỉnh',
    startsAt: new Date('2026-12-01T08:30:00+07:00'),
    endsAt: new Date('2026-12-01T11:00:00+07:00'),
    place: 'Phòng họp số 1, Trụ sở UBND tỉnh, 04 Nguyễn Tất Thành, TP Phan Thiết',
    content: CONTENT,
    urgency: 'Hỏa tốc',
    answerDeadline: new Date('2026-11-30T17:00:00+07:00'),
    sequence: 2,
    referenceOnly: false,
    verdict: 'valid',
    warnings: [],
    createdBy: 'cli:admin',
    createdAt: new Date('2026-11-20T09:00:00+07:00'),
    updatedAt: new Date('2026-11-21T10:00:00+07:00'),
    publishedAt: new Date('2026-11-20T09:00:00+07:00'),
    cancelledAt: null,
    cancelReason: null,
    ...overrides,
  };
}

const answer = (overrides: Partial<UnitAnswer>): UnitAnswer => ({
  answer: 'tham dự', attendeeName: 'Nguyễn Văn An', attendeePosition: 'Phó Giám đốc', attendeePhone: null, reason: null,
  answeredAt: new Date('2026-11-22T08:00:00+07:00'), answeredBy: 'congan', sequence: 2, ...overrides,
});

const unit = (a: UnitAnswer | null, email: string | null = 'vanthu@ca.binhthuan.gov.vn'): IcsAttendee => ({ name: 'Công an tỉnh', email, unitId: 'cong-an-tinh', answer: a });
const ORGANIZER = { name: 'Văn phòng UBND tỉnh Bình Thuận', email: 'ubnd@binhthuan.gov.vn' };
const NOW = new Date('2026-11-25T10:00:00+07:00');

function build(inv: Invitation, attendee: IcsAttendee | null) {
  return buildInvitationIcs({ invitation: inv, attendee, organizer: ORGANIZER, url: 'https://moihop.binhthuan.gov.vn/giay-moi/01JDV0N3QH5Z6R8T9V0W1X2Y3Z', now: NOW });
}

function parse(text: string) {
  const calendar = new ICAL.Component(ICAL.parse(text));
  for (const zone of calendar.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(zone);
  const vevent = calendar.getFirstSubcomponent('vevent')!;
  return { calendar, vevent, event: new ICAL.Event(vevent) };
}

/** Every line rule of RFC 5545 §3.1 on the raw bytes. */
function assertLineRules(text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  assert.ok(text.endsWith('\r\n'), 'the object ends with CRLF');
  assert.doesNotMatch(text.replace(/\r\n/g, ''), /[\r\n]/, 'no bare CR or LF');
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let start = 0;
  for (let i = 0; i < bytes.length - 1; i++) {
    if (bytes[i] !== 0x0d || bytes[i + 1] !== 0x0a) continue;
    const line = bytes.subarray(start, i);
    assert.ok(line.length <= 75, `line of ${line.length} octets: ${line.toString()}`);
    assert.doesNotThrow(() => decoder.decode(line), 'folding never splits a UTF-8 sequence');
    start = i + 2;
  }
}

test('a unit whose delegate goes: valid RFC 5545, folded at 75 octets, text round-trips, ACCEPTED with a comment', () => {
  const text = build(invitation(), unit(answer({ answer: 'cử người dự thay', attendeeName: 'Trần Thị Bình', attendeePosition: 'Trưởng phòng', attendeePhone: '0912 345 678' })));
  assertLineRules(text);
  assert.ok(text.split('\r\n').some((line) => line.startsWith(' ')), 'long lines were folded');
  const { calendar, vevent, event } = parse(text);
  assert.equal(calendar.getFirstPropertyValue('method'), 'REQUEST');
  assert.equal(calendar.getFirstPropertyValue('version'), '2.0');
  assert.equal(event.uid, invitationUid('01JDV0N3QH5Z6R8T9V0W1X2Y3Z'));
  assert.equal(event.sequence, 2);
  assert.equal(event.summary, TITLE, 'commas, semicolons, quotes and backslashes come back unchanged');
  assert.equal(event.location, invitation().place);
  assert.ok(event.description.endsWith(CONTENT), 'the content with its newline comes back');
  assert.match(event.description, /Chủ trì: Đồng chí Chủ tịch UBND tỉnh/);
  assert.equal(vevent.getFirstProperty('dtstart')!.getParameter('tzid'), 'Asia/Ho_Chi_Minh');
  assert.equal(event.startDate.toJSDate().toISOString(), '2026-12-01T01:30:00.000Z', '08:30 in Vietnam');
  assert.equal(event.endDate.toJSDate().toISOString(), '2026-12-01T04:00:00.000Z');
  assert.match(text, /\r\nDTSTART;TZID=Asia\/Ho_Chi_Minh:20261201T083000\r\n/);
  assert.match(text, /\r\nDTSTAMP:20261125T030000Z\r\n/, 'DTSTAMP is UTC');
  assert.equal(vevent.getFirstPropertyValue('priority'), 1, 'Hỏa tốc is the highest priority');
  const [attendee] = event.attendees;
  assert.equal(attendee.getFirstValue(), 'mailto:vanthu@ca.binhthuan.gov.vn');
  assert.equal(attendee.getParameter('partstat'), 'ACCEPTED');
  assert.equal(attendee.getParameter('cn'), 'Công an tỉnh');
  assert.equal(attendee.getParameter('rsvp'), undefined, 'an answered unit is not asked again');
  assert.equal(vevent.getFirstPropertyValue('comment'), 'Cử người dự thay: Trần Thị Bình, Trưởng phòng, điện thoại 0912 345 678');
  assert.equal(String(vevent.getFirstProperty('organizer')!.getFirstValue()), 'mailto:ubnd@binhthuan.gov.vn');
});

test('each answer maps to its PARTSTAT; no answer asks for one while answers are open', () => {
  const partstat = (a: UnitAnswer | null, inv = invitation()) => parse(build(inv, unit(a))).event.attendees[0];
  assert.equal(partstat(answer({})).getParameter('partstat'), 'ACCEPTED');
  const declined = parse(build(invitation(), unit(answer({ answer: 'không tham dự', attendeeName: null, attendeePosition: null, reason: 'Trùng lịch tiếp dân, phải trực' }))));
  assert.equal(declined.event.attendees[0].getParameter('partstat'), 'DECLINED');
  assert.equal(declined.vevent.getFirstPropertyValue('comment'), 'Không tham dự. Lý do: Trùng lịch tiếp dân, phải trực');
  const pending = partstat(null);
  assert.equal(pending.getParameter('partstat'), 'NEEDS-ACTION');
  assert.equal(pending.getParameter('rsvp'), 'TRUE');
  const closed = partstat(null, invitation({ answerDeadline: new Date('2026-11-24T17:00:00+07:00') }));
  assert.equal(closed.getParameter('rsvp'), undefined, 'after the deadline no reply is asked for');
});

test('a unit without an official address is named by a urn; the admin copy has no attendee', () => {
  const { event } = parse(build(invitation(), unit(null, null)));
  assert.equal(event.attendees[0].getFirstValue(), 'urn:moihop:don-vi:cong-an-tinh');
  const admin = parse(build(invitation(), null));
  assert.equal(admin.event.attendees.length, 0);
});

test('a cancelled invitation is METHOD:CANCEL with STATUS:CANCELLED and its higher SEQUENCE', () => {
  const text = build(invitation({ status: 'đã hủy', sequence: 3, cancelReason: 'Lãnh đạo đi công tác' }), unit(answer({})));
  assertLineRules(text);
  const { calendar, vevent, event } = parse(text);
  assert.equal(calendar.getFirstPropertyValue('method'), 'CANCEL');
  assert.equal(vevent.getFirstPropertyValue('status'), 'CANCELLED');
  assert.equal(event.sequence, 3);
  assert.match(event.description, /ĐÃ HỦY: Lãnh đạo đi công tác/);
});

test('folding counts octets, never splits a character, and leaves a 75-octet line alone', () => {
  const exact = `SUMMARY:${'a'.repeat(67)}`;
  assert.equal(foldLine(exact), exact);
  assert.equal(foldLine(`${exact}b`), `${exact}\r\n b`);
  // "ữ" is 3 octets: 24 of them (72 octets) after "X:" (2 octets) fill 74; the 25th would make 77.
  const folded = foldLine(`X:${'ữ'.repeat(30)}`).split('\r\n');
  assert.deepEqual(folded.map((l) => Buffer.byteLength(l)), [74, 1 + 6 * 3]);
  assert.equal(folded.map((l, i) => (i ? l.slice(1) : l)).join(''), `X:${'ữ'.repeat(30)}`);
});

test('text and parameter escaping', () => {
  assert.equal(escapeText('a,b;c\\d\r\ne\u0007f'), 'a\\,b\\;c\\\\d\\nef');
  assert.equal(paramValue('Công an tỉnh'), 'Công an tỉnh');
  assert.equal(paramValue('Sở "Tài chính": Phòng A, B'), `"Sở 'Tài chính': Phòng A, B"`);
});
