/**
 * A side's fresh price, before hysteresis and caps (SPEC §5.5):
 * - book side present: one grid tick better than the best (excluding our own orders) when that still
 *   clears the bar, else join the best; never deeper (then the join price is reported, missing the bar);
 * - book side empty: the most aggressive grid price whose EV still clears the bar (walking away from the
 *   other side, at most MAX_WALK prices);
 * and it never crosses: a bid is strictly below the best YES ask, an ask strictly above the best YES bid.
 *
 * `aboveBid` / `belowAsk` are the grid prices one tick inside the book (the bid's improve and the ask's
 * floor; the bid's ceiling and the ask's improve), worked out once per market for both sides. A price is
 * priced (fee, EV) only when its fee-free bound can clear the bar (ev-bar.ts): same outcome, less work.
 */
import type { PriceRange } from '../market.ts';
import type { FeeRule } from '../fees.ts';
import { PIPS_PER_DOLLAR, type CentiContracts, type Pips } from '../units.ts';
import { gridAbove, gridBelow, snapDown, snapUp } from './grid.ts';
import type { TopScan } from './top-of-book.ts';
import { EV_BELOW_MIN, mayClear, missesBar, noPrice, priceAt, type PricedSide } from './ev-bar.ts';

const MAX_WALK = 10_000;
export const NO_PRICE_BELOW_ASK = 'no_price_below_ask';
export const NO_PRICE_ABOVE_BID = 'no_price_above_bid';

/** The bid's price into `out`; true when it clears `bar`. */
export function buyPrice(
  grid: readonly PriceRange[],
  p: number,
  top: TopScan,
  aboveBid: Pips | undefined,
  belowAsk: Pips | undefined,
  rule: FeeRule,
  size: CentiContracts,
  bar: number,
  out: PricedSide,
): boolean {
  const ceiling = top.hasAsk ? belowAsk : snapDown(grid, PIPS_PER_DOLLAR - 1);
  if (ceiling === undefined) return noPrice(NO_PRICE_BELOW_ASK, out);
  const pPips = p * PIPS_PER_DOLLAR;
  if (top.hasBid) {
    const improve = aboveBid;
    if (improve !== undefined && improve <= ceiling && mayClear('buy', pPips, improve, bar) && priceAt(rule, 'buy', p, improve, size, bar, out)) return true;
    const join = snapDown(grid, Math.min(top.bid, ceiling));
    if (join === undefined) return noPrice(NO_PRICE_BELOW_ASK, out);
    return mayClear('buy', pPips, join, bar) ? priceAt(rule, 'buy', p, join, size, bar, out) : missesBar(join, out);
  }
  let q = snapDown(grid, Math.min(ceiling, Math.floor(pPips - bar)));
  for (let i = 0; q !== undefined && i < MAX_WALK; i++) {
    if (priceAt(rule, 'buy', p, q, size, bar, out)) return true;
    q = gridBelow(grid, q);
  }
  return noPrice(EV_BELOW_MIN, out);
}

/** The ask's price into `out` (the mirror of `buyPrice`); true when it clears `bar`. */
export function sellPrice(
  grid: readonly PriceRange[],
  p: number,
  top: TopScan,
  aboveBid: Pips | undefined,
  belowAsk: Pips | undefined,
  rule: FeeRule,
  size: CentiContracts,
  bar: number,
  out: PricedSide,
): boolean {
  const floor = top.hasBid ? aboveBid : snapUp(grid, 1);
  if (floor === undefined) return noPrice(NO_PRICE_ABOVE_BID, out);
  const pPips = p * PIPS_PER_DOLLAR;
  if (top.hasAsk) {
    const improve = belowAsk;
    if (improve !== undefined && improve >= floor && mayClear('sell', pPips, improve, bar) && priceAt(rule, 'sell', p, improve, size, bar, out)) return true;
    const join = snapUp(grid, Math.max(top.ask, floor));
    if (join === undefined) return noPrice(NO_PRICE_ABOVE_BID, out);
    return mayClear('sell', pPips, join, bar) ? priceAt(rule, 'sell', p, join, size, bar, out) : missesBar(join, out);
  }
  let q = snapUp(grid, Math.max(floor, Math.ceil(pPips + bar)));
  for (let i = 0; q !== undefined && i < MAX_WALK; i++) {
    if (priceAt(rule, 'sell', p, q, size, bar, out)) return true;
    q = gridAbove(grid, q);
  }
  return noPrice(EV_BELOW_MIN, out);
}

/** The grid price one tick above the best bid (the bid's improve, the ask's floor). */
export const aboveBidOf = (grid: readonly PriceRange[], top: TopScan): Pips | undefined => (top.hasBid ? gridAbove(grid, top.bid) : undefined);
/** The grid price one tick below the best ask (the bid's ceiling, the ask's improve). */
export const belowAskOf = (grid: readonly PriceRange[], top: TopScan): Pips | undefined => (top.hasAsk ? gridBelow(grid, top.ask) : undefined);

