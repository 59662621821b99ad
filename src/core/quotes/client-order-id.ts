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

/**
 * Both running hashes after `${windowId}\0${marketTicker}\0` (a memo of a pure function: a selection ids
 * its quotes in a handful of markets of one window, on every refresh, and those two strings are most of
 * the key). Kept for the last window id only, and bounded.
 */
let prefixWindow: string | undefined;
const prefixes = new Map<string, { readonly a: number; readonly b: number }>();
const MAX_PREFIXES = 4096;

/**
 * Feeds `s` to both hashes `a`, `b` (each step: (h ^ c) × M, then h ^= h >>> 13), after a NUL separator when
 * `sep`; the two results in HASHES (one scratch pair, read before the next call).
 */
function feed(a: number, b: number, s: string, sep: boolean): [number, number] {
  if (sep) {
    a = Math.imul(a, M); // the NUL separator: (h ^ 0) × M
    a ^= a >>> 13;
    b = Math.imul(b, M);
    b ^= b >>> 13;
  }
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, M);
    a ^= a >>> 13;
    b = Math.imul(b ^ c, M);
    b ^= b >>> 13;
  }
  HASHES[0] = a;
  HASHES[1] = b;
  return HASHES;
}
const HASHES: [number, number] = [0, 0];

export function clientOrderId(windowId: string, marketTicker: string, side: YesSide, price: Pips, revision: number): string {
  if (!Number.isSafeInteger(price) || !Number.isSafeInteger(revision) || revision < 0) {
    throw new RangeError(`clientOrderId: bad price ${price} or revision ${revision}`);
  }
  // Both 32-bit hashes of the key `${windowId}\0${marketTicker}\0${side}\0${price}\0${revision}` in one pass,
  // fed part by part (the key string itself is never built): one id per placed quote, on every refresh.
  if (prefixWindow !== windowId) {
    prefixWindow = windowId;
    prefixes.clear();
  }
  let pre = prefixes.get(marketTicker);
  if (pre === undefined) {
    const h = feed(SEED_A >>> 0, SEED_B >>> 0, windowId, false);
    feed(h[0], h[1], marketTicker, true);
    pre = { a: HASHES[0], b: HASHES[1] };
    if (prefixes.size >= MAX_PREFIXES) prefixes.clear();
    prefixes.set(marketTicker, pre);
  }
  let h = feed(pre.a, pre.b, side, true);
  h = feed(h[0], h[1], String(price), true);
  h = feed(h[0], h[1], String(revision), true);
  return CLIENT_ORDER_ID_PREFIX + hex8(finish(h[0])) + hex8(finish(h[1]));
}
