/**
 * The per-market account of a selection (`Selection.evaluations`: top of book, P(YES), each side's price,
 * EV, fee and why it is not quoted). The engine reads only the quotes, on every refresh; `price` and the
 * tests read the evaluations. So selection records nothing per market while it runs: the first read of
 * `evaluations` goes over the same markets again, with the same code (select.ts, in its reporting mode),
 * against the very book snapshots selection saw, and adds what admission decided: a candidate that was
 * neither quoted nor refused for a reason of its own lost to `max_bins_per_series` (the only reason
 * admission gives without recording it, the most frequent one). OrderBook, Market,
 * pricing and resting-order objects are never changed once made (books are replaced, not edited), so a
 * later change to the caller's map of books changes nothing here.
 *
 * `evaluations` is an enumerable getter on a plain object (so the selection compares, spreads, clones and
 * serialises as the plain `{ quotes, evaluations }` it is); `util.inspect` shows it as [Getter].
 */
import { makerEvPips, orderFeePips, type FeeRule } from '../fees.ts';
import type { CentiContracts } from '../units.ts';
import type { YesSide } from '../orders.ts';
import { topOfScan, type TopOfBook, type TopScan } from './top-of-book.ts';
import type { PricedSide } from './ev-bar.ts';
import { MAX_BINS, type SideIndex } from './bins.ts';
import type { MarketEvaluation, Quote, Selection, SideEvaluation } from './types.ts';

export const sideName = (k: SideIndex): YesSide => (k === 0 ? 'buy' : 'sell');

const topOf = topOfScan;

/** The evaluations of one selection, built market by market in its reporting mode. */
export class EvaluationReport {
  readonly out: MarketEvaluation[];
  private readonly sides: SideEvaluation[] = [];

  /** `outcomes`: what admission made of a candidate, by slot (undefined: quoted); absent: lost to the bins. */
  constructor(
    n: number,
    private readonly rule: FeeRule | undefined,
    private readonly size: CentiContracts,
    private readonly outcomes: ReadonlyMap<number, string | undefined>,
  ) {
    this.out = new Array(n);
  }

  /** Market `mi`, not evaluated for `skip` (`p`: its P(YES), when it has one). */
  skipped(mi: number, ticker: string, top: TopScan, p: number | undefined, skip: string): void {
    const ev: MarketEvaluation = { ticker, top: topOf(top), buy: { reason: skip }, sell: { reason: skip } };
    if (p !== undefined) ev.pYes = p;
    ev.skipped = skip;
    this.out[mi] = ev;
  }

  /**
   * Side `k` of market `mi`: its outcome; a priced side with its fee and EV at the quote size (as selection
   * priced it). A candidate's reason is admission's (`outcomes`: quoted or refused, by slot 2·mi + k).
   */
  side(mi: number, k: SideIndex, p: number, s: PricedSide, candidate: boolean): void {
    let reason = s.reason;
    if (candidate) {
      const slot = 2 * mi + k;
      reason = this.outcomes.has(slot) ? this.outcomes.get(slot) : MAX_BINS;
    }
    let e: SideEvaluation;
    if (!s.priced) e = { reason };
    else {
      const price = s.price;
      const feePips = orderFeePips(this.rule!, price, this.size);
      const evPips = makerEvPips(sideName(k), p, price, feePips, this.size);
      e = reason === undefined ? { price, evPips, feePips } : { price, evPips, feePips, reason };
    }
    this.sides[k] = e;
  }

  /** Market `mi`, once both its sides are in. */
  market(mi: number, ticker: string, top: TopScan, p: number): void {
    this.out[mi] = { ticker, top: topOf(top), buy: this.sides[0]!, sell: this.sides[1]!, pYes: p };
  }

}

/** What a selection keeps to work out its evaluations when they are first read. */
export interface EvaluationSource {
  evaluations(): MarketEvaluation[];
}

// The selection object: `quotes`, and `evaluations` through one shared getter (a getter made per selection
// would give every selection object a shape of its own, and cost more than the whole selection). The getter
// finds its source in a private field stamped on the plain object (invisible to keys, comparison, JSON and
// structured clone); the base class's constructor returns the object it is given, so `new WithSource(o, s)`
// adds the field to `o` itself.
class Stamp {
  constructor(o: object) {
    return o;
  }
}
class WithSource extends Stamp {
  #source: EvaluationSource;
  constructor(o: object, source: EvaluationSource) {
    super(o);
    this.#source = source;
  }
  static of(o: object): EvaluationSource {
    return (o as WithSource).#source;
  }
}
function evaluationsOf(this: object): MarketEvaluation[] {
  return WithSource.of(this).evaluations();
}
const EVALUATIONS: PropertyDescriptor = { get: evaluationsOf, enumerable: true, configurable: true };

/** The selection: its quotes, and its evaluations from `source` when first read (the same array after). */
export function selectionOf(quotes: Quote[], source: EvaluationSource): Selection {
  const s = { quotes };
  new WithSource(s, source);
  Object.defineProperty(s, 'evaluations', EVALUATIONS);
  return s as unknown as Selection;
}
