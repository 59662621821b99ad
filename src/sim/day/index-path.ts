/**
 * Seeded, realistic intraday index paths for the simulators (SPEC §9): a random walk in log space with
 * the U-shaped intraday volatility of U.S. equity indices (busier open and close), sampled per second.
 * Same seed, symbol and date → the same path, on any machine.
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
   * The generating process's own law (the oracle's, see sim/market/oracle.ts): the variance of
   * ln(value at `toMs`) − ln(value at `fromMs`) given the value at `fromMs` — the sum of the squared
   * per-step log σ (base σ × the U-shape at that step) over the steps between the two samples. 0 when
   * `toMs` is not after `fromMs` (same sample).
   */
  logVarianceBetween(fromMs: number, toMs: number): number;
  /** Per-step log σ of the step leaving sample `i` (0 past the last sample). */
  stepSigma(i: number): number;
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

const DEFAULT_OPEN: Record<IndexSymbol, number> = { 'I:SPX': 6800, 'I:NDX': 25000 };
const DEFAULT_VOL: Record<IndexSymbol, number> = { 'I:SPX': 0.16, 'I:NDX': 0.2 };
const TRADING_SECONDS_PER_YEAR = 252 * 6.5 * 3600;

export function generateIndexPath(o: IndexPathOptions): IndexPath {
  const stepMs = o.stepMs ?? 1000;
  if (!(o.endMs >= o.startMs)) throw new RangeError('generateIndexPath: endMs must be ≥ startMs');
  const n = Math.floor((o.endMs - o.startMs) / stepMs) + 1;
  const rand = seededRandom(hashSeed(o.seed, o.symbol, o.startMs));
  const normal = gaussian(rand);
  const vol = o.annualVol ?? DEFAULT_VOL[o.symbol];
  const baseSigma = vol * Math.sqrt(stepMs / 1000 / TRADING_SECONDS_PER_YEAR);
  const values = new Float64Array(n);
  /** cumVar[i] = Σ_{j<i} σ_j²: log variance from sample 0 to sample i. */
  const cumVar = new Float64Array(n);
  const sigmas = new Float64Array(n);
  let level = o.open ?? DEFAULT_OPEN[o.symbol] * (1 + (rand() - 0.5) * 0.04);
  for (let i = 0; i < n; i++) {
    values[i] = Math.round(level * 100) / 100;
    const sigma = baseSigma * uShape(i / Math.max(1, n - 1));
    sigmas[i] = sigma;
    if (i + 1 < n) cumVar[i + 1] = cumVar[i]! + sigma * sigma;
    level *= Math.exp(sigma * normal());
  }
  const startMs = o.startMs;
  const indexAt = (ms: number) => Math.min(n - 1, Math.max(0, Math.floor((ms - startMs) / stepMs)));
  return {
    symbol: o.symbol,
    startMs,
    stepMs,
    values,
    valueAt(ms: number): number {
      return values[indexAt(ms)]!;
    },
    indexAt,
    logVarianceBetween(fromMs: number, toMs: number): number {
      const a = indexAt(fromMs);
      const b = indexAt(toMs);
      return b > a ? cumVar[b]! - cumVar[a]! : 0;
    },
    stepSigma(i: number): number {
      return i >= 0 && i < n - 1 ? sigmas[i]! : 0;
    },
  };
}

/** The intraday volatility multiplier at a fraction of the session: ~1.6× at the open and close, 0.8× at midday. */
export function uShape(dayFrac: number): number {
  return 0.8 + 0.8 * (2 * dayFrac - 1) ** 2;
}
