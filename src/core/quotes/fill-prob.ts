/**
 * Fill probability of a maker quote (the ledger's `fill_prob`, SPEC §7.1; issue 11): from the queue ahead of
 * it and the market's recent trade flow. Pure.
 *
 * - `TradeTape` keeps each market's trades of the last `windowMs` (fed by the engine from the venue stream):
 *   per side, trades per second and their mean size. The `bid` side is the flow that hits bids (takers
 *   selling YES: it fills our buys), `ask` the flow that lifts asks (fills our sells). Before a full window
 *   has been observed the rate is over the time observed (at least one minute).
 * - `fillProbability`: trades on our side arrive as a Poisson process of that rate over the horizon (the time
 *   the quote may rest: to the freeze, capped); each takes the mean size; the quote is (at least partly)
 *   filled once the volume reaching its price exceeds the queue ahead of it, i.e. after n = ⌊Q / s̄⌋ + 1
 *   trades: P = P(Poisson(λ·H) ≥ n). A quote improving the best price has Q = 0; one joining a level has
 *   the displayed size there; a resting one at most what was ahead of it when it was placed.
 * A market with no trade seen in the window has rate 0 and P = 0; with no tape at all the estimate is
 * unknown (the ledger keeps `fill_prob: null`).
 */
import type { Trade } from '../market.ts';
import type { CentiContracts } from '../units.ts';
import type { YesSide } from '../orders.ts';

export interface SideFlow {
  tradesPerS: number;
  /** Mean trade size, centi-contracts (0 when no trade). */
  meanSize: number;
}

export interface MarketFlow {
  /** Trades hitting bids (they fill our buys). */
  bid: SideFlow;
  /** Trades lifting asks (they fill our sells). */
  ask: SideFlow;
}

/** Each market's recent flow by ticker (a Map serves; `TradeTape.flowsAt` works one out when asked). */
export interface FlowLookup {
  get(ticker: string): MarketFlow | undefined;
}

const MIN_SPAN_MS = 60_000;

export class TradeTape {
  private readonly trades = new Map<string, { ts: number; size: number; hitsBid: boolean }[]>();
  /** The latest instant a flow was asked for (the engine's clock only moves forward). */
  private askedMs = -Infinity;

  /** `startMs`: when the tape began watching (a shorter history is not a window of silence). */
  constructor(
    readonly windowMs: number,
    private readonly startMs: number,
  ) {}

  add(t: Pick<Trade, 'ticker' | 'size' | 'takerSide' | 'tsMs'>): void {
    let list = this.trades.get(t.ticker);
    if (!list) this.trades.set(t.ticker, (list = []));
    // takerSide 'no' = the taker sold YES into the bids.
    list.push({ ts: t.tsMs, size: t.size, hitsBid: t.takerSide === 'no' });
    // A market whose flow is never asked for (no quote admitted there) still forgets what no later flow
    // counts: trades before the window of the latest instant asked (flows are asked at later instants only).
    const from = this.askedMs - this.windowMs;
    if (list[0]!.ts < from) {
      let drop = 1;
      while (drop < list.length && list[drop]!.ts < from) drop++;
      list.splice(0, drop);
    }
  }

  /** Recent flow of a market (zero rates when none traded in the window). */
  flow(ticker: string, nowMs: number): MarketFlow {
    if (nowMs > this.askedMs) this.askedMs = nowMs;
    const from = nowMs - this.windowMs;
    const list = this.trades.get(ticker);
    if (list) {
      let drop = 0;
      while (drop < list.length && list[drop]!.ts < from) drop++;
      if (drop) list.splice(0, drop);
    }
    const span = Math.max(MIN_SPAN_MS, Math.min(this.windowMs, nowMs - this.startMs)) / 1000;
    const side = (hitsBid: boolean): SideFlow => {
      let n = 0;
      let vol = 0;
      for (const x of list ?? []) if (x.hitsBid === hitsBid && x.ts <= nowMs) {
        n++;
        vol += x.size;
      }
      return { tradesPerS: n / span, meanSize: n ? vol / n : 0 };
    };
    return { bid: side(true), ask: side(false) };
  }

  /**
   * The flows at `nowMs` (the selection's input), each worked out when first asked for: selection reads
   * only the admitted quotes' markets, a handful of a 40-market ladder. Read within the synchronous call
   * it is made for (a trade added after it would count); `tickers`: the markets it answers for.
   */
  flowsAt(tickers: ReadonlySet<string>, nowMs: number): FlowLookup {
    if (nowMs > this.askedMs) this.askedMs = nowMs;
    let memo: Map<string, MarketFlow> | undefined;
    return {
      get: (ticker) => {
        if (!tickers.has(ticker)) return undefined;
        let f = memo?.get(ticker);
        if (!f) (memo ??= new Map()).set(ticker, (f = this.flow(ticker, nowMs)));
        return f;
      },
    };
  }
}

/** P(Poisson(mu) ≥ n). */
function poissonAtLeast(mu: number, n: number): number {
  if (n <= 0) return 1;
  if (mu <= 0) return 0;
  let term = Math.exp(-mu);
  let cdf = term;
  for (let k = 1; k < n; k++) {
    term *= mu / k;
    cdf += term;
  }
  return Math.min(1, Math.max(0, 1 - cdf));
}

/** Probability that a quote with `queueAhead` ahead of it is (at least partly) filled within `horizonMs`. */
export function fillProbability(side: YesSide, queueAhead: CentiContracts, flow: MarketFlow, horizonMs: number): number {
  const f = side === 'buy' ? flow.bid : flow.ask;
  if (horizonMs <= 0 || f.tradesPerS <= 0 || f.meanSize <= 0) return 0;
  const n = Math.floor(Math.max(0, queueAhead) / f.meanSize) + 1;
  return poissonAtLeast((f.tradesPerS * horizonMs) / 1000, n);
}
