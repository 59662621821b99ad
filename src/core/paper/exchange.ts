/**
 * The paper exchange (SPEC §5.6): pure matching of our resting paper orders against the real (or
 * simulated, or recorded) book and trades. No I/O and no clock: every call takes `nowMs`.
 *
 * Rules, per resting order (a bid at its own-leg price x, see legs.ts):
 * - Placement is post-only: an order that would take liquidity (contra best at or past x) is rejected
 *   with `post only cross`. Its queue ahead is the displayed size at x on its own leg (we join the back).
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
 * - Our own orders on one leg of a market share every trade's and book's volume in price-time priority,
 *   so two paper orders never both fill from the same contract of liquidity.
 * - Level shrink (cancels) moves us forward per `CancelAttribution`; queue ahead ≤ displayed level size.
 * - Every fill is at the order's own price (a maker is never filled at a worse price) and carries the
 *   maker fee of that fill (`MakerFeeFn`, rounded per fill as the exchange does).
 */
import type { OrderIntent, OrderState } from '../orders.ts';
import type { OrderBook, Trade } from '../market.ts';
import { PIPS_PER_DOLLAR, type CentiContracts, type Pips } from '../units.ts';
import {
  crossingDepth,
  legOf,
  legPrice,
  ownLevels,
  restingLegOf,
  sizeAt,
  tradeLegPrice,
  wouldCross,
  type Leg,
} from './legs.ts';
import { pipsToMicros, settlementGrossMicros } from './settlement.ts';
import {
  POST_ONLY_CROSS,
  type CancelAttribution,
  type FillCause,
  type MakerFeeFn,
  type PaperEvent,
  type PaperFill,
  type PaperSettlement,
} from './types.ts';

export interface PaperExchangeOptions {
  fee: MakerFeeFn;
  /** Default `pro_rata`. */
  cancelAttribution?: CancelAttribution;
  /**
   * Reject orders on a market whose book has not been seen (reason `no book`). Default true: without a
   * book neither the post-only check nor the queue position can be honest.
   */
  requireBook?: boolean;
}

interface PaperOrder {
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

export const REASON_MARKET_SETTLED = 'market settled';

/** Where a resting order stands in its price level: displayed size ahead of it, and the level as last seen. */
export interface QueuePosition {
  queueAhead: CentiContracts;
  levelSeen: CentiContracts;
}

const copy = (s: OrderState): OrderState => ({ ...s });
const legKey = (ticker: string, leg: Leg) => `${ticker}\u0000${leg}`;
/** Price-time priority among our own orders on one leg: better own-leg price first, then earlier. */
const byPriority = (a: PaperOrder, b: PaperOrder) => b.x - a.x || a.seq - b.seq;

export class PaperExchange {
  private readonly fee: MakerFeeFn;
  private readonly cancelAttribution: CancelAttribution;
  private readonly requireBook: boolean;
  /** Every order ever placed (idempotency on clientOrderId). */
  private readonly orders = new Map<string, PaperOrder>();
  /** Resting orders per (market, leg). */
  private readonly resting = new Map<string, PaperOrder[]>();
  /** Accepted orders per market, kept until the market settles. */
  private readonly byMarket = new Map<string, PaperOrder[]>();
  private readonly books = new Map<string, OrderBook>();
  /** Contra liquidity already filled from the book in the current crossing episode, per (market, leg). */
  private readonly crossTaken = new Map<string, CentiContracts>();
  private readonly settled = new Map<string, 'yes' | 'no'>();
  private seq = 0;

  constructor(options: PaperExchangeOptions) {
    this.fee = options.fee;
    this.cancelAttribution = options.cancelAttribution ?? 'pro_rata';
    this.requireBook = options.requireBook ?? true;
  }

  /** Places a post-only paper order. Idempotent: an existing clientOrderId returns that order, no event. */
  place(intent: OrderIntent, nowMs: number): { order: OrderState; events: PaperEvent[] } {
    const existing = this.orders.get(intent.clientOrderId);
    if (existing) return { order: copy(existing.state), events: [] };

    const state: OrderState = {
      clientOrderId: intent.clientOrderId,
      orderId: `paper-${++this.seq}`,
      marketTicker: intent.marketTicker,
      side: intent.side,
      price: intent.price,
      size: intent.size,
      filled: 0,
      status: 'resting',
      submittedMs: nowMs,
      updatedMs: nowMs,
    };
    const order: PaperOrder = {
      seq: this.seq,
      state,
      leg: legOf(intent.side),
      x: legPrice(intent.side, intent.price),
      queueAhead: 0,
      levelSeen: 0,
      feesPips: 0,
    };
    this.orders.set(intent.clientOrderId, order);

    const reason = this.rejection(intent, order);
    if (reason) {
      state.status = 'rejected';
      state.reason = reason;
      return { order: copy(state), events: [{ type: 'rejected', order: copy(state) }] };
    }
    const book = this.books.get(intent.marketTicker);
    const level = book ? sizeAt(ownLevels(book, order.leg), order.x) : 0;
    order.queueAhead = level;
    order.levelSeen = level;
    this.addResting(order);
    return { order: copy(state), events: [{ type: 'accepted', order: copy(state), queueAhead: level }] };
  }

  /**
   * Re-rests an order known from before a restart (hot restart / reconcile). With a `queue` position kept
   * from the snapshot it resumes there; without one it goes to the back of its level at the next book.
   * Orders that are no longer resting are remembered for their market's settlement. Idempotent; no event.
   */
  adopt(previous: OrderState, nowMs: number, feesPaidPips: Pips = 0, queue?: QueuePosition): OrderState {
    const existing = this.orders.get(previous.clientOrderId);
    if (existing) return copy(existing.state);
    const state: OrderState = { ...previous, updatedMs: nowMs };
    const order: PaperOrder = {
      seq: ++this.seq,
      state,
      leg: legOf(state.side),
      x: legPrice(state.side, state.price),
      queueAhead: undefined,
      levelSeen: 0,
      feesPips: feesPaidPips,
    };
    this.orders.set(state.clientOrderId, order);
    if (state.status === 'resting' && !this.settled.has(state.marketTicker)) {
      if (queue) {
        order.queueAhead = queue.queueAhead;
        order.levelSeen = queue.levelSeen;
      } else {
        const book = this.books.get(state.marketTicker);
        if (book) this.captureQueue(order, book);
      }
      this.addResting(order);
    } else {
      this.remember(order);
    }
    return copy(state);
  }

  cancel(clientOrderId: string, reason: string, nowMs: number): { order: OrderState | undefined; events: PaperEvent[] } {
    const order = this.orders.get(clientOrderId);
    if (!order) return { order: undefined, events: [] };
    if (order.state.status !== 'resting') return { order: copy(order.state), events: [] };
    const events = [this.doCancel(order, reason, nowMs)];
    return { order: copy(order.state), events };
  }

  /** Cancels every resting order (optionally only those matching `filter`). */
  cancelAll(reason: string, nowMs: number, filter?: (o: OrderState) => boolean): { count: number; events: PaperEvent[] } {
    const events: PaperEvent[] = [];
    for (const list of [...this.resting.values()]) {
      for (const order of [...list]) {
        if (filter && !filter(copy(order.state))) continue;
        events.push(this.doCancel(order, reason, nowMs));
      }
    }
    return { count: events.length, events };
  }

  /** A new full book for a market (snapshot or after applying deltas). */
  onBook(book: OrderBook, nowMs: number): PaperEvent[] {
    if (this.settled.has(book.ticker)) return [];
    this.books.set(book.ticker, book);
    const events: PaperEvent[] = [];
    for (const leg of ['yes', 'no'] as const) {
      const key = legKey(book.ticker, leg);
      const list = this.resting.get(key);
      if (!list || list.length === 0) continue;
      for (const order of list) this.updateQueueFromBook(order, book);
      this.fillFromCrossingBook(key, list, book, nowMs, events);
    }
    return events;
  }

  onTrade(trade: Trade, nowMs: number): PaperEvent[] {
    if (this.settled.has(trade.ticker) || trade.size <= 0) return [];
    const events: PaperEvent[] = [];
    const restingLeg = restingLegOf(trade);
    for (const leg of ['yes', 'no'] as const) {
      const key = legKey(trade.ticker, leg);
      const list = this.resting.get(key);
      if (!list || list.length === 0) continue;
      const t = tradeLegPrice(trade, leg);
      const ordered = [...list].sort(byPriority);
      if (restingLeg === leg) this.tradeOnOwnLeg(ordered, trade, t, nowMs, events);
      else this.tradeOnContraLeg(key, ordered, trade, t, nowMs, events);
    }
    return events;
  }

  /**
   * The market's result is known: resting orders in it are cancelled (`market settled`) and every
   * accepted order is settled — filled contracts for PnL, unfilled ones with size 0 so calibration sees
   * the outcome of every quoted market. Idempotent per market.
   */
  settle(ticker: string, result: 'yes' | 'no', nowMs: number): PaperEvent[] {
    if (this.settled.has(ticker)) return [];
    const events: PaperEvent[] = [];
    for (const leg of ['yes', 'no'] as const) {
      for (const order of [...(this.resting.get(legKey(ticker, leg)) ?? [])]) {
        events.push(this.doCancel(order, REASON_MARKET_SETTLED, nowMs));
      }
    }
    this.settled.set(ticker, result);
    for (const order of this.byMarket.get(ticker) ?? []) {
      const s = order.state;
      const grossMicros = settlementGrossMicros(s.side, s.price, s.filled, result);
      const settlement: PaperSettlement = {
        clientOrderId: s.clientOrderId,
        marketTicker: ticker,
        result,
        settledSize: s.filled,
        grossMicros,
        feesPips: order.feesPips,
        pnlMicros: grossMicros - pipsToMicros(order.feesPips),
        tsMs: nowMs,
      };
      events.push({ type: 'settled', order: copy(s), settlement });
    }
    this.byMarket.delete(ticker);
    this.books.delete(ticker);
    for (const leg of ['yes', 'no'] as const) this.crossTaken.delete(legKey(ticker, leg));
    return events;
  }

  /**
   * The local book of a market is no longer trustworthy (sequence gap, reconnect): new orders there are
   * rejected (`no book`) until the next book. Queue positions are kept and updated by that next book.
   */
  invalidateBook(ticker: string): void {
    this.books.delete(ticker);
  }

  order(clientOrderId: string): OrderState | undefined {
    const o = this.orders.get(clientOrderId);
    return o ? copy(o.state) : undefined;
  }

  openOrders(): OrderState[] {
    const out: OrderState[] = [];
    for (const list of this.resting.values()) for (const o of list) out.push(copy(o.state));
    return out.sort((a, b) => a.submittedMs - b.submittedMs || a.clientOrderId.localeCompare(b.clientOrderId));
  }

  /** Queue positions of every resting order whose position is known (the hot-restart snapshot keeps them). */
  queuePositions(): Record<string, QueuePosition> {
    const out: Record<string, QueuePosition> = {};
    for (const list of this.resting.values()) {
      for (const o of list) if (o.queueAhead !== undefined) out[o.state.clientOrderId] = { queueAhead: o.queueAhead, levelSeen: o.levelSeen };
    }
    return out;
  }

  /** Displayed size still ahead of a resting order (undefined if unknown or not resting). */
  queueAhead(clientOrderId: string): CentiContracts | undefined {
    const o = this.orders.get(clientOrderId);
    return o && o.state.status === 'resting' ? o.queueAhead : undefined;
  }

  settledResult(ticker: string): 'yes' | 'no' | undefined {
    return this.settled.get(ticker);
  }

  book(ticker: string): OrderBook | undefined {
    return this.books.get(ticker);
  }

  // ---- internals ----

  private rejection(intent: OrderIntent, order: PaperOrder): string | undefined {
    if (intent.postOnly !== true) return 'post only required';
    if (!intent.marketTicker) return 'invalid market';
    if (!Number.isInteger(intent.price) || intent.price <= 0 || intent.price >= PIPS_PER_DOLLAR) return 'invalid price';
    if (!Number.isInteger(intent.size) || intent.size <= 0) return 'invalid size';
    if (this.settled.has(intent.marketTicker)) return 'market settled';
    const book = this.books.get(intent.marketTicker);
    if (!book) return this.requireBook ? 'no book' : undefined;
    if (wouldCross(book, order.leg, order.x)) return POST_ONLY_CROSS;
    return undefined;
  }

  private addResting(order: PaperOrder): void {
    const key = legKey(order.state.marketTicker, order.leg);
    const list = this.resting.get(key) ?? [];
    list.push(order);
    list.sort(byPriority);
    this.resting.set(key, list);
    this.remember(order);
  }

  private remember(order: PaperOrder): void {
    const list = this.byMarket.get(order.state.marketTicker) ?? [];
    list.push(order);
    this.byMarket.set(order.state.marketTicker, list);
  }

  private removeResting(order: PaperOrder): void {
    const key = legKey(order.state.marketTicker, order.leg);
    const list = this.resting.get(key);
    if (!list) return;
    const i = list.indexOf(order);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) {
      this.resting.delete(key);
      this.crossTaken.delete(key);
    }
  }

  private doCancel(order: PaperOrder, reason: string, nowMs: number): PaperEvent {
    order.state.status = 'canceled';
    order.state.reason = reason;
    order.state.updatedMs = nowMs;
    this.removeResting(order);
    return { type: 'canceled', order: copy(order.state), reason };
  }

  private captureQueue(order: PaperOrder, book: OrderBook): void {
    const level = sizeAt(ownLevels(book, order.leg), order.x);
    order.queueAhead = level;
    order.levelSeen = level;
  }

  private updateQueueFromBook(order: PaperOrder, book: OrderBook): void {
    if (order.queueAhead === undefined) return this.captureQueue(order, book);
    const level = sizeAt(ownLevels(book, order.leg), order.x);
    if (level < order.levelSeen && this.cancelAttribution === 'pro_rata' && order.levelSeen > 0) {
      const shrink = order.levelSeen - level;
      // Floor: the share of cancels credited to the queue ahead of us is rounded down (conservative).
      order.queueAhead -= Math.floor((shrink * order.queueAhead) / order.levelSeen);
    }
    order.queueAhead = Math.min(order.queueAhead, level);
    order.levelSeen = level;
  }

  private fillFromCrossingBook(key: string, list: PaperOrder[], book: OrderBook, nowMs: number, events: PaperEvent[]): void {
    const ordered = [...list].sort(byPriority);
    const best = ordered[0]!;
    if (crossingDepth(book, best.leg, best.x) === 0) {
      this.crossTaken.delete(key);
      return;
    }
    const already = this.crossTaken.get(key) ?? 0;
    let taken = 0;
    for (const order of ordered) {
      const depth = crossingDepth(book, order.leg, order.x);
      if (depth === 0) break; // lower-priced orders are crossed by even less
      // A crossed level on our own leg cannot exist in a real (uncrossed) book: nothing is ahead of us.
      order.queueAhead = 0;
      const size = Math.min(this.remaining(order), depth - already - taken);
      if (size > 0) {
        taken += size;
        events.push(this.fill(order, size, 'book_cross', undefined, nowMs));
      }
    }
    if (this.resting.has(key)) this.crossTaken.set(key, already + taken);
  }

  private tradeOnOwnLeg(ordered: PaperOrder[], trade: Trade, t: Pips, nowMs: number, events: PaperEvent[]): void {
    let taken = 0;
    for (const order of ordered) {
      if (order.x < t) break; // the trade did not reach this price (nor any lower one)
      let size: CentiContracts;
      let cause: FillCause;
      if (order.x > t) {
        // The level at x was swept: everything that was ahead of us is gone.
        order.queueAhead = 0;
        order.levelSeen = 0;
        size = Math.min(this.remaining(order), trade.size - taken);
        cause = 'trade_through';
      } else {
        if (order.queueAhead === undefined) continue; // adopted, no book seen yet: position unknown
        const ahead = order.queueAhead;
        order.queueAhead = Math.max(0, ahead - trade.size);
        order.levelSeen = Math.max(0, order.levelSeen - trade.size);
        size = Math.min(this.remaining(order), trade.size - ahead - taken);
        cause = 'trade_at_price';
      }
      if (size > 0) {
        taken += size;
        events.push(this.fill(order, size, cause, trade.tradeId, nowMs));
      }
    }
  }

  private tradeOnContraLeg(key: string, ordered: PaperOrder[], trade: Trade, t: Pips, nowMs: number, events: PaperEvent[]): void {
    // The trade took contra liquidity resting at (own-leg) t; it would have crossed into our orders
    // priced strictly above t. Liquidity already filled from the book this episode may be the same.
    const budget = trade.size - Math.min(this.crossTaken.get(key) ?? 0, trade.size);
    let taken = 0;
    for (const order of ordered) {
      if (order.x <= t) break; // at t: touch, never a fill
      const size = Math.min(this.remaining(order), budget - taken);
      if (size <= 0) break;
      order.queueAhead = 0;
      taken += size;
      events.push(this.fill(order, size, 'trade_through', trade.tradeId, nowMs));
    }
  }

  private remaining(order: PaperOrder): CentiContracts {
    return order.state.size - order.state.filled;
  }

  private fill(order: PaperOrder, size: CentiContracts, cause: FillCause, tradeId: string | undefined, nowMs: number): PaperEvent {
    const s = order.state;
    const feePips = this.fee(s.price, size, 'maker', s.marketTicker);
    if (!Number.isSafeInteger(feePips) || feePips < 0) throw new RangeError(`maker fee must be whole pips ≥ 0, got ${feePips}`);
    s.filled += size;
    s.updatedMs = nowMs;
    order.feesPips += feePips;
    if (s.filled >= s.size) {
      s.status = 'executed';
      this.removeResting(order);
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
}
