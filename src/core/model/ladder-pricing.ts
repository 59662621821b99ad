/**
 * P(YES) for every market of a ladder from one forecast (SPEC §5.2). Each market is priced from its own
 * condition; range bins are never treated as thresholds. Because adjacent markets share the same integer
 * cut (conditions.ts) and the tail function is deterministic, a partition's probabilities telescope to 1.
 */
import type { Market } from '../market.ts';
import { SETTLEMENT_TICK, yesRegion, type YesRegion } from './conditions.ts';
import { survival, type Forecast } from './forecast.ts';

export interface PricedMarket {
  ticker: string;
  ok: true;
  label: string;
  region: YesRegion;
  pYes: number;
}

export interface SkippedMarket {
  ticker: string;
  ok: false;
  reason: string;
}

export type MarketPricing = PricedMarket | SkippedMarket;

/** P(V ≥ k·tick) = P(S > (k − ½)·tick). */
const tailAtTick = (f: Forecast, k: number, tick: number): number => survival(f, (k - 0.5) * tick);

export function probabilityOf(region: YesRegion, f: Forecast, tick = SETTLEMENT_TICK): number {
  const upper = region.lo === null ? 1 : tailAtTick(f, region.lo, tick);
  const beyond = region.hi === null ? 0 : tailAtTick(f, region.hi, tick);
  const p = upper - beyond;
  return p < 0 ? 0 : p > 1 ? 1 : p;
}

export function priceMarket(market: Market, f: Forecast, tick = SETTLEMENT_TICK): MarketPricing {
  const c = yesRegion(market, tick);
  if (!c.ok) return { ticker: market.ticker, ok: false, reason: c.reason };
  return { ticker: market.ticker, ok: true, label: c.label, region: c.region, pYes: probabilityOf(c.region, f, tick) };
}

export function priceLadder(markets: readonly Market[], f: Forecast, tick = SETTLEMENT_TICK): MarketPricing[] {
  const out = new Array<MarketPricing>(markets.length);
  for (let i = 0; i < markets.length; i++) out[i] = priceMarket(markets[i]!, f, tick);
  return out;
}
