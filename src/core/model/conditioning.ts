/**
 * The adaptive σ (issue 19), pure: the calibrated curve's variance scaled by what the day has shown so far
 * and by the scheduled events of the day, with weights `calibrate` fitted from the bars
 * (calibration/fit-conditioning.ts). No I/O, no clock: the state is fed the ticks the caller already sees.
 *
 *   σ_cond(m)² = σ(m)² · exp(α(m) + β(m) · w(n) · L + γ(m) · w(n_H) · L_H) · Ū(now, m)
 *
 * - L = ln(RV / E): the day's realised variance so far — the sum of squared one-minute changes at the
 *   minute marks from the open (RV) — over what the calibration expects for those same minutes (E: the
 *   fitted one-minute variance profile by time of day, times the event uplift of each minute). An event's
 *   burst is expected, so it does not read as a hot day.
 * - L_H = ln(RV_H / E_H): the same ratio over the recent past, each minute weighted by 2^(−age/H) (H the
 *   fitted half-life; n_H the weighted count): intraday clustering — vol that rose an hour ago and stays.
 *   Absent from the file (no `recent_half_life_minutes`): the day so far alone.
 * - w(n) = n / (n + e₀): the shrinkage toward the calendar curve with n observed one-minute changes (few
 *   minutes since the open, or a late start: a noisy L gets little weight). α(m), β(m) per horizon and e₀
 *   are fitted (Gamma/QLIKE regression of the next m minutes' realised variance on w·L); between fitted
 *   horizons they are interpolated linearly in ln m, outside clamped.
 * - Ū(now, m): the mean over (now, now + m] of the event uplift U(t) = 1 + Σ A·exp(−(t − t_e)/D) for
 *   t ≥ t_e, per scheduled event of the day whose tag has a fitted (A, D) (a release before the open counts
 *   from the open). Tags without one: no uplift.
 *
 * - dof(m): the shape of the change given σ_cond (a unit-variance Student t, fitted per horizon on the bars'
 *   standardised changes; the nearest fitted horizon's; absent: normal). Near the target what the day so far
 *   cannot tell — the clustering's state now, a jump — makes the change peaked and heavy-tailed for its
 *   variance; a normal of the same variance is too wide in the body there.
 *
 * A calibration without `conditioning` gives no conditioner: the unconditional model, unchanged.
 */
import type { CalibrationParams } from '../calibration/params.ts';

export type ConditioningParams = NonNullable<CalibrationParams['conditioning']>;

/** A scheduled event of the day (same shape as core/event-schedule's ScheduledEvent). */
export interface DayEvent {
  tag: string;
  /** ET `HH:MM`, or null when unknown (no uplift). */
  timeEt: string | null;
}

/** What the conditioned σ at one horizon was conditioned on. */
export interface ConditionedVariance {
  /** Variance multiplier on σ(m)² (1 = the calendar curve). */
  factor: number;
  /** RV / E: the day's realised variance so far over its expectation (1 when nothing is observed). */
  ratio: number;
  /** One-minute changes observed so far (n). */
  changes: number;
  /** β(m)·w(n): the exponent's weight on ln(ratio) (0 = unconditional, 1 = the day's own variance). */
  weight: number;
  /** RV_H / E_H: the recent (exponentially weighted) ratio, and γ(m)·w(n_H) its weight (0 without a recent term). */
  recentRatio: number;
  recentWeight: number;
  /** α(m): the horizon's level term. */
  alpha: number;
  /** Ū(now, m): the event uplift over the horizon (1 = none). */
  uplift: number;
  /** The same multiplier over the next minute: what a move during the requote latency scales with. */
  factorNow: number;
  /** The shape of the change given this σ: a unit-variance Student t's dof (undefined: normal). */
  dof?: number;
}

/** Conditions σ(m) of one target; `at(m)` reads the state at the instant target − m. */
export interface Conditioner {
  at(minutes: number): ConditionedVariance;
}

const MINUTE = 60_000;
/** |ln(RV/E)| is capped at ln 100: σ within ×/÷ 10 of the calendar's (a glitch of the feed cannot do more). */
export const MAX_ABS_LOG_RATIO = Math.log(100);

const hmToMin = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** The event uplift of a day as minutes from the open: (t_e, A, D) per event with a fitted effect. */
export interface UpliftTerm {
  /** Minutes from the open (≥ 0: a release before the open counts from the open). */
  at: number;
  amplitude: number;
  decay: number;
}

export function upliftTerms(c: ConditioningParams, events: readonly DayEvent[], openEt: string): UpliftTerm[] {
  const open = hmToMin(openEt);
  const out: UpliftTerm[] = [];
  for (const e of events) {
    if (e.timeEt === null) continue;
    const fx = c.events[e.tag.toUpperCase()];
    if (!fx || !(fx.amplitude > 0)) continue;
    out.push({ at: Math.max(0, hmToMin(e.timeEt) - open), amplitude: fx.amplitude, decay: fx.decay_minutes });
  }
  return out;
}

/** U(t) at t minutes from the open. */
export function upliftAt(terms: readonly UpliftTerm[], t: number): number {
  let u = 1;
  for (const x of terms) if (t >= x.at) u += x.amplitude * Math.exp(-(t - x.at) / x.decay);
  return u;
}

/** Mean of U over (a, b] minutes from the open (closed form). */
export function upliftMean(terms: readonly UpliftTerm[], a: number, b: number): number {
  if (!(b > a)) return upliftAt(terms, a);
  let s = 0;
  for (const x of terms) {
    if (b <= x.at) continue;
    const lo = Math.max(a, x.at);
    s += x.amplitude * x.decay * (Math.exp(-(lo - x.at) / x.decay) - Math.exp(-(b - x.at) / x.decay));
  }
  return 1 + s / (b - a);
}

/** The expected one-minute variance of the minute (k − 1, k] from the open, before any uplift. */
export function profileAt(c: ConditioningParams, k: number): number {
  const v = c.profile.variance;
  const slot = Math.min(v.length - 1, Math.max(0, Math.floor((k - 1) / c.profile.slot_minutes)));
  return v[slot]!;
}

/**
 * The day's realised variance so far for one index: fed ticks (epoch ms, value) in time order, it samples
 * the value at each minute mark from the open (the last tick at or before the mark, at most `maxStaleMs`
 * old) and accumulates the squared change between consecutive marks and what the profile (× uplift)
 * expected of each such minute. Marks before the first tick it saw are simply not observed (a late start
 * has fewer changes, and less weight).
 */
export class DayVariance {
  private nextMark: number;
  private lastT = -Infinity;
  private lastV = NaN;
  private prevMarkV = NaN;
  private k = 0;
  private readonly lambda: number;
  rv = 0;
  expected = 0;
  changes = 0;
  /** Exponentially weighted RV, E and count (half-life `recent_half_life_minutes`; 0 without one). */
  ewRv = 0;
  ewExpected = 0;
  ewChanges = 0;

  constructor(
    readonly openMs: number,
    private readonly c: ConditioningParams,
    readonly terms: readonly UpliftTerm[],
    private readonly maxStaleMs = 5 * MINUTE,
  ) {
    this.nextMark = openMs;
    const h = c.realised.recent_half_life_minutes;
    this.lambda = h ? Math.pow(0.5, 1 / h) : 0;
  }

  observe(tMs: number, value: number): void {
    if (!(tMs >= this.lastT) || !Number.isFinite(value)) return;
    // every mark up to this tick: the marks after the last tick read its value (if fresh enough), a mark
    // at this very tick reads this one
    while (tMs >= this.nextMark) {
      const mark = this.nextMark;
      this.close(tMs === mark ? value : mark - this.lastT <= this.maxStaleMs ? this.lastV : NaN);
      this.nextMark += MINUTE;
    }
    this.lastT = tMs;
    this.lastV = value;
  }

  /** The value at mark k (NaN: unknown), and the change from mark k − 1. */
  private close(v: number): void {
    const k = this.k++;
    if (k === 0) {
      this.prevMarkV = v;
      return;
    }
    const ok = !Number.isNaN(v) && !Number.isNaN(this.prevMarkV);
    const xx = ok ? (v - this.prevMarkV) ** 2 : 0;
    const ee = ok ? profileAt(this.c, k) * upliftAt(this.terms, k - 0.5) : 0;
    if (ok) {
      this.rv += xx;
      this.expected += ee;
      this.changes++;
    }
    // every minute ages the recent past, observed or not (as the fit's per-minute recursion)
    const lam = this.lambda;
    this.ewRv = lam * this.ewRv + xx;
    this.ewExpected = lam * this.ewExpected + ee;
    this.ewChanges = lam * this.ewChanges + (ok ? 1 : 0);
    this.prevMarkV = v;
  }

  /** ln(RV/E), clamped to ±ln 100; 0 when nothing (or nothing but flat minutes) was observed. */
  logRatio(): number {
    return this.changes === 0 ? 0 : clampedLog(this.rv, this.expected);
  }

  /** The same over the recent past (exponentially weighted). */
  logRecentRatio(): number {
    return this.ewChanges === 0 ? 0 : clampedLog(this.ewRv, this.ewExpected);
  }
}

function clampedLog(rv: number, e: number): number {
  if (!(rv > 0) || !(e > 0)) return 0;
  const l = Math.log(rv / e);
  return l > MAX_ABS_LOG_RATIO ? MAX_ABS_LOG_RATIO : l < -MAX_ABS_LOG_RATIO ? -MAX_ABS_LOG_RATIO : l;
}

/** The state's reading at an instant: ln ratios and counts, the day so far and the recent past. */
export interface DayReading {
  logRatio: number;
  changes: number;
  logRecent: number;
  recentChanges: number;
}

export const readDay = (s: DayVariance): DayReading => ({ logRatio: s.logRatio(), changes: s.changes, logRecent: s.logRecentRatio(), recentChanges: s.ewChanges });

/** α(m), β(m), γ(m) from the fitted horizons: linear in ln m between them, clamped outside. */
export function horizonWeights(c: ConditioningParams, minutes: number): { alpha: number; beta: number; gamma: number } {
  const hs = c.realised.horizons;
  const m = Math.max(hs[0]!.minutes, minutes);
  const at = (h: (typeof hs)[number]) => ({ alpha: h.alpha, beta: h.beta, gamma: h.gamma ?? 0 });
  if (m <= hs[0]!.minutes) return at(hs[0]!);
  for (let i = 1; i < hs.length; i++) {
    const b = hs[i]!;
    if (m <= b.minutes) {
      const a = hs[i - 1]!;
      const w = Math.log(m / a.minutes) / Math.log(b.minutes / a.minutes);
      return { alpha: a.alpha + w * (b.alpha - a.alpha), beta: a.beta + w * (b.beta - a.beta), gamma: (a.gamma ?? 0) + w * ((b.gamma ?? 0) - (a.gamma ?? 0)) };
    }
  }
  return at(hs[hs.length - 1]!);
}

/**
 * The fitted shape at horizon m: the dof of the fitted horizon nearest in ln m (below the shortest, the
 * shortest's; undefined where that horizon fitted normal). A step, not an interpolation: the dofs stay the
 * fit's grid values.
 */
export function horizonDof(c: ConditioningParams, minutes: number): number | undefined {
  const hs = c.realised.horizons;
  const m = Math.max(hs[0]!.minutes, minutes);
  let best = hs[0]!;
  for (const h of hs) if (Math.abs(Math.log(h.minutes / m)) < Math.abs(Math.log(best.minutes / m))) best = h;
  return best.dof;
}

/** The variance multiplier at horizon m given the state's ln ratio and changes, at `nowMin` minutes from the open. */
export function conditionedVariance(c: ConditioningParams, terms: readonly UpliftTerm[], d: DayReading, nowMin: number, minutes: number): ConditionedVariance {
  const e0 = c.realised.e0_minutes;
  const shrink = d.changes / (d.changes + e0);
  const shrinkRecent = d.recentChanges / (d.recentChanges + e0);
  const m = Math.max(0, minutes);
  const { alpha, beta, gamma } = horizonWeights(c, m);
  const weight = beta * shrink;
  const recentWeight = gamma * shrinkRecent;
  const uplift = terms.length ? upliftMean(terms, nowMin, nowMin + Math.max(m, 1 / 60)) : 1;
  const factor = Math.exp(alpha + weight * d.logRatio + recentWeight * d.logRecent) * uplift;
  let factorNow = factor;
  if (m !== 1) {
    const one = horizonWeights(c, 1);
    factorNow = Math.exp(one.alpha + one.beta * shrink * d.logRatio + one.gamma * shrinkRecent * d.logRecent) * (terms.length ? upliftMean(terms, nowMin, nowMin + 1) : 1);
  }
  const dof = horizonDof(c, m);
  return { factor, ratio: Math.exp(d.logRatio), changes: d.changes, weight, recentRatio: Math.exp(d.logRecent), recentWeight, alpha, uplift, factorNow, ...(dof !== undefined ? { dof } : {}) };
}

/**
 * A conditioner for one target (epoch ms) on one day over a live state: `at(m)` is the multiplier at the
 * instant target − m, from whatever the state has observed by then (the caller feeds it before asking).
 */
export function dayConditioner(c: ConditioningParams, state: DayVariance, terms: readonly UpliftTerm[], targetMs: number): Conditioner {
  return {
    at(minutes) {
      const nowMin = (targetMs - minutes * MINUTE - state.openMs) / MINUTE;
      return conditionedVariance(c, terms, readDay(state), nowMin, minutes);
    },
  };
}

/**
 * Minutes on the conditioned σ's clock for the quote-timing rules (margin.ts): m·f(m)/f(1 min), so that the
 * rules' √(1/m) — a latency move over the remaining σ — becomes σ_cond(latency)/σ_cond(m). 1 when
 * unconditioned; below m when the next minute is hotter than the horizon on average (a burst just began).
 */
export function regimeMinutes(minutes: number, v: ConditionedVariance | undefined): number {
  if (!v || !(v.factorNow > 0)) return minutes;
  return (minutes * v.factor) / v.factorNow;
}
