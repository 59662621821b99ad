/**
 * A quote's size (SPEC §5.5, §6): whole contracts, up to `contracts`, within what remains of the market's
 * and the window's contract caps, and small enough that its worst-case loss (price paid + fee if it fills
 * and loses) fits what remains of the daily loss budget.
 */
import { orderFeePips, type FeeRule } from '../fees.ts';
import { CENTI_PER_CONTRACT, PIPS_PER_DOLLAR, type CentiContracts, type Pips } from '../units.ts';
import type { YesSide } from '../orders.ts';

/** Worst-case loss in pips of an order if it fills and the market settles against it. */
export function worstLossPips(side: YesSide, price: Pips, size: CentiContracts, feePips: Pips): Pips {
  const atRisk = side === 'buy' ? price : PIPS_PER_DOLLAR - price;
  return Math.ceil((atRisk * size) / CENTI_PER_CONTRACT) + feePips;
}

/** Daily loss cap minus realised losses minus the worst case of open positions, never negative. */
export function remainingLossBudgetPips(dailyLossCapUsd: number, realizedPnlPips: number, openWorstCasePips: number): number {
  const cap = Math.round(dailyLossCapUsd * PIPS_PER_DOLLAR);
  return Math.max(0, cap + Math.min(0, realizedPnlPips) - Math.max(0, openWorstCasePips));
}

/** The size and fee of one quote, or why it gets none. */
export interface Sized {
  size: CentiContracts;
  feePips: Pips;
  /** Set when no whole contract fits. */
  refused: 'market_contract_cap' | 'window_contract_cap' | 'daily_loss_cap' | undefined;
}

/**
 * Largest whole-contract size ≤ `want` within `marketLeft`, `windowLeft` and `lossLeft` (worst case), into
 * `out` (its fee at that size with it).
 */
export function sizeWithin(rule: FeeRule, side: YesSide, price: Pips, want: CentiContracts, marketLeft: CentiContracts, windowLeft: CentiContracts, lossLeft: number, out: Sized): Sized {
  let size = Math.min(want, marketLeft, windowLeft);
  size -= size % CENTI_PER_CONTRACT;
  let fee = size > 0 ? orderFeePips(rule, price, size) : 0;
  while (size >= CENTI_PER_CONTRACT && worstLossPips(side, price, size, fee) > lossLeft) {
    size -= CENTI_PER_CONTRACT;
    fee = orderFeePips(rule, price, size);
  }
  out.size = size;
  out.feePips = fee;
  out.refused =
    size >= CENTI_PER_CONTRACT ? undefined : marketLeft < CENTI_PER_CONTRACT ? 'market_contract_cap' : windowLeft < CENTI_PER_CONTRACT ? 'window_contract_cap' : 'daily_loss_cap';
  return out;
}
