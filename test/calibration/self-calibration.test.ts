/**
 * Self-calibration of simulated runs and the calibration checks of preflight (issue 23): a fresh root fits
 * the four calibration files on the simulator's own generated history (deterministically, through the same
 * fit `calibrate --bars` runs), keeps what it or the operator fitted, refits another world's; real feeds
 * refuse a missing, stale or simulator-fitted calibration with SPEC §6.2's stable reasons; a supervisor
 * started on the simulator on a fresh root says it calibrated and quotes with the fitted curve.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ensureSimCalibration, fitSimCalibrations, simHistory, SIM_WORLD } from '../../src/app/sim-calibration.ts';
import { resolveWorld } from '../../src/sim/day/world.ts';
import { runPreflight } from '../../src/app/preflight.ts';
import { calibrationPath, readCalibration, writeCalibration } from '../../src/adapters/calibration/params-file.ts';
import { fitCalibration } from '../../src/core/calibration/fit.ts';
import { calendarSessions } from '../../src/core/calibration/sessions.ts';
import { createCalendar } from '../../src/core/calendar/index.ts';
import type { CalibrationParams } from '../../src/core/calibration/params.ts';
import { etToMs } from '../../src/core/time/et.ts';
import { defaultIndexOps } from '../../src/config/index-ops.ts';
import { resolvePaths } from '../../src/config/paths.ts';
import { silentLogger } from '../../src/ports/logger.ts';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { simDayPaths } from '../../src/sim/market/day.ts';
import { cli, tempHome } from '../helpers/cli.ts';
import { captureLog } from '../helpers/log.ts';
import { supervise, count } from '../helpers/supervise.ts';

const calendar = createCalendar();
const config = defaultIndexOps();
const DATE = '2026-11-20';
const files = (calibDir: string) => (['I:SPX', 'I:NDX'] as const).flatMap((s) => (['hourly', 'close'] as const).map((h) => calibrationPath(calibDir, s, h)));

test('the generated history: the 120 trading days before the session, minute bars of the simulator’s own paths, closes = the settlement value', () => {
  const h = simHistory({ seed: 5, beforeDate: DATE, days: 120, calendar });
  assert.equal(h.dates.length, 120);
  assert.equal(h.dates.at(-1), '2026-11-19');
  assert.ok(!h.dates.includes('2026-09-07') && h.dates.includes('2026-09-08'), 'Labor Day is not a session');
  for (const d of h.dates) assert.ok(calendar.isTradingDay(d), d);
  const d = h.dates[10]!;
  const p = simDayPaths(5, d, calendar.session(d).closeEt!);
  const open = etToMs(d, '09:30');
  const bar = h.bars['I:SPX'].find((b) => b.t === open + 60 * 60_000)!;
  assert.equal(bar.c, p.spx.valueAt(open + 61 * 60_000), 'a bar stamped at its start closes at the value one minute later');
  assert.equal(h.closes['I:NDX'].get(d), p.ndx.valueAt(etToMs(d, calendar.session(d).closeEt!)));
});

test('a fresh root self-calibrates: four files fitted by the calibrate fit, stamped and sourced; kept next time; another world refitted; the operator’s kept', () => {
  const home = tempHome();
  const calibDir = resolvePaths(home).calibDir;
  const { log, lines } = captureLog(new VirtualClock(etToMs(DATE, '09:00')));
  const first = ensureSimCalibration({ calibDir, seed: 77, dateEt: DATE, calendar, config, log });
  assert.equal(first.fitted.length, 4);
  assert.deepEqual([...new Set(first.fitted.map((f) => f.reason))], ['missing']);
  assert.equal(count(lines, /self-calibration: fitted 4 calibration file\(s\) on 120 generated days of the simulator \(world regime, seed 77, 2026-06-0\d\.\.2026-11-19\) in \d+\.\d\d s/), 1, lines.join('\n'));
  for (const f of files(calibDir)) {
    const p = readCalibration(f, 0).params;
    assert.deepEqual({ ...p.fitted_on, from: 'x' }, { source: 'sim', world: SIM_WORLD, seed: 77, from: 'x', to: '2026-11-19' });
    assert.equal(p.generated_at, new Date(etToMs(DATE, '00:00')).toISOString());
    assert.equal(p.days, 120);
    assert.equal(p.residual_std, 0, 'the simulator settles on the feed’s last value: no print noise to fit');
  }
  // the same fit `calibrate --bars` runs, on the same history
  const h = simHistory({ seed: 77, beforeDate: DATE, days: 120, calendar });
  const direct = fitCalibration({ symbol: 'I:NDX', horizon: 'hourly', bars: h.bars['I:NDX'], session: calendarSessions(calendar).session, dayEvents: (d) => resolveWorld(SIM_WORLD).events.on(d), closes: h.closes['I:NDX'], kappaCap: config.model.kappa_cap, generatedAtMs: etToMs(DATE, '00:00'), provenance: { source: 'sim', world: SIM_WORLD, seed: 77 } }).params;
  assert.deepEqual(readCalibration(calibrationPath(calibDir, 'I:NDX', 'hourly'), 0).params, direct);
  // deterministic: another fresh root, byte-identical files
  const other = resolvePaths(tempHome()).calibDir;
  ensureSimCalibration({ calibDir: other, seed: 77, dateEt: DATE, calendar, config, log: silentLogger });
  for (const [a, b] of files(calibDir).map((f, i) => [f, files(other)[i]!])) assert.equal(fs.readFileSync(a!, 'utf8'), fs.readFileSync(b!, 'utf8'));

  // next run (any seed, any later date): kept, nothing logged
  const again = ensureSimCalibration({ calibDir, seed: 78, dateEt: '2027-03-01', calendar, config, log });
  assert.deepEqual([again.fitted.length, again.kept.length, again.summary], [0, 4, null]);
  // a file of another simulator world is refitted; a corrupt one too
  const spxHourly = calibrationPath(calibDir, 'I:SPX', 'hourly');
  const p0 = readCalibration(spxHourly, 0).params;
  writeCalibration(spxHourly, { ...p0, fitted_on: { ...p0.fitted_on!, world: 'another' } });
  fs.writeFileSync(calibrationPath(calibDir, 'I:SPX', 'close'), '{not json');
  const refit = ensureSimCalibration({ calibDir, seed: 77, dateEt: DATE, calendar, config, log });
  assert.deepEqual(refit.fitted.map((f) => [path.relative(calibDir, f.file), f.reason.replace(/ \(.*/, '')]), [['spx/hourly/params.json', 'fitted on simulator world another'], ['spx/close/params.json', 'unreadable']]);
  assert.equal(readCalibration(spxHourly, 0).params.fitted_on!.world, SIM_WORLD);
  // the operator's calibration (real bars) is never overwritten, and the run says so
  writeCalibration(spxHourly, { ...p0, fitted_on: { source: 'massive', from: '2026-05-01', to: '2026-10-30' } });
  const kept = ensureSimCalibration({ calibDir, seed: 77, dateEt: DATE, calendar, config, log });
  assert.equal(kept.fitted.length, 0);
  assert.match(kept.summary!, /calibration kept: fitted on Massive 2026-05-01\.\.2026-10-30, not on the simulator's world \(regime\)/);
  assert.equal(readCalibration(spxHourly, 0).params.fitted_on!.source, 'massive');
  // memoised per process: the second fit of the same (world, seed, day) is the same object
  assert.equal(fitSimCalibrations({ seed: 77, dateEt: DATE, calendar, config }), fitSimCalibrations({ seed: 77, dateEt: DATE, calendar, config }));
});

test('a run self-calibrates in its own world: a classic run on classic days, a regime run on regime days (same seed, same dates)', () => {
  const classicDir = resolvePaths(tempHome()).calibDir;
  const regimeDir = resolvePaths(tempHome()).calibDir;
  ensureSimCalibration({ calibDir: classicDir, seed: 31, dateEt: DATE, calendar, config, log: silentLogger, world: 'classic' });
  ensureSimCalibration({ calibDir: regimeDir, seed: 31, dateEt: DATE, calendar, config, log: silentLogger, world: 'regime' });
  const fitOn = (world: 'classic' | 'regime') => {
    const h = simHistory({ seed: 31, beforeDate: DATE, days: 120, calendar, world });
    return fitCalibration({ symbol: 'I:SPX', horizon: 'hourly', bars: h.bars['I:SPX'], session: calendarSessions(calendar).session, dayEvents: (d) => resolveWorld(world).events.on(d), closes: h.closes['I:SPX'], kappaCap: config.model.kappa_cap, generatedAtMs: etToMs(DATE, '00:00'), provenance: { source: 'sim', world, seed: 31 } }).params;
  };
  const classic = readCalibration(calibrationPath(classicDir, 'I:SPX', 'hourly'), 0).params;
  const regime = readCalibration(calibrationPath(regimeDir, 'I:SPX', 'hourly'), 0).params;
  assert.deepEqual(classic, fitOn('classic'));
  assert.deepEqual(regime, fitOn('regime'));
  assert.deepEqual([classic.fitted_on!.world, regime.fitted_on!.world], ['classic', 'regime']);
  assert.notEqual(classic.minutes_to_target['10']!.sigma, regime.minutes_to_target['10']!.sigma, 'two worlds, two histories');
  // a file of the other world is refitted for this one
  const r = ensureSimCalibration({ calibDir: classicDir, seed: 31, dateEt: DATE, calendar, config, log: silentLogger, world: 'regime' });
  assert.deepEqual([...new Set(r.fitted.map((f) => f.reason))], ['fitted on simulator world classic']);
});

test('preflight: real feeds NO-GO on a missing, stale or simulator-fitted calibration; simulated runs accept their own at any age', async () => {
  const home = tempHome();
  const paths = resolvePaths(home);
  const nowMs = etToMs(DATE, '09:50');
  const run = (source: 'online' | 'sim', series = ['INXU'] as const) =>
    runPreflight({ source, nowMs, series, env: { KALSHI_API_KEY_ID: 'k', KALSHI_PRIVATE_KEY_PEM_PATH: path.join(home, 'nope.pem'), POLYGON_API_KEY: 'p' } as never, paths, config, killSwitchFile: path.join(home, 'ks'), clock: new VirtualClock(nowMs) });
  const calibReasons = (r: { reasons: string[] }) => r.reasons.filter((x) => x.startsWith('calibration_'));
  assert.deepEqual(calibReasons(await run('online')), ['calibration_missing:INXU:hourly']);
  const sim = await run('sim');
  assert.deepEqual(calibReasons(sim), []);
  assert.ok(sim.notes.some((n) => n.startsWith('calibration_missing:INXU:hourly')), 'missing in a simulated run: a note (it calibrates itself first)');

  const file = calibrationPath(paths.calibDir, 'I:SPX', 'hourly');
  const base: CalibrationParams = {
    symbol: 'I:SPX', horizon: 'hourly', generated_at: new Date(nowMs - 20 * 86_400_000).toISOString(), sample_count: 40, days: 40,
    minutes_to_target: { '1': { sigma: 3, drift: 0 } }, residual_std: 0.5, event_tail: { tags: [], kappa: 1 },
  };
  // fitted on real bars 20 days ago: stale for every source
  writeCalibration(file, { ...base, fitted_on: { source: 'massive', from: '2026-06-01', to: '2026-10-30' } });
  assert.deepEqual(calibReasons(await run('online')), ['calibration_stale:INXU:hourly:20d']);
  assert.deepEqual(calibReasons(await run('sim')), ['calibration_stale:INXU:hourly:20d']);
  // fitted on the simulator's history 20 days ago: never stale for a simulated run, never a calibration for a real one
  writeCalibration(file, { ...base, fitted_on: { source: 'sim', world: SIM_WORLD, seed: 1, from: '2026-06-01', to: '2026-10-30' } });
  assert.deepEqual(calibReasons(await run('online')), ['calibration_missing:INXU:hourly']);
  const simOwn = await run('sim');
  assert.deepEqual(calibReasons(simOwn), []);
  assert.ok(simOwn.notes.some((n) => /fitted on the simulator's history 20d ago \(never stale for simulated runs\)/.test(n)), simOwn.notes.join('\n'));
  // fresh and real: GO as far as calibration goes
  writeCalibration(file, { ...base, generated_at: new Date(nowMs - 86_400_000).toISOString(), fitted_on: { source: 'bars_file', from: '2026-06-01', to: '2026-11-18' } });
  assert.deepEqual(calibReasons(await run('online')), []);
  // the CLI shows the same reasons
  const j = JSON.parse((await cli(['preflight', '--now', '2026-11-20T09:50:00-05:00', '--series', 'NASDAQ100U', '--json'], { home })).stdout);
  assert.ok(j.reasons.includes('calibration_missing:NASDAQ100U:hourly'), JSON.stringify(j.reasons));
});

test('supervisor-index on the simulator from a fresh root: calibrates itself first, says so, and prices with the fitted curve', async () => {
  const r = await supervise({ nowIso: '2026-11-20T09:58:30-05:00', opts: { sim: { world: 'regime' } } });
  assert.equal(count(r.lines, /self-calibration: fitted 4 calibration file\(s\) on 120 generated days of the simulator \(world regime, seed 20261120/), 1, r.lines.join('\n'));
  assert.equal(count(r.lines, /calibration_missing/), 0, 'no default-curve warning: the fitted files are there');
  const [w] = r.out.windows;
  assert.equal(w!.state, 'done', JSON.stringify(w));
  for (const f of files(r.paths.calibDir)) assert.equal(readCalibration(f, 0).params.fitted_on!.source, 'sim');
  // the self-calibration line comes before the session opens
  const at = (re: RegExp) => r.lines.findIndex((l) => re.test(l));
  assert.ok(at(/self-calibration/) < at(/opening the day/), r.lines.slice(0, 5).join('\n'));
});

test('replay from a fresh root calibrates once, in the command, and says so on stderr', async () => {
  const home = tempHome();
  const r = await cli(['replay', '--date', DATE, '--seed', '9', '--only', 'hourly-1100', '--series', 'INXU', '--no-ledger', '--json'], { home });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /kalshi-alpha: self-calibration: fitted 4 calibration file\(s\) on 120 generated days of the simulator \(world regime, seed 9, /);
  assert.ok(JSON.parse(r.stdout).scoreboard.total.quotes > 0);
  const again = await cli(['replay', '--date', DATE, '--seed', '9', '--only', 'hourly-1100', '--series', 'INXU', '--no-ledger', '--json'], { home });
  assert.equal(again.code, 0, again.stderr);
  assert.doesNotMatch(again.stderr, /self-calibration/);
  assert.deepEqual(JSON.parse(again.stdout).scoreboard, JSON.parse(r.stdout).scoreboard, 'same calibration, same replay');
});
