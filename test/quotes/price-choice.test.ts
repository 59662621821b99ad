/**
 * The out-of-reach bounds of price-choice.ts: when `buyOutOfReach` / `sellOutOfReach` say a side cannot clear
 * its bar, `buyPrice` / `sellPrice` never find a price that does — on books and model probabilities placed
 * within a pip or two of every price the side could take (the bounds are meant to be exact, not generous).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { PriceRange } from '../../src/core/market.ts';
import { feeRule } from '../../src/core/fees.ts';
import { newPricedSide } from '../../src/core/quotes/ev-bar.ts';
import { aboveBidOf, belowAskOf, buyOutOfReach, buyPrice, sellOutOfReach, sellPrice } from '../../src/core/quotes/price-choice.ts';
import { newTopScan } from '../../src/core/quotes/top-of-book.ts';
import { snapDown, snapUp } from '../../src/core/quotes/grid.ts';

const band = fc.oneof(
  { weight: 2, arbitrary: fc.constant<PriceRange>({ start: 100, end: 9900, step: 100 }) },
  { weight: 3, arbitrary: fc.tuple(fc.integer({ min: 1, max: 9000 }), fc.integer({ min: 0, max: 9998 }), fc.integer({ min: 1, max: 700 })).map(([start, len, step]): PriceRange => ({ start, end: Math.min(9999, start + len), step })) },
);

test('a side out of reach of its bar is never priced to clear it (both sides, near every edge)', () => {
  const rules = [feeRule({ feeType: 'quadratic', multiplier: 1 }, 'maker'), feeRule({ feeType: 'quadratic_with_maker_fees', multiplier: 1 }, 'maker')];
  let outs = 0;
  let cleared = 0;
  fc.assert(
    fc.property(
      band,
      fc.integer({ min: 1, max: 9998 }),
      fc.integer({ min: 1, max: 3000 }),
      fc.integer({ min: 0, max: 1500 }),
      fc.constantFrom(0, 1, 2, 3, 4, 5),
      fc.integer({ min: -2, max: 2 }),
      fc.boolean(),
      fc.constantFrom(100, 300),
      (r, bid, width, bar, edge, delta, withFee, size) => {
        const ask = Math.min(10_000, bid + width);
        const grid = [r];
        const top = newTopScan();
        top.hasBid = top.hasAsk = true;
        top.bid = bid;
        top.ask = ask;
        top.bidSize = top.askSize = 100;
        const rule = rules[withFee ? 1 : 0]!;
        const aboveBid = aboveBidOf(grid, top);
        const belowAsk = belowAskOf(grid, top);
        // A price the side could take (its join or improve) or a book edge, with P(YES) putting its fee-free
        // EV within two pips of the bar.
        const buyJoin = belowAsk === undefined ? undefined : snapDown(grid, Math.min(bid, belowAsk));
        const sellJoin = aboveBid === undefined ? undefined : snapUp(grid, Math.max(ask, aboveBid));
        const nearBuy = [buyJoin, aboveBid, bid, ask - 1, buyJoin, buyJoin][edge] ?? bid;
        const nearSell = [sellJoin, belowAsk, ask, bid + 1, sellJoin, sellJoin][edge] ?? ask;
        const s = newPricedSide();
        const pBuy = Math.min(1, Math.max(0, (nearBuy + bar + delta) / 10_000));
        const buys = buyPrice(grid, pBuy, top, aboveBid, belowAsk, rule, size, bar, s);
        if (buyOutOfReach(grid, pBuy, top, bar)) {
          outs++;
          assert.equal(buys, false, `buy out of reach yet priced ${s.price} (grid ${JSON.stringify(r)}, book ${bid}/${ask}, p ${pBuy}, bar ${bar})`);
        } else if (buys) cleared++;
        const pSell = Math.min(1, Math.max(0, (nearSell - bar - delta) / 10_000));
        const sells = sellPrice(grid, pSell, top, aboveBid, belowAsk, rule, size, bar, s);
        if (sellOutOfReach(grid, pSell, top, bar)) {
          outs++;
          assert.equal(sells, false, `sell out of reach yet priced ${s.price} (grid ${JSON.stringify(r)}, book ${bid}/${ask}, p ${pSell}, bar ${bar})`);
        } else if (sells) cleared++;
      },
    ),
    { numRuns: 30_000, seed: 20 },
  );
  assert.ok(outs > 1_500 && cleared > 5_000, `out of reach ${outs}, cleared ${cleared}`);
});
