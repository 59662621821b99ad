/**
 * The regression behind the adaptive σ's weights (fit-conditioning.ts): a log-link QLIKE fit by Newton's method
 * and the shrinkage of its slopes at day-clustered standard errors, and the Student t shape of standardised changes.
 * Pure numerics, no calibration vocabulary.
 */
import { lnGamma } from '../model/distributions.ts';

export interface GlmFit {
  /** Intercept, then one coefficient per regressor. */
  coef: number[];
  /** Mean QLIKE y/μ + ln μ (lower is better; the ln y term is the same for every model and left out). */
  qlike: number;
}

/**
 * E[y | z] = exp(b₀ + Σ b_j z_j) minimising the mean QLIKE Σ (y·e^(−η) + η)/n — the Gamma/log-link
 * quasi-likelihood, whose score Σ (y/μ − 1)·x = 0 iteratively reweighted least squares solves — by Newton's
 * method on it (Hessian Σ y·e^(−η)·x·xᵀ, positive semi-definite; the step halved while the loss rises).
 */
export function glm(y: ArrayLike<number>, zs: readonly ArrayLike<number>[]): GlmFit {
  const n = y.length;
  const p = zs.length + 1;
  // the design as one row-major Float64Array (intercept first)
  const X = new Float64Array(n * p);
  for (let i = 0; i < n; i++) {
    X[i * p] = 1;
    for (let j = 1; j < p; j++) X[i * p + j] = zs[j - 1]![i]!;
  }
  let my = 0;
  for (let i = 0; i < n; i++) my += y[i]!;
  my /= n;
  const coef = new Float64Array(p);
  coef[0] = Math.log(Math.max(my, 1e-12));
  // w_i = y_i·e^(−η_i) at the coefficients `loss` last saw: the Newton pass at the accepted trial reuses the
  // line search's weights (the same arithmetic, so the same bits) instead of a second pass of exp per step
  let w = new Float64Array(n);
  let wTrial = new Float64Array(n);
  const loss = (b: Float64Array, out: Float64Array): number => {
    let q = 0;
    for (let i = 0, o = 0; i < n; i++, o += p) {
      let e = 0;
      for (let j = 0; j < p; j++) e += b[j]! * X[o + j]!;
      const wi = y[i]! * Math.exp(-e);
      out[i] = wi;
      q += wi + e;
    }
    return q / n;
  };
  let cur = loss(coef, w);
  if (p > 1) {
    const g = new Float64Array(p);
    const H = new Float64Array(p * p);
    const trial = new Float64Array(p);
    for (let it = 0; it < 30; it++) {
      g.fill(0);
      H.fill(0);
      for (let i = 0, o = 0; i < n; i++, o += p) {
        const wi = w[i]!;
        for (let a = 0; a < p; a++) {
          const xa = X[o + a]!;
          g[a]! += (1 - wi) * xa;
          for (let b = a; b < p; b++) H[a * p + b]! += wi * xa * X[o + b]!;
        }
      }
      const Hm: number[][] = Array.from({ length: p }, (_, a) => Array.from({ length: p }, (_, b) => (b >= a ? H[a * p + b]! : H[b * p + a]!)));
      const inv = invert(Hm);
      if (!inv) break;
      const d = new Float64Array(p);
      let size = 0;
      for (let a = 0; a < p; a++) {
        for (let b = 0; b < p; b++) d[a]! += inv[a]![b]! * g[b]!;
        size = Math.max(size, Math.abs(d[a]!));
      }
      if (!(size > 1e-7)) break;
      let step = 1;
      let next = Infinity;
      for (let half = 0; half < 20; half++, step /= 2) {
        for (let a = 0; a < p; a++) trial[a] = coef[a]! - step * d[a]!;
        next = loss(trial, wTrial);
        if (next <= cur + 1e-12 * Math.abs(cur)) break;
      }
      if (!(next <= cur + 1e-12 * Math.abs(cur))) break;
      coef.set(trial);
      [w, wTrial] = [wTrial, w];
      cur = next;
      if (step * size < 1e-7) break;
    }
  }
  return { coef: [...coef], qlike: cur };
}

/**
 * The slopes of a fit shrunk toward `target` (positive-part James–Stein at two standard errors, jointly:
 * d·max(0, 1 − 4q/W) with d = b − target, q slopes and W = dᵀV⁻¹d its Wald statistic, which for one slope is
 * d·max(0, 1 − 4·se²/d²)) — V the day-clustered sandwich H⁻¹(Σ_days g_d g_dᵀ)H⁻¹, since the samples of one
 * day share its path — then the level refitted in closed form, e^α = mean(y·e^(−Σ b_j z_j)), so the mean
 * variance stays right.
 */
export function shrinkSlopes(y: ArrayLike<number>, zs: readonly ArrayLike<number>[], day: readonly number[], fit: GlmFit, target: readonly number[]): GlmFit {
  const n = y.length;
  const p = zs.length + 1;
  const q = p - 1;
  const b = fit.coef;
  const xAt = (i: number, j: number) => (j === 0 ? 1 : zs[j - 1]![i]!);
  const H: number[][] = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  const scores = new Map<number, Float64Array>();
  for (let i = 0; i < n; i++) {
    let e = b[0]!;
    for (let j = 1; j < p; j++) e += b[j]! * zs[j - 1]![i]!;
    const w = y[i]! * Math.exp(-e);
    let g = scores.get(day[i]!);
    if (!g) scores.set(day[i]!, (g = new Float64Array(p)));
    for (let a = 0; a < p; a++) {
      g[a]! += (1 - w) * xAt(i, a);
      for (let c = 0; c < p; c++) H[a]![c]! += w * xAt(i, a) * xAt(i, c);
    }
  }
  const coef = [...b];
  const inv = invert(H);
  let factor = 0;
  if (inv) {
    const meat: number[][] = Array.from({ length: p }, () => new Array<number>(p).fill(0));
    for (const g of scores.values()) for (let a = 0; a < p; a++) for (let c = 0; c < p; c++) meat[a]![c]! += g[a]! * g[c]!;
    // V of the slopes (rows/columns 1…q of the sandwich)
    const V: number[][] = Array.from({ length: q }, () => new Array<number>(q).fill(0));
    for (let r = 0; r < q; r++)
      for (let c = 0; c < q; c++) {
        let v = 0;
        for (let a = 0; a < p; a++) for (let k = 0; k < p; k++) v += inv[r + 1]![a]! * meat[a]![k]! * inv[k]![c + 1]!;
        V[r]![c] = v;
      }
    const d = Array.from({ length: q }, (_, j) => b[j + 1]! - (target[j] ?? 0));
    const Vi = invert(V);
    if (Vi) {
      let W = 0;
      for (let r = 0; r < q; r++) for (let c = 0; c < q; c++) W += d[r]! * Vi[r]![c]! * d[c]!;
      factor = W > 0 ? Math.max(0, 1 - (4 * q) / W) : 0;
    }
    for (let j = 1; j < p; j++) coef[j] = (target[j - 1] ?? 0) + factor * d[j - 1]!;
  } else for (let j = 1; j < p; j++) coef[j] = target[j - 1] ?? 0;
  let m = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 1; j < p; j++) s += coef[j]! * zs[j - 1]![i]!;
    m += y[i]! * Math.exp(-s);
  }
  coef[0] = Math.log(Math.max(m / n, 1e-12));
  let ql = 0;
  for (let i = 0; i < n; i++) {
    let e = coef[0]!;
    for (let j = 1; j < p; j++) e += coef[j]! * zs[j - 1]![i]!;
    ql += y[i]! * Math.exp(-e) + e;
  }
  return { coef, qlike: ql / n };
}

/** Positive-part James–Stein toward 0 at threshold `t`: x·max(0, 1 − t²/x²). */
function shrinkTowardZero(x: number, t: number): number {
  if (x === 0 || !(t > 0)) return x;
  const k = 1 - (t * t) / (x * x);
  return k > 0 ? x * k : 0;
}

/** The inverse of a small symmetric matrix (Gauss–Jordan with partial pivoting), null when singular. */
function invert(m: readonly (readonly number[])[]): number[][] | null {
  const p = m.length;
  const a = m.map((row, i) => [...row, ...Array.from({ length: p }, (_, j) => (i === j ? 1 : 0))]);
  const scale = Math.max(...m.map((r, i) => Math.abs(r[i]!)), 1e-300);
  for (let c = 0; c < p; c++) {
    let piv = c;
    for (let r = c + 1; r < p; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[piv]![c]!)) piv = r;
    if (!(Math.abs(a[piv]![c]!) > 1e-10 * scale)) return null;
    [a[c], a[piv]] = [a[piv]!, a[c]!];
    const d = a[c]![c]!;
    for (let j = 0; j < 2 * p; j++) a[c]![j]! /= d;
    for (let r = 0; r < p; r++) {
      if (r === c) continue;
      const f = a[r]![c]!;
      if (f !== 0) for (let j = 0; j < 2 * p; j++) a[r]![j]! -= f * a[c]![j]!;
    }
  }
  return a.map((row) => row.slice(p));
}

/** Degrees of freedom tried for the shape of a standardised change (unitTDof). */
export const DOF_GRID = [3, 3.5, 4, 4.5, 5, 6, 7, 8, 10, 12, 15, 20, 30, 50] as const;

/**
 * The dof of the unit-variance Student t (variance 1 at every dof) that maximises the likelihood of `z` on
 * `DOF_GRID`, or null when the standard normal's likelihood is at least as high (or `z` is empty).
 */
export function unitTDof(z: readonly number[]): number | null {
  if (z.length === 0) return null;
  let normal = 0;
  for (const x of z) normal += -0.5 * x * x;
  normal += -0.5 * Math.log(2 * Math.PI) * z.length;
  let best: { dof: number; ll: number } | null = null;
  for (const nu of DOF_GRID) {
    const s2 = nu - 2;
    const c = lnGamma((nu + 1) / 2) - lnGamma(nu / 2) - 0.5 * Math.log(Math.PI * s2);
    let ll = 0;
    for (const x of z) ll += -((nu + 1) / 2) * Math.log1p((x * x) / s2);
    ll += c * z.length;
    if (!best || ll > best.ll) best = { dof: nu, ll };
  }
  return best && best.ll > normal ? best.dof : null;
}
