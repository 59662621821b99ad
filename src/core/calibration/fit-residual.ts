/**
 * residual_std (core/calibration/fit.ts) is the settlement-print noise of SPEC §5.2: the gap between the
 * feed's last value before the close and the official close. Fitted when the input carries official closes
 * (`closes`: ET date → the official close, e.g. Massive's daily aggregate close): the rms over the days that
 * have both a close print and a minute bar ending within a minute of the close, when there are at least
 * `minCloseSamples` (default 10) of them. Otherwise set: `residual.points` (calibrate `--residual-std`), else
 * `residual.bp` basis points of the median target value (`model.residual_std_bp`, default 1 bp — 0.68 points
 * on SPX 6800, 2.5 on NDX 25000: conservative against the ≈ 0.5 points rms measured on real SPX sessions).
 * A given `points` wins over closes. It is never σ(1). Its own file: the close print is a different input
 * from the minute bars the σ curve rests on.
 */
import { CalibrationFitError, MINUTE, round6, type DayPath, type FitInput } from './fit-input.ts';

export const DEFAULT_MIN_CLOSE_SAMPLES = 10;
/** 1 bp of the level: 0.68 points on SPX 6800, 2.5 on NDX 25000 (real SPX: ≈ 0.5 points rms, issue 23). */
export const DEFAULT_RESIDUAL_STD_BP = 1;

export type ResidualDiagnostic =
  | { source: 'given'; points: number }
  | { source: 'fitted'; days: number; rms: number; mean: number; points: number }
  | { source: 'bp_of_level'; bp: number; level: number; points: number; close_days: number };

/**
 * residual_std: the given points; else the rms gap between the official close and the last minute value
 * (days with both, the bar ending within a minute of the close), when there are enough such days; else
 * bp of the median target value.
 */
export function fitResidual(days: readonly DayPath[], input: FitInput, level: number): ResidualDiagnostic {
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
