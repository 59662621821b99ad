/**
 * Renders the simulated exchange's state in Kalshi's late-2026 JSON shapes (dollar strings, `_fp` counts),
 * held to the official definitions (the `kalshi-typescript` 3.30.0 models, the OpenAPI fragments): every
 * required field is present; optional fields the fragments mark `x-omitempty: true` appear only when they
 * have a value (strikes, settlement fields once determined, `last_update_time`); deprecated optional fields
 * (`title`, `subtitle`, `expiration_time` of a market, an order's `side`/`action`, …) are left out; nothing
 * the definitions do not define is added; nullable fields sent always (`x-omitempty: false` or unmarked) are
 * null where the exchange has no value (`order_group_id`, an order's `expiration_time`, the
 * `self_trade_prevention_type` of an order entered outside the V2 API). Amounts carry up to 6 decimals.
 */
import { SERIES, type SeriesCode } from '../../core/series.ts';
import { formatCount, formatDollars, formatMicros, type Micros } from '../../core/units.ts';
import type { SimEventSpec } from './ladders.ts';
import type { SimExchange, SimFill, SimMarketState, SimOrder, SimPosition } from './exchange.ts';

const ONE = 10_000;

/** `2026-11-20T15:00:00Z` (the exchange prints whole seconds). */
export const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
/** A micro-dollar amount as Kalshi prints it: 4 decimals, or up to 6 when the value needs them. */
const money = (m: Micros): string => formatMicros(m);

const STATUS_WIRE: Record<SimMarketState['status'], string> = {
  initialized: 'initialized',
  active: 'active',
  closed: 'closed',
  determined: 'determined',
  finalized: 'finalized',
};

export function marketWire(ex: SimExchange, m: SimMarketState): Record<string, unknown> {
  const s = m.spec;
  const bid = ex.bestYesBid(m);
  const ask = ex.bestYesAsk(m);
  const settled = m.status === 'determined' || m.status === 'finalized';
  const out: Record<string, unknown> = {
    ticker: s.ticker,
    event_ticker: s.eventTicker,
    market_type: 'binary',
    yes_sub_title: s.yesSubTitle,
    no_sub_title: s.yesSubTitle,
    created_time: iso(s.openMs - 3_600_000),
    updated_time: iso(ex.clock.now()),
    open_time: iso(s.openMs),
    close_time: iso(s.closeMs),
    expected_expiration_time: iso(s.closeMs + 5 * 60_000),
    latest_expiration_time: iso(s.closeMs + 7 * 86_400_000),
    settlement_timer_seconds: 60,
    status: STATUS_WIRE[m.status],
    yes_bid_dollars: formatDollars(bid?.[0] ?? 0),
    yes_bid_size_fp: formatCount(bid?.[1] ?? 0),
    yes_ask_dollars: formatDollars(ask?.[0] ?? ONE),
    yes_ask_size_fp: formatCount(ask?.[1] ?? 0),
    no_bid_dollars: formatDollars(ask ? ONE - ask[0] : 0),
    no_ask_dollars: formatDollars(bid ? ONE - bid[0] : ONE),
    last_price_dollars: formatDollars(m.lastPrice ?? 0),
    volume_fp: formatCount(m.volume),
    volume_24h_fp: formatCount(m.volume),
    result: settled ? (m.result ?? '') : '',
    can_close_early: true,
    open_interest_fp: formatCount(m.openInterest),
    notional_value_dollars: '1.0000',
    previous_yes_bid_dollars: '0.0000',
    previous_yes_ask_dollars: '0.0000',
    previous_price_dollars: '0.0000',
    expiration_value: '',
    strike_type: s.strikeType,
    rules_primary: s.rulesPrimary,
    rules_secondary: 'Pursuant to the Kalshi Rulebook, the Exchange has modified the Source Agency and Underlying for indices markets.',
    price_level_structure: ex.priceGrid.structure,
    price_ranges: ex.priceGrid.ranges.map((r) => ({ ...r })),
    exchange_index: 0,
  };
  if (s.floorStrike !== undefined) out.floor_strike = s.floorStrike;
  if (s.capStrike !== undefined) out.cap_strike = s.capStrike;
  if (settled && m.result) {
    out.settlement_value_dollars = m.result === 'yes' ? '1.0000' : '0.0000';
    if (m.settledMs !== undefined) out.settlement_ts = iso(m.settledMs);
  }
  return out;
}

export function eventWire(ex: SimExchange, ev: SimEventSpec, withMarkets: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    event_ticker: ev.eventTicker,
    series_ticker: ev.seriesTicker,
    sub_title: ev.subTitle,
    title: ev.title,
    collateral_return_type: ev.mutuallyExclusive ? 'MECNET' : 'DIRECNET',
    mutually_exclusive: ev.mutuallyExclusive,
    strike_date: iso(ev.closeMs),
    settlement_sources: [{ name: 'For example, Google Finance', url: ev.series.startsWith('NASDAQ') ? 'https://www.google.com/finance/quote/NDX:INDEXNASDAQ' : 'https://www.google.com/finance/quote/.INX:INDEXSP' }],
    exchange_index: 0,
  };
  if (withMarkets) out.markets = ev.markets.map((m) => marketWire(ex, ex.markets.get(m.ticker)!));
  return out;
}

export function seriesWire(ex: SimExchange, code: SeriesCode): Record<string, unknown> {
  const info = SERIES[code];
  const fee = ex.feeConfig(code);
  const product = code.startsWith('NASDAQ') ? 'NASDAQ100' : 'INX';
  return {
    ticker: info.ticker,
    frequency: info.hourly ? 'hourly' : 'daily',
    title: info.ticker,
    category: 'Financials',
    categories: ['Financials'],
    tags: ['Indices'],
    settlement_sources: [{ name: 'For example, Google Finance', url: 'https://www.google.com/finance' }],
    contract_url: `https://kalshi.com/markets/${info.ticker.toLowerCase()}`,
    contract_terms_url: `https://assets.kalshi.com/contract_terms/${product}.pdf`,
    fee_type: fee.feeType,
    fee_multiplier: fee.multiplier,
    additional_prohibitions: [],
    exchange_index: 0,
  };
}

/** A stable UUID-shaped user id per account (never the API key id itself). */
export function userIdOf(owner: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (const ch of owner) {
    h1 = Math.imul(h1 ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ ch.charCodeAt(0), 0x5bd1e995) >>> 0;
  }
  const hex = (h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0')).repeat(2);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function orderWire(o: SimOrder, owner: string): Record<string, unknown> {
  return {
    order_id: o.orderId,
    user_id: userIdOf(owner),
    client_order_id: o.clientOrderId,
    ticker: o.ticker,
    outcome_side: o.side === 'bid' ? 'yes' : 'no',
    book_side: o.side,
    type: 'limit',
    status: o.status,
    yes_price_dollars: formatDollars(o.price),
    no_price_dollars: formatDollars(ONE - o.price),
    fill_count_fp: formatCount(o.filled),
    remaining_count_fp: formatCount(o.remaining),
    initial_count_fp: formatCount(o.initial),
    taker_fill_cost_dollars: money(o.takerFillCost),
    maker_fill_cost_dollars: money(o.makerFillCost),
    taker_fees_dollars: money(o.takerFees),
    maker_fees_dollars: money(o.makerFees),
    expiration_time: null,
    created_time: iso(o.createdMs),
    last_update_time: iso(o.updatedMs),
    self_trade_prevention_type: o.stp,
    order_group_id: null,
    cancel_order_on_pause: o.cancelOnPause,
    exchange_index: 0,
  };
}

export function fillWire(f: SimFill): Record<string, unknown> {
  return {
    fill_id: f.fillId,
    exchange_index: 0,
    trade_id: f.tradeId,
    order_id: f.orderId,
    ticker: f.ticker,
    market_ticker: f.ticker,
    outcome_side: f.side === 'bid' ? 'yes' : 'no',
    book_side: f.side,
    count_fp: formatCount(f.count),
    yes_price_dollars: formatDollars(f.price),
    no_price_dollars: formatDollars(ONE - f.price),
    is_taker: f.isTaker,
    created_time: iso(f.tsMs),
    fee_cost: money(f.feeMicros),
    ts: Math.floor(f.tsMs / 1000),
  };
}

export function positionWire(p: SimPosition): Record<string, unknown> {
  return {
    ticker: p.ticker,
    exchange_index: 0,
    total_traded_dollars: money(p.traded),
    position_fp: formatCount(p.position),
    market_exposure_dollars: money(Math.abs(p.position) * 5_000),
    realized_pnl_dollars: money(p.realized),
    fees_paid_dollars: money(p.fees),
    last_updated_ts: iso(p.updatedMs),
  };
}

