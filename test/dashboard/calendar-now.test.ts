/**
 * The calendar gauges behind the alert rules' "during cash hours" / "during a window": right on both sides of
 * each DST switch (the same ET times an hour apart in UTC), on early closes, weekends and holidays, and
 * silent (null) outside the calendar's years rather than guessing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calendarNow } from '../../src/dashboard/calendar-now.ts';
import { createCalendar } from '../../src/core/calendar/calendar.ts';
import { DEFAULT_WINDOWS_CONFIG } from '../../src/core/windows.ts';

const cal = createCalendar();
const at = (iso: string) => calendarNow(Date.parse(iso), cal, DEFAULT_WINDOWS_CONFIG);

test('cash session: 09:30 ET to the close in EST and EDT alike, by the calendar', () => {
  // Monday after the spring-forward switch (EDT, UTC−4) and after the fall-back one (EST, UTC−5).
  for (const [day, off] of [['2026-03-09', '-04:00'], ['2026-11-02', '-05:00'], ['2026-03-06', '-05:00'], ['2026-10-30', '-04:00']] as const) {
    assert.equal(at(`${day}T09:29:59${off}`).cash_session_open, false, `${day} before the open`);
    assert.equal(at(`${day}T09:30:00${off}`).cash_session_open, true, `${day} at the open`);
    assert.equal(at(`${day}T15:59:59${off}`).cash_session_open, true, `${day} before the close`);
    assert.equal(at(`${day}T16:00:00${off}`).cash_session_open, false, `${day} at the close`);
  }
  // The same UTC instant is inside the session in summer and outside it in winter.
  assert.equal(at('2026-03-09T13:45:00Z').cash_session_open, true);
  assert.equal(at('2026-03-06T13:45:00Z').cash_session_open, false);
  // Early close, weekend, holiday.
  assert.equal(at('2026-11-27T12:59:00-05:00').cash_session_open, true);
  assert.equal(at('2026-11-27T13:00:00-05:00').cash_session_open, false);
  assert.equal(at('2026-11-21T11:00:00-05:00').cash_session_open, false, 'Saturday');
  assert.equal(at('2026-11-26T11:00:00-05:00').cash_session_open, false, 'Thanksgiving');
});

test('calendar window: from a window start to its freeze; none between windows or on a closed day', () => {
  assert.deepEqual(at('2026-03-09T09:44:59-04:00'), { cash_session_open: true, calendar_window: null });
  assert.equal(at('2026-03-09T09:45:00-04:00').calendar_window, 'hourly-1000');
  assert.equal(at('2026-03-09T09:59:57-04:00').calendar_window, 'hourly-1000');
  assert.equal(at('2026-03-09T09:59:58-04:00').calendar_window, null, 'frozen from target − 2 s');
  assert.equal(at('2026-11-02T15:50:00-05:00').calendar_window, 'close-1600');
  assert.equal(at('2026-11-27T12:55:00-05:00').calendar_window, 'close-1300', 'early close');
  assert.equal(at('2026-11-27T14:50:00-05:00').calendar_window, null, 'no hourly window after an early close');
  assert.equal(at('2026-11-26T09:50:00-05:00').calendar_window, null, 'holiday');
});

test('outside the calendar years: nothing claimed', () => {
  assert.deepEqual(at('2031-06-02T11:00:00-04:00'), { cash_session_open: null, calendar_window: null });
});
