/**
 * A generated day as the simulated exchange lists it (SPEC §9): the two seeded index paths (09:30 → close)
 * and the day's ladders centred on the open. One function, used by the exchange itself and by the oracle of
 * the evaluation, so both see exactly the same markets, strikes and paths for a (seed, date).
 */
import { etToMs } from '../../core/time/et.ts';
import { generateIndexPath, type IndexPath } from '../day/index-path.ts';
import { generateLadders, type SimEventSpec, type SimMarketSpec } from '../kalshi/ladders.ts';
import { oracleYes } from './oracle.ts';

export interface SimDayOptions {
  seed: number;
  dateEt: string;
  /** `16:00` (default) or `13:00`. */
  closeEt?: string;
  hourlyTargets?: string[];
  thresholdStrikes?: number;
  rangeBins?: number;
  omitEvents?: string[];
  /** Paths to use instead of generating them (tests). */
  paths?: { spx: IndexPath; ndx: IndexPath };
}

export interface SimDay {
  closeEt: string;
  paths: { spx: IndexPath; ndx: IndexPath };
  events: SimEventSpec[];
}

export const defaultHourlyTargets = (closeEt: string): string[] =>
  closeEt === '13:00' ? ['10:00', '11:00', '12:00'] : ['10:00', '11:00', '12:00', '13:00', '14:00', '15:00'];

export function simDay(o: SimDayOptions): SimDay {
  const closeEt = o.closeEt ?? '16:00';
  const openMs = etToMs(o.dateEt, '09:30');
  const endMs = etToMs(o.dateEt, closeEt);
  const paths = o.paths ?? simDayPaths(o.seed, o.dateEt, closeEt);
  const events = generateLadders({
    dateEt: o.dateEt,
    closeEt,
    hourlyTargets: o.hourlyTargets ?? defaultHourlyTargets(closeEt),
    centre: { spx: paths.spx.valueAt(openMs), ndx: paths.ndx.valueAt(openMs) },
    thresholdStrikes: o.thresholdStrikes,
    rangeBins: o.rangeBins,
    omitEvents: o.omitEvents,
  });
  return { closeEt, paths, events };
}

/** The day's two index paths (09:30 → close) alone: what `simDay` builds its markets on, without the ladders. */
export function simDayPaths(seed: number, dateEt: string, closeEt = '16:00'): { spx: IndexPath; ndx: IndexPath } {
  const startMs = etToMs(dateEt, '09:30');
  const endMs = etToMs(dateEt, closeEt);
  return {
    spx: generateIndexPath({ symbol: 'I:SPX', startMs, endMs, seed }),
    ndx: generateIndexPath({ symbol: 'I:NDX', startMs, endMs, seed }),
  };
}

export const indexOfSeries = (series: string): 'spx' | 'ndx' => (series === 'INX' || series === 'INXU' ? 'spx' : 'ndx');

/** The oracle of a whole generated day: by market ticker, its true P(YES) at any instant and its close. */
export interface DayOracle {
  market(ticker: string): SimMarketSpec | undefined;
  oracle(ticker: string, tsMs: number): number | undefined;
  closeMs(ticker: string): number | undefined;
}

export function dayOracle(day: SimDay): DayOracle {
  const byTicker = new Map<string, SimMarketSpec>();
  for (const ev of day.events) for (const m of ev.markets) byTicker.set(m.ticker, m);
  return {
    market: (t) => byTicker.get(t),
    closeMs: (t) => byTicker.get(t)?.closeMs,
    oracle(t, ts) {
      const m = byTicker.get(t);
      return m ? oracleYes(m, day.paths[indexOfSeries(m.series)], m.closeMs, ts) : undefined;
    },
  };
}
