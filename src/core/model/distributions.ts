/**
 * Standard distributions for the terminal-value model (SPEC §5.2). Pure math, no allocation.
 *
 * - Normal: Hart's double-precision rational approximation of the normal tail (as published by
 *   G. West, "Better approximations to cumulative normal functions", 2005): absolute error ≈ 1e-15.
 * - Student-t: for an integer ν ≤ 60, the closed form of Abramowitz & Stegun 26.7.3–26.7.4 (a finite
 *   series in cos²θ, θ = atan(t/√ν)); otherwise the regularized incomplete beta function (continued
 *   fraction, modified Lentz).
 *   The t shock is rescaled to unit variance (see `tUnitScale`) so σ keeps its meaning as a std dev.
 */

/** Upper tail of the standard normal, Q(x) = P(Z > x). Accurate in both tails (no 1 − Φ cancellation). */
export function normalSurvival(x: number): number {
  const ax = Math.abs(x);
  let tail: number;
  if (ax > 37) {
    tail = 0;
  } else {
    const e = Math.exp(-0.5 * ax * ax);
    if (ax < 7.07106781186547) {
      let n = 3.52624965998911e-2 * ax + 0.700383064443688;
      n = n * ax + 6.37396220353165;
      n = n * ax + 33.912866078383;
      n = n * ax + 112.079291497871;
      n = n * ax + 221.213596169931;
      n = n * ax + 220.206867912376;
      let d = 8.83883476483184e-2 * ax + 1.75566716318264;
      d = d * ax + 16.064177579207;
      d = d * ax + 86.7807322029461;
      d = d * ax + 296.564248779674;
      d = d * ax + 637.333633378831;
      d = d * ax + 793.826512519948;
      d = d * ax + 440.413735824752;
      tail = (e * n) / d;
    } else {
      let b = ax + 0.65;
      b = ax + 4 / b;
      b = ax + 3 / b;
      b = ax + 2 / b;
      b = ax + 1 / b;
      tail = e / b / 2.506628274631;
    }
  }
  return x >= 0 ? tail : 1 - tail;
}

/** Φ(x) = P(Z ≤ x). */
export const normalCdf = (x: number): number => normalSurvival(-x);

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7). */
export function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction for I_x(a, b) (modified Lentz); converges fast for x < (a + 1) / (a + b + 2). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const TINY = 1e-300;
  const EPS = 1e-15;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let num = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + num * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + num / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    num = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + num * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + num / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return h;
}

/** Regularized incomplete beta I_x(a, b); `lnBeta` = ln B(a, b) may be passed in when cached. */
export function regularizedBeta(x: number, a: number, b: number, lnBeta = lnGamma(a) + lnGamma(b) - lnGamma(a + b)): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(a * Math.log(x) + b * Math.log(1 - x) - lnBeta);
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
  return 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

/** Student-t with ν degrees of freedom: cached constants for repeated tail evaluations. */
export interface StudentT {
  readonly dof: number;
  /** ln B(ν/2, 1/2). */
  readonly lnBeta: number;
  /** sqrt(ν / (ν − 2)): multiply a unit-variance z by this to get the raw t quantile. */
  readonly unitToRaw: number;
}

export function studentT(dof: number): StudentT {
  if (!(dof > 2) || !Number.isFinite(dof)) throw new RangeError(`Student-t dof must be > 2 (finite variance), got ${dof}`);
  return { dof, lnBeta: lnGamma(dof / 2) + lnGamma(0.5) - lnGamma(dof / 2 + 0.5), unitToRaw: Math.sqrt(dof / (dof - 2)) };
}

/** Largest integer ν the closed form is used for (its series has ν/2 terms). */
const CLOSED_FORM_MAX_DOF = 60;

/**
 * P(T > t) for integer ν by A&S 26.7.3 (odd ν) / 26.7.4 (even ν), with c = cos²θ = ν/(ν + t²) and
 * sinθ = t/√(ν + t²): the CDF is ½ + sinθ·Σ(series in c)/2 (even) or ½ + (θ + sinθ·cosθ·Σ)/π (odd).
 */
function tSurvivalInteger(t: number, nu: number): number {
  // |t| > 1.3e154 (a strike against a vanishing σ): t² overflows and sinθ = t/√(ν + t²) would read 0 (the
  // even-ν sum then gives ½). The tail there is below the smallest double for every ν ≥ 3.
  if (t * t === Infinity) return t > 0 ? 0 : 1;
  const r2 = nu + t * t;
  const c = nu / r2;
  const sin = t / Math.sqrt(r2);
  let cdf: number;
  if (nu % 2 === 0) {
    // 1 + (1/2)c + (1·3)/(2·4)c² + … up to (1·3…(ν−3))/(2·4…(ν−2)) c^{(ν−2)/2}
    let term = 1;
    let sum = 1;
    for (let k = 1; k <= (nu - 2) / 2; k++) {
      term *= ((2 * k - 1) / (2 * k)) * c;
      sum += term;
    }
    cdf = 0.5 + 0.5 * sin * sum;
  } else {
    // θ + sinθ·cosθ·(1 + (2/3)c + (2·4)/(3·5)c² + … up to c^{(ν−3)/2})
    const theta = Math.atan(t / Math.sqrt(nu));
    let term = 1;
    let sum = nu >= 3 ? 1 : 0;
    for (let k = 1; k <= (nu - 3) / 2; k++) {
      term *= ((2 * k) / (2 * k + 1)) * c;
      sum += term;
    }
    cdf = 0.5 + (theta + sin * Math.sqrt(c) * sum) / Math.PI;
  }
  const q = 1 - cdf;
  return q < 0 ? 0 : q > 1 ? 1 : q;
}

/** P(T > t) for a raw Student-t variable. */
export function tSurvivalRaw(t: number, d: StudentT): number {
  if (Number.isInteger(d.dof) && d.dof <= CLOSED_FORM_MAX_DOF) return tSurvivalInteger(t, d.dof);
  const x = d.dof / (d.dof + t * t);
  const half = 0.5 * regularizedBeta(x, d.dof / 2, 0.5, d.lnBeta);
  return t >= 0 ? half : 1 - half;
}

/**
 * P(ε > z) for the **unit-variance** t shock ε = T · sqrt((ν − 2)/ν). A raw t has variance ν/(ν − 2); the
 * rescale keeps σ(m) (calibrated as a standard deviation) the std dev of S_T under either distribution,
 * so switching `--dist` changes only the tail shape, not the spread.
 */
export const tSurvivalUnit = (z: number, d: StudentT): number => tSurvivalRaw(z * d.unitToRaw, d);
