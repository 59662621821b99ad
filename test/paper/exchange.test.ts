import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PaperExchange } from '../../src/core/paper/exchange.ts';
import type { PaperEvent, PaperFill } from '../../src/core/paper/types.ts';
import { book, intent, trade, zeroFee, T } from './helpers.ts';

const fills = (events: PaperEvent[]): PaperFill[] =>
  events.flatMap((e) => (e.type === 'fill' ? [e.fill] : []));
const filledSize = (events: PaperEvent[]) => fills(events).reduce((a, f) => a + f.size, 0);

/** YES bid 50¢ × 3 contracts displayed, YES ask 51¢ (NO bid 49¢) × 2. */
const base = () => book([[5000, 300]], [[4900, 200]]);

function exchangeWith(b = base()) {
  const ex = new PaperExchange({ fee: zeroFee });
  ex.onBook(b, 0);
  return ex;
}

test('never fills on touch: contra best at our price, or a trade against it at our price', () => {
  const ex = exchangeWith();
  const { order } = ex.place(intent('a', 'buy', 5000, 100), 1);
  assert.equal(order.status, 'resting');
  assert.equal(ex.queueAhead('a'), 300);
  // The ask comes down to exactly our bid: a touch.
  assert.deepEqual(ex.onBook(book([[5000, 300]], [[5000, 500]]), 2), []);
  // A taker lifts that ask at exactly our price: still a touch for us.
  assert.deepEqual(ex.onTrade(trade(5000, 500, 'yes'), 3), []);
  // Trades hitting bids at our price while the queue ahead is not consumed: nothing.
  assert.deepEqual(ex.onTrade(trade(5000, 299, 'no'), 4), []);
  assert.equal(ex.queueAhead('a'), 1);
  // Trades elsewhere never reach us.
  assert.deepEqual(ex.onTrade(trade(5100, 1000, 'no'), 5), []);
  assert.deepEqual(ex.onTrade(trade(5100, 1000, 'yes'), 5), []);
  assert.equal(ex.order('a')!.filled, 0);
});

test('fills at our price only beyond the queue ahead, partially, then completes', () => {
  const ex = exchangeWith();
  ex.place(intent('a', 'buy', 5000, 100), 1);
  // 300 ahead; a 340 trade at our price leaves 40 for us.
  const ev = ex.onTrade(trade(5000, 340, 'no'), 2);
  assert.equal(filledSize(ev), 40);
  const f = fills(ev)[0]!;
  assert.equal(f.cause, 'trade_at_price');
  assert.equal(f.price, 5000);
  assert.equal(ex.order('a')!.status, 'resting');
  assert.equal(ex.order('a')!.filled, 40);
  assert.equal(ex.queueAhead('a'), 0);
  // Next trade at our price fills the rest (60 of 100 traded), and no more.
  const ev2 = ex.onTrade(trade(5000, 100, 'no'), 3);
  assert.equal(filledSize(ev2), 60);
  const o = ex.order('a')!;
  assert.equal(o.status, 'executed');
  assert.equal(o.filled, 100);
  assert.deepEqual(ex.openOrders(), []);
  assert.deepEqual(ex.onTrade(trade(4000, 1000, 'no'), 4), []);
});

test('a trade through our price fills up to its size, whatever the queue', () => {
  const ex = exchangeWith();
  ex.place(intent('a', 'buy', 5000, 100), 1);
  const ev = ex.onTrade(trade(4990, 30, 'no'), 2);
  assert.equal(filledSize(ev), 30);
  assert.equal(fills(ev)[0]!.cause, 'trade_through');
  assert.equal(fills(ev)[0]!.price, 5000, 'a maker is filled at its own price, not the trade price');
  assert.equal(ex.queueAhead('a'), 0);
});

test('sell side mirrors the buy side (NO-leg queue, YES trades above our ask)', () => {
  // YES bid 48¢; NO bid 48¢ ⇒ YES ask 52¢ with 100 displayed. We offer YES at 52¢ behind it.
  const ex = exchangeWith(book([[4800, 500]], [[4800, 100]]));
  ex.place(intent('s', 'sell', 5200, 100), 1);
  assert.equal(ex.queueAhead('s'), 100);
  // A taker buys YES at 52¢ (lifting the NO bid at 48¢): 100 ahead, 50 for us.
  assert.equal(filledSize(ex.onTrade(trade(5200, 150, 'yes'), 2)), 50);
  // Taker sells YES at 52¢ against YES bids: not our side — nothing.
  assert.deepEqual(ex.onTrade(trade(5200, 999, 'no'), 3), []);
  // A YES trade at 53¢ (taker bought above our ask) is through.
  const ev = ex.onTrade(trade(5300, 20, 'yes'), 4);
  assert.equal(filledSize(ev), 20);
  assert.equal(fills(ev)[0]!.price, 5200);
  // The YES bid rising past our ask (to 53¢) crosses us: fills from its displayed size.
  const ev2 = ex.onBook(book([[5300, 10], [4800, 500]], [[4700, 100]]), 5);
  assert.equal(filledSize(ev2), 10);
  assert.equal(fills(ev2)[0]!.cause, 'book_cross');
  assert.equal(ex.order('s')!.filled, 80);
});

test('the opposite best moving past our price fills from its depth, once per crossing episode', () => {
  const ex = exchangeWith();
  ex.place(intent('a', 'buy', 5000, 100), 1);
  // YES ask 49¢ (NO bid 51¢) × 30 and 49.5¢ (NO 50.5¢) × 20: 50 past our bid, 10 at exactly it (NO 50¢).
  const crossed = book([[4800, 100]], [[5100, 30], [5050, 20], [5000, 10]]);
  const ev = ex.onBook(crossed, 2);
  assert.equal(filledSize(ev), 50);
  assert.ok(fills(ev).every((f) => f.cause === 'book_cross' && f.price === 5000));
  // The same book again must not fill again from the same displayed contracts.
  assert.deepEqual(ex.onBook(crossed, 3), []);
  // More depth past us: only the increment.
  assert.equal(filledSize(ex.onBook(book([[4800, 100]], [[5100, 45], [5050, 20]]), 4)), 15);
  // A trade against that crossing liquidity was already counted from the book.
  assert.deepEqual(ex.onTrade(trade(4900, 30, 'yes'), 5), []);
  // The book uncrosses, then crosses again: a new episode.
  assert.deepEqual(ex.onBook(book([[4800, 100]], [[4900, 100]]), 6), []);
  assert.equal(filledSize(ex.onBook(book([[4800, 100]], [[5200, 100]]), 7)), 35);
  assert.equal(ex.order('a')!.status, 'executed');
});

test('a trade against contra liquidity past our price (no book seen crossed) fills', () => {
  const ex = exchangeWith();
  ex.place(intent('a', 'buy', 5000, 100), 1);
  const ev = ex.onTrade(trade(4950, 25, 'yes'), 2);
  assert.equal(filledSize(ev), 25);
  assert.equal(fills(ev)[0]!.cause, 'trade_through');
});

test('post-only: an order that would cross the book is rejected like the exchange does', () => {
  const ex = exchangeWith(); // YES bid 50¢, YES ask 51¢
  const buy = ex.place(intent('b', 'buy', 5100, 100), 1);
  assert.equal(buy.order.status, 'rejected');
  assert.equal(buy.order.reason, 'post only cross');
  assert.deepEqual(buy.events.map((e) => e.type), ['rejected']);
  const sell = ex.place(intent('s', 'sell', 5000, 100), 1);
  assert.equal(sell.order.reason, 'post only cross');
  // Inside the spread is fine on both sides.
  assert.equal(ex.place(intent('b2', 'buy', 5050, 100), 1).order.status, 'resting');
  assert.equal(ex.place(intent('s2', 'sell', 5060, 100), 1).order.status, 'resting');
  // Unknown market (no book), bad price or size: rejected with a reason.
  assert.equal(ex.place(intent('x', 'buy', 5000, 100, 'OTHER'), 1).order.reason, 'no book');
  assert.equal(ex.place(intent('p', 'buy', 0, 100), 1).order.reason, 'invalid price');
  assert.equal(ex.place(intent('q', 'buy', 4000, 0), 1).order.reason, 'invalid size');
  assert.equal(ex.openOrders().length, 2);
});

test('place is idempotent on clientOrderId: same id → same order, never a second', () => {
  const ex = exchangeWith();
  const first = ex.place(intent('dup', 'buy', 4900, 100), 1);
  const again = ex.place(intent('dup', 'buy', 4800, 500), 2);
  assert.deepEqual(again.order, first.order);
  assert.deepEqual(again.events, []);
  assert.equal(ex.openOrders().length, 1);
  // Even after it was cancelled, the id stays taken.
  ex.cancel('dup', 'test', 3);
  assert.equal(ex.place(intent('dup', 'buy', 4900, 100), 4).order.status, 'canceled');
  assert.equal(ex.openOrders().length, 0);
});

test('cancel and cancelAll stop fills; cancelling twice is a no-op', () => {
  const ex = exchangeWith();
  ex.place(intent('a', 'buy', 4900, 100), 1);
  ex.place(intent('b', 'buy', 4800, 100), 1);
  ex.place(intent('c', 'sell', 5200, 100), 1);
  const c = ex.cancel('a', 'refresh', 2);
  assert.equal(c.order!.status, 'canceled');
  assert.equal(c.order!.reason, 'refresh');
  assert.deepEqual(c.events.map((e) => e.type), ['canceled']);
  assert.deepEqual(ex.cancel('a', 'again', 3).events, []);
  assert.equal(ex.cancel('nope', 'x', 3).order, undefined);
  const all = ex.cancelAll('freeze', 4);
  assert.equal(all.count, 2);
  assert.equal(ex.openOrders().length, 0);
  assert.deepEqual(ex.onTrade(trade(4000, 1000, 'no'), 5), []);
  assert.deepEqual(ex.onTrade(trade(6000, 1000, 'yes'), 5), []);
});

test('level shrink moves us forward pro rata; `none` never does (but ahead ≤ level always)', () => {
  for (const [mode, afterShrink, afterCollapse] of [
    ['pro_rata', 240, 30], // 350 cancelled × 240/400 ahead = 210 → 30
    ['none', 300, 50],
  ] as const) {
    const ex = new PaperExchange({ fee: zeroFee, cancelAttribution: mode });
    ex.onBook(base(), 0);
    ex.place(intent('a', 'buy', 5000, 100), 1); // 300 ahead
    ex.onBook(book([[5000, 500]], [[4900, 200]]), 2); // 200 joined behind us
    assert.equal(ex.queueAhead('a'), 300);
    ex.onBook(book([[5000, 400]], [[4900, 200]]), 3); // 100 cancelled: 300/500 of it ahead (pro rata)
    assert.equal(ex.queueAhead('a'), afterShrink, mode);
    ex.onBook(book([[5000, 50]], [[4900, 200]]), 4); // pro rata, and never more than the 50 displayed
    assert.equal(ex.queueAhead('a'), afterCollapse, mode);
  }
});

test('trades at our price shrink the level without counting as cancels as well', () => {
  const ex = exchangeWith();
  ex.place(intent('a', 'buy', 5000, 100), 1); // 300 ahead
  ex.onTrade(trade(5000, 100, 'no'), 2); // 200 ahead
  ex.onBook(book([[5000, 200]], [[4900, 200]]), 3); // the book reflects that trade: no extra credit
  assert.equal(ex.queueAhead('a'), 200);
});

test('two of our own orders on one level share the volume in time priority', () => {
  const ex = exchangeWith(book([[4900, 100]], [[4900, 200]]));
  ex.place(intent('first', 'buy', 5000, 100), 1); // empty level: nothing ahead
  ex.place(intent('second', 'buy', 5000, 100), 2);
  const ev = ex.onTrade(trade(5000, 150, 'no'), 3);
  assert.deepEqual(
    fills(ev).map((f) => [f.clientOrderId, f.size]),
    [['first', 100], ['second', 50]],
  );
  // Book cross depth is shared too: 30 past us goes to `second` only once.
  assert.equal(filledSize(ex.onBook(book([[4800, 10]], [[5100, 30]]), 4)), 30);
  assert.equal(filledSize(ex.onBook(book([[4800, 10]], [[5100, 30]]), 5)), 0);
  assert.equal(ex.order('second')!.filled, 80);
});

test('fees: each fill carries the injected maker fee of that fill', () => {
  const seen: [number, number][] = [];
  const ex = new PaperExchange({
    fee: (p, c) => {
      seen.push([p, c]);
      return 7;
    },
  });
  ex.onBook(base(), 0);
  ex.place(intent('a', 'buy', 5000, 100), 1);
  const ev = ex.onTrade(trade(4900, 40, 'no'), 2);
  assert.equal(fills(ev)[0]!.feePips, 7);
  assert.deepEqual(seen, [[5000, 40]]);
});

test('adopt re-rests a known order at the back of its level; idempotent with place', () => {
  const ex = new PaperExchange({ fee: zeroFee });
  const prev = { clientOrderId: 'r', marketTicker: T, side: 'buy' as const, price: 5000, size: 100, filled: 20, status: 'resting' as const, submittedMs: 1, updatedMs: 1 };
  ex.adopt(prev, 5);
  assert.equal(ex.queueAhead('r'), undefined, 'unknown until a book is seen');
  // At our price with unknown queue: no fill.
  assert.deepEqual(ex.onTrade(trade(5000, 1000, 'no'), 6), []);
  ex.onBook(base(), 7);
  assert.equal(ex.queueAhead('r'), 300);
  assert.equal(ex.place(intent('r', 'buy', 5000, 100), 8).order.filled, 20);
  assert.equal(filledSize(ex.onTrade(trade(5000, 400, 'no'), 9)), 80);
});
