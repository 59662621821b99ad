/**
 * Builds ledger records (SPEC §7.1) from paper-exchange events plus the quote's context (what the engine
 * knew when it quoted: series, window, market, model probability, EV, feed). Pure.
 */
import type { OrderState } from '../orders.ts';
import type { FeedName } from '../feed/feed-name.ts';
import type { Market } from '../market.ts';
import type { PaperEvent, PaperFill, PaperSettlement } from '../paper/types.ts';
import type { SeriesCode } from '../series.ts';
import { formatEt } from '../time/et.ts';
import {
  centiToLedgerContracts,
  microsToLedgerDollars,
  pipsToLedgerDollars,
  type LedgerRecordInput,
} from './record.ts';

export interface QuoteContext {
  series: SeriesCode;
  /** Window id (`2026-11-20/hourly-1000`) — the scoreboard takes the day from it. */
  window: string;
  market: Pick<Market, 'ticker' | 'eventTicker' | 'strikeType' | 'floorStrike' | 'capStrike'>;
  evAfterFeesCents: number;
  /** Estimated fill probability, when the quote selection has one. */
  fillProb: number | null;
  /** Model P(YES) of the market when quoted. */
  modelProb: number;
  activeFeed: FeedName | null;
  feedAgeMs: number | null;
}

/** Feed state at the time of a later record (fills, cancels, settlements happen after the quote). */
export interface FeedSnapshot {
  activeFeed: FeedName | null;
  feedAgeMs: number | null;
}

/** `strike`: floor for greater* / between, cap for less*; between also gets `cap_strike`. */
export function strikeFields(m: QuoteContext['market']): { strike: number | null; cap_strike?: number } {
  switch (m.strikeType) {
    case 'greater':
    case 'greater_or_equal':
      return { strike: m.floorStrike ?? null };
    case 'less':
    case 'less_or_equal':
      return { strike: m.capStrike ?? null };
    case 'between':
      return m.capStrike !== undefined ? { strike: m.floorStrike ?? null, cap_strike: m.capStrike } : { strike: m.floorStrike ?? null };
    default:
      return { strike: m.floorStrike ?? m.capStrike ?? null };
  }
}

function base(ctx: QuoteContext, order: OrderState, tsMs: number, feed?: FeedSnapshot) {
  return {
    ts_ms: tsMs,
    timestamp_et: formatEt(tsMs),
    mode: 'dry' as const,
    series: ctx.series,
    window: ctx.window,
    kalshi_market_id: ctx.market.ticker,
    event_ticker: ctx.market.eventTicker,
    ...strikeFields(ctx.market),
    strike_type: ctx.market.strikeType,
    side: order.side,
    price: pipsToLedgerDollars(order.price),
    size: centiToLedgerContracts(order.size),
    ev_after_fees_cents: ctx.evAfterFeesCents,
    fill_prob: ctx.fillProb,
    model_prob: ctx.modelProb,
    client_order_id: order.clientOrderId,
    active_feed: feed ? feed.activeFeed : ctx.activeFeed,
    feed_age_ms: feed ? feed.feedAgeMs : ctx.feedAgeMs,
  };
}

export function quoteRecord(ctx: QuoteContext, order: OrderState, tsMs: number): LedgerRecordInput {
  return { type: 'quote', ...base(ctx, order, tsMs) };
}

export function cancelRecord(ctx: QuoteContext, order: OrderState, reason: string, tsMs: number, feed?: FeedSnapshot): LedgerRecordInput {
  return { type: 'cancel', ...base(ctx, order, tsMs, feed), reason, filled: centiToLedgerContracts(order.filled) };
}

export function fillRecord(ctx: QuoteContext, order: OrderState, fill: PaperFill, feed?: FeedSnapshot): LedgerRecordInput {
  return {
    type: 'paper_fill',
    ...base(ctx, order, fill.tsMs, feed),
    fill_price: pipsToLedgerDollars(fill.price),
    fill_size: centiToLedgerContracts(fill.size),
    fee: pipsToLedgerDollars(fill.feePips),
    fill_cause: fill.cause,
    trade_id: fill.tradeId ?? null,
    filled_total: centiToLedgerContracts(order.filled),
  };
}

export function settlementRecord(ctx: QuoteContext, order: OrderState, s: PaperSettlement, feed?: FeedSnapshot): LedgerRecordInput {
  return {
    type: 'settlement',
    ...base(ctx, order, s.tsMs, feed),
    result: s.result,
    settled_size: centiToLedgerContracts(s.settledSize),
    fee: pipsToLedgerDollars(s.feesPips),
    pnl: microsToLedgerDollars(s.pnlMicros),
  };
}

/**
 * The record a paper event produces (`accepted` → quote, `canceled` → cancel, `fill` → paper_fill,
 * `settled` → settlement), stamped with the event's own instant (the order's placement, its cancel, the
 * fill, the settlement) — not the moment a recorder got to write it; a rejected order rests nowhere and is
 * not a ledger record.
 */
export function recordForEvent(ctx: QuoteContext, e: PaperEvent, feed?: FeedSnapshot): LedgerRecordInput | undefined {
  switch (e.type) {
    case 'accepted':
      return quoteRecord(ctx, e.order, e.order.submittedMs);
    case 'canceled':
      return cancelRecord(ctx, e.order, e.reason, e.order.updatedMs, feed);
    case 'fill':
      return fillRecord(ctx, e.order, e.fill, feed);
    case 'settled':
      return settlementRecord(ctx, e.order, e.settlement, feed);
    case 'rejected':
      return undefined;
  }
}
