/**
 * An IndexFeed whose ticks are pushed by the caller: replay, benches and tests that drive the failover
 * directly. Ticks pushed while stopped are dropped, as a real feed would not deliver them. `end()` says the
 * data is over (until the next push): the failover then stands down for the end of the data, not an outage.
 */
import type { FeedCounters, IndexTick, ObservableIndexFeed } from '../../ports/index-feed.ts';

export class InMemoryIndexFeed implements ObservableIndexFeed {
  private readonly listeners = new Set<(t: IndexTick) => void>();
  private running = false;
  private over = false;
  private readonly c: FeedCounters = { messages: 0, ticks: 0, malformed: 0, reconnects: 0, lastStatus: null };
  readonly fatalError: Error | undefined = undefined;

  constructor(readonly name: string) {}

  get isRunning(): boolean {
    return this.running;
  }

  get ended(): boolean {
    return this.over;
  }

  /** No more data until the next push (a replayed day's window is over). */
  end(): void {
    this.over = true;
  }

  onTick(listener: (tick: IndexTick) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async start(): Promise<void> {
    this.running = true;
  }

  async stop(): Promise<void> {
    this.running = false;
  }

  push(tick: IndexTick): void {
    if (!this.running) return;
    this.over = false;
    this.c.messages++;
    this.c.ticks++;
    for (const l of this.listeners) l(tick);
  }

  counters(): FeedCounters {
    return { ...this.c };
  }
}
