/**
 * The statistics of a world's 1-minute bars that issue 19 sets targets for (and that real SPX shows):
 * per-day realised vol, kurtosis of 1-minute log returns (pooled, and after dividing each day by its own
 * σ), the range of daily vol in every 20-day window, the lag-1 autocorrelation of daily log realised vol, vol
 * in the 30 minutes after a 14:00 FOMC statement against that day's average, and the largest 1-minute move
 * in its day's σ. Pure: bars in (Massive convention, stamp = start, close one minute later), numbers out.
 *
 * Returns are between consecutive closes of one day (the first close is the 09:31 sample, so a day of 390
 * bars gives 389 returns); a day's realised vol is √(Σ r² · 252 · 390 / returns).
 */
import type { Bar } from '../../src/core/calibration/fit.ts';
import type { EventSchedule } from '../../src/core/event-schedule.ts';
import { etToMs } from '../../src/core/time/et.ts';

export interface DayBars {
  dateEt: string;
  bars: readonly Bar[];
}

export interface WorldStats {
  days: number;
  /** Annualised realised vol per day, in day order. */
  dailyVol: number[];
  dailyVolMin: number;
  dailyVolMax: number;
  pooledKurtosis: number;
  standardisedKurtosis: number;
  /** min over every window of `window` consecutive days of max/min daily vol (null: fewer days than a window). */
  minWindowVolRange: number | null;
  window: number;
  /** Lag-1 autocorrelation of ln(daily vol). */
  logVolAutocorr: number;
  /** Per FOMC-at-14:00 day: vol of the returns ending 14:01…14:30 / the day's vol (per minute). */
  fomc: { dateEt: string; ratio: number }[];
  /** The largest |1-minute return| of each day in that day's σ: min, median, max over days. */
  largestMoveSigma: { min: number; median: number; max: number };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** m4 / m2² of mean-centred values (3 for a normal). */
export function kurtosis(xs: readonly number[]): number {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  let m2 = 0;
  let m4 = 0;
  for (const x of xs) {
    const d = (x - mean) ** 2;
    m2 += d;
    m4 += d * d;
  }
  m2 /= n;
  m4 /= n;
  return m4 / (m2 * m2);
}

export function lag1Autocorr(xs: readonly number[]): number {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  let c0 = 0;
  let c1 = 0;
  for (let i = 0; i < n; i++) {
    c0 += (xs[i]! - mean) ** 2;
    if (i > 0) c1 += (xs[i]! - mean) * (xs[i - 1]! - mean);
  }
  return c1 / c0;
}

export function worldStats(days: readonly DayBars[], o: { events?: EventSchedule; window?: number } = {}): WorldStats {
  const window = o.window ?? 20;
  const pooled: number[] = [];
  const standardised: number[] = [];
  const dailyVol: number[] = [];
  const fomc: { dateEt: string; ratio: number }[] = [];
  const largest: number[] = [];
  for (const d of days) {
    const r: number[] = [];
    const endsAt: number[] = [];
    for (let i = 1; i < d.bars.length; i++) {
      r.push(Math.log(d.bars[i]!.c / d.bars[i - 1]!.c));
      endsAt.push(d.bars[i]!.t + 60_000);
    }
    if (r.length < 2) continue;
    const ss = r.reduce((a, x) => a + x * x, 0);
    const sd = Math.sqrt(ss / r.length);
    dailyVol.push(Math.sqrt((ss * 252 * 390) / r.length));
    for (const x of r) {
      pooled.push(x);
      standardised.push(x / sd);
    }
    largest.push(Math.max(...r.map(Math.abs)) / sd);
    if (o.events?.on(d.dateEt).some((e) => e.tag === 'FOMC' && e.timeEt === '14:00')) {
      const from = etToMs(d.dateEt, '14:00');
      const to = etToMs(d.dateEt, '14:30');
      const w = r.filter((_, i) => endsAt[i]! > from && endsAt[i]! <= to);
      if (w.length > 0) fomc.push({ dateEt: d.dateEt, ratio: Math.sqrt(w.reduce((a, x) => a + x * x, 0) / w.length) / sd });
    }
  }
  let minWindowVolRange: number | null = null;
  for (let i = 0; i + window <= dailyVol.length; i++) {
    const w = dailyVol.slice(i, i + window);
    const range = Math.max(...w) / Math.min(...w);
    minWindowVolRange = minWindowVolRange === null ? range : Math.min(minWindowVolRange, range);
  }
  return {
    days: dailyVol.length,
    dailyVol,
    dailyVolMin: Math.min(...dailyVol),
    dailyVolMax: Math.max(...dailyVol),
    pooledKurtosis: kurtosis(pooled),
    standardisedKurtosis: kurtosis(standardised),
    minWindowVolRange,
    window,
    logVolAutocorr: lag1Autocorr(dailyVol.map(Math.log)),
    fomc,
    largestMoveSigma: { min: Math.min(...largest), median: median(largest), max: Math.max(...largest) },
  };
}

/** Issue 19's targets for a 60-day generated run. */
export const WORLD_TARGETS = Object.freeze({ pooledKurtosis: 8, standardisedKurtosis: 4, volRange20: 2.5, logVolAutocorr: 0.5, fomcRatio: 1.5 });

/** Which of the targets a run's statistics meet (`fomc`: every FOMC-at-14:00 day, and at least one). */
export function meetsTargets(s: WorldStats): { pooledKurtosis: boolean; standardisedKurtosis: boolean; volRange20: boolean; logVolAutocorr: boolean; fomc: boolean; all: boolean } {
  const t = WORLD_TARGETS;
  const m = {
    pooledKurtosis: s.pooledKurtosis >= t.pooledKurtosis,
    standardisedKurtosis: s.standardisedKurtosis >= t.standardisedKurtosis,
    volRange20: s.minWindowVolRange !== null && s.minWindowVolRange >= t.volRange20,
    logVolAutocorr: s.logVolAutocorr >= t.logVolAutocorr,
    fomc: s.fomc.length > 0 && s.fomc.every((f) => f.ratio >= t.fomcRatio),
  };
  return { ...m, all: Object.values(m).every(Boolean) };
}
