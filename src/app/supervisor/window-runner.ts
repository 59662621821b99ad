/**
 * One window of the supervised day: wait for its start → preflight (a transient NO-GO retried inside the
 * window until the freeze) → every series of the window concurrently through the day's trading session,
 * with the monitors rewritten every MONITOR_PERIOD_MS → its tallies, one log line as it starts and ends.
 */
import type { Clock, TimerHandle } from '../../ports/clock.ts';
import type { SeriesCode } from '../../core/series.ts';
import type { TradingWindow } from '../../core/windows.ts';
import { formatEt } from '../../core/time/et.ts';
import type { DataSource } from '../market-adapters.ts';
import { runPreflight, type PreflightResult } from '../preflight.ts';
import type { RunContext } from '../run-context.ts';
import type { Day, RunState } from './state.ts';
import type { RunReports } from './reports.ts';
import { reportNoGo } from './incidents.ts';
import { mergeGaps, summarise, type SupervisedWindow } from './windows.ts';

/** Monitors are rewritten this often while a window runs (and at its start and end). */
const MONITOR_PERIOD_MS = 10_000;

export interface WindowRunnerOptions {
  source: DataSource;
  /** Only these series within each window; default all of the window's. */
  series?: readonly SeriesCode[];
  killSwitchFile: string;
  preflightRetryMs: number;
}

/** How the runner waits: the day loop's sleeps (bounded by --sleep-seconds, ended by the run's signal). */
export interface Waits {
  until(t: number): Promise<void>;
  sleep(ms: number): Promise<void>;
}

export class WindowRunner {
  constructor(
    private readonly o: WindowRunnerOptions,
    private readonly c: RunContext,
    private readonly s: RunState,
    private readonly reports: RunReports,
    private readonly waits: Waits,
  ) {}

  private get now(): number {
    return this.c.clock.now();
  }

  async run(w: TradingWindow, day: Day): Promise<void> {
    const { c, o, s, reports } = this;
    const series = o.series ? w.series.filter((x) => o.series!.includes(x)) : w.series;
    const entry: SupervisedWindow = { window: w, state: 'pending', reasons: [], results: [] };
    s.entries.set(w.id, entry);
    if (series.length === 0) {
      entry.state = 'skipped';
      return;
    }
    await this.waits.until(w.startMs);
    if (c.signal?.aborted) return;
    s.active = w;
    entry.state = 'preflight';
    reports.queueSnapshot();
    c.log.info({ window_id: w.id, series: series.join(','), target: formatEt(w.targetMs) }, `window ${w.label} starting`);
    const go = await this.preflightUntilGo(w, series, entry, day);
    if (!go) {
      reportNoGo(s, day.session, entry, c.log);
      s.active = undefined;
      reports.writeMonitors(w, day);
      return;
    }
    entry.state = 'active';
    reports.writeMonitors(w, day);
    const stopMonitors = every(c.clock, MONITOR_PERIOD_MS, () => {
      entry.state = this.now >= w.freezeMs ? (this.now >= w.targetMs ? 'settling' : 'frozen') : this.now >= w.strictMs ? 'strict' : 'active';
      reports.writeMonitors(w, day);
    });
    try {
      const restored = s.resume?.windowId === w.id ? s.resume.quoting : [];
      const run = await day.session.runWindow(w, series, restored);
      entry.results = run.results;
      entry.state = run.results.some((r) => r.status === 'error') ? 'error' : 'done';
    } finally {
      stopMonitors();
      // A stopping run keeps its window in the last snapshot: the restart resumes it (ids, revisions).
      if (!c.signal?.aborted) s.active = undefined;
    }
    s.lastGaps = mergeGaps(entry.results);
    for (const r of entry.results) {
      s.totals.quotes += r.quotesPlaced;
      s.totals.fills += r.fills;
      s.totals.cancels += r.cancels;
      s.totals.rejects += r.rejects;
      if (r.status === 'error') s.totals.errors++;
    }
    reports.writeMonitors(w, day);
    const sum = summarise(entry.results);
    c.log.info(
      { window_id: w.id, quotes: sum.quotes, fills: sum.fills, pnl_usd: sum.pnlUsd, outstanding_after_freeze: sum.outstanding, errors: sum.errors },
      `window ${w.label} ${entry.state}`,
    );
    reports.queueSnapshot();
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
      await this.waits.sleep(this.o.preflightRetryMs);
      if (this.c.signal?.aborted) return false;
    }
  }
}

/** Calls `fn` every `ms` of the clock until the returned stop function is called. */
function every(clock: Clock, ms: number, fn: () => void): () => void {
  let stopped = false;
  let h: TimerHandle | undefined;
  const arm = () => {
    h = clock.setTimeout(() => {
      if (stopped) return;
      fn();
      arm();
    }, ms);
  };
  arm();
  return () => {
    stopped = true;
    if (h) clock.clearTimeout(h);
  };
}
