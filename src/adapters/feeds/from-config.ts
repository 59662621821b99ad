/**
 * Builds the two index feeds from `configs/index_ops.yaml` (`feeds.polygon`, `feeds.massive`: each a
 * websocket or the REST snapshot poller) and wires them into a DualFeed (SPEC §6.4).
 * URL precedence: the source's `url`, else MASSIVE_WS_URL / MASSIVE_REST_BASE, else the Massive defaults.
 */
import type { Clock } from '../../ports/clock.ts';
import type { FeedName, ObservableIndexFeed } from '../../ports/index-feed.ts';
import type { IndexSymbol } from '../../core/series.ts';
import type { IndexOpsConfig } from '../../config/index-ops.ts';
import { MassiveWsFeed } from '../massive/ws-client.ts';
import { MassiveRestPoller } from '../massive/rest-poller.ts';
import { displayUrl, silentLogger, type FeedLogger } from '../massive/log.ts';
import { DualFeed } from './dual-feed.ts';
import type { FrameTap } from '../../ports/frame-tap.ts';

export const DEFAULT_WS_URL = 'wss://socket.massive.com/indices';
export const DEFAULT_REST_BASE = 'https://api.massive.com';

export type FeedsConfig = IndexOpsConfig['feeds'];

export interface FeedFactoryDeps {
  clock: Clock;
  /** POLYGON_API_KEY / MASSIVE_API_KEY (see `massiveApiKey(env)`). */
  apiKey: string;
  feeds: FeedsConfig;
  /** Env overrides: MASSIVE_WS_URL, MASSIVE_REST_BASE. */
  wsUrl?: string;
  restBase?: string;
  /** Per-feed URL overrides (e.g. two simulator instances); win over config and env. */
  urlOverride?: Partial<Record<FeedName, string>>;
  symbols?: readonly IndexSymbol[];
  logger?: FeedLogger;
  random?: () => number;
  /** Told what the feeds receive, under their names (`--record`). */
  tap?: FrameTap;
}

export function createIndexFeed(name: FeedName, d: FeedFactoryDeps): ObservableIndexFeed {
  const src = d.feeds[name];
  const logger = d.logger ?? silentLogger;
  const symbols = d.symbols ?? ['I:SPX', 'I:NDX'];
  const override = d.urlOverride?.[name];
  if (src.kind === 'ws') {
    return new MassiveWsFeed({
      name,
      clock: d.clock,
      url: override ?? src.url ?? d.wsUrl ?? DEFAULT_WS_URL,
      apiKey: d.apiKey,
      symbols,
      channel: src.channel,
      reconnectBaseMs: d.feeds.reconnect_base_ms,
      reconnectMaxMs: d.feeds.reconnect_max_ms,
      maxConnectionsCooldownMs: d.feeds.max_connections_cooldown_ms,
      idleTimeoutMs: d.feeds.idle_timeout_ms,
      pingIntervalMs: d.feeds.ping_interval_ms,
      handshakeTimeoutMs: d.feeds.handshake_timeout_ms,
      silenceRecycleMs: d.feeds.silence_recycle_ms,
      logger,
      ...(d.tap ? { tap: d.tap } : {}),
      ...(d.random ? { random: d.random } : {}),
    });
  }
  return new MassiveRestPoller({
    name,
    clock: d.clock,
    baseUrl: override ?? src.url ?? d.restBase ?? DEFAULT_REST_BASE,
    apiKey: d.apiKey,
    symbols,
    pollIntervalMs: src.poll_interval_ms,
    backoffBaseMs: d.feeds.reconnect_base_ms,
    backoffMaxMs: d.feeds.reconnect_max_ms,
    requestTimeoutMs: d.feeds.rest_timeout_ms,
    logger,
    ...(d.tap ? { tap: d.tap } : {}),
    ...(d.random ? { random: d.random } : {}),
  });
}

/** Both feeds plus the failover, per config. Warns when two websockets would share one key. */
export function createDualFeedFromConfig(d: FeedFactoryDeps): { dual: DualFeed; polygon: ObservableIndexFeed; massive: ObservableIndexFeed } {
  const logger = d.logger ?? silentLogger;
  if (d.feeds.polygon.kind === 'ws' && d.feeds.massive.kind === 'ws') {
    const url = (n: FeedName) => d.urlOverride?.[n] ?? d.feeds[n].url ?? d.wsUrl ?? DEFAULT_WS_URL;
    logger.warn(
      { polygon: displayUrl(url('polygon')), massive: displayUrl(url('massive')) },
      'both index feeds are websockets on one API key: Massive allows one connection per account (per cluster, possibly account-wide), so they may evict each other (max_connections); prefer kind: rest for one of them',
    );
  }
  const polygon = createIndexFeed('polygon', d);
  const massive = createIndexFeed('massive', d);
  const dual = new DualFeed({
    clock: d.clock,
    polygon,
    massive,
    symbols: d.symbols ?? ['I:SPX', 'I:NDX'],
    sloMs: d.feeds.failover_slo_ms,
    returnAfterMs: d.feeds.return_after_ms,
    logger,
  });
  return { dual, polygon, massive };
}
