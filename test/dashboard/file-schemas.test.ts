/**
 * One schema per file format, owned by its writer: the dashboard's view of each file the supervisor writes
 * (orders.json, hot_restart.json, freshness.json, ev_gap.json, REPORT.md) accepts exactly what the writer's
 * own reader accepts — a file the writer just wrote reads back as written, and a file its reader refuses
 * (set aside as corrupt) shows as invalid on the page, for the same reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { OrdersStore } from '../../src/adapters/state/orders-store.ts';
import { evGapSource, freshnessSource, ordersSource, snapshotSource } from '../../src/dashboard/file-sources.ts';
import { readPrevAlert, writeFreshnessMonitor } from '../../src/adapters/monitors/freshness.ts';
import { buildEvGapReport, writeEvGapMonitor } from '../../src/adapters/monitors/ev-gap.ts';
import { appendIncident, readIncidents } from '../../src/adapters/monitors/report.ts';
import { readSnapshot } from '../../src/app/snapshot.ts';
import { IncidentsView } from '../../src/dashboard/incidents-view.ts';
import { putSnapshot, syntheticSnapshot, homePaths } from './helpers.ts';
import { cli, tempHome } from '../helpers/cli.ts';
import { tempDir } from '../helpers/tmp.ts';

const NOW = Date.UTC(2026, 10, 20, 15);

test('orders.json: the dashboard accepts what the store wrote and refuses what the store sets aside', () => {
  const dir = tempDir('orders-schema-');
  const file = path.join(dir, 'orders.json');
  const store = new OrdersStore(file, new VirtualClock(NOW));
  store.recordState('dry', { clientOrderId: 'a', orderId: 'x-a', marketTicker: 'KXINXU-26NOV20H1000-T6800', side: 'buy', price: 5600, size: 250, filled: 50, status: 'resting', submittedMs: NOW, updatedMs: NOW });
  store.markCancelAll('live', 'operator');
  const written = JSON.parse(fs.readFileSync(file, 'utf8'));
  const view = ordersSource(file).read();
  assert.equal(view.kind, 'ok');
  assert.deepEqual(view.kind === 'ok' && view.value, written);

  const variants: [string, (d: typeof written) => void][] = [
    ['a key naming another order', (d) => { d.modes.dry.orders.b = d.modes.dry.orders.a; delete d.modes.dry.orders.a; }],
    ['an unknown field', (d) => { d.modes.dry.orders.a.note = 'x'; }],
    ['a price with 5 decimals', (d) => { d.modes.dry.orders.a.price = 0.56001; }],
    ['a fractional centi-contract', (d) => { d.modes.dry.orders.a.size = 2.505; }],
    ['a future version', (d) => { d.version = 2; }],
  ];
  for (const [what, change] of variants) {
    const doc = structuredClone(written);
    change(doc);
    fs.writeFileSync(file, JSON.stringify(doc));
    const dash = ordersSource(file).read();
    assert.equal(dash.kind, 'invalid', `dashboard refuses ${what}`);
    const own = store.read();
    assert.ok(own.corrupt, `the store sets aside ${what}`);
    assert.equal(dash.kind === 'invalid' && dash.reason, own.corrupt.reason, `same reason for ${what}`);
  }
  fs.rmSync(dir, { recursive: true });
});

test('freshness.json and ev_gap.json: the dashboard reads what the monitors wrote, with their own schemas', () => {
  const dir = tempDir('monitors-schema-');
  const fresh = writeFreshnessMonitor(dir, {
    nowMs: NOW,
    clock: 'real',
    window: { id: '2026-11-20/hourly-1000', label: 'hourly-1000', strictMs: NOW + 60_000 },
    thresholds: { softMs: 1500, strictMs: 800 },
    ages: { polygon: 300, massive: null, kalshi: 120 },
    dualFeed: { active: 'polygon', lastSwitchAt: NOW - 5000, switches: 2 },
  });
  const f = freshnessSource(path.join(dir, 'freshness.json')).read();
  assert.equal(f.kind, 'ok');
  assert.deepEqual(f.kind === 'ok' && f.value, JSON.parse(JSON.stringify(fresh)), 'every field the writer wrote, as written');
  const gap = writeEvGapMonitor(dir, buildEvGapReport(NOW, { clock: 'virtual', supervisor: 'running' }, 'hourly-1000', true, 'massive', { 'KXINXU-26NOV20H1000-T6800': { maxCents: 1.25, meanCents: 0.5, n: 4 } }));
  const g = evGapSource(path.join(dir, 'ev_gap.json')).read();
  assert.equal(g.kind, 'ok');
  assert.deepEqual(g.kind === 'ok' && g.value, JSON.parse(JSON.stringify(gap)));

  // A newer writer's extra field is accepted; a value the writer never writes is not.
  const doc = JSON.parse(fs.readFileSync(path.join(dir, 'freshness.json'), 'utf8'));
  fs.writeFileSync(path.join(dir, 'freshness.json'), JSON.stringify({ ...doc, written_by: 'a newer release' }));
  assert.equal(freshnessSource(path.join(dir, 'freshness.json')).read().kind, 'ok');
  assert.deepEqual(readPrevAlert(path.join(dir, 'freshness.json')), { consecutive_windows: fresh.alert.consecutive_windows, window_flagged: fresh.alert.window_flagged, window_id: fresh.alert.window_id });
  for (const bad of [{ dual_feed: { ...doc.dual_feed, active: 'carrier-pigeon' } }, { clock: 'sundial' }, { supervisor: 'asleep' }]) {
    fs.writeFileSync(path.join(dir, 'freshness.json'), JSON.stringify({ ...doc, ...bad }));
    assert.equal(freshnessSource(path.join(dir, 'freshness.json')).read().kind, 'invalid', JSON.stringify(bad));
  }
  // What `monitors` writes after the supervisor stopped (active feed `none`) reads too.
  const stopped = writeFreshnessMonitor(dir, { nowMs: NOW, clock: 'real', supervisor: 'stopped', window: null, thresholds: { softMs: 1500, strictMs: 800 }, ages: { polygon: null, massive: null }, dualFeed: { active: 'stand_down', lastSwitchAt: null, switches: 0 } });
  const st = freshnessSource(path.join(dir, 'freshness.json')).read();
  assert.deepEqual(st.kind === 'ok' && st.value, JSON.parse(JSON.stringify(stopped)));
  fs.rmSync(dir, { recursive: true });
});

test('hot_restart.json and REPORT.md: one reader each for the supervisor\'s tools (hot-restart status) and the dashboard', async () => {
  const home = tempHome('snapshot-schema-');
  const paths = homePaths(home);
  const snap = syntheticSnapshot();
  putSnapshot(paths, snap);
  const own = readSnapshot(paths.hotRestart, snap.captured_ms);
  const dash = snapshotSource(paths.hotRestart).read();
  assert.ok(own.kind === 'ok' && dash.kind === 'ok');
  assert.deepEqual(dash.value, own.snapshot);
  // The hot-restart command reads the same file with the same reader: what the dashboard shows, it shows.
  const status = await cli(['hot-restart', 'status', '--json'], { home, clock: new VirtualClock(snap.captured_ms) });
  assert.equal(status.code, 0, status.stderr);
  assert.equal(JSON.parse(status.stdout).active_window.id, snap.active_window!.id);

  // A newer writer's extra field is accepted by both; a value the writer never writes is refused by both, for the same reason.
  fs.writeFileSync(paths.hotRestart, JSON.stringify({ ...snap, written_by: 'a newer release' }));
  assert.equal(snapshotSource(paths.hotRestart).read().kind, 'ok');
  assert.equal(readSnapshot(paths.hotRestart, snap.captured_ms).kind, 'ok');
  const variants: [string, Record<string, unknown>][] = [
    ['an unknown mode', { mode: 'paper' }],
    ['an unknown source', { source: 'carrier-pigeon' }],
    ['an unknown clock', { clock: 'sundial' }],
    ['a future version', { version: 2 }],
    ['a fractional captured_ms', { captured_ms: snap.captured_ms + 0.5 }],
    ['an unknown window state', { active_window: { ...snap.active_window, state: 'asleep' } }],
    ['an unknown active feed', { feeds: { ...snap.feeds, active: 'none' } }],
    ['no outstanding orders field', { outstanding: undefined }],
  ];
  for (const [what, change] of variants) {
    fs.writeFileSync(paths.hotRestart, JSON.stringify({ ...snap, ...change }));
    const bad = snapshotSource(paths.hotRestart).read();
    const ownBad = readSnapshot(paths.hotRestart, snap.captured_ms);
    assert.ok(bad.kind === 'invalid' && ownBad.kind === 'invalid', `both refuse ${what}`);
    assert.equal(bad.reason, ownBad.reason, `same reason for ${what}`);
    const cmd = await cli(['hot-restart', 'status'], { home, clock: new VirtualClock(snap.captured_ms) });
    assert.equal(cmd.code, 1, `hot-restart status refuses ${what}`);
    assert.ok(cmd.stderr.includes(ownBad.reason), `hot-restart status names the reason for ${what}: ${cmd.stderr}`);
  }

  appendIncident(paths.reportMd, NOW, 'ledger_error', 'paper ledger not writable (2 records waiting): quoting stopped');
  appendIncident(paths.reportMd, NOW + 1000, 'no_go', 'window 2026-11-20/hourly-1000 NO-GO: kill_switch_engaged');
  const view = new IncidentsView(paths.reportMd);
  view.poll();
  assert.deepEqual(view.recent().reverse().map((i) => ({ atEt: i.at_et, kind: i.kind, text: i.text })), readIncidents(paths.reportMd));
  assert.deepEqual(view.byKind, { ledger_error: 1, no_go: 1 });
});
