/**
 * Trading windows (SPEC §4): one per settlement time of a trading day, computed in America/New_York.
 * Pure: takes the calendar, config and instants; never reads a clock.
 */
import type { TradingCalendar } from './calendar/calendar.ts';
import type { SeriesCode } from './series.ts';
import { addDays, etDateOf, etToMs } from './time/et.ts';

export interface WindowsConfig {
  hourly_targets: string[];
  early_close_last_hourly: string;
  hourly_start_offset_minutes: number;
  close_start_offset_minutes: number;
  strict_offset_seconds: number;
  freeze_offset_seconds: number;
}

export const DEFAULT_WINDOWS_CONFIG: WindowsConfig = {
  hourly_targets: ['10:00', '11:00', '12:00', '13:00', '14:00', '15:00'],
  early_close_last_hourly: '12:00',
  hourly_start_offset_minutes: 15,
  close_start_offset_minutes: 10,
  strict_offset_seconds: 60,
  freeze_offset_seconds: 2,
};

export type TargetType = 'hourly' | 'close';

export interface TradingWindow {
  /** `${dateEt}/${label}`: unique and stable, used in ids and ledgers. */
  id: string;
  /** `hourly-1000` … `hourly-1500`, `close-1600`, or `close-1300` on early-close days. */
  label: string;
  targetType: TargetType;
  dateEt: string;
  series: SeriesCode[];
  startMs: number;
  /** From here the strict freshness threshold applies (target − 60 s). */
  strictMs: number;
  /** No order may rest past this (target − 2 s). */
  freezeMs: number;
  targetMs: number;
}

export type WindowPhase = 'pending' | 'quoting' | 'strict' | 'frozen' | 'done';

const HOURLY_SERIES: SeriesCode[] = ['INXU', 'NASDAQ100U'];
const CLOSE_SERIES: SeriesCode[] = ['INX', 'NASDAQ100', 'INXU', 'NASDAQ100U'];

const compact = (hhmm: string) => hhmm.replace(':', '');

function makeWindow(dateEt: string, targetEt: string, targetType: TargetType, cfg: WindowsConfig): TradingWindow {
  const targetMs = etToMs(dateEt, targetEt, 'reject');
  const startOffsetMin = targetType === 'hourly' ? cfg.hourly_start_offset_minutes : cfg.close_start_offset_minutes;
  const label = `${targetType}-${compact(targetEt)}`;
  return {
    id: `${dateEt}/${label}`,
    label,
    targetType,
    dateEt,
    series: targetType === 'hourly' ? [...HOURLY_SERIES] : [...CLOSE_SERIES],
    startMs: targetMs - startOffsetMin * 60_000,
    strictMs: targetMs - cfg.strict_offset_seconds * 1000,
    freezeMs: targetMs - cfg.freeze_offset_seconds * 1000,
    targetMs,
  };
}

/** All windows of an ET date, in time order; empty on a closed day. Throws outside the calendar's years. */
export function windowsForDay(dateEt: string, calendar: TradingCalendar, cfg: WindowsConfig = DEFAULT_WINDOWS_CONFIG): TradingWindow[] {
  const session = calendar.session(dateEt);
  if (session.status === 'closed' || !session.closeEt) return [];
  const close = session.closeEt;
  const lastHourly = session.status === 'early_close' ? cfg.early_close_last_hourly : '23:59';
  const hourly = cfg.hourly_targets
    .filter((t) => t < close && t <= lastHourly)
    .sort()
    .map((t) => makeWindow(dateEt, t, 'hourly', cfg));
  return [...hourly, makeWindow(dateEt, close, 'close', cfg)];
}

export interface WindowQuery {
  series?: SeriesCode;
  cfg?: WindowsConfig;
}

/** Longest run of closed days to look across (weekend + holiday + announced closures). */
const MAX_DAYS_AHEAD = 14;

/** Windows with `targetMs > nowMs`, in order, at most `n` (optionally only those carrying `series`). */
export function nextWindows(nowMs: number, n: number, calendar: TradingCalendar, q: WindowQuery = {}): TradingWindow[] {
  const out: TradingWindow[] = [];
  let date = etDateOf(nowMs);
  for (let day = 0; out.length < n && day <= MAX_DAYS_AHEAD + n; day++, date = addDays(date, 1)) {
    for (const w of windowsForDay(date, calendar, q.cfg)) {
      if (w.targetMs <= nowMs) continue;
      if (q.series && !w.series.includes(q.series)) continue;
      out.push(w);
      if (out.length >= n) break;
    }
  }
  return out;
}

/**
 * The window active at `nowMs` (start ≤ now < target) or else the next one to start. Never "rolls" to a
 * later hour while the current window is still open, and never returns a window whose target has passed.
 */
export function activeOrNextWindow(nowMs: number, calendar: TradingCalendar, q: WindowQuery = {}): TradingWindow {
  const [w] = nextWindows(nowMs, 1, calendar, q);
  if (!w) throw new Error(`no trading window within ${MAX_DAYS_AHEAD} days after ${new Date(nowMs).toISOString()}`);
  return w;
}

export function windowPhase(w: TradingWindow, nowMs: number): WindowPhase {
  if (nowMs < w.startMs) return 'pending';
  if (nowMs >= w.targetMs) return 'done';
  if (nowMs >= w.freezeMs) return 'frozen';
  if (nowMs >= w.strictMs) return 'strict';
  return 'quoting';
}

export const isWindowActive = (w: TradingWindow, nowMs: number): boolean => nowMs >= w.startMs && nowMs < w.targetMs;
