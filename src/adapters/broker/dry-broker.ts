/**
 * The dry (paper) broker: the Broker port over the pure paper exchange (SPEC §5.6), on the injected
 * clock. Feed it the market as it happens — `onBook`, `onTrade`, `onLifecycle` (or `onStreamEvent`
 * with the venue stream's events) — and it fills resting paper orders by the rules in
 * core/paper/exchange.ts and settles them when the market's result is known.
 *
 * Every operation hands its events (accepted, rejected, fill, canceled, settled) to the listeners in
 * one batch, synchronously, before it returns — so a ledger listener has made them durable by then.
 */
import type { Broker, BrokerEvent, OrderIntent, OrderState } from '../../ports/broker.ts';
import type { Clock } from '../../ports/clock.ts';
import type { LifecycleUpdate, VenueStreamEvent } from '../../ports/venue.ts';
import type { OrderBook, Trade } from '../../core/market.ts';
import type { Pips } from '../../core/units.ts';
import { PaperExchange, type PaperExchangeOptions, type QueuePosition } from '../../core/paper/exchange.ts';
import type { PaperEvent } from '../../core/paper/types.ts';

export interface DryBrokerOptions extends PaperExchangeOptions {
  clock: Clock;
}

/** Cancel reason of an order withdrawn because a listener could not take its acceptance. */
export const REASON_NOT_RECORDED = 'not recorded';

export type PaperEventsListener = (events: PaperEvent[]) => void;

export class DryBroker implements Broker {
  readonly mode = 'dry' as const;
  private readonly clock: Clock;
  private readonly exchange: PaperExchange;
  private readonly listeners = new Set<PaperEventsListener>();
  private readonly eventListeners = new Set<(e: BrokerEvent) => void>();

  constructor(options: DryBrokerOptions) {
    this.clock = options.clock;
    this.exchange = new PaperExchange(options);
  }

  /** Subscribes to every batch of paper events; returns the unsubscribe function. */
  onEvents(listener: PaperEventsListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The Broker port's event stream (placed, filled, cancelled, rejected), after the paper listeners. */
  onEvent(listener: (e: BrokerEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  // place, cancel and lookup answer at once (the Broker port's `Answer`): the engine takes no promise turn
  // for a paper order; a failure is thrown where a remote broker's promise would reject.
  lookup(clientOrderId: string, _marketTicker?: string): OrderState | undefined {
    return this.exchange.order(clientOrderId);
  }

  marketResult(ticker: string, result: 'yes' | 'no'): void {
    this.settle(ticker, result);
  }

  /**
   * If a listener fails on the acceptance (e.g. the ledger could not record the quote), the order is
   * withdrawn before the error propagates: no paper order rests without its quote record.
   */
  place(intent: OrderIntent): OrderState {
    const now = this.clock.now();
    const { order, events } = this.exchange.place(intent, now);
    try {
      this.emit(events);
    } catch (e) {
      if (order.status === 'resting') {
        // Withdrawn at once. Its acceptance may still reach the ledger later (a recorder keeps records it
        // could not write and writes them first next time), so its withdrawal goes the same way: the ledger
        // then reads "quoted and withdrawn at the same instant, not recorded", never a quote left resting.
        const withdrawn = this.exchange.cancel(order.clientOrderId, REASON_NOT_RECORDED, now);
        try {
          this.emit(withdrawn.events);
        } catch {
          // the same failure: the records wait in the recorder's backlog
        }
      }
      throw e;
    }
    return order;
  }

  cancel(clientOrderId: string, reason: string): OrderState | undefined {
    const { order, events } = this.exchange.cancel(clientOrderId, reason, this.clock.now());
    this.emit(events);
    return order;
  }

  async cancelAll(reason: string): Promise<number> {
    const { count, events } = this.exchange.cancelAll(reason, this.clock.now());
    this.emit(events);
    return count;
  }

  async openOrders(): Promise<OrderState[]> {
    return this.exchange.openOrders();
  }

  order(clientOrderId: string): OrderState | undefined {
    return this.exchange.order(clientOrderId);
  }

  queueAhead(clientOrderId: string): number | undefined {
    return this.exchange.queueAhead(clientOrderId);
  }

  /**
   * Re-rests orders known from before a restart (no duplicates: known ids are left alone), each with its
   * fees paid and, when the snapshot kept it, its queue position. Emits nothing: the ledger has them.
   */
  adopt(previous: readonly { state: OrderState; feesPips: Pips }[], queue: Readonly<Record<string, QueuePosition>> = {}): OrderState[] {
    const now = this.clock.now();
    return previous.map((o) => this.exchange.adopt(o.state, now, o.feesPips, queue[o.state.clientOrderId]));
  }

  /** Queue positions of the resting paper orders (for the hot-restart snapshot). */
  queuePositions(): Record<string, QueuePosition> {
    return this.exchange.queuePositions();
  }

  onBook(book: OrderBook): PaperEvent[] {
    return this.emit(this.exchange.onBook(book, this.clock.now()));
  }

  onTrade(trade: Trade): PaperEvent[] {
    return this.emit(this.exchange.onTrade(trade, this.clock.now()));
  }

  /** A `determined` / `settled` lifecycle update with a result settles the market's paper orders. */
  onLifecycle(update: LifecycleUpdate): PaperEvent[] {
    if ((update.kind === 'determined' || update.kind === 'settled') && update.result) {
      return this.settle(update.ticker, update.result);
    }
    return [];
  }

  settle(ticker: string, result: 'yes' | 'no'): PaperEvent[] {
    return this.emit(this.exchange.settle(ticker, result, this.clock.now()));
  }

  /** Routes the venue stream's market events; others are ignored. */
  onStreamEvent(e: VenueStreamEvent): PaperEvent[] {
    switch (e.kind) {
      case 'book':
        return this.onBook(e.book);
      case 'book_stale':
        this.exchange.invalidateBook(e.ticker);
        return [];
      case 'trade':
        return this.onTrade(e.trade);
      case 'lifecycle':
        return this.onLifecycle(e.update);
      default:
        return [];
    }
  }

  /**
   * Delivers one batch to every paper listener (the ledger first), then the Broker events. A failing
   * listener does not starve the others; the first failure is rethrown after all were called.
   */
  private emit(events: PaperEvent[]): PaperEvent[] {
    if (events.length === 0) return events;
    let failure: unknown;
    for (const l of this.listeners) {
      try {
        l(events);
      } catch (e) {
        failure ??= e;
      }
    }
    if (failure !== undefined) throw failure;
    for (const e of events) {
      const be = toBrokerEvent(e);
      if (!be) continue;
      for (const l of this.eventListeners) {
        try {
          l(be);
        } catch (err) {
          failure ??= err;
        }
      }
    }
    if (failure !== undefined) throw failure;
    return events;
  }
}

/** The Broker port's view of a paper event (settlements are the ledger's business, not the engine's). */
export function toBrokerEvent(e: PaperEvent): BrokerEvent | undefined {
  switch (e.type) {
    case 'accepted':
      return { type: 'placed', order: e.order };
    case 'rejected':
      return { type: 'rejected', order: e.order, reason: e.order.reason ?? 'rejected' };
    case 'fill':
      return {
        type: 'filled',
        order: e.order,
        fill: { price: e.fill.price, size: e.fill.size, feeMicros: e.fill.feePips * 100, tsMs: e.fill.tsMs, cause: e.fill.cause, ...(e.fill.tradeId ? { tradeId: e.fill.tradeId } : {}) },
      };
    case 'canceled':
      return { type: 'cancelled', order: e.order, reason: e.reason };
    case 'settled':
      return undefined;
  }
}
