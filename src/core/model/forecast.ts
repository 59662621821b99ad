/**
 * The terminal-value forecast S_T = S_now + drift(m) + σ_eff·√κ·ε (SPEC §5.2) and its tail function.
 *
 * σ_eff = sqrt(σ_m² + residual_std²) with σ_m = max(σ(m), floor·√m):
 * - σ(m) comes from the curve (calibrated or default) and shrinks to 0 at the target (∝ √m near it);
 * - residual_std is the settlement-print noise (a fraction of a point), added in quadrature — it is the
 *   only spread left at m = 0;
 * - the floor (`model.sigma_floor_1m_points`) guards against a degenerate calibration (σ(1) ≈ 0 from
 *   stale bars): it bounds the 1-minute σ from below and scales with √m like σ itself, so it never
 *   freezes the final seconds.
 * κ (event-day variance multiplier) scales the whole variance.
 *
 * Adaptive σ (issue 19, conditioning.ts): with a `regime` conditioner the diffusion part is
 * σ(m)·√factor — the calendar curve scaled by the day's realised variance so far and the event uplift —
 * before the floor; `sigmaCalendar` keeps the curve's own σ(m) and `regime` what it was conditioned on. A
 * conditioning that fitted the shape at this horizon (`regime.dof`) sets the distribution: the unit-variance
 * Student t of that dof (the same variance; `model.dist` is what an unconditioned forecast uses).
 */
import { normalSurvival, studentT, tSurvivalUnit, type StudentT } from './distributions.ts';
import type { VolCurve } from './curve.ts';
import type { ConditionedVariance, Conditioner } from './conditioning.ts';

export type DistSpec = { kind: 'normal' } | { kind: 't'; dof: number };

export interface ModelSpec {
  curve: VolCurve;
  /** Minimum **1-minute** σ in index points (`model.sigma_floor_1m_points`), applied as floor·√m. */
  sigmaFloor: number;
  /** Variance multiplier for the day (1 on ordinary days; see event-kappa.ts). */
  kappa: number;
  dist: DistSpec;
  /** The adaptive σ of this target (absent: the calendar curve alone). */
  regime?: Conditioner;
}

export interface Forecast {
  /** S_now + drift(m). */
  readonly center: number;
  /** σ_eff · √κ: the std dev of S_T in index points. */
  readonly scale: number;
  /** sqrt(σ_m² + residual_std²), before κ. */
  readonly sigmaEff: number;
  /** σ_m = max(σ(m), floor·√m): the diffusion part alone. */
  readonly sigmaM: number;
  readonly minutes: number;
  readonly t: StudentT | null;
  /** The curve's own σ(m) (before conditioning and floor). */
  readonly sigmaCalendar: number;
  /** What σ was conditioned on (absent: unconditioned). */
  readonly regime: ConditionedVariance | undefined;
}

const tCache = new Map<number, StudentT>();
function cachedT(dof: number): StudentT {
  let d = tCache.get(dof);
  if (!d) tCache.set(dof, (d = studentT(dof)));
  return d;
}

export function forecast(spot: number, minutes: number, spec: ModelSpec): Forecast {
  if (!Number.isFinite(spot) || spot <= 0) throw new RangeError(`spot must be a positive number, got ${spot}`);
  if (!(spec.kappa >= 1)) throw new RangeError(`kappa must be ≥ 1, got ${spec.kappa}`);
  const m = Math.max(0, minutes);
  const sigmaCalendar = spec.curve.sigmaAt(m);
  const regime = spec.regime?.at(m);
  const curveSigma = regime ? sigmaCalendar * Math.sqrt(regime.factor) : sigmaCalendar;
  const floor = spec.sigmaFloor > 0 ? spec.sigmaFloor * Math.sqrt(m) : 0;
  const sigmaM = curveSigma > floor ? curveSigma : floor;
  const r = spec.curve.residualStd;
  const sigmaEff = r > 0 ? Math.sqrt(sigmaM * sigmaM + r * r) : sigmaM;
  return {
    center: spot + spec.curve.driftAt(m),
    scale: sigmaEff * Math.sqrt(spec.kappa),
    sigmaEff,
    sigmaM,
    minutes: m,
    t: regime?.dof !== undefined ? cachedT(regime.dof) : spec.dist.kind === 't' ? cachedT(spec.dist.dof) : null,
    sigmaCalendar,
    regime,
  };
}

/** P(S_T > x) under the forecast. A zero scale degenerates to a step at the center. */
export function survival(f: Forecast, x: number): number {
  if (f.scale <= 0) return x < f.center ? 1 : 0;
  const z = (x - f.center) / f.scale;
  return f.t ? tSurvivalUnit(z, f.t) : normalSurvival(z);
}
