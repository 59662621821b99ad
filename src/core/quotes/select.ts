/**
 * Maker-only quote selection (SPEC §5.5), a pure function of ladder + books + model + policy + exposure.
 *
 * Per market and side, the candidate price is:
 * - book side present: one grid tick better than the best (excluding our own orders) when that still clears
 *   `min_ev`, else join the best; never deeper (no quote);
 * - book side empty: the most aggressive grid price whose EV still clears `min_ev`;
 * and it never crosses: a bid is strictly below the best YES ask, an ask strictly above the best YES bid.
 * Hysteresis (`ev_hysteresis_usd`, h): a resting order is kept while it does not cross and its EV ≥ min_ev − h,
 * unless the fresh candidate is more aggressive (the book moved past it, or the model now allows the improve)
 * and differs in EV by ≥ h. So model noise around the improve/join threshold never makes a quote flap.
 * Candidates are ranked by EV (then ticker, side) and admitted greedily under: at most `max_bins_per_series`
 * markets (markets already holding exposure this window count), whole contracts per quote up to `contracts`
 * and within the per-market and per-window contract caps, and the worst-case loss of all admitted quotes
 * (price paid + fee if every one fills and loses) within the remaining daily loss budget.
 *
 * Cost (SPEC §10, runs on every model or book change; `npm run bench -- pricing`): per market one top of
 * book, the two grid prices one tick inside it (shared by both sides), and at most two fee/EV evaluations
 * per side (the improve price only when it can clear min EV at all); candidates are not fully sorted (see
 * the admission loop). test/quotes/select-reference.test.ts holds this to a straightforward reference.
 */
import type { FeeSchedule, Market, OrderBook, PriceRange } from '../market.ts';
import { FeeRuleError, feeRule, makerEvPips, orderFeePips, type FeeRule } from '../fees.ts';
import type { MarketPricing } from '../model/ladder-pricing.ts';
import { CENTI_PER_CONTRACT, PIPS_PER_DOLLAR, type CentiContracts, type Pips } from '../units.ts';
import type { YesSide } from '../orders.ts';
import { clientOrderId } from './client-order-id.ts';
import { snapDown, snapUp } from './grid.ts';
import { topOfBook, type OwnOrder, type TopOfBook } from './top-of-book.ts';
import { marginWithAgesPips, newQuoteAllowed, targetMarginPips, usdToPips, type MarginRules } from './margin.ts';
import { fillProbability, type MarketFlow } from './fill-prob.ts';

export interface QuotePolicy {
  minEvPips: number;
  evHysteresisPips: number;
  maxBinsPerSeries: number;
  /** Whole contracts per quote. */
  contracts: number;
  maxContractsPerMarket: number;
  maxContractsPerWindow: number;
  /**
   * Adverse-selection margin and churn rules (margin.ts, and the header above). They apply only when the
   * caller passes `SelectInput.conditions` (what the engine knows of time, books and feed); without
   * conditions selection is exactly as without rules.
   */
  rules?: QuoteRules;
}

/** Timing rules of quote selection (issue 11): the margin, the final seconds, and churn hysteresis. */
export interface QuoteRules extends MarginRules {
  /** A resting quote is kept while its EV ≥ its bar − this (pips); the move threshold stays `evHysteresisPips`. */
  keepHysteresisPips: number;
  /** A resting quote younger than this is not moved to another price (only cancelled when it must go). */
  minQuoteLifeMs: number;
  /** A resting quote tied at the best price with nothing ahead of it is not moved one tick better. */
  keepFrontOfQueue: boolean;
  /** Cap on the horizon of the fill-probability estimate (ms). */
  fillProbHorizonMs: number;
  /** Trades of this trailing window give a market's trade rate (the engine's TradeTape), ms. */
  tradeRateWindowMs: number;
  /** Bin hysteresis: a kept quote ranks this much higher (pips) when markets compete for the series' bins. */
  binKeepPips: number;
}

/** The `quotes.*` keys of the timing rules (config/index-ops.ts documents each); all optional here. */
export interface QuoteRulesConfig {
  margin_1m_usd?: number;
  margin_max_usd?: number;
  margin_book_age_grace_ms?: number;
  margin_book_age_usd_per_s?: number;
  margin_quote_age_grace_ms?: number;
  margin_quote_age_usd_per_min?: number;
  final_no_new_quote_seconds?: number;
  final_max_feed_age_ms?: number;
  keep_hysteresis_usd?: number;
  min_quote_life_ms?: number;
  keep_front_of_queue?: boolean;
  fill_prob_horizon_s?: number;
  trade_rate_window_s?: number;
  bin_keep_usd?: number;
}

/** Policy from the validated `quotes.*` / `risk.*` config sections. */
export function quotePolicy(cfg: {
  quotes: { min_ev_usd: number; max_bins_per_series: number; contracts: number; ev_hysteresis_usd: number } & QuoteRulesConfig;
  risk: { max_contracts_per_market: number; max_contracts_per_window: number };
}): QuotePolicy {
  const q = cfg.quotes;
  const h = Math.round(q.ev_hysteresis_usd * PIPS_PER_DOLLAR);
  return {
    minEvPips: Math.round(q.min_ev_usd * PIPS_PER_DOLLAR),
    evHysteresisPips: h,
    maxBinsPerSeries: q.max_bins_per_series,
    contracts: q.contracts,
    maxContractsPerMarket: cfg.risk.max_contracts_per_market,
    maxContractsPerWindow: cfg.risk.max_contracts_per_window,
    rules: {
      margin1mPips: usdToPips(q.margin_1m_usd ?? 0),
      marginMaxPips: usdToPips(q.margin_max_usd ?? 0),
      bookAgeGraceMs: q.margin_book_age_grace_ms ?? 0,
      bookAgePipsPerS: usdToPips(q.margin_book_age_usd_per_s ?? 0),
      quoteAgeGraceMs: q.margin_quote_age_grace_ms ?? 0,
      quoteAgePipsPerMin: usdToPips(q.margin_quote_age_usd_per_min ?? 0),
      finalNoNewQuoteMs: Math.round((q.final_no_new_quote_seconds ?? 0) * 1000),
      finalMaxFeedAgeMs: q.final_max_feed_age_ms ?? 0,
      keepHysteresisPips: q.keep_hysteresis_usd !== undefined ? usdToPips(q.keep_hysteresis_usd) : h,
      minQuoteLifeMs: q.min_quote_life_ms ?? 0,
      keepFrontOfQueue: q.keep_front_of_queue ?? false,
      fillProbHorizonMs: Math.round((q.fill_prob_horizon_s ?? 0) * 1000),
      tradeRateWindowMs: Math.round((q.trade_rate_window_s ?? 300) * 1000),
      binKeepPips: usdToPips(q.bin_keep_usd ?? 0),
    },
  };
}

export interface Exposure {
  /** Contracts already committed this window per market (e.g. absolute filled position). */
  marketContracts?: ReadonlyMap<string, CentiContracts>;
  /** Contracts already committed this window across the series. */
  windowContracts?: CentiContracts;
  /** What remains of the daily loss cap, in pips (see `remainingLossBudgetPips`). */
  lossBudgetPips: number;
}

/** Daily loss cap minus realised losses minus the worst case of open positions, never negative. */
export function remainingLossBudgetPips(dailyLossCapUsd: number, realizedPnlPips: number, openWorstCasePips: number): number {
  const cap = Math.round(dailyLossCapUsd * PIPS_PER_DOLLAR);
  return Math.max(0, cap + Math.min(0, realizedPnlPips) - Math.max(0, openWorstCasePips));
}

export interface RestingQuote extends OwnOrder {
  clientOrderId: string;
  revision: number;
  /** When it was placed (epoch ms): its age for the margin and the time hysteresis. */
  placedMs?: number;
  /** Displayed size ahead of it at its price when it was placed (centi-contracts), when known. */
  queueAhead?: CentiContracts;
}

export interface Quote {
  marketTicker: string;
  side: YesSide;
  price: Pips;
  size: CentiContracts;
  feePips: Pips;
  /** EV after fees per contract, pips (may be fractional: fee/C). */
  evPips: number;
  evCents: number;
  modelProb: number;
  /** Worst-case loss if filled and lost: price (or 1 − price) × C + fee, pips. */
  worstLossPips: Pips;
  clientOrderId: string;
  revision: number;
  /** True when this is an existing resting order left in place. */
  kept: boolean;
  /** The EV bar it was held to (pips): min EV + margin, less the keep hysteresis for a kept one. Set with conditions. */
  barPips?: number;
  /** Estimated displayed size ahead of it (centi-contracts). Set with conditions. */
  queueAhead?: CentiContracts;
  /** Estimated probability of a fill before it ends (fill-prob.ts). Set with conditions and a trade flow. */
  fillProb?: number;
}

export interface SideEvaluation {
  /** Candidate price (or the join price when nothing clears min_ev); absent when no price is possible. */
  price?: Pips;
  evPips?: number;
  feePips?: Pips;
  /** Why this side is not quoted (absent when it is). */
  reason?: string;
}

export interface MarketEvaluation {
  ticker: string;
  pYes?: number;
  top: TopOfBook;
  buy: SideEvaluation;
  sell: SideEvaluation;
  skipped?: string;
}

export interface SelectInput {
  windowId: string;
  markets: readonly Market[];
  /** Aligned with `markets` (from `priceLadder`). */
  pricing: readonly MarketPricing[];
  books: ReadonlyMap<string, OrderBook>;
  fees: FeeSchedule;
  policy: QuotePolicy;
  exposure: Exposure;
  resting?: readonly RestingQuote[];
  /** Next unused revision per slot (`slotKey`), so a re-placed order never reuses an id. */
  revisions?: ReadonlyMap<string, number>;
  /** What the engine knows of time, books and feed: turns on `policy.rules` (absent: selection as before). */
  conditions?: QuoteConditions;
}

export interface QuoteConditions {
  nowMs: number;
  /** Minutes to the event's close_time. */
  minutesToTarget: number;
  /** Age of the index feed now (ms); null / absent when unknown (bypassed). */
  feedAgeMs?: number | null;
  /** Recent trade flow per market, for `fillProb` (TradeTape.flows). */
  flows?: ReadonlyMap<string, MarketFlow>;
  /** How long a quote may rest from now (to the freeze), ms; default: to the target. */
  restMs?: number;
}

export interface Selection {
  quotes: Quote[];
  evaluations: MarketEvaluation[];
}

export const slotKey = (ticker: string, side: YesSide): string => `${ticker}|${side}`;

interface Candidate {
  mi: number;
  ticker: string;
  side: YesSide;
  price: Pips;
  evPips: number;
  resting: RestingQuote | undefined;
  kept: boolean;
  eval: SideEvaluation;
  /** Already admitted or refused. */
  done: boolean;
  /** EV bar in admission (pips); undefined: min EV (minus the hysteresis when kept), as without conditions. */
  bar: number | undefined;
  /** Estimated queue ahead (conditions only). */
  queue: CentiContracts | undefined;
  /** Rank in admission: EV, plus `binKeepPips` for a kept quote when rules apply (bin hysteresis). */
  rank: number;
}

const MAX_WALK = 10_000;

// Hot-path bindings, taken once. Selection runs on every model or book change (SPEC §10: a 40-market
// ladder in microseconds); reading module bindings once keeps the per-market loop free of indirections that
// some loaders add to every imported name (tsx's CommonJS interop turns each use into a getter call).
const PIPS = PIPS_PER_DOLLAR;
const CENTI = CENTI_PER_CONTRACT;
const feeOf = orderFeePips;
const evOf = makerEvPips;
const snapDownAny = snapDown;
const snapUpAny = snapUp;

// The grid helpers of grid.ts, unrolled for the usual one-band grid (same arithmetic, no loop); any other
// grid goes through grid.ts itself.
function down(grid: readonly PriceRange[], p: Pips): Pips | undefined {
  if (grid.length !== 1) return snapDownAny(grid, p);
  const r = grid[0]!;
  if (p < r.start) return undefined;
  return p >= r.end ? r.end - ((r.end - r.start) % r.step) : r.start + Math.floor((p - r.start) / r.step) * r.step;
}
function up(grid: readonly PriceRange[], p: Pips): Pips | undefined {
  if (grid.length !== 1) return snapUpAny(grid, p);
  const r = grid[0]!;
  // The range's last price is end − (end − start) mod step ≥ end − step + 1: only a p within the last step
  // needs the remainder (a floating-point modulo, the slowest operation on this path).
  if (p > r.end - r.step && p > r.end - ((r.end - r.start) % r.step)) return undefined;
  return p <= r.start ? r.start : r.start + Math.ceil((p - r.start) / r.step) * r.step;
}
/** Largest grid price strictly below p (gridBelow). */
const below = (grid: readonly PriceRange[], p: Pips): Pips | undefined => down(grid, p - 1);
/** Smallest grid price strictly above p (gridAbove). */
const above = (grid: readonly PriceRange[], p: Pips): Pips | undefined => up(grid, p + 1);
const topOf = topOfBook;
const orderId = clientOrderId;

/** Worst-case loss in pips of an order if it fills and the market settles against it. */
export function worstLossPips(side: YesSide, price: Pips, size: CentiContracts, feePips: Pips): Pips {
  const atRisk = side === 'buy' ? price : PIPS - price;
  return Math.ceil((atRisk * size) / CENTI) + feePips;
}

/** EV of one price, flagged when it misses min EV. */
function evaluate(rule: FeeRule, side: YesSide, p: number, price: Pips, size: CentiContracts, minEv: number): SideEvaluation {
  const fee = feeOf(rule, price, size);
  const ev = evOf(side, p, price, fee, size);
  return ev >= minEv ? { price, evPips: ev, feePips: fee } : { price, evPips: ev, feePips: fee, reason: 'ev_below_min' };
}

/**
 * Fresh candidate for the buy side, before hysteresis and caps. `aboveBid` / `belowAsk` are the grid
 * prices one tick inside the book (shared with the sell side, computed once per market). The improve price
 * is only evaluated when it can clear min EV at all: EV = p − q − fee/C ≤ p − q (fee ≥ 0), so
 * `p·10⁴ − q < min_ev` rules it out without computing the fee (same result as evaluating it and falling
 * back to join).
 */
function buyCandidate(
  grid: readonly PriceRange[],
  p: number,
  top: TopOfBook,
  aboveBid: Pips | undefined,
  belowAsk: Pips | undefined,
  rule: FeeRule,
  size: CentiContracts,
  minEv: number,
): SideEvaluation {
  const ceiling = top.ask !== undefined ? belowAsk : down(grid, PIPS - 1);
  if (ceiling === undefined) return { reason: 'no_price_below_ask' };
  const pPips = p * PIPS;
  if (top.bid !== undefined) {
    const improve = aboveBid;
    if (improve !== undefined && improve <= ceiling && pPips - improve >= minEv) {
      const e = evaluate(rule, 'buy', p, improve, size, minEv);
      if (!e.reason) return e;
    }
    const join = down(grid, Math.min(top.bid, ceiling));
    return join === undefined ? { reason: 'no_price_below_ask' } : evaluate(rule, 'buy', p, join, size, minEv);
  }
  let q = down(grid, Math.min(ceiling, Math.floor(pPips - minEv)));
  for (let i = 0; q !== undefined && i < MAX_WALK; i++) {
    const e = evaluate(rule, 'buy', p, q, size, minEv);
    if (!e.reason) return e;
    q = below(grid, q);
  }
  return { reason: 'ev_below_min' };
}

/** Fresh candidate for the sell side (mirror of `buyCandidate`: EV = q − p − fee/C ≤ q − p). */
function sellCandidate(
  grid: readonly PriceRange[],
  p: number,
  top: TopOfBook,
  aboveBid: Pips | undefined,
  belowAsk: Pips | undefined,
  rule: FeeRule,
  size: CentiContracts,
  minEv: number,
): SideEvaluation {
  const floor = top.bid !== undefined ? aboveBid : up(grid, 1);
  if (floor === undefined) return { reason: 'no_price_above_bid' };
  const pPips = p * PIPS;
  if (top.ask !== undefined) {
    const improve = belowAsk;
    if (improve !== undefined && improve >= floor && improve - pPips >= minEv) {
      const e = evaluate(rule, 'sell', p, improve, size, minEv);
      if (!e.reason) return e;
    }
    const join = up(grid, Math.max(top.ask, floor));
    return join === undefined ? { reason: 'no_price_above_bid' } : evaluate(rule, 'sell', p, join, size, minEv);
  }
  let q = up(grid, Math.max(floor, Math.ceil(pPips + minEv)));
  for (let i = 0; q !== undefined && i < MAX_WALK; i++) {
    const e = evaluate(rule, 'sell', p, q, size, minEv);
    if (!e.reason) return e;
    q = above(grid, q);
  }
  return { reason: 'ev_below_min' };
}

const NO_OWN: readonly RestingQuote[] = [];

/** EV desc, then ticker, then side: a total order, so selection is deterministic. */
function byEvThenTicker(a: Candidate, b: Candidate): number {
  return b.rank - a.rank || (a.ticker < b.ticker ? -1 : a.ticker > b.ticker ? 1 : 0) || (a.side < b.side ? -1 : a.side > b.side ? 1 : 0);
}

/** With conditions: the resting quote's keep floor, and whether the time or queue rule holds it in place. */
interface KeepTiming {
  /** Keep while EV ≥ this (pips): min EV + its margin − the keep hysteresis. */
  floor: number;
  /** Younger than `minQuoteLifeMs`: not moved. */
  young: boolean;
  /** Tied at the best price with nothing ahead of it: not moved one tick better. */
  front: boolean;
}

/**
 * Hysteresis for one side (see the header): the resting order `r` is kept (returned as the candidate)
 * unless it crosses, its EV fell below min_ev − h, or a more aggressive fresh price differs by ≥ h. With
 * conditions (`t`) the floor is its own (margin, keep hysteresis), and a young quote or one at the front of
 * the queue is not moved for a more aggressive price.
 */
function keepResting(
  side: YesSide,
  r: RestingQuote,
  fresh: SideEvaluation,
  top: TopOfBook,
  p: number,
  rule: FeeRule,
  size: CentiContracts,
  minEv: number,
  h: number,
  t?: KeepTiming,
): SideEvaluation | undefined {
  if (side === 'buy' ? top.ask !== undefined && r.price >= top.ask : top.bid !== undefined && r.price <= top.bid) return undefined;
  const fee = feeOf(rule, r.price, size);
  const ev = evOf(side, p, r.price, fee, size);
  if (ev < (t ? t.floor : minEv - h)) return undefined;
  const moreAggressive = fresh.reason === undefined && fresh.price !== undefined && (side === 'buy' ? fresh.price > r.price : fresh.price < r.price);
  if (!(moreAggressive && Math.abs(fresh.evPips! - ev) >= h) || (t && (t.young || t.front))) return { price: r.price, evPips: ev, feePips: fee };
  return undefined;
}

/** With conditions: a resting quote's own keep floor (its margin includes its age) and its time/queue holds. */
function keepTiming(rules: QuoteRules, cond: QuoteConditions, minEv: number, targetPips: number, bookAgeMs: number | undefined, top: TopOfBook, side: YesSide, r: RestingQuote): KeepTiming {
  const age = r.placedMs !== undefined ? cond.nowMs - r.placedMs : undefined;
  const margin = marginWithAgesPips(rules, targetPips, bookAgeMs, age);
  const tied = side === 'buy' ? top.bid === r.price : top.ask === r.price;
  return {
    floor: minEv + margin - rules.keepHysteresisPips,
    young: age !== undefined && age < rules.minQuoteLifeMs,
    front: rules.keepFrontOfQueue && tied && r.queueAhead === 0,
  };
}

/** Queue ahead of a candidate at `price`; a resting order at that same price keeps its own place. */
function queueOf(book: OrderBook | undefined, side: YesSide, price: Pips, r: RestingQuote | undefined): CentiContracts {
  const same = r !== undefined && r.price === price;
  return queueAheadOf(book, side, price, same ? r.size : 0, same ? r.queueAhead : undefined);
}

/** Displayed size (others') ahead of an order at `price` on `side`: better levels, plus its share of its own level. */
function queueAheadOf(book: OrderBook | undefined, side: YesSide, price: Pips, ownAtLevel: CentiContracts, atPlacement: CentiContracts | undefined): CentiContracts {
  if (!book) return 0;
  let ahead = 0;
  let level = 0;
  if (side === 'buy') {
    for (const l of book.yesBids) {
      if (l.price > price) ahead += l.size;
      else if (l.price === price) level = Math.max(0, l.size - ownAtLevel);
    }
  } else {
    for (const l of book.noBids) {
      const ask = PIPS - l.price;
      if (ask < price) ahead += l.size;
      else if (ask === price) level = Math.max(0, l.size - ownAtLevel);
    }
  }
  return ahead + (atPlacement === undefined ? level : Math.min(atPlacement, level));
}

/** Selection state while candidates are admitted in rank order. */
interface Admission {
  input: SelectInput;
  rule: FeeRule;
  size0: CentiContracts;
  minEv: number;
  h: number;
  marketCap: CentiContracts;
  maxBins: number;
  committed: ReadonlyMap<string, CentiContracts> | undefined;
  bins: Set<string>;
  allocated: Map<string, CentiContracts>;
  windowLeft: CentiContracts;
  lossLeft: number;
  quotes: Quote[];
  /** Conditions and rules in force (absent: selection as without them). */
  timing?: { cond: QuoteConditions; rules: QuoteRules; horizonMs: number };
}

/** One candidate, in rank order: bins, caps, loss budget, EV at the final size, self-cross; then quoted. */
function admit(st: Admission, c: Candidate): void {
  const t = c.ticker;
  if (!st.bins.has(t) && st.bins.size >= st.maxBins) {
    c.eval.reason = 'max_bins_per_series';
    return;
  }
  const rule = st.rule;
  const marketLeft = st.marketCap - (st.committed?.get(t) ?? 0) - (st.allocated.get(t) ?? 0);
  let size = Math.min(st.size0, marketLeft, st.windowLeft);
  size -= size % CENTI;
  let fee = size > 0 ? feeOf(rule, c.price, size) : 0;
  while (size >= CENTI && worstLossPips(c.side, c.price, size, fee) > st.lossLeft) {
    size -= CENTI;
    fee = feeOf(rule, c.price, size);
  }
  if (size < CENTI) {
    c.eval.reason = marketLeft < CENTI ? 'market_contract_cap' : st.windowLeft < CENTI ? 'window_contract_cap' : 'daily_loss_cap';
    return;
  }
  const p = (st.input.pricing[c.mi] as { pYes: number }).pYes;
  const evPips = evOf(c.side, p, c.price, fee, size);
  if (evPips < (c.bar ?? (c.kept ? st.minEv - st.h : st.minEv))) {
    c.eval.reason = 'ev_below_min';
    return;
  }
  // Our own bid and ask in one market must not cross each other (self-trade).
  let other: Quote | undefined;
  for (const q of st.quotes) if (q.marketTicker === t) other = q;
  if (other && (c.side === 'buy' ? c.price >= other.price : c.price <= other.price)) {
    c.eval.reason = 'would_self_cross';
    return;
  }
  const keepId = c.kept && c.resting !== undefined && c.resting.size === size;
  const base = st.input.revisions?.get(slotKey(t, c.side)) ?? 0;
  const revision = keepId ? c.resting!.revision : Math.max(base, c.resting ? c.resting.revision + 1 : 0);
  const worst = worstLossPips(c.side, c.price, size, fee);
  const timing = st.timing;
  const quote: Quote = {
    marketTicker: t,
    side: c.side,
    price: c.price,
    size,
    feePips: fee,
    evPips,
    evCents: evPips / 100,
    modelProb: p,
    worstLossPips: worst,
    clientOrderId: keepId ? c.resting!.clientOrderId : orderId(st.input.windowId, t, c.side, c.price, revision),
    revision,
    kept: keepId,
  };
  if (timing && c.bar !== undefined) {
    quote.barPips = c.bar;
    quote.queueAhead = keepId && c.resting!.queueAhead !== undefined ? c.resting!.queueAhead : (c.queue ?? 0);
    const flow = timing.cond.flows?.get(t);
    if (flow) quote.fillProb = fillProbability(c.side, c.queue ?? 0, flow, timing.horizonMs);
  }
  st.quotes.push(quote);
  st.bins.add(t);
  st.allocated.set(t, (st.allocated.get(t) ?? 0) + size);
  st.windowLeft -= size;
  st.lossLeft -= worst;
}

export function selectQuotes(input: SelectInput): Selection {
  const { markets, pricing, policy } = input;
  const n = markets.length;
  const evaluations: MarketEvaluation[] = new Array(n);
  const candidates: Candidate[] = [];
  const size0 = policy.contracts * CENTI;
  const minEv = policy.minEvPips;
  const h = policy.evHysteresisPips;
  const books = input.books;

  // Our resting orders per market, in their given order (usually a handful, for a few markets).
  let ownBy: Map<string, RestingQuote[]> | undefined;
  const resting = input.resting;
  if (resting && resting.length) {
    ownBy = new Map();
    for (const r of resting) {
      const list = ownBy.get(r.marketTicker);
      if (list) list.push(r);
      else ownBy.set(r.marketTicker, [r]);
    }
  }

  let rule: FeeRule | undefined;
  let feeProblem: string | undefined;
  try {
    rule = feeRule(input.fees, 'maker');
  } catch (e) {
    if (!(e instanceof FeeRuleError)) throw e;
    feeProblem = e.message;
  }

  const cond = input.conditions;
  const rules = cond ? policy.rules : undefined;
  const allowNew = rules ? newQuoteAllowed(rules, cond!.minutesToTarget, cond!.feedAgeMs) : true;
  const keepBonus = rules ? rules.binKeepPips : 0;
  const targetPips = rules ? targetMarginPips(rules, cond!.minutesToTarget) : 0;

  for (let mi = 0; mi < n; mi++) {
    const m = markets[mi]!;
    const pr = pricing[mi];
    const own = (ownBy && ownBy.get(m.ticker)) || NO_OWN;
    const book = books.get(m.ticker);
    const top = topOf(book, own);
    let skip: string | undefined;
    if (!pr || pr.ticker !== m.ticker) skip = 'pricing_misaligned';
    else if (!pr.ok) skip = pr.reason;
    else if (m.status !== 'active') skip = `market_not_active:${m.status}`;
    else if (m.priceRanges.length === 0) skip = 'no_price_grid';
    else if (feeProblem || !rule) skip = feeProblem ?? 'fee_rule_missing';
    else if (top.bid !== undefined && top.ask !== undefined && top.bid >= top.ask) skip = 'book_crossed';
    if (skip || !pr?.ok || !rule) {
      const ev: MarketEvaluation = { ticker: m.ticker, top, buy: { reason: skip }, sell: { reason: skip } };
      if (pr?.ok) ev.pYes = pr.pYes;
      ev.skipped = skip;
      evaluations[mi] = ev;
      continue;
    }
    const p = pr.pYes;
    const grid = m.priceRanges;
    // One tick inside the book on each side: the buy side's improve / the sell side's floor, and the buy
    // side's ceiling / the sell side's improve.
    const aboveBid = top.bid !== undefined ? above(grid, top.bid) : undefined;
    const belowAsk = top.ask !== undefined ? below(grid, top.ask) : undefined;

    // With conditions: this market's bar for a new quote (min EV + margin), and each resting quote's own.
    let bar = minEv;
    let bookAgeMs: number | undefined;
    if (rules) {
      bookAgeMs = book ? cond!.nowMs - book.tsMs : undefined;
      bar = minEv + marginWithAgesPips(rules, targetPips, bookAgeMs);
    }

    // buy side (the two sides are written out, mirrored: a shared per-side helper measured 6–8 % slower here)
    let buy = buyCandidate(grid, p, top, aboveBid, belowAsk, rule, size0, bar);
    if (!allowNew && !buy.reason) buy = { ...buy, reason: 'final_seconds_no_new_quote' };
    let rb: RestingQuote | undefined;
    for (let k = 0; k < own.length; k++) if (own[k]!.side === 'buy') { rb = own[k]; break; }
    const tb = rb && rules ? keepTiming(rules, cond!, minEv, targetPips, bookAgeMs, top, 'buy', rb) : undefined;
    const keptBuy = rb ? keepResting('buy', rb, buy, top, p, rule, size0, minEv, h, tb) : undefined;
    if (keptBuy) {
      buy = keptBuy;
      candidates.push({ mi, ticker: m.ticker, side: 'buy', price: rb!.price, evPips: keptBuy.evPips!, rank: keptBuy.evPips! + keepBonus, resting: rb, kept: true, eval: keptBuy, done: false, bar: tb?.floor, queue: tb ? queueOf(book, 'buy', rb!.price, rb) : undefined });
    } else if (!buy.reason && buy.price !== undefined) {
      candidates.push({ mi, ticker: m.ticker, side: 'buy', price: buy.price, evPips: buy.evPips!, rank: buy.evPips!, resting: rb, kept: false, eval: buy, done: false, bar: rules ? bar : undefined, queue: rules ? queueOf(book, 'buy', buy.price, undefined) : undefined });
    }

    // sell side
    let sell = sellCandidate(grid, p, top, aboveBid, belowAsk, rule, size0, bar);
    if (!allowNew && !sell.reason) sell = { ...sell, reason: 'final_seconds_no_new_quote' };
    let rs: RestingQuote | undefined;
    for (let k = 0; k < own.length; k++) if (own[k]!.side === 'sell') { rs = own[k]; break; }
    const ts = rs && rules ? keepTiming(rules, cond!, minEv, targetPips, bookAgeMs, top, 'sell', rs) : undefined;
    const keptSell = rs ? keepResting('sell', rs, sell, top, p, rule, size0, minEv, h, ts) : undefined;
    if (keptSell) {
      sell = keptSell;
      candidates.push({ mi, ticker: m.ticker, side: 'sell', price: rs!.price, evPips: keptSell.evPips!, rank: keptSell.evPips! + keepBonus, resting: rs, kept: true, eval: keptSell, done: false, bar: ts?.floor, queue: ts ? queueOf(book, 'sell', rs!.price, rs) : undefined });
    } else if (!sell.reason && sell.price !== undefined) {
      candidates.push({ mi, ticker: m.ticker, side: 'sell', price: sell.price, evPips: sell.evPips!, rank: sell.evPips!, resting: rs, kept: false, eval: sell, done: false, bar: rules ? bar : undefined, queue: rules ? queueOf(book, 'sell', sell.price, undefined) : undefined });
    }
    evaluations[mi] = { ticker: m.ticker, top, buy, sell, pYes: p };
  }

  const committed = input.exposure.marketContracts;
  const st: Admission = {
    input,
    rule: rule!,
    size0,
    minEv,
    h,
    marketCap: policy.maxContractsPerMarket * CENTI,
    maxBins: policy.maxBinsPerSeries,
    committed,
    bins: new Set<string>(),
    allocated: new Map<string, CentiContracts>(),
    windowLeft: policy.maxContractsPerWindow * CENTI - (input.exposure.windowContracts ?? 0),
    lossLeft: input.exposure.lossBudgetPips,
    quotes: [],
  };
  if (rules) {
    const cap = rules.fillProbHorizonMs > 0 ? rules.fillProbHorizonMs : Infinity;
    st.timing = { cond: cond!, rules, horizonMs: Math.max(0, Math.min(cap, cond!.restMs ?? cond!.minutesToTarget * 60_000)) };
  }
  const bins = st.bins;
  const maxBins = st.maxBins;
  if (committed) for (const [t, c] of committed) if (c > 0) bins.add(t);

  // Candidates are admitted best first (EV desc, ticker, side; stable). No full sort is needed: while bins
  // are free, take the best remaining one; once `max_bins_per_series` markets are in, the bins are final
  // (only a market already in can be admitted, and that adds no bin), so every remaining candidate of
  // another market is refused for that reason whatever its rank, and only the few of the chosen markets
  // are ranked. Same outcome as ranking all of them, for a fraction of the work on a long ladder.
  const nc = candidates.length;
  let left = nc;
  while (left > 0 && bins.size < maxBins) {
    let best: Candidate | undefined;
    for (let j = 0; j < nc; j++) {
      const c = candidates[j]!;
      if (c.done) continue;
      if (best === undefined || c.rank > best.rank || (c.rank === best.rank && byEvThenTicker(c, best) < 0)) best = c;
    }
    best!.done = true;
    left--;
    admit(st, best!);
  }
  if (left > 0) {
    const rest: Candidate[] = [];
    for (let j = 0; j < nc; j++) {
      const c = candidates[j]!;
      if (c.done) continue;
      if (bins.has(c.ticker)) rest.push(c);
      else c.eval.reason = 'max_bins_per_series';
    }
    if (rest.length > 1) rest.sort(byEvThenTicker);
    for (const c of rest) admit(st, c);
  }
  return { quotes: st.quotes, evaluations };
}
