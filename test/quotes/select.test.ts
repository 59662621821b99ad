import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Market, OrderBook } from '../../src/core/market.ts';
import { feeFor } from '../../src/core/fees.ts';
import { priceLadder, type MarketPricing } from '../../src/core/model/ladder-pricing.ts';
import { forecast } from '../../src/core/model/forecast.ts';
import { DefaultCurve } from '../../src/core/model/curve.ts';
import {
  clientOrderId,
  diffQuotes,
  gridAbove,
  gridBelow,
  isOnGrid,
  quotePolicy,
  selectQuotes,
  snapDown,
  snapUp,
  topOfBook,
  worstLossPips,
  type QuotePolicy,
  type RestingQuote,
  type SelectInput,
} from '../../src/core/quotes/index.ts';
import { defaultIndexOps } from '../../src/config/index-ops.ts';
import { market, thresholdLadder } from '../model/ladders.ts';

const FEES = { feeType: 'quadratic', multiplier: 1 };
const POLICY: QuotePolicy = quotePolicy(defaultIndexOps());

function book(ticker: string, bid?: number, ask?: number, size = 1000): OrderBook {
  return {
    ticker,
    yesBids: bid !== undefined ? [{ price: bid, size }] : [],
    noBids: ask !== undefined ? [{ price: 10_000 - ask, size }] : [],
    tsMs: 0,
  };
}

const priced = (m: Market, pYes: number): MarketPricing => ({ ticker: m.ticker, ok: true, region: { lo: 0, hi: null }, pYes });

function one(pYes: number, bid?: number, ask?: number, extra: Partial<SelectInput> = {}) {
  const m = market('KXINXU-26NOV20H1000-T6800', 'greater_or_equal', 6800);
  return selectQuotes({
    windowId: '2026-11-20/hourly-1000',
    markets: [m],
    pricing: [priced(m, pYes)],
    books: new Map([[m.ticker, book(m.ticker, bid, ask)]]),
    fees: FEES,
    policy: POLICY,
    exposure: { lossBudgetPips: 500_000 },
    ...extra,
  });
}

test('policy from config defaults: $0.05 min EV, 2 bins, 1 contract, hysteresis $0.005', () => {
  // The timing rules (issue 11: margin, final seconds, churn) are checked in test/quotes/margin.test.ts.
  const { rules, ...policy } = POLICY;
  assert.ok(rules, 'the config defaults carry timing rules');
  assert.deepEqual(policy, { minEvPips: 500, evHysteresisPips: 50, maxBinsPerSeries: 2, contracts: 1, maxContractsPerMarket: 5, maxContractsPerWindow: 20 });
});

test('grid helpers over multi-band price_ranges', () => {
  const g = [
    { start: 10, end: 1000, step: 10 },
    { start: 1000, end: 9000, step: 100 },
    { start: 9000, end: 9990, step: 10 },
  ];
  assert.ok(isOnGrid(g, 990) && isOnGrid(g, 1100) && !isOnGrid(g, 1150) && !isOnGrid(g, 5));
  assert.equal(snapDown(g, 1150), 1100);
  assert.equal(snapUp(g, 1150), 1200);
  assert.equal(gridAbove(g, 1000), 1100);
  assert.equal(gridBelow(g, 1000), 990);
  assert.equal(gridAbove(g, 9990), undefined);
  assert.equal(gridBelow(g, 10), undefined);
  assert.equal(snapDown(g, 99_999), 9990);
});

test('client_order_id: deterministic, short, safe charset, sensitive to every field', () => {
  const id = clientOrderId('2026-11-20/hourly-1000', 'KXINXU-26NOV20H1000-T6800', 'buy', 5100, 0);
  assert.match(id, /^ka-[0-9a-f]{16}$/);
  assert.equal(id, clientOrderId('2026-11-20/hourly-1000', 'KXINXU-26NOV20H1000-T6800', 'buy', 5100, 0));
  const variants = [
    clientOrderId('2026-11-20/hourly-1100', 'KXINXU-26NOV20H1000-T6800', 'buy', 5100, 0),
    clientOrderId('2026-11-20/hourly-1000', 'KXINXU-26NOV20H1000-T6825', 'buy', 5100, 0),
    clientOrderId('2026-11-20/hourly-1000', 'KXINXU-26NOV20H1000-T6800', 'sell', 5100, 0),
    clientOrderId('2026-11-20/hourly-1000', 'KXINXU-26NOV20H1000-T6800', 'buy', 5200, 0),
    clientOrderId('2026-11-20/hourly-1000', 'KXINXU-26NOV20H1000-T6800', 'buy', 5100, 1),
  ];
  assert.equal(new Set([id, ...variants]).size, 6);
});

test('improve by one tick when EV allows, else join, never cross', () => {
  let s = one(0.6, 5000, 7000);
  assert.deepEqual(
    s.quotes.map((q) => [q.side, q.price, q.size]),
    [['buy', 5100, 100], ['sell', 6900, 100]],
  );
  assert.equal(s.quotes[0]!.evPips, 900);
  // improve (0.51) would clear only 0.045 < 0.05 → join the bid at 0.50
  s = one(0.555, 5000, 7000);
  assert.deepEqual(s.quotes.find((q) => q.side === 'buy')?.price, 5000);
  // one-tick spread: improving would cross → join
  s = one(0.6, 5000, 5100);
  assert.deepEqual(s.quotes.map((q) => [q.side, q.price]), [['buy', 5000]]);
  assert.equal(s.evaluations[0]!.sell.reason, 'ev_below_min');
  // empty ask side: the most aggressive ask that still clears min EV
  s = one(0.3, 1000, undefined);
  assert.equal(s.quotes.find((q) => q.side === 'sell')?.price, 3500);
  // crossed book: nothing
  s = one(0.5, 5100, 5000);
  assert.equal(s.quotes.length, 0);
  assert.equal(s.evaluations[0]!.skipped, 'book_crossed');
});

test('our own resting orders are not joined or improved upon: re-selection is stable and the diff is empty', () => {
  const first = one(0.6, 5000, 7000);
  const resting: RestingQuote[] = first.quotes.map((q) => ({ ...q }));
  // the exchange book now shows our orders at the top
  const m = market('KXINXU-26NOV20H1000-T6800', 'greater_or_equal', 6800);
  const shown: OrderBook = {
    ticker: m.ticker,
    yesBids: [{ price: 5100, size: 100 }, { price: 5000, size: 1000 }],
    noBids: [{ price: 10_000 - 6900, size: 100 }, { price: 3000, size: 1000 }],
    tsMs: 0,
  };
  for (let i = 0; i < 3; i++) {
    const again = one(0.6, undefined, undefined, { books: new Map([[m.ticker, shown]]), resting });
    assert.deepEqual(again.quotes.map((q) => [q.side, q.price, q.clientOrderId]), first.quotes.map((q) => [q.side, q.price, q.clientOrderId]));
    assert.ok(again.quotes.every((q) => q.kept));
    assert.deepEqual(diffQuotes(resting, again.quotes), []);
  }
  assert.deepEqual(topOfBook(shown, resting), { bid: 5000, bidSize: 1000, ask: 7000, askSize: 1000 });
});

test('hysteresis: a small model move around the improve/join threshold keeps the resting quote', () => {
  const first = one(0.5605, 5000, 7000); // improve 0.51 → EV 0.0505
  const buy = first.quotes.find((q) => q.side === 'buy')!;
  assert.equal(buy.price, 5100);
  const resting: RestingQuote[] = [{ ...buy }];
  const jitter = one(0.5595, 5000, 7000, { resting }); // EV 0.0495: below min, within h
  const kept = jitter.quotes.find((q) => q.side === 'buy')!;
  assert.equal(kept.price, 5100);
  assert.equal(kept.clientOrderId, buy.clientOrderId);
  // a real drop (EV 0.04 < min − h) moves it to join, under a new revision
  const moved = one(0.55, 5000, 7000, { resting }).quotes.find((q) => q.side === 'buy')!;
  assert.equal(moved.price, 5000);
  assert.equal(moved.revision, buy.revision + 1);
  assert.deepEqual(diffQuotes(resting, [moved]).map((a) => a.kind), ['replace']);
  // the book moves past us: follow it up
  const followed = one(0.7, 5200, 7000, { resting }).quotes.find((q) => q.side === 'buy')!;
  assert.equal(followed.price, 5300);
});

test('bins per series: best EV first, ties by ticker', () => {
  const ladder = thresholdLadder(6750, 25, 5);
  const probs = [0.9, 0.75, 0.52, 0.3, 0.1];
  const s = selectQuotes({
    windowId: 'w',
    markets: ladder,
    pricing: ladder.map((m, i) => priced(m, probs[i]!)),
    books: new Map(ladder.map((m) => [m.ticker, book(m.ticker, 4800, 5200)])),
    fees: FEES,
    policy: POLICY,
    exposure: { lossBudgetPips: 1_000_000 },
  });
  // EVs: buy T6750 at 0.49 → 0.41; sell T6850 at 0.51 → 0.41; buy T6775 0.26; sell T6825 0.21
  assert.deepEqual(
    s.quotes.map((q) => [q.marketTicker.split('-')[2], q.side, q.price]),
    [['T6750', 'buy', 4900], ['T6850', 'sell', 5100]],
  );
  assert.equal(s.evaluations[1]!.buy.reason, 'max_bins_per_series');
});

test('refresh diff: place, cancel, replace, duplicates, and no-op', () => {
  const q = (t: string, side: 'buy' | 'sell', price: number, size = 100, rev = 0) => ({
    marketTicker: t, side, price, size, feePips: 0, evPips: 600, evCents: 6, modelProb: 0.6, worstLossPips: price,
    clientOrderId: clientOrderId('w', t, side, price, rev), revision: rev, kept: false,
  });
  const a = q('A', 'buy', 5000);
  const b = q('B', 'sell', 6000);
  const restingA: RestingQuote = { ...a };
  assert.deepEqual(diffQuotes([], [a]), [{ kind: 'place', quote: a }]);
  assert.deepEqual(diffQuotes([restingA], [a]), []);
  assert.deepEqual(diffQuotes([restingA], []), [{ kind: 'cancel', order: restingA, reason: 'not_desired' }]);
  const a2 = q('A', 'buy', 5100, 100, 1);
  assert.deepEqual(diffQuotes([restingA], [a2, b]), [{ kind: 'replace', order: restingA, quote: a2 }, { kind: 'place', quote: b }]);
  const bigger = q('A', 'buy', 5000, 200, 1);
  assert.deepEqual(diffQuotes([restingA], [bigger]).map((x) => x.kind), ['replace']);
  const dup: RestingQuote = { ...q('A', 'buy', 4900, 100, 3) };
  assert.deepEqual(diffQuotes([dup, restingA], [a]), [{ kind: 'cancel', order: dup, reason: 'duplicate_in_slot' }]);
  assert.throws(() => diffQuotes([], [a, a]), /two desired quotes/);
});

test('property: quotes never cross, stay on the grid, clear min EV and respect every cap', () => {
  const stats = { quotes: 0, kept: 0 };
  const grid = [
    { start: 100, end: 1000, step: 10 },
    { start: 1000, end: 9000, step: 100 },
    { start: 9000, end: 9900, step: 10 },
  ];
  const sideArb = fc.option(fc.integer({ min: 1, max: 98 }), { nil: undefined });
  const marketArb = fc.record({
    p: fc.double({ min: 0, max: 1, noNaN: true }),
    bid: sideArb,
    spread: fc.integer({ min: 1, max: 60 }),
    hasAsk: fc.boolean(),
    committed: fc.integer({ min: 0, max: 6 }),
    restBuy: fc.option(fc.integer({ min: 1, max: 98 }), { nil: undefined }),
    restSell: fc.option(fc.integer({ min: 2, max: 99 }), { nil: undefined }),
  });
  fc.assert(
    fc.property(
      fc.array(marketArb, { minLength: 1, maxLength: 12 }),
      fc.record({
        minEvPips: fc.integer({ min: 0, max: 1500 }),
        evHysteresisPips: fc.integer({ min: 0, max: 200 }),
        maxBinsPerSeries: fc.integer({ min: 1, max: 4 }),
        contracts: fc.integer({ min: 1, max: 5 }),
        maxContractsPerMarket: fc.integer({ min: 1, max: 8 }),
        maxContractsPerWindow: fc.integer({ min: 1, max: 20 }),
      }),
      fc.integer({ min: 0, max: 30 }),
      fc.integer({ min: 0, max: 60_000 }),
      fc.constantFrom(FEES, { feeType: 'quadratic_with_maker_fees', multiplier: 1 }),
      (specs, policy, windowCommitted, lossBudgetPips, fees) => {
        const markets = specs.map((_, i) => market(`KXINXU-26NOV20H1000-T${6700 + 25 * i}`, 'greater_or_equal', 6700 + 25 * i, undefined, { priceRanges: grid }));
        const others = new Map<string, { bid?: number; ask?: number }>();
        const resting: RestingQuote[] = [];
        const books = new Map<string, OrderBook>();
        specs.forEach((s, i) => {
          const t = markets[i]!.ticker;
          const bid = s.bid !== undefined ? s.bid * 100 : undefined;
          const ask = s.hasAsk ? Math.min(9900, (bid ?? 100) + s.spread * 10) : undefined;
          const o = { bid, ask: ask !== undefined && bid !== undefined && ask <= bid ? undefined : ask };
          others.set(t, o);
          const b = book(t, o.bid, o.ask);
          // our resting orders sit in the exchange book too (only where they would not have crossed)
          if (s.restBuy !== undefined && (o.ask === undefined || s.restBuy * 100 < o.ask)) {
            const r = { marketTicker: t, side: 'buy' as const, price: s.restBuy * 100, size: 100, clientOrderId: `r${i}b`, revision: 0 };
            resting.push(r);
            b.yesBids = [...b.yesBids, { price: r.price, size: 100 }].sort((x, y) => y.price - x.price);
          }
          if (s.restSell !== undefined && (o.bid === undefined || s.restSell * 100 > o.bid) && !resting.some((r) => r.marketTicker === t && r.price >= s.restSell! * 100)) {
            const r = { marketTicker: t, side: 'sell' as const, price: s.restSell * 100, size: 100, clientOrderId: `r${i}s`, revision: 0 };
            resting.push(r);
            b.noBids = [...b.noBids, { price: 10_000 - r.price, size: 100 }].sort((x, y) => y.price - x.price);
          }
          books.set(t, b);
        });
        const committed = new Map(specs.map((s, i) => [markets[i]!.ticker, s.committed * 100]).filter(([, c]) => (c as number) > 0) as [string, number][]);
        const sel = selectQuotes({
          windowId: 'w',
          markets,
          pricing: specs.map((s, i) => priced(markets[i]!, s.p)),
          books,
          fees,
          policy,
          exposure: { marketContracts: committed, windowContracts: windowCommitted * 100, lossBudgetPips },
          resting,
        });
        let total = 0;
        let loss = 0;
        const perMarket = new Map<string, number>();
        for (const q of sel.quotes) {
          const o = others.get(q.marketTicker)!;
          const p = specs[markets.findIndex((m) => m.ticker === q.marketTicker)]!.p;
          assert.ok(isOnGrid(grid, q.price), `off grid ${q.price}`);
          if (q.side === 'buy') assert.ok(o.ask === undefined || q.price < o.ask, `buy ${q.price} crosses ask ${o.ask}`);
          else assert.ok(o.bid === undefined || q.price > o.bid, `sell ${q.price} crosses bid ${o.bid}`);
          const mine = sel.quotes.filter((x) => x.marketTicker === q.marketTicker);
          const buy = mine.find((x) => x.side === 'buy');
          const sell = mine.find((x) => x.side === 'sell');
          if (buy && sell) assert.ok(buy.price < sell.price, 'self-cross');
          assert.ok(q.size % 100 === 0 && q.size >= 100 && q.size <= policy.contracts * 100);
          const fee = feeFor(fees, 'maker', q.price, q.size);
          assert.equal(q.feePips, fee);
          const ev = q.side === 'buy' ? p * 10_000 - q.price - (fee * 100) / q.size : q.price - p * 10_000 - (fee * 100) / q.size;
          assert.ok(Math.abs(ev - q.evPips) < 1e-6);
          assert.ok(q.evPips >= policy.minEvPips - (q.kept || resting.some((r) => r.marketTicker === q.marketTicker && r.side === q.side) ? policy.evHysteresisPips : 0) - 1e-9);
          if (q.evPips > 0) assert.ok(q.side === 'buy' ? q.price < p * 10_000 : q.price > p * 10_000, 'EV sign');
          assert.equal(q.worstLossPips, worstLossPips(q.side, q.price, q.size, fee));
          perMarket.set(q.marketTicker, (perMarket.get(q.marketTicker) ?? 0) + q.size);
          total += q.size;
          loss += q.worstLossPips;
        }
        for (const [t, c] of perMarket) assert.ok(c + (committed.get(t) ?? 0) <= policy.maxContractsPerMarket * 100);
        assert.ok(total === 0 || total + windowCommitted * 100 <= policy.maxContractsPerWindow * 100);
        assert.ok(loss <= lossBudgetPips);
        const bins = new Set([...committed.keys(), ...perMarket.keys()]);
        const newMarkets = [...perMarket.keys()].filter((t) => !committed.has(t));
        assert.ok(newMarkets.length === 0 || bins.size <= policy.maxBinsPerSeries);
        assert.equal(new Set(sel.quotes.map((q) => q.clientOrderId)).size, sel.quotes.length);
        stats.quotes += sel.quotes.length;
        stats.kept += sel.quotes.filter((q) => q.kept).length;
        // diffing the selection against itself is a no-op
        assert.deepEqual(diffQuotes(sel.quotes.map((q) => ({ ...q })), sel.quotes), []);
      },
    ),
    { numRuns: 400 },
  );
  // the property is not vacuous: many quotes were produced, some of them kept resting orders
  assert.ok(stats.quotes > 100 && stats.kept > 0, JSON.stringify(stats));
});

test('end to end on a priced ladder: only active, priced markets are quoted', () => {
  const ladder = thresholdLadder(6750, 25, 5);
  ladder[0] = { ...ladder[0]!, status: 'closed' };
  const f = forecast(6801, 10, { curve: new DefaultCurve(6801, 0.18), sigmaFloor: 0.5, kappa: 1, dist: { kind: 'normal' } });
  const pricing = priceLadder(ladder, f);
  const s = selectQuotes({
    windowId: 'w',
    markets: ladder,
    pricing,
    books: new Map(ladder.map((m) => [m.ticker, book(m.ticker, 4000, 6000)])),
    fees: FEES,
    policy: POLICY,
    exposure: { lossBudgetPips: 1_000_000 },
  });
  assert.equal(s.evaluations[0]!.skipped, 'market_not_active:closed');
  assert.ok(s.quotes.length > 0 && s.quotes.every((q) => q.marketTicker !== ladder[0]!.ticker));
  assert.equal(selectQuotes({ ...{ windowId: 'w', markets: ladder, pricing, books: new Map(), policy: POLICY, exposure: { lossBudgetPips: 1e6 } }, fees: { feeType: 'flat', multiplier: 1 } }).evaluations[1]!.skipped, 'fee_type_unsupported:flat');
});
