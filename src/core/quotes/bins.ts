/**
 * Bin choice (SPEC §5.5): candidates are admitted in rank order — EV, plus `bin_keep_usd` for a kept quote
 * when rules apply (bin hysteresis), then ticker, then side: a total order, so selection is deterministic —
 * and at most `max_bins_per_series` markets hold quotes (markets already holding exposure this window count).
 *
 * No full sort is needed: while bins are free, take the best remaining candidate; once the bins are taken
 * they are final (only a market already in can be admitted, and that adds no bin), so every remaining
 * candidate of another market is refused for that reason whatever its rank, and only the few of the chosen
 * markets are ranked. The same outcome as ranking all of them, for a fraction of the work on a long ladder.
 */
import type { Market } from '../market.ts';
import type { Pips } from '../units.ts';

export const MAX_BINS = 'max_bins_per_series';

/** 0 for the buy side, 1 for the sell side. */
export type SideIndex = 0 | 1;

/**
 * The candidates of one selection in the order found: a side of a market at a price, kept (a resting order
 * left in place) or fresh, with its rank and the EV bar it is admitted against. Four numbers per candidate
 * in one array (no object per candidate): its slot (4 × market index + 2 × kept + side; negative, −1 − slot,
 * once admitted or refused), price, rank and bar.
 */
export class Candidates {
  // Grown by push: a ladder's candidates are usually far fewer than its two sides per market, and a
  // pre-sized holey array costs more to allocate than the pushes.
  readonly v: number[] = [];
  count = 0;

  add(mi: number, k: SideIndex, kept: boolean, price: Pips, rank: number, bar: number): void {
    this.count++;
    this.v.push(4 * mi + (kept ? 2 : 0) + k, price, rank, bar);
  }

  private slot(i: number): number {
    const s = this.v[4 * i]!;
    return s < 0 ? -1 - s : s;
  }
  mi(i: number): number {
    return this.slot(i) >> 2;
  }
  side(i: number): SideIndex {
    return (this.slot(i) & 1) as SideIndex;
  }
  kept(i: number): boolean {
    return (this.slot(i) & 2) !== 0;
  }
  price(i: number): Pips {
    return this.v[4 * i + 1]!;
  }
  rank(i: number): number {
    return this.v[4 * i + 2]!;
  }
  bar(i: number): number {
    return this.v[4 * i + 3]!;
  }
  done(i: number): boolean {
    return this.v[4 * i]! < 0;
  }
  setDone(i: number): void {
    const s = this.v[4 * i]!;
    if (s >= 0) this.v[4 * i] = -1 - s;
  }
}

/** Which markets hold quotes or exposure this window, by ticker (grown by admission). */
export interface Bins {
  readonly size: number;
  has(ticker: string): boolean;
}

/**
 * Admits `c` best first (see the header) through `admit`; a candidate of a market outside full bins is
 * refused for that reason, which goes unsaid (the evaluations infer it).
 */
export function admitBestFirst(c: Candidates, markets: readonly Market[], bins: Bins, maxBins: number, admit: (i: number) => void): void {
  const v = c.v;
  const n = c.count;
  // Ties in rank (frequent: markets far from the money share one EV) go by ticker, then side ('buy' < 'sell').
  let places: Int32Array | undefined;
  const before = (a: number, b: number): boolean => {
    places ??= tickerPlaces(markets);
    const pa = places[c.mi(a)]!;
    const pb = places[c.mi(b)]!;
    return pa < pb || (pa === pb && c.side(a) < c.side(b));
  };
  let left = n;
  while (left > 0 && bins.size < maxBins) {
    let best = -1;
    let bestRank = 0;
    for (let j = 0; j < n; j++) {
      if (v[4 * j]! < 0) continue;
      const r = v[4 * j + 2]!;
      if (best < 0 || r > bestRank || (r === bestRank && before(j, best))) {
        best = j;
        bestRank = r;
      }
    }
    c.setDone(best);
    left--;
    admit(best);
  }
  if (left === 0) return;
  const rest: number[] = [];
  for (let j = 0; j < n; j++) if (v[4 * j]! >= 0 && bins.has(markets[c.mi(j)]!.ticker)) rest.push(j);
  if (rest.length > 1) {
    const order = (a: number, b: number): number => c.rank(b) - c.rank(a) || (before(a, b) ? -1 : before(b, a) ? 1 : 0);
    rest.sort(order);
  }
  for (const j of rest) admit(j);
}

/**
 * Each market's place in ticker order (equal tickers, equal places), for the ties in rank: comparing long
 * tickers that share their first twenty characters cost more than the rest of admission. Worked out once per
 * ladder — an event's markets array is the same object from one refresh to the next — and checked against
 * the tickers on every use (an array changed in place is ordered again). A memo of a pure function.
 */
const placesOf = new WeakMap<readonly Market[], { tickers: string[]; places: Int32Array }>();
function tickerPlaces(markets: readonly Market[]): Int32Array {
  const memo = placesOf.get(markets);
  if (memo && memo.tickers.length === markets.length && memo.tickers.every((t, i) => markets[i]!.ticker === t)) return memo.places;
  const tickers = markets.map((m) => m.ticker);
  const byTicker = tickers.map((_, i) => i).sort((a, b) => (tickers[a]! < tickers[b]! ? -1 : tickers[a]! > tickers[b]! ? 1 : 0));
  const places = new Int32Array(tickers.length);
  for (let j = 1; j < byTicker.length; j++) places[byTicker[j]!] = places[byTicker[j - 1]!]! + (tickers[byTicker[j]!] === tickers[byTicker[j - 1]!] ? 0 : 1);
  placesOf.set(markets, { tickers, places });
  return places;
}
