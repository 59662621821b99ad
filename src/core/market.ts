/**
 * Venue-neutral domain types for markets, ladders and books. Adapters (Kalshi REST/WS, fixtures,
 * simulator) translate wire shapes into these; the pure core only ever sees these.
 * Prices are YES prices in pips ($0.0001), sizes in centi-contracts (see units.ts).
 */
import type { CentiContracts, Pips } from './units.ts';
import type { SeriesCode } from './series.ts';

export type StrikeType =
  | 'greater'
  | 'greater_or_equal'
  | 'less'
  | 'less_or_equal'
  | 'between'
  | 'functional'
  | 'custom'
  | 'structured';

/** Response-side market status vocabulary (Kalshi lifecycle). */
export type MarketStatus =
  | 'initialized'
  | 'inactive'
  | 'active'
  | 'closed'
  | 'determined'
  | 'disputed'
  | 'amended'
  | 'finalized';

/** One band of the valid price grid: prices start, start+step, …, end (inclusive). */
export interface PriceRange {
  start: Pips;
  end: Pips;
  step: Pips;
}

/** Fee parameters as published on the series / event (SPEC §5.4). */
export interface FeeSchedule {
  feeType: 'quadratic' | 'quadratic_with_maker_fees' | 'quadratic_with_combo_maker_fees' | 'flat' | string;
  multiplier: number;
}

export interface Market {
  ticker: string;
  eventTicker: string;
  series: SeriesCode;
  strikeType: StrikeType;
  /** Index points; present for greater*, between. */
  floorStrike?: number;
  /** Index points; present for less*, between. */
  capStrike?: number;
  openTimeMs: number;
  /** The target of record for settlement. */
  closeTimeMs: number;
  status: MarketStatus;
  priceRanges: PriceRange[];
  yesBid?: Pips;
  yesBidSize?: CentiContracts;
  yesAsk?: Pips;
  yesAskSize?: CentiContracts;
  lastPrice?: Pips;
  /** Set once determined/settled. */
  result?: 'yes' | 'no';
  settlementValue?: Pips;
}

/** An event (one series, one settlement time) with its markets: the unit a window quotes. */
export interface LadderEvent {
  eventTicker: string;
  series: SeriesCode;
  /** close_time shared by the event's markets (the target of record). */
  closeTimeMs: number;
  markets: Market[];
  fees?: FeeSchedule;
}

export interface BookLevel {
  price: Pips;
  size: CentiContracts;
}

/**
 * Order book with both sides as bids, **best first** (highest price first). The NO side is in
 * NO-leg prices, as the exchange reports it: a NO bid at p is a YES ask at 10000 − p.
 */
export interface OrderBook {
  ticker: string;
  yesBids: BookLevel[];
  noBids: BookLevel[];
  /** Receipt or exchange time of the last update, epoch ms. */
  tsMs: number;
}

export interface Trade {
  ticker: string;
  tradeId: string;
  /** YES price of the trade. */
  price: Pips;
  size: CentiContracts;
  /** The taker's outcome side: 'yes' = taker bought YES (lifted asks), 'no' = taker sold YES (hit bids). */
  takerSide: 'yes' | 'no';
  tsMs: number;
}
