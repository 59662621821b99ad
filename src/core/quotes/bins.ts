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
 * left in place) or fresh, with its rank and the EV bar it is admitted against. Five numbers per candidate
 * in one array (no object per candidate): its slot (4 × market index + 2 × kept + side; negative, −1 − slot,
 * once admitted or refused), price, rank, bar, and its place in the tie order (2 × its market's place in
 * ticker order + side: ties in rank go by ticker, then side, 'buy' < 'sell').
 */
export class Candidates {
  count = 0;
  private placesOf: Int32Array | undefined;

  /**
   * `v`: where the numbers go, from index 0 (a ladder's array, reused by each of its selections: candidates
   * live only while one selection admits them); `places`: each market's place in ticker order (equal
   * tickers, equal places), asked for on the first add.
   */
  constructor(
    readonly v: number[],
    private readonly places: () => Int32Array,
  ) {}

  add(mi: number, k: SideIndex, kept: boolean, price: Pips, rank: number, bar: number): void {
    const places = (this.placesOf ??= this.places());
    const v = this.v;
    const at = 5 * this.count++;
    v[at] = 4 * mi + (kept ? 2 : 0) + k;
    v[at + 1] = price;
    v[at + 2] = rank;
    v[at + 3] = bar;
    v[at + 4] = 2 * places[mi]! + k;
  }

  private slot(i: number): number {
    const s = this.v[5 * i]!;
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
    return this.v[5 * i + 1]!;
  }
  rank(i: number): number {
    return this.v[5 * i + 2]!;
  }
  bar(i: number): number {
    return this.v[5 * i + 3]!;
  }
  done(i: number): boolean {
    return this.v[5 * i]! < 0;
  }
  setDone(i: number): void {
    const s = this.v[5 * i]!;
    if (s >= 0) this.v[5 * i] = -1 - s;
  }
}

/** Which markets hold quotes or exposure this window, by market index (grown by admission). */
export interface Bins {
  readonly size: number;
  has(mi: number): boolean;
}

/**
 * Admits `c` best first (see the header) through `admit`; a candidate of a market outside full bins is
 * refused for that reason, which goes unsaid (the evaluations infer it).
 */
export function admitBestFirst(c: Candidates, bins: Bins, maxBins: number, admit: (i: number) => void): void {
  const v = c.v;
  const n = c.count;
  let left = n;
  while (left > 0 && bins.size < maxBins) {
    // The best remaining: highest rank, ties by the tie order (see Candidates).
    let best = -1;
    let bestRank = 0;
    let bestOrder = 0;
    for (let j = 0; j < n; j++) {
      if (v[5 * j]! < 0) continue;
      const r = v[5 * j + 2]!;
      if (best < 0 || r > bestRank || (r === bestRank && v[5 * j + 4]! < bestOrder)) {
        best = j;
        bestRank = r;
        bestOrder = v[5 * j + 4]!;
      }
    }
    c.setDone(best);
    left--;
    admit(best);
  }
  if (left === 0) return;
  const rest: number[] = [];
  for (let j = 0; j < n; j++) if (v[5 * j]! >= 0 && bins.has(c.mi(j))) rest.push(j);
  if (rest.length > 1) rest.sort((a, b) => v[5 * b + 2]! - v[5 * a + 2]! || v[5 * a + 4]! - v[5 * b + 4]!);
  for (const j of rest) admit(j);
}

/**
 * Each market's place in ticker order (equal tickers, equal places), for the ties in rank and the bins:
 * comparing long tickers that share their first twenty characters cost more than the rest of admission.
 */
export function tickerPlaces(markets: readonly Market[]): Int32Array {
  const tickers = markets.map((m) => m.ticker);
  const byTicker = tickers.map((_, i) => i).sort((a, b) => (tickers[a]! < tickers[b]! ? -1 : tickers[a]! > tickers[b]! ? 1 : 0));
  const places = new Int32Array(tickers.length);
  for (let j = 1; j < byTicker.length; j++) places[byTicker[j]!] = places[byTicker[j - 1]!]! + (tickers[byTicker[j]!] === tickers[byTicker[j - 1]!] ? 0 : 1);
  return places;
}
