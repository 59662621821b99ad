/** Pure helpers over OrderBook (best-first bids per side). */
import type { BookLevel, OrderBook } from './market.ts';
import { PIPS_PER_DOLLAR, type Pips } from './units.ts';

export const bestYesBid = (b: OrderBook): BookLevel | undefined => b.yesBids[0];

/** Best YES ask, derived from the best NO bid: YES ask = $1 − NO bid. */
export function bestYesAsk(b: OrderBook): BookLevel | undefined {
  const no = b.noBids[0];
  return no ? { price: PIPS_PER_DOLLAR - no.price, size: no.size } : undefined;
}

/** Converts an exchange-ordered (ascending, best last) level list into best-first. */
export function bestFirst(ascending: BookLevel[]): BookLevel[] {
  return [...ascending].sort((a, b) => b.price - a.price);
}

/** Applies a signed size change at a price on one side (best-first list); drops empty levels. */
export function applyDelta(levels: BookLevel[], price: Pips, delta: number): BookLevel[] {
  const out = levels.slice();
  const i = out.findIndex((l) => l.price === price);
  if (i >= 0) {
    const size = out[i]!.size + delta;
    if (size <= 0) out.splice(i, 1);
    else out[i] = { price, size };
  } else if (delta > 0) {
    let j = 0;
    while (j < out.length && out[j]!.price > price) j++;
    out.splice(j, 0, { price, size: delta });
  }
  return out;
}
