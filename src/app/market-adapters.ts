/**
 * The only thing that differs between modes: where market data, the index and the exchange come from.
 * One function per source builds the same bundle of ports for one trading day:
 * - `sim`: the embedded simulator on loopback (the real signed Kalshi REST + websocket clients and the
 *   real Massive feeds talk to it; only URLs differ), on the caller's virtual clock;
 * - `offline`: fixture files (no network; WS gating bypassed; books polled from the fixtures);
 * - `online`: the real services from the environment;
 * - `replay`: in-process, no sockets — a generated day over the simulator's exchange, or a recording fed
 *   into the real parsers (built by `o.replay.open`, see src/app/replay/inprocess-day.ts).
 * Everything else (engine, quoting state, brokers, ledger, guard) is composed the same way on top.
 */
import path from 'node:path';
import type { Clock } from '../ports/clock.ts';
import { VirtualClock } from '../adapters/clock/virtual-clock.ts';
import type { Logger } from '../ports/logger.ts';
import type { SpotSource } from '../ports/trading.ts';
import type { VenueMarketData, VenueStream } from '../ports/venue.ts';
import type { FeedSnapshot } from '../core/ledger/build.ts';
import type { FeedName } from '../core/feed/feed-name.ts';
import type { ObservableIndexFeed } from '../ports/index-feed.ts';
import type { FrameTap } from '../ports/frame-tap.ts';
import { etToMs } from '../core/time/et.ts';
import { connectKalshi, type KalshiConnection } from '../adapters/kalshi/factory.ts';
import { KalshiSigner } from '../adapters/kalshi/auth.ts';
import type { KalshiWsClient } from '../adapters/kalshi/ws-client.ts';
import { FixtureStream, FixtureVenue, readFixtureManifest } from '../adapters/kalshi/fixture-venue.ts';
import { createDualFeedFromConfig } from '../adapters/feeds/from-config.ts';
import type { DualFeed } from '../adapters/feeds/dual-feed.ts';
import { bypassedSpot, dualFeedSpot } from '../adapters/feeds/spot.ts';
import { PollingVenueStream } from '../adapters/venue/polling-stream.ts';
import { assertPrivateKeyFile } from '../adapters/fs/key-file.ts';
import { MassiveRestClient } from '../adapters/massive/rest.ts';
import { DEFAULT_REST_BASE } from '../adapters/feeds/from-config.ts';
import { massiveApiKey, type AppEnv } from '../config/env.ts';
import { ConfigError, type IndexOpsConfig } from '../config/index-ops.ts';
import type { Paths } from '../config/paths.ts';
import type { EventSchedule } from '../core/event-schedule.ts';
import { resolveWorld, worldPath, type SimWorld, type SimWorldKind, type SimWorldSetting } from '../sim/day/world.ts';
import { simEventSchedule } from '../sim/day/macro-calendar.ts';
import { loadEventDays } from '../config/events-config.ts';
import { SIM_TICK_MS } from '../sim/cadence.ts';
import { startSimEnv, type SimEnv, type SimEnvOptions } from './sim-env.ts';
import { StartupError, withDeadline } from './startup.ts';
import { readFileSync } from 'node:fs';
import { z } from 'zod';

export type DataSource = 'sim' | 'offline' | 'online' | 'replay';

export interface IndexFeeds {
  dual: DualFeed;
  polygon: ObservableIndexFeed;
  massive: ObservableIndexFeed;
}

export interface MarketAdapters {
  source: DataSource;
  dateEt: string;
  venue: VenueMarketData;
  stream: VenueStream;
  spot: SpotSource;
  /** The dual index feed (sim, online); absent offline. */
  feeds?: IndexFeeds;
  /** The Kalshi connection (sim, online): the live broker and preflight use it. */
  kalshi?: KalshiConnection;
  /** The Kalshi websocket when the stream is one. */
  ws?: KalshiWsClient;
  sim?: SimEnv;
  /** Massive REST (market status: preflight's polygon_unreachable and clock drift). */
  massiveRest?: MassiveRestClient;
  /**
   * The scheduled events with their time of day the model conditions on (the adaptive σ's uplift): a
   * simulated run's world's; absent: `configs/events.yaml`.
   */
  events?: EventSchedule;
  /** Active feed and its age now, for ledger records written after the quote. */
  feedSnapshot(): FeedSnapshot;
  close(): Promise<void>;
}

export interface AdapterContext {
  clock: Clock;
  config: IndexOpsConfig;
  log: Logger;
  signal?: AbortSignal;
  /** Give up start-up (connections) after this long (default 60 s) … */
  startupTimeoutMs?: number;
  /** … on this clock (default the run's clock; a simulated run whose clock waits for start-up passes the system clock). */
  startupClock?: Clock;
  /** No index feed listener: WS gating bypassed (`--no-ws-listen`). */
  noWsListen?: boolean;
}

export { SIM_TICK_MS } from '../sim/cadence.ts';

/**
 * The clock of a simulated session flowing at `speed`. The simulator's feeds tick every 250 ms against
 * an 800 ms strict limit, so no single real stall may move virtual time by more than 200 ms: stalls
 * slow the run down, they never age a feed (see VirtualClock).
 */
export function simClock(startMs: number, speed: number, o: { holdUntilFirstSleep?: boolean } = {}): VirtualClock {
  return new VirtualClock(startMs, { speed, maxStepVirtualMs: 200, ...o });
}

export async function openSimAdapters(
  c: AdapterContext,
  o: { seed: number; dateEt: string; sim?: Partial<SimEnvOptions>; record?: RecordOptions; /** `configs/events.yaml` (the world's events) */ eventsConfig?: string },
): Promise<MarketAdapters> {
  const cleanups: (() => Promise<void> | void)[] = [];
  try {
    // The recorder closes last (cleanups run in reverse): everything the day received is in it.
    const tap = o.record?.openDay(o.dateEt);
    if (tap) cleanups.push(() => tap.close());
    const world = runWorldFor(o.sim?.world, o.eventsConfig);
    const sim = await startSimEnv({ tickIntervalMs: SIM_TICK_MS, ...o.sim, world, clock: c.clock, seed: o.seed, dateEt: o.dateEt });
    cleanups.push(() => sim.close());
    c.log.info({ kalshi: sim.kalshi.restBase, polygon: sim.polygon.wsUrl, massive: sim.massive.restUrl }, 'simulator started on loopback');
    tap?.meta({
      source: 'sim',
      seed: o.seed,
      world: world.kind,
      kalshi: { rest_base: sim.kalshi.restBase, ws_url: sim.kalshi.wsUrl },
      feeds: { polygon: c.config.feeds.polygon.kind, massive: c.config.feeds.massive.kind },
    });
    const signer = KalshiSigner.fromPem(sim.kalshiKeyId, sim.kalshiPrivateKeyPem, c.clock);
    const kalshi = connectKalshi({
      clock: c.clock,
      signer,
      endpoints: { restBase: sim.kalshi.restBase, wsUrl: sim.kalshi.wsUrl },
      rateLimits: c.config.kalshi,
      logger: c.log.child({ component: 'kalshi' }),
      tap,
    });
    const ws = await startKalshiStream(kalshi, c, cleanups);
    // The simulator's REST feed polls at its tick cadence (a 1 s period sits right at the 1.2 s SLO).
    const simFeeds = {
      ...c.config.feeds,
      polygon: { ...c.config.feeds.polygon, poll_interval_ms: Math.min(c.config.feeds.polygon.poll_interval_ms, SIM_TICK_MS) },
      massive: { ...c.config.feeds.massive, poll_interval_ms: Math.min(c.config.feeds.massive.poll_interval_ms, SIM_TICK_MS) },
    };
    const url = (kind: 'ws' | 'rest', s: { wsUrl: string; restUrl: string }) => (kind === 'ws' ? s.wsUrl : s.restUrl);
    const feeds = c.noWsListen
      ? undefined
      : createDualFeedFromConfig({
          clock: c.clock,
          apiKey: sim.massiveApiKey,
          feeds: simFeeds,
          urlOverride: { polygon: url(c.config.feeds.polygon.kind, sim.polygon), massive: url(c.config.feeds.massive.kind, sim.massive) },
          logger: c.log.child({ component: 'index-feed' }),
          tap,
        });
    if (feeds) await startFeeds(feeds, c, cleanups);
    // the day so far from the world's paths (what Massive's minute aggregates of today would give a live run)
    const spot = withHistory(feeds ? dualFeedSpot(feeds.dual, thresholds(c.config)) : simPathSpot(o.seed, o.dateEt, world), worldHistory(o.seed, o.dateEt, world));
    const massiveRest = new MassiveRestClient({ baseUrl: sim.massive.restUrl, apiKey: sim.massiveApiKey, clock: c.clock, timeoutMs: c.config.feeds.rest_timeout_ms, tap, tapSource: 'massive-rest' });
    return bundle('sim', o.dateEt, { venue: kalshi.venue, stream: ws, spot, feeds, kalshi, ws, sim, massiveRest, events: world.events }, c, cleanups);
  } catch (e) {
    await runCleanups(cleanups);
    throw e;
  }
}

export async function openOfflineAdapters(c: AdapterContext, o: { fixturesDir: string; dateEt: string }): Promise<MarketAdapters> {
  const dir = path.join(o.fixturesDir, 'kalshi');
  const { seed, world } = fixtureSeed(dir);
  const venue = new FixtureVenue(dir, o.dateEt, () => c.clock.now());
  // Polled books, plus the fixture day's recorded trades (what fills a paper quote offline).
  const stream = new FixtureStream(new PollingVenueStream({ clock: c.clock, venue, intervalMs: 1000, logger: c.log.child({ component: 'fixture-books' }) }), venue, c.clock);
  await stream.start();
  const cleanups: (() => Promise<void> | void)[] = [() => stream.stop()];
  return bundle('offline', o.dateEt, { venue, stream, spot: simPathSpot(seed, o.dateEt, world) }, c, cleanups);
}

export async function openOnlineAdapters(c: AdapterContext, o: { env: AppEnv; dateEt: string; record?: RecordOptions }): Promise<MarketAdapters> {
  const cleanups: (() => Promise<void> | void)[] = [];
  try {
    const tap = o.record?.openDay(o.dateEt);
    if (tap) cleanups.push(() => tap.close());
    const keyPath = o.env.KALSHI_PRIVATE_KEY_PEM_PATH;
    if (keyPath && o.env.KALSHI_API_KEY_ID) assertPrivateKeyFile(keyPath);
    const key = massiveApiKey(o.env);
    if (!key && !c.noWsListen) {
      throw new StartupError('missing_env:MASSIVE_API_KEY (or POLYGON_API_KEY) for the index feed; use --sim or --offline to run without credentials');
    }
    const kalshi = connectKalshi({ clock: c.clock, env: o.env, rateLimits: c.config.kalshi, logger: c.log.child({ component: 'kalshi' }), tap });
    tap?.meta({
      source: 'online',
      kalshi: { rest_base: kalshi.endpoints.restBase, ws_url: kalshi.endpoints.wsUrl },
      feeds: { polygon: c.config.feeds.polygon.kind, massive: c.config.feeds.massive.kind },
    });
    if (!kalshi.signer) throw new StartupError('missing_env:KALSHI_API_KEY_ID,KALSHI_PRIVATE_KEY_PEM_PATH: the Kalshi websocket needs an API key');
    const ws = await startKalshiStream(kalshi, c, cleanups);
    const feeds =
      c.noWsListen || !key
        ? undefined
        : createDualFeedFromConfig({
            clock: c.clock,
            apiKey: key,
            feeds: c.config.feeds,
            wsUrl: o.env.MASSIVE_WS_URL,
            restBase: o.env.MASSIVE_REST_BASE,
            logger: c.log.child({ component: 'index-feed' }),
            tap,
          });
    if (feeds) await startFeeds(feeds, c, cleanups);
    if (!feeds) throw new StartupError('--no-ws-listen online has no index source to price from; use --sim or --offline');
    const massiveRest = new MassiveRestClient({ baseUrl: o.env.MASSIVE_REST_BASE ?? DEFAULT_REST_BASE, apiKey: key!, clock: c.clock, timeoutMs: c.config.feeds.rest_timeout_ms, tap, tapSource: 'massive-rest' });
    return bundle('online', o.dateEt, { venue: kalshi.venue, stream: ws, spot: dualFeedSpot(feeds.dual, thresholds(c.config)), feeds, kalshi, ws, massiveRest }, c, cleanups);
  } catch (e) {
    await runCleanups(cleanups);
    throw e;
  }
}

export interface OpenAdaptersOptions extends AdapterContext {
  env: AppEnv;
  paths: Paths;
  /** Simulator seed (sim). */
  seed: number;
  dateEt: string;
  /** Simulator scenario options (sim only). */
  sim?: Partial<SimEnvOptions>;
  /** How a `replay` source builds the day's adapters (generated day or recording). */
  replay?: ReplayDayFactory;
  /** Record what the adapters receive (`--record DIR`): one file per day. */
  record?: RecordOptions;
}

/** Builds a replay day's adapters in-process (no sockets); see src/app/replay/inprocess-day.ts. */
export interface ReplayDayFactory {
  open(o: OpenAdaptersOptions): Promise<MarketAdapters>;
}

/** `--record DIR`: a tap per day (frames and REST bodies with their receipt times). */
export interface RecordOptions {
  /** Opens the day's recorder; its `close()` runs when the day's adapters close. */
  openDay(dateEt: string): FrameTap & { meta(m: Record<string, unknown>): void; close(): Promise<void> };
}

/** The day's adapters for a source. */
export function openMarketAdapters(source: DataSource, o: OpenAdaptersOptions): Promise<MarketAdapters> {
  switch (source) {
    case 'sim':
      return openSimAdapters(o, { seed: o.seed, dateEt: o.dateEt, sim: o.sim, record: o.record, eventsConfig: o.paths.eventsConfig });
    case 'offline':
      return openOfflineAdapters(o, { fixturesDir: o.paths.fixturesDir, dateEt: o.dateEt });
    case 'online':
      return openOnlineAdapters(o, { env: o.env, dateEt: o.dateEt, record: o.record });
    case 'replay':
      if (!o.replay) throw new Error('a replay source needs its day (generated or recorded)');
      return o.replay.open(o);
  }
}

// ---- pieces ----

const thresholds = (cfg: IndexOpsConfig) => ({ softMs: cfg.freshness.soft_ms, strictMs: cfg.freshness.strict_ms });

async function startKalshiStream(kalshi: KalshiConnection, c: AdapterContext, cleanups: (() => Promise<void> | void)[]): Promise<KalshiWsClient> {
  const ws = kalshi.stream();
  cleanups.push(() => ws.stop());
  c.log.info({ url: kalshi.endpoints.wsUrl }, 'connecting to the Kalshi websocket');
  await withDeadline('Kalshi websocket start-up', ws.start(), {
    clock: c.startupClock ?? c.clock,
    ms: c.startupTimeoutMs ?? 60_000,
    signal: c.signal,
    onGiveUp: () => void ws.stop(),
  });
  c.log.info('Kalshi websocket connected');
  return ws;
}

async function startFeeds(feeds: IndexFeeds, _c: AdapterContext, cleanups: (() => Promise<void> | void)[]): Promise<void> {
  await feeds.dual.start();
  cleanups.push(async () => {
    await feeds.dual.stop();
    feeds.dual.dispose();
  });
}

/**
 * The simulated world of a run: the given setting, its events defaulting to the run's `configs/events.yaml`
 * when that lists any, else the simulator's macro calendar (`simEventSchedule`, what the model side of a
 * simulated run reads too).
 */
export function simWorldFor(setting: SimWorldSetting | SimWorld | undefined, eventsConfig: string | undefined): SimWorld {
  if (typeof setting === 'object' && setting.events) return resolveWorld(setting);
  const events = simEventSchedule(eventsConfig ? loadEventDays(eventsConfig) : undefined);
  return resolveWorld(typeof setting === 'object' ? { ...setting, events } : { kind: setting, events });
}

/**
 * The world of a running session: as `simWorldFor`, but an unreadable `configs/events.yaml` (which the
 * session's pricing warns about once) gives the simulator's own calendar instead of stopping the day.
 * Operator commands that name the world (`sim`, `evaluate`) use `simWorldFor` and refuse the file.
 */
export function runWorldFor(setting: SimWorldSetting | SimWorld | undefined, eventsConfig: string | undefined): SimWorld {
  try {
    return simWorldFor(setting, eventsConfig);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return simWorldFor(setting, undefined);
  }
}

/** Index values of the seeded day (offline, --no-ws-listen in the simulator): gating bypassed. */
function simPathSpot(seed: number, dateEt: string, world: SimWorld | SimWorldKind): SpotSource {
  const paths = new Map((['I:SPX', 'I:NDX'] as const).map((s) => [s, worldPath(s, { seed, dateEt, closeEt: '16:00', world })]));
  return bypassedSpot((symbol, now) => paths.get(symbol)?.valueAt(now));
}

/** One value a minute of the seeded day's paths in [from, to]: the day so far of a simulated run. */
export function worldHistory(seed: number, dateEt: string, world: SimWorld | SimWorldKind): NonNullable<SpotSource['history']> {
  const paths = new Map((['I:SPX', 'I:NDX'] as const).map((s) => [s, worldPath(s, { seed, dateEt, closeEt: '16:00', world })]));
  return (symbol, fromMs, toMs) => {
    const p = paths.get(symbol);
    const out: { tMs: number; value: number }[] = [];
    if (!p) return out;
    for (let t = Math.ceil(fromMs / 60_000) * 60_000; t <= toMs; t += 60_000) out.push({ tMs: t, value: p.valueAt(t) });
    return out;
  };
}

/** A spot source that also answers the day so far. */
export function withHistory(spot: SpotSource, history: NonNullable<SpotSource['history']>): SpotSource {
  return { read: (symbol, strict, nowMs) => spot.read(symbol, strict, nowMs), ...(spot.perFeed ? { perFeed: (symbol) => spot.perFeed!(symbol) } : {}), history };
}

/** Fixture sets record the seed and world they were generated with; sets from before the regime world are classic. */
const FixtureSeedSchema = z.object({ seed: z.number().int(), world: z.enum(['classic', 'regime']).default('classic') });

/** The seed and world the fixtures were generated with (so offline index values match the recorded day). */
function fixtureSeed(dir: string): { seed: number; world: SimWorldKind } {
  readFixtureManifest(dir); // validates the manifest and that the directory is a fixture set
  const r = FixtureSeedSchema.safeParse(JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')));
  if (!r.success) throw new Error(`${dir}/manifest.json: ${r.error.issues[0]!.path.join('.') || 'seed'}: missing or invalid (seed: an integer; world: classic or regime)`);
  return r.data;
}

export function bundle(
  source: DataSource,
  dateEt: string,
  parts: Omit<MarketAdapters, 'source' | 'dateEt' | 'feedSnapshot' | 'close'>,
  c: AdapterContext,
  cleanups: (() => Promise<void> | void)[],
): MarketAdapters {
  const dual = parts.feeds?.dual;
  return {
    source,
    dateEt,
    ...parts,
    feedSnapshot(): FeedSnapshot {
      if (!dual) return { activeFeed: null, feedAgeMs: null };
      const a = dual.active;
      if (a === 'stand_down') return { activeFeed: null, feedAgeMs: null };
      const age = dual.ages(c.clock.now())[a as FeedName];
      return { activeFeed: a, feedAgeMs: age === null ? null : Math.round(age) };
    },
    close: () => runCleanups(cleanups),
  };
}

async function runCleanups(cleanups: (() => Promise<void> | void)[]): Promise<void> {
  for (const f of cleanups.splice(0).reverse()) {
    try {
      await f();
    } catch {
      // closing is best effort; the process is leaving this day's connections behind
    }
  }
}
