/**
 * Runs the real Supervisor in-process against the simulator through the real adapters on a flowing
 * virtual clock (the tests of the supervisor, its faults and its restarts share this one driver).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Supervisor, plannedWindows, type SupervisorOptions, type SupervisorOutcome } from '../../src/app/supervisor.ts';
import { virtualStart } from '../../src/app/micro-index.ts';
import { simClock, type MarketAdapters } from '../../src/app/market-adapters.ts';
import type { TradingSession } from '../../src/app/session.ts';
import { createCalendar } from '../../src/core/calendar/calendar.ts';
import { etToMs } from '../../src/core/time/et.ts';
import { defaultIndexOps, type IndexOpsConfig } from '../../src/config/index-ops.ts';
import { resolvePaths, type Paths } from '../../src/config/paths.ts';
import { readLedgerFile } from '../../src/adapters/ledger/ledger-reader.ts';
import type { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import type { LedgerRecord } from '../../src/core/ledger/record.ts';
import { tempHome } from './cli.ts';
import { captureLog } from './log.ts';

export const calendar = createCalendar();
export const DATE = '2026-11-20';
export const at = (hhmmss: string) => etToMs(DATE, hhmmss);
export const repoRoot = path.resolve(import.meta.dirname, '../..');

export interface Run {
  out: SupervisorOutcome;
  lines: string[];
  paths: Paths;
  home: string;
  records: LedgerRecord[];
}

export interface Scenario {
  nowIso: string;
  speed?: number;
  config?: IndexOpsConfig;
  opts?: Partial<SupervisorOptions>;
  /** Options that need the run's paths (e.g. a ledger sink on the run's ledger file). */
  optsFor?: (paths: Paths) => Partial<SupervisorOptions>;
  rawEnv?: Record<string, string>;
  /** Before the run (files in the home). */
  prepare?: (home: string, paths: Paths) => void;
  /** Once the day's simulator and session are open (schedule scenario events on the clock). */
  during?: (x: { clock: VirtualClock; adapters: MarketAdapters; session: TradingSession; paths: Paths; home: string }) => void;
}

export async function supervise(s: Scenario): Promise<Run> {
  const home = tempHome('ka-sup-');
  const paths = resolvePaths(home);
  const config = s.config ?? defaultIndexOps();
  const refNow = Date.parse(s.nowIso);
  const first = plannedWindows(refNow, { calendar, config }, { loop: false }).next().value!;
  const clock = simClock(virtualStart(refNow, first, 20_000), s.speed ?? 20);
  const { log, lines } = captureLog(clock);
  s.prepare?.(home, paths);
  const sup = new Supervisor(
    {
      source: 'sim',
      broker: 'dry',
      seed: 20261120,
      refNowMs: refNow,
      loop: false,
      sleepSeconds: 30,
      killSwitchFile: paths.killSwitch,
      preflightRetryMs: 60_000,
      settle: false,
      noWsListen: false,
      startupTimeoutMs: 60_000,
      openLeadMs: 20_000,
      onDayOpen: (d) => s.during?.({ clock, adapters: d.adapters, session: d.session, paths, home }),
      ...s.opts,
      ...s.optsFor?.(paths),
    },
    { paths, config, calendar, env: {}, rawEnv: s.rawEnv ?? {}, clock, log },
  );
  try {
    const out = await sup.run();
    const records = fs.existsSync(paths.ledger) ? readLedgerFile(paths.ledger).records : [];
    return { out, lines, paths, home, records };
  } finally {
    clock.dispose();
  }
}

export const quotes = (r: LedgerRecord[]) => r.filter((x) => x.type === 'quote');
export const count = (lines: string[], re: RegExp) => lines.filter((l) => re.test(l)).length;

/** Every quote placed before `t` was cancelled (or filled to completion) by `t + withinMs`; returns the ids that were not. */
export function allWithdrawnBy(records: LedgerRecord[], t: number, withinMs: number): string[] {
  const closedAt = new Map<string, number>();
  for (const r of records) {
    const done = r.type === 'cancel' || (r.type === 'paper_fill' && r.filled_total >= r.size);
    if (done && !closedAt.has(r.client_order_id)) closedAt.set(r.client_order_id, r.ts_ms);
  }
  const late: string[] = [];
  for (const q of quotes(records)) {
    if (q.ts_ms >= t) continue;
    const c = closedAt.get(q.client_order_id);
    if (c !== undefined && c < t) continue; // withdrawn before the event anyway
    if (c === undefined || c > t + withinMs) late.push(q.client_order_id);
  }
  return late;
}

