/**
 * A generated day as the simulated exchange lists it (SPEC §9): the two seeded index paths of the simulated
 * world (sim/day/world.ts, 09:30 → close) and the day's ladders centred on the open. One function, used by
 * the exchange itself and by the oracle of the evaluation, so both see exactly the same markets, strikes and
 * paths for a (seed, date, world).
 */
import { etToMs } from '../../core/time/et.ts';
import type { IndexPath } from '../day/index-path.ts';
import { worldPaths, type SimWorld, type SimWorldSetting } from '../day/world.ts';
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
  /** The simulated world (default `regime`; `classic` for the old one). */
  world?: SimWorldSetting | SimWorld;
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
  const paths = o.paths ?? simDayPaths(o.seed, o.dateEt, closeEt, o.world);
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

/**
 * The day's two index paths (09:30 → close) of a world alone: what `simDay` builds its markets on, without
 * the ladders (and what a simulated run's self-calibration generates its history with).
 */
export function simDayPaths(seed: number, dateEt: string, closeEt = '16:00', world?: SimWorldSetting | SimWorld): { spx: IndexPath; ndx: IndexPath } {
  return worldPaths({ seed, dateEt, closeEt, world });
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
