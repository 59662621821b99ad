/**
 * Fuzz: Kalshi REST bodies. For every endpoint we read, 10 000 generated bodies (seeded fast-check,
 * shrinking on failure) — mostly mutations of the official-model samples, plus arbitrary JSON and text, under
 * a random status now and then — go through `decodeKalshiResponse` (the client's body parser) and the
 * domain converter. The only outcomes allowed: a value whose money and counts are exact integers in range,
 * a KalshiProtocolError, or (for an error status) a KalshiApiError with a short, clean message.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { z } from 'zod';
import * as S from '../../src/adapters/kalshi/schemas.ts';
import { decodeKalshiResponse } from '../../src/adapters/kalshi/rest-client.ts';
import { KalshiApiError, KalshiProtocolError } from '../../src/adapters/kalshi/errors.ts';
import { toFeeSchedule, toLadderEvent, toMarket, toOrderBook } from '../../src/adapters/kalshi/convert.ts';
import { ladderEventsInRange, toExchangeSchedule, toExchangeStatus } from '../../src/adapters/kalshi/venue.ts';
import { toOrderState } from '../../src/adapters/broker/live-broker.ts';
import { parseCount, parseMicros } from '../../src/core/units.ts';
import type { Market, OrderBook } from '../../src/core/market.ts';
import { bodies } from './kalshi-samples.ts';
import { FUZZ_RUNS, FUZZ_SEED, hostileText, withoutStacks } from './fuzz-arbitraries.ts';

const int = (x: unknown, what: string) => assert.ok(Number.isSafeInteger(x), `${what}: ${String(x)} is not an exact integer`);
const pips = (x: number | undefined, what: string) => {
  if (x === undefined) return;
  int(x, what);
  assert.ok(x >= 0 && x <= 10_000, `${what}: ${x} out of [0, $1]`);
};
const checkMarket = (m: Market) => {
  for (const k of ['yesBid', 'yesAsk', 'lastPrice', 'settlementValue'] as const) pips(m[k], k);
  for (const k of ['yesBidSize', 'yesAskSize'] as const) if (m[k] !== undefined) int(m[k], k);
  for (const r of m.priceRanges) for (const k of ['start', 'end', 'step'] as const) pips(r[k], `range.${k}`);
  assert.ok(Number.isFinite(m.closeTimeMs) && Number.isFinite(m.openTimeMs), 'times');
};
const checkBook = (b: OrderBook) => {
  for (const l of [...b.yesBids, ...b.noBids]) {
    pips(l.price, 'level price');
    assert.ok(l.price > 0 && l.price < 10_000 && Number.isSafeInteger(l.size) && l.size > 0, `level ${l.price}/${l.size}`);
  }
};
const amounts = (o: Record<string, unknown>, keys: string[]) => {
  for (const k of keys) if (typeof o[k] === 'string') int(parseMicros(o[k] as string), k);
};
const counts = (o: Record<string, unknown>, keys: string[]) => {
  for (const k of keys) if (typeof o[k] === 'string') int(parseCount((o[k] as string).replace(/^-/, '')), k);
};

interface Endpoint {
  schema: z.ZodType;
  /** Converts and checks a parsed body; may throw KalshiProtocolError only. */
  use: (body: never) => void;
}

const ENDPOINTS: Record<string, Endpoint> = {
  getExchangeStatus: { schema: S.ExchangeStatusSchema, use: (b: S.WireExchangeStatus) => void toExchangeStatus(b) },
  getExchangeSchedule: { schema: S.ExchangeScheduleResponse, use: (b: { schedule: S.WireExchangeSchedule }) => void toExchangeSchedule(b.schedule) },
  getSeries: { schema: S.GetSeriesResponse, use: (b: { series: S.WireSeries }) => void toFeeSchedule(b.series) },
  getEvents: { schema: S.GetEventsResponse, use: (b: { events: S.WireEvent[] }) => ladderEventsInRange(b.events, { series: 'INXU' }, undefined).forEach((e) => e.markets.forEach(checkMarket)) },
  getEvent: { schema: S.GetEventResponse, use: (b: { event: S.WireEvent }) => toLadderEvent(b.event).markets.forEach(checkMarket) },
  getMarkets: { schema: S.GetMarketsResponse, use: (b: { markets: S.WireMarket[] }) => b.markets.forEach((m) => checkMarket(toMarket(m))) },
  getMarket: { schema: S.GetMarketResponse, use: (b: { market: S.WireMarket }) => checkMarket(toMarket(b.market)) },
  getOrderbook: { schema: S.GetOrderbookResponse, use: (b: { orderbook_fp: S.WireOrderbookFp }) => checkBook(toOrderBook('T', b.orderbook_fp, 0)) },
  getOrderbooks: { schema: S.GetOrderbooksResponse, use: (b: { orderbooks: { ticker: string; orderbook_fp: S.WireOrderbookFp }[] }) => b.orderbooks.forEach((x) => checkBook(toOrderBook(x.ticker, x.orderbook_fp, 0))) },
  getOrders: {
    schema: S.GetOrdersResponse,
    use: (b: { orders: S.WireOrder[] }) =>
      b.orders.forEach((o) => {
        const st = toOrderState(o, 0);
        pips(st.price, 'order price');
        int(st.size, 'size');
        int(st.filled, 'filled');
        amounts(o as unknown as Record<string, unknown>, ['taker_fill_cost_dollars', 'maker_fill_cost_dollars', 'taker_fees_dollars', 'maker_fees_dollars']);
      }),
  },
  getOrder: { schema: S.GetOrderResponse, use: (b: { order: S.WireOrder }) => pips(toOrderState(b.order, 0).price, 'order price') },
  getFills: { schema: S.GetFillsResponse, use: (b: { fills: S.WireFill[] }) => b.fills.forEach((f) => amounts(f as unknown as Record<string, unknown>, ['fee_cost'])) },
  getPositions: {
    schema: S.GetPositionsResponse,
    use: (b: { market_positions: Record<string, unknown>[] }) =>
      b.market_positions.forEach((p) => {
        amounts(p, ['market_exposure_dollars', 'realized_pnl_dollars', 'fees_paid_dollars', 'total_traded_dollars']);
        counts(p, ['position_fp']);
      }),
  },
  getBalance: { schema: S.GetBalanceResponse, use: (b: Record<string, unknown>) => amounts(b, ['balance_dollars']) },
  createOrder: { schema: S.CreateOrderV2Response, use: (b: Record<string, unknown>) => (counts(b, ['fill_count', 'remaining_count']), amounts(b, ['average_fill_price', 'average_fee_paid'])) },
  cancelOrder: { schema: S.CancelOrderV2Response, use: (b: Record<string, unknown>) => counts(b, ['reduced_by']) },
  amendOrder: { schema: S.AmendOrderV2Response, use: (b: Record<string, unknown>) => counts(b, ['fill_count', 'remaining_count']) },
  decreaseOrder: { schema: S.DecreaseOrderV2Response, use: (b: Record<string, unknown>) => counts(b, ['remaining_count']) },
  batchCreateOrders: { schema: S.BatchCreateOrdersV2Response, use: (b: { orders: Record<string, unknown>[] }) => b.orders.forEach((o) => counts(o, ['fill_count', 'remaining_count'])) },
  batchCancelOrders: { schema: S.BatchCancelOrdersV2Response, use: (b: { orders: Record<string, unknown>[] }) => b.orders.forEach((o) => counts(o, ['reduced_by'])) },
};

/** Mostly 200; sometimes an error status (the error-body path is fuzzed with the same texts). */
const status = fc.oneof({ weight: 9, arbitrary: fc.constant(200) }, { weight: 1, arbitrary: fc.constantFrom(400, 401, 404, 409, 429, 500, 503) });

describe('fuzz: Kalshi REST bodies (10 000 per endpoint, seeded)', () => {
  for (const [key, ep] of Object.entries(ENDPOINTS)) {
    test(key, () => {
      const samples = [bodies[key as keyof typeof bodies], bodies.error, { error: bodies.error }];
      let ok = 0;
      let rejected = 0;
      fc.assert(
        fc.property(hostileText(samples), status, (text, code) => {
          let body: unknown;
          try {
            body = withoutStacks(() => decodeKalshiResponse(ep.schema, code, text, { method: 'GET', path: `/${key}` }));
          } catch (e) {
            if (code === 200) assert.ok(e instanceof KalshiProtocolError, `2xx: escaped ${(e as Error)?.name}: ${(e as Error)?.message}`);
            else {
              assert.ok(e instanceof KalshiApiError, `${code}: escaped ${(e as Error)?.name}`);
              assert.equal(e.status, code);
              assert.ok(e.message.length < 400 && !/[\u0000-\u001f]/.test(e.message), `unclean message: ${e.message}`);
            }
            rejected++;
            return;
          }
          try {
            withoutStacks(() => (ep.use as (b: unknown) => void)(body));
            ok++;
          } catch (e) {
            assert.ok(e instanceof KalshiProtocolError, `converter escaped ${(e as Error)?.name}: ${(e as Error)?.message}`);
            rejected++;
          }
        }),
        { seed: FUZZ_SEED, numRuns: FUZZ_RUNS },
      );
      assert.equal(ok + rejected, FUZZ_RUNS);
      assert.ok(ok > 0, `${key}: no generated body was accepted`);
    });
  }
});
