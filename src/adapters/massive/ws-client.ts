/**
 * Massive (ex-Polygon) indices websocket client implementing IndexFeed (reference polygon_massive.md §1).
 *
 * Handshake, in this order: the server's `connected` status (some servers say `success`) → we send
 * `{"action":"auth","params":KEY}` → wait for `auth_success` → subscribe every item of the subscription
 * Set (`V.I:SPX,V.I:NDX`). Subscriptions are per connection, so every reconnect re-auths and re-subscribes.
 *
 * Failure policy (the reconnect delays are ws-reconnect.ts's):
 * - `auth_failed`: fatal. The key is wrong or lacks the plan; retrying cannot help, so we stop for good
 *   and surface a clear error (never the key).
 * - `max_connections` (another connection with this key evicted us): a long cool-down before the next
 *   attempt, doubling on repeated kicks; only a connection that stayed up for `stableResetMs` resets it.
 * - anything else (drop, `force_disconnect`, `slow_consumer`, `auth_timeout`, handshake timeout, idle
 *   socket): reconnect after jittered exponential backoff.
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
 * Channel: `V` (default) or `A`/`AM` bars; how their events become ticks is ws-ticks.ts's. Options,
 * states and counters: ws-options.ts.
 */
import WebSocket from 'ws';
import type { Clock, TimerHandle } from '../../ports/clock.ts';
import type { IndexTick, ObservableIndexFeed } from '../../ports/index-feed.ts';
import type { IndexSymbol } from '../../core/series.ts';
import { MassiveFrameDecoder, type DecodedFrameSink } from './decoder.ts';
import { STATUS, type StatusEvent } from './schemas.ts';
import { displayUrl, redact, safeDetail, silentLogger, type FeedLogger } from './log.ts';
import type { FrameTap, TapSource } from '../../ports/frame-tap.ts';
import { MassiveTicks } from './ws-ticks.ts';
import { ReconnectPolicy } from './ws-reconnect.ts';
import { MassiveAuthError, resolveWsConfig, zeroCounters, type IndexChannel, type MassiveWsOptions, type WsFeedConfig, type WsFeedCounters, type WsFeedState } from './ws-options.ts';

export type { IndexChannel, MassiveWsOptions, WsFeedCounters, WsFeedState } from './ws-options.ts';
export { AM_MIN_SILENCE_MS, MassiveAuthError } from './ws-options.ts';

const ALL_SYMBOLS: readonly IndexSymbol[] = ['I:SPX', 'I:NDX'];
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
  private readonly cfg: WsFeedConfig;
  private readonly isMarketHours: (nowMs: number) => boolean;
  /** Last tick for our subscriptions, or the start of the current silence window (streaming only). */
  private lastTickAt = 0;
  /** Last pong on the current connection. */
  private lastPongAt = 0;
  private readonly log: FeedLogger;
  private readonly reconnect: ReconnectPolicy;
  private readonly tap: FrameTap | undefined;
  private readonly decoder = new MassiveFrameDecoder();
  private readonly ticks: MassiveTicks;
  private readonly fatalListeners = new Set<(e: Error) => void>();

  private ws: WebSocket | undefined;
  private _state: WsFeedState = 'idle';
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
  private readonly c: WsFeedCounters = zeroCounters();


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
    this.cfg = resolveWsConfig(o, this.channel);
    this.isMarketHours = o.isMarketHours ?? (() => true);
    this.log = o.logger ?? silentLogger;
    this.reconnect = new ReconnectPolicy(this.cfg, o.random ?? Math.random);
    this.tap = o.tap;
    this.ticks = new MassiveTicks({
      name: this.name,
      channel: this.channel,
      symbols: this.symbols,
      apiKey: this.apiKey,
      log: this.log,
      counters: this.c,
      onTickAt: (ts) => (this.lastTickAt = ts),
    });
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
    return this.ticks.on(listener);
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
      value: (e) => this.ticks.value(e, receivedTs),
      aggregate: (e) => this.ticks.aggregate(e, receivedTs),
      malformed: (reason, channel) => this.log.warn({ feed: this.name, channel, reason, malformed: this.decoder.counters.malformed }, 'malformed message skipped'),
      failed: (reason, channel) => this.log.error({ feed: this.name, channel, reason: redact(reason, this.apiKey) }, 'index feed event handling failed'),
    };
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
    const delay = this.reconnect.delayAfterClose(kicked, this.streamingSince === null ? null : now - this.streamingSince);
    this._state = 'backoff';
    this._nextReconnectAt = now + delay;
    this.log.warn({ feed: this.name, code, reconnectInMs: delay, kicked }, 'index feed disconnected');
    this.reconnectTimer = this.clock.setTimeout(() => this.connect(), delay);
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

function rawToString(data: WebSocket.RawData): string {
  if (typeof data === 'string') return data;
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}
