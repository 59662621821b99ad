/**
 * Churn hysteresis (SPEC §5.5, issue 11): when a resting order stays where it is rather than follow the
 * fresh price. It is kept while it does not cross the book and its EV ≥ its floor (ev-bar.ts: min EV − h,
 * or with conditions its own margin less the keep hysteresis), unless the fresh price is more aggressive
 * (the book moved past it, or the model now allows the improve) and differs in EV by ≥ h
 * (`ev_hysteresis_usd`). So model noise around the improve/join threshold never makes a quote flap.
 * With conditions two more rules hold a quote in place (it is not moved, only cancelled when it must go):
 * younger than `min_quote_life_ms`, or tied at the best price with nothing ahead of it
 * (`keep_front_of_queue`): moving one tick better would give up the front of the queue for nothing.
 */
import type { FeeRule } from '../fees.ts';
import type { CentiContracts } from '../units.ts';
import type { YesSide } from '../orders.ts';
import type { TopScan } from './top-of-book.ts';
import { priceAt, type PricedSide } from './ev-bar.ts';
import type { QuoteRules } from './policy.ts';
import type { RestingQuote } from './types.ts';

/** A resting quote's age now (ms), when its placement time is known. */
export const quoteAgeMs = (r: RestingQuote, nowMs: number): number | undefined => (r.placedMs !== undefined ? nowMs - r.placedMs : undefined);

/** With conditions: the time or queue rule holds `r` in place (young, or at the front of the queue). */
export function heldInPlace(rules: QuoteRules, ageMs: number | undefined, top: TopScan, side: YesSide, r: RestingQuote): boolean {
  const young = ageMs !== undefined && ageMs < rules.minQuoteLifeMs;
  const tied = side === 'buy' ? top.hasBid && top.bid === r.price : top.hasAsk && top.ask === r.price;
  return young || (rules.keepFrontOfQueue && tied && r.queueAhead === 0);
}

/**
 * Whether the resting order `r` stays (see the header), its fee and EV then in `out`. `fresh`: the side's
 * fresh price; `floor`: r's keep floor; `held`: a time or queue rule holds it in place.
 */
export function keepsResting(
  side: YesSide,
  r: RestingQuote,
  fresh: PricedSide,
  top: TopScan,
  p: number,
  rule: FeeRule,
  size: CentiContracts,
  floor: number,
  h: number,
  held: boolean,
  out: PricedSide,
): boolean {
  if (side === 'buy' ? top.hasAsk && r.price >= top.ask : top.hasBid && r.price <= top.bid) return false;
  priceAt(rule, side, p, r.price, size, floor, out);
  if (out.evPips < floor) return false;
  const moreAggressive = fresh.reason === undefined && fresh.priced && (side === 'buy' ? fresh.price > r.price : fresh.price < r.price);
  return !(moreAggressive && Math.abs(fresh.evPips - out.evPips) >= h) || held;
}
