/** Maker fee functions for the paper exchange, built on the exchange fee rules of core/fees.ts. */
import { feeRule, orderFeePips } from '../fees.ts';
import type { FeeSchedule } from '../market.ts';
import type { MakerFeeFn } from './types.ts';

/**
 * The maker fee of each paper fill under one fee schedule (per fill, rounded up to $0.0001, as the
 * exchange charges fills). Throws FeeRuleError now, not mid-fill, for a schedule it cannot price.
 */
export function makerFeeFromSchedule(schedule: FeeSchedule): MakerFeeFn {
  const rule = feeRule(schedule, 'maker');
  return (price, size) => orderFeePips(rule, price, size);
}
