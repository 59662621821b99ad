/**
 * The oracle (SPEC §9, issues 11 and 19): the true P(YES) of a simulated market at any instant under the
 * process that generates the day (sim/day/world.ts), conditional on the value now. Pure: a function of the
 * path (itself a pure function of seed, symbol, session and world), the market's condition, its close and
 * the instant.
 *
 * The law, exactly as the generators draw it: sample i holds round(L_i, 2) with
 * L_{i+1} = L_i·exp(σ_i·z_i + Σ_{arrivals in step i} J), z_i ~ N(0, 1), the arrivals of step i
 * Poisson(λ_i), J ~ N(0, s_J²), all independent and independent of the variance path (σ_i, λ_i), which
 * the oracle knows in full (the classic world: λ = 0). The exchange settles on the sample at the close
 * (`valueAt(close)`), the same value the feeds print last. So, from the sample read now (index a) to the
 * settlement sample (index b), with V = Σ_{a ≤ j < b} σ_j² and Λ = Σ_{a ≤ j < b} λ_j (`lawBetween`):
 *   ln L_b − ln L_a ~ Σ_k Pois(k; Λ) · N(0, V + k·s_J²),
 *   P(YES) = Σ_k Pois(k; Λ) · P_{N(0, V + k s_J²)}(round(L_b, 2) satisfies the condition),
 * the sum stopped once the Poisson mass left is below 1e-12 (so the answer is exact to 1e-12), the condition
 * turned into bounds on the unrounded L_b on the cent grid (v ≥ 6800 ⇔ L_b ≥ 6799.995). The one
 * approximation: the value now is known to the cent (L_a ≈ its rounded sample; ±0.005 points against a
 * one-second σ of ~0.5 points). At or after the settlement sample the answer is 0 or 1.
 *
 * This is what the evaluation scores the model against (`kalshi-alpha evaluate`); it is never served
 * through the venue APIs. The simulated market maker prices with a noisy, delayed version of it
 * (participants.ts); informed takers trade on it.
 */
import type { StrikeType } from '../../core/market.ts';
import { normalSurvival } from '../../core/model/distributions.ts';
import type { IndexPath, LogLaw } from '../day/index-path.ts';

export interface YesCondition {
  strikeType: StrikeType;
  floorStrike?: number;
  capStrike?: number;
}

/** Whole cents of a strike, tolerant of binary float noise (6799.99 × 100 = 679998.9999…). */
function cents(x: number): { whole: boolean; c: number } {
  const v = x * 100;
  const r = Math.round(v);
  return Math.abs(v - r) < 1e-6 ? { whole: true, c: r } : { whole: false, c: v };
}
/** Smallest whole-cent value v with v ≥ x (strict: v > x). */
function firstCentAtOrAbove(x: number, strict: boolean): number {
  const { whole, c } = cents(x);
  if (whole) return strict ? c + 1 : c;
  return Math.ceil(c);
}
/** Largest whole-cent value v with v ≤ x (strict: v < x). */
function lastCentAtOrBelow(x: number, strict: boolean): number {
  const { whole, c } = cents(x);
  if (whole) return strict ? c - 1 : c;
  return Math.floor(c);
}

/**
 * The YES condition as bounds on the unrounded settlement level: YES ⇔ lo ≤ L < hi (either bound may be
 * infinite). A settlement value in whole cents k is printed for L in [k − ½, k + ½) cents.
 */
export function levelBounds(c: YesCondition): { lo: number; hi: number } {
  const f = c.floorStrike;
  const k = c.capStrike;
  const need = (x: number | undefined, what: string): number => {
    if (x === undefined || !Number.isFinite(x)) throw new RangeError(`oracle: ${c.strikeType} market without a ${what} strike`);
    return x;
  };
  const lower = (x: number, strict: boolean) => (firstCentAtOrAbove(x, strict) - 0.5) / 100;
  const upper = (x: number, strict: boolean) => (lastCentAtOrBelow(x, strict) + 0.5) / 100;
  switch (c.strikeType) {
    case 'greater':
      return { lo: lower(need(f, 'floor'), true), hi: Infinity };
    case 'greater_or_equal':
      return { lo: lower(need(f, 'floor'), false), hi: Infinity };
    case 'less':
      return { lo: -Infinity, hi: upper(need(k, 'cap'), true) };
    case 'less_or_equal':
      return { lo: -Infinity, hi: upper(need(k, 'cap'), false) };
    case 'between':
      return { lo: lower(need(f, 'floor'), false), hi: upper(need(k, 'cap'), false) };
    default:
      throw new RangeError(`oracle: unsupported strike type ${String(c.strikeType)}`);
  }
}

/** P(L ≥ x) for ln L ~ N(ln s, v). */
function above(s: number, sd: number, x: number): number {
  if (x === Infinity) return 0;
  if (x === -Infinity || x <= 0) return 1;
  if (sd <= 0) return s >= x ? 1 : 0;
  return normalSurvival(Math.log(x / s) / sd);
}

/** The Poisson mass left out of the mixture (the oracle's tolerance). */
export const MIXTURE_TAIL = 1e-12;

/** P(lo ≤ L < hi) for ln L ~ N(ln s, v). */
function normalBetween(s: number, v: number, lo: number, hi: number): number {
  const sd = v > 0 ? Math.sqrt(v) : 0;
  return above(s, sd, lo) - above(s, sd, hi);
}

/**
 * P(YES) given the level now `s` and the law of the log change still to come: a variance `v` (a Gaussian,
 * the classic world's law) or a `LogLaw` (Gaussian plus compound-Poisson normal jumps: the Poisson mixture
 * of normals, see the header). The building block of the oracle and of the market maker's fair value.
 */
export function probYes(c: YesCondition, s: number, law: number | LogLaw): number {
  const { lo, hi } = levelBounds(c);
  return probWithin(lo, hi, s, law);
}

/** `probYes` with the condition already turned into level bounds (`levelBounds`): the market maker's hot loop. */
export function probWithin(lo: number, hi: number, s: number, law: number | LogLaw): number {
  let p: number;
  if (typeof law === 'number') p = normalBetween(s, law, lo, hi);
  else if (!(law.jumpIntensity > 0 && law.jumpVar > 0)) p = normalBetween(s, law.variance, lo, hi);
  else {
    const lambda = law.jumpIntensity;
    let w = Math.exp(-lambda);
    let mass = 0;
    p = 0;
    for (let k = 0; ; k++) {
      p += w * normalBetween(s, law.variance + k * law.jumpVar, lo, hi);
      mass += w;
      // Stop once the mass left (1 − Σ) is negligible and past the mode (the terms only shrink from there).
      if (1 - mass < MIXTURE_TAIL && k >= lambda) break;
      if (k > 10_000) break;
      w *= lambda / (k + 1);
    }
  }
  return p < 0 ? 0 : p > 1 ? 1 : p;
}

/**
 * The true P(YES) at `nowMs` of a market settling on `path.valueAt(closeMs)`: conditional on the sample
 * now, under the path's own law of the steps to come. 0/1 once the settlement sample is known.
 */
export function oracleYes(c: YesCondition, path: IndexPath, closeMs: number, nowMs: number): number {
  const t = Math.min(nowMs, closeMs);
  return probYes(c, path.valueAt(t), path.lawBetween(t, closeMs));
}
