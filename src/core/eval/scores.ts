/**
 * Probability scores of binary forecasts, one accumulator for every scorer (the scoreboard's per-market
 * calibration, the walk-forward of `evaluate --bars`): `brier` = mean (p − o)², `log_loss` =
 * −mean(o·ln p + (1 − o)·ln(1 − p)) with p clamped to [ε, 1 − ε], ε = 1e-6, and a `reliability` table of 10
 * probability bins [0, 0.1) … [0.9, 1.0]: count, mean forecast, observed frequency.
 */
export const LOG_LOSS_EPS = 1e-6;
export const RELIABILITY_BINS = 10;

export interface ReliabilityBin {
  /** Bin bounds: [lo, hi), the last bin [0.9, 1.0] inclusive. */
  lo: number;
  hi: number;
  count: number;
  mean_forecast: number | null;
  observed_freq: number | null;
}

export interface Calibration {
  /** Forecasts scored. */
  n: number;
  brier: number | null;
  log_loss: number | null;
  reliability: ReliabilityBin[];
}

export interface Scores {
  n: number;
  brierSum: number;
  logLossSum: number;
  binCount: Float64Array;
  binP: Float64Array;
  binO: Float64Array;
}

export const newScores = (): Scores => ({
  n: 0,
  brierSum: 0,
  logLossSum: 0,
  binCount: new Float64Array(RELIABILITY_BINS),
  binP: new Float64Array(RELIABILITY_BINS),
  binO: new Float64Array(RELIABILITY_BINS),
});

const clamp = (p: number) => Math.min(1 - LOG_LOSS_EPS, Math.max(LOG_LOSS_EPS, p));

/** Adds one forecast p of an outcome o. */
export function score(s: Scores, p: number, o: 0 | 1): void {
  s.n++;
  s.brierSum += (p - o) ** 2;
  const pc = clamp(p);
  s.logLossSum += -(o * Math.log(pc) + (1 - o) * Math.log(1 - pc));
  const b = Math.min(RELIABILITY_BINS - 1, Math.max(0, Math.floor(p * RELIABILITY_BINS)));
  s.binCount[b]!++;
  s.binP[b]! += p;
  s.binO[b]! += o;
}

export function reliability(s: Scores): ReliabilityBin[] {
  return Array.from({ length: RELIABILITY_BINS }, (_, b) => {
    const count = s.binCount[b]!;
    return {
      lo: b / RELIABILITY_BINS,
      hi: (b + 1) / RELIABILITY_BINS,
      count,
      mean_forecast: count > 0 ? s.binP[b]! / count : null,
      observed_freq: count > 0 ? s.binO[b]! / count : null,
    };
  });
}

export function calibrationOf(s: Scores): Calibration {
  return {
    n: s.n,
    brier: s.n > 0 ? s.brierSum / s.n : null,
    log_loss: s.n > 0 ? s.logLossSum / s.n : null,
    reliability: reliability(s),
  };
}
