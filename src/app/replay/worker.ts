/** A replay worker thread (days.ts): one generated day per message, a plain summary back. */
import { parentPort } from 'node:worker_threads';
import { createCalendar } from '../../core/calendar/calendar.ts';
import { generatedDay } from './generated-day.ts';
import { replayWindows, runReplayDay } from './run.ts';
import type { DayJob, DaySummary } from './days.ts';

async function run(job: DayJob): Promise<DaySummary> {
  const base = { id: job.id, dateEt: job.dateEt, setting: job.setting };
  try {
    const calendar = createCalendar(job.calendar);
    const windows = replayWindows(job.dateEt, { calendar, config: job.config, only: job.only });
    const closeEt = calendar.session(job.dateEt).closeEt!;
    const r = await runReplayDay({
      dateEt: job.dateEt,
      seed: job.seed,
      day: generatedDay({ seed: job.seed, closeEt, windows }),
      config: job.config,
      calendar,
      paths: job.paths,
      series: job.series,
      only: job.only,
      ledgerFile: job.ledgerFile,
    });
    const t = r.scoreboard.total;
    const ws = r.outcome.windows;
    return {
      ...base,
      ok: true,
      windows: ws.length,
      windowsDone: ws.filter((w) => w.state === 'done').length,
      windowsNoGo: ws.filter((w) => w.state === 'no_go').length,
      windowsError: ws.filter((w) => w.state === 'error').length,
      quotes: t.quotes,
      fills: t.fills,
      filledOrders: t.filled_orders,
      filledContracts: t.filled_contracts,
      pnlUsd: t.realized_pnl,
      brierSum: t.calibration.brier === null ? 0 : t.calibration.brier * t.calibration.n,
      logLossSum: t.calibration.log_loss === null ? 0 : t.calibration.log_loss * t.calibration.n,
      scored: t.calibration.n,
      wallMs: r.stats.wallMs,
      timers: r.stats.timers,
      cycles: r.stats.cycles,
    };
  } catch (e) {
    return { ...base, ok: false, error: (e as Error).message, windows: 0, windowsDone: 0, windowsNoGo: 0, windowsError: 0, quotes: 0, fills: 0, filledOrders: 0, filledContracts: 0, pnlUsd: 0, brierSum: 0, logLossSum: 0, scored: 0, wallMs: 0, timers: 0, cycles: 0 };
  }
}

parentPort?.on('message', (job: DayJob) => {
  void run(job).then((r) => parentPort!.postMessage(r));
});
