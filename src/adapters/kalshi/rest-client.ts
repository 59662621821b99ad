/**
 * Kalshi Trade API v2 REST client (reference §3): the endpoints — exchange, series, events, markets and
 * books; orders (V2: create, cancel, amend, decrease, batches) with idempotent creation via
 * `client_order_id`; fills, positions, balance. Each says its path, schema, token bucket and cost, and whether
 * it may be resent; signing, rate limits, retries, pagination and decoding are rest-transport.ts's.
 */
import { KalshiApiError } from './errors.ts';
import { TOKEN_COST } from './rate-limiter.ts';
import { KalshiRestTransport, type Page, type Query } from './rest-transport.ts';
import * as S from './schemas.ts';
import { parseDollars } from '../../core/units.ts';

export { DEFAULT_RETRY, decodeKalshiResponse, KalshiRestTransport } from './rest-transport.ts';
export type { DecodeContext, KalshiRestOptions, KalshiRestStats, Page, RetryPolicy } from './rest-transport.ts';

export interface EventsQuery {
  series_ticker?: string;
  status?: 'unopened' | 'open' | 'closed' | 'settled';
  with_nested_markets?: boolean;
  /** Unix seconds. */
  min_close_ts?: number;
  limit?: number;
  cursor?: string;
}

export interface MarketsQuery {
  event_ticker?: string;
  series_ticker?: string;
  status?: 'unopened' | 'open' | 'paused' | 'closed' | 'settled';
  tickers?: string[];
  min_close_ts?: number;
  max_close_ts?: number;
  limit?: number;
  cursor?: string;
}

export interface OrdersQuery {
  ticker?: string;
  event_ticker?: string;
  status?: 'resting' | 'canceled' | 'executed';
  limit?: number;
  cursor?: string;
}

export interface CreateOrderV2Request {
  ticker: string;
  client_order_id: string;
  side: 'bid' | 'ask';
  /** `_fp` count string, e.g. "1.00". */
  count: string;
  /** YES price in dollars, e.g. "0.5600". */
  price: string;
  time_in_force: 'fill_or_kill' | 'good_till_canceled' | 'immediate_or_cancel';
  self_trade_prevention_type: 'taker_at_cross' | 'maker';
  post_only?: boolean;
  reduce_only?: boolean;
  cancel_order_on_pause?: boolean;
  /** Unix seconds, good_till_canceled only. */
  expiration_time?: number;
  subaccount?: number;
  order_group_id?: string;
}

export interface CreateOrderResult extends S.WireCreateOrderV2Response {
  /** True when the exchange already had this client_order_id and we returned the existing order. */
  duplicate: boolean;
}

export class KalshiRestClient extends KalshiRestTransport {
  // ---------------- exchange / series / events / markets ----------------

  getExchangeStatus(signal?: AbortSignal) {
    return this.request('GET', '/exchange/status', { schema: S.ExchangeStatusSchema, signal });
  }

  async getExchangeSchedule(signal?: AbortSignal): Promise<S.WireExchangeSchedule> {
    return (await this.request('GET', '/exchange/schedule', { schema: S.ExchangeScheduleResponse, signal })).schedule;
  }

  async getSeries(seriesTicker: string, signal?: AbortSignal): Promise<S.WireSeries> {
    return (await this.request('GET', `/series/${enc(seriesTicker)}`, { label: '/series/{series_ticker}', schema: S.GetSeriesResponse, signal })).series;
  }

  async getEventsPage(q: EventsQuery = {}, signal?: AbortSignal): Promise<Page<S.WireEvent>> {
    const r = await this.request('GET', '/events', { schema: S.GetEventsResponse, query: { ...q }, signal });
    return { items: r.events, cursor: r.cursor || undefined };
  }

  /** Every page of `/events` (limit ≤ 200 per page). */
  listEvents(q: Omit<EventsQuery, 'cursor'> = {}, signal?: AbortSignal): Promise<S.WireEvent[]> {
    return this.collect((cursor) => this.getEventsPage({ limit: 200, ...q, cursor }, signal));
  }

  async getEvent(eventTicker: string, withNestedMarkets = true, signal?: AbortSignal): Promise<S.WireEvent> {
    const r = await this.request('GET', `/events/${enc(eventTicker)}`, {
      label: '/events/{event_ticker}',
      schema: S.GetEventResponse,
      query: { with_nested_markets: withNestedMarkets },
      signal,
    });
    return r.event.markets || !r.markets ? r.event : { ...r.event, markets: r.markets };
  }

  async getMarketsPage(q: MarketsQuery = {}, signal?: AbortSignal): Promise<Page<S.WireMarket>> {
    const { tickers, ...rest } = q;
    const query: Query = { ...rest, tickers: tickers?.join(',') };
    const r = await this.request('GET', '/markets', { schema: S.GetMarketsResponse, query, signal });
    return { items: r.markets, cursor: r.cursor || undefined };
  }

  listMarkets(q: Omit<MarketsQuery, 'cursor'> = {}, signal?: AbortSignal): Promise<S.WireMarket[]> {
    return this.collect((cursor) => this.getMarketsPage({ limit: 1000, ...q, cursor }, signal));
  }

  async getMarket(ticker: string, signal?: AbortSignal): Promise<S.WireMarket> {
    return (await this.request('GET', `/markets/${enc(ticker)}`, { label: '/markets/{ticker}', schema: S.GetMarketResponse, signal })).market;
  }

  async getOrderbook(ticker: string, depth?: number, signal?: AbortSignal): Promise<S.WireOrderbookFp> {
    return (await this.request('GET', `/markets/${enc(ticker)}/orderbook`, { label: '/markets/{ticker}/orderbook', schema: S.GetOrderbookResponse, query: { depth }, signal })).orderbook_fp;
  }

  /** Books of many markets, 100 tickers per request (the endpoint's limit). */
  async getOrderbooks(tickers: string[], signal?: AbortSignal): Promise<{ ticker: string; orderbook_fp: S.WireOrderbookFp }[]> {
    const out: { ticker: string; orderbook_fp: S.WireOrderbookFp }[] = [];
    for (let i = 0; i < tickers.length; i += 100) {
      const r = await this.request('GET', '/markets/orderbooks', { schema: S.GetOrderbooksResponse, query: { tickers: tickers.slice(i, i + 100) }, signal });
      out.push(...r.orderbooks);
    }
    return out;
  }

  // ---------------- orders (V2) ----------------

  /**
   * Creates an order. Retried on 429 / 5xx / timeout with the same client_order_id, so at most one order
   * exists: when the exchange reports the id as a duplicate (409), the existing order is looked up and
   * returned (`duplicate: true`) provided it is the same order (ticker, side, price).
   */
  async createOrder(req: CreateOrderV2Request, signal?: AbortSignal): Promise<CreateOrderResult> {
    if (!req.client_order_id) throw new Error('createOrder: client_order_id is required (idempotent retries depend on it)');
    try {
      const r = await this.request('POST', '/portfolio/events/orders', {
        schema: S.CreateOrderV2Response,
        body: req,
        bucket: 'write',
        cost: TOKEN_COST.create,
        retry: 'always',
        auth: true,
        signal,
      });
      return { ...r, duplicate: false };
    } catch (e) {
      if (!(e instanceof KalshiApiError) || !e.isDuplicateOrder) throw e;
      const existing = await this.findOrderByClientId(req.ticker, req.client_order_id, signal);
      if (!existing) throw e;
      if (existing.book_side !== req.side || parseDollars(existing.yes_price_dollars) !== parseDollars(req.price)) {
        throw new KalshiApiError(409, e.code, `client_order_id ${req.client_order_id} already used by a different order`, e.details, 'POST', '/portfolio/events/orders');
      }
      return {
        order_id: existing.order_id,
        client_order_id: existing.client_order_id,
        fill_count: existing.fill_count_fp,
        remaining_count: existing.remaining_count_fp,
        ts_ms: this.o.clock.now(),
        duplicate: true,
      };
    }
  }

  cancelOrder(orderId: string, opts: { marketTicker?: string; signal?: AbortSignal } = {}) {
    return this.request('DELETE', `/portfolio/events/orders/${enc(orderId)}`, {
      label: '/portfolio/events/orders/{order_id}',
      schema: S.CancelOrderV2Response,
      query: { market_ticker: opts.marketTicker },
      bucket: 'write',
      cost: TOKEN_COST.cancel,
      retry: 'always',
      auth: true,
      signal: opts.signal,
    });
  }

  /** Amend price/size; `count` = filled + desired remaining. Not resent on 5xx (outcome unknown). */
  amendOrder(
    orderId: string,
    body: { ticker: string; side: 'bid' | 'ask'; price: string; count: string; client_order_id?: string; updated_client_order_id?: string },
    signal?: AbortSignal,
  ) {
    return this.request('POST', `/portfolio/events/orders/${enc(orderId)}/amend`, {
      label: '/portfolio/events/orders/{order_id}/amend',
      schema: S.AmendOrderV2Response,
      body,
      bucket: 'write',
      cost: TOKEN_COST.amend,
      retry: 'rate-limit-only',
      auth: true,
      signal,
    });
  }

  /** Exactly one of reduce_by / reduce_to. reduce_by is not idempotent, so never resent on 5xx. */
  decreaseOrder(orderId: string, body: { reduce_by?: string; reduce_to?: string; market_ticker?: string }, signal?: AbortSignal) {
    if ((body.reduce_by === undefined) === (body.reduce_to === undefined)) throw new Error('decreaseOrder: give exactly one of reduce_by / reduce_to');
    return this.request('POST', `/portfolio/events/orders/${enc(orderId)}/decrease`, {
      label: '/portfolio/events/orders/{order_id}/decrease',
      schema: S.DecreaseOrderV2Response,
      body,
      bucket: 'write',
      cost: TOKEN_COST.decrease,
      retry: body.reduce_to !== undefined ? 'always' : 'rate-limit-only',
      auth: true,
      signal,
    });
  }

  /** Per-item results; each item has either an order or an `error`. Every item needs a client_order_id. */
  async batchCreateOrders(orders: CreateOrderV2Request[], signal?: AbortSignal) {
    if (orders.some((o) => !o.client_order_id)) throw new Error('batchCreateOrders: every order needs a client_order_id');
    return (
      await this.request('POST', '/portfolio/events/orders/batched', {
        schema: S.BatchCreateOrdersV2Response,
        body: { orders },
        bucket: 'write',
        cost: TOKEN_COST.create * orders.length,
        retry: 'always',
        auth: true,
        signal,
      })
    ).orders;
  }

  async batchCancelOrders(orders: { order_id: string; market_ticker?: string }[], signal?: AbortSignal) {
    return (
      await this.request('DELETE', '/portfolio/events/orders/batched', {
        schema: S.BatchCancelOrdersV2Response,
        body: { orders },
        bucket: 'write',
        cost: TOKEN_COST.cancel * orders.length,
        retry: 'always',
        auth: true,
        signal,
      })
    ).orders;
  }

  async getOrdersPage(q: OrdersQuery = {}, signal?: AbortSignal): Promise<Page<S.WireOrder>> {
    const r = await this.request('GET', '/portfolio/orders', { schema: S.GetOrdersResponse, query: { ...q }, auth: true, signal });
    return { items: r.orders, cursor: r.cursor || undefined };
  }

  listOrders(q: Omit<OrdersQuery, 'cursor'> = {}, signal?: AbortSignal): Promise<S.WireOrder[]> {
    return this.collect((cursor) => this.getOrdersPage({ limit: 1000, ...q, cursor }, signal));
  }

  async getOrder(orderId: string, signal?: AbortSignal): Promise<S.WireOrder> {
    return (await this.request('GET', `/portfolio/orders/${enc(orderId)}`, { label: '/portfolio/orders/{order_id}', schema: S.GetOrderResponse, auth: true, cost: 2, signal })).order;
  }

  /** The order carrying `clientOrderId` on `ticker`, any status (the list endpoint has no client-id filter). */
  async findOrderByClientId(ticker: string, clientOrderId: string, signal?: AbortSignal): Promise<S.WireOrder | undefined> {
    let cursor: string | undefined;
    do {
      const page = await this.getOrdersPage({ ticker, limit: 1000, cursor }, signal);
      const hit = page.items.find((o) => o.client_order_id === clientOrderId);
      if (hit) return hit;
      cursor = page.cursor;
    } while (cursor);
    return undefined;
  }

  // ---------------- portfolio ----------------

  listFills(q: { ticker?: string; order_id?: string; min_ts?: number; max_ts?: number } = {}, signal?: AbortSignal): Promise<S.WireFill[]> {
    return this.collect(async (cursor) => {
      const r = await this.request('GET', '/portfolio/fills', { schema: S.GetFillsResponse, query: { limit: 1000, ...q, cursor }, auth: true, signal });
      return { items: r.fills, cursor: r.cursor || undefined };
    });
  }

  listPositions(q: { ticker?: string; event_ticker?: string } = {}, signal?: AbortSignal) {
    return this.collect(async (cursor) => {
      const r = await this.request('GET', '/portfolio/positions', { schema: S.GetPositionsResponse, query: { limit: 1000, ...q, cursor }, auth: true, signal });
      return { items: r.market_positions, cursor: r.cursor || undefined };
    });
  }

  getBalance(signal?: AbortSignal) {
    return this.request('GET', '/portfolio/balance', { schema: S.GetBalanceResponse, auth: true, signal });
  }
}

const enc = (s: string) => encodeURIComponent(s);
