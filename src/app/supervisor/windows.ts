/**
 * The supervisor's plan and tallies: which windows run, in order, from the reference instant (day by day with
 * `--loop`), and what a window's series results add up to (the snapshot, the log line, the replay summary).
 */
import type { TradingWindow } from '../../core/windows.ts';
import { windowsForDay } from '../../core/windows.ts';
import { addDays, etDateOf } from '../../core/time/et.ts';
import type { SeriesWindowResult } from '../../engine/series-window.ts';
import type { MarketGap } from '../../adapters/monitors/ev-gap.ts';
import type { WindowState } from '../snapshot.ts';
import type { RunContext } from '../run-context.ts';

export interface SupervisedWindow {
  window: TradingWindow;
  state: WindowState;
  reasons: string[];
  results: SeriesWindowResult[];
}

/** The windows to run, in order: from the reference instant on (active or future ones), day by day. */
export function* plannedWindows(refNowMs: number, c: Pick<RunContext, 'calendar' | 'config'>, o: { loop: boolean; days?: number; only?: readonly string[] }): Generator<TradingWindow> {
  let date = etDateOf(refNowMs);
  let tradingDays = 0;
  for (let i = 0; i < 3660; i++, date = addDays(date, 1)) {
    const all = windowsForDay(date, c.calendar, c.config.windows);
    if (all.length === 0) continue;
    const todays = all.filter((w) => w.targetMs > refNowMs && (!o.only || o.only.includes(w.label)));
    if (todays.length === 0) continue;
    tradingDays++;
    for (const w of todays) {
      yield w;
      if (!o.loop) return;
    }
    if (o.days !== undefined && tradingDays >= o.days) return;
  }
}

/** A generator with a look-ahead buffer (the snapshot lists upcoming windows). */
export function lookahead<T>(gen: Generator<T>, n: number): { next(): T | undefined; peek(): T[] } {
  const buf: T[] = [];
  let done = false;
  const fill = () => {
    while (!done && buf.length < n) {
      const r = gen.next();
      if (r.done) done = true;
      else buf.push(r.value);
    }
  };
  return {
    next() {
      fill();
      return buf.shift();
    },
    peek() {
      fill();
      return [...buf];
    },
  };
}

export function summarise(results: readonly SeriesWindowResult[]): { quotes: number; fills: number; pnlUsd: number; outstanding: number; errors: number; settled: number } {
  let quotes = 0;
  let fills = 0;
  let pnl = 0;
  let outstanding = 0;
  let errors = 0;
  let settled = 0;
  for (const r of results) {
    quotes += r.quotesPlaced;
    fills += r.fills;
    pnl += r.pnlUsd;
    outstanding += r.outstandingAfterFreeze;
    settled += r.settledMarkets;
    if (r.status === 'error') errors++;
  }
  return { quotes, fills, pnlUsd: Math.round(pnl * 1e6) / 1e6, outstanding, errors, settled };
}

export function mergeGaps(results: readonly SeriesWindowResult[]): Record<string, MarketGap> {
  const out: Record<string, MarketGap> = {};
  for (const r of results) Object.assign(out, r.evGap);
  return out;
}
