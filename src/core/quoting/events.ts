/**
 * What a broker reports about our orders (both modes). Fees are exact micro-dollars ($0.000001): the
 * exchange reports fees with up to 6 decimals, the paper exchange in pips (×100).
 */
import type { OrderState } from '../orders.ts';
import type { CentiContracts, Pips } from '../units.ts';

export interface BrokerFill {
  price: Pips;
  size: CentiContracts;
  feeMicros: number;
  tsMs: number;
  /** Paper fills: what caused it (`trade_at_price`, `trade_through`, `book_cross`). */
  cause?: string;
  tradeId?: string;
}

export type BrokerEvent =
  | { type: 'placed'; order: OrderState }
  | { type: 'rejected'; order: OrderState; reason: string }
  | { type: 'filled'; order: OrderState; fill: BrokerFill }
  | { type: 'cancelled'; order: OrderState; reason: string };
