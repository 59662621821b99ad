/**
 * Calibration fit (SPEC §5.3), pure: minute bars → σ(m), drift(m) (pooled and per target hour),
 * residual_std, κ.
 *
 * The pieces, each in its own file: the input and the bars cut into day paths (fit-input.ts), one σ/drift
 * curve with its drift shrinkage and the autocorrelations (fit-curve.ts), the close residual
 * (fit-residual.ts), the adaptive σ's conditioning (fit-conditioning.ts). This file pools the day paths into
 * the curves (per target hour for the hourly horizon), fits κ and writes the parameters.
 *
 * - σ(m) is one estimator at every horizon (smoothed per-lag variances and autocorrelations) and drift is one
 *   shrunk rate per curve: fit-curve.ts.
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
 * - **residual_std** is the settlement-print noise of SPEC §5.2, fitted from official closes when there are
 *   enough, else given: fit-residual.ts.
 */
import { addDays, etDateOf, etToMs } from '../time/et.ts';
import type { CalibrationParams } from './params.ts';
import { fitConditioning, type ConditioningDiagnostics } from './fit-conditioning.ts';
import { buildDay, CalibrationFitError, MINUTE, round6, type DayPath, type FitInput } from './fit-input.ts';
import { addMoment, estimateAutocorr, fitCurve, newAcc, type Acc, type AutocorrDiagnostic, type CurveFit } from './fit-curve.ts';
import { fitResidual, type ResidualDiagnostic } from './fit-residual.ts';

export { CalibrationFitError, type Bar, type FitInput, type SessionHours } from './fit-input.ts';
export { cumulativeVariance, shrinkDrift, type AutocorrDiagnostic } from './fit-curve.ts';
export { DEFAULT_MIN_CLOSE_SAMPLES, DEFAULT_RESIDUAL_STD_BP, type ResidualDiagnostic } from './fit-residual.ts';

export const DEFAULT_MIN_TARGET_SAMPLES = 30;
export const DEFAULT_SMOOTH_LAGS = 15;
export const DEFAULT_AUTOCORR_LAGS = 5;

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

function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}
