/**
 * The displayed size ahead of a quote (the ledger's `queue_ahead`, and the input of its fill probability):
 * better levels of others, plus its share of its own level. A resting order at the same price keeps its
 * place: no more than what was ahead of it when it was placed.
 */
import type { OrderBook } from '../market.ts';
import { PIPS_PER_DOLLAR, type CentiContracts, type Pips } from '../units.ts';
import type { YesSide } from '../orders.ts';
import type { RestingQuote } from './types.ts';

/** Queue ahead of a quote at `price`; `r`: the slot's resting order (its own size and place count at its price). */
export function queueOf(book: OrderBook | undefined, side: YesSide, price: Pips, r: RestingQuote | undefined): CentiContracts {
  const same = r !== undefined && r.price === price;
  return queueAheadOf(book, side, price, same ? r.size : 0, same ? r.queueAhead : undefined);
}

/** Displayed size (others') ahead of an order at `price` on `side`: better levels, plus its share of its own level. */
export function queueAheadOf(book: OrderBook | undefined, side: YesSide, price: Pips, ownAtLevel: CentiContracts, atPlacement: CentiContracts | undefined): CentiContracts {
  if (!book) return 0;
  let ahead = 0;
  let level = 0;
  if (side === 'buy') {
    for (const l of book.yesBids) {
      if (l.price > price) ahead += l.size;
      else if (l.price === price) level = Math.max(0, l.size - ownAtLevel);
    }
  } else {
    for (const l of book.noBids) {
      const ask = PIPS_PER_DOLLAR - l.price;
      if (ask < price) ahead += l.size;
      else if (ask === price) level = Math.max(0, l.size - ownAtLevel);
    }
  }
  return ahead + (atPlacement === undefined ? level : Math.min(atPlacement, level));
}
