/**
 * Order vocabulary shared by every layer (core, ports, engine, adapters): one definition of a side, an
 * order we intend to send and what became of it. Prices are YES prices in pips, sizes centi-contracts.
 */
import type { CentiContracts, Pips } from './units.ts';

export type BrokerMode = 'dry' | 'live';

/** Side of YES: buy YES = Kalshi `bid`, sell YES (≡ buy NO at 1 − price) = Kalshi `ask`. */
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
