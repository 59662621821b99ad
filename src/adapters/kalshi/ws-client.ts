/**
 * Kalshi websocket client (reference §4): signed handshake (`GET /trade-api/ws/v2`), subscriptions that
 * survive reconnects, local books from `orderbook_delta` snapshots + signed deltas with per-sid `seq`
 * checking (a gap → `get_snapshot` resync; the book is withheld until resynced), ticker / trade / fill /
 * user_orders / market_lifecycle_v2, a dead-socket watchdog (no ping or frame within `idleTimeoutMs`),
 * reconnect with jittered exponential backoff and a fresh signature, and resubscribe on terminal errors.
 *
 * No frame can take the process down: `receive` validates every frame (zod, the official AsyncAPI shapes) and
 * runs its handler under a catch; a bad frame is counted per channel (`stats.rejectedByChannel`), logged with
 * its channel and reason (never its content), and skipped — on the book channel the affected books are
 * withheld and resynced, since a lost delta leaves them wrong.
 *
 * This file is the connection and its subscriptions; data frames become events in ws-frames.ts, and the
 * local books are kept (and resynced) by ws-books.ts.
 */
import WebSocket from 'ws';
import type { Clock, TimerHandle } from '../../ports/clock.ts';
import type { OrderBook } from '../../core/market.ts';
import type { VenueStream, VenueStreamEvent } from '../../ports/venue.ts';
import { silentLogger, type Logger } from '../../ports/logger.ts';
import type { FrameTap } from '../../ports/frame-tap.ts';
import type { KalshiSigner } from './auth.ts';
import { describeIssue, safeText } from './errors.ts';
import { KalshiBooks } from './ws-books.ts';
import { CHANNEL_OF_TYPE, eventOfFrame, isRecord, type KalshiWsStats, type WsChannel } from './ws-frames.ts';
import * as S from './schemas.ts';

export type { KalshiWsStats, WsChannel } from './ws-frames.ts';

/** Error codes after which the subscription is gone and must be re-created (reference §4). */
export const TERMINAL_WS_ERRORS: ReadonlySet<number> = new Set([10, 17, 25]);

export interface KalshiWsOptions {
  url: string;
  signer: KalshiSigner;
  clock: Clock;
  /** No ping or frame for this long = dead socket (the exchange pings every 10 s). Default 25 s. */
  idleTimeoutMs?: number;
  reconnectBaseMs?: number;
  reconnectMaxMs?: number;
  random?: () => number;
  /** Ask for YES-scale NO prices; the client converts back to NO-leg either way. Default false. */
  useYesPrice?: boolean;
  /** Connection, resync, resubscribe and rejected-frame lines, with structured fields (default: silent). */
  logger?: Logger;
  /** Told every text frame as received from the socket, with its receipt time (`--record`). */
  tap?: FrameTap;
}

export class KalshiWsClient implements VenueStream {
  readonly stats: KalshiWsStats = { connects: 0, disconnects: 0, frames: 0, seqGaps: 0, resyncs: 0, resubscribes: 0, rejectedFrames: 0, rejectedByChannel: {}, ignoredFrames: 0 };
  private readonly log: Logger;
  private ws: WebSocket | undefined;
  private stopped = true;
  private attempt = 0;
  private nextId = 1;
  private idleTimer: TimerHandle | undefined;
  private reconnectTimer: TimerHandle | undefined;
  private readonly listeners = new Set<(e: VenueStreamEvent) => void>();
  /** What the caller wants (null = the channel takes no market filter). */
  private readonly desired = new Map<WsChannel, Set<string> | null>();
  /** What this connection has asked the server for, per channel. */
  private readonly requested = new Map<WsChannel, Set<string> | null>();
  private readonly sidOf = new Map<WsChannel, number>();
  private readonly channelOfSid = new Map<number, WsChannel>();
  private readonly pending = new Map<number, WsChannel>();
  private readonly lastSeq = new Map<number, number>();
  private readonly books: KalshiBooks;
  private firstOpen: { resolve: () => void; reject: (e: Error) => void } | undefined;
  private readonly idleMs: number;

  constructor(private readonly o: KalshiWsOptions) {
    this.idleMs = o.idleTimeoutMs ?? 25_000;
    this.log = o.logger ?? silentLogger;
    const bookSub = {
      sid: () => this.sidOf.get('orderbook_delta'),
      requested: (ticker: string) => this.requested.get('orderbook_delta')?.has(ticker) === true,
      send: (frame: { cmd: string; params: Record<string, unknown> }) => this.send(frame),
      emit: (e: VenueStreamEvent) => this.emit(e),
    };
    this.books = new KalshiBooks(bookSub, { clock: o.clock, useYesPrice: o.useYesPrice, log: this.log, stats: this.stats });
  }

  get connected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  on(listener: (e: VenueStreamEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Connects (retrying with backoff); resolves once the first connection is open. Rejects (and stops) if
   * the very first handshake is refused as unauthorized: a wrong key or clock will not fix itself.
   */
  start(): Promise<void> {
    if (!this.stopped) return Promise.resolve();
    this.stopped = false;
    return new Promise<void>((resolve, reject) => {
      this.firstOpen = { resolve, reject };
      this.connect();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.clearTimer('idleTimer');
    this.clearTimer('reconnectTimer');
    const ws = this.ws;
    this.ws = undefined;
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        ws.once('close', () => resolve());
        ws.terminate();
      });
    }
  }

  watchBooks(tickers: string[]): void {
    this.books.watch(tickers);
    this.want('orderbook_delta', tickers);
  }

  unwatchBooks(tickers: string[]): void {
    this.unwant('orderbook_delta', tickers);
    this.books.unwatch(tickers);
  }

  watchTrades(tickers: string[]): void {
    this.want('trade', tickers);
  }

  watchTicker(tickers: string[]): void {
    this.want('ticker', tickers);
  }

  watchLifecycle(): void {
    this.want('market_lifecycle_v2', null);
  }

  watchAccount(): void {
    this.want('fill', null);
    this.want('user_orders', null);
  }

  /** True once the server has confirmed the channel's subscription on the current connection. */
  isSubscribed(channel: WsChannel): boolean {
    return this.sidOf.has(channel);
  }

  book(ticker: string): OrderBook | undefined {
    return this.books.book(ticker);
  }

  // ---------------- connection ----------------

  private connect(): void {
    if (this.stopped) return;
    // A fresh timestamp and signature on every handshake.
    const ws = new WebSocket(this.o.url, { headers: this.o.signer.headers('GET', this.o.url), handshakeTimeout: 10_000 });
    this.ws = ws;
    ws.on('open', () => {
      if (this.ws !== ws) return;
      this.attempt = 0;
      this.stats.connects++;
      this.log.info({ connects: this.stats.connects }, 'kalshi websocket connected');
      this.touch();
      this.emit({ kind: 'connection', state: 'connected' });
      this.resubscribeAll();
      this.firstOpen?.resolve();
      this.firstOpen = undefined;
    });
    ws.on('message', (data, isBinary) => {
      if (this.ws !== ws) return;
      this.touch();
      if (isBinary) {
        this.reject('unknown', 'binary frame', undefined);
        return;
      }
      let text: string;
      try {
        text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
      } catch {
        this.reject('unknown', 'undecodable frame', undefined);
        return;
      }
      this.o.tap?.ws('kalshi-ws', text, this.o.clock.now());
      this.receive(text);
    });
    ws.on('ping', () => {
      if (this.ws === ws) this.touch();
    });
    ws.on('unexpected-response', (_req, res) => {
      const status = res.statusCode ?? 0;
      this.log.warn({ status }, 'kalshi websocket handshake refused');
      if ((status === 401 || status === 403) && this.firstOpen) {
        const { reject } = this.firstOpen;
        this.firstOpen = undefined;
        this.stopped = true;
        reject(new Error(`Kalshi websocket handshake refused: HTTP ${status} (check KALSHI_API_KEY_ID, the private key and the clock)`));
      }
      ws.terminate();
    });
    ws.on('error', (e) => this.log.warn({ reason: safeText(this.o.signer.redact(e.message)) }, 'kalshi websocket error'));
    ws.on('close', () => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      this.onDisconnected('closed');
    });
  }

  private onDisconnected(reason: string): void {
    this.clearTimer('idleTimer');
    this.stats.disconnects++;
    this.sidOf.clear();
    this.channelOfSid.clear();
    this.pending.clear();
    this.lastSeq.clear();
    this.requested.clear();
    this.books.staleAll(`disconnected (${reason})`);
    this.emit({ kind: 'connection', state: 'disconnected', reason });
    if (this.stopped) {
      this.log.info({ reason }, 'kalshi websocket closed');
      return;
    }
    const ceiling = Math.min(this.o.reconnectMaxMs ?? 30_000, (this.o.reconnectBaseMs ?? 500) * 2 ** this.attempt);
    const delay = Math.round(ceiling / 2 + (ceiling / 2) * (this.o.random ?? Math.random)());
    this.attempt++;
    this.log.warn({ reason, attempt: this.attempt, delay_ms: delay }, 'kalshi websocket disconnected; reconnecting');
    this.reconnectTimer = this.o.clock.setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connect();
    }, delay);
  }

  /** Any frame or ping proves the socket alive; silence past the limit means it is dead. */
  private touch(): void {
    this.clearTimer('idleTimer');
    this.idleTimer = this.o.clock.setTimeout(() => {
      this.idleTimer = undefined;
      this.log.warn({ idle_ms: this.idleMs, reason: 'idle_timeout' }, 'kalshi websocket: no ping or frame; treating the socket as dead');
      this.ws?.terminate();
    }, this.idleMs);
  }

  private clearTimer(which: 'idleTimer' | 'reconnectTimer'): void {
    const t = this[which];
    if (t) this.o.clock.clearTimeout(t);
    this[which] = undefined;
  }

  // ---------------- subscriptions ----------------

  private want(channel: WsChannel, tickers: string[] | null): void {
    if (tickers === null) this.desired.set(channel, null);
    else {
      const set = this.desired.get(channel) ?? new Set<string>();
      for (const t of tickers) set.add(t);
      this.desired.set(channel, set);
    }
    if (this.connected) this.sync(channel);
  }

  private unwant(channel: WsChannel, tickers: string[]): void {
    const set = this.desired.get(channel);
    if (!set) return;
    for (const t of tickers) set.delete(t);
    const sid = this.sidOf.get(channel);
    const req = this.requested.get(channel);
    const gone = tickers.filter((t) => req?.has(t));
    if (this.connected && sid !== undefined && gone.length) {
      for (const t of gone) req!.delete(t);
      this.send({ cmd: 'update_subscription', params: { sid, market_tickers: gone, action: 'delete_markets' } });
    }
  }

  /** Brings the server-side subscription of a channel up to what is desired. */
  private sync(channel: WsChannel): void {
    const want = this.desired.get(channel);
    if (want === undefined) return;
    const req = this.requested.get(channel);
    const sid = this.sidOf.get(channel);
    if (req === undefined) {
      if (want !== null && want.size === 0) return;
      const params: Record<string, unknown> = { channels: [channel] };
      if (want !== null) params.market_tickers = [...want];
      if (channel === 'orderbook_delta' && this.o.useYesPrice) params.use_yes_price = true;
      this.requested.set(channel, want === null ? null : new Set(want));
      const id = this.send({ cmd: 'subscribe', params });
      this.pending.set(id, channel);
      return;
    }
    if (want === null || req === null || sid === undefined) return; // wait for the `subscribed` reply
    const fresh = [...want].filter((t) => !req.has(t));
    if (fresh.length) {
      for (const t of fresh) req.add(t);
      this.send({ cmd: 'update_subscription', params: { sid, market_tickers: fresh, action: 'add_markets' } });
    }
  }

  private resubscribeAll(): void {
    for (const ch of this.desired.keys()) this.sync(ch);
  }

  private resubscribe(channel: WsChannel, why: string): void {
    this.stats.resubscribes++;
    this.log.warn({ channel, reason: why }, 'kalshi websocket resubscribing');
    const sid = this.sidOf.get(channel);
    if (sid !== undefined) {
      this.channelOfSid.delete(sid);
      this.lastSeq.delete(sid);
    }
    this.sidOf.delete(channel);
    this.requested.delete(channel);
    if (channel === 'orderbook_delta') this.books.staleAll(why);
    if (this.connected) this.sync(channel);
  }

  private send(frame: { cmd: string; params: Record<string, unknown> }): number {
    const id = this.nextId++;
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ id, ...frame }));
    return id;
  }

  // ---------------- frames ----------------

  /**
   * Processes one text frame as received from the socket (also used by replays and tests). Never throws: a
   * frame that is not JSON, not a documented shape, or whose handler fails is counted, logged and skipped.
   */
  receive(text: string): void {
    this.stats.frames++;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return this.reject('unknown', 'frame is not JSON', undefined);
    }
    const type = isRecord(raw) && typeof raw.type === 'string' ? raw.type : undefined;
    if (type === undefined) return this.reject('unknown', 'frame has no type', raw);
    const channel = Object.hasOwn(CHANNEL_OF_TYPE, type) ? CHANNEL_OF_TYPE[type]! : undefined;
    if (channel === undefined) {
      this.stats.ignoredFrames++; // channels we do not use
      return;
    }
    const parsed = S.WsFrame.safeParse(raw);
    if (!parsed.success) return this.reject(channel, `malformed ${type} frame ${describeIssue(parsed.error)}`, raw);
    try {
      this.handle(parsed.data);
    } catch (e) {
      this.reject(channel, `${type} frame not applied: ${safeText((e as Error)?.message ?? String(e))}`, raw);
    }
  }

  /** Counts and logs a skipped frame; on the book channel, withholds and resyncs the books it may have touched. */
  private reject(channel: WsChannel | 'control' | 'unknown', reason: string, raw: unknown): void {
    this.stats.rejectedFrames++;
    this.stats.rejectedByChannel[channel] = (this.stats.rejectedByChannel[channel] ?? 0) + 1;
    const sid = isRecord(raw) && Number.isSafeInteger(raw.sid) ? (raw.sid as number) : undefined;
    const seq = isRecord(raw) && Number.isSafeInteger(raw.seq) ? (raw.seq as number) : undefined;
    this.log.warn({ channel, reason, sid, seq, rejected: this.stats.rejectedByChannel[channel] }, 'kalshi websocket frame rejected');
    if (channel !== 'orderbook_delta') return;
    // The frame consumed a sequence number: take it, so the next good frame is not seen as a second gap.
    if (sid !== undefined && seq !== undefined && this.channelOfSid.get(sid) === 'orderbook_delta') this.lastSeq.set(sid, seq);
    this.books.onRejected(raw, reason);
  }

  private handle(f: S.WsFrameT): void {
    // Sequence check per subscription: every frame that carries sid+seq counts.
    if ('sid' in f && typeof f.sid === 'number' && 'seq' in f && typeof f.seq === 'number') {
      if (!this.checkSeq(f.sid, f.seq)) return;
    }
    switch (f.type) {
      case 'subscribed': {
        const ch = f.msg.channel as WsChannel;
        if (f.id !== undefined) this.pending.delete(f.id);
        this.sidOf.set(ch, f.msg.sid);
        this.channelOfSid.set(f.msg.sid, ch);
        this.sync(ch); // markets added while the reply was in flight
        return;
      }
      case 'error': {
        const ch = (f.id !== undefined ? this.pending.get(f.id) : undefined) ?? (f.sid !== undefined ? this.channelOfSid.get(f.sid) : undefined);
        if (f.id !== undefined) this.pending.delete(f.id);
        const terminal = TERMINAL_WS_ERRORS.has(f.msg.code);
        this.log.warn({ channel: ch ?? 'control', code: f.msg.code, reason: safeText(f.msg.msg ?? ''), terminal }, 'kalshi websocket error frame');
        if (terminal) {
          if (ch) this.resubscribe(ch, `terminal error ${f.msg.code}`);
          else for (const c of [...this.desired.keys()]) this.resubscribe(c, `terminal error ${f.msg.code}`);
        }
        return;
      }
      case 'orderbook_snapshot':
        this.books.applySnapshot(f.msg);
        return;
      case 'orderbook_delta':
        this.books.applyDelta(f.sid, f.msg);
        return;
      default: {
        const e = eventOfFrame(f, () => this.o.clock.now());
        if (e) this.emit(e);
      }
    }
  }

  /** False when the frame must be dropped (a gap was found and a resync started). */
  private checkSeq(sid: number, seq: number): boolean {
    const last = this.lastSeq.get(sid);
    this.lastSeq.set(sid, seq);
    if (last === undefined || seq === last + 1) return true;
    this.stats.seqGaps++;
    const ch = this.channelOfSid.get(sid);
    this.log.warn({ channel: ch ?? 'unknown', sid, expected: last + 1, seq, reason: 'sequence_gap' }, 'kalshi websocket sequence gap');
    if (ch === 'orderbook_delta') {
      this.books.onSeqGap(sid, last + 1, seq);
      return false;
    }
    return true; // trades/tickers/lifecycle: nothing to rebuild; the gap is counted and logged
  }

  private emit(e: VenueStreamEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        this.log.error({ event: e.kind, reason: safeText((err as Error)?.message ?? String(err)) }, 'kalshi stream listener threw');
      }
    }
  }
}
