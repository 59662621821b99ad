/** Where orders go: the dry (paper) broker or the live Kalshi broker. */
import type { BrokerMode, OrderIntent, OrderState } from '../core/orders.ts';

export type { BrokerMode, OrderIntent, OrderState, OrderStatus, YesSide } from '../core/orders.ts';

export interface Broker {
  readonly mode: BrokerMode;
  /** Idempotent on clientOrderId: placing an id that already exists returns that order, never a second one. */
  place(intent: OrderIntent): Promise<OrderState>;
  /** `reason` is recorded where the broker keeps records (the paper ledger); the exchange ignores it. */
  cancel(clientOrderId: string, reason?: string): Promise<OrderState | undefined>;
  /** Cancels every resting order; returns how many were cancelled. */
  cancelAll(reason: string): Promise<number>;
  openOrders(): Promise<OrderState[]>;
}
