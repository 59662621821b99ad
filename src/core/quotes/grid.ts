/**
 * The market's valid price grid (`price_ranges`: bands of start..end step, inclusive). Orders off the
 * grid are rejected by the exchange, so every quote price comes from these helpers.
 */
import type { PriceRange } from '../market.ts';
import type { Pips } from '../units.ts';

export function isOnGrid(ranges: readonly PriceRange[], p: Pips): boolean {
  for (const r of ranges) if (p >= r.start && p <= r.end && (p - r.start) % r.step === 0) return true;
  return false;
}

/** Largest grid price ≤ p, or undefined. */
export function snapDown(ranges: readonly PriceRange[], p: Pips): Pips | undefined {
  let best: Pips | undefined;
  for (const r of ranges) {
    if (p < r.start) continue;
    const q = p >= r.end ? r.end - ((r.end - r.start) % r.step) : r.start + Math.floor((p - r.start) / r.step) * r.step;
    if (best === undefined || q > best) best = q;
  }
  return best;
}

/** Smallest grid price ≥ p, or undefined. */
export function snapUp(ranges: readonly PriceRange[], p: Pips): Pips | undefined {
  let best: Pips | undefined;
  for (const r of ranges) {
    // The last price, end − (end − start) mod step, is > end − step: only a p past that needs the modulo.
    if (p > r.end - r.step && p > r.end - ((r.end - r.start) % r.step)) continue;
    const q = p <= r.start ? r.start : r.start + Math.ceil((p - r.start) / r.step) * r.step;
    if (best === undefined || q < best) best = q;
  }
  return best;
}

/** Smallest grid price strictly above p. */
export const gridAbove = (ranges: readonly PriceRange[], p: Pips): Pips | undefined => snapUp(ranges, p + 1);
/** Largest grid price strictly below p. */
export const gridBelow = (ranges: readonly PriceRange[], p: Pips): Pips | undefined => snapDown(ranges, p - 1);
