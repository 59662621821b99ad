/**
 * Decoding of the Kalshi websocket's data frames (reference §4), already validated by `S.WsFrame`, into the
 * venue stream's events: ticker, trade, fill, user_order, market_lifecycle_v2 (books are ws-books.ts's).
 * Pure but for `now`, read only for a frame that carries no timestamp of its own.
 */
import type { LifecycleKind, VenueStreamEvent } from '../../ports/venue.ts';
import { parseCount, parseDollars, parseMicros, type Pips } from '../../core/units.ts';
import { settlementPips, toTrade } from './convert.ts';
import type * as S from './schemas.ts';

export type WsChannel = 'orderbook_delta' | 'ticker' | 'trade' | 'fill' | 'user_orders' | 'market_lifecycle_v2';

/** Channel (for counters and logs) of each frame type we consume; command replies count as `control`. */
export const CHANNEL_OF_TYPE: Readonly<Record<string, WsChannel | 'control'>> = {
  subscribed: 'control',
  unsubscribed: 'control',
  ok: 'control',
  error: 'control',
  orderbook_snapshot: 'orderbook_delta',
  orderbook_delta: 'orderbook_delta',
  ticker: 'ticker',
  trade: 'trade',
  fill: 'fill',
  user_order: 'user_orders',
  market_lifecycle_v2: 'market_lifecycle_v2',
};
export const ONE: Pips = 10_000;

export interface KalshiWsStats {
  connects: number;
  disconnects: number;
  /** Text frames received. */
  frames: number;
  seqGaps: number;
  resyncs: number;
  resubscribes: number;
  /** Frames that were not JSON, not a documented shape, or whose handler failed; all skipped. */
  rejectedFrames: number;
  /** The same per channel (`orderbook_delta`, `fill`, …; `control` for command replies, `unknown` without a type). */
  rejectedByChannel: Record<string, number>;
  /** Well-formed frames of types we do not consume. */
  ignoredFrames: number;
}

const LIFECYCLE_KINDS: LifecycleKind[] = ['created', 'activated', 'deactivated', 'close_date_updated', 'determined', 'settled'];

/** The event a ticker, trade, fill, user_order or lifecycle frame stands for; undefined for any other frame. */
export function eventOfFrame(f: S.WsFrameT, now: () => number): VenueStreamEvent | undefined {
  switch (f.type) {
    case 'ticker':
      return {
        kind: 'ticker',
        top: {
          ticker: f.msg.market_ticker,
          yesBid: nonZero(f.msg.yes_bid_dollars),
          yesAsk: f.msg.yes_ask_dollars !== undefined && parseDollars(f.msg.yes_ask_dollars) < ONE ? parseDollars(f.msg.yes_ask_dollars) : undefined,
          lastPrice: nonZero(f.msg.price_dollars),
          tsMs: f.msg.ts_ms ?? now(),
        },
      };
    case 'trade':
      return { kind: 'trade', trade: toTrade(f.msg) };
    case 'fill':
      return {
        kind: 'fill',
        fill: {
          tradeId: f.msg.trade_id,
          orderId: f.msg.order_id,
          clientOrderId: f.msg.client_order_id,
          ticker: f.msg.market_ticker,
          side: f.msg.book_side === 'bid' ? 'buy' : 'sell',
          price: parseDollars(f.msg.yes_price_dollars),
          size: parseCount(f.msg.count_fp),
          isTaker: f.msg.is_taker,
          feeMicros: parseMicros(f.msg.fee_cost),
          tsMs: f.msg.ts_ms,
        },
      };
    case 'user_order':
      return {
        kind: 'order',
        order: {
          orderId: f.msg.order_id,
          clientOrderId: f.msg.client_order_id,
          ticker: f.msg.ticker,
          side: f.msg.book_side === 'bid' ? 'buy' : 'sell',
          price: parseDollars(f.msg.yes_price_dollars),
          status: f.msg.status,
          filled: parseCount(f.msg.fill_count_fp),
          remaining: parseCount(f.msg.remaining_count_fp),
          tsMs: f.msg.last_updated_ts_ms ?? now(),
        },
      };
    case 'market_lifecycle_v2': {
      const kind = (LIFECYCLE_KINDS as string[]).includes(f.msg.event_type) ? (f.msg.event_type as LifecycleKind) : 'other';
      const tsS = f.msg.settled_ts ?? f.msg.determination_ts;
      return {
        kind: 'lifecycle',
        update: {
          ticker: f.msg.market_ticker,
          kind,
          closeTimeMs: f.msg.close_ts !== undefined ? f.msg.close_ts * 1000 : undefined,
          result: f.msg.result === 'yes' || f.msg.result === 'no' ? f.msg.result : undefined,
          settlementValue: settlementPips(f.msg.settlement_value),
          tsMs: tsS !== undefined ? tsS * 1000 : now(),
        },
      };
    }
    default:
      return undefined;
  }
}

export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function nonZero(d: string | undefined): Pips | undefined {
  if (d === undefined) return undefined;
  const p = parseDollars(d);
  return p > 0 ? p : undefined;
}
