/**
 * σ(m) and drift(m) as functions of fractional minutes to the target (SPEC §5.2), in index points.
 *
 * Calibrated curve: points at whole minutes from calibration (`minutes_to_target`). Between points the
 * **variance** is interpolated linearly in m (so a Brownian σ ∝ √m is reproduced exactly) and drift
 * linearly. Below the first point σ scales as √(m/m₀) and drift as m/m₀ (both → 0 at the target). Beyond
 * the last point σ keeps √m scaling from the last point and drift is held at its last value (a mean fitted
 * on fewer samples is not extrapolated).
 *
 * Default curve (no calibration): annualised volatility through a **U-shaped intraday profile**, zero drift:
 *   σ(m)² = spot² × annual_vol² / 252 × ∫ g(f) df over the session fractions f of (T − m, T],
 * f = (ET time − 09:30) / 390 min, g(f) = u(f)² / E[u²] with u(f) = 0.8 + 0.8·(2f − 1)² (the volatility of
 * U.S. index minutes is highest at the open and the close: g is 2.14× its mean at the ends, 0.54× at
 * midday — 1.46× and 0.73× in σ), normalised so a whole session carries annual_vol²/252. Minutes outside
 * the regular session count at the nearest end's rate; early-close days use the same clock-time profile.
 * Without a target time (`targetEt` unknown) the profile is flat: σ(m) = spot × annual_vol × √(m / (252 × 390)).
 *
 * Both shrink to 0 at the target; the settlement-print noise `residualStd` is added in quadrature by
 * forecast.ts (σ_eff² = σ(m)² + residual_std²), never used as a floor.
 */

export interface VolCurve {
  readonly source: 'calibrated' | 'default';
  sigmaAt(minutes: number): number;
  driftAt(minutes: number): number;
  /** Settlement-print noise in points (SPEC §5.2): the gap between the feed's last value and the official print. */
  readonly residualStd: number;
  /** Which calibration curve: the target `HH:MM` of `by_target`, `pooled`, or null for the default curve. */
  readonly target: string | null;
}

export interface CurvePoint {
  minutes: number;
  sigma: number;
  drift: number;
}

export const TRADING_MINUTES_PER_YEAR = 252 * 390;

export class CalibratedCurve implements VolCurve {
  readonly source = 'calibrated' as const;
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private readonly d: Float64Array;

  constructor(
    points: readonly CurvePoint[],
    readonly residualStd: number,
    readonly target: string = 'pooled',
  ) {
    if (!(residualStd >= 0) || !Number.isFinite(residualStd)) throw new RangeError(`residual std must be a finite number ≥ 0, got ${residualStd}`);
    if (points.length === 0) throw new RangeError('calibrated curve needs at least one point');
    const sorted = [...points].sort((a, b) => a.minutes - b.minutes);
    this.m = new Float64Array(sorted.length);
    this.v = new Float64Array(sorted.length);
    this.d = new Float64Array(sorted.length);
    sorted.forEach((p, i) => {
      if (!(p.minutes > 0) || !(p.sigma >= 0) || !Number.isFinite(p.drift)) {
        throw new RangeError(`bad curve point at m=${p.minutes}: sigma=${p.sigma} drift=${p.drift}`);
      }
      if (i > 0 && p.minutes === sorted[i - 1]!.minutes) throw new RangeError(`duplicate curve point m=${p.minutes}`);
      this.m[i] = p.minutes;
      this.v[i] = p.sigma * p.sigma;
      this.d[i] = p.drift;
    });
  }

  /** Index of the last point with minutes ≤ x (−1 if x is below the first). */
  private locate(x: number): number {
    const m = this.m;
    let lo = 0;
    let hi = m.length - 1;
    if (x < m[0]!) return -1;
    if (x >= m[hi]!) return hi;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (m[mid]! <= x) lo = mid;
      else hi = mid;
    }
    return lo;
  }

  sigmaAt(minutes: number): number {
    if (!(minutes > 0)) return 0;
    const i = this.locate(minutes);
    const m = this.m;
    const v = this.v;
    if (i < 0) return Math.sqrt((v[0]! * minutes) / m[0]!);
    const last = m.length - 1;
    if (i === last) return Math.sqrt((v[last]! * minutes) / m[last]!);
    const w = (minutes - m[i]!) / (m[i + 1]! - m[i]!);
    return Math.sqrt(v[i]! + w * (v[i + 1]! - v[i]!));
  }

  driftAt(minutes: number): number {
    if (!(minutes > 0)) return 0;
    const i = this.locate(minutes);
    const m = this.m;
    const d = this.d;
    if (i < 0) return (d[0]! * minutes) / m[0]!;
    if (i === m.length - 1) return d[i]!;
    const w = (minutes - m[i]!) / (m[i + 1]! - m[i]!);
    return d[i]! + w * (d[i + 1]! - d[i]!);
  }
}

const SESSION_MINUTES = 390;
const U_A = 0.8;
const U_B = 0.8;
/** E[u²] over the session: a² + 2ab/3 + b²/5 (y = 2f − 1 uniform on [−1, 1]). */
const U2_MEAN = U_A * U_A + (2 * U_A * U_B) / 3 + (U_B * U_B) / 5;

/** The default intraday variance profile g(f) = u(f)²/E[u²] at a session fraction f (clamped to the session). */
export function intradayVarianceShape(f: number): number {
  const y = 2 * Math.min(1, Math.max(0, f)) - 1;
  const u = U_A + U_B * y * y;
  return (u * u) / U2_MEAN;
}

/** ∫_{f1}^{f2} g(f) df, f1 ≤ f2, outside [0, 1] at the nearest end's rate. */
function shapeIntegral(f1: number, f2: number): number {
  // antiderivative in y = 2f − 1 of u² (df = dy/2)
  const G = (f: number) => {
    const y = 2 * f - 1;
    return (U_A * U_A * y + (2 * U_A * U_B * y ** 3) / 3 + (U_B * U_B * y ** 5) / 5) / 2 / U2_MEAN;
  };
  const a = Math.max(0, Math.min(1, f1));
  const b = Math.max(0, Math.min(1, f2));
  let v = G(b) - G(a);
  if (f1 < 0) v += (Math.min(f2, 0) - f1) * intradayVarianceShape(0);
  if (f2 > 1) v += (f2 - Math.max(f1, 1)) * intradayVarianceShape(1);
  return v;
}

export class DefaultCurve implements VolCurve {
  readonly source = 'default' as const;
  readonly target = null;
  private readonly perSqrtMinute: number;
  /** Session fraction of the target, or null (flat profile). */
  private readonly targetFrac: number | null;

  constructor(
    readonly spot: number,
    readonly annualVol: number,
    readonly residualStd = 0,
    /** `HH:MM` ET of the target: the U-shaped profile; omitted: flat. */
    readonly targetEt?: string,
  ) {
    if (!(spot > 0) || !(annualVol > 0)) throw new RangeError(`default curve needs spot > 0 and annual vol > 0`);
    if (!(residualStd >= 0) || !Number.isFinite(residualStd)) throw new RangeError(`residual std must be a finite number ≥ 0, got ${residualStd}`);
    this.perSqrtMinute = spot * annualVol * Math.sqrt(1 / TRADING_MINUTES_PER_YEAR);
    const hm = targetEt ? /^(\d{2}):(\d{2})$/.exec(targetEt) : null;
    this.targetFrac = hm ? (Number(hm[1]) * 60 + Number(hm[2]) - (9 * 60 + 30)) / SESSION_MINUTES : null;
  }

  sigmaAt(minutes: number): number {
    if (!(minutes > 0)) return 0;
    if (this.targetFrac === null) return this.perSqrtMinute * Math.sqrt(minutes);
    const f2 = this.targetFrac;
    return this.perSqrtMinute * Math.sqrt(SESSION_MINUTES * shapeIntegral(f2 - minutes / SESSION_MINUTES, f2));
  }

  driftAt(): number {
    return 0;
  }
}
