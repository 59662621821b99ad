/**
 * The vocabulary of quote selection (SPEC §5.5): what selection is given (`SelectInput`), what it returns
 * (`Selection`: the quotes, and a per-market account of why each side is or is not quoted), and the slot
 * identity shared with the refresh diff. No logic beyond the slot key: the rules live in their own files
 * (select.ts lists them).
 */
import type { FeeSchedule, Market, OrderBook } from '../market.ts';
import type { MarketPricing } from '../model/ladder-pricing.ts';
import type { CentiContracts, Pips } from '../units.ts';
import type { YesSide } from '../orders.ts';
import type { OwnOrder, TopOfBook } from './top-of-book.ts';
import type { FlowLookup } from './fill-prob.ts';
import type { QuotePolicy } from './policy.ts';

export interface Exposure {
  /** Contracts already committed this window per market (e.g. absolute filled position). */
  marketContracts?: ReadonlyMap<string, CentiContracts>;
  /** Contracts already committed this window across the series. */
  windowContracts?: CentiContracts;
  /** What remains of the daily loss cap, in pips (see `remainingLossBudgetPips`). */
  lossBudgetPips: number;
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
  /** Recent trade flow per market, for `fillProb` (a Map, or TradeTape.flowsAt). */
  flows?: FlowLookup;
  /** How long a quote may rest from now (to the freeze), ms; default: to the target. */
  restMs?: number;
}

export interface Selection {
  quotes: Quote[];
  /**
   * One per market, aligned with `markets`. Worked out from what selection recorded the first time it is
   * read (the engine never reads it; `price` does), then the same array every time (evaluations.ts).
   */
  readonly evaluations: MarketEvaluation[];
}

export const slotKey = (ticker: string, side: YesSide): string => `${ticker}|${side}`;
