/**
 * Freshness sentry (SPEC §6.3): pure, driven only by clock values handed in.
 *
 * Feed age = now − receipt time of the last index message. When several symbols are required (SPX and
 * NDX), the feed is only as fresh as its stalest required symbol: pricing NDX off a stalled NDX stream
 * because SPX keeps ticking would be exactly the failure the gate exists to stop. The message's own
 * timestamp lag (receipt − event time) is tracked alongside, for monitors and diagnosis; it does not gate.
 */
import type { IndexSymbol } from '../series.ts';

export interface FreshnessThresholds {
  /** Age limit before `strict_et` (SPEC default 1500 ms). */
  softMs: number;
  /** Age limit from `strict_et` on (SPEC default 800 ms). */
  strictMs: number;
}

export const DEFAULT_THRESHOLDS: FreshnessThresholds = { softMs: 1500, strictMs: 800 };

/** True from the window's `strict_et` instant on (inclusive). No window → soft threshold. */
export function strictApplies(nowMs: number, strictFromMs: number | undefined | null): boolean {
  return strictFromMs !== undefined && strictFromMs !== null && nowMs >= strictFromMs;
}

export interface FreshnessVerdict {
  ok: boolean;
  stale: boolean;
  /** now − last receipt (ms); null when nothing has been received yet. */
  ageMs: number | null;
  /** receipt − event time of the last message (ms); null when unknown. */
  lagMs: number | null;
  thresholdMs: number;
  strict: boolean;
}

/** ok ⇔ something was received and age ≤ the threshold that applies (soft, or strict from `strict_et`). */
export function judgeFreshness(
  ageMs: number | null,
  lagMs: number | null,
  thresholds: FreshnessThresholds,
  strict: boolean,
): FreshnessVerdict {
  const thresholdMs = strict ? thresholds.strictMs : thresholds.softMs;
  const ok = ageMs !== null && ageMs <= thresholdMs;
  return { ok, stale: !ok, ageMs, lagMs, thresholdMs, strict };
}

/** The exact line each window logs when the gate passes (SPEC §6.3). */
export function freshLogLine(ageMs: number, strict: boolean, windowLabel: string): string {
  return `fresh WS ok age=${Math.round(ageMs)}ms strict=${strict} window=${windowLabel}`;
}

interface SymbolState {
  lastReceivedTs: number;
  lastEventTs: number;
  /** Start of the current run of receipts with no gap longer than `continuityMs`. */
  freshSince: number;
}

/**
 * Tracks receipts of one feed. Pure state: every method takes the instant it reasons about.
 * `continuityMs` is the gap that breaks "continuously fresh" (the failover SLO): a receipt arriving more
 * than that after the previous one starts a new fresh run, so the failover can measure "fresh for 5 s"
 * exactly, without sampling.
 */
export class FeedFreshness {
  private readonly bySymbol = new Map<IndexSymbol, SymbolState>();
  private lastAny: SymbolState | undefined;

  constructor(
    readonly requiredSymbols: readonly IndexSymbol[],
    readonly continuityMs: number,
  ) {
    if (requiredSymbols.length === 0) throw new RangeError('FeedFreshness: at least one required symbol');
    if (!(continuityMs > 0)) throw new RangeError('FeedFreshness: continuityMs must be > 0');
  }

  record(symbol: IndexSymbol, receivedTs: number, eventTs: number): void {
    let s = this.bySymbol.get(symbol);
    if (!s) {
      s = { lastReceivedTs: receivedTs, lastEventTs: eventTs, freshSince: receivedTs };
      this.bySymbol.set(symbol, s);
    } else {
      // Out-of-order receipt instants (should not happen with one clock) never move time backwards.
      if (receivedTs < s.lastReceivedTs) return;
      if (receivedTs - s.lastReceivedTs > this.continuityMs) s.freshSince = receivedTs;
      s.lastReceivedTs = receivedTs;
      s.lastEventTs = eventTs;
    }
    this.lastAny = s;
  }

  /** Last receipt instant of the stalest required symbol; undefined until every required symbol was seen. */
  lastReceivedTs(): number | undefined {
    let oldest: number | undefined;
    for (const sym of this.requiredSymbols) {
      const s = this.bySymbol.get(sym);
      if (!s) return undefined;
      if (oldest === undefined || s.lastReceivedTs < oldest) oldest = s.lastReceivedTs;
    }
    return oldest;
  }

  /** Age of the feed (stalest required symbol); null until every required symbol was received. */
  ageMs(nowMs: number): number | null {
    const last = this.lastReceivedTs();
    return last === undefined ? null : Math.max(0, nowMs - last);
  }

  /** Age of one symbol; null if never received. */
  symbolAgeMs(symbol: IndexSymbol, nowMs: number): number | null {
    const s = this.bySymbol.get(symbol);
    return s ? Math.max(0, nowMs - s.lastReceivedTs) : null;
  }

  /** Lag (receipt − event time) of the most recent message of any symbol. */
  lagMs(): number | null {
    return this.lastAny ? this.lastAny.lastReceivedTs - this.lastAny.lastEventTs : null;
  }

  /**
   * Since when every required symbol has been continuously fresh (no gap > continuityMs), as of now;
   * null when the feed is not fresh now (age > continuityMs or never seen).
   */
  freshSince(nowMs: number): number | null {
    let since: number | undefined;
    for (const sym of this.requiredSymbols) {
      const s = this.bySymbol.get(sym);
      if (!s || nowMs - s.lastReceivedTs > this.continuityMs) return null;
      if (since === undefined || s.freshSince > since) since = s.freshSince;
    }
    return since ?? null;
  }

  verdict(nowMs: number, thresholds: FreshnessThresholds, strict: boolean): FreshnessVerdict {
    return judgeFreshness(this.ageMs(nowMs), this.lagMs(), thresholds, strict);
  }
}
