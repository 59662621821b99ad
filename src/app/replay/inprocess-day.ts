/**
 * A generated trading day in-process (SPEC §9 replay): the simulator's exchange without sockets behind the
 * venue and its stream, and the day's index paths pushed into two in-memory feeds behind the real DualFeed
 * and `dualFeedSpot` — the same failover and freshness gate a live run has. Everything runs on the
 * caller's clock (a discrete-event clock in replay), seeded: the same seed and date give the same day.
 *
 * The market is the simulator's (SimExchange: its ladders, market maker, takers, lifecycle, results), one
 * exchange per window: each lists that window's events, opens `MARKET_LEAD_MS` before the window starts
 * (the maker and takers have been at it for half a minute when quoting begins) and stops its maker once its
 * events are settled. Every exchange shares the day's two index paths, which also feed the index feeds and
 * decide every result — so spot, books and settlements tell one story. (The simulator on loopback runs one
 * exchange all day; a replay skips the hours in which no window looks at a market, which is most of the
 * simulator's work: see bench/replay.bench.ts.)
 *
 * The feeds tick at the simulator's cadence (250 ms) for both indices through every window — from a minute
 * before its start to its target — each tick stamped with its own instant (a loopback socket adds nothing a
 * replay could reproduce). Between windows no one looks at an index: at a window's target the feeds say
 * their data ended, and the failover stands down for the end of the data (no outage: no ERROR line, no
 * REPORT.md entry) until the next window's minute before its start.
 */
import type { Clock, TimerHandle } from '../../ports/clock.ts';
import type { IndexSymbol } from '../../core/series.ts';
import { SERIES_CODES, SERIES } from '../../core/series.ts';
import type { TradingWindow } from '../../core/windows.ts';
import { etToMs } from '../../core/time/et.ts';
import { SimExchange, type SimExchangeOptions } from '../../sim/kalshi/exchange.ts';
import { eventDateCode } from '../../sim/kalshi/ladders.ts';
import { hashSeed, type IndexPath } from '../../sim/day/index-path.ts';
import { worldPaths, type SimWorld, type SimWorldSetting } from '../../sim/day/world.ts';
import { InMemoryIndexFeed } from '../../adapters/feeds/in-memory-feed.ts';
import { DualFeed } from '../../adapters/feeds/dual-feed.ts';
import { dualFeedSpot } from '../../adapters/feeds/spot.ts';
import type { Logger } from '../../ports/logger.ts';
import type { SpotSource } from '../../ports/trading.ts';
import type { IndexOpsConfig } from '../../config/index-ops.ts';
import { SIM_TICK_MS } from '../../sim/cadence.ts';
import { InProcessStream, InProcessVenue, type SimExchanges } from './inprocess-venue.ts';
import { EventClock } from '../../adapters/clock/event-clock.ts';
import type { FeedName } from '../../core/feed/feed-name.ts';
import type { InProcessControls } from '../../sim/inprocess/controls.ts';

/** The simulator environment's default taker intensity (sim-env.ts), so a replayed day trades like a simulated one. */
export const SIM_TAKER_PROBABILITY = 0.08;
/** A window's market opens (maker and takers at work) this long before the window starts. */
export const MARKET_LEAD_MS = 30_000;
/** A window's exchange stops its timers this long after the target (results at +5 s, settlement at +60 s). */
export const MARKET_RETIRE_MS = 75_000;

export interface GeneratedDayOptions {
  seed: number;
  /** `16:00`, or `13:00` on an early close (from the calendar). */
  closeEt: string;
  /** The windows the day runs (their events are listed; others are not). */
  windows: readonly TradingWindow[];
  /** Index tick cadence (default the simulator's, 250 ms). */
  tickIntervalMs?: number;
  /** Further exchange options (taker intensity, maintenance slots, …). */
  exchange?: Partial<Omit<SimExchangeOptions, 'clock' | 'seed' | 'dateEt' | 'closeEt' | 'paths' | 'world' | 'hourlyTargets' | 'omitEvents'>>;
  /** Told each window's exchange once it exists (tests). */
  onExchange?: (ex: SimExchange) => void;
  /** Scenario controls (stall a feed, pause trading, …): see controls.ts. */
  controls?: InProcessControls;
  /** The simulated world (default `regime`, with the events of the run's `configs/events.yaml` or the simulator's calendar). */
  world?: SimWorldSetting | SimWorld;
}

/** Counters of one generated day (benchmarks: events per second). */
export interface GeneratedDayStats {
  exchangeEvents: number;
  indexTicks: number;
  exchanges: number;
}

export const newDayStats = (): GeneratedDayStats => ({ exchangeEvents: 0, indexTicks: 0, exchanges: 0 });

/** What the day needs of the run (the app's adapter options are one). */
export interface InProcessDayContext {
  clock: Clock;
  dateEt: string;
  log: Logger;
  config: Pick<IndexOpsConfig, 'feeds' | 'freshness'>;
}

/** The day's ports and how to close them (in order); app/replay/generated-day.ts bundles them as the day's adapters. */
export interface InProcessDay {
  venue: InProcessVenue;
  stream: InProcessStream;
  spot: SpotSource;
  feeds: { dual: DualFeed; polygon: InMemoryIndexFeed; massive: InMemoryIndexFeed };
  cleanups: (() => Promise<void> | void)[];
}

export async function openGeneratedDay(a: InProcessDayContext, o: GeneratedDayOptions, stats?: GeneratedDayStats): Promise<InProcessDay> {
  // The market, the feeds and the failover machine do synchronous work on their timers: on a
  // discrete-event clock they need no event-loop turn after each (see EventClock.syncView).
  const clock = a.clock instanceof EventClock ? a.clock.syncView() : a.clock;
  const paths = worldPaths({ seed: o.seed, dateEt: a.dateEt, closeEt: o.closeEt, world: o.world }); // resolved against the run's events by the app (app/replay/generated-day.ts)
  const exchanges = new WindowExchanges(clock, a.dateEt, o, paths);
  const venue = new InProcessVenue(exchanges, clock, () => exchanges.primary());
  const stream = new InProcessStream(exchanges, clock, a.log.child({ component: 'inprocess-stream' }));
  await stream.start();
  exchanges.start();
  const polygon = new InMemoryIndexFeed('polygon');
  const massive = new InMemoryIndexFeed('massive');
  const dual = new DualFeed({
    clock,
    polygon,
    massive,
    sloMs: a.config.feeds.failover_slo_ms,
    returnAfterMs: a.config.feeds.return_after_ms,
    logger: a.log.child({ component: 'index-feed' }),
  });
  await Promise.all([polygon.start(), massive.start()]);
  await dual.start();
  const spans = o.windows.map((w) => ({ fromMs: w.startMs - FEED_LEAD_MS, toMs: w.targetMs }));
  const driver = new PathFeedDriver(clock, paths, [polygon, massive], o.tickIntervalMs ?? SIM_TICK_MS, spans, o.controls);
  driver.start();
  const spot = dualFeedSpot(dual, { softMs: a.config.freshness.soft_ms, strictMs: a.config.freshness.strict_ms });
  return { venue, stream, spot, feeds: { dual, polygon, massive }, cleanups: [
    () => {
      exchanges.stop();
      if (stats) {
        stats.exchangeEvents += stream.events;
        stats.indexTicks += driver.ticks;
        stats.exchanges += exchanges.all().length;
      }
    },
    () => stream.stop(),
    async () => {
      await dual.stop();
      dual.dispose();
    },
    () => driver.stop(),
  ] };
}

/** One SimExchange per window, created `MARKET_LEAD_MS` before it starts and retired after its settlement. */
export class WindowExchanges implements SimExchanges {
  private readonly list: SimExchange[] = [];
  private readonly listeners = new Set<(ex: SimExchange) => void>();
  private readonly timers: TimerHandle[] = [];
  private fallback: SimExchange | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly dateEt: string,
    private readonly o: GeneratedDayOptions,
    private readonly paths: { spx: IndexPath; ndx: IndexPath },
  ) {}

  all(): readonly SimExchange[] {
    return this.list;
  }

  onExchange(listener: (ex: SimExchange) => void): () => void {
    this.listeners.add(listener);
    for (const ex of this.list) listener(ex);
    return () => this.listeners.delete(listener);
  }

  /** The exchange whose schedule and series fees stand for the day's (they are the same in every one). */
  primary(): SimExchange {
    if (this.list[0]) return this.list[0];
    if (!this.fallback) {
      this.fallback = this.make([], hashSeed(this.o.seed, 'schedule'), false);
      this.o.controls?.attach(this.fallback);
    }
    return this.fallback;
  }

  start(): void {
    const now = this.clock.now();
    for (const w of this.o.windows) {
      const openAt = w.startMs - MARKET_LEAD_MS;
      const create = () => this.openWindow(w);
      if (openAt <= now) create();
      else this.timers.push(this.clock.setTimeout(create, openAt - now));
    }
  }

  stop(): void {
    for (const t of this.timers.splice(0)) this.clock.clearTimeout(t);
    for (const ex of this.list) ex.close();
    this.fallback?.close();
  }

  private openWindow(w: TradingWindow): void {
    const targetEt = w.label.replace(/^\w+-(\d\d)(\d\d)$/, '$1:$2');
    const hourly = w.targetType === 'hourly' ? [targetEt] : [];
    const ex = this.make(hourly, hashSeed(this.o.seed, 'window', w.id), true, w.targetType === 'hourly');
    this.o.controls?.attach(ex);
    this.list.push(ex);
    this.o.onExchange?.(ex);
    for (const l of this.listeners) l(ex);
    const retireAt = w.targetMs + MARKET_RETIRE_MS;
    this.timers.push(this.clock.setTimeout(() => ex.close(), Math.max(0, retireAt - this.clock.now())));
  }

  /** An exchange listing the given hourly targets (and the close's events unless `omitClose`). */
  private make(hourlyTargets: string[], seed: number, maker: boolean, omitClose = true): SimExchange {
    const closeCode = eventDateCode(this.dateEt, this.o.closeEt);
    const omitEvents = omitClose ? SERIES_CODES.map((s) => `${SERIES[s].ticker}-${closeCode}`) : [];
    return new SimExchange({
      takerProbability: SIM_TAKER_PROBABILITY,
      ...this.o.exchange,
      ...(maker ? {} : { mmTickMs: 0 }),
      clock: this.clock,
      seed,
      dateEt: this.dateEt,
      closeEt: this.o.closeEt,
      hourlyTargets,
      omitEvents,
      paths: this.paths,
    });
  }
}

/** The feeds start ticking this long before a window starts (they are fresh for its preflight and first cycle). */
export const FEED_LEAD_MS = 60_000;

/**
 * Pushes the day's index values into feeds on a fixed cadence of the clock (aligned to its multiples), inside
 * the given spans only (all the time without spans).
 */
export class PathFeedDriver {
  private timer: TimerHandle | undefined;
  ticks = 0;

  constructor(
    private readonly clock: Clock,
    private readonly paths: { spx: IndexPath; ndx: IndexPath },
    private readonly feeds: readonly InMemoryIndexFeed[],
    private readonly tickMs: number,
    private readonly spans?: readonly { fromMs: number; toMs: number }[],
    /** A stalled feed gets no tick; a feed's clock offset shifts its message times (scenarios). */
    private readonly controls?: InProcessControls,
  ) {}

  start(): void {
    this.arm();
  }

  stop(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    const now = this.clock.now();
    const next = this.nextTickAt(now);
    if (next !== undefined) this.timer = this.clock.setTimeout(() => this.tick(), next - now);
  }

  /** The next tick after `now`: on the cadence, inside a span (the quiet hours between windows skipped in one jump). */
  private nextTickAt(now: number): number | undefined {
    let next = (Math.floor(now / this.tickMs) + 1) * this.tickMs;
    if (this.spans) {
      const span = this.spans.find((s) => s.toMs >= next);
      if (!span) return undefined;
      if (next < span.fromMs) next = Math.ceil(span.fromMs / this.tickMs) * this.tickMs;
    }
    return next;
  }

  private tick(): void {
    const now = this.clock.now();
    const spx = this.paths.spx.valueAt(now);
    const ndx = this.paths.ndx.valueAt(now);
    for (const f of this.feeds) {
      const name = f.name as FeedName;
      if (this.controls?.isStalled(name)) continue;
      const eventTs = now + (this.controls?.clockOffset(name) ?? 0);
      f.push({ symbol: 'I:SPX' satisfies IndexSymbol, value: spx, eventTs, receivedTs: now });
      f.push({ symbol: 'I:NDX' satisfies IndexSymbol, value: ndx, eventTs, receivedTs: now });
    }
    this.ticks += 2;
    // The span's last tick (the window's target): the feeds' data is over until the next span, and their
    // silence from here is the end of the day's data, not an outage.
    const next = this.nextTickAt(now);
    if (next === undefined || next > now + this.tickMs) for (const f of this.feeds) f.end();
    this.arm();
  }
}
