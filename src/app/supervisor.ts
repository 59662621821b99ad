/**
 * `supervisor-index` (SPEC §6.1–§6.5): the trading day. For each window in order — wait for its start →
 * preflight (transient NO-GO retried inside the window) → run every series of the window concurrently
 * through the trading session → monitors → next. Single-window mode runs the active or next window and
 * returns; `--loop` walks every window of every trading day. One set of connections per day (opened
 * shortly before the day's first window), a fresh loss budget per day, errors contained per window.
 *
 * Around the windows it keeps the operator informed: the snapshot (`hot_restart.json`, every second and
 * on every order change), the monitors (`freshness.json`, `ev_gap.json`), REPORT.md incidents (NO-GO
 * windows, stand-downs, maintenance, cancel-alls) and one log line per window as it starts and ends.
 *
 * This file is the day loop (lock, plan, open and close each day, wait); beside it in supervisor/: the window
 * runner (window-runner.ts), the incidents it reports (incidents.ts), the snapshot and monitors (reports.ts),
 * the run's state they share (state.ts), the plan and tallies (windows.ts) and the root's lock (lock.ts).
 */
import fs from 'node:fs';
import { FileLock, describeOwner } from '../adapters/fs/file-lock.ts';
import { onCaptureRequest } from './last-resort.ts';
import type { BrokerMode } from '../ports/broker.ts';
import type { Clock } from '../ports/clock.ts';
import type { SeriesCode } from '../core/series.ts';
import type { TradingWindow } from '../core/windows.ts';
import type { FailoverTransition } from '../core/feed/failover.ts';
import { VirtualClock } from '../adapters/clock/virtual-clock.ts';
import { clockKindOf } from '../adapters/clock/system-clock.ts';
import { openMarketAdapters, type DataSource, type MarketAdapters, type OpenAdaptersOptions } from './market-adapters.ts';
import type { SimEnvOptions } from './sim-env.ts';
import type { ResumePlan } from './recovery.ts';
import { TradingSession, type SessionOptions } from './session.ts';
import { readSnapshot, restoreVerdict } from './snapshot.ts';
import { adapterOptionsFor, sessionOptionsFor, type RunContext } from './run-context.ts';
import { selfCalibrateForRun } from './sim-calibration.ts';
import { supervisorLockPath, SupervisorLocked } from './supervisor/lock.ts';
import { lookahead, plannedWindows, type SupervisedWindow } from './supervisor/windows.ts';
import { RunState, type Day } from './supervisor/state.ts';
import { RunReports } from './supervisor/reports.ts';
import { WindowRunner } from './supervisor/window-runner.ts';
import { watchFeedIncidents } from './supervisor/incidents.ts';

export { plannedWindows, summarise, type SupervisedWindow } from './supervisor/windows.ts';
export { supervisorHolder, supervisorLockPath, SupervisorLocked } from './supervisor/lock.ts';

export interface SupervisorOptions {
  source: DataSource;
  broker: BrokerMode;
  seed: number;
  refNowMs: number;
  loop: boolean;
  /** Longest single sleep between checks while waiting (SPEC §2 --sleep-seconds). */
  sleepSeconds: number;
  /** Loop: stop after this many trading days (default: never). */
  days?: number;
  /** Only these window labels (e.g. `hourly-1500`, `close-1600`); default all. */
  only?: readonly string[];
  /** Only these series within each window; default all of the window's. */
  series?: readonly SeriesCode[];
  killSwitchFile: string;
  preflightRetryMs: number;
  settle: boolean;
  noWsListen: boolean;
  startupTimeoutMs: number;
  /** The clock start-up deadlines run on (default the run's clock; see AdapterContext.startupClock). */
  startupClock?: Clock;
  /** Open the day's connections this long before its first window (default 2 min; sim 20 s). */
  openLeadMs: number;
  requoteIntervalMs?: number;
  /** Write hot_restart.json (default true). */
  snapshot?: boolean;
  /** Simulator scenario options (sim only: maintenance slots, taker intensity, …). */
  sim?: Partial<SimEnvOptions>;
  /** Restore a snapshot at most this old (SPEC §6.6 --max-restore-age, default 5 s). */
  maxRestoreAgeMs?: number;
  /**
   * Replay and recording (SPEC §9): what a replay builds in place of the day's connections, or the
   * recorder (`--record`); session overrides (a replay writes its own ledger, no orders.json, no REPORT.md,
   * no kill-switch file); `monitors: false` leaves reports/_artifacts/monitors alone.
   */
  composition?: {
    adapters?: Pick<OpenAdaptersOptions, 'replay' | 'record'>;
    session?: Partial<Pick<SessionOptions, 'ordersFile' | 'report' | 'ledgerSink' | 'killSwitchFile' | 'onQuotingState'>>;
    monitors?: boolean;
  };
  /** Told each day's adapters and session once they are open (tests drive simulator scenarios with it). */
  onDayOpen?: (day: { dateEt: string; adapters: MarketAdapters; session: TradingSession }) => void;
}

export interface SupervisorOutcome {
  windows: SupervisedWindow[];
  /** Why the run ended early (signal), if it did. */
  stoppedBy?: string;
  /** Every feed failover transition seen (for the closing summary and tests). */
  transitions: FailoverTransition[];
  /** Orders cancelled when the run stopped. */
  cancelledOnStop: number;
}

export class Supervisor {
  private readonly s: RunState;
  private readonly reports: RunReports;
  private readonly windows: WindowRunner;

  constructor(
    private readonly o: SupervisorOptions,
    private readonly c: RunContext,
  ) {
    this.s = new RunState(c.clock.now());
    this.reports = new RunReports({ source: o.source, broker: o.broker, killSwitchFile: o.killSwitchFile, snapshot: o.snapshot, monitors: o.composition?.monitors }, c, this.s);
    this.windows = new WindowRunner(o, c, this.s, this.reports, { until: (t) => this.waitUntil(t, false), sleep: (ms) => this.sleep(ms) });
  }

  private get now(): number {
    return this.c.clock.now();
  }

  async run(): Promise<SupervisorOutcome> {
    const { c } = this;
    // One supervisor per working root: a second one refuses (a lock, not a race).
    const lock = new FileLock(supervisorLockPath(c.paths));
    fs.mkdirSync(c.paths.stateDir, { recursive: true });
    const held = lock.tryAcquire();
    if (!held.ok) throw new SupervisorLocked(`another supervisor holds this working root (${describeOwner(held.owner)}); refusing to start a second one`);
    const unregister = onCaptureRequest(() => this.reports.writeSnapshotNow(true));
    try {
      return await this.runLocked();
    } finally {
      unregister();
      lock.release();
      lock.dispose();
    }
  }

  private async runLocked(): Promise<SupervisorOutcome> {
    const { c, o, s, reports } = this;
    const planned = lookahead(plannedWindows(o.refNowMs, c, o), 8);
    const firstWindow = planned.peek()[0];
    if (firstWindow) selfCalibrateForRun(o.source, c, o.seed, firstWindow.dateEt, o.sim?.world);
    s.resume = this.resumePlan(firstWindow);
    if (s.resume) s.resumeWindow = planned.peek()[0];
    let cancelledOnStop = 0;
    let stoppedBy: string | undefined;
    reports.startSnapshots();
    reports.measureLoopDelay(true);
    try {
      for (;;) {
        const w = planned.next();
        if (!w) break;
        s.upcoming = planned.peek();
        if (c.signal?.aborted) break;
        if (!s.day || s.day.dateEt !== w.dateEt) {
          await this.closeDay('day_end');
          if (!s.resume) await this.waitUntil(w.startMs - o.openLeadMs, true);
          if (c.signal?.aborted) break;
          s.day = await this.openDay(w.dateEt);
        }
        await this.windows.run(w, s.day);
        s.resume = undefined;
        s.resumeWindow = undefined;
      }
    } catch (e) {
      if (!c.signal?.aborted) throw e;
    } finally {
      if (c.signal?.aborted) stoppedBy = String((c.signal.reason as Error)?.message ?? c.signal.reason ?? 'aborted');
      cancelledOnStop = await this.closeDay(c.signal?.aborted ? 'shutdown' : 'session_end');
      reports.stopSnapshots();
      reports.writeSnapshotNow(false);
      reports.measureLoopDelay(false);
    }
    return { windows: [...s.entries.values()], stoppedBy, transitions: s.transitions, cancelledOnStop };
  }

  /**
   * What the last snapshot lets this start resume: its quoting state, when it is fresh (≤ max-restore-age)
   * and describes the window this run starts in (snapshot.ts: restoreVerdict). A corrupt or future-dated
   * snapshot is set aside; one of another clock (a simulated session's, judged by a real-clock start, or a
   * simulated session that ran further than this one starts) is said plainly and left for this run to replace.
   */
  private resumePlan(first: TradingWindow | undefined): ResumePlan | undefined {
    const maxAge = this.o.maxRestoreAgeMs ?? 5_000;
    const read = readSnapshot(this.c.paths.hotRestart, this.now, { setAside: true, clock: clockKindOf(this.c.clock) });
    const v = restoreVerdict(read, { maxAgeMs: maxAge, windowId: first?.id });
    if (!v.restorable) {
      if (read.kind === 'invalid') this.c.log.error({ reason: read.reason, set_aside: read.setAsidePath }, 'hot_restart.json is not trustworthy: set aside, starting without it');
      else if (read.kind === 'other_clock') this.c.log[v.level === 'warn' ? 'warn' : 'info'](`hot_restart.json is a snapshot of another clock, not restorable by this run (${read.reason}); starting without it`);
      else if (v.level === 'warn') this.c.log.warn({ reason: v.reason }, 'snapshot too old to resume from: orders from before the restart are closed out');
      return undefined;
    }
    this.c.log.info({ age_ms: v.ageMs, window_id: v.windowId, series: v.quoting.length }, 'hot restart: resuming the window from the snapshot');
    return { windowId: v.windowId, quoting: v.quoting, queue: v.queue, snapshotAgeMs: v.ageMs };
  }

  // ---- the day's connections ----

  private async openDay(dateEt: string): Promise<Day> {
    const { c, o } = this;
    c.log.info({ date: dateEt, source: o.source }, 'opening the day: connections and session');
    const adapters = await openMarketAdapters(o.source, {
      ...adapterOptionsFor(c, o, dateEt),
      ...o.composition?.adapters,
    });
    let session: TradingSession;
    try {
      session = await TradingSession.open({
        ...sessionOptionsFor(c, o, adapters),
        onQuotingState: (s) => {
          this.s.quoting.set(`${s.windowId}|${s.series}`, s);
          this.reports.queueSnapshot();
        },
        resume: this.s.resume && this.s.resume.windowId.startsWith(`${dateEt}/`) ? this.s.resume : undefined,
        ...o.composition?.session,
      });
    } catch (e) {
      await adapters.close();
      throw e;
    }
    const disposers: (() => void)[] = [];
    const dual = adapters.feeds?.dual;
    if (dual) disposers.push(watchFeedIncidents(dual, session, this.s, () => this.now));
    o.onDayOpen?.({ dateEt, adapters, session });
    return { dateEt, adapters, session, disposers };
  }

  /** Closes the day's session (cancel-all with `reason`) and connections; returns orders cancelled. */
  private async closeDay(reason: string): Promise<number> {
    const day = this.s.day;
    if (!day) return 0;
    this.s.day = undefined;
    for (const d of day.disposers.splice(0)) d();
    const n = await day.session.close(reason);
    if (reason === 'shutdown') day.session.incident('shutdown', `supervisor stopping: ${n} resting orders cancelled`);
    else this.s.quoting.clear();
    return n;
  }

  // ---- waiting ----

  /**
   * Waits until `t` in sleeps of at most --sleep-seconds (checking the signal between them). Between days
   * (no connection open) a flowing virtual clock jumps instead: nothing is listening to skip over.
   */
  private async waitUntil(t: number, betweenDays: boolean): Promise<void> {
    const clock = this.c.clock;
    if (betweenDays && !this.s.day && clock instanceof VirtualClock && t > clock.now()) {
      this.reports.stopSnapshots();
      await clock.advanceTo(t);
      this.reports.startSnapshots();
      return;
    }
    while (this.now < t && !this.c.signal?.aborted) {
      await this.sleep(Math.min(t - this.now, this.o.sleepSeconds * 1000));
    }
  }

  private async sleep(ms: number): Promise<void> {
    try {
      await this.c.clock.sleep(ms, this.c.signal);
    } catch {
      // aborted: the callers check the signal
    }
  }
}
