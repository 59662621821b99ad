/** An index value source (Massive websocket, REST poller, simulator, recording). */
import type { IndexSymbol } from '../core/series.ts';

export interface IndexTick {
  symbol: IndexSymbol;
  value: number;
  /** The message's own timestamp (epoch ms). */
  eventTs: number;
  /** When we received it, from the injected clock (epoch ms). */
  receivedTs: number;
}

export type { FeedName } from '../core/feed/feed-name.ts';

export interface IndexFeed {
  readonly name: string;
  onTick(listener: (tick: IndexTick) => void): () => void;
  start(): Promise<void>;
  stop(): Promise<void>;
  /**
   * True while the source has said its data is over until it delivers again (a replayed day after a
   * window's target): its silence is the end of the data, not an outage. Live feeds never end.
   */
  readonly ended?: boolean;
}

/** Health counters a feed may expose (monitors, dashboard, tests). */
export interface FeedCounters {
  /** Messages (events) received, valid or not. */
  messages: number;
  /** Index ticks emitted. */
  ticks: number;
  /** Messages that failed validation and were skipped. */
  malformed: number;
  /** Connections (or polls) re-established after a failure. */
  reconnects: number;
  /** Last status the source reported (websocket status event, or HTTP outcome for REST). */
  lastStatus: string | null;
}

/** Optional extension of IndexFeed: counters plus a fatal error (e.g. the key was rejected). */
export interface ObservableIndexFeed extends IndexFeed {
  counters(): FeedCounters;
  /** Set when the feed gave up for good (no retry will help, e.g. `auth_failed`). */
  readonly fatalError: Error | undefined;
}
