/**
 * A simulated world's 1-minute bars (`sim bars`, the world statistics): for each trading day of the calendar,
 * one bar per minute of the session in Massive's convention — stamped at its start, closing at the path's
 * value one minute later (the bar stamped 09:30 closes at the 09:31 sample; the last, stamped one minute
 * before the close, at the close). The same convention `calibrate --bars` reads by default (`--bar-stamp start`).
 */
import type { Bar } from '../../core/calibration/fit.ts';
import type { TradingCalendar } from '../../core/calendar/calendar.ts';
import type { IndexSymbol } from '../../core/series.ts';
import { addDays, etToMs } from '../../core/time/et.ts';
import { resolveWorld, worldPath, type SimWorld, type SimWorldSetting } from './world.ts';

export interface SimBarsOptions {
  symbol: IndexSymbol;
  /** First date (inclusive; need not be a trading day). */
  from: string;
  /** Number of trading days. */
  days: number;
  seed: number;
  world?: SimWorldSetting | SimWorld;
  calendar: TradingCalendar;
}

export interface SimDayBars {
  dateEt: string;
  closeEt: string;
  bars: Bar[];
}

/** The first `n` trading days from `from`, with their closes. */
export function tradingSessions(from: string, n: number, calendar: TradingCalendar): { dateEt: string; closeEt: string }[] {
  const out: { dateEt: string; closeEt: string }[] = [];
  for (let d = from, guard = 0; out.length < n; d = addDays(d, 1), guard++) {
    if (guard > 3660) throw new RangeError(`fewer than ${n} trading days from ${from}`);
    const s = calendar.session(d); // CalendarRangeError past the table's years
    if (s.closeEt) out.push({ dateEt: d, closeEt: s.closeEt });
  }
  return out;
}

/** One day's minute bars from its path (stamp = start, close = the sample one minute later). */
export function minuteBarsOf(path: { valueAt(ms: number): number }, dateEt: string, closeEt: string): Bar[] {
  const open = etToMs(dateEt, '09:30');
  const close = etToMs(dateEt, closeEt);
  const bars: Bar[] = [];
  for (let t = open; t + 60_000 <= close; t += 60_000) bars.push({ t, c: path.valueAt(t + 60_000) });
  return bars;
}

/** The generated trading days' minute bars, day by day. */
export function simMinuteBars(o: SimBarsOptions): SimDayBars[] {
  const world = resolveWorld(o.world);
  return tradingSessions(o.from, o.days, o.calendar).map(({ dateEt, closeEt }) => ({
    dateEt,
    closeEt,
    bars: minuteBarsOf(worldPath(o.symbol, { seed: o.seed, dateEt, closeEt, world }), dateEt, closeEt),
  }));
}
