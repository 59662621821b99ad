/**
 * Order entry for one series in one window: placing, cancelling, looking up and adopting orders through the
 * broker port, every step recorded in the window's quoting state first (core/quoting/state.ts). The rule it
 * keeps: an order whose outcome is unknown is looked up, never re-sent; a cancel-all touches only this
 * window's and series' own orders. (series-window.ts decides when; this file how.)
 */
import type { Broker } from '../ports/broker.ts';
import type { Clock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import type { OrderState } from '../ports/broker.ts';
import type { SpotReading, QuoteJournal } from '../ports/trading.ts';
import type { LadderEvent, Market } from '../core/market.ts';
import type { SeriesCode } from '../core/series.ts';
import type { TradingWindow } from '../core/windows.ts';
import type { Quote } from '../core/quotes/select.ts';
import { isPromise, type Answer } from './answer.ts';
import { adoptOrder, liveOrders, markCancelPending, markUnknown, ownOrder, recordIntent, resolveLookup, unknownOrders, type SeriesQuotingState } from '../core/quoting/state.ts';

export interface OrderDeskDeps {
  clock: Clock;
  broker: Broker;
  journal: QuoteJournal;
  log: Logger;
  /** After every change of the quoting state. */
  changed: () => void;
}

export class OrderDesk {
  constructor(
    private readonly window: TradingWindow,
    private readonly series: SeriesCode,
    private readonly state: SeriesQuotingState,
    private readonly d: OrderDeskDeps,
  ) {}

  private get now(): number {
    return this.d.clock.now();
  }

  /**
   * Start-up and restart are one path: every order the state counts as live is looked up (never re-sent),
   * and orders the broker holds in this event's markets that the state does not know are adopted.
   */
  async reconcile(event: LadderEvent): Promise<void> {
    for (const o of liveOrders(this.state)) {
      try {
        resolveLookup(this.state, o.clientOrderId, await this.d.broker.lookup(o.clientOrderId, o.marketTicker), this.now);
      } catch (e) {
        markUnknown(this.state, o.clientOrderId, this.now);
        this.d.log.warn({ client_order_id: o.clientOrderId, err: e }, 'restored order not looked up yet');
      }
    }
    const mine = new Set(event.markets.map((m) => m.ticker));
    try {
      for (const st of await this.d.broker.openOrders()) {
        if (mine.has(st.marketTicker) && !ownOrder(this.state, st.clientOrderId)) adoptOrder(this.state, st, this.now);
      }
    } catch (e) {
      this.d.log.warn({ err: e }, 'open orders not listed at start; the first cycle looks again');
    }
    this.d.changed();
  }

  /** Looks up every order whose send failed without an answer; false while any stays unknown (at once when none is). */
  resolveUnknown(): Answer<boolean> {
    const unknown = unknownOrders(this.state);
    return unknown.length === 0 ? true : this.lookUpUnknown(unknown);
  }

  private async lookUpUnknown(unknown: ReturnType<typeof unknownOrders>): Promise<boolean> {
    for (const o of unknown) {
      try {
        const found = await this.d.broker.lookup(o.clientOrderId, o.marketTicker);
        resolveLookup(this.state, o.clientOrderId, found, this.now);
        this.d.log.info({ client_order_id: o.clientOrderId, status: found?.status ?? 'not_received' }, 'order outcome resolved');
      } catch (e) {
        this.d.log.warn({ client_order_id: o.clientOrderId, err: e }, 'order outcome still unknown; not quoting');
        return false;
      }
    }
    this.d.changed();
    return true;
  }

  /**
   * Journals the quote's context, records the intent, then sends it (post-only); a send without an answer is
   * `unknown`. Done at once when the broker answers at once (a throw then stands for a rejected promise).
   */
  place(q: Quote, m: Market, spot: SpotReading): Answer<void> {
    const { broker, journal } = this.d;
    journal.describe(q.clientOrderId, {
      series: this.series,
      window: this.window.id,
      market: m,
      evAfterFeesCents: q.evCents,
      fillProb: q.fillProb ?? null,
      modelProb: q.modelProb,
      activeFeed: spot.activeFeed,
      feedAgeMs: spot.ageMs === null ? null : Math.round(spot.ageMs),
    });
    recordIntent(this.state, q, this.now);
    this.d.changed();
    let st: Answer<OrderState>;
    try {
      st = broker.place({ clientOrderId: q.clientOrderId, marketTicker: q.marketTicker, side: q.side, price: q.price, size: q.size, postOnly: true });
    } catch (e) {
      return this.sendFailed(q, e);
    }
    if (!isPromise(st)) return this.placed(q, st);
    return st.then(
      (x) => this.placed(q, x),
      (e) => this.sendFailed(q, e),
    );
  }

  private placed(q: Quote, st: OrderState): void {
    if (st.status === 'rejected') this.d.log.warn({ market: q.marketTicker, side: q.side, reason: st.reason }, 'order rejected');
  }

  private sendFailed(q: Quote, e: unknown): void {
    markUnknown(this.state, q.clientOrderId, this.now);
    this.d.changed();
    this.d.log.error({ client_order_id: q.clientOrderId, market: q.marketTicker, err: e }, 'order send failed: outcome unknown, will look it up');
  }

  /** Cancels one order; a cancel without an answer leaves it `unknown`. Done at once when the broker answers at once. */
  cancel(clientOrderId: string, reason: string): Answer<void> {
    markCancelPending(this.state, clientOrderId, this.now);
    let st: Answer<OrderState | undefined>;
    try {
      st = this.d.broker.cancel(clientOrderId, reason);
    } catch (e) {
      return this.cancelFailed(clientOrderId, reason, e);
    }
    if (!isPromise(st)) return this.cancelled(clientOrderId, st);
    return st.then(
      (x) => this.cancelled(clientOrderId, x),
      (e) => this.cancelFailed(clientOrderId, reason, e),
    );
  }

  private cancelled(clientOrderId: string, st: OrderState | undefined): void {
    if (st) resolveLookup(this.state, clientOrderId, st, this.now);
    this.d.changed();
  }

  private cancelFailed(clientOrderId: string, reason: string, e: unknown): void {
    markUnknown(this.state, clientOrderId, this.now);
    this.d.log.error({ client_order_id: clientOrderId, reason, err: e }, 'cancel failed: outcome unknown, will look it up');
    this.d.changed();
  }

  /**
   * Cancels every live order of this window/series (never other windows' orders). Each cancel is awaited,
   * answered at once or not (one microtask turn each: see series-window.ts `act`).
   */
  async cancelOwn(reason: string): Promise<void> {
    for (const o of liveOrders(this.state)) {
      if (o.status === 'unknown') {
        try {
          const found = await this.d.broker.lookup(o.clientOrderId, o.marketTicker);
          resolveLookup(this.state, o.clientOrderId, found, this.now);
          if (!found || found.status !== 'resting') continue;
        } catch (e) {
          this.d.log.error({ client_order_id: o.clientOrderId, err: e }, 'cancel-all: lookup failed');
          continue;
        }
      }
      await this.cancel(o.clientOrderId, reason);
    }
  }
}
