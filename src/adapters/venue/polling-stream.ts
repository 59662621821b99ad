/**
 * A VenueStream over REST-like market data, for sources without a websocket (offline fixtures): every
 * `intervalMs` of the injected clock it polls the watched books and emits `book` events, so the engine
 * and the paper broker see the same kind of stream as online. Lifecycle is not polled here (the engine
 * asks the venue for results after the target).
 */
import type { Clock, TimerHandle } from '../../ports/clock.ts';
import type { Logger } from '../../ports/logger.ts';
import { silentLogger } from '../../ports/logger.ts';
import type { VenueMarketData, VenueStream, VenueStreamEvent } from '../../ports/venue.ts';
import type { OrderBook } from '../../core/market.ts';

export interface PollingStreamOptions {
  clock: Clock;
  venue: VenueMarketData;
  intervalMs?: number;
  logger?: Logger;
}

export class PollingVenueStream implements VenueStream {
  private readonly watched = new Map<string, number>();
  private readonly books = new Map<string, OrderBook>();
  private readonly listeners = new Set<(e: VenueStreamEvent) => void>();
  private timer: TimerHandle | undefined;
  private running = false;
  private polling = false;
  private readonly intervalMs: number;
  private readonly log: Logger;

  constructor(private readonly o: PollingStreamOptions) {
    this.intervalMs = o.intervalMs ?? 1000;
    this.log = o.logger ?? silentLogger;
  }

  async start(): Promise<void> {
    this.running = true;
    this.arm(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  watchBooks(tickers: string[]): void {
    for (const t of tickers) this.watched.set(t, (this.watched.get(t) ?? 0) + 1);
    // A new market's book is wanted before the next period (the engine quotes from it right away).
    if (this.running && tickers.some((t) => !this.books.has(t))) void this.poll();
  }

  unwatchBooks(tickers: string[]): void {
    for (const t of tickers) {
      const n = (this.watched.get(t) ?? 0) - 1;
      if (n > 0) this.watched.set(t, n);
      else {
        this.watched.delete(t);
        this.books.delete(t);
      }
    }
  }

  watchTrades(): void {}
  watchTicker(): void {}
  watchLifecycle(): void {}
  watchAccount(): void {}

  book(ticker: string): OrderBook | undefined {
    return this.books.get(ticker);
  }

  on(listener: (e: VenueStreamEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private arm(delay: number): void {
    if (!this.running) return;
    this.timer = this.o.clock.setTimeout(() => {
      this.timer = undefined;
      void this.poll().finally(() => this.arm(this.intervalMs));
    }, delay);
  }

  private async poll(): Promise<void> {
    if (this.polling || this.watched.size === 0) return;
    this.polling = true;
    try {
      const books = await this.o.venue.getOrderBooks([...this.watched.keys()]);
      for (const b of books) {
        if (!this.watched.has(b.ticker)) continue;
        this.books.set(b.ticker, b);
        this.emit({ kind: 'book', book: b });
      }
    } catch (e) {
      this.log.warn({ err: e }, 'book poll failed');
    } finally {
      this.polling = false;
    }
  }

  private emit(e: VenueStreamEvent): void {
    for (const l of this.listeners) l(e);
  }
}
