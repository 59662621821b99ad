/**
 * The paper exchange (SPEC §5.6): pure matching of our resting paper orders against the real (or
 * simulated, or recorded) book and trades. No I/O and no clock: every call takes `nowMs`.
 *
 * This file keeps the orders: placement (post-only: an order that would take liquidity — contra best at or
 * past its own-leg price x, see legs.ts — is rejected with `post only cross`), adoption after a restart,
 * cancels and the market's settlement, and hands each book and trade to the queue (queue.ts: where an order
 * stands in its level) and the matching (fills.ts: what a trade or a crossing book fills). Every fill is at
 * the order's own price (a maker is never filled at a worse price) and carries the maker fee of that fill
 * (`MakerFeeFn`, rounded per fill as the exchange does).
 */
import type { OrderIntent, OrderState } from '../orders.ts';
import type { OrderBook, Trade } from '../market.ts';
import { PIPS_PER_DOLLAR, type CentiContracts, type Pips } from '../units.ts';
import { legOf, legPrice, ownLevels, restingLegOf, sizeAt, tradeLegPrice, wouldCross } from './legs.ts';
import { pipsToMicros, settlementGrossMicros } from './settlement.ts';
import { POST_ONLY_CROSS, type CancelAttribution, type MakerFeeFn, type PaperEvent, type PaperSettlement } from './types.ts';
import { byPriority, captureQueue, copy, legKey, updateQueueFromBook, type PaperOrder, type QueuePosition } from './queue.ts';
import { fillFromCrossingBook, tradeOnContraLeg, tradeOnOwnLeg, type FillContext } from './fills.ts';

export type { QueuePosition } from './queue.ts';

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

export const REASON_MARKET_SETTLED = 'market settled';

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
  /** What the matching may touch of this exchange's state. */
  private readonly fills: FillContext;

  constructor(options: PaperExchangeOptions) {
    this.fee = options.fee;
    this.cancelAttribution = options.cancelAttribution ?? 'pro_rata';
    this.requireBook = options.requireBook ?? true;
    this.fills = {
      fee: this.fee,
      crossTaken: this.crossTaken,
      isResting: (key) => this.resting.has(key),
      removeResting: (order) => this.removeResting(order),
    };
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
        if (book) captureQueue(order, book);
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
      for (const order of list) updateQueueFromBook(order, book, this.cancelAttribution);
      fillFromCrossingBook(this.fills, key, list, book, nowMs, events);
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
      if (restingLeg === leg) tradeOnOwnLeg(this.fills, ordered, trade, t, nowMs, events);
      else tradeOnContraLeg(this.fills, key, ordered, trade, t, nowMs, events);
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
}
