/**
 * The evaluation runs' day (issue 11, issue 21): a generated day through `kalshi-alpha replay`'s own path —
 * the real Supervisor and TradingSession over the in-process day (app/replay/generated-day.ts: the
 * simulator's exchanges behind the in-process venue and stream, the index paths behind the real DualFeed),
 * on the replay's discrete-event clock (app/replay/run.ts). The evaluation scripts add only what a replay
 * leaves to its caller: the calibration in the working root (writeSimCalibration, or the script's own), the
 * exchange's participant knobs, and the ledger's records in memory. Test tooling, not product.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeCalibration, calibrationPath } from '../../src/adapters/calibration/params-file.ts';
import { generatedDay } from '../../src/app/replay/generated-day.ts';
import type { GeneratedDayOptions } from '../../src/app/replay/inprocess-day.ts';
import { replayWindows, runReplayDay } from '../../src/app/replay/run.ts';
import { createCalendar } from '../../src/core/calendar/index.ts';
import { fitCalibration, type Bar } from '../../src/core/calibration/fit.ts';
import type { LedgerRecord } from '../../src/core/ledger/record.ts';
import type { SeriesCode } from '../../src/core/series.ts';
import { addDays, etToMs, weekday } from '../../src/core/time/et.ts';
import { defaultIndexOps, type IndexOpsConfig } from '../../src/config/index-ops.ts';
import { resolvePaths } from '../../src/config/paths.ts';
import { worldPath, type SimWorldKind, type SimWorldSetting } from '../../src/sim/day/world.ts';

export interface DayRunOptions {
  seed: number;
  dateEt: string;
  /** Working root: calibration under `data/proc/calib/index/…` (see writeSimCalibration), `configs/events.yaml` if any. */
  home: string;
  config?: IndexOpsConfig;
  /** Window labels to run (default every window of the day). */
  only?: readonly string[];
  /** Series to run per window (default the window's). */
  series?: readonly SeriesCode[];
  /** The simulated world (default `regime`). */
  world?: SimWorldSetting;
  /** Further options of every window's exchange (participants, …); taker intensity defaults to the simulator's. */
  exchange?: GeneratedDayOptions['exchange'];
}

export interface DayRunResult {
  records: LedgerRecord[];
  windows: { window: string; series: SeriesCode; quotes: number; fills: number; pnlUsd: number; status: string }[];
}

/** Replays one generated day (every window, or `only`) as `kalshi-alpha replay` does; returns the ledger records. */
export async function runSimDay(o: DayRunOptions): Promise<DayRunResult> {
  const calendar = createCalendar();
  const config = o.config ?? defaultIndexOps();
  const windows = replayWindows(o.dateEt, { calendar, config, only: o.only });
  const day = generatedDay({
    seed: o.seed,
    closeEt: calendar.session(o.dateEt).closeEt!,
    windows,
    ...(o.world ? { world: o.world } : {}),
    ...(o.exchange ? { exchange: o.exchange } : {}),
  });
  const r = await runReplayDay({ dateEt: o.dateEt, seed: o.seed, day, config, calendar, paths: resolvePaths(o.home), series: o.series, only: o.only });
  const out: DayRunResult['windows'] = [];
  for (const w of r.outcome.windows) for (const x of w.results) out.push({ window: w.window.id, series: x.series, quotes: x.quotesPlaced, fills: x.fills, pnlUsd: x.pnlUsd, status: x.status });
  return { records: r.records, windows: out };
}

/**
 * A calibration fitted on the simulator's own generated days (seed `seed`, `days` weekdays from `from`), by
 * the real fit (core/calibration/fit.ts), written where the engine reads it. Sessions are 09:30–16:00 on
 * every weekday, as the simulator generates them; the official closes are the values the exchange settles on
 * (so residual_std is fitted, as a simulated run's self-calibration fits it).
 */
export function writeSimCalibration(home: string, o: { seed: number; from: string; days: number; nowMs: number; world?: SimWorldKind }): void {
  const paths = resolvePaths(home);
  const dates: string[] = [];
  for (let d = o.from; dates.length < o.days; d = addDays(d, 1)) if (weekday(d) <= 5) dates.push(d);
  for (const symbol of ['I:SPX', 'I:NDX'] as const) {
    const bars: Bar[] = [];
    const closes = new Map<string, number>();
    for (const d of dates) {
      const open = etToMs(d, '09:30');
      const close = etToMs(d, '16:00');
      const p = worldPath(symbol, { seed: o.seed, dateEt: d, world: o.world }); // the world the evaluated days run (default regime)
      // Massive convention: a bar stamped at its start closes at the value one minute later.
      for (let t = open; t < close; t += 60_000) bars.push({ t, c: p.valueAt(t + 60_000) });
      closes.set(d, p.valueAt(close)); // the official close: what the exchange settles on
    }
    for (const horizon of ['hourly', 'close'] as const) {
      const { params } = fitCalibration({
        symbol,
        horizon,
        bars,
        barStamp: 'start',
        session: (d) => (weekday(d) <= 5 ? { openEt: '09:30', closeEt: '16:00' } : null),
        closes,
        kappaCap: 1.8,
        generatedAtMs: o.nowMs,
      });
      const file = calibrationPath(paths.calibDir, symbol, horizon);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      writeCalibration(file, params);
    }
  }
}
