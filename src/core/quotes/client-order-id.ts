/**
 * Deterministic client_order_id (SPEC §5.5): the same (window, market, side, price, revision) always gives
 * the same id, so a retry or a restart re-sends the same id and the exchange rejects the duplicate
 * instead of resting a second order. Form: `ka-` + 16 lowercase hex chars (64 bits of two independent
 * 32-bit multiply-xorshift hashes) — short, fixed length, charset [a-z0-9-].
 */
import type { YesSide } from '../orders.ts';
import type { Pips } from '../units.ts';

function hash32(s: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h = Math.imul(h ^ s.charCodeAt(i), 0x5bd1e995);
    h ^= h >>> 13;
  }
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export function clientOrderId(windowId: string, marketTicker: string, side: YesSide, price: Pips, revision: number): string {
  if (!Number.isSafeInteger(price) || !Number.isSafeInteger(revision) || revision < 0) {
    throw new RangeError(`clientOrderId: bad price ${price} or revision ${revision}`);
  }
  const key = `${windowId}\u0000${marketTicker}\u0000${side}\u0000${price}\u0000${revision}`;
  const a = hash32(key, 0x9e3779b9).toString(16).padStart(8, '0');
  const b = hash32(key, 0x7f4a7c15).toString(16).padStart(8, '0');
  return `ka-${a}${b}`;
}
