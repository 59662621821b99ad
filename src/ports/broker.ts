/** Where orders go: the dry (paper) broker or the live Kalshi broker. */
import type { CentiContracts, Pips } from '../core/units.ts';

export type BrokerMode = 'dry' | 'live';
/** Side of YES: buy YES = Kalshi `bid`, sell YES = Kalshi `ask`. */
export type YesSide = 'buy' | 'sell';

export interface OrderIntent {
  clientOrderId: string;
  marketTicker: string;
  side: YesSide;
  price: Pips;
  size: CentiContracts;
  /** Maker-only system: always true; kept explicit so a wire adapter never forgets it. */
  postOnly: true;
}

export type OrderStatus = 'resting' | 'canceled' | 'executed' | 'rejected';

export interface OrderState {
  clientOrderId: string;
  orderId?: string;
  marketTicker: string;
  side: YesSide;
  price: Pips;
  size: CentiContracts;
  filled: CentiContracts;
  status: OrderStatus;
  /** Exchange reason on reject/cancel, e.g. `post only cross`. */
  reason?: string;
  submittedMs: number;
  updatedMs: number;
}

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
