/**
 * ΔEV parity (SPEC §7.5 ev_gap): the same market priced off each index feed's latest value. The EV of a maker
 * quote is p − price − fee (or its mirror), so the feeds move it by their gap in p; kept per market as a
 * running max and mean over the quotes placed.
 */
import type { Market } from '../core/market.ts';
import type { ModelSpec } from '../core/model/forecast.ts';
import { forecast } from '../core/model/forecast.ts';
import { priceMarket } from '../core/model/ladder-pricing.ts';
import type { FeedName } from '../core/feed/feed-name.ts';

export interface EvGap {
  /** Largest |EV(polygon) − EV(massive)| over the market's quotes, cents. */
  maxCents: number;
  meanCents: number;
  n: number;
}

/** Adds one quote's gap to `gaps[m.ticker]`, given each feed's value (nothing when fewer than two feeds have one). */
export function noteEvGap(gaps: Record<string, EvGap>, m: Market, model: ModelSpec, perFeed: Partial<Record<FeedName, number>> | undefined, minutes: number): void {
  if (!perFeed) return;
  const values = (['polygon', 'massive'] as FeedName[]).map((f) => perFeed[f]).filter((v): v is number => v !== undefined);
  if (values.length < 2) return;
  const ps = values.map((v) => {
    const p = priceMarket(m, forecast(v, minutes, model));
    return p.ok ? p.pYes : undefined;
  });
  if (ps[0] === undefined || ps[1] === undefined) return;
  const gapCents = Math.abs(ps[0] - ps[1]) * 100;
  const g = (gaps[m.ticker] ??= { maxCents: 0, meanCents: 0, n: 0 });
  g.n++;
  g.meanCents += (gapCents - g.meanCents) / g.n;
  g.maxCents = Math.max(g.maxCents, gapCents);
}
