/**
 * The `live` broker (SPEC §1, §5.5): real Kalshi orders through the V2 endpoints. Every order is a
 * post-only, good-till-canceled YES-price limit order with maker self-trade prevention; buy → `bid`,
 * sell → `ask`. Idempotent on client_order_id (the REST client resolves a duplicate to the existing
 * order). Exchange rejections come back as `rejected` states with the exchange's reason; an unknown
 * outcome (transport failure, 5xx after retries) is thrown so the caller reconciles.
 * Only constructed through select-broker.ts, which enforces the human approval gate.
 *
 * Events (the Broker port's stream): `placed` / `rejected` from the create response, `cancelled` from a
 * cancel response or the `user_orders` channel, `filled` from the `fill` channel (each trade once) — so
 * the engine's exposure and loss caps bind on real fills exactly as on paper ones.
 */
import type { Broker, BrokerEvent, OrderIntent, OrderState } from '../../ports/broker.ts';
import type { Clock } from '../../ports/clock.ts';
import type { VenueFill, VenueOrderUpdate, VenueStream } from '../../ports/venue.ts';
import { silentLogger, type Logger } from '../../ports/logger.ts';
import { formatCount, formatDollars, parseCount, parseDollars } from '../../core/units.ts';
import { KalshiApiError, safeCode, safeText } from '../kalshi/errors.ts';
import type { CreateOrderV2Request, KalshiRestClient } from '../kalshi/rest-client.ts';
import type { WireOrder } from '../kalshi/schemas.ts';

export interface LiveBrokerOptions {
  rest: KalshiRestClient;
  clock: Clock;
  /** The exchange stream: our fills and order updates (`fill`, `user_orders`). Without it no fill events. */
  stream?: VenueStream;
  /** Duplicate-order recoveries and cancel-all outcomes (default: silent). */
  logger?: Logger;
}

/**
 * An exchange order (already validated: prices on the grid, counts exact; `self_trade_prevention_type`,
 * `created_time`, `last_update_time` may be null or absent) → OrderState. Missing times fall back to `nowMs`.
 */
export function toOrderState(o: WireOrder, nowMs: number): OrderState {
  const created = o.created_time ? Date.parse(o.created_time) : NaN;
  const updated = o.last_update_time ? Date.parse(o.last_update_time) : NaN;
  return {
    clientOrderId: o.client_order_id,
    orderId: o.order_id,
    marketTicker: o.ticker,
    side: o.book_side === 'bid' ? 'buy' : 'sell',
    price: parseDollars(o.yes_price_dollars),
    size: parseCount(o.initial_count_fp),
    filled: parseCount(o.fill_count_fp),
    status: o.status,
    submittedMs: Number.isFinite(created) ? created : nowMs,
    updatedMs: Number.isFinite(updated) ? updated : nowMs,
  };
}

export class LiveBroker implements Broker {
  readonly mode = 'live' as const;
  /** Orders this process placed or looked up, by client_order_id. */
  private readonly known = new Map<string, OrderState>();
  private readonly idOfOrder = new Map<string, string>();
  private readonly seenTrades = new Set<string>();
  /** Orders being created (client_order_id), and stream events for them that beat the create response. */
  private readonly inFlight = new Set<string>();
  private readonly early = new Map<string, Array<() => void>>();
  /** Why we asked to cancel an order (until the exchange confirms it). */
  private readonly cancelReasons = new Map<string, string>();
  private readonly listeners = new Set<(e: BrokerEvent) => void>();
  private readonly unsubscribe: (() => void) | undefined;

  constructor(private readonly o: LiveBrokerOptions) {
    if (o.stream) {
      o.stream.watchAccount();
      this.unsubscribe = o.stream.on((e) => {
        if (e.kind === 'fill') this.onFill(e.fill);
        else if (e.kind === 'order') this.onOrderUpdate(e.order);
      });
    }
  }

  onEvent(listener: (e: BrokerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops listening to the stream. */
  dispose(): void {
    this.unsubscribe?.();
  }

  async lookup(clientOrderId: string, marketTicker: string): Promise<OrderState | undefined> {
    const hit = await this.o.rest.findOrderByClientId(marketTicker, clientOrderId);
    if (!hit) return undefined;
    const state = toOrderState(hit, this.o.clock.now());
    this.remember(state);
    this.replayEarly(clientOrderId); // a create whose outcome was unknown: what the stream said meanwhile
    return state;
  }

  /** The exchange settles live positions itself. */
  marketResult(): void {}

  /** Orders of ours from before a restart, found resting at the exchange: their fills and updates are routed again. */
  adopt(states: readonly OrderState[]): void {
    for (const st of states) this.remember(st);
  }

  /** Our resting orders at the exchange (client_order_id with our prefix), all pages. */
  async restingOwn(prefix: string): Promise<OrderState[]> {
    const now = this.o.clock.now();
    return (await this.o.rest.listOrders({ status: 'resting' })).filter((x) => x.client_order_id.startsWith(prefix)).map((x) => toOrderState(x, now));
  }

  async place(intent: OrderIntent): Promise<OrderState> {
    if (intent.postOnly !== true) throw new Error('live broker: every order must be post-only');
    if (!Number.isInteger(intent.price) || intent.price <= 0 || intent.price >= 10_000) throw new RangeError(`live broker: price ${intent.price} pips is outside (0, $1)`);
    if (!Number.isInteger(intent.size) || intent.size <= 0) throw new RangeError(`live broker: size ${intent.size} must be a positive number of centi-contracts`);
    const prior = this.known.get(intent.clientOrderId);
    if (prior && prior.status !== 'rejected') return prior;
    const now = this.o.clock.now();
    const req: CreateOrderV2Request = {
      ticker: intent.marketTicker,
      client_order_id: intent.clientOrderId,
      side: intent.side === 'buy' ? 'bid' : 'ask',
      count: formatCount(intent.size),
      price: formatDollars(intent.price),
      time_in_force: 'good_till_canceled',
      self_trade_prevention_type: 'maker',
      post_only: true,
    };
    const base = { clientOrderId: intent.clientOrderId, marketTicker: intent.marketTicker, side: intent.side, price: intent.price, size: intent.size, submittedMs: now };
    let state: OrderState;
    this.inFlight.add(intent.clientOrderId);
    try {
      const r = await this.o.rest.createOrder(req);
      const filled = parseCount(r.fill_count);
      const remaining = parseCount(r.remaining_count);
      state = { ...base, orderId: r.order_id, filled, status: remaining > 0 ? 'resting' : filled >= intent.size ? 'executed' : 'canceled', updatedMs: this.o.clock.now() };
      if (r.duplicate) this.log.warn({ client_order_id: intent.clientOrderId, order_id: r.order_id, reason: 'duplicate_client_order_id' }, 'live broker: order already existed at the exchange; returned it');
    } catch (e) {
      if (!(e instanceof KalshiApiError) || e.status >= 500 || e.status === 429 || e.status === 401) throw e;
      state = { ...base, filled: 0, status: 'rejected', reason: e.isPostOnlyCross ? 'post only cross' : `${e.code}${e.exchangeMessage ? `: ${e.exchangeMessage}` : ''}`, updatedMs: this.o.clock.now() };
    }
    this.remember(state);
    if (state.status === 'rejected') this.emit({ type: 'rejected', order: state, reason: state.reason ?? 'rejected' });
    else this.emit({ type: 'placed', order: state });
    this.replayEarly(intent.clientOrderId);
    return state;
  }

  async cancel(clientOrderId: string, reason?: string): Promise<OrderState | undefined> {
    // The exchange's user_orders update may beat the REST answer: it must carry our reason too.
    if (reason) this.cancelReasons.set(clientOrderId, reason);
    const local = this.known.get(clientOrderId);
    let order: OrderState | undefined = local?.orderId ? local : undefined;
    if (!order) {
      const resting = await this.o.rest.listOrders({ status: 'resting' });
      const hit = resting.find((x) => x.client_order_id === clientOrderId);
      if (!hit) return local;
      order = toOrderState(hit, this.o.clock.now());
    }
    try {
      await this.o.rest.cancelOrder(order.orderId!, { marketTicker: order.marketTicker });
    } catch (e) {
      // Already gone (filled, cancelled, or our earlier attempt went through): report what it is now.
      if (!(e instanceof KalshiApiError && e.status === 404)) throw e;
    }
    const now = toOrderState(await this.o.rest.getOrder(order.orderId!), this.o.clock.now());
    this.transition(now, reason ?? 'canceled');
    return now;
  }

  async cancelAll(reason: string): Promise<number> {
    const resting = await this.o.rest.listOrders({ status: 'resting' });
    let cancelled = 0;
    for (let i = 0; i < resting.length; i += 20) {
      const chunk = resting.slice(i, i + 20);
      const results = await this.o.rest.batchCancelOrders(chunk.map((x) => ({ order_id: x.order_id, market_ticker: x.ticker })));
      for (const r of results) {
        if (r.error) this.log.warn({ reason, order_id: r.order_id, code: safeCode(r.error.code, 'error'), error: safeText(r.error.message ?? '') }, 'live broker: cancel-all left an order');
        else cancelled++;
      }
    }
    for (const x of resting) {
      const k = this.known.get(x.client_order_id);
      if (k && k.status === 'resting') this.transition({ ...k, status: 'canceled', reason, updatedMs: this.o.clock.now() }, reason);
    }
    this.log.info({ reason, cancelled, resting: resting.length }, 'live broker: cancel-all done');
    return cancelled;
  }

  async openOrders(): Promise<OrderState[]> {
    const now = this.o.clock.now();
    return (await this.o.rest.listOrders({ status: 'resting' })).map((x) => toOrderState(x, now));
  }

  private remember(state: OrderState): void {
    this.known.set(state.clientOrderId, state);
    if (state.orderId) this.idOfOrder.set(state.orderId, state.clientOrderId);
  }

  /** Records a new state and emits `cancelled` the first time an order is seen cancelled. */
  private transition(next: OrderState, reason: string): void {
    const prev = this.known.get(next.clientOrderId);
    this.remember(next);
    if (next.status === 'canceled' && prev?.status !== 'canceled') {
      this.cancelReasons.delete(next.clientOrderId);
      this.emit({ type: 'cancelled', order: next, reason });
    }
  }

  private ownId(clientOrderId: string | undefined, orderId: string): string | undefined {
    return clientOrderId ?? this.idOfOrder.get(orderId);
  }

  private onFill(f: VenueFill): void {
    if (this.seenTrades.has(f.tradeId)) return;
    const id = this.ownId(f.clientOrderId, f.orderId);
    const prev = id ? this.known.get(id) : undefined;
    if (id && !prev && this.holdEarly(id, () => this.onFill(f))) return;
    if (!id || !prev) return; // not an order of this process (reconciliation adopts those)
    this.seenTrades.add(f.tradeId);
    const filled = Math.min(prev.size, prev.filled + f.size);
    const order: OrderState = { ...prev, filled, status: filled >= prev.size ? 'executed' : prev.status, updatedMs: f.tsMs };
    this.remember(order);
    this.emit({ type: 'filled', order, fill: { price: f.price, size: f.size, feeMicros: f.feeMicros, tsMs: f.tsMs, tradeId: f.tradeId } });
  }

  private onOrderUpdate(u: VenueOrderUpdate): void {
    const id = this.ownId(u.clientOrderId, u.orderId);
    const prev = id ? this.known.get(id) : undefined;
    if (id && !prev && this.holdEarly(id, () => this.onOrderUpdate(u))) return;
    if (!id || !prev) return;
    if (u.status === 'canceled') this.transition({ ...prev, orderId: u.orderId, status: 'canceled', updatedMs: u.tsMs }, this.cancelReasons.get(id) ?? 'exchange');
    else if (u.status === 'resting' && prev.status !== 'resting' && prev.status !== 'executed' && prev.status !== 'canceled') {
      const order: OrderState = { ...prev, orderId: u.orderId, status: 'resting', updatedMs: u.tsMs };
      this.remember(order);
      this.emit({ type: 'placed', order });
    }
    // `executed` is reached through fill events (which carry size and fee).
  }

  /**
   * A fill or update for an order whose create response has not come back yet (the stream's socket can beat
   * the REST answer on a busy machine): kept, and applied once `place` knows the order — never dropped.
   */
  private holdEarly(clientOrderId: string, apply: () => void): boolean {
    if (!this.inFlight.has(clientOrderId)) return false;
    const list = this.early.get(clientOrderId) ?? [];
    list.push(apply);
    this.early.set(clientOrderId, list);
    return true;
  }

  private replayEarly(clientOrderId: string): void {
    this.inFlight.delete(clientOrderId);
    const list = this.early.get(clientOrderId);
    this.early.delete(clientOrderId);
    for (const apply of list ?? []) apply();
  }

  private emit(e: BrokerEvent): void {
    for (const l of this.listeners) l(e);
  }

  private get log(): Logger {
    return this.o.logger ?? silentLogger;
  }
}
