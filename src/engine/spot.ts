/**
 * Where a window gets the index value and whether it may trust it (SPEC §6.3). Online runs read the
 * dual feed (failover + freshness); offline runs read a recorded/generated path with WS gating bypassed.
 */
import type { DualFeed } from '../adapters/feeds/dual-feed.ts';
import type { IndexSymbol } from '../core/series.ts';
import type { FeedName } from '../ports/index-feed.ts';

export interface SpotReading {
  ok: boolean;
  value?: number;
  /** now − receipt of the last message of the active feed; null when unknown / bypassed. */
  ageMs: number | null;
  strict: boolean;
  thresholdMs: number;
  activeFeed: FeedName | null;
  /** Why not ok: `stale`, `stand_down`, `no_data`. */
  reason?: string;
  /** True when freshness gating is bypassed (offline / --no-ws-listen). */
  bypassed?: boolean;
}

export interface SpotSource {
  read(symbol: IndexSymbol, strict: boolean, nowMs: number): SpotReading;
}

export interface FreshnessThresholdsMs {
  softMs: number;
  strictMs: number;
}

/** Spot from the dual feed: the active feed's latest value, gated by soft/strict age thresholds. */
export function dualFeedSpot(dual: DualFeed, thresholds: FreshnessThresholdsMs): SpotSource {
  return {
    read(symbol, strict, nowMs) {
      const v = dual.activeVerdict(thresholds, strict, nowMs);
      if (v.feed === 'stand_down') {
        return { ok: false, ageMs: null, strict, thresholdMs: v.thresholdMs, activeFeed: null, reason: 'stand_down' };
      }
      const tick = dual.latestFrom(v.feed, symbol);
      if (!tick) return { ok: false, ageMs: v.ageMs, strict, thresholdMs: v.thresholdMs, activeFeed: v.feed, reason: 'no_data' };
      const ageMs = nowMs - tick.receivedTs;
      const ok = v.ok && ageMs <= v.thresholdMs;
      return { ok, value: tick.value, ageMs, strict, thresholdMs: v.thresholdMs, activeFeed: v.feed, ...(ok ? {} : { reason: 'stale' }) };
    },
  };
}

/** Spot from a function of time (offline fixtures / generated path): always usable, gating bypassed. */
export function bypassedSpot(valueAt: (symbol: IndexSymbol, nowMs: number) => number | undefined): SpotSource {
  return {
    read(symbol, strict, nowMs) {
      const value = valueAt(symbol, nowMs);
      if (value === undefined) return { ok: false, ageMs: null, strict, thresholdMs: 0, activeFeed: null, reason: 'no_data', bypassed: true };
      return { ok: true, value, ageMs: null, strict, thresholdMs: 0, activeFeed: null, bypassed: true };
    },
  };
}
