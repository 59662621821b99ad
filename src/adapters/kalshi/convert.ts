/**
 * Wire (Kalshi JSON) → domain (src/core/market.ts). Decimal strings are parsed exactly (pips,
 * centi-contracts, micro-dollars); books are converted from the exchange's ascending, best-last lists to
 * best-first. The schemas have already checked every decimal fits its unit, so the only failures here are
 * domain ones (a strike missing for its strike_type, …), reported as KalshiProtocolError.
 */
import type { BookLevel, FeeSchedule, LadderEvent, Market, OrderBook, PriceRange, Trade } from '../../core/market.ts';
import { seriesOfTicker, type SeriesCode } from '../../core/series.ts';
import { MICROS_PER_PIP, parseCount, parseDollars, parseMicros, type Pips } from '../../core/units.ts';
import { KalshiProtocolError } from './errors.ts';
import type { WireEvent, WireExchangeSchedule, WireMarket, WireOrderbookFp, WireSeries } from './schemas.ts';

export function isoToMs(iso: string, what: string): number {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) throw new KalshiProtocolError(`${what}: invalid timestamp ${JSON.stringify(iso)}`);
  return ms;
}

export function seriesCodeOf(ticker: string): SeriesCode {
  const info = seriesOfTicker(ticker);
  if (!info) throw new KalshiProtocolError(`ticker ${ticker} is not one of the index series this system trades`);
  return info.code;
}

const optDollars = (s: string | undefined) => (s === undefined ? undefined : parseDollars(s));
const optCount = (s: string | undefined) => (s === undefined ? undefined : parseCount(s));

/** A settlement value (an amount, up to 6 decimals) as pips when it lies on the pip grid, else undefined. */
export function settlementPips(s: string | null | undefined): Pips | undefined {
  if (s === undefined || s === null) return undefined;
  const micros = parseMicros(s);
  return micros % MICROS_PER_PIP === 0 ? micros / MICROS_PER_PIP : undefined;
}

export function toPriceRanges(ranges: WireMarket['price_ranges']): PriceRange[] {
  return ranges.map((r) => ({ start: parseDollars(r.start), end: parseDollars(r.end), step: parseDollars(r.step) }));
}

/** Strikes come from the market's own fields, never from its ticker. */
export function toMarket(w: WireMarket, seriesHint?: SeriesCode): Market {
  if (!w.strike_type) throw new KalshiProtocolError(`market ${w.ticker}: no strike_type`);
  const m: Market = {
    ticker: w.ticker,
    eventTicker: w.event_ticker,
    series: seriesHint ?? seriesCodeOf(w.event_ticker),
    strikeType: w.strike_type,
    openTimeMs: isoToMs(w.open_time, `market ${w.ticker} open_time`),
    closeTimeMs: isoToMs(w.close_time, `market ${w.ticker} close_time`),
    status: w.status,
    priceRanges: toPriceRanges(w.price_ranges),
  };
  if (w.floor_strike != null) m.floorStrike = w.floor_strike;
  if (w.cap_strike != null) m.capStrike = w.cap_strike;
  const needsFloor = w.strike_type === 'greater' || w.strike_type === 'greater_or_equal' || w.strike_type === 'between';
  const needsCap = w.strike_type === 'less' || w.strike_type === 'less_or_equal' || w.strike_type === 'between';
  if ((needsFloor && m.floorStrike === undefined) || (needsCap && m.capStrike === undefined)) {
    throw new KalshiProtocolError(`market ${w.ticker}: strike_type ${w.strike_type} without its strike(s)`);
  }
  // Zero prices/sizes on the wire mean "no quote" (an empty side), not a $0 quote.
  const yesBid = optDollars(w.yes_bid_dollars);
  if (yesBid) {
    m.yesBid = yesBid;
    m.yesBidSize = optCount(w.yes_bid_size_fp) ?? 0;
  }
  const yesAsk = optDollars(w.yes_ask_dollars);
  if (yesAsk && yesAsk < 10_000) {
    m.yesAsk = yesAsk;
    m.yesAskSize = optCount(w.yes_ask_size_fp) ?? 0;
  }
  const last = optDollars(w.last_price_dollars);
  if (last) m.lastPrice = last;
  if (w.result === 'yes' || w.result === 'no') m.result = w.result;
  const settlement = m.result ? settlementPips(w.settlement_value_dollars) : undefined;
  if (settlement !== undefined) m.settlementValue = settlement;
  return m;
}

export function toFeeSchedule(s: Pick<WireSeries, 'fee_type' | 'fee_multiplier'>): FeeSchedule {
  return { feeType: s.fee_type, multiplier: s.fee_multiplier };
}

/**
 * Event with its nested markets. The event's close time is the (shared) close_time of its markets;
 * an event with none or with disagreeing close times is reported, not guessed.
 */
export function toLadderEvent(w: WireEvent, seriesFees?: FeeSchedule): LadderEvent {
  const series = seriesCodeOf(w.series_ticker);
  const markets = (w.markets ?? []).map((m) => toMarket(m, series));
  const closes = new Set(markets.map((m) => m.closeTimeMs));
  if (closes.size > 1) throw new KalshiProtocolError(`event ${w.event_ticker}: markets disagree on close_time`);
  const closeTimeMs = markets[0]?.closeTimeMs ?? (w.strike_date ? isoToMs(w.strike_date, `event ${w.event_ticker} strike_date`) : NaN);
  if (!Number.isFinite(closeTimeMs)) throw new KalshiProtocolError(`event ${w.event_ticker}: no markets and no strike_date`);
  const ev: LadderEvent = { eventTicker: w.event_ticker, series, closeTimeMs, markets };
  const fees = w.fee_type_override || w.fee_multiplier_override != null
    ? { feeType: w.fee_type_override ?? seriesFees?.feeType ?? 'quadratic', multiplier: w.fee_multiplier_override ?? seriesFees?.multiplier ?? 1 }
    : seriesFees;
  if (fees) ev.fees = fees;
  return ev;
}

function levels(list: WireLevels, what: string): BookLevel[] {
  const out: BookLevel[] = (list ?? []).map(([p, c]) => ({ price: parseDollars(p), size: parseCount(c) }));
  for (const l of out) {
    if (l.price <= 0 || l.price >= 10_000 || l.size <= 0) throw new KalshiProtocolError(`${what}: invalid level ${l.price}/${l.size}`);
  }
  return out.sort((a, b) => b.price - a.price);
}

type WireLevels = readonly (readonly [string, string])[] | null | undefined;

/** REST `orderbook_fp` (ascending, best last; NO side in NO-leg prices; an empty side `[]`, null or absent) → best-first OrderBook. */
export function toOrderBook(ticker: string, fp: WireOrderbookFp | { yes_dollars?: WireLevels; no_dollars?: WireLevels }, tsMs: number): OrderBook {
  return { ticker, yesBids: levels(fp.yes_dollars, `${ticker} yes`), noBids: levels(fp.no_dollars, `${ticker} no`), tsMs };
}

export function toTrade(t: { trade_id: string; market_ticker: string; yes_price_dollars: string; count_fp: string; taker_outcome_side: 'yes' | 'no'; ts_ms: number }): Trade {
  return { ticker: t.market_ticker, tradeId: t.trade_id, price: parseDollars(t.yes_price_dollars), size: parseCount(t.count_fp), takerSide: t.taker_outcome_side, tsMs: t.ts_ms };
}

export interface MaintenanceWindowMs {
  startMs: number;
  endMs: number;
}

export function toMaintenanceWindows(s: WireExchangeSchedule): MaintenanceWindowMs[] {
  return s.maintenance_windows
    .map((w) => ({ startMs: isoToMs(w.start_datetime, 'maintenance start'), endMs: isoToMs(w.end_datetime, 'maintenance end') }))
    .filter((w) => w.endMs > w.startMs)
    .sort((a, b) => a.startMs - b.startMs);
}
