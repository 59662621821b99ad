/**
 * Wires two IndexFeeds (`polygon` primary, `massive` secondary) into the pure failover machine on the
 * injected clock (SPEC §6.4). It re-evaluates on every tick and at the exact instant the decision could
 * change without new data (a feed crossing the SLO, polygon completing its return period), so transitions
 * land on their precise clock instants — no polling loop.
 *
 * It is itself an IndexFeed: `onTick` delivers the ticks of the active feed only (nothing while standing
 * down), and `latest(symbol)` is the active feed's latest value.
 */
import type { Clock, TimerHandle } from '../../ports/clock.ts';
import type { FeedName, IndexFeed, IndexTick } from '../../ports/index-feed.ts';
import type { IndexSymbol } from '../../core/series.ts';
import { FeedFreshness, type FreshnessThresholds, type FreshnessVerdict } from '../../core/feed/freshness.ts';
import {
  initialFailoverState,
  isFresh,
  nextFailoverCheckAt,
  stepFailover,
  type ActiveFeed,
  type FailoverConfig,
  type FailoverInput,
  type FailoverState,
  type FailoverTransition,
} from '../../core/feed/failover.ts';
import { silentLogger, type FeedLogger } from '../massive/log.ts';

export interface DualFeedOptions {
  clock: Clock;
  polygon: IndexFeed;
  massive: IndexFeed;
  /** Symbols every feed must deliver to count as fresh (default both). */
  symbols?: readonly IndexSymbol[];
  /** `feeds.failover_slo_ms` (default 1200). */
  sloMs?: number;
  /** `feeds.return_after_ms` (default 5000). */
  returnAfterMs?: number;
  logger?: FeedLogger;
  /** Transitions kept in `transitions` (oldest dropped). */
  historyLimit?: number;
  /**
   * After start, how long the primary gets to deliver its first message before a secondary that
   * answered first is made active (default 3000 ms): a start-up is not a failover.
   */
  startupGraceMs?: number;
}

export interface FeedView {
  ageMs: number | null;
  lagMs: number | null;
  fresh: boolean;
}

const FEEDS: readonly FeedName[] = ['polygon', 'massive'];

export class DualFeed implements IndexFeed {
  readonly name = 'dual';
  readonly cfg: FailoverConfig;
  private readonly clock: Clock;
  private readonly feeds: Record<FeedName, IndexFeed>;
  private readonly fresh: Record<FeedName, FeedFreshness>;
  private readonly latestBy: Record<FeedName, Map<IndexSymbol, IndexTick>> = { polygon: new Map(), massive: new Map() };
  private readonly log: FeedLogger;
  private readonly historyLimit: number;
  private state: FailoverState = initialFailoverState();
  private readonly history: FailoverTransition[] = [];
  private readonly tickListeners = new Set<(t: IndexTick) => void>();
  private readonly transitionListeners = new Set<(t: FailoverTransition) => void>();
  private readonly unsubscribers: (() => void)[] = [];
  private timer: TimerHandle | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private started = false;
  private startedAt = Number.NEGATIVE_INFINITY;
  private readonly startupGraceMs: number;

  constructor(o: DualFeedOptions) {
    this.clock = o.clock;
    this.cfg = { sloMs: o.sloMs ?? 1200, returnAfterMs: o.returnAfterMs ?? 5000 };
    const symbols = o.symbols ?? ['I:SPX', 'I:NDX'];
    this.feeds = { polygon: o.polygon, massive: o.massive };
    this.fresh = { polygon: new FeedFreshness(symbols, this.cfg.sloMs), massive: new FeedFreshness(symbols, this.cfg.sloMs) };
    this.log = o.logger ?? silentLogger;
    this.historyLimit = o.historyLimit ?? 1000;
    this.startupGraceMs = o.startupGraceMs ?? 3000;
    for (const name of FEEDS) this.unsubscribers.push(this.feeds[name].onTick((t) => this.ingest(name, t)));
  }

  get active(): ActiveFeed {
    return this.state.active;
  }

  get switches(): number {
    return this.state.switches;
  }

  get lastSwitchAt(): number | null {
    return this.state.lastSwitchAt;
  }

  get transitions(): readonly FailoverTransition[] {
    return this.history;
  }

  /** The freshness tracker of one feed (sentry verdicts, monitors). */
  freshness(feed: FeedName): FeedFreshness {
    return this.fresh[feed];
  }

  /** Latest tick of a symbol from the active feed; undefined while standing down or before data. */
  latest(symbol: IndexSymbol): IndexTick | undefined {
    const a = this.state.active;
    return a === 'stand_down' ? undefined : this.latestBy[a].get(symbol);
  }

  latestFrom(feed: FeedName, symbol: IndexSymbol): IndexTick | undefined {
    return this.latestBy[feed].get(symbol);
  }

  ages(now = this.clock.now()): Record<FeedName, number | null> {
    return { polygon: this.fresh.polygon.ageMs(now), massive: this.fresh.massive.ageMs(now) };
  }

  view(feed: FeedName, now = this.clock.now()): FeedView {
    const f = this.fresh[feed];
    const ageMs = f.ageMs(now);
    return { ageMs, lagMs: f.lagMs(), fresh: isFresh({ ageMs, freshSinceMs: null }, this.cfg) };
  }

  /** Freshness gate verdict (SPEC §6.3) of the active feed; stale while standing down. */
  activeVerdict(thresholds: FreshnessThresholds, strict: boolean, now = this.clock.now()): FreshnessVerdict & { feed: ActiveFeed } {
    const a = this.state.active;
    if (a === 'stand_down') {
      return { feed: a, ok: false, stale: true, ageMs: null, lagMs: null, thresholdMs: strict ? thresholds.strictMs : thresholds.softMs, strict };
    }
    return { feed: a, ...this.fresh[a].verdict(now, thresholds, strict) };
  }

  onTick(listener: (tick: IndexTick) => void): () => void {
    this.tickListeners.add(listener);
    return () => this.tickListeners.delete(listener);
  }

  onTransition(listener: (t: FailoverTransition) => void): () => void {
    this.transitionListeners.add(listener);
    return () => this.transitionListeners.delete(listener);
  }

  /** Starts both feeds; one failing to start is logged and the other still runs (that is what failover is for). */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.startedAt = this.clock.now();
    const results = await Promise.allSettled(FEEDS.map((n) => this.feeds[n].start()));
    results.forEach((r, i) => {
      if (r.status === 'rejected') this.log.error({ feed: FEEDS[i], err: (r.reason as Error)?.message }, 'index feed failed to start');
    });
    this.evaluate();
  }

  async stop(): Promise<void> {
    this.started = false;
    this.clearTimer();
    await Promise.allSettled(FEEDS.map((n) => this.feeds[n].stop()));
  }

  /** Detaches from the feeds (after stop) so nothing references this instance. */
  dispose(): void {
    this.clearTimer();
    for (const u of this.unsubscribers.splice(0)) u();
  }

  /** Runs the machine at the clock's now; returns the transition, if any. */
  evaluate(): FailoverTransition | null {
    const now = this.clock.now();
    const input = this.input(now);
    const { state, transition } = stepFailover(this.state, input, this.cfg);
    const graceEnd = this.startedAt + this.startupGraceMs;
    if (transition?.from === 'stand_down' && transition.to === 'massive' && input.polygon.ageMs === null && now < graceEnd) {
      // The primary has not spoken yet: give it until the grace ends before settling on the secondary.
      this.armAt(graceEnd, now);
      return null;
    }
    this.state = state;
    if (transition) this.publish(transition);
    this.armTimer(input);
    return transition;
  }

  private ingest(feed: FeedName, tick: IndexTick): void {
    this.fresh[feed].record(tick.symbol, tick.receivedTs, tick.eventTs);
    this.latestBy[feed].set(tick.symbol, tick);
    this.evaluate();
    if (this.state.active === feed) for (const l of this.tickListeners) l(tick);
  }

  private input(now: number): FailoverInput {
    const h = (f: FeedName) => ({ ageMs: this.fresh[f].ageMs(now), freshSinceMs: this.fresh[f].freshSince(now), ended: this.feeds[f].ended === true });
    return { now, polygon: h('polygon'), massive: h('massive') };
  }

  private publish(t: FailoverTransition): void {
    // The first feed to come fresh after start-up, or after the feeds' data ended, leaves a stand-down that
    // was no outage: that is a start-up. And the end of the data is no outage either.
    const quietBefore = this.history.length === 0 || this.history[this.history.length - 1]!.reason === 'data_ended';
    const startUp = quietBefore && t.from === 'stand_down' && t.to !== 'stand_down';
    const ended = t.reason === 'data_ended';
    this.history.push(t);
    if (this.history.length > this.historyLimit) this.history.shift();
    const level = ended ? 'info' : t.to === 'stand_down' ? 'error' : t.to === 'massive' ? 'warn' : 'info';
    const msg = ended ? 'feeds ended: their data is over, standing down (not an outage)' : startUp ? `feed up: ${t.to} active` : `feed failover ${t.from} → ${t.to}`;
    this.log[level]({ reason: t.reason, polygon_age_ms: t.ages.polygon, massive_age_ms: t.ages.massive }, msg);
    for (const l of this.transitionListeners) l(t);
  }

  /**
   * Keeps one timer at the next decision instant. A later deadline than the pending timer is left alone
   * (the early timer re-evaluates and re-arms), so a tick stream costs no timer churn.
   */
  private armTimer(input: FailoverInput): void {
    if (!this.started) return;
    const next = nextFailoverCheckAt(this.state, input, this.cfg);
    if (next !== undefined) this.armAt(next, input.now);
  }

  private armAt(next: number, now: number): void {
    if (!this.started || next >= this.timerAt) return;
    this.clearTimer();
    this.timerAt = next;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Number.POSITIVE_INFINITY;
      this.evaluate();
    }, next - now);
  }

  private clearTimer(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
  }
}
