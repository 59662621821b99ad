/**
 * Keeps `data/proc/state/orders.json` current (SPEC §7.3) around any broker: an order is written as
 * `pending` before it is sent, `cancel_pending` before its cancel, and every broker event (placed, filled,
 * cancelled, rejected) rewrites its entry — so `orders summary` from another shell tells the truth.
 * Changes made in one turn of the event loop are written together (one locked, fsync'd rewrite), in
 * order, before the next turn: a burst of fills costs one write, not one each.
 * A write failure is logged and never blocks trading (the file is advisory; the broker is the truth).
 */
import type { OrderChange } from '../adapters/state/orders-store.ts';
import type { Answer, Broker, BrokerEvent, OrderIntent, OrderState } from '../ports/broker.ts';
import { andThen } from '../engine/answer.ts';
import type { Logger } from '../ports/logger.ts';
import type { OrdersStore } from '../adapters/state/orders-store.ts';

export class TrackedBroker implements Broker {
  readonly mode;
  private readonly unsubscribe: () => void;
  private failures = 0;
  private pending: OrderChange[] = [];
  private flushScheduled = false;

  constructor(
    private readonly inner: Broker,
    private readonly store: OrdersStore,
    private readonly log: Logger,
    private readonly now: () => number,
  ) {
    this.mode = inner.mode;
    this.unsubscribe = inner.onEvent((e) => this.change({ kind: 'state', order: e.order }));
  }

  /** Answers as the inner broker does: at once when it does (the dry broker), else when its promise settles. */
  place(intent: OrderIntent): Answer<OrderState> {
    this.change({ kind: 'submitted', intent, atMs: this.now() });
    return andThen(this.inner.place(intent), (st) => {
      this.change({ kind: 'state', order: st });
      return st;
    });
  }

  cancel(clientOrderId: string, reason: string): Answer<OrderState | undefined> {
    this.change({ kind: 'cancel_pending', clientOrderId, atMs: this.now() });
    return andThen(this.inner.cancel(clientOrderId, reason), (st) => {
      if (st) this.change({ kind: 'state', order: st });
      return st;
    });
  }

  async cancelAll(reason: string): Promise<number> {
    const n = await this.inner.cancelAll(reason);
    await this.syncOpenOrders();
    return n;
  }

  openOrders(): Promise<OrderState[]> {
    return this.inner.openOrders();
  }

  lookup(clientOrderId: string, marketTicker: string): Answer<OrderState | undefined> {
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
    this.flush();
    this.write(() => this.store.replaceOutstanding(this.mode, open));
  }

  /** Writes what is pending now (also on dispose). */
  flush(): void {
    if (this.pending.length === 0) return;
    const changes = this.pending;
    this.pending = [];
    this.write(() => this.store.applyAll(this.mode, changes));
  }

  dispose(): void {
    this.unsubscribe();
    this.flush();
  }

  private change(ch: OrderChange): void {
    this.pending.push(ch);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
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
