/** Small builders for paper-exchange tests: books and trades in pips / centi-contracts. */
import type { OrderBook, Trade } from '../../src/core/market.ts';
import type { OrderIntent, YesSide } from '../../src/ports/broker.ts';

export const T = 'KXINXU-26NOV20H1000-T6800';

/** Levels given as [price, size] pairs, best first. */
export function book(yesBids: [number, number][], noBids: [number, number][], ticker = T, tsMs = 0): OrderBook {
  return {
    ticker,
    yesBids: yesBids.map(([price, size]) => ({ price, size })),
    noBids: noBids.map(([price, size]) => ({ price, size })),
    tsMs,
  };
}

let tradeSeq = 0;
export function trade(price: number, size: number, takerSide: 'yes' | 'no', ticker = T): Trade {
  return { ticker, tradeId: `t${++tradeSeq}`, price, size, takerSide, tsMs: 0 };
}

export function intent(id: string, side: YesSide, price: number, size: number, ticker = T): OrderIntent {
  return { clientOrderId: id, marketTicker: ticker, side, price, size, postOnly: true };
}

export const zeroFee = () => 0;
