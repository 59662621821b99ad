/**
 * The oracle (src/sim/market/oracle.ts): the true P(YES) under the generating process. Checked against a
 * Monte Carlo of the generator's own steps, against realised outcomes over many seeded days, on the cent
 * grid of the settlement print, and for a range ladder summing to one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gaussian, generateIndexPath, seededRandom } from '../../src/sim/day/index-path.ts';
import { levelBounds, oracleYes, probYes } from '../../src/sim/market/oracle.ts';
import { generateLadders, yesHolds } from '../../src/sim/kalshi/ladders.ts';
import { etToMs } from '../../src/core/time/et.ts';

const DATE = '2026-11-20';
const OPEN = etToMs(DATE, '09:30');
const CLOSE = etToMs(DATE, '16:00');
const spxPath = (seed: number) => generateIndexPath({ symbol: 'I:SPX', startMs: OPEN, endMs: CLOSE, seed });

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
