/**
 * zod schemas of the Kalshi websocket frames we read, as of late 2026 (reference §4), held against the
 * AsyncAPI of docs.kalshi.com and the `kalshi-typescript` SDK 3.30.0 (test/conformance/ lists the sources
 * field by field): optional fields may be absent and unknown extra fields are ignored. `WsFrame` is the one
 * union a frame is decoded by (ws-client.ts, ws-frames.ts). The REST bodies are rest-schemas.ts.
 */
import { z } from 'zod';
import { AmountDollars, BookSideSchema, CountFp, OrderStatusSchema, PriceDollars, SelfTradePreventionSchema, SignedCountFp } from './wire-values.ts';

const Sid = z.number().int();
const Seq = z.number().int();
const WsLevels = z.array(z.tuple([PriceDollars, CountFp]));

export const WsSubscribed = z.object({ type: z.literal('subscribed'), id: z.number().optional(), msg: z.object({ channel: z.string(), sid: Sid }) });
export const WsUnsubscribed = z.object({ type: z.literal('unsubscribed'), id: z.number().optional(), sid: Sid, seq: Seq.optional() });
export const WsOk = z.object({ type: z.literal('ok'), id: z.number().optional(), sid: Sid.optional(), seq: Seq.optional(), msg: z.unknown().optional() });
export const WsError = z.object({
  type: z.literal('error'),
  id: z.number().optional(),
  sid: Sid.optional(),
  msg: z.object({ code: z.number().int(), msg: z.string().optional(), market_ticker: z.string().optional() }),
});
export const WsOrderbookSnapshot = z.object({
  type: z.literal('orderbook_snapshot'),
  sid: Sid,
  seq: Seq,
  /** An empty side's key is absent (reference §4); null is taken to mean the same. */
  msg: z.object({ market_ticker: z.string().min(1), market_id: z.string().optional(), yes_dollars_fp: WsLevels.nullish(), no_dollars_fp: WsLevels.nullish() }),
});
export const WsOrderbookDelta = z.object({
  type: z.literal('orderbook_delta'),
  sid: Sid,
  seq: Seq,
  msg: z.object({
    market_ticker: z.string().min(1),
    market_id: z.string().optional(),
    price_dollars: PriceDollars,
    delta_fp: SignedCountFp,
    side: z.enum(['yes', 'no']),
    client_order_id: z.string().optional(),
    ts_ms: z.number().optional(),
  }),
});
export const WsTicker = z.object({
  type: z.literal('ticker'),
  sid: Sid,
  seq: Seq.optional(),
  msg: z.object({
    market_ticker: z.string().min(1),
    price_dollars: PriceDollars.optional(),
    yes_bid_dollars: PriceDollars.optional(),
    yes_ask_dollars: PriceDollars.optional(),
    yes_bid_size_fp: CountFp.optional(),
    yes_ask_size_fp: CountFp.optional(),
    volume_fp: CountFp.optional(),
    open_interest_fp: CountFp.optional(),
    ts_ms: z.number().optional(),
  }),
});
export const WsTrade = z.object({
  type: z.literal('trade'),
  sid: Sid,
  seq: Seq.optional(),
  msg: z.object({
    trade_id: z.string().min(1),
    market_ticker: z.string().min(1),
    yes_price_dollars: PriceDollars,
    no_price_dollars: PriceDollars.optional(),
    count_fp: CountFp,
    taker_outcome_side: z.enum(['yes', 'no']),
    taker_book_side: BookSideSchema.optional(),
    ts_ms: z.number(),
  }),
});
export const WsFill = z.object({
  type: z.literal('fill'),
  sid: Sid,
  seq: Seq.optional(),
  msg: z.object({
    trade_id: z.string().min(1),
    order_id: z.string().min(1),
    market_ticker: z.string().min(1),
    is_taker: z.boolean(),
    yes_price_dollars: PriceDollars,
    count_fp: CountFp,
    /** Up to 6 decimals ("0.010097"); never a grid price. */
    fee_cost: AmountDollars,
    outcome_side: z.enum(['yes', 'no']),
    book_side: BookSideSchema,
    post_position_fp: SignedCountFp.optional(),
    client_order_id: z.string().optional(),
    ts_ms: z.number(),
  }),
});
export const WsUserOrder = z.object({
  type: z.literal('user_order'),
  sid: Sid,
  seq: Seq.optional(),
  msg: z.object({
    order_id: z.string().min(1),
    ticker: z.string().min(1),
    status: OrderStatusSchema,
    outcome_side: z.enum(['yes', 'no']).optional(),
    book_side: BookSideSchema,
    yes_price_dollars: PriceDollars,
    fill_count_fp: CountFp,
    remaining_count_fp: CountFp,
    initial_count_fp: CountFp,
    client_order_id: z.string().optional(),
    self_trade_prevention_type: SelfTradePreventionSchema.nullish(),
    created_ts_ms: z.number().optional(),
    last_updated_ts_ms: z.number().optional(),
  }),
});
export const WsLifecycle = z.object({
  type: z.literal('market_lifecycle_v2'),
  sid: Sid,
  seq: Seq.optional(),
  msg: z.object({
    market_ticker: z.string().min(1),
    event_type: z.enum(['created', 'activated', 'deactivated', 'close_date_updated', 'determined', 'settled', 'price_level_structure_updated', 'metadata_updated']),
    open_ts: z.number().optional(),
    close_ts: z.number().optional(),
    result: z.string().optional(),
    settlement_value: AmountDollars.optional(),
    determination_ts: z.number().optional(),
    settled_ts: z.number().optional(),
    is_deactivated: z.boolean().optional(),
  }),
});

export const WsFrame = z.discriminatedUnion('type', [
  WsSubscribed,
  WsUnsubscribed,
  WsOk,
  WsError,
  WsOrderbookSnapshot,
  WsOrderbookDelta,
  WsTicker,
  WsTrade,
  WsFill,
  WsUserOrder,
  WsLifecycle,
]);
export type WsFrameT = z.infer<typeof WsFrame>;
