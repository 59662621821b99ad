/**
 * The market's valid price grid (`price_ranges`: bands of start..end step, inclusive). Orders off the
 * grid are rejected by the exchange, so every quote price comes from these helpers.
 *
 * Selection snaps several prices per market on every refresh; nearly every market has one band, which
 * takes the first branch (the same arithmetic as the loop, without it).
 */
import type { PriceRange } from '../market.ts';
import type { Pips } from '../units.ts';

export function isOnGrid(ranges: readonly PriceRange[], p: Pips): boolean {
  for (const r of ranges) if (p >= r.start && p <= r.end && (p - r.start) % r.step === 0) return true;
  return false;
}

/**
 * The band's last price, end − (end − start) mod step. Prices parsed from the wire are doubles (whole
 * numbers held as floats), for which `%` is a library call, many times the cost of a division: for
 * end ≥ start the same number is start + ⌊(end − start) / step⌋ · step (a quotient of whole numbers below
 * 2³¹ that is not whole is at least 1/step from the next one, far beyond the rounding of the division).
 */
const lastOf = (r: PriceRange): Pips => (r.end >= r.start ? r.start + Math.floor((r.end - r.start) / r.step) * r.step : r.end - ((r.end - r.start) % r.step));

/** Largest grid price ≤ p in one band, or undefined. */
function bandDown(r: PriceRange, p: Pips): Pips | undefined {
  if (p < r.start) return undefined;
  return p >= r.end ? lastOf(r) : r.start + Math.floor((p - r.start) / r.step) * r.step;
}

/** Smallest grid price ≥ p in one band, or undefined. */
function bandUp(r: PriceRange, p: Pips): Pips | undefined {
  // The last price is > end − step: only a p past that needs it.
  if (p > r.end - r.step && p > lastOf(r)) return undefined;
  return p <= r.start ? r.start : r.start + Math.ceil((p - r.start) / r.step) * r.step;
}

/** Largest grid price ≤ p, or undefined. */
export function snapDown(ranges: readonly PriceRange[], p: Pips): Pips | undefined {
  if (ranges.length === 1) return bandDown(ranges[0]!, p);
  let best: Pips | undefined;
  for (const r of ranges) {
    const q = bandDown(r, p);
    if (q !== undefined && (best === undefined || q > best)) best = q;
  }
  return best;
}

/** Smallest grid price ≥ p, or undefined. */
export function snapUp(ranges: readonly PriceRange[], p: Pips): Pips | undefined {
  if (ranges.length === 1) return bandUp(ranges[0]!, p);
  let best: Pips | undefined;
  for (const r of ranges) {
    const q = bandUp(r, p);
    if (q !== undefined && (best === undefined || q < best)) best = q;
  }
  return best;
}

/** Smallest grid price strictly above p. */
export const gridAbove = (ranges: readonly PriceRange[], p: Pips): Pips | undefined => snapUp(ranges, p + 1);
/** Largest grid price strictly below p. */
export const gridBelow = (ranges: readonly PriceRange[], p: Pips): Pips | undefined => snapDown(ranges, p - 1);
