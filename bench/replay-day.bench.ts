/**
 * `replay-day` (issue 20): one generated day (7 windows × 4 series, both indices at 250 ms) as a rate —
 * events per second (clock timers + simulated-market events + index ticks) — and µs per engine cycle, warm
 * (in this process, after a first day) and cold (the first day of a fresh worker thread running the built
 * bundle: nothing compiled yet, as a sweep's first day on each core). Target: a warm day ≥ 1M events/s
 * (one day ≤ 0.3 s on one core).
 */
import { round, type Report } from './harness.ts';
import { oneDay, result, DAY, SEED, calendar, config, paths } from './replay.bench.ts';
import { runDayJobs } from '../src/app/replay/days.ts';

const WARM_RUNS = 3;

export default async function run(report: Report): Promise<void> {
  // Cold: the first day a fresh worker runs (its own wall time, without the worker's start-up).
  const [cold] = await runDayJobs([{ id: 0, dateEt: DAY, seed: SEED, setting: 0, config, calendar: {}, paths }], { workers: 1 });
  await oneDay(); // this process's first day: warms it
  const warm = [];
  for (let i = 0; i < WARM_RUNS; i++) warm.push(await oneDay());
  const w = warm[0]!;
  // The day is deterministic: every run has the same events and cycles (the cold one too).
  const rates = warm.map((x) => (x.events / x.wallMs) * 1000).sort((a, b) => a - b);
  const walls = warm.map((x) => x.wallMs).sort((a, b) => a - b);
  const medianWall = walls[walls.length >> 1]!;
  const coldMs = cold?.ok ? cold.wallMs : NaN;
  report(
    result('replay-day', 'events/s', rates[rates.length >> 1]!, rates[0]!, WARM_RUNS, '>= 1000000 events/s', {
      warm_ms: round(medianWall),
      warm_ms_target: '<= 300 ms',
      warm_cpu_ms: round(warm.map((x) => x.cpuMs).sort((a, b) => a - b)[warm.length >> 1]!),
      us_per_cycle_warm: round((medianWall * 1000) / w.cycles),
      cold_ms: round(coldMs),
      events_per_s_cold: Math.round((w.events / coldMs) * 1000),
      us_per_cycle_cold: round((coldMs * 1000) / w.cycles),
      cold_events_match: cold?.ok ? cold.timers === w.timers && cold.cycles === w.cycles : false,
      events: w.events,
      engine_cycles: w.cycles,
    }),
  );
}
