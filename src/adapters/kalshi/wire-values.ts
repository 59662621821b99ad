/**
 * The values Kalshi's REST bodies and websocket frames both carry (rest-schemas.ts, ws-schemas.ts): money and
 * counts as exact decimals, validated at the boundary so the converters never meet a string they cannot turn
 * into integers — order prices on the $0.0001 grid (`PriceDollars`; responses may pad them to 6 places,
 * "0.560000"), other amounts (fees, costs, balances, PnL) to 6 places (`AmountDollars`), counts to 0.01
 * contract (`CountFp`) — and the order vocabulary (book side, status, self-trade prevention, time in force).
 */
import { z } from 'zod';
import { parseScaled } from '../../core/units.ts';

/** Longest decimal text we take (a guard against megabyte "numbers"; real values have < 20 characters). */
const MAX_DECIMAL_CHARS = 32;

const fitsScale = (scale: number) => (text: string) => {
  try {
    parseScaled(text, scale, 'value');
    return true;
  } catch {
    return false;
  }
};

const unsigned = (scale: number, what: string) =>
  z
    .string()
    .max(MAX_DECIMAL_CHARS, `expected ${what}`)
    .regex(/^\d+(\.\d+)?$/, `expected ${what}`)
    .refine(fitsScale(scale), `expected ${what}`);
const signed = (scale: number, what: string) =>
  z
    .string()
    .max(MAX_DECIMAL_CHARS, `expected ${what}`)
    .regex(/^-?\d+(\.\d+)?$/, `expected ${what}`)
    .refine(fitsScale(scale), `expected ${what}`);

/** Non-negative decimal string of any precision (≤ 32 characters); prefer the typed forms below. */
export const Decimal = z.string().max(MAX_DECIMAL_CHARS, 'expected a decimal string').regex(/^\d+(\.\d+)?$/, 'expected a decimal string');
/** Signed decimal string of any precision. */
export const SignedDecimal = z.string().max(MAX_DECIMAL_CHARS, 'expected a signed decimal string').regex(/^-?\d+(\.\d+)?$/, 'expected a signed decimal string');
/** An order/book price in dollars on the $0.0001 grid ("0.5600", "0.56", "0.560000"). */
export const PriceDollars = unsigned(4, 'a dollar price on the $0.0001 grid');
/** A non-negative amount in dollars with up to 6 decimals (fees, costs, balances): "0.010097". */
export const AmountDollars = unsigned(6, 'a dollar amount with at most 6 decimals');
/** A signed amount in dollars with up to 6 decimals (PnL). */
export const SignedAmountDollars = signed(6, 'a signed dollar amount with at most 6 decimals');
/** A contract count (`_fp`), 0.01 granularity: "10.00". */
export const CountFp = unsigned(2, 'a contract count with at most 2 decimals');
/** A signed contract count (`delta_fp`, `position_fp`). */
export const SignedCountFp = signed(2, 'a signed contract count with at most 2 decimals');

export const BookSideSchema = z.enum(['bid', 'ask']);
export const OrderStatusSchema = z.enum(['resting', 'canceled', 'executed']);
export const SelfTradePreventionSchema = z.enum(['taker_at_cross', 'maker']);
export const TimeInForceSchema = z.enum(['fill_or_kill', 'good_till_canceled', 'immediate_or_cancel']);
