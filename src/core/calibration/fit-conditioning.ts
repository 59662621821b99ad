/**
 * The fit of the adaptive σ's conditioning (issue 19; applied by model/conditioning.ts), pure, from the same
 * minute values `fitCalibration` builds per session day (value at open + k minutes, NaN when missing).
 * Nothing here is hand-set: every weight is estimated from the bars.
 *
 * 1. **Profile**: the expected one-minute variance by time of day — the mean squared one-minute change per
 *    `PROFILE_SLOT_MINUTES` slot from the open, over the ordinary (untagged) days when there are any.
 * 2. **Event uplift**, per tag with a time of day on at least `MIN_EVENT_DAYS` days: on each such day the
 *    squared changes after the release, over the profile × the day's own level (measured outside the
 *    `EVENT_WINDOW_MINUTES` after the release), averaged across the days per minute τ since the release,
 *    fitted as 1 + A·exp(−τ/D) (D on a grid, A by least squares, its standard error from the residuals).
 *    Kept when A > 2 se, else the tag has no uplift (too few or too quiet event days: off). A release
 *    before the open counts from the open.
 * 3. **Realised-variance weights**: samples at every `INSTANT_STEP_MINUTES` of every session day (instant
 *    X, n one-minute changes observed since the open) and every horizon m that fits before the close:
 *    L = ln(RV so far / E so far), y = RV of the next m minutes / E of those minutes (E: profile × the day's
 *    fitted uplift — an expected burst is not a hot day), and L_H, the same ratio over the recent past with
 *    each minute weighted 2^(−age/H). Per horizon, the multiplicative mean model
 *    E[y | L] = exp(α + β·w(n)·L + γ·w(n_H)·L_H), w(n) = n/(n + e₀), fitted on the Gamma/log-link
 *    quasi-likelihood (its score equations Σ(y/μ − 1)·x = 0 are those of iteratively reweighted least
 *    squares and of the QLIKE loss, the usual loss for variance forecasts, robust to a single squared change
 *    of 0; solved by Newton's method). e₀ — how many observed minutes make a ratio worth half its long-run
 *    weight — and H (or no recent term) are shared by the horizons and chosen on grids by the total QLIKE
 *    (each horizon's mean loss counted once): e₀ with the day so far alone, then each H at that e₀, then
 *    e₀'s neighbours with the chosen H. The chosen fit's slopes (β, γ) are then shrunk by positive-part
 *    James–Stein at two standard errors (jointly, on their Wald statistic; day-clustered sandwich errors,
 *    since a day's samples share its path) — the longest horizon's toward 0, each shorter one's toward the
 *    next longer horizon's — and α refitted: on a world whose days all have one vol the chance slopes of the
 *    in-sample fit (≈ 1 se on 120 days) are dropped instead of adding noise, while a real day effect seen
 *    at every horizon carries down to the noisy one-minute target.
 * 4. **Shape**: per horizon, the change over the next m minutes standardised by the fitted σ, and the dof of
 *    the unit-variance Student t that fits it best by likelihood on a grid (the normal when it fits as well):
 *    the variance is the regression's, the shape says how peaked and heavy-tailed the change is given it.
 * Fewer than `MIN_CONDITIONING_DAYS` session days: no conditioning (the model stays unconditional).
 */
import type { CalibrationParams } from './params.ts';
import { MAX_ABS_LOG_RATIO, upliftAt, type DayEvent, type UpliftTerm } from '../model/conditioning.ts';
import { glm, shrinkSlopes, unitTDof, type GlmFit } from './qlike-glm.ts';

export const PROFILE_SLOT_MINUTES = 5;
export const MIN_EVENT_DAYS = 3;
export const EVENT_WINDOW_MINUTES = 90;
export const INSTANT_STEP_MINUTES = 5;
export const MIN_CONDITIONING_DAYS = 20;
const MIN_HORIZON_SAMPLES = 50;
const E0_GRID = [2, 5, 10, 20, 40, 80, 160, 320];
/** Half-lives (minutes) of the recent-variance term tried. */
const RECENT_GRID = [5, 10, 20, 40];
const DECAY_GRID = [1, 2, 3, 5, 7, 10, 15, 20, 30, 45, 60];

export interface ConditioningDay {
  date: string;
  /** Session open `HH:MM` ET. */
  openEt: string;
  /** Value at open + k minutes (NaN = missing). */
  vals: Float64Array;
  /** Baseline (untagged) day. */
  ordinary: boolean;
  events: readonly DayEvent[];
}

export type Conditioning = NonNullable<CalibrationParams['conditioning']>;

export interface ConditioningDiagnostics {
  days: number;
  /** QLIKE of the fitted model and of α alone (no conditioning on the day), per horizon: lower is better. */
  qlike: { minutes: number; fitted: number; level_only: number; samples: number }[];
  e0: number;
  /** Half-life of the recent term chosen (null: the day so far alone fitted best). */
  recent_half_life: number | null;
  events: Record<string, { days: number; amplitude: number; se: number; decay_minutes: number; kept: boolean }>;
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;
const hmToMin = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

export function fitConditioning(days: readonly ConditioningDay[], horizons: readonly number[]): { conditioning: Conditioning; diagnostics: ConditioningDiagnostics } | null {
  if (days.length < MIN_CONDITIONING_DAYS) return null;
  const anyOrdinary = days.some((d) => d.ordinary);
  const profile = fitProfile(days.filter((d) => d.ordinary || !anyOrdinary));
  if (!profile) return null;
  const prof = (k: number) => profile[Math.min(profile.length - 1, Math.max(0, Math.floor((k - 1) / PROFILE_SLOT_MINUTES)))]!;

  // 2. event uplift per tag
  const eventDiag: ConditioningDiagnostics['events'] = {};
  const events: Conditioning['events'] = {};
  const byTag = new Map<string, { day: ConditioningDay; at: number }[]>();
  for (const d of days) {
    const open = hmToMin(d.openEt);
    for (const e of d.events) {
      if (e.timeEt === null) continue;
      const tag = e.tag.toUpperCase();
      const list = byTag.get(tag) ?? [];
      if (!list.some((x) => x.day === d)) list.push({ day: d, at: Math.max(0, hmToMin(e.timeEt) - open) });
      byTag.set(tag, list);
    }
  }
  for (const [tag, list] of [...byTag].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (list.length < MIN_EVENT_DAYS) {
      eventDiag[tag] = { days: list.length, amplitude: 0, se: 0, decay_minutes: 0, kept: false };
      continue;
    }
    const fx = fitEventUplift(list, prof);
    const kept = fx !== null && fx.amplitude > 2 * fx.se;
    eventDiag[tag] = { days: list.length, amplitude: round6(fx?.amplitude ?? 0), se: round6(fx?.se ?? 0), decay_minutes: fx?.decay ?? 0, kept };
    if (kept) events[tag] = { amplitude: round6(fx!.amplitude), decay_minutes: fx!.decay, days: list.length, se: round6(fx!.se) };
  }

  // 3. the realised-variance regression: the day so far (L, n) and, per half-life H, the recent past
  // (exponentially weighted: L_H, n_H), against the next m minutes
  // per sample also the signed change over the horizon (dx) and its expectation (ef), for the shape's fit
  type Sample = { n: number[]; l: number[]; y: number[]; dx: number[]; ef: number[]; day: number[]; lr: number[][]; nr: number[][] };
  const samples: Sample[] = horizons.map(() => ({ n: [], l: [], y: [], dx: [], ef: [], day: [], lr: RECENT_GRID.map(() => []), nr: RECENT_GRID.map(() => []) }));
  let dayNo = -1;
  const lambdas = RECENT_GRID.map((h) => Math.pow(0.5, 1 / h));
  for (const d of days) {
    dayNo++;
    const open = hmToMin(d.openEt);
    const terms: UpliftTerm[] = [];
    for (const e of d.events) {
      const fx = e.timeEt !== null ? events[e.tag.toUpperCase()] : undefined;
      if (fx) terms.push({ at: Math.max(0, hmToMin(e.timeEt!) - open), amplitude: fx.amplitude, decay: fx.decay_minutes });
    }
    const v = d.vals;
    const last = v.length - 1;
    // cumulative squared changes, expectations and counts over minutes 1…k; EW ones per half-life
    const cx = new Float64Array(last + 1);
    const ce = new Float64Array(last + 1);
    const cn = new Float64Array(last + 1);
    const wx = lambdas.map(() => new Float64Array(last + 1));
    const we = lambdas.map(() => new Float64Array(last + 1));
    const wn = lambdas.map(() => new Float64Array(last + 1));
    for (let k = 1; k <= last; k++) {
      const x = v[k]! - v[k - 1]!;
      const ok = !Number.isNaN(x);
      const xx = ok ? x * x : 0;
      const ee = ok ? prof(k) * upliftAt(terms, k - 0.5) : 0;
      cx[k] = cx[k - 1]! + xx;
      ce[k] = ce[k - 1]! + ee;
      cn[k] = cn[k - 1]! + (ok ? 1 : 0);
      lambdas.forEach((lam, r) => {
        wx[r]![k] = lam * wx[r]![k - 1]! + xx;
        we[r]![k] = lam * we[r]![k - 1]! + ee;
        wn[r]![k] = lam * wn[r]![k - 1]! + (ok ? 1 : 0);
      });
    }
    for (let j = INSTANT_STEP_MINUTES; j < last; j += INSTANT_STEP_MINUTES) {
      const n = cn[j]!;
      if (n === 0 || Number.isNaN(v[j]!)) continue;
      const l = cx[j]! > 0 && ce[j]! > 0 ? clampLog(Math.log(cx[j]! / ce[j]!)) : 0;
      horizons.forEach((m, hi) => {
        if (j + m > last) return;
        const nf = cn[j + m]! - cn[j]!;
        const ef = ce[j + m]! - ce[j]!;
        if (nf < Math.max(1, 0.8 * m) || !(ef > 0)) return;
        const s = samples[hi]!;
        s.n.push(n);
        s.day.push(dayNo);
        s.l.push(l);
        s.y.push((cx[j + m]! - cx[j]!) / ef);
        s.dx.push(v[j + m]! - v[j]!);
        s.ef.push(ef);
        lambdas.forEach((_, r) => {
          s.lr[r]!.push(wx[r]![j]! > 0 && we[r]![j]! > 0 ? clampLog(Math.log(wx[r]![j]! / we[r]![j]!)) : 0);
          s.nr[r]!.push(wn[r]![j]!);
        });
      });
    }
  }
  const used = horizons.map((m, i) => ({ m, s: samples[i]! })).filter((h) => h.s.y.length >= MIN_HORIZON_SAMPLES);
  if (used.length === 0) return null;
  // e₀ and the recent half-life (or none) on their grids, by the total of each horizon's mean QLIKE:
  // e₀ first with the day so far alone, then each half-life at that e₀, then e₀'s grid neighbours again
  const fitAll = (e0: number, r: number) =>
    used.map((h) => {
      const zs = [shrunk(h.s.l, h.s.n, e0)];
      if (r >= 0) zs.push(shrunk(h.s.lr[r]!, h.s.nr[r]!, e0));
      return glm(h.s.y, zs);
    });
  type Best = { e0: number; r: number; loss: number; fits: GlmFit[]; recent?: number | null };
  let best: Best | null = null;
  const tried = new Set<string>();
  const consider = (e0: number, r: number) => {
    if (tried.has(`${e0}|${r}`)) return;
    tried.add(`${e0}|${r}`);
    const fits = fitAll(e0, r);
    const loss = fits.reduce((a, f) => a + f.qlike, 0);
    if (!best || loss < best.loss - 1e-9) best = { e0, r, loss, fits };
  };
  for (const e0 of E0_GRID) consider(e0, -1);
  const e0Day = (best as Best | null)!.e0;
  for (let r = 0; r < RECENT_GRID.length; r++) consider(e0Day, r);
  const i0 = E0_GRID.indexOf(e0Day);
  for (const e0 of [E0_GRID[i0 - 1], E0_GRID[i0 + 1]]) if (e0 !== undefined) consider(e0, (best as Best | null)!.r);
  const chosen = best as Best | null;
  // the chosen fits' slopes shrunk at two day-clustered standard errors: the longest horizon's toward 0, each
  // shorter one's toward the next longer horizon's (the day's information is shared by the horizons; the
  // shortest ones have the noisiest targets)
  if (chosen) {
    const shrunkFits: GlmFit[] = new Array(used.length);
    let target: number[] = new Array(chosen.r >= 0 ? 2 : 1).fill(0);
    for (let i = used.length - 1; i >= 0; i--) {
      const h = used[i]!;
      const zs = [shrunk(h.s.l, h.s.n, chosen.e0)];
      if (chosen.r >= 0) zs.push(shrunk(h.s.lr[chosen.r]!, h.s.nr[chosen.r]!, chosen.e0));
      const f = shrinkSlopes(h.s.y, zs, h.s.day, chosen.fits[i]!, target);
      shrunkFits[i] = f;
      target = f.coef.slice(1);
    }
    best = { ...chosen, recent: chosen.r >= 0 ? RECENT_GRID[chosen.r]! : null, fits: shrunkFits };
  }
  const b = best as (Best & { recent: number | null }) | null;
  if (!b) return null;
  // 4. the shape given the conditioned σ, per horizon: the change over the next m minutes over its fitted
  // standard deviation √(μ·E), z = Δ/√(μ·E), and the unit-variance Student t's dof that fits z best by
  // likelihood (null: the normal fits at least as well). The variance is the regression's; only the shape
  // is fitted here. Near the target the variance to come is the least certain (the clustering's state
  // now, a jump) and the standardised change the most peaked and heavy-tailed; over longer horizons it
  // averages out toward the normal.
  const dofs = used.map((h, i) => {
    const c = b.fits[i]!.coef;
    const zl = shrunk(h.s.l, h.s.n, b.e0);
    const zr = b.r >= 0 ? shrunk(h.s.lr[b.r]!, h.s.nr[b.r]!, b.e0) : null;
    const z: number[] = [];
    for (let k = 0; k < h.s.dx.length; k++) {
      const sd = Math.sqrt(Math.exp(c[0]! + c[1]! * zl[k]! + (zr ? c[2]! * zr[k]! : 0)) * h.s.ef[k]!);
      if (sd > 0 && Number.isFinite(h.s.dx[k]!)) z.push(h.s.dx[k]! / sd);
    }
    return unitTDof(z);
  });
  const conditioning: Conditioning = {
    profile: { slot_minutes: PROFILE_SLOT_MINUTES, variance: profile.map(round6) },
    realised: {
      e0_minutes: b.e0,
      ...(b.recent !== null ? { recent_half_life_minutes: b.recent } : {}),
      days: days.length,
      samples: used.reduce((a, h) => a + h.s.y.length, 0),
      horizons: used.map((h, i) => {
        const c = b.fits[i]!.coef;
        return { minutes: h.m, alpha: round6(c[0]!) + 0, beta: round6(c[1]!) + 0, ...(c.length > 2 ? { gamma: round6(c[2]!) + 0 } : {}), ...(dofs[i] !== null ? { dof: dofs[i]! } : {}), samples: h.s.y.length };
      }),
    },
    events,
  };
  return {
    conditioning,
    diagnostics: {
      days: days.length,
      e0: b.e0,
      recent_half_life: b.recent,
      qlike: used.map((h, i) => ({ minutes: h.m, fitted: round6(b.fits[i]!.qlike), level_only: round6(glm(h.s.y, []).qlike), samples: h.s.y.length })),
      events: eventDiag,
    },
  };
}

/** w(n)·L = L·n/(n + e₀) per sample. */
function shrunk(l: readonly number[], n: readonly number[], e0: number): Float64Array {
  const out = new Float64Array(l.length);
  for (let i = 0; i < l.length; i++) out[i] = (l[i]! * n[i]!) / (n[i]! + e0);
  return out;
}

const clampLog = (l: number) => (l > MAX_ABS_LOG_RATIO ? MAX_ABS_LOG_RATIO : l < -MAX_ABS_LOG_RATIO ? -MAX_ABS_LOG_RATIO : l);

/** Mean squared one-minute change per slot from the open; empty slots take the nearest filled one. */
function fitProfile(days: readonly ConditioningDay[]): number[] | null {
  let slots = 0;
  for (const d of days) slots = Math.max(slots, Math.ceil((d.vals.length - 1) / PROFILE_SLOT_MINUTES));
  if (slots === 0) return null;
  const sum = new Float64Array(slots);
  const cnt = new Float64Array(slots);
  for (const d of days) {
    for (let k = 1; k < d.vals.length; k++) {
      const x = d.vals[k]! - d.vals[k - 1]!;
      if (Number.isNaN(x)) continue;
      const s = Math.floor((k - 1) / PROFILE_SLOT_MINUTES);
      sum[s]! += x * x;
      cnt[s]!++;
    }
  }
  const out: number[] = new Array(slots).fill(NaN);
  for (let s = 0; s < slots; s++) if (cnt[s]! > 0) out[s] = sum[s]! / cnt[s]!;
  if (out.every((x) => Number.isNaN(x) || x === 0)) return null;
  for (let s = 0; s < slots; s++) {
    if (!Number.isNaN(out[s]!)) continue;
    for (let r = 1; r < slots; r++) {
      const a = out[s - r];
      const b = out[s + r];
      if (a !== undefined && !Number.isNaN(a)) {
        out[s] = a;
        break;
      }
      if (b !== undefined && !Number.isNaN(b)) {
        out[s] = b;
        break;
      }
    }
  }
  return out;
}

/** 1 + A·exp(−τ/D) fitted to the days' level-adjusted squared changes after the release. */
function fitEventUplift(list: readonly { day: ConditioningDay; at: number }[], prof: (k: number) => number): { amplitude: number; se: number; decay: number } | null {
  const W = EVENT_WINDOW_MINUTES;
  const ySum = new Float64Array(W);
  const yCnt = new Float64Array(W);
  for (const { day, at } of list) {
    const v = day.vals;
    let xs = 0;
    let es = 0;
    for (let k = 1; k < v.length; k++) {
      const tau = k - 0.5 - at;
      if (tau >= 0 && tau < W) continue;
      const x = v[k]! - v[k - 1]!;
      if (Number.isNaN(x)) continue;
      xs += x * x;
      es += prof(k);
    }
    if (!(xs > 0) || !(es > 0)) continue;
    const level = xs / es;
    for (let k = Math.ceil(at + 0.5); k < v.length; k++) {
      const tau = Math.floor(k - 0.5 - at);
      if (tau < 0 || tau >= W) continue;
      const x = v[k]! - v[k - 1]!;
      if (Number.isNaN(x)) continue;
      ySum[tau]! += (x * x) / (prof(k) * level);
      yCnt[tau]!++;
    }
  }
  let best: { amplitude: number; se: number; decay: number; sse: number } | null = null;
  for (const D of DECAY_GRID) {
    let gg = 0;
    let gy = 0;
    let n = 0;
    for (let t = 0; t < W; t++) {
      if (yCnt[t] === 0) continue;
      const g = Math.exp(-(t + 0.5) / D);
      const y = ySum[t]! / yCnt[t]! - 1;
      gg += yCnt[t]! * g * g;
      gy += yCnt[t]! * g * y;
      n += yCnt[t]!;
    }
    if (!(gg > 0)) continue;
    const a = Math.max(0, gy / gg);
    let sse = 0;
    for (let t = 0; t < W; t++) {
      if (yCnt[t] === 0) continue;
      // per observation: the minute's squared change about the fitted mean (its own noise, not the mean's)
      const r = ySum[t]! / yCnt[t]! - 1 - a * Math.exp(-(t + 0.5) / D);
      sse += yCnt[t]! * r * r;
    }
    if (!best || sse < best.sse) best = { amplitude: a, se: Math.sqrt(sse / Math.max(1, n - 2) / gg), decay: D, sse };
  }
  return best ? { amplitude: best.amplitude, se: best.se, decay: best.decay } : null;
}

