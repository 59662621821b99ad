/**
 * One ladder, end to end and pure: forecast from spot and minutes to the event's close_time (the target
 * of record), P(YES) per market, then maker quote selection. This is the unit the engine runs on every
 * model or book change, and what `price` prints.
 */
import type { FeeSchedule, LadderEvent, OrderBook } from '../market.ts';
import { forecast, type Forecast, type ModelSpec } from '../model/forecast.ts';
import { priceLadder, type MarketPricing } from '../model/ladder-pricing.ts';
import { selectQuotes, type Exposure, type QuoteConditions, type QuotePolicy, type RestingQuote, type Selection } from './select.ts';

export interface LadderQuoteInput {
  event: LadderEvent;
  books: ReadonlyMap<string, OrderBook>;
  spot: number;
  nowMs: number;
  model: ModelSpec;
  fees: FeeSchedule;
  windowId: string;
  policy: QuotePolicy;
  exposure: Exposure;
  resting?: readonly RestingQuote[];
  revisions?: ReadonlyMap<string, number>;
  /**
   * What the caller knows of the feed and the trade flow: turns on `policy.rules` (adverse-selection margin,
   * final seconds, churn hysteresis, fill probability). The clock and minutes to target are this ladder's own
   * (`nowMs`, the event's close_time); book ages come from `books`. Absent: selection as before.
   */
  conditions?: Omit<QuoteConditions, 'nowMs' | 'minutesToTarget'>;
}

export interface LadderQuote {
  minutesToTarget: number;
  forecast: Forecast;
  pricing: MarketPricing[];
  selection: Selection;
}

export function quoteLadder(input: LadderQuoteInput): LadderQuote {
  const minutesToTarget = (input.event.closeTimeMs - input.nowMs) / 60_000;
  const f = forecast(input.spot, minutesToTarget, input.model);
  const c = input.conditions;
  const pricing = priceLadder(input.event.markets, f);
  const selection = selectQuotes({
    windowId: input.windowId,
    markets: input.event.markets,
    pricing,
    books: input.books,
    fees: input.fees,
    policy: input.policy,
    exposure: input.exposure,
    resting: input.resting,
    revisions: input.revisions,
    // Built field by field: object spread on this per-cycle path costs more than the selection's bookkeeping.
    conditions: c ? { nowMs: input.nowMs, minutesToTarget, feedAgeMs: c.feedAgeMs, flows: c.flows, restMs: c.restMs } : undefined,
  });
  return { minutesToTarget, forecast: f, pricing, selection };
}
