/**
 * The REST routes of the Kalshi exchange simulator (server.ts reads each request, checks its signature and
 * injects faults, then asks here): the Trade API v2 paths under `/trade-api/v2` with the real shapes, paging
 * and error bodies — exchange status and schedule, series, events, markets and order books, and the
 * authenticated portfolio (orders, batched orders, amend, decrease, fills, positions, balance). Its own file so
 * the routes read apart from the server's plumbing (body reading, faults, the websocket upgrade).
 */
import type { Clock } from '../../ports/clock.ts';
import { SERIES_CODES, lookupSeries } from '../../core/series.ts';
import { formatCount, formatDollars, formatMicros } from '../../core/units.ts';
import { SimRejection, type CreateOrderInput, type SimExchange, type SimOrder } from './exchange.ts';
import { eventWire, fillWire, iso, marketWire, orderWire, positionWire, seriesWire } from './wire.ts';

/** An answer other than 200 with its body (an error body, `errBody`); the server sends it as it is. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(String(status));
  }
}

/** The exchange's error body. */
export const errBody = (code: string, message: string, details?: string) => ({ error: { code, message, ...(details ? { details } : {}) } });

/** The router: `[status, body]` for a request already authenticated (`owner` is its key id, if signed). */
export type SimRoute = (method: string, path: string, q: URLSearchParams, body: unknown, owner: string | undefined) => [number, unknown];

export function createRestRoutes(exchange: SimExchange, clock: Clock): SimRoute {
  function page<T>(items: T[], q: URLSearchParams, defLimit: number, maxLimit: number): { items: T[]; cursor: string } {
    const limitText = q.get('limit');
    const limit = limitText === null ? defLimit : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit) throw new HttpError(400, errBody('invalid_parameters', `limit must be 1..${maxLimit}`));
    const cursor = q.get('cursor');
    let offset = 0;
    if (cursor) {
      const m = /^o:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
      if (!m) throw new HttpError(400, errBody('invalid_parameters', 'invalid cursor'));
      offset = Number(m[1]);
    }
    const slice = items.slice(offset, offset + limit);
    const next = offset + limit < items.length ? Buffer.from(`o:${offset + limit}`).toString('base64url') : '';
    return { items: slice, cursor: next };
  }

  const statusMatches = (phase: string, status: string | null) => {
    if (!status) return true;
    const map: Record<string, string[]> = { unopened: ['initialized'], open: ['active'], paused: [], closed: ['closed'], settled: ['determined', 'finalized'] };
    const allowed = map[status];
    if (!allowed) throw new HttpError(400, errBody('invalid_parameters', `invalid status ${status}`));
    return allowed.includes(phase);
  };

  const needOwner = (owner: string | undefined): string => {
    if (!owner) throw new HttpError(401, errBody('unauthorized', 'authentication required'));
    return owner;
  };

  const createResponse = (r: { order: SimOrder; fillCount: number; fillCost: number; fees: number }) => ({
    order_id: r.order.orderId,
    client_order_id: r.order.clientOrderId,
    fill_count: formatCount(r.fillCount),
    remaining_count: formatCount(r.order.remaining),
    // Averages per contract are amounts (micro-dollars), not grid prices.
    ...(r.fillCount > 0 ? { average_fill_price: formatMicros(Math.round((r.fillCost * 100) / r.fillCount)), average_fee_paid: formatMicros(Math.round((r.fees * 100) / r.fillCount)) } : {}),
    ts_ms: clock.now(),
  });

  function validateCreate(b: unknown): CreateOrderInput {
    const x = (b ?? {}) as Record<string, unknown>;
    const str = (k: string) => (typeof x[k] === 'string' ? (x[k] as string) : undefined);
    const missing = ['ticker', 'side', 'count', 'price', 'time_in_force', 'self_trade_prevention_type'].filter((k) => x[k] === undefined);
    if (missing.length) throw new HttpError(400, errBody('invalid_parameters', `missing required field(s): ${missing.join(', ')}`));
    if (x.side !== 'bid' && x.side !== 'ask') throw new HttpError(400, errBody('invalid_parameters', 'side must be bid or ask'));
    if (!['fill_or_kill', 'good_till_canceled', 'immediate_or_cancel'].includes(x.time_in_force as string)) throw new HttpError(400, errBody('invalid_parameters', 'invalid time_in_force'));
    if (!['taker_at_cross', 'maker'].includes(x.self_trade_prevention_type as string)) throw new HttpError(400, errBody('invalid_parameters', 'invalid self_trade_prevention_type'));
    if (!str('count') || !str('price') || !str('ticker')) throw new HttpError(400, errBody('invalid_parameters', 'ticker, count and price must be strings'));
    return x as unknown as CreateOrderInput;
  }

  function route(method: string, path: string, q: URLSearchParams, body: unknown, owner: string | undefined): [number, unknown] {
    const seg = path.split('/').filter(Boolean).map(decodeURIComponent);
    const is = (m: string, ...parts: (string | null)[]) => method === m && seg.length === parts.length && parts.every((p, i) => p === null || p === seg[i]);

    if (is('GET', 'exchange', 'status')) {
      const active = exchange.tradingActive();
      const resume = exchange.maintenanceWindows().find((w) => clock.now() >= w.startMs && clock.now() < w.endMs);
      return [200, { exchange_active: true, trading_active: active, intra_exchange_transfers_active: true, exchange_estimated_resume_time: resume ? iso(resume.endMs) : null, exchange_index_statuses: [{ exchange_index: 0, description: 'default', exchange_active: true, trading_active: active, intra_exchange_transfers_active: true }] }];
    }
    if (is('GET', 'exchange', 'schedule')) {
      const full = [{ open_time: '00:00', close_time: '23:59' }];
      const week = { monday: full, tuesday: full, wednesday: full, thursday: [{ open_time: '00:00', close_time: '03:00' }, { open_time: '05:00', close_time: '23:59' }], friday: full, saturday: full, sunday: full };
      return [200, {
        schedule: {
          standard_hours: [{ start_time: '2026-01-01T00:00:00Z', end_time: '2027-12-31T23:59:59Z', ...week }],
          maintenance_windows: exchange.maintenanceWindows().map((w) => ({ start_datetime: iso(w.startMs), end_datetime: iso(w.endMs) })),
        },
      }];
    }
    if (is('GET', 'series', null)) {
      const info = lookupSeries(seg[1]!);
      if (!info || info.ticker !== seg[1]) throw new HttpError(404, errBody('not_found', 'not found'));
      return [200, { series: seriesWire(exchange, info.code) }];
    }
    if (is('GET', 'series')) return [200, { series: SERIES_CODES.map((c) => seriesWire(exchange, c)) }];
    if (is('GET', 'events')) {
      const series = q.get('series_ticker');
      const status = q.get('status');
      const minClose = q.get('min_close_ts');
      const nested = q.get('with_nested_markets') === 'true';
      const evs = exchange.events.filter((ev) =>
        (!series || ev.seriesTicker === series) &&
        (!minClose || ev.closeMs >= Number(minClose) * 1000) &&
        ev.markets.some((m) => statusMatches(exchange.markets.get(m.ticker)!.status, status)),
      );
      const p = page(evs, q, 200, 200);
      return [200, { events: p.items.map((ev) => eventWire(exchange, ev, nested)), cursor: p.cursor }];
    }
    if (is('GET', 'events', null)) {
      const ev = exchange.events.find((e) => e.eventTicker === seg[1]);
      if (!ev) throw new HttpError(404, errBody('not_found', 'not found'));
      const nested = q.get('with_nested_markets') === 'true';
      return [200, { event: eventWire(exchange, ev, nested), markets: nested ? [] : ev.markets.map((m) => marketWire(exchange, exchange.markets.get(m.ticker)!)) }];
    }
    if (is('GET', 'markets')) {
      const tickers = q.get('tickers')?.split(',').filter(Boolean);
      const ev = q.get('event_ticker');
      const series = q.get('series_ticker');
      const status = q.get('status');
      const minClose = q.get('min_close_ts');
      const maxClose = q.get('max_close_ts');
      const all = [...exchange.markets.values()].filter((m) =>
        (!tickers || tickers.includes(m.spec.ticker)) &&
        (!ev || m.spec.eventTicker === ev) &&
        (!series || m.event.seriesTicker === series) &&
        (!minClose || m.spec.closeMs >= Number(minClose) * 1000) &&
        (!maxClose || m.spec.closeMs <= Number(maxClose) * 1000) &&
        statusMatches(m.status, status),
      );
      const p = page(all, q, 100, 1000);
      return [200, { markets: p.items.map((m) => marketWire(exchange, m)), cursor: p.cursor }];
    }
    if (is('GET', 'markets', 'orderbooks')) {
      const tickers = q.getAll('tickers').flatMap((t) => t.split(',')).filter(Boolean);
      if (tickers.length < 1 || tickers.length > 100) throw new HttpError(400, errBody('invalid_parameters', 'tickers: 1 to 100 required'));
      return [200, { orderbooks: tickers.map((t) => ({ ticker: t, orderbook_fp: bookWire(t, q.get('depth')) })) }];
    }
    if (is('GET', 'markets', null)) {
      const m = exchange.markets.get(seg[1]!);
      if (!m) throw new HttpError(404, errBody('not_found', 'not found'));
      return [200, { market: marketWire(exchange, m) }];
    }
    if (is('GET', 'markets', null, 'orderbook')) return [200, { orderbook_fp: bookWire(seg[1]!, q.get('depth')) }];

    // ---- portfolio (authenticated) ----
    if (path.startsWith('/portfolio')) {
      const me = needOwner(owner);
      if (seg[1] === 'orders' && method !== 'GET') {
        throw new HttpError(400, errBody('deprecated_v1_order_endpoint', 'Please switch to the V2 endpoints'));
      }
      if (is('POST', 'portfolio', 'events', 'orders')) return [201, createResponse(exchange.create(me, validateCreate(body)))];
      if (is('POST', 'portfolio', 'events', 'orders', 'batched')) {
        const orders = (body as { orders?: unknown[] })?.orders;
        if (!Array.isArray(orders) || orders.length === 0) throw new HttpError(400, errBody('invalid_parameters', 'orders required'));
        return [201, {
          orders: orders.map((ob) => {
            try {
              return createResponse(exchange.create(me, validateCreate(ob)));
            } catch (e) {
              const err = e instanceof SimRejection ? e.e : e instanceof HttpError ? (e.body as { error: { code: string; message: string } }).error : { code: 'internal_server_error', message: 'internal error' };
              const x = ob as { client_order_id?: string };
              return { client_order_id: x?.client_order_id ?? null, error: { code: err.code, message: err.message, ...('details' in err && err.details ? { details: err.details } : {}) } };
            }
          }),
        }];
      }
      if (is('DELETE', 'portfolio', 'events', 'orders', 'batched')) {
        const orders = (body as { orders?: { order_id?: string }[] })?.orders;
        if (!Array.isArray(orders) || orders.length === 0) throw new HttpError(400, errBody('invalid_parameters', 'orders required'));
        return [200, {
          orders: orders.map((x) => {
            try {
              const r = exchange.cancel(me, String(x.order_id));
              return { order_id: r.order.orderId, client_order_id: r.order.clientOrderId, reduced_by: formatCount(r.reducedBy), ts_ms: clock.now() };
            } catch (e) {
              const err = e instanceof SimRejection ? e.e : { code: 'internal_server_error', message: 'internal error' };
              return { order_id: String(x.order_id), reduced_by: '0.00', error: { code: err.code, message: err.message } };
            }
          }),
        }];
      }
      if (is('DELETE', 'portfolio', 'events', 'orders', null)) {
        const r = exchange.cancel(me, seg[3]!);
        return [200, { order_id: r.order.orderId, client_order_id: r.order.clientOrderId, reduced_by: formatCount(r.reducedBy), ts_ms: clock.now() }];
      }
      if (is('POST', 'portfolio', 'events', 'orders', null, 'amend')) {
        const b = (body ?? {}) as { ticker: string; side: 'bid' | 'ask'; price: string; count: string; updated_client_order_id?: string };
        if (!b.ticker || !b.side || !b.price || !b.count) throw new HttpError(400, errBody('invalid_parameters', 'ticker, side, price and count are required'));
        const o2 = exchange.amend(me, seg[3]!, b);
        return [200, { order_id: o2.orderId, client_order_id: o2.clientOrderId, remaining_count: formatCount(o2.remaining), fill_count: formatCount(o2.filled), ts_ms: clock.now() }];
      }
      if (is('POST', 'portfolio', 'events', 'orders', null, 'decrease')) {
        const o2 = exchange.decrease(me, seg[3]!, (body ?? {}) as { reduce_by?: string; reduce_to?: string });
        return [200, { order_id: o2.orderId, client_order_id: o2.clientOrderId, remaining_count: formatCount(o2.remaining), ts_ms: clock.now() }];
      }
      if (is('GET', 'portfolio', 'orders')) {
        const ticker = q.get('ticker');
        const evs = q.get('event_ticker')?.split(',');
        const status = q.get('status');
        const mine = [...exchange.orders.values()]
          .filter((x) => x.owner === me && (!ticker || x.ticker === ticker) && (!evs || evs.includes(exchange.markets.get(x.ticker)!.spec.eventTicker)) && (!status || x.status === status))
          .sort((a, b) => b.createdMs - a.createdMs || b.seq - a.seq);
        const p = page(mine, q, 100, 1000);
        return [200, { orders: p.items.map((x) => orderWire(x, me)), cursor: p.cursor }];
      }
      if (is('GET', 'portfolio', 'orders', null)) {
        const x = exchange.orders.get(seg[2]!);
        if (!x || x.owner !== me) throw new HttpError(404, errBody('not_found', 'not found'));
        return [200, { order: orderWire(x, me) }];
      }
      if (is('GET', 'portfolio', 'fills')) {
        const ticker = q.get('ticker');
        const orderId = q.get('order_id');
        const mine = exchange.fills.filter((f) => f.owner === me && (!ticker || f.ticker === ticker) && (!orderId || f.orderId === orderId)).slice().reverse();
        const p = page(mine, q, 100, 1000);
        return [200, { fills: p.items.map(fillWire), cursor: p.cursor }];
      }
      if (is('GET', 'portfolio', 'positions')) {
        const ticker = q.get('ticker');
        const mine = [...exchange.positions.values()].filter((x) => x.owner === me && x.position !== 0 && (!ticker || x.ticker === ticker));
        const p = page(mine, q, 100, 1000);
        return [200, { market_positions: p.items.map(positionWire), event_positions: [], cursor: p.cursor }];
      }
      if (is('GET', 'portfolio', 'balance')) {
        const cents = exchange.balanceCents(me);
        return [200, { balance: cents, balance_dollars: formatMicros(exchange.balanceMicros(me)), portfolio_value: cents, updated_ts: Math.floor(clock.now() / 1000) }];
      }
    }
    throw new HttpError(404, errBody('not_found', 'not found'));
  }

  function bookWire(ticker: string, depthText: string | null) {
    if (!exchange.markets.has(ticker)) throw new HttpError(404, errBody('not_found', 'not found'));
    const depth = depthText ? Number(depthText) : 0;
    const { yes, no } = exchange.levels(ticker);
    // Ascending with the best bid last; `depth` keeps the best N.
    const cut = <T>(l: T[]) => (depth > 0 ? l.slice(-depth) : l);
    // A side with no resting orders is `null`, as the exchange sends it (its schema says `[]`; both occur).
    const fmt = (l: [number, number][]) => (l.length === 0 ? null : cut(l).map(([p, s]) => [formatDollars(p), formatCount(s)]));
    return { yes_dollars: fmt(yes), no_dollars: fmt(no) };
  }

  return route;
}
