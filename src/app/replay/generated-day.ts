/**
 * A generated trading day as a replay source: the in-process day (inprocess-day.ts: the simulator's
 * exchanges behind inprocess-venue.ts's venue and stream, and the real index feeds) bundled as the day's
 * market adapters, with the model's inputs a simulated run's adapters carry (the day so far, the world's
 * events). The composition of sim with the adapters is the app's, so sim needs neither.
 */
import { bundle, runWorldFor, withHistory, worldHistory, type ReplayDayFactory } from '../market-adapters.ts';
import { openGeneratedDay, type GeneratedDayOptions, type GeneratedDayStats } from './inprocess-day.ts';

export function generatedDay(o: GeneratedDayOptions, stats?: GeneratedDayStats): ReplayDayFactory {
  return {
    open: async (a) => {
      // The run's world: its events from the root's configs/events.yaml, else the simulator's calendar.
      const world = runWorldFor(o.world, a.paths.eventsConfig);
      const { cleanups, spot, ...ports } = await openGeneratedDay(a, { ...o, world }, stats);
      // What a simulated run's model is given too (market-adapters.ts, openSimAdapters): the day so far from
      // the world's paths (the adaptive σ's state at a window's first cycle) and the world's events with their times.
      const day = { ...ports, spot: withHistory(spot, worldHistory(o.seed, a.dateEt, world)), events: world.events };
      return bundle('replay', a.dateEt, day, a, cleanups);
    },
  };
}
