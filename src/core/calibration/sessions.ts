/**
 * Trading sessions for a calibration fit (SPEC §5.3): the calendar's session of an ET date (09:30 to its
 * close, 16:00 or 13:00; null when closed); outside the calendar's table years a weekday closing 16:00 (an
 * unknown early close then only loses samples: its missing bars leave the later targets stale). The days
 * that fell outside the table are collected, so the caller can say so.
 */
import { CalendarRangeError, type TradingCalendar } from '../calendar/calendar.ts';
import { weekday } from '../time/et.ts';
import type { SessionHours } from './fit.ts';

export interface CalendarSessions {
  session: (dateEt: string) => SessionHours | null;
  /** ET dates asked for outside the calendar's table (assumed weekday sessions closing 16:00). */
  outsideTable: Set<string>;
}

export function calendarSessions(calendar: TradingCalendar): CalendarSessions {
  const outsideTable = new Set<string>();
  const session = (date: string): SessionHours | null => {
    try {
      const s = calendar.session(date);
      return s.closeEt ? { openEt: '09:30', closeEt: s.closeEt } : null;
    } catch (e) {
      if (!(e instanceof CalendarRangeError)) throw e;
      outsideTable.add(date);
      return weekday(date) <= 5 ? { openEt: '09:30', closeEt: '16:00' } : null;
    }
  };
  return { session, outsideTable };
}
