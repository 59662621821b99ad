/**
 * A market's order book kept from the websocket: a snapshot, then signed size deltas. Both sides are
 * bids; the NO side is kept in NO-leg prices (the domain convention). Not trusted until synced.
 */
import type { OrderBook } from '../../core/market.ts';
import type { CentiContracts, Pips } from '../../core/units.ts';

export class LocalBook {
  private yes = new Map<Pips, CentiContracts>();
  private no = new Map<Pips, CentiContracts>();
  private synced = false;
  private tsMs = 0;

  constructor(readonly ticker: string) {}

  get isSynced(): boolean {
    return this.synced;
  }

  applySnapshot(yes: [Pips, CentiContracts][], noLeg: [Pips, CentiContracts][], tsMs: number): void {
    this.yes = new Map(yes.filter(([, s]) => s > 0));
    this.no = new Map(noLeg.filter(([, s]) => s > 0));
    this.synced = true;
    this.tsMs = tsMs;
  }

  /** Applies a signed change; false (and the book unsynced) if it would drive a level negative. */
  applyDelta(side: 'yes' | 'no', price: Pips, delta: CentiContracts, tsMs: number): boolean {
    if (!this.synced) return false;
    const levels = side === 'yes' ? this.yes : this.no;
    const size = (levels.get(price) ?? 0) + delta;
    if (size < 0) {
      this.invalidate();
      return false;
    }
    if (size === 0) levels.delete(price);
    else levels.set(price, size);
    this.tsMs = tsMs;
    return true;
  }

  invalidate(): void {
    this.synced = false;
  }

  /** Best-first domain book (highest bid first on each side). */
  toOrderBook(): OrderBook {
    return { ticker: this.ticker, yesBids: desc(this.yes), noBids: desc(this.no), tsMs: this.tsMs };
  }
}

/**
 * A side's levels, highest price first. Made on every book update (a replayed day makes ~100k): a handful
 * of levels, each inserted in place as the map yields it — no entries array, no sort callback.
 */
function desc(m: Map<Pips, CentiContracts>): { price: Pips; size: CentiContracts }[] {
  const out: { price: Pips; size: CentiContracts }[] = [];
  for (const [price, size] of m) {
    const level = { price, size };
    let j = out.length;
    out.push(level);
    // prices are the map's keys: distinct, so the order is the same as a sort's
    while (j > 0 && out[j - 1]!.price < price) {
      out[j] = out[j - 1]!;
      j--;
    }
    out[j] = level;
  }
  return out;
}
