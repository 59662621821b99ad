/**
 * Admission of one candidate, in rank order (bins.ts gives the order): the series' bins, the contract caps
 * and the loss budget (sizing.ts), its EV at the final size against its bar, and no self-cross (our own bid
 * and ask in one market must not cross); then the quote, with its deterministic client_order_id — the
 * resting order's own when it is kept at its size, else the next revision of the slot.
 */
import { makerEvPips, type FeeRule } from '../fees.ts';
import { CENTI_PER_CONTRACT, type CentiContracts } from '../units.ts';
import type { MarketPlan } from './market-plan.ts';
import { fillProbability } from './fill-prob.ts';
import { queueOf } from './queue.ts';
import { sizeWithin, worstLossPips, type Sized } from './sizing.ts';
import { MAX_BINS, type Bins, type Candidates, type SideIndex } from './bins.ts';
import { EV_BELOW_MIN } from './ev-bar.ts';
import { sideName } from './evaluations.ts';
import type { YesSide } from '../orders.ts';
import type { Market, OrderBook } from '../market.ts';
import { slotKey, type Quote, type QuoteConditions, type RestingQuote, type SelectInput } from './types.ts';

/** Set with conditions and rules: the quote's bar, queue ahead and fill probability are reported. */
export interface AdmissionTiming {
  cond: QuoteConditions;
  /** The fill-probability horizon (ms). */
  horizonMs: number;
}

/** Where admission's outcomes go (the selection's evaluations report them): a reason, or undefined when quoted. */
export interface Refusals {
  refuse(mi: number, k: SideIndex, reason: string | undefined): void;
}

/** The running state of one selection's admission: what is taken so far, and what remains. */
export class Admission {
  readonly quotes: Quote[] = [];
  /** Markets holding quotes or exposure this window. */
  readonly bins: TickerBins;
  private windowLeft: CentiContracts;
  private lossLeft: number;
  private readonly marketCap: CentiContracts;
  private readonly sized: Sized = { size: 0, feePips: 0, refused: undefined };

  /**
   * `refusals`: where a refused candidate's reason goes; `ownAt`: our resting orders per market index (a slot's
   * first one is the order it keeps or replaces).
   */
  constructor(
    private readonly input: SelectInput,
    private readonly rule: FeeRule,
    private readonly refusals: Refusals,
    private readonly ownAt: readonly (readonly RestingQuote[] | undefined)[] | undefined,
    places: Int32Array,
    /** Each market's book (aligned with the markets) and plan (market-plan.ts: its client_order_ids). */
    private readonly books: readonly (OrderBook | undefined)[],
    private readonly plans: readonly MarketPlan[],
    private readonly timing: AdmissionTiming | undefined,
  ) {
    const policy = input.policy;
    this.marketCap = policy.maxContractsPerMarket * CENTI_PER_CONTRACT;
    this.windowLeft = policy.maxContractsPerWindow * CENTI_PER_CONTRACT - (input.exposure.windowContracts ?? 0);
    this.lossLeft = input.exposure.lossBudgetPips;
    this.bins = new TickerBins(input.markets, places, input.exposure.marketContracts);
  }

  /** Candidate `i` of `c`: quoted, or refused with the reason recorded in its market's evaluation. */
  admit(c: Candidates, i: number): void {
    const mi = c.mi(i);
    const k = c.side(i);
    const side = sideName(k);
    const input = this.input;
    const t = input.markets[mi]!.ticker;
    const refusals = this.refusals;
    const price = c.price(i);
    if (!this.bins.has(mi) && this.bins.size >= input.policy.maxBinsPerSeries) return refusals.refuse(mi, k, MAX_BINS);
    const marketLeft = this.marketCap - (input.exposure.marketContracts?.get(t) ?? 0) - this.bins.allocated(mi);
    const { size, feePips: fee, refused } = sizeWithin(this.rule, side, price, input.policy.contracts * CENTI_PER_CONTRACT, marketLeft, this.windowLeft, this.lossLeft, this.sized);
    if (refused) return refusals.refuse(mi, k, refused);
    const p = (input.pricing[mi] as { pYes: number }).pYes;
    const evPips = makerEvPips(side, p, price, fee, size);
    const bar = c.bar(i);
    if (evPips < bar) return refusals.refuse(mi, k, EV_BELOW_MIN);
    let other: Quote | undefined;
    for (const q of this.quotes) if (q.marketTicker === t) other = q;
    if (other && (side === 'buy' ? price >= other.price : price <= other.price)) return refusals.refuse(mi, k, 'would_self_cross');
    const kept = c.kept(i);
    const resting = firstOfSide(this.ownAt?.[mi], side);
    const keepId = kept && resting !== undefined && resting.size === size;
    const base = input.revisions?.get(slotKey(t, side)) ?? 0;
    const revision = keepId ? resting!.revision : Math.max(base, resting ? resting.revision + 1 : 0);
    const worst = worstLossPips(side, price, size, fee);
    const quote: Quote = {
      marketTicker: t,
      side,
      price,
      size,
      feePips: fee,
      evPips,
      evCents: evPips / 100,
      modelProb: p,
      worstLossPips: worst,
      clientOrderId: keepId ? resting!.clientOrderId : this.plans[mi]!.idFor(k, input.windowId, t, side, price, revision),
      revision,
      kept: keepId,
    };
    const timing = this.timing;
    if (timing) {
      const queue = queueOf(this.books[mi], side, price, kept ? resting : undefined);
      quote.barPips = bar;
      quote.queueAhead = keepId && resting!.queueAhead !== undefined ? resting!.queueAhead : queue;
      const flow = timing.cond.flows?.get(t);
      if (flow) quote.fillProb = fillProbability(side, queue, flow, timing.horizonMs);
    }
    this.quotes.push(quote);
    refusals.refuse(mi, k, undefined);
    this.bins.allocate(mi, size);
    this.windowLeft -= size;
    this.lossLeft -= worst;
  }
}

/**
 * The bins by ticker: the markets with exposure (from the exposure map) and those quoted so far, with the
 * contracts allocated to each in this selection. A handful of markets: a list of ticker places (equal
 * tickers, equal places: one bin), no map per selection.
 */
class TickerBins implements Bins {
  private readonly committed: Set<string> | undefined;
  private readonly quoted: number[] = [];
  private readonly contracts: CentiContracts[] = [];
  size = 0;

  constructor(
    private readonly markets: readonly Market[],
    private readonly places: Int32Array,
    marketContracts: ReadonlyMap<string, CentiContracts> | undefined,
  ) {
    if (marketContracts && marketContracts.size > 0) {
      const committed = new Set<string>();
      for (const [t, c] of marketContracts) if (c > 0) committed.add(t);
      this.committed = committed;
      this.size = committed.size;
    }
  }

  /** Whether market `mi`'s ticker holds a bin. */
  has(mi: number): boolean {
    return this.quoted.indexOf(this.places[mi]!) >= 0 || this.committed?.has(this.markets[mi]!.ticker) === true;
  }

  /** Contracts allocated to market `mi`'s ticker in this selection so far. */
  allocated(mi: number): CentiContracts {
    const j = this.quoted.indexOf(this.places[mi]!);
    return j >= 0 ? this.contracts[j]! : 0;
  }

  /** `size` more contracts quoted in market `mi`'s ticker (it holds a bin from now on). */
  allocate(mi: number, size: CentiContracts): void {
    const place = this.places[mi]!;
    const j = this.quoted.indexOf(place);
    if (j >= 0) {
      this.contracts[j]! += size;
      return;
    }
    if (!this.committed?.has(this.markets[mi]!.ticker)) this.size++;
    this.quoted.push(place);
    this.contracts.push(size);
  }
}

/** A slot's resting order: the first of `own` on `side` (later ones are duplicates the refresh cancels). */
export function firstOfSide(own: readonly RestingQuote[] | undefined, side: YesSide): RestingQuote | undefined {
  if (own) for (let j = 0; j < own.length; j++) if (own[j]!.side === side) return own[j];
  return undefined;
}
