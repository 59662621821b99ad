/**
 * The Kalshi websocket client's local order books (reference §4): built from `orderbook_snapshot` and kept
 * by `orderbook_delta` frames. A book is withheld (not served, `book_stale` emitted once) from the moment it
 * may be wrong — a disconnect, a sequence gap on the book subscription, a rejected book frame, a delta below
 * zero, the book channel resubscribed — until a fresh snapshot arrives; the resync asks the server for it
 * (`get_snapshot`) on the book subscription.
 *
 * The subscription itself (sid, the tickers asked for, sending) is the client's (ws-client.ts): this module
 * sees it through `BookSubscription`.
 */
import type { Clock } from '../../ports/clock.ts';
import type { OrderBook } from '../../core/market.ts';
import type { VenueStreamEvent } from '../../ports/venue.ts';
import type { Logger } from '../../ports/logger.ts';
import { parseCount, parseDollars, type Pips } from '../../core/units.ts';
import { LocalBook } from './local-book.ts';
import { isRecord, ONE, type KalshiWsStats } from './ws-frames.ts';
import type * as S from './schemas.ts';

type SnapshotMsg = Extract<S.WsFrameT, { type: 'orderbook_snapshot' }>['msg'];
type DeltaMsg = Extract<S.WsFrameT, { type: 'orderbook_delta' }>['msg'];

/** The book channel's subscription on the current connection, as the client holds it. */
export interface BookSubscription {
  /** The book subscription's sid once the server has confirmed it. */
  sid(): number | undefined;
  /** Whether the current connection has asked the book channel for this market. */
  requested(ticker: string): boolean;
  send(frame: { cmd: string; params: Record<string, unknown> }): number;
  emit(e: VenueStreamEvent): void;
}

export interface KalshiBooksOptions {
  clock: Clock;
  /** NO prices come YES-scale (we asked for `use_yes_price`): convert back to the NO leg. */
  useYesPrice?: boolean;
  log: Logger;
  stats: KalshiWsStats;
}

export class KalshiBooks {
  private readonly books = new Map<string, LocalBook>();

  constructor(
    private readonly sub: BookSubscription,
    private readonly o: KalshiBooksOptions,
  ) {}

  watch(tickers: string[]): void {
    for (const t of tickers) if (!this.books.has(t)) this.books.set(t, new LocalBook(t));
  }

  unwatch(tickers: string[]): void {
    for (const t of tickers) this.books.delete(t);
  }

  /** The book while it is in sync, else undefined. */
  book(ticker: string): OrderBook | undefined {
    const b = this.books.get(ticker);
    return b?.isSynced ? b.toOrderBook() : undefined;
  }

  /** Withholds every book (the connection closed, or the book channel is being resubscribed). */
  staleAll(reason: string): void {
    for (const b of this.books.values()) this.stale(b, reason);
  }

  applySnapshot(msg: SnapshotMsg): void {
    const b = this.books.get(msg.market_ticker);
    if (!b) return;
    const yes = (msg.yes_dollars_fp ?? []).map(([p, c]) => [parseDollars(p), parseCount(c)] as [Pips, number]);
    const no = (msg.no_dollars_fp ?? []).map(([p, c]) => [this.noLeg(parseDollars(p)), parseCount(c)] as [Pips, number]);
    b.applySnapshot(yes, no, this.o.clock.now());
    this.sub.emit({ kind: 'book', book: b.toOrderBook() });
  }

  applyDelta(sid: number, msg: DeltaMsg): void {
    const b = this.books.get(msg.market_ticker);
    if (!b || !b.isSynced) return; // waiting for a snapshot
    const price = msg.side === 'no' ? this.noLeg(parseDollars(msg.price_dollars)) : parseDollars(msg.price_dollars);
    if (!b.applyDelta(msg.side, price, parseCount(msg.delta_fp), msg.ts_ms ?? this.o.clock.now())) {
      this.stale(b, 'delta below zero');
      this.requestSnapshots(sid, [b.ticker], 'delta below zero');
      return;
    }
    this.sub.emit({ kind: 'book', book: b.toOrderBook() });
  }

  /** A sequence gap on the book subscription: every requested book may be wrong; withhold and resync them. */
  onSeqGap(sid: number, expected: number, seq: number): void {
    const tickers = this.requestedTickers();
    for (const t of tickers) this.stale(this.books.get(t)!, `sequence gap (expected ${expected}, got ${seq})`);
    this.requestSnapshots(sid, tickers, 'sequence gap');
  }

  /** A book-channel frame was rejected: withhold the books it may have touched and resync them. */
  onRejected(raw: unknown, reason: string): void {
    const bookSid = this.sub.sid();
    const msg = isRecord(raw) && isRecord(raw.msg) ? raw.msg : undefined;
    const ticker = typeof msg?.market_ticker === 'string' ? msg.market_ticker : undefined;
    const affected = ticker !== undefined && this.books.has(ticker) ? [ticker] : this.requestedTickers();
    // Ask again for books that were live, or whose snapshot this was; a book already waiting for its
    // snapshot is not asked twice (a burst of bad deltas must not become a burst of commands).
    const isSnapshot = isRecord(raw) && raw.type === 'orderbook_snapshot';
    const resync = affected.filter((t) => this.books.get(t)!.isSynced || isSnapshot);
    for (const t of affected) this.stale(this.books.get(t)!, `rejected frame: ${reason}`);
    if (bookSid !== undefined) this.requestSnapshots(bookSid, resync, 'rejected frame');
  }

  private requestedTickers(): string[] {
    return [...this.books.keys()].filter((t) => this.sub.requested(t));
  }

  private requestSnapshots(sid: number, tickers: string[], reason: string): void {
    if (!tickers.length) return;
    this.o.stats.resyncs++;
    this.o.log.info({ channel: 'orderbook_delta', sid, markets: tickers.length, reason, resyncs: this.o.stats.resyncs }, 'kalshi websocket book resync (get_snapshot)');
    this.sub.send({ cmd: 'update_subscription', params: { sid, market_tickers: tickers, action: 'get_snapshot' } });
  }

  private stale(b: LocalBook, reason: string): void {
    const wasSynced = b.isSynced;
    b.invalidate();
    if (wasSynced) this.sub.emit({ kind: 'book_stale', ticker: b.ticker, reason });
  }

  /** NO-side prices → NO-leg (they already are unless we asked for YES-scale prices). */
  private noLeg(p: Pips): Pips {
    return this.o.useYesPrice ? ONE - p : p;
  }
}
