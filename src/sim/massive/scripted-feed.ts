/**
 * An in-process index feed that ticks on the injected clock (no network): failover rehearsals
 * (`failover-smoke`), replay and tests. Ticks land on a fixed grid (`origin + k·intervalMs`); `stall()`
 * suppresses them (the grid keeps running, so `resume()` picks up at the next grid instant).
 */
import type { Clock, TimerHandle } from '../../ports/clock.ts';
import type { FeedCounters, IndexTick, ObservableIndexFeed } from '../../ports/index-feed.ts';
import type { IndexSymbol } from '../../core/series.ts';

export interface ScriptedFeedOptions {
  name: string;
  clock: Clock;
  intervalMs: number;
  /** Index value of a symbol at an instant (e.g. a generated path's `valueAt`). */
  valueAt: (symbol: IndexSymbol, ms: number) => number;
  symbols?: readonly IndexSymbol[];
  /** Grid origin (default: the clock's now at start). */
  originMs?: number;
  /** Event-time lag stamped on each tick (receivedTs − eventTs). */
  lagMs?: number;
}

export class ScriptedIndexFeed implements ObservableIndexFeed {
  readonly name: string;
  readonly fatalError: Error | undefined = undefined;
  private readonly listeners = new Set<(t: IndexTick) => void>();
  private readonly symbols: readonly IndexSymbol[];
  private timer: TimerHandle | undefined;
  private origin = 0;
  private k = 0;
  private stalled = false;
  private readonly c: FeedCounters = { messages: 0, ticks: 0, malformed: 0, reconnects: 0, lastStatus: null };

  constructor(private readonly o: ScriptedFeedOptions) {
    if (!(o.intervalMs > 0)) throw new RangeError('ScriptedIndexFeed: intervalMs must be > 0');
    this.name = o.name;
    this.symbols = o.symbols ?? ['I:SPX', 'I:NDX'];
  }

  get isStalled(): boolean {
    return this.stalled;
  }

  onTick(listener: (tick: IndexTick) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async start(): Promise<void> {
    if (this.timer) return;
    const now = this.o.clock.now();
    this.origin = this.o.originMs ?? now;
    this.k = Math.max(0, Math.ceil((now - this.origin) / this.o.intervalMs));
    this.arm();
  }

  async stop(): Promise<void> {
    if (this.timer) this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  stall(): void {
    this.stalled = true;
    this.c.lastStatus = 'stalled';
  }

  resume(): void {
    this.stalled = false;
    this.c.lastStatus = 'streaming';
  }

  counters(): FeedCounters {
    return { ...this.c };
  }

  private arm(): void {
    const at = this.origin + this.k * this.o.intervalMs;
    this.timer = this.o.clock.setTimeout(() => this.fire(), Math.max(0, at - this.o.clock.now()));
  }

  private fire(): void {
    this.timer = undefined;
    const now = this.o.clock.now();
    if (!this.stalled) {
      for (const symbol of this.symbols) {
        const tick: IndexTick = { symbol, value: this.o.valueAt(symbol, now), eventTs: now - (this.o.lagMs ?? 0), receivedTs: now };
        this.c.messages++;
        this.c.ticks++;
        for (const l of this.listeners) l(tick);
      }
    }
    this.k++;
    this.arm();
  }
}
