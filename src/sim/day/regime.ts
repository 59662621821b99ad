/**
 * The regime world (issue 19): a seeded index day whose volatility is as uneven as a real index's, and whose
 * law the oracle still knows exactly. The day's variance path is drawn FIRST, from its own seeded streams,
 * independently of the price innovations; conditional on it, the log price is a Gaussian walk plus
 * compound-Poisson jumps, so the law between any two samples is a Poisson mixture of normals
 * (index-path.ts `LogLaw`, integrated by sim/market/oracle.ts).
 *
 * Per symbol s (SPX, NDX), ET date d, per-second step i of the session (t_i = open + i·Δ, n steps):
 *   base step variance   b² = σ̄_s² · Δ / (252 · 6.5 h)                       (σ̄: 16% SPX, 20% NDX)
 *   day level            D_d = exp(x_d − σ_h²),  x_d = φ·x_{d−1} + √(1−φ²)·σ_h·ε_d   (weekdays; E[D²] = 1)
 *   intraday clustering  c_i = exp(2y_i − 2σ_y²), y log-OU with half-life H, stationary sd σ_y (E[c] = 1)
 *   events               e_i = 1 + Σ_events A·exp(−(t_i − t_e)/τ)  for t_i ≥ t_e (t_e = the open for a
 *                        release before it), plus a one-step Gaussian gap of G base minutes at t_e
 *   multiplier           m_i = U(i/n)² · c_i · e_i                              (U: the classic U-shape)
 *   diffusion variance   σ_i² = (1 − w_J) · b² · D_d² · m_i  (+ the gap variance at an event's step)
 *   jump intensity       λ_i = (J / Σ_day U²) · m_i       (J jumps a day at unit multiplier)
 *   jump size            ln-jump ~ N(0, s_J²),  s_J² = w_J · b² · D_d² · Σ_day U² / J   (constant in the day)
 * so that E[λ_i s_J²] = w_J · b² D_d² m_i: the jumps carry a share w_J of the expected variance.
 * The SPX and NDX draws are correlated: ε (day level) with correlation ρ_d, the OU innovations with ρ_i;
 * both indices share the day's event schedule. Price innovations and jumps are independent per index.
 *
 * The day level is an AR(1) over weekdays, reproducible for any date alone: x_d is the weighted sum of the
 * day innovations of the K weekdays up to d (each seeded by (seed, date)), K where φ^K < 1e-6 — the exact
 * stationary chain to 1e-12 of its variance, with no epoch and no calendar range. Holidays are weekdays of
 * the chain too (the regime moves on days the exchange is shut).
 */
import type { IndexSymbol } from '../../core/series.ts';
import { minutesOfDay, type EventSchedule, type ScheduledEvent } from '../../core/event-schedule.ts';
import { etToMs } from '../../core/time/et.ts';
import {
  DEFAULT_VOL,
  TRADING_SECONDS_PER_YEAR,
  gaussian,
  hashSeed,
  openLevel,
  pathFromSteps,
  sampleCount,
  seededRandom,
  uShape,
  type IndexPath,
} from './index-path.ts';

/** How one scheduled release moves the variance path. */
export interface EventEffect {
  /** Peak of the variance burst, as a multiple of the variance without it (e_i = 1 + burst at the event). */
  burst: number;
  /** e-folding time of the burst, minutes. */
  decayMin: number;
  /** A one-step Gaussian gap at the event, in base minutes of variance (b² D² × 60 s × this). */
  gapMin: number;
}

export interface RegimeKnobs {
  /** Annualised base volatility per index (the long-run level; the classic world's constant). */
  annualVol: Record<IndexSymbol, number>;
  /** Day-to-day AR(1) coefficient of the log vol level. */
  dayVolPhi: number;
  /** Stationary standard deviation of the log vol level. */
  dayVolSd: number;
  /** Correlation of the SPX and NDX day-level innovations. */
  dayVolCorr: number;

  /** Half-life of the intraday log-vol (OU), minutes. */
  intradayHalfLifeMin: number;
  /** Stationary standard deviation of the intraday log-vol. */
  intradaySd: number;
  /** Correlation of the SPX and NDX intraday innovations. */
  intradayCorr: number;
  /** How often the intraday factor moves, ms (held in between; the law knows each step exactly). */
  intradayStepMs: number;
  /** Share of the expected variance carried by jumps. */
  jumpShare: number;
  /** Expected jumps per regular day at unit multiplier (more in busy hours, after events, on high days). */
  jumpsPerDay: number;
  /** Effects by event tag; `default` for any other tag. */
  events: Record<string, EventEffect> & { default: EventEffect };
}

export type RegimeOverrides = Partial<Omit<RegimeKnobs, 'annualVol' | 'events'>> & {
  annualVol?: Partial<Record<IndexSymbol, number>>;
  events?: Record<string, Partial<EventEffect>>;
};

const effect = (burst: number, decayMin: number, gapMin: number): EventEffect => Object.freeze({ burst, decayMin, gapMin });

/** The defaults (README "Simulator market" lists them). */
export const DEFAULT_REGIME: Readonly<RegimeKnobs> = Object.freeze({
  annualVol: Object.freeze({ ...DEFAULT_VOL }),
  dayVolPhi: 0.85,
  dayVolSd: 0.75,
  dayVolCorr: 0.85,
  intradayHalfLifeMin: 30,
  intradaySd: 0.25,
  intradayCorr: 0.7,
  intradayStepMs: 10_000,
  jumpShare: 0.06,
  jumpsPerDay: 2,
  events: Object.freeze({
    FOMC: effect(28, 20, 25),
    CPI: effect(3, 20, 15),
    NFP: effect(3, 20, 15),
    ISM: effect(1.5, 10, 3),
    default: effect(2, 15, 5),
  }),
}) as Readonly<RegimeKnobs>;

export class RegimeConfigError extends RangeError {
  override name = 'RegimeConfigError';
}

/** Merges overrides into the defaults and validates every knob (a bad one names itself). */
export function resolveRegime(o: RegimeOverrides = {}): RegimeKnobs {
  const events: RegimeKnobs['events'] = { ...DEFAULT_REGIME.events };
  for (const [tag, e] of Object.entries(o.events ?? {})) {
    const key = tag === 'default' ? tag : tag.toUpperCase();
    events[key] = { ...(events[key] ?? DEFAULT_REGIME.events.default), ...e };
  }
  const k: RegimeKnobs = { ...DEFAULT_REGIME, ...o, annualVol: { ...DEFAULT_REGIME.annualVol, ...o.annualVol }, events };
  const check = (ok: boolean, key: string, v: unknown) => {
    if (!ok) throw new RegimeConfigError(`sim world: ${key}: invalid value ${String(v)}`);
  };
  const fin = (v: number) => typeof v === 'number' && Number.isFinite(v);
  for (const [s, v] of Object.entries(k.annualVol)) check(fin(v) && v > 0, `annualVol.${s}`, v);
  check(fin(k.dayVolPhi) && k.dayVolPhi >= 0 && k.dayVolPhi < 1, 'dayVolPhi', k.dayVolPhi);
  for (const key of ['dayVolSd', 'intradaySd', 'jumpsPerDay'] as const) check(fin(k[key]) && k[key] >= 0, key, k[key]);
  for (const key of ['dayVolCorr', 'intradayCorr'] as const) check(fin(k[key]) && k[key] >= -1 && k[key] <= 1, key, k[key]);
  check(fin(k.intradayHalfLifeMin) && k.intradayHalfLifeMin > 0, 'intradayHalfLifeMin', k.intradayHalfLifeMin);
  check(fin(k.intradayStepMs) && k.intradayStepMs > 0, 'intradayStepMs', k.intradayStepMs);
  check(fin(k.jumpShare) && k.jumpShare >= 0 && k.jumpShare < 1, 'jumpShare', k.jumpShare);
  for (const [tag, e] of Object.entries(k.events)) {
    check(fin(e.burst) && e.burst >= 0, `events.${tag}.burst`, e.burst);
    check(fin(e.decayMin) && e.decayMin > 0, `events.${tag}.decayMin`, e.decayMin);
    check(fin(e.gapMin) && e.gapMin >= 0, `events.${tag}.gapMin`, e.gapMin);
  }
  return k;
}

// ---- the day level ----

const DAY_MS = 86_400_000;
const dayNumber = (dateEt: string): number => Date.UTC(Number(dateEt.slice(0, 4)), Number(dateEt.slice(5, 7)) - 1, Number(dateEt.slice(8, 10))) / DAY_MS;
const dateOfDayNumber = (n: number): string => new Date(n * DAY_MS).toISOString().slice(0, 10);
/** ISO weekday (1 = Monday … 7 = Sunday) of a day number (day 0 = 1970-01-01, a Thursday). */
const isoWeekday = (n: number): number => ((((n + 3) % 7) + 7) % 7) + 1;

/** The correlated pair of standard normals of one seeded draw. */
function correlatedPair(g: () => number, rho: number): [number, number] {
  const z1 = g();
  const z2 = g();
  return [z1, rho * z1 + Math.sqrt(Math.max(0, 1 - rho * rho)) * z2];
}

const dayLevelMemo = new Map<string, { spx: number; ndx: number }>();

/**
 * x_d of both indices: the stationary AR(1) over weekdays, from the K day innovations up to `dateEt` (a
 * weekend date reads the Friday before it).
 */
export function dayLogVol(seed: number, dateEt: string, k: Pick<RegimeKnobs, 'dayVolPhi' | 'dayVolSd' | 'dayVolCorr'>): { spx: number; ndx: number } {
  const key = `${seed}|${dateEt}|${k.dayVolPhi}|${k.dayVolSd}|${k.dayVolCorr}`;
  const hit = dayLevelMemo.get(key);
  if (hit) return hit;
  const phi = k.dayVolPhi;
  const a = Math.sqrt(1 - phi * phi) * k.dayVolSd;
  const terms = phi > 0 ? Math.min(400, Math.ceil(Math.log(1e-6) / Math.log(phi))) : 0;
  let n = dayNumber(dateEt);
  while (isoWeekday(n) > 5) n--;
  let spx = 0;
  let ndx = 0;
  let w = 1;
  for (let j = 0; j <= terms; j++) {
    const [e1, e2] = correlatedPair(gaussian(seededRandom(hashSeed(seed, 'world-day', dateOfDayNumber(n)))), k.dayVolCorr);
    spx += w * a * e1;
    ndx += w * a * e2;
    w *= phi;
    do n--;
    while (isoWeekday(n) > 5);
  }
  const out = { spx, ndx };
  if (dayLevelMemo.size >= 4096) dayLevelMemo.clear();
  dayLevelMemo.set(key, out);
  return out;
}

/** The day's base annualised vol of an index: σ̄ · exp(x_d − σ_h²). */
export function dayVolOf(symbol: IndexSymbol, seed: number, dateEt: string, k: RegimeKnobs): number {
  const x = dayLogVol(seed, dateEt, k)[symbol === 'I:SPX' ? 'spx' : 'ndx'];
  return k.annualVol[symbol] * Math.exp(x - k.dayVolSd * k.dayVolSd);
}

// ---- the day's path ----

export interface RegimeDayOptions {
  symbol: IndexSymbol;
  seed: number;
  dateEt: string;
  /** ET close `HH:MM` (the session runs 09:30 → close). */
  closeEt: string;
  events: EventSchedule;
  knobs: RegimeKnobs;
  stepMs?: number;
  /**
   * Seed of the price innovations and jumps only (default `seed`): another value redraws the prices over the
   * very same variance path (tests: the oracle's law against the generator's own draws).
   */
  priceSeed?: number;
}

/** Σ_{i<n−1} U(i/(n−1))² over a session's steps (the normaliser of the jump intensity). */
function sumU2(steps: number): number {
  let s = 0;
  for (let i = 0; i < steps; i++) {
    const u = uShape(i / Math.max(1, steps));
    s += u * u;
  }
  return s;
}

/** The step an event starts at (0 for a release before the open or without a time), or undefined after the close. */
function eventStep(e: ScheduledEvent, dateEt: string, openMs: number, endMs: number, stepMs: number): number | undefined {
  if (e.timeEt === null || minutesOfDay(e.timeEt) <= 9 * 60 + 30) return 0;
  const t = etToMs(dateEt, e.timeEt);
  if (t >= endMs) return undefined;
  return Math.floor((t - openMs) / stepMs);
}

export function generateRegimePath(o: RegimeDayOptions): IndexPath {
  const k = o.knobs;
  const stepMs = o.stepMs ?? 1000;
  const startMs = etToMs(o.dateEt, '09:30');
  const endMs = etToMs(o.dateEt, o.closeEt);
  const n = sampleCount(startMs, endMs, stepMs);
  const steps = n - 1;
  const isSpx = o.symbol === 'I:SPX';

  // 1. The variance path, from its own streams (nothing below reads a price draw).
  const dayVol = dayVolOf(o.symbol, o.seed, o.dateEt, k);
  const base2 = dayVol * dayVol * (stepMs / 1000 / TRADING_SECONDS_PER_YEAR);
  const mult = new Float64Array(n);
  // Intraday clustering: y held for `block` steps, an exact AR(1) sampling of the OU between blocks.
  const block = Math.max(1, Math.round(k.intradayStepMs / stepMs));
  const ar = Math.pow(0.5, (block * stepMs) / 60_000 / k.intradayHalfLifeMin);
  const innov = Math.sqrt(1 - ar * ar) * k.intradaySd;
  const shared = gaussian(seededRandom(hashSeed(o.seed, 'world-intraday', o.dateEt)));
  const own = isSpx ? undefined : gaussian(seededRandom(hashSeed(o.seed, 'world-intraday', o.symbol, o.dateEt)));
  const rho = k.intradayCorr;
  const rhoC = Math.sqrt(Math.max(0, 1 - rho * rho));
  const draw = () => (own ? rho * shared() + rhoC * own() : shared());
  const centre = 2 * k.intradaySd * k.intradaySd;
  let y = k.intradaySd * draw();
  let c = Math.exp(2 * y - centre);
  for (let i = 0; i < steps; i++) {
    if (i > 0 && i % block === 0) {
      y = ar * y + innov * draw();
      c = Math.exp(2 * y - centre);
    }
    const u = uShape(i / Math.max(1, steps));
    mult[i] = u * u * c;
  }
  // Events: bursts on top (multiplying the U-shape and clustering), gaps at their steps.
  const gaps: { step: number; minutes: number }[] = [];
  const events = o.events.on(o.dateEt);
  if (events.length) {
    const burst = new Float64Array(steps);
    for (const e of events) {
      const at = eventStep(e, o.dateEt, startMs, endMs, stepMs);
      if (at === undefined || at >= steps) continue;
      const fx = k.events[e.tag] ?? k.events.default;
      if (fx.gapMin > 0) gaps.push({ step: at, minutes: fx.gapMin });
      if (fx.burst <= 0) continue;
      const r = Math.exp(-stepMs / 60_000 / fx.decayMin);
      let b = fx.burst;
      for (let i = at; i < steps && b > 1e-9; i++, b *= r) burst[i] = burst[i]! + b;
    }
    for (let i = 0; i < steps; i++) mult[i] = mult[i]! * (1 + burst[i]!);
  }
  const u2 = sumU2(steps);
  const jumps = k.jumpShare > 0 && k.jumpsPerDay > 0;
  const diffusion = (jumps ? 1 - k.jumpShare : 1) * base2;
  const lamUnit = jumps ? k.jumpsPerDay / u2 : 0;
  const jumpVar = jumps ? (k.jumpShare * base2 * u2) / k.jumpsPerDay : 0;
  const sigmas = new Float64Array(n);
  const lambdas = jumps ? new Float64Array(n) : undefined;
  for (let i = 0; i < steps; i++) {
    sigmas[i] = Math.sqrt(diffusion * mult[i]!);
    if (lambdas) lambdas[i] = lamUnit * mult[i]!;
  }
  const minuteVar = base2 * (60_000 / stepMs);
  for (const g of gaps) sigmas[g.step] = Math.sqrt(sigmas[g.step]! ** 2 + g.minutes * minuteVar);

  // 2. The prices: Gaussian innovations and jumps, from streams of their own.
  const priceSeed = o.priceSeed ?? o.seed;
  const rand = seededRandom(hashSeed(priceSeed, 'world-price', o.symbol, startMs));
  const normal = gaussian(rand);
  const jumpRand = seededRandom(hashSeed(priceSeed, 'world-jump', o.symbol, startMs));
  const jumpNormal = gaussian(jumpRand);
  const sJ = Math.sqrt(jumpVar);
  const exp1 = () => {
    let u = 0;
    while (u === 0) u = jumpRand();
    return -Math.log(u);
  };
  // Poisson arrivals on the cumulative-intensity clock: a step holds the arrivals in [Λ_i, Λ_{i+1}).
  let clock = 0;
  let nextArrival = lambdas ? exp1() : Infinity;
  const values = new Float64Array(n);
  let level = openLevel(o.symbol, rand);
  for (let i = 0; i < n; i++) {
    values[i] = Math.round(level * 100) / 100;
    if (i === steps) break;
    let x = sigmas[i]! * normal();
    if (lambdas) {
      clock += lambdas[i]!;
      while (nextArrival < clock) {
        x += sJ * jumpNormal();
        nextArrival += exp1();
      }
    }
    level *= Math.exp(x);
  }
  return pathFromSteps({ symbol: o.symbol, startMs, stepMs, values, sigmas, lambdas, jumpVar, info: { world: 'regime', dayVol } });
}
