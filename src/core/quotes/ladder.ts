/**
 * One ladder, end to end and pure: forecast from spot and minutes to the event's close_time (the target
 * of record), P(YES) per market, then maker quote selection. This is the unit the engine runs on every
 * model or book change, and what `price` prints.
 */
import type { FeeSchedule, LadderEvent, OrderBook } from '../market.ts';
import { forecast, type Forecast, type ModelSpec } from '../model/forecast.ts';
import { priceLadder, type MarketPricing } from '../model/ladder-pricing.ts';
import { selectQuotes, type Exposure, type QuoteConditions, type QuotePolicy, type RestingQuote, type Selection } from './select.ts';
import { onRegimeClock } from './margin.ts';
import { regimeMinutes } from '../model/conditioning.ts';

/**
 * The policy whose margin and final-seconds rule run on the conditioned σ's clock (margin.ts): memoised on
 * the last (policy, ratio), so a calm ladder with the same ratio every cycle allocates nothing.
 */
let lastRegime: { policy: QuotePolicy; minutes: number; eff: number; out: QuotePolicy } | undefined;
function regimePolicy(policy: QuotePolicy, f: Forecast): QuotePolicy {
  if (!policy.rules || !f.regime) return policy;
  const eff = regimeMinutes(f.minutes, f.regime);
  if (eff === f.minutes) return policy;
  const l = lastRegime;
  if (l && l.policy === policy && l.minutes === f.minutes && l.eff === eff) return l.out;
  const out = { ...policy, rules: onRegimeClock(policy.rules, f.minutes, eff) };
  lastRegime = { policy, minutes: f.minutes, eff, out };
  return out;
}

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
    // the adverse-selection margin and the final seconds on the conditioned σ (issue 19)
    policy: c ? regimePolicy(input.policy, f) : input.policy,
    exposure: input.exposure,
    resting: input.resting,
    revisions: input.revisions,
    // Built field by field: object spread on this per-cycle path costs more than the selection's bookkeeping.
    conditions: c ? { nowMs: input.nowMs, minutesToTarget, feedAgeMs: c.feedAgeMs, flows: c.flows, restMs: c.restMs } : undefined,
  });
  return { minutesToTarget, forecast: f, pricing, selection };
}
