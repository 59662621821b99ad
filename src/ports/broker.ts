/**
 * Where orders go: the dry (paper) broker or the live Kalshi broker. Both tell the engine what happened
 * to its orders through one event stream (placed, filled, cancelled, rejected), so quoting state,
 * exposure and the risk caps are driven the same way in both modes.
 */
import type { BrokerMode, OrderIntent, OrderState } from '../core/orders.ts';
import type { BrokerEvent } from '../core/quoting/events.ts';

export type { BrokerMode, OrderIntent, OrderState, OrderStatus, YesSide } from '../core/orders.ts';
export type { BrokerEvent, BrokerFill } from '../core/quoting/events.ts';

/**
 * An answer now or later. The in-process brokers (dry, paper) answer at once — a value, or a synchronous
 * throw where a remote one would reject — so the engine continues without a promise turn (a replay's hot
 * path); the live broker answers over the network with a promise. Callers take both (`await` does, and
 * engine/answer.ts's `isPromise` tells them apart).
 */
export type Answer<T> = T | Promise<T>;

export interface Broker {
  readonly mode: BrokerMode;
  /**
   * Idempotent on clientOrderId: placing an id that already exists returns that order, never a second
   * one. Resolves with the order's state; rejects when the outcome is unknown (transport failure): the
   * caller must `lookup` the id before doing anything else with it.
   */
  place(intent: OrderIntent): Answer<OrderState>;
  /** `reason` is recorded where the broker keeps records (the paper ledger); the exchange ignores it. */
  cancel(clientOrderId: string, reason: string): Answer<OrderState | undefined>;
  /** Cancels every resting order of this broker (every window); returns how many were cancelled. */
  cancelAll(reason: string): Promise<number>;
  openOrders(): Promise<OrderState[]>;
  /** What the venue knows of an order by our id (undefined: it never arrived). Rejects when it cannot tell. */
  lookup(clientOrderId: string, marketTicker: string): Answer<OrderState | undefined>;
  /** Every change to our orders, from whichever source the broker has (paper matching, exchange stream). */
  onEvent(listener: (e: BrokerEvent) => void): () => void;
  /**
   * The venue's result of a market became known. The dry broker settles its paper orders there (ledger
   * settlement records); the live broker has nothing to do (the exchange settles).
   */
  marketResult(ticker: string, result: 'yes' | 'no'): void;
}
