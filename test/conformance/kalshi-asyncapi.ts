/**
 * The Kalshi websocket payloads we read, transcribed (field names, required / optional) from Kalshi's
 * official AsyncAPI: `asyncapi.yaml` (AsyncAPI 3.0, info.version 2.0.0) of docs.kalshi.com, as mirrored in
 * ammario/kalshi-docs @59e4f721 (2026-08-22), `components.schemas.*Payload`. The SDK has no websocket types.
 * No field of these payloads is declared nullable. Full samples carry every field, values made up.
 * Not a test file.
 */
import type { VField, VModel } from './variants.ts';

const model = (required: string[], optional: string[], refs: Record<string, string> = {}): VModel =>
  new Map<string, VField>([
    ...required.map((n): [string, VField] => [n, { optional: false, nullable: false, refs: refs[n] ? [refs[n]!] : [] }]),
    ...optional.map((n): [string, VField] => [n, { optional: true, nullable: false, refs: refs[n] ? [refs[n]!] : [] }]),
  ]);

export const WS_MODELS: Record<string, VModel> = {
  subscribedResponsePayload: model(['type', 'msg'], ['id'], { msg: 'subscribedMsg' }),
  subscribedMsg: model(['channel', 'sid'], []),
  unsubscribedResponsePayload: model(['sid', 'seq', 'type'], ['id']),
  okResponsePayload: model(['type'], ['id', 'sid', 'seq', 'msg'], { msg: 'okMsg' }),
  okMsg: model([], ['market_tickers', 'market_ids']),
  errorResponsePayload: model(['type', 'msg'], ['id'], { msg: 'errorMsg' }),
  errorMsg: model(['code', 'msg'], ['market_id', 'market_ticker']),
  orderbookSnapshotPayload: model(['type', 'sid', 'seq', 'msg'], [], { msg: 'orderbookSnapshotMsg' }),
  orderbookSnapshotMsg: model(['market_ticker', 'market_id'], ['yes_dollars_fp', 'no_dollars_fp']),
  orderbookDeltaPayload: model(['type', 'sid', 'seq', 'msg'], [], { msg: 'orderbookDeltaMsg' }),
  orderbookDeltaMsg: model(['market_ticker', 'market_id', 'price_dollars', 'delta_fp', 'side'], ['client_order_id', 'subaccount', 'ts', 'ts_ms']),
  tickerPayload: model(['type', 'sid', 'msg'], [], { msg: 'tickerMsg' }),
  tickerMsg: model(
    ['market_ticker', 'market_id', 'price_dollars', 'yes_bid_dollars', 'yes_ask_dollars', 'yes_bid_size_fp', 'yes_ask_size_fp', 'last_trade_size_fp', 'volume_fp', 'open_interest_fp', 'dollar_volume', 'dollar_open_interest', 'ts', 'ts_ms', 'time'],
    [],
  ),
  tradePayload: model(['type', 'sid', 'msg'], [], { msg: 'tradeMsg' }),
  tradeMsg: model(['trade_id', 'market_ticker', 'yes_price_dollars', 'no_price_dollars', 'count_fp', 'taker_side', 'taker_outcome_side', 'taker_book_side', 'is_block_trade', 'ts', 'ts_ms'], []),
  fillPayload: model(['type', 'sid', 'msg'], [], { msg: 'fillMsg' }),
  fillMsg: model(
    ['trade_id', 'order_id', 'market_ticker', 'exchange_index', 'is_taker', 'side', 'yes_price_dollars', 'count_fp', 'fee_cost', 'action', 'outcome_side', 'book_side', 'ts', 'ts_ms', 'post_position_fp', 'purchased_side'],
    ['client_order_id', 'subaccount'],
  ),
  userOrderPayload: model(['type', 'sid', 'msg'], [], { msg: 'userOrderMsg' }),
  userOrderMsg: model(
    ['order_id', 'user_id', 'ticker', 'status', 'side', 'is_yes', 'outcome_side', 'book_side', 'yes_price_dollars', 'fill_count_fp', 'remaining_count_fp', 'initial_count_fp', 'taker_fill_cost_dollars', 'maker_fill_cost_dollars', 'taker_fees_dollars', 'maker_fees_dollars', 'client_order_id', 'created_time', 'created_ts_ms'],
    ['order_group_id', 'self_trade_prevention_type', 'last_update_time', 'last_updated_ts_ms', 'expiration_time', 'expiration_ts_ms', 'subaccount_number'],
  ),
  marketLifecycleV2Payload: model(['type', 'sid', 'msg'], [], { msg: 'marketLifecycleV2Msg' }),
  marketLifecycleV2Msg: model(
    ['event_type', 'market_ticker'],
    ['exchange_index', 'open_ts', 'close_ts', 'result', 'determination_ts', 'settlement_value', 'settled_ts', 'is_deactivated', 'price_level_structure', 'price_ranges', 'strike_type', 'floor_strike', 'cap_strike', 'custom_strike', 'yes_sub_title', 'additional_metadata'],
  ),
};

export const WS_TICKER = 'KXINXU-26NOV20H1100-T6800';
const MARKET_ID = '5d1e2f30-0000-4000-8000-000000000042';
const TS = 1763652300123;

/** Full samples, one per payload (the `sid` of every data frame is 7; book frames carry seq 1 / 2). */
export const WS_SAMPLES: Record<string, Record<string, unknown>> = {
  subscribedResponsePayload: { id: 1, type: 'subscribed', msg: { channel: 'orderbook_delta', sid: 7 } },
  unsubscribedResponsePayload: { id: 2, sid: 7, seq: 9, type: 'unsubscribed' },
  okResponsePayload: { id: 3, sid: 7, seq: 3, type: 'ok', msg: { market_tickers: [WS_TICKER], market_ids: [MARKET_ID] } },
  errorResponsePayload: { id: 4, type: 'error', msg: { code: 16, msg: 'Market not found', market_id: MARKET_ID, market_ticker: WS_TICKER } },
  orderbookSnapshotPayload: {
    type: 'orderbook_snapshot',
    sid: 7,
    seq: 1,
    msg: { market_ticker: WS_TICKER, market_id: MARKET_ID, yes_dollars_fp: [['0.4200', '10.00'], ['0.4300', '120.00']], no_dollars_fp: [['0.5300', '80.50']] },
  },
  orderbookDeltaPayload: {
    type: 'orderbook_delta',
    sid: 7,
    seq: 2,
    msg: { market_ticker: WS_TICKER, market_id: MARKET_ID, price_dollars: '0.4300', delta_fp: '-20.00', side: 'yes', client_order_id: 'conf-1', subaccount: 0, ts: '2026-11-20T15:25:00.123Z', ts_ms: TS },
  },
  tickerPayload: {
    type: 'ticker',
    sid: 8,
    msg: {
      market_ticker: WS_TICKER,
      market_id: MARKET_ID,
      price_dollars: '0.4500',
      yes_bid_dollars: '0.4300',
      yes_ask_dollars: '0.4700',
      yes_bid_size_fp: '120.00',
      yes_ask_size_fp: '80.50',
      last_trade_size_fp: '2.00',
      volume_fp: '1034.25',
      open_interest_fp: '512.00',
      dollar_volume: 465,
      dollar_open_interest: 230,
      ts: 1763652300,
      ts_ms: TS,
      time: '2026-11-20T15:25:00.123Z',
    },
  },
  tradePayload: {
    type: 'trade',
    sid: 9,
    msg: { trade_id: 'trade-1', market_ticker: WS_TICKER, yes_price_dollars: '0.4500', no_price_dollars: '0.5500', count_fp: '2.00', taker_side: 'yes', taker_outcome_side: 'yes', taker_book_side: 'bid', is_block_trade: false, ts: 1763652300, ts_ms: TS },
  },
  fillPayload: {
    type: 'fill',
    sid: 10,
    msg: {
      trade_id: 'trade-1',
      order_id: '0b1c2d3e-0000-4000-8000-000000000001',
      market_ticker: WS_TICKER,
      exchange_index: 0,
      is_taker: true,
      side: 'yes',
      yes_price_dollars: '0.3301',
      count_fp: '0.03',
      fee_cost: '0.010097',
      action: 'buy',
      ts: 1763652300,
      ts_ms: TS,
      client_order_id: 'conf-1',
      post_position_fp: '0.03',
      purchased_side: 'yes',
      outcome_side: 'yes',
      book_side: 'bid',
      subaccount: 0,
    },
  },
  userOrderPayload: {
    type: 'user_order',
    sid: 11,
    msg: {
      order_id: '0b1c2d3e-0000-4000-8000-000000000001',
      user_id: '0b1c2d3e-0000-4000-8000-0000000000aa',
      ticker: WS_TICKER,
      status: 'resting',
      side: 'yes',
      is_yes: true,
      outcome_side: 'yes',
      book_side: 'bid',
      yes_price_dollars: '0.3301',
      fill_count_fp: '0.03',
      remaining_count_fp: '0.97',
      initial_count_fp: '1.00',
      taker_fill_cost_dollars: '0.009903',
      maker_fill_cost_dollars: '0.000000',
      taker_fees_dollars: '0.010097',
      maker_fees_dollars: '0.0000',
      client_order_id: 'conf-1',
      order_group_id: 'group-1',
      self_trade_prevention_type: 'maker',
      created_time: '2026-11-20T15:20:00Z',
      created_ts_ms: TS - 300_000,
      last_update_time: '2026-11-20T15:25:00Z',
      last_updated_ts_ms: TS,
      expiration_time: '2026-11-20T16:00:00Z',
      expiration_ts_ms: TS + 2_100_000,
      subaccount_number: 0,
    },
  },
  marketLifecycleV2Payload: {
    type: 'market_lifecycle_v2',
    sid: 12,
    msg: {
      event_type: 'determined',
      market_ticker: WS_TICKER,
      exchange_index: 0,
      open_ts: 1763589600,
      close_ts: 1763654400,
      result: 'yes',
      determination_ts: 1763654405,
      settlement_value: '1.000000',
      settled_ts: 1763654460,
      is_deactivated: false,
      price_level_structure: 'linear_cent',
      price_ranges: [{ start: '0.0100', end: '0.9900', step: '0.0100' }],
      strike_type: 'greater_or_equal',
      floor_strike: 6800,
      cap_strike: 6899.99,
      custom_strike: { note: 'n/a' },
      yes_sub_title: '6,800 or above',
      additional_metadata: { name: 'n/a', title: 'n/a', can_close_early: true, expected_expiration_ts: 1763654700 },
    },
  },
};
