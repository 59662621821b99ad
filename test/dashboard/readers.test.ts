/**
 * The dashboard's file readers: the append tail (byte offset, partial lines, rotation, truncation), the
 * ledger view (the scoreboard's calibration from a bounded reduction, PnL curve, invalid lines), the
 * liveness judgement (mtime and pid, never captured_ms), and the whole view on corrupt files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { AppendTail } from '../../src/dashboard/append-tail.ts';
import { LedgerView } from '../../src/dashboard/ledger-view.ts';
import { judgeLiveness } from '../../src/dashboard/liveness.ts';
import { DashboardData } from '../../src/dashboard/view.ts';
import { computeScoreboard } from '../../src/core/scoreboard.ts';
import { readLedgerFile } from '../../src/adapters/ledger/ledger-reader.ts';
import { createCalendar } from '../../src/core/calendar/calendar.ts';
import { etToMs } from '../../src/core/time/et.ts';
import { tempHome } from '../helpers/cli.ts';
import { DAY, generateDay, homePaths, putSnapshot, syntheticSnapshot, writeLedger, writeText } from './helpers.ts';

test('append tail: reads only what was appended, holds back a partial line, restarts on rotation and truncation', () => {
  const dir = tempHome('dash-tail-');
  const file = path.join(dir, 'x.jsonl');
  const tail = new AppendTail(file);
  assert.deepEqual(tail.poll(), { reset: false, lines: [], partialBytes: 0, behind: false, exists: false });
  fs.writeFileSync(file, 'a\nb\npart');
  let p = tail.poll();
  assert.deepEqual(p.lines.map((l) => [l.lineNo, l.text]), [[1, 'a'], [2, 'b']]);
  assert.equal(p.partialBytes, 4);
  assert.equal(tail.position, 4);
  fs.appendFileSync(file, 'ial\nc\n');
  p = tail.poll();
  assert.deepEqual(p.lines.map((l) => [l.lineNo, l.text]), [[3, 'partial'], [4, 'c']]);
  assert.equal(p.reset, false);
  assert.deepEqual(tail.poll().lines, []);
  // Rotation: a new file renamed over the path (new inode), even if longer than the old offset.
  const tmp = path.join(dir, 'x.tmp');
  fs.writeFileSync(tmp, 'new1\nnew2\nnew3\nnew4\nnew5\n');
  fs.renameSync(tmp, file);
  p = tail.poll();
  assert.equal(p.reset, true);
  assert.deepEqual(p.lines.map((l) => [l.lineNo, l.text]), [[1, 'new1'], [2, 'new2'], [3, 'new3'], [4, 'new4'], [5, 'new5']]);
  // Truncation in place (same inode, smaller).
  fs.truncateSync(file, 0);
  fs.appendFileSync(file, 'z\n');
  p = tail.poll();
  assert.equal(p.reset, true);
  assert.deepEqual(p.lines.map((l) => l.text), ['z']);
  // Vanished.
  fs.rmSync(file);
  p = tail.poll();
  assert.equal(p.reset, true);
  assert.equal(p.exists, false);
});

test('append tail: a poll reads at most its byte budget and catches up over the next polls; an over-long line is skipped once', () => {
  const dir = tempHome('dash-tail-');
  const file = path.join(dir, 'x.jsonl');
  fs.writeFileSync(file, Array.from({ length: 100 }, (_, i) => `line-${String(i).padStart(3, '0')}`).join('\n') + '\n');
  const tail = new AppendTail(file, 100);
  const seen: string[] = [];
  let polls = 0;
  for (let p = tail.poll(); ; p = tail.poll()) {
    polls++;
    seen.push(...p.lines.map((l) => l.text));
    if (!p.behind) break;
  }
  assert.equal(seen.length, 100);
  assert.equal(seen[99], 'line-099');
  assert.ok(polls > 5);
  fs.appendFileSync(file, 'x'.repeat(450) + '\nafter\n');
  const more: string[] = [];
  for (let i = 0; i < 20; i++) more.push(...tail.poll().lines.map((l) => l.text));
  assert.equal(more.length, 2);
  assert.match(more[0]!, /over-long line/);
  assert.equal(more[1], 'after');
});

test('ledger view: reliability equals the scoreboard over the whole day; PnL curve sums settlements; bounded recent list', () => {
  const home = tempHome('dash-ledger-');
  const paths = homePaths(home);
  const inputs = generateDay(7, ['hourly-1000', 'hourly-1100', 'hourly-1500', 'close-1600']);
  const view = new LedgerView(paths.ledger, { recent: 50 });
  // Written in three slices, polled in between (the supervisor appends while the dashboard reads).
  const third = Math.floor(inputs.length / 3);
  writeLedger(paths.ledger, inputs.slice(0, third));
  view.poll();
  writeLedger(paths.ledger, inputs.slice(third, 2 * third));
  view.poll();
  writeLedger(paths.ledger, inputs.slice(2 * third));
  view.poll();
  const all = readLedgerFile(paths.ledger).records;
  assert.equal(all.length, inputs.length);
  const agg = view.day(DAY)!;
  const want = computeScoreboard(all).total;
  assert.ok(want.calibration.n > 0);
  assert.deepEqual(agg.calibration(), want.calibration);
  const pnl = agg.pnlSeries();
  assert.ok(Math.abs(pnl.totalUsd - want.realized_pnl) < 1e-9, `${pnl.totalUsd} vs ${want.realized_pnl}`);
  assert.equal(pnl.points[0]![1], 0);
  assert.ok(pnl.points.every((p, i) => i === 0 || p[0] > pnl.points[i - 1]![0]));
  assert.equal(agg.counts.quote, want.quotes);
  assert.equal(agg.counts.paper_fill, want.fills);
  const recent = view.recent();
  assert.equal(recent.length, 50);
  assert.equal(recent[0]!.seq, all[all.length - 1]!.seq);
  const perWindow = agg.windows.get('close-1600')!;
  assert.equal(perWindow.quotes, all.filter((r) => r.type === 'quote' && r.window.endsWith('close-1600')).length);
});

test('ledger view: invalid and torn lines are skipped and reported, never fatal; a rotation rebuilds the day', () => {
  const home = tempHome('dash-ledger-');
  const paths = homePaths(home);
  const recs = writeLedger(paths.ledger, generateDay(3, ['hourly-1500']));
  fs.appendFileSync(paths.ledger, '{"not":"a record"}\nnot json\n{"seq":99999,"type":"quo');
  const view = new LedgerView(paths.ledger);
  view.poll();
  assert.equal(view.day(DAY)!.counts.quote, recs.filter((r) => r.type === 'quote').length);
  const sk = view.skipped();
  assert.equal(sk.count, 2);
  assert.match(sk.last[0]!.reason, /invalid record/);
  assert.match(sk.last[1]!.reason, /invalid JSON/);
  assert.ok(view.partialBytes > 0);
  // Housekeeping-style swap: a new file with only some lines renamed over the path.
  const kept = fs.readFileSync(paths.ledger, 'utf8').split('\n').slice(0, 10).join('\n') + '\n';
  const tmp = paths.ledger + '.tmp';
  fs.writeFileSync(tmp, kept);
  fs.renameSync(tmp, paths.ledger);
  view.poll();
  const counts = view.day(DAY)!.counts;
  assert.equal(counts.quote + counts.cancel + counts.paper_fill + counts.settlement, 10);
  assert.equal(view.skipped().count, 0);
});

test('liveness: by file mtime and pid, never by captured_ms (virtual time)', () => {
  const snap = syntheticSnapshot(); // captured_ms is 2026-11-20 15:55 ET whatever the wall clock says
  const wall = Date.UTC(2031, 0, 1);
  const alive = () => true;
  const dead = () => false;
  assert.equal(judgeLiveness({ snapshot: { kind: 'missing' }, wallNowMs: wall, pidAlive: alive }).running, false);
  const inv = judgeLiveness({ snapshot: { kind: 'invalid', reason: 'not valid JSON' }, wallNowMs: wall, pidAlive: alive });
  assert.equal(inv.running, false);
  assert.match((inv as { reason: string }).reason, /not valid JSON/);
  const ok = judgeLiveness({ snapshot: { kind: 'ok', value: snap, mtimeMs: wall - 800 }, wallNowMs: wall, pidAlive: alive });
  assert.deepEqual(ok, { running: true, pid: snap.pid, snapshotAgeMs: 800 });
  const stale = judgeLiveness({ snapshot: { kind: 'ok', value: snap, mtimeMs: wall - 6000 }, wallNowMs: wall, pidAlive: alive });
  assert.equal(stale.running, false);
  assert.equal((stale as { code: string }).code, 'stale');
  const gone = judgeLiveness({ snapshot: { kind: 'ok', value: snap, mtimeMs: wall - 100 }, wallNowMs: wall, pidAlive: dead });
  assert.equal((gone as { code: string }).code, 'pid_gone');
  const stopped = judgeLiveness({ snapshot: { kind: 'ok', value: { ...snap, running: false }, mtimeMs: wall }, wallNowMs: wall, pidAlive: alive });
  assert.equal((stopped as { code: string }).code, 'stopped');
});

test('view: corrupt snapshot, orders.json and monitors show as errors (files untouched); calendar fallback pending/done by time', () => {
  const home = tempHome('dash-view-');
  const paths = homePaths(home);
  writeText(paths.hotRestart, '{"version":1,"captured_at":');
  writeText(paths.ordersState, '{"version":2}');
  writeText(path.join(paths.monitorsDir, 'freshness.json'), '[]');
  writeText(paths.ledger, 'garbage\n');
  writeText(paths.reportMd, '# report\n\n- 2026-11-20T10:00:01.000-05:00 [no_go] window 2026-11-20/hourly-1000 NO-GO: kill_switch_engaged\n');
  const now = etToMs(DAY, '12:30');
  const data = new DashboardData({ paths, calendar: createCalendar(), now: () => now, pidAlive: () => true });
  const v = data.refresh();
  assert.equal(v.supervisor.running, false);
  assert.equal(v.supervisor.code, 'invalid');
  const sources = v.errors.map((e) => e.source).sort();
  assert.deepEqual(sources, ['ledger', 'monitors', 'orders', 'snapshot']);
  assert.match(v.orders.error!, /version/);
  // Nothing renamed or set aside: the dashboard is a reader.
  assert.deepEqual(fs.readdirSync(paths.stateDir).sort(), ['hot_restart.json', 'orders.json']);
  assert.equal(v.timeline.source, 'calendar');
  assert.equal(v.timeline.day, DAY);
  assert.deepEqual(v.timeline.windows.map((w) => [w.label, w.state]), [
    ['hourly-1000', 'done'], ['hourly-1100', 'done'], ['hourly-1200', 'done'], ['hourly-1300', 'pending'],
    ['hourly-1400', 'pending'], ['hourly-1500', 'pending'], ['close-1600', 'pending'],
  ]);
  assert.equal(v.incidents.items[0]!.kind, 'no_go');
  assert.equal(v.safety.kill_switch.engaged, false);
});

test('view: a live snapshot drives the timeline (its own clock and states, NO-GO reasons), feeds, and orders.json', () => {
  const home = tempHome('dash-view-');
  const paths = homePaths(home);
  putSnapshot(paths, syntheticSnapshot({ states: { 'hourly-1500': 'no_go' }, reasons: { 'hourly-1500': ['calibration_stale:INXU:hourly:20d'] } }));
  writeText(paths.ordersState, JSON.stringify({
    version: 1, updated_ms: 1, updated_et: 'x',
    modes: {
      dry: { orders: { a: { client_order_id: 'a', market: 'KXINX-26NOV20H1600-B6762.5', side: 'buy', price: 0.06, size: 1, filled: 0, status: 'resting', submitted_ms: 1, submitted_et: '2026-11-20T15:54:00-05:00', updated_ms: 1 } }, cancel_all: { reason: 'kalshi_maintenance', at_ms: 2, at_et: 'y' } },
      live: { orders: {}, cancel_all: null },
    },
  }));
  const data = new DashboardData({ paths, calendar: createCalendar(), now: () => Date.now(), pidAlive: (pid) => pid === process.pid });
  const v = data.refresh();
  assert.equal(v.supervisor.running, true, v.supervisor.reason ?? '');
  assert.equal(v.timeline.source, 'snapshot');
  assert.equal(v.timeline.clock, 'supervisor');
  assert.equal(v.timeline.now_ms, etToMs(DAY, '15:55'));
  const w1500 = v.timeline.windows.find((w) => w.label === 'hourly-1500')!;
  assert.equal(w1500.state, 'no_go');
  assert.deepEqual(w1500.reasons, ['calibration_stale:INXU:hourly:20d']);
  assert.equal(v.timeline.active_id, `${DAY}/close-1600`);
  assert.equal(v.feeds!.active, 'massive');
  assert.equal(v.feeds!.polygon.stale, true);
  assert.equal(v.feeds!.massive.stale, false);
  assert.equal(v.orders.count, 1);
  assert.deepEqual(v.safety.cancel_all.map((c) => c.reason), ['kalshi_maintenance']);
  // The supervisor process gone: not running, and the timeline falls back to the calendar (wall clock's day).
  const gone = new DashboardData({ paths, calendar: createCalendar(), now: () => Date.now(), pidAlive: () => false }).refresh();
  assert.equal(gone.supervisor.running, false);
  assert.equal(gone.supervisor.code, 'pid_gone');
  assert.equal(gone.timeline.clock, 'dashboard');
});
