import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PaperExchange } from '../../src/core/paper/exchange.ts';
import { microsToDollars, settlementPipsPerContract } from '../../src/core/paper/settlement.ts';
import type { PaperEvent, PaperSettlement } from '../../src/core/paper/types.ts';
import { book, intent, trade, zeroFee } from './helpers.ts';

/** Maker fee with M = 1, r = 0.0175, rounded up to $0.0001 — computed here independently of src. */
const makerFee = (p: number, c: number) => Math.ceil(0.0175 * (c / 100) * (p / 10000) * (1 - p / 10000) * 10000 - 1e-9);

const settlements = (events: PaperEvent[]): PaperSettlement[] =>
  events.flatMap((e) => (e.type === 'settled' ? [e.settlement] : []));

test('per-contract settlement values', () => {
  assert.equal(settlementPipsPerContract('buy', 5600, 'yes'), 4400);
  assert.equal(settlementPipsPerContract('buy', 5600, 'no'), -5600);
  assert.equal(settlementPipsPerContract('sell', 5600, 'yes'), -4400);
  assert.equal(settlementPipsPerContract('sell', 5600, 'no'), 5600);
});

// 2 contracts at 56¢, maker fee 0.0175 × 2 × 0.56 × 0.44 = $0.008624 → rounded up $0.0087.
const cases = [
  { side: 'buy', result: 'yes', pnl: 2 * (1 - 0.56) - 0.0087 }, //  0.8713
  { side: 'buy', result: 'no', pnl: -2 * 0.56 - 0.0087 }, //       -1.1287
  { side: 'sell', result: 'yes', pnl: 2 * (0.56 - 1) - 0.0087 }, // -0.8887
  { side: 'sell', result: 'no', pnl: 2 * 0.56 - 0.0087 }, //        1.1113
] as const;

for (const c of cases) {
  test(`settlement PnL after fees: ${c.side} YES at 0.56 × 2, result ${c.result}`, () => {
    const ex = new PaperExchange({ fee: makerFee });
    ex.onBook(book([[5500, 100]], [[4300, 100]]), 0); // YES 55¢ / 57¢
    ex.place(intent('o', c.side, 5600, 200), 1);
    ex.place(intent('unfilled', c.side, c.side === 'buy' ? 5100 : 5650, 100), 1);
    // One trade through our price fills both contracts in a single fill (one fee rounding).
    const through = c.side === 'buy' ? trade(5550, 200, 'no') : trade(5640, 200, 'yes');
    const fills = ex.onTrade(through, 2).filter((e) => e.type === 'fill');
    assert.equal(fills.length, 1);
    assert.equal(ex.order('o')!.filled, 200);
    const ev = ex.settle('KXINXU-26NOV20H1000-T6800', c.result, 3);
    const s = settlements(ev);
    const mine = s.find((x) => x.clientOrderId === 'o')!;
    assert.equal(mine.feesPips, 87);
    assert.equal(microsToDollars(mine.pnlMicros), Number(c.pnl.toFixed(6)));
    assert.equal(mine.settledSize, 200);
    // The unfilled quote is cancelled and settled at size 0 (its outcome still feeds calibration).
    const other = s.find((x) => x.clientOrderId === 'unfilled')!;
    assert.equal(other.settledSize, 0);
    assert.equal(other.pnlMicros, 0);
    assert.ok(ev.some((e) => e.type === 'canceled' && e.order.clientOrderId === 'unfilled'));
    // Settling again changes nothing; the market takes no more orders.
    assert.deepEqual(ex.settle('KXINXU-26NOV20H1000-T6800', c.result, 4), []);
    assert.equal(ex.place(intent('late', 'buy', 100, 100), 5).order.reason, 'market settled');
  });
}

test('fees are charged per fill, and partial fills settle only what filled', () => {
  const ex = new PaperExchange({ fee: makerFee });
  ex.onBook(book([[5500, 100]], [[4300, 100]]), 0);
  ex.place(intent('o', 'buy', 5600, 300), 1);
  ex.onTrade(trade(5550, 100, 'no'), 2); // 1 contract: 0.0175×0.56×0.44 = 0.004312 → 44 pips
  ex.onTrade(trade(5550, 100, 'no'), 3); // another 44 pips
  const [s] = settlements(ex.settle('KXINXU-26NOV20H1000-T6800', 'yes', 4));
  assert.equal(s!.settledSize, 200);
  assert.equal(s!.feesPips, 88);
  assert.equal(microsToDollars(s!.pnlMicros), 0.8712); // 2 × 0.44 − 0.0088
});

test('orders in other markets are untouched by a settlement', () => {
  const ex = new PaperExchange({ fee: zeroFee });
  ex.onBook(book([[5500, 100]], [[4300, 100]]), 0);
  ex.onBook(book([[5500, 100]], [[4300, 100]], 'OTHER'), 0);
  ex.place(intent('a', 'buy', 5000, 100), 1);
  ex.place(intent('b', 'buy', 5000, 100, 'OTHER'), 1);
  ex.settle('KXINXU-26NOV20H1000-T6800', 'no', 2);
  assert.deepEqual(ex.openOrders().map((o) => o.clientOrderId), ['b']);
});

test('makerFeeFromSchedule: no maker fee on plain quadratic; 0.0175 with maker fees', async () => {
  const { makerFeeFromSchedule } = await import('../../src/core/paper/fees.ts');
  assert.equal(makerFeeFromSchedule({ feeType: 'quadratic', multiplier: 1 })(5600, 200, 'maker', 'X'), 0);
  // 0.0175 × 2 × 0.56 × 0.44 = 0.008624 → 0.0087
  assert.equal(makerFeeFromSchedule({ feeType: 'quadratic_with_maker_fees', multiplier: 1 })(5600, 200, 'maker', 'X'), 87);
  assert.equal(makerFee(5600, 200), 87);
});
