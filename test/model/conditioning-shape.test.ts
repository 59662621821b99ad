/**
 * The adaptive σ's shape (issue 19): per horizon, calibrate fits the unit-variance Student t that best
 * describes the change given the conditioned σ; the forecast uses it. A Gaussian world stays (nearly)
 * normal; a heavy-tailed sample is found heavy-tailed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { heteroBars } from './hetero-bars.ts';
import { fitCalibration } from '../../src/core/calibration/fit.ts';
import { unitTDof } from '../../src/core/calibration/qlike-glm.ts';
import { calendarSessions } from '../../src/core/calibration/sessions.ts';
import { createCalendar } from '../../src/core/calendar/index.ts';
import { CalibrationParamsSchema } from '../../src/core/calibration/params.ts';
import { horizonDof, type ConditioningParams } from '../../src/core/model/conditioning.ts';
import { forecast, survival, type ModelSpec } from '../../src/core/model/forecast.ts';
import { curveFromParams } from '../../src/core/calibration/params.ts';
import { gaussian, seededRandom } from '../../src/sim/day/index-path.ts';

/** n draws of a unit-variance Student t with ν dof (normal / √(χ²_ν/ν), scaled by √((ν−2)/ν)). */
function unitT(n: number, nu: number, seed: number): number[] {
  const g = gaussian(seededRandom(seed));
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    let chi = 0;
    for (let k = 0; k < nu; k++) chi += g() ** 2;
    out.push((g() / Math.sqrt(chi / nu)) * Math.sqrt((nu - 2) / nu));
  }
  return out;
}

test('unitTDof: a unit-variance t(5) sample is found near 5; a normal sample is normal or nearly', () => {
  const d5 = unitTDof(unitT(20_000, 5, 11));
  assert.ok(d5 !== null && d5 >= 4 && d5 <= 6, `t(5): ${d5}`);
  const g = gaussian(seededRandom(12));
  const normal = unitTDof(Array.from({ length: 20_000 }, () => g()));
  assert.ok(normal === null || normal >= 30, `normal: ${normal}`);
  assert.equal(unitTDof([]), null);
});

test('calibrate on Gaussian bars fits a (nearly) normal shape at every horizon, and the file validates', () => {
  const { session } = calendarSessions(createCalendar());
  const gen = heteroBars({ from: '2025-01-06', days: 60, seed: 7, sigma: 1.2 });
  const fitted = fitCalibration({ symbol: 'I:SPX', horizon: 'hourly', bars: gen.bars, barStamp: 'start', session, kappaCap: 1.8, generatedAtMs: 0 });
  const cond = fitted.params.conditioning!;
  for (const h of cond.realised.horizons) assert.ok(h.dof === undefined || h.dof >= 12, `dof(${h.minutes}) = ${h.dof}`);
  assert.equal(CalibrationParamsSchema.safeParse(fitted.params).success, true);
  const bad = structuredClone(fitted.params);
  bad.conditioning!.realised.horizons[0]!.dof = 2;
  assert.equal(CalibrationParamsSchema.safeParse(bad).success, false, 'dof ≤ 2 (no variance) is refused');
});

test('the forecast takes the fitted shape of the nearest horizon: same variance, a t of that dof; none fitted: model.dist', () => {
  const cond: ConditioningParams = {
    profile: { slot_minutes: 5, variance: [1] },
    realised: { e0_minutes: 10, days: 60, samples: 100, horizons: [{ minutes: 1, alpha: 0, beta: 0, dof: 6, samples: 50 }, { minutes: 10, alpha: 0, beta: 0, samples: 50 }] },
    events: {},
  };
  assert.equal(horizonDof(cond, 0.2), 6, 'below the shortest: the shortest');
  assert.equal(horizonDof(cond, 2), 6, 'nearer 1 than 10 in ln m');
  assert.equal(horizonDof(cond, 5), undefined, 'nearer 10: normal');
  const params = { symbol: 'I:SPX', horizon: 'hourly', generated_at: '2025-01-01T00:00:00.000Z', sample_count: 1, days: 1, residual_std: 0, event_tail: { tags: [], kappa: 1 }, minutes_to_target: { '1': { sigma: 3, drift: 0 }, '10': { sigma: 9.5, drift: 0 } } };
  const curve = curveFromParams(CalibrationParamsSchema.parse(params), '15:00');
  const at = (dof?: number) => ({ at: () => ({ factor: 1, ratio: 1, changes: 0, weight: 0, recentRatio: 1, recentWeight: 0, alpha: 0, uplift: 1, factorNow: 1, ...(dof !== undefined ? { dof } : {}) }) });
  const spec = (dof?: number): ModelSpec => ({ curve, sigmaFloor: 0, kappa: 1, dist: { kind: 'normal' }, regime: at(dof) });
  const t = forecast(6000, 0.5, spec(6));
  const n = forecast(6000, 0.5, spec());
  assert.equal(t.t?.dof, 6);
  assert.equal(n.t, null);
  assert.equal(t.scale, n.scale, 'the same σ');
  // a unit-variance t is more peaked: a strike half a σ away is more likely on the spot's side of it
  assert.ok(survival(t, 6000 + 0.5 * t.scale) < survival(n, 6000 + 0.5 * n.scale));
  // and heavier in the tail
  assert.ok(survival(t, 6000 + 3 * t.scale) > survival(n, 6000 + 3 * n.scale));
});
