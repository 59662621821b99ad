/**
 * Settlement of filled paper contracts (SPEC §5.6). Per contract, at YES price q:
 *   buy YES:  +(1 − q) if YES, −q if NO;     sell YES: −(1 − q) if YES, +q if NO.
 * Money is exact: pips (1e-4 $) × centi-contracts (1e-2) = micro-dollars (1e-6 $).
 */
import type { YesSide } from '../orders.ts';
import { PIPS_PER_DOLLAR, type CentiContracts, type Pips } from '../units.ts';

export const MICROS_PER_PIP_CONTRACT = 100; // 1 pip on 1 contract = $0.0001 = 100 µ$

/** Per-contract settlement value in pips of one contract bought/sold at `price`. */
export function settlementPipsPerContract(side: YesSide, price: Pips, result: 'yes' | 'no'): Pips {
  const yesValue = result === 'yes' ? PIPS_PER_DOLLAR : 0;
  return side === 'buy' ? yesValue - price : price - yesValue;
}

/** Gross settlement PnL in micro-dollars of `size` centi-contracts at `price`. */
export function settlementGrossMicros(side: YesSide, price: Pips, size: CentiContracts, result: 'yes' | 'no'): number {
  return settlementPipsPerContract(side, price, result) * size + 0; // + 0: never a -0 in records
}

/** Pips → micro-dollars. */
export const pipsToMicros = (p: Pips): number => p * MICROS_PER_PIP_CONTRACT;

/** Micro-dollars → dollars as a float, for display and the ledger (≤ 6 decimals, exact in JSON). */
export const microsToDollars = (m: number): number => Number((m / 1_000_000).toFixed(6));
