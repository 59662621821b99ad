/** The trading calendar: table + announced overrides → the session of any ET date (pure). */
import { assertDate, weekday } from '../time/et.ts';
import {
  EARLY_CLOSES,
  EARLY_CLOSE_ET,
  FULL_CLOSURES,
  REGULAR_CLOSE_ET,
  TABLE_FIRST_YEAR,
  TABLE_LAST_YEAR,
} from './nyse-table.ts';

export type SessionStatus = 'closed' | 'regular' | 'early_close';

export interface DaySession {
  date: string;
  status: SessionStatus;
  /** ET close time, or null when closed. */
  closeEt: string | null;
  /** Why the day is closed or shortened (holiday name, "weekend", override reason). */
  reason?: string;
}

export interface CalendarOverrides {
  closures?: { date: string; reason?: string }[];
  earlyCloses?: { date: string; close?: string; reason?: string }[];
}

export class CalendarRangeError extends Error {
  override name = 'CalendarRangeError';
}

export interface TradingCalendar {
  readonly firstYear: number;
  readonly lastYear: number;
  session(date: string): DaySession;
  isTradingDay(date: string): boolean;
}

export function inTableRange(date: string): boolean {
  const year = Number(date.slice(0, 4));
  return year >= TABLE_FIRST_YEAR && year <= TABLE_LAST_YEAR;
}

export function createCalendar(overrides: CalendarOverrides = {}): TradingCalendar {
  const closed = new Map<string, string>(FULL_CLOSURES.map((e) => [e.date, e.name]));
  const early = new Map<string, { close: string; reason: string }>(
    EARLY_CLOSES.map((e) => [e.date, { close: EARLY_CLOSE_ET, reason: e.name }]),
  );
  for (const c of overrides.closures ?? []) {
    assertInRange(c.date, 'closure');
    closed.set(c.date, c.reason ?? 'announced closure');
    early.delete(c.date);
  }
  for (const e of overrides.earlyCloses ?? []) {
    assertInRange(e.date, 'early close');
    if (closed.has(e.date) && !overrides.closures?.some((c) => c.date === e.date)) closed.delete(e.date);
    early.set(e.date, { close: e.close ?? EARLY_CLOSE_ET, reason: e.reason ?? 'announced early close' });
  }

  const session = (date: string): DaySession => {
    assertInRange(date, 'date');
    const dow = weekday(date);
    if (dow === 6 || dow === 7) return { date, status: 'closed', closeEt: null, reason: 'weekend' };
    const holiday = closed.get(date);
    if (holiday) return { date, status: 'closed', closeEt: null, reason: holiday };
    const ec = early.get(date);
    if (ec) return { date, status: 'early_close', closeEt: ec.close, reason: ec.reason };
    return { date, status: 'regular', closeEt: REGULAR_CLOSE_ET };
  };

  return {
    firstYear: TABLE_FIRST_YEAR,
    lastYear: TABLE_LAST_YEAR,
    session,
    isTradingDay: (date) => session(date).status !== 'closed',
  };
}

function assertInRange(date: string, what: string): void {
  assertDate(date);
  if (!inTableRange(date)) {
    throw new CalendarRangeError(
      `${what} ${date} is outside the trading calendar's years ${TABLE_FIRST_YEAR}–${TABLE_LAST_YEAR}; ` +
        'extend src/core/calendar/nyse-table.ts with the exchange-published dates',
    );
  }
}
