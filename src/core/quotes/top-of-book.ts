/**
 * Best YES bid / ask a quoter may use. Our own resting orders are removed first: otherwise "join the best
 * bid" would join ourselves and "improve by one tick" would ratchet our own price on every refresh.
 * A level of size 0 means "size not reported" (REST market summaries) and always counts as present.
 */
import type { Market, OrderBook } from '../market.ts';
import { PIPS_PER_DOLLAR, type CentiContracts, type Pips } from '../units.ts';
import type { YesSide } from '../orders.ts';

export interface TopOfBook {
  bid?: Pips;
  bidSize?: CentiContracts;
  ask?: Pips;
  askSize?: CentiContracts;
}

export interface OwnOrder {
  marketTicker: string;
  side: YesSide;
  price: Pips;
  size: CentiContracts;
}

export function topOfBook(book: OrderBook | undefined, own: readonly OwnOrder[] = []): TopOfBook {
  return topOfScan(scanTop(book, own, newTopScan()));
}

/** A scan's top of book as the optional-field record (an empty side has no fields). */
export function topOfScan(s: TopScan): TopOfBook {
  const top: TopOfBook = {};
  if (s.hasBid) {
    top.bid = s.bid;
    top.bidSize = s.bidSize;
  }
  if (s.hasAsk) {
    top.ask = s.ask;
    top.askSize = s.askSize;
  }
  return top;
}

/** The top of book in fixed fields (`has*` false: that side is empty), for a caller that reuses one per ladder. */
export interface TopScan {
  hasBid: boolean;
  bid: Pips;
  bidSize: CentiContracts;
  hasAsk: boolean;
  ask: Pips;
  askSize: CentiContracts;
}

export const newTopScan = (): TopScan => ({ hasBid: false, bid: 0, bidSize: 0, hasAsk: false, ask: 0, askSize: 0 });

/** `topOfBook` into `out` (overwritten; returned): selection scans every market of a ladder on every refresh. */
export function scanTop(book: OrderBook | undefined, own: readonly OwnOrder[], out: TopScan): TopScan {
  out.hasBid = out.hasAsk = false;
  if (!book) return out;
  for (const l of book.yesBids) {
    let size = l.size;
    for (const o of own) if (o.side === 'buy' && o.price === l.price && o.marketTicker === book.ticker) size -= o.size;
    if (size > 0 || l.size === 0) {
      out.hasBid = true;
      out.bid = l.price;
      out.bidSize = Math.max(0, size);
      break;
    }
  }
  for (const l of book.noBids) {
    const yesAsk = PIPS_PER_DOLLAR - l.price;
    let size = l.size;
    for (const o of own) if (o.side === 'sell' && o.price === yesAsk && o.marketTicker === book.ticker) size -= o.size;
    if (size > 0 || l.size === 0) {
      out.hasAsk = true;
      out.ask = yesAsk;
      out.askSize = Math.max(0, size);
      break;
    }
  }
  return out;
}

/**
 * A one-level book from a market's REST summary (`yes_bid_dollars` / `yes_ask_dollars`). The exchange
 * reports "no bid" as 0 and "no ask" as $1, which are dropped here.
 */
export function bookFromMarket(m: Market, tsMs = 0): OrderBook {
  const yesBids = m.yesBid !== undefined && m.yesBid > 0 ? [{ price: m.yesBid, size: m.yesBidSize ?? 0 }] : [];
  const noBids =
    m.yesAsk !== undefined && m.yesAsk < PIPS_PER_DOLLAR ? [{ price: PIPS_PER_DOLLAR - m.yesAsk, size: m.yesAskSize ?? 0 }] : [];
  return { ticker: m.ticker, yesBids, noBids, tsMs };
}
