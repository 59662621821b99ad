/**
 * Maker-only quote selection (SPEC §5.5), a pure function of ladder + books + model + policy + exposure.
 * This file composes the rules, each in its own file:
 * - top-of-book.ts — the best bid and ask a quoter may use (our own orders removed);
 * - price-choice.ts — a side's fresh price: improve by one tick, join, or (empty side) the most aggressive
 *   price that clears the bar; never crossing; grid.ts — every price on the market's grid;
 * - ev-bar.ts — the EV bar a new quote must clear (min EV + the adverse-selection margin, margin.ts) and
 *   the lower floor a resting one is kept at;
 * - hysteresis.ts — when a resting order stays rather than follow the fresh price (churn hysteresis, and
 *   with conditions its minimum life and the front of the queue);
 * - bins.ts — the rank order of candidates and `max_bins_per_series` (with bin hysteresis);
 * - admission.ts, sizing.ts — per candidate in rank order: the contract caps, the loss budget, the EV at
 *   the final size, no self-cross; then the quote and its client_order_id (queue.ts, fill-prob.ts: its
 *   queue ahead and fill probability);
 * - market-plan.ts — what a market's book, grid and fee rule decide (top of book, each side's improve and
 *   join prices and their fees), kept per ladder from one book update to the next;
 * - evaluations.ts — the per-market account of why each side is or is not quoted, worked out when read.
 * The timing rules (`policy.rules`) apply only when the caller passes its conditions; without them,
 * selection is exactly as without rules. A market outside the final seconds' rule gets no new quote
 * (`final_seconds_no_new_quote`), but a resting one is still held to its keep floor.
 *
 * Cost (SPEC §10, runs on every model or book change; `npm run bench -- pricing`, as fast as the pricing it
 * follows): per market one book lookup, and — while its book snapshot and our orders in it are the ones its
 * plan was made of — a few comparisons against its plan's prices and an EV from the plan's fee per
 * contract for a side that may clear its bar; no object per market (evaluations.ts) and none per
 * candidate; candidates are not fully sorted (bins.ts), ties and bins go by ticker places worked out once
 * per ladder; the scratch of a selection is its ladder's. test/quotes/select-reference.test.ts holds this
 * to a straightforward reference, test/quotes/market-plan.test.ts the memos to selection on fresh objects.
 */
import type { Market, OrderBook } from '../market.ts';
import { FeeRuleError, feeRule, type FeeRule } from '../fees.ts';
import type { MarketPricing } from '../model/ladder-pricing.ts';
import { CENTI_PER_CONTRACT, PIPS_PER_DOLLAR, type CentiContracts, type Pips } from '../units.ts';
import { scanTop, type TopScan } from './top-of-book.ts';
import { newQuoteAllowed, targetMarginPips } from './margin.ts';
import { keepFloor, newQuoteBar, type PricedSide } from './ev-bar.ts';
import { aboveBidOf, belowAskOf, buyPrice, sellPrice } from './price-choice.ts';
import { planPrice, plansFor, type LadderPlans } from './market-plan.ts';
import { heldInPlace, keepsResting, quoteAgeMs } from './hysteresis.ts';
import { Candidates, MAX_BINS, admitBestFirst, type SideIndex } from './bins.ts';
import { Admission, firstOfSide, type AdmissionTiming } from './admission.ts';
import { EvaluationReport, selectionOf, sideName, type EvaluationSource } from './evaluations.ts';
import type { QuoteRules } from './policy.ts';
import type { MarketEvaluation, RestingQuote, SelectInput, Selection } from './types.ts';

export * from './types.ts';
export * from './policy.ts';
export { worstLossPips, remainingLossBudgetPips } from './sizing.ts';

const NO_OWN: readonly RestingQuote[] = [];
const FINAL_SECONDS = 'final_seconds_no_new_quote';

/**
 * Our resting orders per market index, in their given order (usually a handful, for a few markets; an order
 * in no market of the ladder is in no list).
 */
function restingByMarket(resting: readonly RestingQuote[] | undefined, markets: readonly Market[], plans: LadderPlans): (RestingQuote[] | undefined)[] | undefined {
  if (!resting || !resting.length) return undefined;
  const index = plans.byTicker(markets);
  const by: (RestingQuote[] | undefined)[] = new Array(markets.length);
  for (const r of resting) {
    const at = index.get(r.marketTicker);
    if (at === undefined) continue;
    for (let j = 0; j < at.length; j++) {
      const list = by[at[j]!];
      if (list) list.push(r);
      else by[at[j]!] = [r];
    }
  }
  return by;
}

/** Each market's book into `out` (aligned with `markets`: what selection and its evaluations read). */
function booksOf(books: ReadonlyMap<string, OrderBook>, markets: readonly Market[], out: (OrderBook | undefined)[]): void {
  for (let mi = 0; mi < markets.length; mi++) out[mi] = books.get(markets[mi]!.ticker);
}

/** Why a market is not evaluated at all (undefined: it is). */
function skipReason(m: Market, pr: MarketPricing | undefined, rule: FeeRule | undefined, feeProblem: string | undefined, top: TopScan): string | undefined {
  if (!pr || pr.ticker !== m.ticker) return 'pricing_misaligned';
  if (!pr.ok) return pr.reason;
  if (m.status !== 'active') return `market_not_active:${m.status}`;
  if (m.priceRanges.length === 0) return 'no_price_grid';
  if (feeProblem || !rule) return feeProblem ?? 'fee_rule_missing';
  if (top.hasBid && top.hasAsk && top.bid >= top.ask) return 'book_crossed';
  return undefined;
}

/**
 * One selection: what it shares across markets and sides (the inputs in force, reused scratch), its
 * candidates, and — for the evaluations, worked out when first read — the book each market had and the
 * reasons admission gave.
 */
class SelectionPass implements EvaluationSource {
  readonly markets: readonly Market[];
  readonly pricing: readonly MarketPricing[];
  readonly rule: FeeRule | undefined;
  readonly feeProblem: string | undefined;
  readonly size0: CentiContracts;
  readonly minEv: number;
  readonly h: number;
  readonly rules: QuoteRules | undefined;
  readonly nowMs: number;
  readonly allowNew: boolean;
  readonly keepBonus: number;
  readonly targetPips: number;
  /** A new quote's bar in a market whose book age adds no margin (within its grace, or not counted). */
  readonly freshBar: number;
  /** The book's age adds to the margin past its grace (rules with a book-age rate). */
  readonly bookAgeCounts: boolean;
  /** Our resting orders per market index (undefined: none at all). */
  readonly ownAt: (RestingQuote[] | undefined)[] | undefined;
  /** The book each market had (its snapshot), for the evaluations. */
  readonly books: (OrderBook | undefined)[];
  readonly candidates: Candidates;
  /** This ladder's market plans (market-plan.ts). */
  readonly plans: LadderPlans;
  readonly top: TopScan;
  readonly fresh: PricedSide;
  readonly kept: PricedSide;
  keptFloor = 0;
  /** Admission's outcomes other than losing to the bins: slot 2·mi + k, then its reason (undefined: quoted). */
  private outcomes: (number | string | undefined)[] | undefined;
  private built: MarketEvaluation[] | undefined;

  constructor(readonly input: SelectInput) {
    const { markets, policy } = input;
    this.markets = markets;
    this.pricing = input.pricing;
    let rule: FeeRule | undefined;
    let feeProblem: string | undefined;
    try {
      rule = feeRule(input.fees, 'maker');
    } catch (e) {
      if (!(e instanceof FeeRuleError)) throw e;
      feeProblem = e.message;
    }
    this.rule = rule;
    this.feeProblem = feeProblem;
    this.size0 = policy.contracts * CENTI_PER_CONTRACT;
    this.minEv = policy.minEvPips;
    this.h = policy.evHysteresisPips;
    const cond = input.conditions;
    const rules = cond ? policy.rules : undefined;
    this.rules = rules;
    this.nowMs = cond ? cond.nowMs : 0;
    this.allowNew = rules ? newQuoteAllowed(rules, cond!.minutesToTarget, cond!.feedAgeMs) : true;
    this.keepBonus = rules ? rules.binKeepPips : 0;
    this.targetPips = rules ? targetMarginPips(rules, cond!.minutesToTarget) : 0;
    this.freshBar = newQuoteBar(this.minEv, rules, this.targetPips, undefined);
    this.bookAgeCounts = rules !== undefined && rules.bookAgePipsPerS > 0;
    this.books = new Array(markets.length);
    const plans = plansFor(markets);
    this.plans = plans;
    this.candidates = new Candidates(plans.candidates, () => plans.places(markets));
    this.top = plans.top;
    this.fresh = plans.fresh;
    this.kept = plans.kept;
    plans.begin(rule, this.size0);
    this.ownAt = restingByMarket(input.resting, markets, this.plans);
  }

  /** What admission made of a candidate (undefined: quoted), for the evaluations; losing to the bins goes unsaid. */
  refuse(mi: number, k: SideIndex, reason: string | undefined): void {
    if (reason !== MAX_BINS) (this.outcomes ??= []).push(2 * mi + k, reason);
  }

  evaluations(): MarketEvaluation[] {
    if (this.built) return this.built;
    const outcomes = new Map<number, string | undefined>();
    const o = this.outcomes;
    if (o) for (let j = 0; j < o.length; j += 2) outcomes.set(o[j] as number, o[j + 1] as string | undefined);
    const report = new EvaluationReport(this.markets.length, this.rule, this.size0, outcomes);
    for (let mi = 0; mi < this.markets.length; mi++) reportMarket(this, report, mi);
    return (this.built = report.out);
  }
}

/**
 * One market, selecting: skipped, or both sides priced and held to hysteresis, as candidates. The market's
 * plan (market-plan.ts, kept from one book update to the next) holds what its book, grid and fee rule
 * decide, so a market whose book has not changed costs a few comparisons.
 */
function selectMarket(x: SelectionPass, mi: number): void {
  const m = x.markets[mi]!;
  const pr = x.pricing[mi];
  const book = x.books[mi];
  const own = (x.ownAt && x.ownAt[mi]) || NO_OWN;
  const plan = x.plans.at(mi, m, book, own);
  // Skipped (skipReason: which reason is the evaluations' business).
  if (pr === undefined || pr.ticker !== plan.ticker || !pr.ok || plan.skipped) return;
  const p = pr.pYes;
  const bookAgeMs = x.rules && book ? x.nowMs - plan.tsMs : undefined;
  const bar = x.bookAgeCounts && bookAgeMs !== undefined && bookAgeMs > x.rules!.bookAgeGraceMs ? newQuoteBar(x.minEv, x.rules, x.targetPips, bookAgeMs) : x.freshBar;
  const fresh = x.fresh;
  const pPips = p * PIPS_PER_DOLLAR;
  for (let k: SideIndex = 0; k < 2; k = (k + 1) as SideIndex) {
    if (plan.simple) planPrice(plan, k, pPips, bar, fresh);
    else if (k === 0) buyPrice(m.priceRanges, p, plan, plan.aboveBid, plan.belowAsk, x.rule!, x.size0, bar, fresh);
    else sellPrice(m.priceRanges, p, plan, plan.aboveBid, plan.belowAsk, x.rule!, x.size0, bar, fresh);
    if (!x.allowNew && fresh.reason === undefined) fresh.reason = FINAL_SECONDS;
    const r = own.length > 0 ? firstOfSide(own, sideName(k)) : undefined;
    if (r && keepsSlot(x, k, p, plan, r, bookAgeMs)) x.candidates.add(mi, k, true, r.price, x.kept.evPips + x.keepBonus, x.keptFloor);
    else if (fresh.reason === undefined && fresh.priced) x.candidates.add(mi, k, false, fresh.price, fresh.evPips, bar);
  }
}

/**
 * One market, reporting (the evaluations): the same rules on the same book snapshot, with every side
 * priced in full by price-choice.ts (the same outcome as the plan's), into its evaluation.
 */
function reportMarket(x: SelectionPass, report: EvaluationReport, mi: number): void {
  const m = x.markets[mi]!;
  const pr = x.pricing[mi];
  const ticker = m.ticker;
  const own = (x.ownAt && x.ownAt[mi]) || NO_OWN;
  const book = x.books[mi];
  const top = scanTop(book, own, x.top);
  const skip = skipReason(m, pr, x.rule, x.feeProblem, top);
  if (skip !== undefined) {
    report.skipped(mi, ticker, top, pr?.ok ? pr.pYes : undefined, skip);
    return;
  }
  const rule = x.rule!;
  const p = (pr as { pYes: number }).pYes;
  const grid = m.priceRanges;
  // With conditions: this market's bar for a new quote (min EV + margin); each resting quote has its own.
  const bookAgeMs = x.rules && book ? x.nowMs - book.tsMs : undefined;
  const bar = newQuoteBar(x.minEv, x.rules, x.targetPips, bookAgeMs);
  const aboveBid = aboveBidOf(grid, top);
  const belowAsk = belowAskOf(grid, top);
  const fresh = x.fresh;
  for (let k: SideIndex = 0; k < 2; k = (k + 1) as SideIndex) {
    if (k === 0) buyPrice(grid, p, top, aboveBid, belowAsk, rule, x.size0, bar, fresh);
    else sellPrice(grid, p, top, aboveBid, belowAsk, rule, x.size0, bar, fresh);
    if (!x.allowNew && fresh.reason === undefined) fresh.reason = FINAL_SECONDS;
    const r = own.length > 0 ? firstOfSide(own, sideName(k)) : undefined;
    if (r && keepsSlot(x, k, p, top, r, bookAgeMs)) report.side(mi, k, p, x.kept, true);
    else report.side(mi, k, p, fresh, fresh.reason === undefined && fresh.priced);
  }
  report.market(mi, ticker, top, p);
}

/**
 * Hysteresis for side `k` against the slot's resting order `r`: true when it stays (its fee and EV in
 * `x.kept`, its keep floor in `x.keptFloor`).
 */
function keepsSlot(x: SelectionPass, k: SideIndex, p: number, top: TopScan, r: RestingQuote, bookAgeMs: number | undefined): boolean {
  const side = sideName(k);
  const rules = x.rules;
  const age = rules ? quoteAgeMs(r, x.nowMs) : undefined;
  const floor = keepFloor(x.minEv, x.h, rules, x.targetPips, bookAgeMs, age);
  x.keptFloor = floor;
  const held = rules ? heldInPlace(rules, age, top, side, r) : false;
  return keepsResting(side, r, x.fresh, top, p, x.rule!, x.size0, floor, x.h, held, x.kept);
}

export function selectQuotes(input: SelectInput): Selection {
  const x = new SelectionPass(input);
  const n = x.markets.length;
  booksOf(input.books, x.markets, x.books);
  for (let mi = 0; mi < n; mi++) selectMarket(x, mi);
  return x.candidates.count === 0 ? selectionOf([], x) : admitCandidates(x);
}

/** Admission of the candidates, best first (bins.ts, admission.ts). */
function admitCandidates(x: SelectionPass): Selection {
  const input = x.input;
  const candidates = x.candidates;
  const cond = input.conditions;
  const rules = x.rules;
  let timing: AdmissionTiming | undefined;
  if (rules) {
    const cap = rules.fillProbHorizonMs > 0 ? rules.fillProbHorizonMs : Infinity;
    timing = { cond: cond!, horizonMs: Math.max(0, Math.min(cap, cond!.restMs ?? cond!.minutesToTarget * 60_000)) };
  }
  const admission = new Admission(input, x.rule!, x, x.ownAt, x.plans.places(x.markets), x.books, x.plans.plans, timing);
  admitBestFirst(candidates, admission.bins, input.policy.maxBinsPerSeries, (i) => admission.admit(candidates, i));
  return selectionOf(admission.quotes, x);
}
