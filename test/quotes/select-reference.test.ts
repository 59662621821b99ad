/**
 * The optimised quote selection (src/core/quotes/select.ts, top-of-book.ts, grid.ts) against a
 * straightforward reference kept here: the grid is a sorted list of every valid price and is searched
 * linearly, own orders are filtered per market with `filter`, every side is evaluated in full, candidates
 * are fully sorted. The two must agree exactly — every quote and every evaluation (reasons, EVs, fees,
 * ids) — over random ladders, grids, books, resting orders, exposures, policies and fee schedules.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { FeeSchedule, Market, OrderBook, PriceRange } from '../../src/core/market.ts';
import type { MarketPricing } from '../../src/core/model/ladder-pricing.ts';
import { FeeRuleError, feeRule, makerEvPips, orderFeePips, type FeeRule } from '../../src/core/fees.ts';
import {
  clientOrderId,
  gridAbove,
  gridBelow,
  isOnGrid,
  selectQuotes,
  snapDown,
  snapUp,
  topOfBook,
  type MarketEvaluation,
  type Quote,
  type RestingQuote,
  type SelectInput,
  type Selection,
  type SideEvaluation,
  type TopOfBook,
} from '../../src/core/quotes/index.ts';
import type { YesSide } from '../../src/core/orders.ts';

// ---------------------------------------------------------------- the reference ----

/** Every valid price of a grid, ascending, without duplicates. */
function gridPrices(ranges: readonly PriceRange[]): number[] {
  const set = new Set<number>();
  for (const r of ranges) for (let p = r.start; p <= r.end; p += r.step) set.add(p);
  return [...set].sort((a, b) => a - b);
}
const refSnapDown = (g: number[], p: number) => [...g].reverse().find((x) => x <= p);
const refSnapUp = (g: number[], p: number) => g.find((x) => x >= p);
const refAbove = (g: number[], p: number) => refSnapUp(g, p + 1);
const refBelow = (g: number[], p: number) => refSnapDown(g, p - 1);

function refTopOfBook(book: OrderBook | undefined, own: readonly RestingQuote[]): TopOfBook {
  const top: TopOfBook = {};
  if (!book) return top;
  for (const l of book.yesBids) {
    const mine = own.filter((o) => o.side === 'buy' && o.price === l.price && o.marketTicker === book.ticker).reduce((a, o) => a + o.size, 0);
    const size = l.size - mine;
    if (size > 0 || l.size === 0) {
      top.bid = l.price;
      top.bidSize = Math.max(0, size);
      break;
    }
  }
  for (const l of book.noBids) {
    const yesAsk = 10_000 - l.price;
    const mine = own.filter((o) => o.side === 'sell' && o.price === yesAsk && o.marketTicker === book.ticker).reduce((a, o) => a + o.size, 0);
    const size = l.size - mine;
    if (size > 0 || l.size === 0) {
      top.ask = yesAsk;
      top.askSize = Math.max(0, size);
      break;
    }
  }
  return top;
}

function refEvaluate(rule: FeeRule, side: YesSide, p: number, price: number, size: number, minEv: number): SideEvaluation {
  const fee = orderFeePips(rule, price, size);
  const ev = makerEvPips(side, p, price, fee, size);
  return ev >= minEv ? { price, evPips: ev, feePips: fee } : { price, evPips: ev, feePips: fee, reason: 'ev_below_min' };
}

function refSide(m: Market, side: YesSide, p: number, top: TopOfBook, rule: FeeRule, size: number, minEv: number): SideEvaluation {
  const g = gridPrices(m.priceRanges);
  if (side === 'buy') {
    const ceiling = top.ask !== undefined ? refBelow(g, top.ask) : refSnapDown(g, 9999);
    if (ceiling === undefined) return { reason: 'no_price_below_ask' };
    if (top.bid !== undefined) {
      const improve = refAbove(g, top.bid);
      if (improve !== undefined && improve <= ceiling) {
        const e = refEvaluate(rule, side, p, improve, size, minEv);
        if (!e.reason) return e;
      }
      const join = refSnapDown(g, Math.min(top.bid, ceiling));
      return join === undefined ? { reason: 'no_price_below_ask' } : refEvaluate(rule, side, p, join, size, minEv);
    }
    // Empty bid side: walk down from the highest price that could clear min EV.
    for (let i = g.length - 1, n = 0; i >= 0 && n < 10_000; i--) {
      const q = g[i]!;
      if (q > Math.min(ceiling, Math.floor(p * 10_000 - minEv))) continue;
      n++;
      const e = refEvaluate(rule, side, p, q, size, minEv);
      if (!e.reason) return e;
    }
    return { reason: 'ev_below_min' };
  }
  const floor = top.bid !== undefined ? refAbove(g, top.bid) : refSnapUp(g, 1);
  if (floor === undefined) return { reason: 'no_price_above_bid' };
  if (top.ask !== undefined) {
    const improve = refBelow(g, top.ask);
    if (improve !== undefined && improve >= floor) {
      const e = refEvaluate(rule, side, p, improve, size, minEv);
      if (!e.reason) return e;
    }
    const join = refSnapUp(g, Math.max(top.ask, floor));
    return join === undefined ? { reason: 'no_price_above_bid' } : refEvaluate(rule, side, p, join, size, minEv);
  }
  for (let i = 0, n = 0; i < g.length && n < 10_000; i++) {
    const q = g[i]!;
    if (q < Math.max(floor, Math.ceil(p * 10_000 + minEv))) continue;
    n++;
    const e = refEvaluate(rule, side, p, q, size, minEv);
    if (!e.reason) return e;
  }
  return { reason: 'ev_below_min' };
}

const refWorstLoss = (side: YesSide, price: number, size: number, fee: number) => Math.ceil(((side === 'buy' ? price : 10_000 - price) * size) / 100) + fee;

interface RefCandidate {
  mi: number;
  ticker: string;
  side: YesSide;
  price: number;
  evPips: number;
  resting: RestingQuote | undefined;
  kept: boolean;
  eval: SideEvaluation;
}

function referenceSelect(input: SelectInput): Selection {
  const { markets, pricing, policy } = input;
  const size0 = policy.contracts * 100;
  const minEv = policy.minEvPips;
  const h = policy.evHysteresisPips;
  const resting = input.resting ?? [];
  let rule: FeeRule | undefined;
  let feeProblem: string | undefined;
  try {
    rule = feeRule(input.fees, 'maker');
  } catch (e) {
    if (!(e instanceof FeeRuleError)) throw e;
    feeProblem = e.message;
  }
  const evaluations: MarketEvaluation[] = [];
  const candidates: RefCandidate[] = [];
  markets.forEach((m, mi) => {
    const pr = pricing[mi];
    const own = resting.filter((r) => r.marketTicker === m.ticker);
    const top = refTopOfBook(input.books.get(m.ticker), own);
    const ev: MarketEvaluation = { ticker: m.ticker, top, buy: {}, sell: {} };
    evaluations.push(ev);
    let skip: string | undefined;
    if (!pr || pr.ticker !== m.ticker) skip = 'pricing_misaligned';
    else if (!pr.ok) skip = pr.reason;
    else if (m.status !== 'active') skip = `market_not_active:${m.status}`;
    else if (m.priceRanges.length === 0) skip = 'no_price_grid';
    else if (feeProblem || !rule) skip = feeProblem ?? 'fee_rule_missing';
    else if (top.bid !== undefined && top.ask !== undefined && top.bid >= top.ask) skip = 'book_crossed';
    if (pr?.ok) ev.pYes = pr.pYes;
    if (skip || !pr?.ok || !rule) {
      ev.skipped = skip;
      ev.buy.reason = ev.sell.reason = skip;
      return;
    }
    const p = pr.pYes;
    for (const side of ['buy', 'sell'] as const) {
      const fresh = refSide(m, side, p, top, rule, size0, minEv);
      ev[side] = fresh;
      const r = own.find((o) => o.side === side);
      const crosses = r !== undefined && (side === 'buy' ? top.ask !== undefined && r.price >= top.ask : top.bid !== undefined && r.price <= top.bid);
      if (r && !crosses) {
        const fee = orderFeePips(rule, r.price, size0);
        const keptEv = makerEvPips(side, p, r.price, fee, size0);
        const moreAggressive = fresh.reason === undefined && fresh.price !== undefined && (side === 'buy' ? fresh.price > r.price : fresh.price < r.price);
        if (keptEv >= minEv - h && !(moreAggressive && Math.abs(fresh.evPips! - keptEv) >= h)) {
          ev[side] = { price: r.price, evPips: keptEv, feePips: fee };
          candidates.push({ mi, ticker: m.ticker, side, price: r.price, evPips: keptEv, resting: r, kept: true, eval: ev[side] });
          continue;
        }
      }
      if (!fresh.reason && fresh.price !== undefined) {
        candidates.push({ mi, ticker: m.ticker, side, price: fresh.price, evPips: fresh.evPips!, resting: r, kept: false, eval: fresh });
      }
    }
  });
  candidates.sort((a, b) => b.evPips - a.evPips || (a.ticker < b.ticker ? -1 : a.ticker > b.ticker ? 1 : 0) || (a.side < b.side ? -1 : a.side > b.side ? 1 : 0));

  const committed = input.exposure.marketContracts;
  const bins = new Set<string>([...(committed ?? [])].filter(([, c]) => c > 0).map(([t]) => t));
  const allocated = new Map<string, number>();
  let windowLeft = policy.maxContractsPerWindow * 100 - (input.exposure.windowContracts ?? 0);
  let lossLeft = input.exposure.lossBudgetPips;
  const quotes: Quote[] = [];
  for (const c of candidates) {
    const t = c.ticker;
    if (!bins.has(t) && bins.size >= policy.maxBinsPerSeries) {
      c.eval.reason = 'max_bins_per_series';
      continue;
    }
    const marketLeft = policy.maxContractsPerMarket * 100 - (committed?.get(t) ?? 0) - (allocated.get(t) ?? 0);
    let size = Math.min(size0, marketLeft, windowLeft);
    size -= size % 100;
    let fee = size > 0 ? orderFeePips(rule!, c.price, size) : 0;
    while (size >= 100 && refWorstLoss(c.side, c.price, size, fee) > lossLeft) {
      size -= 100;
      fee = orderFeePips(rule!, c.price, size);
    }
    if (size < 100) {
      c.eval.reason = marketLeft < 100 ? 'market_contract_cap' : windowLeft < 100 ? 'window_contract_cap' : 'daily_loss_cap';
      continue;
    }
    const p = (pricing[c.mi] as { pYes: number }).pYes;
    const evPips = makerEvPips(c.side, p, c.price, fee, size);
    if (evPips < (c.kept ? minEv - h : minEv)) {
      c.eval.reason = 'ev_below_min';
      continue;
    }
    const other = quotes.filter((q) => q.marketTicker === t).pop();
    if (other && (c.side === 'buy' ? c.price >= other.price : c.price <= other.price)) {
      c.eval.reason = 'would_self_cross';
      continue;
    }
    const keepId = c.kept && c.resting !== undefined && c.resting.size === size;
    const base = input.revisions?.get(`${t}|${c.side}`) ?? 0;
    const revision = keepId ? c.resting!.revision : Math.max(base, c.resting ? c.resting.revision + 1 : 0);
    const worst = refWorstLoss(c.side, c.price, size, fee);
    quotes.push({
      marketTicker: t,
      side: c.side,
      price: c.price,
      size,
      feePips: fee,
      evPips,
      evCents: evPips / 100,
      modelProb: p,
      worstLossPips: worst,
      clientOrderId: keepId ? c.resting!.clientOrderId : clientOrderId(input.windowId, t, c.side, c.price, revision),
      revision,
      kept: keepId,
    });
    bins.add(t);
    allocated.set(t, (allocated.get(t) ?? 0) + size);
    windowLeft -= size;
    lossLeft -= worst;
  }
  return { quotes, evaluations };
}

// ---------------------------------------------------------------- generators ----

const GRIDS: PriceRange[][] = [
  [{ start: 100, end: 9900, step: 100 }],
  [{ start: 1, end: 9999, step: 1 }],
  [
    { start: 10, end: 1000, step: 10 },
    { start: 1000, end: 9000, step: 100 },
    { start: 9000, end: 9990, step: 10 },
  ],
  [{ start: 100, end: 9950, step: 150 }], // end off the step: the last price is 9850
  [],
];
const band = fc
  .tuple(fc.integer({ min: 1, max: 9999 }), fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 1, max: 2500 }))
  .map(([a, len, step]): PriceRange => ({ start: a, end: Math.min(9999, a + len), step }));
const grid = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...GRIDS) }, { weight: 2, arbitrary: fc.array(band, { minLength: 1, maxLength: 3 }) });

const price = fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 1, max: 99 }).map((c) => c * 100) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 9999 }) });
const level = fc.record({ price, size: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 3000 }) }, { weight: 1, arbitrary: fc.constant(0) }) });
const levels = fc.array(level, { maxLength: 4 }).map((ls) => [...ls].sort((a, b) => b.price - a.price));

const marketSpec = fc.record({
  grid,
  status: fc.oneof({ weight: 9, arbitrary: fc.constant('active' as const) }, { weight: 1, arbitrary: fc.constantFrom('closed' as const, 'initialized' as const) }),
  pricing: fc.oneof(
    { weight: 8, arbitrary: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 1, 0.5, 0.05, 0.95)).map((p) => ({ ok: true as const, p })) },
    { weight: 1, arbitrary: fc.constant({ ok: false as const, p: 0 }) },
    { weight: 1, arbitrary: fc.constant({ ok: 'misaligned' as const, p: 0 }) },
  ),
  book: fc.option(fc.record({ yesBids: levels, noBids: levels }), { freq: 8 }),
  committed: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -100, max: 800 }) }),
  rest: fc.array(
    fc.record({ side: fc.constantFrom('buy' as const, 'sell' as const), price, size: fc.constantFrom(100, 100, 200, 50), revision: fc.integer({ min: 0, max: 5 }), inBook: fc.boolean() }),
    { maxLength: 3 },
  ),
  revision: fc.option(fc.integer({ min: 0, max: 9 }), { freq: 4 }),
});

const fees = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom<FeeSchedule>({ feeType: 'quadratic', multiplier: 1 }, { feeType: 'quadratic_with_maker_fees', multiplier: 1 }, { feeType: 'quadratic_with_combo_maker_fees', multiplier: 0.5 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 3_000_000 }).map((m): FeeSchedule => ({ feeType: 'quadratic_with_maker_fees', multiplier: m / 1_000_000 })) },
  { weight: 1, arbitrary: fc.constantFrom<FeeSchedule>({ feeType: 'flat', multiplier: 1 }, { feeType: 'quadratic', multiplier: 1e-9 }) },
);

const scenario = fc.record({
  specs: fc.array(marketSpec, { minLength: 0, maxLength: 40 }),
  policy: fc.record({
    minEvPips: fc.oneof(fc.integer({ min: 0, max: 1500 }), fc.constantFrom(0, 500)),
    evHysteresisPips: fc.integer({ min: 0, max: 300 }),
    maxBinsPerSeries: fc.integer({ min: 1, max: 6 }),
    contracts: fc.integer({ min: 1, max: 5 }),
    maxContractsPerMarket: fc.integer({ min: 1, max: 8 }),
    maxContractsPerWindow: fc.integer({ min: 1, max: 30 }),
  }),
  windowContracts: fc.option(fc.integer({ min: 0, max: 3000 }), { nil: undefined }),
  lossBudgetPips: fc.oneof(fc.integer({ min: 0, max: 100_000 }), fc.constant(500_000)),
  fees,
  strayResting: fc.boolean(),
  duplicateTickers: fc.boolean(),
  /** The refresh round: the model moves by this much and the first round's quotes are resting. */
  jitter: fc.oneof(fc.double({ min: -0.02, max: 0.02, noNaN: true }), fc.constant(0)),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function toInput(sc: Scenario): SelectInput {
  const markets: Market[] = [];
  const pricing: MarketPricing[] = [];
  const books = new Map<string, OrderBook>();
  const resting: RestingQuote[] = [];
  const committed = new Map<string, number>();
  const revisions = new Map<string, number>();
  sc.specs.forEach((m, i) => {
    // Tickers sort in a different order than the ladder (ties broken by ticker must matter).
    const ticker = sc.duplicateTickers && i % 7 === 6 ? `KXINXU-26NOV20H1000-T${6700 + 5 * (i - 1)}` : `KXINXU-26NOV20H1000-T${6700 + 5 * ((i * 17) % 41)}`;
    markets.push({
      ticker,
      eventTicker: 'KXINXU-26NOV20H1000',
      series: 'INXU',
      strikeType: 'greater_or_equal',
      floorStrike: 6700 + i,
      openTimeMs: 0,
      closeTimeMs: Date.UTC(2026, 10, 20, 15),
      status: m.status,
      priceRanges: m.grid,
    });
    pricing.push(
      m.pricing.ok === true
        ? { ticker, ok: true, region: { lo: 0, hi: null }, pYes: m.pricing.p }
        : m.pricing.ok === false
          ? { ticker, ok: false, reason: 'strike_missing' }
          : { ticker: `${ticker}-X`, ok: true, region: { lo: 0, hi: null }, pYes: 0.5 },
    );
    const book = m.book ? { ticker, yesBids: [...m.book.yesBids], noBids: [...m.book.noBids], tsMs: 0 } : undefined;
    m.rest.forEach((r, k) => {
      const q: RestingQuote = { marketTicker: ticker, side: r.side, price: r.price, size: r.size, clientOrderId: `ka-r${i}-${k}`, revision: r.revision };
      resting.push(q);
      if (book && r.inBook) {
        if (r.side === 'buy') book.yesBids = [...book.yesBids, { price: r.price, size: r.size }].sort((a, b) => b.price - a.price);
        else book.noBids = [...book.noBids, { price: 10_000 - r.price, size: r.size }].sort((a, b) => b.price - a.price);
      }
    });
    if (book) books.set(ticker, book);
    if (m.committed !== 0) committed.set(ticker, m.committed);
    if (m.revision !== null) revisions.set(`${ticker}|${i % 2 ? 'buy' : 'sell'}`, m.revision);
  });
  if (sc.strayResting) resting.push({ marketTicker: 'KXINXU-26NOV20H1000-T1', side: 'buy', price: 5000, size: 100, clientOrderId: 'ka-stray', revision: 0 });
  return {
    windowId: '2026-11-20/hourly-1000',
    markets,
    pricing,
    books,
    fees: sc.fees,
    policy: sc.policy,
    exposure: { marketContracts: committed, ...(sc.windowContracts !== undefined ? { windowContracts: sc.windowContracts } : {}), lossBudgetPips: sc.lossBudgetPips },
    ...(resting.length ? { resting } : {}),
    ...(revisions.size ? { revisions } : {}),
  };
}

/** The id as first specified: two multiply-xorshift hashes over the joined key string. */
function refHash32(s: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h = Math.imul(h ^ s.charCodeAt(i), 0x5bd1e995);
    h ^= h >>> 13;
  }
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
function refClientOrderId(windowId: string, ticker: string, side: YesSide, price: number, revision: number): string {
  const key = `${windowId}\u0000${ticker}\u0000${side}\u0000${price}\u0000${revision}`;
  return `ka-${refHash32(key, 0x9e3779b9).toString(16).padStart(8, '0')}${refHash32(key, 0x7f4a7c15).toString(16).padStart(8, '0')}`;
}

// ---------------------------------------------------------------- properties ----

test('clientOrderId agrees with the joined-key reference (ids never change across versions)', () => {
  assert.equal(clientOrderId('2026-11-20/hourly-1000', 'KXINXU-26NOV20H1000-T6800', 'buy', 5100, 0), refClientOrderId('2026-11-20/hourly-1000', 'KXINXU-26NOV20H1000-T6800', 'buy', 5100, 0));
  fc.assert(
    fc.property(fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 40 }), fc.constantFrom('buy' as const, 'sell' as const), fc.integer({ min: -1, max: 2 ** 40 }), fc.nat(), (w, t, side, price, rev) => {
      assert.equal(clientOrderId(w, t, side, price, rev), refClientOrderId(w, t, side, price, rev));
    }),
    { numRuns: 3000, seed: 5_004 },
  );
});

test('grid helpers agree with a plain list of every grid price', () => {
  fc.assert(
    fc.property(grid, fc.integer({ min: -100, max: 10_100 }), (g, p) => {
      const all = gridPrices(g);
      assert.equal(snapDown(g, p), refSnapDown(all, p));
      assert.equal(snapUp(g, p), refSnapUp(all, p));
      assert.equal(gridAbove(g, p), refAbove(all, p));
      assert.equal(gridBelow(g, p), refBelow(all, p));
      assert.equal(isOnGrid(g, p), all.includes(p));
    }),
    { numRuns: 3000, seed: 5_001 },
  );
});

test('topOfBook agrees with the reference (own orders removed, size-0 levels kept)', () => {
  fc.assert(
    fc.property(marketSpec, (m) => {
      const input = toInput({ specs: [m], policy: { minEvPips: 0, evHysteresisPips: 0, maxBinsPerSeries: 1, contracts: 1, maxContractsPerMarket: 1, maxContractsPerWindow: 1 }, windowContracts: undefined, lossBudgetPips: 0, fees: { feeType: 'quadratic', multiplier: 1 }, strayResting: true, duplicateTickers: false, jitter: 0 });
      const book = input.books.get(input.markets[0]!.ticker);
      assert.deepStrictEqual(topOfBook(book, input.resting ?? []), refTopOfBook(book, input.resting ?? []));
    }),
    { numRuns: 2000, seed: 5_002 },
  );
});

test('selectQuotes agrees exactly with the straightforward reference (quotes and every evaluation)', () => {
  const stats = { quotes: 0, kept: 0, reasons: new Set<string>() };
  fc.assert(
    fc.property(scenario, (sc) => {
      const input = toInput(sc);
      const first = selectQuotes(input);
      assert.deepStrictEqual(first, referenceSelect(input));
      // Refresh: the first round's quotes rest (alongside the others), the model moves a little.
      const again: SelectInput = {
        ...input,
        pricing: input.pricing.map((p) => (p.ok ? { ...p, pYes: Math.min(1, Math.max(0, p.pYes + sc.jitter)) } : p)),
        resting: [...first.quotes.map((q): RestingQuote => ({ marketTicker: q.marketTicker, side: q.side, price: q.price, size: q.size, clientOrderId: q.clientOrderId, revision: q.revision })), ...(input.resting ?? [])],
      };
      const second = selectQuotes(again);
      assert.deepStrictEqual(second, referenceSelect(again));
      for (const sel of [first, second]) {
        stats.quotes += sel.quotes.length;
        stats.kept += sel.quotes.filter((q) => q.kept).length;
        for (const e of sel.evaluations) for (const r of [e.skipped, e.buy.reason, e.sell.reason]) if (r) stats.reasons.add(r.replace(/:.*/, ''));
      }
    }),
    { numRuns: 1500, seed: 5_003 },
  );
  // Not vacuous: quotes, kept quotes and every kind of reason were produced.
  assert.ok(stats.quotes > 1000 && stats.kept > 300, JSON.stringify({ ...stats, reasons: [...stats.reasons] }));
  for (const r of ['ev_below_min', 'max_bins_per_series', 'market_contract_cap', 'window_contract_cap', 'daily_loss_cap', 'book_crossed', 'no_price_grid', 'pricing_misaligned', 'market_not_active', 'fee_type_unsupported', 'no_price_below_ask', 'no_price_above_bid', 'would_self_cross']) {
    assert.ok(stats.reasons.has(r), `reason ${r} never produced: ${[...stats.reasons].join(', ')}`);
  }
});
