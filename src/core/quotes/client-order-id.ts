/**
 * Deterministic client_order_id (SPEC §5.5): the same (window, market, side, price, revision) always gives
 * the same id, so a retry or a restart re-sends the same id and the exchange rejects the duplicate
 * instead of resting a second order. Form: `ka-` + 16 lowercase hex chars (64 bits of two independent
 * 32-bit multiply-xorshift hashes) — short, fixed length, charset [a-z0-9-].
 */
import type { YesSide } from '../orders.ts';
import type { Pips } from '../units.ts';

const SEED_A = 0x9e3779b9;
const SEED_B = 0x7f4a7c15;
const M = 0x5bd1e995;

/** Final avalanche of one running hash. */
function finish(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Two lowercase hex digits per byte value (a constant table: formatting was most of an id's cost). */
const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const hex8 = (x: number): string => HEX[x >>> 24]! + HEX[(x >>> 16) & 255]! + HEX[(x >>> 8) & 255]! + HEX[x & 255]!;

/** Every order this system sends carries this prefix (reconciliation tells ours from others' by it). */
export const CLIENT_ORDER_ID_PREFIX = 'ka-';

export function clientOrderId(windowId: string, marketTicker: string, side: YesSide, price: Pips, revision: number): string {
  if (!Number.isSafeInteger(price) || !Number.isSafeInteger(revision) || revision < 0) {
    throw new RangeError(`clientOrderId: bad price ${price} or revision ${revision}`);
  }
  // Both 32-bit hashes of the key `${windowId}\0${marketTicker}\0${side}\0${price}\0${revision}` in one pass,
  // fed part by part (the key string itself is never built): one id per placed quote, on every refresh.
  const parts = [windowId, marketTicker, side, String(price), String(revision)];
  let a = SEED_A >>> 0;
  let b = SEED_B >>> 0;
  for (let k = 0; k < parts.length; k++) {
    if (k > 0) {
      a = Math.imul(a, M); // the NUL separator: (h ^ 0) × M
      a ^= a >>> 13;
      b = Math.imul(b, M);
      b ^= b >>> 13;
    }
    const s = parts[k]!;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      a = Math.imul(a ^ c, M);
      a ^= a >>> 13;
      b = Math.imul(b ^ c, M);
      b ^= b >>> 13;
    }
  }
  return CLIENT_ORDER_ID_PREFIX + hex8(finish(a)) + hex8(finish(b));
}
