import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, defaultIndexOps, parseIndexOps, windowsProblem } from '../../src/config/index-ops.ts';
import { windowsForDay } from '../../src/core/windows.ts';
import { createCalendar } from '../../src/core/calendar/index.ts';

const F = 'configs/index_ops.yaml';
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `windows:` section YAML from key/value lines. */
const windows = (...lines: string[]) => `windows:\n${lines.map((l) => `  ${l}`).join('\n')}\n`;

function rejects(yaml: string, key: string, message: RegExp): void {
  assert.throws(
    () => parseIndexOps(yaml),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError, `ConfigError, got ${String(e)}`);
      // file:line:column of the key's value, then the key
      assert.ok(new RegExp(`^${esc(F)}:\\d+:\\d+: ${esc(key)}: `).test(e.message), `names ${key} and where it is: ${e.message}`);
      assert.match(e.message, message);
      assert.doesNotMatch(e.message, /\n/, 'one line');
      return true;
    },
    yaml,
  );
}

test('defaults and the shipped layout pass; the 13:00 early close fits too', () => {
  assert.equal(windowsProblem(defaultIndexOps().windows), undefined);
  const cfg = parseIndexOps(windows('hourly_targets: ["11:00", "12:00", "15:00"]', 'hourly_start_offset_minutes: 30', 'close_start_offset_minutes: 60'));
  assert.deepEqual(cfg.windows.hourly_targets, ['11:00', '12:00', '15:00']);
  // Touching windows (a start at the previous target) are allowed: windows are [start, target).
  parseIndexOps(windows('hourly_start_offset_minutes: 60', 'hourly_targets: ["11:00", "12:00"]'));
});

test('windows.hourly_targets: a duplicate target is rejected', () => {
  rejects(windows('hourly_targets: ["10:00", "11:00", "10:00"]'), 'windows.hourly_targets', /10:00 is listed twice/);
});

test('windows.hourly_targets: targets outside cash hours (09:00, 20:00, 16:00, 09:45) are rejected', () => {
  for (const t of ['09:00', '20:00', '16:00', '09:45', '00:00', '23:00', '15:30']) {
    rejects(windows(`hourly_targets: ["11:00", "${t}"]`), 'windows.hourly_targets', new RegExp(`${t} is outside cash hours: hourly targets lie in 10:00…15:00`));
  }
});

test('windows.hourly_targets: a target off the hour is rejected (hourly events settle at HH:00)', () => {
  rejects(windows('hourly_targets: ["10:30"]'), 'windows.hourly_targets', /10:30 is not on the hour/);
});

test('windows.hourly_start_offset_minutes: a window may not start at or before the 09:30 open', () => {
  rejects(windows('hourly_start_offset_minutes: 30'), 'windows.hourly_start_offset_minutes', /30 would start the 10:00 window at 09:30, not after the 09:30 open/);
  rejects(windows('hourly_targets: ["12:00"]', 'hourly_start_offset_minutes: 900'), 'windows.hourly_start_offset_minutes', /before midnight/);
  parseIndexOps(windows('hourly_start_offset_minutes: 29'));
});

test('windows.hourly_start_offset_minutes: longer than the gap between two targets is rejected (windows overlap)', () => {
  rejects(
    windows('hourly_targets: ["11:00", "12:00", "14:00"]', 'hourly_start_offset_minutes: 61'),
    'windows.hourly_start_offset_minutes',
    /61 is longer than the 60-minute gap between the 11:00 and 12:00 targets \(windows of one day must not overlap\)/,
  );
});

test('windows.close_start_offset_minutes: the close window may not overlap the last hourly window (regular and early close)', () => {
  rejects(windows('close_start_offset_minutes: 61'), 'windows.close_start_offset_minutes', /61 would start the close-1600 window at 14:59, before the 15:00 hourly target/);
  // Fine on a regular day (close window from 14:50), but on a 13:00 early close it starts at 11:50.
  rejects(
    windows('hourly_targets: ["10:00", "12:00"]', 'close_start_offset_minutes: 70'),
    'windows.close_start_offset_minutes',
    /70 would start the close-1300 window on an early-close day at 11:50, before the 12:00 hourly target/,
  );
  rejects(
    windows('hourly_targets: ["10:00", "11:00", "12:00", "13:00"]', 'close_start_offset_minutes: 90'),
    'windows.close_start_offset_minutes',
    /90 would start the close-1300 window on an early-close day at 11:30, before the 12:00 hourly target/,
  );
  rejects(
    windows('hourly_targets: ["10:00"]', 'close_start_offset_minutes: 210'),
    'windows.close_start_offset_minutes',
    /210 would start the close-1300 window on an early-close day at 09:30, not after the 09:30 open/,
  );
  parseIndexOps(windows('close_start_offset_minutes: 60'));
});

test('windows.close_start_offset_minutes: equal to the strict time (or shorter) is rejected', () => {
  rejects(windows('close_start_offset_minutes: 1'), 'windows.close_start_offset_minutes', /1 min must be longer than windows\.strict_offset_seconds \(60 s\): the close window would start at or after its strict time/);
  rejects(windows('close_start_offset_minutes: 2', 'strict_offset_seconds: 150'), 'windows.close_start_offset_minutes', /start at or after its strict time/);
  parseIndexOps(windows('close_start_offset_minutes: 2'));
});

test('windows.early_close_last_hourly must come before the 13:00 early close', () => {
  rejects(windows('early_close_last_hourly: "13:00"'), 'windows.early_close_last_hourly', /13:00 is outside 10:00…12:59/);
  rejects(windows('early_close_last_hourly: "09:00"'), 'windows.early_close_last_hourly', /09:00 is outside/);
});

test('strict and freeze offsets stay ordered inside the window (existing rules, same keys)', () => {
  rejects(windows('freeze_offset_seconds: 60'), 'windows.freeze_offset_seconds', /less than windows\.strict_offset_seconds/);
  rejects(windows('strict_offset_seconds: 900'), 'windows.strict_offset_seconds', /inside the window/);
});

test('other cross-field holes: hysteresis above min EV, backoff base above max', () => {
  rejects('quotes:\n  min_ev_usd: 0.02\n  ev_hysteresis_usd: 0.03\n', 'quotes.ev_hysteresis_usd', /must not exceed quotes\.min_ev_usd/);
  rejects('kalshi:\n  rest_backoff_base_ms: 9000\n', 'kalshi.rest_backoff_base_ms', /must not exceed/);
  rejects('kalshi:\n  ws_reconnect_base_ms: 40000\n', 'kalshi.ws_reconnect_base_ms', /must not exceed/);
  rejects('freshness:\n  strict_ms: 2000\n', 'freshness.strict_ms', /must not exceed freshness\.soft_ms/);
});

test('every accepted windows section lays out non-overlapping windows inside cash hours (regular and early close)', () => {
  const cal = createCalendar();
  const cfgs = [
    defaultIndexOps(),
    parseIndexOps(windows('hourly_targets: ["15:00", "10:00"]', 'hourly_start_offset_minutes: 29', 'close_start_offset_minutes: 60')),
    parseIndexOps(windows('hourly_targets: ["11:00", "12:00"]', 'hourly_start_offset_minutes: 60', 'close_start_offset_minutes: 60')),
  ];
  for (const cfg of cfgs) {
    for (const date of ['2026-11-20', '2026-11-27']) {
      const ws = windowsForDay(date, cal, cfg.windows);
      for (let i = 0; i < ws.length; i++) {
        const w = ws[i]!;
        assert.ok(w.startMs < w.strictMs && w.strictMs < w.freezeMs && w.freezeMs < w.targetMs, w.id);
        if (i > 0) assert.ok(w.startMs >= ws[i - 1]!.targetMs, `${w.id} overlaps ${ws[i - 1]!.id}`);
      }
    }
  }
});
