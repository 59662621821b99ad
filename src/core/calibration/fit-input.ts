/**
 * What the calibration fit reads (core/calibration/fit.ts), and the minute bars cut into one value path per
 * session day — the one view of the bars that the curve, the residual and the conditioning fits all share.
 *
 * - Value at an instant X: the last bar value observed in (X − max_stale, X] inside the regular session
 *   [09:30, close]. With Massive's convention (bar `t` = window **start**) a bar's close is the value at
 *   t + 1 min; `barStamp: 'end'` for files stamped at the window end. Gaps are normal for index bars, so a
 *   value is carried forward up to `maxStaleMinutes` (default 5); beyond that the point is missing.
 * - Targets per sample day: `hourly` → every HH:00 from 10:00 to 16:00 that is ≤ the session close;
 *   `close` → the session close (16:00, or 13:00 on early-close days). A target counts as a sample when its
 *   own value exists. Only values inside the session are used (a pre-market print is stale).
 */
import { etToMs } from '../time/et.ts';
import type { IndexSymbol } from '../series.ts';
import type { Horizon } from './params.ts';
import type { DayEvent } from '../model/conditioning.ts';

export interface Bar {
  /** Epoch ms stamp of the bar. */
  t: number;
  /** Close value of the bar. */
  c: number;
}

export interface SessionHours {
  openEt: string;
  closeEt: string;
}

export interface FitInput {
  symbol: IndexSymbol;
  horizon: Horizon;
  /** Ascending by `t`, one bar per stamp. */
  bars: readonly Bar[];
  barStamp?: 'start' | 'end';
  /** Session of an ET date, or null when the market was closed. */
  session: (dateEt: string) => SessionHours | null;
  dayTags?: (dateEt: string) => readonly string[];
  /** Scheduled events of an ET date with their time of day: the adaptive σ's event uplift (fit-conditioning.ts). */
  dayEvents?: (dateEt: string) => readonly DayEvent[];
  /** Fit the adaptive σ's conditioning (default true; needs `MIN_CONDITIONING_DAYS` sessions). */
  conditioning?: boolean;
  maxMinutes?: number;
  maxStaleMinutes?: number;
  /** Half-width in lags of the local linear smoothing of the per-lag variances (default 15; 0 = the direct std of Δ_m). */
  smoothLags?: number;
  /** Autocorrelation lags of one-minute changes in σ(m) (default 5; 0 = independent minute changes). */
  autocorrLags?: number;
  /** Hourly: a target hour needs this many samples for its own curve in `by_target` (default 30). */
  minTargetSamples?: number;
  /** Official closes by ET date (the settlement print): residual_std is fitted from them. */
  closes?: ReadonlyMap<string, number>;
  /** Days with both a close print and a last minute bar needed to fit residual_std (default 10). */
  minCloseSamples?: number;
  /** Settlement-print noise when not fitted: given in points (wins over closes), or basis points of the median target value. */
  residual?: { points: number } | { bp: number };
  kappaCap: number;
  generatedAtMs: number;
  /** Where the bars came from: written as `fitted_on` with the sample's first and last date. */
  provenance?: { source: 'bars_file' | 'massive' | 'sim'; world?: string; seed?: number };
}

export class CalibrationFitError extends Error {
  override name = 'CalibrationFitError';
}

export const MINUTE = 60_000;

export const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

export interface DayPath {
  date: string;
  openEt: string;
  tagged: boolean;
  /** Value at open + i minutes, NaN when missing. */
  vals: Float64Array;
  /** Target minute index from the open and its ET label `HH:MM`. */
  targets: { k: number; label: string }[];
  /** Time from the last bar's value to the session close (ms; Infinity without one). */
  closeAgeMs: number;
}

/** The session day `date` (bars[from, to) are its bars) as one value per minute from the open, and its targets. */
export function buildDay(
  date: string,
  s: SessionHours,
  bars: readonly Bar[],
  from: number,
  to: number,
  shift: number,
  staleMs: number,
  input: FitInput,
): DayPath {
  const open = etToMs(date, s.openEt, 'compatible');
  const close = etToMs(date, s.closeEt, 'compatible');
  const len = Math.round((close - open) / MINUTE) + 1;
  const vals = new Float64Array(len).fill(NaN);
  let b = from;
  let last = NaN;
  let lastAt = -Infinity;
  for (let k = 0; k < len; k++) {
    const at = open + k * MINUTE;
    while (b < to && bars[b]!.t + shift <= at) {
      const instant = bars[b]!.t + shift;
      if (instant >= open) {
        last = bars[b]!.c;
        lastAt = instant;
      }
      b++;
    }
    if (at - lastAt < staleMs || at === lastAt) vals[k] = last;
  }
  const targets: DayPath['targets'] = [];
  if (input.horizon === 'close') targets.push({ k: len - 1, label: s.closeEt });
  else {
    for (let hh = 10; hh <= 16; hh++) {
      const label = `${String(hh).padStart(2, '0')}:00`;
      const at = etToMs(date, label, 'compatible');
      if (at > close) break;
      targets.push({ k: Math.round((at - open) / MINUTE), label });
    }
  }
  return { date, openEt: s.openEt, tagged: (input.dayTags?.(date).length ?? 0) > 0, vals, targets, closeAgeMs: close - lastAt };
}
