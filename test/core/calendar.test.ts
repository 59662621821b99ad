import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Temporal } from 'temporal-polyfill';
import { createCalendar, CalendarRangeError, EARLY_CLOSES, FULL_CLOSURES } from '../../src/core/calendar/index.ts';
import { parseCalendarOverrides } from '../../src/config/calendar-config.ts';

// ---- Independent oracle: NYSE holiday rules (reference §4), computed here, not in src. ----
const pd = (y: number, m: number, d: number) => Temporal.PlainDate.from({ year: y, month: m, day: d });
function nthWeekday(y: number, m: number, dow: number, n: number) {
  let d = pd(y, m, 1);
  while (d.dayOfWeek !== dow) d = d.add({ days: 1 });
  return d.add({ weeks: n - 1 });
}
function lastWeekday(y: number, m: number, dow: number) {
  let d = pd(y, m, 1).add({ months: 1 }).subtract({ days: 1 });
  while (d.dayOfWeek !== dow) d = d.subtract({ days: 1 });
  return d;
}
function nearestWorkday(d: Temporal.PlainDate) {
  if (d.dayOfWeek === 6) return d.subtract({ days: 1 });
  if (d.dayOfWeek === 7) return d.add({ days: 1 });
  return d;
}
function easter(y: number) {
  // Anonymous Gregorian algorithm.
  const a = y % 19, b = Math.floor(y / 100), c = y % 100, d = Math.floor(b / 4), e = b % 4;
  const f = Math.floor((b + 8) / 25), g = Math.floor((b - f + 1) / 3), h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4), k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7, m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31), day = ((h + l - 7 * m + 114) % 31) + 1;
  return pd(y, month, day);
}
function ruleHolidays(y: number): string[] {
  const out: Temporal.PlainDate[] = [];
  const ny = pd(y, 1, 1);
  if (ny.dayOfWeek === 7) out.push(ny.add({ days: 1 }));
  else if (ny.dayOfWeek !== 6) out.push(ny); // Saturday New Year: no holiday
  out.push(nthWeekday(y, 1, 1, 3), nthWeekday(y, 2, 1, 3), easter(y).subtract({ days: 2 }), lastWeekday(y, 5, 1));
  out.push(nearestWorkday(pd(y, 6, 19)), nearestWorkday(pd(y, 7, 4)), nthWeekday(y, 9, 1, 1), nthWeekday(y, 11, 4, 4));
  out.push(nearestWorkday(pd(y, 12, 25)));
  return out.map(String).sort();
}
function ruleEarlyCloses(y: number): string[] {
  const out: string[] = [];
  const jul3 = pd(y, 7, 3);
  if ([1, 2, 3, 4].includes(jul3.dayOfWeek)) out.push(String(jul3));
  out.push(String(nthWeekday(y, 11, 4, 4).add({ days: 1 })));
  const dec24 = pd(y, 12, 24);
  if ([1, 2, 3, 4].includes(dec24.dayOfWeek)) out.push(String(dec24));
  return out.sort();
}

const cal = createCalendar();

test('table full closures match the NYSE rules for 2025–2027, plus the Carter day of mourning', () => {
  for (const y of [2025, 2026, 2027]) {
    const expected = ruleHolidays(y);
    if (y === 2025) expected.push('2025-01-09');
    const table = FULL_CLOSURES.filter((e) => e.date.startsWith(String(y))).map((e) => e.date);
    assert.deepEqual(table.sort(), expected.sort(), `closures ${y}`);
  }
});

test('table early closes match the rules (no July early close in 2026/2027)', () => {
  for (const y of [2025, 2026, 2027]) {
    const table = EARLY_CLOSES.filter((e) => e.date.startsWith(String(y))).map((e) => e.date);
    assert.deepEqual(table.sort(), ruleEarlyCloses(y), `early closes ${y}`);
  }
  assert.ok(!EARLY_CLOSES.some((e) => e.date === '2026-07-02' || e.date === '2027-07-02'));
});

test('every table closure is a closed session with its name; every early close closes at 13:00', () => {
  for (const e of FULL_CLOSURES) {
    const s = cal.session(e.date);
    assert.equal(s.status, 'closed', e.date);
    assert.equal(s.closeEt, null);
    assert.equal(s.reason, e.name);
  }
  for (const e of EARLY_CLOSES) {
    const s = cal.session(e.date);
    assert.equal(s.status, 'early_close', e.date);
    assert.equal(s.closeEt, '13:00');
  }
});

test('named edge days', () => {
  assert.equal(cal.session('2025-01-09').status, 'closed'); // Carter
  for (const d of ['2025-11-11', '2026-11-11', '2027-11-11']) assert.equal(cal.session(d).status, 'regular', `Veterans Day ${d}`);
  for (const d of ['2025-10-13', '2026-10-12']) assert.equal(cal.session(d).status, 'regular', `Columbus Day ${d}`);
  assert.equal(cal.session('2026-07-03').status, 'closed'); // observed Independence Day
  assert.equal(cal.session('2027-06-18').status, 'closed');
  assert.equal(cal.session('2027-07-05').status, 'closed');
  assert.equal(cal.session('2027-12-24').status, 'closed');
  assert.equal(cal.session('2027-12-31').status, 'regular'); // Jan 1 2028 is a Saturday
  assert.equal(cal.session('2025-12-26').status, 'regular'); // federal closure did not change exchange hours
  assert.equal(cal.session('2026-11-21').reason, 'weekend');
  assert.equal(cal.session('2026-11-22').status, 'closed');
  assert.equal(cal.session('2026-11-20').status, 'regular');
});

test('outside the table years is a clear error, not a guess', () => {
  assert.throws(() => cal.session('2024-12-31'), CalendarRangeError);
  assert.throws(() => cal.session('2028-01-03'), /outside the trading calendar's years 2025–2027/);
});

test('configs/calendar.yaml overrides add closures and early closes and are validated', () => {
  const o = parseCalendarOverrides(
    'closures:\n  - date: 2026-12-28\n    reason: day of mourning\nearly_closes:\n  - date: 2026-12-31\n',
  );
  const c = createCalendar(o);
  assert.deepEqual(c.session('2026-12-28'), { date: '2026-12-28', status: 'closed', closeEt: null, reason: 'day of mourning' });
  assert.equal(c.session('2026-12-31').status, 'early_close');
  assert.equal(c.session('2026-12-31').closeEt, '13:00');
  assert.throws(() => parseCalendarOverrides('closures:\n  - date: 2026-02-30\n'), /closures\.0\.date: expected a real date/);
  assert.throws(() => parseCalendarOverrides('closures:\n  - day: 2026-12-28\n'), /closures\.0\.date: .*expected string/);
  assert.throws(() => parseCalendarOverrides('closures:\n  - date: 2026-12-28\n    why: x\n'), /closures\.0\.why: unknown key/);
  assert.throws(() => parseCalendarOverrides('early_closes:\n  - date: 2026-12-31\n    close: "25:00"\n'), /early_closes\.0\.close/);
  assert.throws(() => createCalendar({ closures: [{ date: '2029-01-02' }] }), CalendarRangeError);
});
