/**
 * The simulated exchange's vocabulary (sim/kalshi/exchange.ts): its orders, fills, trades, markets and
 * positions, the events the WS server fans out, the rejection the REST server turns into an error body, and the
 * exchange's options. Its own file so that the layers of the exchange (exchange-markets.ts, exchange-orders.ts,
 * exchange.ts) and its readers (wire.ts, ws-session.ts, server.ts) share one set of types without reading the
 * matching engine.
 *
 * Money is exact: prices in pips, every amount (costs, fees, cash, PnL) in micro-dollars.
 */
import type { Clock } from '../../ports/clock.ts';
import type { SeriesCode } from '../../core/series.ts';
import type { CentiContracts, Micros, Pips } from '../../core/units.ts';
import type { IndexPath } from '../day/index-path.ts';
import type { SimEventSpec, SimMarketSpec } from './ladders.ts';
import type { SimWorld, SimWorldSetting } from '../day/world.ts';
import type { SimParticipantsOverrides } from '../market/participants.ts';

export type BookSide = 'bid' | 'ask';
export type SimOrderStatus = 'resting' | 'canceled' | 'executed';
export type Stp = 'taker_at_cross' | 'maker';
export type Tif = 'fill_or_kill' | 'good_till_canceled' | 'immediate_or_cancel';

export const MM_OWNER = 'sim:market-maker';
export const TAKER_OWNER = 'sim:taker';

export interface SimOrder {
  orderId: string;
  clientOrderId: string;
  owner: string;
  ticker: string;
  side: BookSide;
  price: Pips;
  initial: CentiContracts;
  filled: CentiContracts;
  remaining: CentiContracts;
  status: SimOrderStatus;
  /** null for orders entered outside the V2 API (web app, FIX), which carry none (`self_trade_prevention_type: null`). */
  stp: Stp | null;
  tif: Tif;
  postOnly: boolean;
  cancelOnPause: boolean;
  createdMs: number;
  updatedMs: number;
  /** Fill costs (price × count), micro-dollars. */
  takerFillCost: Micros;
  makerFillCost: Micros;
  /** Net fees paid (trade + rounding − rebates), micro-dollars. */
  takerFees: Micros;
  makerFees: Micros;
  /** Fee-rounding accumulator of this order (micro-dollars of rounding overpaid, not yet rebated). */
  roundingAccum: Micros;
  lastUpdateReason?: string;
  seq: number;
}

export interface SimFill {
  fillId: string;
  tradeId: string;
  orderId: string;
  clientOrderId: string;
  owner: string;
  ticker: string;
  side: BookSide;
  price: Pips;
  count: CentiContracts;
  isTaker: boolean;
  /** Net fee of the fill (the wire's `fee_cost`), micro-dollars: trade fee + rounding fee − rebate. */
  feeMicros: Micros;
  tsMs: number;
  postPosition: CentiContracts;
}

export interface SimTrade {
  tradeId: string;
  ticker: string;
  price: Pips;
  count: CentiContracts;
  takerSide: BookSide;
  tsMs: number;
}

export type MarketPhase = 'initialized' | 'active' | 'closed' | 'determined' | 'finalized';

export interface SimMarketState {
  spec: SimMarketSpec;
  event: SimEventSpec;
  status: MarketPhase;
  result?: 'yes' | 'no';
  settledMs?: number;
  determinedMs?: number;
  bids: SimOrder[];
  asks: SimOrder[];
  lastPrice?: Pips;
  volume: CentiContracts;
  openInterest: CentiContracts;
  /** The book as last published (the WS stream and REST answers are derived from it). */
  published: { yes: Map<Pips, CentiContracts>; no: Map<Pips, CentiContracts> };
  /** The top of book, last price and volume of the last ticker update (bid, size, ask, size, last, volume; −1: none). */
  lastTop?: number[];
}

export interface SimPosition {
  owner: string;
  ticker: string;
  position: CentiContracts;
  /** Σ price × count of trades, micro-dollars. */
  traded: Micros;
  fees: Micros;
  /** Settlement payouts, micro-dollars. */
  realized: Micros;
  updatedMs: number;
}

export type ExchangeEvent =
  | { type: 'book_delta'; ticker: string; side: 'yes' | 'no'; price: Pips; delta: number; tsMs: number }
  | { type: 'ticker'; ticker: string; tsMs: number }
  | { type: 'trade'; trade: SimTrade }
  | { type: 'fill'; fill: SimFill }
  | { type: 'user_order'; order: SimOrder }
  | { type: 'lifecycle'; ticker: string; eventType: 'activated' | 'determined' | 'settled' | 'deactivated'; tsMs: number };

export interface ExchangeError {
  status: number;
  code: string;
  message: string;
  details?: string;
}

export class SimRejection extends Error {
  constructor(readonly e: ExchangeError) {
    super(`${e.code}: ${e.message}`);
  }
}

export interface CreateOrderInput {
  ticker: string;
  client_order_id?: string;
  side: BookSide;
  count: string;
  price: string;
  time_in_force: Tif;
  /** Required by the V2 API; absent only for orders entered outside it (`SimExchange.create` callers). */
  self_trade_prevention_type?: Stp | null;
  post_only?: boolean;
  cancel_order_on_pause?: boolean;
}

export interface CreateResult {
  order: SimOrder;
  fillCount: CentiContracts;
  /** Micro-dollars. */
  fillCost: Micros;
  /** Net fees of this call's fills, micro-dollars. */
  fees: Micros;
}

export interface SimFeeConfig {
  feeType: 'quadratic' | 'quadratic_with_maker_fees' | 'flat';
  multiplier: number;
}

export interface SimExchangeOptions {
  clock: Clock;
  seed: number;
  /** ET trading date the ladders settle on. */
  dateEt: string;
  /** `16:00` (default) or `13:00` on an early close. */
  closeEt?: string;
  hourlyTargets?: string[];
  omitEvents?: string[];
  thresholdStrikes?: number;
  rangeBins?: number;
  /** Index paths; the simulated world's (sim/day/world.ts, 09:30 ET to the close) when absent. */
  paths?: { spx: IndexPath; ndx: IndexPath };
  /** The simulated world the paths come from when not given (default `regime`). */
  world?: SimWorldSetting | SimWorld;
  /** The simulated participants' knobs (sim/market/participants.ts), merged into the defaults. */
  participants?: SimParticipantsOverrides;
  /** Shorthand for `participants.marketMaker.tickMs` (wins over it): 0 = a quiet market (no maker, no takers). */
  mmTickMs?: number;
  /** Shorthand for `participants.noise.probability` (wins over it): chance per market per maker tick of a noise trade. */
  takerProbability?: number;
  /** Delay between close and determination. Default 5 s. */
  determineDelayMs?: number;
  settlementTimerSeconds?: number;
  /** Extra maintenance windows on top of the standing Thursday 03:00–05:00 ET pause. */
  maintenance?: { startMs: number; endMs: number }[];
  fees?: Partial<Record<SeriesCode, SimFeeConfig>>;
  startingBalanceCents?: number;
  /**
   * The member's balance precision in micro-dollars: 10 000 ($0.01, non-direct members; the default) or
   * 100 ($0.0001, direct members). Balance changes are floored to it and the remainder charged as a rounding fee.
   */
  balancePrecisionMicros?: number;
  /**
   * Price grid of every market: `price_level_structure` and `price_ranges` (dollar strings). Default
   * `linear_cent`, $0.01–$0.99 in $0.01 steps (what index series use). A finer grid lets tests trade at
   * sub-penny prices.
   */
  priceGrid?: { structure: string; ranges: { start: string; end: string; step: string }[] };
}

export const LINEAR_CENT_GRID = { structure: 'linear_cent', ranges: [{ start: '0.0100', end: '0.9900', step: '0.0100' }] } as const;
