/**
 * The terminal-value forecast S_T = S_now + drift(m) + σ_eff·√κ·ε (SPEC §5.2) and its tail function.
 * σ_eff = max(σ(m), residual_std, floor); κ (event-day variance multiplier) scales the variance.
 */
import { normalSurvival, studentT, tSurvivalUnit, type StudentT } from './distributions.ts';
import type { VolCurve } from './curve.ts';

export type DistSpec = { kind: 'normal' } | { kind: 't'; dof: number };

export interface ModelSpec {
  curve: VolCurve;
  /** Minimum σ in index points (`model.sigma_floor_points`). */
  sigmaFloor: number;
  /** Variance multiplier for the day (1 on ordinary days; see event-kappa.ts). */
  kappa: number;
  dist: DistSpec;
}

export interface Forecast {
  /** S_now + drift(m). */
  readonly center: number;
  /** σ_eff · √κ: the std dev of S_T in index points. */
  readonly scale: number;
  readonly sigmaEff: number;
  readonly minutes: number;
  readonly t: StudentT | null;
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
  const sigmaEff = Math.max(spec.curve.sigmaAt(m), spec.curve.residualStd, spec.sigmaFloor);
  return {
    center: spot + spec.curve.driftAt(m),
    scale: sigmaEff * Math.sqrt(spec.kappa),
    sigmaEff,
    minutes: m,
    t: spec.dist.kind === 't' ? cachedT(spec.dist.dof) : null,
  };
}

/** P(S_T > x) under the forecast. A zero scale degenerates to a step at the center. */
export function survival(f: Forecast, x: number): number {
  if (f.scale <= 0) return x < f.center ? 1 : 0;
  const z = (x - f.center) / f.scale;
  return f.t ? tSurvivalUnit(z, f.t) : normalSurvival(z);
}
