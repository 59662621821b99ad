/**
 * Where a window gets the index value and whether it may trust it (SPEC §6.3): the SpotSource port over
 * the dual feed (failover + freshness) for online and simulator runs, or over a recorded/generated path
 * with WS gating bypassed (offline, --no-ws-listen).
 */
import type { IndexSymbol } from '../../core/series.ts';
import type { FeedName } from '../../core/feed/feed-name.ts';
import type { SpotSource } from '../../ports/trading.ts';
import type { DualFeed } from './dual-feed.ts';

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
    perFeed(symbol) {
      const out: Partial<Record<FeedName, number>> = {};
      for (const f of ['polygon', 'massive'] as const) {
        const t = dual.latestFrom(f, symbol);
        if (t) out[f] = t.value;
      }
      return out;
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
