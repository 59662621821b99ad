/**
 * Order entry for one series in one window: placing, cancelling, looking up and adopting orders through the
 * broker port, every step recorded in the window's quoting state first (core/quoting/state.ts). The rule it
 * keeps: an order whose outcome is unknown is looked up, never re-sent; a cancel-all touches only this
 * window's and series' own orders. (series-window.ts decides when; this file how.)
 */
import type { Broker } from '../ports/broker.ts';
import type { Clock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import type { SpotReading, QuoteJournal } from '../ports/trading.ts';
import type { LadderEvent, Market } from '../core/market.ts';
import type { SeriesCode } from '../core/series.ts';
import type { TradingWindow } from '../core/windows.ts';
import type { Quote } from '../core/quotes/select.ts';
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

  /** Looks up every order whose send failed without an answer; false while any stays unknown. */
  async resolveUnknown(): Promise<boolean> {
    const unknown = unknownOrders(this.state);
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
    if (unknown.length > 0) this.d.changed();
    return true;
  }

  /** Journals the quote's context, records the intent, then sends it (post-only); a send without an answer is `unknown`. */
  async place(q: Quote, m: Market, spot: SpotReading): Promise<void> {
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
    try {
      const st = await broker.place({ clientOrderId: q.clientOrderId, marketTicker: q.marketTicker, side: q.side, price: q.price, size: q.size, postOnly: true });
      if (st.status === 'rejected') this.d.log.warn({ market: q.marketTicker, side: q.side, reason: st.reason }, 'order rejected');
    } catch (e) {
      markUnknown(this.state, q.clientOrderId, this.now);
      this.d.changed();
      this.d.log.error({ client_order_id: q.clientOrderId, market: q.marketTicker, err: e }, 'order send failed: outcome unknown, will look it up');
    }
  }

  async cancel(clientOrderId: string, reason: string): Promise<void> {
    markCancelPending(this.state, clientOrderId, this.now);
    try {
      const st = await this.d.broker.cancel(clientOrderId, reason);
      if (st) resolveLookup(this.state, clientOrderId, st, this.now);
    } catch (e) {
      markUnknown(this.state, clientOrderId, this.now);
      this.d.log.error({ client_order_id: clientOrderId, reason, err: e }, 'cancel failed: outcome unknown, will look it up');
    }
    this.d.changed();
  }

  /** Cancels every live order of this window/series (never other windows' orders). */
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
