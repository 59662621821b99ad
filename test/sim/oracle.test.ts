/**
 * The oracle (src/sim/market/oracle.ts): the true P(YES) under the generating process. Checked against a
 * Monte Carlo of the generator's own steps, against realised outcomes over many seeded days, on the cent
 * grid of the settlement print, and for a range ladder summing to one — in the classic world (a Gaussian
 * walk) and in the regime world (a Poisson mixture of normals: checked against the regime generator's own
 * draws over one variance path).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gaussian, seededRandom, totalVariance, type IndexPath, type LogLaw } from '../../src/sim/day/index-path.ts';
import { generateRegimePath } from '../../src/sim/day/regime.ts';
import { resolveWorld, worldPath, type SimWorldKind } from '../../src/sim/day/world.ts';
import { SIM_MACRO_CALENDAR } from '../../src/sim/day/macro-calendar.ts';
import { normalSurvival } from '../../src/core/model/distributions.ts';
import { levelBounds, oracleYes, probYes } from '../../src/sim/market/oracle.ts';
import { generateLadders, yesHolds } from '../../src/sim/kalshi/ladders.ts';
import { etToMs } from '../../src/core/time/et.ts';

const DATE = '2026-11-20';
const OPEN = etToMs(DATE, '09:30');
const CLOSE = etToMs(DATE, '16:00');
const OPEN_OF = (d: string) => etToMs(d, '09:30');
/** The SPX path of a seed (the classic world unless told otherwise: these tests pin its numbers). */
const spxPath = (seed: number, world: SimWorldKind = 'classic') => worldPath('I:SPX', { seed, dateEt: DATE, world });

test('settlement print on the cent grid: bounds on the unrounded level', () => {
  assert.deepEqual(levelBounds({ strikeType: 'greater_or_equal', floorStrike: 6800 }), { lo: 6799.995, hi: Infinity });
  assert.deepEqual(levelBounds({ strikeType: 'greater', floorStrike: 24499.99 }), { lo: 24499.995, hi: Infinity });
  assert.deepEqual(levelBounds({ strikeType: 'less', capStrike: 6800 }), { lo: -Infinity, hi: 6799.995 });
  assert.deepEqual(levelBounds({ strikeType: 'less_or_equal', capStrike: 6800 }), { lo: -Infinity, hi: 6800.005 });
  const b = levelBounds({ strikeType: 'between', floorStrike: 6800, capStrike: 6824.9999 });
  assert.ok(Math.abs(b.lo - 6799.995) < 1e-9 && Math.abs(b.hi - 6824.995) < 1e-9, `between bounds ${JSON.stringify(b)}`);
  assert.throws(() => levelBounds({ strikeType: 'greater' }), /floor/);
});

test('no variance left: the answer is the indicator of the rounded value', () => {
  assert.equal(probYes({ strikeType: 'greater_or_equal', floorStrike: 6800 }, 6799.995, 0), 1);
  assert.equal(probYes({ strikeType: 'greater_or_equal', floorStrike: 6800 }, 6799.994, 0), 0);
  const path = spxPath(5);
  const settle = path.valueAt(etToMs(DATE, '11:00'));
  for (const k of [settle - 0.01, settle, settle + 0.01]) {
    const c = { strikeType: 'greater_or_equal' as const, floorStrike: Math.round(k * 100) / 100 };
    const want = yesHolds(c, settle) ? 1 : 0;
    assert.equal(oracleYes(c, path, etToMs(DATE, '11:00'), etToMs(DATE, '11:00')), want, `strike ${c.floorStrike} at the target`);
    assert.equal(oracleYes(c, path, etToMs(DATE, '11:00'), etToMs(DATE, '11:05')), want, `strike ${c.floorStrike} after the target`);
  }
});

test('matches a Monte Carlo of the generator’s own steps from the value now', () => {
  const path = spxPath(11);
  for (const [now, target] of [['15:58:30', '16:00'], ['10:50:00', '11:00'], ['12:59:50', '13:00']] as const) {
    const t = etToMs(DATE, now);
    const T = etToMs(DATE, target);
    const s0 = path.valueAt(t);
    const a = path.indexAt(t);
    const b = path.indexAt(T);
    const z = gaussian(seededRandom(99));
    const N = 20_000;
    const strikes = [s0 - 3, Math.round(s0), s0 + 2.5].map((k) => Math.round(k * 100) / 100);
    const hits = strikes.map(() => 0);
    for (let n = 0; n < N; n++) {
      let level = s0;
      for (let j = a; j < b; j++) level *= Math.exp(path.stepSigma(j) * z());
      const v = Math.round(level * 100) / 100;
      strikes.forEach((k, i) => {
        if (v >= k) hits[i]!++;
      });
    }
    strikes.forEach((k, i) => {
      const mc = hits[i]! / N;
      const p = oracleYes({ strikeType: 'greater_or_equal', floorStrike: k }, path, T, t);
      const se = Math.sqrt(Math.max(p * (1 - p), 1e-4) / N);
      assert.ok(Math.abs(mc - p) < 4 * se + 1e-3, `${now}→${target} strike ${k}: oracle ${p.toFixed(4)} vs Monte Carlo ${mc.toFixed(4)}`);
    });
  }
});

test('calibrated against realised outcomes over 300 seeded days (10:00 and 16:00 targets)', () => {
  let sumP = 0;
  let sumO = 0;
  let brier = 0;
  let n = 0;
  for (let seed = 1000; seed < 1300; seed++) {
    const path = spxPath(seed);
    for (const [now, target] of [['09:55', '10:00'], ['15:59', '16:00']] as const) {
      const t = etToMs(DATE, now);
      const T = etToMs(DATE, target);
      const k = Math.round(path.valueAt(t)); // an at-the-money strike: the most uncertain market
      const c = { strikeType: 'greater_or_equal' as const, floorStrike: k };
      const p = oracleYes(c, path, T, t);
      const o = yesHolds(c, path.valueAt(T)) ? 1 : 0;
      sumP += p;
      sumO += o;
      brier += (p - o) ** 2;
      n++;
    }
  }
  const meanP = sumP / n;
  const meanO = sumO / n;
  assert.ok(Math.abs(meanP - meanO) < 3 * Math.sqrt(0.25 / n), `mean oracle ${meanP.toFixed(3)} vs outcome frequency ${meanO.toFixed(3)}`);
  // At the money the oracle says ~0.5 and the Brier score of any calibrated forecast is ~0.25.
  assert.ok(brier / n < 0.26, `Brier ${brier / n}`);
});

test('a range ladder (tails and bins) sums to one at any instant', () => {
  const path = spxPath(3);
  const centre = path.valueAt(OPEN);
  const events = generateLadders({ dateEt: DATE, closeEt: '16:00', hourlyTargets: [], centre: { spx: centre, ndx: 25_000 } });
  const inx = events.find((e) => e.series === 'INX')!;
  for (const now of ['15:50', '15:59:30', '15:59:59', '16:00']) {
    const t = etToMs(DATE, now);
    const total = inx.markets.reduce((a, m) => a + oracleYes(m, path, inx.closeMs, t), 0);
    assert.ok(Math.abs(total - 1) < 1e-9, `${now}: Σ P = ${total}`);
  }
});

test('the path’s log variance follows its U-shape: busier at the open and close than at midday', () => {
  const path = spxPath(1);
  const hour = (from: string, to: string) => path.logVarianceBetween(etToMs(DATE, from), etToMs(DATE, to));
  const open = hour('09:30', '10:00');
  const mid = hour('12:30', '13:00');
  const close = hour('15:30', '16:00');
  assert.ok(open > 2 * mid && close > 2 * mid, `variance per half hour: open ${open}, midday ${mid}, close ${close}`);
  assert.equal(path.logVarianceBetween(etToMs(DATE, '11:00'), etToMs(DATE, '10:00')), 0, 'no variance backwards');
});

// ---- the regime world: a Poisson mixture of normals over a known variance path ----

/** A day of the simulator's macro calendar with a 14:00 FOMC statement. */
const FOMC_DAY = '2026-01-28';
const WORLD = resolveWorld('regime');
const regimeSpx = (seed: number, dateEt = FOMC_DAY, priceSeed?: number): IndexPath =>
  generateRegimePath({ symbol: 'I:SPX', seed, dateEt, closeEt: '16:00', events: WORLD.events, knobs: WORLD.knobs, priceSeed });

/** P(X ≤ x) for X ~ Σ_k Pois(k; Λ) N(0, V + k s²): the mixture written out again, independently of probYes. */
function mixtureCdf(x: number, law: LogLaw): number {
  let p = 0;
  let w = Math.exp(-law.jumpIntensity);
  for (let k = 0; k < 60; k++) {
    const sd = Math.sqrt(law.variance + k * law.jumpVar);
    p += w * normalSurvival(-x / sd);
    w *= law.jumpIntensity / (k + 1);
  }
  return p;
}

test('regime law: additive over intervals, total variance = diffusion + Λ·s_J², an FOMC burst and gap after 14:00', () => {
  assert.ok(SIM_MACRO_CALENDAR.on(FOMC_DAY).some((e) => e.tag === 'FOMC' && e.timeEt === '14:00'), 'the calendar has the FOMC statement');
  const path = regimeSpx(5);
  const at = (t: string) => etToMs(FOMC_DAY, t);
  const ab = path.lawBetween(at('10:00'), at('12:00'));
  const bc = path.lawBetween(at('12:00'), at('15:00'));
  const ac = path.lawBetween(at('10:00'), at('15:00'));
  assert.ok(Math.abs(ab.variance + bc.variance - ac.variance) < 1e-15 && Math.abs(ab.jumpIntensity + bc.jumpIntensity - ac.jumpIntensity) < 1e-12, 'additive');
  assert.equal(ac.jumpVar, ab.jumpVar, 'one jump size all day');
  assert.ok(ac.jumpIntensity > 0 && ac.jumpVar > 0, 'jumps');
  assert.ok(Math.abs(path.logVarianceBetween(at('10:00'), at('15:00')) - totalVariance(ac)) < 1e-15);
  assert.deepEqual(path.lawBetween(at('11:00'), at('10:00')), { variance: 0, jumpIntensity: 0, jumpVar: 0 }, 'no law backwards');
  const burst = path.logVarianceBetween(at('14:00'), at('14:30'));
  const before = path.logVarianceBetween(at('13:00'), at('13:30'));
  assert.ok(burst > 3 * before, `variance 14:00–14:30 ${burst} vs 13:00–13:30 ${before}`);
  const gapStep = path.indexAt(at('14:00'));
  assert.ok(path.stepSigma(gapStep) > 5 * path.stepSigma(gapStep - 1), 'the statement itself: a one-step gap');
});

test('regime: the oracle matches a Monte Carlo of the generator’s own steps (diffusion and Poisson jumps) from the value now', () => {
  const path = regimeSpx(11);
  for (const [now, target] of [['13:55:00', '14:05:00'], ['15:58:30', '16:00:00'], ['10:50:00', '11:00:00']] as const) {
    const t = etToMs(FOMC_DAY, now);
    const T = etToMs(FOMC_DAY, target);
    const s0 = path.valueAt(t);
    const a = path.indexAt(t);
    const b = path.indexAt(T);
    const sd = Math.sqrt(path.logVarianceBetween(t, T));
    const rand = seededRandom(99);
    const z = gaussian(rand);
    const N = 20_000;
    // Strikes from the far left tail to the far right one (where jumps and a normal disagree most).
    const strikes = [-3.5, -2, -0.5, 0, 1, 2.5, 3.5].map((q) => Math.round(s0 * Math.exp(q * sd) * 100) / 100);
    const hits = strikes.map(() => 0);
    const sJ = Math.sqrt(path.jumpVar);
    for (let n = 0; n < N; n++) {
      let x = 0;
      for (let j = a; j < b; j++) {
        x += path.stepSigma(j) * z();
        // Poisson(λ_j) arrivals (λ_j ≪ 1: one uniform decides 0 vs ≥ 1, the rest by inversion).
        const lam = path.stepJumpIntensity(j);
        let u = rand();
        let pk = Math.exp(-lam);
        let cdf = pk;
        for (let k = 0; u > cdf; k++) {
          x += sJ * z();
          pk *= lam / (k + 1);
          cdf += pk;
          if (k > 50) break;
        }
      }
      const v = Math.round(s0 * Math.exp(x) * 100) / 100;
      strikes.forEach((k, i) => {
        if (v >= k) hits[i]!++;
      });
    }
    strikes.forEach((k, i) => {
      const mc = hits[i]! / N;
      const p = oracleYes({ strikeType: 'greater_or_equal', floorStrike: k }, path, T, t);
      const se = Math.sqrt(Math.max(p * (1 - p), 1e-4) / N);
      assert.ok(Math.abs(mc - p) < 4 * se + 1e-3, `${now}→${target} strike ${k}: oracle ${p.toFixed(4)} vs Monte Carlo ${mc.toFixed(4)}`);
    });
  }
});

test('regime: over one variance path, the generator’s own draws follow the oracle’s mixture (and not the normal of the same variance)', () => {
  const seed = 23;
  const paths = Array.from({ length: 80 }, (_, i) => regimeSpx(seed, FOMC_DAY, 1000 + i));
  const ref = paths[0]!;
  // The variance path is drawn first, from the seed alone: every price seed shares it.
  for (const p of paths) {
    for (const i of [0, 1, 999, 16_199, 16_200, 23_398]) {
      assert.equal(p.stepSigma(i), ref.stepSigma(i), `step ${i} σ`);
      assert.equal(p.stepJumpIntensity(i), ref.stepJumpIntensity(i), `step ${i} λ`);
    }
  }
  assert.notDeepEqual(paths[1]!.values.slice(0, 100), ref.values.slice(0, 100), 'the prices differ');
  // Every 1-minute increment's PIT under its own law (disjoint minutes: independent given the variance path).
  const pits: number[] = [];
  const pitsNormal: number[] = [];
  for (const p of paths) {
    for (let t = OPEN_OF(FOMC_DAY); t + 60_000 <= etToMs(FOMC_DAY, '16:00'); t += 60_000) {
      const x = Math.log(p.valueAt(t + 60_000) / p.valueAt(t));
      const law = p.lawBetween(t, t + 60_000);
      pits.push(mixtureCdf(x, law));
      pitsNormal.push(normalSurvival(-x / Math.sqrt(totalVariance(law))));
      // probYes integrates the same mixture (up to the cent grid of the level).
      if (t % (30 * 60_000) === 0) {
        const s = p.valueAt(t);
        const k = Math.round(s * Math.exp(x) * 100) / 100;
        const want = 1 - mixtureCdf(Math.log((k - 0.005) / s), law);
        assert.ok(Math.abs(probYes({ strikeType: 'greater_or_equal', floorStrike: k }, s, law) - want) < 1e-9, 'probYes = the mixture');
      }
    }
  }
  const n = pits.length;
  const ks = (us: number[]) => {
    const s = [...us].sort((a, b) => a - b);
    return s.reduce((m, u, i) => Math.max(m, Math.abs(u - i / n), Math.abs(u - (i + 1) / n)), 0);
  };
  const tails = (us: number[]) => us.filter((u) => u < 1e-3 || u > 1 - 1e-3).length;
  const expected = 2e-3 * n;
  assert.ok(ks(pits) < 1.63 / Math.sqrt(n), `KS ${ks(pits).toFixed(4)} over ${n} minutes (1% critical ${(1.63 / Math.sqrt(n)).toFixed(4)})`);
  assert.ok(Math.abs(tails(pits) - expected) < 4 * Math.sqrt(expected), `tails beyond 1/1000: ${tails(pits)} vs ${expected.toFixed(1)} expected`);
  assert.ok(tails(pitsNormal) > expected + 6 * Math.sqrt(expected), `a normal of the same variance misses the jumps: ${tails(pitsNormal)} tail minutes`);
});

test('regime: calibrated against realised outcomes over 300 seeded days (10:00 and 16:00 targets), and a range ladder sums to one', () => {
  let sumP = 0;
  let sumO = 0;
  let brier = 0;
  let n = 0;
  for (let seed = 2000; seed < 2300; seed++) {
    const path = spxPath(seed, 'regime');
    for (const [now, target] of [['09:55', '10:00'], ['15:59', '16:00']] as const) {
      const t = etToMs(DATE, now);
      const T = etToMs(DATE, target);
      const c = { strikeType: 'greater_or_equal' as const, floorStrike: Math.round(path.valueAt(t)) };
      const p = oracleYes(c, path, T, t);
      const o = yesHolds(c, path.valueAt(T)) ? 1 : 0;
      sumP += p;
      sumO += o;
      brier += (p - o) ** 2;
      n++;
    }
  }
  assert.ok(Math.abs(sumP / n - sumO / n) < 3 * Math.sqrt(0.25 / n), `mean oracle ${(sumP / n).toFixed(3)} vs outcome frequency ${(sumO / n).toFixed(3)}`);
  assert.ok(brier / n < 0.26, `Brier ${brier / n}`);
  const path = regimeSpx(3);
  const events = generateLadders({ dateEt: FOMC_DAY, closeEt: '16:00', hourlyTargets: [], centre: { spx: path.valueAt(OPEN_OF(FOMC_DAY)), ndx: 25_000 } });
  const inx = events.find((e) => e.series === 'INX')!;
  for (const now of ['14:00', '15:50', '15:59:59', '16:00']) {
    const t = etToMs(FOMC_DAY, now);
    const total = inx.markets.reduce((a, m) => a + oracleYes(m, path, inx.closeMs, t), 0);
    assert.ok(Math.abs(total - 1) < 1e-9, `${now}: Σ P = ${total}`);
  }
});
