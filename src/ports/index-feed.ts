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

export type FeedName = 'polygon' | 'massive';

export interface IndexFeed {
  readonly name: string;
  onTick(listener: (tick: IndexTick) => void): () => void;
  start(): Promise<void>;
  stop(): Promise<void>;
}
