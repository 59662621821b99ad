/**
 * One σ(m) / drift(m) curve of the calibration fit (core/calibration/fit.ts) from the moments of the sample
 * days' changes before a target: the pooled curve and each target hour's own are fitted here alike.
 *
 * **σ(m): one estimator at every horizon** (no switch between estimators, so no kink in the curve). σ(m)² is
 * the variance of Δ_m = S_T − S_{T−m}, the sum of the one-minute changes x_k = S_{T−k+1} − S_{T−k},
 * k = 1…m:
 *
 *     Var(Δ_m) = Σ_{k ≤ m} v_k + 2 Σ_{l=1..L} ρ_l Σ_{k ≤ m−l} √(v_k · v_{k+l})
 *
 * with v_k the variance of the one-minute change at lag k before the target and ρ_l the lag-l
 * autocorrelation of one-minute changes. Each piece is estimated from far more data than the direct std of
 * Δ_m at one m (one noisy number per minute, ±6.6% at 120 days, independent of its neighbours' noise only
 * in part, so the curve wobbles):
 * - v_k: the sample variance of x_k over the sample days, **locally smoothed** across lags by a local linear
 *   fit (tricube kernel over ±`smoothLags` lags, default 15, weighted by each lag's sample count). Local
 *   linear, not a moving average: it follows the U-shape's slope without bias at the target (k = 1) and at
 *   the window's far end. Neighbouring minutes then differ by a smooth v_{m+1}, so σ(m+1)/σ(m) stays within
 *   a fraction of a percent of √((m+1)/m) at every m.
 * - ρ_l, l = 1…`autocorrLags` (default 5): pooled over every pair of one-minute changes of the sample days'
 *   sessions, Σ x_t x_{t+l} / √(Σ x_t² · Σ x_{t+l}²) (variance-weighted, so the U-shape does not bias it),
 *   with its heteroskedasticity-robust standard error √(Σ (x_t x_{t+l})²) / √(Σ x_t² · Σ x_{t+l}²), and
 *   shrunk toward 0 by positive-part James–Stein at two standard errors, ρ·max(0, 1 − 4·se²/ρ²): an
 *   index's real autocorrelation (stale components, mean reversion) is kept, a chance one of a
 *   serially independent world is dropped. This is what keeps σ(m) an estimate of SPEC §5.3's "std of
 *   S_T − S_{T−m}" — the same quantity as the direct std, with less noise — rather than of Σ v_k alone.
 * - The curve is a function of (target, m) only: a day-level variance multiplier (event κ today, a
 *   conditioned σ later) scales it without refitting.
 * Seeded study on the simulator's paths (test/eval/sigma-estimator-study.ts): see README "calibrate".
 * `smoothLags: 0` is SPEC §5.3's direct sample std of Δ_m at every minute (the former estimator beyond the
 * near-target minutes), kept for comparison.
 *
 * - **Drift is one rate per curve**: μ = mean(Δ_M)/M at the longest fitted horizon M (the whole of the
 *   sample's information about a drift: the one-minute means add up to it), with standard error
 *   se = std(Δ_M)/(M·√n), shrunk toward zero by positive-part James–Stein **at two standard errors**,
 *   μ·max(0, 1 − 4·se²/μ²) (a rate within 2 se of zero is 0; 3 se keeps 56%, 5 se 84%); drift(m) = m·μ_shrunk
 *   and `drift_se`(m) = m·se. An index's true intraday drift is a small fraction of one standard error of a
 *   few months of bars (8%/year is ≈ 0.13 se at 120 days), so what a 1-se threshold lets through — a third of
 *   the curves — is chance: on 40 generated days it tilted NDX 11:00 by 0.11·σ(10) and tripled the model's
 *   error against the simulator's oracle. A mean per minute instead lets a chance drift through at about a
 *   third of the minutes.
 */
import type { CalibrationParams } from './params.ts';
import { round6, type DayPath } from './fit-input.ts';

export interface AutocorrDiagnostic {
  lag: number;
  /** Raw pooled estimate, its standard error, and the shrunk value σ(m) uses. */
  rho: number;
  se: number;
  used: number;
}

/** Running count / sum / sum of squares per minute to target. */
export interface Moments {
  n: Float64Array;
  sum: Float64Array;
  sumSq: Float64Array;
}
const newMoments = (len: number): Moments => ({ n: new Float64Array(len), sum: new Float64Array(len), sumSq: new Float64Array(len) });
export function addMoment(a: Moments, i: number, x: number): void {
  a.n[i]!++;
  a.sum[i]! += x;
  a.sumSq[i]! += x * x;
}
function varianceOf(a: Moments, i: number): number {
  const n = a.n[i]!;
  if (n < 2) return NaN;
  const mean = a.sum[i]! / n;
  return Math.max(0, (a.sumSq[i]! - n * mean * mean) / (n - 1));
}

export interface Acc {
  /** Δ_m = S_T − S_{T−m}. */
  direct: Moments;
  /** x_k = S_{T−k+1} − S_{T−k}, the one-minute change at lag k before the target. */
  lag: Moments;
}
export const newAcc = (len: number): Acc => ({ direct: newMoments(len), lag: newMoments(len) });

export interface CurveFit {
  table: CalibrationParams['minutes_to_target'];
  /** Raw σ and shrunk drift by minute (0 where not fitted). */
  sigma: Float64Array;
  drift: Float64Array;
  samples: Record<string, number>;
  minutes: number;
  check: { m: number; ratio: number; se: number };
}

/**
 * σ(m), drift(m) = m × the shrunk drift rate, and drift_se(m) for every minute with ≥ 2 samples of Δ_m:
 * σ(m)² from the smoothed per-lag variances and the autocorrelations (`smoothLags` > 0), else the direct
 * sample variance of Δ_m.
 */
export function fitCurve(acc: Acc, maxMinutes: number, smoothLags: number, rho: readonly number[]): CurveFit {
  const sigma = new Float64Array(maxMinutes + 1);
  const drift = new Float64Array(maxMinutes + 1);
  const table: CalibrationParams['minutes_to_target'] = {};
  const samples: Record<string, number> = {};
  const d = acc.direct;
  // one drift rate, from the longest horizon with samples
  let top = 0;
  for (let m = maxMinutes; m >= 1 && top === 0; m--) if (d.n[m]! >= 2) top = m;
  const rate = top > 0 ? d.sum[top]! / d.n[top]! / top : 0;
  const rateSe = top > 0 ? Math.sqrt(varianceOf(d, top)) / (top * Math.sqrt(d.n[top]!)) : 0;
  const shrunkRate = shrinkDrift(rate, 2 * rateSe);
  const variance = smoothLags > 0 ? cumulativeVariance(acc.lag, maxMinutes, smoothLags, rho) : null;
  let minutes = 0;
  for (let m = 1; m <= maxMinutes; m++) {
    const n = d.n[m]!;
    if (n < 2) continue;
    const v = variance ? variance[m]! : varianceOf(d, m);
    if (Number.isNaN(v)) continue;
    const sd = Math.sqrt(v);
    sigma[m] = sd;
    drift[m] = m * shrunkRate;
    table[String(m)] = { sigma: round6(sd), drift: round6(m * shrunkRate) + 0, drift_se: round6(m * rateSe) };
    samples[String(m)] = n;
    minutes++;
  }
  let checkM = 0;
  for (let m = maxMinutes; m >= 1 && checkM === 0; m--) if (sigma[m]! > 0) checkM = m;
  const check = checkM > 0 ? { m: checkM, ratio: round6(Math.sqrt(varianceOf(d, checkM)) / sigma[checkM]!), se: round6(1 / Math.sqrt(2 * d.n[checkM]!)) } : { m: 0, ratio: 1, se: 0 };
  return { table, sigma, drift, samples, minutes, check };
}

/**
 * Var(Δ_m) for m = 1…maxMinutes from the per-lag one-minute variances, smoothed (local linear, tricube
 * weights × sample counts over ±h lags), and the autocorrelations ρ_1…ρ_L. NaN past the last lag with data.
 */
export function cumulativeVariance(lag: Moments, maxMinutes: number, h: number, rho: readonly number[]): Float64Array {
  const raw = new Float64Array(maxMinutes + 1).fill(NaN);
  const w = new Float64Array(maxMinutes + 1);
  let last = 0;
  for (let k = 1; k <= maxMinutes; k++) {
    const v = varianceOf(lag, k);
    if (Number.isNaN(v)) continue;
    raw[k] = v;
    w[k] = lag.n[k]!;
    last = k;
  }
  const smooth = new Float64Array(maxMinutes + 1).fill(NaN);
  for (let k = 1; k <= last; k++) smooth[k] = localLinear(raw, w, k, h, last);
  const out = new Float64Array(maxMinutes + 1).fill(NaN);
  let cum = 0;
  let cross = 0;
  for (let m = 1; m <= last; m++) {
    const vm = smooth[m]!;
    if (Number.isNaN(vm)) break;
    cum += vm;
    // the new minute's covariances with the L minutes nearer the target
    for (let l = 1; l <= rho.length && l < m; l++) {
      const r = rho[l - 1]!;
      if (r !== 0) cross += 2 * r * Math.sqrt(vm * smooth[m - l]!);
    }
    out[m] = Math.max(0, cum + cross);
  }
  return out;
}

/** Local linear fit at lag k of the points (j, raw[j]) with weight w[j]·tricube(|j − k|/(h + 1)); ≥ 0. */
function localLinear(raw: Float64Array, w: Float64Array, k: number, h: number, last: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let t0 = 0;
  let t1 = 0;
  // nearest-neighbour window: 2h + 1 lags, shifted (not cut) at the ends, so the estimate at the target
  // (k = 1) rests on as many lags as one in the middle
  let lo = Math.max(1, k - h);
  let hi = Math.min(last, k + h);
  if (hi - lo < 2 * h) {
    if (lo === 1) hi = Math.min(last, 1 + 2 * h);
    else lo = Math.max(1, last - 2 * h);
  }
  const scale = Math.max(k - lo, hi - k) + 1;
  for (let j = lo; j <= hi; j++) {
    const y = raw[j]!;
    if (Number.isNaN(y)) continue;
    const u = Math.abs(j - k) / scale;
    const c = 1 - u * u * u;
    const wj = w[j]! * c * c * c;
    const x = j - k;
    s0 += wj;
    s1 += wj * x;
    s2 += wj * x * x;
    t0 += wj * y;
    t1 += wj * x * y;
  }
  if (!(s0 > 0)) return NaN;
  const mean = t0 / s0;
  const det = s0 * s2 - s1 * s1;
  if (!(det > 1e-12 * s0 * s0)) return mean;
  const a = (s2 * t0 - s1 * t1) / det;
  return a > 0 ? a : mean;
}

/**
 * ρ_1…ρ_L of one-minute changes, pooled over the given days' sessions (consecutive values only), each with
 * its robust standard error and the shrunk value (positive-part James–Stein at two standard errors).
 */
export function estimateAutocorr(days: readonly DayPath[], L: number): AutocorrDiagnostic[] {
  if (L === 0) return [];
  const sxy = new Float64Array(L + 1);
  const sxx = new Float64Array(L + 1);
  const syy = new Float64Array(L + 1);
  const sq = new Float64Array(L + 1);
  for (const d of days) {
    const v = d.vals;
    const n = v.length - 1;
    const x = new Float64Array(n);
    for (let t = 0; t < n; t++) x[t] = v[t + 1]! - v[t]!;
    for (let t = 0; t < n; t++) {
      const a = x[t]!;
      if (Number.isNaN(a)) continue;
      for (let l = 1; l <= L && t + l < n; l++) {
        const b = x[t + l]!;
        if (Number.isNaN(b)) continue;
        sxy[l]! += a * b;
        sxx[l]! += a * a;
        syy[l]! += b * b;
        sq[l]! += a * a * b * b;
      }
    }
  }
  const out: AutocorrDiagnostic[] = [];
  for (let l = 1; l <= L; l++) {
    const den = Math.sqrt(sxx[l]! * syy[l]!);
    const rho = den > 0 ? sxy[l]! / den : 0;
    const se = den > 0 ? Math.sqrt(sq[l]!) / den : 0;
    out.push({ lag: l, rho: round6(rho), se: round6(se), used: round6(shrinkDrift(rho, 2 * se)) + 0 });
  }
  return out;
}

/** Positive-part James–Stein toward 0: mean·max(0, 1 − se²/mean²). */
export function shrinkDrift(mean: number, se: number): number {
  if (mean === 0) return 0;
  if (!(se > 0)) return mean;
  const k = 1 - (se * se) / (mean * mean);
  return k > 0 ? mean * k : 0;
}
