/**
 * What the supervisor tells the operator's other tools while it runs: the snapshot (`hot_restart.json`,
 * every second and on every order change, through the writer's own schema in app/snapshot.ts) and the
 * monitors (`freshness.json`, `ev_gap.json`). Both are read from the run's state (state.ts); neither steers it.
 */
import fs from 'node:fs';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { BrokerMode } from '../../ports/broker.ts';
import type { TimerHandle } from '../../ports/clock.ts';
import { windowsForDay, type TradingWindow } from '../../core/windows.ts';
import { formatEt } from '../../core/time/et.ts';
import { liveOrders, type SeriesQuotingState } from '../../core/quoting/state.ts';
import { clockKindOf } from '../../adapters/clock/system-clock.ts';
import { freshnessInputFromDual, writeFreshnessMonitor } from '../../adapters/monitors/freshness.ts';
import { buildEvGapReport, writeEvGapMonitor } from '../../adapters/monitors/ev-gap.ts';
import type { DataSource } from '../market-adapters.ts';
import { windowTimes, writeSnapshot, type Snapshot, type WindowEntry } from '../snapshot.ts';
import type { RunContext } from '../run-context.ts';
import type { Day, RunState } from './state.ts';
import { mergeGaps, summarise } from './windows.ts';

/** Order changes closer together than this share one snapshot write. */
const SNAPSHOT_MIN_GAP_MS = 100;

export interface ReportOptions {
  source: DataSource;
  broker: BrokerMode;
  killSwitchFile: string;
  /** Write hot_restart.json (default true). */
  snapshot?: boolean;
  /** Write the monitors (default true; a replay leaves them alone). */
  monitors?: boolean;
}

export class RunReports {
  private snapshotTimer: TimerHandle | undefined;
  private snapshotQueued = false;
  private lastSnapshotMs = Number.NEGATIVE_INFINITY;
  private loopDelay: IntervalHistogram | undefined;

  constructor(
    private readonly o: ReportOptions,
    private readonly c: RunContext,
    private readonly s: RunState,
  ) {}

  private get now(): number {
    return this.c.clock.now();
  }

  /** Event-loop delay for the snapshot's stats, while the run lasts. */
  measureLoopDelay(on: boolean): void {
    if (on) {
      this.loopDelay = monitorEventLoopDelay({ resolution: 20 });
      this.loopDelay.enable();
    } else this.loopDelay?.disable();
  }

  writeMonitors(w: TradingWindow, day: Day): void {
    if (this.o.monitors === false) return;
    const dual = day.adapters.feeds?.dual;
    const now = this.now;
    const clock = clockKindOf(this.c.clock);
    try {
      const thresholds = { softMs: this.c.config.freshness.soft_ms, strictMs: this.c.config.freshness.strict_ms };
      const fresh = dual
        ? writeFreshnessMonitor(this.c.paths.monitorsDir, freshnessInputFromDual(dual, now, clock, { id: w.id, label: w.label, strictMs: w.strictMs }, thresholds))
        : undefined;
      const gaps = this.s.entries.get(w.id)?.results.length ? mergeGaps(this.s.entries.get(w.id)!.results) : {};
      writeEvGapMonitor(this.c.paths.monitorsDir, buildEvGapReport(now, { clock, supervisor: 'running' }, w.label, fresh?.required_feeds_ok ?? !dual, dual ? dual.active : null, gaps));
    } catch (e) {
      this.c.log.error({ err: e }, 'monitors not written');
    }
  }

  startSnapshots(): void {
    if (this.o.snapshot === false || this.snapshotTimer) return;
    const tick = () => {
      this.writeSnapshotNow(true);
      this.snapshotTimer = this.c.clock.setTimeout(tick, 1000);
    };
    this.snapshotTimer = this.c.clock.setTimeout(tick, 0);
  }

  stopSnapshots(): void {
    if (this.snapshotTimer) this.c.clock.clearTimeout(this.snapshotTimer);
    this.snapshotTimer = undefined;
  }

  /**
   * Every order-state change asks for a snapshot; changes closer together than SNAPSHOT_MIN_GAP_MS of
   * the clock are written together (a burst of fills is one write, at most 100 ms later).
   */
  queueSnapshot(): void {
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
    const s = this.s;
    const now = this.now;
    const day = s.day;
    const dual = day?.adapters.feeds?.dual;
    const entry = (w: TradingWindow): WindowEntry => {
      const e = s.entries.get(w.id);
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
    const states = [...s.quoting.values()];
    const live = states.flatMap((q) => liveOrders(q));
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
      active_window: s.active ? entry(s.active) : s.resume ? (s.resumeWindow ? entry(s.resumeWindow) : null) : null,
      upcoming_windows: s.upcoming.map(entry),
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
      quoting: (s.active ? states.filter((q) => q.windowId === s.active!.id) : (s.resume?.quoting ?? [])) as unknown as Snapshot['quoting'],
      ev_gap: s.lastGaps,
      paper: { queue: day?.session.paperQueue() ?? {} },
      stats: this.stats(states),
    };
  }

  private stats(active: SeriesQuotingState[]): NonNullable<Snapshot['stats']> {
    const s = this.s;
    const t = { ...s.totals };
    // The running window's counters are not in the totals yet.
    if (s.active) {
      for (const q of active) {
        if (q.windowId !== s.active.id) continue;
        t.quotes += q.counters.quotesPlaced;
        t.fills += q.counters.fills;
        t.cancels += q.counters.cancels;
        t.rejects += q.counters.rejects;
      }
    }
    const lag = this.loopDelay && this.loopDelay.count > 0 ? Math.round(this.loopDelay.percentile(99) / 1e4) / 100 : null;
    this.loopDelay?.reset();
    return { started_ms: s.startedMs, event_loop_lag_ms: lag, ledger_write_ms: s.day?.session.ledgerWriteMs() ?? null, ...t, no_go: { ...s.noGo } };
  }

  writeSnapshotNow(running: boolean): void {
    if (this.o.snapshot === false) return;
    this.lastSnapshotMs = this.now;
    try {
      writeSnapshot(this.c.paths.hotRestart, this.snapshot(running));
    } catch (e) {
      this.c.log.error({ err: e }, 'hot_restart.json not written');
    }
  }
}
