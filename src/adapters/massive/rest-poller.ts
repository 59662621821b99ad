/**
 * REST snapshot poller as an IndexFeed source (SPEC §6.4: either feed may be a websocket or this).
 * Polls `GET /v3/snapshot/indices` every `pollIntervalMs` of clock time (the next poll is scheduled only
 * after the current one finished, so polls never overlap).
 *
 * A tick is emitted only when a symbol's `last_updated` advances: an unchanged snapshot is not a new index
 * message, so a frozen upstream shows up as a growing feed age instead of looking fresh. A row without
 * `last_updated` (the spec requires only `ticker`) is stamped with its receipt time, and — having no other
 * evidence of a new message — counts as a tick only when its value differs from the last one emitted.
 * Per-ticker error rows (`NOT_FOUND`, `NOT_ENTITLED`) are counted and logged once per change; 429 / 5xx /
 * unreachable back off exponentially with jitter (honouring Retry-After); 401 / 403 are fatal.
 */
import type { Clock, TimerHandle } from '../../ports/clock.ts';
import type { FeedCounters, IndexTick, ObservableIndexFeed } from '../../ports/index-feed.ts';
import type { IndexSymbol } from '../../core/series.ts';
import { MassiveHttpError, MassiveRestClient } from './rest.ts';
import { silentLogger, type FeedLogger } from './log.ts';
import type { FrameTap, TapSource } from '../../ports/frame-tap.ts';

export interface RestPollerOptions {
  name?: string;
  clock: Clock;
  /** Either a ready client, or baseUrl + apiKey to build one. */
  client?: MassiveRestClient;
  baseUrl?: string;
  apiKey?: string;
  symbols?: readonly IndexSymbol[];
  pollIntervalMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  requestTimeoutMs?: number;
  logger?: FeedLogger;
  random?: () => number;
  /** Told every snapshot answer, under the feed's name (`--record`; only for a client built here). */
  tap?: FrameTap;
}

export interface RestPollerCounters extends FeedCounters {
  polls: number;
  failedPolls: number;
  rowErrors: number;
}

export class MassiveRestPoller implements ObservableIndexFeed {
  readonly name: string;
  private readonly clock: Clock;
  private readonly client: MassiveRestClient;
  private readonly symbols: readonly IndexSymbol[];
  private readonly pollIntervalMs: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly log: FeedLogger;
  private readonly random: () => number;
  private readonly listeners = new Set<(t: IndexTick) => void>();
  private readonly lastUpdated = new Map<string, number>();
  /** Last value emitted per symbol from rows without `last_updated`. */
  private readonly lastUnstamped = new Map<string, number>();
  private readonly rowErrorSeen = new Map<string, string>();
  private timer: TimerHandle | undefined;
  private running = false;
  private inFlight: Promise<void> | undefined;
  private failures = 0;
  private _fatalError: Error | undefined;
  private _nextPollAt: number | null = null;
  /** Retry-After of the last failed poll. */
  private retryAfterMs: number | undefined;
  private readonly c: RestPollerCounters = { messages: 0, ticks: 0, malformed: 0, reconnects: 0, lastStatus: null, polls: 0, failedPolls: 0, rowErrors: 0 };

  constructor(o: RestPollerOptions) {
    this.name = o.name ?? 'massive';
    this.clock = o.clock;
    if (o.client) this.client = o.client;
    else {
      if (!o.baseUrl || !o.apiKey) throw new Error('MassiveRestPoller: baseUrl and apiKey (or a client) are required');
      this.client = new MassiveRestClient({
        baseUrl: o.baseUrl,
        apiKey: o.apiKey,
        clock: o.clock,
        ...(o.requestTimeoutMs !== undefined ? { timeoutMs: o.requestTimeoutMs } : {}),
        ...(o.tap ? { tap: o.tap, tapSource: this.name as TapSource } : {}),
      });
    }
    this.symbols = o.symbols ?? ['I:SPX', 'I:NDX'];
    this.pollIntervalMs = o.pollIntervalMs ?? 1000;
    this.backoffBaseMs = o.backoffBaseMs ?? 1000;
    this.backoffMaxMs = o.backoffMaxMs ?? 30_000;
    this.log = o.logger ?? silentLogger;
    this.random = o.random ?? Math.random;
  }

  get fatalError(): Error | undefined {
    return this._fatalError;
  }

  get nextPollAt(): number | null {
    return this._nextPollAt;
  }

  counters(): RestPollerCounters {
    return { ...this.c };
  }

  onTick(listener: (tick: IndexTick) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts polling now (the first poll runs immediately, in the background). */
  async start(): Promise<void> {
    if (this.running || this._fatalError) return;
    this.running = true;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this._nextPollAt = null;
    await this.inFlight;
  }

  /** One poll; exposed so callers (and tests) can poll on demand. Never throws. */
  async pollOnce(): Promise<void> {
    this.c.polls++;
    try {
      const snap = await this.client.getIndexSnapshot(this.symbols);
      const receivedTs = this.clock.now();
      if (this.failures > 0) this.c.reconnects++;
      this.failures = 0;
      this.retryAfterMs = undefined;
      this.c.lastStatus = 'ok';
      this.c.messages += snap.values.length + snap.errors.length + snap.empty + snap.malformed;
      this.c.malformed += snap.malformed;
      if (snap.malformed > 0) this.log.warn({ feed: this.name, channel: 'snapshot', reason: 'row matches no documented shape', rows: snap.malformed, malformed: this.c.malformed }, 'snapshot rows rejected');
      for (const e of snap.errors) {
        this.c.rowErrors++;
        if (this.rowErrorSeen.get(e.ticker) !== e.error) {
          this.rowErrorSeen.set(e.ticker, e.error);
          this.log.warn({ feed: this.name, ticker: e.ticker, error: e.error, message: e.message }, 'snapshot row error');
        }
      }
      for (const v of snap.values) {
        if (!(this.symbols as readonly string[]).includes(v.ticker)) continue;
        this.rowErrorSeen.delete(v.ticker);
        let eventTs: number;
        if (v.lastUpdatedMs !== undefined) {
          const prev = this.lastUpdated.get(v.ticker);
          if (prev !== undefined && v.lastUpdatedMs <= prev) continue;
          this.lastUpdated.set(v.ticker, v.lastUpdatedMs);
          eventTs = v.lastUpdatedMs;
        } else {
          if (this.lastUnstamped.get(v.ticker) === v.value) continue;
          this.lastUnstamped.set(v.ticker, v.value);
          eventTs = receivedTs;
        }
        this.c.ticks++;
        const tick: IndexTick = { symbol: v.ticker as IndexSymbol, value: v.value, eventTs, receivedTs };
        for (const l of this.listeners) {
          try {
            l(tick);
          } catch (e) {
            this.log.error({ feed: this.name, reason: String((e as Error)?.message ?? e).slice(0, 200) }, 'index tick listener threw');
          }
        }
      }
    } catch (e) {
      this.onPollError(e);
    }
  }

  private onPollError(e: unknown): void {
    this.c.failedPolls++;
    const err = e instanceof MassiveHttpError ? e : new MassiveHttpError(`Massive REST poll failed: ${(e as Error).message}`, 0);
    this.c.lastStatus = err.status === 0 ? 'unreachable' : `http_${err.status}`;
    this.retryAfterMs = err.retryAfterMs;
    if (err.status === 401 || err.status === 403) {
      this._fatalError = new Error(`index feed ${this.name}: Massive REST rejected the API key (HTTP ${err.status}); check POLYGON_API_KEY / MASSIVE_API_KEY`);
      this.running = false;
      this.log.error({ feed: this.name, status: err.status }, 'index feed stopped for good');
      return;
    }
    this.failures++;
    this.log.warn({ feed: this.name, status: err.status, err: err.message }, 'snapshot poll failed; backing off');
  }

  /** Next delay after a poll: the interval, or jittered exponential backoff (≥ Retry-After) after failures. */
  private delayAfterPoll(): number {
    if (this.failures === 0) return this.pollIntervalMs;
    const d = Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** Math.min(this.failures - 1, 30));
    const jittered = Math.round(d / 2 + (this.random() * d) / 2);
    return Math.max(this.pollIntervalMs, jittered, this.retryAfterMs ?? 0);
  }

  private schedule(delay: number): void {
    this._nextPollAt = this.clock.now() + delay;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this._nextPollAt = null;
      this.inFlight = this.pollOnce().finally(() => {
        this.inFlight = undefined;
        if (this.running && !this._fatalError) this.schedule(this.delayAfterPoll());
      });
    }, delay);
  }
}
