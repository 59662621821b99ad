/**
 * VenueMarketData over the Kalshi REST client: events of a series with nested markets (all pages),
 * markets, books, exchange status and schedule, series fees — converted to domain types. A body the
 * schemas accept but the domain cannot use (a market without its strikes, …) is a KalshiProtocolError,
 * counted in `stats` and logged with the method and reason.
 */
import type { FeeSchedule, LadderEvent, Market, OrderBook } from '../../core/market.ts';
import { SERIES, type SeriesCode } from '../../core/series.ts';
import type { Clock } from '../../ports/clock.ts';
import { silentLogger, type Logger } from '../../ports/logger.ts';
import type { EventQuery, ExchangeSchedule, ExchangeStatus, VenueMarketData, WeeklySessions } from '../../ports/venue.ts';
import { KalshiApiError, KalshiProtocolError } from './errors.ts';
import { isoToMs, seriesCodeOf, toFeeSchedule, toLadderEvent, toMaintenanceWindows, toMarket, toOrderBook } from './convert.ts';
import type { KalshiRestClient } from './rest-client.ts';
import type { WireEvent, WireExchangeSchedule, WireExchangeStatus } from './schemas.ts';

const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;

export function toExchangeSchedule(s: WireExchangeSchedule): ExchangeSchedule {
  const standardHours: WeeklySessions[] = s.standard_hours.map((w) => ({
    validFromMs: isoToMs(w.start_time, 'schedule start_time'),
    validToMs: isoToMs(w.end_time, 'schedule end_time'),
    days: [[], ...DAYS.map((d) => w[d].map((x) => ({ openEt: x.open_time, closeEt: x.close_time })))],
  }));
  return { standardHours, maintenanceWindows: toMaintenanceWindows(s) };
}

export function toExchangeStatus(s: WireExchangeStatus): ExchangeStatus {
  const out: ExchangeStatus = { exchangeActive: s.exchange_active, tradingActive: s.trading_active };
  if (s.exchange_estimated_resume_time) out.estimatedResumeMs = isoToMs(s.exchange_estimated_resume_time, 'exchange_estimated_resume_time');
  return out;
}

/** Events → ladder events within [minCloseMs, maxCloseMs] (the API only filters the lower bound). */
export function ladderEventsInRange(events: WireEvent[], q: EventQuery, fees: FeeSchedule | undefined): LadderEvent[] {
  return events
    .map((e) => toLadderEvent(e, fees))
    .filter((e) => e.series === q.series && (q.minCloseMs === undefined || e.closeTimeMs >= q.minCloseMs) && (q.maxCloseMs === undefined || e.closeTimeMs <= q.maxCloseMs))
    .sort((a, b) => a.closeTimeMs - b.closeTimeMs);
}

export interface KalshiVenueStats {
  /** Validated bodies the domain conversion rejected. */
  rejected: number;
  rejectedByMethod: Record<string, number>;
}

export class KalshiVenue implements VenueMarketData {
  readonly stats: KalshiVenueStats = { rejected: 0, rejectedByMethod: {} };
  private readonly fees = new Map<SeriesCode, FeeSchedule>();
  private readonly log: Logger;

  constructor(
    private readonly rest: KalshiRestClient,
    private readonly clock: Clock,
    logger?: Logger,
  ) {
    this.log = logger ?? silentLogger;
  }

  /** Runs a wire → domain conversion, counting and logging a rejection before passing it on. */
  private convert<T>(method: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof KalshiProtocolError) {
        this.stats.rejected++;
        this.stats.rejectedByMethod[method] = (this.stats.rejectedByMethod[method] ?? 0) + 1;
        this.log.warn({ method, reason: e.message }, 'kalshi answer rejected by the domain conversion');
      }
      throw e;
    }
  }

  async listEvents(q: EventQuery): Promise<LadderEvent[]> {
    const fees = await this.seriesFees(q.series);
    const events = await this.rest.listEvents({
      series_ticker: SERIES[q.series].ticker,
      with_nested_markets: true,
      status: q.status,
      min_close_ts: q.minCloseMs !== undefined ? Math.floor(q.minCloseMs / 1000) : undefined,
    });
    return this.convert('listEvents', () => ladderEventsInRange(events, q, fees));
  }

  async getEvent(eventTicker: string): Promise<LadderEvent | undefined> {
    try {
      const ev = await this.rest.getEvent(eventTicker, true);
      const fees = await this.seriesFees(this.convert('getEvent', () => seriesCodeOf(ev.series_ticker)));
      return this.convert('getEvent', () => toLadderEvent(ev, fees));
    } catch (e) {
      if (e instanceof KalshiApiError && e.status === 404) return undefined;
      throw e;
    }
  }

  async getMarket(ticker: string): Promise<Market> {
    const w = await this.rest.getMarket(ticker);
    return this.convert('getMarket', () => toMarket(w));
  }

  async getOrderBook(ticker: string): Promise<OrderBook> {
    const fp = await this.rest.getOrderbook(ticker);
    return this.convert('getOrderBook', () => toOrderBook(ticker, fp, this.clock.now()));
  }

  async getOrderBooks(tickers: string[]): Promise<OrderBook[]> {
    const now = this.clock.now();
    const books = await this.rest.getOrderbooks(tickers);
    return this.convert('getOrderBooks', () => books.map((b) => toOrderBook(b.ticker, b.orderbook_fp, now)));
  }

  async exchangeStatus(): Promise<ExchangeStatus> {
    const s = await this.rest.getExchangeStatus();
    return this.convert('exchangeStatus', () => toExchangeStatus(s));
  }

  async exchangeSchedule(): Promise<ExchangeSchedule> {
    const s = await this.rest.getExchangeSchedule();
    return this.convert('exchangeSchedule', () => toExchangeSchedule(s));
  }

  async seriesFees(series: SeriesCode): Promise<FeeSchedule> {
    let f = this.fees.get(series);
    if (!f) {
      const w = await this.rest.getSeries(SERIES[series].ticker);
      f = toFeeSchedule(w);
      this.fees.set(series, f);
    }
    return f;
  }
}
