/**
 * One simulated Kalshi websocket connection (reference §4): commands (subscribe, unsubscribe,
 * update_subscription incl. get_snapshot, list_subscriptions), per-sid `seq`, orderbook snapshots and
 * deltas (NO side in NO-leg prices unless `use_yes_price`), ticker, trade, fill, user_orders, lifecycle.
 * Payloads follow the official AsyncAPI (`asyncapi.yaml` of docs.kalshi.com): every required field,
 * deprecated ones included (`ts`, `time`, `side`, `action`, …), optional fields only when they have a value,
 * and `seq` only where the spec defines it (book frames and command replies). Fees carry up to 6 decimals.
 */
import type { WebSocket } from 'ws';
import { formatCount, formatDollars, formatMicros, type Pips } from '../../core/units.ts';
import type { ExchangeEvent, SimExchange } from './exchange.ts';
import { userIdOf } from './wire.ts';

export const WS_CHANNELS = ['orderbook_delta', 'ticker', 'trade', 'fill', 'user_orders', 'market_lifecycle_v2'] as const;
export type WsChannel = (typeof WS_CHANNELS)[number];
const NEEDS_TICKERS: ReadonlySet<string> = new Set(['orderbook_delta']);
const PRIVATE: ReadonlySet<string> = new Set(['fill', 'user_orders']);

interface Sub {
  sid: number;
  channel: WsChannel;
  /** null = every market. */
  tickers: Set<string> | null;
  seq: number;
  useYesPrice: boolean;
  skip: number;
}

const ONE = 10_000;

export class SimWsSession {
  private readonly subs = new Map<number, Sub>();
  private nextSid = 1;
  /** A frozen session sends nothing at all (not even pings): a dead socket as the client sees it. */
  frozen = false;

  constructor(
    readonly ws: WebSocket,
    readonly owner: string,
    private readonly ex: SimExchange,
  ) {
    ws.on('message', (data, isBinary) => {
      if (isBinary) return this.error(undefined, 1, 'Unable to process message');
      this.command(data.toString());
    });
  }

  ping(): void {
    if (!this.frozen && this.ws.readyState === this.ws.OPEN) this.ws.ping('heartbeat');
  }

  /** Test control: the next message of each matching subscription skips one sequence number. */
  skipSeq(channel?: string, count = 1): void {
    for (const s of this.subs.values()) if (!channel || s.channel === channel) s.skip += count;
  }

  /** Test control: an error frame on the channel's subscriptions (e.g. terminal code 17). */
  sendError(code: number, channel?: string): void {
    for (const s of this.subs.values()) {
      if (channel && s.channel !== channel) continue;
      this.send({ type: 'error', sid: s.sid, msg: { code, msg: code === 25 ? 'Subscription buffer overflow' : 'Internal error' } });
      this.subs.delete(s.sid);
    }
  }

  private send(frame: unknown): void {
    if (this.frozen || this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(JSON.stringify(frame));
  }

  private sendSeq(sub: Sub, frame: Record<string, unknown>): void {
    sub.seq += 1 + sub.skip;
    sub.skip = 0;
    this.send({ ...frame, sid: sub.sid, seq: sub.seq });
  }

  /** Channels whose payloads define no `seq` (ticker, trade, fill, user_order, lifecycle). */
  private sendUnsequenced(sub: Sub, frame: Record<string, unknown>): void {
    this.send({ ...frame, sid: sub.sid });
  }

  private error(id: number | undefined, code: number, msg: string, marketTicker?: string): void {
    this.send({ id, type: 'error', msg: { code, msg, ...(marketTicker ? { market_ticker: marketTicker } : {}) } });
  }

  private command(text: string): void {
    let cmd: { id?: unknown; cmd?: unknown; params?: Record<string, unknown> };
    try {
      cmd = JSON.parse(text);
    } catch {
      return this.error(undefined, 1, 'Unable to process message');
    }
    const id = typeof cmd.id === 'number' ? cmd.id : undefined;
    const p = (cmd.params ?? {}) as Record<string, unknown>;
    switch (cmd.cmd) {
      case 'subscribe':
        return this.subscribe(id, p);
      case 'unsubscribe':
        return this.unsubscribe(id, p);
      case 'update_subscription':
        return this.update(id, p);
      case 'list_subscriptions':
        return this.send({ id, type: 'ok', msg: [...this.subs.values()].map((s) => ({ channel: s.channel, sid: s.sid })) });
      default:
        return this.error(id, 5, 'Unknown command');
    }
  }

  private tickersOf(p: Record<string, unknown>): string[] | undefined {
    const list = Array.isArray(p.market_tickers) ? p.market_tickers : typeof p.market_ticker === 'string' ? [p.market_ticker] : undefined;
    return list?.filter((t): t is string => typeof t === 'string');
  }

  private subscribe(id: number | undefined, p: Record<string, unknown>): void {
    const channels = Array.isArray(p.channels) ? p.channels : [];
    if (channels.length === 0) return this.error(id, 2, 'Params required');
    const tickers = this.tickersOf(p);
    for (const t of tickers ?? []) if (!this.ex.markets.has(t)) return this.error(id, 16, 'Market not found', t);
    for (const ch of channels) {
      if (!(WS_CHANNELS as readonly string[]).includes(ch)) return this.error(id, 8, 'Unknown channel name');
      if (NEEDS_TICKERS.has(ch) && !tickers?.length) return this.error(id, 14, 'Market Ticker required');
    }
    for (const ch of channels as WsChannel[]) {
      // Re-subscribing to a channel adds markets to the existing subscription.
      const existing = [...this.subs.values()].find((s) => s.channel === ch);
      if (existing) {
        const fresh = (tickers ?? []).filter((t) => existing.tickers && !existing.tickers.has(t));
        for (const t of fresh) existing.tickers!.add(t);
        this.send({ id, type: 'subscribed', msg: { channel: ch, sid: existing.sid } });
        if (ch === 'orderbook_delta') for (const t of fresh) this.snapshot(existing, t);
        continue;
      }
      const sub: Sub = {
        sid: this.nextSid++,
        channel: ch,
        tickers: tickers?.length && !PRIVATE.has(ch) && ch !== 'market_lifecycle_v2' ? new Set(tickers) : null,
        seq: 0,
        useYesPrice: p.use_yes_price === true,
        skip: 0,
      };
      this.subs.set(sub.sid, sub);
      this.send({ id, type: 'subscribed', msg: { channel: ch, sid: sub.sid } });
      if (ch === 'orderbook_delta') for (const t of sub.tickers!) this.snapshot(sub, t);
      if (ch === 'ticker' && p.send_initial_snapshot === true && sub.tickers) for (const t of sub.tickers) this.tickerFrame(sub, t);
    }
  }

  private unsubscribe(id: number | undefined, p: Record<string, unknown>): void {
    const sids = Array.isArray(p.sids) ? p.sids : [];
    for (const sid of sids) {
      const sub = this.subs.get(sid as number);
      if (!sub) {
        this.error(id, 6, 'Subscription not found');
        continue;
      }
      this.subs.delete(sub.sid);
      sub.seq += 1;
      this.send({ id, type: 'unsubscribed', sid: sub.sid, seq: sub.seq });
    }
  }

  private update(id: number | undefined, p: Record<string, unknown>): void {
    const sid = typeof p.sid === 'number' ? p.sid : Array.isArray(p.sids) ? (p.sids[0] as number) : undefined;
    const sub = sid === undefined ? undefined : this.subs.get(sid);
    if (!sub) return this.error(id, 6, 'Subscription not found');
    const tickers = this.tickersOf(p) ?? [];
    if (!tickers.length) return this.error(id, 14, 'Market Ticker required');
    for (const t of tickers) if (!this.ex.markets.has(t)) return this.error(id, 16, 'Market not found', t);
    const action = p.action;
    if (action === 'get_snapshot') {
      if (sub.channel !== 'orderbook_delta') return this.error(id, 12, 'get_snapshot is only valid for orderbook_delta');
      const unknown = tickers.find((t) => !sub.tickers?.has(t));
      if (unknown) return this.error(id, 16, 'Market not subscribed', unknown);
      this.sendSeq(sub, { id, type: 'ok', msg: { market_tickers: [...(sub.tickers ?? [])] } });
      for (const t of tickers) this.snapshot(sub, t);
      return;
    }
    if (!sub.tickers) return this.error(id, 12, 'Subscription has no market filter');
    if (action === 'add_markets') {
      const fresh = tickers.filter((t) => !sub.tickers!.has(t));
      for (const t of fresh) sub.tickers.add(t);
      this.sendSeq(sub, { id, type: 'ok', msg: { market_tickers: [...sub.tickers] } });
      if (sub.channel === 'orderbook_delta') for (const t of fresh) this.snapshot(sub, t);
    } else if (action === 'delete_markets') {
      for (const t of tickers) sub.tickers.delete(t);
      this.sendSeq(sub, { id, type: 'ok', msg: { market_tickers: [...sub.tickers] } });
    } else {
      this.error(id, 13, 'Invalid action');
    }
  }

  private snapshot(sub: Sub, ticker: string): void {
    const { yes, no } = this.ex.levels(ticker);
    const msg: Record<string, unknown> = { market_ticker: ticker, market_id: marketId(ticker) };
    const fmt = (levels: [Pips, number][]) => levels.map(([p, s]) => [formatDollars(p), formatCount(s)]);
    // An empty side's key is absent, as on the exchange.
    if (yes.length) msg.yes_dollars_fp = fmt(yes);
    if (no.length) msg.no_dollars_fp = fmt(sub.useYesPrice ? no.map(([p, s]) => [ONE - p, s] as [Pips, number]).sort((a, b) => a[0] - b[0]) : no);
    this.sendSeq(sub, { type: 'orderbook_snapshot', msg });
  }

  private tickerFrame(sub: Sub, ticker: string): void {
    const m = this.ex.markets.get(ticker);
    if (!m) return;
    const bid = this.ex.bestYesBid(m);
    const ask = this.ex.bestYesAsk(m);
    const now = this.ex.clock.now();
    const last = this.ex.trades.findLast((t) => t.ticker === ticker);
    this.sendUnsequenced(sub, {
      type: 'ticker',
      msg: {
        market_ticker: ticker,
        market_id: marketId(ticker),
        price_dollars: formatDollars(m.lastPrice ?? 0),
        yes_bid_dollars: formatDollars(bid?.[0] ?? 0),
        yes_ask_dollars: formatDollars(ask?.[0] ?? ONE),
        yes_bid_size_fp: formatCount(bid?.[1] ?? 0),
        yes_ask_size_fp: formatCount(ask?.[1] ?? 0),
        last_trade_size_fp: formatCount(last?.count ?? 0),
        volume_fp: formatCount(m.volume),
        open_interest_fp: formatCount(m.openInterest),
        dollar_volume: Math.floor(m.volume / 100),
        dollar_open_interest: Math.floor(m.openInterest / 100),
        ts: Math.floor(now / 1000),
        ts_ms: now,
        time: new Date(now).toISOString(),
      },
    });
  }

  /** Routes one exchange event to the matching subscriptions of this connection. */
  deliver(e: ExchangeEvent): void {
    for (const sub of this.subs.values()) {
      switch (e.type) {
        case 'book_delta':
          if (sub.channel !== 'orderbook_delta' || !sub.tickers?.has(e.ticker)) break;
          this.sendSeq(sub, {
            type: 'orderbook_delta',
            msg: {
              market_ticker: e.ticker,
              market_id: marketId(e.ticker),
              price_dollars: formatDollars(e.side === 'no' && sub.useYesPrice ? ONE - e.price : e.price),
              delta_fp: formatCount(e.delta),
              side: e.side,
              ts_ms: e.tsMs,
            },
          });
          break;
        case 'ticker':
          if (sub.channel === 'ticker' && (!sub.tickers || sub.tickers.has(e.ticker))) this.tickerFrame(sub, e.ticker);
          break;
        case 'trade':
          if (sub.channel !== 'trade' || (sub.tickers && !sub.tickers.has(e.trade.ticker))) break;
          this.sendUnsequenced(sub, {
            type: 'trade',
            msg: {
              trade_id: e.trade.tradeId,
              market_ticker: e.trade.ticker,
              yes_price_dollars: formatDollars(e.trade.price),
              no_price_dollars: formatDollars(ONE - e.trade.price),
              count_fp: formatCount(e.trade.count),
              taker_side: e.trade.takerSide === 'bid' ? 'yes' : 'no',
              taker_outcome_side: e.trade.takerSide === 'bid' ? 'yes' : 'no',
              taker_book_side: e.trade.takerSide,
              is_block_trade: false,
              ts: Math.floor(e.trade.tsMs / 1000),
              ts_ms: e.trade.tsMs,
            },
          });
          break;
        case 'fill':
          if (sub.channel !== 'fill' || e.fill.owner !== this.owner) break;
          // Deprecated direction fields in the legacy vocabulary: a bid buys YES, an ask buys NO.
          this.sendUnsequenced(sub, {
            type: 'fill',
            msg: {
              trade_id: e.fill.tradeId,
              order_id: e.fill.orderId,
              market_ticker: e.fill.ticker,
              exchange_index: 0,
              is_taker: e.fill.isTaker,
              side: e.fill.side === 'bid' ? 'yes' : 'no',
              yes_price_dollars: formatDollars(e.fill.price),
              count_fp: formatCount(e.fill.count),
              fee_cost: formatMicros(e.fill.feeMicros),
              action: 'buy',
              outcome_side: e.fill.side === 'bid' ? 'yes' : 'no',
              book_side: e.fill.side,
              purchased_side: e.fill.side === 'bid' ? 'yes' : 'no',
              post_position_fp: formatSignedCount(e.fill.postPosition),
              ...(e.fill.clientOrderId ? { client_order_id: e.fill.clientOrderId } : {}),
              ts: Math.floor(e.fill.tsMs / 1000),
              ts_ms: e.fill.tsMs,
            },
          });
          break;
        case 'user_order':
          if (sub.channel !== 'user_orders' || e.order.owner !== this.owner) break;
          this.sendUnsequenced(sub, {
            type: 'user_order',
            msg: {
              order_id: e.order.orderId,
              user_id: userIdOf(this.owner),
              ticker: e.order.ticker,
              status: e.order.status,
              side: e.order.side === 'bid' ? 'yes' : 'no',
              is_yes: e.order.side === 'bid',
              outcome_side: e.order.side === 'bid' ? 'yes' : 'no',
              book_side: e.order.side,
              yes_price_dollars: formatDollars(e.order.price),
              fill_count_fp: formatCount(e.order.filled),
              remaining_count_fp: formatCount(e.order.remaining),
              initial_count_fp: formatCount(e.order.initial),
              taker_fill_cost_dollars: formatMicros(e.order.takerFillCost),
              maker_fill_cost_dollars: formatMicros(e.order.makerFillCost),
              taker_fees_dollars: formatMicros(e.order.takerFees),
              maker_fees_dollars: formatMicros(e.order.makerFees),
              client_order_id: e.order.clientOrderId,
              // Optional and not nullable in the AsyncAPI: absent for an order without a type.
              ...(e.order.stp ? { self_trade_prevention_type: e.order.stp } : {}),
              created_time: new Date(e.order.createdMs).toISOString(),
              created_ts_ms: e.order.createdMs,
              last_update_time: new Date(e.order.updatedMs).toISOString(),
              last_updated_ts_ms: e.order.updatedMs,
            },
          });
          break;
        case 'lifecycle': {
          if (sub.channel !== 'market_lifecycle_v2') break;
          const m = this.ex.markets.get(e.ticker)!;
          const msg: Record<string, unknown> = { market_ticker: e.ticker, event_type: e.eventType };
          if (e.eventType === 'activated') Object.assign(msg, { open_ts: Math.floor(m.spec.openMs / 1000), close_ts: Math.floor(m.spec.closeMs / 1000) });
          if (e.eventType === 'determined') Object.assign(msg, { result: m.result, settlement_value: m.result === 'yes' ? '1.0000' : '0.0000', determination_ts: Math.floor(e.tsMs / 1000) });
          if (e.eventType === 'settled') Object.assign(msg, { settled_ts: Math.floor(e.tsMs / 1000) });
          this.sendUnsequenced(sub, { type: 'market_lifecycle_v2', msg });
          break;
        }
      }
    }
  }
}

/** A stable UUID-shaped id per ticker (the exchange's `market_id`). */
function marketId(ticker: string): string {
  let h = 0x811c9dc5;
  for (const ch of ticker) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  const hex = (h.toString(16).padStart(8, '0') + ticker.length.toString(16).padStart(4, '0')).padEnd(32, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const formatSignedCount = (c: number) => (c < 0 ? '-' + formatCount(-c) : formatCount(c));
