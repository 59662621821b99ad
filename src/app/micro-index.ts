/**
 * `micro-index`: one series through one window (SPEC §2) — a thin preset over the trading session:
 * open the day's adapters for the source, open the session, run the window with one series, close.
 */
import type { Clock } from '../ports/clock.ts';
import { activeOrNextWindow, type TradingWindow } from '../core/windows.ts';
import type { SeriesCode } from '../core/series.ts';
import type { SeriesWindowResult } from '../engine/series-window.ts';
import { VirtualClock } from '../adapters/clock/virtual-clock.ts';
import { openMarketAdapters, type DataSource } from './market-adapters.ts';
import { TradingSession } from './session.ts';
import type { SimEnvOptions } from './sim-env.ts';
import { adapterOptionsFor, sessionOptionsFor, type RunContext } from './run-context.ts';
import { selfCalibrateForRun } from './sim-calibration.ts';

export type { DataSource } from './market-adapters.ts';
export type { RunContext } from './run-context.ts';

export interface MicroIndexOptions {
  series: SeriesCode;
  source: DataSource;
  window: TradingWindow;
  broker: 'dry' | 'live';
  seed: number;
  killSwitchFile: string;
  /** Wait for the exchange's result after the target and settle paper fills (default on). */
  settle: boolean;
  requoteIntervalMs?: number;
  noWsListen?: boolean;
  startupTimeoutMs?: number;
  /** The clock start-up deadlines run on (a simulated clock that holds until its first sleep needs real time). */
  startupClock?: Clock;
  /** Simulator scenario options (`--sim`; e.g. `world: 'classic'`). */
  sim?: Partial<SimEnvOptions>;
}

export interface MicroIndexOutcome {
  window: TradingWindow;
  source: DataSource;
  ledger: string;
  result: SeriesWindowResult;
}

/** The window `micro-index` runs at a reference instant: the active one, or the next (for the series). */
export function microIndexWindow(refNowMs: number, series: SeriesCode, c: Pick<RunContext, 'calendar' | 'config'>): TradingWindow {
  return activeOrNextWindow(refNowMs, c.calendar, { series, cfg: c.config.windows });
}

/** Where a virtual run begins: `refNow` inside the window, else `lead` ms before its start. */
export function virtualStart(refNow: number, w: TradingWindow, lead: number): number {
  return refNow >= w.startMs ? refNow : Math.max(refNow, w.startMs - lead);
}

export async function runMicroIndex(o: MicroIndexOptions, c: RunContext): Promise<MicroIndexOutcome> {
  selfCalibrateForRun(o.source, c, o.seed, o.window.dateEt, o.sim?.world);
  const adapters = await openMarketAdapters(o.source, adapterOptionsFor(c, o, o.window.dateEt));
  const session = await TradingSession.open(sessionOptionsFor(c, o, adapters)).catch(async (e) => {
    await adapters.close();
    throw e;
  });
  try {
    const run = session.runWindow(o.window, [o.series]);
    const { results } = await onClock(c.clock, run);
    return { window: o.window, source: o.source, ledger: c.paths.ledger, result: results[0]! };
  } finally {
    await session.close(c.signal?.aborted ? 'shutdown' : 'session_end');
  }
}

/**
 * A manual virtual clock (speed 0) is driven timer by timer until `p` settles; other clocks (including a
 * flowing clock that still holds until its first sleep) flow by themselves.
 */
export function onClock<T>(clock: Clock, p: Promise<T>): Promise<T> {
  return clock instanceof VirtualClock && clock.currentSpeed === 0 && !clock.holding ? clock.drive(p) : p;
}
