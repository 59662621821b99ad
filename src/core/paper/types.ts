/** Types of the paper exchange (SPEC §5.6): resting paper orders, fills, settlements, events. */
import type { OrderState, YesSide } from '../orders.ts';
import type { CentiContracts, Pips } from '../units.ts';

/**
 * Maker fee of one fill of `size` at YES price `price` in market `ticker`, already rounded up to
 * $0.0001 (SPEC §5.4). Injected so the paper exchange does not depend on how fees are configured
 * (see `makerFeeFromSchedule` in fees.ts for the usual one).
 */
export type MakerFeeFn = (price: Pips, size: CentiContracts, role: 'maker', ticker: string) => Pips;

/**
 * How a shrinking price level (cancels, not trades) moves our queue position:
 * - `pro_rata`: cancels come from ahead of and behind us in proportion to the sizes (rounded so that
 *   more stays ahead of us);
 * - `none`: conservatively, no cancel is ever ahead of us.
 * Either way our queue ahead never exceeds the displayed size of the level (a hard bound: everything
 * ahead of us is displayed at that price).
 */
export type CancelAttribution = 'pro_rata' | 'none';

/** What triggered a paper fill. */
export type FillCause =
  /** A trade at our price, beyond the displayed size that was ahead of us. */
  | 'trade_at_price'
  /** A trade at a price strictly better than ours for the taker (the level at our price was swept). */
  | 'trade_through'
  /** The opposite side of the book moved strictly past our price (it would have crossed into us). */
  | 'book_cross';

export interface PaperFill {
  clientOrderId: string;
  marketTicker: string;
  side: YesSide;
  /** Always the order's own limit price: a maker is filled at its price, never worse. */
  price: Pips;
  size: CentiContracts;
  cause: FillCause;
  /** The trade that caused it, when a trade did. */
  tradeId?: string;
  feePips: Pips;
  tsMs: number;
}

export interface PaperSettlement {
  clientOrderId: string;
  marketTicker: string;
  result: 'yes' | 'no';
  /** Filled contracts that settled (0 for an order that never filled: recorded for calibration). */
  settledSize: CentiContracts;
  /** PnL before fees, in micro-dollars (pips × centi-contracts = $0.000001): exact integer. */
  grossMicros: number;
  /** Sum of the order's fill fees, in pips. */
  feesPips: Pips;
  /** Realised PnL after fees, in micro-dollars. */
  pnlMicros: number;
  tsMs: number;
}

export type PaperEvent =
  | { type: 'accepted'; order: OrderState; queueAhead: CentiContracts }
  | { type: 'rejected'; order: OrderState }
  | { type: 'fill'; order: OrderState; fill: PaperFill }
  | { type: 'canceled'; order: OrderState; reason: string }
  | { type: 'settled'; order: OrderState; settlement: PaperSettlement };

export const POST_ONLY_CROSS = 'post only cross';
