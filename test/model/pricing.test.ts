import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CalibratedCurve, DefaultCurve, TRADING_MINUTES_PER_YEAR } from '../../src/core/model/curve.ts';
import { forecast, type ModelSpec } from '../../src/core/model/forecast.ts';
import { conditionLabel, yesRegion } from '../../src/core/model/conditions.ts';
import { priceLadder, type PricedMarket } from '../../src/core/model/ladder-pricing.ts';
import { buildModelSpec, eventKappa } from '../../src/core/model/model-spec.ts';
import type { CalibrationParams } from '../../src/core/calibration/params.ts';
import { market, rangeLadder, refNormalCdf, thresholdLadder } from './ladders.ts';

const spec = (curve: ModelSpec['curve'], extra: Partial<ModelSpec> = {}): ModelSpec => ({
  curve,
  sigmaFloor: 0.5,
  kappa: 1,
  dist: { kind: 'normal' },
  ...extra,
});

test('conditions: every spelling of the same cut lands on the same settlement tick', () => {
  const r = (m: Parameters<typeof yesRegion>[0]) => {
    const c = yesRegion(m);
    assert.ok(c.ok);
    return c;
  };
  assert.deepEqual(r({ strikeType: 'greater_or_equal', floorStrike: 6700 }).region, { lo: 670000, hi: null });
  assert.deepEqual(r({ strikeType: 'greater', floorStrike: 6699.9999 }).region, { lo: 670000, hi: null });
  assert.deepEqual(r({ strikeType: 'greater', floorStrike: 6699.99 }).region, { lo: 670000, hi: null });
  assert.deepEqual(r({ strikeType: 'less_or_equal', capStrike: 6699.9999 }).region, { lo: null, hi: 670000 });
  assert.deepEqual(r({ strikeType: 'less', capStrike: 6700 }).region, { lo: null, hi: 670000 });
  const bin = r({ strikeType: 'between', floorStrike: 6675, capStrike: 6699.9999 });
  assert.deepEqual(bin.region, { lo: 667500, hi: 670000 });
  assert.equal(conditionLabel({ strikeType: 'between', floorStrike: 6675, capStrike: 6699.9999 }), '6675–6699.9999');
  assert.equal(conditionLabel({ strikeType: 'greater_or_equal', floorStrike: 6800 }), '≥ 6800');
  assert.equal(conditionLabel({ strikeType: 'less', capStrike: 6675 }), '< 6675');
  for (const t of ['functional', 'custom', 'structured'] as const) {
    const c = yesRegion({ strikeType: t, floorStrike: 6800 });
    assert.deepEqual(c, { ok: false, reason: `strike_type_unsupported:${t}` });
  }
  assert.deepEqual(yesRegion({ strikeType: 'between', floorStrike: 6800 }), { ok: false, reason: 'missing_floor_or_cap_strike' });
});

test('a known threshold ladder matches an independent erf-based normal computation', () => {
  const curve = new CalibratedCurve(
    [
      { minutes: 5, sigma: 4, drift: 0.2 },
      { minutes: 15, sigma: 8, drift: 0.6 },
    ],
    1.0,
  );
  const spot = 6802.37;
  const f = forecast(spot, 10, spec(curve));
  // σ² interpolates linearly: 16 + 0.5·(64 − 16) = 40, plus residual² = 1 in quadrature; drift 0.4
  const scale = Math.sqrt(41);
  const center = spot + 0.4;
  assert.ok(Math.abs(f.scale - scale) < 1e-12);
  const ladder = thresholdLadder(6780, 5, 9);
  const priced = priceLadder(ladder, f) as PricedMarket[];
  for (let i = 0; i < ladder.length; i++) {
    const k = ladder[i]!.floorStrike!;
    const expected = 1 - refNormalCdf((k - 0.005 - center) / scale); // V ≥ k ⇔ S ≥ k − half a cent
    assert.ok(Math.abs(priced[i]!.pYes - expected) < 1e-12, `${k}: ${priced[i]!.pYes} vs ${expected}`);
  }
  assert.ok(Math.abs(priced[4]!.pYes - 0.6676) < 1e-3); // ≥ 6800: z = (6799.995 − 6802.77)/6.4031 ≈ −0.433
});

test('known range ladder: bins and tails match independent CDF differences and sum to 1', () => {
  const f = forecast(6712.5, 30, spec(new DefaultCurve(6712.5, 0.2)));
  const sigma = 6712.5 * 0.2 * Math.sqrt(30 / TRADING_MINUTES_PER_YEAR);
  assert.ok(Math.abs(f.scale - sigma) < 1e-9);
  const ladder = rangeLadder(6650, 25, 5);
  const priced = priceLadder(ladder, f) as PricedMarket[];
  const cdf = (x: number) => refNormalCdf((x - 6712.5) / sigma);
  assert.ok(Math.abs(priced[0]!.pYes - cdf(6649.995)) < 1e-12);
  assert.ok(Math.abs(priced[1]!.pYes - (cdf(6674.995) - cdf(6649.995))) < 1e-12);
  assert.ok(Math.abs(priced[6]!.pYes - (1 - cdf(6774.995))) < 1e-12);
  const sum = priced.reduce((s, m) => s + m.pYes, 0);
  assert.ok(Math.abs(sum - 1) < 1e-12);
});

const distArb = fc.oneof(
  fc.constant({ kind: 'normal' as const }),
  fc.double({ min: 2.5, max: 60, noNaN: true }).map((dof) => ({ kind: 't' as const, dof })),
);

test('property: range ladders (bins + both tails) sum to 1, every p in [0, 1]', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 3000, max: 25000 }),
      fc.constantFrom(5, 10, 25, 50, 100),
      fc.integer({ min: 1, max: 60 }),
      fc.constantFrom('9999' as const, '99' as const),
      fc.double({ min: -200, max: 200, noNaN: true }),
      fc.double({ min: 0, max: 400, noNaN: true }),
      fc.double({ min: 0, max: 500, noNaN: true }),
      distArb,
      (low, width, n, spelling, offset, minutes, vol, dist) => {
        const ladder = rangeLadder(low, width, n, spelling);
        const spot = low + (n * width) / 2 + offset;
        const curve = new CalibratedCurve([{ minutes: 60, sigma: vol / 10 + 0.01, drift: 0 }], 0);
        const priced = priceLadder(ladder, forecast(spot, minutes, spec(curve, { dist, sigmaFloor: 0.05 })));
        let sum = 0;
        for (const p of priced) {
          assert.ok(p.ok);
          assert.ok(p.pYes >= 0 && p.pYes <= 1);
          sum += p.pYes;
        }
        assert.ok(Math.abs(sum - 1) < 1e-9, `sum=${sum}`);
      },
    ),
    { numRuns: 300 },
  );
});

test('a vanishing σ with Student-t shocks: strikes a long way off are certain, the ladder still sums to 1', () => {
  // fast-check's counterexample (a stress run, random seed): 5.75e-311 minutes to the target, t with 60 dof.
  // The strikes sat ~1e157 standard deviations away; t² overflowed and the even-dof series read ½ for both
  // tails, so the ladder summed to 1.5.
  const ladder = rangeLadder(3000, 5, 16, '9999');
  const curve = new CalibratedCurve([{ minutes: 60, sigma: 0.01, drift: 0 }], 0);
  for (const dof of [60, 4, 7, 2.5, 33.3]) {
    const priced = priceLadder(ladder, forecast(3040, 5.7545013584596e-311, spec(curve, { dist: { kind: 't', dof }, sigmaFloor: 0.05 })));
    const ps = priced.map((p) => (p.ok ? p.pYes : NaN));
    assert.ok(Math.abs(ps.reduce((a, b) => a + b, 0) - 1) < 1e-12, `dof ${dof}: sum ${ps.reduce((a, b) => a + b, 0)}`);
    assert.deepEqual(ps.filter((p) => p !== 0), [1], `dof ${dof}: only the bin holding the spot`);
  }
});

test('property: threshold ladders are monotone non-increasing in strike', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 3000, max: 25000 }),
      fc.constantFrom(5, 10, 25),
      fc.integer({ min: 2, max: 40 }),
      fc.constantFrom('greater' as const, 'greater_or_equal' as const),
      fc.double({ min: -100, max: 100, noNaN: true }),
      fc.double({ min: 0.01, max: 120, noNaN: true }),
      distArb,
      fc.double({ min: 1, max: 1.8, noNaN: true }),
      (low, step, n, kind, offset, minutes, dist, kappa) => {
        const ladder = thresholdLadder(low, step, n, kind);
        const spot = low + (n * step) / 2 + offset;
        const priced = priceLadder(ladder, forecast(spot, minutes, spec(new DefaultCurve(spot, 0.18), { dist, kappa })));
        let prev = 1;
        for (const p of priced) {
          assert.ok(p.ok && p.pYes >= 0 && p.pYes <= 1);
          assert.ok(p.pYes <= prev + 1e-15, `not monotone: ${p.pYes} > ${prev}`);
          prev = p.pYes;
        }
      },
    ),
    { numRuns: 300 },
  );
});

test('curve: variance-linear interpolation, √m extrapolation, floors and κ', () => {
  const c = new CalibratedCurve(
    [
      { minutes: 10, sigma: 3, drift: 1 },
      { minutes: 20, sigma: 5, drift: 3 },
    ],
    0.8,
  );
  assert.ok(Math.abs(c.sigmaAt(15) - Math.sqrt((9 + 25) / 2)) < 1e-12);
  assert.ok(Math.abs(c.sigmaAt(2.5) - 3 * Math.sqrt(0.25)) < 1e-12);
  assert.ok(Math.abs(c.sigmaAt(80) - 5 * 2) < 1e-12);
  assert.equal(c.driftAt(5), 0.5);
  assert.equal(c.driftAt(15), 2);
  assert.equal(c.driftAt(100), 3);
  // σ_eff = sqrt(max(σ(m), floor·√m)² + residual²): the residual adds in quadrature, it is no floor
  const sig = (m: number) => 3 * Math.sqrt(m / 10);
  assert.ok(Math.abs(forecast(6000, 0.01, spec(c)).sigmaEff - Math.sqrt(sig(0.01) ** 2 + 0.64)) < 1e-12);
  assert.equal(forecast(6000, 0, spec(c)).sigmaEff, 0.8);
  // the floor bounds the 1-minute σ and scales with √m
  assert.ok(Math.abs(forecast(6000, 0.01, spec(c, { sigmaFloor: 2 })).sigmaM - 2 * Math.sqrt(0.01)) < 1e-12);
  assert.ok(Math.abs(forecast(6000, 5, spec(c, { sigmaFloor: 0.5 })).sigmaM - sig(5)) < 1e-12);
  assert.ok(Math.abs(forecast(6000, 20, spec(c, { kappa: 1.44 })).scale - Math.sqrt(25 + 0.64) * 1.2) < 1e-12);
  // the default curve: σ(1 year of trading minutes) = spot × annual vol
  assert.ok(Math.abs(new DefaultCurve(5000, 0.2).sigmaAt(TRADING_MINUTES_PER_YEAR) - 1000) < 1e-9);
});

test('event κ: 1 on plain days, calibrated and capped on tagged days, cap without calibration', () => {
  const calib = { event_tail: { tags: ['CPI'], kappa: 2.4 } } as unknown as CalibrationParams;
  assert.equal(eventKappa([], calib, 1.8), 1);
  assert.equal(eventKappa(['CPI'], calib, 1.8), 1.8);
  assert.equal(eventKappa(['FOMC'], { event_tail: { tags: [] as string[], kappa: 1.3 } } as unknown as CalibrationParams, 1.8), 1.3);
  assert.equal(eventKappa(['NFP'], null, 1.6), 1.6);
  const s = buildModelSpec({
    calibration: null,
    config: { dist: 'normal', t_dof: 5, default_annual_vol: 0.18, sigma_floor_1m_points: 0.5, residual_std_bp: 0.15, kappa_cap: 1.8 },
    spot: 6800,
    dayTags: ['CPI'],
    dist: 't',
  });
  assert.equal(s.kappa, 1.8);
  assert.deepEqual(s.dist, { kind: 't', dof: 5 });
  assert.equal(s.curve.source, 'default');
});

test('unsupported strike types are skipped with a reason, never priced', () => {
  const f = forecast(6800, 10, spec(new DefaultCurve(6800, 0.18)));
  const out = priceLadder([market('KXINXU-26NOV20H1000-X', 'functional', 6800), market('KXINXU-26NOV20H1000-T6800', 'greater', 6800)], f);
  assert.deepEqual(out[0], { ticker: 'KXINXU-26NOV20H1000-X', ok: false, reason: 'strike_type_unsupported:functional' });
  assert.ok(out[1]!.ok);
});
