/**
 * Runs the real Supervisor in-process, two ways (the tests of the supervisor, its faults and its restarts
 * share these drivers):
 * - `supervise`: against the simulator on loopback through the real adapters (signed Kalshi REST +
 *   websocket, Massive feeds) on a flowing virtual clock. Real latency (socket round trips, fdatasync)
 *   becomes virtual time there, so its tests assert protocol, order and outcome — never a virtual-time bound.
 * - `superviseInProcess`: the same Supervisor, session, engine, quoting state, dry broker, paper exchange and
 *   files (ledger, orders.json, REPORT.md, snapshot, monitors, kill switch) over the in-process generated day
 *   of `replay` (the simulator's exchange without sockets, the real DualFeed over in-memory feeds) on the
 *   discrete-event clock. Time stands still while work happens — all file I/O is synchronous — so a bound
 *   ("cancelled within one cycle", "failover within the SLO") holds or fails the same on any machine.
 */
import fs from 'node:fs';
import path from 'node:path';
import { FileLock } from '../../src/adapters/fs/file-lock.ts';
import { Supervisor, supervisorLockPath, plannedWindows, type SupervisorOptions, type SupervisorOutcome } from '../../src/app/supervisor.ts';
import { virtualStart } from '../../src/app/micro-index.ts';
import { simClock, type MarketAdapters } from '../../src/app/market-adapters.ts';
import type { TradingSession } from '../../src/app/session.ts';
import { createCalendar } from '../../src/core/calendar/calendar.ts';
import { etToMs } from '../../src/core/time/et.ts';
import { defaultIndexOps, type IndexOpsConfig } from '../../src/config/index-ops.ts';
import { resolvePaths, type Paths } from '../../src/config/paths.ts';
import { readLedgerFile } from '../../src/adapters/ledger/ledger-reader.ts';
import type { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { EventClock } from '../../src/adapters/clock/event-clock.ts';
import type { TimerHandle } from '../../src/ports/clock.ts';
import type { GeneratedDayOptions } from '../../src/app/replay/inprocess-day.ts';
import { generatedDay } from '../../src/app/replay/generated-day.ts';
import { InProcessControls } from '../../src/sim/inprocess/controls.ts';
import type { LogFormat } from '../../src/adapters/log/logger.ts';
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

export interface ScenarioBase {
  nowIso: string;
  config?: IndexOpsConfig;
  opts?: Partial<SupervisorOptions>;
  /** Options that need the run's paths (e.g. a ledger sink on the run's ledger file). */
  optsFor?: (paths: Paths) => Partial<SupervisorOptions>;
  rawEnv?: Record<string, string>;
  /** Before the run (files in the home). */
  prepare?: (home: string, paths: Paths) => void;
}

/** Supervisor options every driver shares (single window, dry, no settlement unless asked). */
function baseOptions(paths: Paths, refNowMs: number): SupervisorOptions {
  return {
    source: 'sim',
    broker: 'dry',
    seed: 20261120,
    refNowMs,
    loop: false,
    sleepSeconds: 30,
    killSwitchFile: paths.killSwitch,
    preflightRetryMs: 60_000,
    settle: false,
    noWsListen: false,
    startupTimeoutMs: 60_000,
    openLeadMs: 20_000,
  };
}

export interface Scenario extends ScenarioBase {
  speed?: number;
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
      ...baseOptions(paths, refNow),
      onDayOpen: (d) => s.during?.({ clock, adapters: d.adapters, session: d.session, paths, home }),
      ...s.opts,
      // The classic world (one volatility every day, the default σ curve its law): these scenarios test
      // operations (failover, faults, stand-down), and each needs the market quoted in the seconds it checks;
      // the regime world's quiet or wild days are the model's tests (test/sim, test/eval), not these.
      sim: { world: 'classic', ...s.opts?.sim },
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

/** The instant of the first log line (text format) matching `re` at or after `after`, if any. */
export function loggedAt(lines: string[], re: RegExp, after = Number.NEGATIVE_INFINITY): number | undefined {
  for (const l of lines) {
    if (!re.test(l)) continue;
    const t = Date.parse(l.slice(0, l.indexOf(' ')));
    if (t >= after) return t;
  }
  return undefined;
}

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


// ---- in-process, on the discrete-event clock ----

export interface InProcessDuring {
  clock: EventClock;
  controls: InProcessControls;
  adapters: MarketAdapters;
  session: TradingSession;
  paths: Paths;
  home: string;
  /** Runs `fn` at the absolute instant `t` of the run's clock. */
  atT(t: number, fn: () => void): TimerHandle;
}

export interface InProcessScenario extends ScenarioBase {
  /** The working root (default a fresh one): a restart reuses the root of the run it follows. */
  home?: string;
  /** Options of the generated day (taker intensity, maintenance slots: `exchange`). */
  day?: Partial<Pick<GeneratedDayOptions, 'exchange' | 'tickIntervalMs' | 'world'>>;
  /** Log format of `lines` (json carries ms timestamps: `ts_ms`). */
  logFormat?: LogFormat;
  /** Once the day's adapters and session are open (schedule scenario events on the clock). */
  during?: (x: InProcessDuring) => void;
}

/** A started in-process supervisor, not yet driven: `drive()` to the end, or `advanceTo()` and abandon it. */
export interface InProcessHandle {
  clock: EventClock;
  controls: InProcessControls;
  lines: string[];
  paths: Paths;
  home: string;
  sup: Supervisor;
  /** The run itself (settles when the supervisor returns). */
  run: Promise<SupervisorOutcome>;
  /** The records on disk now. */
  records(): LedgerRecord[];
  /**
   * Abandons the run as a crash would, at the clock's current instant: no cancel, no last snapshot, no
   * cleanup; its timers never fire again. Work already under way at that instant (promise continuations,
   * a queued snapshot write) finishes first — a kill at any byte is the real-process drill's
   * (test/restart/drill.test.ts). The working root's supervisor lock is released as the OS's would be.
   */
  crash(): Promise<void>;
}

export function startInProcess(s: InProcessScenario): InProcessHandle {
  const home = s.home ?? tempHome('ka-inproc-');
  const paths = resolvePaths(home);
  const config = s.config ?? defaultIndexOps();
  const refNow = Date.parse(s.nowIso);
  const first = plannedWindows(refNow, { calendar, config }, { loop: false }).next().value!;
  const clock = new EventClock(virtualStart(refNow, first, 20_000));
  const { log, lines } = captureLog(clock, s.logFormat);
  const controls = new InProcessControls();
  s.prepare?.(home, paths);
  const day = generatedDay({ seed: s.opts?.seed ?? 20261120, closeEt: calendar.session(first.dateEt).closeEt!, windows: [first], controls, world: 'classic', ...s.day }); // classic: see supervise()
  const opts: SupervisorOptions = {
    ...baseOptions(paths, refNow),
    source: 'replay',
    ...s.opts,
    ...s.optsFor?.(paths),
  };
  const sup = new Supervisor(
    {
      ...opts,
      composition: { ...opts.composition, adapters: { replay: day } },
      onDayOpen: (d) => {
        opts.onDayOpen?.(d);
        s.during?.({ clock, controls, adapters: d.adapters, session: d.session, paths, home, atT: (t, fn) => clock.at(t, fn) });
      },
    },
    { paths, config, calendar, env: {}, rawEnv: s.rawEnv ?? {}, clock, log },
  );
  // Started now, driven by the caller: nothing happens until the clock moves (or a turn passes).
  const run = sup.run();
  run.catch(() => {}); // an abandoned run's failure is nobody's (drive() rethrows for a driven one)
  const records = () => (fs.existsSync(paths.ledger) ? readLedgerFile(paths.ledger).records : []);
  const crash = async () => {
    for (let i = 0; i < 10; i++) await new Promise<void>((r) => setImmediate(r));
    new FileLock(supervisorLockPath(paths)).release();
  };
  return { clock, controls, lines, paths, home, sup, run, records, crash };
}

/** Runs a scenario in-process on the discrete-event clock to the end (see the header). */
export async function superviseInProcess(s: InProcessScenario): Promise<Run & { controls: InProcessControls }> {
  const h = startInProcess(s);
  const out = await h.clock.drive(h.run);
  return { out, lines: h.lines, paths: h.paths, home: h.home, records: h.records(), controls: h.controls };
}
