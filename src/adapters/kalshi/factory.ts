/** Builds the Kalshi adapters from the environment (SPEC §3) or explicit URLs (simulator runs). */
import type { AppEnv } from '../../config/env.ts';
import type { Clock } from '../../ports/clock.ts';
import { silentLogger, type Logger } from '../../ports/logger.ts';
import type { FrameTap } from '../../ports/frame-tap.ts';
import { KalshiSigner } from './auth.ts';
import { resolveKalshiEndpoints, type KalshiEndpoints } from './endpoints.ts';
import { KalshiRateLimiter, type RateLimitConfig } from './rate-limiter.ts';
import { KalshiRestClient, type RetryPolicy } from './rest-client.ts';
import { KalshiVenue } from './venue.ts';
import { KalshiWsClient, type KalshiWsOptions } from './ws-client.ts';

/** Optional `kalshi.*` keys beyond the token buckets. */
export interface KalshiTuning {
  rest_max_attempts: number;
  rest_backoff_base_ms: number;
  rest_backoff_max_ms: number;
  rest_timeout_ms: number;
  ws_idle_timeout_ms: number;
  ws_reconnect_base_ms: number;
  ws_reconnect_max_ms: number;
}

export interface KalshiConnection {
  endpoints: KalshiEndpoints;
  /** Present when a key is configured; portfolio endpoints and the websocket need it. */
  signer?: KalshiSigner;
  rest: KalshiRestClient;
  venue: KalshiVenue;
  /** A new websocket client (not started). Throws without a key: the exchange requires auth. */
  stream(options?: Partial<Omit<KalshiWsOptions, 'url' | 'signer' | 'clock'>>): KalshiWsClient;
}

export interface ConnectOptions {
  clock: Clock;
  env?: Pick<AppEnv, 'KALSHI_ENV' | 'KALSHI_API_BASE' | 'KALSHI_WS_URL' | 'KALSHI_API_KEY_ID' | 'KALSHI_PRIVATE_KEY_PEM_PATH'>;
  /** Explicit endpoints win over the environment (e.g. the simulator's). */
  endpoints?: Partial<KalshiEndpoints>;
  signer?: KalshiSigner;
  /** The `kalshi.*` section of configs/index_ops.yaml (token buckets, retries, timeouts, WS liveness). */
  rateLimits?: RateLimitConfig & Partial<KalshiTuning>;
  retry?: Partial<RetryPolicy>;
  /** REST retries / rejected bodies and websocket lines go here (children tagged `component`); default silent. */
  logger?: Logger;
  /** Told what the REST client and the websocket receive (`--record`). */
  tap?: FrameTap;
}

export function connectKalshi(o: ConnectOptions): KalshiConnection {
  const env = o.env ?? {};
  const endpoints = { ...resolveKalshiEndpoints(env), ...o.endpoints };
  const signer =
    o.signer ??
    (env.KALSHI_API_KEY_ID && env.KALSHI_PRIVATE_KEY_PEM_PATH ? KalshiSigner.fromPemFile(env.KALSHI_API_KEY_ID, env.KALSHI_PRIVATE_KEY_PEM_PATH, o.clock) : undefined);
  const cfg = o.rateLimits;
  const logger = o.logger ?? silentLogger;
  const rest = new KalshiRestClient({
    baseUrl: endpoints.restBase,
    clock: o.clock,
    signer,
    limiter: o.rateLimits ? new KalshiRateLimiter(o.clock, o.rateLimits) : undefined,
    retry: {
      ...(cfg?.rest_max_attempts !== undefined ? { maxAttempts: cfg.rest_max_attempts } : {}),
      ...(cfg?.rest_backoff_base_ms !== undefined ? { baseDelayMs: cfg.rest_backoff_base_ms } : {}),
      ...(cfg?.rest_backoff_max_ms !== undefined ? { maxDelayMs: cfg.rest_backoff_max_ms } : {}),
      ...o.retry,
    },
    timeoutMs: cfg?.rest_timeout_ms,
    logger: logger.child({ component: 'kalshi-rest' }),
    ...(o.tap ? { tap: o.tap } : {}),
  });
  return {
    endpoints,
    signer,
    rest,
    venue: new KalshiVenue(rest, o.clock, logger.child({ component: 'kalshi-venue' })),
    stream(options = {}) {
      if (!signer) throw new Error('the Kalshi websocket needs an API key (KALSHI_API_KEY_ID and KALSHI_PRIVATE_KEY_PEM_PATH)');
      return new KalshiWsClient({
        logger: logger.child({ component: 'kalshi-ws' }),
        idleTimeoutMs: cfg?.ws_idle_timeout_ms,
        reconnectBaseMs: cfg?.ws_reconnect_base_ms,
        reconnectMaxMs: cfg?.ws_reconnect_max_ms,
        ...options,
        ...(o.tap ? { tap: o.tap } : {}),
        url: endpoints.wsUrl,
        signer,
        clock: o.clock,
      });
    },
  };
}
