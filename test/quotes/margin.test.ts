/**
 * The adverse-selection margin, the final-seconds rule, churn hysteresis and the fill-probability estimate
 * (issue 11): src/core/quotes/margin.ts, fill-prob.ts and their use in selectQuotes when the caller passes
 * `conditions`. At neutral rules, conditions change nothing (checked over random inputs).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Market, OrderBook } from '../../src/core/market.ts';
import type { MarketPricing } from '../../src/core/model/ladder-pricing.ts';
import {
  adverseSelectionMarginPips,
  diffQuotes,
  fillProbability,
  newQuoteAllowed,
  quotePolicy,
  selectQuotes,
  TradeTape,
  type MarginRules,
  type Quote,
  type QuoteConditions,
  type QuotePolicy,
  type QuoteRules,
  type RestingQuote,
  type SelectInput,
  type Selection,
} from '../../src/core/quotes/index.ts';
import { quoteLadder } from '../../src/core/quotes/ladder.ts';
import { defaultIndexOps, parseIndexOps } from '../../src/config/index-ops.ts';
import { market, thresholdLadder } from '../model/ladders.ts';
import { DefaultCurve } from '../../src/core/model/curve.ts';

const FEES = { feeType: 'quadratic', multiplier: 1 };
const NEUTRAL: QuoteRules = {
  margin1mPips: 0,
  marginMaxPips: 0,
  bookAgeGraceMs: 0,
  bookAgePipsPerS: 0,
  quoteAgeGraceMs: 0,
  quoteAgePipsPerMin: 0,
  finalNoNewQuoteMs: 0,
  finalMaxFeedAgeMs: 0,
  keepHysteresisPips: 50,
  minQuoteLifeMs: 0,
  keepFrontOfQueue: false,
  fillProbHorizonMs: 0,
  tradeRateWindowMs: 300_000,
  binKeepPips: 0,
};
const BASE: QuotePolicy = { minEvPips: 500, evHysteresisPips: 50, maxBinsPerSeries: 2, contracts: 1, maxContractsPerMarket: 5, maxContractsPerWindow: 20 };
const withRules = (r: Partial<QuoteRules>): QuotePolicy => ({ ...BASE, rules: { ...NEUTRAL, ...r } });

const M = market('KXINXU-26NOV20H1000-T6800', 'greater_or_equal', 6800);
const priced = (m: Market, pYes: number): MarketPricing => ({ ticker: m.ticker, ok: true, region: { lo: 0, hi: null }, pYes });
function book(bid?: number, ask?: number, size = 1000, tsMs = 0): OrderBook {
  return { ticker: M.ticker, yesBids: bid !== undefined ? [{ price: bid, size }] : [], noBids: ask !== undefined ? [{ price: 10_000 - ask, size }] : [], tsMs };
}
function one(pYes: number, b: OrderBook, policy: QuotePolicy, extra: Partial<SelectInput> = {}): Selection {
  return selectQuotes({ windowId: '2026-11-20/hourly-1000', markets: [M], pricing: [priced(M, pYes)], books: new Map([[M.ticker, b]]), fees: FEES, policy, exposure: { lossBudgetPips: 500_000 }, ...extra });
}
const at = (minutesToTarget: number, more: Partial<QuoteConditions> = {}): QuoteConditions => ({ nowMs: 1_000_000, minutesToTarget, feedAgeMs: 100, ...more });
const buyOf = (s: Selection) => s.quotes.find((q) => q.side === 'buy');

test('margin: √(1/m) towards the target, floored at one second, capped; book and quote age beyond their grace', () => {
  const r: MarginRules = { ...NEUTRAL, margin1mPips: 100, marginMaxPips: 1000, bookAgeGraceMs: 5000, bookAgePipsPerS: 10, quoteAgeGraceMs: 60_000, quoteAgePipsPerMin: 30 };
  assert.equal(adverseSelectionMarginPips({ ...NEUTRAL }, { minutesToTarget: 0.1, bookAgeMs: 1e6, quoteAgeMs: 1e6 }), 0, 'neutral rules: no margin');
  assert.equal(adverseSelectionMarginPips(r, { minutesToTarget: 1 }), 100);
  assert.equal(adverseSelectionMarginPips(r, { minutesToTarget: 0.25 }), 200);
  assert.ok(Math.abs(adverseSelectionMarginPips(r, { minutesToTarget: 16 }) - 25) < 1e-9);
  assert.ok(Math.abs(adverseSelectionMarginPips(r, { minutesToTarget: 0 }) - 100 * Math.sqrt(60)) < 1e-9, 'floored at one second');
  assert.equal(adverseSelectionMarginPips({ ...r, marginMaxPips: 300 }, { minutesToTarget: 0 }), 300, 'capped');
  assert.equal(adverseSelectionMarginPips(r, { minutesToTarget: 1, bookAgeMs: 5000 }), 100, 'book age within grace');
  assert.equal(adverseSelectionMarginPips(r, { minutesToTarget: 1, bookAgeMs: 8000 }), 130, '3 s past grace at 10 pips/s');
  assert.equal(adverseSelectionMarginPips(r, { minutesToTarget: 1, quoteAgeMs: 120_000 }), 130, 'one minute past grace at 30 pips/min');
});

test('final seconds: no new quote unless the feed is strict-fresh', () => {
  const r: MarginRules = { ...NEUTRAL, finalNoNewQuoteMs: 5000, finalMaxFeedAgeMs: 800 };
  assert.equal(newQuoteAllowed(r, 10 / 60, 5000), true, '10 s out: any feed');
  assert.equal(newQuoteAllowed(r, 4 / 60, 300), true, '4 s out, fresh');
  assert.equal(newQuoteAllowed(r, 4 / 60, 900), false, '4 s out, not strict-fresh');
  assert.equal(newQuoteAllowed(r, 4 / 60, null), false, 'unknown age is not fresh');
  assert.equal(newQuoteAllowed({ ...r, finalNoNewQuoteMs: 0 }, 0.01, null), true, 'rule off');
  // In selection: nothing new 3 s out on an 1100 ms feed, but a resting quote stays.
  const policy = withRules({ finalNoNewQuoteMs: 5000, finalMaxFeedAgeMs: 800 });
  const b = book(5000, 7000);
  assert.equal(one(0.6, b, policy, { conditions: at(3 / 60, { feedAgeMs: 1100 }) }).quotes.length, 0);
  assert.equal(one(0.6, b, policy, { conditions: at(3 / 60, { feedAgeMs: 1100 }) }).evaluations[0]!.buy.reason, 'final_seconds_no_new_quote');
  assert.equal(one(0.6, b, policy, { conditions: at(3 / 60, { feedAgeMs: 200 }) }).quotes.length, 2);
  const resting: RestingQuote[] = [{ ...buyOf(one(0.6, b, policy))!, placedMs: 900_000 }];
  const kept = one(0.6, b, policy, { conditions: at(3 / 60, { feedAgeMs: 1100 }), resting });
  assert.deepEqual(kept.quotes.map((q) => [q.side, q.kept]), [['buy', true]]);
});

test('the EV bar rises as the target nears: a 5.5¢ quote at 10 minutes is refused at 20 s, and a resting one is dropped', () => {
  const policy = withRules({ margin1mPips: 50, marginMaxPips: 500 });
  const b = book(5000, 7000); // improve to 0.51: EV = p − 0.51 (no maker fee)
  const p = 0.565; // EV 5.5¢
  const far = one(p, b, policy, { conditions: at(10) });
  assert.equal(buyOf(far)?.price, 5100, 'bar 5¢ + 0.16¢ at 10 min');
  assert.ok(Math.abs(buyOf(far)!.barPips! - (500 + 50 / Math.sqrt(10))) < 1e-9, `bar ${buyOf(far)!.barPips}`);
  const near = one(p, b, policy, { conditions: at(20 / 60) });
  assert.equal(buyOf(near)?.price, 5000, 'at 20 s the bar is 5¢ + 0.87¢: only the join (EV 6.5¢) clears it');
  // A resting improve at 5.5¢ is kept down to bar − keep hysteresis: at 5 s the margin (1.73¢) drops it.
  const resting: RestingQuote[] = [{ ...buyOf(far)!, placedMs: 990_000 }];
  assert.equal(buyOf(one(p, b, policy, { conditions: at(2), resting }))?.kept, true);
  const late = one(p, b, policy, { conditions: at(5 / 60), resting });
  assert.notEqual(buyOf(late)?.clientOrderId, resting[0]!.clientOrderId, 'the resting quote is not kept at 5 s');
});

test('churn: a young quote is not moved; one at the front of its level is not moved a tick better; a wider keep floor rides out a dip', () => {
  const b0 = book(5000, 7000);
  const first = buyOf(one(0.6, b0, BASE))!; // improve: bid 0.51, queue 0
  assert.equal(first.price, 5100);
  // The maker joins our price: we are tied at the best, first in time (nothing was ahead when we placed).
  const tied = book(5100, 7000);
  const resting = (o: Partial<RestingQuote>): RestingQuote[] => [{ ...first, placedMs: 990_000, queueAhead: 0, ...o }];
  assert.equal(buyOf(one(0.6, tied, BASE, { resting: resting({}) }))!.price, 5200, 'without conditions: chase one tick (the old rule)');
  assert.equal(buyOf(one(0.6, tied, withRules({}), { resting: resting({}), conditions: at(10) }))!.price, 5200, 'neutral rules: the same');
  const front = one(0.6, tied, withRules({ keepFrontOfQueue: true }), { resting: resting({}), conditions: at(10) });
  assert.equal(buyOf(front)!.kept, true, 'front of the queue: kept');
  assert.deepEqual(diffQuotes(resting({}), front.quotes.filter((q) => q.side === 'buy')), [], 'no action on the resting bid');
  const behind = one(0.6, tied, withRules({ keepFrontOfQueue: true }), { resting: resting({ queueAhead: 300 }), conditions: at(10) });
  assert.equal(buyOf(behind)!.price, 5200, 'behind a queue: it still moves up');
  // Time hysteresis: placed 2 s ago with a 3 s minimum life → kept; 4 s ago → moved.
  const young = one(0.6, tied, withRules({ minQuoteLifeMs: 3000 }), { resting: resting({ queueAhead: 300, placedMs: 998_000 }), conditions: at(10) });
  assert.equal(buyOf(young)!.kept, true);
  const old = one(0.6, tied, withRules({ minQuoteLifeMs: 3000 }), { resting: resting({ queueAhead: 300, placedMs: 996_000 }), conditions: at(10) });
  assert.equal(buyOf(old)!.price, 5200);
  // Keep hysteresis: the model dips so the resting improve is worth 3.5¢ (< 5¢ − 0.5¢).
  const dip = 0.545;
  const base = one(dip, b0, BASE, { resting: [{ ...first }] });
  assert.notEqual(buyOf(base)?.clientOrderId, first.clientOrderId, 'default hysteresis: the quote goes');
  const wide = one(dip, b0, withRules({ keepHysteresisPips: 200 }), { resting: resting({}), conditions: at(10) });
  assert.equal(buyOf(wide)?.clientOrderId, first.clientOrderId, 'keep floor 3¢: it stays');
  // The crossing rule is never relaxed: a resting bid at or above the ask goes, young or not.
  const crossed = one(0.6, book(5000, 5100), withRules({ minQuoteLifeMs: 60_000, keepFrontOfQueue: true, keepHysteresisPips: 400 }), { resting: resting({}), conditions: at(10) });
  assert.notEqual(buyOf(crossed)?.clientOrderId, first.clientOrderId);
});

test('fill probability: Poisson arrivals over the horizon, the queue ahead in trades of mean size', () => {
  const flow = { bid: { tradesPerS: 0.1, meanSize: 500 }, ask: { tradesPerS: 0, meanSize: 0 } };
  // Front of the queue: P(at least one trade in 10 s) = 1 − e^{−1}.
  assert.ok(Math.abs(fillProbability('buy', 0, flow, 10_000) - (1 - Math.exp(-1))) < 1e-12);
  // 1200 ahead at 5 contracts a trade: needs 3 trades.
  const mu = 1;
  const p3 = 1 - Math.exp(-mu) * (1 + mu + mu * mu / 2);
  assert.ok(Math.abs(fillProbability('buy', 1200, flow, 10_000) - p3) < 1e-12);
  assert.equal(fillProbability('sell', 0, flow, 10_000), 0, 'no lifting flow');
  assert.equal(fillProbability('buy', 0, flow, 0), 0, 'no time left');
  // The tape: trades of the window per side; a short history counts as at least a minute.
  const tape = new TradeTape(120_000, 0);
  tape.add({ ticker: 'A', size: 200, takerSide: 'no', tsMs: 10_000 });
  tape.add({ ticker: 'A', size: 400, takerSide: 'no', tsMs: 20_000 });
  tape.add({ ticker: 'A', size: 100, takerSide: 'yes', tsMs: 30_000 });
  let f = tape.flow('A', 30_000);
  assert.ok(Math.abs(f.bid.tradesPerS - 2 / 60) < 1e-12 && f.bid.meanSize === 300, `bid flow ${JSON.stringify(f.bid)}`);
  assert.ok(Math.abs(f.ask.tradesPerS - 1 / 60) < 1e-12);
  f = tape.flow('A', 135_000);
  assert.ok(Math.abs(f.bid.tradesPerS - 1 / 120) < 1e-12, 'the 10 s trade left the window');
  assert.deepEqual(tape.flow('B', 135_000).ask, { tradesPerS: 0, meanSize: 0 });
});

test('the tape’s flows, each worked out when asked: the flow of the whole tape, whatever was asked before (property)', () => {
  // What flow() would say with every trade kept: the trades of (now − window, now], per side, over the span.
  const truth = (trades: { ticker: string; size: number; takerSide: 'yes' | 'no'; tsMs: number }[], ticker: string, now: number, windowMs: number, startMs: number) => {
    const span = Math.max(60_000, Math.min(windowMs, now - startMs)) / 1000;
    const side = (hitsBid: boolean) => {
      const xs = trades.filter((t) => t.ticker === ticker && (t.takerSide === 'no') === hitsBid && t.tsMs >= now - windowMs && t.tsMs <= now);
      return { tradesPerS: xs.length / span, meanSize: xs.length ? xs.reduce((a, t) => a + t.size, 0) / xs.length : 0 };
    };
    return { bid: side(true), ask: side(false) };
  };
  const step = fc.oneof(
    fc.record({ kind: fc.constant('trade' as const), ticker: fc.constantFrom('A', 'B', 'C'), size: fc.integer({ min: 1, max: 500 }), takerSide: fc.constantFrom('yes' as const, 'no' as const), dt: fc.integer({ min: 0, max: 20_000 }) }),
    fc.record({ kind: fc.constant('ask' as const), tickers: fc.subarray(['A', 'B', 'C']), dt: fc.integer({ min: 0, max: 40_000 }) }),
  );
  fc.assert(
    fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
      const tape = new TradeTape(60_000, 0);
      const watched = new Set(['A', 'B']);
      const all: { ticker: string; size: number; takerSide: 'yes' | 'no'; tsMs: number }[] = [];
      let now = 0;
      for (const s of steps) {
        now += s.dt;
        if (s.kind === 'trade') {
          const t = { ticker: s.ticker, size: s.size, takerSide: s.takerSide, tsMs: now };
          tape.add(t);
          all.push(t);
          continue;
        }
        const flows = tape.flowsAt(watched, now);
        for (const t of s.tickers) {
          const got = flows.get(t);
          if (!watched.has(t)) assert.equal(got, undefined, `${t} is not watched`);
          else assert.deepEqual(got, truth(all, t, now, 60_000, 0));
        }
      }
    }),
    { numRuns: 500, seed: 20261207 },
  );
});

test('selection estimates each quote’s queue and fill probability from the book and the flow', () => {
  const flows = new Map([[M.ticker, { bid: { tradesPerS: 0.05, meanSize: 400 }, ask: { tradesPerS: 0.05, meanSize: 400 } }]]);
  const s = one(0.555, book(5000, 7000, 1000), withRules({ fillProbHorizonMs: 60_000 }), { conditions: at(5, { flows }) });
  const buy = buyOf(s)!; // join the bid at 0.50 behind 10 contracts
  assert.equal(buy.price, 5000);
  assert.equal(buy.queueAhead, 1000);
  const mu = 0.05 * 60;
  let cdf = 0;
  let term = Math.exp(-mu);
  for (let k = 0; k < 3; k++) {
    cdf += term;
    term *= mu / (k + 1);
  }
  assert.ok(Math.abs(buy.fillProb! - (1 - cdf)) < 1e-12, `fill prob ${buy.fillProb}`);
  const sell = s.quotes.find((q) => q.side === 'sell')!; // improve the ask: nothing ahead
  assert.equal(sell.queueAhead, 0);
  assert.ok(sell.fillProb! > buy.fillProb!, 'an improving quote is likelier to fill');
  assert.equal(one(0.555, book(5000, 7000), BASE).quotes[0]!.fillProb, undefined, 'without conditions: unknown');
});

test('config: the defaults carry the documented rules; the keep hysteresis cannot exceed min EV', () => {
  const r = quotePolicy(defaultIndexOps()).rules!;
  assert.deepEqual(
    { ...r },
    {
      margin1mPips: 50,
      marginMaxPips: 500,
      bookAgeGraceMs: 15_000,
      bookAgePipsPerS: 10,
      quoteAgeGraceMs: 60_000,
      quoteAgePipsPerMin: 0,
      finalNoNewQuoteMs: 5000,
      finalMaxFeedAgeMs: 800,
      keepHysteresisPips: 50,
      minQuoteLifeMs: 3000,
      keepFrontOfQueue: true,
      fillProbHorizonMs: 5000,
      tradeRateWindowMs: 300_000,
      binKeepPips: 100,
    },
  );
  assert.throws(() => parseIndexOps('quotes:\n  min_ev_usd: 0.02\n  keep_hysteresis_usd: 0.03\n'), /quotes\.keep_hysteresis_usd: must not exceed quotes\.min_ev_usd/);
  assert.equal(quotePolicy(parseIndexOps('quotes:\n  keep_hysteresis_usd: 0.02\n')).rules!.keepHysteresisPips, 200);
});

test('quoteLadder passes the ladder’s own clock and minutes to target with the caller’s conditions', () => {
  const ladder = thresholdLadder(6750, 25, 5);
  const close = ladder[0]!.closeTimeMs;
  const input = {
    event: { eventTicker: ladder[0]!.eventTicker, series: 'INXU' as const, closeTimeMs: close, markets: ladder },
    books: new Map(ladder.map((m) => [m.ticker, { ticker: m.ticker, yesBids: [{ price: 4000, size: 500 }], noBids: [{ price: 4000, size: 500 }], tsMs: close - 60_000 }])),
    spot: 6800,
    model: { curve: new DefaultCurve(6800, 0.18), sigmaFloor: 0, kappa: 1, dist: { kind: 'normal' as const } },
    fees: FEES,
    windowId: 'w',
    policy: withRules({ margin1mPips: 100, marginMaxPips: 10_000 }),
    exposure: { lossBudgetPips: 1e7 },
  };
  const without = quoteLadder({ ...input, nowMs: close - 15_000 });
  assert.ok(without.selection.quotes.every((q) => q.barPips === undefined), 'no conditions: rules off');
  const withC = quoteLadder({ ...input, nowMs: close - 15_000, conditions: { feedAgeMs: 100 } });
  for (const q of withC.selection.quotes) assert.ok(Math.abs(q.barPips! - (500 + 100 * Math.sqrt(4))) < 1e-9, `bar at 15 s: ${q.barPips}`);
});

// ---- neutral rules + conditions ≡ no conditions, over random inputs ----

const strip = (q: Quote) => {
  const { barPips: _b, queueAhead: _q, fillProb: _f, ...rest } = q;
  return rest;
};

test('property: with neutral rules, passing conditions changes no quote and no evaluation', () => {
  const ladder = thresholdLadder(6700, 25, 8);
  fc.assert(
    fc.property(
      fc.array(fc.record({ p: fc.double({ min: 0.01, max: 0.99, noNaN: true }), bid: fc.option(fc.integer({ min: 1, max: 98 })), spread: fc.integer({ min: 1, max: 30 }), size: fc.integer({ min: 0, max: 3000 }) }), { minLength: 8, maxLength: 8 }),
      fc.array(fc.record({ mi: fc.integer({ min: 0, max: 7 }), side: fc.constantFrom('buy' as const, 'sell' as const), cents: fc.integer({ min: 1, max: 99 }), age: fc.integer({ min: 0, max: 120_000 }), queue: fc.option(fc.integer({ min: 0, max: 2000 })) }), { maxLength: 6 }),
      fc.integer({ min: 0, max: 900 }),
      fc.integer({ min: 0, max: 100 }),
      (specs, rest, secondsToTarget, h) => {
        const books = new Map<string, OrderBook>();
        specs.forEach((s, i) => {
          const t = ladder[i]!.ticker;
          const bid = s.bid ?? undefined;
          const ask = bid !== undefined ? Math.min(99, bid + s.spread) : undefined;
          books.set(t, { ticker: t, yesBids: bid !== undefined ? [{ price: bid * 100, size: s.size }] : [], noBids: ask !== undefined && ask > (bid ?? 0) ? [{ price: 10_000 - ask * 100, size: s.size }] : [], tsMs: 500_000 });
        });
        const seen = new Set<string>();
        const resting: RestingQuote[] = [];
        rest.forEach((r, i) => {
          const k = `${r.mi}|${r.side}`;
          if (seen.has(k)) return;
          seen.add(k);
          resting.push({ marketTicker: ladder[r.mi]!.ticker, side: r.side, price: r.cents * 100, size: 100, clientOrderId: `r${i}`, revision: 0, placedMs: 1_000_000 - r.age, ...(r.queue !== null ? { queueAhead: r.queue } : {}) });
        });
        const policy: QuotePolicy = { ...BASE, evHysteresisPips: h, rules: { ...NEUTRAL, keepHysteresisPips: h } };
        const input: SelectInput = { windowId: 'w', markets: ladder, pricing: ladder.map((m, i) => priced(m, specs[i]!.p)), books, fees: FEES, policy, exposure: { lossBudgetPips: 300_000 }, resting };
        const a = selectQuotes(input);
        const b = selectQuotes({ ...input, conditions: at(secondsToTarget / 60, { feedAgeMs: 5000 }) });
        assert.deepEqual(b.quotes.map(strip), a.quotes, 'same quotes');
        assert.deepEqual(b.evaluations, a.evaluations, 'same evaluations');
      },
    ),
    { seed: 11, numRuns: 300 },
  );
});

test('bin hysteresis: a market already quoted keeps its bin unless another is better by bin_keep', () => {
  const ladder = thresholdLadder(6775, 25, 2);
  const [a, b] = ladder as [Market, Market];
  const books = new Map(ladder.map((m) => [m.ticker, { ticker: m.ticker, yesBids: [{ price: 5000, size: 1000 }], noBids: [], tsMs: 0 }]));
  const policy = (binKeepPips: number): QuotePolicy => ({ ...BASE, maxBinsPerSeries: 1, rules: { ...NEUTRAL, binKeepPips } });
  // Market a rests a bid at 0.51 worth 6¢ (p = 0.57); market b's fresh improve is worth 6.5¢ (p = 0.575). No asks
  // shown: each market's ask is the first price 5¢ above p (worth less than its bid).
  const run = (binKeepPips: number, pb: number) => {
    const first = selectQuotes({ windowId: 'w', markets: [a], pricing: [priced(a, 0.57)], books, fees: FEES, policy: policy(binKeepPips), exposure: { lossBudgetPips: 1e6 } });
    const resting: RestingQuote[] = first.quotes.filter((q) => q.side === 'buy').map((q) => ({ ...q, placedMs: 0, queueAhead: 0 }));
    return selectQuotes({ windowId: 'w', markets: ladder, pricing: [priced(a, 0.57), priced(b, pb)], books, fees: FEES, policy: policy(binKeepPips), exposure: { lossBudgetPips: 1e6 }, resting, conditions: at(10) });
  };
  const markets = (s: Selection) => [...new Set(s.quotes.map((q) => q.marketTicker))];
  assert.deepEqual(markets(run(0, 0.575)), [b.ticker], 'no hysteresis: the better market takes the bin');
  assert.deepEqual(markets(run(100, 0.575)), [a.ticker], 'within 1¢: the quoted market keeps it');
  assert.deepEqual(markets(run(100, 0.59)), [b.ticker], '2¢ better: it switches');
});
