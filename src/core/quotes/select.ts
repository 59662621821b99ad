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
 */
import type { FeeSchedule, Market, OrderBook } from '../market.ts';
import { FeeRuleError, feeRule, makerEvPips, orderFeePips, type FeeRule } from '../fees.ts';
import type { MarketPricing } from '../model/ladder-pricing.ts';
import { CENTI_PER_CONTRACT, PIPS_PER_DOLLAR, type CentiContracts, type Pips } from '../units.ts';
import type { YesSide } from '../orders.ts';
import { clientOrderId } from './client-order-id.ts';
import { gridAbove, gridBelow, snapDown, snapUp } from './grid.ts';
import { topOfBook, type OwnOrder, type TopOfBook } from './top-of-book.ts';

export interface QuotePolicy {
  minEvPips: number;
  evHysteresisPips: number;
  maxBinsPerSeries: number;
  /** Whole contracts per quote. */
  contracts: number;
  maxContractsPerMarket: number;
  maxContractsPerWindow: number;
}

/** Policy from the validated `quotes.*` / `risk.*` config sections. */
export function quotePolicy(cfg: {
  quotes: { min_ev_usd: number; max_bins_per_series: number; contracts: number; ev_hysteresis_usd: number };
  risk: { max_contracts_per_market: number; max_contracts_per_window: number };
}): QuotePolicy {
  return {
    minEvPips: Math.round(cfg.quotes.min_ev_usd * PIPS_PER_DOLLAR),
    evHysteresisPips: Math.round(cfg.quotes.ev_hysteresis_usd * PIPS_PER_DOLLAR),
    maxBinsPerSeries: cfg.quotes.max_bins_per_series,
    contracts: cfg.quotes.contracts,
    maxContractsPerMarket: cfg.risk.max_contracts_per_market,
    maxContractsPerWindow: cfg.risk.max_contracts_per_window,
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
}

const MAX_WALK = 10_000;

/** Worst-case loss in pips of an order if it fills and the market settles against it. */
export function worstLossPips(side: YesSide, price: Pips, size: CentiContracts, feePips: Pips): Pips {
  const atRisk = side === 'buy' ? price : PIPS_PER_DOLLAR - price;
  return Math.ceil((atRisk * size) / CENTI_PER_CONTRACT) + feePips;
}

function evAt(rule: FeeRule, side: YesSide, p: number, price: Pips, size: CentiContracts): { ev: number; fee: Pips } {
  const fee = orderFeePips(rule, price, size);
  return { ev: makerEvPips(side, p, price, fee, size), fee };
}

/** EV of one price, flagged when it misses min EV. */
function evaluate(rule: FeeRule, side: YesSide, p: number, price: Pips, size: CentiContracts, minEv: number): SideEvaluation {
  const fee = orderFeePips(rule, price, size);
  const ev = makerEvPips(side, p, price, fee, size);
  return ev >= minEv ? { price, evPips: ev, feePips: fee } : { price, evPips: ev, feePips: fee, reason: 'ev_below_min' };
}

/** Fresh candidate for one side, before hysteresis and caps. (No closures: this runs for every market.) */
function sideCandidate(
  m: Market,
  side: YesSide,
  p: number,
  top: TopOfBook,
  rule: FeeRule,
  size: CentiContracts,
  minEv: number,
): SideEvaluation {
  const grid = m.priceRanges;
  if (side === 'buy') {
    const ceiling = top.ask !== undefined ? gridBelow(grid, top.ask) : snapDown(grid, PIPS_PER_DOLLAR - 1);
    if (ceiling === undefined) return { reason: 'no_price_below_ask' };
    if (top.bid !== undefined) {
      const improve = gridAbove(grid, top.bid);
      if (improve !== undefined && improve <= ceiling) {
        const e = evaluate(rule, side, p, improve, size, minEv);
        if (!e.reason) return e;
      }
      const join = snapDown(grid, Math.min(top.bid, ceiling));
      return join === undefined ? { reason: 'no_price_below_ask' } : evaluate(rule, side, p, join, size, minEv);
    }
    let q = snapDown(grid, Math.min(ceiling, Math.floor(p * PIPS_PER_DOLLAR - minEv)));
    for (let i = 0; q !== undefined && i < MAX_WALK; i++) {
      const e = evaluate(rule, side, p, q, size, minEv);
      if (!e.reason) return e;
      q = gridBelow(grid, q);
    }
    return { reason: 'ev_below_min' };
  }
  const floor = top.bid !== undefined ? gridAbove(grid, top.bid) : snapUp(grid, 1);
  if (floor === undefined) return { reason: 'no_price_above_bid' };
  if (top.ask !== undefined) {
    const improve = gridBelow(grid, top.ask);
    if (improve !== undefined && improve >= floor) {
      const e = evaluate(rule, side, p, improve, size, minEv);
      if (!e.reason) return e;
    }
    const join = snapUp(grid, Math.max(top.ask, floor));
    return join === undefined ? { reason: 'no_price_above_bid' } : evaluate(rule, side, p, join, size, minEv);
  }
  let q = snapUp(grid, Math.max(floor, Math.ceil(p * PIPS_PER_DOLLAR + minEv)));
  for (let i = 0; q !== undefined && i < MAX_WALK; i++) {
    const e = evaluate(rule, side, p, q, size, minEv);
    if (!e.reason) return e;
    q = gridAbove(grid, q);
  }
  return { reason: 'ev_below_min' };
}

const SIDES: readonly YesSide[] = ['buy', 'sell'];
const NO_OWN: readonly RestingQuote[] = [];

/** EV desc, then ticker, then side: a total order, so selection is deterministic. */
function byEvThenTicker(a: Candidate, b: Candidate): number {
  return b.evPips - a.evPips || (a.ticker < b.ticker ? -1 : a.ticker > b.ticker ? 1 : 0) || (a.side < b.side ? -1 : a.side > b.side ? 1 : 0);
}

const crosses = (side: YesSide, price: Pips, top: TopOfBook): boolean =>
  side === 'buy' ? top.ask !== undefined && price >= top.ask : top.bid !== undefined && price <= top.bid;

export function selectQuotes(input: SelectInput): Selection {
  const { markets, pricing, policy } = input;
  const evaluations: MarketEvaluation[] = [];
  const candidates: Candidate[] = [];
  const size0 = policy.contracts * CENTI_PER_CONTRACT;
  const minEv = policy.minEvPips;
  const h = policy.evHysteresisPips;
  const resting = input.resting ?? [];

  let rule: FeeRule | undefined;
  let feeProblem: string | undefined;
  try {
    rule = feeRule(input.fees, 'maker');
  } catch (e) {
    if (!(e instanceof FeeRuleError)) throw e;
    feeProblem = e.message;
  }

  for (let mi = 0; mi < markets.length; mi++) {
    const m = markets[mi]!;
    const pr = pricing[mi];
    let own: RestingQuote[] | readonly RestingQuote[] = NO_OWN;
    if (resting.length) {
      own = [];
      for (const r of resting) if (r.marketTicker === m.ticker) (own as RestingQuote[]).push(r);
    }
    const top = topOfBook(input.books.get(m.ticker), own);
    const ev: MarketEvaluation = { ticker: m.ticker, top, buy: {}, sell: {} };
    evaluations.push(ev);
    let skip: string | undefined;
    if (!pr || pr.ticker !== m.ticker) skip = 'pricing_misaligned';
    else if (!pr.ok) skip = pr.reason;
    else if (m.status !== 'active') skip = `market_not_active:${m.status}`;
    else if (m.priceRanges.length === 0) skip = 'no_price_grid';
    else if (feeProblem || !rule) skip = feeProblem ?? 'fee_rule_missing';
    else if (top.bid !== undefined && top.ask !== undefined && top.bid >= top.ask) skip = 'book_crossed';
    if (pr?.ok) ev.pYes = pr.pYes;
    if (skip || !pr?.ok || !rule) {
      ev.skipped = skip;
      ev.buy.reason = ev.sell.reason = skip;
      continue;
    }
    const p = pr.pYes;
    for (const side of SIDES) {
      const fresh = sideCandidate(m, side, p, top, rule, size0, minEv);
      ev[side] = fresh;
      let r: RestingQuote | undefined;
      for (const o of own) if (o.side === side && r === undefined) r = o;
      if (r && !crosses(side, r.price, top)) {
        const kept = evAt(rule, side, p, r.price, size0);
        // Move only toward a more aggressive price (the book moved past us, or the model now allows an
        // improve) and only for an EV change ≥ h; a less aggressive fresh price is taken only once the
        // resting one falls below min_ev − h.
        const moreAggressive =
          fresh.reason === undefined && fresh.price !== undefined && (side === 'buy' ? fresh.price > r.price : fresh.price < r.price);
        const keep = kept.ev >= minEv - h && !(moreAggressive && Math.abs(fresh.evPips! - kept.ev) >= h);
        if (keep) {
          ev[side] = { price: r.price, evPips: kept.ev, feePips: kept.fee };
          candidates.push({ mi, ticker: m.ticker, side, price: r.price, evPips: kept.ev, resting: r, kept: true, eval: ev[side] });
          continue;
        }
      }
      if (!fresh.reason && fresh.price !== undefined) {
        candidates.push({ mi, ticker: m.ticker, side, price: fresh.price, evPips: fresh.evPips!, resting: r, kept: false, eval: fresh });
      }
    }
  }

  candidates.sort(byEvThenTicker);

  const marketCap = policy.maxContractsPerMarket * CENTI_PER_CONTRACT;
  const committed = input.exposure.marketContracts;
  const bins = new Set<string>();
  if (committed) for (const [t, c] of committed) if (c > 0) bins.add(t);
  const allocated = new Map<string, CentiContracts>();
  let windowLeft = policy.maxContractsPerWindow * CENTI_PER_CONTRACT - (input.exposure.windowContracts ?? 0);
  let lossLeft = input.exposure.lossBudgetPips;
  const quotes: Quote[] = [];

  for (const c of candidates) {
    const m = markets[c.mi]!;
    const t = m.ticker;
    if (!bins.has(t) && bins.size >= policy.maxBinsPerSeries) {
      c.eval.reason = 'max_bins_per_series';
      continue;
    }
    const marketLeft = marketCap - (committed?.get(t) ?? 0) - (allocated.get(t) ?? 0);
    let size = Math.min(size0, marketLeft, windowLeft);
    size -= size % CENTI_PER_CONTRACT;
    let fee = size > 0 ? orderFeePips(rule!, c.price, size) : 0;
    while (size >= CENTI_PER_CONTRACT && worstLossPips(c.side, c.price, size, fee) > lossLeft) {
      size -= CENTI_PER_CONTRACT;
      fee = orderFeePips(rule!, c.price, size);
    }
    if (size < CENTI_PER_CONTRACT) {
      c.eval.reason = marketLeft < CENTI_PER_CONTRACT ? 'market_contract_cap' : windowLeft < CENTI_PER_CONTRACT ? 'window_contract_cap' : 'daily_loss_cap';
      continue;
    }
    const p = (pricing[c.mi] as { pYes: number }).pYes;
    const evPips = makerEvPips(c.side, p, c.price, fee, size);
    if (evPips < (c.kept ? minEv - h : minEv)) {
      c.eval.reason = 'ev_below_min';
      continue;
    }
    // Our own bid and ask in one market must not cross each other (self-trade).
    let other: Quote | undefined;
    for (const q of quotes) if (q.marketTicker === t) other = q;
    if (other && (c.side === 'buy' ? c.price >= other.price : c.price <= other.price)) {
      c.eval.reason = 'would_self_cross';
      continue;
    }
    const keepId = c.kept && c.resting !== undefined && c.resting.size === size;
    const base = input.revisions?.get(slotKey(t, c.side)) ?? 0;
    const revision = keepId ? c.resting!.revision : Math.max(base, c.resting ? c.resting.revision + 1 : 0);
    const worst = worstLossPips(c.side, c.price, size, fee);
    quotes.push({
      marketTicker: t,
      side: c.side,
      price: c.price,
      size,
      feePips: fee,
      evPips,
      evCents: evPips / 100,
      modelProb: p,
      worstLossPips: worst,
      clientOrderId: keepId ? c.resting!.clientOrderId : clientOrderId(input.windowId, t, c.side, c.price, revision),
      revision,
      kept: keepId,
    });
    bins.add(t);
    allocated.set(t, (allocated.get(t) ?? 0) + size);
    windowLeft -= size;
    lossLeft -= worst;
  }
  return { quotes, evaluations };
}
