/**
 * Kalshi trading fees (SPEC §5.4; reference note kalshi_api.md §7), in exact integer arithmetic.
 *
 *   fee = round_up(M × r × C × P × (1 − P)) to $0.0001 (one pip), per order
 *
 * r = 0.07 (taker), and the maker side is charged only by fee types that say so:
 * - `quadratic`: taker M = fee_multiplier; makers pay nothing.
 * - `quadratic_with_maker_fees`: makers pay 0.25 × the taker rate = 0.0175, times fee_multiplier.
 * - `quadratic_with_combo_maker_fees`: makers pay 0.5 × the taker rate = 0.035, times fee_multiplier
 *   (the note gives "maker multiplier 0.5" relative to the same 0.07 base as the 0.25 above).
 * - `flat` and unknown types: refused explicitly (`FeeRuleError`) — the reference does not give their formula,
 *   and guessing a fee low would overstate EV. Callers skip such markets with the reason.
 *
 * With P in pips (p/10⁴) and C in centi-contracts (c/10²): fee_pips = M·r·c·p·(10⁴ − p) / 10⁶. M·r is held
 * as a reduced fraction so the product stays an exact integer (falls back to BigInt past 2⁵³).
 */
import type { FeeSchedule } from './market.ts';
import type { CentiContracts, Pips } from './units.ts';

export type Liquidity = 'maker' | 'taker';

export class FeeRuleError extends Error {
  override name = 'FeeRuleError';
}

/** fee_pips = ceil(num × c × p × (10⁴ − p) / den). num = 0 ⇒ no fee. */
export interface FeeRule {
  readonly num: number;
  readonly den: number;
  /** M × r as a float, for display. */
  readonly rate: number;
}

const MICRO = 1_000_000;
/** Maker share of the 0.07 taker rate per fee type, in 10⁻⁶. */
const MAKER_SHARE_MICRO: Record<string, number> = {
  quadratic: 0,
  quadratic_with_maker_fees: 250_000, // 0.25 × 0.07 = 0.0175
  quadratic_with_combo_maker_fees: 500_000, // 0.5 × 0.07 = 0.035
};

function gcd(a: bigint, b: bigint): bigint {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Multiplier as an exact integer count of 10⁻⁶; rejects values finer than that. */
function toMicro(x: number, what: string): number {
  const m = Math.round(x * MICRO);
  if (!Number.isFinite(x) || x < 0 || Math.abs(x * MICRO - m) > 1e-6 || !Number.isSafeInteger(m)) {
    throw new FeeRuleError(`${what}: ${x} is not a non-negative multiple of 0.000001`);
  }
  return m;
}

const ruleCache = new Map<string, FeeRule>();
/** The same, by schedule object: the hot path (every market, every second) skips building the key. */
const bySchedule = new WeakMap<FeeSchedule, Partial<Record<Liquidity, FeeRule>>>();

/** The fee rule for one side of a fee schedule (memoised). Throws FeeRuleError for flat/unknown fee types. */
export function feeRule(schedule: FeeSchedule, liquidity: Liquidity): FeeRule {
  let rules = bySchedule.get(schedule);
  const hit = rules?.[liquidity];
  if (hit) return hit;
  const key = `${schedule.feeType}|${schedule.multiplier}|${liquidity}`;
  let rule = ruleCache.get(key);
  if (!rule) {
    rule = computeFeeRule(schedule, liquidity);
    if (ruleCache.size > 256) ruleCache.clear();
    ruleCache.set(key, rule);
  }
  if (!rules) bySchedule.set(schedule, (rules = {}));
  rules[liquidity] = rule;
  return rule;
}

function computeFeeRule(schedule: FeeSchedule, liquidity: Liquidity): FeeRule {
  const share = MAKER_SHARE_MICRO[schedule.feeType];
  if (share === undefined) throw new FeeRuleError(`fee_type_unsupported:${schedule.feeType}`);
  const mMicro = BigInt(toMicro(schedule.multiplier, 'fee_multiplier'));
  // fee_pips = (mMicro/10⁶) × (7/100) × [share/10⁶ for makers] × c·p·(10⁴−p) / 10⁶
  let num = mMicro * 7n;
  let den = 100n * 10n ** 12n;
  if (liquidity === 'maker') {
    num *= BigInt(share);
    den *= 10n ** 6n;
  }
  if (num === 0n) return { num: 0, den: 1, rate: 0 };
  const g = gcd(num, den);
  num /= g;
  den /= g;
  if (num > BigInt(Number.MAX_SAFE_INTEGER) || den > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new FeeRuleError(`fee_multiplier ${schedule.multiplier}: not representable exactly`);
  }
  const n = Number(num);
  const d = Number(den);
  return { num: n, den: d, rate: (n / d) * 1e6 };
}

/** Fee in pips for one order of `size` centi-contracts at YES price `price` pips, rounded up to a pip. */
export function orderFeePips(rule: FeeRule, price: Pips, size: CentiContracts): Pips {
  if (rule.num === 0 || size <= 0 || price <= 0 || price >= 10_000) return 0;
  const pq = price * (10_000 - price);
  const x = rule.num * size * pq;
  if (x <= Number.MAX_SAFE_INTEGER) {
    let q = Math.floor(x / rule.den);
    while (q * rule.den > x) q--;
    while ((q + 1) * rule.den <= x) q++;
    return q * rule.den === x ? q : q + 1;
  }
  const bx = BigInt(rule.num) * BigInt(size) * BigInt(pq);
  const bd = BigInt(rule.den);
  const q = bx / bd;
  return Number(q * bd === bx ? q : q + 1n);
}

/** Convenience: the fee of an order straight from a schedule. */
export function feeFor(schedule: FeeSchedule, liquidity: Liquidity, price: Pips, size: CentiContracts): Pips {
  return orderFeePips(feeRule(schedule, liquidity), price, size);
}

/**
 * The schedule in force for an event: the event's override when it has one, else the series'.
 * (API fields: series `fee_type`/`fee_multiplier`, event `fee_type_override`/`fee_multiplier_override`.)
 */
export function resolveFeeSchedule(
  series: FeeSchedule,
  eventOverride?: { feeType?: string | null; multiplier?: number | null },
): FeeSchedule {
  return {
    feeType: eventOverride?.feeType ?? series.feeType,
    multiplier: eventOverride?.multiplier ?? series.multiplier,
  };
}

/**
 * Maker EV after fees per contract, in pips (SPEC §5.4): buy YES at q: p − q − fee/C; sell YES at q:
 * q − p − fee/C. `p` is the model probability, `fee` the order's fee in pips, C in contracts.
 */
export function makerEvPips(side: 'buy' | 'sell', p: number, price: Pips, feePips: Pips, size: CentiContracts): number {
  const perContractFee = (feePips * 100) / size;
  const pPips = p * 10_000;
  return side === 'buy' ? pPips - price - perContractFee : price - pPips - perContractFee;
}
