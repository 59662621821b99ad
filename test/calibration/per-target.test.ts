/**
 * Per-target-hour calibration (SPEC §5.3): a known U-shaped per-hour σ recovered hour by hour, the pooled
 * fallback below the sample threshold, drift shrinkage with its standard error, and the file format.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fitCalibration, shrinkDrift } from '../../src/core/calibration/fit.ts';
import { CalibrationParamsSchema, curveFromParams, residualLooksLikeSigma1 } from '../../src/core/calibration/params.ts';
import { parseCalibration } from '../../src/adapters/calibration/params-file.ts';
import { cli, tempHome } from '../helpers/cli.ts';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { generateBars, generateHourlyBars, toCsv, weekdaySession } from './gen-bars.ts';

/** True per-minute σ by target hour: busy open and close, quiet midday (σ(1) of each target). */
const SIGMA_1M: Record<string, number> = { '10:00': 4.9, '11:00': 3.6, '12:00': 2.9, '13:00': 2.7, '14:00': 2.9, '15:00': 3.3, '16:00': 4.2 };
const GEN_AT = Date.parse('2026-08-01T00:00:00Z');

test('hourly calibrate recovers each target hour’s σ(m) within 5% at m = 1, 5, 15, 30, 60', () => {
  // 3000 weekday sessions (seeded): σ̂ has a relative standard error of 1/√(2n) ≈ 1.3%, so 5% is ≈ 3.9 SE.
  const { bars, days } = generateHourlyBars({ from: '2001-01-01', sessions: 3000, seed: 42, sigmaPerMinuteByTarget: SIGMA_1M });
  const { params, diagnostics } = fitCalibration({ symbol: 'I:SPX', horizon: 'hourly', bars, session: weekdaySession, kappaCap: 1.8, generatedAtMs: GEN_AT });
  assert.ok(CalibrationParamsSchema.safeParse(params).success);
  assert.equal(params.days, days.length);
  assert.deepEqual(Object.keys(params.by_target!).sort(), Object.keys(SIGMA_1M).sort());
  assert.deepEqual(diagnostics.pooledTargets, []);
  for (const [hhmm, s1] of Object.entries(SIGMA_1M)) {
    const own = params.by_target![hhmm]!;
    assert.equal(own.sample_count, 3000);
    // 10:00 sees only the 29 minutes after the first value of the session (the 09:30 bar reports 09:31)
    const ms = hhmm === '10:00' ? [1, 5, 15, 29] : [1, 5, 15, 30, 60];
    for (const m of ms) {
      const got = own.minutes_to_target[String(m)]!.sigma;
      const want = s1 * Math.sqrt(m);
      assert.ok(Math.abs(got / want - 1) < 0.05, `${hhmm} σ(${m}) = ${got}, want ${want}`);
    }
    if (hhmm === '10:00') assert.equal(own.minutes_to_target['30'], undefined);
  }
  // the pooled curve mixes the hours: σ(1)² is the mean of the hourly σ(1)², not any single hour
  const pooled1 = params.minutes_to_target['1']!.sigma;
  const meanVar = Object.values(SIGMA_1M).reduce((a, s) => a + s * s, 0) / 7;
  assert.ok(Math.abs(pooled1 / Math.sqrt(meanVar) - 1) < 0.05, `pooled σ(1) ${pooled1}`);
  // the residual is a print noise, far below σ(1); an old-style file (residual = σ(1)) is recognisable
  assert.equal(residualLooksLikeSigma1(params), false);
  assert.equal(residualLooksLikeSigma1({ ...params, residual_std: pooled1 }), true);
  // the model picks the hour's own curve by ET target, the pooled one otherwise
  assert.equal(curveFromParams(params, '12:00').target, '12:00');
  assert.equal(curveFromParams(params, '12:00').sigmaAt(15), params.by_target!['12:00']!.minutes_to_target['15']!.sigma);
  assert.equal(curveFromParams(params, '09:45').target, 'pooled');
  assert.equal(curveFromParams(params).sigmaAt(15), params.minutes_to_target['15']!.sigma);
});

test('hours below the sample threshold fall back to the pooled curve; a file without by_target stays valid', () => {
  // 80 sessions; on 60 of them the session ends at 12:30 (only 10:00–12:00 targets), 20 run to 16:00
  const { bars, days } = generateHourlyBars({ from: '2003-03-03', sessions: 80, seed: 7, sigmaPerMinuteByTarget: SIGMA_1M });
  const full = new Set(days.filter((_, i) => i % 4 === 0));
  const session = (d: string) => (weekdaySession(d) ? { openEt: '09:30', closeEt: full.has(d) ? '16:00' : '12:30' } : null);
  const { params, diagnostics } = fitCalibration({ symbol: 'I:NDX', horizon: 'hourly', bars, session, kappaCap: 1.8, generatedAtMs: GEN_AT });
  assert.deepEqual(Object.keys(params.by_target!).sort(), ['10:00', '11:00', '12:00']);
  assert.deepEqual(diagnostics.pooledTargets, ['13:00', '14:00', '15:00', '16:00']);
  assert.equal(diagnostics.samplesPerTarget['14:00'], 20);
  assert.equal(diagnostics.minTargetSamples, 30);
  assert.equal(curveFromParams(params, '14:00').target, 'pooled');
  // a lower threshold (the calibrate flag) fits them too
  const low = fitCalibration({ symbol: 'I:NDX', horizon: 'hourly', bars, session, kappaCap: 1.8, generatedAtMs: GEN_AT, minTargetSamples: 20 });
  assert.equal(Object.keys(low.params.by_target!).length, 7);
  // every hour below the threshold: no by_target at all, and the file is valid
  const none = fitCalibration({ symbol: 'I:NDX', horizon: 'hourly', bars, session, kappaCap: 1.8, generatedAtMs: GEN_AT, minTargetSamples: 1000 });
  assert.equal(none.params.by_target, undefined);
  assert.ok(CalibrationParamsSchema.safeParse(none.params).success);
  const { by_target: _drop, ...legacy } = params;
  const loaded = parseCalibration(JSON.stringify(legacy), 'legacy.json', GEN_AT);
  assert.equal(curveFromParams(loaded.params, '10:00').target, 'pooled');
  // a bad by_target key is an error naming it
  assert.throws(() => parseCalibration(JSON.stringify({ ...params, by_target: { '10am': params.by_target!['10:00'] } }), 'bad.json', GEN_AT), /bad\.json: by_target\.10am: target keys must be ET times HH:MM/);
});

test('drift is shrunk toward zero (positive-part James–Stein) and its standard error stored', () => {
  assert.equal(shrinkDrift(0.5, 1), 0); // within one SE of zero: no drift
  assert.equal(shrinkDrift(-1, 1), 0);
  assert.ok(Math.abs(shrinkDrift(3, 1) - 3 * (1 - 1 / 9)) < 1e-15);
  assert.ok(Math.abs(shrinkDrift(-2, 1) + 2 * 0.75) < 1e-15);
  assert.equal(shrinkDrift(2, 0), 2);
  // zero true drift: the stored drift is much closer to zero than the raw mean's noise
  const { bars } = generateHourlyBars({ from: '2004-01-05', sessions: 400, seed: 9, sigmaPerMinuteByTarget: SIGMA_1M });
  const { params } = fitCalibration({ symbol: 'I:SPX', horizon: 'hourly', bars, session: weekdaySession, kappaCap: 1.8, generatedAtMs: GEN_AT });
  let zeroed = 0;
  let total = 0;
  for (const t of Object.values(params.by_target!)) {
    for (const p of Object.values(t.minutes_to_target)) {
      total++;
      assert.ok(p.drift_se! > 0);
      assert.ok(Math.abs(p.drift) < 4 * p.drift_se!);
      if (p.drift === 0) zeroed++;
    }
  }
  // |raw mean| < se happens ≈ 68% of the time under zero drift
  assert.ok(zeroed / total > 0.5, `${zeroed}/${total} minutes with zero drift`);
  // a strong true drift survives shrinkage almost whole
  const strong = fitCalibration({
    symbol: 'I:SPX',
    horizon: 'hourly',
    bars: generateHourlyBars({ from: '2004-01-05', sessions: 400, seed: 9, sigmaPerMinuteByTarget: SIGMA_1M, driftPerMinute: 0.5 }).bars,
    session: weekdaySession,
    kappaCap: 1.8,
    generatedAtMs: GEN_AT,
  }).params;
  const d30 = strong.by_target!['12:00']!.minutes_to_target['30']!;
  assert.ok(Math.abs(d30.drift / 15 - 1) < 0.1, `drift(30) ${d30.drift}`);
});

test('calibrate CLI writes by_target and the residual it was given (or the bp default), and says which', async () => {
  const home = tempHome();
  const { bars } = generateBars({ from: '2026-03-02', to: '2026-05-29', seed: 5, sigmaPerMinute: 1.1 });
  fs.writeFileSync(path.join(home, 'bars.csv'), toCsv(bars));
  const clock = new VirtualClock(Date.parse('2026-06-01T12:00:00Z'));
  try {
    const r = await cli(['calibrate', '--symbol', 'I:SPX', '--horizon', 'hourly', '--bars', 'bars.csv', '--residual-std', '0.07', '--json'], { home, clock });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.params.residual_std, 0.07);
    assert.deepEqual(out.diagnostics.residual, { source: 'given', points: 0.07 });
    assert.deepEqual(Object.keys(out.params.by_target).sort(), ['10:00', '11:00', '12:00', '13:00', '14:00', '15:00', '16:00']);
    assert.ok(out.params.by_target['13:00'].sample_count >= 60);
    const written = JSON.parse(fs.readFileSync(out.file, 'utf8'));
    assert.deepEqual(written, out.params);

    const text = await cli(['calibrate', '--symbol', 'I:SPX', '--horizon', 'hourly', '--bars', 'bars.csv', '--min-target-samples', '100'], { home, clock });
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /pooled curve serves 10:00, 11:00, 12:00, 13:00, 14:00, 15:00, 16:00 \(fewer than 100 samples\)/);
    assert.match(text.stdout, /residual_std=0\.\d+ \(1 bp of 6\d+(\.\d+)?; no official closes in the input\)/);
    const bad = await cli(['calibrate', '--symbol', 'I:SPX', '--horizon', 'hourly', '--bars', 'bars.csv', '--residual-std', '-1'], { home, clock });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /expected index points ≥ 0/);
  } finally {
    clock.dispose();
  }
});
