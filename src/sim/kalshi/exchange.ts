/**
 * The simulated Kalshi exchange: the day's listed markets, a price-time-priority limit order book per market
 * (one YES book: bids buy YES, asks sell YES), post-only and self-trade prevention, fills, fees, positions, the
 * simulated participants (sim/market/participants.ts: a market maker pricing off a noisy, delayed view of the
 * generating process, informed takers trading on the oracle, noise takers), and each market's lifecycle to
 * settlement. Driven entirely by the injected clock; emits events the WS server fans out. The oracle
 * (sim/market/oracle.ts, `oracleYes`) is never published through the venue APIs.
 *
 * One class in three layers, split along the seams it already had so each reads on its own:
 * exchange-markets.ts (state, timers, schedule, lifecycle to settlement, published books, positions and cash),
 * exchange-orders.ts (order entry, matching, fills and fee rounding), and here the participants that trade
 * on it; the types are in exchange-types.ts. This file stays the one import path for the exchange (it
 * re-exports the types and `quadraticFee`).
 */
import { formatDollars, type CentiContracts, type Pips } from '../../core/units.ts';
import { etToMs } from '../../core/time/et.ts';
import { seededRandom, hashSeed } from '../day/index-path.ts';
import { indexOfSeries } from '../market/day.ts';
import { oracleYes } from '../market/oracle.ts';
import {
  informedLimitCents,
  lookProbability,
  makerFair,
  MakerFairs,
  makerTop,
  makerView,
  makerVolError,
  resolveParticipants,
  type SimParticipantsConfig,
  type SimParticipantsOverrides,
} from '../market/participants.ts';
import { SimExchangeOrders } from './exchange-orders.ts';
import { MM_OWNER, TAKER_OWNER, type BookSide, type CreateResult, type SimExchangeOptions, type SimMarketState, type SimOrder } from './exchange-types.ts';

export {
  LINEAR_CENT_GRID,
  MM_OWNER,
  SimRejection,
  TAKER_OWNER,
  type BookSide,
  type CreateOrderInput,
  type CreateResult,
  type ExchangeError,
  type ExchangeEvent,
  type MarketPhase,
  type SimExchangeOptions,
  type SimFeeConfig,
  type SimFill,
  type SimMarketState,
  type SimOrder,
  type SimOrderStatus,
  type SimPosition,
  type SimTrade,
  type Stp,
  type Tif,
} from './exchange-types.ts';
export { quadraticFee } from './exchange-orders.ts';

export class SimExchange extends SimExchangeOrders {
  private readonly rand: () => number;
  private readonly informedRand: () => number;
  private readonly noiseRand: () => number;
  /** The participants' resolved knobs. */
  readonly participants: SimParticipantsConfig;
  /** What the participants did (diagnostics for tests and evaluation). */
  readonly participantStats = { makerRequotes: 0, informedLooks: 0, informedOrders: 0, informedContracts: 0, noiseOrders: 0, noiseContracts: 0 };

  constructor(o: SimExchangeOptions) {
    // The participants' knobs are resolved (and checked) before the day is built, as they always were.
    const overrides: SimParticipantsOverrides = { ...o.participants };
    if (o.mmTickMs !== undefined) overrides.marketMaker = { ...overrides.marketMaker, tickMs: o.mmTickMs };
    if (o.takerProbability !== undefined) overrides.noise = { ...overrides.noise, probability: o.takerProbability };
    const participants = resolveParticipants(overrides);
    super(o);
    this.rand = seededRandom(hashSeed(o.seed, 'kalshi-sim', o.dateEt));
    this.informedRand = seededRandom(hashSeed(o.seed, 'kalshi-sim-informed', o.dateEt));
    this.noiseRand = seededRandom(hashSeed(o.seed, 'kalshi-sim-noise', o.dateEt));
    this.participants = participants;
    const tick = this.participants.marketMaker.tickMs;
    if (tick > 0) {
      this.marketMakerTick(false);
      this.every(tick, () => this.marketMakerTick(true));
    }
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

  /** The markets in listing order and their maker's fair values as one vector (participants.ts), from the first tick. */
  private mmMarkets: SimMarketState[] | undefined;
  private mmFairs: MakerFairs | undefined;

  private marketMakerTick(withTakers: boolean): void {
    if (!this.tradingActive()) return;
    const now = this.clock.now();
    const { marketMaker: mm, informed, noise } = this.participants;
    const lookP = withTakers ? lookProbability(informed.ratePerMinute, mm.tickMs) : 0;
    const list = (this.mmMarkets ??= [...this.markets.values()]);
    const fairs = (this.mmFairs ??= new MakerFairs(list.map((m) => m.spec), this.paths, { seed: this.o.seed, dateEt: this.dateEt, openMs: etToMs(this.dateEt, '09:30'), latencyMs: mm.latencyMs, volNoise: mm.volNoise, volNoiseRefreshMs: mm.volNoiseRefreshMs }));
    for (let i = 0; i < list.length; i++) {
      const m = list[i]!;
      if (m.status !== 'active' || now >= m.spec.closeMs || m.spec.closeMs - now > mm.horizonMs) continue;
      if (mm.enabled) this.requote(m, fairs.fair(i, now));
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
    // Its own quotes' top, in one pass over the book (no copies: this runs per market per tick).
    let mine = 0;
    let curBid = 0;
    let curAsk = 100;
    for (const o of m.bids) {
      if (o.owner !== MM_OWNER) continue;
      mine++;
      if (o.price / 100 > curBid) curBid = o.price / 100;
    }
    for (const o of m.asks) {
      if (o.owner !== MM_OWNER) continue;
      mine++;
      if (o.price / 100 < curAsk) curAsk = o.price / 100;
    }
    const targetBid = bidTop >= 1 ? bidTop : 0;
    const targetAsk = askTop <= 99 ? askTop : 100;
    if (mine > 0 && curBid === targetBid && curAsk === targetAsk && this.rand() > mm.refreshProbability) return;
    this.participantStats.makerRequotes++;
    if (mine > 0) {
      const keep = (o: SimOrder): boolean => {
        if (o.owner !== MM_OWNER) return true;
        o.status = 'canceled';
        o.remaining = 0;
        return false;
      };
      m.bids = m.bids.filter(keep);
      m.asks = m.asks.filter(keep);
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
    // `create` with the same order as the wire would carry it (price formatDollars(price), count
    // formatCount(count)), its numbers entered as they are: the same checks, ids and outcome.
    const client_order_id = this.nextId('taker');
    const m = this.market(ticker);
    return this.enter(TAKER_OWNER, m, { ticker, side, time_in_force: 'immediate_or_cancel', self_trade_prevention_type: 'taker_at_cross', client_order_id }, this.onGrid(price, () => formatDollars(price)), count);
  }
}
