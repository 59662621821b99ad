/**
 * The operator's first hour without false alarms (issue 23): a restart on a root after a simulated run, a
 * stopped supervisor as `monitors` and `hot-restart status` show it, the replay's log stamps, and the CLI's
 * bad-usage answers (no command, YAML positions, an unwritable data directory, flags of the command at hand).
 *
 * Supervisor starts here are tiny sessions: the real Supervisor with its signal already aborted takes the
 * start-up path (lock, the snapshot's restore decision) and stops at once, writing its stopped snapshot —
 * the same files `npm start` leaves, without a simulator.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Supervisor, type SupervisorOptions } from '../../src/app/supervisor.ts';
import { readSnapshot, restoreVerdict, supervisorState, writeSnapshot, SnapshotSchema, type Snapshot } from '../../src/app/snapshot.ts';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { SystemClock } from '../../src/adapters/clock/system-clock.ts';
import { createCalendar } from '../../src/core/calendar/calendar.ts';
import { etToMs } from '../../src/core/time/et.ts';
import { defaultIndexOps, indexOpsFromValue, parseIndexOps } from '../../src/config/index-ops.ts';
import { resolvePaths, type Paths } from '../../src/config/paths.ts';
import type { Clock } from '../../src/ports/clock.ts';
import { unwritableDirectoryReason } from '../../src/cli/fs-error.ts';
import { evGapSource, freshnessSource, snapshotSource } from '../../src/dashboard/file-sources.ts';
import { captureLog } from '../helpers/log.ts';
import { cli, tempHome } from '../helpers/cli.ts';

const DATE = '2026-11-20';
const at = (t: string) => etToMs(DATE, t);
const bin = path.resolve(import.meta.dirname, '../../bin/kalshi-alpha.js');

/** A supervisor start that stops at once (signal aborted): the restore decision, then its stopped snapshot. */
async function tinyStart(home: string, clock: Clock, source: SupervisorOptions['source'] = 'sim'): Promise<{ lines: string[]; paths: Paths }> {
  const paths = resolvePaths(home);
  const { log, lines } = captureLog(clock);
  const stop = new AbortController();
  stop.abort(new Error('test: stop at once'));
  const sup = new Supervisor(
    {
      source,
      broker: 'dry',
      seed: 7,
      refNowMs: clock.now(),
      loop: true,
      days: 1,
      sleepSeconds: 30,
      killSwitchFile: paths.killSwitch,
      preflightRetryMs: 60_000,
      settle: false,
      noWsListen: false,
      startupTimeoutMs: 60_000,
      openLeadMs: 20_000,
    },
    { paths, config: defaultIndexOps(), calendar: createCalendar(), env: {}, rawEnv: {}, clock, log, signal: stop.signal },
  );
  await sup.run();
  return { lines, paths };
}

const setAside = (paths: Paths) => fs.readdirSync(paths.stateDir).filter((f) => f.includes('.corrupt-'));
const errors = (lines: string[]) => lines.filter((l) => / ERROR /.test(l));

test('a restart after a simulated run (npm start twice): the earlier run’s snapshot is of another simulated timeline — said at INFO, never ERROR, never set aside', async () => {
  const home = tempHome('ka-ops-restart-');
  // The first run ends after the close (its clock ran to 16:05); the second starts again at 14:44:30.
  const first = await tinyStart(home, new VirtualClock(at('16:05:00')));
  const s1 = SnapshotSchema.parse(JSON.parse(fs.readFileSync(first.paths.hotRestart, 'utf8')));
  assert.deepEqual([s1.clock, s1.running, s1.captured_ms], ['virtual', false, at('16:05:00')], 'the stopped snapshot records its clock');

  const second = await tinyStart(home, new VirtualClock(at('14:44:30')));
  assert.deepEqual(errors(second.lines), [], 'no ERROR line');
  assert.deepEqual(setAside(second.paths), [], 'nothing set aside');
  const said = second.lines.find((l) => /hot_restart\.json is a snapshot of another clock/.test(l));
  assert.ok(said, second.lines.join('\n'));
  assert.match(said, / INFO .*simulated clock ran to 2026-11-20T16:05:00-05:00, later than 2026-11-20T14:44:30-05:00/);
  const s2 = readSnapshot(second.paths.hotRestart, Number.MAX_SAFE_INTEGER);
  assert.ok(s2.kind === 'ok' && s2.snapshot.captured_ms === at('14:44:30'), 'the restart wrote its own snapshot over it');

  // A file written before `clock` was recorded: inferred from its source (sim → virtual), same answer.
  const legacy: Record<string, unknown> = { ...s1 };
  delete legacy.clock;
  fs.writeFileSync(first.paths.hotRestart, JSON.stringify(legacy));
  const third = await tinyStart(home, new VirtualClock(at('14:44:30')));
  assert.deepEqual(errors(third.lines), []);
  assert.deepEqual(setAside(third.paths), []);
  assert.ok(third.lines.some((l) => / INFO hot_restart\.json is a snapshot of another clock/.test(l)), third.lines.join('\n'));
});

test('a simulated run’s snapshot judged by a real-clock start is of another clock (INFO, kept); a real snapshot dated in the future is still set aside (ERROR)', async () => {
  const home = tempHome('ka-ops-clocks-');
  await tinyStart(home, new VirtualClock(at('16:05:00')));
  const real = await tinyStart(home, new SystemClock(), 'online');
  assert.deepEqual(errors(real.lines), []);
  assert.deepEqual(setAside(real.paths), []);
  assert.ok(real.lines.some((l) => / INFO .*stamped by the virtual clock of a sim session and this is judged on the real clock/.test(l)), real.lines.join('\n'));
  const now = readSnapshot(real.paths.hotRestart, Number.MAX_SAFE_INTEGER);
  assert.ok(now.kind === 'ok' && now.snapshot.clock === 'real', 'the real-clock start stamps its own snapshot real');

  // The same clock kind, ahead of the clock judging it: corrupt or a wrong clock — set aside and reported.
  const ahead = { ...(SnapshotSchema.parse(JSON.parse(fs.readFileSync(real.paths.hotRestart, 'utf8')))), captured_ms: Date.now() + 3_600_000 };
  writeSnapshot(real.paths.hotRestart, ahead);
  const again = await tinyStart(home, new SystemClock(), 'online');
  assert.ok(again.lines.some((l) => / ERROR hot_restart\.json is not trustworthy: set aside.*captured_at is in the future/.test(l)), again.lines.join('\n'));
  assert.equal(setAside(again.paths).length, 1);
});

test('the restore decision: a resumable snapshot of this clock; other clocks, other windows and old ones are not, each said as what it is', () => {
  const home = tempHome('ka-ops-verdict-');
  const p = resolvePaths(home);
  fs.mkdirSync(p.stateDir, { recursive: true });
  const w = { id: `${DATE}/hourly-1000`, label: 'hourly-1000', series: ['INXU'], start_ms: at('09:45'), strict_ms: at('09:59'), freeze_ms: at('09:59:58'), target_ms: at('10:00'), state: 'active' as const, reasons: [], quotes: 1, fills: 0, pnl_usd: 0 };
  const snap: Snapshot = {
    version: 1, captured_at: 'x', captured_ms: at('09:50'), clock: 'virtual', pid: 1, running: true, source: 'sim', mode: 'dry', day: DATE,
    active_window: w, upcoming_windows: [], windows_today: [w], outstanding: { count: 0, client_order_ids: [] }, feeds: null, kill_switch: false,
    maintenance: null, quoting: [{ version: 1, windowId: w.id, series: 'INXU' }], ev_gap: {},
  };
  writeSnapshot(p.hotRestart, snap);
  const judge = (nowMs: number, clock: 'real' | 'virtual', windowId = w.id) => restoreVerdict(readSnapshot(p.hotRestart, nowMs, { clock }), { maxAgeMs: 5_000, windowId });
  assert.equal(judge(at('09:50:03'), 'virtual').restorable, true);
  assert.deepEqual(pick(judge(at('09:50:30'), 'virtual')), { level: 'warn', reason: 'older than 5 s (30.0 s)' });
  assert.deepEqual(pick(judge(at('09:50:03'), 'virtual', `${DATE}/hourly-1100`)).level, 'silent');
  const other = judge(Date.parse('2026-12-07T10:00:00Z'), 'real');
  assert.equal(other.restorable, false);
  assert.equal(pick(other).level, 'warn', 'it was running with a window in flight: worth a warning, not an error');
  assert.match(pick(other).reason, /another clock: it was stamped by the virtual clock of a sim session/);
  assert.equal(fs.existsSync(p.hotRestart), true, 'judging never sets a valid file aside');
  assert.deepEqual([supervisorState(snap, true), supervisorState(snap, false), supervisorState({ running: false }, false), supervisorState(undefined, false)], ['running', 'stopped_uncleanly', 'stopped', 'absent']);
});

function pick(v: ReturnType<typeof restoreVerdict>): { level: string; reason: string } {
  assert.equal(v.restorable, false);
  return v.restorable ? { level: '', reason: '' } : { level: v.level, reason: v.reason };
}

test('after a cleanly stopped simulated run: monitors and hot-restart status name the stopped state and the clock — no stand-down, no age in days', async () => {
  const home = tempHome('ka-ops-stopped-');
  const { paths } = await tinyStart(home, new VirtualClock(at('16:05:00')));

  const mon = await cli(['monitors'], { home });
  assert.equal(mon.code, 0, mon.stderr);
  assert.match(mon.stdout, /supervisor: stopped \(shut down cleanly\)/);
  assert.match(mon.stdout, /freshness: not measured \(no supervisor running\)/);
  assert.doesNotMatch(mon.stdout, /stand_down/);
  const fresh = JSON.parse(fs.readFileSync(path.join(paths.monitorsDir, 'freshness.json'), 'utf8'));
  assert.deepEqual([fresh.supervisor, fresh.clock, fresh.dual_feed.active, fresh.window, fresh.generated_at], ['stopped', 'virtual', 'none', null, '2026-11-20T21:05:00Z']);
  // The dashboard reads these files with its own schemas: still valid.
  for (const src of [snapshotSource(paths.hotRestart), freshnessSource(path.join(paths.monitorsDir, 'freshness.json')), evGapSource(path.join(paths.monitorsDir, 'ev_gap.json'))]) {
    assert.equal(src.read().kind, 'ok', src.file);
  }

  const st = await cli(['hot-restart', 'status'], { home });
  assert.equal(st.code, 0, st.stderr);
  assert.match(st.stdout, /^snapshot 2026-11-20T16:05:00-05:00 \(virtual clock of a sim session: its age needs --now on that clock\); file written \d+\.\d s ago \(real time\)/);
  assert.match(st.stdout, /supervisor: stopped \(shut down cleanly\) — this is its last snapshot, written as it stopped/);
  const js = JSON.parse((await cli(['hot-restart', 'status', '--json'], { home })).stdout);
  assert.deepEqual([js.clock, js.age_ms, js.supervisor.state, js.supervisor.running, js.active_feed], ['virtual', null, 'stopped', false, null]);
  assert.ok(js.file_age_ms >= 0 && js.file_age_ms < 60_000, `file age is real time: ${js.file_age_ms}`);
  const onItsClock = await cli(['hot-restart', 'status', '--now', '2026-11-20T16:05:51-05:00'], { home });
  assert.match(onItsClock.stdout, /\(virtual clock, 51\.0 s old at --now\)/);

  // Killed instead of stopped: the snapshot says running, nobody holds the lock.
  const s = SnapshotSchema.parse(JSON.parse(fs.readFileSync(paths.hotRestart, 'utf8')));
  writeSnapshot(paths.hotRestart, { ...s, running: true });
  const killed = await cli(['monitors', '--json'], { home });
  assert.equal(JSON.parse(killed.stdout).supervisor, 'stopped_uncleanly');
  assert.match((await cli(['hot-restart', 'status'], { home })).stdout, /stopped without shutting down \(killed or crashed; the next start recovers\)/);
});

test('replay --verbose stamps its log lines with the replay’s virtual time (was 1969-12-31: a clock that read 0)', async () => {
  const home = tempHome('ka-ops-replay-');
  fs.mkdirSync(path.join(home, 'configs', 'events.yaml'), { recursive: true }); // a directory: pricing warns once
  const r = await cli(['replay', '--date', DATE, '--only', 'hourly-1000', '--series', 'INXU', '--no-ledger', '--verbose'], { home });
  assert.equal(r.code, 0, r.stderr);
  const logLines = r.stderr.split('\n').filter((l) => /^\d{4}-\d\d-\d\dT/.test(l));
  assert.ok(logLines.some((l) => /^2026-11-20T09:(4[5-9]|5\d):.* WARN configs\/events\.yaml unreadable/.test(l)), r.stderr);
  for (const l of logLines) assert.match(l, /^2026-11-20T/, 'every line on the replay’s clock');
  // The day's feeds end at the window's target (nobody looks at an index after it): the end of the data,
  // not an outage — no ERROR, no stand-down (was `ERROR feed failover polygon → stand_down` at 10:00:01.201).
  assert.deepEqual(logLines.filter((l) => / ERROR |stand_down/.test(l)), [], 'no outage after the target');
});

test('kalshi-alpha with no command (or a command group without its subcommand): exit 2, usage on stderr; --help and help exit 0', async () => {
  const none = await cli([]);
  assert.equal(none.code, 2);
  assert.equal(none.stdout, '');
  assert.match(none.stderr, /^Usage: kalshi-alpha \[options\] \[command\]/);
  const group = await cli(['hot-restart']);
  assert.equal(group.code, 2);
  assert.match(group.stderr, /Usage: kalshi-alpha hot-restart/);
  for (const argv of [['--help'], ['help'], ['help', 'orders'], ['orders', '--help']]) {
    const r = await cli(argv);
    assert.equal(r.code, 0, argv.join(' '));
    assert.match(r.stdout, /^Usage: kalshi-alpha/, argv.join(' '));
  }
});

test('YAML errors say file, line and column: syntax, unknown key (at the key), bad value (at the value), rules between keys; values that are not files say no position', async () => {
  const cases: [string, string][] = [
    ['quotes:\n  min_ev_usd: lots\n', 'configs/index_ops.yaml:2:15: quotes.min_ev_usd: '],
    ['quotes:\n  min_ev_usd: 0.1\n  bogus: 1\n', 'configs/index_ops.yaml:3:3: quotes.bogus: unknown key'],
    ['quotes:\n  a: 1\n  a: 2\n', 'configs/index_ops.yaml:3:3: not valid YAML: Map keys must be unique'],
    ['quotes:\n  min_ev_usd: 0.1\n   x: 1\n', 'configs/index_ops.yaml:2:15: not valid YAML: '],
    ['freshness:\n  soft_ms: 500\n  strict_ms: 900\n', 'configs/index_ops.yaml:3:14: freshness.strict_ms: must not exceed freshness.soft_ms (500)'],
    ['a: 1\n---\nb: 2\n', 'configs/index_ops.yaml:2:1: not valid YAML: more than one YAML document'],
  ];
  for (const [yaml, start] of cases) {
    assert.throws(() => parseIndexOps(yaml), (e: Error) => e.message.startsWith(start) || assert.fail(`${JSON.stringify(yaml)}: ${e.message}`));
  }
  assert.throws(() => indexOpsFromValue({ quotes: { min_ev_usd: -1 } }, '--set quotes.min_ev_usd'), { message: /^--set quotes\.min_ev_usd: quotes\.min_ev_usd: / });
  // Through the CLI, for every config file the commands read.
  const home = tempHome('ka-ops-yaml-');
  fs.mkdirSync(path.join(home, 'configs'));
  fs.writeFileSync(path.join(home, 'configs', 'calendar.yaml'), 'closures:\n  - date: 2026-12-28\n  - date: 2026-12-27\n');
  const r = await cli(['windows', '--date', DATE], { home });
  assert.equal(r.code, 2);
  assert.equal(r.stderr, 'kalshi-alpha: configs/calendar.yaml:3:11: closures.1.date: 2026-12-27 is a Sunday (weekends are always closed)\n');
});

test('an unwritable data directory: exit 2 naming the directory, not the temporary file tried first', () => {
  const dir = tempHome('ka-ops-ro-');
  const eacces = (syscall: string, p: string) => Object.assign(new Error(`EACCES: permission denied, ${syscall} '${p}'`), { code: 'EACCES', syscall, path: p });
  const state = path.join(dir, 'data', 'proc', 'state');
  fs.mkdirSync(state, { recursive: true });
  assert.equal(unwritableDirectoryReason(eacces('open', path.join(state, 'supervisor.lock.123.tmp')), path.join(dir, 'data')), `data directory ${state} is not writable (permission denied)`);
  assert.equal(unwritableDirectoryReason(eacces('mkdir', path.join(state, 'a', 'b')), path.join(dir, 'data')), `data directory ${state} is not writable (permission denied)`);
  assert.equal(unwritableDirectoryReason(Object.assign(eacces('open', path.join(dir, 'x.tmp')), { code: 'EROFS' })), `directory ${dir} is not writable (read-only file system)`);
  fs.writeFileSync(path.join(state, 'orders.json'), '{}');
  assert.equal(unwritableDirectoryReason(eacces('open', path.join(state, 'orders.json'))), undefined, 'a refused read of an existing file is another problem');
  assert.equal(unwritableDirectoryReason(new Error('plain')), undefined);

  // The real thing, as a user the directory refuses (root ignores permissions: drop to nobody when root).
  const home = tempHome('ka-ops-ro-home-');
  fs.chmodSync(home, 0o777);
  fs.mkdirSync(path.join(home, 'data', 'proc', 'state'), { recursive: true });
  for (const d of ['data', 'data/proc', 'data/proc/state']) fs.chmodSync(path.join(home, d), 0o555);
  const asRoot = process.getuid?.() === 0;
  const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => fs.existsSync(p));
  if (asRoot && !setpriv) return void assert.ok(true, 'root without setpriv: the CLI half cannot refuse a write');
  const argv = [process.execPath, bin, 'kill-switch', 'arm'];
  const cmd = asRoot ? [setpriv!, '--reuid=65534', '--regid=65534', '--clear-groups', ...argv] : argv;
  const r = spawnSync(cmd[0]!, cmd.slice(1), { env: { ...process.env, KALSHI_ALPHA_HOME: home }, encoding: 'utf8' });
  for (const d of ['data/proc/state', 'data/proc', 'data']) fs.chmodSync(path.join(home, d), 0o755);
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stderr, `kalshi-alpha: data directory ${path.join(home, 'data', 'proc', 'state')} is not writable (permission denied)\n`);
});

test('orders reconcile --mode live --apply refuses naming its own flags (it has no --broker)', async () => {
  const r = await cli(['orders', 'reconcile', '--mode', 'live', '--apply']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^kalshi-alpha: --mode live --apply refused: live trading needs explicit human approval; set KALSHI_LIVE_APPROVED=yes/);
  assert.doesNotMatch(r.stderr, /--broker/);
});
