/**
 * σ(m), one estimator at every horizon (issue 23; core/calibration/fit.ts): smoothed per-lag one-minute
 * variances summed with their autocovariances. Exact on hand-made paths, smooth across every minute (10/11
 * included) on the simulator's own generated history, more accurate than the direct std at every horizon on
 * seeded bars with a known law, and still the std of S_T − S_{T−m} when minute changes are correlated.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitCalibration, type Bar } from '../../src/core/calibration/fit.ts';
import type { CalibrationParams } from '../../src/core/calibration/params.ts';
import { createCalendar } from '../../src/core/calendar/index.ts';
import { calendarSessions } from '../../src/core/calibration/sessions.ts';
import { etToMs } from '../../src/core/time/et.ts';
import { simHistory } from '../../src/app/sim-calibration.ts';
import { generateHourlyBars, weekdaySession } from './gen-bars.ts';

const GEN_AT = Date.parse('2026-08-01T00:00:00Z');
const SIGMA_1M: Record<string, number> = { '10:00': 4.9, '11:00': 3.6, '12:00': 2.9, '13:00': 2.7, '14:00': 2.9, '15:00': 3.3, '16:00': 4.2 };

/** max over m of |σ(m+1)/σ(m) − √((m+1)/m)| of a curve, and the value at m = 10 → 11. */
function roughness(curve: CalibrationParams['minutes_to_target']): { worst: number; worstAt: number; at1011: number } {
  let worst = 0;
  let worstAt = 0;
  let at1011 = NaN;
  for (let m = 1; curve[String(m + 1)]; m++) {
    const a = curve[String(m)]!.sigma;
    const b = curve[String(m + 1)]!.sigma;
    const dev = Math.abs(b / a - Math.sqrt((m + 1) / m));
    if (dev > worst) [worst, worstAt] = [dev, m];
    if (m === 10) at1011 = dev;
  }
  return { worst, worstAt, at1011 };
}

test('exact on two hand-made days: Σ of the per-lag variances without autocorrelation, the direct std with it', () => {
  // day A rises one point a minute, day B falls one: every one-minute change is ±1 (sample variance 2 at
  // every lag), every Δ_m is ±m (variance 2m²), and successive changes are perfectly correlated
  const bars: Bar[] = [];
  for (const [d, dir] of [['2026-03-02', 1], ['2026-03-03', -1]] as const) {
    const open = etToMs(d, '09:30');
    for (let k = 0; k < 390; k++) bars.push({ t: open + k * 60_000, c: 6000 + dir * (k + 1) });
  }
  const fit = (autocorrLags: number, smoothLags = 15) => fitCalibration({ symbol: 'I:SPX', horizon: 'hourly', bars, session: weekdaySession, kappaCap: 1.8, generatedAtMs: GEN_AT, autocorrLags, smoothLags, minTargetSamples: 2 }).params;
  const independent = fit(0);
  const correlated = fit(59);
  const direct = fit(0, 0);
  for (const m of [1, 2, 10, 11, 30, 60]) {
    assert.ok(Math.abs(independent.by_target!['12:00']!.minutes_to_target[String(m)]!.sigma - Math.sqrt(2 * m)) < 1e-6, `σ(${m}) = √(2m) without autocorrelation`);
    assert.ok(Math.abs(direct.by_target!['12:00']!.minutes_to_target[String(m)]!.sigma - m * Math.SQRT2) < 1e-6, `direct σ(${m}) = m√2`);
    // ρ_l ≈ 1 at every lag, shrunk by (1 − 4·se²) with se = 1/√(pairs): within 1% of the direct std
    const c = correlated.by_target!['12:00']!.minutes_to_target[String(m)]!.sigma;
    assert.ok(Math.abs(c / (m * Math.SQRT2) - 1) < 0.01, `σ(${m}) ${c} with the autocovariances vs direct ${m * Math.SQRT2}`);
  }
});

test('smooth at every minute on the simulator’s generated history: |σ(m+1)/σ(m) − √((m+1)/m)| small at 10/11 and everywhere; the direct std is not', () => {
  const calendar = createCalendar();
  const history = simHistory({ seed: 9300, beforeDate: '2026-06-01', days: 120, calendar });
  const { session } = calendarSessions(calendar);
  const rows: string[] = [];
  let worstNew = 0;
  let worstNew1011 = 0;
  let worstDirect = 0;
  let worstDirect1011 = 0;
  for (const symbol of ['I:SPX', 'I:NDX'] as const) {
    const base = { symbol, bars: history.bars[symbol], session, kappaCap: 1.8, generatedAtMs: GEN_AT };
    const hourly = fitCalibration({ ...base, horizon: 'hourly' }).params;
    const close = fitCalibration({ ...base, horizon: 'close' }).params;
    const direct = fitCalibration({ ...base, horizon: 'hourly', smoothLags: 0 }).params;
    const curves: [string, CalibrationParams['minutes_to_target']][] = [
      [`${symbol} pooled`, hourly.minutes_to_target],
      ...Object.entries(hourly.by_target!).map(([t, c]) => [`${symbol} ${t}`, c.minutes_to_target] as [string, CalibrationParams['minutes_to_target']]),
      [`${symbol} close`, close.minutes_to_target],
    ];
    for (const [name, curve] of curves) {
      const r = roughness(curve);
      rows.push(`${name}: worst ${(r.worst * 100).toFixed(2)}% at m=${r.worstAt}, 10→11 ${(r.at1011 * 100).toFixed(2)}%`);
      worstNew = Math.max(worstNew, r.worst);
      worstNew1011 = Math.max(worstNew1011, r.at1011);
    }
    for (const c of [direct.minutes_to_target, ...Object.values(direct.by_target!).map((x) => x.minutes_to_target)]) {
      const r = roughness(c);
      worstDirect = Math.max(worstDirect, r.worst);
      worstDirect1011 = Math.max(worstDirect1011, r.at1011);
    }
  }
  // seeded study over 140 such curves (test/eval/sigma-estimator-study.ts): worst 0.8% anywhere, 0.5% at 10→11
  assert.ok(worstNew1011 < 0.01, `10→11: ${worstNew1011}\n${rows.join('\n')}`);
  assert.ok(worstNew < 0.015, `every m: ${worstNew}\n${rows.join('\n')}`);
  // the same check on the direct std of S_T − S_{T−m} (the former estimator beyond ten minutes) fails it
  assert.ok(worstDirect1011 > 0.02 && worstDirect > 0.05, `direct: 10→11 ${worstDirect1011}, every m ${worstDirect}`);
});

test('more accurate than the direct std at every horizon (12 seeded calibrations of 120 sessions, known σ per hour)', () => {
  const ms = [1, 5, 10, 11, 15, 30, 60];
  const se = { cum: new Map<number, number>(), direct: new Map<number, number>() };
  let n = 0;
  for (let seed = 100; seed < 112; seed++) {
    const { bars } = generateHourlyBars({ from: '2007-01-01', sessions: 120, seed, sigmaPerMinuteByTarget: SIGMA_1M });
    const fit = (smoothLags: number) => fitCalibration({ symbol: 'I:SPX', horizon: 'hourly', bars, session: weekdaySession, kappaCap: 1.8, generatedAtMs: GEN_AT, smoothLags }).params;
    const cum = fit(15);
    const direct = fit(0);
    for (const [hhmm, s1] of Object.entries(SIGMA_1M)) {
      if (hhmm === '10:00') continue; // 29 minutes only
      n++;
      for (const m of ms) {
        const want = s1 * Math.sqrt(m);
        const e = (p: CalibrationParams) => p.by_target![hhmm]!.minutes_to_target[String(m)]!.sigma / want - 1;
        se.cum.set(m, (se.cum.get(m) ?? 0) + e(cum) ** 2);
        se.direct.set(m, (se.direct.get(m) ?? 0) + e(direct) ** 2);
      }
    }
  }
  for (const m of ms) {
    const cum = Math.sqrt(se.cum.get(m)! / n);
    const direct = Math.sqrt(se.direct.get(m)! / n);
    // expected ≈ 6% rms for the direct std at every m; the smoothed sum 1–3%
    assert.ok(cum < 0.6 * direct, `σ(${m}) rms error: cumulative ${cum.toFixed(4)} vs direct ${direct.toFixed(4)}`);
  }
});

test('correlated minute changes: the autocovariances keep σ(m) the std of S_T − S_{T−m}; independent ones are shrunk to 0', () => {
  const theta = 0.3; // MA(1): ρ1 = θ/(1 + θ²) = 0.275
  const { bars } = generateHourlyBars({ from: '2003-01-06', sessions: 400, seed: 21, sigmaPerMinuteByTarget: SIGMA_1M, ma1: theta });
  const fit = (autocorrLags: number) => fitCalibration({ symbol: 'I:SPX', horizon: 'hourly', bars, session: weekdaySession, kappaCap: 1.8, generatedAtMs: GEN_AT, autocorrLags });
  const withRho = fit(5);
  const without = fit(0).params;
  const rho = withRho.diagnostics.sigma.autocorr;
  assert.ok(Math.abs(rho[0]!.used - theta / (1 + theta * theta)) < 0.02, `ρ1 ${JSON.stringify(rho[0])}`);
  for (const r of rho.slice(1)) assert.ok(Math.abs(r.used) < 0.02, `ρ${r.lag} ${JSON.stringify(r)}`);
  for (const hhmm of ['12:00', '14:00']) {
    const s1 = SIGMA_1M[hhmm]!;
    for (const m of [5, 15, 60]) {
      // Var(Σ of m MA(1) changes) = σ²·(1 + (m − 1)(1 + θ)²/(1 + θ²))
      const want = s1 * Math.sqrt(1 + ((m - 1) * (1 + theta) ** 2) / (1 + theta * theta));
      const got = withRho.params.by_target![hhmm]!.minutes_to_target[String(m)]!.sigma;
      const low = without.by_target![hhmm]!.minutes_to_target[String(m)]!.sigma;
      assert.ok(Math.abs(got / want - 1) < 0.05, `${hhmm} σ(${m}) ${got} vs ${want}`);
      if (m >= 15) assert.ok(low / want < 0.9, `without autocorrelation σ(${m}) ${low} is ~20% short of ${want}`);
    }
  }
  // independent changes: every ρ shrunk to (almost) nothing
  const indep = fitCalibration({ symbol: 'I:SPX', horizon: 'hourly', bars: generateHourlyBars({ from: '2003-01-06', sessions: 200, seed: 22, sigmaPerMinuteByTarget: SIGMA_1M }).bars, session: weekdaySession, kappaCap: 1.8, generatedAtMs: GEN_AT });
  for (const r of indep.diagnostics.sigma.autocorr) assert.ok(Math.abs(r.used) < 0.01, `independent ρ${r.lag} ${JSON.stringify(r)}`);
  assert.throws(() => fitCalibration({ symbol: 'I:SPX', horizon: 'hourly', bars, session: weekdaySession, kappaCap: 1.8, generatedAtMs: GEN_AT, smoothLags: -1 }), /smoothing lags must be a whole number/);
});
