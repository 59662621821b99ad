/**
 * Where a resting paper order stands in its price level (the paper exchange, exchange.ts): the order record
 * the exchange and the matching share, its place among our own orders on one leg, and the displayed size
 * ahead of it.
 * - Placement joins the back: the queue ahead is the displayed size at x on its own leg.
 * - Our own orders on one leg of a market share every trade's and book's volume in price-time priority
 *   (`byPriority`), so two paper orders never both fill from the same contract of liquidity.
 * - Level shrink (cancels) moves us forward per `CancelAttribution`; queue ahead ≤ displayed level size.
 * - An adopted order without a kept position (`QueuePosition`) takes the back of its level at the next book.
 * Trades at our price consume the queue ahead in fills.ts.
 */
import type { OrderState } from '../orders.ts';
import type { OrderBook } from '../market.ts';
import type { CentiContracts, Pips } from '../units.ts';
import { ownLevels, sizeAt, type Leg } from './legs.ts';
import type { CancelAttribution } from './types.ts';

export interface PaperOrder {
  seq: number;
  state: OrderState;
  leg: Leg;
  /** Own-leg price. */
  x: Pips;
  /** Displayed size ahead of us at x; undefined until a book is seen (adopted orders). */
  queueAhead: CentiContracts | undefined;
  /** Displayed size at x as we last knew it (book, less trades since). */
  levelSeen: CentiContracts;
  /** Sum of this order's fill fees. */
  feesPips: Pips;
}

/** Where a resting order stands in its price level: displayed size ahead of it, and the level as last seen. */
export interface QueuePosition {
  queueAhead: CentiContracts;
  levelSeen: CentiContracts;
}

export const copy = (s: OrderState): OrderState => ({ ...s });
export const legKey = (ticker: string, leg: Leg) => `${ticker}\u0000${leg}`;
/** Price-time priority among our own orders on one leg: better own-leg price first, then earlier. */
export const byPriority = (a: PaperOrder, b: PaperOrder) => b.x - a.x || a.seq - b.seq;

/** The back of the level at x in `book`. */
export function captureQueue(order: PaperOrder, book: OrderBook): void {
  const level = sizeAt(ownLevels(book, order.leg), order.x);
  order.queueAhead = level;
  order.levelSeen = level;
}

/** A new book: cancels ahead of us (level shrink) move us forward; never more ahead than the level holds. */
export function updateQueueFromBook(order: PaperOrder, book: OrderBook, cancelAttribution: CancelAttribution): void {
  if (order.queueAhead === undefined) return captureQueue(order, book);
  const level = sizeAt(ownLevels(book, order.leg), order.x);
  if (level < order.levelSeen && cancelAttribution === 'pro_rata' && order.levelSeen > 0) {
    const shrink = order.levelSeen - level;
    // Floor: the share of cancels credited to the queue ahead of us is rounded down (conservative).
    order.queueAhead -= Math.floor((shrink * order.queueAhead) / order.levelSeen);
  }
  order.queueAhead = Math.min(order.queueAhead, level);
  order.levelSeen = level;
}
