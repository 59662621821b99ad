/**
 * Kalshi Trade API v2 REST client (reference §3): signed requests, zod-validated responses, client-side
 * token buckets, exponential backoff with jitter on 429 / 5xx / transport errors (bounded, clock-driven),
 * cursor pagination, and idempotent order creation via `client_order_id`.
 *
 * Every body goes through `decodeKalshiResponse`: a 2xx body that does not match the documented shape is a
 * `KalshiProtocolError` (counted per endpoint in `stats` and logged with the reason); an error status is a
 * `KalshiApiError` with the exchange's `code` and a sanitised, capped `message` — never the raw body.
 */
import type { z } from 'zod';
import type { Clock } from '../../ports/clock.ts';
import { silentLogger, type Logger } from '../../ports/logger.ts';
import type { FrameTap } from '../../ports/frame-tap.ts';
import type { KalshiSigner } from './auth.ts';
import { describeIssue, KalshiApiError, KalshiProtocolError, KalshiTransportError, safeText } from './errors.ts';
import { KalshiRateLimiter, TOKEN_COST, type BucketName } from './rate-limiter.ts';
import * as S from './schemas.ts';
import { parseDollars } from '../../core/units.ts';

export interface RetryPolicy {
  /** Total attempts including the first. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 250, maxDelayMs: 8000 };

export interface KalshiRestOptions {
  /** e.g. `https://external-api.kalshi.com/trade-api/v2` (no trailing slash needed). */
  baseUrl: string;
  clock: Clock;
  /** Needed for portfolio endpoints; market data is signed too when present. */
  signer?: KalshiSigner;
  limiter?: KalshiRateLimiter;
  retry?: Partial<RetryPolicy>;
  timeoutMs?: number;
  /** Jitter source in [0,1); injectable for tests. */
  random?: () => number;
  fetchImpl?: typeof fetch;
  /** Called before each retry (metrics, tests); never receives secrets. Every retry is also logged. */
  onRetry?: (info: { method: string; path: string; attempt: number; delayMs: number; reason: string }) => void;
  /** Retries, rejected bodies and failures are logged here (default: silent). */
  logger?: Logger;
  /** Told every answer (status and body, or status 0 for none) with its receipt time (`--record`). */
  tap?: FrameTap;
}

export interface KalshiRestStats {
  requests: number;
  retries: number;
  /** Error statuses received (each attempt). */
  apiErrors: number;
  /** Attempts that got no answer. */
  transportErrors: number;
  /** 2xx bodies that did not match the documented shape. */
  rejectedBodies: number;
  /** The same, per endpoint (`GET /markets/{ticker}`). */
  rejectedByEndpoint: Record<string, number>;
}

type Query = Record<string, string | number | boolean | string[] | undefined>;

/**
 * `always`: safe to resend (reads, cancels, creates carrying a client_order_id);
 * `rate-limit-only`: resend only on 429, which guarantees the request was not executed (amend, decrease).
 */
type RetryMode = 'always' | 'rate-limit-only';

interface RequestSpec<T extends z.ZodType> {
  /** Endpoint template for stats and logs (`/markets/{ticker}`); default: the path. */
  label?: string;
  query?: Query;
  body?: unknown;
  schema: T;
  bucket?: BucketName;
  cost?: number;
  retry?: RetryMode;
  /** Paths needing a key fail fast without one. */
  auth?: boolean;
  signal?: AbortSignal;
}

export interface Page<T> {
  items: T[];
  cursor: string | undefined;
}

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

export class KalshiRestClient {
  readonly stats: KalshiRestStats = { requests: 0, retries: 0, apiErrors: 0, transportErrors: 0, rejectedBodies: 0, rejectedByEndpoint: {} };
  private readonly log: Logger;
  private readonly base: string;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly random: () => number;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly o: KalshiRestOptions) {
    this.base = o.baseUrl.replace(/\/+$/, '');
    this.retry = { ...DEFAULT_RETRY, ...o.retry };
    this.timeoutMs = o.timeoutMs ?? 10_000;
    this.random = o.random ?? Math.random;
    this.fetchImpl = o.fetchImpl ?? fetch;
    this.log = o.logger ?? silentLogger;
  }

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

  // ---------------- plumbing ----------------

  private async collect<T>(fetchPage: (cursor: string | undefined) => Promise<Page<T>>, maxPages = 10_000): Promise<T[]> {
    const out: T[] = [];
    let cursor: string | undefined;
    const seen = new Set<string>();
    for (let i = 0; i < maxPages; i++) {
      const page = await fetchPage(cursor);
      out.push(...page.items);
      if (!page.cursor) return out;
      // A server that hands back a cursor it already gave us would loop forever.
      if (seen.has(page.cursor)) throw new KalshiProtocolError(`pagination cursor repeated: ${safeText(page.cursor, [], 64)}`);
      seen.add(page.cursor);
      cursor = page.cursor;
    }
    throw new KalshiProtocolError(`pagination exceeded ${maxPages} pages`);
  }

  private backoffMs(attempt: number): number {
    const ceiling = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
    // "Equal jitter": at least half the ceiling, so retries never stampede at zero delay.
    return Math.round(ceiling / 2 + (ceiling / 2) * this.random());
  }

  async request<T extends z.ZodType>(method: 'GET' | 'POST' | 'DELETE', path: string, spec: RequestSpec<T>): Promise<z.infer<T>> {
    if (spec.auth && !this.o.signer) throw new Error(`Kalshi ${method} ${path}: needs an API key (KALSHI_API_KEY_ID / KALSHI_PRIVATE_KEY_PEM_PATH)`);
    const url = this.base + path + queryString(spec.query);
    const label = spec.label ?? path;
    const bucket = spec.bucket ?? 'read';
    const cost = spec.cost ?? TOKEN_COST.default;
    const mode = spec.retry ?? 'always';
    for (let attempt = 1; ; attempt++) {
      await this.o.limiter?.take(bucket, cost, spec.signal);
      let failure: KalshiApiError | KalshiTransportError;
      try {
        return await this.once(method, path, label, url, spec);
      } catch (e) {
        if (e instanceof KalshiProtocolError) {
          this.stats.rejectedBodies++;
          const key = `${method} ${label}`;
          this.stats.rejectedByEndpoint[key] = (this.stats.rejectedByEndpoint[key] ?? 0) + 1;
          this.log.warn({ method, path: label, reason: e.message, attempt }, 'kalshi response rejected');
          throw e;
        }
        if (!(e instanceof KalshiApiError || e instanceof KalshiTransportError)) throw e;
        failure = e;
        if (e instanceof KalshiApiError) this.stats.apiErrors++;
        else this.stats.transportErrors++;
      }
      const retryable =
        failure instanceof KalshiApiError
          ? failure.isRateLimited || (mode === 'always' && failure.isServerError)
          : mode === 'always';
      const reason = failure instanceof KalshiApiError ? `HTTP ${failure.status} ${failure.code}` : failure.reason;
      if (!retryable || attempt >= this.retry.maxAttempts || spec.signal?.aborted) {
        if (retryable) this.log.warn({ method, path: label, attempt, reason }, 'kalshi request failed; retries exhausted');
        else this.log.debug({ method, path: label, attempt, reason, status: failure instanceof KalshiApiError ? failure.status : undefined }, 'kalshi request failed');
        throw failure;
      }
      const delayMs = this.backoffMs(attempt);
      this.stats.retries++;
      this.log.warn({ method, path: label, attempt, delay_ms: delayMs, reason }, 'kalshi request retry');
      this.o.onRetry?.({ method, path, attempt, delayMs, reason: failure instanceof KalshiApiError ? `HTTP ${failure.status}` : failure.reason });
      await this.o.clock.sleep(delayMs, spec.signal);
    }
  }

  private async once<T extends z.ZodType>(method: string, path: string, label: string, url: string, spec: RequestSpec<T>): Promise<z.infer<T>> {
    this.stats.requests++;
    const headers: Record<string, string> = { accept: 'application/json' };
    const signed = this.o.signer ? this.o.signer.headers(method, url) : {};
    Object.assign(headers, signed);
    let body: string | undefined;
    if (spec.body !== undefined) {
      body = JSON.stringify(spec.body);
      headers['content-type'] = 'application/json';
    }
    const ctrl = new AbortController();
    const onOuterAbort = () => ctrl.abort(spec.signal?.reason);
    spec.signal?.addEventListener('abort', onOuterAbort, { once: true });
    const timer = this.o.clock.setTimeout(() => ctrl.abort(new Error('timeout')), this.timeoutMs);
    let status: number;
    let text: string;
    try {
      const res = await this.fetchImpl(url, { method, headers, body, signal: ctrl.signal });
      status = res.status;
      text = await res.text();
      this.o.tap?.http('kalshi-rest', method, url.slice(this.base.length), status, text, this.o.clock.now());
    } catch (e) {
      this.o.tap?.http('kalshi-rest', method, url.slice(this.base.length), 0, '', this.o.clock.now());
      if (spec.signal?.aborted) throw spec.signal.reason ?? e;
      const reason = ctrl.signal.aborted ? `no answer within ${this.timeoutMs} ms` : `network error (${(e as Error).message})`;
      throw new KalshiTransportError(method, path, reason);
    } finally {
      this.o.clock.clearTimeout(timer);
      spec.signal?.removeEventListener('abort', onOuterAbort);
    }
    const secrets = Object.values(signed);
    const redact = this.o.signer ? (t: string) => this.o.signer!.redact(t) : (t: string) => t;
    return decodeKalshiResponse(spec.schema, status, text, { method, path: label, redact: (t) => safeText(redact(t), secrets) });
  }
}

export interface DecodeContext {
  method: string;
  /** Endpoint path or template, for the error text. */
  path: string;
  /** Masks secrets in server-provided text (default: the generic `safeText`). */
  redact?: (text: string) => string;
}

/**
 * One HTTP answer → the validated body, or a typed error: `KalshiApiError` for an error status (the
 * exchange's code and capped, sanitised message; never the raw body), `KalshiProtocolError` for a 2xx body
 * that is not JSON or not the documented shape. Pure; never throws anything else.
 */
export function decodeKalshiResponse<T extends z.ZodType>(schema: T, status: number, text: string, ctx: DecodeContext): z.infer<T> {
  let json: unknown;
  let isJson = true;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    isJson = false;
  }
  if (status < 200 || status >= 300) throw toApiError(status, isJson ? json : undefined, ctx);
  if (!isJson) throw new KalshiProtocolError(`Kalshi ${ctx.method} ${ctx.path}: response is not JSON`);
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new KalshiProtocolError(`Kalshi ${ctx.method} ${ctx.path}: unexpected response shape ${describeIssue(parsed.error)}`);
  return parsed.data;
}

function toApiError(status: number, json: unknown, ctx: DecodeContext): KalshiApiError {
  const { method, path } = ctx;
  const clean = (t: string | undefined) => (t === undefined ? undefined : ctx.redact ? ctx.redact(t) : safeText(t));
  const parsed = S.ErrorResponseSchema.safeParse(json);
  if (parsed.success) {
    const err = parsed.data.error;
    if (typeof err === 'string') return new KalshiApiError(status, status === 429 ? 'too_many_requests' : 'error', clean(err) ?? '', undefined, method, path);
    return new KalshiApiError(status, clean(err.code) ?? `http_${status}`, clean(err.message) ?? '', clean(err.details), method, path);
  }
  // The OpenAPI ErrorResponse is the flat form `{code, message, details}`.
  const flat = S.ErrorBodySchema.safeParse(json);
  if (flat.success && (flat.data.code !== undefined || flat.data.message !== undefined)) {
    return new KalshiApiError(status, clean(flat.data.code) ?? `http_${status}`, clean(flat.data.message) ?? '', clean(flat.data.details), method, path);
  }
  // 500/503/504 may carry an ExchangeStatus body instead of an error object.
  const exch = S.ExchangeStatusSchema.safeParse(json);
  if (exch.success) {
    return new KalshiApiError(status, 'exchange_unavailable', `exchange_active=${exch.data.exchange_active} trading_active=${exch.data.trading_active}`, undefined, method, path);
  }
  return new KalshiApiError(status, `http_${status}`, '', undefined, method, path);
}

const enc = (s: string) => encodeURIComponent(s);

/** Arrays are sent form-exploded (`tickers=A&tickers=B`), the way the official client does. */
function queryString(q: Query | undefined): string {
  if (!q) return '';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === '') continue;
    if (Array.isArray(v)) for (const item of v) p.append(k, item);
    else p.set(k, String(v));
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}
