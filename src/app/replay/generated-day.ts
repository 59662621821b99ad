/**
 * A generated trading day as a replay source: the simulator's in-process day (src/sim/inprocess/day.ts: its
 * exchanges, venue, stream and index feeds) bundled as the day's market adapters. The composition is the
 * app's, so sim depends on ports, core, config and adapters only.
 */
import { bundle, runWorldFor, type ReplayDayFactory } from '../market-adapters.ts';
import { openGeneratedDay, type GeneratedDayOptions, type GeneratedDayStats } from '../../sim/inprocess/day.ts';

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
