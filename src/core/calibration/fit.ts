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
 *   own value exists.
 * - For each m = 1…maxMinutes (60 hourly, 390 close) with T − m inside the session: Δ = S_T − S_{T−m};
 *   σ(m) = sample std of Δ (near the target see below). Only pre-open values are excluded (a pre-market
 *   print is stale, and would bias σ down).
 * - **Drift is one rate per curve**: μ = mean(Δ_M)/M at the longest fitted horizon M (the whole of the
 *   sample's information about a drift: the one-minute means add up to it), with standard error
 *   se = std(Δ_M)/(M·√n), shrunk toward zero by positive-part James–Stein, μ·max(0, 1 − se²/μ²) (a rate
 *   within one standard error of zero is 0, k·se keeps 1 − 1/k² of itself); drift(m) = m·μ_shrunk and
 *   `drift_se`(m) = m·se. A mean per minute instead (60 of them per hourly target, each from the same ~120
 *   days) lets a chance drift through at about a third of the minutes, 10–16% of σ(m) where it does: it
 *   was the largest error left in the model against the simulator's oracle (which has no drift).
 * - **Near the target** (m ≤ `nearTargetMinutes`, default 10) σ(m) = √m · σ₁, σ₁ the sample std of every
 *   one-minute change S_{T−k+1} − S_{T−k}, k = 1…nearTargetMinutes, of the same samples. Same quantity as the
 *   std of Δ (for independent one-minute changes, which the index's minute changes are to a good
 *   approximation), estimated from ten times the data. The final minute is priced from the m = 1 point
 *   alone: on 120 sample days the direct σ(1) is off by 6.4% rms while σ₁ is off by 2.9% (seeded study over
 *   the simulator's U-shaped paths, 280 target-hours; 5 minutes 3.2%, 15 minutes 3.3% as the volatility
 *   shape starts to bend; test/eval/sigma-near-target-study.ts). `nearTargetMinutes: 0` keeps the direct std
 *   at every minute.
 * - Hourly horizon **per target hour** (volatility is U-shaped through the day): every target `HH:MM`
 *   with at least `minTargetSamples` samples (default 30: σ to about ±13%) gets its own curve in
 *   `by_target`; the pooled curve over every target is always written and serves the hours below the
 *   threshold (and any file reader that ignores `by_target`). The close horizon is pooled only.
 * - Baseline (σ, drift) uses **untagged** days when there are any, so event days do not inflate the
 *   ordinary-day curve. κ = mean over tagged-day samples of ((Δ − drift(m)) / σ(m))² against the curve the
 *   model uses for that target (its own hour, else pooled), i.e. the ratio of event-day to ordinary-day
 *   variance, clamped to [1, kappaCap]; 1 when no sample day is tagged.
 * - residual_std is the settlement-print noise of SPEC §5.2 (the gap between the feed's last value and the
 *   official settlement print). Minute bars are a single series — they carry no second print of the same
 *   instant — so it **cannot be measured from them** (the variance-signature intercept 2·residual² is
 *   ~0.02 pt² against σ(1)² of several pt², far below its sampling error). It is set: `residual.points`
 *   (calibrate `--residual-std`), else `residual.bp` basis points of the median target value of the
 *   sample (`model.residual_std_bp`, default 0.15 bp ≈ 0.10 points on SPX 6800). It is never σ(1).
 */
import { addDays, etDateOf, etToMs } from '../time/et.ts';
import type { IndexSymbol } from '../series.ts';
import type { CalibrationParams, Horizon } from './params.ts';

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
  maxMinutes?: number;
  maxStaleMinutes?: number;
  /** σ(m) for m ≤ this from the pooled one-minute changes of the last this-many minutes (default 10; 0 = off). */
  nearTargetMinutes?: number;
  /** Hourly: a target hour needs this many samples for its own curve in `by_target` (default 30). */
  minTargetSamples?: number;
  /** Settlement-print noise: given in points, or basis points of the median target value (default 0.15 bp). */
  residual?: { points: number } | { bp: number };
  kappaCap: number;
  generatedAtMs: number;
}

export const DEFAULT_MIN_TARGET_SAMPLES = 30;
export const DEFAULT_NEAR_TARGET_MINUTES = 10;
export const DEFAULT_RESIDUAL_STD_BP = 0.15;

export interface FitDiagnostics {
  daysWithBars: number;
  sessionDays: number;
  taggedDays: number;
  minutesFitted: number;
  /** Samples behind each fitted minute's σ of the pooled curve (baseline). */
  samplesPerMinute: Record<string, number>;
  /** Target samples per target `HH:MM` (all days). */
  samplesPerTarget: Record<string, number>;
  /** Hourly targets below `minTargetSamples`: the pooled curve serves them. */
  pooledTargets: string[];
  minTargetSamples: number;
  /** Minutes whose σ comes from the pooled one-minute changes (0: the direct std everywhere). */
  nearTargetMinutes: number;
  residual: { source: 'given'; points: number } | { source: 'bp_of_level'; bp: number; level: number; points: number };
}

export class CalibrationFitError extends Error {
  override name = 'CalibrationFitError';
}

const MINUTE = 60_000;

interface Acc {
  n: Float64Array;
  sum: Float64Array;
  sumSq: Float64Array;
  /** One-minute changes of the last `nearTargetMinutes` minutes before the targets: count, sum, sum of squares. */
  step: { n: number; sum: number; sumSq: number };
}
const newAcc = (len: number): Acc => ({ n: new Float64Array(len), sum: new Float64Array(len), sumSq: new Float64Array(len), step: { n: 0, sum: 0, sumSq: 0 } });

interface DayPath {
  date: string;
  tagged: boolean;
  /** Value at open + i minutes, NaN when missing. */
  vals: Float64Array;
  /** Target minute index from the open and its ET label `HH:MM`. */
  targets: { k: number; label: string }[];
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

export function fitCalibration(input: FitInput): { params: CalibrationParams; diagnostics: FitDiagnostics } {
  const maxMinutes = input.maxMinutes ?? (input.horizon === 'hourly' ? 60 : 390);
  const minTargetSamples = input.minTargetSamples ?? DEFAULT_MIN_TARGET_SAMPLES;
  const near = input.nearTargetMinutes ?? DEFAULT_NEAR_TARGET_MINUTES;
  if (!Number.isInteger(near) || near < 0) throw new CalibrationFitError(`near-target minutes must be a whole number ≥ 0, got ${near}`);
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
        if (Number.isNaN(x)) continue;
        pooled.n[m]!++;
        pooled.sum[m]! += x;
        pooled.sumSq[m]! += x * x;
        own.acc.n[m]!++;
        own.acc.sum[m]! += x;
        own.acc.sumSq[m]! += x * x;
      }
      const steps = Math.min(near, top);
      for (let k = 1; k <= steps; k++) {
        const x = v[tg.k - k + 1]! - v[tg.k - k]!;
        if (Number.isNaN(x)) continue;
        for (const st of [pooled.step, own.acc.step]) {
          st.n++;
          st.sum += x;
          st.sumSq += x * x;
        }
      }
    }
  }

  const pooledFit = fitCurve(pooled, maxMinutes, near);
  if (pooledFit.minutes === 0) {
    throw new CalibrationFitError(
      `no usable samples for ${input.symbol} ${input.horizon}: ${daysWithBars} day(s) with bars, ${days.length} trading session(s), ${sampleCount} target(s) with a value`,
    );
  }

  // Per target hour (hourly horizon only), above the sample threshold.
  const byTarget: NonNullable<CalibrationParams['by_target']> = {};
  const ownFits = new Map<string, CurveFit>();
  const samplesPerTarget: Record<string, number> = {};
  const pooledTargets: string[] = [];
  for (const label of [...perTarget.keys()].sort()) {
    const t = perTarget.get(label)!;
    samplesPerTarget[label] = t.samples;
    if (input.horizon !== 'hourly') continue;
    const fit = t.samples >= minTargetSamples ? fitCurve(t.acc, maxMinutes, near) : null;
    if (!fit || fit.minutes === 0) {
      pooledTargets.push(label);
      continue;
    }
    ownFits.set(label, fit);
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

  const level = median(levels);
  const residualIn = input.residual ?? { bp: DEFAULT_RESIDUAL_STD_BP };
  const residual = 'points' in residualIn ? residualIn.points : level * residualIn.bp * 1e-4;
  if (!(residual >= 0) || !Number.isFinite(residual)) throw new CalibrationFitError(`residual std must be a finite number ≥ 0, got ${residual}`);

  const params: CalibrationParams = {
    symbol: input.symbol,
    horizon: input.horizon,
    generated_at: new Date(input.generatedAtMs).toISOString(),
    sample_count: sampleCount,
    days: sampleDays.size,
    minutes_to_target: pooledFit.table,
    ...(input.horizon === 'hourly' && Object.keys(byTarget).length > 0 ? { by_target: byTarget } : {}),
    residual_std: round6(residual),
    event_tail: { tags: [...tags].sort(), kappa: round6(kappa) },
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
      nearTargetMinutes: near,
      residual: 'points' in residualIn ? { source: 'given', points: round6(residual) } : { source: 'bp_of_level', bp: residualIn.bp, level: round6(level), points: round6(residual) },
    },
  };
}

interface CurveFit {
  table: CalibrationParams['minutes_to_target'];
  /** Raw σ and shrunk drift by minute (0 where not fitted). */
  sigma: Float64Array;
  drift: Float64Array;
  samples: Record<string, number>;
  minutes: number;
}

/**
 * σ(m), drift(m) = m × the shrunk drift rate, and drift_se(m) for every minute with ≥ 2 samples; σ(m ≤ near)
 * = √m · σ₁ from the pooled one-minute changes when there are at least two of them.
 */
function fitCurve(acc: Acc, maxMinutes: number, near: number): CurveFit {
  const st = acc.step;
  const sigma1 = st.n >= 2 ? Math.sqrt(Math.max(0, (st.sumSq - (st.sum * st.sum) / st.n) / (st.n - 1))) : NaN;
  const sigma = new Float64Array(maxMinutes + 1);
  const drift = new Float64Array(maxMinutes + 1);
  const table: CalibrationParams['minutes_to_target'] = {};
  const samples: Record<string, number> = {};
  const stdOf = (m: number) => {
    const n = acc.n[m]!;
    const mean = acc.sum[m]! / n;
    return Math.sqrt(Math.max(0, (acc.sumSq[m]! - n * mean * mean) / (n - 1)));
  };
  // one drift rate, from the longest horizon with samples
  let top = 0;
  for (let m = maxMinutes; m >= 1 && top === 0; m--) if (acc.n[m]! >= 2) top = m;
  const rate = top > 0 ? acc.sum[top]! / acc.n[top]! / top : 0;
  const rateSe = top > 0 ? stdOf(top) / (top * Math.sqrt(acc.n[top]!)) : 0;
  const shrunkRate = shrinkDrift(rate, rateSe);
  let minutes = 0;
  for (let m = 1; m <= maxMinutes; m++) {
    const n = acc.n[m]!;
    if (n < 2) continue;
    const sd = m <= near && !Number.isNaN(sigma1) ? sigma1 * Math.sqrt(m) : stdOf(m);
    sigma[m] = sd;
    drift[m] = m * shrunkRate;
    table[String(m)] = { sigma: round6(sd), drift: round6(m * shrunkRate) + 0, drift_se: round6(m * rateSe) };
    samples[String(m)] = n;
    minutes++;
  }
  return { table, sigma, drift, samples, minutes };
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
  return { date, tagged: (input.dayTags?.(date).length ?? 0) > 0, vals, targets };
}
