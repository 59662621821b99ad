/**
 * Calibration fit (SPEC §5.3), pure: minute bars → σ(m), drift(m) (pooled and per target hour),
 * residual_std, κ.
 *
 * - Value at an instant X: the last bar value observed in (X − max_stale, X] inside the regular session
 *   [09:30, close]. With Massive's convention (bar `t` = window **start**) a bar's close is the value at
 *   t + 1 min; `barStamp: 'end'` for files stamped at the window end. Gaps are normal for index bars, so a
 *   value is carried forward up to `maxStaleMinutes` (default 5); beyond that the point is missing.
 * - Targets per sample day: `hourly` → every HH:00 from 10:00 to 16:00 that is ≤ the session close;
 *   `close` → the session close (16:00, or 13:00 on early-close days). A target counts as a sample when its
 *   own value exists. Only values inside the session are used (a pre-market print is stale).
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
 * - Hourly horizon **per target hour** (volatility is U-shaped through the day): every target `HH:MM`
 *   with at least `minTargetSamples` samples (default 30) gets its own curve in `by_target`; the pooled
 *   curve over every target is always written and serves the hours below the threshold (and any reader
 *   that ignores `by_target`). The close horizon is pooled only.
 * - Baseline (σ, drift, ρ) uses **untagged** days when there are any, so event days do not inflate the
 *   ordinary-day curve. κ = mean over tagged-day samples of ((Δ − drift(m)) / σ(m))² against the curve the
 *   model uses for that target (its own hour, else pooled), clamped to [1, kappaCap]; 1 when no day is tagged.
 * - **conditioning** (the adaptive σ, issue 19): the one-minute variance profile by time of day, the event
 *   uplift per tag and the weights of the day's realised-variance ratio, fitted on the same day paths by
 *   fit-conditioning.ts (`dayEvents` gives the events' times of day); written when there are enough days.
 * - **residual_std** is the settlement-print noise of SPEC §5.2: the gap between the feed's last value
 *   before the close and the official close. Fitted when the input carries official closes (`closes`: ET
 *   date → the official close, e.g. Massive's daily aggregate close): the rms over the days that have both
 *   a close print and a minute bar ending within a minute of the close, when there are at least
 *   `minCloseSamples` (default 10) of them. Otherwise set: `residual.points` (calibrate `--residual-std`),
 *   else `residual.bp` basis points of the median target value (`model.residual_std_bp`, default 1 bp —
 *   0.68 points on SPX 6800, 2.5 on NDX 25000: conservative against the ≈ 0.5 points rms measured on real
 *   SPX sessions). A given `points` wins over closes. It is never σ(1).
 */
import { addDays, etDateOf, etToMs } from '../time/et.ts';
import type { IndexSymbol } from '../series.ts';
import type { CalibrationParams, Horizon } from './params.ts';
import type { DayEvent } from '../model/conditioning.ts';
import { fitConditioning, type ConditioningDiagnostics } from './fit-conditioning.ts';

export interface Bar {
  /** Epoch ms stamp of the bar. */
  t: number;
  /** Close value of the bar. */
  c: number;
}

export interface SessionHours {
  openEt: string;
  closeEt: string;
}

export interface FitInput {
  symbol: IndexSymbol;
  horizon: Horizon;
  /** Ascending by `t`, one bar per stamp. */
  bars: readonly Bar[];
  barStamp?: 'start' | 'end';
  /** Session of an ET date, or null when the market was closed. */
  session: (dateEt: string) => SessionHours | null;
  dayTags?: (dateEt: string) => readonly string[];
  /** Scheduled events of an ET date with their time of day: the adaptive σ's event uplift (fit-conditioning.ts). */
  dayEvents?: (dateEt: string) => readonly DayEvent[];
  /** Fit the adaptive σ's conditioning (default true; needs `MIN_CONDITIONING_DAYS` sessions). */
  conditioning?: boolean;
  maxMinutes?: number;
  maxStaleMinutes?: number;
  /** Half-width in lags of the local linear smoothing of the per-lag variances (default 15; 0 = the direct std of Δ_m). */
  smoothLags?: number;
  /** Autocorrelation lags of one-minute changes in σ(m) (default 5; 0 = independent minute changes). */
  autocorrLags?: number;
  /** Hourly: a target hour needs this many samples for its own curve in `by_target` (default 30). */
  minTargetSamples?: number;
  /** Official closes by ET date (the settlement print): residual_std is fitted from them. */
  closes?: ReadonlyMap<string, number>;
  /** Days with both a close print and a last minute bar needed to fit residual_std (default 10). */
  minCloseSamples?: number;
  /** Settlement-print noise when not fitted: given in points (wins over closes), or basis points of the median target value. */
  residual?: { points: number } | { bp: number };
  kappaCap: number;
  generatedAtMs: number;
  /** Where the bars came from: written as `fitted_on` with the sample's first and last date. */
  provenance?: { source: 'bars_file' | 'massive' | 'sim'; world?: string; seed?: number };
}

export const DEFAULT_MIN_TARGET_SAMPLES = 30;
export const DEFAULT_SMOOTH_LAGS = 15;
export const DEFAULT_AUTOCORR_LAGS = 5;
export const DEFAULT_MIN_CLOSE_SAMPLES = 10;
/** 1 bp of the level: 0.68 points on SPX 6800, 2.5 on NDX 25000 (real SPX: ≈ 0.5 points rms, issue 23). */
export const DEFAULT_RESIDUAL_STD_BP = 1;

export interface AutocorrDiagnostic {
  lag: number;
  /** Raw pooled estimate, its standard error, and the shrunk value σ(m) uses. */
  rho: number;
  se: number;
  used: number;
}

export type ResidualDiagnostic =
  | { source: 'given'; points: number }
  | { source: 'fitted'; days: number; rms: number; mean: number; points: number }
  | { source: 'bp_of_level'; bp: number; level: number; points: number; close_days: number };

export interface FitDiagnostics {
  daysWithBars: number;
  sessionDays: number;
  taggedDays: number;
  minutesFitted: number;
  /** Samples behind each fitted minute's Δ_m of the pooled curve (baseline). */
  samplesPerMinute: Record<string, number>;
  /** Target samples per target `HH:MM` (all days). */
  samplesPerTarget: Record<string, number>;
  /** Hourly targets below `minTargetSamples`: the pooled curve serves them. */
  pooledTargets: string[];
  minTargetSamples: number;
  sigma: {
    estimator: 'cumulative' | 'direct';
    smoothLags: number;
    autocorr: AutocorrDiagnostic[];
    /**
     * The fitted curve against the direct std of Δ_m at the curve's longest horizon, per curve (`pooled`,
     * `HH:MM`): ratio σ_direct/σ_fit and the ratio's standard error under the fit (≈ 1/√(2n)). A ratio
     * many standard errors from 1 says the bars hold a dependence the estimator does not model.
     */
    directCheck: Record<string, { m: number; ratio: number; se: number }>;
  };
  residual: ResidualDiagnostic;
  /** The adaptive σ's fit (null: not fitted — too few days, or turned off). */
  conditioning: ConditioningDiagnostics | null;
}

/** Horizons (minutes) the conditioning weights are fitted at, up to the file's longest. */
export const CONDITIONING_HORIZONS: readonly number[] = [1, 2, 5, 10, 15, 30, 60, 120, 240];

export class CalibrationFitError extends Error {
  override name = 'CalibrationFitError';
}

const MINUTE = 60_000;

/** Running count / sum / sum of squares per minute to target. */
interface Moments {
  n: Float64Array;
  sum: Float64Array;
  sumSq: Float64Array;
}
const newMoments = (len: number): Moments => ({ n: new Float64Array(len), sum: new Float64Array(len), sumSq: new Float64Array(len) });
function addMoment(a: Moments, i: number, x: number): void {
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

interface Acc {
  /** Δ_m = S_T − S_{T−m}. */
  direct: Moments;
  /** x_k = S_{T−k+1} − S_{T−k}, the one-minute change at lag k before the target. */
  lag: Moments;
}
const newAcc = (len: number): Acc => ({ direct: newMoments(len), lag: newMoments(len) });

interface DayPath {
  date: string;
  openEt: string;
  tagged: boolean;
  /** Value at open + i minutes, NaN when missing. */
  vals: Float64Array;
  /** Target minute index from the open and its ET label `HH:MM`. */
  targets: { k: number; label: string }[];
  /** Time from the last bar's value to the session close (ms; Infinity without one). */
  closeAgeMs: number;
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

export function fitCalibration(input: FitInput): { params: CalibrationParams; diagnostics: FitDiagnostics } {
  const maxMinutes = input.maxMinutes ?? (input.horizon === 'hourly' ? 60 : 390);
  const minTargetSamples = input.minTargetSamples ?? DEFAULT_MIN_TARGET_SAMPLES;
  const smoothLags = input.smoothLags ?? DEFAULT_SMOOTH_LAGS;
  const autocorrLags = input.autocorrLags ?? DEFAULT_AUTOCORR_LAGS;
  if (!Number.isInteger(smoothLags) || smoothLags < 0) throw new CalibrationFitError(`smoothing lags must be a whole number ≥ 0, got ${smoothLags}`);
  if (!Number.isInteger(autocorrLags) || autocorrLags < 0) throw new CalibrationFitError(`autocorrelation lags must be a whole number ≥ 0, got ${autocorrLags}`);
  const staleMs = (input.maxStaleMinutes ?? 5) * MINUTE;
  const shift = (input.barStamp ?? 'start') === 'start' ? MINUTE : 0;
  const bars = input.bars;
  for (let i = 1; i < bars.length; i++) {
    if (!(bars[i]!.t > bars[i - 1]!.t)) throw new CalibrationFitError('bars must be strictly ascending by timestamp');
  }

  // Split bars into ET days (bounds computed once per day, not per bar).
  const days: DayPath[] = [];
  let daysWithBars = 0;
  let i = 0;
  while (i < bars.length) {
    const date = etDateOf(bars[i]!.t + shift);
    const dayEnd = etToMs(addDays(date, 1), '00:00', 'compatible');
    let j = i;
    while (j < bars.length && bars[j]!.t + shift < dayEnd) j++;
    daysWithBars++;
    const s = input.session(date);
    if (s) days.push(buildDay(date, s, bars, i, j, shift, staleMs, input));
    i = j;
  }

  const anyUntagged = days.some((d) => !d.tagged);
  const isBaseline = (d: DayPath) => !anyUntagged || !d.tagged;
  const pooled = newAcc(maxMinutes + 1);
  const perTarget = new Map<string, { samples: number; acc: Acc }>();
  let sampleCount = 0;
  const sampleDays = new Set<string>();
  const levels: number[] = [];

  for (const d of days) {
    const v = d.vals;
    for (const tg of d.targets) {
      const sT = v[tg.k]!;
      if (Number.isNaN(sT)) continue;
      sampleCount++;
      sampleDays.add(d.date);
      levels.push(sT);
      let own = perTarget.get(tg.label);
      if (!own) perTarget.set(tg.label, (own = { samples: 0, acc: newAcc(maxMinutes + 1) }));
      own.samples++;
      if (!isBaseline(d)) continue;
      const top = Math.min(maxMinutes, tg.k);
      for (let m = 1; m <= top; m++) {
        const x = sT - v[tg.k - m]!;
        if (!Number.isNaN(x)) {
          addMoment(pooled.direct, m, x);
          addMoment(own.acc.direct, m, x);
        }
        const step = v[tg.k - m + 1]! - v[tg.k - m]!;
        if (!Number.isNaN(step)) {
          addMoment(pooled.lag, m, step);
          addMoment(own.acc.lag, m, step);
        }
      }
    }
  }

  const autocorr = estimateAutocorr(days.filter(isBaseline), autocorrLags);
  const rho = autocorr.map((a) => a.used);
  const estimator = smoothLags > 0 ? 'cumulative' : 'direct';
  const pooledFit = fitCurve(pooled, maxMinutes, smoothLags, rho);
  if (pooledFit.minutes === 0) {
    throw new CalibrationFitError(
      `no usable samples for ${input.symbol} ${input.horizon}: ${daysWithBars} day(s) with bars, ${days.length} trading session(s), ${sampleCount} target(s) with a value`,
    );
  }
  const directCheck: FitDiagnostics['sigma']['directCheck'] = { pooled: pooledFit.check };

  // Per target hour (hourly horizon only), above the sample threshold.
  const byTarget: NonNullable<CalibrationParams['by_target']> = {};
  const ownFits = new Map<string, CurveFit>();
  const samplesPerTarget: Record<string, number> = {};
  const pooledTargets: string[] = [];
  for (const label of [...perTarget.keys()].sort()) {
    const t = perTarget.get(label)!;
    samplesPerTarget[label] = t.samples;
    if (input.horizon !== 'hourly') continue;
    const fit = t.samples >= minTargetSamples ? fitCurve(t.acc, maxMinutes, smoothLags, rho) : null;
    if (!fit || fit.minutes === 0) {
      pooledTargets.push(label);
      continue;
    }
    ownFits.set(label, fit);
    directCheck[label] = fit.check;
    byTarget[label] = { sample_count: t.samples, minutes_to_target: fit.table };
  }

  // κ from tagged days against the curve the model uses for each target.
  const taggedDays = days.filter((d) => d.tagged);
  let kappa = 1;
  const tags = new Set<string>();
  if (anyUntagged && taggedDays.length > 0) {
    let zn = 0;
    let zsum = 0;
    for (const d of taggedDays) {
      for (const t of input.dayTags?.(d.date) ?? []) tags.add(t);
      for (const tg of d.targets) {
        const sT = d.vals[tg.k]!;
        if (Number.isNaN(sT)) continue;
        const curve = ownFits.get(tg.label) ?? pooledFit;
        const top = Math.min(maxMinutes, tg.k);
        for (let m = 1; m <= top; m++) {
          const x = sT - d.vals[tg.k - m]!;
          const sd = curve.sigma[m]!;
          if (Number.isNaN(x) || !(sd > 0)) continue;
          const z = (x - curve.drift[m]!) / sd;
          zn++;
          zsum += z * z;
        }
      }
    }
    if (zn > 0) kappa = Math.min(input.kappaCap, Math.max(1, zsum / zn));
  }

  const residual = fitResidual(days, input, median(levels));
  const cond =
    input.conditioning === false
      ? null
      : fitConditioning(
          days.map((d) => {
            const events = input.dayEvents?.(d.date) ?? [];
            return { date: d.date, openEt: d.openEt, vals: d.vals, ordinary: !d.tagged && events.length === 0, events };
          }),
          CONDITIONING_HORIZONS.filter((m) => m <= maxMinutes),
        );

  const params: CalibrationParams = {
    symbol: input.symbol,
    horizon: input.horizon,
    generated_at: new Date(input.generatedAtMs).toISOString(),
    sample_count: sampleCount,
    days: sampleDays.size,
    minutes_to_target: pooledFit.table,
    ...(input.horizon === 'hourly' && Object.keys(byTarget).length > 0 ? { by_target: byTarget } : {}),
    residual_std: residual.points,
    event_tail: { tags: [...tags].sort(), kappa: round6(kappa) },
    ...(input.provenance ? { fitted_on: { ...input.provenance, from: [...sampleDays].sort()[0]!, to: [...sampleDays].sort().at(-1)! } } : {}),
    ...(cond ? { conditioning: cond.conditioning } : {}),
  };
  return {
    params,
    diagnostics: {
      daysWithBars,
      sessionDays: days.length,
      taggedDays: taggedDays.length,
      minutesFitted: pooledFit.minutes,
      samplesPerMinute: pooledFit.samples,
      samplesPerTarget,
      pooledTargets,
      minTargetSamples,
      sigma: { estimator, smoothLags, autocorr, directCheck },
      residual,
      conditioning: cond?.diagnostics ?? null,
    },
  };
}

/**
 * residual_std: the given points; else the rms gap between the official close and the last minute value
 * (days with both, the bar ending within a minute of the close), when there are enough such days; else
 * bp of the median target value.
 */
function fitResidual(days: readonly DayPath[], input: FitInput, level: number): ResidualDiagnostic {
  const given = input.residual && 'points' in input.residual ? input.residual.points : undefined;
  if (given !== undefined) {
    if (!(given >= 0) || !Number.isFinite(given)) throw new CalibrationFitError(`residual std must be a finite number ≥ 0, got ${given}`);
    return { source: 'given', points: round6(given) };
  }
  let n = 0;
  let sum = 0;
  let sumSq = 0;
  if (input.closes) {
    for (const d of days) {
      const print = input.closes.get(d.date);
      const last = d.vals[d.vals.length - 1]!;
      if (print === undefined || Number.isNaN(last) || d.closeAgeMs > MINUTE) continue;
      const gap = print - last;
      n++;
      sum += gap;
      sumSq += gap * gap;
    }
  }
  const minDays = input.minCloseSamples ?? DEFAULT_MIN_CLOSE_SAMPLES;
  if (n >= minDays && n > 0) {
    const rms = Math.sqrt(sumSq / n);
    return { source: 'fitted', days: n, rms: round6(rms), mean: round6(sum / n) + 0, points: round6(rms) };
  }
  const bp = input.residual && 'bp' in input.residual ? input.residual.bp : DEFAULT_RESIDUAL_STD_BP;
  const points = level * bp * 1e-4;
  if (!(points >= 0) || !Number.isFinite(points)) throw new CalibrationFitError(`residual std must be a finite number ≥ 0, got ${points}`);
  return { source: 'bp_of_level', bp, level: round6(level), points: round6(points), close_days: n };
}

interface CurveFit {
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
function fitCurve(acc: Acc, maxMinutes: number, smoothLags: number, rho: readonly number[]): CurveFit {
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
function estimateAutocorr(days: readonly DayPath[], L: number): AutocorrDiagnostic[] {
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

function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

function buildDay(
  date: string,
  s: SessionHours,
  bars: readonly Bar[],
  from: number,
  to: number,
  shift: number,
  staleMs: number,
  input: FitInput,
): DayPath {
  const open = etToMs(date, s.openEt, 'compatible');
  const close = etToMs(date, s.closeEt, 'compatible');
  const len = Math.round((close - open) / MINUTE) + 1;
  const vals = new Float64Array(len).fill(NaN);
  let b = from;
  let last = NaN;
  let lastAt = -Infinity;
  for (let k = 0; k < len; k++) {
    const at = open + k * MINUTE;
    while (b < to && bars[b]!.t + shift <= at) {
      const instant = bars[b]!.t + shift;
      if (instant >= open) {
        last = bars[b]!.c;
        lastAt = instant;
      }
      b++;
    }
    if (at - lastAt < staleMs || at === lastAt) vals[k] = last;
  }
  const targets: DayPath['targets'] = [];
  if (input.horizon === 'close') targets.push({ k: len - 1, label: s.closeEt });
  else {
    for (let hh = 10; hh <= 16; hh++) {
      const label = `${String(hh).padStart(2, '0')}:00`;
      const at = etToMs(date, label, 'compatible');
      if (at > close) break;
      targets.push({ k: Math.round((at - open) / MINUTE), label });
    }
  }
  return { date, openEt: s.openEt, tagged: (input.dayTags?.(date).length ?? 0) > 0, vals, targets, closeAgeMs: close - lastAt };
}
