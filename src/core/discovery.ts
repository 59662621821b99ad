/**
 * Ladder discovery (SPEC §4, §5.1): match the events the exchange lists to the calendar's windows by
 * close time (the event's own close_time is the target of record), and report the windows the calendar
 * expects but the exchange has not listed. Pure: no I/O, no clock.
 */
import type { LadderEvent, MarketStatus } from './market.ts';
import type { SeriesCode } from './series.ts';
import type { TradingWindow } from './windows.ts';

export interface LadderSummary {
  eventTicker: string;
  series: SeriesCode;
  closeTimeMs: number;
  marketCount: number;
  /** Lowest / highest strike over the ladder's floor and cap strikes (index points). */
  strikeMin?: number;
  strikeMax?: number;
  /** Count of markets per exchange status. */
  statuses: Partial<Record<MarketStatus, number>>;
  /** The single status when all markets agree, else `mixed` (`empty` without markets). */
  status: MarketStatus | 'mixed' | 'empty';
}

export interface WindowLadder {
  series: SeriesCode;
  /** Absent when the exchange has not listed this window's event for the series. */
  ladder?: LadderSummary;
}

export interface WindowDiscovery {
  window: TradingWindow;
  ladders: WindowLadder[];
}

export interface MissingLadder {
  windowId: string;
  label: string;
  series: SeriesCode;
  expectedCloseMs: number;
}

export interface DiscoveryReport {
  windows: WindowDiscovery[];
  missing: MissingLadder[];
  /** Listed events that belong to no expected window (e.g. an unannounced close, a calendar gap). */
  unmatched: LadderSummary[];
}

export function summarizeLadder(ev: LadderEvent): LadderSummary {
  const strikes = ev.markets.flatMap((m) => [m.floorStrike, m.capStrike]).filter((x): x is number => x !== undefined);
  const statuses: Partial<Record<MarketStatus, number>> = {};
  for (const m of ev.markets) statuses[m.status] = (statuses[m.status] ?? 0) + 1;
  const kinds = Object.keys(statuses) as MarketStatus[];
  const s: LadderSummary = {
    eventTicker: ev.eventTicker,
    series: ev.series,
    closeTimeMs: ev.closeTimeMs,
    marketCount: ev.markets.length,
    statuses,
    status: kinds.length === 0 ? 'empty' : kinds.length === 1 ? kinds[0]! : 'mixed',
  };
  if (strikes.length) {
    s.strikeMin = Math.min(...strikes);
    s.strikeMax = Math.max(...strikes);
  }
  return s;
}

/**
 * Pairs each (window, series) with the listed event of that series closing at the window's target
 * (within `toleranceMs`, default exact). Two events for one slot is an exchange-data problem: the one
 * with more markets wins and the other is reported as unmatched, never silently merged.
 */
export function discoverLadders(windows: TradingWindow[], events: LadderEvent[], opts: { toleranceMs?: number } = {}): DiscoveryReport {
  const tol = opts.toleranceMs ?? 0;
  const used = new Set<LadderEvent>();
  const missing: MissingLadder[] = [];
  const out: WindowDiscovery[] = windows.map((w) => ({
    window: w,
    ladders: w.series.map((series) => {
      const candidates = events
        .filter((e) => !used.has(e) && e.series === series && Math.abs(e.closeTimeMs - w.targetMs) <= tol)
        .sort((a, b) => b.markets.length - a.markets.length || Math.abs(a.closeTimeMs - w.targetMs) - Math.abs(b.closeTimeMs - w.targetMs));
      const hit = candidates[0];
      if (!hit) {
        missing.push({ windowId: w.id, label: w.label, series, expectedCloseMs: w.targetMs });
        return { series };
      }
      used.add(hit);
      return { series, ladder: summarizeLadder(hit) };
    }),
  }));
  const unmatched = events.filter((e) => !used.has(e)).map(summarizeLadder).sort((a, b) => a.closeTimeMs - b.closeTimeMs);
  return { windows: out, missing, unmatched };
}
