/**
 * A recorded day replayed (SPEC §9 `replay --recording`): what the adapters received, fed again at its
 * receipt time into the very same parsers — Kalshi websocket frames into KalshiWsClient.receive(), index
 * frames into MassiveWsFeed.receive(), index snapshots through MassiveRestPoller.pollOnce(), and every REST
 * answer through a fetch that answers from the recording — behind the real venue, DualFeed and spot, with
 * the dry broker. No socket is ever opened.
 *
 * Timing: each recorded message is a timer of the discrete-event clock at its receipt instant, ordered
 * before the product's own timers of that millisecond, or after them when it was received after they had
 * fired (`a: 1`, from the stepping clock of a recorded simulator session). REST answers a request is
 * waiting for resolve at their recorded instant; the engine's timers fire where they fired live. A session
 * recorded on a stepping clock therefore replays to the same quotes, fills and settlements.
 */
import crypto from 'node:crypto';
import type { Clock } from '../../ports/clock.ts';
import type { IndexFeed, IndexTick, ObservableIndexFeed, FeedCounters } from '../../ports/index-feed.ts';
import type { Logger } from '../../ports/logger.ts';
import type { IndexSymbol } from '../../core/series.ts';
import { KalshiRestClient } from '../../adapters/kalshi/rest-client.ts';
import { KalshiRateLimiter } from '../../adapters/kalshi/rate-limiter.ts';
import { KalshiVenue } from '../../adapters/kalshi/venue.ts';
import { KalshiWsClient } from '../../adapters/kalshi/ws-client.ts';
import { KalshiSigner } from '../../adapters/kalshi/auth.ts';
import { MassiveWsFeed } from '../../adapters/massive/ws-client.ts';
import { MassiveRestPoller } from '../../adapters/massive/rest-poller.ts';
import { MassiveRestClient } from '../../adapters/massive/rest.ts';
import { DualFeed } from '../../adapters/feeds/dual-feed.ts';
import { dualFeedSpot } from '../../adapters/feeds/spot.ts';
import { recordingEntries, type BadLine } from '../../adapters/recording/reader.ts';
import { isHttp, isWs, type Entry, type HttpEntry, type RecordingMeta } from '../../adapters/recording/format.ts';
import { EventClock } from '../../adapters/clock/event-clock.ts';
import { bundle, runWorldFor, withHistory, worldHistory, type MarketAdapters, type OpenAdaptersOptions, type ReplayDayFactory } from '../market-adapters.ts';

/** Same-instant order of recorded messages around the product's timers (EventClock priority 1). */
const BEFORE_TIMERS = 0;
const AFTER_TIMERS = 2;
const READ_AHEAD = 4096;
const KALSHI_BASE = 'http://kalshi.replay.invalid/trade-api/v2';
const MASSIVE_BASE = 'http://massive.replay.invalid';

export interface RecordingReplayStats {
  /** Messages dispatched, by source. */
  dispatched: Record<string, number>;
  /** Recorded REST answers no request asked for. */
  unused: number;
  /** Requests the recording had no answer for. */
  unanswered: string[];
  /** Requests made after their recorded answer's instant (the replay ran behind the recording). */
  late: number;
  /** Valid messages not delivered because the replayed run had ended before their instant. */
  afterEnd: number;
  badLines: BadLine[];
}

export interface RecordedDayOptions {
  file: string;
  meta: RecordingMeta;
  /** A bad line met while replaying (the scan reported it already). */
  onBad?: (b: BadLine) => void;
}

export function recordedDay(o: RecordedDayOptions, stats: RecordingReplayStats = newRecordingStats()): ReplayDayFactory {
  return { open: (a) => openRecordedDay(a, o, stats) };
}

export const newRecordingStats = (): RecordingReplayStats => ({ dispatched: {}, unused: 0, unanswered: [], late: 0, afterEnd: 0, badLines: [] });

async function openRecordedDay(a: OpenAdaptersOptions, o: RecordedDayOptions, stats: RecordingReplayStats): Promise<MarketAdapters> {
  if (!(a.clock instanceof EventClock)) throw new Error('a recording replays on the discrete-event clock');
  const clock = a.clock;
  const log = a.log;
  const kalshiBase = o.meta.kalshi?.rest_base ?? KALSHI_BASE;
  const kalshiHttp = new RecordedHttp(clock, kalshiBase, stats);
  const massiveHttp = new RecordedHttp(clock, MASSIVE_BASE, stats);
  const cfg = a.config.kalshi;
  const rest = new KalshiRestClient({
    baseUrl: kalshiBase,
    clock,
    limiter: new KalshiRateLimiter(clock, cfg),
    retry: { maxAttempts: cfg.rest_max_attempts, baseDelayMs: cfg.rest_backoff_base_ms, maxDelayMs: cfg.rest_backoff_max_ms },
    timeoutMs: cfg.rest_timeout_ms,
    fetchImpl: kalshiHttp.fetch,
    logger: log.child({ component: 'kalshi-rest' }),
  });
  const venue = new KalshiVenue(rest, clock, log.child({ component: 'kalshi-venue' }));
  // Never connected: frames arrive through receive(). (The signer would only sign a handshake.)
  const ws = new KalshiWsClient({ url: o.meta.kalshi?.ws_url ?? 'ws://kalshi.replay.invalid/trade-api/ws/v2', signer: new KalshiSigner('replay', crypto.createSecretKey(Buffer.alloc(32)), clock), clock, logger: log.child({ component: 'kalshi-ws' }) });
  const kinds = o.meta.feeds ?? { polygon: a.config.feeds.polygon.kind, massive: a.config.feeds.massive.kind };
  const feeds = {
    polygon: recordedFeed('polygon', kinds.polygon, clock, a, log),
    massive: recordedFeed('massive', kinds.massive, clock, a, log),
  };
  const dual = new DualFeed({ clock, polygon: feeds.polygon, massive: feeds.massive, sloMs: a.config.feeds.failover_slo_ms, returnAfterMs: a.config.feeds.return_after_ms, logger: log.child({ component: 'index-feed' }) });
  await dual.start();
  const massiveRest = new MassiveRestClient({ baseUrl: MASSIVE_BASE, apiKey: 'replay', clock, fetch: massiveHttp.fetch });
  const dispatcher = new Dispatcher(clock, o, stats, (e) => {
    if (isWs(e)) {
      if (e.s === 'kalshi-ws') ws.receive(e.w);
      else if (e.s === 'polygon' || e.s === 'massive') feeds[e.s].frame(e.w, e.t);
      else return false;
      return true;
    }
    if (isHttp(e)) {
      if (e.s === 'kalshi-rest') kalshiHttp.answer(e);
      else if (e.s === 'massive-rest') massiveHttp.answer(e);
      else if (e.s === 'polygon' || e.s === 'massive') feeds[e.s].poll(e);
      else return false;
      return true;
    }
    return false;
  });
  dispatcher.start();
  const fed = dualFeedSpot(dual, { softMs: a.config.freshness.soft_ms, strictMs: a.config.freshness.strict_ms });
  // A simulated run also knew the day so far and its world's events (neither is on the wire): rebuilt
  // from its seed and world, as the live run's simulator answered them (market-adapters openSimAdapters).
  const simWorld = o.meta.source === 'sim' && o.meta.seed !== undefined ? runWorldFor(o.meta.world ?? 'classic', a.paths.eventsConfig) : undefined;
  const spot = simWorld ? withHistory(fed, worldHistory(o.meta.seed!, a.dateEt, simWorld)) : fed;
  return bundle('replay', a.dateEt, { venue, stream: ws, spot, feeds: { dual, polygon: feeds.polygon, massive: feeds.massive }, massiveRest, ...(simWorld ? { events: simWorld.events } : {}) }, a, [
    async () => {
      kalshiHttp.close();
      massiveHttp.close();
      await dispatcher.stop();
    },
    async () => {
      await dual.stop();
      dual.dispose();
    },
  ]);
}

/** Feeds the recorded entries, one clock timer each, reading ahead of the clock (which waits for it). */
class Dispatcher {
  private readonly buf: Entry[] = [];
  private readonly it: AsyncGenerator<{ line: number; entry: Entry }>;
  private done = false;
  private stopped = false;
  private reading: Promise<void> | undefined;

  constructor(
    private readonly clock: EventClock,
    o: RecordedDayOptions,
    private readonly stats: RecordingReplayStats,
    private readonly deliver: (e: Entry) => boolean,
  ) {
    this.it = recordingEntries(o.file, (b) => {
      stats.badLines.push(b);
      o.onBad?.(b);
    });
  }

  start(): void {
    this.next();
  }

  /** Stops delivering; counts what the recording still held (messages after the run's end). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.reading;
    let rest = this.buf.length;
    this.buf.length = 0;
    if (!this.done) {
      try {
        for (let r = await this.it.next(); !r.done; r = await this.it.next()) rest++;
      } catch {
        // cut short: the scan has reported it
      }
    }
    this.stats.afterEnd += rest;
  }

  private read(): Promise<void> {
    this.reading ??= (async () => {
      try {
        while (this.buf.length < READ_AHEAD && !this.done && !this.stopped) {
          const r = await this.it.next();
          if (r.done) this.done = true;
          else this.buf.push(r.value.entry);
        }
      } catch {
        this.done = true; // the scan has reported why the file ends here
      }
    })().finally(() => {
      this.reading = undefined;
    });
    return this.reading;
  }

  private next(): void {
    if (this.stopped) return;
    const e = this.buf[0];
    if (!e) {
      if (this.done) return;
      // Behind the clock: hold time until the next entries are read.
      this.clock.waitFor(this.read().then(() => this.next()));
      return;
    }
    if (this.buf.length < READ_AHEAD / 4 && !this.done) void this.read();
    this.clock.at(e.t, () => this.fire(), 'a' in e && e.a === 1 ? AFTER_TIMERS : BEFORE_TIMERS);
  }

  private fire(): void {
    const e = this.buf.shift()!;
    if (this.deliver(e)) {
      const src = (e as { s: string }).s;
      this.stats.dispatched[src] = (this.stats.dispatched[src] ?? 0) + 1;
    }
    this.next();
  }
}

/**
 * A fetch answered from the recording: a request waits for its recorded answer (same method, path and
 * query, in order) and gets it at the instant it was received; an answer met before any request asked
 * for it is kept for the next such request. Requests still waiting when the recording ends fail as a
 * network error would.
 */
class RecordedHttp {
  private readonly waiting = new Map<string, { resolve: (r: Response) => void; reject: (e: Error) => void }[]>();
  private readonly ready = new Map<string, HttpEntry[]>();
  private closed = false;

  constructor(
    private readonly clock: Clock,
    private readonly base: string,
    private readonly stats: RecordingReplayStats,
  ) {}

  fetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const method = (init?.method ?? 'GET').toUpperCase();
    const key = `${method} ${url.startsWith(this.base) ? url.slice(this.base.length) : new URL(url).pathname + new URL(url).search}`;
    const answer = this.ready.get(key)?.shift();
    if (answer) {
      if (answer.t < this.clock.now()) this.stats.late++;
      return settle(answer);
    }
    if (this.closed) return Promise.reject(noAnswer(key));
    return new Promise<Response>((resolve, reject) => {
      const list = this.waiting.get(key) ?? [];
      const w = { resolve, reject };
      list.push(w);
      this.waiting.set(key, list);
      init?.signal?.addEventListener(
        'abort',
        () => {
          const i = list.indexOf(w);
          if (i >= 0) list.splice(i, 1);
          reject(init.signal!.reason ?? new Error('aborted'));
        },
        { once: true },
      );
    });
  };

  answer(e: HttpEntry): void {
    const key = `${e.m} ${e.p}`;
    const w = this.waiting.get(key)?.shift();
    if (w) settle(e).then(w.resolve, w.reject);
    else {
      const list = this.ready.get(key) ?? [];
      list.push(e);
      this.ready.set(key, list);
    }
  }

  close(): void {
    this.closed = true;
    for (const [key, list] of this.waiting) {
      for (const w of list.splice(0)) {
        this.stats.unanswered.push(key);
        w.reject(noAnswer(key));
      }
    }
    for (const list of this.ready.values()) this.stats.unused += list.length;
  }
}

function settle(e: HttpEntry): Promise<Response> {
  // Status 0: no answer came (network error, timeout): fail the way fetch fails.
  if (e.c === 0) return Promise.reject(new TypeError('fetch failed (recorded: no answer)'));
  return Promise.resolve(new Response(e.b, { status: e.c, headers: { 'content-type': 'application/json' } }));
}

function noAnswer(key: string): Error {
  return new TypeError(`fetch failed (the recording has no answer for ${key})`);
}

/** An index feed replayed from recorded frames or snapshots; starting it opens nothing. */
interface RecordedFeed extends ObservableIndexFeed {
  frame(text: string, receivedMs: number): void;
  poll(e: HttpEntry): void;
}

function recordedFeed(name: 'polygon' | 'massive', kind: 'ws' | 'rest', clock: Clock, a: OpenAdaptersOptions, log: Logger): RecordedFeed {
  const symbols: IndexSymbol[] = ['I:SPX', 'I:NDX'];
  if (kind === 'ws') {
    const feed = new MassiveWsFeed({ name, clock, url: 'ws://massive.replay.invalid/indices', apiKey: 'replay', symbols, channel: a.config.feeds[name].channel, logger: log.child({ component: 'index-feed' }) });
    return wrap(feed, {
      frame: (text, ms) => feed.receive(text, ms),
      poll: () => {},
    });
  }
  let next: HttpEntry | undefined;
  const fetchOne = (): Promise<Response> => {
    const e = next;
    next = undefined;
    return e ? settle(e) : Promise.reject(new TypeError('fetch failed (no recorded snapshot)'));
  };
  const client = new MassiveRestClient({ baseUrl: MASSIVE_BASE, apiKey: 'replay', clock, fetch: fetchOne as typeof fetch });
  const poller = new MassiveRestPoller({ name, clock, client, symbols, logger: log.child({ component: 'index-feed' }) });
  return wrap(poller, {
    frame: () => {},
    poll: (e) => {
      next = e;
      void poller.pollOnce();
    },
  });
}

function wrap(inner: ObservableIndexFeed, io: Pick<RecordedFeed, 'frame' | 'poll'>): RecordedFeed {
  return {
    name: inner.name,
    onTick: (l: (t: IndexTick) => void) => inner.onTick(l),
    start: async () => {},
    stop: async () => {},
    counters: (): FeedCounters => inner.counters(),
    get fatalError() {
      return inner.fatalError;
    },
    ...io,
  } satisfies RecordedFeed & IndexFeed;
}
