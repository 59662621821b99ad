/**
 * What fills a resting paper order (the paper exchange, exchange.ts; where it stands in its level: queue.ts):
 * - **Never fill on touch**: the contra best reaching exactly x, or a trade against the contra leg at
 *   exactly x, fills nothing.
 * - A trade against our own leg at x first consumes the queue ahead; only the excess fills us.
 * - A trade against our own leg at a price worse for its taker than x (the level at x was swept) fills
 *   us up to the trade's size and empties the queue ahead.
 * - A trade against the contra leg past x (liquidity that would have crossed into us) fills up to its
 *   size, less contra liquidity already counted from the book in the current crossing episode.
 * - The contra book moving past x fills up to the displayed depth past x, counting each unit of
 *   displayed liquidity once per crossing episode (an episode ends when nothing crosses any of our
 *   orders on that leg) — repeated book updates never re-fill from the same depth.
 * - Every fill is at the order's own price and carries the maker fee of that fill, rounded per fill.
 */
import type { OrderBook, Trade } from '../market.ts';
import type { CentiContracts, Pips } from '../units.ts';
import { crossingDepth } from './legs.ts';
import type { FillCause, MakerFeeFn, PaperEvent, PaperFill } from './types.ts';
import { byPriority, copy, type PaperOrder } from './queue.ts';

/** What the matching may touch of the exchange's state. */
export interface FillContext {
  fee: MakerFeeFn;
  /** Contra liquidity already filled from the book in the current crossing episode, per (market, leg). */
  crossTaken: Map<string, CentiContracts>;
  /** Whether any order still rests on (market, leg). */
  isResting(key: string): boolean;
  /** Takes a filled order off its level. */
  removeResting(order: PaperOrder): void;
}

export function fillFromCrossingBook(ctx: FillContext, key: string, list: PaperOrder[], book: OrderBook, nowMs: number, events: PaperEvent[]): void {
  const ordered = [...list].sort(byPriority);
  const best = ordered[0]!;
  if (crossingDepth(book, best.leg, best.x) === 0) {
    ctx.crossTaken.delete(key);
    return;
  }
  const already = ctx.crossTaken.get(key) ?? 0;
  let taken = 0;
  for (const order of ordered) {
    const depth = crossingDepth(book, order.leg, order.x);
    if (depth === 0) break; // lower-priced orders are crossed by even less
    // A crossed level on our own leg cannot exist in a real (uncrossed) book: nothing is ahead of us.
    order.queueAhead = 0;
    const size = Math.min(remaining(order), depth - already - taken);
    if (size > 0) {
      taken += size;
      events.push(fill(ctx, order, size, 'book_cross', undefined, nowMs));
    }
  }
  if (ctx.isResting(key)) ctx.crossTaken.set(key, already + taken);
}

export function tradeOnOwnLeg(ctx: FillContext, ordered: PaperOrder[], trade: Trade, t: Pips, nowMs: number, events: PaperEvent[]): void {
  let taken = 0;
  for (const order of ordered) {
    if (order.x < t) break; // the trade did not reach this price (nor any lower one)
    let size: CentiContracts;
    let cause: FillCause;
    if (order.x > t) {
      // The level at x was swept: everything that was ahead of us is gone.
      order.queueAhead = 0;
      order.levelSeen = 0;
      size = Math.min(remaining(order), trade.size - taken);
      cause = 'trade_through';
    } else {
      if (order.queueAhead === undefined) continue; // adopted, no book seen yet: position unknown
      const ahead = order.queueAhead;
      order.queueAhead = Math.max(0, ahead - trade.size);
      order.levelSeen = Math.max(0, order.levelSeen - trade.size);
      size = Math.min(remaining(order), trade.size - ahead - taken);
      cause = 'trade_at_price';
    }
    if (size > 0) {
      taken += size;
      events.push(fill(ctx, order, size, cause, trade.tradeId, nowMs));
    }
  }
}

export function tradeOnContraLeg(ctx: FillContext, key: string, ordered: PaperOrder[], trade: Trade, t: Pips, nowMs: number, events: PaperEvent[]): void {
  // The trade took contra liquidity resting at (own-leg) t; it would have crossed into our orders
  // priced strictly above t. Liquidity already filled from the book this episode may be the same.
  const budget = trade.size - Math.min(ctx.crossTaken.get(key) ?? 0, trade.size);
  let taken = 0;
  for (const order of ordered) {
    if (order.x <= t) break; // at t: touch, never a fill
    const size = Math.min(remaining(order), budget - taken);
    if (size <= 0) break;
    order.queueAhead = 0;
    taken += size;
    events.push(fill(ctx, order, size, 'trade_through', trade.tradeId, nowMs));
  }
}

export function remaining(order: PaperOrder): CentiContracts {
  return order.state.size - order.state.filled;
}

export function fill(ctx: FillContext, order: PaperOrder, size: CentiContracts, cause: FillCause, tradeId: string | undefined, nowMs: number): PaperEvent {
  const s = order.state;
  const feePips = ctx.fee(s.price, size, 'maker', s.marketTicker);
  if (!Number.isSafeInteger(feePips) || feePips < 0) throw new RangeError(`maker fee must be whole pips ≥ 0, got ${feePips}`);
  s.filled += size;
  s.updatedMs = nowMs;
  order.feesPips += feePips;
  if (s.filled >= s.size) {
    s.status = 'executed';
    ctx.removeResting(order);
  }
  const fill: PaperFill = {
    clientOrderId: s.clientOrderId,
    marketTicker: s.marketTicker,
    side: s.side,
    price: s.price,
    size,
    cause,
    feePips,
    tsMs: nowMs,
    ...(tradeId !== undefined ? { tradeId } : {}),
  };
  return { type: 'fill', order: copy(s), fill };
}
