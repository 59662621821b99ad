/**
 * What every run mode gets from its command (paths, config, calendar, env, the run's clock and logger), and
 * the trading-session options every mode derives from it the same way: a mode is a small preset over the
 * one composition root (session.ts), never a second set of wiring.
 */
import type { Clock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import type { TradingCalendar } from '../core/calendar/calendar.ts';
import type { AppEnv, RawEnv } from '../config/env.ts';
import type { IndexOpsConfig } from '../config/index-ops.ts';
import type { Paths } from '../config/paths.ts';
import type { MarketAdapters, OpenAdaptersOptions } from './market-adapters.ts';
import type { SessionOptions } from './session.ts';
import type { SimEnvOptions } from './sim-env.ts';

export interface RunContext {
  paths: Paths;
  config: IndexOpsConfig;
  calendar: TradingCalendar;
  env: AppEnv;
  rawEnv: RawEnv;
  /** The run's clock, created by the caller (system, or virtual for sim/offline/replay). */
  clock: Clock;
  log: Logger;
  signal?: AbortSignal;
}

/** The run flags that shape a trading session. */
export interface SessionFlags {
  broker: SessionOptions['broker'];
  killSwitchFile: string;
  settle: boolean;
  requoteIntervalMs?: number;
}

/** Session options from the run context and flags; the live approval is read from the raw environment. */
export function sessionOptionsFor(c: RunContext, o: SessionFlags, adapters: MarketAdapters): SessionOptions {
  return {
    adapters,
    clock: c.clock,
    log: c.log,
    paths: c.paths,
    config: c.config,
    broker: o.broker,
    liveApproval: c.rawEnv.KALSHI_LIVE_APPROVED,
    killSwitchFile: o.killSwitchFile,
    signal: c.signal,
    settle: o.settle,
    requoteIntervalMs: o.requoteIntervalMs,
  };
}

/** The run flags that shape the day's adapters. */
export interface AdapterFlags {
  seed: number;
  /** Simulator scenario options (sim only; e.g. `world: 'classic'`). */
  sim?: Partial<SimEnvOptions>;
  noWsListen?: boolean;
  startupTimeoutMs?: number;
  startupClock?: Clock;
}

/** The options of one day's adapters from the run context and flags, the same in every mode. */
export function adapterOptionsFor(c: RunContext, o: AdapterFlags, dateEt: string): OpenAdaptersOptions {
  return {
    clock: c.clock,
    config: c.config,
    log: c.log,
    signal: c.signal,
    env: c.env,
    paths: c.paths,
    seed: o.seed,
    sim: o.sim,
    dateEt,
    noWsListen: o.noWsListen,
    startupTimeoutMs: o.startupTimeoutMs,
    startupClock: o.startupClock,
  };
}
