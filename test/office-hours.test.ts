// When processing of an incoming document starts: at once inside office hours, else at the next start.
import test from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, describeConfig, loadConfig } from '../config';
import { FIXED_HOLIDAYS, isHoliday, processingStartsAt } from '../mail-gateway/register/office-hours';
import { formatIsoVietnam } from '../db/time';

const defaults = loadConfig({});

/** processingStartsAt for a Vietnam wall-clock time, answered as ISO +07:00 (or null). */
function startsAt(receivedIso: string, calendar = defaults): string | null {
  const start = processingStartsAt(new Date(receivedIso), calendar);
  return start === null ? null : formatIsoVietnam(start);
}

test('the default calendar is Monday to Friday, 07:00–11:30 and 13:30–17:00, with no extra days', () => {
  assert.deepEqual(defaults.officeHours, [{ startMinute: 7 * 60, endMinute: 11 * 60 + 30 }, { startMinute: 13 * 60 + 30, endMinute: 17 * 60 }]);
  assert.deepEqual(defaults.officeDays, [1, 2, 3, 4, 5]);
  assert.deepEqual(defaults.holidays, []);
  assert.deepEqual(defaults.extraWorkdays, []);
  const text = describeConfig({});
  assert.match(text, /^OFFICE_HOURS=07:00-11:30,13:30-17:00 /m);
  assert.match(text, /^OFFICE_DAYS=1,2,3,4,5 /m);
  assert.match(text, /^HOLIDAYS=\(unset\) /m);
  assert.match(text, /^EXTRA_WORKDAYS=\(unset\) /m);
});

test('inside office hours processing starts at once; the start is inside, the end is not', () => {
  assert.equal(startsAt('2026-11-23T09:15:00+07:00'), null);
  assert.equal(startsAt('2026-11-23T07:00:00+07:00'), null);
  assert.equal(startsAt('2026-11-23T16:59:59+07:00'), null);
  assert.equal(startsAt('2026-11-23T13:30:00+07:00'), null);
  assert.equal(startsAt('2026-11-23T17:00:00+07:00'), '2026-11-24T07:00:00+07:00');
  assert.equal(startsAt('2026-11-23T11:30:00+07:00'), '2026-11-23T13:30:00+07:00');
});

test('outside office hours processing starts at the next office-hours start', () => {
  assert.equal(startsAt('2026-11-23T06:59:59+07:00'), '2026-11-23T07:00:00+07:00', 'early morning: the same day');
  assert.equal(startsAt('2026-11-23T12:10:00+07:00'), '2026-11-23T13:30:00+07:00', 'lunch break: the afternoon');
  assert.equal(startsAt('2026-11-23T21:45:00+07:00'), '2026-11-24T07:00:00+07:00', 'evening: the next morning');
  assert.equal(startsAt('2026-11-27T17:30:00+07:00'), '2026-11-30T07:00:00+07:00', 'Friday evening: Monday');
  assert.equal(startsAt('2026-11-28T10:00:00+07:00'), '2026-11-30T07:00:00+07:00', 'Saturday: Monday');
  // 23:30 UTC on Sunday is 06:30 on Monday in Vietnam: the day is Vietnam's, not the server's.
  assert.equal(startsAt('2026-11-29T23:30:00Z'), '2026-11-30T07:00:00+07:00');
  assert.equal(startsAt('2026-11-23T02:00:00Z'), null, '09:00 in Vietnam');
});

test('the holidays fixed by law are days off every year', () => {
  assert.deepEqual([...FIXED_HOLIDAYS], ['01-01', '04-30', '05-01', '09-02']);
  for (const date of ['2026-01-01', '2026-04-30', '2026-05-01', '2026-09-02', '2031-09-02']) assert.ok(isHoliday(date, defaults), date);
  assert.equal(isHoliday('2026-09-03', defaults), false);
  // Wednesday 29/4 after hours: Thursday 30/4 and Friday 1/5 are off, then the weekend.
  assert.equal(startsAt('2026-04-29T17:05:00+07:00'), '2026-05-04T07:00:00+07:00');
  assert.equal(startsAt('2026-09-02T09:00:00+07:00'), '2026-09-03T07:00:00+07:00', 'Quốc khánh');
  // New Year's Eve: Friday 1/1/2027 is off, then the weekend.
  assert.equal(startsAt('2026-12-31T23:30:00+07:00'), '2027-01-04T07:00:00+07:00');
});

test('HOLIDAYS adds Tết and announced days off; EXTRA_WORKDAYS adds make-up Saturdays', () => {
  const calendar = loadConfig({ HOLIDAYS: '2026-02-16, 2026-02-17,2026-02-18,2026-02-19,2026-02-20,2026-09-01', EXTRA_WORKDAYS: '2026-02-28' });
  assert.deepEqual(calendar.holidays, ['2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20', '2026-09-01']);
  assert.equal(startsAt('2026-02-13T17:30:00+07:00', calendar), '2026-02-23T07:00:00+07:00', 'Tết week off');
  assert.equal(startsAt('2026-02-18T10:00:00+07:00', calendar), '2026-02-23T07:00:00+07:00');
  assert.equal(startsAt('2026-08-31T18:00:00+07:00', calendar), '2026-09-03T07:00:00+07:00', '1/9 and 2/9 off');
  assert.equal(startsAt('2026-02-27T18:00:00+07:00', calendar), '2026-02-28T07:00:00+07:00', 'a Saturday worked');
  assert.equal(startsAt('2026-02-28T09:00:00+07:00', calendar), null);
  assert.equal(startsAt('2026-02-27T18:00:00+07:00'), '2026-03-02T07:00:00+07:00', 'not worked by default');
});

test('OFFICE_HOURS and OFFICE_DAYS change the calendar', () => {
  const saturdayMornings = loadConfig({ OFFICE_HOURS: '7:30-12:00', OFFICE_DAYS: '1-5,6' });
  assert.deepEqual(saturdayMornings.officeHours, [{ startMinute: 450, endMinute: 720 }]);
  assert.deepEqual(saturdayMornings.officeDays, [1, 2, 3, 4, 5, 6]);
  assert.equal(startsAt('2026-11-27T12:00:00+07:00', saturdayMornings), '2026-11-28T07:30:00+07:00');
  assert.equal(startsAt('2026-11-28T08:00:00+07:00', saturdayMornings), null);
  assert.match(describeConfig({ OFFICE_HOURS: '13:30-17:00, 07:00-11:30' }), /^OFFICE_HOURS=07:00-11:30,13:30-17:00 /m);
  const everyDay = loadConfig({ OFFICE_HOURS: '00:00-24:00', OFFICE_DAYS: '1-7' });
  assert.equal(startsAt('2026-11-28T03:00:00+07:00', everyDay), null);
  assert.equal(startsAt('2026-01-01T10:00:00+07:00', everyDay), '2026-01-02T00:00:00+07:00', 'holidays still apply');
});

test('bad office-hours settings are refused with a clear message', () => {
  for (const [name, value] of [
    ['OFFICE_HOURS', '7h-17h'], ['OFFICE_HOURS', '17:00-07:00'], ['OFFICE_HOURS', '07:00-12:00,11:00-17:00'], ['OFFICE_HOURS', '07:60-08:00'],
    ['OFFICE_HOURS', '07:00-25:00'], ['OFFICE_DAYS', '0-5'], ['OFFICE_DAYS', '5-1'], ['OFFICE_DAYS', 'Mon-Fri'],
    ['HOLIDAYS', '2026-02-30'], ['HOLIDAYS', '17/02/2026'], ['EXTRA_WORKDAYS', '2026-13-01'],
  ]) {
    assert.throws(() => loadConfig({ [name]: value }), (err: unknown) => err instanceof ConfigError && err.message.includes(name), `${name}=${value}`);
  }
});

test('a calendar without any office day is a configuration mistake, not "inside office hours"', () => {
  const calendar = { ...defaults, officeDays: [6], extraWorkdays: [], holidays: [] };
  assert.equal(startsAt('2026-11-23T10:00:00+07:00', calendar), '2026-11-28T07:00:00+07:00');
  assert.throws(() => processingStartsAt(new Date('2026-11-23T10:00:00+07:00'), { ...defaults, officeDays: [] }), /OFFICE_DAYS/);
});
