/**
 * Seeded intraday index paths for the simulators (SPEC §9), sampled per second, and the law they are drawn
 * from. Two worlds build them (sim/day/world.ts is the one entry point that picks):
 * - `classic` (`generateIndexPath` here): a Gaussian random walk in log space with the U-shaped intraday
 *   volatility of U.S. equity indices (busier open and close), the same annual vol every day;
 * - `regime` (sim/day/regime.ts): day-level vol regimes, intraday clustering, event bursts and jumps.
 * Same seed, symbol and date → the same path, on any machine.
 *
 * Every path carries its own law (`lawBetween`), the oracle's (sim/market/oracle.ts): from sample a to
 * sample b, ln L_b − ln L_a = a Gaussian of variance V (Σ of the per-step diffusion variances) plus a sum of
 * N ~ Poisson(Λ) independent N(0, s_J²) jumps (Λ = Σ of the per-step jump intensities, s_J² constant within
 * the day). The classic world has no jumps (Λ = 0).
 */
import type { IndexSymbol } from '../../core/series.ts';

export interface IndexPathOptions {
  symbol: IndexSymbol;
  /** Epoch ms of the first sample (e.g. the 09:30 ET open). */
  startMs: number;
  /** Epoch ms of the last sample (inclusive). */
  endMs: number;
  seed: number;
  /** Opening level; defaults to a late-2026-like level per symbol. */
  open?: number;
  /** Annualised volatility; default 16% (SPX) / 20% (NDX). */
  annualVol?: number;
  stepMs?: number;
}

/** The law of ln L_b − ln L_a: N(0, variance) plus Poisson(jumpIntensity) jumps, each N(0, jumpVar). */
export interface LogLaw {
  variance: number;
  jumpIntensity: number;
  jumpVar: number;
}

export const NO_LAW: Readonly<LogLaw> = Object.freeze({ variance: 0, jumpIntensity: 0, jumpVar: 0 });

/** Total variance of a law (diffusion + expected jump variance). */
export const totalVariance = (l: LogLaw): number => l.variance + l.jumpIntensity * l.jumpVar;

export interface IndexPath {
  symbol: IndexSymbol;
  startMs: number;
  stepMs: number;
  values: Float64Array;
  /** Value at an instant: the last sample at or before it (clamped to the path's ends). */
  valueAt(ms: number): number;
  /** Sample index of an instant (the one `valueAt` reads), clamped to the path's ends. */
  indexAt(ms: number): number;
  /**
   * The generating process's own law (the oracle's) of ln(value at `toMs`) − ln(value at `fromMs`) given the
   * value at `fromMs`: the steps between the two samples. `NO_LAW` when `toMs` is not after `fromMs`.
   */
  lawBetween(fromMs: number, toMs: number): LogLaw;
  /** Total log variance between two instants: `totalVariance(lawBetween(…))`. */
  logVarianceBetween(fromMs: number, toMs: number): number;
  /** Per-step diffusion log σ of the step leaving sample `i` (0 past the last sample). */
  stepSigma(i: number): number;
  /** Jump intensity (expected jumps) of the step leaving sample `i` (0 past the last sample). */
  stepJumpIntensity(i: number): number;
  /** Variance of one log jump (constant within the day; 0 without jumps). */
  readonly jumpVar: number;
  /** What generated it (diagnostics, evaluation). */
  readonly info: PathInfo;
}

export interface PathInfo {
  world: 'classic' | 'regime';
  /** The day's base annualised volatility (before the U-shape, clustering and events). */
  dayVol: number;
}

/** mulberry32: small, fast, good enough for simulation; deterministic across platforms. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal via Box–Muller from a uniform source. */
export function gaussian(rand: () => number): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = rand();
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

/** Hashes a string into a seed component (FNV-1a). */
export function hashSeed(...parts: (string | number)[]): number {
  let h = 0x811c9dc5;
  for (const ch of parts.join('|')) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export const DEFAULT_OPEN: Readonly<Record<IndexSymbol, number>> = Object.freeze({ 'I:SPX': 6800, 'I:NDX': 25000 });
export const DEFAULT_VOL: Readonly<Record<IndexSymbol, number>> = Object.freeze({ 'I:SPX': 0.16, 'I:NDX': 0.2 });
export const TRADING_SECONDS_PER_YEAR = 252 * 6.5 * 3600;

/** Number of samples from `startMs` to `endMs` inclusive. */
export function sampleCount(startMs: number, endMs: number, stepMs: number): number {
  if (!(endMs >= startMs)) throw new RangeError('index path: endMs must be ≥ startMs');
  return Math.floor((endMs - startMs) / stepMs) + 1;
}

/** The opening level of a generated day: the symbol's default ± 2% (one uniform draw). */
export const openLevel = (symbol: IndexSymbol, rand: () => number): number => DEFAULT_OPEN[symbol] * (1 + (rand() - 0.5) * 0.04);

/** The classic world: a Gaussian log random walk, base σ × the U-shape, no jumps. */
export function generateIndexPath(o: IndexPathOptions): IndexPath {
  const stepMs = o.stepMs ?? 1000;
  const n = sampleCount(o.startMs, o.endMs, stepMs);
  const rand = seededRandom(hashSeed(o.seed, o.symbol, o.startMs));
  const normal = gaussian(rand);
  const vol = o.annualVol ?? DEFAULT_VOL[o.symbol];
  const baseSigma = vol * Math.sqrt(stepMs / 1000 / TRADING_SECONDS_PER_YEAR);
  const values = new Float64Array(n);
  const sigmas = new Float64Array(n);
  let level = o.open ?? openLevel(o.symbol, rand);
  for (let i = 0; i < n; i++) {
    values[i] = Math.round(level * 100) / 100;
    const sigma = baseSigma * uShape(i / Math.max(1, n - 1));
    sigmas[i] = sigma;
    level *= Math.exp(sigma * normal());
  }
  sigmas[n - 1] = 0;
  return pathFromSteps({ symbol: o.symbol, startMs: o.startMs, stepMs, values, sigmas, info: { world: 'classic', dayVol: vol } });
}

/**
 * An IndexPath over its samples and the law of each step: `sigmas[i]` (diffusion σ of the step leaving
 * sample i), optional `lambdas[i]` (its jump intensity) and the day's `jumpVar`. The last entries are unused.
 */
export function pathFromSteps(p: {
  symbol: IndexSymbol;
  startMs: number;
  stepMs: number;
  values: Float64Array;
  sigmas: Float64Array;
  lambdas?: Float64Array;
  jumpVar?: number;
  info: PathInfo;
}): IndexPath {
  const { values, sigmas, lambdas, startMs, stepMs } = p;
  const n = values.length;
  const jumpVar = lambdas ? (p.jumpVar ?? 0) : 0;
  /** cumVar[i] = Σ_{j<i} σ_j²; cumLam[i] = Σ_{j<i} λ_j: from sample 0 to sample i. */
  const cumVar = new Float64Array(n);
  const cumLam = lambdas ? new Float64Array(n) : undefined;
  for (let i = 1; i < n; i++) {
    const s = sigmas[i - 1]!;
    cumVar[i] = cumVar[i - 1]! + s * s;
    if (cumLam) cumLam[i] = cumLam[i - 1]! + lambdas![i - 1]!;
  }
  const indexAt = (ms: number) => Math.min(n - 1, Math.max(0, Math.floor((ms - startMs) / stepMs)));
  const lawBetween = (fromMs: number, toMs: number): LogLaw => {
    const a = indexAt(fromMs);
    const b = indexAt(toMs);
    if (b <= a) return NO_LAW;
    return { variance: cumVar[b]! - cumVar[a]!, jumpIntensity: cumLam ? cumLam[b]! - cumLam[a]! : 0, jumpVar };
  };
  return {
    symbol: p.symbol,
    startMs,
    stepMs,
    values,
    valueAt: (ms) => values[indexAt(ms)]!,
    indexAt,
    lawBetween,
    logVarianceBetween: (fromMs, toMs) => totalVariance(lawBetween(fromMs, toMs)),
    stepSigma: (i) => (i >= 0 && i < n - 1 ? sigmas[i]! : 0),
    stepJumpIntensity: (i) => (lambdas && i >= 0 && i < n - 1 ? lambdas[i]! : 0),
    jumpVar,
    info: p.info,
  };
}

/** The intraday volatility multiplier at a fraction of the session: ~1.6× at the open and close, 0.8× at midday. */
export function uShape(dayFrac: number): number {
  return 0.8 + 0.8 * (2 * dayFrac - 1) ** 2;
}
