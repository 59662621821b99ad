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
 *    fitted uplift — an expected burst is not a hot day). Per horizon, the multiplicative mean model
 *    E[y | L] = exp(α + β·w(n)·L), w(n) = n/(n + e₀), fitted by iteratively reweighted least squares (the
 *    Gamma/log-link quasi-likelihood: its score equations Σ(y/μ − 1)·(1, wL) = 0 are the QLIKE loss's, the
 *    usual loss for variance forecasts, robust to a single squared change of 0). e₀ — how many observed
 *    minutes make the day's ratio worth half its long-run weight — is shared by the horizons and chosen on
 *    a grid by the total QLIKE (each horizon's mean loss counted once).
 * Fewer than `MIN_CONDITIONING_DAYS` session days: no conditioning (the model stays unconditional).
 */
import type { CalibrationParams } from './params.ts';
import { upliftAt, type DayEvent, type UpliftTerm } from '../model/conditioning.ts';

export const PROFILE_SLOT_MINUTES = 5;
export const MIN_EVENT_DAYS = 3;
export const EVENT_WINDOW_MINUTES = 90;
export const INSTANT_STEP_MINUTES = 5;
export const MIN_CONDITIONING_DAYS = 20;
const MIN_HORIZON_SAMPLES = 50;
const E0_GRID = [1, 2, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 360];
const DECAY_GRID = [1, 2, 3, 5, 7, 10, 15, 20, 30, 45, 60];
const MAX_ABS_LOG_RATIO = 3;

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

  // 3. the realised-variance regression
  const samples = horizons.map(() => ({ n: [] as number[], l: [] as number[], y: [] as number[] }));
  for (const d of days) {
    const open = hmToMin(d.openEt);
    const terms: UpliftTerm[] = [];
    for (const e of d.events) {
      const fx = e.timeEt !== null ? events[e.tag.toUpperCase()] : undefined;
      if (fx) terms.push({ at: Math.max(0, hmToMin(e.timeEt!) - open), amplitude: fx.amplitude, decay: fx.decay_minutes });
    }
    const v = d.vals;
    const last = v.length - 1;
    // cumulative squared changes, expectations and counts over minutes 1…k
    const cx = new Float64Array(last + 1);
    const ce = new Float64Array(last + 1);
    const cn = new Float64Array(last + 1);
    for (let k = 1; k <= last; k++) {
      const x = v[k]! - v[k - 1]!;
      const ok = !Number.isNaN(x);
      cx[k] = cx[k - 1]! + (ok ? x * x : 0);
      ce[k] = ce[k - 1]! + (ok ? prof(k) * upliftAt(terms, k - 0.5) : 0);
      cn[k] = cn[k - 1]! + (ok ? 1 : 0);
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
        s.l.push(l);
        s.y.push((cx[j + m]! - cx[j]!) / ef);
      });
    }
  }
  const used = horizons.map((m, i) => ({ m, s: samples[i]! })).filter((h) => h.s.y.length >= MIN_HORIZON_SAMPLES);
  if (used.length === 0) return null;
  let best: { e0: number; loss: number; fits: GlmFit[] } | null = null;
  for (const e0 of E0_GRID) {
    const fits = used.map((h) => glm(h.s.y, h.s.l.map((l, i) => (l * h.s.n[i]!) / (h.s.n[i]! + e0))));
    const loss = fits.reduce((a, f) => a + f.qlike, 0);
    if (!best || loss < best.loss) best = { e0, loss, fits };
  }
  const conditioning: Conditioning = {
    profile: { slot_minutes: PROFILE_SLOT_MINUTES, variance: profile.map(round6) },
    realised: {
      e0_minutes: best!.e0,
      days: days.length,
      samples: used.reduce((a, h) => a + h.s.y.length, 0),
      horizons: used.map((h, i) => ({ minutes: h.m, alpha: round6(best!.fits[i]!.alpha) + 0, beta: round6(best!.fits[i]!.beta) + 0, samples: h.s.y.length })),
    },
    events,
  };
  return {
    conditioning,
    diagnostics: {
      days: days.length,
      e0: best!.e0,
      qlike: used.map((h, i) => ({ minutes: h.m, fitted: round6(best!.fits[i]!.qlike), level_only: round6(glm(h.s.y, h.s.y.map(() => 0)).qlike), samples: h.s.y.length })),
      events: eventDiag,
    },
  };
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

interface GlmFit {
  alpha: number;
  beta: number;
  /** Mean QLIKE y/μ + ln μ (lower is better; the ln y term is the same for every model and left out). */
  qlike: number;
}

/** E[y | z] = exp(α + βz) by IRLS with the Gamma/log-link weights (all 1). */
export function glm(y: readonly number[], z: readonly number[]): GlmFit {
  const n = y.length;
  let my = 0;
  for (const v of y) my += v;
  my /= n;
  let alpha = Math.log(Math.max(my, 1e-12));
  let beta = 0;
  let zz = 0;
  let zm = 0;
  for (const v of z) zm += v;
  zm /= n;
  for (const v of z) zz += (v - zm) * (v - zm);
  if (zz > 1e-12) {
    for (let it = 0; it < 50; it++) {
      // working response u = η + (y − μ)/μ, regressed on (1, z)
      let um = 0;
      let uz = 0;
      for (let i = 0; i < n; i++) {
        const eta = alpha + beta * z[i]!;
        const mu = Math.exp(eta);
        const u = eta + (y[i]! - mu) / mu;
        um += u;
        uz += u * (z[i]! - zm);
      }
      um /= n;
      const nb = uz / zz;
      const na = um - nb * zm;
      const done = Math.abs(nb - beta) < 1e-9 && Math.abs(na - alpha) < 1e-9;
      alpha = na;
      beta = nb;
      if (done || !Number.isFinite(alpha) || !Number.isFinite(beta)) break;
    }
    if (!Number.isFinite(alpha) || !Number.isFinite(beta)) {
      alpha = Math.log(Math.max(my, 1e-12));
      beta = 0;
    }
  }
  let q = 0;
  for (let i = 0; i < n; i++) {
    const eta = alpha + beta * z[i]!;
    q += y[i]! / Math.exp(eta) + eta;
  }
  return { alpha, beta, qlike: q / n };
}
