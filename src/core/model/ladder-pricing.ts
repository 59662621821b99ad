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
  return { ticker: market.ticker, ok: true, region: c.region, pYes: probabilityOf(c.region, f, tick) };
}

/**
 * A market's YES region at the settlement tick, worked out once per market object: a market never changes
 * its strikes, and the ladder is priced every second (a memo of a pure function, keyed by identity).
 */
const regionOf = new WeakMap<Market, ReturnType<typeof yesRegion>>();
function settlementRegion(m: Market, tick: number): ReturnType<typeof yesRegion> {
  if (tick !== SETTLEMENT_TICK) return yesRegion(m, tick);
  let c = regionOf.get(m);
  if (!c) regionOf.set(m, (c = yesRegion(m, tick)));
  return c;
}

export function priceLadder(markets: readonly Market[], f: Forecast, tick = SETTLEMENT_TICK): MarketPricing[] {
  const out = new Array<MarketPricing>(markets.length);
  // Adjacent range bins share a cut: reuse the previous market's upper tail value (same number either way).
  let lastK = NaN;
  let lastTail = NaN;
  for (let i = 0; i < markets.length; i++) {
    const m = markets[i]!;
    const c = settlementRegion(m, tick);
    if (!c.ok) {
      out[i] = { ticker: m.ticker, ok: false, reason: c.reason };
      continue;
    }
    const { lo, hi } = c.region;
    let upper = 1;
    if (lo !== null) {
      if (lo !== lastK) {
        lastK = lo;
        lastTail = tailAtTick(f, lo, tick);
      }
      upper = lastTail;
    }
    let beyond = 0;
    if (hi !== null) {
      if (hi !== lastK) {
        lastK = hi;
        lastTail = tailAtTick(f, hi, tick);
      }
      beyond = lastTail;
    }
    const p = upper - beyond;
    out[i] = { ticker: m.ticker, ok: true, region: c.region, pYes: p < 0 ? 0 : p > 1 ? 1 : p };
  }
  return out;
}
