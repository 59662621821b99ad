/**
 * Selection keeps what each market's book decides from one call to the next (src/core/quotes/market-plan.ts:
 * plans per ladder, the ticker index and places, the client_order_id memos). Those memos must never change
 * a selection: over seeded random sequences of refreshes of one ladder — the model moving, some books
 * replaced, our quotes resting and going, the fee schedule, the quote size and the clock changing, markets
 * leaving the ladder (the engine passes a new array of the same Market objects every cycle) — every
 * selection (quotes and every evaluation) equals the selection of a deep copy of its inputs, which no memo
 * has seen.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { FeeSchedule, Market, OrderBook, PriceRange } from '../../src/core/market.ts';
import type { MarketPricing } from '../../src/core/model/ladder-pricing.ts';
import { quotePolicy, selectQuotes, type QuotePolicy, type RestingQuote, type SelectInput, type Selection } from '../../src/core/quotes/index.ts';
import { defaultIndexOps } from '../../src/config/index-ops.ts';

const GRIDS: PriceRange[][] = [
  [{ start: 100, end: 9900, step: 100 }],
  [{ start: 1, end: 9999, step: 1 }],
  [{ start: 100, end: 1000, step: 100 }, { start: 1000, end: 9000, step: 500 }, { start: 9000, end: 9900, step: 100 }],
  [{ start: 500, end: 9500, step: 250 }],
];
const price = fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 1, max: 99 }).map((c) => c * 100) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 9999 }) });
const levels = fc.array(fc.record({ price, size: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 3000 }) }, { weight: 1, arbitrary: fc.constant(0) }) }), { maxLength: 3 }).map((ls) => [...ls].sort((a, b) => b.price - a.price));
const bookSpec = fc.option(fc.record({ yesBids: levels, noBids: levels, ageMs: fc.constantFrom(0, 400, 20_000, 90_000) }), { freq: 8 });
const pYes = fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 1, 0.5, 0.05, 0.95));

const marketSpec = fc.record({
  grid: fc.constantFrom(...GRIDS),
  status: fc.oneof({ weight: 9, arbitrary: fc.constant('active' as const) }, { weight: 1, arbitrary: fc.constant('closed' as const) }),
  book: bookSpec,
  p: pYes,
});

const FEES: FeeSchedule[] = [
  { feeType: 'quadratic_with_maker_fees', multiplier: 1 },
  { feeType: 'quadratic', multiplier: 1 },
  { feeType: 'quadratic_with_combo_maker_fees', multiplier: 0.5 },
  { feeType: 'flat', multiplier: 1 },
];

/** One refresh after the first: what changes before it. */
const step = fc.record({
  jitter: fc.array(fc.double({ min: -0.03, max: 0.03, noNaN: true }), { minLength: 40, maxLength: 40 }),
  newBooks: fc.array(fc.record({ at: fc.nat(39), book: bookSpec }), { maxLength: 4 }),
  rest: fc.constantFrom('previous' as const, 'none' as const, 'previous' as const, 'atBest' as const),
  restSize: fc.constantFrom(100, 200),
  fees: fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.nat(FEES.length - 1) }),
  contracts: fc.oneof({ weight: 6, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.constantFrom(2, 3) }),
  drop: fc.option(fc.nat(39), { freq: 4 }),
  advanceMs: fc.constantFrom(0, 1_000, 30_000),
  conditions: fc.boolean(),
  windowId: fc.constantFrom('2026-11-20/hourly-1000', '2026-11-20/hourly-1000', '2026-11-20/hourly-1100'),
});

const CLOSE = Date.UTC(2026, 10, 20, 15);

function book(ticker: string, spec: { yesBids: { price: number; size: number }[]; noBids: { price: number; size: number }[]; ageMs: number } | null, nowMs: number): OrderBook | undefined {
  return spec ? { ticker, yesBids: spec.yesBids.map((l) => ({ ...l })), noBids: spec.noBids.map((l) => ({ ...l })), tsMs: nowMs - spec.ageMs } : undefined;
}

/** The same inputs, every object new (no memo has seen any of them). */
function deepCopy(input: SelectInput): SelectInput {
  return {
    ...input,
    markets: input.markets.map((m) => ({ ...m, priceRanges: m.priceRanges.map((r) => ({ ...r })) })),
    pricing: input.pricing.map((p) => ({ ...p })),
    books: new Map([...input.books].map(([t, b]) => [t, { ...b, yesBids: b.yesBids.map((l) => ({ ...l })), noBids: b.noBids.map((l) => ({ ...l })) }])),
    ...(input.resting ? { resting: input.resting.map((r) => ({ ...r })) } : {}),
    fees: { ...input.fees },
  };
}

/** A selection as data (its evaluations read). */
const plain = (s: Selection) => ({ quotes: s.quotes, evaluations: s.evaluations });

test('selection with its plans and memos kept equals selection on fresh objects, refresh after refresh', () => {
  const base = quotePolicy(defaultIndexOps());
  // A book-age margin and the final seconds that apply (the plan keeps the book's time).
  const rules = { ...base.rules!, bookAgeGraceMs: 15_000, bookAgePipsPerS: 10, finalNoNewQuoteMs: 5_000 };
  const stats = { selections: 0, quotes: 0, kept: 0, reused: 0 };
  fc.assert(
    fc.property(fc.array(marketSpec, { minLength: 1, maxLength: 40 }), fc.array(step, { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 4 }), (specs, steps, maxBins) => {
      let nowMs = CLOSE - 10 * 60_000;
      const all: Market[] = specs.map((s, i) => ({
        ticker: `KXINXU-26NOV20H1000-T${6700 + 5 * ((i * 17) % 41)}`,
        eventTicker: 'KXINXU-26NOV20H1000',
        series: 'INXU',
        strikeType: 'greater_or_equal',
        floorStrike: 6700 + i,
        openTimeMs: 0,
        closeTimeMs: CLOSE,
        status: s.status,
        priceRanges: s.grid,
      }));
      const books = new Map<string, OrderBook>();
      all.forEach((m, i) => {
        const b = book(m.ticker, specs[i]!.book, nowMs);
        if (b) books.set(m.ticker, b);
      });
      const p = specs.map((s) => s.p);
      let markets: Market[] = all;
      let resting: RestingQuote[] = [];
      let policy: QuotePolicy = { ...base, rules, maxBinsPerSeries: maxBins };
      let fees = FEES[0]!;
      let windowId = '2026-11-20/hourly-1000';
      let conditions = true;
      for (let round = 0; round <= steps.length; round++) {
        const st = round > 0 ? steps[round - 1]! : undefined;
        if (st) {
          nowMs += st.advanceMs;
          st.jitter.forEach((d, i) => {
            if (i < p.length) p[i] = Math.min(1, Math.max(0, p[i]! + d));
          });
          for (const nb of st.newBooks) {
            const m = all[nb.at % all.length]!;
            const b = book(m.ticker, nb.book, nowMs);
            if (b) books.set(m.ticker, b);
            else books.delete(m.ticker);
          }
          if (st.fees > 0) fees = FEES[st.fees]!;
          policy = { ...policy, contracts: st.contracts };
          if (st.drop !== null) markets = markets.filter((_, i) => i !== st.drop! % markets.length);
          else markets = [...markets]; // a new array of the same markets, as the engine passes
          conditions = st.conditions;
          windowId = st.windowId;
        }
        if (markets.length === 0) break;
        const pricing: MarketPricing[] = markets.map((m) => ({ ticker: m.ticker, ok: true, region: { lo: 0, hi: null }, pYes: p[all.indexOf(m)]! }));
        // The engine's map: in the ladder's order, only the markets with a book.
        const inOrder = new Map<string, OrderBook>();
        for (const m of markets) if (books.has(m.ticker)) inOrder.set(m.ticker, books.get(m.ticker)!);
        const input: SelectInput = {
          windowId,
          markets,
          pricing,
          books: round % 2 ? books : inOrder,
          fees,
          policy,
          exposure: { lossBudgetPips: 500_000 },
          ...(resting.length ? { resting } : {}),
          ...(conditions ? { conditions: { nowMs, minutesToTarget: (CLOSE - nowMs) / 60_000, feedAgeMs: 150 } } : {}),
        };
        const fresh = selectQuotes(deepCopy(input));
        const kept = selectQuotes(input);
        assert.deepStrictEqual(plain(kept), plain(fresh), `round ${round}`);
        // Asked twice (every plan now reused), the same again.
        assert.deepStrictEqual(plain(selectQuotes(input)), plain(fresh), `round ${round}, again`);
        stats.selections++;
        stats.quotes += kept.quotes.length;
        stats.kept += kept.quotes.filter((q) => q.kept).length;
        if (st && st.rest !== 'none' && resting.length) stats.reused++;
        const next = steps[round];
        resting =
          next?.rest === 'none'
            ? []
            : kept.quotes.map((q): RestingQuote => {
                // 'atBest': our order moved to the best level of its side of the unchanged book (it is in that
                // level's size, which the top of book must take out), with another size.
                const b = books.get(q.marketTicker);
                const best = q.side === 'buy' ? b?.yesBids[0]?.price : b?.noBids[0] ? 10_000 - b.noBids[0].price : undefined;
                const at = next?.rest === 'atBest' && best !== undefined;
                return { marketTicker: q.marketTicker, side: q.side, price: at ? best : q.price, size: at ? next.restSize : q.size, clientOrderId: q.clientOrderId, revision: q.revision, placedMs: nowMs };
              });
      }
    }),
    { numRuns: 400, seed: 20_020 },
  );
  // Not vacuous: quotes were made, some kept across refreshes.
  assert.ok(stats.quotes > 300 && stats.kept > 50 && stats.reused > 50, JSON.stringify(stats));
});
