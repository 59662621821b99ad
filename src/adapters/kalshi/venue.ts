/**
 * VenueMarketData over the Kalshi REST client: events of a series with nested markets (all pages),
 * markets, books, exchange status and schedule, series fees — converted to domain types.
 */
import type { FeeSchedule, LadderEvent, Market, OrderBook } from '../../core/market.ts';
import { SERIES, type SeriesCode } from '../../core/series.ts';
import type { Clock } from '../../ports/clock.ts';
import type { EventQuery, ExchangeSchedule, ExchangeStatus, VenueMarketData, WeeklySessions } from '../../ports/venue.ts';
import { KalshiApiError } from './errors.ts';
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

export class KalshiVenue implements VenueMarketData {
  private readonly fees = new Map<SeriesCode, FeeSchedule>();

  constructor(
    private readonly rest: KalshiRestClient,
    private readonly clock: Clock,
  ) {}

  async listEvents(q: EventQuery): Promise<LadderEvent[]> {
    const fees = await this.seriesFees(q.series);
    const events = await this.rest.listEvents({
      series_ticker: SERIES[q.series].ticker,
      with_nested_markets: true,
      status: q.status,
      min_close_ts: q.minCloseMs !== undefined ? Math.floor(q.minCloseMs / 1000) : undefined,
    });
    return ladderEventsInRange(events, q, fees);
  }

  async getEvent(eventTicker: string): Promise<LadderEvent | undefined> {
    try {
      const ev = await this.rest.getEvent(eventTicker, true);
      const fees = await this.seriesFees(seriesCodeOf(ev.series_ticker));
      return toLadderEvent(ev, fees);
    } catch (e) {
      if (e instanceof KalshiApiError && e.status === 404) return undefined;
      throw e;
    }
  }

  async getMarket(ticker: string): Promise<Market> {
    return toMarket(await this.rest.getMarket(ticker));
  }

  async getOrderBook(ticker: string): Promise<OrderBook> {
    return toOrderBook(ticker, await this.rest.getOrderbook(ticker), this.clock.now());
  }

  async getOrderBooks(tickers: string[]): Promise<OrderBook[]> {
    const now = this.clock.now();
    return (await this.rest.getOrderbooks(tickers)).map((b) => toOrderBook(b.ticker, b.orderbook_fp, now));
  }

  async exchangeStatus(): Promise<ExchangeStatus> {
    return toExchangeStatus(await this.rest.getExchangeStatus());
  }

  async exchangeSchedule(): Promise<ExchangeSchedule> {
    return toExchangeSchedule(await this.rest.getExchangeSchedule());
  }

  async seriesFees(series: SeriesCode): Promise<FeeSchedule> {
    let f = this.fees.get(series);
    if (!f) {
      f = toFeeSchedule(await this.rest.getSeries(SERIES[series].ticker));
      this.fees.set(series, f);
    }
    return f;
  }
}
