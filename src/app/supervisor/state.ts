/**
 * What a running supervisor knows of its run, in one place: the day's connections, every window so far, the
 * live quoting state, the feed transitions, the totals. The day loop and the window runner write it; the
 * snapshot and the monitors (reports.ts) read it.
 */
import type { TradingWindow } from '../../core/windows.ts';
import type { SeriesQuotingState } from '../../core/quoting/state.ts';
import type { FailoverTransition } from '../../core/feed/failover.ts';
import type { MarketGap } from '../../adapters/monitors/ev-gap.ts';
import type { MarketAdapters } from '../market-adapters.ts';
import type { TradingSession } from '../session.ts';
import type { ResumePlan } from '../recovery.ts';
import type { SupervisedWindow } from './windows.ts';

/** One trading day's connections and session (opened shortly before its first window). */
export interface Day {
  dateEt: string;
  adapters: MarketAdapters;
  session: TradingSession;
  disposers: (() => void)[];
}

export class RunState {
  day: Day | undefined;
  readonly entries = new Map<string, SupervisedWindow>();
  readonly transitions: FailoverTransition[] = [];
  /** Latest quoting state per `${windowId}|${series}`. */
  readonly quoting = new Map<string, SeriesQuotingState>();
  /** The window running now (kept by a stopping run: the restart resumes it). */
  active: TradingWindow | undefined;
  upcoming: TradingWindow[] = [];
  /** ΔEV parity of the last window's markets. */
  lastGaps: Record<string, MarketGap> = {};
  /** What this start resumes from the snapshot, until its window has run. */
  resume: ResumePlan | undefined;
  resumeWindow: TradingWindow | undefined;
  readonly totals = { quotes: 0, fills: 0, cancels: 0, rejects: 0, errors: 0 };
  /** Preflight NO-GO reasons seen, with how many windows each blocked. */
  readonly noGo: Record<string, number> = {};

  constructor(readonly startedMs: number) {}
}
