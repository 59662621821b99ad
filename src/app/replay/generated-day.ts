/**
 * A generated trading day as a replay source: the in-process day (inprocess-day.ts: the simulator's
 * exchanges behind inprocess-venue.ts's venue and stream, and the real index feeds) bundled as the day's
 * market adapters. The composition of sim with the adapters is the app's, so sim needs neither.
 */
import { bundle, runWorldFor, type ReplayDayFactory } from '../market-adapters.ts';
import { openGeneratedDay, type GeneratedDayOptions, type GeneratedDayStats } from './inprocess-day.ts';

export function generatedDay(o: GeneratedDayOptions, stats?: GeneratedDayStats): ReplayDayFactory {
  return {
    open: async (a) => {
      // The run's world: its events from the root's configs/events.yaml, else the simulator's calendar.
      const world = runWorldFor(o.world, a.paths.eventsConfig);
      const { cleanups, ...ports } = await openGeneratedDay(a, { ...o, world }, stats);
      return bundle('replay', a.dateEt, ports, a, cleanups);
    },
  };
}
