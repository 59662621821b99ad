/**
 * Assembles the model for one ladder (SPEC §5.2) from a calibration (or the default curve), the model
 * config and the day's event tags.
 *
 * Curve: with a calibration, `by_target[targetEt]` when the file holds that target (hourly files fitted
 * per target hour), else the pooled `minutes_to_target`; `targetEt` comes from `calibrationChoice` (the
 * event's close_time in ET). Without one, the default curve (annualised vol through the U-shaped intraday
 * profile ending at `targetEt`, curve.ts) with residual `model.residual_std_bp` × spot.
 *
 * κ on tagged event days: the calibrated `event_tail.kappa`, capped at `model.kappa_cap`. Without a
 * calibration (default curve) a tagged day uses `kappa_cap` itself — the conservative choice: a wider
 * distribution only lowers EV. Untagged days: κ = 1.
 *
 * Adaptive σ (issue 19): a `regime` conditioner (model/conditioning.ts, built by the caller over the day's
 * realised-variance state) scales σ(m); it is only used with a calibration that carries a fitted
 * `conditioning` and `model.conditioning` on. Then κ = 1: the day's realised variance and the events' fitted
 * uplift take the place of the whole-day event multiplier (both at once would count an event day twice).
 */
import { curveFromParams, type CalibrationParams } from '../calibration/params.ts';
import { DefaultCurve } from './curve.ts';
import type { DistSpec, ModelSpec } from './forecast.ts';
import type { Conditioner } from './conditioning.ts';

export interface ModelConfig {
  dist: 'normal' | 't';
  t_dof: number;
  default_annual_vol: number;
  /** Floor on the 1-minute σ (points), applied as floor·√m. */
  sigma_floor_1m_points: number;
  /** Default settlement-print noise, basis points of the index level. */
  residual_std_bp: number;
  kappa_cap: number;
  /** Condition σ on the day (issue 19) when the calibration has a fitted `conditioning` (default true). */
  conditioning?: boolean;
}

export function eventKappa(dayTags: readonly string[], calibration: CalibrationParams | null, kappaCap: number): number {
  if (dayTags.length === 0) return 1;
  const k = calibration ? calibration.event_tail.kappa : kappaCap;
  return Math.max(1, Math.min(k, kappaCap));
}

export function distSpec(kind: 'normal' | 't', dof: number): DistSpec {
  return kind === 't' ? { kind: 't', dof } : { kind: 'normal' };
}

/**
 * `spot` feeds the default curve only (σ in points scales with the index level); a calibrated curve is
 * already in points. `targetEt` (`HH:MM` ET, from `calibrationChoice`) selects `by_target[targetEt]`;
 * omitted or absent from the file → the pooled curve. `dist` overrides `model.dist` (e.g. `price --dist t`).
 */
export function buildModelSpec(opts: {
  calibration: CalibrationParams | null;
  config: ModelConfig;
  spot: number;
  targetEt?: string;
  dayTags?: readonly string[];
  dist?: 'normal' | 't';
  /** The day's conditioner for this target (ignored without a calibration `conditioning` or with `model.conditioning` off). */
  regime?: Conditioner;
}): ModelSpec {
  const { calibration, config } = opts;
  const regime = opts.regime && calibration?.conditioning && config.conditioning !== false ? opts.regime : undefined;
  return {
    curve: calibration
      ? curveFromParams(calibration, opts.targetEt)
      : new DefaultCurve(opts.spot, config.default_annual_vol, opts.spot * config.residual_std_bp * 1e-4, opts.targetEt),
    sigmaFloor: config.sigma_floor_1m_points,
    kappa: regime ? 1 : eventKappa(opts.dayTags ?? [], calibration, config.kappa_cap),
    dist: distSpec(opts.dist ?? config.dist, config.t_dof),
    ...(regime ? { regime } : {}),
  };
}
