/**
 * The default σ curve (no calibration, issue 23): the annual volatility through a U-shaped intraday profile
 * ending at the target, not a flat √time — busiest at the open and the close, quietest at midday, a whole
 * session carrying annual_vol²/252.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DefaultCurve, intradayVarianceShape, TRADING_MINUTES_PER_YEAR } from '../../src/core/model/curve.ts';
import { buildModelSpec } from '../../src/core/model/model-spec.ts';
import type { ModelConfig } from '../../src/core/model/model-spec.ts';
import { DEFAULT_RESIDUAL_STD_BP } from '../../src/core/calibration/fit.ts';

const CONFIG: ModelConfig = { dist: 'normal', t_dof: 5, default_annual_vol: 0.18, sigma_floor_1m_points: 0.5, residual_std_bp: DEFAULT_RESIDUAL_STD_BP, kappa_cap: 1.8 };

test('U-shaped: σ(m) ending at the close and at the open above, at midday below the flat curve; a whole session equals it', () => {
  const flat = new DefaultCurve(6800, 0.18);
  const perMinute = 6800 * 0.18 * Math.sqrt(1 / TRADING_MINUTES_PER_YEAR);
  assert.ok(Math.abs(flat.sigmaAt(10) - perMinute * Math.sqrt(10)) < 1e-12, 'no target: the flat curve');
  const ratio = (t: string, m: number) => new DefaultCurve(6800, 0.18, 0, t).sigmaAt(m) / flat.sigmaAt(m);
  // the profile's σ multiplier √g: 1.46 at the ends, 0.73 at midday (12:45)
  assert.ok(Math.abs(Math.sqrt(intradayVarianceShape(0)) - 1.4638) < 1e-3 && Math.abs(Math.sqrt(intradayVarianceShape(1)) - 1.4638) < 1e-3);
  assert.ok(Math.abs(Math.sqrt(intradayVarianceShape(0.5)) - 0.7319) < 1e-3);
  assert.ok(ratio('16:00', 1) > 1.45 && ratio('16:00', 1) < 1.47, `close ${ratio('16:00', 1)}`);
  assert.ok(ratio('13:00', 10) > 0.72 && ratio('13:00', 10) < 0.75, `midday ${ratio('13:00', 10)}`);
  assert.ok(ratio('11:00', 15) > ratio('12:00', 15) && ratio('15:00', 15) > ratio('14:00', 15));
  assert.ok(Math.abs(ratio('16:00', 390) - 1) < 1e-9, 'a whole session carries annual_vol²/252');
  // additive in variance: (T − 30, T] = (T − 30, T − 10] + (T − 10, T]
  const c = new DefaultCurve(6800, 0.18, 0, '15:00');
  const head = new DefaultCurve(6800, 0.18, 0, '14:50');
  assert.ok(Math.abs(c.sigmaAt(30) ** 2 - (c.sigmaAt(10) ** 2 + head.sigmaAt(20) ** 2)) < 1e-9);
  // shrinks to 0 at the target like √m
  assert.equal(c.sigmaAt(0), 0);
  assert.ok(Math.abs(c.sigmaAt(0.01) / c.sigmaAt(0.04) - 0.5) < 1e-3);
});

test('buildModelSpec without a calibration: the U-shaped curve of the event’s target and the 1 bp residual (0.68 points on SPX 6800)', () => {
  const spec = buildModelSpec({ calibration: null, config: CONFIG, spot: 6800, targetEt: '16:00' });
  assert.equal(spec.curve.source, 'default');
  assert.ok(spec.curve.sigmaAt(5) > new DefaultCurve(6800, 0.18).sigmaAt(5) * 1.4);
  assert.ok(Math.abs(spec.curve.residualStd - 0.68) < 1e-9);
  assert.ok(buildModelSpec({ calibration: null, config: CONFIG, spot: 25_000, targetEt: '16:00' }).curve.residualStd === 2.5, 'NDX: scaled by the level');
});
