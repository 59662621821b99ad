import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PaperExchange } from '../../src/core/paper/exchange.ts';
import type { PaperEvent } from '../../src/core/paper/types.ts';
import type { OrderBook, Trade } from '../../src/core/market.ts';
import { book, intent, T } from './helpers.ts';

const price = fc.integer({ min: 100, max: 9900 }).map((p) => p - (p % 100));
const size = fc.integer({ min: 1, max: 500 });
const levels = fc.array(fc.tuple(price, size), { maxLength: 4 }).map((ls) => {
  const seen = new Map<number, number>();
  for (const [p, s] of ls) seen.set(p, s);
  return [...seen.entries()].sort((a, b) => b[0] - a[0]);
});
/** Any book, possibly crossed against our orders (never crossed in itself: YES bid < YES ask). */
const anyBook = fc.tuple(levels, levels).map(([yes, no]) => {
  const bestYes = yes[0]?.[0] ?? 0;
  return book(yes, no.filter(([p]) => p + bestYes < 10000));
});
const anyTrade = fc.record({
  ticker: fc.constant(T),
  tradeId: fc.string({ maxLength: 4 }),
  price,
  size,
  takerSide: fc.constantFrom('yes' as const, 'no' as const),
  tsMs: fc.constant(0),
});
type Step = { kind: 'book'; book: OrderBook } | { kind: 'trade'; trade: Trade } | { kind: 'place'; side: 'buy' | 'sell'; price: number; size: number } | { kind: 'cancel'; n: number };
const step: fc.Arbitrary<Step> = fc.oneof(
  anyBook.map((b) => ({ kind: 'book' as const, book: b })),
  anyTrade.map((t) => ({ kind: 'trade' as const, trade: t })),
  fc.record({ kind: fc.constant('place' as const), side: fc.constantFrom('buy' as const, 'sell' as const), price, size }),
  fc.record({ kind: fc.constant('cancel' as const), n: fc.nat(20) }),
);

test('property: filled ≤ size, fills at the order price only, fills only while resting, a trade never over-fills', () => {
  fc.assert(
    fc.property(anyBook, fc.array(step, { maxLength: 60 }), (initial, steps) => {
      const ex = new PaperExchange({ fee: () => 0 });
      ex.onBook(initial, 0);
      const placed = new Map<string, { price: number; size: number }>();
      const filled = new Map<string, number>();
      let n = 0;
      const check = (events: PaperEvent[], trade?: Trade) => {
        let fromTrade = 0;
        for (const e of events) {
          if (e.type !== 'fill') continue;
          const o = placed.get(e.fill.clientOrderId)!;
          assert.equal(e.fill.price, o.price, 'never a fill at another price than the order’s');
          assert.ok(e.fill.size > 0);
          const total = (filled.get(e.fill.clientOrderId) ?? 0) + e.fill.size;
          filled.set(e.fill.clientOrderId, total);
          assert.ok(total <= o.size, 'filled ≤ size');
          assert.equal(e.order.filled, total);
          fromTrade += e.fill.size;
        }
        if (trade) assert.ok(fromTrade <= trade.size, 'one trade fills at most its own size across our orders');
      };
      for (const s of steps) {
        if (s.kind === 'book') check(ex.onBook(s.book, 1));
        else if (s.kind === 'trade') check(ex.onTrade(s.trade, 1), s.trade);
        else if (s.kind === 'place') {
          const id = `o${n++}`;
          const r = ex.place(intent(id, s.side, s.price, s.size), 1);
          if (r.order.status === 'resting') placed.set(id, { price: s.price, size: s.size });
        } else {
          const open = ex.openOrders();
          if (open.length) ex.cancel(open[s.n % open.length]!.clientOrderId, 'test', 1);
        }
      }
      for (const [id, o] of placed) {
        const st = ex.order(id)!;
        assert.ok(st.filled <= o.size);
        assert.equal(st.filled, filled.get(id) ?? 0);
        assert.equal(st.status === 'executed', st.filled === o.size);
      }
    }),
    { numRuns: 300, seed: 20261120 },
  );
});

test('property: touches and at-price volume within the queue ahead never fill', () => {
  // A YES bid at x behind q displayed; contra best kept at or below touch; at-price volume ≤ q.
  const scenario = fc
    .record({ x: fc.integer({ min: 200, max: 9800 }), q: fc.integer({ min: 1, max: 1000 }) })
    .chain(({ x, q }) =>
      fc.record({
        x: fc.constant(x),
        q: fc.constant(q),
        events: fc.array(
          fc.oneof(
            // books: own level unchanged, contra best anywhere up to exactly touching x
            fc.tuple(fc.integer({ min: 1, max: 10000 - x }), size).map(([y, s]) => ({ book: [y, s] as [number, number] })),
            // trades hitting bids at our price (consume the queue) or above it
            fc.tuple(fc.integer({ min: x, max: 9999 }), fc.integer({ min: 1, max: q })).map(([t, s]) => ({ own: [t, s] as [number, number] })),
            // trades lifting asks at or above our price (touch or not reaching)
            fc.tuple(fc.integer({ min: x, max: 9999 }), size).map(([t, s]) => ({ contra: [t, s] as [number, number] })),
          ),
          { maxLength: 40 },
        ),
      }),
    );
  fc.assert(
    fc.property(scenario, ({ x, q, events }) => {
      const ex = new PaperExchange({ fee: () => 0 });
      ex.onBook(book([[x, q]], [[10000 - x - 1, 10]]), 0);
      assert.equal(ex.place(intent('a', 'buy', x, 100), 0).order.status, 'resting');
      let atPrice = 0;
      for (const e of events) {
        let out: PaperEvent[];
        if ('book' in e) out = ex.onBook(book([[x, q]], [e.book]), 1);
        else if ('own' in e) {
          const [t, s] = e.own;
          if (t === x) {
            if (atPrice + s > q) continue; // keep total at-price volume within the queue ahead
            atPrice += s;
          }
          out = ex.onTrade({ ticker: T, tradeId: 'x', price: t, size: s, takerSide: 'no', tsMs: 1 }, 1);
        } else {
          const [t, s] = e.contra;
          out = ex.onTrade({ ticker: T, tradeId: 'x', price: t, size: s, takerSide: 'yes', tsMs: 1 }, 1);
        }
        assert.deepEqual(out.filter((ev) => ev.type === 'fill'), []);
      }
      assert.equal(ex.order('a')!.filled, 0);
    }),
    { numRuns: 300, seed: 7 },
  );
});
