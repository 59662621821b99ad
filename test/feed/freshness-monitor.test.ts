import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { buildFreshnessReport, nextAlert, writeFreshnessMonitor, type FreshnessMonitorInput } from '../../src/adapters/monitors/freshness.ts';
import { tempDir } from '../helpers/tmp.ts';

const NOW = Date.parse('2026-11-20T14:50:00Z');
const base: FreshnessMonitorInput = {
  nowMs: NOW,
  clock: 'virtual',
  window: { id: '2026-11-20/hourly-1000', label: 'hourly-1000', strictMs: Date.parse('2026-11-20T14:59:00Z') },
  thresholds: { softMs: 1500, strictMs: 800 },
  ages: { polygon: 120.4, massive: 900 },
  dualFeed: { active: 'polygon', lastSwitchAt: Date.parse('2026-11-20T14:45:01.201Z'), switches: 3 },
};

test('freshness.json has exactly the SPEC §7.5 shape', () => {
  const r = buildFreshnessReport(base, null);
  assert.deepEqual(r, {
    generated_at: '2026-11-20T14:50:00Z',
    clock: 'virtual',
    supervisor: 'running',
    window: 'hourly-1000',
    required_feeds_ok: true,
    data_freshness: {
      polygon_ws: { age_ms: 120, stale: false, threshold_ms: 1500, strict: false },
      massive_ws: { age_ms: 900, stale: false, threshold_ms: 1500, strict: false },
      kalshi_ws: { age_ms: null, stale: null, threshold_ms: 1500, strict: false },
    },
    dual_feed: { active: 'polygon', last_switch_at: '2026-11-20T14:45:01.201Z', switches: 3 },
    alert: { consecutive_windows: 0, alert: false, window_flagged: false, window_id: '2026-11-20/hourly-1000' },
  });
});

test('strict threshold from strict_et; kalshi age gates required_feeds_ok when given; stand-down is never ok', () => {
  const strict = buildFreshnessReport({ ...base, nowMs: Date.parse('2026-11-20T14:59:30Z'), ages: { polygon: 850, massive: 100, kalshi: 300 } }, null);
  assert.deepEqual(strict.data_freshness.polygon_ws, { age_ms: 850, stale: true, threshold_ms: 800, strict: true });
  assert.equal(strict.data_freshness.kalshi_ws.stale, false);
  assert.equal(strict.required_feeds_ok, false);
  const kalshiStale = buildFreshnessReport({ ...base, ages: { polygon: 100, massive: 100, kalshi: 5000 } }, null);
  assert.equal(kalshiStale.required_feeds_ok, false);
  const down = buildFreshnessReport({ ...base, ages: { polygon: null, massive: 4000 }, dualFeed: { active: 'stand_down', lastSwitchAt: null, switches: 0 } }, null);
  assert.equal(down.required_feeds_ok, false);
  assert.equal(down.data_freshness.polygon_ws.stale, true);
  assert.equal(down.dual_feed.last_switch_at, null);
  const onMassive = buildFreshnessReport({ ...base, dualFeed: { active: 'massive', lastSwitchAt: NOW, switches: 1 } }, null);
  assert.equal(onMassive.required_feeds_ok, true);
  assert.equal(onMassive.alert.window_flagged, true);
});

test('written for a supervisor that is not running: nothing measured, no active feed, no window — not a stand-down', () => {
  const flagged = nextAlert(nextAlert(null, 'd/w1', true), null, false);
  const r = buildFreshnessReport({ ...base, supervisor: 'stopped', dualFeed: { active: 'stand_down', lastSwitchAt: null, switches: 2 } }, { ...flagged });
  assert.equal(r.supervisor, 'stopped');
  assert.equal(r.dual_feed.active, 'none');
  assert.equal(r.dual_feed.switches, 2);
  assert.equal(r.window, null);
  assert.equal(r.required_feeds_ok, false);
  for (const f of Object.values(r.data_freshness)) assert.deepEqual([f.age_ms, f.stale], [null, null]);
  assert.deepEqual([r.alert.consecutive_windows, r.alert.window_flagged, r.alert.window_id], [1, false, null], 'the last streak is kept, nothing new flagged');
});

test('alert counts consecutive flagged windows once each, survives between-window writes, resets on a clean window', () => {
  let a = nextAlert(null, 'd/w1', true);
  a = nextAlert(a, 'd/w1', false); // still flagged: once flagged, the window stays flagged
  a = nextAlert(a, 'd/w1', true);
  assert.equal(a.consecutive_windows, 1);
  a = nextAlert(a, null, false);
  a = nextAlert(a, 'd/w2', true);
  a = nextAlert(a, 'd/w3', false);
  a = nextAlert(a, 'd/w3', true);
  assert.deepEqual([a.consecutive_windows, a.alert], [3, true]);
  a = nextAlert(a, 'd/w4', false);
  assert.deepEqual([a.consecutive_windows, a.alert], [3, true], 'w4 not yet judged');
  a = nextAlert(a, null, false);
  assert.equal(a.consecutive_windows, 0, 'w4 ended clean');
  a = nextAlert(a, 'd/w5', true);
  assert.equal(a.consecutive_windows, 1);
});

test('written atomically into the monitors dir; the alert streak is carried over from the previous file', () => {
  const dir = tempDir('ka-mon-');
  try {
    const on = (id: string, t: number) => ({ ...base, nowMs: t, window: { id, label: id.split('/')[1]! }, dualFeed: { active: 'massive' as const, lastSwitchAt: t, switches: 1 } });
    writeFreshnessMonitor(dir, on('d/hourly-1000', NOW));
    writeFreshnessMonitor(dir, on('d/hourly-1100', NOW + 3600_000));
    const r = writeFreshnessMonitor(dir, on('d/hourly-1200', NOW + 7200_000));
    assert.equal(r.alert.consecutive_windows, 3);
    assert.equal(r.alert.alert, true);
    const onDisk = JSON.parse(fs.readFileSync(path.join(dir, 'freshness.json'), 'utf8'));
    assert.deepEqual(onDisk, r);
    assert.deepEqual(fs.readdirSync(dir), ['freshness.json'], 'no temp files left behind');
    fs.writeFileSync(path.join(dir, 'freshness.json'), '{ torn');
    assert.equal(writeFreshnessMonitor(dir, on('d/hourly-1300', NOW)).alert.consecutive_windows, 1, 'unreadable previous file → fresh streak');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
