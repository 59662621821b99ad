/**
 * Massive (ex-Polygon) indices websocket client implementing IndexFeed (reference polygon_massive.md §1).
 *
 * Handshake, in this order: the server's `connected` status (some servers say `success`) → we send
 * `{"action":"auth","params":KEY}` → wait for `auth_success` → subscribe every item of the subscription
 * Set (`V.I:SPX,V.I:NDX`). Subscriptions are per connection, so every reconnect re-auths and re-subscribes.
 *
 * Failure policy:
 * - `auth_failed`: fatal. The key is wrong or lacks the plan; retrying cannot help, so we stop for good
 *   and surface a clear error (never the key).
 * - `max_connections` (another connection with this key evicted us): a long cool-down before the next
 *   attempt, doubling on repeated kicks (≤ 8×). Neither the backoff nor the kick count resets on
 *   `auth_success`: only a connection that stayed up for `stableResetMs` resets them, so two processes on
 *   one key cannot settle into a ~1 Hz kick-war.
 * - anything else (drop, `force_disconnect`, `slow_consumer`, `auth_timeout`, handshake timeout, idle
 *   socket): reconnect after jittered exponential backoff (base · 2^n, capped, "equal jitter").
 * - silent socket: we ping every `pingIntervalMs`; no frame or pong for `idleTimeoutMs` → terminate and
 *   reconnect.
 * - a socket that answers pings but sends no ticks: after `silenceRecycleMs` (default 10 s) without a tick
 *   for our subscriptions, counted only while `isMarketHours(now)` holds (default: always), and with a pong
 *   within the last 1.5 ping intervals, the connection is recycled — closed, then reconnected with
 *   backoff, re-authenticated and re-subscribed — while the failover serves the other feed.
 * Every timer runs on the injected Clock. Frames are validated element by element; malformed ones are
 * counted (per channel) and skipped; a listener that throws is contained and logged. Nothing a frame
 * carries can end the process.
 *
 * Channel: `V` (default) gives `val` at `t`. For `A`/`AM` bars the tick is the bar's close `c` stamped
 * with the window end `e`: `c` is the index value as of the end of the window, so `e` is its event time.
 * An event without its timestamp (the spec makes every field optional) is stamped with its receipt time.
 */
import WebSocket from 'ws';
import type { Clock, TimerHandle } from '../../ports/clock.ts';
import type { FeedCounters, IndexTick, ObservableIndexFeed } from '../../ports/index-feed.ts';
import type { IndexSymbol } from '../../core/series.ts';
import { MassiveFrameDecoder, type DecodedFrameSink } from './decoder.ts';
import { STATUS, type AggregateEvent, type StatusEvent, type ValueEvent } from './schemas.ts';
import { displayUrl, redact, safeDetail, silentLogger, type FeedLogger } from './log.ts';
import type { FrameTap, TapSource } from '../../ports/frame-tap.ts';

export type IndexChannel = 'V' | 'A' | 'AM';

export interface MassiveWsOptions {
  /** Feed name for logs and the failover (`polygon` / `massive`). */
  name?: string;
  clock: Clock;
  /** e.g. `wss://socket.massive.com/indices`. */
  url: string;
  apiKey: string;
  symbols?: readonly IndexSymbol[];
  channel?: IndexChannel;
  reconnectBaseMs?: number;
  reconnectMaxMs?: number;
  maxConnectionsCooldownMs?: number;
  /** A connection that stayed up this long resets backoff and kick counts (default: the cool-down). */
  stableResetMs?: number;
  idleTimeoutMs?: number;
  pingIntervalMs?: number;
  /** From socket open to `auth_success`. */
  handshakeTimeoutMs?: number;
  /**
   * Recycle a streaming connection that delivered no tick for this long (market-hours time); 0 disables.
   * Default 10 000. On the `AM` channel (a bar a minute, none for a minute without updates) at least
   * `AM_MIN_SILENCE_MS` applies.
   */
  silenceRecycleMs?: number;
  /** Whether silence counts now (e.g. the index's trading session); default: always. */
  isMarketHours?: (nowMs: number) => boolean;
  logger?: FeedLogger;
  /** Jitter source in [0, 1); inject for deterministic tests. */
  random?: () => number;
  /** Told every text frame as received, with its receipt time, under the feed's name (`--record`). */
  tap?: FrameTap;
}

export type WsFeedState = 'idle' | 'connecting' | 'awaiting_connected' | 'authenticating' | 'streaming' | 'backoff' | 'stopped' | 'fatal';

export interface WsFeedCounters extends FeedCounters {
  frames: number;
  ignored: number;
  connectAttempts: number;
  maxConnectionKicks: number;
  idleTimeouts: number;
  /** Connections recycled because they sent no tick for `silenceRecycleMs`. */
  silenceRecycles: number;
  /** `malformed` per channel (`V`, `A`, `AM`, `status`, `frame`). */
  malformedByChannel: Record<string, number>;
  /** Valid events whose processing threw (contained and logged). */
  failed: number;
  lastStatusMessage: string | null;
  lastCloseCode: number | null;
}

export class MassiveAuthError extends Error {
  override name = 'MassiveAuthError';
}

const ALL_SYMBOLS: readonly IndexSymbol[] = ['I:SPX', 'I:NDX'];
/** Shortest silence that recycles an `AM` (minute bar) connection: two bar periods plus slack. */
export const AM_MIN_SILENCE_MS = 130_000;
const MAX_KICK_MULTIPLIER = 8;
const MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;

export class MassiveWsFeed implements ObservableIndexFeed {
  readonly name: string;
  private readonly clock: Clock;
  private readonly url: string;
  private readonly apiKey: string;
  private readonly channel: IndexChannel;
  private readonly symbols: ReadonlySet<string>;
  /** `<CH>.<ticker>` items; a Set so reconnects never grow it. */
  private readonly subscriptions: Set<string>;
  private readonly cfg: Required<Pick<MassiveWsOptions, 'reconnectBaseMs' | 'reconnectMaxMs' | 'maxConnectionsCooldownMs' | 'stableResetMs' | 'idleTimeoutMs' | 'pingIntervalMs' | 'handshakeTimeoutMs' | 'silenceRecycleMs'>>;
  private readonly isMarketHours: (nowMs: number) => boolean;
  /** Last tick for our subscriptions, or the start of the current silence window (streaming only). */
  private lastTickAt = 0;
  /** Last pong on the current connection. */
  private lastPongAt = 0;
  private readonly log: FeedLogger;
  private readonly random: () => number;
  private readonly tap: FrameTap | undefined;
  private readonly decoder = new MassiveFrameDecoder();
  private readonly listeners = new Set<(t: IndexTick) => void>();
  private readonly fatalListeners = new Set<(e: Error) => void>();

  private ws: WebSocket | undefined;
  private _state: WsFeedState = 'idle';
  private failures = 0;
  private kicks = 0;
  /** Disconnect status the server announced on the current connection, if any. */
  private disconnectStatus: string | null = null;
  private streamingSince: number | null = null;
  private lastFrameAt = 0;
  private nextPingAt = 0;
  private openedAt = 0;
  private heartbeat: TimerHandle | undefined;
  private reconnectTimer: TimerHandle | undefined;
  private _nextReconnectAt: number | null = null;
  private _fatalError: Error | undefined;
  private readyWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private everReady = false;
  private closeWaiters: (() => void)[] = [];
  private readonly attemptTimes: number[] = [];
  private readonly c: WsFeedCounters = {
    messages: 0,
    ticks: 0,
    malformed: 0,
    reconnects: 0,
    lastStatus: null,
    frames: 0,
    ignored: 0,
    connectAttempts: 0,
    maxConnectionKicks: 0,
    idleTimeouts: 0,
    silenceRecycles: 0,
    malformedByChannel: {},
    failed: 0,
    lastStatusMessage: null,
    lastCloseCode: null,
  };

  constructor(o: MassiveWsOptions) {
    if (!o.apiKey) throw new Error('MassiveWsFeed: an API key is required (POLYGON_API_KEY or MASSIVE_API_KEY)');
    this.name = o.name ?? 'massive';
    this.clock = o.clock;
    this.url = o.url;
    this.apiKey = o.apiKey;
    this.channel = o.channel ?? 'V';
    const symbols = o.symbols ?? ALL_SYMBOLS;
    this.symbols = new Set(symbols);
    this.subscriptions = new Set(symbols.map((s) => `${this.channel}.${s}`));
    const cooldown = o.maxConnectionsCooldownMs ?? 60_000;
    const idle = o.idleTimeoutMs ?? 30_000;
    this.cfg = {
      reconnectBaseMs: o.reconnectBaseMs ?? 500,
      reconnectMaxMs: o.reconnectMaxMs ?? 30_000,
      maxConnectionsCooldownMs: cooldown,
      stableResetMs: o.stableResetMs ?? cooldown,
      idleTimeoutMs: idle,
      pingIntervalMs: o.pingIntervalMs ?? Math.max(1, Math.floor(idle / 3)),
      handshakeTimeoutMs: o.handshakeTimeoutMs ?? 10_000,
      silenceRecycleMs: silenceFor(this.channel, o.silenceRecycleMs ?? 10_000),
    };
    this.isMarketHours = o.isMarketHours ?? (() => true);
    this.log = o.logger ?? silentLogger;
    this.random = o.random ?? Math.random;
    this.tap = o.tap;
  }

  get state(): WsFeedState {
    return this._state;
  }

  get fatalError(): Error | undefined {
    return this._fatalError;
  }

  /** When the pending reconnect will fire (clock ms), or null. */
  get nextReconnectAt(): number | null {
    return this._nextReconnectAt;
  }

  /** Clock instants of the most recent connection attempts (bounded). */
  get connectAttemptTimes(): readonly number[] {
    return this.attemptTimes;
  }

  get subscriptionItems(): readonly string[] {
    return [...this.subscriptions];
  }

  counters(): WsFeedCounters {
    const d = this.decoder.counters;
    return { ...this.c, messages: d.messages, malformed: d.malformed, frames: d.frames, ignored: this.c.ignored + d.ignored, malformedByChannel: { ...d.malformedByChannel }, failed: d.failed + this.c.failed };
  }

  onTick(listener: (tick: IndexTick) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onFatal(listener: (e: Error) => void): () => void {
    this.fatalListeners.add(listener);
    return () => this.fatalListeners.delete(listener);
  }

  /** Starts connecting in the background; see `ready()` to wait for the first subscription. */
  async start(): Promise<void> {
    if (this._state !== 'idle') return;
    this.log.info({ feed: this.name, url: displayUrl(this.url, this.apiKey), channel: this.channel }, 'index feed starting');
    this.connect();
  }

  /** Resolves after the first `auth_success` (subscriptions sent); rejects if the feed fails fatally or stops first. */
  ready(): Promise<void> {
    if (this.everReady) return Promise.resolve();
    if (this._fatalError) return Promise.reject(this._fatalError);
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
  }

  async stop(): Promise<void> {
    if (this._state === 'stopped') return;
    const wasFatal = this._state === 'fatal';
    this._state = 'stopped';
    this.clearTimers();
    if (!wasFatal) this.rejectReady(new Error(`index feed ${this.name} stopped`));
    const ws = this.ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      this.closeWaiters.push(resolve);
      // Terminate rather than wait out a closing handshake: the socket is ours to drop and the server
      // frees the one-connection slot as soon as TCP closes.
      ws.terminate();
    });
  }

  // ------------------------------------------------------------------------------------------------

  private connect(): void {
    this._nextReconnectAt = null;
    this.reconnectTimer = undefined;
    this._state = 'connecting';
    this.disconnectStatus = null;
    this.streamingSince = null;
    this.c.connectAttempts++;
    this.attemptTimes.push(this.clock.now());
    if (this.attemptTimes.length > 64) this.attemptTimes.shift();
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url, { maxPayload: MAX_PAYLOAD_BYTES, perMessageDeflate: false });
    } catch (e) {
      // Bad URL: no retry will fix configuration.
      this.fail(new Error(`index feed ${this.name}: cannot open ${displayUrl(this.url, this.apiKey)}: ${redact((e as Error).message, this.apiKey)}`));
      return;
    }
    this.ws = ws;
    this.openedAt = this.clock.now();
    this.lastFrameAt = this.openedAt;
    this.lastPongAt = 0;
    this.armHeartbeat();
    ws.on('open', () => {
      if (this.ws !== ws) return;
      this._state = 'awaiting_connected';
      this.lastFrameAt = this.clock.now();
      this.nextPingAt = this.lastFrameAt + this.cfg.pingIntervalMs;
      this.armHeartbeat();
    });
    ws.on('message', (data: WebSocket.RawData) => {
      if (this.ws !== ws) return;
      this.lastFrameAt = this.clock.now();
      let text: string;
      try {
        text = rawToString(data);
      } catch {
        text = '';
      }
      this.tap?.ws(this.name as TapSource, text, this.lastFrameAt);
      this.receive(text);
    });
    ws.on('pong', () => {
      if (this.ws !== ws) return;
      this.lastFrameAt = this.clock.now();
      this.lastPongAt = this.lastFrameAt;
    });
    ws.on('error', (err: Error) => {
      if (this.ws !== ws) return;
      this.log.warn({ feed: this.name, err: redact(err.message, this.apiKey) }, 'index feed socket error');
    });
    ws.on('close', (code: number) => this.onClose(ws, code));
  }

  /**
   * Processes one text frame as received on the current connection (the socket handler; also replays and
   * tests). Never throws: malformed events are counted and skipped, failures inside are contained.
   */
  receive(text: string, receivedTs = this.clock.now()): void {
    try {
      this.decoder.decode(text, this.sinkFor(receivedTs));
    } catch (e) {
      // The decoder contains its own failures; this is the last line of defence for the process.
      this.c.failed++;
      this.log.error({ feed: this.name, channel: 'frame', reason: redact(String((e as Error)?.message ?? e), this.apiKey).slice(0, 200) }, 'index feed frame handling failed');
    }
  }

  private sinkFor(receivedTs: number): DecodedFrameSink {
    return {
      status: (e) => this.onStatus(e),
      value: (e) => this.onValue(e, receivedTs),
      aggregate: (e) => this.onAggregate(e, receivedTs),
      malformed: (reason, channel) => this.log.warn({ feed: this.name, channel, reason, malformed: this.decoder.counters.malformed }, 'malformed message skipped'),
      failed: (reason, channel) => this.log.error({ feed: this.name, channel, reason: redact(reason, this.apiKey) }, 'index feed event handling failed'),
    };
  }

  private onValue(e: ValueEvent, receivedTs: number): void {
    if (this.channel !== 'V' || !this.symbols.has(e.T)) {
      this.c.ignored++;
      return;
    }
    this.emit({ symbol: e.T as IndexSymbol, value: e.val, eventTs: e.t ?? receivedTs, receivedTs });
  }

  private onAggregate(e: AggregateEvent, receivedTs: number): void {
    if (this.channel !== e.ev || !this.symbols.has(e.sym)) {
      this.c.ignored++;
      return;
    }
    this.emit({ symbol: e.sym as IndexSymbol, value: e.c, eventTs: e.e ?? e.s ?? receivedTs, receivedTs });
  }

  private emit(tick: IndexTick): void {
    this.c.ticks++;
    this.lastTickAt = tick.receivedTs;
    for (const l of this.listeners) {
      try {
        l(tick);
      } catch (e) {
        this.c.failed++;
        this.log.error({ feed: this.name, reason: redact(String((e as Error)?.message ?? e), this.apiKey).slice(0, 200) }, 'index tick listener threw');
      }
    }
  }

  private onStatus(e: StatusEvent): void {
    if (e.status === undefined) {
      this.c.ignored++; // a status event without a status (allowed by the spec) tells us nothing
      return;
    }
    // Server text: capped, control characters removed, the key masked before it reaches counters or logs.
    const message = e.message === undefined ? undefined : safeDetail(e.message, this.apiKey);
    const status = safeDetail(e.status, this.apiKey, 64);
    this.c.lastStatus = status;
    this.c.lastStatusMessage = message ?? null;
    const ws = this.ws;
    switch (e.status) {
      case STATUS.connected:
      case STATUS.success:
        if (this._state === 'awaiting_connected') {
          this._state = 'authenticating';
          this.send({ action: 'auth', params: this.apiKey });
        } else {
          this.log.debug({ feed: this.name, message }, 'subscription acknowledged');
        }
        return;
      case STATUS.authSuccess:
        if (this._state !== 'authenticating') return;
        this._state = 'streaming';
        this.streamingSince = this.clock.now();
        this.lastTickAt = this.streamingSince;
        if (this.c.connectAttempts > 1) this.c.reconnects++;
        this.send({ action: 'subscribe', params: [...this.subscriptions].join(',') });
        this.log.info({ feed: this.name, subscriptions: [...this.subscriptions] }, 'index feed authenticated and subscribed');
        this.armHeartbeat();
        this.resolveReady();
        return;
      case STATUS.authFailed:
        this.fail(new MassiveAuthError(`index feed ${this.name}: Massive rejected the API key (auth_failed: ${message ?? 'no message'}); check POLYGON_API_KEY / MASSIVE_API_KEY and that the plan includes indices websockets`));
        return;
      case STATUS.maxConnections:
        this.c.maxConnectionKicks++;
        this.disconnectStatus = e.status;
        this.log.error({ feed: this.name, message }, 'max_connections: another connection uses this API key; cooling down (never run two supervisors on one key)');
        ws?.close(1000, 'max_connections');
        return;
      case STATUS.forceDisconnect:
      case STATUS.slowConsumer:
      case STATUS.authTimeout:
        this.disconnectStatus = e.status;
        this.log.warn({ feed: this.name, status, message }, 'server is disconnecting us; will reconnect with backoff');
        ws?.close(1000, e.status);
        return;
      default:
        this.log.warn({ feed: this.name, status, message }, 'index feed status');
    }
  }

  private onClose(ws: WebSocket, code: number): void {
    if (this.ws !== ws) return;
    this.ws = undefined;
    this.c.lastCloseCode = code;
    this.clearHeartbeat();
    const waiters = this.closeWaiters.splice(0);
    for (const w of waiters) w();
    if (this._state === 'stopped' || this._state === 'fatal') return;
    const now = this.clock.now();
    // A policy close (1008) without an announced reason is treated as an eviction too: the cautious choice.
    const kicked = this.disconnectStatus === STATUS.maxConnections || (this.disconnectStatus === null && code === 1008);
    if (this.streamingSince !== null && now - this.streamingSince >= this.cfg.stableResetMs) {
      this.failures = 0;
      if (!kicked) this.kicks = 0;
    }
    const delay = kicked ? this.cooldownDelay() : this.backoffDelay();
    this._state = 'backoff';
    this._nextReconnectAt = now + delay;
    this.log.warn({ feed: this.name, code, reconnectInMs: delay, kicked }, 'index feed disconnected');
    this.reconnectTimer = this.clock.setTimeout(() => this.connect(), delay);
  }

  /** Jittered exponential backoff: d = min(max, base·2^n), wait in [d/2, d). */
  private backoffDelay(): number {
    const d = Math.min(this.cfg.reconnectMaxMs, this.cfg.reconnectBaseMs * 2 ** Math.min(this.failures, 30));
    this.failures++;
    return Math.round(d / 2 + (this.random() * d) / 2);
  }

  /** Long cool-down after max_connections: cooldown · 2^(kicks−1) (≤ 8×), plus jitter on top, never less. */
  private cooldownDelay(): number {
    this.kicks++;
    this.failures++;
    const mult = Math.min(MAX_KICK_MULTIPLIER, 2 ** (this.kicks - 1));
    return Math.round(this.cfg.maxConnectionsCooldownMs * mult + this.random() * this.cfg.reconnectBaseMs);
  }

  private fail(err: Error): void {
    this._state = 'fatal';
    this._fatalError = err;
    this.clearTimers();
    this.log.error({ feed: this.name, err: err.message }, 'index feed stopped for good');
    this.ws?.close(1000, 'fatal');
    this.rejectReady(err);
    for (const l of this.fatalListeners) l(err);
  }

  private send(msg: { action: string; params: string }): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    ws.send(JSON.stringify(msg));
  }

  /** One timer covers ping, idle detection and the handshake deadline: it fires at the earliest of them. */
  private armHeartbeat(): void {
    this.clearHeartbeat();
    if (!this.ws) return;
    const deadlines = [this.lastFrameAt + this.cfg.idleTimeoutMs];
    if (this._state === 'streaming' || this._state === 'authenticating' || this._state === 'awaiting_connected') deadlines.push(this.nextPingAt);
    // Past the silence already (waiting for pong evidence): the next ping's heartbeat checks again.
    const silenceAt = this.lastTickAt + this.cfg.silenceRecycleMs;
    if (this.silenceWatched() && silenceAt > this.clock.now()) deadlines.push(silenceAt);
    if (this._state !== 'streaming') deadlines.push(this.openedAt + this.cfg.handshakeTimeoutMs);
    const at = Math.min(...deadlines);
    this.heartbeat = this.clock.setTimeout(() => this.onHeartbeat(), Math.max(0, at - this.clock.now()));
  }

  private onHeartbeat(): void {
    this.heartbeat = undefined;
    const ws = this.ws;
    if (!ws) return;
    const now = this.clock.now();
    if (now - this.lastFrameAt >= this.cfg.idleTimeoutMs) {
      this.c.idleTimeouts++;
      this.log.warn({ feed: this.name, silentMs: now - this.lastFrameAt }, 'index feed socket silent; reconnecting');
      ws.terminate();
      return;
    }
    if (this._state !== 'streaming' && now - this.openedAt >= this.cfg.handshakeTimeoutMs) {
      this.log.warn({ feed: this.name, state: this._state }, 'index feed handshake timed out; reconnecting');
      ws.terminate();
      return;
    }
    if (this.silenceWatched()) {
      // Silence only counts in market hours: outside them, every heartbeat restarts the window (so it starts
      // at most one ping interval before the market opens).
      if (!this.marketHoursNow(now)) this.lastTickAt = Math.max(this.lastTickAt, now);
      // Only a socket seen answering pings lately is "alive but silent" (a dead one is the idle timer's);
      // this also keeps an event-loop stall on a fast virtual clock, which delays pongs and ticks alike,
      // from passing for silence.
      else if (now - this.lastTickAt >= this.cfg.silenceRecycleMs && now - this.lastPongAt <= this.cfg.pingIntervalMs * 1.5) {
        this.c.silenceRecycles++;
        this.log.warn(
          { feed: this.name, reason: 'no_ticks', silent_ms: now - this.lastTickAt, recycles: this.c.silenceRecycles },
          'index feed answers pings but sends no ticks; recycling the connection (reconnect, re-auth, re-subscribe)',
        );
        ws.terminate();
        return;
      }
    }
    if (now >= this.nextPingAt && ws.readyState === WebSocket.OPEN) {
      ws.ping();
      this.nextPingAt = now + this.cfg.pingIntervalMs;
    }
    this.armHeartbeat();
  }

  /** Silence is watched while streaming with subscriptions, when enabled. */
  private silenceWatched(): boolean {
    return this.cfg.silenceRecycleMs > 0 && this._state === 'streaming' && this.subscriptions.size > 0;
  }

  private marketHoursNow(now: number): boolean {
    try {
      return this.isMarketHours(now);
    } catch {
      return true;
    }
  }

  private clearHeartbeat(): void {
    if (this.heartbeat) this.clock.clearTimeout(this.heartbeat);
    this.heartbeat = undefined;
  }

  private clearTimers(): void {
    this.clearHeartbeat();
    if (this.reconnectTimer) this.clock.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this._nextReconnectAt = null;
  }

  private resolveReady(): void {
    this.everReady = true;
    for (const w of this.readyWaiters.splice(0)) w.resolve();
  }

  private rejectReady(err: Error): void {
    for (const w of this.readyWaiters.splice(0)) w.reject(err);
  }
}

function silenceFor(channel: IndexChannel, ms: number): number {
  if (!(ms > 0)) return 0;
  return channel === 'AM' ? Math.max(ms, AM_MIN_SILENCE_MS) : ms;
}

function rawToString(data: WebSocket.RawData): string {
  if (typeof data === 'string') return data;
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}
