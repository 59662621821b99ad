/**
 * The venue as the engine sees it: market data (REST-like reads) and a stream (books, trades, lifecycle,
 * fills). Implemented by the Kalshi adapter (REST + WS), the offline fixture venue, and the simulator
 * through the same adapter. All shapes are domain types: prices in pips, sizes in centi-contracts, ms epochs.
 */
import type { FeeSchedule, LadderEvent, Market, OrderBook, Trade } from '../core/market.ts';
import type { SeriesCode } from '../core/series.ts';
import type { CentiContracts, Pips } from '../core/units.ts';

export interface EventQuery {
  series: SeriesCode;
  /** Only events closing at or after this instant (epoch ms). */
  minCloseMs?: number;
  /** Only events closing at or before this instant (epoch ms). */
  maxCloseMs?: number;
  /** Exchange-side filter (an event matches if any of its markets does). */
  status?: 'unopened' | 'open' | 'closed' | 'settled';
}

export interface ExchangeStatus {
  exchangeActive: boolean;
  tradingActive: boolean;
  /** When the exchange expects to resume, if paused. */
  estimatedResumeMs?: number;
}

export interface MaintenanceWindow {
  startMs: number;
  endMs: number;
}

/** Regular trading sessions of a weekly schedule, ET wall times `HH:MM`. */
export interface WeeklySessions {
  validFromMs: number;
  validToMs: number;
  /** Index 1 = Monday … 7 = Sunday (ISO weekday); index 0 unused. */
  days: { openEt: string; closeEt: string }[][];
}

export interface ExchangeSchedule {
  standardHours: WeeklySessions[];
  /** Announced maintenance windows, sorted by start. */
  maintenanceWindows: MaintenanceWindow[];
}

export interface VenueMarketData {
  /** Events of one series (with their markets) whose close time lies in the range; all pages. */
  listEvents(q: EventQuery): Promise<LadderEvent[]>;
  getEvent(eventTicker: string): Promise<LadderEvent | undefined>;
  getMarket(ticker: string): Promise<Market>;
  getOrderBook(ticker: string): Promise<OrderBook>;
  getOrderBooks(tickers: string[]): Promise<OrderBook[]>;
  exchangeStatus(): Promise<ExchangeStatus>;
  exchangeSchedule(): Promise<ExchangeSchedule>;
  /** The series' published fee type / multiplier (events may override; see LadderEvent.fees). */
  seriesFees(series: SeriesCode): Promise<FeeSchedule>;
}

export type LifecycleKind = 'created' | 'activated' | 'deactivated' | 'close_date_updated' | 'determined' | 'settled' | 'other';

export interface LifecycleUpdate {
  ticker: string;
  kind: LifecycleKind;
  closeTimeMs?: number;
  result?: 'yes' | 'no';
  /** YES settlement value in pips (10000 = $1). */
  settlementValue?: Pips;
  tsMs: number;
}

/** One of our own fills. */
export interface VenueFill {
  tradeId: string;
  orderId: string;
  clientOrderId?: string;
  ticker: string;
  /** buy = our bid (bought YES) was filled; sell = our ask. */
  side: 'buy' | 'sell';
  price: Pips;
  size: CentiContracts;
  isTaker: boolean;
  /** The fill's net fee (the exchange's `fee_cost`), exact integer micro-dollars ($0.000001). */
  feeMicros: number;
  tsMs: number;
}

/** One of our own orders changed (user_orders channel). */
export interface VenueOrderUpdate {
  orderId: string;
  clientOrderId?: string;
  ticker: string;
  side: 'buy' | 'sell';
  price: Pips;
  status: 'resting' | 'canceled' | 'executed';
  filled: CentiContracts;
  remaining: CentiContracts;
  tsMs: number;
}

export interface TopOfBook {
  ticker: string;
  yesBid?: Pips;
  yesAsk?: Pips;
  lastPrice?: Pips;
  tsMs: number;
}

export type VenueStreamEvent =
  | { kind: 'book'; book: OrderBook }
  /** The local book is not trustworthy (sequence gap, reconnect) until the next `book` event. */
  | { kind: 'book_stale'; ticker: string; reason: string }
  | { kind: 'trade'; trade: Trade }
  | { kind: 'ticker'; top: TopOfBook }
  | { kind: 'lifecycle'; update: LifecycleUpdate }
  | { kind: 'fill'; fill: VenueFill }
  | { kind: 'order'; order: VenueOrderUpdate }
  | { kind: 'connection'; state: 'connected' | 'disconnected'; reason?: string };

export interface VenueStream {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Keep local books (snapshot + deltas) for these markets; emits `book` on every change. */
  watchBooks(tickers: string[]): void;
  unwatchBooks(tickers: string[]): void;
  watchTrades(tickers: string[]): void;
  watchTicker(tickers: string[]): void;
  /** Lifecycle of every market (the channel has no filter). */
  watchLifecycle(): void;
  /** Our fills and order updates (authenticated channels). */
  watchAccount(): void;
  /** The current local book, or undefined while not (re)synced. Never a stale book. */
  book(ticker: string): OrderBook | undefined;
  on(listener: (e: VenueStreamEvent) => void): () => void;
}
