/**
 * `kalshi-alpha calibrate` end to end: bars file → params.json (and preflight's reader), and --from/--to
 * through the real Massive REST client against the Massive simulator on loopback.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { cli, tempHome } from '../helpers/cli.ts';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { calibrationPath, calibrationStatus, readCalibration } from '../../src/adapters/calibration/params-file.ts';
import { SERIES } from '../../src/core/series.ts';
import { startMassiveSim } from '../../src/sim/massive/server.ts';
import { generateBars, toCsv } from './gen-bars.ts';

const NOW = Date.parse('2026-11-20T12:00:00Z');

test('calibrate --bars writes params.json atomically; the reader validates it and reports its age', async () => {
  const home = tempHome();
  const { bars } = generateBars({ from: '2026-09-01', to: '2026-10-30', seed: 3, sigmaPerMinute: 0.9 });
  fs.writeFileSync(path.join(home, 'bars.csv'), toCsv(bars));
  fs.mkdirSync(path.join(home, 'configs'));
  fs.writeFileSync(path.join(home, 'configs', 'events.yaml'), 'days:\n  - date: 2026-10-14\n    tags: [CPI]\n');
  const clock = new VirtualClock(NOW);
  const r = await cli(['calibrate', '--symbol', 'I:SPX', '--horizon', 'hourly', '--bars', 'bars.csv', '--json'], { home, clock });
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  const file = calibrationPath(path.join(home, 'data/proc/calib/index'), 'I:SPX', 'hourly');
  assert.equal(out.file, file);
  assert.ok(file.endsWith(path.join('spx', 'hourly', 'params.json')));
  const loaded = readCalibration(file, NOW + 3 * 86_400_000);
  assert.equal(loaded.params.generated_at, '2026-11-20T12:00:00.000Z');
  assert.equal(loaded.ageDays, 3);
  assert.deepEqual(loaded.params.event_tail.tags, ['CPI']);
  assert.ok(Math.abs(loaded.params.minutes_to_target['60']!.sigma / (0.9 * Math.sqrt(60)) - 1) < 0.15);
  assert.deepEqual(fs.readdirSync(path.dirname(file)), ['params.json']); // no temp files left

  const calibDir = path.join(home, 'data/proc/calib/index');
  assert.equal(calibrationStatus(calibDir, SERIES.INXU, 'hourly', NOW + 86_400_000, 14).ok, true);
  assert.deepEqual(
    (({ ok, reason }) => ({ ok, reason }))(calibrationStatus(calibDir, SERIES.INXU, 'hourly', NOW + 15.5 * 86_400_000, 14) as { ok: boolean; reason: string }),
    { ok: false, reason: 'calibration_stale:INXU:hourly:15d' },
  );
  const missing = calibrationStatus(calibDir, SERIES.NASDAQ100, 'close', NOW, 14);
  assert.equal(missing.ok, false);
  assert.equal((missing as { reason: string }).reason, 'calibration_missing:NASDAQ100:close');

  // a corrupt file is reported with the key, never trusted
  fs.writeFileSync(file, JSON.stringify({ ...loaded.params, residual_std: -1 }));
  const bad = calibrationStatus(calibDir, SERIES.INXU, 'hourly', NOW, 14) as { ok: false; reason: string; detail: string };
  assert.equal(bad.reason, 'calibration_missing:INXU:hourly');
  assert.match(bad.detail, /residual_std: must be ≥ 0/);

  // human output
  const text = await cli(['calibrate', '--symbol', 'SPX', '--horizon', 'close', '--bars', 'bars.csv'], { home, clock });
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /calibrated I:SPX close: \d+ day\(s\)/);
  assert.match(text.stdout, /wrote .*spx\/close\/params\.json/);
  clock.dispose();
});

test('calibrate: bad input exits 2 with the line or flag named', async () => {
  const home = tempHome();
  fs.writeFileSync(path.join(home, 'bad.csv'), 'timestamp,close\n1763650800000,6800\n1763650860000,-4\n');
  const cases: Array<[string[], RegExp]> = [
    [['calibrate', '--symbol', 'I:SPX', '--horizon', 'hourly', '--bars', 'bad.csv'], /bad\.csv:3: close "-4" must be a positive number/],
    [['calibrate', '--symbol', 'I:DJI', '--horizon', 'hourly', '--bars', 'bad.csv'], /unknown symbol "I:DJI"/],
    [['calibrate', '--symbol', 'I:SPX', '--horizon', 'weekly', '--bars', 'bad.csv'], /unknown horizon "weekly"/],
    [['calibrate', '--symbol', 'I:SPX', '--horizon', 'hourly'], /give either --bars FILE or --from/],
    [['calibrate', '--symbol', 'I:SPX', '--horizon', 'hourly', '--from', '2026-11-01'], /--from and --to go together/],
    [['calibrate', '--symbol', 'I:SPX', '--horizon', 'hourly', '--from', '2026-11-01', '--to', '2026-11-05'], /need POLYGON_API_KEY or MASSIVE_API_KEY/],
    [['calibrate', '--symbol', 'I:SPX', '--horizon', 'hourly', '--bars', 'missing.csv'], /missing\.csv: cannot read \(ENOENT\)/],
    [['calibrate', '--symbol', 'I:SPX', '--horizon', 'hourly', '--from', '2026-02-30', '--to', '2026-03-05'], /invalid date "2026-02-30"/],
  ];
  for (const [argv, re] of cases) {
    const r = await cli(argv, { home });
    assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
  }
  fs.mkdirSync(path.join(home, 'configs'));
  fs.writeFileSync(path.join(home, 'configs', 'events.yaml'), 'days:\n  - date: 2026-13-01\n    tags: [CPI]\n');
  const r = await cli(['calibrate', '--symbol', 'I:SPX', '--horizon', 'hourly', '--bars', 'bad.csv'], { home });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /configs\/events\.yaml:\d+:\d+: days\.0\.date: expected a real date/);
});

test('calibrate --from/--to fetches Massive aggregates (bearer auth, retry on 429) from the simulator', async () => {
  const KEY = 'calib-sim-key-0123456789';
  const clock = new VirtualClock(NOW, { speed: 1000 });
  const sim = await startMassiveSim({ clock, seed: 5, apiKey: KEY, symbols: ['I:SPX', 'I:NDX'] });
  try {
    const home = tempHome();
    sim.failRest(429, 1, 1);
    const env = { MASSIVE_REST_BASE: sim.restUrl, POLYGON_API_KEY: KEY };
    const r = await cli(['calibrate', '--symbol', 'I:NDX', '--horizon', 'hourly', '--from', '2026-11-09', '--to', '2026-11-13', '--json'], { home, env, clock });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.params.symbol, 'I:NDX');
    assert.equal(out.params.days, 5);
    assert.equal(out.params.sample_count, 5 * 7);
    assert.equal(Object.keys(out.params.minutes_to_target).length, 60);
    assert.ok(out.params.minutes_to_target['30'].sigma > 0);
    assert.ok(fs.existsSync(path.join(home, 'data/proc/calib/index/ndx/hourly/params.json')));
    assert.ok(!r.stdout.includes(KEY) && !r.stderr.includes(KEY));
    assert.deepEqual(out.params.fitted_on, { source: 'massive', from: '2026-11-09', to: '2026-11-13' });
    // the daily aggregates came too: 5 official closes, below the 10 days residual_std needs → the default
    assert.deepEqual((({ source, close_days }) => ({ source, close_days }))(out.diagnostics.residual), { source: 'bp_of_level', close_days: 5 });
    // …and with --min-close-days 5 it is fitted: the simulator's day close is its last minute bar's close
    const fitted = JSON.parse((await cli(['calibrate', '--symbol', 'I:NDX', '--horizon', 'close', '--from', '2026-11-09', '--to', '2026-11-13', '--min-close-days', '5', '--json'], { home, env, clock })).stdout);
    assert.deepEqual(fitted.diagnostics.residual, { source: 'fitted', days: 5, rms: 0, mean: 0, points: 0 });
    assert.equal(fitted.params.residual_std, 0);
    // --closes beside a bars file: an official close 0.5 above the last minute bar every day
    const aggs = await fetch(`${sim.restUrl}/v2/aggs/ticker/I:SPX/range/1/minute/2026-11-09/2026-11-13?limit=50000`, { headers: { authorization: `Bearer ${KEY}` } }).then((x) => x.json() as Promise<{ results: { t: number; c: number }[] }>);
    fs.writeFileSync(path.join(home, 'spx.json'), JSON.stringify(aggs));
    const lastOfDay = new Map<string, number>();
    for (const b of aggs.results) lastOfDay.set(new Date(b.t - 5 * 3_600_000).toISOString().slice(0, 10), b.c);
    fs.writeFileSync(path.join(home, 'closes.csv'), 'date,close\n' + [...lastOfDay].map(([d, c]) => `${d},${(c + 0.5).toFixed(2)}`).join('\n') + '\n');
    const withCloses = JSON.parse((await cli(['calibrate', '--symbol', 'SPX', '--horizon', 'close', '--bars', 'spx.json', '--closes', 'closes.csv', '--min-close-days', '5', '--json'], { home, clock })).stdout);
    assert.equal(withCloses.diagnostics.residual.source, 'fitted');
    assert.ok(Math.abs(withCloses.params.residual_std - 0.5) < 0.006, `residual ${withCloses.params.residual_std}`);
    assert.equal(withCloses.params.fitted_on.source, 'bars_file');
    const noBars = await cli(['calibrate', '--symbol', 'SPX', '--horizon', 'close', '--from', '2026-11-09', '--to', '2026-11-13', '--closes', 'closes.csv'], { home, env, clock });
    assert.equal(noBars.code, 2);
    assert.match(noBars.stderr, /--closes goes with --bars/);

    const wrongKey = await cli(['calibrate', '--symbol', 'I:SPX', '--horizon', 'hourly', '--from', '2026-11-09', '--to', '2026-11-10'], { home, env: { ...env, POLYGON_API_KEY: 'wrong-key-000000' }, clock });
    assert.equal(wrongKey.code, 1);
    assert.match(wrongKey.stderr, /HTTP 401/);
    assert.ok(!wrongKey.stderr.includes('wrong-key-000000'));
  } finally {
    await sim.close();
    clock.dispose();
  }
});
