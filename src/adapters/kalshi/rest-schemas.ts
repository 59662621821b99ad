/**
 * zod schemas of the Kalshi REST response bodies we read, as of late 2026 (reference §3), held against
 * Kalshi's official definitions: the generated models of the `kalshi-typescript` SDK 3.30.0
 * (`node_modules/kalshi-typescript/models/*.ts`) and the per-operation OpenAPI fragments of docs.kalshi.com
 * (test/conformance/ lists the sources field by field). Everything those definitions allow is accepted:
 * optional fields may be absent, nullable ones null (`.nullish()`), and unknown extra fields are ignored
 * (objects strip them). The websocket frames are ws-schemas.ts; the decimals both use, wire-values.ts.
 */
import { z } from 'zod';
import { AmountDollars, BookSideSchema, CountFp, OrderStatusSchema, PriceDollars, SelfTradePreventionSchema, SignedAmountDollars, SignedCountFp } from './wire-values.ts';

const IsoTime = z.string().min(1);
const NullableIso = IsoTime.nullish();

export const StrikeTypeSchema = z.enum(['greater', 'greater_or_equal', 'less', 'less_or_equal', 'between', 'functional', 'custom', 'structured']);
export const MarketStatusSchema = z.enum(['initialized', 'inactive', 'active', 'closed', 'determined', 'disputed', 'amended', 'finalized']);

export const PriceRangeSchema = z.object({ start: PriceDollars, end: PriceDollars, step: PriceDollars });

export const MarketSchema = z.object({
  ticker: z.string().min(1),
  event_ticker: z.string().min(1),
  market_type: z.string().optional(),
  title: z.string().optional(),
  yes_sub_title: z.string().optional(),
  no_sub_title: z.string().optional(),
  open_time: IsoTime,
  close_time: IsoTime,
  expected_expiration_time: NullableIso,
  latest_expiration_time: IsoTime.optional(),
  settlement_timer_seconds: z.number().int().nonnegative().optional(),
  status: MarketStatusSchema,
  yes_bid_dollars: PriceDollars.optional(),
  yes_bid_size_fp: CountFp.optional(),
  yes_ask_dollars: PriceDollars.optional(),
  yes_ask_size_fp: CountFp.optional(),
  no_bid_dollars: PriceDollars.optional(),
  no_ask_dollars: PriceDollars.optional(),
  last_price_dollars: PriceDollars.optional(),
  volume_fp: CountFp.optional(),
  open_interest_fp: CountFp.optional(),
  notional_value_dollars: AmountDollars.optional(),
  result: z.enum(['yes', 'no', 'scalar', '']).optional(),
  can_close_early: z.boolean().optional(),
  /** Nullable in the OpenAPI Market schema (absent or null until determined). */
  settlement_value_dollars: AmountDollars.nullish(),
  settlement_ts: NullableIso,
  strike_type: StrikeTypeSchema.optional(),
  floor_strike: z.number().nullish(),
  cap_strike: z.number().nullish(),
  rules_primary: z.string().optional(),
  price_level_structure: z.string().optional(),
  price_ranges: z.array(PriceRangeSchema),
  exchange_index: z.number().int().optional(),
});
export type WireMarket = z.infer<typeof MarketSchema>;

export const FeeTypeSchema = z.string().min(1);

export const EventSchema = z.object({
  event_ticker: z.string().min(1),
  series_ticker: z.string().min(1),
  title: z.string().optional(),
  sub_title: z.string().optional(),
  mutually_exclusive: z.boolean().optional(),
  strike_date: NullableIso,
  strike_period: z.string().nullish(),
  markets: z.array(MarketSchema).optional(),
  fee_type_override: FeeTypeSchema.nullish(),
  fee_multiplier_override: z.number().nullish(),
  exchange_index: z.number().int().optional(),
});
export type WireEvent = z.infer<typeof EventSchema>;

const Cursor = z.string().nullish();

export const GetEventsResponse = z.object({ events: z.array(EventSchema), cursor: Cursor });
export const GetEventResponse = z.object({ event: EventSchema, markets: z.array(MarketSchema).optional() });
export const GetMarketsResponse = z.object({ markets: z.array(MarketSchema), cursor: Cursor });
export const GetMarketResponse = z.object({ market: MarketSchema });

export const SeriesSchema = z.object({
  ticker: z.string().min(1),
  frequency: z.string().optional(),
  title: z.string().optional(),
  fee_type: FeeTypeSchema,
  fee_multiplier: z.number().nonnegative(),
  contract_terms_url: z.string().optional(),
});
export type WireSeries = z.infer<typeof SeriesSchema>;
export const GetSeriesResponse = z.object({ series: SeriesSchema });

export const ExchangeStatusSchema = z.object({
  exchange_active: z.boolean(),
  trading_active: z.boolean(),
  intra_exchange_transfers_active: z.boolean().optional(),
  exchange_estimated_resume_time: NullableIso,
  exchange_index_statuses: z
    .array(z.object({ exchange_index: z.number().int(), description: z.string().optional(), exchange_active: z.boolean(), trading_active: z.boolean() }))
    .optional(),
});
export type WireExchangeStatus = z.infer<typeof ExchangeStatusSchema>;

const Hhmm = z.string().regex(/^\d{2}:\d{2}$/);
const DailySessions = z.array(z.object({ open_time: Hhmm, close_time: Hhmm }));
export const ExchangeScheduleResponse = z.object({
  schedule: z.object({
    standard_hours: z.array(
      z.object({
        start_time: IsoTime,
        end_time: IsoTime,
        monday: DailySessions,
        tuesday: DailySessions,
        wednesday: DailySessions,
        thursday: DailySessions,
        friday: DailySessions,
        saturday: DailySessions,
        sunday: DailySessions,
      }),
    ),
    maintenance_windows: z.array(z.object({ start_datetime: IsoTime, end_datetime: IsoTime })),
  }),
});
export type WireExchangeSchedule = z.infer<typeof ExchangeScheduleResponse>['schedule'];

/** `[[price_dollars, count_fp], …]`, ascending, best bid LAST. */
const BookLevels = z.array(z.tuple([PriceDollars, CountFp]));
/** A side with no resting orders may come as `[]`, `null` or not at all; all three mean "empty". */
const BookSideLevels = BookLevels.nullish().transform((v) => v ?? []);
export const OrderbookFpSchema = z.object({ yes_dollars: BookSideLevels, no_dollars: BookSideLevels });
export const GetOrderbookResponse = z.object({ orderbook_fp: OrderbookFpSchema });
export const GetOrderbooksResponse = z.object({ orderbooks: z.array(z.object({ ticker: z.string().min(1), orderbook_fp: OrderbookFpSchema })) });
export type WireOrderbookFp = z.infer<typeof OrderbookFpSchema>;

export const OrderSchema = z.object({
  order_id: z.string().min(1),
  user_id: z.string().optional(),
  client_order_id: z.string(),
  ticker: z.string().min(1),
  outcome_side: z.enum(['yes', 'no']),
  book_side: BookSideSchema,
  type: z.string().optional(),
  status: OrderStatusSchema,
  yes_price_dollars: PriceDollars,
  no_price_dollars: PriceDollars.optional(),
  fill_count_fp: CountFp,
  remaining_count_fp: CountFp,
  initial_count_fp: CountFp,
  taker_fill_cost_dollars: AmountDollars.optional(),
  maker_fill_cost_dollars: AmountDollars.optional(),
  taker_fees_dollars: AmountDollars.optional(),
  maker_fees_dollars: AmountDollars.optional(),
  expiration_time: NullableIso,
  created_time: NullableIso,
  last_update_time: NullableIso,
  /** `nullable: true` and always sent (OpenAPI Order): null for orders entered without one. */
  self_trade_prevention_type: SelfTradePreventionSchema.nullish(),
  cancel_order_on_pause: z.boolean().optional(),
  exchange_index: z.number().int().optional(),
});
export type WireOrder = z.infer<typeof OrderSchema>;
export const GetOrdersResponse = z.object({ orders: z.array(OrderSchema), cursor: Cursor });
export const GetOrderResponse = z.object({ order: OrderSchema });

export const CreateOrderV2Response = z.object({
  order_id: z.string().min(1),
  client_order_id: z.string().nullish(),
  fill_count: CountFp,
  remaining_count: CountFp,
  /** Averages are amounts (up to 6 decimals), not grid prices. */
  average_fill_price: AmountDollars.nullish(),
  average_fee_paid: AmountDollars.nullish(),
  ts_ms: z.number(),
});
export type WireCreateOrderV2Response = z.infer<typeof CreateOrderV2Response>;

export const CancelOrderV2Response = z.object({
  order_id: z.string().min(1),
  client_order_id: z.string().nullish(),
  reduced_by: CountFp,
  ts_ms: z.number(),
});
export type WireCancelOrderV2Response = z.infer<typeof CancelOrderV2Response>;

export const AmendOrderV2Response = z.object({
  order_id: z.string().min(1),
  client_order_id: z.string().nullish(),
  remaining_count: CountFp.nullish(),
  fill_count: CountFp.nullish(),
  average_fill_price: AmountDollars.nullish(),
  average_fee_paid: AmountDollars.nullish(),
  ts_ms: z.number(),
});
export const DecreaseOrderV2Response = z.object({
  order_id: z.string().min(1),
  client_order_id: z.string().nullish(),
  remaining_count: CountFp,
  ts_ms: z.number(),
});

export const ErrorBodySchema = z.object({ code: z.string().optional(), message: z.string().optional(), details: z.string().optional() });
export const BatchCreateOrdersV2Response = z.object({
  orders: z.array(
    z.object({
      order_id: z.string().nullish(),
      client_order_id: z.string().nullish(),
      fill_count: CountFp.nullish(),
      remaining_count: CountFp.nullish(),
      average_fill_price: AmountDollars.nullish(),
      average_fee_paid: AmountDollars.nullish(),
      ts_ms: z.number().nullish(),
      error: ErrorBodySchema.nullish(),
    }),
  ),
});
export const BatchCancelOrdersV2Response = z.object({
  orders: z.array(
    z.object({
      order_id: z.string(),
      client_order_id: z.string().nullish(),
      reduced_by: CountFp,
      ts_ms: z.number().nullish(),
      error: ErrorBodySchema.nullish(),
    }),
  ),
});

export const FillSchema = z.object({
  fill_id: z.string().min(1),
  trade_id: z.string().min(1),
  order_id: z.string().min(1),
  ticker: z.string().optional(),
  market_ticker: z.string().min(1),
  outcome_side: z.enum(['yes', 'no']),
  book_side: BookSideSchema,
  count_fp: CountFp,
  yes_price_dollars: PriceDollars,
  no_price_dollars: PriceDollars.optional(),
  is_taker: z.boolean(),
  created_time: IsoTime.optional(),
  /** Net fee of the fill: trade fee + rounding fee − rebate, up to 6 decimals ("0.010097"). */
  fee_cost: AmountDollars,
  ts: z.number().optional(),
});
export type WireFill = z.infer<typeof FillSchema>;
export const GetFillsResponse = z.object({ fills: z.array(FillSchema), cursor: Cursor });

export const MarketPositionSchema = z.object({
  ticker: z.string().min(1),
  position_fp: SignedCountFp,
  market_exposure_dollars: AmountDollars.optional(),
  realized_pnl_dollars: SignedAmountDollars.optional(),
  fees_paid_dollars: AmountDollars.optional(),
  total_traded_dollars: AmountDollars.optional(),
  last_updated_ts: z.string().optional(),
});
export const GetPositionsResponse = z.object({
  market_positions: z.array(MarketPositionSchema),
  event_positions: z.array(z.object({ event_ticker: z.string() }).loose()).optional(),
  cursor: Cursor,
});

export const GetBalanceResponse = z.object({
  balance: z.number().int(),
  balance_dollars: SignedAmountDollars.optional(),
  portfolio_value: z.number().int().optional(),
  updated_ts: z.number().optional(),
});

/** Error bodies: `{error:{code,message,details}}`, or the 429 string form `{error:"too many requests"}`. */
export const ErrorResponseSchema = z.object({ error: z.union([z.string(), ErrorBodySchema]) });
