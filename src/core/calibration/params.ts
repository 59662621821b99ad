/**
 * The calibration file (SPEC §5.3): `data/proc/calib/index/<spx|ndx>/<hourly|close>/params.json`.
 * Schema shared by the writer (calibrate) and every reader (pricing, preflight).
 */
import { z } from 'zod';
import type { IndexSymbol } from '../series.ts';
import { CalibratedCurve, type VolCurve } from '../model/curve.ts';

export type Horizon = 'hourly' | 'close';
export const HORIZONS: readonly Horizon[] = ['hourly', 'close'];

const finiteNum = z.number().refine(Number.isFinite, 'must be a finite number');
const nonNeg = finiteNum.refine((x) => x >= 0, 'must be ≥ 0');

export const CalibrationParamsSchema = z
  .object({
    symbol: z.enum(['I:SPX', 'I:NDX']),
    horizon: z.enum(['hourly', 'close']),
    generated_at: z.iso.datetime({ offset: true }),
    sample_count: z.number().int().nonnegative(),
    days: z.number().int().nonnegative(),
    minutes_to_target: z
      .record(z.string().regex(/^[1-9]\d*$/, 'minute keys must be positive integers'), z.object({ sigma: nonNeg, drift: finiteNum }).strict())
      .refine((r) => Object.keys(r).length > 0, 'must hold at least one minute'),
    residual_std: nonNeg,
    event_tail: z.object({ tags: z.array(z.string().min(1)), kappa: finiteNum.refine((k) => k >= 1, 'must be ≥ 1') }).strict(),
  })
  .strict();

export type CalibrationParams = z.infer<typeof CalibrationParamsSchema> & { symbol: IndexSymbol; horizon: Horizon };

/** The σ/drift curve of a calibration. */
export function curveFromParams(p: CalibrationParams): VolCurve {
  const points = Object.entries(p.minutes_to_target).map(([k, v]) => ({ minutes: Number(k), sigma: v.sigma, drift: v.drift }));
  return new CalibratedCurve(points, p.residual_std);
}

/** Which calibration horizon a series' market uses: hourly series use `hourly` (its samples include 16:00). */
export const horizonForSeries = (hourly: boolean): Horizon => (hourly ? 'hourly' : 'close');
