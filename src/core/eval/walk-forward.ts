/**
 * Scoring on minute bars, without an oracle (issue 19, `evaluate --bars`), pure: a walk-forward over the
 * sessions of a bar file. For each session day with at least `minDays` sessions before it:
 * 1. calibrate on the bars of the days before it only (`calibrate` gets every bar stamped before the day's
 *    00:00 ET, nothing of the day itself);
 * 2. for each hourly target T (10:00 … 16:00 up to the session's close) and each horizon m (default
 *    60, 30, 15, 10, 5, 2, 1 minutes), at the instant X = T − m: the value now S_X (the last bar known at X,
 *    inside the session, at most `maxStaleMinutes` old) and a strike grid around it, K = S_X + z·σ(m) for z
 *    in `grid` (default −2 … 2 by ½; σ(m) the calibration's curve for T, so the grid is the same for every
 *    forecaster and spans the plausible outcomes at every horizon), rounded to the cent;
 * 3. every forecaster's P(S_T ≥ K) from what is known at X — the day's bars whose minute ended at or before
 *    X, the value now, the calibration (forecasters.ts) — against what happened: S_T ≥ K, S_T the value at
 *    T from the bars (read by the scorer only, never handed to a forecaster).
 * A bar is known once its minute has ended: at its stamp + 1 min with Massive's start stamps (`barStamp:
 * 'start'`), at its stamp with end stamps. Points without a value at X or at T are skipped and counted.
 * Scores per horizon and in total, per forecaster: Brier, log loss, reliability (scores.ts) — every
 * forecaster on exactly the same points.
 */
import type { Bar, SessionHours } from '../calibration/fit.ts';
import type { CalibrationParams } from '../calibration/params.ts';
import { curveFromParams } from '../calibration/params.ts';
import type { IndexSymbol } from '../series.ts';
import { addDays, etDateOf, etToMs } from '../time/et.ts';
import type { BarForecaster, ForecastContext } from './forecasters.ts';
import type { DayEvent } from '../model/conditioning.ts';
import { calibrationOf, newScores, score, type Calibration, type Scores } from './scores.ts';

export const DEFAULT_HORIZONS: readonly number[] = [60, 30, 15, 10, 5, 2, 1];
export const DEFAULT_GRID: readonly number[] = [-2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2];
export const DEFAULT_MIN_DAYS = 20;

export interface WalkForwardInput {
  symbol: IndexSymbol;
  /** Ascending by `t`, one bar per stamp. */
  bars: readonly Bar[];
  barStamp?: 'start' | 'end';
  session: (dateEt: string) => SessionHours | null;
  dayTags?: (dateEt: string) => readonly string[];
  /** The day's scheduled events with their time of day (the adaptive σ's event uplift). */
  dayEvents?: (dateEt: string) => readonly DayEvent[];
  /** Sessions with bars a day needs before it to be evaluated (default 20). */
  minDays?: number;
  horizons?: readonly number[];
  /** Strike offsets in units of the calibrated σ(m). */
  grid?: readonly number[];
  maxStaleMinutes?: number;
  forecasters: readonly BarForecaster[];
  /** Fits the calibration from the bars of the days before the evaluated day (the CLI: fitCalibration). */
  calibrate: (barsBefore: readonly Bar[]) => CalibrationParams;
  /** Every scored point (tests, side files). */
  onPoint?: (p: ScoredPoint) => void;
}

export interface ScoredPoint {
  date: string;
  targetEt: string;
  minutes: number;
  nowMs: number;
  spot: number;
  strike: number;
  /** S_T ≥ K. */
  outcome: 0 | 1;
  /** P(S_T ≥ K) by forecaster name. */
  p: Record<string, number>;
}

export interface HorizonScores {
  minutes: number;
  /** Strike points scored (instants × strikes). */
  points: number;
  instants: number;
  scores: Record<string, Calibration>;
}

export interface WalkForwardReport {
  symbol: IndexSymbol;
  forecasters: { name: string; label: string }[];
  horizons: number[];
  grid: number[];
  min_days: number;
  days: { sessions: number; evaluated: number; first: string | null; last: string | null };
  by_horizon: HorizonScores[];
  total: { points: number; instants: number; scores: Record<string, Calibration> };
  skipped: { no_value_now: number; no_outcome: number };
}

const MINUTE = 60_000;

interface Day {
  date: string;
  /** Bars of the day: [from, to) in the input. */
  from: number;
  to: number;
  session: SessionHours;
}

export function walkForward(o: WalkForwardInput): WalkForwardReport {
  const horizons = [...(o.horizons ?? DEFAULT_HORIZONS)];
  const grid = [...(o.grid ?? DEFAULT_GRID)];
  const minDays = o.minDays ?? DEFAULT_MIN_DAYS;
  const shift = (o.barStamp ?? 'start') === 'start' ? MINUTE : 0;
  const staleMs = (o.maxStaleMinutes ?? 5) * MINUTE;
  const bars = o.bars;
  for (let i = 1; i < bars.length; i++) if (!(bars[i]!.t > bars[i - 1]!.t)) throw new RangeError('bars must be strictly ascending by timestamp');

  // The sessions of the file, by the ET date a bar's value is known on.
  const days: Day[] = [];
  for (let i = 0; i < bars.length; ) {
    const date = etDateOf(bars[i]!.t + shift);
    const end = etToMs(addDays(date, 1), '00:00', 'compatible');
    let j = i;
    while (j < bars.length && bars[j]!.t + shift < end) j++;
    const s = o.session(date);
    if (s) days.push({ date, from: i, to: j, session: s });
    i = j;
  }

  const names = o.forecasters.map((f) => f.name);
  const perHorizon = new Map<number, { points: number; instants: number; scores: Map<string, Scores> }>();
  for (const m of horizons) perHorizon.set(m, { points: 0, instants: 0, scores: new Map(names.map((n) => [n, newScores()])) });
  const total = { points: 0, instants: 0, scores: new Map(names.map((n) => [n, newScores()])) };
  const skipped = { no_value_now: 0, no_outcome: 0 };
  let evaluated = 0;
  let first: string | null = null;
  let last: string | null = null;

  for (let di = minDays; di < days.length; di++) {
    const day = days[di]!;
    // everything before the day's first bar: the days before it, nothing of the day
    const calibration = o.calibrate(bars.slice(0, day.from));
    evaluated++;
    first ??= day.date;
    last = day.date;
    const open = etToMs(day.date, day.session.openEt, 'compatible');
    const close = etToMs(day.date, day.session.closeEt, 'compatible');
    const dayBars = bars.slice(day.from, day.to);
    /** Index (exclusive) of the bars known at `x`, and the value at `x` (or NaN). */
    const known = (x: number): { end: number; value: number } => {
      let lo = 0;
      let hi = dayBars.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (dayBars[mid]!.t + shift <= x) lo = mid + 1;
        else hi = mid;
      }
      const lastBar = lo > 0 ? dayBars[lo - 1]! : undefined;
      const at = lastBar ? lastBar.t + shift : -Infinity;
      const value = lastBar && at >= open && (x - at < staleMs || x === at) ? lastBar.c : NaN;
      return { end: lo, value };
    };
    const tags = o.dayTags?.(day.date) ?? [];
    const dayEvents = o.dayEvents?.(day.date) ?? [];
    for (let hh = 10; hh <= 16; hh++) {
      const targetEt = `${String(hh).padStart(2, '0')}:00`;
      const targetMs = etToMs(day.date, targetEt, 'compatible');
      if (targetMs > close) break;
      const sT = known(targetMs).value;
      const curve = curveFromParams(calibration, targetEt);
      for (const m of horizons) {
        const nowMs = targetMs - m * MINUTE;
        if (nowMs < open) continue;
        const now = known(nowMs);
        if (Number.isNaN(now.value) && nowMs === open) continue; // (start-stamped bars: the first reports the minute after the open)
        if (Number.isNaN(now.value)) {
          skipped.no_value_now++;
          continue;
        }
        if (Number.isNaN(sT)) {
          skipped.no_outcome++;
          continue;
        }
        const sd = curve.sigmaAt(m);
        const strikes = [...new Set(grid.map((z) => Math.round((now.value + z * sd) * 100) / 100))];
        const ctx: ForecastContext = {
          symbol: o.symbol,
          nowMs,
          targetMs,
          targetEt,
          minutes: m,
          spot: now.value,
          dayBars: dayBars.slice(0, now.end),
          barShiftMs: shift,
          openMs: open,
          calibration,
          dayTags: tags,
          dayEvents,
        };
        const probs = o.forecasters.map((f) => f.probAbove(ctx, strikes));
        const h = perHorizon.get(m)!;
        h.instants++;
        total.instants++;
        strikes.forEach((k, si) => {
          const outcome = sT >= k ? 1 : 0;
          h.points++;
          total.points++;
          const p: Record<string, number> = {};
          names.forEach((n, fi) => {
            const pf = probs[fi]![si]!;
            p[n] = pf;
            score(h.scores.get(n)!, pf, outcome);
            score(total.scores.get(n)!, pf, outcome);
          });
          o.onPoint?.({ date: day.date, targetEt, minutes: m, nowMs, spot: now.value, strike: k, outcome, p });
        });
      }
    }
  }

  const out = (s: Map<string, Scores>) => Object.fromEntries([...s].map(([n, x]) => [n, calibrationOf(x)]));
  return {
    symbol: o.symbol,
    forecasters: o.forecasters.map((f) => ({ name: f.name, label: f.label })),
    horizons,
    grid,
    min_days: minDays,
    days: { sessions: days.length, evaluated, first, last },
    by_horizon: horizons.map((m) => {
      const h = perHorizon.get(m)!;
      return { minutes: m, points: h.points, instants: h.instants, scores: out(h.scores) };
    }),
    total: { points: total.points, instants: total.instants, scores: out(total.scores) },
    skipped,
  };
}
