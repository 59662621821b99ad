/**
 * Both sides of a binary market as bids on two legs: buying YES at p is a bid on the YES leg at p;
 * selling YES at p is a bid on the NO leg at 1 − p. With this view one matching rule serves both sides:
 * an order is a bid at its own-leg price `x`; the opposite ("contra") leg's bid `y` crosses it when
 * x + y > $1 and touches it when x + y = $1.
 */
import type { YesSide } from '../orders.ts';
import type { BookLevel, OrderBook, Trade } from '../market.ts';
import { PIPS_PER_DOLLAR, type CentiContracts, type Pips } from '../units.ts';

export type Leg = 'yes' | 'no';

export const legOf = (side: YesSide): Leg => (side === 'buy' ? 'yes' : 'no');

/** The order's price on its own leg. */
export const legPrice = (side: YesSide, yesPrice: Pips): Pips => (side === 'buy' ? yesPrice : PIPS_PER_DOLLAR - yesPrice);

export const ownLevels = (book: OrderBook, leg: Leg): BookLevel[] => (leg === 'yes' ? book.yesBids : book.noBids);
export const contraLevels = (book: OrderBook, leg: Leg): BookLevel[] => (leg === 'yes' ? book.noBids : book.yesBids);

/** Displayed size at exactly `price` on a best-first level list. */
export function sizeAt(levels: BookLevel[], price: Pips): CentiContracts {
  for (const l of levels) {
    if (l.price === price) return l.size;
    if (l.price < price) break;
  }
  return 0;
}

/** Displayed contra size strictly past an own-leg bid at `x` (what would have crossed into it). */
export function crossingDepth(book: OrderBook, leg: Leg, x: Pips): CentiContracts {
  let depth = 0;
  for (const l of contraLevels(book, leg)) {
    if (l.price + x <= PIPS_PER_DOLLAR) break;
    depth += l.size;
  }
  return depth;
}

/** Whether a new post-only bid at own-leg `x` would take liquidity (contra best at or past it). */
export function wouldCross(book: OrderBook, leg: Leg, x: Pips): boolean {
  const best = contraLevels(book, leg)[0];
  return best !== undefined && best.price + x >= PIPS_PER_DOLLAR;
}

/** The trade's price on `leg`. */
export const tradeLegPrice = (trade: Trade, leg: Leg): Pips => (leg === 'yes' ? trade.price : PIPS_PER_DOLLAR - trade.price);

/** The leg whose resting bid the trade executed against (the taker's opposite). */
export const restingLegOf = (trade: Trade): Leg => (trade.takerSide === 'yes' ? 'no' : 'yes');
