/**
 * Keeps `data/proc/state/orders.json` current (SPEC §7.3) around any broker: an order is written as
 * `pending` before it is sent, `cancel_pending` before its cancel, and every broker event (placed, filled,
 * cancelled, rejected) rewrites its entry — so `orders summary` from another shell tells the truth.
 * A write failure is logged and never blocks trading (the file is advisory; the broker is the truth).
 */
import type { Broker, BrokerEvent, OrderIntent, OrderState } from '../ports/broker.ts';
import type { Logger } from '../ports/logger.ts';
import type { OrdersStore } from '../adapters/state/orders-store.ts';

export class TrackedBroker implements Broker {
  readonly mode;
  private readonly unsubscribe: () => void;
  private failures = 0;

  constructor(
    private readonly inner: Broker,
    private readonly store: OrdersStore,
    private readonly log: Logger,
  ) {
    this.mode = inner.mode;
    this.unsubscribe = inner.onEvent((e) => this.write(() => this.store.recordState(this.mode, e.order)));
  }

  place(intent: OrderIntent): Promise<OrderState> {
    this.write(() => this.store.recordSubmitted(this.mode, intent));
    return this.inner.place(intent).then((st) => {
      this.write(() => this.store.recordState(this.mode, st));
      return st;
    });
  }

  async cancel(clientOrderId: string, reason: string): Promise<OrderState | undefined> {
    this.write(() => this.store.recordCancelPending(this.mode, clientOrderId));
    const st = await this.inner.cancel(clientOrderId, reason);
    if (st) this.write(() => this.store.recordState(this.mode, st));
    return st;
  }

  async cancelAll(reason: string): Promise<number> {
    const n = await this.inner.cancelAll(reason);
    await this.syncOpenOrders();
    return n;
  }

  openOrders(): Promise<OrderState[]> {
    return this.inner.openOrders();
  }

  lookup(clientOrderId: string, marketTicker: string): Promise<OrderState | undefined> {
    return this.inner.lookup(clientOrderId, marketTicker);
  }

  onEvent(listener: (e: BrokerEvent) => void): () => void {
    return this.inner.onEvent(listener);
  }

  marketResult(ticker: string, result: 'yes' | 'no'): void {
    this.inner.marketResult(ticker, result);
  }

  /** Replaces the mode's entries with what the broker says rests now. */
  async syncOpenOrders(): Promise<void> {
    const open = await this.inner.openOrders();
    this.write(() => this.store.replaceOutstanding(this.mode, open));
  }

  dispose(): void {
    this.unsubscribe();
  }

  private write(fn: () => unknown): void {
    try {
      fn();
    } catch (e) {
      this.failures++;
      if (this.failures === 1 || this.failures % 100 === 0) this.log.error({ err: e, failures: this.failures }, 'orders.json not updated');
    }
  }
}
