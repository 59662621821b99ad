/**
 * `sweep` (issue 20): a sweep as `replay --days N --from D --set …` runs it — SWEEP_BENCH_DAYS (default 6)
 * generated days × 2 settings on 2 worker threads (the built bundle) — in days per second per core. The
 * median and p99 are over the (day × setting) jobs, each job's rate being 1 / its wall time inside its
 * worker; `overall` divides all the jobs by the elapsed time × 2 (worker start-up and cold first days
 * included). Target: 250 days × 2 settings on 2 cores ≤ 90 s, i.e. ≥ 2.78 days/s per core.
 */
import os from 'node:os';
import { round, type Report } from './harness.ts';
import { result, SEED, calendar, config, paths } from './replay.bench.ts';
import { runDayJobs, tradingDaysFrom, type DayJob } from '../src/app/replay/days.ts';
import { expandSettings, parseSetFlags } from '../src/app/replay/settings.ts';

const WORKERS = 2;

export default async function run(report: Report): Promise<void> {
  const n = Number(process.env.SWEEP_BENCH_DAYS ?? 6);
  const days = tradingDaysFrom('2026-11-02', n, calendar);
  const settings = expandSettings(config, parseSetFlags(['quotes.min_ev_usd=0.03,0.05']));
  const jobs: DayJob[] = [];
  settings.forEach((s, si) => days.forEach((d) => jobs.push({ id: jobs.length, dateEt: d, seed: SEED, setting: si, config: s.config, calendar: {}, paths })));
  const t0 = performance.now();
  const res = await runDayJobs(jobs, { workers: WORKERS });
  const wallS = (performance.now() - t0) / 1000;
  const ok = res.filter((r) => r.ok);
  const rates = ok.map((r) => 1000 / r.wallMs).sort((a, b) => a - b);
  const overall = ok.length / wallS / WORKERS;
  report(
    result('sweep', 'days/s/core', rates[rates.length >> 1] ?? NaN, rates[Math.floor(rates.length * 0.01)] ?? NaN, ok.length, '>= 2.78 days/s/core', {
      overall_days_per_s_per_core: round(overall),
      jobs: jobs.length,
      failed_jobs: jobs.length - ok.length,
      wall_s: round(wallS),
      est_250_days_x_2_settings_on_2_cores_s: round(500 / (overall * WORKERS)),
      est_target: '<= 90 s',
      load_avg_1m: round(os.loadavg()[0]!),
    }),
  );
}
