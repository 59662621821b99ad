/**
 * `micro-index`: one series through one window, end to end (discover → price → quote → paper fills →
 * cancel at freeze → settle), wired from real adapters. Three data sources:
 * - `sim`: the embedded simulator on loopback, on a virtual clock at `--speed` (the real signed Kalshi
 *   REST + websocket clients and the real Massive feeds talk to it; only URLs differ);
 * - `offline`: recorded fixture files (no network; WS gating bypassed) on a virtual clock;
 * - `online`: the real services from the environment, on the system clock.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Broker } from '../ports/broker.ts';
import type { Clock } from '../ports/clock.ts';
import type { VenueMarketData, VenueStream } from '../ports/venue.ts';
import { VirtualClock } from '../adapters/clock/virtual-clock.ts';
import { DryBroker } from '../adapters/broker/dry-broker.ts';
import { LiveBroker } from '../adapters/broker/live-broker.ts';
import { selectBroker } from '../adapters/broker/select-broker.ts';
import { LedgerWriter } from '../adapters/ledger/ledger-writer.ts';
import { PaperLedgerRecorder } from '../adapters/ledger/paper-recorder.ts';
import { connectKalshi, type KalshiConnection } from '../adapters/kalshi/factory.ts';
import { FixtureVenue, readFixtureManifest } from '../adapters/kalshi/fixture-venue.ts';
import { KalshiSigner } from '../adapters/kalshi/auth.ts';
import { createDualFeedFromConfig } from '../adapters/feeds/from-config.ts';
import type { DualFeed } from '../adapters/feeds/dual-feed.ts';
import { calibrationPath, readCalibration } from '../adapters/calibration/params-file.ts';
import { loadFeesConfig, feeScheduleAt } from '../config/fees-config.ts';
import { loadEventDays } from '../config/events-config.ts';
import { massiveApiKey, type AppEnv, type RawEnv } from '../config/env.ts';
import type { IndexOpsConfig } from '../config/index-ops.ts';
import type { Paths } from '../config/paths.ts';
import type { TradingCalendar } from '../core/calendar/calendar.ts';
import { activeOrNextWindow, type TradingWindow } from '../core/windows.ts';
import { SERIES, seriesOfTicker, type SeriesCode } from '../core/series.ts';
import type { FeeSchedule } from '../core/market.ts';
import { feeRule, orderFeePips } from '../core/fees.ts';
import type { CalibrationParams } from '../core/calibration/params.ts';
import { generateIndexPath } from '../sim/day/index-path.ts';
import { etToMs } from '../core/time/et.ts';
import { startSimEnv, type SimEnv } from './sim-env.ts';
import { dualFeedSpot, bypassedSpot, type SpotSource } from '../engine/spot.ts';
import { runSeriesWindow, type EngineLog, type SeriesWindowResult } from '../engine/series-window.ts';

export type DataSource = 'sim' | 'offline' | 'online';

export interface MicroIndexOptions {
  series: SeriesCode;
  source: DataSource;
  /** Reference instant (picks the active or next window); default: the clock's now. */
  nowMs?: number;
  /** Virtual-clock speed for sim/offline (offline 0 = as fast as possible). */
  speed: number;
  broker: 'dry' | 'live';
  seed: number;
  killSwitchFile: string;
  /** Wait for the exchange's result after the target and settle paper fills (default on). */
  settle: boolean;
  requoteIntervalMs?: number;
}

export interface MicroIndexContext {
  paths: Paths;
  config: IndexOpsConfig;
  calendar: TradingCalendar;
  env: AppEnv;
  rawEnv: RawEnv;
  /** The process clock (system clock unless a test injects one). */
  clock: Clock;
  log: EngineLog;
  signal?: AbortSignal;
  /** Told the run's clock once it exists (virtual for sim/offline), e.g. to stamp log lines. */
  onClock?: (clock: Clock) => void;
}

export interface MicroIndexOutcome {
  window: TradingWindow;
  source: DataSource;
  ledger: string;
  result: SeriesWindowResult;
}

/** Index tick cadence of the embedded simulator (clock ms). */
const SIM_TICK_MS = 250;

/** Settlement wait after the target: the exchange determines index markets within about a minute. */
const SETTLE_TIMEOUT_MS = 10 * 60_000;

export async function runMicroIndex(o: MicroIndexOptions, c: MicroIndexContext): Promise<MicroIndexOutcome> {
  const refNow = o.nowMs ?? c.clock.now();
  const window = activeOrNextWindow(refNow, c.calendar, { series: o.series, cfg: c.config.windows });
  const cleanups: (() => Promise<void> | void)[] = [];
  try {
    const wired = await wire(o, c, window, refNow, cleanups);
    c.onClock?.(wired.clock);
    const ledger = LedgerWriter.open(c.paths.ledger, { archiveDir: c.paths.ledgerArchiveDir });
    cleanups.push(() => ledger.close());
    const feedSnapshot = () => {
      const r = wired.spot.read(SERIES[o.series].symbol, false, wired.clock.now());
      return { activeFeed: r.activeFeed, feedAgeMs: r.ageMs === null ? null : Math.round(r.ageMs) };
    };
    const recorder = new PaperLedgerRecorder(ledger, wired.clock, feedSnapshot);
    const dry = new DryBroker({ clock: wired.clock, fee: makerFeeLookup(wired.feesFor) });
    dry.onEvents((events) => recorder.record(events));
    const broker: Broker = selectBroker({
      requested: o.broker,
      liveApproval: c.rawEnv.KALSHI_LIVE_APPROVED,
      makeDry: () => dry,
      makeLive: () => {
        if (!wired.kalshi?.signer) throw new Error('--broker live needs KALSHI_API_KEY_ID and KALSHI_PRIVATE_KEY_PEM_PATH');
        return new LiveBroker({ rest: wired.kalshi.rest, clock: wired.clock });
      },
    });
    const calibration = loadCalibrationFor(o.series, window, c.paths, wired.clock.now(), c.log);
    const dayTags = safeEventTags(c.paths.eventsConfig, window.dateEt, c.log);
    const kill = () => fs.existsSync(o.killSwitchFile);

    const run = runSeriesWindow(
      window,
      o.series,
      {
        clock: wired.clock,
        venue: wired.venue,
        stream: wired.stream,
        spot: wired.spot,
        broker,
        paper: broker === dry ? { broker: dry, recorder } : undefined,
        killSwitch: kill,
        config: c.config,
        calibration,
        dayTags,
        fallbackFees: wired.feesFor(o.series, window.targetMs),
        log: c.log,
        signal: c.signal,
      },
      { requoteIntervalMs: o.requoteIntervalMs, settleTimeoutMs: o.settle ? SETTLE_TIMEOUT_MS : 0 },
    );
    const result = wired.drive ? await wired.drive(run) : await run;
    return { window, source: o.source, ledger: c.paths.ledger, result };
  } finally {
    for (const f of cleanups.reverse()) await f();
  }
}

interface Wired {
  clock: Clock;
  venue: VenueMarketData;
  stream?: VenueStream;
  spot: SpotSource;
  kalshi?: KalshiConnection;
  feesFor: (series: SeriesCode, atMs: number) => FeeSchedule | undefined;
  /** Offline manual clock: advances virtual time until the run settles. */
  drive?: <T>(p: Promise<T>) => Promise<T>;
}

async function wire(
  o: MicroIndexOptions,
  c: MicroIndexContext,
  window: TradingWindow,
  refNow: number,
  cleanups: (() => Promise<void> | void)[],
): Promise<Wired> {
  const feesCfg = loadFeesConfig(c.paths.feesConfig);
  const fromFile = (series: SeriesCode, atMs: number) => (feesCfg ? feeScheduleAt(feesCfg, SERIES[series].ticker, atMs) : undefined);
  const thresholds = { softMs: c.config.freshness.soft_ms, strictMs: c.config.freshness.strict_ms };

  if (o.source === 'sim') {
    // Start at --now when it is inside the window, else just before the start so the feeds are warm.
    const start = virtualStart(refNow, window, 20_000);
    const clock = new VirtualClock(start, { speed: o.speed });
    cleanups.push(() => clock.dispose());
    const sim: SimEnv = await startSimEnv({ clock, seed: o.seed, dateEt: window.dateEt, tickIntervalMs: SIM_TICK_MS });
    cleanups.push(() => sim.close());
    const signer = KalshiSigner.fromPem(sim.kalshiKeyId, sim.kalshiPrivateKeyPem, clock);
    const kalshi = connectKalshi({
      clock,
      signer,
      endpoints: { restBase: sim.kalshi.restBase, wsUrl: sim.kalshi.wsUrl },
      rateLimits: rateLimits(c.config),
    });
    const stream = kalshi.stream();
    await stream.start();
    cleanups.push(() => stream.stop());
    // Loopback latency and the simulator's bursts are multiplied by --speed in virtual time, so a REST
    // feed polls at the simulator's tick cadence instead of a 1 s period that sits right at the 1.2 s SLO.
    const simFeeds = {
      ...c.config.feeds,
      polygon: { ...c.config.feeds.polygon, poll_interval_ms: Math.min(c.config.feeds.polygon.poll_interval_ms, SIM_TICK_MS) },
      massive: { ...c.config.feeds.massive, poll_interval_ms: Math.min(c.config.feeds.massive.poll_interval_ms, SIM_TICK_MS) },
    };
    const feeds = createDualFeedFromConfig({
      clock,
      apiKey: sim.massiveApiKey,
      feeds: simFeeds,
      urlOverride: { polygon: feedUrl(c.config.feeds.polygon.kind, sim.polygon), massive: feedUrl(c.config.feeds.massive.kind, sim.massive) },
    });
    await startDual(feeds.dual, cleanups, c.log);
    return { clock, venue: kalshi.venue, stream, spot: dualFeedSpot(feeds.dual, thresholds), kalshi, feesFor: fromFile };
  }

  if (o.source === 'offline') {
    const dir = path.join(c.paths.fixturesDir, 'kalshi');
    const seed = fixtureSeed(dir);
    const start = virtualStart(refNow, window, 1_000);
    const clock = new VirtualClock(start, { speed: o.speed });
    cleanups.push(() => clock.dispose());
    const venue = new FixtureVenue(dir, window.dateEt, () => clock.now());
    // Recorded index values: the same seeded day the fixtures were generated from.
    const open = etToMs(window.dateEt, '09:30');
    const close = etToMs(window.dateEt, '16:00');
    const paths = new Map(
      (['I:SPX', 'I:NDX'] as const).map((s) => [s, generateIndexPath({ symbol: s, startMs: open, endMs: close, seed })]),
    );
    const spot = bypassedSpot((symbol, now) => paths.get(symbol)?.valueAt(now));
    return { clock, venue, spot, feesFor: fromFile, drive: o.speed === 0 ? (p) => driveManualClock(clock, p) : undefined };
  }

  // online: real services from the environment, system clock.
  const clock = c.clock;
  const kalshi = connectKalshi({ clock, env: c.env, rateLimits: rateLimits(c.config) });
  let stream: VenueStream | undefined;
  if (kalshi.signer) {
    stream = kalshi.stream();
    await stream.start();
    cleanups.push(() => stream!.stop());
  }
  const key = massiveApiKey(c.env);
  if (!key) throw new Error('missing_env:MASSIVE_API_KEY (or POLYGON_API_KEY) for the index feed; use --sim or --offline to run without credentials');
  const feeds = createDualFeedFromConfig({
    clock,
    apiKey: key,
    feeds: c.config.feeds,
    wsUrl: c.env.MASSIVE_WS_URL,
    restBase: c.env.MASSIVE_REST_BASE,
  });
  await startDual(feeds.dual, cleanups, c.log);
  return { clock, venue: kalshi.venue, stream, spot: dualFeedSpot(feeds.dual, thresholds), kalshi, feesFor: fromFile };
}

/** Where a virtual run begins: `refNow` inside the window, else `lead` ms before its start. */
export function virtualStart(refNow: number, w: TradingWindow, lead: number): number {
  return refNow >= w.startMs ? refNow : Math.max(refNow, w.startMs - lead);
}

function feedUrl(kind: 'ws' | 'rest', sim: { wsUrl: string; restUrl: string }): string {
  return kind === 'ws' ? sim.wsUrl : sim.restUrl;
}

async function startDual(dual: DualFeed, cleanups: (() => Promise<void> | void)[], log: EngineLog): Promise<void> {
  cleanups.push(
    dual.onTransition((t) =>
      log.warn(`feed failover ${t.from} → ${t.to}`, { reason: t.reason, polygon_age_ms: t.ages?.polygon, massive_age_ms: t.ages?.massive }),
    ),
  );
  await dual.start();
  cleanups.push(async () => {
    await dual.stop();
    dual.dispose();
  });
}

const rateLimits = (cfg: IndexOpsConfig) => cfg.kalshi;

const FixtureSeedSchema = z.object({ seed: z.number().int() });

/** The seed the fixtures were generated with (so offline index values match the recorded day). */
function fixtureSeed(dir: string): number {
  readFixtureManifest(dir); // validates the manifest and that the directory is a fixture set
  const r = FixtureSeedSchema.safeParse(JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')));
  if (!r.success) throw new Error(`${dir}/manifest.json: seed: missing or not an integer`);
  return r.data.seed;
}

/** Maker fee of a paper fill, per the fee schedule of the fill's series. */
function makerFeeLookup(feesFor: (series: SeriesCode, atMs: number) => FeeSchedule | undefined) {
  return (price: number, size: number, _role: 'maker', ticker: string): number => {
    const info = seriesOfTicker(ticker);
    const schedule = info ? feesFor(info.code, Number.MAX_SAFE_INTEGER) : undefined;
    if (!schedule) return 0;
    return orderFeePips(feeRule(schedule, 'maker'), price, size);
  };
}

function loadCalibrationFor(series: SeriesCode, w: TradingWindow, paths: Paths, nowMs: number, log: EngineLog): CalibrationParams | null {
  const file = calibrationPath(paths.calibDir, SERIES[series].symbol, w.targetType);
  if (!fs.existsSync(file)) {
    log.warn(`calibration_missing:${series}:${w.targetType}: using the default σ curve`, { file });
    return null;
  }
  return readCalibration(file, nowMs).params;
}

function safeEventTags(file: string, dateEt: string, log: EngineLog): readonly string[] {
  try {
    return loadEventDays(file).tagsOn(dateEt);
  } catch (e) {
    log.warn('configs/events.yaml unreadable: no event-day κ', { error: (e as Error).message });
    return [];
  }
}

/** Runs a manual virtual clock forward timer by timer until `p` settles ("as fast as possible"). */
export async function driveManualClock<T>(clock: VirtualClock, p: Promise<T>): Promise<T> {
  let done = false;
  const tracked = p.finally(() => {
    done = true;
  });
  while (!done) {
    await new Promise<void>((r) => setImmediate(r));
    if (done) break;
    const next = clock.nextTimerAt();
    if (next === undefined) continue; // waiting on I/O (file reads)
    await clock.advanceTo(next);
  }
  return tracked;
}
