/**
 * The EV bar (SPEC §5.5, issue 11): a price is worth quoting when its maker EV after fees, per contract,
 * clears the bar.
 * - A new quote's bar is `min_ev` — plus, with the engine's conditions, the adverse-selection margin of
 *   the market's book age (margin.ts).
 * - A resting quote's floor is lower, so model noise does not cancel it: `min_ev − ev_hysteresis` —
 *   with conditions, `min_ev + its own margin (book and quote age) − keep_hysteresis`.
 * EV = p − q − fee/C for a bid at q, q − p − fee/C for an ask (fees.ts), and fee ≥ 0: `p − q` (or
 * `q − p`) bounds it from above, so a price whose bound misses the bar misses it without its fee
 * (`mayClear`) — the same answer as computing it, and most prices of a ladder are decided that way.
 */
import { makerEvPips, orderFeePips, type FeeRule } from '../fees.ts';
import type { CentiContracts, Pips } from '../units.ts';
import type { YesSide } from '../orders.ts';
import { marginWithAgesPips } from './margin.ts';
import type { QuoteRules } from './policy.ts';

export const EV_BELOW_MIN = 'ev_below_min';

/** One side's price and its worth, filled in place (one per ladder, reused for every market). */
export interface PricedSide {
  /** False: no price is possible (`reason` says why); `price`, `feePips`, `evPips` are then stale. */
  priced: boolean;
  price: Pips;
  feePips: Pips;
  evPips: number;
  /** Undefined: the price clears the bar. */
  reason: string | undefined;
}

export const newPricedSide = (): PricedSide => ({ priced: false, price: 0, feePips: 0, evPips: 0, reason: undefined });

/** Whether a price can clear `bar` at all, from the fee-free bound `p·10⁴ − q` (bid) or `q − p·10⁴` (ask). */
export const mayClear = (side: YesSide, pPips: number, price: Pips, bar: number): boolean =>
  (side === 'buy' ? pPips - price : price - pPips) >= bar;

/** Fee and EV of `price` into `out`, held to `bar`; true when it clears. */
export function priceAt(rule: FeeRule, side: YesSide, p: number, price: Pips, size: CentiContracts, bar: number, out: PricedSide): boolean {
  const fee = orderFeePips(rule, price, size);
  const ev = makerEvPips(side, p, price, fee, size);
  out.priced = true;
  out.price = price;
  out.feePips = fee;
  out.evPips = ev;
  out.reason = ev >= bar ? undefined : EV_BELOW_MIN;
  return out.reason === undefined;
}

/** `price` is the side's price but misses `bar` by the fee-free bound (its fee and EV are not needed now). */
export function missesBar(price: Pips, out: PricedSide): false {
  out.priced = true;
  out.price = price;
  out.reason = EV_BELOW_MIN;
  return false;
}

/** No price possible on this side, for `reason`. */
export function noPrice(reason: string, out: PricedSide): false {
  out.priced = false;
  out.reason = reason;
  return false;
}

/** A new quote's bar in a market: min EV, plus the margin when rules apply (`bookAgeMs`: its book's age). */
export function newQuoteBar(minEv: number, rules: QuoteRules | undefined, targetPips: number, bookAgeMs: number | undefined): number {
  return rules ? minEv + marginWithAgesPips(rules, targetPips, bookAgeMs) : minEv;
}

/** A resting quote's floor: kept while its EV ≥ this. `quoteAgeMs`: its age (with rules). */
export function keepFloor(minEv: number, h: number, rules: QuoteRules | undefined, targetPips: number, bookAgeMs: number | undefined, quoteAgeMs: number | undefined): number {
  return rules ? minEv + marginWithAgesPips(rules, targetPips, bookAgeMs, quoteAgeMs) - rules.keepHysteresisPips : minEv - h;
}
