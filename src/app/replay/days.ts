/**
 * `replay --days N --from D` (SPEC §9): many generated days in parallel across CPU cores. Each worker
 * thread replays one day at a time (its own discrete-event clock, in-memory ledger) and sends back a plain
 * JSON summary; the parent aggregates one row per setting. Deterministic per (day, seed, setting): the
 * order in which workers finish changes nothing in the result.
 */
import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../config/package-root.ts';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { TradingCalendar, CalendarOverrides } from '../../core/calendar/calendar.ts';
import type { SeriesCode } from '../../core/series.ts';
import { addDays } from '../../core/time/et.ts';
import type { Paths } from '../../config/paths.ts';
import { ReplayInputError } from './run.ts';
import type { Setting } from './settings.ts';

/** One (day, setting) to replay. */
export interface DayJob {
  id: number;
  dateEt: string;
  seed: number;
  setting: number;
  config: Setting['config'];
  calendar: CalendarOverrides;
  paths: Paths;
  series?: SeriesCode[];
  only?: string[];
  /** Write this job's ledger here (default: in memory only). */
  ledgerFile?: string;
}

/** What a worker sends back for one job: numbers to aggregate, never records. */
export interface DaySummary {
  id: number;
  dateEt: string;
  setting: number;
  ok: boolean;
  error?: string;
  windows: number;
  windowsDone: number;
  windowsNoGo: number;
  windowsError: number;
  quotes: number;
  fills: number;
  filledOrders: number;
  filledContracts: number;
  pnlUsd: number;
  /** Σ Brier × n and n (markets scored), to pool across days. */
  brierSum: number;
  logLossSum: number;
  scored: number;
  wallMs: number;
  timers: number;
  cycles: number;
}

export interface SettingRow {
  setting: string;
  overrides: Record<string, unknown>;
  days: number;
  failed_days: number;
  windows: number;
  no_go_windows: number;
  quotes: number;
  fills: number;
  filled_orders: number;
  fill_rate: number | null;
  filled_contracts: number;
  pnl_usd: number;
  brier: number | null;
  log_loss: number | null;
  scored_markets: number;
}

/** The first `n` trading days from `from` (inclusive), by the calendar. */
export function tradingDaysFrom(from: string, n: number, calendar: TradingCalendar): string[] {
  const out: string[] = [];
  let d = from;
  for (let i = 0; out.length < n; i++, d = addDays(d, 1)) {
    if (i > 3660) throw new ReplayInputError(`fewer than ${n} trading days from ${from}`);
    if (calendar.isTradingDay(d)) out.push(d); // CalendarRangeError past the table's last year
  }
  return out;
}

/** One row per setting from the days' summaries (in job order: the sums are then the same whoever ran them). */
export function aggregate(settings: readonly Pick<Setting, 'label' | 'overrides'>[], results: readonly DaySummary[]): SettingRow[] {
  return settings.map((s, i) => {
    const rs = results.filter((r) => r.setting === i);
    const ok = rs.filter((r) => r.ok);
    const sum = (f: (r: DaySummary) => number) => ok.reduce((a, r) => a + f(r), 0);
    const quotes = sum((r) => r.quotes);
    const filled = sum((r) => r.filledOrders);
    const scored = sum((r) => r.scored);
    return {
      setting: s.label,
      overrides: s.overrides,
      days: ok.length,
      failed_days: rs.length - ok.length,
      windows: sum((r) => r.windows),
      no_go_windows: sum((r) => r.windowsNoGo),
      quotes,
      fills: sum((r) => r.fills),
      filled_orders: filled,
      fill_rate: quotes > 0 ? filled / quotes : null,
      filled_contracts: Math.round(sum((r) => r.filledContracts) * 100) / 100,
      pnl_usd: Math.round(sum((r) => r.pnlUsd) * 1e6) / 1e6,
      brier: scored > 0 ? sum((r) => r.brierSum) / scored : null,
      log_loss: scored > 0 ? sum((r) => r.logLossSum) / scored : null,
      scored_markets: scored,
    };
  });
}

export interface PoolOptions {
  workers?: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

/** Runs the jobs on worker threads (at most `workers`, default the cores available); results in job order. */
export async function runDayJobs(jobs: readonly DayJob[], o: PoolOptions = {}): Promise<DaySummary[]> {
  const size = Math.max(1, Math.min(jobs.length, o.workers ?? os.availableParallelism()));
  const results: DaySummary[] = new Array(jobs.length);
  let next = 0;
  let done = 0;
  const runOn = (w: Worker) =>
    new Promise<void>((resolve, reject) => {
      const feed = () => {
        if (o.signal?.aborted || next >= jobs.length) return resolve();
        w.postMessage(jobs[next++]);
      };
      w.on('message', (r: DaySummary) => {
        results[jobs.findIndex((j) => j.id === r.id)] = r;
        o.onProgress?.(++done, jobs.length);
        feed();
      });
      w.on('error', reject);
      w.on('exit', (code) => (next < jobs.length && !o.signal?.aborted ? reject(new Error(`replay worker exited (${code})`)) : resolve()));
      feed();
    });
  const workers = Array.from({ length: size }, () => startWorker());
  try {
    await Promise.all(workers.map(runOn));
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  if (o.signal?.aborted) throw o.signal.reason ?? new Error('aborted');
  return results;
}

/**
 * A worker running worker.ts: from the built bundle (`dist/replay-worker.js`) when this code runs from it,
 * else the TypeScript source through tsx's loader, registered per thread (harmless when the process was
 * started with `--import tsx`).
 */
function startWorker(): Worker {
  const built = path.join(packageRoot(), 'dist', 'replay-worker.js');
  if (import.meta.url.includes('/dist/') && fs.existsSync(built)) return new Worker(built);
  const entry = new URL('./worker.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true });
}
