/**
 * SPEC §5.2: σ keeps shrinking to the target (σ_eff² = σ(m)² + residual²), one choice of calibration per
 * market (calibrationChoice), and buildModelSpec picking the target's own curve.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CalibratedCurve, DefaultCurve } from '../../src/core/model/curve.ts';
import { forecast, type ModelSpec } from '../../src/core/model/forecast.ts';
import { priceLadder, type PricedMarket } from '../../src/core/model/ladder-pricing.ts';
import { buildModelSpec, type ModelConfig } from '../../src/core/model/model-spec.ts';
import { calibrationChoice } from '../../src/core/model/calibration-choice.ts';
import type { CalibrationParams } from '../../src/core/calibration/params.ts';
import { etToMs } from '../../src/core/time/et.ts';
import { refNormalCdf, thresholdLadder } from './ladders.ts';

const CONFIG: ModelConfig = { dist: 'normal', t_dof: 5, default_annual_vol: 0.18, sigma_floor_1m_points: 0.5, residual_std_bp: 0.15, kappa_cap: 1.8 };
const sqrtPoints = (s1: number) => Array.from({ length: 60 }, (_, i) => ({ minutes: i + 1, sigma: s1 * Math.sqrt(i + 1), drift: 0 }));
const spec = (curve: ModelSpec['curve'], sigmaFloor = 0.5): ModelSpec => ({ curve, sigmaFloor, kappa: 1, dist: { kind: 'normal' } });

test('the calibrated model keeps shrinking through the final minute: 10 s out, spot 2 above the strike, σ(1) = 3', () => {
  const curve = new CalibratedCurve(sqrtPoints(3), 0.1);
  const ladder = thresholdLadder(6790, 5, 5, 'greater_or_equal'); // 6790 … 6810
  const m = 10 / 60;
  const f = forecast(6802, m, spec(curve));
  const sigma = 3 * Math.sqrt(m);
  assert.ok(Math.abs(f.sigmaM - sigma) < 1e-12);
  assert.ok(Math.abs(f.sigmaEff - Math.hypot(sigma, 0.1)) < 1e-12);
  const p = (priceLadder(ladder, f) as PricedMarket[]).find((x) => x.ticker.endsWith('T6800'))!.pYes;
  assert.ok(Math.abs(p - refNormalCdf(2 / sigma)) < 0.01, `p ${p}`);
  // the old rule (residual = σ(1) used as a floor) froze the spread at 3 points: P ≈ 0.75
  assert.ok(Math.abs(refNormalCdf(2 / 3) - 0.7475) < 1e-3 && p > 0.94);
  // σ_eff decreases monotonically to the residual at the target, the default curve too
  for (const c of [curve, new DefaultCurve(6802, 0.18, 0.1)]) {
    let prev = Infinity;
    for (const s of [600, 120, 60, 30, 10, 5, 2, 1, 0.5, 0]) {
      const e = forecast(6802, s / 60, spec(c)).sigmaEff;
      assert.ok(e < prev, `${c.source}: σ_eff(${s}s) = ${e} ≥ ${prev}`);
      prev = e;
    }
    assert.equal(prev, 0.1);
  }
});

test('sigma floor bounds the 1-minute σ of a degenerate calibration and shrinks with √m', () => {
  const dead = new CalibratedCurve([{ minutes: 1, sigma: 0.01, drift: 0 }, { minutes: 60, sigma: 0.05, drift: 0 }], 0);
  assert.ok(Math.abs(forecast(6800, 4, spec(dead, 0.5)).sigmaM - 1) < 1e-12); // 0.5·√4
  assert.ok(Math.abs(forecast(6800, 1 / 60, spec(dead, 0.5)).sigmaM - 0.5 / Math.sqrt(60)) < 1e-12);
  assert.equal(forecast(6800, 0, spec(dead, 0.5)).sigmaEff, 0);
  // a healthy curve is untouched by the default floor
  const ok = new CalibratedCurve(sqrtPoints(3), 0);
  for (const m of [1 / 60, 0.5, 5, 45]) assert.equal(forecast(6800, m, spec(ok, 0.5)).sigmaM, ok.sigmaAt(m));
});

test('calibrationChoice: hourly series (their 16:00 events too) use hourly, range series close; target from close_time', () => {
  const at = (t: string, d = '2026-11-20') => etToMs(d, t);
  assert.deepEqual(calibrationChoice('INXU', at('10:00')), { series: 'INXU', symbol: 'I:SPX', horizon: 'hourly', targetEt: '10:00' });
  assert.deepEqual(calibrationChoice('INXU', at('16:00')), { series: 'INXU', symbol: 'I:SPX', horizon: 'hourly', targetEt: '16:00' });
  assert.deepEqual(calibrationChoice('NASDAQ100U', at('13:00', '2026-11-27')), { series: 'NASDAQ100U', symbol: 'I:NDX', horizon: 'hourly', targetEt: '13:00' });
  assert.deepEqual(calibrationChoice('INX', at('16:00')), { series: 'INX', symbol: 'I:SPX', horizon: 'close', targetEt: '16:00' });
  assert.deepEqual(calibrationChoice('NASDAQ100', at('13:00', '2026-11-27')), { series: 'NASDAQ100', symbol: 'I:NDX', horizon: 'close', targetEt: '13:00' });
  // ET, not UTC, across DST: 14:00 UTC is 10:00 EDT in July and 09:00 EST in November
  assert.equal(calibrationChoice('INXU', Date.parse('2026-07-15T14:00:00Z')).targetEt, '10:00');
  assert.equal(calibrationChoice('INXU', Date.parse('2026-11-16T15:00:00Z')).targetEt, '10:00');
  // a close_time a hair before or after the minute is the same target
  assert.equal(calibrationChoice('INXU', at('11:00') - 1).targetEt, '11:00');
  assert.equal(calibrationChoice('INXU', at('11:00') + 20_000).targetEt, '11:00');
  assert.throws(() => calibrationChoice('INXU', NaN), /close_time/);
});

test('buildModelSpec: by_target[targetEt] when the file has it, the pooled curve otherwise; default curve residual from bp', () => {
  const table = (s1: number) => Object.fromEntries(sqrtPoints(s1).map((p) => [String(p.minutes), { sigma: p.sigma, drift: p.drift }]));
  const calib = {
    symbol: 'I:SPX', horizon: 'hourly', generated_at: '2026-11-18T22:00:00Z', sample_count: 10, days: 10,
    minutes_to_target: table(4), by_target: { '12:00': { sample_count: 60, minutes_to_target: table(2.9) } },
    residual_std: 0.1, event_tail: { tags: [], kappa: 1 },
  } as CalibrationParams;
  const own = buildModelSpec({ calibration: calib, config: CONFIG, spot: 6800, targetEt: calibrationChoice('INXU', etToMs('2026-11-20', '12:00')).targetEt });
  assert.equal(own.curve.target, '12:00');
  assert.ok(Math.abs(own.curve.sigmaAt(4) - 5.8) < 1e-12);
  assert.equal(buildModelSpec({ calibration: calib, config: CONFIG, spot: 6800, targetEt: '11:00' }).curve.target, 'pooled');
  assert.equal(buildModelSpec({ calibration: calib, config: CONFIG, spot: 6800 }).curve.target, 'pooled');
  const def = buildModelSpec({ calibration: null, config: CONFIG, spot: 6800, targetEt: '12:00' });
  assert.equal(def.curve.target, null);
  assert.ok(Math.abs(def.curve.residualStd - 0.102) < 1e-12);
  assert.equal(def.sigmaFloor, 0.5);
});
