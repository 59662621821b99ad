/**
 * The simulated exchange's state: the day's listed markets, a price-time-priority limit order book per
 * market (one YES book: bids buy YES, asks sell YES), post-only and self-trade prevention, fills, fees,
 * positions, the simulated participants (sim/market/participants.ts: a market maker pricing off a noisy,
 * delayed view of the generating process, informed takers trading on the oracle, noise takers), and each
 * market's lifecycle to settlement. Driven entirely by the injected clock; emits events the WS server fans out.
 * The oracle (sim/market/oracle.ts, `oracleYes`) is never published through the venue APIs.
 *
 * Money is exact: prices in pips, every amount (costs, fees, cash, PnL) in micro-dollars. Fees follow the
 * exchange's fee-rounding rules (docs.kalshi.com getting_started/fee_rounding): per fill a trade fee rounded
 * up to $0.0001, a rounding fee that brings the balance change back to the member's precision ($0.01 by
 * default), and a whole-cent rebate from a per-order accumulator; a fill's net fee can so carry 6 decimals
 * (sub-penny prices × fractional counts), e.g. 0.03 contracts bought at $0.3301 as taker → $0.010097.
 */
import type { Clock, TimerHandle } from '../../ports/clock.ts';
import type { SeriesCode } from '../../core/series.ts';
import { formatCount, formatDollars, MICROS_PER_PIP, parseCount, parseDollars, UnitParseError, type CentiContracts, type Micros, type Pips } from '../../core/units.ts';
import { etToMs, addDays, weekday } from '../../core/time/et.ts';
import { seededRandom, hashSeed, type IndexPath } from '../day/index-path.ts';
import { yesHolds, type SimEventSpec, type SimMarketSpec } from './ladders.ts';
import { indexOfSeries, simDay } from '../market/day.ts';
import { oracleYes } from '../market/oracle.ts';
import type { SimWorld, SimWorldSetting } from '../day/world.ts';
import {
  informedLimitCents,
  lookProbability,
  makerFair,
  makerTop,
  makerView,
  makerVolError,
  resolveParticipants,
  type SimParticipantsConfig,
  type SimParticipantsOverrides,
} from '../market/participants.ts';

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
  lastTop?: string;
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
/** Per-order rebate unit of the fee accumulator: whole cents. */
const REBATE_MICROS = 10_000;

const ONE_DOLLAR = 10_000;

/** Fee in pips: ceil(rate × M × C × P × (1 − P)) to $0.0001 (reference §7). */
export function quadraticFee(rate: number, multiplier: number, count: CentiContracts, price: Pips): Pips {
  const raw = (rate * multiplier * (count / 100) * (price / ONE_DOLLAR) * (1 - price / ONE_DOLLAR)) * ONE_DOLLAR;
  return Math.max(0, Math.ceil(raw - 1e-7));
}

export class SimExchange {
  readonly clock: Clock;
  readonly dateEt: string;
  readonly closeEt: string;
  readonly events: SimEventSpec[];
  readonly markets = new Map<string, SimMarketState>();
  readonly paths: { spx: IndexPath; ndx: IndexPath };
  readonly orders = new Map<string, SimOrder>();
  readonly fills: SimFill[] = [];
  readonly trades: SimTrade[] = [];
  readonly positions = new Map<string, SimPosition>();
  readonly cash = new Map<string, number>();
  /** Set by tests to pause trading outside the schedule. */
  manualPause = false;
  private readonly listeners = new Set<(e: ExchangeEvent) => void>();
  private readonly byClientId = new Map<string, string>();
  private readonly timers: TimerHandle[] = [];
  private readonly rand: () => number;
  private readonly informedRand: () => number;
  private readonly noiseRand: () => number;
  /** The participants' resolved knobs. */
  readonly participants: SimParticipantsConfig;
  /** What the participants did (diagnostics for tests and evaluation). */
  readonly participantStats = { makerRequotes: 0, informedLooks: 0, informedOrders: 0, informedContracts: 0, noiseOrders: 0, noiseContracts: 0 };
  private seq = 0;
  private idCounter = 0;
  private closed = false;
  private readonly fees: Record<SeriesCode, SimFeeConfig>;
  private readonly o: SimExchangeOptions;
  private readonly grid: { start: Pips; end: Pips; step: Pips }[];
  readonly priceGrid: { structure: string; ranges: { start: string; end: string; step: string }[] };
  private readonly precision: Micros;

  constructor(o: SimExchangeOptions) {
    this.o = o;
    this.clock = o.clock;
    this.dateEt = o.dateEt;
    this.closeEt = o.closeEt ?? '16:00';
    this.rand = seededRandom(hashSeed(o.seed, 'kalshi-sim', o.dateEt));
    this.informedRand = seededRandom(hashSeed(o.seed, 'kalshi-sim-informed', o.dateEt));
    this.noiseRand = seededRandom(hashSeed(o.seed, 'kalshi-sim-noise', o.dateEt));
    const overrides: SimParticipantsOverrides = { ...o.participants };
    if (o.mmTickMs !== undefined) overrides.marketMaker = { ...overrides.marketMaker, tickMs: o.mmTickMs };
    if (o.takerProbability !== undefined) overrides.noise = { ...overrides.noise, probability: o.takerProbability };
    this.participants = resolveParticipants(overrides);
    this.priceGrid = o.priceGrid ?? { structure: LINEAR_CENT_GRID.structure, ranges: LINEAR_CENT_GRID.ranges.map((r) => ({ ...r })) };
    this.grid = this.priceGrid.ranges.map((r) => ({ start: parseDollars(r.start), end: parseDollars(r.end), step: parseDollars(r.step) }));
    this.precision = o.balancePrecisionMicros ?? 10_000;
    const day = simDay({
      seed: o.seed,
      dateEt: o.dateEt,
      closeEt: this.closeEt,
      hourlyTargets: o.hourlyTargets,
      thresholdStrikes: o.thresholdStrikes,
      rangeBins: o.rangeBins,
      omitEvents: o.omitEvents,
      paths: o.paths,
      world: o.world,
    });
    this.paths = day.paths;
    this.events = day.events;
    const defaultFee: SimFeeConfig = { feeType: 'quadratic', multiplier: 1 };
    this.fees = { INXU: defaultFee, NASDAQ100U: defaultFee, INX: defaultFee, NASDAQ100: defaultFee, ...o.fees };
    for (const ev of this.events) {
      for (const spec of ev.markets) {
        this.markets.set(spec.ticker, { spec, event: ev, status: 'initialized', bids: [], asks: [], volume: 0, openInterest: 0, published: { yes: new Map(), no: new Map() } });
      }
      this.scheduleLifecycle(ev);
    }
    const tick = this.participants.marketMaker.tickMs;
    if (tick > 0) {
      this.marketMakerTick(false);
      this.every(tick, () => this.marketMakerTick(true));
    }
  }

  // ---------------- time, schedule, status ----------------

  spot(symbolIdx: 'spx' | 'ndx', ms = this.clock.now()): number {
    return this.paths[symbolIdx].valueAt(ms);
  }

  /** Maintenance windows: the standing Thursday 03:00–05:00 ET pause of the sim date's week, plus extras. */
  maintenanceWindows(): { startMs: number; endMs: number }[] {
    // The Thursday of the sim date's week (Mon–Sun) and the one after it.
    const thursday = addDays(this.dateEt, 4 - weekday(this.dateEt));
    const standing = [thursday, addDays(thursday, 7)].map((d) => ({ startMs: etToMs(d, '03:00'), endMs: etToMs(d, '05:00') }));
    return [...standing, ...(this.o.maintenance ?? [])].sort((a, b) => a.startMs - b.startMs);
  }

  inMaintenance(now = this.clock.now()): boolean {
    return this.maintenanceWindows().some((w) => now >= w.startMs && now < w.endMs);
  }

  tradingActive(now = this.clock.now()): boolean {
    return !this.manualPause && !this.inMaintenance(now);
  }

  feeConfig(series: SeriesCode): SimFeeConfig {
    return this.fees[series];
  }

  on(listener: (e: ExchangeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) this.clock.clearTimeout(t);
    this.timers.length = 0;
    this.listeners.clear();
  }

  private emit(e: ExchangeEvent): void {
    for (const l of this.listeners) l(e);
  }

  private at(ms: number, fn: () => void): void {
    const h = this.clock.setTimeout(() => {
      const i = this.timers.indexOf(h);
      if (i >= 0) this.timers.splice(i, 1);
      if (!this.closed) fn();
    }, ms - this.clock.now());
    this.timers.push(h);
  }

  private every(periodMs: number, fn: () => void): void {
    const run = () => {
      if (this.closed) return;
      fn();
      this.at(this.clock.now() + periodMs, run);
    };
    this.at(this.clock.now() + periodMs, run);
  }

  // ---------------- lifecycle ----------------

  private scheduleLifecycle(ev: SimEventSpec): void {
    const now = this.clock.now();
    const determineAt = ev.closeMs + (this.o.determineDelayMs ?? 5000);
    const settleAt = ev.closeMs + (this.o.settlementTimerSeconds ?? 60) * 1000;
    const markets = ev.markets.map((m) => this.markets.get(m.ticker)!);
    const activate = (emit: boolean) => markets.forEach((m) => {
      m.status = 'active';
      if (emit) this.emit({ type: 'lifecycle', ticker: m.spec.ticker, eventType: 'activated', tsMs: this.clock.now() });
    });
    const close = () => markets.forEach((m) => {
      m.status = 'closed';
      for (const o of [...m.bids, ...m.asks]) this.finish(o, 'canceled', 'MarketClosed');
      m.bids = [];
      m.asks = [];
      this.flush(m);
    });
    const determine = (emit: boolean) => {
      const idx = ev.series === 'INX' || ev.series === 'INXU' ? 'spx' : 'ndx';
      const value = this.spot(idx, ev.closeMs);
      for (const m of markets) {
        m.status = 'determined';
        m.result = yesHolds(m.spec, value) ? 'yes' : 'no';
        m.determinedMs = emit ? this.clock.now() : determineAt;
        if (emit) this.emit({ type: 'lifecycle', ticker: m.spec.ticker, eventType: 'determined', tsMs: this.clock.now() });
      }
    };
    const settle = (emit: boolean) => {
      for (const m of markets) {
        m.status = 'finalized';
        m.settledMs = emit ? this.clock.now() : settleAt;
        this.settlePositions(m);
        if (emit) this.emit({ type: 'lifecycle', ticker: m.spec.ticker, eventType: 'settled', tsMs: this.clock.now() });
      }
    };
    // Catch up silently on what already happened before the sim started; schedule the rest.
    if (now >= ev.openMs) activate(false);
    else this.at(ev.openMs, () => activate(true));
    if (now >= ev.closeMs) close();
    else this.at(ev.closeMs, close);
    if (now >= determineAt) determine(false);
    else this.at(determineAt, () => determine(true));
    if (now >= settleAt) settle(false);
    else this.at(settleAt, () => settle(true));
  }

  private settlePositions(m: SimMarketState): void {
    const value = m.result === 'yes' ? ONE_DOLLAR : 0;
    for (const [key, p] of this.positions) {
      if (p.ticker !== m.spec.ticker || p.position === 0) continue;
      const payout: Micros = p.position * value;
      this.addCash(p.owner, payout);
      p.realized += payout;
      p.position = 0;
      p.updatedMs = this.clock.now();
      this.positions.set(key, p);
    }
    m.openInterest = 0;
  }

  // ---------------- orders ----------------

  private nextId(prefix: string): string {
    this.idCounter++;
    const h = (hashSeed(this.o.seed, prefix, this.idCounter) >>> 0).toString(16).padStart(8, '0');
    const n = this.idCounter.toString(16).padStart(12, '0');
    return `${h}-${n.slice(0, 4)}-4${n.slice(4, 7)}-8${n.slice(7, 10)}-${n.slice(10).padStart(12, '0')}`;
  }

  orderByClientId(owner: string, clientOrderId: string): SimOrder | undefined {
    const id = this.byClientId.get(`${owner}|${clientOrderId}`);
    return id ? this.orders.get(id) : undefined;
  }

  private market(ticker: string): SimMarketState {
    const m = this.markets.get(ticker);
    if (!m) throw new SimRejection({ status: 404, code: 'not_found', message: 'market not found', details: ticker });
    return m;
  }

  private parsePrice(text: string, m: SimMarketState): Pips {
    let p: Pips;
    try {
      p = parseDollars(text);
    } catch (e) {
      throw new SimRejection({ status: 400, code: 'invalid_parameters', message: 'invalid price', details: (e as UnitParseError).message });
    }
    if (!this.grid.some((r) => p >= r.start && p <= r.end && (p - r.start) % r.step === 0)) {
      throw new SimRejection({ status: 400, code: 'invalid_price', message: 'price is not on the market price grid', details: text });
    }
    void m;
    return p;
  }

  private parseCountOrReject(text: string, what = 'count'): CentiContracts {
    let c: CentiContracts;
    try {
      c = parseCount(text);
    } catch (e) {
      throw new SimRejection({ status: 400, code: 'invalid_parameters', message: `invalid ${what}`, details: (e as UnitParseError).message });
    }
    return c;
  }

  private requireTradable(m: SimMarketState): void {
    if (m.status !== 'active') throw new SimRejection({ status: 400, code: 'market_inactive', message: 'market is not open for trading', details: m.spec.ticker });
    if (!this.tradingActive()) throw new SimRejection({ status: 400, code: 'exchange_unavailable', message: 'trading is paused' });
  }

  /** Would an order at `price` on `side` take liquidity right now? */
  private crosses(m: SimMarketState, side: BookSide, price: Pips): boolean {
    if (side === 'bid') return m.asks.length > 0 && m.asks[0]!.price <= price;
    return m.bids.length > 0 && m.bids[0]!.price >= price;
  }

  create(owner: string, req: CreateOrderInput): CreateResult {
    const m = this.market(req.ticker);
    const price = this.parsePrice(req.price, m);
    const count = this.parseCountOrReject(req.count);
    if (count <= 0) throw new SimRejection({ status: 400, code: 'invalid_order_size', message: 'count must be positive' });
    this.requireTradable(m);
    const coid = req.client_order_id ?? '';
    if (coid && this.byClientId.has(`${owner}|${coid}`)) {
      throw new SimRejection({ status: 409, code: 'order_already_exists', message: 'an order with this client_order_id already exists', details: coid });
    }
    if (req.post_only && this.crosses(m, req.side, price)) {
      throw new SimRejection({ status: 400, code: 'invalid_order', message: 'post only cross', details: 'post only cross' });
    }
    const now = this.clock.now();
    const order: SimOrder = {
      orderId: this.nextId('order'),
      clientOrderId: coid,
      owner,
      ticker: req.ticker,
      side: req.side,
      price,
      initial: count,
      filled: 0,
      remaining: count,
      status: 'resting',
      stp: req.self_trade_prevention_type ?? null,
      tif: req.time_in_force,
      postOnly: Boolean(req.post_only),
      cancelOnPause: Boolean(req.cancel_order_on_pause),
      createdMs: now,
      updatedMs: now,
      takerFillCost: 0,
      makerFillCost: 0,
      takerFees: 0,
      makerFees: 0,
      roundingAccum: 0,
      seq: ++this.seq,
    };
    this.orders.set(order.orderId, order);
    if (coid) this.byClientId.set(`${owner}|${coid}`, order.orderId);
    if (order.tif === 'fill_or_kill' && this.crossableSize(m, order) < count) {
      this.finish(order, 'canceled', 'FillOrKillInsufficientVolume');
      return { order, fillCount: 0, fillCost: 0, fees: 0 };
    }
    const before = { filled: 0, cost: 0, fees: 0 };
    this.match(m, order);
    if (order.status === 'resting' && order.remaining > 0) {
      if (order.tif === 'good_till_canceled') this.rest(m, order);
      else this.finish(order, 'canceled', 'ImmediateOrCancel');
    }
    this.flush(m);
    // Terminal states were already announced by finish().
    if (owner !== MM_OWNER && owner !== TAKER_OWNER && order.status === 'resting') this.emit({ type: 'user_order', order });
    return { order, fillCount: order.filled - before.filled, fillCost: order.takerFillCost, fees: order.takerFees };
  }

  private crossableSize(m: SimMarketState, o: SimOrder): CentiContracts {
    const book = o.side === 'bid' ? m.asks : m.bids;
    let sum = 0;
    for (const r of book) {
      if (o.side === 'bid' ? r.price > o.price : r.price < o.price) break;
      if (r.owner !== o.owner) sum += r.remaining;
    }
    return sum;
  }

  private rest(m: SimMarketState, o: SimOrder): void {
    const book = o.side === 'bid' ? m.bids : m.asks;
    const better = (a: SimOrder, b: SimOrder) => (o.side === 'bid' ? a.price > b.price : a.price < b.price) || (a.price === b.price && a.seq < b.seq);
    let i = 0;
    while (i < book.length && better(book[i]!, o)) i++;
    book.splice(i, 0, o);
  }

  private finish(o: SimOrder, status: 'canceled' | 'executed', reason: string): void {
    o.status = status;
    if (status === 'canceled') o.remaining = 0;
    o.lastUpdateReason = reason;
    o.updatedMs = this.clock.now();
    if (o.owner !== MM_OWNER && o.owner !== TAKER_OWNER) this.emit({ type: 'user_order', order: o });
  }

  private unrest(m: SimMarketState, o: SimOrder): void {
    const book = o.side === 'bid' ? m.bids : m.asks;
    const i = book.indexOf(o);
    if (i >= 0) book.splice(i, 1);
  }

  /** Price-time matching of `taker` against the opposite side, at the resting orders' prices. */
  private match(m: SimMarketState, taker: SimOrder): void {
    const book = taker.side === 'bid' ? m.asks : m.bids;
    while (taker.remaining > 0 && book.length > 0) {
      const maker = book[0]!;
      if (taker.side === 'bid' ? maker.price > taker.price : maker.price < taker.price) break;
      if (maker.owner === taker.owner) {
        // An order without a type (entered outside the V2 API) is treated as taker_at_cross (a guess).
        if (taker.stp !== 'maker') {
          this.finish(taker, 'canceled', 'SelfTradePreventionTaker');
          return;
        }
        book.shift();
        this.finish(maker, 'canceled', 'SelfTradePreventionMaker');
        continue;
      }
      const qty = Math.min(taker.remaining, maker.remaining);
      this.execute(m, taker, maker, qty, maker.price);
      if (maker.remaining === 0) {
        book.shift();
        this.finish(maker, 'executed', 'Fill');
      }
    }
    if (taker.remaining === 0 && taker.status === 'resting') this.finish(taker, 'executed', 'Fill');
  }

  /**
   * The net fee of one fill for one side, per the exchange's fee rounding: trade fee (whole pips, rounded up
   * by the fee rule), then the balance change floored to the member's precision, the remainder charged as a
   * rounding fee and accumulated on the order; a whole cent is rebated each time the accumulator exceeds one.
   */
  private netFee(o: SimOrder, revenue: Micros, tradeFee: Pips): Micros {
    const trade = tradeFee * MICROS_PER_PIP;
    const change = revenue - trade;
    const floored = Math.floor(change / this.precision) * this.precision;
    const rounding = change - floored;
    o.roundingAccum += rounding;
    let rebate = 0;
    if (o.roundingAccum > REBATE_MICROS) {
      rebate = REBATE_MICROS;
      o.roundingAccum -= REBATE_MICROS;
    }
    return Math.max(0, trade + rounding - rebate);
  }

  private execute(m: SimMarketState, taker: SimOrder, maker: SimOrder, qty: CentiContracts, price: Pips): void {
    const now = this.clock.now();
    const fee = this.fees[m.spec.series];
    const takerTradeFee = quadraticFee(0.07, fee.multiplier, qty, price);
    const makerTradeFee = fee.feeType === 'quadratic_with_maker_fees' ? quadraticFee(0.0175, fee.multiplier, qty, price) : 0;
    /** pips × centi-contracts = micro-dollars, exactly. */
    const cost: Micros = price * qty;
    const revenue = (o: SimOrder): Micros => (o.side === 'bid' ? -cost : cost);
    const takerFee = this.netFee(taker, revenue(taker), takerTradeFee);
    const makerFee = this.netFee(maker, revenue(maker), makerTradeFee);
    for (const [o, isTaker, f] of [[taker, true, takerFee], [maker, false, makerFee]] as const) {
      o.filled += qty;
      o.remaining -= qty;
      o.updatedMs = now;
      if (isTaker) {
        o.takerFillCost += cost;
        o.takerFees += f;
      } else {
        o.makerFillCost += cost;
        o.makerFees += f;
      }
    }
    const trade: SimTrade = { tradeId: this.nextId('trade'), ticker: m.spec.ticker, price, count: qty, takerSide: taker.side, tsMs: now };
    this.trades.push(trade);
    m.lastPrice = price;
    m.volume += qty;
    m.openInterest += qty;
    this.emit({ type: 'trade', trade });
    for (const [o, isTaker, f] of [[taker, true, takerFee], [maker, false, makerFee]] as const) {
      const signed = o.side === 'bid' ? qty : -qty;
      const pos = this.position(o.owner, m.spec.ticker);
      pos.position += signed;
      pos.traded += cost;
      pos.fees += f;
      pos.updatedMs = now;
      this.addCash(o.owner, revenue(o) - f);
      const fill: SimFill = {
        fillId: this.nextId('fill'),
        tradeId: trade.tradeId,
        orderId: o.orderId,
        clientOrderId: o.clientOrderId,
        owner: o.owner,
        ticker: m.spec.ticker,
        side: o.side,
        price,
        count: qty,
        isTaker,
        feeMicros: f,
        tsMs: now,
        postPosition: pos.position,
      };
      if (o.owner !== MM_OWNER && o.owner !== TAKER_OWNER) {
        this.fills.push(fill);
        this.emit({ type: 'fill', fill });
        if (o === maker && o.remaining > 0) this.emit({ type: 'user_order', order: o });
      }
    }
  }

  private position(owner: string, ticker: string): SimPosition {
    const key = `${owner}|${ticker}`;
    let p = this.positions.get(key);
    if (!p) {
      p = { owner, ticker, position: 0, traded: 0, fees: 0, realized: 0, updatedMs: this.clock.now() };
      this.positions.set(key, p);
    }
    return p;
  }

  private addCash(owner: string, delta: number): void {
    this.cash.set(owner, (this.cash.get(owner) ?? 0) + delta);
  }

  /** Balance in micro-dollars (starting balance + cash moves). */
  balanceMicros(owner: string): Micros {
    return (this.o.startingBalanceCents ?? 1_000_000) * 10_000 + (this.cash.get(owner) ?? 0);
  }

  /** Balance in cents (the REST balance endpoint still reports integer cents). */
  balanceCents(owner: string): number {
    return Math.floor(this.balanceMicros(owner) / 10_000);
  }

  private owned(owner: string, orderId: string): SimOrder {
    const o = this.orders.get(orderId);
    if (!o || o.owner !== owner) throw new SimRejection({ status: 404, code: 'not_found', message: 'order not found', details: orderId });
    return o;
  }

  cancel(owner: string, orderId: string): { order: SimOrder; reducedBy: CentiContracts } {
    const o = this.owned(owner, orderId);
    if (o.status !== 'resting') throw new SimRejection({ status: 404, code: 'not_found', message: 'order is not resting', details: orderId });
    const m = this.market(o.ticker);
    const reducedBy = o.remaining;
    this.unrest(m, o);
    this.finish(o, 'canceled', 'Canceled');
    this.flush(m);
    return { order: o, reducedBy };
  }

  decrease(owner: string, orderId: string, body: { reduce_by?: string; reduce_to?: string }): SimOrder {
    const o = this.owned(owner, orderId);
    if (o.status !== 'resting') throw new SimRejection({ status: 404, code: 'not_found', message: 'order is not resting', details: orderId });
    if ((body.reduce_by === undefined) === (body.reduce_to === undefined)) throw new SimRejection({ status: 400, code: 'invalid_parameters', message: 'exactly one of reduce_by, reduce_to' });
    const m = this.market(o.ticker);
    const target = body.reduce_by !== undefined ? o.remaining - this.parseCountOrReject(body.reduce_by, 'reduce_by') : this.parseCountOrReject(body.reduce_to!, 'reduce_to');
    if (target < 0 || target > o.remaining) throw new SimRejection({ status: 400, code: 'invalid_order_size', message: 'cannot increase or go below zero' });
    o.remaining = target;
    o.updatedMs = this.clock.now();
    if (target === 0) {
      this.unrest(m, o);
      this.finish(o, 'canceled', 'Decrease');
    } else {
      this.emit({ type: 'user_order', order: o });
    }
    this.flush(m);
    return o;
  }

  amend(owner: string, orderId: string, body: { ticker: string; side: BookSide; price: string; count: string; updated_client_order_id?: string }): SimOrder {
    const o = this.owned(owner, orderId);
    if (o.status !== 'resting') throw new SimRejection({ status: 404, code: 'not_found', message: 'order is not resting', details: orderId });
    if (body.ticker !== o.ticker) throw new SimRejection({ status: 400, code: 'order_ticker_mismatch', message: 'ticker does not match the order' });
    if (body.side !== o.side) throw new SimRejection({ status: 400, code: 'order_side_mismatch', message: 'side does not match the order' });
    const m = this.market(o.ticker);
    this.requireTradable(m);
    const price = this.parsePrice(body.price, m);
    const total = this.parseCountOrReject(body.count);
    const remaining = total - o.filled;
    if (remaining <= 0) throw new SimRejection({ status: 400, code: 'invalid_order_size', message: 'count must exceed the filled count' });
    this.unrest(m, o);
    if (o.postOnly && this.crosses(m, o.side, price)) {
      this.rest(m, o);
      throw new SimRejection({ status: 400, code: 'invalid_order', message: 'post only cross', details: 'post only cross' });
    }
    // A price change or a size increase loses time priority.
    if (price !== o.price || remaining > o.remaining) o.seq = ++this.seq;
    o.price = price;
    o.initial = total;
    o.remaining = remaining;
    o.updatedMs = this.clock.now();
    if (body.updated_client_order_id) {
      this.byClientId.delete(`${owner}|${o.clientOrderId}`);
      o.clientOrderId = body.updated_client_order_id;
      this.byClientId.set(`${owner}|${o.clientOrderId}`, o.orderId);
    }
    this.match(m, o);
    if (o.status === 'resting' && o.remaining > 0) this.rest(m, o);
    this.flush(m);
    if (o.status === 'resting') this.emit({ type: 'user_order', order: o });
    return o;
  }

  // ---------------- book views ----------------

  /** Aggregated current book: YES bids by price, and asks as NO bids at NO-leg prices. */
  private aggregate(m: SimMarketState): { yes: Map<Pips, CentiContracts>; no: Map<Pips, CentiContracts> } {
    const yes = new Map<Pips, CentiContracts>();
    const no = new Map<Pips, CentiContracts>();
    for (const o of m.bids) yes.set(o.price, (yes.get(o.price) ?? 0) + o.remaining);
    for (const o of m.asks) no.set(ONE_DOLLAR - o.price, (no.get(ONE_DOLLAR - o.price) ?? 0) + o.remaining);
    return { yes, no };
  }

  /** Publishes the difference between the last published book and the current one as deltas. */
  flush(m: SimMarketState): void {
    const now = this.clock.now();
    const next = this.aggregate(m);
    for (const side of ['yes', 'no'] as const) {
      const prev = m.published[side];
      const cur = next[side];
      const prices = [...new Set([...prev.keys(), ...cur.keys()])].sort((a, b) => a - b);
      for (const p of prices) {
        const d = (cur.get(p) ?? 0) - (prev.get(p) ?? 0);
        if (d !== 0) this.emit({ type: 'book_delta', ticker: m.spec.ticker, side, price: p, delta: d, tsMs: now });
      }
    }
    m.published = next;
    const top = JSON.stringify([this.bestYesBid(m), this.bestYesAsk(m), m.lastPrice, m.volume]);
    if (top !== m.lastTop) {
      m.lastTop = top;
      this.emit({ type: 'ticker', ticker: m.spec.ticker, tsMs: now });
    }
  }

  /** Published levels, ascending (best last), as the exchange sends them. */
  levels(ticker: string): { yes: [Pips, CentiContracts][]; no: [Pips, CentiContracts][] } {
    const m = this.market(ticker);
    const asc = (map: Map<Pips, CentiContracts>) => [...map.entries()].filter(([, s]) => s > 0).sort((a, b) => a[0] - b[0]);
    return { yes: asc(m.published.yes), no: asc(m.published.no) };
  }

  bestYesBid(m: SimMarketState): [Pips, CentiContracts] | undefined {
    let best: [Pips, CentiContracts] | undefined;
    for (const [p, s] of m.published.yes) if (s > 0 && (!best || p > best[0])) best = [p, s];
    return best;
  }

  bestYesAsk(m: SimMarketState): [Pips, CentiContracts] | undefined {
    let best: [Pips, CentiContracts] | undefined;
    for (const [p, s] of m.published.no) if (s > 0 && (!best || p > best[0])) best = [p, s];
    return best ? [ONE_DOLLAR - best[0], best[1]] : undefined;
  }

  // ---------------- participants (sim/market/participants.ts) ----------------

  private indexOf(m: SimMarketState): 'spx' | 'ndx' {
    return indexOfSeries(m.spec.series);
  }

  /** The true P(YES) under the generating process (the oracle; never served through the venue APIs). */
  oracleYes(ticker: string, now = this.clock.now()): number {
    const m = this.market(ticker);
    return oracleYes(m.spec, this.paths[this.indexOf(m)], m.spec.closeMs, now);
  }

  /** The market maker's fair P(YES) now: the delayed index, the noisy variance. */
  fairYes(m: SimMarketState, now = this.clock.now()): number {
    const mm = this.participants.marketMaker;
    const idx = this.indexOf(m);
    const period = Math.floor((now - etToMs(this.dateEt, '09:30')) / mm.volNoiseRefreshMs);
    const eta = makerVolError(this.o.seed, this.dateEt, idx, period, mm.volNoise);
    return makerFair(m.spec, makerView(this.paths[idx], m.spec.closeMs, now, mm.latencyMs, eta));
  }

  private marketMakerTick(withTakers: boolean): void {
    if (!this.tradingActive()) return;
    const now = this.clock.now();
    const { marketMaker: mm, informed, noise } = this.participants;
    const lookP = withTakers ? lookProbability(informed.ratePerMinute, mm.tickMs) : 0;
    for (const m of this.markets.values()) {
      if (m.status !== 'active' || now >= m.spec.closeMs || m.spec.closeMs - now > mm.horizonMs) continue;
      if (mm.enabled) this.requote(m, this.fairYes(m, now));
      if (lookP > 0 && this.informedRand() < lookP) {
        const at = now + Math.floor(this.informedRand() * mm.tickMs);
        const ticker = m.spec.ticker;
        this.at(at, () => this.informedLook(ticker));
      }
      if (withTakers && noise.probability > 0 && this.noiseRand() < noise.probability) this.noiseTaker(m);
    }
  }

  /** Replaces the maker's quotes when its target top of book moved (keeps the delta stream modest). */
  private requote(m: SimMarketState, fair: number): void {
    const mm = this.participants.marketMaker;
    const { bid: bidTop, ask: askTop } = makerTop(fair, mm.halfSpreadCents);
    const mine = [...m.bids, ...m.asks].filter((o) => o.owner === MM_OWNER);
    const curBid = Math.max(0, ...mine.filter((o) => o.side === 'bid').map((o) => o.price / 100));
    const curAsk = Math.min(100, ...mine.filter((o) => o.side === 'ask').map((o) => o.price / 100));
    const targetBid = bidTop >= 1 ? bidTop : 0;
    const targetAsk = askTop <= 99 ? askTop : 100;
    if (mine.length > 0 && curBid === targetBid && curAsk === targetAsk && this.rand() > mm.refreshProbability) return;
    this.participantStats.makerRequotes++;
    for (const o of mine) {
      this.unrest(m, o);
      o.status = 'canceled';
      o.remaining = 0;
    }
    for (let lvl = 0; lvl < mm.levels; lvl++) {
      const b = bidTop - lvl;
      const a = askTop + lvl;
      if (b >= 1) this.mmOrder(m, 'bid', b * 100);
      if (a <= 99) this.mmOrder(m, 'ask', a * 100);
    }
    this.flush(m);
  }

  private mmOrder(m: SimMarketState, side: BookSide, price: Pips): void {
    if (this.crosses(m, side, price)) return; // never take liquidity from a user's order
    const mm = this.participants.marketMaker;
    const size = (mm.minContracts + Math.floor(this.rand() * (mm.maxContracts - mm.minContracts))) * 100;
    const now = this.clock.now();
    const o: SimOrder = {
      orderId: this.nextId('mm'), clientOrderId: '', owner: MM_OWNER, ticker: m.spec.ticker, side, price, initial: size, filled: 0, remaining: size,
      status: 'resting', stp: 'maker', tif: 'good_till_canceled', postOnly: true, cancelOnPause: false, createdMs: now, updatedMs: now,
      takerFillCost: 0, makerFillCost: 0, takerFees: 0, makerFees: 0, roundingAccum: 0, seq: ++this.seq,
    };
    this.rest(m, o);
  }

  /**
   * An informed taker looks at the displayed book: a best price mispriced against the oracle by its edge
   * (after the taker fee) gets an IOC order `reactionMs` later, limited to the prices that cleared the edge now.
   */
  private informedLook(ticker: string): void {
    const m = this.markets.get(ticker);
    const now = this.clock.now();
    if (!m || m.status !== 'active' || now >= m.spec.closeMs || !this.tradingActive()) return;
    this.participantStats.informedLooks++;
    const cfg = this.participants.informed;
    const p = this.oracleYes(ticker, now);
    const mult = this.fees[m.spec.series].multiplier;
    const orders: { side: BookSide; limit: Pips }[] = [];
    const ask = m.asks[0];
    const buyLimit = informedLimitCents('buy', p, cfg.minEdgeCents, mult);
    if (ask && buyLimit !== undefined && ask.price <= buyLimit * 100) orders.push({ side: 'bid', limit: buyLimit * 100 });
    const bid = m.bids[0];
    const sellLimit = informedLimitCents('sell', p, cfg.minEdgeCents, mult);
    if (bid && sellLimit !== undefined && bid.price >= sellLimit * 100) orders.push({ side: 'ask', limit: sellLimit * 100 });
    for (const { side, limit } of orders) {
      const count = (1 + Math.floor(this.informedRand() * cfg.maxContracts)) * 100;
      this.at(now + cfg.reactionMs, () => {
        if (m.status !== 'active' || this.clock.now() >= m.spec.closeMs || !this.tradingActive()) return;
        const r = this.takerOrder(ticker, side, limit, count);
        this.participantStats.informedOrders++;
        this.participantStats.informedContracts += r.fillCount / 100;
      });
    }
  }

  private noiseTaker(m: SimMarketState): void {
    const side: BookSide = this.noiseRand() < 0.5 ? 'bid' : 'ask';
    const best = side === 'bid' ? m.asks[0] : m.bids[0];
    if (!best) return;
    const count = (1 + Math.floor(this.noiseRand() * this.participants.noise.maxContracts)) * 100;
    const r = this.takerOrder(m.spec.ticker, side, best.price, count);
    this.participantStats.noiseOrders++;
    this.participantStats.noiseContracts += r.fillCount / 100;
  }

  /** A taker (not the user) sends an IOC order: trades against whatever rests at or through `price`. */
  takerOrder(ticker: string, side: BookSide, price: Pips, count: CentiContracts): CreateResult {
    return this.create(TAKER_OWNER, {
      ticker,
      side,
      price: formatDollars(price),
      count: formatCount(count),
      time_in_force: 'immediate_or_cancel',
      self_trade_prevention_type: 'taker_at_cross',
      client_order_id: this.nextId('taker'),
    });
  }
}
