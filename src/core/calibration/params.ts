/**
 * The calibration file (SPEC §5.3): `data/proc/calib/index/<spx|ndx>/<hourly|close>/params.json`.
 * Schema shared by the writer (calibrate) and every reader (pricing, preflight).
 *
 * ```
 * { symbol, horizon, generated_at, sample_count, days,
 *   minutes_to_target: {"<m>": {sigma, drift, drift_se?}},          // pooled over every target
 *   by_target?: {"HH:MM": {sample_count, minutes_to_target}},       // hourly: per target hour (ET)
 *   residual_std,                                                   // settlement-print noise, points
 *   event_tail: {tags, kappa},
 *   fitted_on?,                                                     // where the bars came from
 *   conditioning? }                                                 // the adaptive σ (model/conditioning.ts)
 * ```
 * `conditioning` = `{profile: {slot_minutes, variance[]}, realised: {e0_minutes, recent_half_life_minutes?,
 * days, samples, horizons: [{minutes, alpha, beta, gamma?, dof?, samples}]}, events: {TAG: {amplitude,
 * decay_minutes, days, se}}}`: the expected one-minute variance by time of day (points², per slot from the
 * open, ordinary days), the fitted weights of the day's realised-variance ratio (β) and of the recent one
 * (γ, exponentially weighted with the half-life) per horizon with the shrinkage n/(n + e0), the shape of the
 * change over the horizon given that σ (dof: a unit-variance Student t; absent: normal),
 * and the variance uplift after each event tag's time of day (fit-conditioning.ts). A file without it
 * (older `calibrate`) loads and prices unconditionally.
 * `fitted_on` = `{source: 'bars_file' | 'massive' | 'sim', from, to, world?, seed?}`: the first and last ET
 * date of the sample, and for a self-calibration of a simulated run (`sim`) the simulator world and seed
 * whose generated history it was fitted on (app/sim-calibration.ts).
 * A file without `by_target` (or without the wanted target in it) is valid: the pooled curve serves
 * every target. `drift` is the shrunk mean (see fit.ts); `drift_se` the standard error of the raw mean.
 */
import { z } from 'zod';
import type { IndexSymbol } from '../series.ts';
import { CalibratedCurve } from '../model/curve.ts';

export type Horizon = 'hourly' | 'close';
export const HORIZONS: readonly Horizon[] = ['hourly', 'close'];

const finiteNum = z.number().refine(Number.isFinite, 'must be a finite number');
const nonNeg = finiteNum.refine((x) => x >= 0, 'must be ≥ 0');

/** ET wall time `HH:MM` of a target. */
export const TARGET_ET_RE = /^([01]\d|2[0-3]):[0-5]\d$/;

const MinuteCurveSchema = z
  .record(
    z.string().regex(/^[1-9]\d*$/, 'minute keys must be positive integers'),
    z.object({ sigma: nonNeg, drift: finiteNum, drift_se: nonNeg.optional() }).strict(),
  )
  .refine((r) => Object.keys(r).length > 0, 'must hold at least one minute');

export const CalibrationParamsSchema = z
  .object({
    symbol: z.enum(['I:SPX', 'I:NDX']),
    horizon: z.enum(['hourly', 'close']),
    generated_at: z.iso.datetime({ offset: true }),
    sample_count: z.number().int().nonnegative(),
    days: z.number().int().nonnegative(),
    minutes_to_target: MinuteCurveSchema,
    by_target: z
      .record(
        z.string().regex(TARGET_ET_RE, 'target keys must be ET times HH:MM'),
        z.object({ sample_count: z.number().int().nonnegative(), minutes_to_target: MinuteCurveSchema }).strict(),
      )
      .optional(),
    residual_std: nonNeg,
    event_tail: z.object({ tags: z.array(z.string().min(1)), kappa: finiteNum.refine((k) => k >= 1, 'must be ≥ 1') }).strict(),
    fitted_on: z
      .object({
        source: z.enum(['bars_file', 'massive', 'sim']),
        from: z.iso.date(),
        to: z.iso.date(),
        world: z.string().min(1).optional(),
        seed: z.number().int().nonnegative().optional(),
      })
      .strict()
      .optional(),
    conditioning: z
      .object({
        profile: z.object({ slot_minutes: z.number().int().positive(), variance: z.array(nonNeg).min(1) }).strict(),
        realised: z
          .object({
            e0_minutes: finiteNum.refine((x) => x > 0, 'must be > 0'),
            recent_half_life_minutes: finiteNum.refine((x) => x > 0, 'must be > 0').optional(),
            days: z.number().int().nonnegative(),
            samples: z.number().int().nonnegative(),
            horizons: z
              .array(z.object({ minutes: finiteNum.refine((x) => x > 0, 'must be > 0'), alpha: finiteNum, beta: finiteNum, gamma: finiteNum.optional(), dof: finiteNum.refine((x) => x > 2, 'must be > 2').optional(), samples: z.number().int().nonnegative() }).strict())
              .min(1)
              .refine((h) => h.every((x, i) => i === 0 || x.minutes > h[i - 1]!.minutes), 'horizons must be ascending by minutes'),
          })
          .strict(),
        events: z.record(
          z.string().regex(/^[A-Z0-9_]+$/, 'event tags are upper case'),
          z.object({ amplitude: nonNeg, decay_minutes: finiteNum.refine((x) => x > 0, 'must be > 0'), days: z.number().int().nonnegative(), se: nonNeg }).strict(),
        ),
      })
      .strict()
      .optional(),
  })
  .strict();

export type CalibrationParams = z.infer<typeof CalibrationParamsSchema> & { symbol: IndexSymbol; horizon: Horizon };
export type MinuteCurve = CalibrationParams['minutes_to_target'];

/**
 * The σ/drift curve of a calibration for one target: `by_target[targetEt]` when the file has it, else the
 * pooled `minutes_to_target`. `target` says which one was used (`HH:MM` or `pooled`).
 */
export function curveFromParams(p: CalibrationParams, targetEt?: string): CalibratedCurve {
  const own = targetEt !== undefined ? p.by_target?.[targetEt] : undefined;
  const table = own ? own.minutes_to_target : p.minutes_to_target;
  const points = Object.entries(table).map(([k, v]) => ({ minutes: Number(k), sigma: v.sigma, drift: v.drift }));
  return new CalibratedCurve(points, p.residual_std, own ? targetEt! : 'pooled');
}

/**
 * True when `residual_std` is of the size of the 1-minute σ (≥ half of the pooled σ(1)) rather than a
 * settlement-print noise of a fraction of a point — the mark of a file from before SPEC §5.3's residual
 * (older `calibrate` wrote the std of 1-minute changes there), which keeps σ_eff from shrinking in the
 * final minute. Readers warn; re-running `calibrate` fixes it.
 */
export function residualLooksLikeSigma1(p: CalibrationParams): boolean {
  return p.residual_std > 0 && p.residual_std >= 0.5 * curveFromParams(p).sigmaAt(1);
}
