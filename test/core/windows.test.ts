import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCalendar, EARLY_CLOSES, FULL_CLOSURES } from '../../src/core/calendar/index.ts';
import { activeOrNextWindow, nextWindows, windowPhase, windowsForDay, DEFAULT_WINDOWS_CONFIG } from '../../src/core/windows.ts';
import { formatEt, formatUtc } from '../../src/core/time/et.ts';
import { defaultIndexOps } from '../../src/config/index-ops.ts';

const cal = createCalendar();
const utc = (s: string) => Date.parse(s);

test('a regular day has hourly-1000…hourly-1500 and close-1600 with the right offsets and series', () => {
  const ws = windowsForDay('2026-11-20', cal);
  assert.deepEqual(ws.map((w) => w.label), ['hourly-1000', 'hourly-1100', 'hourly-1200', 'hourly-1300', 'hourly-1400', 'hourly-1500', 'close-1600']);
  const h10 = ws[0]!;
  assert.equal(formatEt(h10.startMs), '2026-11-20T09:45:00-05:00');
  assert.equal(formatEt(h10.strictMs), '2026-11-20T09:59:00-05:00');
  assert.equal(formatEt(h10.freezeMs), '2026-11-20T09:59:58-05:00');
  assert.equal(formatEt(h10.targetMs), '2026-11-20T10:00:00-05:00');
  assert.equal(formatUtc(h10.targetMs), '2026-11-20T15:00:00Z');
  assert.deepEqual(h10.series, ['INXU', 'NASDAQ100U']);
  assert.equal(h10.id, '2026-11-20/hourly-1000');
  const close = ws[6]!;
  assert.equal(formatEt(close.startMs), '2026-11-20T15:50:00-05:00');
  assert.equal(formatUtc(close.targetMs), '2026-11-20T21:00:00Z');
  assert.deepEqual([...close.series].sort(), ['INX', 'INXU', 'NASDAQ100', 'NASDAQ100U']);
  assert.equal(defaultIndexOps().windows.hourly_targets.length, DEFAULT_WINDOWS_CONFIG.hourly_targets.length);
});

test('every table closure has no windows; every early close has hourly up to 12:00 and close-1300', () => {
  for (const e of FULL_CLOSURES) assert.deepEqual(windowsForDay(e.date, cal), [], e.date);
  for (const e of EARLY_CLOSES) {
    const ws = windowsForDay(e.date, cal);
    assert.deepEqual(ws.map((w) => w.label), ['hourly-1000', 'hourly-1100', 'hourly-1200', 'close-1300'], e.date);
    const close = ws[3]!;
    assert.equal(formatEt(close.startMs).slice(11, 19), '12:50:00');
    assert.equal(formatEt(close.targetMs).slice(11, 19), '13:00:00');
    assert.equal(formatEt(close.freezeMs).slice(11, 19), '12:59:58');
  }
});

test('weekends have no windows', () => {
  assert.deepEqual(windowsForDay('2026-11-21', cal), []);
  assert.deepEqual(windowsForDay('2026-11-22', cal), []);
});

test('a day outside the table is an error', () => {
  assert.throws(() => windowsForDay('2028-03-01', cal), /outside the trading calendar/);
  assert.throws(() => nextWindows(utc('2027-12-31T22:00:00Z'), 1, cal), /2028-01-0\d is outside/);
});

// Every DST change of 2025–2027: the trading day before (Friday) and after (Monday), ET and UTC.
const DST = [
  { sunday: '2025-03-09', fri: '2025-03-07', mon: '2025-03-10', before: '-05:00', after: '-04:00' },
  { sunday: '2025-11-02', fri: '2025-10-31', mon: '2025-11-03', before: '-04:00', after: '-05:00' },
  { sunday: '2026-03-08', fri: '2026-03-06', mon: '2026-03-09', before: '-05:00', after: '-04:00' },
  { sunday: '2026-11-01', fri: '2026-10-30', mon: '2026-11-02', before: '-04:00', after: '-05:00' },
  { sunday: '2027-03-14', fri: '2027-03-12', mon: '2027-03-15', before: '-05:00', after: '-04:00' },
  { sunday: '2027-11-07', fri: '2027-11-05', mon: '2027-11-08', before: '-04:00', after: '-05:00' },
];
const utcHour = (etHour: number, offset: string) => etHour - Number(offset.slice(0, 3)); // -05:00 → +5

for (const d of DST) {
  test(`DST week around ${d.sunday}: windows before and after the change in ET and UTC`, () => {
    for (const [date, offset] of [[d.fri, d.before], [d.mon, d.after]] as const) {
      const ws = windowsForDay(date, cal);
      assert.equal(ws.length, 7, date);
      for (const w of ws) {
        const hh = Number(w.label.slice(-4, -2));
        assert.equal(formatEt(w.targetMs), `${date}T${String(hh).padStart(2, '0')}:00:00${offset}`);
        assert.equal(formatUtc(w.targetMs), `${date}T${String(utcHour(hh, offset)).padStart(2, '0')}:00:00Z`);
        assert.equal(w.targetMs - w.strictMs, 60_000);
        assert.equal(w.targetMs - w.freezeMs, 2_000);
        assert.equal(w.targetMs - w.startMs, (w.targetType === 'hourly' ? 15 : 10) * 60_000);
      }
    }
    // From just after Friday's close, the next window is Monday 10:00 ET at the new offset.
    const friClose = windowsForDay(d.fri, cal).at(-1)!.targetMs;
    const next = activeOrNextWindow(friClose + 1, cal);
    assert.equal(next.id, `${d.mon}/hourly-1000`);
    assert.equal(formatEt(next.targetMs), `${d.mon}T10:00:00${d.after}`);
    // The weekend itself has no windows, and the transition Sunday is not a trading day.
    assert.deepEqual(windowsForDay(d.sunday, cal), []);
  });
}

test('active vs next: inside, before and after a window; never rolls to the wrong hour', () => {
  const at = (s: string) => utc(s);
  // 10:20 ET: hourly-1000 is over, hourly-1100 (starts 10:45) is next — not "active".
  let w = activeOrNextWindow(at('2026-11-20T15:20:00Z'), cal, { series: 'INXU' });
  assert.equal(w.label, 'hourly-1100');
  assert.equal(windowPhase(w, at('2026-11-20T15:20:00Z')), 'pending');
  // 10:50 ET: inside hourly-1100.
  w = activeOrNextWindow(at('2026-11-20T15:50:00Z'), cal, { series: 'INXU' });
  assert.equal(w.label, 'hourly-1100');
  assert.equal(windowPhase(w, at('2026-11-20T15:50:00Z')), 'quoting');
  // 10:59:30 strict phase; 10:59:59 frozen; 11:00:00 exactly → that window is done, the next is hourly-1200.
  assert.equal(windowPhase(w, at('2026-11-20T15:59:30Z')), 'strict');
  assert.equal(windowPhase(w, at('2026-11-20T15:59:59Z')), 'frozen');
  assert.equal(activeOrNextWindow(at('2026-11-20T16:00:00Z'), cal, { series: 'INXU' }).label, 'hourly-1200');
  // Close-only series skip the hourly windows.
  assert.equal(activeOrNextWindow(at('2026-11-20T15:50:00Z'), cal, { series: 'INX' }).label, 'close-1600');
  // After Friday's close: Monday (the weekend is skipped).
  assert.equal(activeOrNextWindow(at('2026-11-20T21:00:01Z'), cal, { series: 'NASDAQ100' }).id, '2026-11-23/close-1600');
  // Before Thanksgiving: Wednesday's close → Friday's early close-1300 (Thursday is closed).
  assert.equal(activeOrNextWindow(at('2026-11-25T21:00:00Z'), cal, { series: 'INX' }).id, '2026-11-27/close-1300');
  // 08:00 ET on a trading day: the first window of the day.
  assert.equal(activeOrNextWindow(at('2026-11-20T13:00:00Z'), cal).id, '2026-11-20/hourly-1000');
});

test('nextWindows returns N windows in order across days', () => {
  const ws = nextWindows(utc('2026-11-25T20:00:00Z'), 6, cal);
  assert.deepEqual(ws.map((w) => w.id), [
    '2026-11-25/close-1600',
    '2026-11-27/hourly-1000',
    '2026-11-27/hourly-1100',
    '2026-11-27/hourly-1200',
    '2026-11-27/close-1300',
    '2026-11-30/hourly-1000',
  ]);
  for (let i = 1; i < ws.length; i++) assert.ok(ws[i]!.targetMs > ws[i - 1]!.targetMs);
});
