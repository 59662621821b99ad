/**
 * What selection works out from a market's book, grid and fee rule alone — not from P(YES), the bar or
 * the clock: the top of book, the grid prices one tick inside it, and, for the usual market (one grid band,
 * both book sides present), each side's two possible fresh prices (improve and join, price-choice.ts) with
 * their fees per contract. The model moves P(YES) every cycle while a book changes far less often, so this
 * is worked out once per book snapshot and kept per ladder (`plansFor`), and the per-cycle work of a market
 * is a few comparisons and subtractions.
 *
 * A memo of a pure function: a plan is reused only when its market and book are the very objects it was
 * made from, our resting orders in that market (removed from the top of book) are the same by value, and
 * the selection's fee rule and quote size are the same (`LadderPlans.begin`). OrderBook and Market objects
 * are never changed once made (books are replaced, not edited; evaluations.ts relies on it too).
 * test/quotes/market-plan.test.ts holds selection with plans reused to selection on fresh objects.
 */
import type { Market, OrderBook } from '../market.ts';
import { orderFeePips, type FeeRule } from '../fees.ts';
import type { CentiContracts, Pips } from '../units.ts';
import { newTopScan, scanTop, type OwnOrder, type TopScan } from './top-of-book.ts';
import { NO_PRICE_ABOVE_BID, NO_PRICE_BELOW_ASK, aboveBidOf, belowAskOf } from './price-choice.ts';
import { EV_BELOW_MIN, missesBar, newPricedSide, noPrice, type PricedSide } from './ev-bar.ts';
import { snapDown, snapUp } from './grid.ts';
import { tickerPlaces } from './bins.ts';
import { clientOrderId } from './client-order-id.ts';
import type { YesSide } from '../orders.ts';

/** No such price (a plan's price fields are whole pips ≥ 0 otherwise). */
export const NONE = -1;

interface IdMemo {
  readonly windowId: string;
  readonly ticker: string;
  readonly side: YesSide;
  readonly price: Pips;
  readonly revision: number;
  readonly id: string;
}

/** One market's plan (see the header); its top-of-book fields make it the `TopScan` selection reads. */
export class MarketPlan implements TopScan {
  market: Market | undefined = undefined;
  ticker = '';
  book: OrderBook | undefined = undefined;
  /** The book's time (0 without a book). */
  tsMs = 0;
  /** Our orders removed from the book (what of them the top of book depends on: ticker, side, price, size). */
  private readonly own: { marketTicker: string; side: YesSide; price: Pips; size: CentiContracts }[] = [];
  /** `own.length`, in a field of the plan itself (the check of every market on every selection). */
  private ownCount = 0;
  /**
   * Selection skips the market whatever its pricing (select.ts `skipReason`: not active, no grid, no fee
   * rule, a crossed book).
   */
  skipped = false;

  hasBid = false;
  bid: Pips = 0;
  bidSize: CentiContracts = 0;
  hasAsk = false;
  ask: Pips = 0;
  askSize: CentiContracts = 0;
  /** Both sides present and bid ≥ ask. */
  crossed = false;
  /** The grid prices one tick above the bid and below the ask (undefined: none, or that side is empty). */
  aboveBid: Pips | undefined = undefined;
  belowAsk: Pips | undefined = undefined;

  /**
   * One band, both sides present, not crossed, a fee rule: the side prices below apply (price-choice.ts
   * with both sides present). Else selection prices the market with price-choice.ts in full.
   */
  simple = false;
  /** The bid's improve (NONE: not within the ceiling) and join (NONE: no price below the ask). */
  buyImprove: Pips = NONE;
  buyJoin: Pips = NONE;
  /** The ask's improve (NONE: not within the floor) and join (NONE: no price above the bid). */
  sellImprove: Pips = NONE;
  sellJoin: Pips = NONE;
  /**
   * Each of those four prices' fee (pips, at `size`) and fee per contract (as fees.ts `makerEvPips` divides
   * it: fee · 100 / size), in the order buy improve, buy join, sell improve, sell join (0 for NONE).
   */
  readonly fees: [Pips, Pips, Pips, Pips] = [0, 0, 0, 0];
  readonly perContract: [number, number, number, number] = [0, 0, 0, 0];

  /** The last client_order_id of each side (buy, sell) and what it was made of (kept across book updates). */
  private readonly ids: [IdMemo | undefined, IdMemo | undefined] = [undefined, undefined];

  /** client-order-id.ts's `clientOrderId` for side `k` of this market (the same id: a memo of a pure function). */
  idFor(k: 0 | 1, windowId: string, ticker: string, side: YesSide, price: Pips, revision: number): string {
    const memo = this.ids[k];
    if (memo !== undefined && memo.price === price && memo.revision === revision && memo.windowId === windowId && memo.ticker === ticker && memo.side === side) return memo.id;
    const id = clientOrderId(windowId, ticker, side, price, revision);
    this.ids[k] = { windowId, ticker, side, price, revision, id };
    return id;
  }

  /** Whether this plan is of market `m`, book snapshot `book` and our orders `own` (by value). */
  fits(m: Market, book: OrderBook | undefined, own: readonly OwnOrder[]): boolean {
    if (this.market !== m || this.book !== book || this.ownCount !== own.length) return false;
    for (let j = 0; j < own.length; j++) {
      const a = this.own[j]!;
      const o = own[j]!;
      if (a.price !== o.price || a.size !== o.size || a.side !== o.side || a.marketTicker !== o.marketTicker) return false;
    }
    return true;
  }

  /** Plans `m` with `book` (our orders `own` removed from it), for fee rule `rule` and quote size `size`. */
  make(m: Market, book: OrderBook | undefined, own: readonly OwnOrder[], rule: FeeRule | undefined, size: CentiContracts): this {
    this.market = m;
    this.ticker = m.ticker;
    this.book = book;
    this.tsMs = book ? book.tsMs : 0;
    this.own.length = 0;
    for (const o of own) this.own.push({ marketTicker: o.marketTicker, side: o.side, price: o.price, size: o.size });
    this.ownCount = own.length;
    scanTop(book, own, this);
    const grid = m.priceRanges;
    this.crossed = this.hasBid && this.hasAsk && this.bid >= this.ask;
    this.skipped = m.status !== 'active' || grid.length === 0 || rule === undefined || this.crossed;
    this.aboveBid = grid.length > 0 ? aboveBidOf(grid, this) : undefined;
    this.belowAsk = grid.length > 0 ? belowAskOf(grid, this) : undefined;
    this.simple = grid.length === 1 && this.hasBid && this.hasAsk && !this.crossed && rule !== undefined && size > 0;
    if (!this.simple) return this;
    // price-choice.ts with both sides present: the bid's ceiling is belowAsk, its improve aboveBid (when
    // ≤ the ceiling), its join the grid price at or below min(bid, ceiling); the ask's the mirror.
    const ceiling = this.belowAsk;
    this.buyImprove = ceiling !== undefined && this.aboveBid !== undefined && this.aboveBid <= ceiling ? this.aboveBid : NONE;
    const buyJoin = ceiling !== undefined ? snapDown(grid, Math.min(this.bid, ceiling)) : undefined;
    this.buyJoin = buyJoin ?? NONE;
    const floor = this.aboveBid;
    this.sellImprove = floor !== undefined && this.belowAsk !== undefined && this.belowAsk >= floor ? this.belowAsk : NONE;
    const sellJoin = floor !== undefined ? snapUp(grid, Math.max(this.ask, floor)) : undefined;
    this.sellJoin = sellJoin ?? NONE;
    this.fee(0, rule!, this.buyImprove, size);
    this.fee(1, rule!, this.buyJoin, size);
    this.fee(2, rule!, this.sellImprove, size);
    this.fee(3, rule!, this.sellJoin, size);
    return this;
  }

  private fee(j: 0 | 1 | 2 | 3, rule: FeeRule, price: Pips, size: CentiContracts): void {
    const fee = price === NONE ? 0 : orderFeePips(rule, price, size);
    this.fees[j] = fee;
    this.perContract[j] = (fee * 100) / size;
  }
}


/** The plans of one ladder, one per market index, and the ladder's market indices by ticker. */
export class LadderPlans {
  readonly plans: MarketPlan[] = [];
  /**
   * Scratch of this ladder's selections, each used from start to end of one synchronous call (a selection,
   * or the working out of its evaluations): the candidates' numbers (bins.ts), the top of book and the
   * priced sides (select.ts).
   */
  readonly candidates: number[] = [];
  readonly top: TopScan = newTopScan();
  readonly fresh: PricedSide = newPricedSide();
  readonly kept: PricedSide = newPricedSide();
  /** The tickers `index` and `places` are of. */
  private tickers: string[] | undefined;
  private index: Map<string, number[]> | undefined;
  private placesOf: Int32Array | undefined;

  /** The indices of the markets with each ticker (checked against the tickers on every use). */
  byTicker(markets: readonly Market[]): ReadonlyMap<string, readonly number[]> {
    if (this.same(markets) && this.index) return this.index;
    const index = new Map<string, number[]>();
    for (let i = 0; i < markets.length; i++) {
      const list = index.get(markets[i]!.ticker);
      if (list) list.push(i);
      else index.set(markets[i]!.ticker, [i]);
    }
    return (this.index = index);
  }

  /** Each market's place in ticker order (bins.ts `tickerPlaces`; checked against the tickers on every use). */
  places(markets: readonly Market[]): Int32Array {
    if (this.same(markets) && this.placesOf) return this.placesOf;
    return (this.placesOf = tickerPlaces(markets));
  }

  /** The markets array of this selection once its tickers are checked (`begin` forgets it). */
  private checked: readonly Market[] | undefined;

  /** Whether `markets` has the tickers the index and places were made of (else forgets both). */
  private same(markets: readonly Market[]): boolean {
    if (markets === this.checked) return true;
    this.checked = markets;
    const tickers = this.tickers;
    let same = tickers !== undefined && tickers.length === markets.length;
    for (let i = 0; same && i < markets.length; i++) same = markets[i]!.ticker === tickers![i];
    if (!same) {
      this.tickers = markets.map((m) => m.ticker);
      this.index = undefined;
      this.placesOf = undefined;
    }
    return same;
  }

  /** The fee rule and quote size the plans are made for (`begin`). */
  private rule: FeeRule | undefined;
  private size: CentiContracts = 0;

  /**
   * A selection with fee rule `rule` and quote size `size` begins: plans made for others are dropped, and
   * the tickers are checked again (once per selection: an array may have been changed in place since).
   */
  begin(rule: FeeRule | undefined, size: CentiContracts): void {
    this.checked = undefined;
    if (rule === this.rule && size === this.size) return;
    this.rule = rule;
    this.size = size;
    for (const plan of this.plans) plan.market = undefined;
  }

  /**
   * Market `mi`'s plan for `m`, `book` and our orders `own` in it: the one kept when it is of this very
   * market and book snapshot and of the same orders, else made afresh into its slot.
   */
  at(mi: number, m: Market, book: OrderBook | undefined, own: readonly OwnOrder[]): MarketPlan {
    let plan = this.plans[mi];
    if (plan === undefined) {
      while (this.plans.length < mi) this.plans.push(new MarketPlan());
      this.plans.push((plan = new MarketPlan()));
    }
    return plan.fits(m, book, own) ? plan : plan.make(m, book, own, this.rule, this.size);
  }
}

/**
 * The plans of each ladder, by its first market (the engine passes a new array of the same Market objects
 * every cycle; a plan is checked against its own market on every use, so a ladder that changes — or two
 * that share a first market — only costs plans made afresh).
 */
const byFirstMarket = new WeakMap<Market, LadderPlans>();
export function plansFor(markets: readonly Market[]): LadderPlans {
  const first = markets[0];
  if (first === undefined) return new LadderPlans();
  let p = byFirstMarket.get(first);
  if (!p) byFirstMarket.set(first, (p = new LadderPlans()));
  return p;
}

/**
 * A simple plan's side price into `out` — price-choice.ts's `buyPrice` / `sellPrice` with both book sides
 * present, on the plan's prices and fees: the improve when it clears `bar`, else the join (priced when its
 * fee-free bound may clear, else reported as missing the bar). True when it clears. `k`: 0 buy, 1 sell.
 */
export function planPrice(plan: MarketPlan, k: 0 | 1, pPips: number, bar: number, out: PricedSide): boolean {
  const buy = k === 0;
  const improve = buy ? plan.buyImprove : plan.sellImprove;
  const j = buy ? 0 : 2;
  if (improve !== NONE && (buy ? pPips - improve : improve - pPips) >= bar && pricedAt(plan, j, buy, pPips, improve, bar, out)) return true;
  const join = buy ? plan.buyJoin : plan.sellJoin;
  if (join === NONE) return noPrice(buy ? NO_PRICE_BELOW_ASK : NO_PRICE_ABOVE_BID, out);
  return (buy ? pPips - join : join - pPips) >= bar ? pricedAt(plan, j + 1, buy, pPips, join, bar, out) : missesBar(join, out);
}

/** ev-bar.ts's `priceAt` with the plan's fee of price `j` (the same EV: fees.ts `makerEvPips`'s arithmetic). */
function pricedAt(plan: MarketPlan, j: number, buy: boolean, pPips: number, price: Pips, bar: number, out: PricedSide): boolean {
  const perContractFee = plan.perContract[j]!;
  const ev = buy ? pPips - price - perContractFee : price - pPips - perContractFee;
  out.priced = true;
  out.price = price;
  out.feePips = plan.fees[j]!;
  out.evPips = ev;
  out.reason = ev >= bar ? undefined : EV_BELOW_MIN;
  return out.reason === undefined;
}
