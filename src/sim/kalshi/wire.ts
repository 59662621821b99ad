/** Renders the simulated exchange's state in Kalshi's late-2026 JSON shapes (dollar strings, `_fp` counts). */
import { SERIES, type SeriesCode } from '../../core/series.ts';
import { formatCount, formatDollars, type Pips } from '../../core/units.ts';
import type { SimEventSpec } from './ladders.ts';
import type { SimExchange, SimFill, SimMarketState, SimOrder, SimPosition } from './exchange.ts';

const ONE = 10_000;

/** `2026-11-20T15:00:00Z` (the exchange prints whole seconds). */
export const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
/** Pips·contracts money amounts (fractional pips rounded) as dollars. */
const money = (pipsTimesContracts: number): string => formatDollars(Math.round(pipsTimesContracts));

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
    title: m.event.title,
    subtitle: '',
    yes_sub_title: s.yesSubTitle,
    no_sub_title: s.yesSubTitle,
    created_time: iso(s.openMs - 3_600_000),
    updated_time: iso(ex.clock.now()),
    open_time: iso(s.openMs),
    close_time: iso(s.closeMs),
    expected_expiration_time: iso(s.closeMs + 5 * 60_000),
    expiration_time: iso(s.closeMs + 7 * 86_400_000),
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
    price_level_structure: 'linear_cent',
    price_ranges: [{ start: '0.0100', end: '0.9900', step: '0.0100' }],
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
    category: 'Financials',
    strike_date: iso(ev.closeMs),
    strike_period: null,
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

export function orderWire(o: SimOrder, userId: string): Record<string, unknown> {
  return {
    order_id: o.orderId,
    user_id: userId,
    client_order_id: o.clientOrderId,
    ticker: o.ticker,
    outcome_side: o.side === 'bid' ? 'yes' : 'no',
    book_side: o.side,
    side: o.side === 'bid' ? 'yes' : 'no',
    action: 'buy',
    type: 'limit',
    status: o.status,
    yes_price_dollars: formatDollars(o.price),
    no_price_dollars: formatDollars(ONE - o.price),
    fill_count_fp: formatCount(o.filled),
    remaining_count_fp: formatCount(o.remaining),
    initial_count_fp: formatCount(o.initial),
    taker_fill_cost_dollars: money(o.takerFillCost),
    maker_fill_cost_dollars: money(o.makerFillCost),
    taker_fees_dollars: formatDollars(o.takerFees),
    maker_fees_dollars: formatDollars(o.makerFees),
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
    fee_cost: formatDollars(f.fee),
    ts: Math.floor(f.tsMs / 1000),
  };
}

export function positionWire(p: SimPosition): Record<string, unknown> {
  return {
    ticker: p.ticker,
    exchange_index: 0,
    total_traded_dollars: money(p.traded),
    position_fp: formatCount(p.position),
    market_exposure_dollars: money(Math.abs(p.position) * 50),
    realized_pnl_dollars: formatSigned(Math.round(p.realized)),
    fees_paid_dollars: formatDollars(p.fees),
    last_updated_ts: iso(p.updatedMs),
  };
}

const formatSigned = (pips: Pips) => (pips < 0 ? '-' + formatDollars(-pips) : formatDollars(pips));
