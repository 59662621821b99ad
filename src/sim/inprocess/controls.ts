/**
 * Scenario controls of an in-process generated day (app/replay/inprocess-day.ts), the counterpart of the loopback simulator's
 * `controls` (sim/kalshi/server.ts, sim/massive/server.ts) for what an in-process day can express: an index
 * feed that stalls and resumes, a feed whose clock is off, trading paused at the exchange. Tests drive them
 * from timers on the run's clock (a discrete-event clock: every effect lands at an exact instant, whatever
 * the machine's load). The engine never sees them, only the ticks, statuses and books they change.
 *
 * One object serves a whole run: it is handed to `generatedDay({ controls })` before the day opens, and
 * every window exchange the day creates is attached to it as it opens.
 */
import type { FeedName } from '../../core/feed/feed-name.ts';
import type { SimExchange } from '../kalshi/exchange.ts';

export class InProcessControls {
  private readonly stalled = new Set<FeedName>();
  private readonly offsets = new Map<FeedName, number>();
  private paused = false;
  private readonly exchanges: SimExchange[] = [];

  /** The feed delivers nothing until `resumeFeed` (the loopback feed server's `stall()`). */
  stallFeed(feed: FeedName): void {
    this.stalled.add(feed);
  }

  resumeFeed(feed: FeedName): void {
    this.stalled.delete(feed);
  }

  /** The feed's message times run `ms` ahead of the clock (its server's clock is off: `setClockOffset`). */
  setFeedClockOffset(feed: FeedName, ms: number): void {
    if (ms === 0) this.offsets.delete(feed);
    else this.offsets.set(feed, ms);
  }

  /** Trading paused at the exchange: its status says so, its participants stop (`setTradingPaused`). */
  setTradingPaused(paused: boolean): void {
    this.paused = paused;
    for (const ex of this.exchanges) ex.manualPause = paused;
  }

  /** Every window exchange of the day so far (their books, fills and orders), in creation order. */
  allExchanges(): readonly SimExchange[] {
    return this.exchanges;
  }

  // ---- the day's side ----

  isStalled(feed: FeedName): boolean {
    return this.stalled.has(feed);
  }

  clockOffset(feed: FeedName): number {
    return this.offsets.get(feed) ?? 0;
  }

  /** Called by the day for each exchange it creates. */
  attach(ex: SimExchange): void {
    ex.manualPause = this.paused;
    this.exchanges.push(ex);
  }
}
