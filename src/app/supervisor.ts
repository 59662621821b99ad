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
 */
import fs from 'node:fs';
import path from 'node:path';
import { FileLock, describeOwner, type LockOwner } from '../adapters/fs/file-lock.ts';
import type { Paths } from '../config/paths.ts';
import type { ResumePlan } from './recovery.ts';
import { onCaptureRequest } from './last-resort.ts';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { BrokerMode } from '../ports/broker.ts';
import type { Clock, TimerHandle } from '../ports/clock.ts';
import type { SeriesCode } from '../core/series.ts';
import { windowsForDay, type TradingWindow } from '../core/windows.ts';
import { addDays, etDateOf, formatEt } from '../core/time/et.ts';
import { liveOrders, type SeriesQuotingState } from '../core/quoting/state.ts';
import type { FailoverTransition } from '../core/feed/failover.ts';
import { VirtualClock } from '../adapters/clock/virtual-clock.ts';
import { clockKindOf } from '../adapters/clock/system-clock.ts';
import { freshnessInputFromDual, writeFreshnessMonitor } from '../adapters/monitors/freshness.ts';
import { buildEvGapReport, writeEvGapMonitor, type MarketGap } from '../adapters/monitors/ev-gap.ts';
import type { SeriesWindowResult } from '../engine/series-window.ts';
import { openMarketAdapters, type DataSource, type MarketAdapters, type OpenAdaptersOptions } from './market-adapters.ts';
import type { SimEnvOptions } from './sim-env.ts';
import { TradingSession, type SessionOptions } from './session.ts';
import { runPreflight, type PreflightResult } from './preflight.ts';
import { readSnapshot, restoreVerdict, windowTimes, writeSnapshot, type Snapshot, type WindowEntry, type WindowState } from './snapshot.ts';
import { adapterOptionsFor, sessionOptionsFor, type RunContext } from './run-context.ts';
import { selfCalibrateForRun } from './sim-calibration.ts';

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

export interface SupervisedWindow {
  window: TradingWindow;
  state: WindowState;
  reasons: string[];
  results: SeriesWindowResult[];
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

interface Day {
  dateEt: string;
  adapters: MarketAdapters;
  session: TradingSession;
  disposers: (() => void)[];
}

/** Monitors are rewritten this often while a window runs (and at its start and end). */
const MONITOR_PERIOD_MS = 10_000;
/** Order changes closer together than this share one snapshot write. */
const SNAPSHOT_MIN_GAP_MS = 100;

/** The windows to run, in order: from the reference instant on (active or future ones), day by day. */
export function* plannedWindows(refNowMs: number, c: Pick<RunContext, 'calendar' | 'config'>, o: Pick<SupervisorOptions, 'loop' | 'days' | 'only'>): Generator<TradingWindow> {
  let date = etDateOf(refNowMs);
  let tradingDays = 0;
  for (let i = 0; i < 3660; i++, date = addDays(date, 1)) {
    const all = windowsForDay(date, c.calendar, c.config.windows);
    if (all.length === 0) continue;
    const todays = all.filter((w) => w.targetMs > refNowMs && (!o.only || o.only.includes(w.label)));
    if (todays.length === 0) continue;
    tradingDays++;
    for (const w of todays) {
      yield w;
      if (!o.loop) return;
    }
    if (o.days !== undefined && tradingDays >= o.days) return;
  }
}

export const supervisorLockPath = (paths: Pick<Paths, 'stateDir'>): string => path.join(paths.stateDir, 'supervisor.lock');

/** The live supervisor holding this working root, if any (other tools refuse to act behind its back). */
export function supervisorHolder(paths: Pick<Paths, 'stateDir'>): LockOwner | null {
  const file = supervisorLockPath(paths);
  if (!fs.existsSync(file)) return null;
  const lock = new FileLock(file);
  const r = lock.tryAcquire();
  if (r.ok) {
    lock.release();
    lock.dispose();
    return null;
  }
  return r.owner ?? { pid: -1, start: null, bootId: null };
}

/** Another supervisor process holds the working root's lock. */
export class SupervisorLocked extends Error {
  override name = 'SupervisorLocked';
}

export class Supervisor {
  private day: Day | undefined;
  private readonly entries = new Map<string, SupervisedWindow>();
  private readonly transitions: FailoverTransition[] = [];
  private readonly quoting = new Map<string, SeriesQuotingState>();
  private active: TradingWindow | undefined;
  private upcoming: TradingWindow[] = [];
  private snapshotTimer: TimerHandle | undefined;
  private snapshotQueued = false;
  private lastSnapshotMs = Number.NEGATIVE_INFINITY;
  private lastGaps: Record<string, MarketGap> = {};
  private resume: ResumePlan | undefined;
  private resumeWindow: TradingWindow | undefined;
  private readonly startedMs: number;
  private readonly totals = { quotes: 0, fills: 0, cancels: 0, rejects: 0, errors: 0 };
  private readonly noGo: Record<string, number> = {};
  private loopDelay: IntervalHistogram | undefined;

  constructor(
    private readonly o: SupervisorOptions,
    private readonly c: RunContext,
  ) {
    this.startedMs = c.clock.now();
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
    const unregister = onCaptureRequest(() => this.writeSnapshotNow(true));
    try {
      return await this.runLocked();
    } finally {
      unregister();
      lock.release();
      lock.dispose();
    }
  }

  private async runLocked(): Promise<SupervisorOutcome> {
    const { c, o } = this;
    const planned = lookahead(plannedWindows(o.refNowMs, c, o), 8);
    const firstWindow = planned.peek()[0];
    if (firstWindow) selfCalibrateForRun(o.source, c, o.seed, firstWindow.dateEt, o.sim?.world);
    this.resume = this.resumePlan(firstWindow);
    if (this.resume) this.resumeWindow = planned.peek()[0];
    let cancelledOnStop = 0;
    let stoppedBy: string | undefined;
    this.startSnapshots();
    this.loopDelay = monitorEventLoopDelay({ resolution: 20 });
    this.loopDelay.enable();
    try {
      for (;;) {
        const w = planned.next();
        if (!w) break;
        this.upcoming = planned.peek();
        if (c.signal?.aborted) break;
        if (!this.day || this.day.dateEt !== w.dateEt) {
          await this.closeDay('day_end');
          if (!this.resume) await this.waitUntil(w.startMs - o.openLeadMs, true);
          if (c.signal?.aborted) break;
          this.day = await this.openDay(w.dateEt);
        }
        await this.runOne(w, this.day);
        this.resume = undefined;
        this.resumeWindow = undefined;
      }
    } catch (e) {
      if (!c.signal?.aborted) throw e;
    } finally {
      if (c.signal?.aborted) stoppedBy = String((c.signal.reason as Error)?.message ?? c.signal.reason ?? 'aborted');
      cancelledOnStop = await this.closeDay(c.signal?.aborted ? 'shutdown' : 'session_end');
      this.stopSnapshots();
      this.writeSnapshotNow(false);
      this.loopDelay.disable();
    }
    return { windows: [...this.entries.values()], stoppedBy, transitions: this.transitions, cancelledOnStop };
  }

  // ---- one window ----

  private async runOne(w: TradingWindow, day: Day): Promise<void> {
    const { c, o } = this;
    const series = o.series ? w.series.filter((s) => o.series!.includes(s)) : w.series;
    const entry: SupervisedWindow = { window: w, state: 'pending', reasons: [], results: [] };
    this.entries.set(w.id, entry);
    if (series.length === 0) {
      entry.state = 'skipped';
      return;
    }
    await this.waitUntil(w.startMs, false);
    if (c.signal?.aborted) return;
    this.active = w;
    entry.state = 'preflight';
    this.queueSnapshot();
    c.log.info({ window_id: w.id, series: series.join(','), target: formatEt(w.targetMs) }, `window ${w.label} starting`);
    const go = await this.preflightUntilGo(w, series, entry, day);
    if (!go) {
      entry.state = 'no_go';
      for (const r of entry.reasons) this.noGo[r] = (this.noGo[r] ?? 0) + 1;
      c.log.warn({ window_id: w.id, reasons: entry.reasons.join(',') }, `window ${w.label} NO-GO`);
      day.session.incident('no_go', `window ${w.id} NO-GO: ${entry.reasons.join(', ')}`);
      this.active = undefined;
      this.writeMonitors(w, day);
      return;
    }
    entry.state = 'active';
    this.writeMonitors(w, day);
    const stopMonitors = this.every(MONITOR_PERIOD_MS, () => {
      entry.state = this.now >= w.freezeMs ? (this.now >= w.targetMs ? 'settling' : 'frozen') : this.now >= w.strictMs ? 'strict' : 'active';
      this.writeMonitors(w, day);
    });
    try {
      const restored = this.resume?.windowId === w.id ? this.resume.quoting : [];
      const run = await day.session.runWindow(w, series, restored);
      entry.results = run.results;
      entry.state = run.results.some((r) => r.status === 'error') ? 'error' : 'done';
    } finally {
      stopMonitors();
      // A stopping run keeps its window in the last snapshot: the restart resumes it (ids, revisions).
      if (!this.c.signal?.aborted) this.active = undefined;
    }
    this.lastGaps = mergeGaps(entry.results);
    for (const r of entry.results) {
      this.totals.quotes += r.quotesPlaced;
      this.totals.fills += r.fills;
      this.totals.cancels += r.cancels;
      this.totals.rejects += r.rejects;
      if (r.status === 'error') this.totals.errors++;
    }
    this.writeMonitors(w, day);
    const sum = summarise(entry.results);
    c.log.info(
      { window_id: w.id, quotes: sum.quotes, fills: sum.fills, pnl_usd: sum.pnlUsd, outstanding_after_freeze: sum.outstanding, errors: sum.errors },
      `window ${w.label} ${entry.state}`,
    );
    this.queueSnapshot();
  }

  /** Preflight at the window's start; transient NO-GO retried every --preflight-retry-interval until the freeze. */
  private async preflightUntilGo(w: TradingWindow, series: readonly SeriesCode[], entry: SupervisedWindow, day: Day): Promise<boolean> {
    const logged = new Set<string>();
    for (;;) {
      const r: PreflightResult = await runPreflight({
        source: this.o.source,
        nowMs: this.now,
        series,
        env: this.c.env,
        paths: this.c.paths,
        config: this.c.config,
        killSwitchFile: this.o.killSwitchFile,
        clock: this.c.clock,
        venue: day.adapters.source === 'offline' ? undefined : day.adapters.venue,
        massiveRest: day.adapters.massiveRest,
        dual: day.adapters.feeds?.dual,
        maintenanceAt: (t) => day.session.guard.maintenanceAt(t),
      });
      if (logged.size === 0) {
        for (const s of r.skipped) this.c.log.info({ window_id: w.id }, `preflight skipped: ${s}`);
        for (const n of r.notes) this.c.log.info({ window_id: w.id }, `preflight note: ${n}`);
      }
      for (const reason of r.reasons) {
        if (logged.has(reason)) continue;
        logged.add(reason);
        this.c.log.warn({ window_id: w.id, reason }, `preflight NO-GO: ${reason}`);
      }
      entry.reasons = [...logged];
      if (r.go) {
        if (logged.size > 0) this.c.log.info({ window_id: w.id }, 'preflight GO after retry');
        this.c.log.info({ window_id: w.id }, 'preflight GO');
        return true;
      }
      if (!r.transientOnly) return false;
      const next = this.now + this.o.preflightRetryMs;
      if (next >= w.freezeMs || this.c.signal?.aborted) return false;
      await this.sleep(this.o.preflightRetryMs);
      if (this.c.signal?.aborted) return false;
    }
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
          this.quoting.set(`${s.windowId}|${s.series}`, s);
          this.queueSnapshot();
        },
        resume: this.resume && this.resume.windowId.startsWith(`${dateEt}/`) ? this.resume : undefined,
        ...o.composition?.session,
      });
    } catch (e) {
      await adapters.close();
      throw e;
    }
    const disposers: (() => void)[] = [];
    const dual = adapters.feeds?.dual;
    let stoodDown = false;
    if (dual) {
      disposers.push(
        dual.onTransition((t) => {
          this.transitions.push(t);
          const w = this.active;
          if (!w || this.now < w.startMs || this.now >= w.targetMs) return;
          // (A stand-down for the end of the day's data — a replayed day after its target — is no outage.)
          if (t.to === 'stand_down' && t.reason !== 'data_ended') {
            stoodDown = true;
            session.incident('stand_down', `both index feeds stale during ${w.id} (polygon ${t.ages.polygon ?? '-'} ms, massive ${t.ages.massive ?? '-'} ms): cancel all, no quotes`);
          } else if (t.from === 'stand_down' && stoodDown) {
            // (The first feed coming up after start-up is not a recovery.)
            stoodDown = false;
            session.incident('feed_resumed', `index feed ${t.to} fresh again during ${w.id}: quoting resumes`);
          }
        }),
      );
    }
    o.onDayOpen?.({ dateEt, adapters, session });
    return { dateEt, adapters, session, disposers };
  }

  /** Closes the day's session (cancel-all with `reason`) and connections; returns orders cancelled. */
  private async closeDay(reason: string): Promise<number> {
    const day = this.day;
    if (!day) return 0;
    this.day = undefined;
    for (const d of day.disposers.splice(0)) d();
    const n = await day.session.close(reason);
    if (reason === 'shutdown') day.session.incident('shutdown', `supervisor stopping: ${n} resting orders cancelled`);
    else this.quoting.clear();
    return n;
  }

  // ---- waiting ----

  /**
   * Waits until `t` in sleeps of at most --sleep-seconds (checking the signal between them). Between days
   * (no connection open) a flowing virtual clock jumps instead: nothing is listening to skip over.
   */
  private async waitUntil(t: number, betweenDays: boolean): Promise<void> {
    const clock = this.c.clock;
    if (betweenDays && !this.day && clock instanceof VirtualClock && t > clock.now()) {
      this.stopSnapshots();
      await clock.advanceTo(t);
      this.startSnapshots();
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

  /** Calls `fn` every `ms` of the clock until the returned stop function is called. */
  private every(ms: number, fn: () => void): () => void {
    let stopped = false;
    let h: TimerHandle | undefined;
    const arm = () => {
      h = this.c.clock.setTimeout(() => {
        if (stopped) return;
        fn();
        arm();
      }, ms);
    };
    arm();
    return () => {
      stopped = true;
      if (h) this.c.clock.clearTimeout(h);
    };
  }

  // ---- monitors and snapshot ----

  private writeMonitors(w: TradingWindow, day: Day): void {
    if (this.o.composition?.monitors === false) return;
    const dual = day.adapters.feeds?.dual;
    const now = this.now;
    const clock = clockKindOf(this.c.clock);
    try {
      const thresholds = { softMs: this.c.config.freshness.soft_ms, strictMs: this.c.config.freshness.strict_ms };
      const fresh = dual
        ? writeFreshnessMonitor(this.c.paths.monitorsDir, freshnessInputFromDual(dual, now, clock, { id: w.id, label: w.label, strictMs: w.strictMs }, thresholds))
        : undefined;
      const gaps = this.entries.get(w.id)?.results.length ? mergeGaps(this.entries.get(w.id)!.results) : {};
      writeEvGapMonitor(this.c.paths.monitorsDir, buildEvGapReport(now, { clock, supervisor: 'running' }, w.label, fresh?.required_feeds_ok ?? !dual, dual ? dual.active : null, gaps));
    } catch (e) {
      this.c.log.error({ err: e }, 'monitors not written');
    }
  }

  private startSnapshots(): void {
    if (this.o.snapshot === false || this.snapshotTimer) return;
    const tick = () => {
      this.writeSnapshotNow(true);
      this.snapshotTimer = this.c.clock.setTimeout(tick, 1000);
    };
    this.snapshotTimer = this.c.clock.setTimeout(tick, 0);
  }

  private stopSnapshots(): void {
    if (this.snapshotTimer) this.c.clock.clearTimeout(this.snapshotTimer);
    this.snapshotTimer = undefined;
  }

  /**
   * Every order-state change asks for a snapshot; changes closer together than SNAPSHOT_MIN_GAP_MS of
   * the clock are written together (a burst of fills is one write, at most 100 ms later).
   */
  private queueSnapshot(): void {
    if (this.o.snapshot === false || this.snapshotQueued) return;
    this.snapshotQueued = true;
    const wait = Math.max(0, this.lastSnapshotMs + SNAPSHOT_MIN_GAP_MS - this.now);
    const write = () => {
      this.snapshotQueued = false;
      this.writeSnapshotNow(true);
    };
    if (wait === 0) setImmediate(write);
    else this.c.clock.setTimeout(write, wait);
  }

  snapshot(running: boolean): Snapshot {
    const now = this.now;
    const day = this.day;
    const dual = day?.adapters.feeds?.dual;
    const entry = (w: TradingWindow): WindowEntry => {
      const e = this.entries.get(w.id);
      const sum = summarise(e?.results ?? []);
      return {
        ...windowTimes(w),
        state: e?.state ?? 'pending',
        reasons: e?.reasons ?? [],
        quotes: sum.quotes,
        fills: sum.fills,
        pnl_usd: sum.pnlUsd,
      };
    };
    const states = [...this.quoting.values()];
    const live = states.flatMap((s) => liveOrders(s));
    const today = day ? windowsForDay(day.dateEt, this.c.calendar, this.c.config.windows) : [];
    const m = day?.session.guard.maintenanceAt(now);
    return {
      version: 1,
      captured_at: formatEt(now),
      captured_ms: now,
      clock: clockKindOf(this.c.clock),
      pid: process.pid,
      running,
      source: this.o.source,
      mode: this.o.broker,
      day: day?.dateEt ?? null,
      active_window: this.active ? entry(this.active) : this.resume ? (this.resumeWindow ? entry(this.resumeWindow) : null) : null,
      upcoming_windows: this.upcoming.map(entry),
      windows_today: today.map(entry),
      outstanding: { count: live.length, client_order_ids: live.map((o) => o.clientOrderId).sort() },
      feeds: dual
        ? {
            active: dual.active,
            switches: dual.switches,
            last_switch_ms: dual.lastSwitchAt,
            polygon: { age_ms: dual.view('polygon', now).ageMs, lag_ms: dual.view('polygon', now).lagMs },
            massive: { age_ms: dual.view('massive', now).ageMs, lag_ms: dual.view('massive', now).lagMs },
          }
        : null,
      kill_switch: fs.existsSync(this.o.killSwitchFile),
      maintenance: m ? { start_ms: m.startMs, end_ms: m.endMs } : null,
      // Plain JSON by construction (core/quoting/state.ts); the snapshot schema checks its identity fields.
      // (A resumed window's restored state is carried until it runs, so a second crash still finds it.)
      quoting: (this.active ? states.filter((s) => s.windowId === this.active!.id) : (this.resume?.quoting ?? [])) as unknown as Snapshot['quoting'],
      ev_gap: this.lastGaps,
      paper: { queue: day?.session.paperQueue() ?? {} },
      stats: this.stats(states),
    };
  }

  private stats(active: SeriesQuotingState[]): NonNullable<Snapshot['stats']> {
    const t = { ...this.totals };
    // The running window's counters are not in the totals yet.
    if (this.active) {
      for (const s of active) {
        if (s.windowId !== this.active.id) continue;
        t.quotes += s.counters.quotesPlaced;
        t.fills += s.counters.fills;
        t.cancels += s.counters.cancels;
        t.rejects += s.counters.rejects;
      }
    }
    const lag = this.loopDelay && this.loopDelay.count > 0 ? Math.round(this.loopDelay.percentile(99) / 1e4) / 100 : null;
    this.loopDelay?.reset();
    return { started_ms: this.startedMs, event_loop_lag_ms: lag, ledger_write_ms: this.day?.session.ledgerWriteMs() ?? null, ...t, no_go: { ...this.noGo } };
  }

  private writeSnapshotNow(running: boolean): void {
    if (this.o.snapshot === false) return;
    this.lastSnapshotMs = this.now;
    try {
      writeSnapshot(this.c.paths.hotRestart, this.snapshot(running));
    } catch (e) {
      this.c.log.error({ err: e }, 'hot_restart.json not written');
    }
  }
}

/** A generator with a look-ahead buffer (the snapshot lists upcoming windows). */
function lookahead<T>(gen: Generator<T>, n: number): { next(): T | undefined; peek(): T[] } {
  const buf: T[] = [];
  let done = false;
  const fill = () => {
    while (!done && buf.length < n) {
      const r = gen.next();
      if (r.done) done = true;
      else buf.push(r.value);
    }
  };
  return {
    next() {
      fill();
      return buf.shift();
    },
    peek() {
      fill();
      return [...buf];
    },
  };
}

export function summarise(results: readonly SeriesWindowResult[]): { quotes: number; fills: number; pnlUsd: number; outstanding: number; errors: number; settled: number } {
  let quotes = 0;
  let fills = 0;
  let pnl = 0;
  let outstanding = 0;
  let errors = 0;
  let settled = 0;
  for (const r of results) {
    quotes += r.quotesPlaced;
    fills += r.fills;
    pnl += r.pnlUsd;
    outstanding += r.outstandingAfterFreeze;
    settled += r.settledMarkets;
    if (r.status === 'error') errors++;
  }
  return { quotes, fills, pnlUsd: Math.round(pnl * 1e6) / 1e6, outstanding, errors, settled };
}

function mergeGaps(results: readonly SeriesWindowResult[]): Record<string, MarketGap> {
  const out: Record<string, MarketGap> = {};
  for (const r of results) Object.assign(out, r.evGap);
  return out;
}
