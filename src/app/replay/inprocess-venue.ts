/**
 * The simulated exchange without sockets (SPEC §9 replay): the venue's market data and its stream read
 * straight from a SimExchange in the same process.
 *
 * - Market data answers in the exchange's own JSON shapes (the simulator's wire renderers), validated with
 *   the same schemas and converted by the same functions as the REST adapter: the engine sees exactly what
 *   it would see over HTTP, minus HTTP.
 * - The stream keeps local books from the exchange's book deltas with the websocket adapter's LocalBook
 *   (a snapshot when a book is first watched, then one `book` event per delta, as the websocket does),
 *   forwards trades of watched markets and every market's lifecycle (with the result once determined).
 *   Orders and fills are the dry broker's business (paper trading): the account channels are not used.
 */
import type { SimExchange, ExchangeEvent, SimMarketState } from '../../sim/kalshi/exchange.ts';
import type { SimEventSpec } from '../../sim/kalshi/ladders.ts';
import { eventWire, marketWire, seriesWire, iso } from '../../sim/kalshi/wire.ts';
import type { FeeSchedule, LadderEvent, Market, OrderBook } from '../../core/market.ts';
import { SERIES, type SeriesCode } from '../../core/series.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Logger } from '../../ports/logger.ts';
import type { EventQuery, ExchangeSchedule, ExchangeStatus, LifecycleKind, VenueMarketData, VenueStream, VenueStreamEvent } from '../../ports/venue.ts';
import { formatCount, formatDollars, type CentiContracts, type Pips } from '../../core/units.ts';
import * as S from '../../adapters/kalshi/schemas.ts';
import { toFeeSchedule, toMarket, toOrderBook, toTrade } from '../../adapters/kalshi/convert.ts';
import { ladderEventsInRange, toExchangeSchedule, toExchangeStatus } from '../../adapters/kalshi/venue.ts';
import { LocalBook } from '../../adapters/kalshi/local-book.ts';

const ONE: Pips = 10_000;

/**
 * The exchanges a day's venue reads (one, or one per window: see inprocess-day.ts). Tickers are unique across them.
 */
export interface SimExchanges {
  /** Every exchange so far, in creation order. */
  all(): readonly SimExchange[];
  /** Called with every exchange as it is created (including those that exist already). */
  onExchange(listener: (ex: SimExchange) => void): () => void;
}

/** The trivial set: one exchange for the whole day. */
export function singleExchange(ex: SimExchange): SimExchanges {
  return {
    all: () => [ex],
    onExchange(listener) {
      listener(ex);
      return () => {};
    },
  };
}

function findMarket(set: SimExchanges, ticker: string): { ex: SimExchange; m: SimMarketState } | undefined {
  for (const ex of set.all()) {
    const m = ex.markets.get(ticker);
    if (m) return { ex, m };
  }
  return undefined;
}

/** Market data straight from the exchange state (no HTTP), through the REST adapter's schemas and converters. */
export class InProcessVenue implements VenueMarketData {
  private readonly fees = new Map<SeriesCode, FeeSchedule>();

  constructor(
    private readonly set: SimExchanges,
    /** The clock of the exchanges (status and book timestamps). */
    private readonly clock: Clock,
    /** The exchange whose schedule and fees stand for all (they share them). */
    private readonly primary: () => SimExchange,
  ) {}

  async listEvents(q: EventQuery): Promise<LadderEvent[]> {
    const ticker = SERIES[q.series].ticker;
    const wire: Record<string, unknown>[] = [];
    for (const ex of this.set.all()) {
      for (const ev of ex.events) {
        if (ev.seriesTicker === ticker && (q.minCloseMs === undefined || ev.closeMs >= q.minCloseMs)) wire.push(eventWire(ex, ev, true));
      }
    }
    const events = S.GetEventsResponse.parse({ events: wire, cursor: '' }).events;
    return ladderEventsInRange(events, q, await this.seriesFees(q.series));
  }

  async getEvent(eventTicker: string): Promise<LadderEvent | undefined> {
    let found: { ex: SimExchange; ev: SimEventSpec } | undefined;
    for (const ex of this.set.all()) {
      const ev = ex.events.find((e) => e.eventTicker === eventTicker);
      if (ev) found = { ex, ev };
    }
    if (!found) return undefined;
    const [out] = ladderEventsInRange([S.EventSchema.parse(eventWire(found.ex, found.ev, true))], { series: found.ev.series }, await this.seriesFees(found.ev.series));
    return out;
  }

  async getMarket(ticker: string): Promise<Market> {
    const { ex, m } = this.market(ticker);
    return toMarket(S.MarketSchema.parse(marketWire(ex, m)));
  }

  async getOrderBook(ticker: string): Promise<OrderBook> {
    return this.book(ticker);
  }

  async getOrderBooks(tickers: string[]): Promise<OrderBook[]> {
    return tickers.map((t) => this.book(t));
  }

  async exchangeStatus(): Promise<ExchangeStatus> {
    const now = this.clock.now();
    const ex = this.primary();
    const active = ex.tradingActive(now);
    const resume = ex.maintenanceWindows().find((w) => now >= w.startMs && now < w.endMs);
    return toExchangeStatus(S.ExchangeStatusSchema.parse({ exchange_active: true, trading_active: active, exchange_estimated_resume_time: resume ? iso(resume.endMs) : null }));
  }

  async exchangeSchedule(): Promise<ExchangeSchedule> {
    const full = [{ open_time: '00:00', close_time: '23:59' }];
    const week = { monday: full, tuesday: full, wednesday: full, thursday: [{ open_time: '00:00', close_time: '03:00' }, { open_time: '05:00', close_time: '23:59' }], friday: full, saturday: full, sunday: full };
    const body = {
      schedule: {
        standard_hours: [{ start_time: '2025-01-01T00:00:00Z', end_time: '2027-12-31T23:59:59Z', ...week }],
        maintenance_windows: this.primary().maintenanceWindows().map((w) => ({ start_datetime: iso(w.startMs), end_datetime: iso(w.endMs) })),
      },
    };
    return toExchangeSchedule(S.ExchangeScheduleResponse.parse(body).schedule);
  }

  async seriesFees(series: SeriesCode): Promise<FeeSchedule> {
    let f = this.fees.get(series);
    if (!f) {
      f = toFeeSchedule(S.SeriesSchema.parse(seriesWire(this.primary(), series)));
      this.fees.set(series, f);
    }
    return f;
  }

  private market(ticker: string): { ex: SimExchange; m: SimMarketState } {
    const found = findMarket(this.set, ticker);
    if (!found) throw new Error(`market ${ticker} is not listed`);
    return found;
  }

  private book(ticker: string): OrderBook {
    const { ex } = this.market(ticker);
    const { yes, no } = ex.levels(ticker);
    const fmt = (l: [Pips, CentiContracts][]) => l.map(([p, s]) => [formatDollars(p), formatCount(s)] as [string, string]);
    return toOrderBook(ticker, { yes_dollars: fmt(yes), no_dollars: fmt(no) }, this.clock.now());
  }
}

/** The venue stream straight from the exchange's events: books, trades, lifecycle (no account channels). */
export class InProcessStream implements VenueStream {
  private readonly books = new Map<string, LocalBook>();
  /** The last book emitted per market (books are never mutated once built: readers share it). */
  private readonly current = new Map<string, OrderBook>();
  private readonly trades = new Set<string>();
  private lifecycle = false;
  private readonly listeners = new Set<(e: VenueStreamEvent) => void>();
  private readonly unsubscribers: (() => void)[] = [];
  private started = false;
  /** Exchange events seen (replay statistics). */
  events = 0;

  constructor(
    private readonly set: SimExchanges,
    private readonly clock: Clock,
    private readonly log?: Logger,
  ) {}

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.unsubscribers.push(this.set.onExchange((ex) => this.unsubscribers.push(ex.on((e) => this.onExchange(ex, e)))));
  }

  async stop(): Promise<void> {
    this.started = false;
    for (const u of this.unsubscribers.splice(0)) u();
  }

  watchBooks(tickers: string[]): void {
    for (const t of tickers) {
      const found = this.books.has(t) ? undefined : findMarket(this.set, t);
      if (!found) continue;
      const b = new LocalBook(t);
      const { yes, no } = found.ex.levels(t);
      b.applySnapshot(yes, no, this.clock.now());
      this.books.set(t, b);
      this.emitBook(b);
    }
  }

  unwatchBooks(tickers: string[]): void {
    for (const t of tickers) {
      this.books.delete(t);
      this.current.delete(t);
    }
  }

  watchTrades(tickers: string[]): void {
    for (const t of tickers) this.trades.add(t);
  }

  watchTicker(): void {}

  watchLifecycle(): void {
    this.lifecycle = true;
  }

  watchAccount(): void {}

  book(ticker: string): OrderBook | undefined {
    return this.current.get(ticker);
  }

  on(listener: (e: VenueStreamEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private onExchange(ex: SimExchange, e: ExchangeEvent): void {
    this.events++;
    switch (e.type) {
      case 'book_delta': {
        const b = this.books.get(e.ticker);
        if (!b) return;
        if (!b.applyDelta(e.side, e.price, e.delta, e.tsMs)) {
          // Cannot happen with a consistent exchange; resync as the websocket would.
          const { yes, no } = ex.levels(e.ticker);
          b.applySnapshot(yes, no, this.clock.now());
        }
        this.emitBook(b);
        return;
      }
      case 'trade': {
        if (!this.trades.has(e.trade.ticker)) return;
        const t = e.trade;
        const trade = toTrade({ trade_id: t.tradeId, market_ticker: t.ticker, yes_price_dollars: formatDollars(t.price), count_fp: formatCount(t.count), taker_outcome_side: t.takerSide === 'bid' ? 'yes' : 'no', ts_ms: t.tsMs });
        this.emit({ kind: 'trade', trade });
        return;
      }
      case 'lifecycle': {
        if (!this.lifecycle) return;
        const m = ex.markets.get(e.ticker)!;
        const kind: LifecycleKind = e.eventType;
        // As the websocket adapter reads the lifecycle frame: whole-second timestamps, the result once determined.
        const tsS = e.eventType === 'settled' || e.eventType === 'determined' ? Math.floor(e.tsMs / 1000) : undefined;
        this.emit({
          kind: 'lifecycle',
          update: {
            ticker: e.ticker,
            kind,
            closeTimeMs: e.eventType === 'activated' ? Math.floor(m.spec.closeMs / 1000) * 1000 : undefined,
            result: e.eventType === 'determined' ? m.result : undefined,
            settlementValue: e.eventType === 'determined' ? (m.result === 'yes' ? ONE : 0) : undefined,
            tsMs: tsS !== undefined ? tsS * 1000 : this.clock.now(),
          },
        });
        return;
      }
      default:
        return;
    }
  }

  private emitBook(b: LocalBook): void {
    const book = b.toOrderBook();
    this.current.set(b.ticker, book);
    this.emit({ kind: 'book', book });
  }

  /** As the websocket adapter: a listener that throws is logged and the others still hear the event. */
  private emit(e: VenueStreamEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        this.log?.error({ event: e.kind, err }, 'stream listener threw');
      }
    }
  }
}
