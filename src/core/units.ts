/**
 * Exact fixed-point units for Kalshi's decimal strings. Floats never touch money or counts.
 *
 * - Prices: integer **pips**, 1 pip = $0.0001 (the finest price grid Kalshi publishes). "0.5600" → 5600.
 * - Counts: integer **centi-contracts**, 1 = 0.01 contract (Kalshi's `_fp` granularity). "10.00" → 1000.
 * - Amounts that are not order prices (fees, costs, balances, PnL): integer **micro-dollars**, 1 = $0.000001
 *   (Kalshi's `FixedPointDollars` responses carry up to 6 decimals, e.g. a fill's `fee_cost` "0.010097").
 */

export type Pips = number;
export type CentiContracts = number;
/** $0.000001 units (fees, costs, balances, PnL): exact, never rounded to the price grid. */
export type Micros = number;

export const PIPS_PER_DOLLAR = 10_000;
export const CENTI_PER_CONTRACT = 100;
export const MICROS_PER_DOLLAR = 1_000_000;
export const MICROS_PER_PIP = 100;

export class UnitParseError extends Error {
  override name = 'UnitParseError';
}

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

/** Parses a decimal string into an integer count of 10^-scale units, rejecting anything finer. */
export function parseScaled(text: string, scale: number, what: string): number {
  const m = DECIMAL.exec(text.trim());
  if (!m) throw new UnitParseError(`${what}: not a decimal string: ${JSON.stringify(text)}`);
  const [, neg, whole, frac = ''] = m;
  const significant = frac.replace(/0+$/, '');
  if (significant.length > scale) {
    throw new UnitParseError(`${what}: ${text} has more than ${scale} decimal places`);
  }
  const value = Number(whole) * 10 ** scale + (significant ? Number(significant.padEnd(scale, '0')) : 0);
  if (!Number.isSafeInteger(value)) throw new UnitParseError(`${what}: ${text} is out of range`);
  return neg ? -value : value;
}

export function formatScaled(value: number, scale: number, decimals = scale): string {
  if (!Number.isInteger(value)) throw new RangeError(`formatScaled: ${value} is not an integer`);
  const neg = value < 0;
  const abs = Math.abs(value);
  const unit = 10 ** scale;
  const whole = Math.floor(abs / unit);
  let frac = String(abs % unit).padStart(scale, '0');
  if (decimals < scale) {
    if (!/^0*$/.test(frac.slice(decimals))) throw new RangeError(`formatScaled: ${value} needs more than ${decimals} decimals`);
    frac = frac.slice(0, decimals);
  }
  return `${neg ? '-' : ''}${whole}${decimals > 0 ? '.' + frac : ''}`;
}

/** "0.5600" → 5600 pips. */
export const parseDollars = (s: string): Pips => parseScaled(s, 4, 'price');
/** 5600 → "0.5600" (Kalshi's 4-decimal price form). */
export const formatDollars = (p: Pips): string => formatScaled(p, 4);
/** "10.00" → 1000 centi-contracts. */
export const parseCount = (s: string): CentiContracts => parseScaled(s, 2, 'count');
/** 1000 → "10.00" (Kalshi's `_fp` form). */
export const formatCount = (c: CentiContracts): string => formatScaled(c, 2);

/**
 * "0.010097" → 10097 micro-dollars; "-1.5" → -1500000. Exact to 6 decimal places (more is an error).
 * For amounts only (fees, costs, balances, PnL); order prices stay on the 4-place grid (`parseDollars`).
 */
export const parseMicros = (s: string): Micros => parseScaled(s, 6, 'amount');
/**
 * 10097 → "0.010097", 17500 → "0.0175": at least `minDecimals` (default 4, Kalshi's usual form) and as
 * many more (up to 6) as the value needs, so a formatted amount always parses back to the same integer.
 */
export function formatMicros(m: Micros, minDecimals = 4): string {
  if (!Number.isSafeInteger(m)) throw new RangeError(`formatMicros: ${m} is not a safe integer`);
  let decimals = 6;
  while (decimals > minDecimals && m % 10 ** (7 - decimals) === 0) decimals--;
  return formatScaled(m, 6, decimals);
}
/** Whole pips → micro-dollars (exact). */
export const pipsToMicroDollars = (p: Pips): Micros => p * MICROS_PER_PIP;

/** Pips → dollars as a float, for display and model arithmetic only. */
export const pipsToDollars = (p: Pips): number => p / PIPS_PER_DOLLAR;
/** Whole contracts → centi-contracts. */
export const contracts = (n: number): CentiContracts => Math.round(n * CENTI_PER_CONTRACT);
