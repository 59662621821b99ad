/** Test builders: hand-made markets and ladders in the domain shape (no vendor data). */
import type { Market, StrikeType } from '../../src/core/market.ts';
import type { SeriesCode } from '../../src/core/series.ts';

export const CENT_GRID = [{ start: 100, end: 9900, step: 100 }];

export function market(ticker: string, strikeType: StrikeType, floorStrike?: number, capStrike?: number, extra: Partial<Market> = {}): Market {
  return {
    ticker,
    eventTicker: ticker.split('-').slice(0, 2).join('-'),
    series: (ticker.startsWith('KXINXU') ? 'INXU' : 'INX') as SeriesCode,
    strikeType,
    ...(floorStrike !== undefined ? { floorStrike } : {}),
    ...(capStrike !== undefined ? { capStrike } : {}),
    openTimeMs: 0,
    closeTimeMs: Date.UTC(2026, 10, 20, 21, 0),
    status: 'active',
    priceRanges: CENT_GRID,
    ...extra,
  };
}

/**
 * A KXINX-style range ladder: `n` bins of `width` starting at `low`, plus both tails, spelled the way the
 * exchange does ("6675 to 6699.9999", "6474.9999 or below", "7175 or above"). `spelling` picks x.9999 or x.99.
 */
export function rangeLadder(low: number, width: number, n: number, spelling: '9999' | '99' = '9999'): Market[] {
  const below = spelling === '9999' ? 0.0001 : 0.01;
  const ev = 'KXINX-26NOV20H1600';
  const out: Market[] = [market(`${ev}-T${low - below}`, 'less_or_equal', undefined, low - below)];
  for (let i = 0; i < n; i++) {
    const f = low + i * width;
    out.push(market(`${ev}-B${f + width / 2}`, 'between', f, f + width - below));
  }
  out.push(market(`${ev}-T${low + n * width}`, 'greater_or_equal', low + n * width));
  return out;
}

/** A KXINXU-style threshold ladder of `greater_or_equal` strikes. */
export function thresholdLadder(low: number, step: number, n: number, strikeType: StrikeType = 'greater_or_equal'): Market[] {
  const ev = 'KXINXU-26NOV20H1000';
  return Array.from({ length: n }, (_, i) => market(`${ev}-T${low + i * step}`, strikeType, low + i * step));
}

/**
 * Independent normal CDF for checks: erf by its Maclaurin series for |x| ≤ 3, by its continued fraction
 * for the tail (a different method from the Hart approximation under test).
 */
export function refNormalCdf(z: number): number {
  const x = z / Math.SQRT2;
  return 0.5 * (1 + refErf(x));
}

export function refErf(x: number): number {
  const ax = Math.abs(x);
  let r: number;
  if (ax <= 3) {
    let term = ax;
    let sum = ax;
    for (let n = 1; n < 200; n++) {
      term *= (-ax * ax) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-18) break;
    }
    r = (2 / Math.sqrt(Math.PI)) * sum;
  } else {
    // erfc(x) = exp(-x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …)))))
    let f = ax;
    for (let k = 60; k >= 1; k--) f = ax + k / 2 / f;
    r = 1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  }
  return x < 0 ? -r : r;
}
