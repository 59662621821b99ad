/**
 * What the Massive websocket feed (ws-client.ts) is told and what it tells: its options (and their
 * defaults), its states and counters, the fatal auth error, and the silence rule's floor on the minute-bar
 * channel.
 */
import type { Clock } from '../../ports/clock.ts';
import type { FeedCounters } from '../../ports/index-feed.ts';
import type { IndexSymbol } from '../../core/series.ts';
import type { FrameTap } from '../../ports/frame-tap.ts';
import type { FeedLogger } from './log.ts';

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

export const zeroCounters = (): WsFeedCounters => ({
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
});

export class MassiveAuthError extends Error {
  override name = 'MassiveAuthError';
}

/** Shortest silence that recycles an `AM` (minute bar) connection: two bar periods plus slack. */
export const AM_MIN_SILENCE_MS = 130_000;

/** The timings a feed runs on: the options with their defaults filled in. */
export type WsFeedConfig = Required<Pick<MassiveWsOptions, 'reconnectBaseMs' | 'reconnectMaxMs' | 'maxConnectionsCooldownMs' | 'stableResetMs' | 'idleTimeoutMs' | 'pingIntervalMs' | 'handshakeTimeoutMs' | 'silenceRecycleMs'>>;

export function resolveWsConfig(o: MassiveWsOptions, channel: IndexChannel): WsFeedConfig {
  const cooldown = o.maxConnectionsCooldownMs ?? 60_000;
  const idle = o.idleTimeoutMs ?? 30_000;
  return {
    reconnectBaseMs: o.reconnectBaseMs ?? 500,
    reconnectMaxMs: o.reconnectMaxMs ?? 30_000,
    maxConnectionsCooldownMs: cooldown,
    stableResetMs: o.stableResetMs ?? cooldown,
    idleTimeoutMs: idle,
    pingIntervalMs: o.pingIntervalMs ?? Math.max(1, Math.floor(idle / 3)),
    handshakeTimeoutMs: o.handshakeTimeoutMs ?? 10_000,
    silenceRecycleMs: silenceFor(channel, o.silenceRecycleMs ?? 10_000),
  };
}

/** The silence that recycles a connection on this channel (0: never). */
function silenceFor(channel: IndexChannel, ms: number): number {
  if (!(ms > 0)) return 0;
  return channel === 'AM' ? Math.max(ms, AM_MIN_SILENCE_MS) : ms;
}
