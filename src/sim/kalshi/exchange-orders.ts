/**
 * Order entry and matching of the simulated exchange (the middle layer of SimExchange, sim/kalshi/exchange.ts):
 * create, cancel, decrease and amend with the V2 API's checks (price grid, post-only, client order id, time in
 * force), price-time-priority matching with self-trade prevention, and each fill's cost, fee and position.
 * It works on the state of exchange-markets.ts; the participants (exchange.ts) trade through it.
 *
 * Fees follow the exchange's fee-rounding rules (docs.kalshi.com getting_started/fee_rounding): per fill a
 * trade fee rounded up to $0.0001, a rounding fee that brings the balance change back to the member's
 * precision ($0.01 by default), and a whole-cent rebate from a per-order accumulator; a fill's net fee can so
 * carry 6 decimals (sub-penny prices × fractional counts), e.g. 0.03 contracts bought at $0.3301 as taker →
 * $0.010097.
 */
import { MICROS_PER_PIP, parseCount, parseDollars, PIPS_PER_DOLLAR as ONE_DOLLAR, UnitParseError, type CentiContracts, type Micros, type Pips } from '../../core/units.ts';
import { SimExchangeMarkets } from './exchange-markets.ts';
import {
  MM_OWNER,
  SimRejection,
  TAKER_OWNER,
  type BookSide,
  type CreateOrderInput,
  type CreateResult,
  type SimFill,
  type SimMarketState,
  type SimOrder,
  type SimTrade,
} from './exchange-types.ts';

/** Per-order rebate unit of the fee accumulator: whole cents. */
const REBATE_MICROS = 10_000;

/** Fee in pips: ceil(rate × M × C × P × (1 − P)) to $0.0001 (reference §7). */
export function quadraticFee(rate: number, multiplier: number, count: CentiContracts, price: Pips): Pips {
  const raw = (rate * multiplier * (count / 100) * (price / ONE_DOLLAR) * (1 - price / ONE_DOLLAR)) * ONE_DOLLAR;
  return Math.max(0, Math.ceil(raw - 1e-7));
}

export abstract class SimExchangeOrders extends SimExchangeMarkets {
  private parsePrice(text: string): Pips {
    let p: Pips;
    try {
      p = parseDollars(text);
    } catch (e) {
      throw new SimRejection({ status: 400, code: 'invalid_parameters', message: 'invalid price', details: (e as UnitParseError).message });
    }
    return this.onGrid(p, text);
  }

  /** `p` when it is on the market price grid, else the exchange's rejection (`text`: the price as sent). */
  protected onGrid(p: Pips, text: string | (() => string)): Pips {
    if (!this.grid.some((r) => p >= r.start && p <= r.end && (p - r.start) % r.step === 0)) {
      throw new SimRejection({ status: 400, code: 'invalid_price', message: 'price is not on the market price grid', details: typeof text === 'string' ? text : text() });
    }
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
  protected crosses(m: SimMarketState, side: BookSide, price: Pips): boolean {
    if (side === 'bid') return m.asks.length > 0 && m.asks[0]!.price <= price;
    return m.bids.length > 0 && m.bids[0]!.price >= price;
  }

  create(owner: string, req: CreateOrderInput): CreateResult {
    const m = this.market(req.ticker);
    const price = this.parsePrice(req.price);
    const count = this.parseCountOrReject(req.count);
    return this.enter(owner, m, req, price, count);
  }

  /**
   * `create` once the price (on the grid) and count are numbers: the simulated takers' orders enter here
   * without a round trip through the wire's dollar strings (tens of thousands a day).
   */
  protected enter(owner: string, m: SimMarketState, req: Omit<CreateOrderInput, 'price' | 'count'>, price: Pips, count: CentiContracts): CreateResult {
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

  protected rest(m: SimMarketState, o: SimOrder): void {
    const book = o.side === 'bid' ? m.bids : m.asks;
    const better = (a: SimOrder, b: SimOrder) => (o.side === 'bid' ? a.price > b.price : a.price < b.price) || (a.price === b.price && a.seq < b.seq);
    let i = 0;
    while (i < book.length && better(book[i]!, o)) i++;
    book.splice(i, 0, o);
  }

  protected unrest(m: SimMarketState, o: SimOrder): void {
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
    const price = this.parsePrice(body.price);
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
}
