/**
 * Replay (SPEC §9, issue 10): a full generated trading day — 7 windows, 4 series, both indices at the
 * simulator's 250 ms tick — through the real supervisor, session, engine and paper exchange on the
 * discrete-event clock, in this process:
 * - `replay: one generated day` — real time of the day (median of the warm runs; the first, cold, run is an
 *   extra), with events/s (events = clock timers fired + simulated-market events + index ticks) and µs per
 *   engine cycle (one refresh of one series);
 * - `replay: µs per engine cycle` — the same day's real time per engine cycle, with the per-cycle cost
 *   broken down by area from a V8 CPU profile of one warm run (self time: engine, pricing and selection,
 *   risk scans, paper broker and ledger, the simulated market, the in-process venue and clock, index feeds,
 *   supervisor, time formatting, zod, GC, event loop);
 * - `replay: peak RSS, one day` — a fresh process replaying one day (`--no-ledger`), its maxRSS, with the
 *   runtime's share (the same process before the replay: Node + the tsx loader thread + the modules);
 * - `replay: 250 days on 2 cores` — REPLAY_BENCH_DAYS (default 10) days on 2 worker threads, extrapolated to
 *   250 (REPLAY_BENCH_DAYS=250 measures it outright).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import os from 'node:os';
import { Session } from 'node:inspector/promises';
import { packageRoot } from '../src/config/package-root.ts';
import { meets, round, type BenchResult, type Report } from './harness.ts';
import { runReplayDay, replayWindows } from '../src/app/replay/run.ts';
import { newDayStats } from '../src/app/replay/inprocess-day.ts';
import { generatedDay } from '../src/app/replay/generated-day.ts';
import { createCalendar } from '../src/core/calendar/calendar.ts';
import { defaultIndexOps } from '../src/config/index-ops.ts';
import { resolvePaths } from '../src/config/paths.ts';
import { runDayJobs, tradingDaysFrom, type DayJob } from '../src/app/replay/days.ts';

export const DAY = '2026-11-20';
export const SEED = 20261120;
const here = path.join(packageRoot(), 'bench');
export const calendar = createCalendar();
export const config = defaultIndexOps();
// A home without calibration files: the documented default curve, as a fresh checkout has.
export const paths = resolvePaths(path.join(os.tmpdir(), 'kalshi-alpha-replay-bench'));

export function result(name: string, unit: string, median: number, p99: number, n: number, target: string, extra: Record<string, unknown> = {}): BenchResult {
  const m = round(median);
  const ok = meets(target, m);
  return { name, unit, median: m, p99: round(p99), n, target, ...extra, ...(ok === undefined ? {} : { ok }) };
}

/** One generated day in this process: its real and CPU time, and what happened in it. */
export async function oneDay() {
  const stats = newDayStats();
  const windows = replayWindows(DAY, { calendar, config });
  const cpu0 = process.cpuUsage();
  const r = await runReplayDay({ dateEt: DAY, seed: SEED, day: generatedDay({ seed: SEED, closeEt: calendar.session(DAY).closeEt!, windows }, stats), config, calendar, paths });
  const events = r.stats.timers + stats.exchangeEvents + stats.indexTicks;
  const cpu = process.cpuUsage(cpu0);
  return { cpuMs: (cpu.user + cpu.system) / 1000, wallMs: r.stats.wallMs, cycles: r.stats.cycles, events, timers: r.stats.timers, exchangeEvents: stats.exchangeEvents, indexTicks: stats.indexTicks, records: r.stats.ledgerRecords, quotes: r.scoreboard.total.quotes };
}

/** Self time of a CPU profile by area of the code base (ms). */
function breakdown(profile: { nodes: { id: number; callFrame: { url: string; functionName: string } }[]; samples: number[]; timeDeltas: number[] }): Record<string, number> {
  const area = (url: string, fn: string): string => {
    if (fn === '(garbage collector)') return 'gc';
    if (fn === '(idle)' || fn === '(program)' || url === '') return 'event_loop_other';
    const rules: [RegExp, string][] = [
      [/src\/core\/quoting\/(risk|state)\.ts/, 'risk_and_state_scans'],
      [/src\/engine\//, 'engine'],
      [/src\/core\/(quotes|model)\//, 'pricing_and_selection'],
      [/src\/(core\/paper|adapters\/broker|adapters\/ledger|core\/ledger|app\/replay\/ledger-sink)/, 'paper_broker_and_ledger'],
      [/src\/sim\/(kalshi|day|market)\//, 'simulated_market'],
      [/src\/(sim\/inprocess|app\/replay\/inprocess-|adapters\/kalshi|adapters\/clock)/, 'inprocess_venue_and_clock'],
      [/src\/(adapters\/feeds|core\/feed)\//, 'index_feeds'],
      [/src\/app\//, 'supervisor_session_guard'],
      [/src\/core\/time|temporal-polyfill/, 'time_formatting'],
      [/node_modules\/zod/, 'zod'],
      [/src\/core\//, 'core_other'],
    ];
    for (const [re, name] of rules) if (re.test(url)) return name;
    return 'node_and_other';
  };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const out: Record<string, number> = {};
  profile.samples.forEach((id, i) => {
    const n = byId.get(id)!;
    const k = area(n.callFrame.url, n.callFrame.functionName);
    out[k] = (out[k] ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000;
  });
  return out;
}

export default async function run(report: Report): Promise<void> {
  // One day, cold then warm.
  const cold = await oneDay();
  const warm = [await oneDay(), await oneDay()];
  const walls = warm.map((w) => w.wallMs).sort((a, b) => a - b);
  const median = walls[0]! + (walls[1]! - walls[0]!) / 2;
  const w = warm[0]!;
  report(
    result('replay: one generated day (7 windows, 4 series)', 'ms', median, walls[walls.length - 1]!, warm.length, '<= 1000 ms', {
      cold_ms: round(cold.wallMs),
      // On a shared machine the wall time includes other processes' turns; the CPU time does not.
      cpu_ms: round(warm.map((x) => x.cpuMs).sort((a, b) => a - b)[0]!),
      load_avg_1m: round(os.loadavg()[0]!),
      events: w.events,
      events_per_s: Math.round((w.events / median) * 1000),
      events_target: '>= 1000000 /s',
      timers: w.timers,
      market_events: w.exchangeEvents,
      index_ticks: w.indexTicks,
      engine_cycles: w.cycles,
      ledger_records: w.records,
      quotes: w.quotes,
    }),
  );

  // The per-cycle cost, and where it goes.
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  const profiled = await oneDay();
  const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Parameters<typeof breakdown>[0] };
  session.disconnect();
  const areas = breakdown(profile);
  const total = Object.values(areas).reduce((a, b) => a + b, 0);
  const perCycle = Object.fromEntries(Object.entries(areas).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, round((v * 1000) / profiled.cycles)]));
  report(
    result('replay: µs per engine cycle (whole day / cycles)', 'us', (median * 1000) / w.cycles, (walls[walls.length - 1]! * 1000) / w.cycles, warm.length, '<= 75 us', {
      breakdown_us_per_cycle: perCycle,
      breakdown_share: Object.fromEntries(Object.entries(areas).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, `${((100 * v) / total).toFixed(1)}%`])),
      profiled_run_ms: round(profiled.wallMs),
    }),
  );

  // Peak RSS of a fresh process replaying one day: the real command as an operator runs it (the built
  // bundle), and — for comparison — the same day through the TypeScript sources and tsx's loader.
  const home = paths.home;
  const bin = path.join(here, '..', 'bin', 'kalshi-alpha.js');
  const cmd = spawnSync(process.execPath, [bin, 'replay', '--date', DAY, '--seed', String(SEED), '--json'], { encoding: 'utf8', cwd: home, env: { ...process.env, KALSHI_ALPHA_HOME: home } });
  if (cmd.status === 0) {
    const peak = (JSON.parse(cmd.stdout) as { stats: { peak_rss_mb: number } }).stats.peak_rss_mb;
    report(result('replay: peak RSS, one day (kalshi-alpha replay, fresh process)', 'MB', peak, peak, 1, '<= 150 MB'));
  } else process.stderr.write(`replay bench: replay command failed: ${cmd.stderr}\n`);
  const child = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, 'replay-rss.ts'), DAY, String(SEED)], { encoding: 'utf8', cwd: path.join(here, '..') });
  if (child.status === 0) {
    const m = JSON.parse(child.stdout.trim().split('\n').pop()!) as { peak_mb: number; runtime_mb: number };
    report(result('replay: peak RSS, one day (through tsx, for comparison)', 'MB', m.peak_mb, m.peak_mb, 1, '<= 150 MB', { runtime_mb: m.runtime_mb, replay_mb: round(m.peak_mb - m.runtime_mb) }));
  } else process.stderr.write(`replay bench: RSS child failed: ${child.stderr}\n`);

  // Many days on 2 workers.
  const n = Number(process.env.REPLAY_BENCH_DAYS ?? 10);
  const days = tradingDaysFrom('2026-11-02', n, calendar);
  const jobs: DayJob[] = days.map((d, i) => ({ id: i, dateEt: d, seed: SEED, setting: 0, config, calendar: {}, paths }));
  const t0 = performance.now();
  const res = await runDayJobs(jobs, { workers: 2 });
  const wall = performance.now() - t0;
  const failed = res.filter((r) => !r.ok).length;
  // Workers start once (loader, modules, a cold first day): that part does not grow with the number of days.
  const dayMs = res.map((r) => r.wallMs).sort((a, b) => a - b);
  const perDay = dayMs[dayMs.length >> 1]!;
  const startup = Math.max(0, wall - dayMs.reduce((a, b) => a + b, 0) / 2);
  const est250 = n >= 250 ? wall / 1000 : (startup + (perDay * 250) / 2) / 1000;
  report(result(`replay: 250 days on 2 cores (${n} measured${n >= 250 ? '' : ', extrapolated'})`, 's', est250, est250, n, '<= 180 s', { measured_days: n, measured_s: round(wall / 1000), failed_days: failed, day_ms_in_worker_median: round(perDay), worker_startup_ms: round(startup), load_avg_1m: round(os.loadavg()[0]!) }));
}
