/**
 * Refresh diff (SPEC §5.5): resting orders vs the desired quote set → the minimal actions. Slots are
 * (market, side). Identical quotes (same client_order_id, price and size) produce nothing, so repeated
 * refreshes never churn; a price or size change is a `replace` (cancel + place under a new revision id);
 * extra orders in one slot are cancelled. Cancels come first so freed risk is never double-counted.
 */
import type { Quote, RestingQuote } from './select.ts';
import { slotKey } from './select.ts';

export type RefreshAction =
  | { kind: 'cancel'; order: RestingQuote; reason: 'not_desired' | 'duplicate_in_slot' }
  | { kind: 'replace'; order: RestingQuote; quote: Quote }
  | { kind: 'place'; quote: Quote };

export function diffQuotes(resting: readonly RestingQuote[], desired: readonly Quote[]): RefreshAction[] {
  const bySlot = new Map<string, RestingQuote[]>();
  for (const r of resting) {
    const k = slotKey(r.marketTicker, r.side);
    const list = bySlot.get(k);
    if (list) list.push(r);
    else bySlot.set(k, [r]);
  }
  const cancels: RefreshAction[] = [];
  const replaces: RefreshAction[] = [];
  const places: RefreshAction[] = [];
  const seen = new Set<string>();
  for (const q of desired) {
    const k = slotKey(q.marketTicker, q.side);
    if (seen.has(k)) throw new Error(`diffQuotes: two desired quotes for ${k}`);
    seen.add(k);
    const list = bySlot.get(k) ?? [];
    // Prefer the resting order that already is this quote.
    const same = list.findIndex((r) => r.clientOrderId === q.clientOrderId && r.price === q.price && r.size === q.size);
    const keepIdx = same >= 0 ? same : 0;
    list.forEach((r, i) => {
      if (i !== keepIdx) cancels.push({ kind: 'cancel', order: r, reason: 'duplicate_in_slot' });
    });
    const r = list[keepIdx];
    if (!r) places.push({ kind: 'place', quote: q });
    else if (same < 0) replaces.push({ kind: 'replace', order: r, quote: q });
  }
  for (const [k, list] of bySlot) {
    if (seen.has(k)) continue;
    for (const r of list) cancels.push({ kind: 'cancel', order: r, reason: 'not_desired' });
  }
  return [...cancels, ...replaces, ...places];
}
